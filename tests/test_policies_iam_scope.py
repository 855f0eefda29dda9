"""IAM grants without constraints (policies/rules/iam_scope.py), the checks cloudsplaining runs for
Checkov: CKV_AWS_63 (IAMStarActionPolicyDocument), CKV_AWS_355 (IAMStarResourcePolicyDocument),
CKV_AWS_290 (IAMWriteAccess), CKV_AWS_289 (IAMPermissionsManagement), CKV_AWS_287
(IAMCredentialsExposure), CKV_AWS_288 (IAMDataExfiltration). Each from a compliant statement with one
field changed; action patterns, NotAction, Deny statements and unknown values."""

from __future__ import annotations

import json

import pytest

from policies.rules import iam_scope
from policy_helpers import UNKNOWN, resource_args, violations

POLICY = "aws:iam/policy:Policy"
ROLE = "aws:iam/role:Role"
BUCKET_OBJECTS = "arn:aws:s3:::lake/*"


def document(*statements: dict) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


def policy(*statements: dict, config: dict | None = None):
    return resource_args(POLICY, {"policy": document(*statements)}, config=config)


def found(rule, *statements: dict, config: dict | None = None) -> list[str]:
    return violations(rule, policy(*statements, config=config))


RULES = [iam_scope.iam_no_wildcard_action, iam_scope.iam_no_wildcard_resource, iam_scope.iam_no_unscoped_write,
         iam_scope.iam_no_unscoped_permissions_management, iam_scope.iam_no_credentials_exposure,
         iam_scope.iam_no_data_exfiltration]
#: What a data-processing job sensibly holds: named objects, a named secret, describe calls that only work on '*'.
SENSIBLE = [
    {"Sid": "Data", "Effect": "Allow", "Action": ["s3:GetObject", "s3:PutObject"], "Resource": BUCKET_OBJECTS},
    {"Sid": "Secret", "Effect": "Allow", "Action": "secretsmanager:GetSecretValue",
     "Resource": "arn:aws:secretsmanager:us-east-1:123456789012:secret:db-AbCdEf"},
    {"Sid": "Describe", "Effect": "Allow", "Action": ["ec2:DescribeSubnets", "cloudwatch:PutMetricData",
                                                      "ecr:GetAuthorizationToken"], "Resource": "*"},
    {"Sid": "AssumeOne", "Effect": "Allow", "Action": "sts:AssumeRole",
     "Resource": "arn:aws:iam::123456789012:role/reader"},
]


@pytest.mark.parametrize("rule", RULES, ids=lambda r: r.name)
def test_a_sensible_least_privilege_policy_passes_every_rule(rule):
    assert found(rule, *SENSIBLE) == []
    args = resource_args(ROLE, {"name": "job", "inlinePolicies": [{"name": "job", "policy": document(*SENSIBLE)}]})
    assert violations(rule, args) == []


@pytest.mark.parametrize("rule", RULES, ids=lambda r: r.name)
def test_unknown_documents_and_unknown_statement_elements_are_not_judged(rule):
    assert violations(rule, resource_args(POLICY, {"policy": UNKNOWN})) == []
    wide = {"Effect": "Allow", "Action": ["s3:*", "sts:AssumeRole"], "Resource": "*"}
    assert found(rule, {**wide, "Condition": UNKNOWN}) == []
    assert found(rule, {"Effect": "Allow", "NotAction": ["iam:*", UNKNOWN], "Resource": "*"}) == []
    # A Deny known only at deployment could remove what the Allow grants.
    assert found(rule, {**wide, "Action": ["s3:PutObject", "sts:AssumeRole", "s3:GetObject"]},
                 {"Effect": "Deny", "Action": UNKNOWN, "Resource": "*"}) == []


@pytest.mark.parametrize("rule", RULES, ids=lambda r: r.name)
def test_invalid_or_empty_documents_do_not_raise(rule):
    for value in ("not json", "", "{}", '{"Statement": [1, "x", {"Effect": "Allow"}]}'):
        assert violations(rule, resource_args(POLICY, {"policy": value})) == []


# --- CKV_AWS_63: '*' as an action ------------------------------------------------------------------


