"""The ML platform's EKS cluster and its controllers (AWS Load Balancer Controller, Karpenter, Cluster Autoscaler for
the static GPU node group, external-dns, cert-manager, the EBS, EFS and Mountpoint for S3 CSI drivers, the CloudWatch
agent), each on its own role with the IAM policy its project publishes, used verbatim from ../iam/:

- aws-load-balancer-controller.json: kubernetes-sigs/aws-load-balancer-controller docs/install/iam_policy.json at
  tag v2.11.0 (ba4152c1ba7c75be194d75cf343219d4aeaeb116).
- karpenter-controller.json: the KarpenterControllerPolicy PolicyDocument of aws/karpenter-provider-aws
  website/content/en/v1.0/getting-started/getting-started-with-karpenter/cloudformation.yaml (commit 5288f723),
  whose CloudFormation ${...} substitutions this program fills in.
- cluster-autoscaler-least-privilege.json: aws/aws-eks-best-practices content/cluster-autoscaling/index.md, "Employ
  least privileged access to the IAM role" (commit ceeb24f5). The Cluster Autoscaler README's minimal policy
  (kubernetes/autoscaler cluster-autoscaler/cloudprovider/aws/README.md, "IAM Policy", commit 062f28a6) is
  cluster-autoscaler.json, which lets it resize and terminate every Auto Scaling group of the account.
- external-dns.json: kubernetes-sigs/external-dns docs/tutorials/aws.md, "IAM Permissions" (commit 0258cf6f).
- cert-manager-route53.json: cert-manager/website content/docs/configuration/acme/dns01/route53.md.
- mountpoint-s3-csi.json: awslabs/mountpoint-s3 docs/CONFIGURATION.md, the full-access policy (bucket name replaced).
- EBS and EFS CSI drivers and the CloudWatch agent: AWS managed policies attached by ARN, as the EKS add-ons document.

Roles are assumed through IRSA (the cluster's OIDC provider, sub and aud conditions on one service account, as the
EKS user guide's trust policy) or EKS Pod Identity (pods.eks.amazonaws.com with aws:SourceAccount and the cluster's
ARN as aws:SourceArn)."""
import json
from pathlib import Path

import pulumi
import pulumi_aws as aws

IAM = Path(__file__).resolve().parent.parent / "iam"
CLUSTER = "ml-prod"
ACCOUNT = aws.get_caller_identity().account_id
REGION = aws.get_region().region
PARTITION = aws.get_partition().partition
TAGS = {"owner": "ml-platform", "cost-center": "mlp-07", "environment": "prod", "data-classification": "internal"}
VPC_ID = "vpc-0a1b2c3d4e5f60000"
PRIVATE_SUBNETS = ["subnet-0a1b2c3d4e5f60001", "subnet-0a1b2c3d4e5f60002", "subnet-0a1b2c3d4e5f60003"]
DATASETS_BUCKET = "acme-ml-prod-datasets"


def upstream(name: str, **substitutions: str) -> str:
    text = (IAM / name).read_text()
    for placeholder, value in substitutions.items():
        text = text.replace("${" + placeholder + "}", value)
    return text


key = aws.kms.Key("eks-secrets", description="EKS secrets envelope encryption", enable_key_rotation=True, tags=TAGS,
                  opts=pulumi.ResourceOptions(protect=True))

cluster_role = aws.iam.Role("cluster", tags=TAGS, assume_role_policy=json.dumps({
    "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"Service": "eks.amazonaws.com"},
                                            "Action": ["sts:AssumeRole", "sts:TagSession"]}]}))
aws.iam.RolePolicyAttachment("cluster", role=cluster_role.name,
                             policy_arn="arn:aws:iam::aws:policy/AmazonEKSClusterPolicy")

cluster = aws.eks.Cluster(
    "ml", name=CLUSTER, role_arn=cluster_role.arn, version="1.33",
    vpc_config={"subnet_ids": PRIVATE_SUBNETS, "endpoint_private_access": True, "endpoint_public_access": False},
    encryption_config={"resources": ["secrets"], "provider": {"key_arn": key.arn}},
    access_config={"authentication_mode": "API", "bootstrap_cluster_creator_admin_permissions": False},
    enabled_cluster_log_types=["api", "audit", "authenticator", "controllerManager", "scheduler"],
    tags=TAGS)

