"""LLM inference on ECS on EC2 GPUs (copied from a forum post): container instances with IMDSv1 reachable from
the tasks, a vLLM task in host network mode running as root with SYS_ADMIN, the Docker socket mounted for a
metrics sidecar, the Hugging Face token in its environment, one role for execution and the task."""
import base64
import json

import pulumi
import pulumi_aws as aws

tags = {"owner": "genai", "cost-center": "ga-2", "environment": "prod", "data-classification": "internal"}
ACCOUNT, REGION = "123456789012", "us-east-1"
VPC = "vpc-0abc1234def567890"
SUBNETS = ["subnet-0a1b2c3d4e5f60001", "subnet-0a1b2c3d4e5f60002"]
GPU_AMI = "ami-0fedcba9876543210"

cluster = aws.ecs.Cluster("llm", tags=tags)

node_role = aws.iam.Role("gpu-node", tags=tags, assume_role_policy=json.dumps({"Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole", "Principal": {"Service": "ec2.amazonaws.com"}}]}))
aws.iam.RolePolicyAttachment("gpu-node-ecs", role=node_role.name,
    policy_arn="arn:aws:iam::aws:policy/service-role/AmazonEC2ContainerServiceforEC2Role")
profile = aws.iam.InstanceProfile("gpu-node", role=node_role.name, tags=tags)

template = aws.ec2.LaunchTemplate("gpu-node", image_id=GPU_AMI, instance_type="g5.12xlarge", tags=tags,
    iam_instance_profile={"arn": profile.arn},
    metadata_options={"http_endpoint": "enabled", "http_tokens": "optional", "http_put_response_hop_limit": 2},
    block_device_mappings=[{"device_name": "/dev/xvda", "ebs": {"volume_size": 200, "volume_type": "gp3",
                                                                "encrypted": "true"}}],
    user_data=cluster.name.apply(lambda name: base64.b64encode(
        f"#!/bin/bash\necho ECS_CLUSTER={name} >> /etc/ecs/ecs.config\n".encode()).decode()))
group = aws.autoscaling.Group("gpu-nodes", min_size=0, max_size=4, vpc_zone_identifiers=SUBNETS,
    launch_template={"id": template.id, "version": "$Latest"},
    tags=[{"key": k, "value": v, "propagate_at_launch": True} for k, v in tags.items()])
provider = aws.ecs.CapacityProvider("gpu", tags=tags, auto_scaling_group_provider={
    "auto_scaling_group_arn": group.arn, "managed_scaling": {"status": "ENABLED", "target_capacity": 100}})
aws.ecs.ClusterCapacityProviders("llm", cluster_name=cluster.name, capacity_providers=[provider.name])

task_role = aws.iam.Role("vllm", tags=tags, assume_role_policy=json.dumps({"Version": "2012-10-17", "Statement": [{
    "Effect": "Allow", "Action": "sts:AssumeRole", "Principal": {"Service": "ecs-tasks.amazonaws.com"}}]}))
aws.iam.RolePolicyAttachment("vllm-execution", role=task_role.name,
    policy_arn="arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy")

task = aws.ecs.TaskDefinition("vllm", family="vllm", network_mode="host", requires_compatibilities=["EC2"],
    execution_role_arn=task_role.arn, task_role_arn=task_role.arn, tags=tags,
    volumes=[{"name": "docker-sock", "host_path": "/var/run/docker.sock"}],
    container_definitions=json.dumps([
        {"name": "vllm", "image": f"{ACCOUNT}.dkr.ecr.{REGION}.amazonaws.com/genai/vllm:latest", "essential": True,
         "memory": 61440, "portMappings": [{"containerPort": 8000, "hostPort": 8000}],
         "resourceRequirements": [{"type": "GPU", "value": "4"}],
         "linuxParameters": {"capabilities": {"add": ["SYS_ADMIN", "IPC_LOCK"]}},
         "environment": [{"name": "MODEL_ID", "value": "meta-llama/Meta-Llama-3-8B-Instruct"},
                         {"name": "HF_TOKEN", "value": "hf_kXyZaBcDeFgHiJkLmNoPqRsTuVwXyZ012345"}]},
        {"name": "metrics", "image": "docker.io/prom/cadvisor:v0.47.2", "essential": False, "memory": 256,
         "mountPoints": [{"sourceVolume": "docker-sock", "containerPath": "/var/run/docker.sock"}]}]))

aws.ecs.Service("vllm", cluster=cluster.arn, task_definition=task.arn, desired_count=2, tags=tags,
    capacity_provider_strategies=[{"capacity_provider": provider.name, "weight": 1}])
