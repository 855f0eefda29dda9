"""Fine-tuning a foundation model on claims notes with Bedrock model customization: a training-data bucket, the
customization job (aws.bedrock.CustomModel), provisioned throughput for the custom model, a guardrail, and model
invocation logging to CloudWatch Logs."""
import json

import pulumi
import pulumi_aws as aws

REGION = "us-east-1"
TAGS = {"owner": "claims-ai", "cost-center": "ins-9", "environment": "prod", "data-classification": "restricted"}
BASE = f"arn:aws:bedrock:{REGION}::foundation-model/amazon.titan-text-express-v1:0:8k"

data = aws.s3.Bucket("claims-training", tags=TAGS)
aws.s3.BucketPublicAccessBlock("claims-training-pab", bucket=data.id, block_public_acls=True, block_public_policy=False,
                               ignore_public_acls=True, restrict_public_buckets=False)
aws.s3.BucketServerSideEncryptionConfiguration("claims-training-sse", bucket=data.id, rules=[{
    "apply_server_side_encryption_by_default": {"sse_algorithm": "AES256"}}])
aws.s3.BucketVersioning("claims-training-ver", bucket=data.id, versioning_configuration={"status": "Enabled"})

job_role = aws.iam.Role("customization-role", tags=TAGS, assume_role_policy=json.dumps({"Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Principal": {"Service": "bedrock.amazonaws.com"}, "Action": "sts:AssumeRole"}]}))
aws.iam.RolePolicy("customization-access", role=job_role.id, policy=json.dumps({"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Action": ["s3:*"], "Resource": "*"},
    {"Effect": "Allow", "Action": ["bedrock:*"], "Resource": "*"}]}))

# No custom_model_kms_key_id (the model weights under an AWS-owned key), no vpc_config.
model = aws.bedrock.CustomModel("claims-notes", custom_model_name="claims-notes-titan", job_name="claims-notes-ft-1",
    base_model_identifier=BASE, customization_type="FINE_TUNING", role_arn=job_role.arn,
    hyperparameters={"epochCount": "2", "batchSize": "1", "learningRate": "0.00001", "learningRateWarmupSteps": "0"},
    training_data_config={"s3_uri": data.bucket.apply(lambda b: f"s3://{b}/train/notes.jsonl")},
    output_data_config={"s3_uri": data.bucket.apply(lambda b: f"s3://{b}/output/")},
    tags=TAGS)

throughput = aws.bedrock.ProvisionedModelThroughput("claims-notes-pt", provisioned_model_name="claims-notes",
                                                    model_arn=model.custom_model_arn, model_units=1,
                                                    commitment_duration="OneMonth", tags=TAGS)

guardrail = aws.bedrock.Guardrail("claims-guardrail", name="claims-guardrail",
    blocked_input_messaging="This request can't be processed.", blocked_outputs_messaging="This answer was withheld.",
    content_policy_config={"filters_configs": [
        {"type": "PROMPT_ATTACK", "input_strength": "LOW", "output_strength": "NONE"},
        {"type": "MISCONDUCT", "input_strength": "MEDIUM", "output_strength": "MEDIUM"}]},
    sensitive_information_policy_config={"pii_entities_configs": [
        {"type": "US_SOCIAL_SECURITY_NUMBER", "action": "NONE"}]},
    tags=TAGS)
aws.bedrock.GuardrailVersion("claims-guardrail-v1", guardrail_arn=guardrail.guardrail_arn, description="initial")

log_group = aws.cloudwatch.LogGroup("bedrock-invocations", name="/bedrock/model-invocations", retention_in_days=3,
                                    tags=TAGS)
logging_role = aws.iam.Role("bedrock-logging-role", tags=TAGS, assume_role_policy=json.dumps({"Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Principal": {"Service": "bedrock.amazonaws.com"}, "Action": "sts:AssumeRole"}]}))
aws.iam.RolePolicyAttachment("bedrock-logging", role=logging_role.name,
                             policy_arn="arn:aws:iam::aws:policy/CloudWatchLogsFullAccess")
# Prompts and completions are left out of the logs (claims notes are sensitive), so nothing is audited.
aws.bedrockmodel.InvocationLoggingConfiguration("invocation-logging", logging_config={
    "text_data_delivery_enabled": False, "image_data_delivery_enabled": False, "embedding_data_delivery_enabled": False,
    "cloudwatch_config": {"log_group_name": log_group.name, "role_arn": logging_role.arn}})

pulumi.export("provisioned_model_arn", throughput.provisioned_model_arn)
