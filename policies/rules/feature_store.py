"""SageMaker Feature Store: both stores encrypted with customer-managed keys, and personal data
held the way the platform promises (declared, expiring online, under a restricted key, in a bucket
classified at least as high as the group). The classification tag itself is checked for every data
store by ``tags.data-store-classification``.

A group's PII flag is its ``contains-pii`` tag (``components.feature_store`` sets it from the spec);
its classification is its ``data-classification`` tag.
"""

from __future__ import annotations

import re
from typing import Any, Optional

from pulumi_policy import (
    PolicyResource,
    ReportViolation,
    ResourceValidationArgs,
    ResourceValidationPolicy,
    Severity,
    StackValidationArgs,
    StackValidationPolicy,
)

from catalog.classification import CLASSIFICATION_TAG, CLASSIFICATIONS
from policies.rules._declare import applies_to, config_schema, examines, frameworks, policy_config
from policies.rules._index import IdentifierIndex, of_type, per_stack, stack_resources
from policies.rules._principals import aws_managed_key_alias
from policies.rules._props import as_bool, as_int, describe, get, is_unknown, resource_tags, UNKNOWN

FEATURE_GROUP = "aws:sagemaker/featureGroup:FeatureGroup"
#: pulumi-aws-native's AWS::SageMaker::FeatureGroup: the same OnlineStoreConfig (EnableOnlineStore,
#: SecurityConfig.KmsKeyId, TtlDuration) and OfflineStoreConfig.S3StorageConfig.KmsKeyId (pulumi-aws-native 1.84
#: sagemaker/feature_group.py); its tags are CloudFormation's list. The stack rules joining groups to keys and
#: buckets read pulumi-aws groups only.
FEATURE_GROUPS = (FEATURE_GROUP, "aws-native:sagemaker:FeatureGroup")
KEY = "aws:kms/key:Key"
ALIAS = "aws:kms/alias:Alias"
BUCKETS = ("aws:s3/bucket:Bucket", "aws:s3/bucketV2:BucketV2")
PII_TAG = "contains-pii"
RESTRICTED = "restricted"

#: TTL units in days, for comparing a TTL with the configured maximum.
_TTL_UNIT_DAYS = {"Seconds": 1 / 86400, "Minutes": 1 / 1440, "Hours": 1 / 24, "Days": 1, "Weeks": 7}
_S3_URI = re.compile(r"^s3://([^/]+)")
#: Where a feature group names each store's KMS key.
ONLINE_KEY_PATH = ("onlineStoreConfig", "securityConfig", "kmsKeyId")
OFFLINE_KEY_PATH = ("offlineStoreConfig", "s3StorageConfig", "kmsKeyId")


def _online_enabled(props: Any) -> Any:
    return as_bool(get(props, "onlineStoreConfig", "enableOnlineStore"))


def _has_offline(props: Any) -> Any:
    config = get(props, "offlineStoreConfig")
    return config if is_unknown(config) else config is not None


def _cmk_problem(key_id: Any) -> Optional[str]:
    """Why a ``kmsKeyId`` is not a customer-managed key; None if it is (or is not known yet)."""
    if is_unknown(key_id):
        return None
    if not isinstance(key_id, str) or not key_id:
        return "no kmsKeyId (SageMaker then uses an AWS owned or AWS managed key)"
    if aws_managed_key_alias(key_id):
        return f"the AWS-managed key {key_id}"
    return None


def _pii(args_or_resource: Any) -> Any:
    """True/False from the ``contains-pii`` tag; None if absent; UNKNOWN if not known yet."""
    tags = resource_tags(args_or_resource)
    return tags if is_unknown(tags) else as_bool(tags.get(PII_TAG))


# --------------------------------------------------------------------------------------------------
# Encryption of both stores with customer-managed keys


def _store_cmk(store: str, present: Any, key_path: tuple[str, ...]) -> Any:
    """A validate: when ``present(props)`` is True, the key at ``key_path`` must be customer-managed."""

    def validate(args: ResourceValidationArgs, report: ReportViolation) -> None:
        if present(args.props) is not True:
            return
        problem = _cmk_problem(get(args.props, *key_path))
        if problem:
            report(f"{describe(args)}: the {store} store is encrypted with {problem}; set "
                   f"{'.'.join(key_path)} to a customer-managed key.")

    return validate


_online_cmk = _store_cmk("online", _online_enabled, ONLINE_KEY_PATH)


feature_group_online_store_cmk = ResourceValidationPolicy(
    name="feature-group-online-store-cmk",
    description="A feature group's online store is encrypted with a customer-managed KMS key.",
    validate=applies_to(FEATURE_GROUPS, _online_cmk),
    severity=Severity.HIGH,
    remediation_steps="Set online_store_config.security_config.kms_key_id to a customer-managed key's ARN "
                      "(components.feature_store.FeatureStore does this with its own keys). The key of an "
                      "existing group cannot change in place: the group is replaced.",
    **frameworks({"nist-800-53": "SC-28, SC-12", "pci-dss": "3.5.1", "hipaa": "164.312(a)(2)(iv)",
                  "gdpr": "Art. 32(1)(a)"}),
)


