"""LLM inference on ECS on EC2 GPUs: a capacity provider over an Auto Scaling group of g5 instances (ECS GPU-
optimized AMI, IMDSv2, encrypted volumes), a vLLM task in awsvpc mode as a non-root user with a read-only root
filesystem and no capabilities, its Hugging Face token from Secrets Manager, separate execution and task roles."""
import base64
import json

import pulumi
import pulumi_aws as aws

tags = {"owner": "genai", "cost-center": "ga-2", "environment": "prod", "data-classification": "internal"}
ACCOUNT, REGION = "123456789012", "us-east-1"
VPC = "vpc-0abc1234def567890"
VPC_CIDR = "10.70.0.0/16"
SUBNETS = ["subnet-0a1b2c3d4e5f60001", "subnet-0a1b2c3d4e5f60002"]
GPU_AMI = "ami-0fedcba9876543210"  # /aws/service/ecs/optimized-ami/amazon-linux-2023/gpu/recommended
HF_SECRET = f"arn:aws:secretsmanager:{REGION}:{ACCOUNT}:secret:genai/hf-token-AbCdEf"
IMAGE = f"{ACCOUNT}.dkr.ecr.{REGION}.amazonaws.com/genai/vllm@sha256:" + "b" * 64

key = aws.kms.Key("genai", description="ECS GPU inference", enable_key_rotation=True, tags=tags)
cluster = aws.ecs.Cluster("llm", settings=[{"name": "containerInsights", "value": "enhanced"}], tags=tags)


def role(name: str, service: str) -> aws.iam.Role:
    return aws.iam.Role(name, tags=tags, assume_role_policy=json.dumps({"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Action": "sts:AssumeRole", "Principal": {"Service": service}}]}))


node_role = role("gpu-node", "ec2.amazonaws.com")
aws.iam.RolePolicyAttachment("gpu-node-ecs", role=node_role.name,
    policy_arn="arn:aws:iam::aws:policy/service-role/AmazonEC2ContainerServiceforEC2Role")
aws.iam.RolePolicyAttachment("gpu-node-ssm", role=node_role.name,
    policy_arn="arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore")
profile = aws.iam.InstanceProfile("gpu-node", role=node_role.name, tags=tags)

node_sg = aws.ec2.SecurityGroup("gpu-node", vpc_id=VPC, description="ECS GPU container instances", tags=tags,
    egress=[{"protocol": "tcp", "from_port": 443, "to_port": 443, "cidr_blocks": [VPC_CIDR],
             "description": "VPC endpoints (ECS, ECR, S3, logs)"}])
template = aws.ec2.LaunchTemplate("gpu-node", image_id=GPU_AMI, instance_type="g5.12xlarge", tags=tags,
    iam_instance_profile={"arn": profile.arn}, vpc_security_group_ids=[node_sg.id],
    metadata_options={"http_endpoint": "enabled", "http_tokens": "required", "http_put_response_hop_limit": 1},
    block_device_mappings=[{"device_name": "/dev/xvda", "ebs": {"volume_size": 200, "volume_type": "gp3",
                                                                "encrypted": "true", "kms_key_id": key.arn}}],
    user_data=cluster.name.apply(lambda name: base64.b64encode(
        f"#!/bin/bash\necho ECS_CLUSTER={name} >> /etc/ecs/ecs.config\necho ECS_ENABLE_GPU_SUPPORT=true >> "
        "/etc/ecs/ecs.config\n".encode()).decode()))
group = aws.autoscaling.Group("gpu-nodes", min_size=0, max_size=4, vpc_zone_identifiers=SUBNETS,
    protect_from_scale_in=True,
    launch_template={"id": template.id, "version": template.latest_version.apply(str)},
    tags=[{"key": "AmazonECSManaged", "value": "true", "propagate_at_launch": True},
          *[{"key": k, "value": v, "propagate_at_launch": True} for k, v in tags.items()]])
provider = aws.ecs.CapacityProvider("gpu", tags=tags, auto_scaling_group_provider={
    "auto_scaling_group_arn": group.arn, "managed_termination_protection": "ENABLED",
    "managed_scaling": {"status": "ENABLED", "target_capacity": 100}})
aws.ecs.ClusterCapacityProviders("llm", cluster_name=cluster.name, capacity_providers=[provider.name],
    default_capacity_provider_strategies=[{"capacity_provider": provider.name, "weight": 1}])

execution_role = role("vllm-execution", "ecs-tasks.amazonaws.com")
aws.iam.RolePolicyAttachment("vllm-execution", role=execution_role.name,
    policy_arn="arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy")
aws.iam.RolePolicy("vllm-execution-secret", role=execution_role.id, policy=json.dumps({"Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Action": "secretsmanager:GetSecretValue", "Resource": HF_SECRET}]}))
task_role = role("vllm-task", "ecs-tasks.amazonaws.com")
aws.iam.RolePolicy("vllm-task", role=task_role.id, policy=json.dumps({"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Action": ["s3:GetObject"], "Resource": "arn:aws:s3:::genai-models/llama-3-8b/*"}]}))
logs = aws.cloudwatch.LogGroup("vllm", name="/ecs/vllm", retention_in_days=365, kms_key_id=key.arn, tags=tags)

task = aws.ecs.TaskDefinition("vllm", family="vllm", network_mode="awsvpc", requires_compatibilities=["EC2"],
    execution_role_arn=execution_role.arn, task_role_arn=task_role.arn, cpu="8192", memory="61440", tags=tags,
    volumes=[{"name": "model-cache"}],
    container_definitions=json.dumps([{
        "name": "vllm", "image": IMAGE, "essential": True, "user": "1000:1000", "readonlyRootFilesystem": True,
        "portMappings": [{"containerPort": 8000, "protocol": "tcp"}],
        "resourceRequirements": [{"type": "GPU", "value": "4"}],
        "linuxParameters": {"capabilities": {"drop": ["ALL"]}, "initProcessEnabled": True,
                            "sharedMemorySize": 8192},
        "mountPoints": [{"sourceVolume": "model-cache", "containerPath": "/models"}],
        "environment": [{"name": "MODEL_ID", "value": "meta-llama/Meta-Llama-3-8B-Instruct"}],
        "secrets": [{"name": "HF_TOKEN", "valueFrom": HF_SECRET}],
        "logConfiguration": {"logDriver": "awslogs", "options": {
            "awslogs-group": "/ecs/vllm", "awslogs-region": REGION, "awslogs-stream-prefix": "vllm"}}}]))

task_sg = aws.ec2.SecurityGroup("vllm", vpc_id=VPC, description="vLLM tasks", tags=tags,
    ingress=[{"protocol": "tcp", "from_port": 8000, "to_port": 8000, "cidr_blocks": [VPC_CIDR],
              "description": "internal API gateway"}],
    egress=[{"protocol": "tcp", "from_port": 443, "to_port": 443, "cidr_blocks": [VPC_CIDR],
             "description": "VPC endpoints"}])
aws.ecs.Service("vllm", cluster=cluster.arn, task_definition=task.arn, desired_count=2, tags=tags,
    capacity_provider_strategies=[{"capacity_provider": provider.name, "weight": 1}],
    network_configuration={"subnets": SUBNETS, "security_groups": [task_sg.id], "assign_public_ip": False},
    deployment_circuit_breaker={"enable": True, "rollback": True}, propagate_tags="SERVICE")
