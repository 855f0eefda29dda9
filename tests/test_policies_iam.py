"""IAM rules: full-admin policies, AdministratorAccess on workload roles, open trust policies."""

from __future__ import annotations

import json

import pytest

from policies.rules import iam
from policy_helpers import UNKNOWN, resource_args, violations

ROLE = "aws:iam/role:Role"
ATTACHMENT = "aws:iam/rolePolicyAttachment:RolePolicyAttachment"
ADMIN_ARN = "arn:aws:iam::aws:policy/AdministratorAccess"
TRUST = json.dumps({"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Principal": {"Service": "sagemaker.amazonaws.com"}, "Action": "sts:AssumeRole"}]})
READ_BUCKET = {"Effect": "Allow", "Action": ["s3:GetObject"], "Resource": "arn:aws:s3:::data/*"}


def document(*statements: dict) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


def role(**changes) -> dict:
    return {"name": "trainer", "assumeRolePolicy": TRUST,
            "inlinePolicies": [{"name": "read", "policy": document(READ_BUCKET)}],
            "managedPolicyArns": ["arn:aws:iam::aws:policy/AmazonSageMakerReadOnly"], **changes}


@pytest.mark.parametrize("policy", [iam.iam_no_full_admin_policy, iam.iam_no_administrator_access,
                                    iam.iam_trust_policy_no_wildcard_principal], ids=lambda p: p.name)
def test_compliant_role_passes(policy):
    assert violations(policy, resource_args(ROLE, role())) == []


@pytest.mark.parametrize("action", ["*", ["s3:GetObject", "*:*"]])
def test_full_admin_statement_fails(action):
    admin = {"Sid": "All", "Effect": "Allow", "Action": action, "Resource": "*"}
    args = resource_args("aws:iam/policy:Policy", {"policy": document(READ_BUCKET, admin)})
    assert violations(iam.iam_no_full_admin_policy, args) == [
        "Policy statement All allows action '*' on resource '*' (full administrator)."]


def test_star_action_on_scoped_resource_or_deny_passes():
    scoped = {"Effect": "Allow", "Action": "*", "Resource": "arn:aws:s3:::data/*"}
    deny = {"Effect": "Deny", "Action": "*", "Resource": "*"}
    args = resource_args("aws:iam/rolePolicy:RolePolicy", {"role": "r", "policy": {"Statement": [scoped, deny]}})
    assert violations(iam.iam_no_full_admin_policy, args) == []


def test_full_admin_inline_role_policy_fails():
    admin = {"Effect": "Allow", "Action": "*", "Resource": ["*"]}
    args = resource_args(ROLE, role(inlinePolicies=[{"name": "admin", "policy": document(admin)}]))
    assert violations(iam.iam_no_full_admin_policy, args) == [
        "Inline policy 'admin' statement #0 allows action '*' on resource '*' (full administrator)."]


def test_unknown_policy_document_is_not_judged():
    assert violations(iam.iam_no_full_admin_policy, resource_args("aws:iam/policy:Policy", {"policy": UNKNOWN})) == []


def test_administrator_access_attachment_fails():
    args = resource_args(ATTACHMENT, {"role": "trainer", "policyArn": ADMIN_ARN})
    assert violations(iam.iam_no_administrator_access, args) == [
        f"Role 'trainer' gets the managed policy AdministratorAccess ({ADMIN_ARN})."]


def test_administrator_access_in_managed_policy_arns_fails():
    args = resource_args(ROLE, role(managedPolicyArns=[ADMIN_ARN]))
    assert len(violations(iam.iam_no_administrator_access, args)) == 1


def test_break_glass_role_may_hold_administrator_access():
    args = resource_args(ATTACHMENT, {"role": "break-glass-ops", "policyArn": ADMIN_ARN},
                         config={"breakGlassRoles": ["break-glass-*"]})
    assert violations(iam.iam_no_administrator_access, args) == []


def test_forbidden_policy_list_is_configurable():
    arn = "arn:aws:iam::aws:policy/PowerUserAccess"
    args = resource_args(ATTACHMENT, {"role": "trainer", "policyArn": arn},
                         config={"forbiddenPolicies": ["AdministratorAccess", "PowerUserAccess"]})
    assert len(violations(iam.iam_no_administrator_access, args)) == 1
    assert violations(iam.iam_no_administrator_access, resource_args(ATTACHMENT, {"role": "t", "policyArn": arn})) == []