def test_wildcard_action_on_a_scoped_resource_fails_and_named_actions_pass():
    star = {"Sid": "Lake", "Effect": "Allow", "Action": "*", "Resource": BUCKET_OBJECTS}
    assert found(iam_scope.iam_no_wildcard_action, star) == [
        f"Policy statement Lake allows every action ('*') on Resource {BUCKET_OBJECTS}: on the resources it names, "
        "that includes deleting them and changing who may use them."]
    assert found(iam_scope.iam_no_wildcard_action, {**star, "Action": ["s3:GetObject", "s3:PutObject"]}) == []
    # A Deny of '*' is a guardrail, not a grant; a service wildcard is another rule's finding.
    assert found(iam_scope.iam_no_wildcard_action, {**star, "Effect": "Deny"}) == []
    assert found(iam_scope.iam_no_wildcard_action, {**star, "Action": "s3:*"}) == []


def test_wildcard_action_in_a_role_inline_policy_fails():
    args = resource_args(ROLE, {"inlinePolicies": [{"name": "all", "policy": document(
        {"Effect": "Allow", "Action": ["s3:GetObject", "*"], "Resource": "*"})}]})
    assert len(violations(iam_scope.iam_no_wildcard_action, args)) == 1


# --- CKV_AWS_355: restrictable actions on Resource '*' ---------------------------------------------


def test_restrictable_action_on_every_resource_fails_and_its_scoped_twin_passes():
    read = {"Sid": "Read", "Effect": "Allow", "Action": ["s3:GetObject", "ec2:DescribeSubnets"], "Resource": "*"}
    assert found(iam_scope.iam_no_wildcard_resource, read) == [
        "Policy statement Read allows 1 action(s) that support resource-level permissions on every resource "
        "(Resource '*') without a Condition: s3:GetObject. Scope Resource to the ARNs they work on."]
    assert found(iam_scope.iam_no_wildcard_resource, {**read, "Resource": BUCKET_OBJECTS}) == []
    # Any Condition is a constraint, as in cloudsplaining (has_condition).
    tagged = {"StringEquals": {"aws:ResourceTag/team": "ml"}}
    assert found(iam_scope.iam_no_wildcard_resource, {**read, "Condition": tagged}) == []


def test_actions_without_resource_level_permissions_may_use_every_resource():
    only_star = {"Effect": "Allow", "Action": ["ec2:Describe*", "sts:GetCallerIdentity", "s3:ListAllMyBuckets"],
                 "Resource": "*"}
    # ec2:Describe* names a few actions that do have a resource type (ec2:DescribeInstanceAttribute); the rest only
    # work on '*'. Those are metadata reads, reported only with metadataReads (Checkov's reading).
    names = {p.name for p in iam_scope.privileges("ec2:Describe*") if p.restrictable}
    assert found(iam_scope.iam_no_wildcard_resource, only_star) == []
    strict = found(iam_scope.iam_no_wildcard_resource, only_star, config={"metadataReads": True})
    assert len(strict) == (1 if names else 0)
    assert found(iam_scope.iam_no_wildcard_resource, {**only_star, "Action": ["sts:GetCallerIdentity",
                                                                              "s3:ListAllMyBuckets"]}) == []


def test_metadata_reads_on_every_resource_pass_and_data_reads_and_writes_do_not():
    # The Cluster Autoscaler's read statement in the EKS Best Practices Guide's least-privilege policy
    # (aws/aws-eks-best-practices content/cluster-autoscaling/index.md) and external-dns's (docs/tutorials/aws.md):
    # eks:DescribeNodegroup (Read, nodegroup resource) and route53:ListResourceRecordSets (List, hostedzone).
    discovery = {"Sid": "Discover", "Effect": "Allow", "Resource": "*", "Action": [
        "autoscaling:DescribeAutoScalingGroups", "ec2:DescribeInstanceTypes", "eks:DescribeNodegroup",
        "route53:ListHostedZones", "route53:ListResourceRecordSets", "route53:ListTagsForResource"]}
    levels = {p.name: p.access_level for a in discovery["Action"] for p in iam_scope.privileges(a) if p.restrictable}
    assert levels == {"eks:DescribeNodegroup": "Read", "route53:ListResourceRecordSets": "List",
                      "route53:ListTagsForResource": levels["route53:ListTagsForResource"]}
    assert found(iam_scope.iam_no_wildcard_resource, discovery) == []
    [strict] = found(iam_scope.iam_no_wildcard_resource, discovery, config={"metadataReads": True})
    assert "eks:DescribeNodegroup" in strict and "route53:ListResourceRecordSets" in strict
    # Get* reads return contents (objects, items, secrets): still reported beside the metadata reads, which are not.
    [message] = found(iam_scope.iam_no_wildcard_resource,
                      {**discovery, "Action": ["eks:DescribeNodegroup", "dynamodb:GetItem", "ec2:GetSecurityGroupsForVpc"]})
    assert "2 action(s)" in message and "dynamodb:GetItem" in message and "ec2:GetSecurityGroupsForVpc" in message
    assert "eks:DescribeNodegroup" not in message
    # A write named like a read is judged by its access level, not its name.
    assert all(p.access_level != "Write" or not iam_scope.is_metadata_read(p)
               for p in iam_scope.privileges("*"))


