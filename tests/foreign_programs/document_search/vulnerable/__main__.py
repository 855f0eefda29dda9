"""Enterprise document search and perception: a Kendra index over contract PDFs in S3 (template connector), a
Comprehend custom entity recognizer trained on annotated contracts, and a Rekognition label-detection stream
processor watching the mail-room camera (Kinesis Video in, S3 out, SNS for status)."""
import json

import pulumi
import pulumi_aws as aws

TAGS = {"owner": "legal-tech", "cost-center": "legal-1", "environment": "prod", "data-classification": "confidential"}


def service_role(name, service, statements):
    role = aws.iam.Role(name, tags=TAGS, assume_role_policy=json.dumps({"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Principal": {"Service": service}, "Action": "sts:AssumeRole"}]}))
    aws.iam.RolePolicy(f"{name}-access", role=role.id,
                       policy=json.dumps({"Version": "2012-10-17", "Statement": statements}))
    return role


docs = aws.s3.Bucket("contracts", tags=TAGS)
aws.s3.BucketPublicAccessBlock("contracts-pab", bucket=docs.id, block_public_acls=True, block_public_policy=True,
                               ignore_public_acls=True, restrict_public_buckets=True)
aws.s3.BucketServerSideEncryptionConfiguration("contracts-sse", bucket=docs.id, rules=[{
    "apply_server_side_encryption_by_default": {"sse_algorithm": "AES256"}}])
aws.s3.BucketVersioning("contracts-ver", bucket=docs.id, versioning_configuration={"status": "Enabled"})

# --- Kendra: no server_side_encryption_configuration (an AWS-owned key) -----------------------------------------------
index_role = service_role("kendra-index-role", "kendra.amazonaws.com", [
    {"Effect": "Allow", "Action": ["cloudwatch:*", "logs:*"], "Resource": "*"}])
index = aws.kendra.Index("contracts", name="contracts", edition="ENTERPRISE_EDITION", role_arn=index_role.arn,
                         tags=TAGS)
source_role = service_role("kendra-source-role", "kendra.amazonaws.com", [
    {"Effect": "Allow", "Action": ["s3:*"], "Resource": "*"},
    {"Effect": "Allow", "Action": ["kendra:*"], "Resource": "*"}])
aws.kendra.DataSource("contracts-s3", index_id=index.id, name="contracts-s3", type="TEMPLATE",
    role_arn=source_role.arn, schedule="cron(0 2 * * ? *)",
    configuration={"template_configuration": {"template": docs.bucket.apply(lambda b: json.dumps({
        "type": "S3", "syncMode": "FORCED_FULL_CRAWL", "version": "1.0.0",
        "connectionConfiguration": {"repositoryEndpointMetadata": {"BucketName": b}},
        "repositoryConfigurations": {"document": {"fieldMappings": [
            {"indexFieldName": "_source_uri", "indexFieldType": "STRING", "dataSourceFieldName": "s3_document_id"}]}},
        "additionalProperties": {"inclusionPrefixes": ["signed/"]}}))}},
    tags=TAGS)

# --- Comprehend: no model or volume key, no VPC ------------------------------------------------------------------------
comprehend_role = service_role("comprehend-role", "comprehend.amazonaws.com", [
    {"Effect": "Allow", "Action": ["s3:GetObject", "s3:ListBucket"], "Resource": "*"}])
aws.comprehend.EntityRecognizer("clauses", name="contract-clauses", language_code="en",
    data_access_role_arn=comprehend_role.arn,
    input_data_config={"entity_types": [{"type": "GOVERNING_LAW"}, {"type": "TERMINATION"}],
                       "documents": {"s3_uri": docs.bucket.apply(lambda b: f"s3://{b}/training/documents.txt")},
                       "annotations": {"s3_uri": docs.bucket.apply(lambda b: f"s3://{b}/training/annotations.csv")}},
    tags=TAGS)

# --- Rekognition: frames and results under the S3 default key, video shared with AWS -----------------------------
camera = aws.kinesis.VideoStream("mailroom-camera", name="mailroom-camera", data_retention_in_hours=24,
                                 media_type="video/h264", tags=TAGS)
status = aws.sns.Topic("rekognition-status", tags=TAGS)
rekognition_role = service_role("rekognition-role", "rekognition.amazonaws.com", [
    {"Effect": "Allow", "Action": ["kinesisvideo:*", "s3:PutObject", "sns:Publish"], "Resource": "*"}])
aws.rekognition.StreamProcessor("mailroom-labels", name="mailroom-labels", role_arn=rekognition_role.arn,
    input={"kinesis_video_stream": {"arn": camera.arn}},
    output={"s3_destination": {"bucket": docs.bucket, "key_prefix": "mailroom/"}},
    settings={"connected_home": {"labels": ["PACKAGE", "PERSON"], "min_confidence": 80}},
    notification_channel={"sns_topic_arn": status.arn},
    data_sharing_preference={"opt_in": True},
    tags=TAGS)

pulumi.export("index_id", index.id)
