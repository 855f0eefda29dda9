"""SecureBucket and AccessLogBucket: sub-resources, exact settings, policies, protection, parents."""

from __future__ import annotations

import json

import pulumi
import pulumi_aws as aws
import pytest

from components.common import Classification
from components.storage import (AccessLogBucket, AccessLogBucketArgs, SecureBucket, SecureBucketArgs,
                                bucket_policy, tls_only_statement)
from mlinfra.mocks import ACCOUNT_ID

BUCKET = "aws:s3/bucket:Bucket"
SSE = "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration"
VERSIONING = "aws:s3/bucketVersioning:BucketVersioning"
PAB = "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock"
POLICY = "aws:s3/bucketPolicy:BucketPolicy"
LOGGING = "aws:s3/bucketLogging:BucketLogging"
LIFECYCLE = "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration"
OWNERSHIP = "aws:s3/bucketOwnershipControls:BucketOwnershipControls"
SECURE = "mlinfra:storage:SecureBucket"
ACCESS_LOGS = "mlinfra:storage:AccessLogBucket"


def _build(run, protect=False, **bucket_kw):
    def program():
        logs = AccessLogBucket("logs", AccessLogBucketArgs(retention_days=90, protect=protect))
        key = aws.kms.Key("data-key")
        SecureBucket("data", SecureBucketArgs(kms_key=key, classification=Classification.RESTRICTED,
                                              access_log_bucket=logs.bucket, protect=protect, **bucket_kw))

    run(program)


def _policy(monitor, name):
    return json.loads(monitor.named(POLICY, name).inputs["policy"])


def test_secure_bucket_has_every_sub_resource_parented_to_it(monitor, run):
    _build(run)
    component = monitor.named(SECURE, "data")
    bucket = monitor.named(BUCKET, "data")
    assert bucket.parent == component.urn
    for type_, suffix in [(SSE, "encryption"), (VERSIONING, "versioning"), (PAB, "public-access-block"),
                          (POLICY, "policy"), (LOGGING, "logging"), (LIFECYCLE, "lifecycle"),
                          (OWNERSHIP, "ownership")]:
        child = monitor.named(type_, f"data-{suffix}")
        assert child.parent == component.urn
        assert child.inputs["bucket"] == bucket.id


def test_sse_kms_with_bucket_key_and_the_given_key(monitor, run):
    _build(run)
    key_arn = monitor.named("aws:kms/key:Key", "data-key").outputs["arn"]
    (rule,) = monitor.named(SSE, "data-encryption").inputs["rules"]
    assert rule["bucketKeyEnabled"] is True
    assert rule["applyServerSideEncryptionByDefault"] == {"sseAlgorithm": "aws:kms", "kmsMasterKeyId": key_arn}


def test_public_access_block_versioning_and_ownership(monitor, run):
    _build(run)
    pab = monitor.named(PAB, "data-public-access-block").inputs
    assert all(pab[k] is True for k in ("blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls",
                                         "restrictPublicBuckets"))
    assert monitor.named(VERSIONING, "data-versioning").inputs["versioningConfiguration"] == {"status": "Enabled"}
    assert monitor.named(OWNERSHIP, "data-ownership").inputs["rule"] == {"objectOwnership": "BucketOwnerEnforced"}


def test_policy_denies_plain_http_and_waits_for_the_public_access_block(monitor, run):
    _build(run)
    arn = monitor.named(BUCKET, "data").outputs["arn"]
    (statement,) = _policy(monitor, "data-policy")["Statement"]
    assert statement == {"Sid": "DenyInsecureTransport", "Effect": "Deny", "Principal": "*", "Action": "s3:*",
                         "Resource": [arn, f"{arn}/*"], "Condition": {"Bool": {"aws:SecureTransport": "false"}}}
    policy = monitor.named(POLICY, "data-policy")
    assert monitor.named(PAB, "data-public-access-block").urn in policy.dependencies


def test_extra_statements_are_merged_after_the_tls_deny(monitor, run):
    def program():
        logs = AccessLogBucket("logs")
        trainer = aws.iam.Role("trainer", name="trainer", assume_role_policy="{}")
        SecureBucket("data", SecureBucketArgs(
            kms_key=aws.kms.Key("data-key"), classification=Classification.RESTRICTED,
            access_log_bucket=logs.bucket,
            policy_statements=[
                {"Sid": "TrainerReads", "Effect": "Allow", "Principal": {"AWS": trainer.arn},
                 "Action": ["s3:GetObject"]},
                pulumi.Output.from_input({"Sid": "Later", "Effect": "Deny", "Principal": "*",
                                          "Action": "s3:DeleteBucket", "Resource": "arn:aws:s3:::x"}),
            ]))

    run(program)
    role_arn = f"arn:aws:iam::{ACCOUNT_ID}:role/trainer"
    arn = monitor.named(BUCKET, "data").outputs["arn"]
    tls, reads, later = _policy(monitor, "data-policy")["Statement"]
    assert tls["Sid"] == "DenyInsecureTransport"
    assert reads["Principal"] == {"AWS": role_arn}
    assert reads["Resource"] == [arn, f"{arn}/*"]
    assert later["Resource"] == "arn:aws:s3:::x"


def test_public_allow_statement_is_rejected_before_anything_is_created():
    with pytest.raises(ValueError, match="statement 'Open' allows principal '\\*'"):
        bucket_policy("arn:aws:s3:::b", [{"Sid": "Open", "Effect": "Allow", "Principal": {"AWS": "*"},
                                          "Action": "s3:GetObject"}])


