"""An EKS cluster with pulumi-eks defaults.
Seeded: public endpoint open to the internet (the default), no secrets encryption, no control-plane logs,
a GPU managed node group with SSH open (and no GPU taint: not caught, see the test), an IRSA role any service account can assume (no sub condition)
with s3:* on every bucket."""
import json
import pulumi
import pulumi_aws as aws
import pulumi_eks as eks

cluster = eks.Cluster("ml", vpc_id="vpc-0123456789abcdef0",
                      subnet_ids=["subnet-0aaa1111bbbb2222c", "subnet-0ddd3333eeee4444f"],
                      create_oidc_provider=True, skip_default_node_group=True)

node_role = aws.iam.Role("gpu-nodes", assume_role_policy=json.dumps({
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}]}))

eks.ManagedNodeGroup("gpu", cluster=cluster, node_role=node_role, instance_types=["g5.2xlarge"],
                     ami_type="AL2_x86_64_GPU",
                     scaling_config={"min_size": 1, "desired_size": 2, "max_size": 4},
                     remote_access={"ec2_ssh_key": "ops-key"})

# The IRSA role is written against the platform cluster's existing OIDC provider.
OIDC_ARN = ("arn:aws:iam::123456789012:oidc-provider/"
            "oidc.eks.us-east-1.amazonaws.com/id/EXAMPLED539D4633E53DE1B71EXAMPLE")
irsa = aws.iam.Role("trainer-irsa", assume_role_policy=json.dumps({
    "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"Federated": OIDC_ARN},
                                            "Action": "sts:AssumeRoleWithWebIdentity"}]}))
aws.iam.RolePolicy("trainer-irsa", role=irsa.id, policy=json.dumps({
    "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]}))
