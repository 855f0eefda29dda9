"""An EKS cluster with pulumi-eks: private endpoint, secrets encryption, control-plane logs,
GPU managed node group with its own launch template (IMDSv2, encrypted volume), an IRSA role."""
import json
import pulumi
import pulumi_aws as aws
import pulumi_eks as eks

TAGS = {"owner": "ml-platform", "cost-center": "42", "environment": "prod", "data-classification": "internal"}
VPC_ID = "vpc-0123456789abcdef0"
PRIVATE_SUBNETS = ["subnet-0aaa1111bbbb2222c", "subnet-0ddd3333eeee4444f"]

key = aws.kms.Key("eks-secrets", description="EKS secrets envelope key", enable_key_rotation=True,
                  deletion_window_in_days=30, tags=TAGS, opts=pulumi.ResourceOptions(protect=True))

cluster = eks.Cluster(
    "ml",
    vpc_id=VPC_ID,
    private_subnet_ids=PRIVATE_SUBNETS,
    endpoint_private_access=True,
    endpoint_public_access=False,
    create_oidc_provider=True,
    authentication_mode=eks.AuthenticationMode.API,
    encryption_config_key_arn=key.arn,
    enabled_cluster_log_types=["api", "audit", "authenticator", "controllerManager", "scheduler"],
    version="1.31",
    skip_default_node_group=True,
    # managed node groups use the EKS-made cluster security group; no all-egress groups of pulumi-eks's own
    skip_default_security_groups=True,
    tags=TAGS,
)

node_role = aws.iam.Role("gpu-nodes", assume_role_policy=json.dumps({
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}]}),
    tags=TAGS)
for i, arn in enumerate(["arn:aws:iam::aws:policy/AmazonEKSWorkerNodePolicy",
                         "arn:aws:iam::aws:policy/AmazonEKS_CNI_Policy",
                         "arn:aws:iam::aws:policy/AmazonEC2ContainerRegistryReadOnly"]):
    aws.iam.RolePolicyAttachment(f"gpu-nodes-{i}", role=node_role.name, policy_arn=arn)

template = aws.ec2.LaunchTemplate(
    "gpu-nodes",
    metadata_options={"http_tokens": "required", "http_put_response_hop_limit": 1, "http_endpoint": "enabled"},
    block_device_mappings=[{"device_name": "/dev/xvda", "ebs": {
        "volume_size": 200, "volume_type": "gp3", "encrypted": "true", "kms_key_id": key.arn}}],
    tags=TAGS)

eks.ManagedNodeGroup(
    "gpu",
    cluster=cluster,
    node_role=node_role,
    subnet_ids=PRIVATE_SUBNETS,
    instance_types=["g5.2xlarge"],
    ami_type="AL2_x86_64_GPU",
    scaling_config={"min_size": 0, "desired_size": 1, "max_size": 8},
    launch_template={"id": template.id, "version": template.latest_version.apply(str)},
    taints=[{"key": "nvidia.com/gpu", "value": "true", "effect": "NO_SCHEDULE"}],
    labels={"workload": "gpu"},
    tags=TAGS,
)

oidc_url = cluster.core.oidc_provider.url
oidc_arn = cluster.core.oidc_provider.arn
irsa = aws.iam.Role("trainer-irsa", assume_role_policy=pulumi.Output.all(oidc_arn, oidc_url).apply(
    lambda a: json.dumps({"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Principal": {"Federated": a[0]}, "Action": "sts:AssumeRoleWithWebIdentity",
        "Condition": {"StringEquals": {f"{a[1]}:sub": "system:serviceaccount:training:trainer",
                                       f"{a[1]}:aud": "sts.amazonaws.com"}}}]})), tags=TAGS)
aws.iam.RolePolicy("trainer-irsa", role=irsa.id, policy=json.dumps({
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Action": ["s3:GetObject", "s3:PutObject"],
                   "Resource": "arn:aws:s3:::acme-ml-checkpoints/*"}]}))
# A second IRSA role, for the platform cluster's existing OIDC provider, written out literally.
ISSUER = "oidc.eks.us-east-1.amazonaws.com/id/EXAMPLED539D4633E53DE1B71EXAMPLE"
aws.iam.Role("scorer-irsa", assume_role_policy=json.dumps({"Version": "2012-10-17", "Statement": [{
    "Effect": "Allow", "Principal": {"Federated": f"arn:aws:iam::123456789012:oidc-provider/{ISSUER}"},
    "Action": "sts:AssumeRoleWithWebIdentity",
    "Condition": {"StringEquals": {f"{ISSUER}:sub": "system:serviceaccount:scoring:scorer",
                                   f"{ISSUER}:aud": "sts.amazonaws.com"}}}]}), tags=TAGS)
pulumi.export("kubeconfig", cluster.kubeconfig)