def test_public_allow_statement_fails_the_component(monitor, run):
    with pytest.raises(ValueError, match="allows principal"):
        _build(run, policy_statements=[{"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject"}])


def test_duplicate_sid_is_rejected():
    with pytest.raises(ValueError, match="used more than once: DenyInsecureTransport"):
        bucket_policy("arn:aws:s3:::b", [{"Sid": "DenyInsecureTransport", "Effect": "Deny", "Principal": "*",
                                          "Action": "s3:*"}])


def test_access_logging_goes_to_the_log_bucket_under_a_per_bucket_prefix(monitor, run):
    _build(run)
    logging = monitor.named(LOGGING, "data-logging").inputs
    assert logging["targetBucket"] == monitor.named(BUCKET, "logs").outputs["bucket"]
    assert logging["targetPrefix"] == "data/"


def test_lifecycle_rules_default(monitor, run):
    _build(run)
    lifecycle = monitor.named(LIFECYCLE, "data-lifecycle")
    rules = {r["id"]: r for r in lifecycle.inputs["rules"]}
    assert set(rules) == {"abort-incomplete-multipart-uploads", "expire-noncurrent-versions"}
    assert rules["abort-incomplete-multipart-uploads"]["abortIncompleteMultipartUpload"] == {"daysAfterInitiation": 7}
    assert rules["expire-noncurrent-versions"]["noncurrentVersionExpiration"] == {"noncurrentDays": 90}
    assert all(r["status"] == "Enabled" for r in rules.values())
    assert monitor.named(VERSIONING, "data-versioning").urn in lifecycle.dependencies


def test_optional_expiry_of_current_objects(monitor, run):
    _build(run, expiration_days=14, noncurrent_version_expiration_days=3)
    rules = {r["id"]: r for r in monitor.named(LIFECYCLE, "data-lifecycle").inputs["rules"]}
    assert rules["expire-current-objects"]["expiration"] == {"days": 14}
    assert rules["expire-noncurrent-versions"]["noncurrentVersionExpiration"] == {"noncurrentDays": 3}


def test_classification_tag_force_destroy_and_outputs(monitor, run):
    _build(run)
    bucket = monitor.named(BUCKET, "data")
    assert bucket.inputs["tags"]["data-classification"] == "restricted"
    assert bucket.inputs["forceDestroy"] is False
    outputs = monitor.named(SECURE, "data").outputs
    assert outputs["arn"] == bucket.outputs["arn"]
    assert outputs["bucketName"] == bucket.outputs["bucket"]


def test_buckets_are_protected_only_when_asked(monitor, run):
    _build(run, protect=True)
    assert monitor.named(BUCKET, "data").protect is True
    assert monitor.named(BUCKET, "logs").protect is True
    assert monitor.named(POLICY, "data-policy").protect is False


def test_buckets_are_unprotected_by_default(monitor, run):
    _build(run)
    assert not any(b.protect for b in monitor.by_type(BUCKET))


@pytest.mark.parametrize("field", ["noncurrent_version_expiration_days", "abort_incomplete_multipart_upload_days",
                                   "expiration_days"])
def test_non_positive_days_are_rejected(field):
    with pytest.raises(ValueError, match=f"{field}=0 is invalid: must be at least 1 day"):
        SecureBucketArgs(kms_key=None, classification=Classification.INTERNAL, access_log_bucket=None,
                         **{field: 0})


def test_access_log_bucket_uses_sse_s3_and_admits_log_delivery_only(monitor, run):
    _build(run)
    component = monitor.named(ACCESS_LOGS, "logs")
    bucket = monitor.named(BUCKET, "logs")
    assert bucket.parent == component.urn
    assert bucket.inputs["tags"]["data-classification"] == "internal"
    (rule,) = monitor.named(SSE, "logs-encryption").inputs["rules"]
    assert rule["applyServerSideEncryptionByDefault"] == {"sseAlgorithm": "AES256"}
    arn = bucket.outputs["arn"]
    tls, delivery = _policy(monitor, "logs-policy")["Statement"]
    assert tls == tls_only_statement(arn)
    assert delivery == {"Sid": "S3ServerAccessLogsDelivery", "Effect": "Allow",
                        "Principal": {"Service": "logging.s3.amazonaws.com"}, "Action": "s3:PutObject",
                        "Resource": f"{arn}/*", "Condition": {"StringEquals": {"aws:SourceAccount": ACCOUNT_ID}}}
    assert monitor.named(PAB, "logs-public-access-block").urn in monitor.named(POLICY, "logs-policy").dependencies


def test_access_log_bucket_guards_and_retention(monitor, run):
    _build(run)
    component = monitor.named(ACCESS_LOGS, "logs")
    for type_, suffix in [(VERSIONING, "versioning"), (PAB, "public-access-block"), (OWNERSHIP, "ownership"),
                          (LIFECYCLE, "lifecycle")]:
        assert monitor.named(type_, f"logs-{suffix}").parent == component.urn
    assert monitor.named(OWNERSHIP, "logs-ownership").inputs["rule"] == {"objectOwnership": "BucketOwnerEnforced"}
    rules = {r["id"]: r for r in monitor.named(LIFECYCLE, "logs-lifecycle").inputs["rules"]}
    assert rules["expire-current-objects"]["expiration"] == {"days": 90}
    # Logging into itself would loop: the access-log bucket has no logging of its own.
    assert [r.name for r in monitor.by_type(LOGGING)] == ["data-logging"]

