"""Self-managed GPU training on EC2 (the weekend version): a launch template with IMDSv1, a plaintext volume and
public IPs; a hyper-parameter sweep on a spot fleet from inline launch specifications (public IPs, a plaintext
root volume, the W&B and Hugging Face tokens in its user data); a debug instance with a public IP, IMDSv1 and
Jupyter open to the world; and a trainer role that can do anything."""
import base64
import json

import pulumi
import pulumi_aws as aws

tags = {"owner": "research", "cost-center": "rs-12", "environment": "prod", "data-classification": "internal"}
VPC = "vpc-0abc1234def567890"
SUBNETS = ["subnet-0a1b2c3d4e5f60001", "subnet-0a1b2c3d4e5f60002"]
AMI = "ami-0123456789abcdef0"

role = aws.iam.Role("trainer", tags=tags, assume_role_policy=json.dumps({"Version": "2012-10-17", "Statement": [{
    "Effect": "Allow", "Action": "sts:AssumeRole", "Principal": {"Service": "ec2.amazonaws.com"}}]}))
aws.iam.RolePolicy("trainer-all", role=role.id, policy=json.dumps({"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Action": "*", "Resource": "*"}]}))
profile = aws.iam.InstanceProfile("trainer", role=role.name, tags=tags)

sg = aws.ec2.SecurityGroup("trainer", vpc_id=VPC, description="GPU trainers", tags=tags,
    ingress=[{"protocol": "tcp", "from_port": 22, "to_port": 22, "cidr_blocks": ["0.0.0.0/0"], "description": "ssh"},
             {"protocol": "tcp", "from_port": 8888, "to_port": 8888, "cidr_blocks": ["0.0.0.0/0"],
              "description": "jupyter"}],
    egress=[{"protocol": "-1", "from_port": 0, "to_port": 0, "cidr_blocks": ["0.0.0.0/0"]}])

user_data = """#!/bin/bash
export WANDB_API_KEY=8f3c2a9b7d6e5f4a3b2c1d0e9f8a7b6c5d4e3f2a
export HF_TOKEN=hf_kXyZaBcDeFgHiJkLmNoPqRsTuVwXyZ012345
/opt/train/launch.sh --nnodes 4
"""

template = aws.ec2.LaunchTemplate("trainer", image_id=AMI, instance_type="p4d.24xlarge", tags=tags,
    iam_instance_profile={"arn": profile.arn},
    metadata_options={"http_endpoint": "enabled", "http_tokens": "optional"},
    network_interfaces=[{"associate_public_ip_address": True, "security_groups": [sg.id]}],
    block_device_mappings=[{"device_name": "/dev/xvda", "ebs": {"volume_size": 500, "volume_type": "gp3"}}],
    user_data=base64.b64encode(b"#!/bin/bash\n/opt/train/launch.sh --nnodes 4\n").decode())

aws.autoscaling.Group("trainers", min_size=0, max_size=4, desired_capacity=0, vpc_zone_identifiers=SUBNETS,
    mixed_instances_policy={
        "instances_distribution": {"on_demand_percentage_above_base_capacity": 0},
        "launch_template": {"launch_template_specification": {"launch_template_id": template.id,
                                                              "version": "$Latest"},
                            "overrides": [{"instance_type": "p4d.24xlarge"}]}},
    tags=[{"key": k, "value": v, "propagate_at_launch": True} for k, v in tags.items()])

fleet_role = aws.iam.Role("spot-fleet", tags=tags, assume_role_policy=json.dumps({"Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole", "Principal": {"Service": "spotfleet.amazonaws.com"}}]}))
aws.iam.RolePolicyAttachment("spot-fleet-tagging", role=fleet_role.name,
                             policy_arn="arn:aws:iam::aws:policy/service-role/AmazonEC2SpotFleetTaggingRole")
aws.ec2.SpotFleetRequest("sweep", iam_fleet_role=fleet_role.arn, target_capacity=2, tags=tags,
    launch_specifications=[{
        "ami": AMI, "instance_type": "g5.12xlarge", "subnet_id": SUBNETS[0], "iam_instance_profile_arn": profile.arn,
        "associate_public_ip_address": True, "vpc_security_group_ids": [sg.id],
        "root_block_devices": [{"volume_size": 300, "volume_type": "gp3", "encrypted": False}],
        "user_data": user_data}])

debug = aws.ec2.Instance("debug", ami=AMI, instance_type="g5.2xlarge", subnet_id=SUBNETS[0],
    vpc_security_group_ids=[sg.id], iam_instance_profile=profile.name, associate_public_ip_address=True,
    key_name="research-shared",
    root_block_device={"volume_size": 300, "volume_type": "gp3", "encrypted": True},
    tags={**tags, "Name": "gpu-debug"})

pulumi.export("debug_ip", debug.public_ip)
