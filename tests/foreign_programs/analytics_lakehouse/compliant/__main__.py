"""Model-evaluation analytics: a Glue crawler catalogs prediction logs in S3, Lake Formation grants the analysts
the tables, EMR Serverless Spark jobs compute metrics, Redshift Serverless serves the dashboards, and a Step
Functions workflow runs the nightly chain."""
import json

import pulumi
import pulumi_aws as aws

config = pulumi.Config()
analyst_role = config.require("analystRole")
ACCOUNT = "678901234567"
REGION = "us-east-1"
VPC = "vpc-0de1ad2be3ef4a5b6"
VPC_CIDR = "10.70.0.0/16"
SUBNETS = ["subnet-01a2b3c4d5e6f7a8b", "subnet-02b3c4d5e6f7a8b9c"]
TAGS = {"owner": "ml-eval", "cost-center": "eval-9", "environment": "prod", "data-classification": "internal"}
PROTECT = pulumi.ResourceOptions(protect=True)


def role(name, service, statements):
    r = aws.iam.Role(name, tags=TAGS, assume_role_policy=json.dumps({"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Principal": {"Service": service}, "Action": "sts:AssumeRole",
        "Condition": {"StringEquals": {"aws:SourceAccount": ACCOUNT}}}]}))
    aws.iam.RolePolicy(name, role=r.id, policy=pulumi.Output.from_input(statements).apply(
        lambda s: json.dumps({"Version": "2012-10-17", "Statement": s})))
    return r


key = aws.kms.Key("analytics", description="evaluation analytics", enable_key_rotation=True, tags=TAGS,
                  opts=PROTECT)

lake = aws.s3.Bucket("prediction-logs", tags=TAGS, opts=PROTECT)
aws.s3.BucketServerSideEncryptionConfiguration("prediction-logs", bucket=lake.id, rules=[{
    "apply_server_side_encryption_by_default": {"sse_algorithm": "aws:kms", "kms_master_key_id": key.arn},
    "bucket_key_enabled": True}])
aws.s3.BucketPublicAccessBlock("prediction-logs", bucket=lake.id, block_public_acls=True, block_public_policy=True,
                               ignore_public_acls=True, restrict_public_buckets=True)
aws.s3.BucketVersioning("prediction-logs", bucket=lake.id, versioning_configuration={"status": "Enabled"})
aws.s3.BucketLogging("prediction-logs", bucket=lake.id, target_bucket="org-central-s3-access-logs",
                     target_prefix="prediction-logs/")
aws.s3.BucketPolicy("prediction-logs", bucket=lake.id, policy=lake.arn.apply(lambda arn: json.dumps({
    "Version": "2012-10-17", "Statement": [{
        "Sid": "DenyInsecureTransport", "Effect": "Deny", "Principal": "*", "Action": "s3:*",
        "Resource": [arn, f"{arn}/*"], "Condition": {"Bool": {"aws:SecureTransport": "false"}}}]})))

glue_security = aws.glue.SecurityConfiguration("analytics", name="evaluation-analytics", encryption_configuration={
    "s3_encryption": {"s3_encryption_mode": "SSE-KMS", "kms_key_arn": key.arn},
    "cloudwatch_encryption": {"cloudwatch_encryption_mode": "SSE-KMS", "kms_key_arn": key.arn},
    "job_bookmarks_encryption": {"job_bookmarks_encryption_mode": "CSE-KMS", "kms_key_arn": key.arn}})
aws.glue.DataCatalogEncryptionSettings("catalog", data_catalog_encryption_settings={
    "encryption_at_rest": {"catalog_encryption_mode": "SSE-KMS", "sse_aws_kms_key_id": key.arn},
    "connection_password_encryption": {"return_connection_password_encrypted": True,
                                       "aws_kms_key_id": key.arn}})
catalog = aws.glue.CatalogDatabase("evaluation", name="evaluation", tags=TAGS, opts=PROTECT)
crawler_role = role("crawler", "glue.amazonaws.com", [
    {"Effect": "Allow", "Action": ["s3:GetObject", "s3:ListBucket"],
     "Resource": [lake.arn, lake.arn.apply(lambda a: f"{a}/predictions/*")]},
    {"Effect": "Allow", "Action": ["glue:GetDatabase", "glue:GetTable", "glue:CreateTable", "glue:UpdateTable",
                                   "glue:BatchCreatePartition"],
     "Resource": [f"arn:aws:glue:{REGION}:{ACCOUNT}:catalog", f"arn:aws:glue:{REGION}:{ACCOUNT}:database/evaluation",
                  f"arn:aws:glue:{REGION}:{ACCOUNT}:table/evaluation/*"]},
    {"Effect": "Allow", "Action": ["kms:Decrypt", "kms:GenerateDataKey"], "Resource": key.arn}])