def test_iam_full_access_is_forbidden_by_default():
    # IAMFullAccess lets the role rewrite its own permissions (Checkov CKV2_AWS_56).
    arn = "arn:aws:iam::aws:policy/IAMFullAccess"
    assert len(violations(iam.iam_no_administrator_access, resource_args(ATTACHMENT, {"role": "t", "policyArn": arn}))) == 1
    assert violations(iam.iam_no_administrator_access, resource_args(ATTACHMENT, {"role": "t", "policyArn": arn},
                      config={"forbiddenPolicies": ["AdministratorAccess"]})) == []


def test_policy_attachment_and_exclusive_attachments():
    attachment = resource_args("aws:iam/policyAttachment:PolicyAttachment",
                               {"name": "x", "roles": ["a", "b"], "policyArn": ADMIN_ARN})
    assert len(violations(iam.iam_no_administrator_access, attachment)) == 2
    exclusive = resource_args("aws:iam/rolePolicyAttachmentsExclusive:RolePolicyAttachmentsExclusive",
                              {"roleName": "trainer", "policyArns": [ADMIN_ARN]})
    assert len(violations(iam.iam_no_administrator_access, exclusive)) == 1


#: Checkov CKV_AWS_274 judges user, group and Identity Center permission set attachments as it judges roles'.
PERMISSION_SET_ARN = "arn:aws:sso:::permissionSet/ssoins-1/ps-1"
PRINCIPAL_ATTACHMENTS = [
    ("aws:iam/userPolicyAttachment:UserPolicyAttachment", {"user": "ci", "policyArn": ADMIN_ARN},
     f"IAM user 'ci' gets the managed policy AdministratorAccess ({ADMIN_ARN})."),
    ("aws:iam/userPolicyAttachmentsExclusive:UserPolicyAttachmentsExclusive", {"userName": "ci", "policyArns": [ADMIN_ARN]},
     f"IAM user 'ci' gets the managed policy AdministratorAccess ({ADMIN_ARN})."),
    ("aws:iam/groupPolicyAttachment:GroupPolicyAttachment", {"group": "oncall", "policyArn": ADMIN_ARN},
     f"IAM group 'oncall' gets the managed policy AdministratorAccess ({ADMIN_ARN})."),
    ("aws:iam/groupPolicyAttachmentsExclusive:GroupPolicyAttachmentsExclusive",
     {"groupName": "oncall", "policyArns": [ADMIN_ARN]},
     f"IAM group 'oncall' gets the managed policy AdministratorAccess ({ADMIN_ARN})."),
    ("aws:ssoadmin/managedPolicyAttachment:ManagedPolicyAttachment",
     {"instanceArn": "arn:aws:sso:::instance/ssoins-1", "permissionSetArn": PERMISSION_SET_ARN,
      "managedPolicyArn": ADMIN_ARN},
     f"Permission set {PERMISSION_SET_ARN!r} gets the managed policy AdministratorAccess ({ADMIN_ARN})."),
    ("aws:ssoadmin/managedPolicyAttachmentsExclusive:ManagedPolicyAttachmentsExclusive",
     {"instanceArn": "arn:aws:sso:::instance/ssoins-1", "permissionSetArn": UNKNOWN, "managedPolicyArns": [ADMIN_ARN]},
     f"Permission set (unknown permission set) gets the managed policy AdministratorAccess ({ADMIN_ARN})."),
]


@pytest.mark.parametrize("type_, props, message", PRINCIPAL_ATTACHMENTS,
                         ids=[type_.split(":")[-1] for type_, _, _ in PRINCIPAL_ATTACHMENTS])
def test_administrator_access_for_users_groups_and_permission_sets_fails(type_, props, message):
    from sdk_inputs import assert_inputs_in_sdk

    for key in props:
        assert_inputs_in_sdk(type_, [key])
    assert violations(iam.iam_no_administrator_access, resource_args(type_, props)) == [message]
    # A least-privilege job-function policy passes; an unknown policy ARN is not judged.
    arn_key = next(k for k in props if "olicyArn" in k)
    read_only = "arn:aws:iam::aws:policy/ReadOnlyAccess"
    for value in (read_only, UNKNOWN):
        changed = {**props, arn_key: [value] if isinstance(props[arn_key], list) else value}
        assert violations(iam.iam_no_administrator_access, resource_args(type_, changed)) == []


