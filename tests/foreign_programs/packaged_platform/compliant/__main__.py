"""The vision team's training platform: a VPC looked up by tag, a KMS key, and the infra/ components,
all created through one explicit provider carrying the organisation's default tags."""
import json

import pulumi
import pulumi_aws as aws

from infra import (DatasetBucket, DatasetBucketArgs, TrainingHost, TrainingHostArgs, TrainingNetwork,
                   TrainingNetworkArgs)
from infra.tags import BASE_TAGS

config = pulumi.Config()
provider = aws.Provider("vision", region="us-east-1",
                        default_tags=aws.ProviderDefaultTagsArgs(tags=BASE_TAGS))
opts = pulumi.ResourceOptions(provider=provider)
invoke = pulumi.InvokeOptions(provider=provider)

identity = aws.get_caller_identity(opts=invoke)
vpc = aws.ec2.get_vpc(tags={"Name": "ml-prod"}, opts=invoke)
subnets = aws.ec2.get_subnets(filters=[aws.ec2.GetSubnetsFilterArgs(name="vpc-id", values=[vpc.id])],
                              tags={"tier": "private"}, opts=invoke)

key = aws.kms.Key("vision", aws.kms.KeyArgs(
    description="vision datasets", enable_key_rotation=True, deletion_window_in_days=30,
    policy=json.dumps({"Version": "2012-10-17", "Statement": [{
        "Sid": "AccountAdmin", "Effect": "Allow",
        "Principal": {"AWS": f"arn:aws:iam::{identity.account_id}:root"}, "Action": "kms:*", "Resource": "*"}]})),
    opts=opts)

logs = DatasetBucket("vision-access-logs", DatasetBucketArgs(kms_key_arn=key.arn, receives_access_logs=True), opts=opts)
datasets = DatasetBucket("vision-datasets", DatasetBucketArgs(kms_key_arn=key.arn, log_bucket=logs.bucket.id,
                                                           object_lock_days=90),
                         opts=opts)
network = TrainingNetwork("vision-train", TrainingNetworkArgs(vpc_id=vpc.id, vpc_cidr=vpc.cidr_block or "10.0.0.0/16",
                                                              admin_cidrs=["10.20.0.0/24"]), opts=opts)
host = TrainingHost("vision-trainer", TrainingHostArgs(
    subnet_id=subnets.ids[0], security_group_id=network.group.id, dataset_bucket_arn=datasets.bucket.arn,
    kms_key_arn=key.arn, api_token=config.require_secret("wandbApiKey"),
    rotation_lambda_arn=config.require("rotationLambdaArn")), opts=opts)

pulumi.export("datasets", datasets.bucket.bucket)
pulumi.export("trainer", host.instance.id)
