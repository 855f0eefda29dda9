"""The ``data-classification`` tag, its values, and the resource types that must carry it.

Rules judge any program by this table (a data store needs a classification tag); components tag
what they create with the same key. The data-store controls (encryption, keys, public access,
protection) have their own table, ``catalog.data_stores``.
"""

from __future__ import annotations

#: The tag naming how sensitive a data store's contents are.
CLASSIFICATION_TAG = "data-classification"

#: The values the ``data-classification`` tag may take, least to most sensitive.
CLASSIFICATIONS: tuple[str, ...] = ("public", "internal", "confidential", "restricted")

#: Resources that hold data (or the keys that protect it): they need a ``data-classification`` tag,
#: and are what "stateful" means for protection. Log groups are not here: their sensitivity follows
#: the workload, and their encryption and retention have their own rules.
DATA_STORE_TYPES: frozenset[str] = frozenset({
    "aws:s3/bucket:Bucket",
    "aws:s3/bucketV2:BucketV2",
    "aws:s3/directoryBucket:DirectoryBucket",
    "aws:kms/key:Key",
    "aws:kms/replicaKey:ReplicaKey",
    "aws:dynamodb/table:Table",
    "aws:ebs/volume:Volume",
    "aws:efs/fileSystem:FileSystem",
    "aws:fsx/lustreFileSystem:LustreFileSystem",
    "aws:rds/instance:Instance",
    "aws:rds/cluster:Cluster",
    "aws:redshift/cluster:Cluster",
    "aws:elasticache/replicationGroup:ReplicationGroup",
    "aws:opensearch/domain:Domain",
    "aws:ecr/repository:Repository",
    "aws:sagemaker/featureGroup:FeatureGroup",
    "aws:sagemaker/modelPackageGroup:ModelPackageGroup",
    "aws:sagemaker/domain:Domain",
    "aws:secretsmanager/secret:Secret",
    "aws:glue/catalogDatabase:CatalogDatabase",
    "aws:kinesis/stream:Stream",
    "aws:sqs/queue:Queue",
    "aws:sns/topic:Topic",
})


def is_data_store(resource_type: str) -> bool:
    """True for resource types that store data (see ``DATA_STORE_TYPES``)."""
    return resource_type in DATA_STORE_TYPES
