"""Feature pipeline: S3 data lake zones, Glue catalog + ETL job, Athena workgroup, Lake Formation."""
import json

import pulumi
import pulumi_aws as aws

conf = pulumi.Config()
admins = conf.require_object("lakeAdmins")
tags = {"owner": "features", "cost-center": "dp-3", "environment": "prod", "data-classification": "restricted"}
current = aws.get_caller_identity()
key = aws.kms.Key("lake-key", enable_key_rotation=True, deletion_window_in_days=30, tags=tags)
aws.kms.Alias("lake-key-alias", name="alias/feature-lake", target_key_id=key.key_id)


def zone(name):
    b = aws.s3.Bucket(f"lake-{name}", bucket_prefix=f"features-{name}-", tags=tags)
    aws.s3.BucketPublicAccessBlock(f"lake-{name}-pab", bucket=b.id, block_public_acls=True, block_public_policy=True,
                                   ignore_public_acls=True, restrict_public_buckets=True)
    aws.s3.BucketServerSideEncryptionConfiguration(f"lake-{name}-sse", bucket=b.id, rules=[{
        "apply_server_side_encryption_by_default": {"sse_algorithm": "aws:kms", "kms_master_key_id": key.arn},
        "bucket_key_enabled": True}])
    aws.s3.BucketVersioning(f"lake-{name}-ver", bucket=b.id, versioning_configuration={"status": "Enabled"})
    aws.s3.BucketLogging(f"lake-{name}-log", bucket=b.id, target_bucket="org-central-s3-access-logs",
                         target_prefix=f"lake-{name}/")
    aws.s3.BucketPolicy(f"lake-{name}-policy", bucket=b.id, policy=aws.iam.get_policy_document_output(statements=[{
        "sid": "TLSOnly", "effect": "Deny", "actions": ["s3:*"],
        "principals": [{"type": "*", "identifiers": ["*"]}],
        "resources": [b.arn, b.arn.apply(lambda a: f"{a}/*")],
        "conditions": [{"test": "Bool", "variable": "aws:SecureTransport", "values": ["false"]}]}]).json)
    return b


raw, curated, results = zone("raw"), zone("curated"), zone("athena-results")

db = aws.glue.CatalogDatabase("features", name="features", tags=tags)
sec = aws.glue.SecurityConfiguration("etl-sec", name="features-etl", encryption_configuration={
    "cloudwatch_encryption": {"cloudwatch_encryption_mode": "SSE-KMS", "kms_key_arn": key.arn},
    "job_bookmarks_encryption": {"job_bookmarks_encryption_mode": "CSE-KMS", "kms_key_arn": key.arn},
    "s3_encryption": {"s3_encryption_mode": "SSE-KMS", "kms_key_arn": key.arn}})
aws.glue.DataCatalogEncryptionSettings("catalog-enc", data_catalog_encryption_settings={
    "connection_password_encryption": {"return_connection_password_encrypted": True, "aws_kms_key_id": key.arn},
    "encryption_at_rest": {"catalog_encryption_mode": "DISABLED"}})

glue_role = aws.iam.Role("etl-role", assume_role_policy=json.dumps({"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Principal": {"Service": "glue.amazonaws.com"}, "Action": "sts:AssumeRole"}]}), tags=tags)
aws.iam.RolePolicyAttachment("etl-service", role=glue_role.name,
                             policy_arn="arn:aws:iam::aws:policy/service-role/AWSGlueServiceRole")
aws.iam.RolePolicy("etl-data", role=glue_role.id, policy=pulumi.Output.all(raw.arn, curated.arn, key.arn).apply(
    lambda arns: json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": ["s3:GetObject"], "Resource": f"{arns[0]}/*"},
        {"Effect": "Allow", "Action": ["s3:PutObject", "s3:GetObject"], "Resource": f"{arns[1]}/*"},
        {"Effect": "Allow", "Action": ["kms:Decrypt", "kms:GenerateDataKey"], "Resource": arns[2]}]})))
etl_logs = aws.cloudwatch.LogGroup("etl-logs", name="/aws-glue/jobs/features", retention_in_days=365,
                                   kms_key_id=key.arn, tags=tags)
aws.glue.Job("build-features", role_arn=glue_role.arn, glue_version="4.0", worker_type="G.1X", number_of_workers=4,
             timeout=120,
             command={"name": "glueetl", "python_version": "3",
                      "script_location": raw.bucket.apply(lambda b: f"s3://{b}/scripts/build.py")},
             default_arguments={"--enable-continuous-cloudwatch-log": "true", "--continuous-log-logGroup": etl_logs.name,
                                "--job-language": "python"},
             tags=tags)

aws.athena.Workgroup("analysts", name="feature-analysts", force_destroy=False, configuration={
    "enforce_workgroup_configuration": False, "publish_cloudwatch_metrics_enabled": True,
    "bytes_scanned_cutoff_per_query": 10 * 1024 ** 3,
    "result_configuration": {"output_location": results.bucket.apply(lambda b: f"s3://{b}/results/")}},
    tags=tags)

aws.lakeformation.DataLakeSettings("lake-settings", admins=admins,
    create_database_default_permissions=[{"principal": "IAM_ALLOWED_PRINCIPALS", "permissions": ["ALL"]}],
    create_table_default_permissions=[{"principal": "IAM_ALLOWED_PRINCIPALS", "permissions": ["ALL"]}])
aws.lakeformation.Resource("curated-location", arn=curated.arn, use_service_linked_role=True)
aws.lakeformation.Permissions("etl-on-features", principal=glue_role.arn, permissions=["CREATE_TABLE", "DESCRIBE"],
                              database={"name": db.name})
aws.lakeformation.Permissions("analysts-select", principal=f"arn:aws:iam::{current.account_id}:role/analyst",
                              permissions=["ALL"], permissions_with_grant_options=["ALL"],
                              table={"database_name": db.name, "wildcard": True})
