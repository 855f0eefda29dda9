"""A real-time SageMaker endpoint as the team's own ComponentResource (dict-literal style inputs)."""
import json

import pulumi
import pulumi_aws as aws

config = pulumi.Config()
TAGS = {"owner": "churn-team", "cost-center": "ml-01", "environment": "prod", "data-classification": "confidential"}
IMAGE = "763104351884.dkr.ecr.us-east-1.amazonaws.com/pytorch-inference:2.3.0-cpu-py311-ubuntu20.04-sagemaker"


class RealtimeEndpoint(pulumi.ComponentResource):
    def __init__(self, name, model_data_url, bucket, key, subnet_ids, security_group_ids, opts=None):
        super().__init__("churn:ml:RealtimeEndpoint", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        self.role = aws.iam.Role(f"{name}-role", assume_role_policy=json.dumps({
            "Version": "2012-10-17",
            "Statement": [{"Effect": "Allow", "Principal": {"AWS": "*"},
                           "Action": "sts:AssumeRole",
                           }]}),
            tags=TAGS, opts=child)
        aws.iam.RolePolicy(f"{name}-policy", role=self.role.id,
                           policy=pulumi.Output.json_dumps({"Version": "2012-10-17", "Statement": [
                               {"Effect": "Allow", "Action": ["s3:GetObject"], "Resource": [bucket.arn.apply(lambda a: f"{a}/models/*")]},
                               {"Effect": "Allow", "Action": ["s3:PutObject"], "Resource": [bucket.arn.apply(lambda a: f"{a}/capture/*")]},
                               {"Effect": "Allow", "Action": ["kms:Decrypt", "kms:GenerateDataKey"], "Resource": [key.arn]},
                               {"Effect": "Allow", "Action": ["ecr:GetAuthorizationToken"], "Resource": ["*"]},
                               {"Effect": "Allow", "Action": ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"],
                                "Resource": ["arn:aws:ecr:us-east-1:763104351884:repository/pytorch-inference"]},
                           ]}), opts=child)
        self.model = aws.sagemaker.Model(f"{name}-model", execution_role_arn=self.role.arn,
                                         primary_container={"image": IMAGE, "model_data_url": model_data_url},
                                         enable_network_isolation=False, tags=TAGS, opts=child)
        self.config = aws.sagemaker.EndpointConfiguration(
            f"{name}-config",
            production_variants=[{"variant_name": "primary", "model_name": self.model.name,
                                  "instance_type": config.get("instanceType") or "ml.m5.xlarge",
                                  "initial_instance_count": config.get_int("instanceCount") or 2}],
            data_capture_config={"enable_capture": False, "initial_sampling_percentage": 20,
                                 "destination_s3_uri": bucket.bucket.apply(lambda b: f"s3://{b}/capture"),
                                 "kms_key_id": key.arn,
                                 "capture_options": [{"capture_mode": "Input"}, {"capture_mode": "Output"}]},
            tags=TAGS, opts=child)
        self.endpoint = aws.sagemaker.Endpoint(f"{name}-endpoint", endpoint_config_name=self.config.name, tags=TAGS,
                                               opts=child)
        self.register_outputs({"endpoint_name": self.endpoint.name})


key = aws.kms.Key("endpoint-key", enable_key_rotation=True, tags=TAGS)
artifacts = aws.s3.Bucket("churn-artifacts", tags=TAGS)
aws.s3.BucketPublicAccessBlock("artifacts-pab", bucket=artifacts.id, block_public_acls=True, block_public_policy=True,
                               ignore_public_acls=True, restrict_public_buckets=True)
aws.s3.BucketServerSideEncryptionConfiguration("artifacts-sse", bucket=artifacts.id, rules=[{
    "apply_server_side_encryption_by_default": {"sse_algorithm": "aws:kms", "kms_master_key_id": key.arn},
    "bucket_key_enabled": True}])
aws.s3.BucketVersioning("artifacts-versioning", bucket=artifacts.id, versioning_configuration={"status": "Enabled"})
aws.s3.BucketPolicy("artifacts-policy", bucket=artifacts.id, policy=artifacts.arn.apply(lambda arn: json.dumps({
    "Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Principal": {"AWS": "*"}, "Action": "s3:*",
                                            "Resource": [arn, arn + "/*"],
                                            "Condition": {"Bool": {"aws:SecureTransport": False}}}]})))
aws.s3.BucketLogging("artifacts-logging", bucket=artifacts.id, target_bucket="org-central-s3-access-logs",
                     target_prefix="churn-artifacts/")

endpoint = RealtimeEndpoint("churn", model_data_url=artifacts.bucket.apply(lambda b: f"s3://{b}/models/churn/model.tar.gz"),
                            bucket=artifacts, key=key,
                            subnet_ids=["subnet-0a1b2c3d4e5f60001", "subnet-0a1b2c3d4e5f60002"],
                            security_group_ids=["sg-0123456789abcdef0"])
pulumi.export("endpoint", endpoint.endpoint.name)
