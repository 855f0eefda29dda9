"""The data-science team grants its training role access to what the platform team owns: a bucket,
a security group, a role and a topic read with `.get()`, a VPC and a key looked up with get_* functions.
Only what this program attaches is its own (policies, rules, access blocks, attachments)."""
import json

import pulumi
import pulumi_aws as aws

TAGS = {"owner": "ds", "cost-center": "ds-11", "environment": "prod", "data-classification": "confidential"}
identity = aws.get_caller_identity()
datasets = aws.s3.Bucket.get("datasets", "platform-ml-datasets")
workers = aws.ec2.SecurityGroup.get("workers", "sg-0a1b2c3d4e5f60718")
trainer = aws.iam.Role.get("trainer", "platform-trainer")
alerts = aws.sns.Topic.get("alerts", f"arn:aws:sns:us-east-1:{identity.account_id}:platform-alerts")
vpc = aws.ec2.get_vpc(tags={"Name": "platform"})
key = aws.kms.get_key(key_id="alias/platform-datasets")

aws.s3.BucketPublicAccessBlock("datasets", bucket=datasets.id, block_public_acls=True, block_public_policy=True,
                               ignore_public_acls=True, restrict_public_buckets=True)
aws.s3.BucketPolicy("datasets", bucket=datasets.id, policy=aws.iam.get_policy_document_output(statements=[
    aws.iam.GetPolicyDocumentStatementArgs(
        sid="TlsOnly", effect="Deny", actions=["s3:*"],
        principals=[aws.iam.GetPolicyDocumentStatementPrincipalArgs(type="*", identifiers=["*"])],
        resources=[datasets.arn, pulumi.Output.concat(datasets.arn, "/*")],
        conditions=[aws.iam.GetPolicyDocumentStatementConditionArgs(test="Bool", variable="aws:SecureTransport",
                                                                    values=["false"])]),
    aws.iam.GetPolicyDocumentStatementArgs(
        sid="TrainerRead", actions=["s3:GetObject", "s3:ListBucket"],
        principals=[aws.iam.GetPolicyDocumentStatementPrincipalArgs(type="AWS", identifiers=[trainer.arn])],
        resources=[datasets.arn, pulumi.Output.concat(datasets.arn, "/*")])]).json)
aws.vpc.SecurityGroupIngressRule("workers-nccl", security_group_id=workers.id, referenced_security_group_id=workers.id,
                                 ip_protocol="tcp", from_port=1024, to_port=65535, description="nccl", tags=TAGS)
aws.vpc.SecurityGroupIngressRule("workers-ssh", security_group_id=workers.id, cidr_ipv4=vpc.cidr_block or "10.0.0.0/16",
                                 ip_protocol="tcp", from_port=22, to_port=22, description="ssh in the vpc", tags=TAGS)
aws.iam.RolePolicy("trainer-datasets", role=trainer.name, policy=pulumi.Output.all(datasets.arn, key.arn).apply(
    lambda arns: json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": ["s3:GetObject", "s3:ListBucket"], "Resource": [arns[0], f"{arns[0]}/*"]},
        {"Effect": "Allow", "Action": "kms:Decrypt", "Resource": arns[1]}]})))
aws.iam.RolePolicyAttachment("trainer-readonly", role=trainer.name,
                             policy_arn="arn:aws:iam::aws:policy/AmazonSageMakerReadOnly")
aws.sns.TopicPolicy("alerts", arn=alerts.arn, policy=alerts.arn.apply(lambda arn: json.dumps({
    "Version": "2012-10-17", "Statement": [{
        "Sid": "Budgets", "Effect": "Allow", "Principal": {"Service": "budgets.amazonaws.com"},
        "Action": "SNS:Publish", "Resource": arn,
        "Condition": {"StringEquals": {"aws:SourceAccount": identity.account_id}}}]})))
pulumi.export("datasets", datasets.bucket)