_offline_cmk = _store_cmk("offline", _has_offline, OFFLINE_KEY_PATH)


feature_group_offline_store_cmk = ResourceValidationPolicy(
    name="feature-group-offline-store-cmk",
    description="A feature group's offline store writes its S3 objects encrypted with a customer-managed KMS key.",
    validate=applies_to(FEATURE_GROUPS, _offline_cmk),
    severity=Severity.HIGH,
    remediation_steps="Set offline_store_config.s3_storage_config.kms_key_id to a customer-managed key's ARN, "
                      "the key the offline bucket is encrypted with.",
    **frameworks({"nist-800-53": "SC-28, SC-12", "pci-dss": "3.5.1", "hipaa": "164.312(a)(2)(iv)",
                  "gdpr": "Art. 32(1)(a)"}),
)


# --------------------------------------------------------------------------------------------------
# Personal data: declared, expiring online


def _pii_declared(args: ResourceValidationArgs, report: ReportViolation) -> None:
    tags = resource_tags(args)
    if is_unknown(tags) or is_unknown(tags.get(PII_TAG)):
        return
    if as_bool(tags.get(PII_TAG)) is None:
        report(f"{describe(args)} has no {PII_TAG} tag (true or false): the privacy rules cannot tell whether "
               "it holds personal data.")


feature_group_pii_declared = ResourceValidationPolicy(
    name="feature-group-pii-declared",
    description=f"Every feature group declares whether it holds personal data with a {PII_TAG} tag "
                "(true or false).",
    validate=applies_to(FEATURE_GROUPS, _pii_declared),
    severity=Severity.MEDIUM,
    remediation_steps=f"Tag the group {PII_TAG}: \"true\" if any feature is personal data, else \"false\" "
                      "(FeatureStore sets it from the spec's per-feature pii flags).",
    **frameworks({"gdpr": "Art. 30", "nist-800-53": "PT-3"}),
)

TTL_SCHEMA = config_schema(
    maxPiiOnlineTtlDays={
        "type": "number", "default": 365,
        "description": "Longest online TTL, in days, a feature group holding personal data may have.",
    },
)


def _pii_ttl(args: ResourceValidationArgs, report: ReportViolation) -> None:
    if _pii(args) is not True or _online_enabled(args.props) is not True:
        return
    ttl = get(args.props, "onlineStoreConfig", "ttlDuration")
    if is_unknown(ttl):
        return
    value = as_int(ttl.get("value")) if isinstance(ttl, dict) else None
    unit = ttl.get("unit") if isinstance(ttl, dict) else None
    if is_unknown(value) or is_unknown(unit):
        return
    if not value or not isinstance(unit, str) or unit not in _TTL_UNIT_DAYS:
        report(f"{describe(args)} holds personal data but its online records never expire: set "
               "onlineStoreConfig.ttlDuration.")
        return
    limit = policy_config(args, TTL_SCHEMA)["maxPiiOnlineTtlDays"]
    days = value * _TTL_UNIT_DAYS[unit]
    if isinstance(limit, (int, float)) and days > limit:
        report(f"{describe(args)} holds personal data with an online TTL of {value} {unit} ({days:g} days); "
               f"the limit is {limit:g} days.")


feature_group_pii_online_ttl = ResourceValidationPolicy(
    name="feature-group-pii-online-ttl",
    description="A feature group holding personal data expires its online records (ttlDuration) within the "
                "configured maximum.",
    validate=applies_to(FEATURE_GROUPS, _pii_ttl),
    config_schema=TTL_SCHEMA,
    severity=Severity.HIGH,
    remediation_steps="Set online.ttl in the feature-group spec (online_store_config.ttl_duration); SageMaker "
                      "hard-deletes a record TTL after its event time.",
    **frameworks({"gdpr": "Art. 5(1)(e)", "nist-800-53": "SI-12"}),
)


# --------------------------------------------------------------------------------------------------
# Stack rules: the key and the bucket behind each store


def _classification(resource: Any) -> Any:
    tags = resource_tags(resource)
    return tags if is_unknown(tags) else tags.get(CLASSIFICATION_TAG)


def _dependencies_of(resource: PolicyResource, prop: str, types: tuple[str, ...]) -> list[PolicyResource]:
    return [d for d in (resource.property_dependencies or {}).get(prop) or []
            if isinstance(d, PolicyResource) and d.resource_type in types]


@per_stack
def _key_indexes(resources: list[PolicyResource]) -> tuple[IdentifierIndex, IdentifierIndex]:
    return IdentifierIndex(resources, (KEY,), ("id", "arn", "keyId")), IdentifierIndex(resources, (ALIAS,))


def _find_key(resources: list[PolicyResource], key_id: Any, group: PolicyResource, prop: str) -> Any:
    """The stack's key a ``kmsKeyId`` names (by id, ARN, key id or alias); UNKNOWN if it cannot be told yet."""
    if isinstance(key_id, str) and key_id and not is_unknown(key_id):
        keys, aliases = _key_indexes(resources)
        key = keys.find(key_id)
        if key is not None:
            return key
        alias = aliases.find(key_id)
        if alias is not None:
            return keys.find(get(alias.props, "targetKeyId"))
        return None
    candidates = _dependencies_of(group, prop, (KEY,))
    return candidates[0] if len(candidates) == 1 else UNKNOWN


