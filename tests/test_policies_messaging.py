"""SNS/SQS rules: each from a compliant topic, queue or policy, one field changed to make it fail."""

from __future__ import annotations

import json

import pytest

from components.registry.documents import QUEUE_ACTIONS, TOPIC_ACTIONS, events_publish_policy
from policies.rules.messaging import (
    QUEUE,
    QUEUE_POLICY,
    TOPIC,
    TOPIC_POLICY,
    sns_sqs_kms_encryption,
    sns_sqs_policy_no_public_principal,
)
from policy_helpers import UNKNOWN, resource_args, violations

KEY_ARN = "arn:aws:kms:us-east-1:123456789012:key/abc"
TOPIC_ARN = "arn:aws:sns:us-east-1:123456789012:approvals"
RULE_ARN = "arn:aws:events:us-east-1:123456789012:rule/approvals"
FIX = ("; set kmsMasterKeyId to a customer-managed key, whose policy must also let the publishing service "
       "(e.g. events.amazonaws.com) use it")


def encryption(type_: str, config: dict | None = None, **props) -> list[str]:
    return violations(sns_sqs_kms_encryption, resource_args(type_, props, config, name="approvals"))


@pytest.mark.parametrize("type_", [TOPIC, QUEUE])
def test_a_customer_managed_key_passes(type_):
    assert encryption(type_, kmsMasterKeyId=KEY_ARN) == []
    assert encryption(type_, kmsMasterKeyId="alias/ml-platform") == []


@pytest.mark.parametrize("type_, alias", [(TOPIC, "alias/aws/sns"), (QUEUE, "alias/aws/sqs")])
def test_the_aws_managed_key_fails_unless_allowed(type_, alias):
    expected = [f"{type_} 'approvals' uses the AWS-managed key {alias}{FIX}"]
    assert encryption(type_, kmsMasterKeyId=alias) == expected
    assert encryption(type_, kmsMasterKeyId=f"arn:aws:kms:us-east-1:123456789012:{alias}") == expected
    assert encryption(type_, {"requireCustomerManagedKey": False}, kmsMasterKeyId=alias) == []


def test_no_key_fails_even_when_aws_managed_keys_are_allowed():
    for config in (None, {"requireCustomerManagedKey": False}):
        assert encryption(TOPIC, config) == [f"{TOPIC} 'approvals' is not encrypted with a KMS key{FIX}"]
        assert encryption(QUEUE, config, sqsManagedSseEnabled=False) == [
            f"{QUEUE} 'approvals' is not encrypted with a KMS key{FIX}"]


def test_sqs_managed_encryption_fails_unless_allowed():
    assert encryption(QUEUE, sqsManagedSseEnabled=True) == [
        f"{QUEUE} 'approvals' uses SQS-managed encryption (SSE-SQS){FIX}"]
    assert encryption(QUEUE, {"requireCustomerManagedKey": False}, sqsManagedSseEnabled=True) == []


def test_an_unknown_key_is_not_judged_and_other_types_are_ignored():
    assert encryption(TOPIC, kmsMasterKeyId=UNKNOWN) == []
    assert encryption("aws:s3/bucket:Bucket") == []


def publish_policy(actions: tuple[str, str], *extra: dict) -> str:
    document = events_publish_policy(resource_arn=TOPIC_ARN, rule_arn=RULE_ARN, actions=actions)
    document["Statement"].extend(extra)
    return json.dumps(document)


def public(type_: str, policy: str) -> list[str]:
    return violations(sns_sqs_policy_no_public_principal, resource_args(type_, {"policy": policy}, name="approvals"))


@pytest.mark.parametrize("type_, actions", [(TOPIC_POLICY, TOPIC_ACTIONS), (QUEUE_POLICY, QUEUE_ACTIONS),
                                            (TOPIC, TOPIC_ACTIONS), (QUEUE, QUEUE_ACTIONS)])
def test_the_registry_publish_policy_passes(type_, actions):
    # The model registry's own document: EventBridge by aws:SourceArn, and a TLS deny for everyone.
    assert public(type_, publish_policy(actions)) == []


@pytest.mark.parametrize("condition", [None, {"Bool": {"aws:SecureTransport": "true"}}])
def test_an_allow_for_anyone_fails(condition):
    statement = {"Sid": "Anyone", "Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "sns:Subscribe",
                 "Resource": TOPIC_ARN}
    if condition:
        statement["Condition"] = condition
    assert public(TOPIC_POLICY, publish_policy(TOPIC_ACTIONS, statement)) == [
        f"{TOPIC_POLICY} 'approvals': statement Anyone allows any principal ('*') (sns:Subscribe) without a "
        "condition that restricts the caller (such as aws:SourceArn, aws:SourceAccount or aws:PrincipalOrgID)"]


def test_an_allow_for_anyone_restricted_to_the_organization_passes_and_bad_json_is_reported():
    statement = {"Effect": "Allow", "Principal": "*", "Action": "sqs:SendMessage", "Resource": "*",
                 "Condition": {"StringEquals": {"aws:PrincipalOrgID": "o-abc123"}}}
    assert public(QUEUE_POLICY, publish_policy(QUEUE_ACTIONS, statement)) == []
    assert public(QUEUE, "{nope") == [f"{QUEUE} 'approvals' has a policy that is not valid JSON"]
    assert public(QUEUE, UNKNOWN) == []