def test_break_glass_patterns_exempt_groups_but_not_permission_sets():
    config = {"breakGlassRoles": ["break-glass*", "arn:aws:sso:::permissionSet/*"]}
    group = resource_args("aws:iam/groupPolicyAttachment:GroupPolicyAttachment",
                          {"group": "break-glass-admins", "policyArn": ADMIN_ARN}, config=config)
    assert violations(iam.iam_no_administrator_access, group) == []
    _, props, message = PRINCIPAL_ATTACHMENTS[4]
    sso = resource_args("aws:ssoadmin/managedPolicyAttachment:ManagedPolicyAttachment", props, config=config)
    assert violations(iam.iam_no_administrator_access, sso) == [message]


def test_policy_attachment_to_users_and_groups_fails():
    attachment = resource_args("aws:iam/policyAttachment:PolicyAttachment",
                               {"name": "x", "users": ["ci"], "groups": ["oncall"], "policyArn": ADMIN_ARN})
    assert violations(iam.iam_no_administrator_access, attachment) == [
        f"IAM user 'ci' gets the managed policy AdministratorAccess ({ADMIN_ARN}).",
        f"IAM group 'oncall' gets the managed policy AdministratorAccess ({ADMIN_ARN})."]


@pytest.mark.parametrize("principal", ["*", {"AWS": "*"}, {"AWS": ["arn:aws:iam::123456789012:root", "*"]}])
def test_trust_policy_open_to_everyone_fails(principal):
    trust = document({"Sid": "Anyone", "Effect": "Allow", "Principal": principal, "Action": "sts:AssumeRole"})
    assert violations(iam.iam_trust_policy_no_wildcard_principal, resource_args(ROLE, role(assumeRolePolicy=trust))) == [
        "Trust policy statement Anyone lets any principal ('*') assume the role without a condition that restricts the caller (such as aws:PrincipalAccount, aws:PrincipalOrgID or aws:PrincipalArn)."]


def test_trust_policy_with_a_condition_that_does_not_restrict_the_caller_fails():
    for condition in ({"Bool": {"aws:SecureTransport": "true"}}, {"StringEquals": {"aws:PrincipalTag/team": "ml"}},
                      {"ArnLike": {"aws:PrincipalArn": "arn:aws:iam::*:role/trainer"}}):
        trust = document({"Sid": "Anyone", "Effect": "Allow", "Principal": "*", "Action": "sts:AssumeRole",
                          "Condition": condition})
        assert violations(iam.iam_trust_policy_no_wildcard_principal,
                          resource_args(ROLE, role(assumeRolePolicy=trust))) == [
            "Trust policy statement Anyone lets any principal ('*') assume the role without a condition that restricts the caller (such as aws:PrincipalAccount, aws:PrincipalOrgID or aws:PrincipalArn)."], condition


def test_trust_policy_with_condition_passes():
    trust = document({"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "sts:AssumeRole",
                      "Condition": {"StringEquals": {"aws:PrincipalOrgID": "o-abc"}}})
    assert violations(iam.iam_trust_policy_no_wildcard_principal, resource_args(ROLE, role(assumeRolePolicy=trust))) == []


# --- beyond *:* ------------------------------------------------------------------------------------

from policies.rules.iam import (  # noqa: E402
    iam_no_data_service_wildcard,
    iam_no_pass_role_on_all_roles,
    iam_no_privilege_escalation,
    iam_user_no_access_keys,
    iam_user_no_direct_policies,
)

SCOPED = {"Sid": "Scoped", "Effect": "Allow", "Action": ["iam:PassRole", "iam:AttachRolePolicy", "s3:*"],
          "Resource": "arn:aws:iam::123456789012:role/training-job"}


def _policy_doc(*statements: dict) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


def _found(policy, statement: dict, type_: str = "aws:iam/rolePolicy:RolePolicy", config=None) -> list[str]:
    return violations(policy, resource_args(type_, {"policy": _policy_doc(statement)}, config))


@pytest.mark.parametrize("policy", [iam_no_pass_role_on_all_roles, iam_no_privilege_escalation,
                                    iam_no_data_service_wildcard])
def test_scoped_grants_pass(policy):
    assert _found(policy, SCOPED) == []