def _validate_restricted_key(args: StackValidationArgs, report: ReportViolation) -> None:
    resources = stack_resources(args)
    for group in of_type(resources, FEATURE_GROUP):
        if _pii(group) is not True:
            continue
        stores = []
        if _online_enabled(group.props) is True:
            stores.append(("online", ONLINE_KEY_PATH[0], get(group.props, *ONLINE_KEY_PATH)))
        if _has_offline(group.props) is True:
            stores.append(("offline", OFFLINE_KEY_PATH[0], get(group.props, *OFFLINE_KEY_PATH)))
        for store, prop, key_id in stores:
            key = _find_key(resources, key_id, group, prop)
            if is_unknown(key):
                continue
            if key is None:
                report(f"{describe(group)} holds personal data; its {store} store key ({key_id or 'none'}) is not a "
                       "key of this stack, so it cannot be shown to be a restricted-data key.", group.urn)
                continue
            classification = _classification(key)
            if not is_unknown(classification) and classification != RESTRICTED:
                report(f"{describe(group)} holds personal data; its {store} store key {key.name!r} is classified "
                       f"{classification or 'not at all'}, not {RESTRICTED}: use a key dedicated to restricted data.",
                       group.urn)


feature_group_pii_restricted_key = StackValidationPolicy(
    name="feature-group-pii-restricted-key",
    description="A feature group holding personal data encrypts its online and offline stores with a key of "
                f"this stack tagged {CLASSIFICATION_TAG}={RESTRICTED}.",
    validate=examines([FEATURE_GROUP, KEY, ALIAS], _validate_restricted_key),
    severity=Severity.HIGH,
    remediation_steps="Encrypt the group with a key dedicated to restricted data (FeatureStore puts groups "
                      "with PII on its feature-store-restricted key). Changing a group's key replaces it.",
    **frameworks({"gdpr": "Art. 32(1)(a), Art. 25", "hipaa": "164.312(a)(2)(iv)", "nist-800-53": "SC-12, AC-6"}),
)


@per_stack
def _bucket_index(resources: list[PolicyResource]) -> IdentifierIndex:
    return IdentifierIndex(resources, BUCKETS, ("id", "bucket"))


def _find_bucket(resources: list[PolicyResource], group: PolicyResource) -> Any:
    uri = get(group.props, "offlineStoreConfig", "s3StorageConfig", "s3Uri")
    if isinstance(uri, str) and not is_unknown(uri):
        match = _S3_URI.match(uri)
        return _bucket_index(resources).find(match.group(1) if match else None)
    candidates = _dependencies_of(group, "offlineStoreConfig", BUCKETS)
    return candidates[0] if len(candidates) == 1 else UNKNOWN


def _rank(value: Any) -> Optional[int]:
    return CLASSIFICATIONS.index(value) if value in CLASSIFICATIONS else None


def _validate_offline_bucket(args: StackValidationArgs, report: ReportViolation) -> None:
    resources = stack_resources(args)
    for group in of_type(resources, FEATURE_GROUP):
        if _has_offline(group.props) is not True:
            continue
        group_class = _classification(group)
        if _rank(group_class) is None:
            continue  # unknown, or missing/invalid: data-store-classification reports that
        bucket = _find_bucket(resources, group)
        if is_unknown(bucket):
            continue
        if bucket is None:
            report(f"{describe(group)}: its offline store bucket is not a bucket of this stack, so its "
                   "classification cannot be checked.", group.urn)
            continue
        bucket_class = _classification(bucket)
        if is_unknown(bucket_class):
            continue
        if _rank(bucket_class) is None or _rank(bucket_class) < _rank(group_class):
            report(f"{describe(group)} is {group_class} but its offline store bucket {bucket.name!r} is classified "
                   f"{bucket_class or 'not at all'}: the bucket must be at least {group_class}.", group.urn)


feature_group_offline_bucket_classification = StackValidationPolicy(
    name="feature-group-offline-bucket-classification",
    description="A feature group's offline store bucket is classified at least as high as the group "
                f"({CLASSIFICATION_TAG} tags compared public < internal < confidential < restricted).",
    validate=examines([FEATURE_GROUP, *BUCKETS], _validate_offline_bucket),
    severity=Severity.HIGH,
    remediation_steps="Put the group's offline store in a bucket classified at least as high as the group "
                      "(FeatureStore keeps restricted and PII groups in its -offline-restricted bucket).",
    **frameworks({"gdpr": "Art. 32(1)(b)", "nist-800-53": "AC-3, RA-2", "hipaa": "164.312(a)(1)"}),
)


SECURITY = [feature_group_online_store_cmk, feature_group_offline_store_cmk]
PRIVACY = [feature_group_pii_declared, feature_group_pii_online_ttl, feature_group_pii_restricted_key,
           feature_group_offline_bucket_classification]
COMPLIANCE: list = []
