"""The program of ../yaml/Pulumi.yaml, written in Python: tests/test_yaml_program.py asserts identical plans."""

import json

import pulumi
import pulumi_aws as aws
import pulumi_aws_native as aws_native
import pulumi_kubernetes as k8s

config = pulumi.Config()
retention_days = config.get_int("retentionDays") or 30
team = config.require("team")
allowed_cidrs = config.require_object("allowedCidrs")
db_password = config.require_secret("dbPassword")

caller = aws.get_caller_identity_output().account_id
existing_vpc = aws.ec2.get_vpc_output(default=True)
zone_suffix = "us-east-1".split("-")[1]

west = aws.Provider("west", region="us-west-2")
key = aws.kms.Key("key", description=f"data key for {team}", enable_key_rotation=True,
                  deletion_window_in_days=retention_days,
                  opts=pulumi.ResourceOptions(protect=True, retain_on_delete=True))
data = aws.s3.Bucket("data", bucket_prefix=f"{team}-data-",
                     tags={"team": team, "account": caller, "zone": zone_suffix})
read_objects = aws.iam.get_policy_document_output(statements=[{
    "sid": "Read", "actions": ["s3:GetObject"], "resources": [data.arn.apply(lambda arn: f"{arn}/*")]}])
replica = aws.s3.BucketV2("replica-bucket", opts=pulumi.ResourceOptions(
    provider=west, depends_on=[data], ignore_changes=["tags"]))
aws.s3.BucketServerSideEncryptionConfiguration("encryption", bucket=data.id, rules=[{
    "apply_server_side_encryption_by_default": {"sse_algorithm": "aws:kms", "kms_master_key_id": key.arn},
    "bucket_key_enabled": True}])
web = aws.ec2.SecurityGroup("web", vpc_id=existing_vpc.id, description="web", ingress=[{
    "protocol": "tcp", "from_port": 443, "to_port": 443, "cidr_blocks": allowed_cidrs}],
    opts=pulumi.ResourceOptions(delete_before_replace=True, custom_timeouts=pulumi.CustomTimeouts(create="5m")))
role = aws.iam.Role("role", assume_role_policy=caller.apply(lambda account: json.dumps({
    "Statement": [{"Action": "sts:AssumeRole", "Condition": {"StringEquals": {"aws:SourceAccount": account}},
                   "Effect": "Allow", "Principal": {"Service": "sagemaker.amazonaws.com"}}],
    "Version": "2012-10-17"}, separators=(",", ":"))))
aws.iam.RolePolicy("read", role=role.id, policy=read_objects.json)
database = aws.rds.Instance(
    "database", engine="postgres", instance_class="db.t4g.micro", allocated_storage=20, username="ml",
    password=db_password, storage_encrypted=True, kms_key_id=key.arn, vpc_security_group_ids=[web.id],
    tags={"name": "-".join([team, "db", pulumi.get_stack()])},
    opts=pulumi.ResourceOptions(additional_secret_outputs=["address"]))
k8s.core.v1.Namespace("namespace", metadata={
    "name": team, "labels": {"pod-security.kubernetes.io/enforce": "restricted"}})
aws_native.s3.Bucket("nativeBucket", versioning_configuration={"status": "Enabled"})
aws.ec2.Vpc.get("imported", "vpc-0123456789abcdef0")

pulumi.export("bucket", data.bucket)
pulumi.export("key", key.arn)
pulumi.export("endpoint", database.address.apply(lambda address: f"https://{address}:5432"))
