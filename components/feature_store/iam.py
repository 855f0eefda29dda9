"""IAM policy documents for the feature store: the store's own role, and per-group read access.

Plain functions over plain values (ARNs, names), so the documents are tested without Pulumi and
the component only resolves the ARNs. Every statement names its resources; none uses ``*``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Sequence

#: The AWS Glue catalog SageMaker registers offline-store tables in.
DATA_CATALOG = "AwsDataCatalog"

KMS_READ = ["kms:Decrypt", "kms:DescribeKey"]
KMS_WRITE = ["kms:Encrypt", "kms:Decrypt", "kms:GenerateDataKey", "kms:DescribeKey"]
ATHENA_QUERY = ["athena:StartQueryExecution", "athena:GetQueryExecution", "athena:GetQueryResults",
                "athena:StopQueryExecution", "athena:GetWorkGroup"]
GLUE_READ = ["glue:GetDatabase", "glue:GetTable", "glue:GetTables", "glue:GetPartition", "glue:GetPartitions"]


@dataclass(frozen=True)
class OfflineLocation:
    """Where one group's offline store lives: bucket, key prefix, key, Glue table, table format."""

    bucket_arn: str
    prefix: str
    key_arn: str
    database: str
    table: str
    table_format: str = "Glue"


def glue_arns(location: OfflineLocation, *, partition: str, region: str, account_id: str) -> list[str]:
    base = f"arn:{partition}:glue:{region}:{account_id}"
    return [f"{base}:catalog", f"{base}:database/{location.database}",
            f"{base}:table/{location.database}/{location.table}"]


def assume_role_policy(account_id: str, partition: str = "aws") -> dict[str, Any]:
    """SageMaker may assume the store role, only on behalf of this account."""
    return {"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow",
        "Principal": {"Service": "sagemaker.amazonaws.com"},
        "Action": "sts:AssumeRole",
        "Condition": {"StringEquals": {"aws:SourceAccount": account_id},
                      "ArnLike": {"aws:SourceArn": f"arn:{partition}:sagemaker:*:{account_id}:feature-group/*"}},
    }]}


def store_role_policy(locations: Sequence[OfflineLocation], *, partition: str, region: str,
                      account_id: str) -> dict[str, Any]:
    """What SageMaker needs to write offline stores: objects under each group's prefix, its key,
    and (Iceberg) reading and updating the group's own Glue table."""
    statements: list[dict[str, Any]] = [
        {"Sid": "WriteOfflineObjects", "Effect": "Allow",
         "Action": ["s3:PutObject", "s3:PutObjectAcl", "s3:GetObject"],
         "Resource": sorted({f"{loc.bucket_arn}/{loc.prefix}/*" for loc in locations})},
        {"Sid": "ReadBucketAcl", "Effect": "Allow", "Action": ["s3:GetBucketAcl", "s3:ListBucket"],
         "Resource": sorted({loc.bucket_arn for loc in locations})},
        {"Sid": "EncryptOfflineObjects", "Effect": "Allow", "Action": KMS_WRITE,
         "Resource": sorted({loc.key_arn for loc in locations})},
    ]
    iceberg = [loc for loc in locations if loc.table_format == "Iceberg"]
    if iceberg:
        statements.append({"Sid": "CompactIcebergTables", "Effect": "Allow",
                           "Action": ["s3:DeleteObject"],
                           "Resource": sorted({f"{loc.bucket_arn}/{loc.prefix}/*" for loc in iceberg})})
        statements.append({"Sid": "UpdateIcebergTables", "Effect": "Allow",
                           "Action": ["glue:GetDatabase", "glue:GetTable", "glue:UpdateTable"],
                           "Resource": sorted({arn for loc in iceberg for arn in glue_arns(
                               loc, partition=partition, region=region, account_id=account_id)})})
    return {"Version": "2012-10-17", "Statement": statements}


def training_policy(location: OfflineLocation, *, partition: str, region: str, account_id: str,
                    athena_workgroup: str) -> dict[str, Any]:
    """Read one group's offline store: its S3 prefix, its Glue table, Athena queries, key decrypt.

    Athena also writes query results to the workgroup's output location, which this policy does
    not grant (it belongs to whoever owns the workgroup).
    """
    return {"Version": "2012-10-17", "Statement": [
        {"Sid": "ReadOfflineObjects", "Effect": "Allow", "Action": ["s3:GetObject"],
         "Resource": f"{location.bucket_arn}/{location.prefix}/*"},
        {"Sid": "ListOfflinePrefix", "Effect": "Allow", "Action": ["s3:ListBucket"],
         "Resource": location.bucket_arn,
         "Condition": {"StringLike": {"s3:prefix": [location.prefix, f"{location.prefix}/*"]}}},
        {"Sid": "ReadGlueTable", "Effect": "Allow", "Action": GLUE_READ,
         "Resource": glue_arns(location, partition=partition, region=region, account_id=account_id)},
        {"Sid": "QueryWithAthena", "Effect": "Allow", "Action": ATHENA_QUERY,
         "Resource": f"arn:{partition}:athena:{region}:{account_id}:workgroup/{athena_workgroup}"},
        {"Sid": "DecryptOfflineObjects", "Effect": "Allow", "Action": KMS_READ, "Resource": location.key_arn},
    ]}


def serving_policy(group_arn: str, key_arn: str) -> dict[str, Any]:
    """Read one group's online store (sagemaker-featurestore-runtime) and decrypt with its key."""
    return {"Version": "2012-10-17", "Statement": [
        {"Sid": "ReadOnlineRecords", "Effect": "Allow",
         "Action": ["sagemaker:GetRecord", "sagemaker:BatchGetRecord"], "Resource": group_arn},
        {"Sid": "DecryptOnlineRecords", "Effect": "Allow", "Action": KMS_READ, "Resource": key_arn},
    ]}
