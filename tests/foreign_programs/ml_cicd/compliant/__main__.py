"""ML CI/CD: a CodePipeline (GitHub through CodeStar Connections) runs a CodeBuild training-image build, pushes
to ECR, runs the evaluation suite and publishes a test report; a webhook lets the data team trigger retraining."""
import json

import pulumi
import pulumi_aws as aws

cfg = pulumi.Config()
repository = cfg.require("repository")
branch = cfg.get("branch") or "main"
webhook_secret = cfg.require_secret("webhookSecret")
ACCOUNT = aws.get_caller_identity().account_id
REGION = aws.get_region().region
TAGS = {"owner": "ml-platform", "cost-center": "mlp-07", "environment": "prod", "data-classification": "internal"}
PROTECT = pulumi.ResourceOptions(protect=True)


def assume(service: str) -> str:
    return aws.iam.get_policy_document(statements=[{
        "effect": "Allow", "actions": ["sts:AssumeRole"],
        "principals": [{"type": "Service", "identifiers": [service]}],
        "conditions": [{"test": "StringEquals", "variable": "aws:SourceAccount", "values": [ACCOUNT]}]}]).json


key = aws.kms.Key("cicd", description="CI/CD artifacts, reports and logs", enable_key_rotation=True, tags=TAGS,
                  opts=PROTECT)

artifacts = aws.s3.Bucket("pipeline-artifacts", tags=TAGS, opts=PROTECT)
aws.s3.BucketPublicAccessBlock("pipeline-artifacts", bucket=artifacts.id, block_public_acls=True,
                               block_public_policy=True, ignore_public_acls=True, restrict_public_buckets=True)
aws.s3.BucketServerSideEncryptionConfiguration("pipeline-artifacts", bucket=artifacts.id, rules=[{
    "apply_server_side_encryption_by_default": {"sse_algorithm": "aws:kms", "kms_master_key_id": key.arn},
    "bucket_key_enabled": True}])
aws.s3.BucketVersioning("pipeline-artifacts", bucket=artifacts.id, versioning_configuration={"status": "Enabled"})
aws.s3.BucketLogging("pipeline-artifacts", bucket=artifacts.id, target_bucket="org-central-s3-access-logs",
                     target_prefix="pipeline-artifacts/")
aws.s3.BucketPolicy("pipeline-artifacts", bucket=artifacts.id, policy=aws.iam.get_policy_document_output(statements=[{
    "sid": "DenyInsecureTransport", "effect": "Deny", "actions": ["s3:*"],
    "principals": [{"type": "*", "identifiers": ["*"]}],
    "resources": [artifacts.arn, artifacts.arn.apply(lambda a: f"{a}/*")],
    "conditions": [{"test": "Bool", "variable": "aws:SecureTransport", "values": ["false"]}]}]).json)

images = aws.ecr.Repository("training-image", image_tag_mutability="IMMUTABLE",
                            image_scanning_configuration={"scan_on_push": True},
                            encryption_configurations=[{"encryption_type": "KMS", "kms_key": key.arn}], tags=TAGS,
                            opts=PROTECT)

github = aws.codestarconnections.Connection("github", provider_type="GitHub", tags=TAGS)

build_logs = aws.cloudwatch.LogGroup("codebuild", name="/aws/codebuild/train-image", retention_in_days=365,
                                     kms_key_id=key.arn, tags=TAGS)
hf_token = aws.secretsmanager.Secret("hf-token", kms_key_id=key.arn, tags=TAGS,
                                     description="Hugging Face read token for base models")
aws.secretsmanager.SecretRotation("hf-token", secret_id=hf_token.id,
    rotation_lambda_arn=f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:hf-token-rotator",
    rotation_rules={"automatically_after_days": 30})

