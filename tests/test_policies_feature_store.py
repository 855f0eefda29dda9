"""Feature-store rules: each from a compliant feature group (and stack), one field changed."""

from __future__ import annotations

import copy
from typing import Any, Callable, Optional

import pytest

from policies.rules import feature_store as rules
from policy_helpers import UNKNOWN, resource_args, stack_args, stack_resource, urn_for, violations

FG = "aws:sagemaker/featureGroup:FeatureGroup"
KEY = "aws:kms/key:Key"
ALIAS = "aws:kms/alias:Alias"
BUCKET = "aws:s3/bucket:Bucket"
RESTRICTED_ARN = "arn:aws:kms:us-east-1:123456789012:key/restricted-1"
STANDARD_ARN = "arn:aws:kms:us-east-1:123456789012:key/standard-1"


def group_props(**changes: Any) -> dict[str, Any]:
    """A compliant PII feature group (confidential) on the restricted key and bucket."""
    props = {
        "featureGroupName": "dev-fs-profile",
        "onlineStoreConfig": {"enableOnlineStore": True, "securityConfig": {"kmsKeyId": RESTRICTED_ARN},
                              "ttlDuration": {"unit": "Days", "value": 30.0}},
        "offlineStoreConfig": {"s3StorageConfig": {"s3Uri": "s3://offline-restricted-1/profile",
                                                   "kmsKeyId": RESTRICTED_ARN}},
        "tags": {"data-classification": "confidential", "contains-pii": "true"},
    }
    props.update(changes)
    return props


def check(policy, props: dict[str, Any], config: Optional[dict] = None) -> list[str]:
    return violations(policy, resource_args(FG, props, config, name="profile"))


def test_compliant_group_passes_every_resource_rule():
    for policy in (rules.feature_group_online_store_cmk, rules.feature_group_offline_store_cmk,
                   rules.feature_group_pii_declared, rules.feature_group_pii_online_ttl):
        assert check(policy, group_props()) == []


@pytest.mark.parametrize(("key", "expected"), [
    (None, "online store is encrypted with no kmsKeyId"),
    ("", "online store is encrypted with no kmsKeyId"),
    ("alias/aws/sagemaker", "online store is encrypted with the AWS-managed key alias/aws/sagemaker"),
])
def test_online_store_needs_a_customer_managed_key(key, expected):
    props = group_props()
    props["onlineStoreConfig"]["securityConfig"] = {"kmsKeyId": key} if key is not None else None
    [message] = check(rules.feature_group_online_store_cmk, props)
    assert expected in message and "'profile'" in message


def test_online_rule_ignores_groups_without_online_store_and_unknown_keys():
    assert check(rules.feature_group_online_store_cmk, group_props(onlineStoreConfig=None)) == []
    props = group_props()
    props["onlineStoreConfig"]["securityConfig"]["kmsKeyId"] = UNKNOWN
    assert check(rules.feature_group_online_store_cmk, props) == []


def test_offline_store_needs_a_customer_managed_key():
    props = group_props()
    del props["offlineStoreConfig"]["s3StorageConfig"]["kmsKeyId"]
    [message] = check(rules.feature_group_offline_store_cmk, props)
    assert "offline store is encrypted with no kmsKeyId" in message
    assert check(rules.feature_group_offline_store_cmk, group_props(offlineStoreConfig=None)) == []


def test_pii_tag_must_be_declared():
    [message] = check(rules.feature_group_pii_declared, group_props(tags={"data-classification": "internal"}))
    assert "has no contains-pii tag" in message
    assert check(rules.feature_group_pii_declared, group_props(tags={"contains-pii": UNKNOWN})) == []


def test_pii_tag_from_provider_default_tags_counts():
    args = resource_args(FG, group_props(tags={}), None, {"defaultTags": '{"tags": {"contains-pii": "false"}}'})
    assert violations(rules.feature_group_pii_declared, args) == []


def test_pii_group_needs_an_online_ttl():
    props = group_props()
    del props["onlineStoreConfig"]["ttlDuration"]
    [message] = check(rules.feature_group_pii_online_ttl, props)
    assert "holds personal data but its online records never expire" in message


def test_a_ttl_unit_of_the_wrong_shape_counts_as_no_ttl():
    # A list where the unit string belongs (a hand-written or corrupted plan) is judged, not a crash.
    props = group_props()
    props["onlineStoreConfig"]["ttlDuration"] = {"unit": ["Days"], "value": 7}
    [message] = check(rules.feature_group_pii_online_ttl, props)
    assert "holds personal data but its online records never expire" in message


def test_ttl_rule_ignores_groups_without_pii():
    props = group_props(tags={"contains-pii": "false"})
    del props["onlineStoreConfig"]["ttlDuration"]
    assert check(rules.feature_group_pii_online_ttl, props) == []


def test_pii_ttl_above_the_configured_maximum_is_reported():
    props = group_props()
    props["onlineStoreConfig"]["ttlDuration"] = {"unit": "Weeks", "value": 8.0}
    assert check(rules.feature_group_pii_online_ttl, props) == []  # 56 days, default limit 365
    [message] = check(rules.feature_group_pii_online_ttl, props, {"maxPiiOnlineTtlDays": 30})
    assert "online TTL of 8 Weeks (56 days); the limit is 30 days" in message


# --------------------------------------------------------------------------------------------------
# Stack rules


