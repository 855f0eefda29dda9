"""Streaming features: click events arrive on a Kinesis data stream, a Lambda consumer (event source mapping,
SQS dead-letter queue) computes online features, Firehose archives the raw stream to S3, and an MSK Serverless
cluster carries the feature updates to the training side."""
import json

import pulumi
import pulumi_aws as aws

cfg = pulumi.Config()
shards = cfg.get_int("shards") or 4
ACCOUNT = "210987654321"
REGION = "us-east-1"
VPC = "vpc-0f00ba4deadbeef01"
VPC_CIDR = "10.40.0.0/16"
SUBNETS = ["subnet-0aa00000000000001", "subnet-0aa00000000000002", "subnet-0aa00000000000003"]
tags = {"team": "realtime-features", "environment": "prod", "data-classification": "internal", "owner": "rtf",
        "cost-center": "cc-431"}


def policy(*statements: dict) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


def service_role(name: str, service: str, **condition) -> aws.iam.Role:
    statement = {"Effect": "Allow", "Principal": {"Service": service}, "Action": "sts:AssumeRole"}
    if condition:
        statement["Condition"] = condition
    return aws.iam.Role(name, assume_role_policy=policy(statement), tags=tags)


key = aws.kms.Key("streaming", description="streaming features", enable_key_rotation=True,
                  deletion_window_in_days=30, tags=tags, opts=pulumi.ResourceOptions(protect=True))
aws.kms.Alias("streaming", name="alias/streaming-features", target_key_id=key.key_id)

clicks = aws.kinesis.Stream("clicks", shard_count=shards, retention_period=48, encryption_type="KMS",
                            kms_key_id=key.arn, tags=tags, opts=pulumi.ResourceOptions(protect=True))

archive = aws.s3.Bucket("clicks-archive", tags=tags, opts=pulumi.ResourceOptions(protect=True))
aws.s3.BucketServerSideEncryptionConfiguration("clicks-archive", bucket=archive.id, rules=[{
    "apply_server_side_encryption_by_default": {"sse_algorithm": "aws:kms", "kms_master_key_id": key.arn},
    "bucket_key_enabled": True}])
aws.s3.BucketPublicAccessBlock("clicks-archive", bucket=archive.id, block_public_acls=True, block_public_policy=True,
                               ignore_public_acls=True, restrict_public_buckets=True)
aws.s3.BucketVersioning("clicks-archive", bucket=archive.id, versioning_configuration={"status": "Enabled"})
aws.s3.BucketLogging("clicks-archive", bucket=archive.id, target_bucket="org-central-s3-access-logs",
                     target_prefix="clicks-archive/")
aws.s3.BucketPolicy("clicks-archive", bucket=archive.id, policy=archive.arn.apply(lambda arn: policy(
    {"Sid": "DenyInsecureTransport", "Effect": "Deny", "Principal": "*", "Action": "s3:*",
     "Resource": [arn, f"{arn}/*"], "Condition": {"Bool": {"aws:SecureTransport": "false"}}})))

firehose_role = service_role("firehose", "firehose.amazonaws.com", StringEquals={"sts:ExternalId": ACCOUNT})
firehose_logs = aws.cloudwatch.LogGroup("firehose", name="/aws/kinesisfirehose/clicks-archive",
                                        retention_in_days=365, kms_key_id=key.arn, tags=tags)
aws.iam.RolePolicy("firehose", role=firehose_role.id,
    policy=pulumi.Output.all(clicks.arn, archive.arn, key.arn, firehose_logs.arn).apply(lambda a: policy(
        {"Effect": "Allow", "Action": ["kinesis:DescribeStream", "kinesis:GetShardIterator", "kinesis:GetRecords",
                                       "kinesis:ListShards"], "Resource": a[0]},
        {"Effect": "Allow", "Action": ["s3:AbortMultipartUpload", "s3:GetBucketLocation", "s3:GetObject",
                                       "s3:ListBucket", "s3:ListBucketMultipartUploads", "s3:PutObject"],
         "Resource": [a[1], f"{a[1]}/*"]},
        {"Effect": "Allow", "Action": ["kms:Decrypt", "kms:GenerateDataKey"], "Resource": a[2]},
        {"Effect": "Allow", "Action": ["logs:PutLogEvents"], "Resource": f"{a[3]}:*"})))

aws.kinesis.FirehoseDeliveryStream("clicks-archive", destination="extended_s3",
    kinesis_source_configuration={"kinesis_stream_arn": clicks.arn, "role_arn": firehose_role.arn},
    extended_s3_configuration={
        "role_arn": firehose_role.arn, "bucket_arn": archive.arn, "prefix": "raw/clicks/", "kms_key_arn": key.arn,
        "buffering_size": 64, "buffering_interval": 300, "compression_format": "GZIP",
        "cloudwatch_logging_options": {"enabled": True, "log_group_name": firehose_logs.name,
                                       "log_stream_name": "DestinationDelivery"}},
    tags=tags)
aws.kinesis.FirehoseDeliveryStream("mobile-events", destination="extended_s3",
    server_side_encryption={"enabled": True, "key_type": "CUSTOMER_MANAGED_CMK", "key_arn": key.arn},
    extended_s3_configuration={"role_arn": firehose_role.arn, "bucket_arn": archive.arn, "prefix": "raw/mobile/",
                               "kms_key_arn": key.arn,
                               "cloudwatch_logging_options": {"enabled": True, "log_group_name": firehose_logs.name,
                                                              "log_stream_name": "MobileDelivery"}},
    tags=tags)