build_role = aws.iam.Role("codebuild", assume_role_policy=assume("codebuild.amazonaws.com"), tags=TAGS)
aws.iam.RolePolicy("codebuild", role=build_role.id, policy=aws.iam.get_policy_document_output(statements=[
    {"effect": "Allow", "actions": ["logs:CreateLogStream", "logs:PutLogEvents"],
     "resources": [build_logs.arn.apply(lambda a: f"{a}:*")]},
    {"effect": "Allow", "actions": ["s3:GetObject", "s3:PutObject"], "resources": [artifacts.arn.apply(lambda a: f"{a}/*")]},
    {"effect": "Allow", "actions": ["ecr:GetAuthorizationToken"], "resources": ["*"]},
    {"effect": "Allow", "actions": ["ecr:BatchCheckLayerAvailability", "ecr:InitiateLayerUpload", "ecr:UploadLayerPart",
                                    "ecr:CompleteLayerUpload", "ecr:PutImage", "ecr:BatchGetImage"],
     "resources": [images.arn]},
    {"effect": "Allow", "actions": ["secretsmanager:GetSecretValue"], "resources": [hf_token.arn]},
    {"effect": "Allow", "actions": ["kms:Decrypt", "kms:GenerateDataKey"], "resources": [key.arn]},
    {"effect": "Allow", "actions": ["codebuild:CreateReport", "codebuild:UpdateReport", "codebuild:BatchPutTestCases"],
     "resources": [f"arn:aws:codebuild:{REGION}:{ACCOUNT}:report-group/*"]},
]).json)

build = aws.codebuild.Project("train-image", service_role=build_role.arn, build_timeout=60, encryption_key=key.arn,
    source={"type": "CODEPIPELINE", "buildspec": "ci/buildspec-image.yml"},
    artifacts={"type": "CODEPIPELINE"},
    environment={
        "compute_type": "BUILD_GENERAL1_LARGE", "image": "aws/codebuild/standard:7.0", "type": "LINUX_CONTAINER",
        "image_pull_credentials_type": "CODEBUILD",
        "environment_variables": [
            {"name": "ECR_REPO", "value": images.repository_url},
            {"name": "HF_TOKEN", "value": hf_token.arn.apply(lambda a: f"{a}:token"), "type": "SECRETS_MANAGER"},
        ]},
    logs_config={"cloudwatch_logs": {"status": "ENABLED", "group_name": build_logs.name}},
    tags=TAGS)

aws.codebuild.ReportGroup("eval-reports", type="TEST", export_config={
    "type": "S3", "s3_destination": {"bucket": artifacts.id, "encryption_key": key.arn, "packaging": "ZIP",
                                     "path": "/reports"}}, tags=TAGS)

pipeline_role = aws.iam.Role("codepipeline", assume_role_policy=assume("codepipeline.amazonaws.com"), tags=TAGS)
aws.iam.RolePolicy("codepipeline", role=pipeline_role.id, policy=aws.iam.get_policy_document_output(statements=[
    {"effect": "Allow", "actions": ["s3:GetObject", "s3:PutObject", "s3:GetBucketVersioning"],
     "resources": [artifacts.arn, artifacts.arn.apply(lambda a: f"{a}/*")]},
    {"effect": "Allow", "actions": ["codebuild:StartBuild", "codebuild:BatchGetBuilds"], "resources": [build.arn]},
    {"effect": "Allow", "actions": ["codestar-connections:UseConnection"], "resources": [github.arn]},
    {"effect": "Allow", "actions": ["kms:Decrypt", "kms:GenerateDataKey"], "resources": [key.arn]},
]).json)

pipeline = aws.codepipeline.Pipeline("churn-model", role_arn=pipeline_role.arn, pipeline_type="V2",
    artifact_stores=[{"location": artifacts.bucket, "type": "S3",
                      "encryption_key": {"id": key.arn, "type": "KMS"}}],
    stages=[
        {"name": "Source", "actions": [{
            "name": "Source", "category": "Source", "owner": "AWS", "provider": "CodeStarSourceConnection",
            "version": "1", "output_artifacts": ["source"],
            "configuration": {"ConnectionArn": github.arn, "FullRepositoryId": repository, "BranchName": branch}}]},
        {"name": "Build", "actions": [{
            "name": "Image", "category": "Build", "owner": "AWS", "provider": "CodeBuild", "version": "1",
            "input_artifacts": ["source"], "output_artifacts": ["image"],
            "configuration": {"ProjectName": build.name}}]},
    ], tags=TAGS)

aws.codepipeline.Webhook("retrain", authentication="GITHUB_HMAC",
    authentication_configuration={"secret_token": webhook_secret}, target_action="Source",
    target_pipeline=pipeline.name, filters=[{"json_path": "$.ref", "match_equals": "refs/heads/{Branch}"}], tags=TAGS)

pulumi.export("pipeline", pipeline.name)