issuer = cluster.identities.apply(lambda ids: ids[0]["oidcs"][0]["issuer"])
oidc = aws.iam.OpenIdConnectProvider("ml", url=issuer, client_id_lists=["sts.amazonaws.com"], tags=TAGS)
issuer_host = issuer.apply(lambda url: url.removeprefix("https://"))


def irsa_trust(namespace: str, service_account: str) -> pulumi.Output[str]:
    """The trust policy of the EKS user guide's "Assign IAM roles to Kubernetes service accounts"."""
    return pulumi.Output.all(oidc.arn, issuer_host).apply(lambda args: json.dumps({
        "Version": "2012-10-17",
        "Statement": [{
            "Effect": "Allow", "Principal": {"Federated": args[0]}, "Action": "sts:AssumeRoleWithWebIdentity",
            "Condition": {"StringEquals": {
                f"{args[1]}:sub": f"system:serviceaccount:{namespace}:{service_account}",
                f"{args[1]}:aud": "sts.amazonaws.com"}}}]}))


def pod_identity_trust() -> pulumi.Output[str]:
    """The trust policy of the EKS user guide's Pod Identity page, scoped to this account and cluster."""
    return cluster.arn.apply(lambda arn: json.dumps({
        "Version": "2012-10-17",
        "Statement": [{
            "Effect": "Allow", "Principal": {"Service": "pods.eks.amazonaws.com"},
            "Action": ["sts:AssumeRole", "sts:TagSession"],
            "Condition": {"StringEquals": {"aws:SourceAccount": ACCOUNT}, "ArnEquals": {"aws:SourceArn": arn}}}]}))


def irsa_role(name: str, namespace: str, service_account: str) -> aws.iam.Role:
    return aws.iam.Role(name, assume_role_policy=irsa_trust(namespace, service_account), tags=TAGS)


# --- AWS Load Balancer Controller (IRSA, kube-system/aws-load-balancer-controller)
# The upstream policy's statements without a Condition or ARN act on every security group, load balancer and web
# ACL of the account. Its maintainers say they "can be further scoped down by vpc-id and kubernetes.io/cluster/
# <cluster-name> tag" (kubernetes-sigs/aws-load-balancer-controller issue #1647, PR #1453): here the security-group
# writes are conditioned on (or, for new groups, scoped to) the cluster's VPC (ec2:Vpc), the listener and rule writes on the controller's ownership
# tag (elbv2.k8s.aws/cluster, as the policy's own ModifyLoadBalancerAttributes statement), the reads on the region
# (aws:RequestedRegion, as Karpenter's AllowRegionalReadActions), and the WAF and Shield actions are dropped: the
# controller runs with --enable-waf=false --enable-wafv2=false --enable-shield=false (docs/deploy/configurations.md).
VPC_ARN = f"arn:{PARTITION}:ec2:{REGION}:{ACCOUNT}:vpc/{VPC_ID}"
OWNED = {"Null": {"aws:ResourceTag/elbv2.k8s.aws/cluster": "false"}}
IN_REGION = {"StringEquals": {"aws:RequestedRegion": REGION}}
WAF_AND_SHIELD = ("waf-regional:", "wafv2:", "shield:", "elasticloadbalancing:SetWebAcl")


def scoped_load_balancer_controller_policy() -> str:
    document = json.loads(upstream("aws-load-balancer-controller.json"))
    for statement in document["Statement"]:
        actions = statement["Action"] = [a for a in statement["Action"] if not a.startswith(WAF_AND_SHIELD)]
        if statement["Resource"] != "*" or "Condition" in statement:
            continue
        if all(a.split(":")[1].startswith(("Describe", "Get", "List")) for a in actions):
            statement["Condition"] = IN_REGION
        elif actions == ["ec2:CreateSecurityGroup"]:
            # The new group has no ec2:Vpc key yet: name the VPC it is created in, which the call always touches.
            statement["Resource"] = [VPC_ARN, f"arn:{PARTITION}:ec2:{REGION}:{ACCOUNT}:security-group/*"]
        elif all(a.startswith("ec2:") for a in actions):
            statement["Condition"] = {"ArnEquals": {"ec2:Vpc": VPC_ARN}}
        else:
            statement["Condition"] = OWNED
    return json.dumps(document, indent=4)