dlq = aws.sqs.Queue("features-dlq", message_retention_seconds=1209600, kms_master_key_id=key.arn,
                    kms_data_key_reuse_period_seconds=300, tags=tags)

consumer_sg = aws.ec2.SecurityGroup("feature-consumer", vpc_id=VPC, description="feature consumer lambda",
    egress=[{"protocol": "tcp", "from_port": 443, "to_port": 443, "cidr_blocks": [VPC_CIDR],
             "description": "VPC endpoints"},
            {"protocol": "tcp", "from_port": 9098, "to_port": 9098, "cidr_blocks": [VPC_CIDR],
             "description": "MSK IAM"}], tags=tags)

features = aws.dynamodb.Table("online-features", billing_mode="PAY_PER_REQUEST", hash_key="entity_id",
    attributes=[{"name": "entity_id", "type": "S"}], point_in_time_recovery={"enabled": True},
    server_side_encryption={"enabled": True, "kms_key_arn": key.arn}, deletion_protection_enabled=True, tags=tags,
    opts=pulumi.ResourceOptions(protect=True))
vendor_key = aws.secretsmanager.Secret("feature-store-api-key", kms_key_id=key.arn, tags=tags,
                                       description="vendor feature store API key (set out of band)")
# the platform's shared rotator calls the vendor's key API
aws.secretsmanager.SecretRotation("feature-store-api-key", secret_id=vendor_key.id,
    rotation_lambda_arn=cfg.get("rotatorArn") or f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:vendor-key-rotator",
    rotation_rules={"automatically_after_days": 30})

consumer_role = service_role("feature-consumer", "lambda.amazonaws.com")
aws.iam.RolePolicyAttachment("feature-consumer-vpc", role=consumer_role.name,
                             policy_arn="arn:aws:iam::aws:policy/service-role/AWSLambdaVPCAccessExecutionRole")
aws.iam.RolePolicy("feature-consumer", role=consumer_role.id,
    policy=pulumi.Output.all(clicks.arn, dlq.arn, features.arn, vendor_key.arn, key.arn).apply(lambda a: policy(
        {"Effect": "Allow", "Action": ["kinesis:GetRecords", "kinesis:GetShardIterator", "kinesis:DescribeStream",
                                       "kinesis:DescribeStreamSummary", "kinesis:ListShards"], "Resource": a[0]},
        {"Effect": "Allow", "Action": ["sqs:SendMessage"], "Resource": a[1]},
        {"Effect": "Allow", "Action": ["dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:GetItem"],
         "Resource": a[2]},
        {"Effect": "Allow", "Action": ["secretsmanager:GetSecretValue"], "Resource": a[3]},
        {"Effect": "Allow", "Action": ["kms:Decrypt", "kms:GenerateDataKey"], "Resource": a[4]})))

logs = aws.cloudwatch.LogGroup("feature-consumer", name="/aws/lambda/feature-consumer", retention_in_days=365,
                               kms_key_id=key.arn, tags=tags)
consumer = aws.lambda_.Function("feature-consumer", name="feature-consumer", runtime="python3.12",
    handler="consumer.handler", role=consumer_role.arn, timeout=120, memory_size=512,
    code=pulumi.AssetArchive({"consumer.py": pulumi.StringAsset("def handler(event, context):\n    return {}\n")}),
    vpc_config={"subnet_ids": SUBNETS, "security_group_ids": [consumer_sg.id]},
    dead_letter_config={"target_arn": dlq.arn}, reserved_concurrent_executions=50,
    environment={"variables": {"FEATURE_TABLE": features.name, "FEATURE_STORE_API_KEY_SECRET_ARN": vendor_key.arn}},
    kms_key_arn=key.arn, tracing_config={"mode": "Active"},
    logging_config={"log_format": "JSON", "log_group": logs.name}, tags=tags)

aws.lambda_.EventSourceMapping("clicks-to-consumer", event_source_arn=clicks.arn, function_name=consumer.arn,
    starting_position="LATEST", batch_size=500, maximum_batching_window_in_seconds=5,
    bisect_batch_on_function_error=True, maximum_retry_attempts=3,
    destination_config={"on_failure": {"destination_arn": dlq.arn}}, tags=tags)

bus_sg = aws.ec2.SecurityGroup("feature-bus", vpc_id=VPC, description="MSK Serverless",
    ingress=[{"protocol": "tcp", "from_port": 9098, "to_port": 9098, "security_groups": [consumer_sg.id],
              "description": "IAM clients"}],
    egress=[{"protocol": "tcp", "from_port": 9098, "to_port": 9098, "cidr_blocks": [VPC_CIDR],
             "description": "brokers"}], tags=tags)
bus = aws.msk.ServerlessCluster("feature-bus", cluster_name="feature-bus",
    vpc_configs=[{"subnet_ids": SUBNETS, "security_group_ids": [bus_sg.id]}],
    client_authentication={"sasl": {"iam": {"enabled": True}}}, tags=tags)

pulumi.export("stream", clicks.name)
pulumi.export("bootstrap", bus.bootstrap_brokers_sasl_iam)
