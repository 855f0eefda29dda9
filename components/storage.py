"""S3 buckets with every guard on: ``SecureBucket`` for data and ``AccessLogBucket`` for its access logs.

Both are composed of pulumi-aws 7 resources: ``aws.s3.Bucket`` plus separate resources for the
public access block, default encryption, versioning, ownership controls, bucket policy and
lifecycle (and, for ``SecureBucket``, server access logging). Sub-resources are named
``<name>-encryption``, ``<name>-versioning``, ``<name>-public-access-block``, ``<name>-policy``,
``<name>-logging``, ``<name>-lifecycle`` and ``<name>-ownership``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any, Mapping, Optional, Sequence

import pulumi
import pulumi_aws as aws

from components.common import Classification, child_opts, data_store_tags

LOG_DELIVERY_PRINCIPAL = "logging.s3.amazonaws.com"


def tls_only_statement(bucket_arn: str) -> dict[str, Any]:
    """Deny every S3 request to the bucket and its objects that does not use TLS."""
    return {
        "Sid": "DenyInsecureTransport",
        "Effect": "Deny",
        "Principal": "*",
        "Action": "s3:*",
        "Resource": [bucket_arn, f"{bucket_arn}/*"],
        "Condition": {"Bool": {"aws:SecureTransport": "false"}},
    }


def log_delivery_statement(bucket_arn: str, account_id: str) -> dict[str, Any]:
    """Let S3 server access logging write log objects, only for source buckets of this account."""
    return {
        "Sid": "S3ServerAccessLogsDelivery",
        "Effect": "Allow",
        "Principal": {"Service": LOG_DELIVERY_PRINCIPAL},
        "Action": "s3:PutObject",
        "Resource": f"{bucket_arn}/*",
        "Condition": {"StringEquals": {"aws:SourceAccount": account_id}},
    }


def _is_wildcard_principal(principal: Any) -> bool:
    if principal == "*":
        return True
    if isinstance(principal, Mapping):
        values = principal.get("AWS", [])
        return "*" in (values if isinstance(values, list) else [values])
    return False


def check_statements(statements: Sequence[Mapping[str, Any]]) -> None:
    """Raise ``ValueError`` if a statement allows a wildcard principal (public access)."""
    for statement in statements:
        if statement.get("Effect") == "Allow" and _is_wildcard_principal(statement.get("Principal")):
            raise ValueError(f"bucket policy statement {statement.get('Sid', '(no Sid)')!r} allows principal '*'; "
                             "name the principals (Deny statements may use '*')")


def bucket_policy(bucket_arn: str, extra_statements: Sequence[Mapping[str, Any]] = ()) -> dict[str, Any]:
    """The bucket policy: the TLS-only deny first, then ``extra_statements`` in order.

    An extra statement without ``Resource`` applies to the bucket and its objects. Raises
    ``ValueError`` if an extra statement allows a wildcard principal or reuses a ``Sid``.
    """
    check_statements(extra_statements)
    statements = [tls_only_statement(bucket_arn)]
    statements += [{"Resource": [bucket_arn, f"{bucket_arn}/*"], **statement} for statement in extra_statements]
    sids = [s["Sid"] for s in statements if "Sid" in s]
    duplicates = sorted({sid for sid in sids if sids.count(sid) > 1})
    if duplicates:
        raise ValueError(f"bucket policy statement Sid(s) used more than once: {', '.join(duplicates)}")
    return {"Version": "2012-10-17", "Statement": statements}


def lifecycle_rules(*, noncurrent_version_expiration_days: Optional[int], abort_incomplete_multipart_upload_days: int,
                    expiration_days: Optional[int] = None) -> list[dict[str, Any]]:
    """Lifecycle rules for the whole bucket (pulumi-aws input shape); no noncurrent-version expiry
    when ``noncurrent_version_expiration_days`` is None (datasets: every version stays readable)."""
    rules: list[dict[str, Any]] = [
        {"id": "abort-incomplete-multipart-uploads", "status": "Enabled", "filter": {"prefix": ""},
         "abort_incomplete_multipart_upload": {"days_after_initiation": abort_incomplete_multipart_upload_days}},
    ]
    if noncurrent_version_expiration_days is not None:
        rules.append({"id": "expire-noncurrent-versions", "status": "Enabled", "filter": {"prefix": ""},
                      "noncurrent_version_expiration": {"noncurrent_days": noncurrent_version_expiration_days}})
    if expiration_days is not None:
        rules.append({"id": "expire-current-objects", "status": "Enabled", "filter": {"prefix": ""},
                      "expiration": {"days": expiration_days}})
    return rules


def _require_positive(**days: Optional[int]) -> None:
    for key, value in days.items():
        if value is not None and value < 1:
            raise ValueError(f"{key}={value} is invalid: must be at least 1 day")


def _guard(name: str, bucket: aws.s3.Bucket,
           parent: pulumi.Resource) -> tuple[aws.s3.BucketPublicAccessBlock, aws.s3.BucketVersioning]:
    """What every bucket here gets: public access blocked, ACLs disabled, versioning on.

    Returns the public access block (a bucket policy must wait for it) and the versioning (lifecycle
    rules on noncurrent versions must wait for it).
    """
    public_access_block = aws.s3.BucketPublicAccessBlock(
        f"{name}-public-access-block", bucket=bucket.id, block_public_acls=True, block_public_policy=True,
        ignore_public_acls=True, restrict_public_buckets=True, opts=child_opts(parent))
    # BucketOwnerEnforced disables ACLs: access is decided by policies alone.
    aws.s3.BucketOwnershipControls(
        f"{name}-ownership", bucket=bucket.id, rule={"object_ownership": "BucketOwnerEnforced"},
        opts=child_opts(parent))
    versioning = aws.s3.BucketVersioning(
        f"{name}-versioning", bucket=bucket.id, versioning_configuration={"status": "Enabled"},
        opts=child_opts(parent))
    return public_access_block, versioning


@dataclass
class AccessLogBucketArgs:
    """The access-log bucket. Defaults: logs kept 365 days, not protected."""

    #: Days a log object is kept before it expires.
    retention_days: int = 365
    #: Days an expired or deleted log object's previous version is kept (recovery window).
    noncurrent_version_expiration_days: int = 30
    #: Protect the bucket from deletion by Pulumi (prod).
    protect: bool = False
    tags: Mapping[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        _require_positive(retention_days=self.retention_days,
                          noncurrent_version_expiration_days=self.noncurrent_version_expiration_days)


class AccessLogBucket(pulumi.ComponentResource):
    """The destination of S3 server access logs for the environment's buckets.

    Encrypted with SSE-S3 (AES256), not SSE-KMS: S3 server access logging cannot deliver to a
    bucket whose default encryption is SSE-KMS. Public access is blocked, ACLs are disabled
    (BucketOwnerEnforced), versioning is on, the policy denies non-TLS requests and lets only
    ``logging.s3.amazonaws.com`` write, for source buckets of this account. Logs expire after
    ``retention_days``. Classified ``internal``.
    """

    bucket: aws.s3.Bucket
    bucket_name: pulumi.Output[str]
    arn: pulumi.Output[str]

    def __init__(self, name: str, args: Optional[AccessLogBucketArgs] = None,
                 opts: Optional[pulumi.ResourceOptions] = None) -> None:
        super().__init__("mlinfra:storage:AccessLogBucket", name, None, opts)
        args = args or AccessLogBucketArgs()
        account_id = aws.get_caller_identity_output(opts=pulumi.InvokeOutputOptions(parent=self)).account_id

        self.bucket = aws.s3.Bucket(name, tags=data_store_tags(Classification.INTERNAL, args.tags),
                                    opts=child_opts(self, protect=args.protect))
        self.bucket_name = self.bucket.bucket
        self.arn = self.bucket.arn
        public_access_block, versioning = _guard(name, self.bucket, self)
        aws.s3.BucketServerSideEncryptionConfiguration(
            f"{name}-encryption", bucket=self.bucket.id,
            rules=[{"apply_server_side_encryption_by_default": {"sse_algorithm": "AES256"}}],
            opts=child_opts(self))
        aws.s3.BucketPolicy(
            f"{name}-policy", bucket=self.bucket.id,
            policy=pulumi.Output.all(self.bucket.arn, account_id).apply(
                lambda v: json.dumps(bucket_policy(v[0], [log_delivery_statement(v[0], v[1])]))),
            opts=child_opts(self, depends_on=[public_access_block]))
        aws.s3.BucketLifecycleConfiguration(
            f"{name}-lifecycle", bucket=self.bucket.id,
            rules=lifecycle_rules(noncurrent_version_expiration_days=args.noncurrent_version_expiration_days,
                                  abort_incomplete_multipart_upload_days=1,
                                  expiration_days=args.retention_days),
            opts=child_opts(self, depends_on=[versioning]))

        self.register_outputs({"bucketName": self.bucket_name, "arn": self.arn})


#: S3 Object Lock retention modes (botocore s3 model, ``ObjectLockRetentionMode``).
LOCK_MODES = ("GOVERNANCE", "COMPLIANCE")


@dataclass(frozen=True)
class ObjectLockArgs:
    """S3 Object Lock's default retention for new object versions.

    ``GOVERNANCE``: nobody can overwrite or delete a locked version before ``retention_days`` unless
    they hold ``s3:BypassGovernanceRetention``; ``COMPLIANCE``: nobody, not even the account root,
    and the retention cannot be shortened. Object Lock is enabled when the bucket is created
    (``objectLockEnabled``); the default retention is a separate ``BucketObjectLockConfiguration``.
    """

    mode: str = "GOVERNANCE"
    retention_days: int = 30

    def __post_init__(self) -> None:
        if self.mode not in LOCK_MODES:
            raise ValueError(f"object lock mode {self.mode!r} is invalid: use {' or '.join(LOCK_MODES)}")
        _require_positive(retention_days=self.retention_days)


@dataclass
class SecureBucketArgs:
    """A data bucket. Defaults: noncurrent versions kept 90 days, incomplete uploads aborted after
    7 days, current objects kept forever, no object lock, no force-destroy, not protected."""

    #: The customer-managed key for SSE-KMS (with an S3 bucket key, which cuts KMS requests).
    kms_key: aws.kms.Key
    #: Sensitivity of the data; becomes the ``data-classification`` tag.
    classification: Classification
    #: Where S3 server access logs go (an ``AccessLogBucket``'s bucket), under ``<name>/``.
    access_log_bucket: aws.s3.Bucket
    #: Days a noncurrent version is kept; None keeps every version (no expiry rule).
    noncurrent_version_expiration_days: Optional[int] = 90
    abort_incomplete_multipart_upload_days: int = 7
    #: Expire current objects after N days (e.g. captured inference payloads); None keeps them.
    expiration_days: Optional[int] = None
    #: Extra bucket-policy statements, merged after the TLS-only deny; one without ``Resource`` applies
    #: to the bucket and its objects; an Allow for principal '*' is rejected.
    policy_statements: Sequence[pulumi.Input[dict]] = ()
    #: S3 Object Lock with this default retention, enabled at bucket creation; None: no object lock.
    object_lock: Optional[ObjectLockArgs] = None
    #: Let Pulumi delete a non-empty bucket (dev only).
    force_destroy: bool = False
    #: Protect the bucket from deletion by Pulumi (prod).
    protect: bool = False
    tags: Mapping[str, str] = field(default_factory=dict)
    #: The bucket's physical name; None lets Pulumi name it ``<name>-<random suffix>``. Give one only
    #: where others must know it beforehand (the Pulumi state bucket of ``pulumi login s3://...``).
    bucket_name: Optional[str] = None

    def __post_init__(self) -> None:
        _require_positive(noncurrent_version_expiration_days=self.noncurrent_version_expiration_days,
                          abort_incomplete_multipart_upload_days=self.abort_incomplete_multipart_upload_days,
                          expiration_days=self.expiration_days)


class SecureBucket(pulumi.ComponentResource):
    """A private, SSE-KMS encrypted, versioned S3 bucket that logs access and accepts TLS only."""

    bucket: aws.s3.Bucket
    bucket_name: pulumi.Output[str]
    arn: pulumi.Output[str]
    policy: aws.s3.BucketPolicy

    def __init__(self, name: str, args: SecureBucketArgs, opts: Optional[pulumi.ResourceOptions] = None) -> None:
        # Fail before any resource exists when a plain statement is already known to be public.
        check_statements([s for s in args.policy_statements if isinstance(s, Mapping)])
        super().__init__("mlinfra:storage:SecureBucket", name, None, opts)

        # Object Lock can only be switched on when the bucket is created (s3 CreateBucket
        # x-amz-bucket-object-lock-enabled; pulumi-aws ``object_lock_enabled``).
        self.bucket = aws.s3.Bucket(name, bucket=args.bucket_name, force_destroy=args.force_destroy,
                                    object_lock_enabled=True if args.object_lock else None,
                                    tags=data_store_tags(args.classification, args.tags),
                                    opts=child_opts(self, protect=args.protect))
        self.bucket_name = self.bucket.bucket
        self.arn = self.bucket.arn
        public_access_block, versioning = _guard(name, self.bucket, self)
        aws.s3.BucketServerSideEncryptionConfiguration(
            f"{name}-encryption", bucket=self.bucket.id,
            rules=[{"apply_server_side_encryption_by_default": {"sse_algorithm": "aws:kms",
                                                                "kms_master_key_id": args.kms_key.arn},
                    "bucket_key_enabled": True}],
            opts=child_opts(self))
        # S3 rejects a policy write while the public access block is being changed: order them.
        self.policy = aws.s3.BucketPolicy(
            f"{name}-policy", bucket=self.bucket.id,
            policy=pulumi.Output.all(self.bucket.arn, *args.policy_statements).apply(
                lambda v: json.dumps(bucket_policy(v[0], v[1:]))),
            opts=child_opts(self, depends_on=[public_access_block]))
        aws.s3.BucketLogging(
            f"{name}-logging", bucket=self.bucket.id, target_bucket=args.access_log_bucket.bucket,
            target_prefix=f"{name}/", opts=child_opts(self))
        aws.s3.BucketLifecycleConfiguration(
            f"{name}-lifecycle", bucket=self.bucket.id,
            rules=lifecycle_rules(noncurrent_version_expiration_days=args.noncurrent_version_expiration_days,
                                  abort_incomplete_multipart_upload_days=args.abort_incomplete_multipart_upload_days,
                                  expiration_days=args.expiration_days),
            opts=child_opts(self, depends_on=[versioning]))
        self.object_lock: Optional[aws.s3.BucketObjectLockConfiguration] = None
        if args.object_lock:
            # S3 requires versioning for Object Lock; DefaultRetention needs a mode and Days (s3 model).
            self.object_lock = aws.s3.BucketObjectLockConfiguration(
                f"{name}-object-lock", bucket=self.bucket.id, object_lock_enabled="Enabled",
                rule={"default_retention": {"mode": args.object_lock.mode, "days": args.object_lock.retention_days}},
                opts=child_opts(self, depends_on=[versioning]))

        self.register_outputs({"bucketName": self.bucket_name, "arn": self.arn,
                               "classification": args.classification.value})
