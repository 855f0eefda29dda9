"""Model inference without servers: a re-ranking model on App Runner (private endpoint through a VPC interface
endpoint, VPC egress, secrets from Secrets Manager, a CMK, X-Ray) and a small embedding model as a Lambda container
image behind an IAM-authenticated function URL with provisioned concurrency."""
import json

import pulumi
import pulumi_aws as aws

tags = {"owner": "search", "cost-center": "se-4", "environment": "prod", "data-classification": "internal"}
ACCOUNT, REGION = "123456789012", "us-east-1"
VPC = "vpc-0abc1234def567890"
VPC_CIDR = "10.60.0.0/16"
SUBNETS = ["subnet-0a1b2c3d4e5f60001", "subnet-0a1b2c3d4e5f60002"]
HF_SECRET = f"arn:aws:secretsmanager:{REGION}:{ACCOUNT}:secret:search/hf-token-AbCdEf"

key = aws.kms.Key("inference", description="App Runner and Lambda", enable_key_rotation=True, tags=tags)
repo = aws.ecr.Repository("reranker", image_tag_mutability="IMMUTABLE", tags=tags,
                          image_scanning_configuration={"scan_on_push": True},
                          encryption_configurations=[{"encryption_type": "KMS", "kms_key": key.arn}])


def service_role(name: str, service: str) -> aws.iam.Role:
    return aws.iam.Role(name, tags=tags, assume_role_policy=json.dumps({"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Action": "sts:AssumeRole", "Principal": {"Service": service}}]}))


access_role = service_role("apprunner-ecr", "build.apprunner.amazonaws.com")
aws.iam.RolePolicyAttachment("apprunner-ecr", role=access_role.name,
    policy_arn="arn:aws:iam::aws:policy/service-role/AWSAppRunnerServicePolicyForECRAccess")
instance_role = service_role("reranker-instance", "tasks.apprunner.amazonaws.com")
aws.iam.RolePolicy("reranker-instance", role=instance_role.id, policy=key.arn.apply(lambda arn: json.dumps({
    "Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": ["secretsmanager:GetSecretValue"], "Resource": HF_SECRET},
        {"Effect": "Allow", "Action": ["s3:GetObject"], "Resource": "arn:aws:s3:::search-models/reranker/*"},
        {"Effect": "Allow", "Action": ["kms:Decrypt"], "Resource": arn}]})))

sg = aws.ec2.SecurityGroup("reranker-egress", vpc_id=VPC, description="App Runner VPC connector", tags=tags,
    egress=[{"protocol": "tcp", "from_port": 443, "to_port": 443, "cidr_blocks": [VPC_CIDR],
             "description": "VPC endpoints and the feature service"}])
connector = aws.apprunner.VpcConnector("reranker", vpc_connector_name="reranker", subnets=SUBNETS,
                                       security_groups=[sg.id], tags=tags)
tracing = aws.apprunner.ObservabilityConfiguration("reranker", observability_configuration_name="reranker",
                                                   trace_configuration={"vendor": "AWSXRAY"}, tags=tags)
service = aws.apprunner.Service("reranker", service_name="reranker", tags=tags,
    source_configuration={
        "authentication_configuration": {"access_role_arn": access_role.arn},
        "auto_deployments_enabled": False,
        "image_repository": {"image_identifier": repo.repository_url.apply(lambda url: f"{url}:2024-11-02"),
                             "image_repository_type": "ECR",
                             "image_configuration": {"port": "8080",
                                                     "runtime_environment_variables": {"MODEL_NAME": "bge-reranker"},
                                                     "runtime_environment_secrets": {"HF_TOKEN": HF_SECRET}}}},
    instance_configuration={"cpu": "2048", "memory": "4096", "instance_role_arn": instance_role.arn},
    encryption_configuration={"kms_key": key.arn},
    network_configuration={"ingress_configuration": {"is_publicly_accessible": False},
                           "egress_configuration": {"egress_type": "VPC", "vpc_connector_arn": connector.arn}},
    observability_configuration={"observability_enabled": True,
                                 "observability_configuration_arn": tracing.arn})
endpoint_sg = aws.ec2.SecurityGroup("reranker-endpoint", vpc_id=VPC, description="App Runner private endpoint",
    tags=tags, ingress=[{"protocol": "tcp", "from_port": 443, "to_port": 443, "cidr_blocks": [VPC_CIDR],
                         "description": "search API"}])
endpoint = aws.ec2.VpcEndpoint("reranker", vpc_id=VPC, vpc_endpoint_type="Interface", subnet_ids=SUBNETS,
                               service_name=f"com.amazonaws.{REGION}.apprunner.requests",
                               security_group_ids=[endpoint_sg.id], tags=tags)
aws.apprunner.VpcIngressConnection("reranker", name="reranker", service_arn=service.arn, tags=tags,
                                   ingress_vpc_configuration={"vpc_id": VPC, "vpc_endpoint_id": endpoint.id})

lambda_role = service_role("embedder", "lambda.amazonaws.com")
aws.iam.RolePolicyAttachment("embedder-vpc", role=lambda_role.name,
    policy_arn="arn:aws:iam::aws:policy/service-role/AWSLambdaVPCAccessExecutionRole")
logs = aws.cloudwatch.LogGroup("embedder", name="/aws/lambda/embedder", retention_in_days=365, kms_key_id=key.arn,
                               tags=tags)
embedder = aws.lambda_.Function("embedder", name="embedder", package_type="Image", role=lambda_role.arn,
    image_uri=repo.repository_url.apply(lambda url: f"{url}:embedder-2024-11-02"), memory_size=3008, timeout=30,
    architectures=["arm64"], kms_key_arn=key.arn, tracing_config={"mode": "Active"}, publish=True,
    reserved_concurrent_executions=50,
    vpc_config={"subnet_ids": SUBNETS, "security_group_ids": [sg.id]},
    environment={"variables": {"MODEL_NAME": "bge-small-en", "HF_TOKEN_SECRET_ARN": HF_SECRET}},
    logging_config={"log_format": "JSON", "log_group": logs.name}, tags=tags)
live = aws.lambda_.Alias("embedder-live", function_name=embedder.name, function_version=embedder.version)
aws.lambda_.ProvisionedConcurrencyConfig("embedder-warm", function_name=embedder.name, qualifier=live.name,
                                         provisioned_concurrent_executions=5)
url = aws.lambda_.FunctionUrl("embedder", function_name=embedder.name, qualifier=live.name,
                              authorization_type="AWS_IAM",
                              cors={"allow_origins": ["https://search.example.com"], "allow_methods": ["POST"]})

pulumi.export("embedder_url", url.function_url)