def test_allowed_actions_config_accepts_named_patterns():
    logs = {"Effect": "Allow", "Action": ["logs:CreateLogStream", "logs:PutLogEvents"], "Resource": "*"}
    assert len(found(iam_scope.iam_no_wildcard_resource, logs)) == 1
    assert found(iam_scope.iam_no_wildcard_resource, logs, config={"allowedActions": ["logs:*"]}) == []


def test_not_resource_grants_every_other_resource():
    statement = {"Sid": "Most", "Effect": "Allow", "Action": "s3:GetObject", "NotResource": "arn:aws:s3:::secret/*"}
    [message] = found(iam_scope.iam_no_wildcard_resource, statement)
    assert "(NotResource arn:aws:s3:::secret/*, which grants every other resource)" in message


# --- CKV_AWS_290 / CKV_AWS_289: Write and Permissions management --------------------------------------


def test_write_action_pattern_on_every_resource_fails_with_the_expanded_actions():
    put = {"Sid": "Put", "Effect": "Allow", "Action": "s3:Put*", "Resource": "*"}
    [message] = found(iam_scope.iam_no_unscoped_write, put)
    writes = sorted(p.name for p in iam_scope.privileges("s3:Put*") if p.restrictable and p.access_level == "Write")
    assert message.startswith(f"Policy statement Put allows {len(writes)} Write action(s) on every resource "
                              "(Resource '*') without a Condition (from s3:Put*): ")
    assert f"{', '.join(writes[:5])} and {len(writes) - 5} more." in message
    assert "s3:PutObject" in writes and "s3:PutBucketPolicy" not in writes  # Permissions management
    assert found(iam_scope.iam_no_unscoped_write, {**put, "Resource": "arn:aws:s3:::lake/*"}) == []


def test_read_only_actions_are_no_write_finding():
    read = {"Effect": "Allow", "Action": ["s3:Get*", "s3:List*"], "Resource": "*"}
    assert found(iam_scope.iam_no_unscoped_write, read) == []
    assert found(iam_scope.iam_no_unscoped_permissions_management, read) == []


def test_permissions_management_on_every_resource_fails_and_scoped_twin_passes():
    grant = {"Sid": "Share", "Effect": "Allow", "Action": ["s3:PutBucketPolicy", "kms:CreateGrant"], "Resource": "*"}
    assert found(iam_scope.iam_no_unscoped_permissions_management, grant) == [
        "Policy statement Share allows 2 Permissions-management action(s) on every resource (Resource '*') "
        "without a Condition: kms:CreateGrant, s3:PutBucketPolicy. They change who may use a resource: scope "
        "Resource to the ARNs the principal administers."]
    scoped = {**grant, "Resource": ["arn:aws:s3:::lake", "arn:aws:kms:us-east-1:123456789012:key/k"]}
    assert found(iam_scope.iam_no_unscoped_permissions_management, scoped) == []
    assert found(iam_scope.iam_no_unscoped_write, grant) == []  # neither is a Write action


def test_not_action_grants_everything_it_does_not_name():
    power_user = {"Sid": "PowerUser", "Effect": "Allow", "NotAction": ["iam:*", "organizations:*"], "Resource": "*"}
    [message] = found(iam_scope.iam_no_unscoped_permissions_management, power_user)
    assert "(NotAction iam:*, organizations:* grants every other action)" in message
    assert "iam:" not in message.split(": ", 1)[1]
    assert len(found(iam_scope.iam_no_unscoped_write, power_user)) == 1