def stack(**group_changes: Any) -> dict[str, tuple[str, dict[str, Any]]]:
    return {
        "restricted-key": (KEY, {"id": "restricted-1", "arn": RESTRICTED_ARN, "keyId": "restricted-1",
                                 "tags": {"data-classification": "restricted"}}),
        "standard-key": (KEY, {"id": "standard-1", "arn": STANDARD_ARN, "keyId": "standard-1",
                               "tags": {"data-classification": "confidential"}}),
        "offline-restricted": (BUCKET, {"id": "offline-restricted-1", "bucket": "offline-restricted-1",
                                        "tags": {"data-classification": "restricted"}}),
        "offline": (BUCKET, {"id": "offline-1", "bucket": "offline-1", "tags": {"data-classification": "internal"}}),
        "profile": (FG, group_props(**group_changes)),
    }


def run(policy, spec, change: Optional[Callable[[dict], None]] = None,
        deps: Optional[dict[str, list[tuple[str, str]]]] = None) -> list[str]:
    spec = copy.deepcopy(spec)
    if change:
        change(spec)
    resources = [stack_resource(type_, props, name=name,
                                property_dependencies={prop: [urn_for(t, n) for t, n in targets]
                                                       for prop, targets in (deps or {}).items()}
                                if name == "profile" else None)
                 for name, (type_, props) in spec.items()]
    return violations(policy, stack_args(resources))


def set_key(store: str, value: Any) -> Callable[[dict], None]:
    def change(spec):
        props = spec["profile"][1]
        if store == "online":
            props["onlineStoreConfig"]["securityConfig"]["kmsKeyId"] = value
        else:
            props["offlineStoreConfig"]["s3StorageConfig"]["kmsKeyId"] = value
    return change


def test_compliant_stack_passes_the_stack_rules():
    assert run(rules.feature_group_pii_restricted_key, stack()) == []
    assert run(rules.feature_group_offline_bucket_classification, stack()) == []


@pytest.mark.parametrize("store", ["online", "offline"])
def test_pii_group_on_a_non_restricted_key_is_reported(store):
    [message] = run(rules.feature_group_pii_restricted_key, stack(), set_key(store, STANDARD_ARN))
    assert f"its {store} store key 'standard-key' is classified confidential, not restricted" in message


def test_pii_group_on_a_key_outside_the_stack_is_reported():
    [message] = run(rules.feature_group_pii_restricted_key, stack(), set_key("online", "arn:aws:kms:::key/elsewhere"))
    assert "is not a key of this stack" in message


def test_restricted_key_found_through_an_alias():
    def change(spec):
        spec["alias"] = (ALIAS, {"id": "alias/pii", "name": "alias/pii", "targetKeyId": "restricted-1"})
        set_key("online", "alias/pii")(spec)
    assert run(rules.feature_group_pii_restricted_key, stack(), change) == []


def test_restricted_key_rule_ignores_groups_without_pii():
    assert run(rules.feature_group_pii_restricted_key, stack(tags={"data-classification": "internal",
                                                                   "contains-pii": "false"}),
               set_key("online", STANDARD_ARN)) == []


def test_unknown_key_is_resolved_through_property_dependencies_in_preview():
    change = set_key("online", UNKNOWN)
    assert run(rules.feature_group_pii_restricted_key, stack(), change,
               deps={"onlineStoreConfig": [(KEY, "standard-key")]}) != []
    assert run(rules.feature_group_pii_restricted_key, stack(), change,
               deps={"onlineStoreConfig": [(KEY, "restricted-key")]}) == []
    assert run(rules.feature_group_pii_restricted_key, stack(), change) == []


def test_offline_bucket_classified_below_the_group_is_reported():
    def change(spec):
        spec["profile"][1]["offlineStoreConfig"]["s3StorageConfig"]["s3Uri"] = "s3://offline-1/profile"
    [message] = run(rules.feature_group_offline_bucket_classification, stack(), change)
    assert "is confidential but its offline store bucket 'offline' is classified internal" in message


def test_offline_bucket_without_classification_is_reported():
    def change(spec):
        spec["offline-restricted"][1]["tags"] = {}
    [message] = run(rules.feature_group_offline_bucket_classification, stack(), change)
    assert "classified not at all" in message


def test_offline_bucket_outside_the_stack_is_reported():
    def change(spec):
        spec["profile"][1]["offlineStoreConfig"]["s3StorageConfig"]["s3Uri"] = "s3://someone-elses/profile"
    [message] = run(rules.feature_group_offline_bucket_classification, stack(), change)
    assert "is not a bucket of this stack" in message


def test_offline_bucket_rule_tolerates_unknown_uri_and_uses_dependencies():
    def change(spec):
        spec["profile"][1]["offlineStoreConfig"]["s3StorageConfig"]["s3Uri"] = UNKNOWN
    assert run(rules.feature_group_offline_bucket_classification, stack(), change) == []
    assert run(rules.feature_group_offline_bucket_classification, stack(), change,
               deps={"offlineStoreConfig": [(BUCKET, "offline"), (KEY, "restricted-key")]}) != []


def test_rules_are_in_the_packs_they_serve():
    assert rules.SECURITY == [rules.feature_group_online_store_cmk, rules.feature_group_offline_store_cmk]
    assert rules.feature_group_pii_restricted_key in rules.PRIVACY
    for policy in rules.SECURITY + rules.PRIVACY:
        assert policy.name.startswith("feature-group-") and policy.remediation_steps and policy.tags


def test_the_rules_read_the_pii_tag_the_component_writes():
    # The packs keep their own copy to avoid importing the component (and pulumi_aws) at start.
    from components.feature_store.spec import PII_TAG

    assert rules.PII_TAG == PII_TAG
