"""Model inference without servers (the hackathon version): a re-ranking model on a public App Runner service
with no web ACL, its Hugging Face token as a plain runtime variable and an instance role that reads every bucket;
an embedding model as a Lambda container image behind an unauthenticated function URL open to every origin."""
import json

import pulumi
import pulumi_aws as aws

tags = {"owner": "search", "cost-center": "se-4", "environment": "prod", "data-classification": "internal"}

repo = aws.ecr.Repository("reranker", image_tag_mutability="MUTABLE", tags=tags,
                          image_scanning_configuration={"scan_on_push": False})


def service_role(name: str, service: str) -> aws.iam.Role:
    return aws.iam.Role(name, tags=tags, assume_role_policy=json.dumps({"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Action": "sts:AssumeRole", "Principal": {"Service": service}}]}))


access_role = service_role("apprunner-ecr", "build.apprunner.amazonaws.com")
aws.iam.RolePolicyAttachment("apprunner-ecr", role=access_role.name,
    policy_arn="arn:aws:iam::aws:policy/service-role/AWSAppRunnerServicePolicyForECRAccess")
instance_role = service_role("reranker-instance", "tasks.apprunner.amazonaws.com")
aws.iam.RolePolicy("reranker-instance", role=instance_role.id, policy=json.dumps({"Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Action": ["s3:*"], "Resource": "*"}]}))

aws.apprunner.Service("reranker", service_name="reranker", tags=tags,
    source_configuration={
        "authentication_configuration": {"access_role_arn": access_role.arn},
        "auto_deployments_enabled": True,
        "image_repository": {"image_identifier": repo.repository_url.apply(lambda url: f"{url}:latest"),
                             "image_repository_type": "ECR",
                             "image_configuration": {"port": "8080", "runtime_environment_variables": {
                                 "MODEL_NAME": "bge-reranker", "HF_TOKEN": "hf_kXyZaBcDeFgHiJkLmNoPqRsTuVwXyZ012345"}}}},
    instance_configuration={"cpu": "2048", "memory": "4096", "instance_role_arn": instance_role.arn})

lambda_role = service_role("embedder", "lambda.amazonaws.com")
aws.iam.RolePolicyAttachment("embedder-basic", role=lambda_role.name,
    policy_arn="arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole")
embedder = aws.lambda_.Function("embedder", name="embedder", package_type="Image", role=lambda_role.arn,
    image_uri=repo.repository_url.apply(lambda url: f"{url}:embedder"), memory_size=3008, timeout=30, publish=True,
    environment={"variables": {"MODEL_NAME": "bge-small-en", "OPENAI_API_KEY": "sk-proj-4f9a8b7c6d5e4f3a2b1c0d9e8f7a6b5c"}},
    tags=tags)
live = aws.lambda_.Alias("embedder-live", function_name=embedder.name, function_version=embedder.version)
aws.lambda_.ProvisionedConcurrencyConfig("embedder-warm", function_name=embedder.name, qualifier=live.name,
                                         provisioned_concurrent_executions=5)
url = aws.lambda_.FunctionUrl("embedder", function_name=embedder.name, qualifier=live.name, authorization_type="NONE",
                              cors={"allow_origins": ["*"], "allow_methods": ["*"], "allow_headers": ["*"]})

pulumi.export("embedder_url", url.function_url)