def test_pass_role_on_every_role_fails_unless_passed_to_a_named_service():
    for resource in ("*", "arn:aws:iam::123456789012:role/*"):
        [message] = _found(iam_no_pass_role_on_all_roles, {**SCOPED, "Resource": resource})
        assert message.startswith("Policy statement Scoped allows iam:PassRole on every role")
    restricted = {**SCOPED, "Resource": "*",
                  "Condition": {"StringEquals": {"iam:PassedToService": "sagemaker.amazonaws.com"}}}
    assert _found(iam_no_pass_role_on_all_roles, restricted) == []
    # iam:* grants PassRole too; '*' is iam-no-full-admin-policy's finding, not reported twice.
    assert len(_found(iam_no_pass_role_on_all_roles, {**SCOPED, "Action": "iam:*", "Resource": "*"})) == 1
    assert _found(iam_no_pass_role_on_all_roles, {**SCOPED, "Action": "*", "Resource": "*"}) == []


def test_privilege_escalation_actions_on_every_resource_fail():
    assert _found(iam_no_privilege_escalation, {**SCOPED, "Resource": "*"}) == [
        "Policy statement Scoped allows privilege-escalation action(s) iam:AttachRolePolicy on every resource."]
    [message] = _found(iam_no_privilege_escalation, {"Effect": "Allow", "Action": "iam:Create*", "Resource": "*"})
    assert "iam:CreatePolicyVersion, iam:CreateAccessKey, iam:CreateLoginProfile" in message
    # NotAction grants everything it does not name.
    assert len(_found(iam_no_privilege_escalation, {"Effect": "Allow", "NotAction": "s3:*", "Resource": "*"})) == 1
    assert _found(iam_no_privilege_escalation, {"Effect": "Allow", "NotAction": ["iam:*", "lambda:*", "glue:*"],
                                                "Resource": "*"}) == []
    assert _found(iam_no_privilege_escalation, {"Effect": "Deny", "Action": "iam:*", "Resource": "*"}) == []
    assert _found(iam_no_privilege_escalation, {**SCOPED, "Resource": "*"},
                  config={"escalationActions": ["iam:CreateAccessKey"]}) == []


def test_data_service_wildcards_on_every_resource_fail_in_every_policy_type():
    statement = {"Sid": "All", "Effect": "Allow", "Action": ["s3:*", "kms:*", "logs:*"], "Resource": "*"}
    for type_ in ("aws:iam/policy:Policy", "aws:iam/userPolicy:UserPolicy", "aws:iam/groupPolicy:GroupPolicy"):
        assert _found(iam_no_data_service_wildcard, statement, type_) == [
            "Policy statement All allows s3:*, kms:* on every resource."]
    role = {"inlinePolicies": [{"name": "inline", "policy": _policy_doc(statement)}]}
    assert violations(iam_no_data_service_wildcard, resource_args("aws:iam/role:Role", role)) == [
        "Inline policy 'inline' statement All allows s3:*, kms:* on every resource."]
    sso = {"inlinePolicy": _policy_doc(statement)}
    assert len(violations(iam_no_data_service_wildcard, resource_args(
        "aws:ssoadmin/permissionSetInlinePolicy:PermissionSetInlinePolicy", sso))) == 1
    assert _found(iam_no_data_service_wildcard, statement, config={"dataServices": ["sagemaker"]}) == []


@pytest.mark.parametrize("type_, props", [
    ("aws:iam/rolePolicyAttachment:RolePolicyAttachment",
     {"role": "studio", "policyArn": "arn:aws:iam::aws:policy/AmazonSageMakerFullAccess"}),
    ("aws:iam/policyAttachment:PolicyAttachment",
     {"roles": ["studio"], "policyArn": "arn:aws:iam::aws:policy/AmazonSageMakerFullAccess"}),
    ("aws:iam/rolePolicyAttachmentsExclusive:RolePolicyAttachmentsExclusive",
     {"roleName": "studio", "policyArns": ["arn:aws:iam::aws:policy/AmazonSageMakerFullAccess"]}),
    ("aws:iam/role:Role", {"name": "studio", "managedPolicyArns": ["arn:aws:iam::aws:policy/AmazonSageMakerFullAccess"]}),
    ("aws-native:iam:Role", {"roleName": "studio",
                             "managedPolicyArns": ["arn:aws-us-gov:iam::aws:policy/AmazonSageMakerFullAccess"]}),
])
def test_aws_managed_policies_that_allow_a_whole_data_service_fail(type_, props):
    [message] = violations(iam_no_data_service_wildcard, resource_args(type_, props))
    assert message.startswith("Role 'studio' gets the AWS managed policy AmazonSageMakerFullAccess (arn:aws")
    assert message.endswith("which allows sagemaker:* on every resource.")


