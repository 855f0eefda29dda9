import * as pulumi from "@pulumi/pulumi";
import * as aws from "@pulumi/aws";

const config = new pulumi.Config();
const team = config.require("team");
const dbPassword = config.requireSecret("dbPassword");
const caller = aws.getCallerIdentityOutput();

const key = new aws.kms.Key("key", { description: `data key for ${team}`, enableKeyRotation: true },
    { protect: true });
const data = new aws.s3.Bucket("data", { bucketPrefix: `${team}-data-`, tags: { team, account: caller.accountId } });
new aws.s3.BucketPublicAccessBlock("data", {
    bucket: data.id, blockPublicAcls: true, blockPublicPolicy: true, ignorePublicAcls: true,
    restrictPublicBuckets: true,
});
new aws.s3.BucketServerSideEncryptionConfiguration("encryption", {
    bucket: data.id,
    rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "aws:kms", kmsMasterKeyId: key.arn } }],
});
const readObjects = aws.iam.getPolicyDocumentOutput({
    statements: [{ actions: ["s3:GetObject"], resources: [pulumi.interpolate`${data.arn}/*`] }],
});
const role = new aws.iam.Role("role", {
    assumeRolePolicy: JSON.stringify({
        Version: "2012-10-17",
        Statement: [{ Effect: "Allow", Principal: { Service: "sagemaker.amazonaws.com" }, Action: "sts:AssumeRole" }],
    }),
});
new aws.iam.RolePolicy("read", { role: role.id, policy: readObjects.json });
const web = new aws.ec2.SecurityGroup("web", {
    description: "web",
    ingress: [{ protocol: "tcp", fromPort: 443, toPort: 443, cidrBlocks: ["10.0.0.0/16"] }],
});
const database = new aws.rds.Instance("database", {
    engine: "postgres", instanceClass: "db.t4g.micro", allocatedStorage: 20, username: "ml", password: dbPassword,
    storageEncrypted: true, kmsKeyId: key.arn, vpcSecurityGroupIds: [web.id],
}, { dependsOn: [role] });

export const bucket = data.bucket;
export const endpoint = pulumi.interpolate`https://${database.address}:5432`;