aws.glue.Crawler("prediction-logs", database_name=catalog.name, role=crawler_role.arn,
                 security_configuration=glue_security.name,
                 s3_targets=[{"path": lake.bucket.apply(lambda b: f"s3://{b}/predictions/")}],
                 schedule="cron(0 1 * * ? *)", tags=TAGS)

aws.lakeformation.Permissions("analysts", principal=analyst_role, permissions=["SELECT", "DESCRIBE"],
                              table={"database_name": catalog.name, "wildcard": True})

emr_sg = aws.ec2.SecurityGroup("emr-jobs", vpc_id=VPC, description="EMR Serverless jobs", tags=TAGS,
    egress=[{"protocol": "tcp", "from_port": 443, "to_port": 443, "cidr_blocks": [VPC_CIDR]}])
emr_role = role("emr-jobs", "emr-serverless.amazonaws.com", [
    {"Effect": "Allow", "Action": ["s3:GetObject", "s3:PutObject"], "Resource": lake.arn.apply(lambda a: f"{a}/*")},
    {"Effect": "Allow", "Action": ["kms:Decrypt", "kms:GenerateDataKey"], "Resource": key.arn}])
aws.emrserverless.Application("metrics", name="evaluation-metrics", release_label="emr-7.2.0", type="spark",
    maximum_capacity={"cpu": "64 vCPU", "memory": "256 GB"},
    network_configuration={"subnet_ids": SUBNETS, "security_group_ids": [emr_sg.id]},
    monitoring_configuration={"s3_monitoring_configuration": {
        "log_uri": lake.bucket.apply(lambda b: f"s3://{b}/emr-logs/"), "encryption_key_arn": key.arn}},
    tags=TAGS)

namespace = aws.redshiftserverless.Namespace("evaluation", namespace_name="evaluation", db_name="metrics",
    admin_username="admin", manage_admin_password=True, admin_password_secret_kms_key_id=key.arn,
    kms_key_id=key.arn, log_exports=["userlog", "connectionlog", "useractivitylog"],
    iam_roles=[f"arn:aws:iam::{ACCOUNT}:role/redshift-s3-read"], tags=TAGS, opts=PROTECT)
wg_sg = aws.ec2.SecurityGroup("warehouse", vpc_id=VPC, description="redshift serverless", tags=TAGS,
    ingress=[{"protocol": "tcp", "from_port": 5439, "to_port": 5439, "cidr_blocks": [VPC_CIDR],
              "description": "dashboards from the VPC"}])
aws.redshiftserverless.Workgroup("evaluation", namespace_name=namespace.namespace_name, workgroup_name="evaluation",
    base_capacity=32, subnet_ids=SUBNETS, security_group_ids=[wg_sg.id],
    publicly_accessible=False, enhanced_vpc_routing=True,
    config_parameters=[{"parameter_key": "require_ssl", "parameter_value": "true"},
                       {"parameter_key": "enable_user_activity_logging", "parameter_value": "true"}],
    tags=TAGS)

flow_logs = aws.cloudwatch.LogGroup("nightly", name="/aws/vendedlogs/states/nightly", retention_in_days=365,
                                    kms_key_id=key.arn, tags=TAGS)
flow_role = role("nightly", "states.amazonaws.com", [
    {"Effect": "Allow", "Action": ["glue:StartCrawler"],
     "Resource": f"arn:aws:glue:{REGION}:{ACCOUNT}:crawler/prediction-logs"},
    {"Effect": "Allow", "Action": ["logs:CreateLogDelivery", "logs:GetLogDelivery", "logs:UpdateLogDelivery",
                                   "logs:DeleteLogDelivery", "logs:ListLogDeliveries", "logs:PutResourcePolicy",
                                   "logs:DescribeResourcePolicies", "logs:DescribeLogGroups"], "Resource": "*"},
    {"Effect": "Allow", "Action": ["xray:PutTraceSegments", "xray:PutTelemetryRecords"], "Resource": "*"},
    {"Effect": "Allow", "Action": ["kms:Decrypt", "kms:GenerateDataKey"], "Resource": key.arn}])
aws.sfn.StateMachine("nightly", role_arn=flow_role.arn, definition=json.dumps({
    "StartAt": "Crawl", "States": {
        "Crawl": {"Type": "Task", "Resource": "arn:aws:states:::aws-sdk:glue:startCrawler",
                  "Parameters": {"Name": "prediction-logs"}, "End": True}}}),
    logging_configuration={"level": "ERROR", "include_execution_data": False,
                           "log_destination": flow_logs.arn.apply(lambda a: f"{a}:*")},
    tracing_configuration={"enabled": True},
    encryption_configuration={"type": "CUSTOMER_MANAGED_KMS_KEY", "kms_key_id": key.arn,
                              "kms_data_key_reuse_period_seconds": 300},
    tags=TAGS)

pulumi.export("lake", lake.bucket)
