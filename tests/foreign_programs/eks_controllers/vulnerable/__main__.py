"""The legacy ML EKS cluster and its controllers, set up by following each project's install guide and then
"fixing" what did not work on the first try. The IAM policies come from ../iam/ (sources in the compliant program's
docstring): the AWS Load Balancer Controller's v2.11.0 iam_policy.json and the Cluster Autoscaler README's minimal
policy as published, Karpenter's v1.0 controller policy with a statement added, Mountpoint for S3's policy opened to
every bucket."""
import json
from pathlib import Path

import pulumi
import pulumi_aws as aws

IAM = Path(__file__).resolve().parent.parent / "iam"
CLUSTER = "ml-legacy"
ACCOUNT = aws.get_caller_identity().account_id
REGION = aws.get_region().region
PARTITION = aws.get_partition().partition
TAGS = {"owner": "ml-platform", "cost-center": "mlp-07", "environment": "prod"}
SUBNETS = ["subnet-0f1e2d3c4b5a60001", "subnet-0f1e2d3c4b5a60002"]


def upstream(name: str, **substitutions: str) -> str:
    text = (IAM / name).read_text()
    for placeholder, value in substitutions.items():
        text = text.replace("${" + placeholder + "}", value)
    return text


cluster_role = aws.iam.Role("cluster", tags=TAGS, assume_role_policy=json.dumps({
    "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"Service": "eks.amazonaws.com"},
                                            "Action": "sts:AssumeRole"}]}))
aws.iam.RolePolicyAttachment("cluster", role=cluster_role.name,
                             policy_arn="arn:aws:iam::aws:policy/AmazonEKSClusterPolicy")

# Seeds: a public endpoint open to the internet, no secrets encryption, the aws-auth ConfigMap, API logs only.
cluster = aws.eks.Cluster(
    "ml", name=CLUSTER, role_arn=cluster_role.arn, version="1.33",
    vpc_config={"subnet_ids": SUBNETS, "endpoint_public_access": True},
    access_config={"authentication_mode": "CONFIG_MAP"},
    enabled_cluster_log_types=["api"], tags=TAGS)

issuer = cluster.identities.apply(lambda ids: ids[0]["oidcs"][0]["issuer"])
oidc = aws.iam.OpenIdConnectProvider("ml", url=issuer, client_id_lists=["sts.amazonaws.com"], tags=TAGS)
issuer_host = issuer.apply(lambda url: url.removeprefix("https://"))


def web_identity_trust(conditions: dict) -> pulumi.Output[str]:
    return pulumi.Output.all(oidc.arn, issuer_host).apply(lambda args: json.dumps({
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Principal": {"Federated": args[0]},
                       "Action": "sts:AssumeRoleWithWebIdentity",
                       "Condition": {operator: {f"{args[1]}:{claim}": value for claim, value in keys.items()}
                                     for operator, keys in conditions.items()}}]}))


# --- AWS Load Balancer Controller: the published policy as is (seed: its unconditioned security-group, listener,
# rule and WAF writes on every resource); the trust checks only the audience (seed: every service account).
lbc_role = aws.iam.Role("aws-load-balancer-controller", tags=TAGS,
                        assume_role_policy=web_identity_trust({"StringEquals": {"aud": "sts.amazonaws.com"}}))
lbc_policy = aws.iam.Policy("aws-load-balancer-controller", name="AWSLoadBalancerControllerIAMPolicy",
                            policy=upstream("aws-load-balancer-controller.json"), tags=TAGS)
aws.iam.RolePolicyAttachment("aws-load-balancer-controller", role=lbc_role.name, policy_arn=lbc_policy.arn)

# --- Karpenter (IRSA): the v1.0 policy, plus a PassRole on every role "so custom node roles work" (seed).
node_role = aws.iam.Role(f"KarpenterNodeRole-{CLUSTER}", name=f"KarpenterNodeRole-{CLUSTER}", tags=TAGS,
                         assume_role_policy=json.dumps({"Version": "2012-10-17", "Statement": [{
                             "Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"},
                             "Action": ["sts:AssumeRole"]}]}))
for managed in ("AmazonEKS_CNI_Policy", "AmazonEKSWorkerNodePolicy", "AmazonEC2ContainerRegistryPullOnly",
                "AmazonSSMManagedInstanceCore"):
    aws.iam.RolePolicyAttachment(f"karpenter-node-{managed}", role=node_role.name,
                                 policy_arn=f"arn:{PARTITION}:iam::aws:policy/{managed}")

# The template's interruption queue as published (seeds: SSE-SQS, EventBridge without a source condition).
queue = aws.sqs.Queue("karpenter-interruption", name=CLUSTER, message_retention_seconds=300,
                      sqs_managed_sse_enabled=True, tags=TAGS)
aws.sqs.QueuePolicy("karpenter-interruption", queue_url=queue.id, policy=queue.arn.apply(lambda arn: json.dumps({
    "Id": "EC2InterruptionPolicy", "Version": "2012-10-17",
    "Statement": [
        {"Effect": "Allow", "Principal": {"Service": ["events.amazonaws.com", "sqs.amazonaws.com"]},
         "Action": "sqs:SendMessage", "Resource": arn},
        {"Sid": "DenyHTTP", "Effect": "Deny", "Action": "sqs:*", "Resource": arn, "Principal": "*",
         "Condition": {"Bool": {"aws:SecureTransport": "false"}}}]})))
