"""Self-managed GPU training on EC2: a launch template (IMDSv2, encrypted volumes on a CMK, no public IP,
user data that reads the W&B key from Secrets Manager at boot) behind a spot Auto Scaling group and an EC2
spot fleet, and one on-demand debug instance. Instance profile scoped to the run's bucket and secret."""
import base64
import json

import pulumi
import pulumi_aws as aws

tags = {"owner": "research", "cost-center": "rs-12", "environment": "prod", "data-classification": "internal"}
VPC = "vpc-0abc1234def567890"
VPC_CIDR = "10.30.0.0/16"
SUBNETS = ["subnet-0a1b2c3d4e5f60001", "subnet-0a1b2c3d4e5f60002"]
AMI = "ami-0123456789abcdef0"  # Deep Learning Base OSS Nvidia Driver GPU AMI (Amazon Linux 2023)
WANDB_SECRET = "arn:aws:secretsmanager:us-east-1:123456789012:secret:research/wandb-AbCdEf"

key = aws.kms.Key("training-ebs", description="GPU training volumes", enable_key_rotation=True, tags=tags)
aws.ebs.EncryptionByDefault("ebs-default", enabled=True)
aws.ebs.DefaultKmsKey("ebs-default-key", key_arn=key.arn)

role = aws.iam.Role("trainer", tags=tags, assume_role_policy=json.dumps({"Version": "2012-10-17", "Statement": [{
    "Effect": "Allow", "Action": "sts:AssumeRole", "Principal": {"Service": "ec2.amazonaws.com"}}]}))
aws.iam.RolePolicyAttachment("trainer-ssm", role=role.name,
                             policy_arn="arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore")
aws.iam.RolePolicy("trainer-data", role=role.id, policy=json.dumps({"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Action": ["s3:GetObject", "s3:ListBucket"],
     "Resource": ["arn:aws:s3:::research-datasets", "arn:aws:s3:::research-datasets/imagenet/*"]},
    {"Effect": "Allow", "Action": ["s3:PutObject"], "Resource": "arn:aws:s3:::research-checkpoints/runs/*"},
    {"Effect": "Allow", "Action": ["secretsmanager:GetSecretValue"], "Resource": WANDB_SECRET}]}))
profile = aws.iam.InstanceProfile("trainer", role=role.name, tags=tags)

sg = aws.ec2.SecurityGroup("trainer", vpc_id=VPC, description="GPU trainers", tags=tags,
    ingress=[{"protocol": "tcp", "from_port": 29500, "to_port": 29500, "self": True,
              "description": "torch.distributed rendezvous between trainers"}],
    egress=[{"protocol": "tcp", "from_port": 443, "to_port": 443, "cidr_blocks": [VPC_CIDR],
             "description": "VPC endpoints (S3, Secrets Manager, SSM)"}])

user_data = """#!/bin/bash
set -euo pipefail
export WANDB_API_KEY=$(aws secretsmanager get-secret-value --secret-id research/wandb --query SecretString --output text)
/opt/train/launch.sh --nnodes 4
"""

template = aws.ec2.LaunchTemplate("trainer", image_id=AMI, instance_type="p4d.24xlarge", tags=tags,
    iam_instance_profile={"arn": profile.arn},
    metadata_options={"http_endpoint": "enabled", "http_tokens": "required", "http_put_response_hop_limit": 1},
    network_interfaces=[{"associate_public_ip_address": False, "security_groups": [sg.id],
                         "delete_on_termination": True}],
    block_device_mappings=[{"device_name": "/dev/xvda", "ebs": {
        "volume_size": 500, "volume_type": "gp3", "encrypted": "true", "kms_key_id": key.arn,
        "delete_on_termination": "true"}}],
    user_data=base64.b64encode(user_data.encode()).decode(),
    tag_specifications=[{"resource_type": "instance", "tags": tags}, {"resource_type": "volume", "tags": tags}])

aws.autoscaling.Group("trainers", min_size=0, max_size=4, desired_capacity=0, vpc_zone_identifiers=SUBNETS,
    capacity_rebalance=True,
    mixed_instances_policy={
        "instances_distribution": {"on_demand_base_capacity": 0, "on_demand_percentage_above_base_capacity": 0,
                                   "spot_allocation_strategy": "capacity-optimized"},
        "launch_template": {"launch_template_specification": {"launch_template_id": template.id,
                                                              "version": template.latest_version.apply(str)},
                            "overrides": [{"instance_type": "p4d.24xlarge"}, {"instance_type": "p5.48xlarge"}]}},
    tags=[{"key": k, "value": v, "propagate_at_launch": True} for k, v in tags.items()])

fleet_role = aws.iam.Role("spot-fleet", tags=tags, assume_role_policy=json.dumps({"Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole", "Principal": {"Service": "spotfleet.amazonaws.com"}}]}))
aws.iam.RolePolicyAttachment("spot-fleet-tagging", role=fleet_role.name,
                             policy_arn="arn:aws:iam::aws:policy/service-role/AmazonEC2SpotFleetTaggingRole")
aws.ec2.SpotFleetRequest("sweep", iam_fleet_role=fleet_role.arn, target_capacity=2,
    allocation_strategy="capacityOptimized", terminate_instances_with_expiration=True, tags=tags,
    launch_template_configs=[{
        "launch_template_specification": {"id": template.id, "version": template.latest_version.apply(str)},
        "overrides": [{"subnet_id": SUBNETS[0], "instance_type": "g5.12xlarge"},
                      {"subnet_id": SUBNETS[1], "instance_type": "g5.12xlarge"}]}])

debug = aws.ec2.Instance("debug", ami=AMI, instance_type="g5.2xlarge", subnet_id=SUBNETS[0],
    vpc_security_group_ids=[sg.id], iam_instance_profile=profile.name, associate_public_ip_address=False,
    metadata_options={"http_endpoint": "enabled", "http_tokens": "required", "http_put_response_hop_limit": 1},
    root_block_device={"volume_size": 300, "volume_type": "gp3", "encrypted": True, "kms_key_id": key.arn},
    monitoring=True, ebs_optimized=True, user_data=user_data, tags={**tags, "Name": "gpu-debug"})

pulumi.export("debug_instance", debug.id)