def test_an_unconditional_deny_on_every_resource_removes_what_it_denies():
    write = {"Effect": "Allow", "Action": ["s3:PutObject", "sqs:SendMessage"], "Resource": "*"}
    deny = {"Effect": "Deny", "Action": ["s3:Put*", "sqs:*"], "Resource": "*"}
    assert found(iam_scope.iam_no_unscoped_write, write, deny) == []
    # A Deny of one of them leaves the other; a Deny on one bucket or with a condition leaves the grant on
    # every other resource, or whenever the condition does not hold.
    [message] = found(iam_scope.iam_no_unscoped_write, write, {**deny, "Action": "s3:PutObject"})
    assert message.endswith("without a Condition: sqs:SendMessage. Scope Resource to the ARNs the principal changes.")
    assert len(found(iam_scope.iam_no_unscoped_write, write, {**deny, "Resource": "arn:aws:s3:::lake/*"})) == 1
    encrypted_only = {"StringNotEquals": {"s3:x-amz-server-side-encryption": "aws:kms"}}
    assert len(found(iam_scope.iam_no_unscoped_write, write, {**deny, "Condition": encrypted_only})) == 1
    # A Deny with NotResource leaves the resources it names granted.
    assert len(found(iam_scope.iam_no_unscoped_write, write, {**deny, "Resource": None,
                                                               "NotResource": "arn:aws:s3:::lake/*"})) == 1
    # Deny NotAction: everything but what it names is denied.
    assert found(iam_scope.iam_no_unscoped_write, write,
                 {"Effect": "Deny", "NotAction": "s3:GetObject", "Resource": "*"}) == []


def test_full_wildcard_statement_names_every_action():
    [message] = found(iam_scope.iam_no_unscoped_write, {"Sid": "Admin", "Effect": "Allow", "Action": "*",
                                                         "Resource": "*"})
    assert "(Action '*' names every action)" in message and " more." in message


# --- CKV_AWS_287: credentials exposure -------------------------------------------------------------


def test_assume_any_role_fails_and_assume_one_role_passes():
    assume = {"Sid": "Assume", "Effect": "Allow", "Action": "sts:AssumeRole", "Resource": "*"}
    assert found(iam_scope.iam_no_credentials_exposure, assume) == [
        "Policy statement Assume allows 1 action(s) that return credentials on every resource (Resource '*') without "
        "a Condition: sts:AssumeRole. Name the roles, users, clusters or databases in Resource."]
    one = {**assume, "Resource": "arn:aws:iam::123456789012:role/reader"}
    assert found(iam_scope.iam_no_credentials_exposure, one) == []


def test_credential_actions_without_resource_level_permissions_count_on_every_resource_only():
    session = {"Effect": "Allow", "Action": ["sts:GetSessionToken", "ecr:GetAuthorizationToken"], "Resource": "*"}
    [message] = found(iam_scope.iam_no_credentials_exposure, session)
    assert message.endswith("without a Condition: sts:GetSessionToken. Name the roles, users, clusters or "
                            "databases in Resource.")  # ecr:GetAuthorizationToken: allowed by default (as in Checkov)
    assert len(found(iam_scope.iam_no_credentials_exposure, session, config={"allowedActions": []})) == 1
    mfa = {"Bool": {"aws:MultiFactorAuthPresent": "true"}}
    assert found(iam_scope.iam_no_credentials_exposure, {**session, "Condition": mfa}) == []


def test_credential_actions_from_patterns_and_config():
    keys = {"Effect": "Allow", "Action": ["iam:Create*", "redshift:GetClusterCredentials"], "Resource": "*"}
    [message] = found(iam_scope.iam_no_credentials_exposure, keys)
    assert "iam:CreateAccessKey" in message and "redshift:GetClusterCredentials" in message
    assert found(iam_scope.iam_no_credentials_exposure, keys,
                 config={"credentialActions": ["sts:AssumeRole"]}) == []


# --- CKV_AWS_288: data exfiltration ---------------------------------------------------------------


def test_reading_every_object_or_secret_fails_and_named_ones_pass():
    read = {"Sid": "ReadAll", "Effect": "Allow", "Action": ["s3:GetObject", "ssm:GetParameter*"], "Resource": "*"}
    assert found(iam_scope.iam_no_data_exfiltration, read) == [
        "Policy statement ReadAll allows 4 data read action(s) on every resource (Resource '*') without a Condition "
        "(from ssm:GetParameter*): s3:GetObject, ssm:GetParameter, ssm:GetParameters, ssm:GetParametersByPath. Name "
        "the buckets (arn:aws:s3:::bucket/prefix/*), parameter paths and secrets it reads."]
    named = {**read, "Resource": [BUCKET_OBJECTS, "arn:aws:ssm:us-east-1:123456789012:parameter/app/*"]}
    assert found(iam_scope.iam_no_data_exfiltration, named) == []
    assert len(found(iam_scope.iam_no_data_exfiltration, {**read, "Action": "secretsmanager:*"})) == 1
    assert found(iam_scope.iam_no_data_exfiltration, {**read, "Action": "s3:ListBucket"}) == []