interruption = aws.cloudwatch.EventRule("karpenter-spot-interruption", tags=TAGS, event_pattern=json.dumps(
    {"source": ["aws.ec2"], "detail-type": ["EC2 Spot Instance Interruption Warning"]}))
aws.cloudwatch.EventTarget("karpenter-spot-interruption", rule=interruption.name, arn=queue.arn)


def karpenter_policy(arns: list) -> str:
    document = json.loads(upstream(
        "karpenter-controller.json", **{"AWS::Partition": PARTITION, "AWS::Region": REGION, "AWS::AccountId": ACCOUNT,
                                        "ClusterName": CLUSTER, "KarpenterInterruptionQueue.Arn": arns[0],
                                        "KarpenterNodeRole.Arn": arns[1]}))
    document["Statement"].append({"Sid": "AllowPassingAnyRole", "Effect": "Allow", "Action": "iam:PassRole",
                                  "Resource": "*"})
    return json.dumps(document)


karpenter_role = aws.iam.Role("karpenter-controller", tags=TAGS, assume_role_policy=web_identity_trust(
    {"StringEquals": {"sub": "system:serviceaccount:kube-system:karpenter", "aud": "sts.amazonaws.com"}}))
aws.iam.RolePolicy("karpenter-controller", role=karpenter_role.id,
                   policy=pulumi.Output.all(queue.arn, node_role.arn).apply(karpenter_policy))

# --- Cluster Autoscaler: the README's minimal policy (seed: writes on every Auto Scaling group), trusted by a
# cluster-autoscaler service account of any namespace (seed).
autoscaler_role = aws.iam.Role("cluster-autoscaler", tags=TAGS, assume_role_policy=web_identity_trust(
    {"StringLike": {"sub": "system:serviceaccount:*:cluster-autoscaler"}, "StringEquals": {"aud": "sts.amazonaws.com"}}))
aws.iam.RolePolicy("cluster-autoscaler", role=autoscaler_role.id, policy=upstream("cluster-autoscaler.json"))

# --- external-dns: the tutorial's policy plus a catch-all statement left from debugging (seed: '*' on '*').
external_dns_role = aws.iam.Role("external-dns", tags=TAGS, assume_role_policy=web_identity_trust(
    {"StringEquals": {"sub": "system:serviceaccount:external-dns:external-dns", "aud": "sts.amazonaws.com"}}))
external_dns = json.loads(upstream("external-dns.json"))
external_dns["Statement"].append({"Sid": "Debug", "Effect": "Allow", "Action": "*", "Resource": "*"})
aws.iam.RolePolicy("external-dns", role=external_dns_role.id, policy=json.dumps(external_dns))

# --- cert-manager: AdministratorAccess instead of the DNS01 policy (seed).
cert_manager_role = aws.iam.Role("cert-manager", tags=TAGS, assume_role_policy=web_identity_trust(
    {"StringEquals": {"sub": "system:serviceaccount:cert-manager:cert-manager", "aud": "sts.amazonaws.com"}}))
aws.iam.RolePolicyAttachment("cert-manager", role=cert_manager_role.name,
                             policy_arn="arn:aws:iam::aws:policy/AdministratorAccess")

# --- CSI drivers: the EBS driver trusted by any subject of the issuer (seed); Mountpoint for S3 on every bucket
# (seed: reads and writes of every object of the account).
ebs_role = aws.iam.Role("ebs-csi", tags=TAGS, assume_role_policy=web_identity_trust({"StringLike": {"sub": "*"}}))
aws.iam.RolePolicyAttachment("ebs-csi", role=ebs_role.name,
                             policy_arn="arn:aws:iam::aws:policy/service-role/AmazonEBSCSIDriverPolicy")
aws.eks.Addon("ebs-csi", cluster_name=cluster.name, addon_name="aws-ebs-csi-driver",
              service_account_role_arn=ebs_role.arn, tags=TAGS)

s3_role = aws.iam.Role("mountpoint-s3-csi", tags=TAGS, assume_role_policy=web_identity_trust(
    {"StringEquals": {"sub": "system:serviceaccount:kube-system:s3-csi-driver-sa", "aud": "sts.amazonaws.com"}}))
mountpoint = json.loads((IAM / "mountpoint-s3-csi.json").read_text())
for statement in mountpoint["Statement"]:
    statement["Resource"] = ["*"]
aws.iam.RolePolicy("mountpoint-s3-csi", role=s3_role.id, policy=json.dumps(mountpoint))

# --- CloudWatch agent through Pod Identity, with a trust any principal can use (seed).
cw_role = aws.iam.Role("cloudwatch-agent", tags=TAGS, assume_role_policy=json.dumps({
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Principal": {"Service": "pods.eks.amazonaws.com"},
                   "Action": ["sts:AssumeRole", "sts:TagSession"]},
                  {"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": ["sts:AssumeRole", "sts:TagSession"]}]}))
aws.iam.RolePolicyAttachment("cloudwatch-agent", role=cw_role.name,
                             policy_arn="arn:aws:iam::aws:policy/CloudWatchAgentServerPolicy")
aws.eks.PodIdentityAssociation("cloudwatch-agent", cluster_name=cluster.name, namespace="amazon-cloudwatch",
                               service_account="cloudwatch-agent", role_arn=cw_role.arn, tags=TAGS)

pulumi.export("cluster", cluster.name)
