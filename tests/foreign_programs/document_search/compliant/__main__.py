"""Enterprise document search and perception: a Kendra index over contract PDFs in S3 (template connector), a
Comprehend custom entity recognizer trained on annotated contracts, and a Rekognition label-detection stream
processor watching the mail-room camera (Kinesis Video in, S3 out, SNS for status). One customer key for all."""
import json

import pulumi
import pulumi_aws as aws

ACCOUNT = "123456789012"
REGION = "us-east-1"
TAGS = {"owner": "legal-tech", "cost-center": "legal-1", "environment": "prod", "data-classification": "confidential"}
SUBNETS = ["subnet-0a1b2c3d4e5f60001", "subnet-0a1b2c3d4e5f60002"]


def service_role(name, service, statements):
    role = aws.iam.Role(name, tags=TAGS, assume_role_policy=json.dumps({"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Principal": {"Service": service}, "Action": "sts:AssumeRole",
        "Condition": {"StringEquals": {"aws:SourceAccount": ACCOUNT}}}]}))
    aws.iam.RolePolicy(f"{name}-access", role=role.id,
                       policy=pulumi.Output.json_dumps({"Version": "2012-10-17", "Statement": statements}))
    return role


key = aws.kms.Key("search-key", description="contracts search", enable_key_rotation=True, tags=TAGS)
docs = aws.s3.Bucket("contracts", tags=TAGS)
aws.s3.BucketPublicAccessBlock("contracts-pab", bucket=docs.id, block_public_acls=True, block_public_policy=True,
                               ignore_public_acls=True, restrict_public_buckets=True)
aws.s3.BucketServerSideEncryptionConfiguration("contracts-sse", bucket=docs.id, rules=[{
    "apply_server_side_encryption_by_default": {"sse_algorithm": "aws:kms", "kms_master_key_id": key.arn},
    "bucket_key_enabled": True}])
aws.s3.BucketVersioning("contracts-ver", bucket=docs.id, versioning_configuration={"status": "Enabled"})
aws.s3.BucketLogging("contracts-log", bucket=docs.id, target_bucket="org-central-s3-access-logs",
                     target_prefix="contracts/")
aws.s3.BucketPolicy("contracts-tls", bucket=docs.id, policy=docs.arn.apply(lambda arn: json.dumps({
    "Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Principal": "*", "Action": "s3:*",
                                            "Resource": [arn, f"{arn}/*"],
                                            "Condition": {"Bool": {"aws:SecureTransport": "false"}}}]})))
objects = docs.arn.apply(lambda arn: f"{arn}/*")

# --- Kendra ---------------------------------------------------------------------------------------------------
index_role = service_role("kendra-index-role", "kendra.amazonaws.com", [
    {"Effect": "Allow", "Action": "cloudwatch:PutMetricData", "Resource": "*",
     "Condition": {"StringEquals": {"cloudwatch:namespace": "AWS/Kendra"}}},
    {"Effect": "Allow", "Action": ["logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams"],
     "Resource": f"arn:aws:logs:{REGION}:{ACCOUNT}:log-group:/aws/kendra/*:log-stream:*"},
    {"Effect": "Allow", "Action": ["kms:Decrypt", "kms:GenerateDataKey"], "Resource": key.arn}])
index = aws.kendra.Index("contracts", name="contracts", edition="ENTERPRISE_EDITION", role_arn=index_role.arn,
                         server_side_encryption_configuration={"kms_key_id": key.arn},
                         user_context_policy="USER_TOKEN",
                         user_token_configurations={"json_token_type_configuration": {
                             "user_name_attribute_field": "username", "group_attribute_field": "groups"}},
                         tags=TAGS)
source_role = service_role("kendra-source-role", "kendra.amazonaws.com", [
    {"Effect": "Allow", "Action": ["s3:GetObject"], "Resource": objects},
    {"Effect": "Allow", "Action": ["s3:ListBucket"], "Resource": docs.arn},
    {"Effect": "Allow", "Action": ["kendra:BatchPutDocument", "kendra:BatchDeleteDocument"], "Resource": index.arn},
    {"Effect": "Allow", "Action": ["kms:Decrypt"], "Resource": key.arn}])
