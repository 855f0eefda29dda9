"""Streaming features: click events arrive on a Kinesis data stream, a Lambda consumer (event source mapping,
SQS dead-letter queue) computes online features, Firehose archives the raw stream to S3, and an MSK cluster
carries the feature updates to the training side."""
import json

import pulumi
import pulumi_aws as aws

cfg = pulumi.Config()
shards = cfg.get_int("shards") or 4
ACCOUNT = "210987654321"
REGION = "us-east-1"
VPC = "vpc-0f00ba4deadbeef01"
SUBNETS = ["subnet-0aa00000000000001", "subnet-0aa00000000000002", "subnet-0aa00000000000003"]
tags = {"team": "realtime-features", "environment": "prod", "data-classification": "internal", "owner": "rtf", "cost-center": "cc-431"}


def lambda_role(name: str, statements: list) -> aws.iam.Role:
    role = aws.iam.Role(name, assume_role_policy=json.dumps({
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"},
                       "Action": "sts:AssumeRole"}]}), tags=tags)
    aws.iam.RolePolicyAttachment(f"{name}-basic", role=role.name,
                                 policy_arn="arn:aws:iam::aws:policy/service-role/AWSLambdaVPCAccessExecutionRole")
    aws.iam.RolePolicy(f"{name}-inline", role=role.id,
                       policy=json.dumps({"Version": "2012-10-17", "Statement": statements}))
    return role


key = aws.kms.Key("streaming", description="streaming features", enable_key_rotation=True, tags=tags)

# seed: no server-side encryption on the stream
clicks = aws.kinesis.Stream("clicks", shard_count=shards, retention_period=48, encryption_type="NONE",
                            tags=tags)

# seed: anyone may read the stream
aws.kinesis.ResourcePolicy("clicks-readers", resource_arn=clicks.arn, policy=clicks.arn.apply(lambda arn: json.dumps({
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Principal": {"AWS": "*"},
                   "Action": ["kinesis:GetRecords", "kinesis:GetShardIterator", "kinesis:DescribeStreamSummary"],
                   "Resource": arn}]})))

archive = aws.s3.Bucket("clicks-archive", tags=tags)
aws.s3.BucketServerSideEncryptionConfiguration("clicks-archive", bucket=archive.id, rules=[{
    "apply_server_side_encryption_by_default": {"sse_algorithm": "aws:kms", "kms_master_key_id": key.arn},
    "bucket_key_enabled": True}])
aws.s3.BucketPublicAccessBlock("clicks-archive", bucket=archive.id, block_public_acls=True, block_public_policy=True,
                               ignore_public_acls=True, restrict_public_buckets=True)
aws.s3.BucketVersioning("clicks-archive", bucket=archive.id, versioning_configuration={"status": "Enabled"})

firehose_role = aws.iam.Role("firehose", assume_role_policy=json.dumps({
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Principal": {"Service": "firehose.amazonaws.com"}, "Action": "sts:AssumeRole",
                   "Condition": {"StringEquals": {"sts:ExternalId": ACCOUNT}}}]}), tags=tags)
aws.iam.RolePolicy("firehose", role=firehose_role.id, policy=pulumi.Output.all(clicks.arn, archive.arn).apply(
    lambda a: json.dumps({"Version": "2012-10-17", "Statement": [
        # seed: every Kinesis and S3 action on every resource
        {"Effect": "Allow", "Action": ["kinesis:*", "s3:*"], "Resource": "*"}]})))

# seed: Firehose writes the archive without a KMS key and without error logging
aws.kinesis.FirehoseDeliveryStream("clicks-archive", destination="extended_s3",
    kinesis_source_configuration={"kinesis_stream_arn": clicks.arn, "role_arn": firehose_role.arn},
    extended_s3_configuration={
        "role_arn": firehose_role.arn, "bucket_arn": archive.arn, "prefix": "raw/clicks/",
        "buffering_size": 64, "buffering_interval": 300, "compression_format": "GZIP",
        "cloudwatch_logging_options": {"enabled": False}},
    tags=tags)

# seed: the dead-letter queue switches SSE off
dlq = aws.sqs.Queue("features-dlq", message_retention_seconds=1209600, sqs_managed_sse_enabled=False, tags=tags)
aws.sqs.QueuePolicy("features-dlq", queue_url=dlq.url, policy=dlq.arn.apply(lambda arn: json.dumps({
    "Version": "2012-10-17",
    # seed: any principal may do anything to the queue
    "Statement": [{"Effect": "Allow", "Principal": "*", "Action": "sqs:*", "Resource": arn}]})))

