"""Nightly feature ETL: Glue Spark jobs read the warehouse over a JDBC connection and write features to S3, Athena
serves ad-hoc queries, and an express Step Functions workflow chains the jobs."""
import json

import pulumi
import pulumi_aws as aws

ACCOUNT = "789012345678"
REGION = "us-east-1"
TAGS = {"owner": "feature-eng", "cost-center": "fe-4", "environment": "prod", "data-classification": "internal"}
JOBS = {"sessions": "s3://feature-etl-scripts/sessions.py", "orders": "s3://feature-etl-scripts/orders.py"}
ATHENA_RESULTS = "feature-etl-athena"
TEMP = "feature-etl-tmp"


def policy(*statements):
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


key = aws.kms.Key("etl", description="feature ETL", enable_key_rotation=True, tags=TAGS,
                  opts=pulumi.ResourceOptions(protect=True))

warehouse_secret = aws.secretsmanager.Secret("warehouse", description="warehouse ETL user", kms_key_id=key.arn,
                                             tags=TAGS, opts=pulumi.ResourceOptions(protect=True))
aws.secretsmanager.SecretRotation("warehouse", secret_id=warehouse_secret.id,
    rotation_lambda_arn=f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:SecretsManagerRDSPostgreSQLRotationSingleUser",
    rotation_rules={"automatically_after_days": 30})
warehouse = aws.glue.Connection("warehouse", name="warehouse", connection_type="JDBC",
    connection_properties={"JDBC_CONNECTION_URL": "jdbc:postgresql://warehouse.internal:5432/dw",
                           "SECRET_ID": warehouse_secret.name, "JDBC_ENFORCE_SSL": "true"},
    physical_connection_requirements={"availability_zone": "us-east-1a", "subnet_id": "subnet-0123456789abcdef0",
                                      "security_group_id_lists": ["sg-0123456789abcdef0"]}, tags=TAGS)

security = aws.glue.SecurityConfiguration("etl", name="feature-etl", encryption_configuration={
    "s3_encryption": {"s3_encryption_mode": "SSE-KMS", "kms_key_arn": key.arn},
    "cloudwatch_encryption": {"cloudwatch_encryption_mode": "SSE-KMS", "kms_key_arn": key.arn},
    "job_bookmarks_encryption": {"job_bookmarks_encryption_mode": "CSE-KMS", "kms_key_arn": key.arn}})
aws.glue.DataCatalogEncryptionSettings("catalog", data_catalog_encryption_settings={
    "encryption_at_rest": {"catalog_encryption_mode": "SSE-KMS", "sse_aws_kms_key_id": key.arn},
    "connection_password_encryption": {"return_connection_password_encrypted": True, "aws_kms_key_id": key.arn}})

etl_role = aws.iam.Role("glue-etl", tags=TAGS, assume_role_policy=policy({
    "Effect": "Allow", "Principal": {"Service": "glue.amazonaws.com"}, "Action": "sts:AssumeRole",
    "Condition": {"StringEquals": {"aws:SourceAccount": ACCOUNT}}}))
aws.iam.RolePolicyAttachment("glue-etl-service", role=etl_role.name,
                             policy_arn="arn:aws:iam::aws:policy/service-role/AWSGlueServiceRole")
aws.iam.RolePolicy("glue-etl", role=etl_role.id,
    policy=pulumi.Output.all(warehouse_secret.arn, key.arn).apply(lambda a: policy(
        {"Effect": "Allow", "Action": ["s3:GetObject"], "Resource": "arn:aws:s3:::feature-etl-scripts/*"},
        {"Effect": "Allow", "Action": ["s3:GetObject", "s3:PutObject", "s3:DeleteObject"],
         "Resource": [f"arn:aws:s3:::{TEMP}/*", "arn:aws:s3:::feature-store-offline/etl/*"]},
        {"Effect": "Allow", "Action": ["secretsmanager:GetSecretValue"], "Resource": a[0]},
        {"Effect": "Allow", "Action": ["kms:Decrypt", "kms:GenerateDataKey"], "Resource": a[1]})))

for name, script in JOBS.items():
    aws.glue.Job(name, role_arn=etl_role.arn, glue_version="4.0", connections=[warehouse.name],
        worker_type="G.1X", number_of_workers=10, security_configuration=security.name,
        command={"script_location": script, "python_version": "3"},
        default_arguments={"--TempDir": f"s3://{TEMP}/", "--enable-continuous-cloudwatch-log": "true",
                           "--warehouse-secret-id": warehouse_secret.name},
        tags=TAGS)

aws.athena.Workgroup("adhoc", name="feature-adhoc", configuration={"enforce_workgroup_configuration": True,
    "publish_cloudwatch_metrics_enabled": True,
    "result_configuration": {"output_location": f"s3://{ATHENA_RESULTS}/",
                             "encryption_configuration": {"encryption_option": "SSE_KMS", "kms_key_arn": key.arn}}},
    tags=TAGS)

aws.glue.ResourcePolicy("catalog", policy=policy({
    "Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:role/feature-analyst"},
    "Action": ["glue:GetDatabase", "glue:GetTable", "glue:GetTables", "glue:GetPartitions"],
    "Resource": [f"arn:aws:glue:{REGION}:{ACCOUNT}:catalog", f"arn:aws:glue:{REGION}:{ACCOUNT}:database/features",
                 f"arn:aws:glue:{REGION}:{ACCOUNT}:table/features/*"]}))

flow_logs = aws.cloudwatch.LogGroup("workflow", name="/aws/vendedlogs/states/feature-etl", retention_in_days=365,
                                    kms_key_id=key.arn, tags=TAGS)
flow_role = aws.iam.Role("workflow", tags=TAGS, assume_role_policy=policy({
    "Effect": "Allow", "Principal": {"Service": "states.amazonaws.com"}, "Action": "sts:AssumeRole",
    "Condition": {"StringEquals": {"aws:SourceAccount": ACCOUNT}}}))
aws.iam.RolePolicy("workflow", role=flow_role.id, policy=policy(
    {"Effect": "Allow", "Action": ["glue:StartJobRun", "glue:GetJobRun", "glue:BatchStopJobRun"],
     "Resource": [f"arn:aws:glue:{REGION}:{ACCOUNT}:job/{name}" for name in JOBS]},
    {"Effect": "Allow", "Action": ["logs:CreateLogDelivery", "logs:GetLogDelivery", "logs:UpdateLogDelivery",
                                   "logs:DeleteLogDelivery", "logs:ListLogDeliveries", "logs:PutResourcePolicy",
                                   "logs:DescribeResourcePolicies", "logs:DescribeLogGroups"], "Resource": "*"},
    {"Effect": "Allow", "Action": ["xray:PutTraceSegments", "xray:PutTelemetryRecords"], "Resource": "*"}))
aws.sfn.StateMachine("nightly", role_arn=flow_role.arn, type="EXPRESS",
    definition=json.dumps({"StartAt": "Sessions", "States": {
        "Sessions": {"Type": "Task", "Resource": "arn:aws:states:::glue:startJobRun.sync",
                     "Parameters": {"JobName": "sessions"}, "Next": "Orders"},
        "Orders": {"Type": "Task", "Resource": "arn:aws:states:::glue:startJobRun.sync",
                   "Parameters": {"JobName": "orders"}, "End": True}}}),
    logging_configuration={"level": "ALL", "include_execution_data": False,
                           "log_destination": flow_logs.arn.apply(lambda a: f"{a}:*")},
    tracing_configuration={"enabled": True}, tags=TAGS)