aws.kendra.DataSource("contracts-s3", index_id=index.id, name="contracts-s3", type="TEMPLATE",
    role_arn=source_role.arn, schedule="cron(0 2 * * ? *)",
    configuration={"template_configuration": {"template": docs.bucket.apply(lambda b: json.dumps({
        "type": "S3", "syncMode": "FORCED_FULL_CRAWL", "version": "1.0.0",
        "connectionConfiguration": {"repositoryEndpointMetadata": {"BucketName": b}},
        "repositoryConfigurations": {"document": {"fieldMappings": [
            {"indexFieldName": "_source_uri", "indexFieldType": "STRING", "dataSourceFieldName": "s3_document_id"}]}},
        "additionalProperties": {"inclusionPrefixes": ["signed/"], "aclConfigurationFilePath": "acl/acl.json"}}))}},
    tags=TAGS)

# --- Comprehend --------------------------------------------------------------------------------------------------
comprehend_sg = aws.ec2.SecurityGroup("comprehend-sg", vpc_id="vpc-0abc1234def567890",
                                      description="Comprehend training jobs", tags=TAGS)
aws.vpc.SecurityGroupEgressRule("comprehend-https", security_group_id=comprehend_sg.id, cidr_ipv4="10.0.0.0/16",
                                ip_protocol="tcp", from_port=443, to_port=443, description="VPC endpoints", tags=TAGS)
comprehend_role = service_role("comprehend-role", "comprehend.amazonaws.com", [
    {"Effect": "Allow", "Action": ["s3:GetObject"], "Resource": objects},
    {"Effect": "Allow", "Action": ["s3:ListBucket"], "Resource": docs.arn},
    {"Effect": "Allow", "Action": ["kms:Decrypt", "kms:GenerateDataKey", "kms:CreateGrant"], "Resource": key.arn},
    {"Effect": "Allow", "Action": ["ec2:CreateNetworkInterface", "ec2:DeleteNetworkInterface",
                                   "ec2:DescribeNetworkInterfaces", "ec2:DescribeSubnets", "ec2:DescribeVpcs",
                                   "ec2:DescribeSecurityGroups", "ec2:DescribeDhcpOptions",
                                   "ec2:CreateNetworkInterfacePermission"], "Resource": "*",
     "Condition": {"StringEquals": {"aws:RequestedRegion": REGION}}}])
aws.comprehend.EntityRecognizer("clauses", name="contract-clauses", language_code="en",
    data_access_role_arn=comprehend_role.arn, model_kms_key_id=key.arn, volume_kms_key_id=key.arn,
    vpc_config={"security_group_ids": [comprehend_sg.id], "subnets": SUBNETS},
    input_data_config={"entity_types": [{"type": "GOVERNING_LAW"}, {"type": "TERMINATION"}],
                       "documents": {"s3_uri": docs.bucket.apply(lambda b: f"s3://{b}/training/documents.txt")},
                       "annotations": {"s3_uri": docs.bucket.apply(lambda b: f"s3://{b}/training/annotations.csv")}},
    tags=TAGS)

# --- Rekognition -------------------------------------------------------------------------------------------------
camera = aws.kinesis.VideoStream("mailroom-camera", name="mailroom-camera", data_retention_in_hours=24,
                                 kms_key_id=key.arn, media_type="video/h264", tags=TAGS)
status = aws.sns.Topic("rekognition-status", kms_master_key_id=key.id, tags=TAGS)
rekognition_role = service_role("rekognition-role", "rekognition.amazonaws.com", [
    {"Effect": "Allow", "Action": ["kinesisvideo:GetDataEndpoint", "kinesisvideo:GetMedia"], "Resource": camera.arn},
    {"Effect": "Allow", "Action": ["s3:PutObject"], "Resource": objects},
    {"Effect": "Allow", "Action": ["sns:Publish"], "Resource": status.arn},
    {"Effect": "Allow", "Action": ["kms:Decrypt", "kms:GenerateDataKey"], "Resource": key.arn}])
aws.rekognition.StreamProcessor("mailroom-labels", name="mailroom-labels", role_arn=rekognition_role.arn,
    input={"kinesis_video_stream": {"arn": camera.arn}},
    output={"s3_destination": {"bucket": docs.bucket, "key_prefix": "mailroom/"}},
    settings={"connected_home": {"labels": ["PACKAGE", "PERSON"], "min_confidence": 80}},
    notification_channel={"sns_topic_arn": status.arn},
    kms_key_id=key.arn, data_sharing_preference={"opt_in": False},
    tags=TAGS)

pulumi.export("index_id", index.id)
