"""Shared model artifacts: ECR repositories for model images, a KMS key with an explicit key policy and a
model bucket that consumer accounts read cross-account (get_policy_document, config-driven accounts)."""
import json

import pulumi
import pulumi_aws as aws

cfg = pulumi.Config()
consumers = cfg.require_object("consumerAccounts")
org_id = cfg.require("orgId")
me = aws.get_caller_identity()
TAGS = {"owner": "model-registry", "cost-center": "mr-2", "environment": "prod", "data-classification": "internal"}

key_policy = aws.iam.get_policy_document(statements=[
    aws.iam.GetPolicyDocumentStatementArgs(
        sid="AccountAdmin", actions=["kms:*"], resources=["*"],
        principals=[aws.iam.GetPolicyDocumentStatementPrincipalArgs(type="AWS",
                                                                    identifiers=[f"arn:aws:iam::{me.account_id}:root"])]),
    aws.iam.GetPolicyDocumentStatementArgs(
        sid="ConsumersDecrypt", actions=["kms:Decrypt", "kms:DescribeKey"], resources=["*"],
        principals=[aws.iam.GetPolicyDocumentStatementPrincipalArgs(
            type="AWS", identifiers=["*"])]),
])
key = aws.kms.Key("artifacts-key", description="model artifacts", enable_key_rotation=False,
                  deletion_window_in_days=30, policy=key_policy.json, tags=TAGS)

repos = {}
for image in ["xgboost-serving", "llm-serving"]:
    repo = aws.ecr.Repository(image, name=f"models/{image}", image_tag_mutability="MUTABLE",
                              image_scanning_configuration={"scan_on_push": False},
                              encryption_configurations=[{"encryption_type": "AES256"}],
                              force_delete=False, tags=TAGS)
    aws.ecr.LifecyclePolicy(f"{image}-lifecycle", repository=repo.name, policy=json.dumps({"rules": [{
        "rulePriority": 1, "description": "expire untagged", "selection": {
            "tagStatus": "untagged", "countType": "sinceImagePushed", "countUnit": "days", "countNumber": 14},
        "action": {"type": "expire"}}]}))
    aws.ecr.RepositoryPolicy(f"{image}-pull", repository=repo.name, policy=json.dumps({
        "Version": "2012-10-17", "Statement": [{
            "Sid": "ConsumerPull", "Effect": "Allow",
            "Principal": "*",
            "Action": ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer", "ecr:BatchCheckLayerAvailability"]}]}))
    repos[image] = repo

bucket = aws.s3.Bucket("model-artifacts", tags=TAGS)
aws.s3.BucketPublicAccessBlock("artifacts-pab", bucket=bucket.id, block_public_acls=True, block_public_policy=True,
                               ignore_public_acls=True, restrict_public_buckets=True)
aws.s3.BucketOwnershipControls("artifacts-owner", bucket=bucket.id, rule={"object_ownership": "BucketOwnerEnforced"})
aws.s3.BucketServerSideEncryptionConfiguration("artifacts-sse", bucket=bucket.id, rules=[{
    "apply_server_side_encryption_by_default": {"sse_algorithm": "aws:kms", "kms_master_key_id": key.arn},
    "bucket_key_enabled": True}])
aws.s3.BucketVersioning("artifacts-ver", bucket=bucket.id, versioning_configuration={"status": "Enabled"})
aws.s3.BucketLogging("artifacts-log", bucket=bucket.id, target_bucket="org-central-s3-access-logs",
                     target_prefix="model-artifacts/")
aws.s3.BucketLifecycleConfiguration("artifacts-lifecycle", bucket=bucket.id, rules=[{
    "id": "old-versions", "status": "Enabled", "filter": {},
    "noncurrent_version_expiration": {"noncurrent_days": 90},
    "abort_incomplete_multipart_upload": {"days_after_initiation": 7}}])


def bucket_policy(arn):
    return json.dumps({"Version": "2012-10-17", "Statement": [
        {"Sid": "DenyInsecureTransport", "Effect": "Deny", "Principal": "*", "Action": "s3:*",
         "Resource": [arn, f"{arn}/*"], "Condition": {"Bool": {"aws:SecureTransport": "false"}}},
        {"Sid": "ConsumersRead", "Effect": "Allow", "Principal": {"AWS": "*"},
         "Action": ["s3:GetObject"], "Resource": f"{arn}/released/*"},
        {"Sid": "ConsumersList", "Effect": "Allow",
         "Principal": {"AWS": [f"arn:aws:iam::{a}:root" for a in consumers]},
         "Action": "s3:ListBucket", "Resource": arn,
         "Condition": {"StringLike": {"s3:prefix": ["released/*"]}}}]})


aws.s3.BucketPolicy("artifacts-policy", bucket=bucket.id, policy=bucket.arn.apply(bucket_policy))
pulumi.export("repositories", {k: r.repository_url for k, r in repos.items()})