lbc_role = irsa_role("aws-load-balancer-controller", "kube-system", "aws-load-balancer-controller")
lbc_policy = aws.iam.Policy("aws-load-balancer-controller", name="AWSLoadBalancerControllerIAMPolicy",
                            policy=scoped_load_balancer_controller_policy(), tags=TAGS)
aws.iam.RolePolicyAttachment("aws-load-balancer-controller", role=lbc_role.name, policy_arn=lbc_policy.arn)

# --- Karpenter (Pod Identity, kube-system/karpenter), its node role and interruption queue
node_role = aws.iam.Role(f"KarpenterNodeRole-{CLUSTER}", name=f"KarpenterNodeRole-{CLUSTER}", tags=TAGS,
                         assume_role_policy=json.dumps({"Version": "2012-10-17", "Statement": [{
                             "Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"},
                             "Action": ["sts:AssumeRole"]}]}))
for managed in ("AmazonEKS_CNI_Policy", "AmazonEKSWorkerNodePolicy", "AmazonEC2ContainerRegistryPullOnly",
                "AmazonSSMManagedInstanceCore"):
    aws.iam.RolePolicyAttachment(f"karpenter-node-{managed}", role=node_role.name,
                                 policy_arn=f"arn:{PARTITION}:iam::aws:policy/{managed}")
aws.eks.AccessEntry("karpenter-node", cluster_name=cluster.name, principal_arn=node_role.arn, type="EC2_LINUX",
                    tags=TAGS)

# The template's queue (SSE-SQS, and EventBridge allowed to send without a source condition) with this
# organisation's CMK and the EventBridge user guide's aws:SourceAccount condition: otherwise any account's rule could
# send Karpenter forged interruption events.
queue_key = aws.kms.Key("karpenter-interruption", description="Karpenter interruption queue",
                        enable_key_rotation=True, tags=TAGS, opts=pulumi.ResourceOptions(protect=True),
                        policy=json.dumps({
                            "Version": "2012-10-17", "Statement": [
                                {"Sid": "Account", "Effect": "Allow",
                                 "Principal": {"AWS": f"arn:{PARTITION}:iam::{ACCOUNT}:root"},
                                 "Action": "kms:*", "Resource": "*"},
                                {"Sid": "EventBridge", "Effect": "Allow", "Principal": {"Service": "events.amazonaws.com"},
                                 "Action": ["kms:Decrypt", "kms:GenerateDataKey"], "Resource": "*",
                                 "Condition": {"StringEquals": {"aws:SourceAccount": ACCOUNT}}}]}))
queue = aws.sqs.Queue("karpenter-interruption", name=CLUSTER, message_retention_seconds=300,
                      kms_master_key_id=queue_key.arn, tags=TAGS)
aws.sqs.QueuePolicy("karpenter-interruption", queue_url=queue.id, policy=queue.arn.apply(lambda arn: json.dumps({
    "Id": "EC2InterruptionPolicy", "Version": "2012-10-17",
    "Statement": [
        {"Effect": "Allow", "Principal": {"Service": ["events.amazonaws.com", "sqs.amazonaws.com"]},
         "Action": "sqs:SendMessage", "Resource": arn, "Condition": {"StringEquals": {"aws:SourceAccount": ACCOUNT}}},
        {"Sid": "DenyHTTP", "Effect": "Deny", "Action": "sqs:*", "Resource": arn, "Principal": "*",
         "Condition": {"Bool": {"aws:SecureTransport": "false"}}}]})))
for rule, pattern in {
        "scheduled-change": {"source": ["aws.health"], "detail-type": ["AWS Health Event"]},
        "spot-interruption": {"source": ["aws.ec2"], "detail-type": ["EC2 Spot Instance Interruption Warning"]},
        "rebalance": {"source": ["aws.ec2"], "detail-type": ["EC2 Instance Rebalance Recommendation"]},
        "instance-state-change": {"source": ["aws.ec2"], "detail-type": ["EC2 Instance State-change Notification"]},
}.items():
    event_rule = aws.cloudwatch.EventRule(f"karpenter-{rule}", event_pattern=json.dumps(pattern), tags=TAGS)
    aws.cloudwatch.EventTarget(f"karpenter-{rule}", rule=event_rule.name, target_id="KarpenterInterruptionQueueTarget",
                               arn=queue.arn)

