"""EncryptionKeys: rotation, deletion window, aliases, tags and key policies without wildcard principals."""

from __future__ import annotations

import json

import pulumi
import pytest

from components.common import Classification
from components.encryption import EncryptionKeys, EncryptionKeysArgs, KeySpec, key_policy
from mlinfra.mocks import ACCOUNT_ID

KEY = "aws:kms/key:Key"
ALIAS = "aws:kms/alias:Alias"
COMPONENT = "mlinfra:encryption:EncryptionKeys"

SPECS = [
    KeySpec("data", Classification.RESTRICTED, service_principals=["s3.amazonaws.com"]),
    KeySpec("artifacts", Classification.INTERNAL, service_principals=["sagemaker.amazonaws.com"]),
    KeySpec("logs", Classification.CONFIDENTIAL),
]


def _build(run, **kw):
    created = {}

    def program():
        created["keys"] = EncryptionKeys("plat-keys", EncryptionKeysArgs(keys=SPECS, **kw))

    run(program)
    return created["keys"]


def _principals(statement):
    principal = statement["Principal"]
    if principal == "*":
        return ["*"]
    return [v for values in principal.values() for v in (values if isinstance(values, list) else [values])]


def test_one_rotating_key_and_alias_per_purpose(monitor, run):
    _build(run, deletion_window_days=7)
    keys = {r.name: r for r in monitor.by_type(KEY)}
    assert sorted(keys) == ["plat-keys-artifacts", "plat-keys-data", "plat-keys-logs"]
    for key in keys.values():
        assert key.inputs["enableKeyRotation"] is True
        assert key.inputs["deletionWindowInDays"] == 7
    aliases = sorted(r.inputs["name"] for r in monitor.by_type(ALIAS))
    assert aliases == ["alias/plat-keys-artifacts", "alias/plat-keys-data", "alias/plat-keys-logs"]
    alias = monitor.named(ALIAS, "plat-keys-data-alias")
    assert alias.inputs["targetKeyId"] == keys["plat-keys-data"].outputs["keyId"]


def test_tags_carry_classification_and_purpose(monitor, run):
    _build(run)
    tags = monitor.named(KEY, "plat-keys-data").inputs["tags"]
    assert tags["data-classification"] == "restricted"
    assert tags["purpose"] == "data"
    assert monitor.named(KEY, "plat-keys-artifacts").inputs["tags"]["data-classification"] == "internal"


def test_no_key_policy_statement_has_a_wildcard_principal(monitor, run):
    _build(run)
    for key in monitor.by_type(KEY):
        policy = json.loads(key.inputs["policy"])
        for statement in policy["Statement"]:
            assert "*" not in _principals(statement), (key.name, statement)


def test_service_principals_are_scoped_to_the_account(monitor, run):
    _build(run)
    policy = json.loads(monitor.named(KEY, "plat-keys-data").inputs["policy"])
    root, service = policy["Statement"]
    assert root["Principal"] == {"AWS": f"arn:aws:iam::{ACCOUNT_ID}:root"}
    assert service["Principal"] == {"Service": "s3.amazonaws.com"}
    assert service["Condition"] == {"StringEquals": {"aws:SourceAccount": ACCOUNT_ID}}
    assert "kms:CreateGrant" not in service["Action"] and "kms:*" not in service["Action"]


def test_logs_key_admits_cloudwatch_logs_of_this_account_only(monitor, run):
    _build(run)
    statements = json.loads(monitor.named(KEY, "plat-keys-logs").inputs["policy"])["Statement"]
    logs = [s for s in statements if s["Principal"] == {"Service": "logs.us-east-1.amazonaws.com"}]
    assert len(logs) == 1
    assert logs[0]["Condition"] == {"ArnLike": {
        "kms:EncryptionContext:aws:logs:arn": f"arn:aws:logs:us-east-1:{ACCOUNT_ID}:*"}}
    # DescribeKey has no encryption context, so under that condition it would never be allowed.
    assert "kms:DescribeKey" not in logs[0]["Action"]
    other = json.loads(monitor.named(KEY, "plat-keys-data").inputs["policy"])["Statement"]
    assert not any("logs." in str(s["Principal"]) for s in other)


def test_keys_are_protected_and_parented_when_asked(monitor, run):
    _build(run, protect=True)
    component = monitor.by_type(COMPONENT)[0]
    for key in monitor.by_type(KEY):
        assert key.protect is True
        assert key.parent == component.urn
    for alias in monitor.by_type(ALIAS):
        assert alias.parent == component.urn
    assert set(component.outputs["keyArns"]) == {"data", "artifacts", "logs"}


def test_keys_are_not_protected_by_default(monitor, run):
    _build(run)
    assert not any(key.protect for key in monitor.by_type(KEY))


def test_key_lookup_names_known_purposes(monitor, run):
    keys = _build(run)
    assert isinstance(keys.key("data"), pulumi.CustomResource)
    with pytest.raises(KeyError, match="no key for purpose 'eks'; known purposes: artifacts, data, logs"):
        keys.key("eks")


@pytest.mark.parametrize("days", [6, 31])
def test_deletion_window_outside_kms_range_is_rejected(days):
    with pytest.raises(ValueError, match=f"deletion_window_days={days} is invalid: KMS allows 7 to 30 days"):
        EncryptionKeysArgs(keys=SPECS, deletion_window_days=days)


@pytest.mark.parametrize("specs, message", [
    ([], "at least one KeySpec"),
    ([KeySpec("data"), KeySpec("data")], "'data' appears more than once"),
    ([KeySpec("Data Key")], "key purpose 'Data Key' is invalid"),
    ([KeySpec("data", service_principals=["*"])], r"service principal '\*' for key 'data' is invalid"),
    ([KeySpec("data", service_principals=["arn:aws:iam::1:root"])], "service principal 'arn:aws:iam::1:root'"),
])
def test_bad_key_specs_are_rejected(specs, message):
    with pytest.raises(ValueError, match=message):
        EncryptionKeysArgs(keys=specs)


def test_key_policy_builder_in_another_partition():
    policy = key_policy(KeySpec("logs"), account_id="111122223333", region="us-gov-west-1", partition="aws-us-gov")
    root, logs = policy["Statement"]
    assert root["Principal"]["AWS"] == "arn:aws-us-gov:iam::111122223333:root"
    assert logs["Condition"]["ArnLike"]["kms:EncryptionContext:aws:logs:arn"] == \
        "arn:aws-us-gov:logs:us-gov-west-1:111122223333:*"


def test_logs_principal_listed_on_the_logs_key_gets_only_the_encryption_context_statement():
    spec = KeySpec("logs", service_principals=["logs.eu-west-1.amazonaws.com", "delivery.logs.amazonaws.com"])
    statements = key_policy(spec, account_id="111122223333", region="eu-west-1")["Statement"]
    by_principal = [s["Principal"] for s in statements]
    assert by_principal.count({"Service": "logs.eu-west-1.amazonaws.com"}) == 1
    assert {"Service": "delivery.logs.amazonaws.com"} in by_principal
