"""Fine-tuning a foundation model on claims notes with Bedrock model customization: a training-data bucket, the
customization job (aws.bedrock.CustomModel) in the VPC under a customer key, provisioned throughput for the custom
model, a guardrail, and account-wide model invocation logging to CloudWatch Logs with large payloads in S3."""
import json

import pulumi
import pulumi_aws as aws

ACCOUNT = "123456789012"
REGION = "us-east-1"
TAGS = {"owner": "claims-ai", "cost-center": "ins-9", "environment": "prod", "data-classification": "restricted"}
BASE = f"arn:aws:bedrock:{REGION}::foundation-model/amazon.titan-text-express-v1:0:8k"
SUBNETS = ["subnet-0a1b2c3d4e5f60001", "subnet-0a1b2c3d4e5f60002"]


def trusted_by_bedrock(name):
    return aws.iam.Role(name, tags=TAGS, assume_role_policy=json.dumps({"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Principal": {"Service": "bedrock.amazonaws.com"}, "Action": "sts:AssumeRole",
        "Condition": {"StringEquals": {"aws:SourceAccount": ACCOUNT},
                      "ArnLike": {"aws:SourceArn": f"arn:aws:bedrock:{REGION}:{ACCOUNT}:*"}}}]}))


def private_bucket(name, key):
    bucket = aws.s3.Bucket(name, tags=TAGS)
    aws.s3.BucketPublicAccessBlock(f"{name}-pab", bucket=bucket.id, block_public_acls=True, block_public_policy=True,
                                   ignore_public_acls=True, restrict_public_buckets=True)
    aws.s3.BucketServerSideEncryptionConfiguration(f"{name}-sse", bucket=bucket.id, rules=[{
        "apply_server_side_encryption_by_default": {"sse_algorithm": "aws:kms", "kms_master_key_id": key.arn},
        "bucket_key_enabled": True}])
    aws.s3.BucketVersioning(f"{name}-ver", bucket=bucket.id, versioning_configuration={"status": "Enabled"})
    aws.s3.BucketLogging(f"{name}-log", bucket=bucket.id, target_bucket="org-central-s3-access-logs",
                         target_prefix=f"{name}/")
    aws.s3.BucketPolicy(f"{name}-tls", bucket=bucket.id, policy=bucket.arn.apply(lambda arn: json.dumps({
        "Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Principal": "*", "Action": "s3:*",
                                                "Resource": [arn, f"{arn}/*"],
                                                "Condition": {"Bool": {"aws:SecureTransport": "false"}}}]})))
    return bucket


key = aws.kms.Key("claims-llm-key", description="claims fine-tuning data and model", enable_key_rotation=True,
                  tags=TAGS)
data = private_bucket("claims-training", key)

sg = aws.ec2.SecurityGroup("customization-sg", vpc_id="vpc-0abc1234def567890", description="Bedrock customization job",
                           tags=TAGS)
aws.vpc.SecurityGroupEgressRule("customization-s3", security_group_id=sg.id, prefix_list_id="pl-63a5400a",
                                ip_protocol="tcp", from_port=443, to_port=443, description="S3 gateway endpoint",
                                tags=TAGS)

job_role = trusted_by_bedrock("customization-role")
aws.iam.RolePolicy("customization-access", role=job_role.id, policy=pulumi.Output.all(data.arn, key.arn).apply(
    lambda a: json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": ["s3:GetObject", "s3:PutObject", "s3:ListBucket"], "Resource": [a[0], f"{a[0]}/*"]},
        {"Effect": "Allow", "Action": ["kms:Decrypt", "kms:GenerateDataKey", "kms:CreateGrant"], "Resource": a[1]},
        {"Effect": "Allow", "Action": ["ec2:CreateNetworkInterface", "ec2:DeleteNetworkInterface",
                                       "ec2:DescribeNetworkInterfaces", "ec2:DescribeSubnets",
                                       "ec2:DescribeSecurityGroups", "ec2:DescribeVpcs", "ec2:DescribeDhcpOptions"],
         "Resource": "*", "Condition": {"StringEquals": {"aws:RequestedRegion": REGION}}}]})))

model = aws.bedrock.CustomModel("claims-notes", custom_model_name="claims-notes-titan", job_name="claims-notes-ft-1",
    base_model_identifier=BASE, customization_type="FINE_TUNING", role_arn=job_role.arn,
    custom_model_kms_key_id=key.arn,
    hyperparameters={"epochCount": "2", "batchSize": "1", "learningRate": "0.00001", "learningRateWarmupSteps": "0"},
    training_data_config={"s3_uri": data.bucket.apply(lambda b: f"s3://{b}/train/notes.jsonl")},
    validation_data_config={"validators": [{"s3_uri": data.bucket.apply(lambda b: f"s3://{b}/validation/notes.jsonl")}]},
    output_data_config={"s3_uri": data.bucket.apply(lambda b: f"s3://{b}/output/")},
    vpc_config={"subnet_ids": SUBNETS, "security_group_ids": [sg.id]},
    tags=TAGS)

throughput = aws.bedrock.ProvisionedModelThroughput("claims-notes-pt", provisioned_model_name="claims-notes",
                                                    model_arn=model.custom_model_arn, model_units=1, tags=TAGS)

guardrail = aws.bedrock.Guardrail("claims-guardrail", name="claims-guardrail", kms_key_arn=key.arn,
    blocked_input_messaging="This request can't be processed.", blocked_outputs_messaging="This answer was withheld.",
    content_policy_config={"filters_configs": [
        {"type": "PROMPT_ATTACK", "input_strength": "HIGH", "output_strength": "NONE"},
        {"type": "MISCONDUCT", "input_strength": "MEDIUM", "output_strength": "MEDIUM"}]},
    sensitive_information_policy_config={"pii_entities_configs": [
        {"type": "US_SOCIAL_SECURITY_NUMBER", "action": "BLOCK"},
        {"type": "NAME", "action": "ANONYMIZE"}]},
    tags=TAGS)
aws.bedrock.GuardrailVersion("claims-guardrail-v1", guardrail_arn=guardrail.guardrail_arn, description="initial")

# Model invocation logging: prompts and completions to an encrypted log group, large payloads to S3.
logs_bucket = private_bucket("bedrock-invocations", key)
log_group = aws.cloudwatch.LogGroup("bedrock-invocations", name="/bedrock/model-invocations", retention_in_days=365,
                                    kms_key_id=key.arn, tags=TAGS)
logging_role = trusted_by_bedrock("bedrock-logging-role")
aws.iam.RolePolicy("bedrock-logging", role=logging_role.id, policy=log_group.arn.apply(lambda arn: json.dumps({
    "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": ["logs:CreateLogStream", "logs:PutLogEvents"],
                                            "Resource": f"{arn}:log-stream:*"}]})))
aws.bedrockmodel.InvocationLoggingConfiguration("invocation-logging", logging_config={
    "text_data_delivery_enabled": True, "image_data_delivery_enabled": True, "embedding_data_delivery_enabled": True,
    "cloudwatch_config": {"log_group_name": log_group.name, "role_arn": logging_role.arn,
                          "large_data_delivery_s3_config": {"bucket_name": logs_bucket.id, "key_prefix": "large/"}},
    "s3_config": {"bucket_name": logs_bucket.id, "key_prefix": "invocations/"}})

pulumi.export("provisioned_model_arn", throughput.provisioned_model_arn)
