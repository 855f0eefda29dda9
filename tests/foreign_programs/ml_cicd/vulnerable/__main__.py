"""ML CI/CD: a CodePipeline (GitHub through CodeStar Connections) runs a CodeBuild training-image build, pushes
to ECR, runs the evaluation suite and publishes a test report; a webhook lets the data team trigger retraining."""
import json

import pulumi
import pulumi_aws as aws

cfg = pulumi.Config()
repository = cfg.require("repository")
branch = cfg.get("branch") or "main"
github_token = cfg.require("githubToken")  # seed: read with require(), not require_secret()
ACCOUNT = aws.get_caller_identity().account_id
REGION = aws.get_region().region
TAGS = {"owner": "ml-platform", "cost-center": "mlp-07", "environment": "prod"}


def assume(service: str) -> str:
    return aws.iam.get_policy_document(statements=[{
        "effect": "Allow", "actions": ["sts:AssumeRole"],
        "principals": [{"type": "Service", "identifiers": [service]}]}]).json


artifacts = aws.s3.Bucket("pipeline-artifacts", force_destroy=True, tags=TAGS)
aws.s3.BucketPublicAccessBlock("pipeline-artifacts", bucket=artifacts.id, block_public_acls=True,
                               block_public_policy=True, ignore_public_acls=True, restrict_public_buckets=True)
aws.s3.BucketServerSideEncryptionConfiguration("pipeline-artifacts", bucket=artifacts.id, rules=[{
    "apply_server_side_encryption_by_default": {"sse_algorithm": "AES256"}}])

# seed: mutable tags, no scan on push
images = aws.ecr.Repository("training-image", image_tag_mutability="MUTABLE",
                            image_scanning_configuration={"scan_on_push": False}, force_delete=True, tags=TAGS)

github = aws.codestarconnections.Connection("github", provider_type="GitHub", tags=TAGS)

build_role = aws.iam.Role("codebuild", assume_role_policy=assume("codebuild.amazonaws.com"), tags=TAGS)
# seed: the build role is an administrator
aws.iam.RolePolicyAttachment("codebuild-admin", role=build_role.name,
                             policy_arn="arn:aws:iam::aws:policy/AdministratorAccess")

# seed: the GitHub token stored as a literal source credential
aws.codebuild.SourceCredential("github-pat", auth_type="PERSONAL_ACCESS_TOKEN", server_type="GITHUB",
                               token=github_token)

build = aws.codebuild.Project("train-image", service_role=build_role.arn, build_timeout=60,
    # seed: public build logs and artifacts
    project_visibility="PUBLIC_READ",
    source={"type": "GITHUB", "location": f"https://github.com/{repository}.git", "git_clone_depth": 1,
            "buildspec": "ci/buildspec-image.yml",
            "insecure_ssl": True},  # seed: the source's TLS certificate is not verified
    # seed: the shared feature definitions are cloned with an app password in the URL
    secondary_sources=[{"type": "BITBUCKET", "source_identifier": "features",
                        "location": "https://ci-bot:ATBBx7kQ2mZ9pL4vN8rT1wY6cF3hJ5dS@bitbucket.org/acme/features.git"}],
    artifacts={"type": "S3", "location": artifacts.bucket, "encryption_disabled": True},  # seed
    environment={
        "compute_type": "BUILD_GENERAL1_LARGE", "image": "aws/codebuild/standard:7.0", "type": "LINUX_CONTAINER",
        "privileged_mode": True,  # seed: Docker-in-Docker
        "environment_variables": [
            {"name": "ECR_REPO", "value": images.repository_url},
            {"name": "HF_TOKEN", "value": "hf_aBcDeFgHiJkLmNoPqRsTuVwXyZ0123456789"},  # seed: plaintext token
            {"name": "WANDB_API_KEY", "value": "0123456789abcdef0123456789abcdef01234567", "type": "PLAINTEXT"},
        ]},
    logs_config={"cloudwatch_logs": {"status": "DISABLED"}, "s3_logs": {"status": "DISABLED"}},  # seed: no logs
    tags=TAGS)

# seed: the evaluation suite's report export is not encrypted
aws.codebuild.ReportGroup("eval-reports", type="TEST", export_config={
    "type": "S3", "s3_destination": {"bucket": artifacts.id, "encryption_disabled": True, "packaging": "NONE",
                                     "path": "/reports", "encryption_key": "alias/aws/s3"}}, tags=TAGS)

pipeline_role = aws.iam.Role("codepipeline", assume_role_policy=assume("codepipeline.amazonaws.com"), tags=TAGS)
aws.iam.RolePolicy("codepipeline", role=pipeline_role.id, policy=aws.iam.get_policy_document_output(statements=[
    {"effect": "Allow", "actions": ["s3:GetObject", "s3:PutObject", "s3:GetBucketVersioning"],
     "resources": [artifacts.arn, artifacts.arn.apply(lambda a: f"{a}/*")]},
    {"effect": "Allow", "actions": ["codebuild:*"], "resources": ["*"]},
    {"effect": "Allow", "actions": ["codestar-connections:UseConnection"], "resources": [github.arn]},
    {"effect": "Allow", "actions": ["iam:PassRole"], "resources": ["*"]},  # seed: pass any role to any service
]).json)

pipeline = aws.codepipeline.Pipeline("churn-model", role_arn=pipeline_role.arn, pipeline_type="V2",
    artifact_stores=[{"location": artifacts.bucket, "type": "S3"}],  # seed: no customer-managed key
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

# seed: anyone who knows the URL can start a retraining run
aws.codepipeline.Webhook("retrain", authentication="UNAUTHENTICATED", target_action="Source",
    target_pipeline=pipeline.name, filters=[{"json_path": "$.ref", "match_equals": "refs/heads/{Branch}"}], tags=TAGS)

pulumi.export("pipeline", pipeline.name)
