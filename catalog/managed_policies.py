"""AWS managed policies that allow every action of a data service on every resource, as data.

A role that gets ``arn:aws:iam::aws:policy/AmazonS3FullAccess`` is allowed ``s3:*`` on ``"*"`` exactly as if its own
policy said so; the IAM rules read the documents a program writes, so they read these by name. Each row is an AWS
managed policy at the root path (``arn:aws:iam::aws:policy/<name>``, meant to be attached to users, groups and roles)
and the ``<service>:*`` actions its default version allows on ``Resource "*"`` (or with ``NotResource``) without a
condition, from the policy documents in the AWS Managed Policy Reference Guide
(https://docs.aws.amazon.com/aws-managed-policy/latest/reference/<name>.html), as mirrored by z0ph/MAMIP
(``policies/<name>``, commit de4971a44b36762f50d87c2baf65ebbec0e93b39, February 2025). For example AmazonS3FullAccess
v2: ``{"Action": ["s3:*", "s3-object-lambda:*"], "Resource": "*", "Effect": "Allow"}``; AmazonSageMakerFullAccess v27:
``sagemaker:*`` with a ``NotResource`` of Studio domains, user profiles, apps, spaces, partner apps, flow definitions,
training plans and reserved capacity (every model, endpoint, job, feature group and pipeline).

Service-role policies (``arn:aws:iam::aws:policy/service-role/...``, such as AWSGlueServiceRole, which allows
``glue:*``) are AWS's documented permissions for a service's own role and are not rows; neither are deprecated
policies nor job-function ones (``job-function/DataScientist``), which are for people.
"""

from __future__ import annotations

from typing import Any, Optional

#: AWS managed policy name -> the ``<service>:*`` actions it allows on every resource.
SERVICE_WILDCARDS: dict[str, tuple[str, ...]] = {
    "AmazonS3FullAccess": ("s3:*",),
    "AmazonSageMakerFullAccess": ("sagemaker:*",),
    "AmazonDynamoDBFullAccess": ("dynamodb:*",),
    "SecretsManagerReadWrite": ("secretsmanager:*",),
    "AmazonRDSFullAccess": ("rds:*",),
    "AmazonRedshiftFullAccess": ("redshift:*",),
    "AWSGlueConsoleFullAccess": ("glue:*",),
    "AmazonAthenaFullAccess": ("athena:*",),
    "AmazonOpenSearchServiceFullAccess": ("es:*",),
    "AmazonESFullAccess": ("es:*",),
    "AmazonKinesisFullAccess": ("kinesis:*",),
    "AmazonKinesisFirehoseFullAccess": ("firehose:*",),
    "AmazonMSKFullAccess": ("kafka:*",),
    "AmazonElastiCacheFullAccess": ("elasticache:*",),
    "AmazonEC2ContainerRegistryFullAccess": ("ecr:*",),
    "AmazonSQSFullAccess": ("sqs:*",),
    "AmazonSNSFullAccess": ("sns:*",),
    "AmazonSSMFullAccess": ("ssm:*",),
    "AWSBackupFullAccess": ("backup:*",),
    "AWSLakeFormationDataAdmin": ("lakeformation:*",),
}

_PREFIX = ":iam::aws:policy/"


def aws_managed_policy_name(arn: Any) -> Optional[str]:
    """The name of an AWS managed policy at the root path (``arn:aws:iam::aws:policy/<name>``, any partition), else
    None (a customer managed policy, a service-role or job-function policy, an unknown value)."""
    if not isinstance(arn, str) or not arn.startswith("arn:") or _PREFIX not in arn:
        return None
    name = arn.split(_PREFIX, 1)[1]
    return None if "/" in name or not name else name
