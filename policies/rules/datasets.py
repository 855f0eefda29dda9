"""Dataset buckets: versions that trained a model stay as they were. A dataset bucket has S3 Object
Lock with a default retention, and no lifecycle rule expires its noncurrent versions (a
version-aware DVC remote, and every run that pinned an object version, reads them).

A bucket is a dataset bucket when it carries the dataset tag (default ``data-purpose=datasets``,
which ``components.datasets.DatasetStore`` sets) or its bucket or resource name matches one of
``namePatterns`` (default ``*dataset*``). Settings may be separate resources
(``BucketObjectLockConfiguration``, ``BucketLifecycleConfiguration``) joined through their
``bucket`` input, or inline on the bucket (``objectLockEnabled``, the legacy
``objectLockConfiguration`` and ``lifecycleRules``; a pulumi-aws 6 BucketV2 nests them as lists:
``objectLockConfiguration.rules[].defaultRetentions[]``, ``lifecycleRules[].noncurrentVersionExpirations[]``).
"""

from __future__ import annotations

import fnmatch
from typing import Any

from pulumi_policy import ReportViolation, Severity, StackValidationArgs, StackValidationPolicy

from policies.rules._declare import config_schema, examines, frameworks, policy_config
from policies.rules._index import ReferenceIndex, of_type, stack_resources
from policies.rules._props import as_bool, as_int, as_list, get, is_unknown, resource_tags
from policies.rules.s3 import ALL_BUCKET_TYPES, BUCKET_KEYS, BUCKET_TYPES, NATIVE_BUCKET

LOCK_TYPES = ("aws:s3/bucketObjectLockConfiguration:BucketObjectLockConfiguration",
              "aws:s3/bucketObjectLockConfigurationV2:BucketObjectLockConfigurationV2")
LIFECYCLE_TYPES = ("aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration",
                   "aws:s3/bucketLifecycleConfigurationV2:BucketLifecycleConfigurationV2")

_RECOGNITION = {
    "datasetTagKey": {"type": "string", "default": "data-purpose",
                      "description": "Tag key that marks a dataset bucket."},
    "datasetTagValue": {"type": "string", "default": "datasets",
                        "description": "Value of datasetTagKey that marks a dataset bucket."},
    "namePatterns": {"type": "array", "items": {"type": "string"}, "default": ["*dataset*"],
                     "description": "Shell-style patterns: a bucket whose bucket name or resource name matches "
                                    "one is a dataset bucket too."},
}


def dataset_buckets(resources: list[Any], config: dict[str, Any]) -> list[Any]:
    """The stack's dataset buckets (by the dataset tag, or a name matching ``namePatterns``)."""
    found = []
    # pulumi-aws-native's AWS::S3::Bucket: ``bucketName``, the same inline objectLockEnabled and
    # objectLockConfiguration, lifecycle rules in ``lifecycleConfiguration.rules`` (pulumi-aws-native 1.84).
    for bucket in of_type(resources, *ALL_BUCKET_TYPES):
        tags = resource_tags(bucket)
        tagged = not is_unknown(tags) and tags.get(config["datasetTagKey"]) == config["datasetTagValue"]
        names = [n for n in (get(bucket.props, "bucket"), get(bucket.props, "bucketPrefix"),
                             get(bucket.props, "bucketName"), bucket.name)
                 if isinstance(n, str)]
        named = any(fnmatch.fnmatch(n.lower(), p.lower()) for n in names for p in config["namePatterns"])
        if tagged or named:
            found.append(bucket)
    return found


# --------------------------------------------------------------------------------------------------
# Object Lock with a default retention

LOCK_SCHEMA = config_schema(
    **_RECOGNITION,
    minRetentionDays={"type": "integer", "minimum": 0, "default": 1,
                      "description": "Shortest default retention (days; years count 365) of a dataset version."},
)


def _retention_days(rule: Any) -> Any:
    retention = get(rule, "defaultRetention")
    if retention is None:  # pulumi-aws 6's BucketV2 (s3/_inputs.py BucketV2ObjectLockConfigurationRuleArgs): a list
        retentions = as_list(get(rule, "defaultRetentions"))
        retention = retentions if is_unknown(retentions) else next(iter(retentions), None)
    if is_unknown(retention):
        return retention
    if not isinstance(retention, dict):
        return None
    days, years = as_int(retention.get("days")), as_int(retention.get("years"))
    if is_unknown(days) or is_unknown(years):
        return days if is_unknown(days) else years
    if isinstance(days, int):
        return days
    return years * 365 if isinstance(years, int) else None


