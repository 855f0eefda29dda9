"""S3 objects a program uploads or copies are encrypted with a customer-managed KMS key.

``aws.s3.BucketObjectv2``, ``aws.s3.BucketObject`` and ``aws.s3.ObjectCopy`` (pulumi-aws 7) take
``kmsKeyId`` and ``serverSideEncryption``. With ``serverSideEncryption`` ``aws:kms`` (or ``aws:kms:dsse``)
and no key, S3 uses the AWS-managed ``aws/s3`` key; ``AES256`` is SSE-S3 (botocore ``s3``
``PutObjectRequest.SSEKMSKeyId``). An object that sets neither takes its bucket's default encryption: it is
judged by the bucket's configuration when the stack declares the bucket (``s3-bucket-encryption-cmk``'s
view of it), and not judged otherwise. Checkov CKV_AWS_186 (objects), CKV_AWS_181 (copies), which fail
every object without ``kmsKeyId`` whatever its bucket does.
"""

from __future__ import annotations

from typing import Any

from pulumi_policy import PolicyResource, ReportViolation, Severity, StackValidationArgs, StackValidationPolicy

from policies.rules._declare import examines, frameworks
from policies.rules._index import ReferenceIndex, of_type, stack_resources
from policies.rules._principals import aws_managed_key_alias
from policies.rules._props import get, is_unknown
from policies.rules.s3 import BUCKET_KEYS, BUCKET_TYPES, ENCRYPTION_TYPES, OBJECT_TYPES, BucketView, _sse, bucket_views


def _own_choice(obj: PolicyResource) -> Any:
    """A phrase if the object's own settings choose an AWS-managed key or SSE-S3; "" if they choose a customer key;
    None if it chooses nothing (its bucket's default applies) or a value is unknown (UNKNOWN)."""
    key, sse = get(obj.props, "kmsKeyId"), get(obj.props, "serverSideEncryption")
    if is_unknown(key) or is_unknown(sse):
        return "unknown"
    if isinstance(key, str) and key:
        managed = aws_managed_key_alias(key)
        return f"kmsKeyId is the AWS-managed key {managed}" if managed else ""
    if isinstance(sse, str) and sse.upper() == "AES256":
        return "serverSideEncryption is AES256 (SSE-S3)"
    if isinstance(sse, str) and sse.lower().startswith("aws:kms"):
        return f"serverSideEncryption is {sse} without kmsKeyId (the AWS-managed aws/s3 key)"
    return None


def _bucket_default(view: BucketView) -> Any:
    """A phrase if the bucket's default encryption is not a customer-managed key; "" if it is; None if unknown."""
    settings = [_sse(rule) for rule in view.encryption_rules]
    if view.encryption_unknown or any(is_unknown(algorithm) or is_unknown(key) for algorithm, key in settings):
        return None
    keys = [key for algorithm, key in settings if isinstance(algorithm, str) and algorithm.startswith("aws:kms")]
    if keys and all(isinstance(key, str) and key and aws_managed_key_alias(key) is None for key in keys):
        return ""
    if not settings:
        return f"its bucket {view.name!r} has no default encryption configuration (SSE-S3)"
    return f"its bucket {view.name!r} encrypts by default with SSE-S3 or the AWS-managed aws/s3 key"


def _validate(args: StackValidationArgs, report: ReportViolation) -> None:
    resources = stack_resources(args)
    objects = of_type(resources, *OBJECT_TYPES)
    if not objects:
        return
    by_bucket: dict[str, BucketView] = {}
    index = ReferenceIndex(objects, OBJECT_TYPES, "bucket")
    for view in bucket_views(resources):
        for obj in index.referrers(view.bucket, BUCKET_KEYS):
            by_bucket.setdefault(obj.urn, view)
    for obj in objects:
        phrase = _own_choice(obj)
        if phrase is None:
            view = by_bucket.get(obj.urn)
            if view is None or view.log_sources:
                continue  # a bucket declared elsewhere, or an access-log bucket (SSE-S3 by necessity)
            phrase = _bucket_default(view)
            if phrase:
                phrase = f"it sets no kmsKeyId and {phrase}"
        if phrase and phrase != "unknown":
            report(f"{obj.resource_type} {obj.name!r} is not encrypted with a customer-managed key: {phrase}", obj.urn)


s3_object_customer_managed_key = StackValidationPolicy(
    name="s3-object-customer-managed-key",
    description="S3 objects a program writes (BucketObjectv2, BucketObject, ObjectCopy) are encrypted with a "
                "customer-managed KMS key, their own or their bucket's default.",
    validate=examines(OBJECT_TYPES + BUCKET_TYPES + ENCRYPTION_TYPES, _validate),
    severity=Severity.MEDIUM,
    remediation_steps="Give the bucket a default SSE-KMS configuration with your own aws.kms.Key (and leave the "
                      "object's server_side_encryption unset), or set kms_key_id on the object to a customer-managed "
                      "key.",
    **frameworks({"nist-800-53": "SC-28, SC-12", "pci-dss": "3.5.1", "hipaa": "164.312(a)(2)(iv)",
                  "gdpr": "Art. 32(1)(a)"}),
)

SECURITY = [s3_object_customer_managed_key]
PRIVACY: list = []
COMPLIANCE: list = []
