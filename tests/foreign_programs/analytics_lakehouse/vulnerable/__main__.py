"""Model-evaluation analytics: a Glue crawler catalogs prediction logs in S3, Lake Formation grants the analysts
the tables, EMR Serverless Spark jobs compute metrics, Redshift Serverless serves the dashboards, and a Step
Functions workflow runs the nightly chain."""
import json

import pulumi
import pulumi_aws as aws

config = pulumi.Config()
analyst_role = config.require("analystRole")
admin_password = config.require("adminPassword")  # seed: a plain config value as the admin password
ACCOUNT = "678901234567"
REGION = "us-east-1"
VPC = "vpc-0de1ad2be3ef4a5b6"
SUBNETS = ["subnet-01a2b3c4d5e6f7a8b", "subnet-02b3c4d5e6f7a8b9c"]
TAGS = {"owner": "ml-eval", "cost-center": "eval-9", "environment": "prod"}


def role(name, service, policy):
    r = aws.iam.Role(name, tags=TAGS, assume_role_policy=json.dumps({"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Principal": {"Service": service}, "Action": "sts:AssumeRole"}]}))
    aws.iam.RolePolicy(name, role=r.id, policy=json.dumps({"Version": "2012-10-17", "Statement": policy}))
    return r


lake = aws.s3.Bucket("prediction-logs", tags=TAGS)
aws.s3.BucketServerSideEncryptionConfiguration("prediction-logs", bucket=lake.id, rules=[{
    "apply_server_side_encryption_by_default": {"sse_algorithm": "AES256"}}])
# seed: block public access half-off
aws.s3.BucketPublicAccessBlock("prediction-logs", bucket=lake.id, block_public_acls=True, block_public_policy=False,
                               ignore_public_acls=True, restrict_public_buckets=False)

catalog = aws.glue.CatalogDatabase("evaluation", name="evaluation", tags=TAGS)
crawler_role = role("crawler", "glue.amazonaws.com", [{"Effect": "Allow", "Action": ["s3:*", "glue:*"], "Resource": "*"}])
aws.glue.Crawler("prediction-logs", database_name=catalog.name, role=crawler_role.arn,
                 s3_targets=[{"path": lake.bucket.apply(lambda b: f"s3://{b}/predictions/")}],
                 schedule="cron(0 1 * * ? *)", tags=TAGS)  # seed: no security configuration

# seed: every permission, grantable, on the whole database
aws.lakeformation.Permissions("analysts", principal=analyst_role, permissions=["ALL"],
                              permissions_with_grant_options=["ALL"], database={"name": catalog.name})

emr_role = role("emr-jobs", "emr-serverless.amazonaws.com",
                [{"Effect": "Allow", "Action": ["s3:GetObject", "s3:PutObject"], "Resource": "*"}])
aws.emrserverless.Application("metrics", name="evaluation-metrics", release_label="emr-7.2.0", type="spark",
    maximum_capacity={"cpu": "64 vCPU", "memory": "256 GB"},
    monitoring_configuration={"s3_monitoring_configuration": {
        "log_uri": lake.bucket.apply(lambda b: f"s3://{b}/emr-logs/")}},  # seed: job logs without a key
    tags=TAGS)  # seed: no network_configuration (public internet egress, no VPC)

namespace = aws.redshiftserverless.Namespace("evaluation", namespace_name="evaluation", db_name="metrics",
    admin_username="admin", admin_user_password=admin_password,
    iam_roles=[f"arn:aws:iam::{ACCOUNT}:role/redshift-s3-read"], tags=TAGS)  # seed: no kms_key_id, no log_exports
wg_sg = aws.ec2.SecurityGroup("warehouse", vpc_id=VPC, description="redshift serverless", tags=TAGS,
    ingress=[{"protocol": "tcp", "from_port": 5439, "to_port": 5439, "cidr_blocks": ["0.0.0.0/0"]}])  # seed
aws.redshiftserverless.Workgroup("evaluation", namespace_name=namespace.namespace_name, workgroup_name="evaluation",
    base_capacity=32, subnet_ids=SUBNETS, security_group_ids=[wg_sg.id],
    publicly_accessible=True, enhanced_vpc_routing=False,  # seeds
    config_parameters=[{"parameter_key": "require_ssl", "parameter_value": "false"}],  # seed: TLS not required
    tags=TAGS)

flow_role = role("nightly", "states.amazonaws.com",
                 [{"Effect": "Allow", "Action": ["emr-serverless:*", "glue:StartCrawler", "iam:PassRole"],
                   "Resource": "*"}])  # seed: PassRole on every role
aws.sfn.StateMachine("nightly", role_arn=flow_role.arn, definition=json.dumps({
    "StartAt": "Crawl", "States": {
        "Crawl": {"Type": "Task", "Resource": "arn:aws:states:::aws-sdk:glue:startCrawler",
                  "Parameters": {"Name": "prediction-logs"}, "End": True}}}),
    tags=TAGS)  # seed: no logging, no tracing, AWS-owned encryption

pulumi.export("lake", lake.bucket)
