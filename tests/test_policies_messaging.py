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


# --- queue policies: no every-action grant (Checkov CKV_AWS_72) --------------------------------------

from policies.rules.messaging import sns_topic_policy_no_cross_account, sqs_policy_no_wildcard_action  # noqa: E402

QUEUE_ARN = "arn:aws:sqs:us-east-1:123456789012:jobs"
TOPIC_ARN = "arn:aws:sns:us-east-1:123456789012:approvals"
FROM_TOPIC = {"Sid": "FromTopic", "Effect": "Allow", "Principal": {"Service": "sns.amazonaws.com"},
              "Action": "sqs:SendMessage", "Resource": QUEUE_ARN,
              "Condition": {"ArnEquals": {"aws:SourceArn": TOPIC_ARN}}}


def _doc(*statements: dict) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


@pytest.mark.parametrize("action", ["*", "sqs:*", ["sqs:SendMessage", "SQS:*"]])
def test_queue_policy_allowing_every_action_fails_whoever_the_principal(action):
    args = resource_args("aws:sqs/queuePolicy:QueuePolicy", {"queueUrl": "q", "policy": _doc({**FROM_TOPIC,
                                                                                             "Action": action})})
    [message] = violations(sqs_policy_no_wildcard_action, args)
    assert message.startswith("aws:sqs/queuePolicy:QueuePolicy 'subject': statement FromTopic allows every queue "
                              "action (") and "to sns.amazonaws.com" in message


def test_queue_policy_naming_its_actions_or_denying_every_action_passes():
    deny_insecure = {"Effect": "Deny", "Principal": "*", "Action": "sqs:*", "Resource": QUEUE_ARN,
                     "Condition": {"Bool": {"aws:SecureTransport": "false"}}}
    for type_ in ("aws:sqs/queuePolicy:QueuePolicy", "aws:sqs/queue:Queue"):
        args = resource_args(type_, {"policy": _doc(FROM_TOPIC, deny_insecure)})
        assert violations(sqs_policy_no_wildcard_action, args) == []
    assert violations(sqs_policy_no_wildcard_action, resource_args("aws:sqs/queue:Queue", {"policy": UNKNOWN})) == []
    assert violations(sqs_policy_no_wildcard_action, resource_args("aws:sqs/queue:Queue", {})) == []


# --- topic policies: no other account without a condition (Checkov CKV_AWS_385) ----------------------

PUBLISH = {"Sid": "Partner", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::123456789012:role/publisher"},
           "Action": "sns:Publish", "Resource": TOPIC_ARN}


def _topic_policy(*statements: dict, config: dict | None = None, **props) -> list[str]:
    args = resource_args("aws:sns/topicPolicy:TopicPolicy", {"arn": TOPIC_ARN, "policy": _doc(*statements), **props},
                         config=config)
    return violations(sns_topic_policy_no_cross_account, args)


def test_topic_policy_letting_another_account_in_without_a_condition_fails():
    other = {**PUBLISH, "Principal": {"AWS": ["arn:aws:iam::210987654321:root", "123456789012"]}}
    assert _topic_policy(other) == [
        "aws:sns/topicPolicy:TopicPolicy 'subject': statement Partner lets account(s) other than the topic's "
        "(123456789012) in without a condition: arn:aws:iam::210987654321:root (sns:Publish)"]
    assert len(_topic_policy({**other, "Principal": {"AWS": "210987654321"}})) == 1


def test_own_account_trusted_accounts_conditions_and_service_principals_pass():
    assert _topic_policy(PUBLISH) == []
    other = {**PUBLISH, "Principal": {"AWS": "arn:aws:iam::210987654321:root"}}
    assert _topic_policy(other, config={"trustedAccounts": ["210987654321"]}) == []
    assert _topic_policy({**other, "Condition": {"StringEquals": {"aws:PrincipalOrgID": "o-a1b2c3"}}}) == []
    assert _topic_policy({**other, "Effect": "Deny"}) == []
    assert _topic_policy({**other, "Principal": {"Service": "events.amazonaws.com"}}) == []


def test_topic_account_comes_from_the_policy_resources_when_the_arn_is_not_an_input():
    other = {**PUBLISH, "Principal": {"AWS": "arn:aws:iam::210987654321:root"}}
    args = resource_args("aws:sns/topic:Topic", {"name": "approvals", "policy": _doc(other)})
    assert len(violations(sns_topic_policy_no_cross_account, args)) == 1
    # Whose account the topic is in is unknown: not judged.
    unknown = resource_args("aws:sns/topicPolicy:TopicPolicy", {"arn": UNKNOWN, "policy": _doc({**other,
                                                                                              "Resource": "*"})})
    assert violations(sns_topic_policy_no_cross_account, unknown) == []
    assert _topic_policy({**other, "Principal": {"AWS": UNKNOWN}}) == []


def test_docs_describe_the_queue_and_topic_policy_rules_with_their_checkov_ids():
    from pathlib import Path

    docs = (Path(__file__).resolve().parent.parent / "docs" / "policies.md").read_text()
    for rule, checkov in ((sqs_policy_no_wildcard_action, "CKV_AWS_72"), (sns_topic_policy_no_cross_account,
                                                                          "CKV_AWS_385")):
        [row] = [line for line in docs.splitlines() if line.startswith(f"| `{rule.name}` |")]
        assert row.rstrip(" |").endswith(checkov)
        for key in (rule.config_schema.properties if rule.config_schema else {}):
            assert f"`{key}`" in row
