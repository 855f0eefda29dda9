"""Account security baseline for the ML account: CloudTrail, AWS Config, GuardDuty, Security Hub,
IAM password policy, EBS default encryption, S3 account public access block."""
import json

import pulumi
import pulumi_aws as aws

TAGS = {"owner": "secops", "cost-center": "sec-1", "environment": "prod", "data-classification": "restricted"}
account = aws.get_caller_identity().account_id
region = "us-east-1"

trail_key = aws.kms.Key("trail-key", enable_key_rotation=True, tags=TAGS, policy=json.dumps({
    "Version": "2012-10-17", "Statement": [
        {"Sid": "Admin", "Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{account}:root"}, "Action": "kms:*",
         "Resource": "*"},
        {"Sid": "CloudTrailEncrypt", "Effect": "Allow", "Principal": {"Service": "cloudtrail.amazonaws.com"},
         "Action": ["kms:GenerateDataKey*", "kms:DescribeKey"], "Resource": "*",
         "Condition": {"StringEquals": {"aws:SourceArn": f"arn:aws:cloudtrail:{region}:{account}:trail/ml-account"}}}]}))

trail_bucket = aws.s3.Bucket("trail-logs", tags=TAGS)
aws.s3.BucketPublicAccessBlock("trail-logs-pab", bucket=trail_bucket.id, block_public_acls=True,
                               block_public_policy=True, ignore_public_acls=True, restrict_public_buckets=True)
aws.s3.BucketServerSideEncryptionConfiguration("trail-logs-sse", bucket=trail_bucket.id, rules=[{
    "apply_server_side_encryption_by_default": {"sse_algorithm": "aws:kms", "kms_master_key_id": trail_key.arn},
    "bucket_key_enabled": True}])
aws.s3.BucketVersioning("trail-logs-ver", bucket=trail_bucket.id, versioning_configuration={"status": "Enabled"})
aws.s3.BucketLogging("trail-logs-log", bucket=trail_bucket.id, target_bucket="org-central-s3-access-logs",
                     target_prefix="trail-logs/")
aws.s3.BucketObjectLockConfiguration("trail-logs-lock", bucket=trail_bucket.id, rule={
    "default_retention": {"mode": "COMPLIANCE", "days": 365}})
trail_policy = aws.s3.BucketPolicy("trail-logs-policy", bucket=trail_bucket.id,
    policy=trail_bucket.arn.apply(lambda arn: json.dumps({"Version": "2012-10-17", "Statement": [
        {"Sid": "AclCheck", "Effect": "Allow", "Principal": {"Service": "cloudtrail.amazonaws.com"},
         "Action": "s3:GetBucketAcl", "Resource": arn,
         "Condition": {"StringEquals": {"aws:SourceArn": f"arn:aws:cloudtrail:{region}:{account}:trail/ml-account"}}},
        {"Sid": "Write", "Effect": "Allow", "Principal": {"Service": "cloudtrail.amazonaws.com"},
         "Action": "s3:PutObject", "Resource": f"{arn}/AWSLogs/{account}/*",
         "Condition": {"StringEquals": {"s3:x-amz-acl": "bucket-owner-full-control",
                                        "aws:SourceArn": f"arn:aws:cloudtrail:{region}:{account}:trail/ml-account"}}},
        {"Sid": "TLS", "Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": [arn, f"{arn}/*"],
         "Condition": {"Bool": {"aws:SecureTransport": "false"}}}]})))
trail_logs = aws.cloudwatch.LogGroup("trail", retention_in_days=365, kms_key_id=trail_key.arn, tags=TAGS)
trail_role = aws.iam.Role("trail-to-logs", tags=TAGS, assume_role_policy=json.dumps({"Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Principal": {"Service": "cloudtrail.amazonaws.com"}, "Action": "sts:AssumeRole"}]}))
aws.iam.RolePolicy("trail-to-logs", role=trail_role.id, policy=trail_logs.arn.apply(lambda a: json.dumps({
    "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": ["logs:CreateLogStream", "logs:PutLogEvents"],
                                            "Resource": f"{a}:*"}]})))
aws.cloudtrail.Trail("ml-account", name="ml-account", s3_bucket_name=trail_bucket.id, kms_key_id=trail_key.arn,
    is_multi_region_trail=True, include_global_service_events=True, enable_log_file_validation=True,
    cloud_watch_logs_group_arn=trail_logs.arn.apply(lambda a: f"{a}:*"), cloud_watch_logs_role_arn=trail_role.arn,
    event_selectors=[{"read_write_type": "All", "include_management_events": True,
                      "data_resources": [{"type": "AWS::S3::Object", "values": ["arn:aws:s3"]}]}],
    tags=TAGS, opts=pulumi.ResourceOptions(depends_on=[trail_policy]))

config_role = aws.iam.Role("config-role", tags=TAGS, assume_role_policy=json.dumps({"Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Principal": {"Service": "config.amazonaws.com"}, "Action": "sts:AssumeRole"}]}))
aws.iam.RolePolicyAttachment("config-managed", role=config_role.name,
                             policy_arn="arn:aws:iam::aws:policy/service-role/AWS_ConfigRole")
recorder = aws.cfg.Recorder("recorder", role_arn=config_role.arn, recording_group={
    "all_supported": True, "include_global_resource_types": True})
channel = aws.cfg.DeliveryChannel("delivery", s3_bucket_name=trail_bucket.id, s3_key_prefix="config",
                                  opts=pulumi.ResourceOptions(depends_on=[recorder]))
aws.cfg.RecorderStatus("recorder-on", name=recorder.name, is_enabled=True,
                       opts=pulumi.ResourceOptions(depends_on=[channel]))

detector = aws.guardduty.Detector("detector", enable=True, finding_publishing_frequency="FIFTEEN_MINUTES", tags=TAGS)
for feature in ["S3_DATA_EVENTS", "EBS_MALWARE_PROTECTION", "RDS_LOGIN_EVENTS", "LAMBDA_NETWORK_LOGS"]:
    aws.guardduty.DetectorFeature(f"gd-{feature.lower()}", detector_id=detector.id, name=feature, status="ENABLED")
aws.securityhub.Account("securityhub", enable_default_standards=True)
aws.accessanalyzer.Analyzer("analyzer", analyzer_name="ml-account", type="ACCOUNT", tags=TAGS)

aws.iam.AccountPasswordPolicy("passwords", minimum_password_length=14, require_lowercase_characters=True,
    require_uppercase_characters=True, require_numbers=True, require_symbols=True, password_reuse_prevention=24,
    max_password_age=90, allow_users_to_change_password=True)
aws.ebs.EncryptionByDefault("ebs-default", enabled=True)
aws.s3.AccountPublicAccessBlock("account-pab", block_public_acls=True, block_public_policy=True,
                                ignore_public_acls=True, restrict_public_buckets=True)
