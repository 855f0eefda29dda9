"""A raw aws.eks.Cluster with a GPU NodeGroup on a launch template."""
import json
import pulumi
import pulumi_aws as aws

TAGS = {"owner": "ml-platform", "cost-center": "42", "environment": "prod", "data-classification": "internal"}
SUBNETS = ["subnet-0aaa1111bbbb2222c", "subnet-0ddd3333eeee4444f"]


def role(name, service, policies):
    r = aws.iam.Role(name, assume_role_policy=json.dumps({
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Principal": {"Service": service}, "Action": "sts:AssumeRole"}]}),
        tags=TAGS)
    for i, p in enumerate(policies):
        aws.iam.RolePolicyAttachment(f"{name}-{i}", role=r.name, policy_arn=f"arn:aws:iam::aws:policy/{p}")
    return r


key = aws.kms.Key("eks", enable_key_rotation=True, deletion_window_in_days=30, tags=TAGS,
                  opts=pulumi.ResourceOptions(protect=True))
cluster_role = role("eks-cluster", "eks.amazonaws.com", ["AmazonEKSClusterPolicy"])
logs = aws.cloudwatch.LogGroup("eks-logs", name="/aws/eks/ml/cluster", retention_in_days=365, kms_key_id=key.arn,
                               tags=TAGS)
cluster = aws.eks.Cluster(
    "ml",
    name="ml",
    role_arn=cluster_role.arn,
    version="1.31",
    vpc_config=aws.eks.ClusterVpcConfigArgs(subnet_ids=SUBNETS, endpoint_private_access=True,
                                            endpoint_public_access=False),
    access_config=aws.eks.ClusterAccessConfigArgs(authentication_mode="API"),
    encryption_config=aws.eks.ClusterEncryptionConfigArgs(
        resources=["secrets"], provider=aws.eks.ClusterEncryptionConfigProviderArgs(key_arn=key.arn)),
    enabled_cluster_log_types=["api", "audit", "authenticator", "controllerManager", "scheduler"],
    tags=TAGS,
    opts=pulumi.ResourceOptions(depends_on=[logs]),
)
node_role = role("eks-nodes", "ec2.amazonaws.com",
                 ["AmazonEKSWorkerNodePolicy", "AmazonEKS_CNI_Policy", "AmazonEC2ContainerRegistryReadOnly"])
lt = aws.ec2.LaunchTemplate(
    "gpu",
    metadata_options=aws.ec2.LaunchTemplateMetadataOptionsArgs(
        http_endpoint="enabled", http_tokens="required", http_put_response_hop_limit=1),
    block_device_mappings=[aws.ec2.LaunchTemplateBlockDeviceMappingArgs(
        device_name="/dev/xvda",
        ebs=aws.ec2.LaunchTemplateBlockDeviceMappingEbsArgs(volume_size=300, volume_type="gp3", encrypted="true",
                                                            kms_key_id=key.arn, delete_on_termination="true"))],
    tags=TAGS)
aws.eks.NodeGroup(
    "gpu",
    cluster_name=cluster.name,
    node_role_arn=node_role.arn,
    subnet_ids=SUBNETS,
    ami_type="AL2_x86_64_GPU",
    instance_types=["p4d.24xlarge"],
    capacity_type="ON_DEMAND",
    scaling_config=aws.eks.NodeGroupScalingConfigArgs(min_size=0, desired_size=0, max_size=4),
    launch_template=aws.eks.NodeGroupLaunchTemplateArgs(id=lt.id, version=lt.latest_version.apply(str)),
    taints=[aws.eks.NodeGroupTaintArgs(key="nvidia.com/gpu", value="true", effect="NO_SCHEDULE")],
    tags=TAGS,
)
