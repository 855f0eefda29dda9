import * as pulumi from "@pulumi/pulumi";
import * as aws from "@pulumi/aws";

const config = new pulumi.Config();
const tags = { owner: "churn-team", "cost-center": "ml-01", environment: "prod", "data-classification": "confidential" };
const image = "763104351884.dkr.ecr.us-east-1.amazonaws.com/pytorch-inference:2.3.0-cpu-py311-ubuntu20.04-sagemaker";

interface RealtimeEndpointArgs {
    modelDataUrl: pulumi.Input<string>;
    bucket: aws.s3.Bucket;
    key: aws.kms.Key;
    subnetIds: string[];
    securityGroupIds: string[];
}

class RealtimeEndpoint extends pulumi.ComponentResource {
    public readonly endpoint: aws.sagemaker.Endpoint;

    constructor(name: string, args: RealtimeEndpointArgs, opts?: pulumi.ComponentResourceOptions) {
        super("churn:ml:RealtimeEndpoint", name, {}, opts);
        const child = { parent: this };
        const role = new aws.iam.Role(`${name}-role`, {
            assumeRolePolicy: JSON.stringify({
                Version: "2012-10-17",
                Statement: [{
                    Effect: "Allow", Principal: { AWS: "*" }, Action: "sts:AssumeRole",
                }],
            }),
            tags,
        }, child);
        new aws.iam.RolePolicy(`${name}-policy`, {
            role: role.id,
            policy: pulumi.jsonStringify({
                Version: "2012-10-17",
                Statement: [
                    { Effect: "Allow", Action: ["s3:GetObject"], Resource: [pulumi.interpolate`${args.bucket.arn}/models/*`] },
                    { Effect: "Allow", Action: ["s3:PutObject"], Resource: [pulumi.interpolate`${args.bucket.arn}/capture/*`] },
                    { Effect: "Allow", Action: ["kms:Decrypt", "kms:GenerateDataKey"], Resource: [args.key.arn] },
                    { Effect: "Allow", Action: ["ecr:GetAuthorizationToken"], Resource: ["*"] },
                    {
                        Effect: "Allow", Action: ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"],
                        Resource: ["arn:aws:ecr:us-east-1:763104351884:repository/pytorch-inference"],
                    },
                ],
            }),
        }, child);
        const model = new aws.sagemaker.Model(`${name}-model`, {
            executionRoleArn: role.arn,
            primaryContainer: { image, modelDataUrl: args.modelDataUrl },
            enableNetworkIsolation: false,
            tags,
        }, child);
        const endpointConfig = new aws.sagemaker.EndpointConfiguration(`${name}-config`, {
            productionVariants: [{
                variantName: "primary", modelName: model.name,
                instanceType: config.get("instanceType") ?? "ml.m5.xlarge",
                initialInstanceCount: config.getNumber("instanceCount") ?? 2,
            }],
            dataCaptureConfig: {
                enableCapture: false, initialSamplingPercentage: 20,
                destinationS3Uri: pulumi.interpolate`s3://${args.bucket.bucket}/capture`,
                kmsKeyId: args.key.arn,
                captureOptions: [{ captureMode: "Input" }, { captureMode: "Output" }],
            },
            tags,
        }, child);
        this.endpoint = new aws.sagemaker.Endpoint(`${name}-endpoint`, { endpointConfigName: endpointConfig.name, tags },
            child);
        this.registerOutputs({ endpointName: this.endpoint.name });
    }
}

const key = new aws.kms.Key("endpoint-key", { enableKeyRotation: true, tags });
const artifacts = new aws.s3.Bucket("churn-artifacts", { tags });
new aws.s3.BucketPublicAccessBlock("artifacts-pab", {
    bucket: artifacts.id, blockPublicAcls: true, blockPublicPolicy: true, ignorePublicAcls: true,
    restrictPublicBuckets: true,
});
new aws.s3.BucketServerSideEncryptionConfiguration("artifacts-sse", {
    bucket: artifacts.id,
    rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "aws:kms", kmsMasterKeyId: key.arn }, bucketKeyEnabled: true }],
});
new aws.s3.BucketVersioning("artifacts-versioning", { bucket: artifacts.id, versioningConfiguration: { status: "Enabled" } });
new aws.s3.BucketPolicy("artifacts-policy", {
    bucket: artifacts.id,
    policy: pulumi.jsonStringify({
        Version: "2012-10-17",
        Statement: [{
            Effect: "Deny", Principal: { AWS: "*" }, Action: "s3:*",
            Resource: [artifacts.arn, pulumi.interpolate`${artifacts.arn}/*`],
            Condition: { Bool: { "aws:SecureTransport": false } },
        }],
    }),
});
new aws.s3.BucketLogging("artifacts-logging", {
    bucket: artifacts.id, targetBucket: "org-central-s3-access-logs", targetPrefix: "churn-artifacts/",
});

const churn = new RealtimeEndpoint("churn", {
    modelDataUrl: pulumi.interpolate`s3://${artifacts.bucket}/models/churn/model.tar.gz`,
    bucket: artifacts, key,
    subnetIds: ["subnet-0a1b2c3d4e5f60001", "subnet-0a1b2c3d4e5f60002"],
    securityGroupIds: ["sg-0123456789abcdef0"],
});
export const endpoint = churn.endpoint.name;
