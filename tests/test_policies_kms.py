"""KMS rules: rotation and key policies, each from a compliant key with one field changed."""

from __future__ import annotations

import json

import pytest

from policies.rules import kms
from policy_helpers import UNKNOWN, resource_args, violations

KEY = "aws:kms/key:Key"
ROOT = "arn:aws:iam::123456789012:root"


def key_policy(*extra: dict) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": [
        {"Sid": "Root", "Effect": "Allow", "Principal": {"AWS": ROOT}, "Action": "kms:*", "Resource": "*"}, *extra]})


def compliant_key(**changes) -> dict:
    return {"enableKeyRotation": True, "rotationPeriodInDays": 365.0, "deletionWindowInDays": 30.0,
            "policy": key_policy(), **changes}


def test_compliant_key_passes_both_rules():
    args = resource_args(KEY, compliant_key())
    assert violations(kms.kms_key_rotation, args) == []
    assert violations(kms.kms_key_policy_no_public_principal, args) == []


@pytest.mark.parametrize("value", [False, None])
def test_rotation_off_fails(value):
    props = compliant_key(enableKeyRotation=value)
    assert violations(kms.kms_key_rotation, resource_args(KEY, props)) == [
        "Automatic key rotation is off (enableKeyRotation is not true)."]


def test_rotation_period_longer_than_configured_maximum_fails():
    args = resource_args(KEY, compliant_key(rotationPeriodInDays=730.0))
    assert violations(kms.kms_key_rotation, args) == ["rotationPeriodInDays is 730; at most 365 days are allowed."]
    relaxed = resource_args(KEY, compliant_key(rotationPeriodInDays=730.0), config={"maxRotationPeriodDays": 730.0})
    assert violations(kms.kms_key_rotation, relaxed) == []


def test_asymmetric_and_hmac_keys_are_exempt_from_rotation():
    for spec, usage in (("RSA_2048", "SIGN_VERIFY"), ("HMAC_256", "GENERATE_VERIFY_MAC")):
        props = compliant_key(enableKeyRotation=False, keySpec=spec, keyUsage=usage)
        assert violations(kms.kms_key_rotation, resource_args(KEY, props)) == []


def test_unknown_rotation_is_not_judged():
    assert violations(kms.kms_key_rotation, resource_args(KEY, compliant_key(enableKeyRotation=UNKNOWN))) == []


KMS_MSG = "allows any principal ('*') without a condition that restricts the caller (such as aws:PrincipalAccount, aws:PrincipalOrgID or kms:CallerAccount)."


@pytest.mark.parametrize("principal", ["*", {"AWS": "*"}, {"AWS": [ROOT, "*"]}])
def test_wildcard_principal_without_condition_fails(principal):
    statement = {"Sid": "Open", "Effect": "Allow", "Principal": principal, "Action": "kms:Decrypt", "Resource": "*"}
    args = resource_args(KEY, compliant_key(policy=key_policy(statement)))
    assert violations(kms.kms_key_policy_no_public_principal, args) == [
        "Key policy statement Open " + KMS_MSG]


def test_wildcard_principal_with_condition_passes_and_deny_is_fine():
    scoped = {"Effect": "Allow", "Principal": "*", "Action": "kms:Decrypt", "Resource": "*",
              "Condition": {"StringEquals": {"kms:CallerAccount": "123456789012"}}}
    deny = {"Effect": "Deny", "Principal": "*", "Action": "kms:*", "Resource": "*"}
    args = resource_args(KEY, compliant_key(policy=key_policy(scoped, deny)))
    assert violations(kms.kms_key_policy_no_public_principal, args) == []


@pytest.mark.parametrize("condition", [
    {"Bool": {"aws:SecureTransport": "true"}},                         # not about the caller
    {"StringEquals": {"kms:ViaService": "s3.us-east-1.amazonaws.com"}},  # any account's S3 calls
    {"StringNotEquals": {"kms:CallerAccount": "123456789012"}},        # every other account
    {"StringEqualsIfExists": {"kms:CallerAccount": "123456789012"}},   # a request without the key passes
    {"StringLike": {"kms:CallerAccount": "*"}},                        # any account
])
def test_wildcard_principal_with_a_condition_that_lets_anyone_in_fails(condition):
    statement = {"Sid": "Open", "Effect": "Allow", "Principal": "*", "Action": "kms:Decrypt", "Resource": "*",
                 "Condition": condition}
    args = resource_args(KEY, compliant_key(policy=key_policy(statement)))
    assert violations(kms.kms_key_policy_no_public_principal, args) == ["Key policy statement Open " + KMS_MSG]


def test_key_policy_resource_is_checked_too():
    statement = {"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "kms:*", "Resource": "*"}
    args = resource_args("aws:kms/keyPolicy:KeyPolicy", {"keyId": "k", "policy": {"Statement": [statement]}})
    assert violations(kms.kms_key_policy_no_public_principal, args) == [
        "Key policy statement #0 " + KMS_MSG]


def test_invalid_policy_json_is_reported():
    args = resource_args(KEY, compliant_key(policy="{not json"))
    assert violations(kms.kms_key_policy_no_public_principal, args) == [
        "The key policy is not a valid JSON policy document."]


def test_rules_ignore_other_types():
    args = resource_args("aws:s3/bucket:Bucket", {"policy": json.dumps({"Statement": [
        {"Effect": "Allow", "Principal": "*", "Action": "s3:*", "Resource": "*"}]})})
    assert violations(kms.kms_key_policy_no_public_principal, args) == []
    assert violations(kms.kms_key_rotation, args) == []


LOCKOUT = ["bypassPolicyLockoutSafetyCheck is true: KMS skips the check that the key policy lets the principal setting "
           "it change it again (CreateKey, PutKeyPolicy), so a policy can lock every administrator out of the key"]


@pytest.mark.parametrize("type_", kms.LOCKOUT_CHECKED_TYPES)
def test_bypassing_the_lockout_safety_check_fails_on_every_key_and_key_policy_type(type_):
    assert violations(kms.kms_key_policy_lockout_check, resource_args(type_, compliant_key())) == []
    assert violations(kms.kms_key_policy_lockout_check, resource_args(
        type_, compliant_key(bypassPolicyLockoutSafetyCheck=True))) == LOCKOUT


@pytest.mark.parametrize("value", [False, None, UNKNOWN])
def test_the_lockout_check_left_on_or_unknown_passes(value):
    args = resource_args(KEY, compliant_key(bypassPolicyLockoutSafetyCheck=value))
    assert violations(kms.kms_key_policy_lockout_check, args) == []


def test_every_lockout_checked_type_takes_the_input_as_its_sdk_declares_it():
    # pulumi-aws 7's and pulumi-aws-native's classes are the reference: each type the rule reads has the input.
    import importlib
    import inspect

    for type_ in kms.LOCKOUT_CHECKED_TYPES:
        package, module, name = type_.split(":")
        sdk = importlib.import_module("pulumi_aws" if package == "aws" else "pulumi_aws_native")
        cls = getattr(getattr(sdk, module.split("/")[0]), name)
        assert "bypass_policy_lockout_safety_check" in inspect.signature(cls._internal_init).parameters, type_