def test_exfiltration_actions_are_configurable():
    read = {"Effect": "Allow", "Action": ["s3:GetObject", "dynamodb:Scan"], "Resource": "*"}
    [message] = found(iam_scope.iam_no_data_exfiltration, read,
                      config={"exfiltrationActions": ["dynamodb:Scan", "dynamodb:Query"]})
    assert message.split(": ", 1)[1].startswith("dynamodb:Scan.")


def test_policy_documents_as_mappings_are_judged_like_strings():
    statement = {"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": "*"}
    args = resource_args("aws:iam/rolePolicy:RolePolicy", {"role": "r", "policy": {"Statement": [statement]}})
    assert len(violations(iam_scope.iam_no_credentials_exposure, args)) == 1


def test_docs_describe_every_rule_its_config_and_checkov_id():
    from pathlib import Path

    docs = (Path(__file__).resolve().parent.parent / "docs" / "policies.md").read_text()
    ids = {"iam-no-wildcard-action": "CKV_AWS_63", "iam-no-wildcard-resource": "CKV_AWS_355",
           "iam-no-unscoped-write": "CKV_AWS_290", "iam-no-unscoped-permissions-management": "CKV_AWS_289",
           "iam-no-credentials-exposure": "CKV_AWS_287", "iam-no-data-exfiltration": "CKV_AWS_288"}
    assert [r.name for r in iam_scope.SECURITY] == list(ids)
    for rule in iam_scope.SECURITY:
        [row] = [line for line in docs.splitlines() if line.startswith(f"| `{rule.name}` |")]
        assert row.rstrip(" |").endswith(ids[rule.name])
        for key in (rule.config_schema.properties if rule.config_schema else {}):
            assert f"`{key}`" in row, f"{rule.name}: {key}"


@pytest.mark.parametrize("resource", ["arn:aws:s3:::*", "arn:aws:s3:::*/*", "arn:*:s3:::*", "arn:aws:*:*:*:*"])
def test_an_arn_pattern_naming_every_bucket_or_object_in_any_account_is_every_resource(resource):
    read = {"Sid": "Objects", "Effect": "Allow", "Action": ["s3:GetObject", "sts:GetCallerIdentity"],
            "Resource": resource}
    [message] = found(iam_scope.iam_no_data_exfiltration, read)
    assert f"(Resource {resource}, every resource of its type in any account)" in message
    assert message.endswith("without a Condition: s3:GetObject. Name the buckets (arn:aws:s3:::bucket/prefix/*), "
                            "parameter paths and secrets it reads.")


@pytest.mark.parametrize("resource", ["arn:aws:s3:::lake/*", "arn:aws:s3:::*-lake/*", "arn:aws:s3:::lake*",
                                      "arn:aws:secretsmanager:us-east-1:123456789012:secret:*",
                                      "arn:aws:dynamodb:us-east-1:123456789012:table/*"])
def test_an_arn_pattern_of_one_account_or_named_resources_is_a_constraint(resource):
    read = {"Effect": "Allow", "Action": ["s3:GetObject", "secretsmanager:GetSecretValue", "dynamodb:PutItem"],
            "Resource": resource}
    for rule in RULES:
        assert found(rule, read) == [], rule.name


def test_every_role_of_every_account_is_every_resource_for_sts_assume_role():
    # The role's ARN is IAM's (arn:aws:iam::<account>:role/...), the action STS's.
    assume = {"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": "arn:aws:iam::*:role/*"}
    assert len(found(iam_scope.iam_no_credentials_exposure, assume)) == 1
    assert found(iam_scope.iam_no_credentials_exposure, {**assume, "Resource": "arn:aws:iam::123456789012:role/*"}) == []
    # An action without a resource type never matches an ARN: sts:GetSessionToken on role/* grants nothing.
    assert found(iam_scope.iam_no_credentials_exposure, {**assume, "Action": "sts:GetSessionToken"}) == []


def test_the_general_checks_keep_to_resource_star_as_checkov_does():
    # Lambda's logging idiom (pulumi/examples aws-py-apigateway-lambda-serverless, aws-py-stepfunctions, ...):
    # account-open, but one service's; the same grant on '*' is reported.
    logs = {"Effect": "Allow", "Action": ["logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents"],
            "Resource": "arn:aws:logs:*:*:*"}
    for rule in (iam_scope.iam_no_wildcard_resource, iam_scope.iam_no_unscoped_write):
        assert found(rule, logs) == []
        assert len(found(rule, {**logs, "Resource": "*"})) == 1