def test_users_groups_and_permission_sets_are_judged_alike():
    arn = "arn:aws:iam::aws:policy/AmazonS3FullAccess"
    for type_, props, label in [
            ("aws:iam/userPolicyAttachment:UserPolicyAttachment", {"user": "ci", "policyArn": arn}, "IAM user 'ci'"),
            ("aws:iam/groupPolicyAttachment:GroupPolicyAttachment", {"group": "data", "policyArn": arn},
             "IAM group 'data'"),
            ("aws:ssoadmin/managedPolicyAttachment:ManagedPolicyAttachment",
             {"permissionSetArn": UNKNOWN, "managedPolicyArn": arn}, "Permission set (unknown permission set)")]:
        assert violations(iam_no_data_service_wildcard, resource_args(type_, props)) == [
            f"{label} gets the AWS managed policy AmazonS3FullAccess ({arn}), which allows s3:* on every resource."]


@pytest.mark.parametrize("arn", [
    "arn:aws:iam::aws:policy/AmazonSageMakerReadOnly",  # Describe*/List*
    "arn:aws:iam::aws:policy/service-role/AWSGlueServiceRole",  # glue:*, but the service's own documented role policy
    "arn:aws:iam::aws:policy/CloudWatchLogsFullAccess",  # logs:* is not one of the data services
    "arn:aws:iam::123456789012:policy/AmazonS3FullAccess",  # a customer managed policy of that name: its own document
    UNKNOWN,
])
def test_other_managed_policies_and_unknown_arns_pass(arn):
    args = resource_args("aws:iam/rolePolicyAttachment:RolePolicyAttachment", {"role": "r", "policyArn": arn})
    assert violations(iam_no_data_service_wildcard, args) == []


def test_the_configured_data_services_decide_for_managed_policies_too():
    props = {"role": "r", "policyArn": "arn:aws:iam::aws:policy/AmazonS3FullAccess"}
    assert violations(iam_no_data_service_wildcard, resource_args(
        "aws:iam/rolePolicyAttachment:RolePolicyAttachment", props, {"dataServices": ["sagemaker"]})) == []


def test_managed_policy_rows_grant_service_wildcards_of_data_services():
    from catalog.managed_policies import SERVICE_WILDCARDS, aws_managed_policy_name
    from policies.rules.iam import DATA_SERVICES
    for name, actions in SERVICE_WILDCARDS.items():
        assert actions and all(a.endswith(":*") and a.split(":")[0] in DATA_SERVICES for a in actions), name
    assert aws_managed_policy_name("arn:aws:iam::aws:policy/job-function/DataScientist") is None
    assert aws_managed_policy_name("arn:aws-cn:iam::aws:policy/AmazonS3FullAccess") == "AmazonS3FullAccess"


def test_iam_users_get_no_policies_or_access_keys():
    args = resource_args("aws:iam/userPolicyAttachment:UserPolicyAttachment", {"user": "ci", "policyArn": "arn"},
                         name="ci-admin")
    assert violations(iam_user_no_direct_policies, args) == [
        "aws:iam/userPolicyAttachment:UserPolicyAttachment 'ci-admin' gives IAM user 'ci' a policy of its own."]
    attachment = resource_args("aws:iam/policyAttachment:PolicyAttachment", {"users": ["ci"], "roles": ["r"]},
                               name="shared")
    assert violations(iam_user_no_direct_policies, attachment) == [
        "Policy attachment 'shared' attaches a policy directly to IAM user(s) 'ci'."]
    roles_only = resource_args("aws:iam/policyAttachment:PolicyAttachment", {"roles": ["r"]})
    assert violations(iam_user_no_direct_policies, roles_only) == []
    key = resource_args("aws:iam/accessKey:AccessKey", {"user": "ci"}, name="ci-key")
    assert violations(iam_user_no_access_keys, key) == ["Access key 'ci-key' gives IAM user 'ci' long-lived credentials."]
    inactive = resource_args("aws:iam/accessKey:AccessKey", {"user": "ci", "status": "Inactive"})
    assert violations(iam_user_no_access_keys, inactive) == []
