"""Nightly feature ETL: Glue Spark jobs read the warehouse over a JDBC connection and write features to S3, Athena
serves ad-hoc queries, and an express Step Functions workflow chains the jobs."""
import json

import pulumi
import pulumi_aws as aws

ACCOUNT = "789012345678"
REGION = "us-east-1"
TAGS = {"owner": "feature-eng", "cost-center": "fe-4", "environment": "prod"}
JOBS = {"sessions": "s3://feature-etl-scripts/sessions.py", "orders": "s3://feature-etl-scripts/orders.py"}

# seed: the warehouse password in the connection, and TLS to the warehouse not enforced
warehouse = aws.glue.Connection("warehouse", name="warehouse", connection_type="JDBC",
    connection_properties={"JDBC_CONNECTION_URL": "jdbc:postgresql://warehouse.internal:5432/dw", "USERNAME": "etl",
                           "PASSWORD": "Etl-Passw0rd-2024", "JDBC_ENFORCE_SSL": "false"},
    physical_connection_requirements={"availability_zone": "us-east-1a", "subnet_id": "subnet-0123456789abcdef0",
                                      "security_group_id_lists": ["sg-0123456789abcdef0"]}, tags=TAGS)
etl_role = aws.iam.Role("glue-etl", tags=TAGS, assume_role_policy=json.dumps({"Version": "2012-10-17", "Statement": [{
    "Effect": "Allow", "Principal": {"Service": "glue.amazonaws.com"}, "Action": "sts:AssumeRole"}]}))
aws.iam.RolePolicyAttachment("glue-etl-service", role=etl_role.name,
                             policy_arn="arn:aws:iam::aws:policy/service-role/AWSGlueServiceRole")
aws.iam.RolePolicy("glue-etl", role=etl_role.id, policy=json.dumps({"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]}))  # seed: s3:* on everything

for name, script in JOBS.items():
    aws.glue.Job(name, role_arn=etl_role.arn, glue_version="4.0", connections=[warehouse.name],
        worker_type="G.1X", number_of_workers=10,
        command={"script_location": script, "python_version": "3"},
        default_arguments={"--TempDir": "s3://feature-etl-tmp/", "--enable-continuous-cloudwatch-log": "true",
                           "--WAREHOUSE_PASSWORD": "Etl-Passw0rd-2024"},  # seed: the password as a job argument
        tags=TAGS)  # seed: no security configuration

# seed: results unencrypted, and clients may override the workgroup's settings
aws.athena.Workgroup("adhoc", name="feature-adhoc", configuration={"enforce_workgroup_configuration": False,
    "result_configuration": {"output_location": "s3://feature-etl-athena/"}}, tags=TAGS)

# seed: any principal may use the whole Data Catalog
aws.glue.ResourcePolicy("catalog", policy=json.dumps({"Version": "2012-10-17", "Statement": [{
    "Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "glue:*",
    "Resource": f"arn:aws:glue:{REGION}:{ACCOUNT}:*"}]}))
# seed: the catalog is not encrypted and connection passwords are returned in clear
aws.glue.DataCatalogEncryptionSettings("catalog", data_catalog_encryption_settings={
    "encryption_at_rest": {"catalog_encryption_mode": "DISABLED"},
    "connection_password_encryption": {"return_connection_password_encrypted": False}})

flow_role = aws.iam.Role("workflow", tags=TAGS, assume_role_policy=json.dumps({"Version": "2012-10-17", "Statement": [{
    "Effect": "Allow", "Principal": {"Service": "states.amazonaws.com"}, "Action": "sts:AssumeRole"}]}))
aws.iam.RolePolicy("workflow", role=flow_role.id, policy=json.dumps({"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Action": ["glue:StartJobRun", "glue:GetJobRun"], "Resource": "*"}]}))
aws.sfn.StateMachine("nightly", role_arn=flow_role.arn, type="EXPRESS",
    definition=json.dumps({"StartAt": "Sessions", "States": {
        "Sessions": {"Type": "Task", "Resource": "arn:aws:states:::glue:startJobRun.sync",
                     "Parameters": {"JobName": "sessions"}, "Next": "Orders"},
        "Orders": {"Type": "Task", "Resource": "arn:aws:states:::glue:startJobRun.sync",
                   "Parameters": {"JobName": "orders"}, "End": True}}}),
    logging_configuration={"level": "OFF"}, tags=TAGS)  # seed: no execution logs