def _validate_object_lock(args: StackValidationArgs, report_violation: ReportViolation) -> None:
    config = policy_config(args, LOCK_SCHEMA)
    resources = stack_resources(args)
    locks = ReferenceIndex(resources, LOCK_TYPES, "bucket")
    for bucket in dataset_buckets(resources, config):
        inline = get(bucket.props, "objectLockConfiguration")
        enabled = as_bool(get(bucket.props, "objectLockEnabled"))
        if get(inline, "objectLockEnabled") == "Enabled":
            enabled = True
        if is_unknown(enabled) or is_unknown(inline):
            continue
        if enabled is not True:
            report_violation(f"Dataset bucket {bucket.name!r} has no S3 Object Lock: a version that trained a model "
                             "can be overwritten or deleted (objectLockEnabled must be set when the bucket is "
                             "created).", bucket.urn)
            continue
        # A BucketV2's inline configuration holds ``rules``, a list (BucketV2ObjectLockConfigurationArgs).
        inline_rules = as_list(get(inline, "rules"))
        if is_unknown(inline_rules):
            continue
        rules = ([get(inline, "rule")] + [rule for rule in inline_rules if isinstance(rule, dict)]
                 + [get(lock.props, "rule") for lock in locks.referrers(bucket, BUCKET_KEYS)])
        retentions = [_retention_days(rule) for rule in rules if rule is not None]
        if any(is_unknown(days) for days in retentions):
            continue
        known = [days for days in retentions if isinstance(days, int)]
        if not known:
            report_violation(f"Dataset bucket {bucket.name!r} has Object Lock but no default retention: new "
                             "versions are not locked.", bucket.urn)
        elif max(known) < config["minRetentionDays"]:
            report_violation(f"Dataset bucket {bucket.name!r} locks new versions for {max(known)} day(s); at least "
                             f"{config['minRetentionDays']} required.", bucket.urn)


dataset_bucket_object_lock = StackValidationPolicy(
    name="dataset-bucket-object-lock",
    description="Dataset buckets have S3 Object Lock with a default retention, so the versions a model was "
                "trained on cannot be overwritten or deleted.",
    validate=examines(ALL_BUCKET_TYPES + LOCK_TYPES, _validate_object_lock),
    config_schema=LOCK_SCHEMA,
    severity=Severity.MEDIUM,
    remediation_steps="Create the bucket with object_lock_enabled=True (it cannot be switched on later through the "
                      "provider) and add an aws.s3.BucketObjectLockConfiguration with rule.default_retention "
                      "(mode GOVERNANCE, or COMPLIANCE where required, and days); mlinfra stacks: "
                      "components.datasets.DatasetStore does both.",
    **frameworks({"nist-800-53": "SI-7, AU-9", "hipaa": "164.312(c)(1)"}),
)


# --------------------------------------------------------------------------------------------------
# Noncurrent dataset versions are kept

KEEP_SCHEMA = config_schema(**_RECOGNITION)


def _expiring_rules(rules: Any) -> list[str]:
    found = []
    for index, rule in enumerate(rules if isinstance(rules, list) else []):
        if not isinstance(rule, dict):
            continue
        status, enabled = rule.get("status"), as_bool(rule.get("enabled"))
        if status not in (None, "Enabled") and not is_unknown(status) or enabled is False:
            continue
        # BucketV2's inline lifecycle rules name it ``noncurrentVersionExpirations``, a list
        # (pulumi-aws 7 s3/_inputs.py BucketV2LifecycleRuleArgs).
        expiry = rule.get("noncurrentVersionExpiration")
        expiry = rule.get("noncurrentVersionExpirations") if expiry is None else expiry
        expiry = expiry[0] if isinstance(expiry, list) and expiry else expiry
        if (isinstance(expiry, dict) and any(expiry.get(k) is not None for k in ("noncurrentDays", "days"))
                or rule.get("noncurrentVersionExpirationInDays") is not None):  # AWS::S3::Bucket's older form
            found.append(str(rule.get("id") or f"#{index}"))
    return found


def _validate_noncurrent_kept(args: StackValidationArgs, report_violation: ReportViolation) -> None:
    config = policy_config(args, KEEP_SCHEMA)
    resources = stack_resources(args)
    lifecycles = ReferenceIndex(resources, LIFECYCLE_TYPES, "bucket")
    for bucket in dataset_buckets(resources, config):
        inline = "lifecycleConfiguration" if bucket.resource_type == NATIVE_BUCKET else "lifecycleRules"
        sources = [(bucket, as_list(get(bucket.props, inline, "rules") if bucket.resource_type == NATIVE_BUCKET
                                    else get(bucket.props, inline)))]
        sources += [(lifecycle, as_list(get(lifecycle.props, "rules")))
                    for lifecycle in lifecycles.referrers(bucket, BUCKET_KEYS)]
        for resource, rules in sources:
            if is_unknown(rules):
                continue
            expiring = _expiring_rules(rules)
            if expiring:
                report_violation(f"Dataset bucket {bucket.name!r}: lifecycle rule(s) {', '.join(expiring)} expire "
                                 "noncurrent versions; a pinned dataset version (or a version-aware DVC remote) "
                                 "would lose its data.", resource.urn)


dataset_noncurrent_versions_kept = StackValidationPolicy(
    name="dataset-noncurrent-versions-kept",
    description="No lifecycle rule expires the noncurrent versions of a dataset bucket.",
    validate=examines(ALL_BUCKET_TYPES + LIFECYCLE_TYPES, _validate_noncurrent_kept),
    config_schema=KEEP_SCHEMA,
    severity=Severity.MEDIUM,
    remediation_steps="Remove noncurrent_version_expiration from the dataset bucket's lifecycle rules (keep the "
                      "abort-incomplete-multipart-upload rule); to save storage, transition noncurrent versions "
                      "to a colder storage class instead of expiring them.",
    **frameworks({"nist-800-53": "SI-12, CP-9", "hipaa": "164.312(c)(1)"}),
)


SECURITY: list = []
PRIVACY: list = []
COMPLIANCE = [dataset_bucket_object_lock, dataset_noncurrent_versions_kept]
