"""NLP team's model hosting on pulumi-aws-native: S3 bucket with inline encryption, logging and public
access block; a KMS key with a dict key policy; IAM role with inline policies; a notebook, an endpoint
configuration, a security group, a log group and a Lambda function, all Cloud Control resources."""
import pulumi
import pulumi_aws_native as native

ACCOUNT = native.get_account_id_output().account_id
TAGS = [native.TagArgs(key=k, value=v) for k, v in {
    "owner": "nlp", "cost-center": "nlp-42", "environment": "prod", "data-classification": "confidential"}.items()]
VPC_ID = "vpc-0123456789abcdef0"
SUBNETS = ["subnet-0123456789abcdef0", "subnet-0fedcba9876543210"]

key = native.kms.Key("nlp", description="nlp models", enable_key_rotation=True, pending_window_in_days=30,
                     tags=TAGS, key_policy=ACCOUNT.apply(lambda account: {
                         "Version": "2012-10-17",
                         "Statement": [{"Sid": "Account", "Effect": "Allow",
                                        "Principal": {"AWS": f"arn:aws:iam::{account}:root"},
                                        "Action": "kms:*", "Resource": "*"}]}))

access_logs = native.s3.Bucket(
    "nlp-access-logs", tags=TAGS,
    bucket_encryption=native.s3.BucketEncryptionArgs(server_side_encryption_configuration=[
        native.s3.BucketServerSideEncryptionRuleArgs(
            server_side_encryption_by_default=native.s3.BucketServerSideEncryptionByDefaultArgs(sse_algorithm="AES256"))]),
    public_access_block_configuration=native.s3.BucketPublicAccessBlockConfigurationArgs(
        block_public_acls=True, block_public_policy=True, ignore_public_acls=True, restrict_public_buckets=True),
    ownership_controls=native.s3.BucketOwnershipControlsArgs(rules=[
        native.s3.BucketOwnershipControlsRuleArgs(object_ownership="BucketOwnerEnforced")]),
    versioning_configuration=native.s3.BucketVersioningConfigurationArgs(status="Enabled"))

models = native.s3.Bucket(
    "nlp-models", tags=TAGS,
    bucket_encryption={"server_side_encryption_configuration": [{
        "server_side_encryption_by_default": {"sse_algorithm": "aws:kms", "kms_master_key_id": key.arn},
        "bucket_key_enabled": True}]},
    public_access_block_configuration={"block_public_acls": True, "block_public_policy": True,
                                       "ignore_public_acls": True, "restrict_public_buckets": True},
    ownership_controls={"rules": [{"object_ownership": "BucketOwnerEnforced"}]},
    logging_configuration={"destination_bucket_name": access_logs.id, "log_file_prefix": "nlp-models/"},
    versioning_configuration={"status": "Enabled"})
for bucket, name in ((access_logs, "nlp-access-logs"),):
    native.s3.BucketPolicy(name, bucket=bucket.id, policy_document=bucket.arn.apply(lambda arn: {
        "Version": "2012-10-17",
        "Statement": [{"Sid": "TlsOnly", "Effect": "Deny", "Principal": "*", "Action": "s3:*",
                       "Resource": [arn, f"{arn}/*"], "Condition": {"Bool": {"aws:SecureTransport": "false"}}}]}))
native.s3.BucketPolicy("nlp-models", bucket=models.id, policy_document=models.arn.apply(lambda arn: {
    "Version": "2012-10-17",
    "Statement": [{"Sid": "TlsOnly", "Effect": "Deny", "Principal": "*", "Action": "s3:*",
                   "Resource": [arn, f"{arn}/*"], "Condition": {"Bool": {"aws:SecureTransport": "false"}}}]}))

role = native.iam.Role(
    "nlp-sagemaker", tags=TAGS,
    assume_role_policy_document={"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Action": "sts:AssumeRole", "Principal": {"Service": "sagemaker.amazonaws.com"}}]},
    policies=[native.iam.RolePolicyArgs(policy_name="models", policy_document=pulumi.Output.all(
        models.arn, key.arn).apply(lambda arns: {"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Action": ["s3:GetObject", "s3:ListBucket"], "Resource": [arns[0], f"{arns[0]}/*"]},
            {"Effect": "Allow", "Action": ["kms:Decrypt"], "Resource": arns[1]}]}))])

group = native.ec2.SecurityGroup(
    "nlp-hosting", group_description="nlp hosting", vpc_id=VPC_ID, tags=TAGS,
    security_group_ingress=[native.ec2.SecurityGroupIngressArgs(ip_protocol="tcp", from_port=443, to_port=443,
                                                                cidr_ip="10.0.0.0/8", description="https in the vpc")],
    security_group_egress=[native.ec2.SecurityGroupEgressArgs(ip_protocol="tcp", from_port=443, to_port=443,
                                                              cidr_ip="10.0.0.0/8", description="endpoints")])

native.sagemaker.NotebookInstance(
    "nlp-explore", instance_type="ml.t3.xlarge", role_arn=role.arn, direct_internet_access="Disabled",
    root_access="Disabled", subnet_id=SUBNETS[0], security_group_ids=[group.id], kms_key_id=key.arn, tags=TAGS,
    instance_metadata_service_configuration=native.sagemaker.NotebookInstanceInstanceMetadataServiceConfigurationArgs(
        minimum_instance_metadata_service_version="2"))

native.sagemaker.EndpointConfig(
    "nlp-classifier", kms_key_id=key.arn, tags=TAGS,
    production_variants=[native.sagemaker.EndpointConfigProductionVariantArgs(
        variant_name="primary", model_name="nlp-classifier", initial_instance_count=2, instance_type="ml.m5.xlarge",
        initial_variant_weight=1.0)],
    data_capture_config=native.sagemaker.EndpointConfigDataCaptureConfigArgs(
        enable_capture=True, initial_sampling_percentage=20, kms_key_id=key.arn,
        destination_s3_uri=models.bucket_name.apply(lambda b: f"s3://{b}/capture"),
        capture_options=[native.sagemaker.EndpointConfigCaptureOptionArgs(capture_mode="Input"),
                         native.sagemaker.EndpointConfigCaptureOptionArgs(capture_mode="Output")]))

logs = native.logs.LogGroup("nlp-tokenizer", retention_in_days=400, kms_key_id=key.arn, tags=TAGS)
fn_role = native.iam.Role(
    "nlp-tokenizer", tags=TAGS,
    assume_role_policy_document={"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Action": "sts:AssumeRole", "Principal": {"Service": "lambda.amazonaws.com"}}]})
native.lambda_.Function(
    "nlp-tokenizer", role=fn_role.arn, runtime="python3.12", handler="app.handler", kms_key_arn=key.arn,
    code=native.lambda_.FunctionCodeArgs(s3_bucket=models.id, s3_key="tokenizer.zip"), tags=TAGS,
    tracing_config=native.lambda_.FunctionTracingConfigArgs(mode="Active"),
    logging_config=native.lambda_.FunctionLoggingConfigArgs(log_group=logs.id),
    vpc_config=native.lambda_.FunctionVpcConfigArgs(subnet_ids=SUBNETS, security_group_ids=[group.id]),
    environment=native.lambda_.FunctionEnvironmentArgs(variables={"MODEL_BUCKET": models.id}))
pulumi.export("models", models.bucket_name)
