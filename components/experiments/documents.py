"""IAM documents and names of a managed MLflow tracking server, as plain functions of plain strings."""

from __future__ import annotations

from typing import Any

#: The SageMaker MLflow PrivateLink service (not ``com.amazonaws.<region>.*``: SageMaker's developer
#: guide, "Connecting to an MLflow tracking server through an Interface VPC Endpoint", and the AWS
#: ML blog post announcing PrivateLink for SageMaker with MLflow; listed as
#: ``aws.sagemaker.region.experiments`` in the AWS PrivateLink guide's "AWS services that integrate
#: with AWS PrivateLink" table, checked 2026-12-01).
def mlflow_endpoint_service(region: str) -> str:
    """``aws.sagemaker.<region>.experiments``: the interface endpoint service of SageMaker MLflow."""
    return f"aws.sagemaker.{region}.experiments"


#: What an MLflow client may do on one tracking server (IAM prefix ``sagemaker-mlflow``; scoped to
#: the server's ARN, never to every resource).
MLFLOW_CLIENT_ACTION = "sagemaker-mlflow:*"
#: What the server's role needs to register MLflow models in the SageMaker Model Registry
#: (developer guide, "Automatically register SageMaker AI models with SageMaker Model Registry").
REGISTRATION_ACTIONS = ["sagemaker:AddTags", "sagemaker:CreateModelPackage", "sagemaker:CreateModelPackageGroup",
                        "sagemaker:DescribeModelPackageGroup", "sagemaker:UpdateModelPackage"]
ARTIFACT_ACTIONS = ["s3:GetObject", "s3:PutObject", "s3:DeleteObject", "s3:AbortMultipartUpload"]


def server_trust_policy() -> dict[str, Any]:
    """Only SageMaker may assume the tracking server's role."""
    return {"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Principal": {"Service": "sagemaker.amazonaws.com"}, "Action": "sts:AssumeRole"}]}


def server_policy(*, bucket_arn: str, key_arn: str, registry_arns: tuple[str, str] | None = None) -> dict[str, Any]:
    """The tracking server's role: its artifact store and that store's key, nothing else; with
    ``registry_arns`` (model package group and model package ARN patterns), registering models."""
    statements: list[dict[str, Any]] = [
        {"Sid": "ListArtifactStore", "Effect": "Allow", "Action": ["s3:ListBucket", "s3:GetBucketLocation"],
         "Resource": bucket_arn},
        {"Sid": "ArtifactStoreObjects", "Effect": "Allow", "Action": ARTIFACT_ACTIONS, "Resource": f"{bucket_arn}/*"},
        {"Sid": "ArtifactStoreKey", "Effect": "Allow", "Action": ["kms:Decrypt", "kms:GenerateDataKey"],
         "Resource": key_arn},
    ]
    if registry_arns:
        statements.append({"Sid": "RegisterModels", "Effect": "Allow", "Action": REGISTRATION_ACTIONS,
                           "Resource": list(registry_arns)})
    return {"Version": "2012-10-17", "Statement": statements}


def client_policy(server_arn: str) -> dict[str, Any]:
    """An MLflow client (a training job): every MLflow call on this one tracking server."""
    return {"Version": "2012-10-17", "Statement": [{
        "Sid": "UseTrackingServer", "Effect": "Allow", "Action": MLFLOW_CLIENT_ACTION, "Resource": server_arn}]}


def endpoint_policy(*, server_arn: str, account_id: str) -> dict[str, Any]:
    """The interface endpoint: principals of this account may use this tracking server through it."""
    return {"Version": "2012-10-17", "Statement": [{
        "Sid": "ThisTrackingServer", "Effect": "Allow", "Principal": {"AWS": account_id},
        "Action": MLFLOW_CLIENT_ACTION, "Resource": server_arn}]}