consumer_sg = aws.ec2.SecurityGroup("feature-consumer", vpc_id=VPC, description="feature consumer lambda",
    # seed: all traffic to anywhere
    egress=[{"protocol": "-1", "from_port": 0, "to_port": 0, "cidr_blocks": ["0.0.0.0/0"]}], tags=tags)

consumer_role = lambda_role("feature-consumer", [
    {"Effect": "Allow", "Action": ["kinesis:GetRecords", "kinesis:GetShardIterator", "kinesis:DescribeStream",
                                   "kinesis:DescribeStreamSummary", "kinesis:ListShards", "kinesis:ListStreams"],
     "Resource": "*"},
    {"Effect": "Allow", "Action": ["sqs:SendMessage"], "Resource": "*"},
    {"Effect": "Allow", "Action": ["dynamodb:*"], "Resource": "*"},  # seed: every DynamoDB action on every table
])

features = aws.dynamodb.Table("online-features", billing_mode="PAY_PER_REQUEST", hash_key="entity_id",
    attributes=[{"name": "entity_id", "type": "S"}], point_in_time_recovery={"enabled": True},
    server_side_encryption={"enabled": True, "kms_key_arn": key.arn}, deletion_protection_enabled=True, tags=tags)

# seed: no KMS key on the function's log group
logs = aws.cloudwatch.LogGroup("feature-consumer", name="/aws/lambda/feature-consumer", retention_in_days=30,
                               tags=tags)

consumer = aws.lambda_.Function("feature-consumer", name="feature-consumer", runtime="python3.12",
    handler="consumer.handler", role=consumer_role.arn, timeout=120, memory_size=512,
    code=pulumi.AssetArchive({"consumer.py": pulumi.StringAsset("def handler(event, context):\n    return {}\n")}),
    vpc_config={"subnet_ids": SUBNETS, "security_group_ids": [consumer_sg.id]},
    dead_letter_config={"target_arn": dlq.arn},
    environment={"variables": {
        "FEATURE_TABLE": features.name,
        # seed: a vendor API key in plain text
        "FEATURE_STORE_API_KEY": "fs_live_6f1b2c9d8e7a4b3c2d1e0f9a8b7c6d5e",
    }},
    kms_key_arn=key.arn, tracing_config={"mode": "Active"},
    logging_config={"log_format": "JSON", "log_group": logs.name}, tags=tags)

aws.lambda_.EventSourceMapping("clicks-to-consumer", event_source_arn=clicks.arn, function_name=consumer.arn,
    starting_position="LATEST", batch_size=500, maximum_batching_window_in_seconds=5,
    bisect_batch_on_function_error=True, maximum_retry_attempts=3,
    destination_config={"on_failure": {"destination_arn": dlq.arn}})

msk_sg = aws.ec2.SecurityGroup("feature-bus", vpc_id=VPC, description="MSK brokers",
    ingress=[{"protocol": "tcp", "from_port": 9092, "to_port": 9098, "cidr_blocks": ["10.40.0.0/16"],
              "description": "brokers from the VPC"}],
    egress=[{"protocol": "tcp", "from_port": 0, "to_port": 65535, "cidr_blocks": ["10.40.0.0/16"]}], tags=tags)
bus_logs = aws.cloudwatch.LogGroup("feature-bus", retention_in_days=90, kms_key_id=key.arn, tags=tags)
aws.msk.Cluster("feature-bus", cluster_name="feature-bus", kafka_version="3.6.0", number_of_broker_nodes=3,
    broker_node_group_info={"instance_type": "kafka.m7g.large", "client_subnets": SUBNETS,
                            "security_groups": [msk_sg.id],
                            "storage_info": {"ebs_storage_info": {"volume_size": 500}}},
    # seed: plaintext between clients and brokers, unauthenticated clients
    encryption_info={"encryption_at_rest_kms_key_arn": key.arn,
                     "encryption_in_transit": {"client_broker": "TLS_PLAINTEXT", "in_cluster": True}},
    client_authentication={"unauthenticated": True, "sasl": {"iam": True}},
    logging_info={"broker_logs": {"cloudwatch_logs": {"enabled": True, "log_group": bus_logs.name}}},
    tags=tags)

pulumi.export("stream", clicks.name)

# the mobile SDK writes directly to a second delivery stream (Direct PUT)
# seed: server-side encryption switched off on a Direct PUT stream
aws.kinesis.FirehoseDeliveryStream("mobile-events", destination="extended_s3",
    server_side_encryption={"enabled": False},
    extended_s3_configuration={"role_arn": firehose_role.arn, "bucket_arn": archive.arn, "prefix": "raw/mobile/",
                               "kms_key_arn": key.arn},
    tags=tags)
