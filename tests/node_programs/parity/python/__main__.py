"""The program of ../typescript/index.ts, written in Python: tests/test_node_program.py compares their plans."""

import json

import pulumi
import pulumi_aws as aws

config = pulumi.Config()
team = config.require("team")
db_password = config.require_secret("dbPassword")
caller = aws.get_caller_identity_output()

key = aws.kms.Key("key", description=f"data key for {team}", enable_key_rotation=True,
                  opts=pulumi.ResourceOptions(protect=True))
data = aws.s3.Bucket("data", bucket_prefix=f"{team}-data-", tags={"team": team, "account": caller.account_id})
aws.s3.BucketPublicAccessBlock("data", bucket=data.id, block_public_acls=True, block_public_policy=True,
                               ignore_public_acls=True, restrict_public_buckets=True)
aws.s3.BucketServerSideEncryptionConfiguration("encryption", bucket=data.id, rules=[{
    "apply_server_side_encryption_by_default": {"sse_algorithm": "aws:kms", "kms_master_key_id": key.arn}}])
read_objects = aws.iam.get_policy_document_output(statements=[{
    "actions": ["s3:GetObject"], "resources": [pulumi.Output.concat(data.arn, "/*")]}])
role = aws.iam.Role("role", assume_role_policy=json.dumps({
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Principal": {"Service": "sagemaker.amazonaws.com"}, "Action": "sts:AssumeRole"}],
}, separators=(",", ":")))
aws.iam.RolePolicy("read", role=role.id, policy=read_objects.json)
web = aws.ec2.SecurityGroup("web", description="web", ingress=[{
    "protocol": "tcp", "from_port": 443, "to_port": 443, "cidr_blocks": ["10.0.0.0/16"]}])
database = aws.rds.Instance(
    "database", engine="postgres", instance_class="db.t4g.micro", allocated_storage=20, username="ml",
    password=db_password, storage_encrypted=True, kms_key_id=key.arn, vpc_security_group_ids=[web.id],
    opts=pulumi.ResourceOptions(depends_on=[role]))

pulumi.export("bucket", data.bucket)
pulumi.export("endpoint", pulumi.Output.concat("https://", database.address, ":5432"))
