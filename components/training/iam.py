"""IAM documents of the training cluster, as plain dicts built from ARNs (tested without Pulumi).

Workload roles are assumed through EKS Pod Identity (``pods.eks.amazonaws.com``), scoped by its
session tags to this cluster, namespace and service account, so no other pod can borrow them and
the node role grants pods nothing.
"""

from __future__ import annotations

from typing import Any, Sequence

Document = dict[str, Any]

#: What every node needs: join the cluster, pull images, run the VPC CNI. Nothing else.
NODE_MANAGED_POLICIES = ("AmazonEKSWorkerNodePolicy", "AmazonEC2ContainerRegistryPullOnly", "AmazonEKS_CNI_Policy")
#: Added to the node role only when Session Manager access is asked for (there is no SSH).
SSM_MANAGED_POLICY = "AmazonSSMManagedInstanceCore"
CLUSTER_MANAGED_POLICY = "AmazonEKSClusterPolicy"
EBS_CSI_MANAGED_POLICY = "AmazonEBSCSIDriverPolicy"


def managed_policy_arn(partition: str, name: str) -> str:
    return f"arn:{partition}:iam::aws:policy/{name}"


def service_trust(service: str) -> Document:
    """Trust policy letting one AWS service (``eks.amazonaws.com``, ``ec2.amazonaws.com``) assume a role."""
    return {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": {"Service": service}, "Action": "sts:AssumeRole"}]}


def pod_identity_trust(cluster_arn: str, namespaces: Sequence[str], service_account: str) -> Document:
    """Trust policy for EKS Pod Identity, limited by its session tags to one cluster, its namespaces
    and one service account name, so no other pod (or cluster) can assume the role."""
    return {"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow",
        "Principal": {"Service": "pods.eks.amazonaws.com"},
        "Action": ["sts:AssumeRole", "sts:TagSession"],
        "Condition": {"StringEquals": {
            "aws:RequestTag/eks-cluster-arn": cluster_arn,
            "aws:RequestTag/kubernetes-namespace": list(namespaces),
            "aws:RequestTag/kubernetes-service-account": service_account,
        }},
    }]}


def training_job_policy(*, dataset_bucket_arn: str, dataset_key_arn: str, artifact_bucket_arn: str,
                        artifact_key_arn: str, region: str) -> Document:
    """Read the dataset bucket, write the artifact bucket, use their keys through S3 only."""
    via_s3 = {"StringEquals": {"kms:ViaService": f"s3.{region}.amazonaws.com"}}
    return {"Version": "2012-10-17", "Statement": [
        {"Sid": "ListDatasets", "Effect": "Allow", "Action": "s3:ListBucket", "Resource": dataset_bucket_arn},
        {"Sid": "ReadDatasets", "Effect": "Allow", "Action": "s3:GetObject", "Resource": f"{dataset_bucket_arn}/*"},
        {"Sid": "WriteArtifacts", "Effect": "Allow", "Action": ["s3:PutObject", "s3:AbortMultipartUpload"],
         "Resource": f"{artifact_bucket_arn}/*"},
        {"Sid": "DecryptDatasets", "Effect": "Allow", "Action": "kms:Decrypt", "Resource": dataset_key_arn,
         "Condition": via_s3},
        # Multipart uploads to SSE-KMS buckets need Decrypt as well as GenerateDataKey.
        {"Sid": "EncryptArtifacts", "Effect": "Allow", "Action": ["kms:GenerateDataKey", "kms:Decrypt"],
         "Resource": artifact_key_arn, "Condition": via_s3},
    ]}


def cluster_autoscaler_policy(*, cluster_name: str, nodegroup_arn_pattern: str) -> Document:
    """Describe what it must; change only the Auto Scaling groups EKS tagged as this cluster's."""
    return {"Version": "2012-10-17", "Statement": [
        {"Sid": "Discover", "Effect": "Allow", "Resource": "*", "Action": [
            "autoscaling:DescribeAutoScalingGroups", "autoscaling:DescribeAutoScalingInstances",
            "autoscaling:DescribeLaunchConfigurations", "autoscaling:DescribeScalingActivities",
            "autoscaling:DescribeTags", "ec2:DescribeImages", "ec2:DescribeInstanceTypes",
            "ec2:DescribeLaunchTemplateVersions", "ec2:GetInstanceTypesFromInstanceRequirements"]},
        # Labels and taints of a group at zero nodes come from the EKS API.
        {"Sid": "ReadNodeGroups", "Effect": "Allow", "Action": "eks:DescribeNodegroup",
         "Resource": nodegroup_arn_pattern},
        {"Sid": "ScaleOwnGroups", "Effect": "Allow",
         "Action": ["autoscaling:SetDesiredCapacity", "autoscaling:TerminateInstanceInAutoScalingGroup"],
         "Resource": "*",
         "Condition": {"StringEquals": {f"aws:ResourceTag/k8s.io/cluster-autoscaler/{cluster_name}": "owned"}}},
    ]}


def volume_key_policy(key_arn: str) -> Document:
    """Let the EBS CSI controller create and attach volumes encrypted with the cluster key."""
    return {"Version": "2012-10-17", "Statement": [
        {"Sid": "UseVolumeKey", "Effect": "Allow", "Resource": key_arn, "Action": [
            "kms:Encrypt", "kms:Decrypt", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:DescribeKey"]},
        {"Sid": "GrantToEbs", "Effect": "Allow", "Resource": key_arn, "Action": "kms:CreateGrant",
         "Condition": {"Bool": {"kms:GrantIsForAWSResource": "true"}}},
    ]}


#: What the Auto Scaling service-linked role needs on the key to launch nodes with encrypted volumes.
AUTOSCALING_GRANT_OPERATIONS = ("Encrypt", "Decrypt", "ReEncryptFrom", "ReEncryptTo", "GenerateDataKey",
                                "GenerateDataKeyWithoutPlaintext", "DescribeKey", "CreateGrant")


AUTOSCALING_SERVICE = "autoscaling.amazonaws.com"


def autoscaling_service_role_arn(partition: str, account_id: str) -> str:
    return (f"arn:{partition}:iam::{account_id}:role/aws-service-role/autoscaling.amazonaws.com/"
            "AWSServiceRoleForAutoScaling")
