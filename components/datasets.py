"""``DatasetStore``: the environment's dataset bucket, with immutable versions for reproducible training.

A ``SecureBucket`` (SSE-KMS, TLS only, public access blocked, access logs, versioning) with

- S3 Object Lock enabled at creation and a default retention (``ObjectLockArgs``: GOVERNANCE where
  teams experiment, COMPLIANCE only when asked), so a dataset version cannot be overwritten or
  deleted during the retention;
- no expiry of noncurrent versions: a version-aware DVC remote (and any training run that pinned an
  object version) reads superseded versions, so they are never expired;
- the tag ``data-purpose=datasets`` (how the policy packs recognise a dataset bucket);
- a data-producer role that may write objects and read every version, but holds neither
  ``s3:DeleteObjectVersion`` nor ``s3:BypassGovernanceRetention`` (both explicitly denied), so it
  cannot remove a locked version;
- ``dvc_remote``: the DVC remote configuration (``url``, ``version_aware``, ``region``).

See docs/components/datasets.md.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any, Mapping, Optional, Sequence

import pulumi
import pulumi_aws as aws

from components.common import Classification, child_opts
from components.storage import ObjectLockArgs, SecureBucket, SecureBucketArgs

#: The tag (key, value) that marks a bucket as a dataset bucket for the policy packs.
DATASET_TAG = ("data-purpose", "datasets")

#: What a data producer may do: write objects, read and list every version, see retention and holds.
PRODUCER_OBJECT_ACTIONS = ["s3:PutObject", "s3:GetObject", "s3:GetObjectVersion", "s3:GetObjectRetention",
                           "s3:GetObjectLegalHold", "s3:AbortMultipartUpload", "s3:ListMultipartUploadParts"]
PRODUCER_BUCKET_ACTIONS = ["s3:ListBucket", "s3:ListBucketVersions", "s3:GetBucketVersioning",
                           "s3:GetBucketLocation", "s3:GetBucketObjectLockConfiguration"]
#: Never granted, and denied so that no other policy attached to the role can grant them.
PRODUCER_DENIED_ACTIONS = ["s3:DeleteObjectVersion", "s3:BypassGovernanceRetention",
                           "s3:PutBucketObjectLockConfiguration", "s3:PutLifecycleConfiguration",
                           "s3:PutBucketVersioning"]


def producer_trust_policy(principals: Sequence[str]) -> dict[str, Any]:
    """Who may assume the producer role: the given IAM principals (roles or users), nobody else."""
    return {"Version": "2012-10-17", "Statement": [{
        "Sid": "DataProducersAssume", "Effect": "Allow", "Principal": {"AWS": list(principals)},
        "Action": "sts:AssumeRole"}]}


def producer_policy(bucket_arn: str, key_arn: str) -> dict[str, Any]:
    """Write and read every version of the dataset bucket; never delete a version or bypass a lock."""
    return {"Version": "2012-10-17", "Statement": [
        {"Sid": "WriteAndReadVersions", "Effect": "Allow", "Action": PRODUCER_OBJECT_ACTIONS,
         "Resource": f"{bucket_arn}/*"},
        {"Sid": "ListVersions", "Effect": "Allow", "Action": PRODUCER_BUCKET_ACTIONS, "Resource": bucket_arn},
        {"Sid": "UseTheDataKey", "Effect": "Allow", "Action": ["kms:GenerateDataKey", "kms:Decrypt"],
         "Resource": key_arn},
        {"Sid": "NeverDeleteVersionsOrBypassLocks", "Effect": "Deny", "Action": PRODUCER_DENIED_ACTIONS,
         "Resource": [bucket_arn, f"{bucket_arn}/*"]},
    ]}


def dvc_remote(bucket_name: str, region: str, prefix: str) -> dict[str, Any]:
    """The DVC S3 remote configuration (``dvc remote modify`` keys ``url``, ``version_aware``, ``region``)."""
    return {"url": f"s3://{bucket_name}/{prefix}" if prefix else f"s3://{bucket_name}",
            "version_aware": True, "region": region}


@dataclass
class DatasetStoreArgs:
    """The dataset bucket. Defaults: GOVERNANCE lock for 30 days, every version kept, DVC under ``dvc/``."""

    kms_key: aws.kms.Key
    classification: Classification
    access_log_bucket: aws.s3.Bucket
    #: The region of the bucket, for the DVC remote configuration.
    region: str
    #: Default retention of each new object version.
    object_lock: ObjectLockArgs = field(default_factory=ObjectLockArgs)
    #: IAM principal ARNs that may assume the data-producer role; none: no role is created.
    producer_principals: Sequence[str] = ()
    #: Key prefix of the DVC remote in the bucket.
    dvc_prefix: str = "dvc"
    abort_incomplete_multipart_upload_days: int = 7
    #: Protect the bucket from deletion by Pulumi (prod).
    protect: bool = False
    tags: Mapping[str, str] = field(default_factory=dict)
    #: Resource aliases of the bucket component (e.g. it was a top-level ``SecureBucket`` before).
    aliases: Sequence[pulumi.Alias] = ()

    def __post_init__(self) -> None:
        for arn in self.producer_principals:
            if not (isinstance(arn, str) and arn.startswith("arn:") and ":iam::" in arn and "*" not in arn):
                raise ValueError(f"producer principal {arn!r} is invalid: give an IAM role or user ARN, no wildcards")


class DatasetStore(pulumi.ComponentResource):
    """The dataset bucket with Object Lock, every version kept, a producer role and a DVC remote output."""

    store: SecureBucket
    bucket: aws.s3.Bucket
    bucket_name: pulumi.Output[str]
    producer_role: Optional[aws.iam.Role]
    dvc_remote: pulumi.Output[dict]

    def __init__(self, name: str, args: DatasetStoreArgs, opts: Optional[pulumi.ResourceOptions] = None) -> None:
        super().__init__("mlinfra:datasets:DatasetStore", name, None, opts)
        self.store = SecureBucket(name, SecureBucketArgs(
            kms_key=args.kms_key, classification=args.classification, access_log_bucket=args.access_log_bucket,
            noncurrent_version_expiration_days=None,
            abort_incomplete_multipart_upload_days=args.abort_incomplete_multipart_upload_days,
            object_lock=args.object_lock, protect=args.protect,
            tags={**args.tags, DATASET_TAG[0]: DATASET_TAG[1]},
        ), opts=pulumi.ResourceOptions(parent=self, aliases=list(args.aliases) or None))
        self.bucket = self.store.bucket
        self.bucket_name = self.store.bucket_name
        self.producer_role = None
        if args.producer_principals:
            self.producer_role = aws.iam.Role(
                f"{name}-producer", assume_role_policy=json.dumps(producer_trust_policy(args.producer_principals)),
                description="Writes dataset versions; cannot delete versions or bypass Object Lock",
                tags=dict(args.tags), opts=child_opts(self))
            aws.iam.RolePolicy(
                f"{name}-producer-policy", role=self.producer_role.id,
                policy=pulumi.Output.all(self.bucket.arn, args.kms_key.arn).apply(
                    lambda v: json.dumps(producer_policy(v[0], v[1]))),
                opts=child_opts(self))
        self.dvc_remote = self.bucket.bucket.apply(lambda bucket: dvc_remote(bucket, args.region, args.dvc_prefix))
        self.register_outputs({"bucketName": self.bucket_name, "dvcRemote": self.dvc_remote,
                               "producerRoleArn": self.producer_role.arn if self.producer_role else None})