karpenter_role = aws.iam.Role("karpenter-controller", assume_role_policy=pod_identity_trust(), tags=TAGS)
karpenter_policy = aws.iam.Policy(
    "karpenter-controller", name=f"KarpenterControllerPolicy-{CLUSTER}", tags=TAGS,
    policy=pulumi.Output.all(queue.arn, node_role.arn).apply(lambda arns: upstream(
        "karpenter-controller.json", **{"AWS::Partition": PARTITION, "AWS::Region": REGION, "AWS::AccountId": ACCOUNT,
                                        "ClusterName": CLUSTER, "KarpenterInterruptionQueue.Arn": arns[0],
                                        "KarpenterNodeRole.Arn": arns[1]})))
aws.iam.RolePolicyAttachment("karpenter-controller", role=karpenter_role.name, policy_arn=karpenter_policy.arn)
aws.eks.PodIdentityAssociation("karpenter", cluster_name=cluster.name, namespace="kube-system",
                               service_account="karpenter", role_arn=karpenter_role.arn, tags=TAGS)

# --- Cluster Autoscaler for the static GPU node group (IRSA, kube-system/cluster-autoscaler)
# The least-privilege policy of the EKS Best Practices Guide ("Employ least privileged access to the IAM role"):
# the README's minimal policy lets the autoscaler resize and terminate every Auto Scaling group of the account.
autoscaler_role = irsa_role("cluster-autoscaler", "kube-system", "cluster-autoscaler")
aws.iam.RolePolicy("cluster-autoscaler", role=autoscaler_role.id,
                   policy=upstream("cluster-autoscaler-least-privilege.json").replace("<my-cluster>", CLUSTER))

# --- external-dns and cert-manager on Route 53 (Pod Identity)
for name, namespace, document in (("external-dns", "external-dns", "external-dns.json"),
                                  ("cert-manager", "cert-manager", "cert-manager-route53.json")):
    role = aws.iam.Role(name, assume_role_policy=pod_identity_trust(), tags=TAGS)
    aws.iam.RolePolicy(name, role=role.id, policy=upstream(document))
    aws.eks.PodIdentityAssociation(name, cluster_name=cluster.name, namespace=namespace, service_account=name,
                                   role_arn=role.arn, tags=TAGS)

# --- CSI drivers and the CloudWatch agent as EKS add-ons (IRSA)
ebs_role = irsa_role("ebs-csi", "kube-system", "ebs-csi-controller-sa")
aws.iam.RolePolicyAttachment("ebs-csi", role=ebs_role.name,
                             policy_arn="arn:aws:iam::aws:policy/service-role/AmazonEBSCSIDriverPolicy")
aws.eks.Addon("ebs-csi", cluster_name=cluster.name, addon_name="aws-ebs-csi-driver",
              service_account_role_arn=ebs_role.arn, tags=TAGS)

efs_role = irsa_role("efs-csi", "kube-system", "efs-csi-controller-sa")
aws.iam.RolePolicyAttachment("efs-csi", role=efs_role.name,
                             policy_arn="arn:aws:iam::aws:policy/service-role/AmazonEFSCSIDriverPolicy")
aws.eks.Addon("efs-csi", cluster_name=cluster.name, addon_name="aws-efs-csi-driver",
              service_account_role_arn=efs_role.arn, tags=TAGS)

s3_role = irsa_role("mountpoint-s3-csi", "kube-system", "s3-csi-driver-sa")
aws.iam.RolePolicy("mountpoint-s3-csi", role=s3_role.id,
                   policy=(IAM / "mountpoint-s3-csi.json").read_text().replace("DOC-EXAMPLE-BUCKET", DATASETS_BUCKET))
aws.eks.Addon("mountpoint-s3-csi", cluster_name=cluster.name, addon_name="aws-mountpoint-s3-csi-driver",
              service_account_role_arn=s3_role.arn, tags=TAGS)

cw_role = irsa_role("cloudwatch-agent", "amazon-cloudwatch", "cloudwatch-agent")
aws.iam.RolePolicyAttachment("cloudwatch-agent", role=cw_role.name,
                             policy_arn="arn:aws:iam::aws:policy/CloudWatchAgentServerPolicy")
aws.eks.Addon("cloudwatch-observability", cluster_name=cluster.name, addon_name="amazon-cloudwatch-observability",
              service_account_role_arn=cw_role.arn, tags=TAGS)

pulumi.export("cluster", cluster.name)
pulumi.export("oidc_provider", oidc.arn)
