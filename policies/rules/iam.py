"""IAM: no policy allowing every action on every resource, no AdministratorAccess on roles, users, groups
or Identity Center permission sets,
no trust policy that lets any principal assume a role; beyond ``*:*``: no iam:PassRole on every role,
no privilege-escalation action on every resource, no whole data service on every resource, and IAM
users without policies of their own or access keys."""

from __future__ import annotations

from fnmatch import fnmatchcase
from functools import lru_cache
from typing import Any, Iterator, Optional

from pulumi_policy import ReportViolation, ResourceValidationArgs, ResourceValidationPolicy, Severity

from catalog.managed_policies import SERVICE_WILDCARDS, aws_managed_policy_name
from policies.rules._declare import applies_to, config_schema, frameworks, policy_config
from policies.rules._principals import (
    action_matches,
    is_full_wildcard_action,
    no_wildcard_principal,
    parse_policy,
    Statement,
)
from policies.rules._props import UNKNOWN, as_list, get, is_unknown

ROLE = "aws:iam/role:Role"
#: Resources whose ``policy`` input is an identity policy document.
POLICY_DOCUMENT_TYPES = ("aws:iam/policy:Policy", "aws:iam/rolePolicy:RolePolicy", "aws:iam/userPolicy:UserPolicy",
                         "aws:iam/groupPolicy:GroupPolicy")
#: Resources whose ``inlinePolicy`` input is an identity policy document (IAM Identity Center).
INLINE_POLICY_TYPES = ("aws:ssoadmin/permissionSetInlinePolicy:PermissionSetInlinePolicy",)
#: pulumi-aws-native (CloudFormation AWS::IAM::*; pulumi-aws-native 1.84 iam/*.py): ManagedPolicy, RolePolicy,
#: UserPolicy and GroupPolicy hold one ``policyDocument`` (an object, or a JSON string); Role, User and Group hold
#: ``policies``, a list of ``{policyName, policyDocument}``; a role's trust policy is ``assumeRolePolicyDocument``.
NATIVE_ROLE = "aws-native:iam:Role"
NATIVE_USER = "aws-native:iam:User"
NATIVE_GROUP = "aws-native:iam:Group"
NATIVE_POLICY_DOCUMENT_TYPES = ("aws-native:iam:ManagedPolicy", "aws-native:iam:RolePolicy",
                                "aws-native:iam:UserPolicy", "aws-native:iam:GroupPolicy")
NATIVE_INLINE_POLICIES_TYPES = (NATIVE_ROLE, NATIVE_USER, NATIVE_GROUP)
IDENTITY_POLICY_TYPES = (POLICY_DOCUMENT_TYPES + INLINE_POLICY_TYPES + ("aws:iam/role:Role",)
                         + NATIVE_POLICY_DOCUMENT_TYPES + NATIVE_INLINE_POLICIES_TYPES)
ROLE_POLICY_ATTACHMENT = "aws:iam/rolePolicyAttachment:RolePolicyAttachment"
POLICY_ATTACHMENT = "aws:iam/policyAttachment:PolicyAttachment"
ROLE_POLICY_ATTACHMENTS_EXCLUSIVE = "aws:iam/rolePolicyAttachmentsExclusive:RolePolicyAttachmentsExclusive"


def identity_documents(args: ResourceValidationArgs) -> Iterator[tuple[str, Any]]:
    """``(label, document)`` for each identity policy a resource declares."""
    if args.resource_type in POLICY_DOCUMENT_TYPES:
        yield "policy", get(args.props, "policy")
    elif args.resource_type in INLINE_POLICY_TYPES:
        yield "inline policy", get(args.props, "inlinePolicy")
    elif args.resource_type in NATIVE_POLICY_DOCUMENT_TYPES:
        yield "policy", get(args.props, "policyDocument")
    elif args.resource_type in NATIVE_INLINE_POLICIES_TYPES:
        inline = as_list(get(args.props, "policies"))
        for index, item in enumerate(inline if isinstance(inline, list) else []):
            if isinstance(item, dict):
                yield f"inline policy {item.get('policyName') or index!r}", item.get("policyDocument")
    elif args.resource_type == ROLE:
        inline = as_list(get(args.props, "inlinePolicies"))
        for index, item in enumerate(inline if isinstance(inline, list) else []):
            if isinstance(item, dict):
                yield f"inline policy {item.get('name') or index!r}", item.get("policy")


def _validate_no_full_admin(args: ResourceValidationArgs, report_violation: ReportViolation) -> None:
    for label, document in identity_documents(args):
        statements = parse_policy(document)
        if is_unknown(statements) or not statements:
            continue
        for index, statement in enumerate(statements):
            if (statement.allows and any(is_full_wildcard_action(a) for a in statement.actions)
                    and "*" in statement.resources):
                report_violation(f"{label.capitalize()} statement {statement.sid or '#' + str(index)} allows "
                                 "action '*' on resource '*' (full administrator).")


iam_no_full_admin_policy = ResourceValidationPolicy(
    name="iam-no-full-admin-policy",
    description="No IAM policy allows every action ('*') on every resource ('*').",
    validate=applies_to(IDENTITY_POLICY_TYPES, _validate_no_full_admin),
    severity=Severity.CRITICAL,
    remediation_steps="List the actions the principal needs (service:Action) and scope Resource to the ARNs "
                      "it works on.",
    **frameworks({"cis-aws": "1.16", "nist-800-53": "AC-6", "pci-dss": "7.2.1, 7.2.2", "hipaa": "164.312(a)(1)",
                  "gdpr": "Art. 32(1)(b)"}),
)


ADMIN_SCHEMA = config_schema(
    forbiddenPolicies={
        # IAMFullAccess lets a role grant itself anything (Checkov CKV2_AWS_56).
        "type": "array", "items": {"type": "string"}, "default": ["AdministratorAccess", "IAMFullAccess"],
        "description": "Managed policy names (the part after ':policy/') roles, users, groups and permission sets must not have.",
    },
    breakGlassRoles={
        "type": "array", "items": {"type": "string"}, "default": [],
        "description": "Role, user and group name patterns (fnmatch, e.g. 'break-glass-*') that may hold a forbidden "
                       "policy (a permission set's attachment names it by ARN and is not exempted).",
    },
)


def _policy_name(arn: Any) -> str:
    return arn.rsplit(":policy/", 1)[-1].rsplit("/", 1)[-1] if isinstance(arn, str) else ""


#: Managed policy attachments to users and groups (pulumi-aws 7 iam/*.py) and to IAM Identity Center permission
#: sets (ssoadmin/managed_policy_attachment.py ``managedPolicyArn``, managed_policy_attachments_exclusive.py
#: ``managedPolicyArns``): Checkov CKV_AWS_274 ("Disallow IAM roles, users, and groups from using the AWS
#: AdministratorAccess policy") reads aws_iam_user_policy_attachment, aws_iam_group_policy_attachment and
#: aws_ssoadmin_managed_policy_attachment as it reads role attachments. A permission set's attachment names it
#: by ARN only (unknown in a preview), so breakGlassRoles cannot exempt it: an administrators' permission set
#: is an exception to waive.
USER_POLICY_ATTACHMENT = "aws:iam/userPolicyAttachment:UserPolicyAttachment"
GROUP_POLICY_ATTACHMENT = "aws:iam/groupPolicyAttachment:GroupPolicyAttachment"
USER_POLICY_ATTACHMENTS_EXCLUSIVE = "aws:iam/userPolicyAttachmentsExclusive:UserPolicyAttachmentsExclusive"
GROUP_POLICY_ATTACHMENTS_EXCLUSIVE = "aws:iam/groupPolicyAttachmentsExclusive:GroupPolicyAttachmentsExclusive"
SSO_MANAGED_POLICY_ATTACHMENT = "aws:ssoadmin/managedPolicyAttachment:ManagedPolicyAttachment"
SSO_MANAGED_POLICY_ATTACHMENTS_EXCLUSIVE = ("aws:ssoadmin/managedPolicyAttachmentsExclusive:"
                                            "ManagedPolicyAttachmentsExclusive")
#: Type -> (kind of principal, input naming it, input with one policy ARN or None, input with a list of them).
_ATTACHMENT_INPUTS: dict[str, tuple[str, str, Optional[str], Optional[str]]] = {
    ROLE_POLICY_ATTACHMENT: ("Role", "role", "policyArn", None),
    ROLE_POLICY_ATTACHMENTS_EXCLUSIVE: ("Role", "roleName", None, "policyArns"),
    USER_POLICY_ATTACHMENT: ("IAM user", "user", "policyArn", None),
    USER_POLICY_ATTACHMENTS_EXCLUSIVE: ("IAM user", "userName", None, "policyArns"),
    GROUP_POLICY_ATTACHMENT: ("IAM group", "group", "policyArn", None),
    GROUP_POLICY_ATTACHMENTS_EXCLUSIVE: ("IAM group", "groupName", None, "policyArns"),
    SSO_MANAGED_POLICY_ATTACHMENT: ("Permission set", "permissionSetArn", "managedPolicyArn", None),
    SSO_MANAGED_POLICY_ATTACHMENTS_EXCLUSIVE: ("Permission set", "permissionSetArn", None, "managedPolicyArns"),
}
ADMIN_ATTACHMENT_TYPES = (ROLE, POLICY_ATTACHMENT, NATIVE_ROLE, *_ATTACHMENT_INPUTS)


def _attachments(args: ResourceValidationArgs) -> Iterator[tuple[str, Any, Any]]:
    """``(kind, principal name, policy ARN)`` for each managed policy a resource attaches to a role, user, group
    or permission set."""
    props = args.props
    if args.resource_type in _ATTACHMENT_INPUTS:
        kind, principal, one, many = _ATTACHMENT_INPUTS[args.resource_type]
        arns = [get(props, one)] if one else as_list(get(props, many))
        for arn in arns if isinstance(arns, list) else []:
            yield kind, get(props, principal), arn
    elif args.resource_type == POLICY_ATTACHMENT:
        for kind, key in (("Role", "roles"), ("IAM user", "users"), ("IAM group", "groups")):
            names = as_list(get(props, key))
            for name in names if isinstance(names, list) else []:
                yield kind, name, get(props, "policyArn")
    elif args.resource_type in (ROLE, NATIVE_ROLE):
        arns = as_list(get(props, "managedPolicyArns"))
        for arn in arns if isinstance(arns, list) else []:
            yield "Role", get(props, "name") or get(props, "roleName") or args.name, arn


def _validate_no_admin_attachment(args: ResourceValidationArgs, report_violation: ReportViolation) -> None:
    config = policy_config(args, ADMIN_SCHEMA)
    forbidden = set(config["forbiddenPolicies"])
    for kind, name, arn in _attachments(args):
        if is_unknown(arn) or _policy_name(arn) not in forbidden:
            continue
        known = isinstance(name, str) and not is_unknown(name)
        if known and kind != "Permission set" and any(fnmatchcase(name, p) for p in config["breakGlassRoles"]):
            continue
        label = repr(name) if known else f"(unknown {kind.lower()})"
        report_violation(f"{kind} {label} gets the managed policy {_policy_name(arn)} ({arn}).")


iam_no_administrator_access = ResourceValidationPolicy(
    name="iam-no-administrator-access",
    description="Roles, IAM users and groups, and IAM Identity Center permission sets do not get AdministratorAccess "
                "(or another forbidden managed policy).",
    validate=applies_to(ADMIN_ATTACHMENT_TYPES, _validate_no_admin_attachment),
    config_schema=ADMIN_SCHEMA,
    severity=Severity.HIGH,
    remediation_steps="Attach a least-privilege policy for what the workload or the people do instead (a permission "
                      "set's own inline policy, or a job-function policy such as ReadOnlyAccess). Only break-glass "
                      "roles, users and groups named by breakGlassRoles may hold AdministratorAccess.",
    **frameworks({"nist-800-53": "AC-6, AC-6(5)", "cis-aws": "1.16", "pci-dss": "7.2.1", "hipaa": "164.312(a)(1)"}),
)


_validate_trust_policy = no_wildcard_principal(
    ("assumeRolePolicy", "assumeRolePolicyDocument"),
    invalid="The trust policy (assumeRolePolicy) is not a valid JSON policy document.",
    allowed="Trust policy statement {label} lets any principal ('*') assume the role without a condition that "
            "restricts the caller (such as aws:PrincipalAccount, aws:PrincipalOrgID or aws:PrincipalArn).",
    unless_restricted=True,
)


iam_trust_policy_no_wildcard_principal = ResourceValidationPolicy(
    name="iam-trust-policy-no-wildcard-principal",
    description="No role's trust policy lets any principal ('*') assume it unless a condition restricts who.",
    validate=applies_to((ROLE, NATIVE_ROLE), _validate_trust_policy),
    severity=Severity.CRITICAL,
    remediation_steps="Name the trusted principal (a service such as sagemaker.amazonaws.com, an account, a role, "
                      "or an OIDC provider with sub/aud conditions) in the assume-role policy.",
    **frameworks({"nist-800-53": "AC-3, IA-2", "pci-dss": "7.2.1, 8.2.2", "hipaa": "164.312(d)",
                  "gdpr": "Art. 32(1)(b)"}),
)


# --------------------------------------------------------------------------------------------------
# Beyond *:* : grants on every resource that let a principal make itself (or anything) an administrator


@lru_cache(maxsize=1024)
def _parsed(document: str) -> Any:
    # The four rules below read the same documents: parse each distinct document once per pack process.
    return parse_policy(document)


def policy_statements(document: Any) -> list[Statement]:
    statements = _parsed(document) if isinstance(document, str) else parse_policy(document)
    return statements if isinstance(statements, list) else []


def _allowed_grants(args: ResourceValidationArgs) -> Iterator[tuple[str, int, Statement]]:
    """``(label, index, statement)`` for each Allow statement of each identity policy a resource declares."""
    for label, document in identity_documents(args):
        for index, statement in enumerate(policy_statements(document)):
            if statement.allows:
                yield label, index, statement


def grants(statement: Statement, action: str) -> bool:
    """Whether an Allow statement's Action (or NotAction, which grants everything it does not name) covers ``action``."""
    if statement.actions:
        return any(action_matches(pattern, action) for pattern in statement.actions)
    if statement.not_actions:
        return not any(action_matches(pattern, action) for pattern in statement.not_actions)
    return False


def _full_wildcard(statement: Statement) -> bool:
    # '*' on '*' is iam-no-full-admin-policy's finding: not reported again here.
    return any(is_full_wildcard_action(action) for action in statement.actions)


_ALL_ROLES = ("*", "arn:aws:iam::*:role/*", "arn:*:iam::*:role/*")


def on_every_resource(statement: Statement, *, roles: bool = False) -> bool:
    """Whether a statement's Resource is ``*`` (or NotResource), or with ``roles``, every role of an account."""
    if statement.not_resources:
        return True
    for resource in statement.resources:
        if resource in _ALL_ROLES:
            return True
        if roles and fnmatchcase(resource, "arn:*:iam::*:role/*") and resource.endswith(":role/*"):
            return True
    return False


def _label(label: str, index: int, statement: Statement) -> str:
    return f"{label.capitalize()} statement {statement.sid or '#' + str(index)}"


def _condition_keys(statement: Statement) -> set[str]:
    keys: set[str] = set()
    for block in statement.condition.values():
        if isinstance(block, dict):
            keys.update(str(key).lower() for key in block)
    return keys


def _validate_pass_role(args: ResourceValidationArgs, report_violation: ReportViolation) -> None:
    for label, index, statement in _allowed_grants(args):
        if _full_wildcard(statement) or not grants(statement, "iam:PassRole"):
            continue
        if not on_every_resource(statement, roles=True) or "iam:passedtoservice" in _condition_keys(statement):
            continue
        report_violation(f"{_label(label, index, statement)} allows iam:PassRole on every role "
                         f"({', '.join(statement.resources) or 'NotResource'}) without an iam:PassedToService "
                         "condition: the principal can hand any role, an administrator's too, to a service it controls.")


iam_no_pass_role_on_all_roles = ResourceValidationPolicy(
    name="iam-no-pass-role-on-all-roles",
    description="No identity policy allows iam:PassRole on every role ('*' or role/*) without an "
                "iam:PassedToService condition.",
    validate=applies_to(IDENTITY_POLICY_TYPES, _validate_pass_role),
    severity=Severity.HIGH,
    remediation_steps="Scope iam:PassRole to the ARNs of the roles the principal hands to services, and add a "
                      "Condition StringEquals iam:PassedToService (e.g. sagemaker.amazonaws.com).",
    **frameworks({"nist-800-53": "AC-6", "cis-aws": "1.16", "pci-dss": "7.2.2", "hipaa": "164.312(a)(1)"}),
)

#: Actions that let a principal grant itself (or another identity) more permissions or take over
#: another identity. Rhino Security Labs' AWS privilege-escalation methods
#: (github.com/RhinoSecurityLabs/AWS-IAM-Privilege-Escalation) and the IAM API reference;
#: iam:PassRole has its own rule.
PRIVILEGE_ESCALATION_ACTIONS: tuple[str, ...] = (
    "iam:CreatePolicyVersion", "iam:SetDefaultPolicyVersion",
    "iam:AttachUserPolicy", "iam:AttachRolePolicy", "iam:AttachGroupPolicy",
    "iam:PutUserPolicy", "iam:PutRolePolicy", "iam:PutGroupPolicy",
    "iam:CreateAccessKey", "iam:CreateLoginProfile", "iam:UpdateLoginProfile",
    "iam:UpdateAssumeRolePolicy", "iam:AddUserToGroup",
    "iam:PutUserPermissionsBoundary", "iam:PutRolePermissionsBoundary",
    "iam:DeleteUserPermissionsBoundary", "iam:DeleteRolePermissionsBoundary",
    "lambda:UpdateFunctionCode", "glue:UpdateDevEndpoint",
)

ESCALATION_SCHEMA = config_schema(
    escalationActions={
        "type": "array", "items": {"type": "string"}, "default": list(PRIVILEGE_ESCALATION_ACTIONS),
        "description": "Actions that must not be allowed on every resource ('*'): they let a principal raise its "
                       "own or another identity's privileges.",
    },
)


def _validate_escalation(args: ResourceValidationArgs, report_violation: ReportViolation) -> None:
    actions = [a for a in policy_config(args, ESCALATION_SCHEMA)["escalationActions"] if isinstance(a, str)]
    for label, index, statement in _allowed_grants(args):
        if _full_wildcard(statement) or not on_every_resource(statement):
            continue
        found = [action for action in actions if grants(statement, action)]
        if found:
            report_violation(f"{_label(label, index, statement)} allows privilege-escalation action(s) "
                             f"{', '.join(found)} on every resource.")


iam_no_privilege_escalation = ResourceValidationPolicy(
    name="iam-no-privilege-escalation",
    description="No identity policy allows a privilege-escalation action (policy versions, attaching or putting "
                "policies, access keys, login profiles, trust policies, ...) on every resource.",
    validate=applies_to(IDENTITY_POLICY_TYPES, _validate_escalation),
    config_schema=ESCALATION_SCHEMA,
    severity=Severity.HIGH,
    remediation_steps="Remove the action, or scope Resource to the specific users, roles or policies the "
                      "principal administers (with a permissions boundary for the roles it creates).",
    **frameworks({"nist-800-53": "AC-6(1), AC-6(10)", "cis-aws": "1.16", "pci-dss": "7.2.2",
                  "hipaa": "164.312(a)(1)", "gdpr": "Art. 32(1)(b)"}),
)

DATA_SERVICES = ("s3", "kms", "sagemaker", "dynamodb", "secretsmanager", "rds", "rds-data", "redshift",
                 "redshift-data", "glue", "athena", "es", "kinesis", "firehose", "kafka", "elasticfilesystem",
                 "fsx", "elasticache", "ecr", "sqs", "sns", "ssm", "backup", "lakeformation")

SERVICE_WILDCARD_SCHEMA = config_schema(
    dataServices={
        "type": "array", "items": {"type": "string"}, "default": list(DATA_SERVICES),
        "description": "IAM service prefixes whose every action ('<service>:*') must not be allowed on every "
                       "resource.",
    },
)


def _service_wildcard(action: str, services: set[str]) -> Optional[str]:
    prefix, _, name = action.partition(":")
    return action if name.strip() == "*" and prefix.lower() in services else None


def _validate_service_wildcard(args: ResourceValidationArgs, report_violation: ReportViolation) -> None:
    services = {s.lower() for s in policy_config(args, SERVICE_WILDCARD_SCHEMA)["dataServices"] if isinstance(s, str)}
    for label, index, statement in _allowed_grants(args):
        if not on_every_resource(statement):
            continue
        found = [hit for hit in (_service_wildcard(a, services) for a in statement.actions) if hit]
        if found:
            report_violation(f"{_label(label, index, statement)} allows {', '.join(found)} on every resource.")
    # AWS managed policies that allow a whole data service on every resource (catalog.managed_policies).
    for kind, principal, arn in _attachments(args):
        name = aws_managed_policy_name(arn)
        found = [hit for hit in (_service_wildcard(a, services) for a in SERVICE_WILDCARDS.get(name or "", ())) if hit]
        if found:
            label = repr(principal) if isinstance(principal, str) and not is_unknown(principal) else \
                f"(unknown {kind.lower()})"
            report_violation(f"{kind} {label} gets the AWS managed policy {name} ({arn}), which allows "
                             f"{', '.join(found)} on every resource.")


iam_no_data_service_wildcard = ResourceValidationPolicy(
    name="iam-no-data-service-wildcard",
    description="No identity policy allows every action of a data service (s3:*, kms:*, sagemaker:*, dynamodb:*, "
                "...) on every resource, and no role, user, group or permission set gets an AWS managed policy that "
                "does (AmazonS3FullAccess, AmazonSageMakerFullAccess, ...).",
    validate=applies_to(tuple(dict.fromkeys(IDENTITY_POLICY_TYPES + ADMIN_ATTACHMENT_TYPES)),
                        _validate_service_wildcard),
    config_schema=SERVICE_WILDCARD_SCHEMA,
    severity=Severity.HIGH,
    remediation_steps="List the actions the workload calls (s3:GetObject, kms:Decrypt, ...) and scope Resource to "
                      "its buckets, keys, tables and models, in an inline or customer managed policy instead of an "
                      "AWS managed *FullAccess policy.",
    **frameworks({"nist-800-53": "AC-6", "cis-aws": "1.16", "pci-dss": "7.2.1", "hipaa": "164.312(a)(1)",
                  "gdpr": "Art. 32(1)(b)"}),
)

USER_POLICY_TYPES = ("aws:iam/userPolicy:UserPolicy", "aws:iam/userPolicyAttachment:UserPolicyAttachment",
                     "aws:iam/userPoliciesExclusive:UserPoliciesExclusive",
                     "aws:iam/userPolicyAttachmentsExclusive:UserPolicyAttachmentsExclusive")
USER = "aws:iam/user:User"
#: pulumi-aws-native: a UserPolicy, a User's own ``policies`` or ``managedPolicyArns``, a ManagedPolicy's ``users``.
NATIVE_USER_POLICY_TYPES = ("aws-native:iam:UserPolicy", NATIVE_USER, "aws-native:iam:ManagedPolicy")
ACCESS_KEY = "aws:iam/accessKey:AccessKey"


def _validate_user_policies(args: ResourceValidationArgs, report_violation: ReportViolation) -> None:
    if args.resource_type == NATIVE_USER:
        own = [key for key in ("policies", "managedPolicyArns") if as_list(get(args.props, key)) not in ([], UNKNOWN)]
        if own:
            user = get(args.props, "userName")
            label = repr(user) if isinstance(user, str) and not is_unknown(user) else repr(args.name)
            report_violation(f"{args.resource_type} {args.name!r} gives IAM user {label} policies of its own "
                             f"({', '.join(own)}).")
        return
    if args.resource_type in (POLICY_ATTACHMENT, "aws-native:iam:ManagedPolicy"):
        users = as_list(get(args.props, "users"))
        if is_unknown(users) or not users:
            return
        names = ", ".join(repr(u) for u in users if isinstance(u, str)) or "(unknown users)"
        report_violation(f"Policy attachment {args.name!r} attaches a policy directly to IAM user(s) {names}.")
        return
    user = get(args.props, "user") or get(args.props, "userName")
    label = repr(user) if isinstance(user, str) and not is_unknown(user) else "(unknown user)"
    report_violation(f"{args.resource_type} {args.name!r} gives IAM user {label} a policy of its own.")


iam_user_no_direct_policies = ResourceValidationPolicy(
    name="iam-user-no-direct-policies",
    description="IAM users get permissions only through groups (or, better, roles): no inline or attached policy "
                "of their own.",
    validate=applies_to(USER_POLICY_TYPES + (POLICY_ATTACHMENT,) + NATIVE_USER_POLICY_TYPES, _validate_user_policies),
    severity=Severity.MEDIUM,
    remediation_steps="Put the user in an aws.iam.Group that holds the policy, or replace the user with a role "
                      "assumed through IAM Identity Center or OIDC federation.",
    **frameworks({"cis-aws": "1.15", "nist-800-53": "AC-2, AC-6", "pci-dss": "7.2.1"}),
)


def _validate_access_key(args: ResourceValidationArgs, report_violation: ReportViolation) -> None:
    status = get(args.props, "status")
    if isinstance(status, str) and status.lower() == "inactive":
        return
    user = get(args.props, "user")
    label = repr(user) if isinstance(user, str) and not is_unknown(user) else "(unknown user)"
    report_violation(f"Access key {args.name!r} gives IAM user {label} long-lived credentials.")


iam_user_no_access_keys = ResourceValidationPolicy(
    name="iam-user-no-access-keys",
    description="No program creates active IAM user access keys (long-lived credentials).",
    validate=applies_to((ACCESS_KEY,), _validate_access_key),
    severity=Severity.HIGH,
    remediation_steps="Let workloads assume roles (instance profiles, IRSA/Pod Identity, OIDC for CI) instead of "
                      "holding access keys; if a key is unavoidable, create it outside the program and rotate it.",
    **frameworks({"cis-aws": "1.11, 1.14", "nist-800-53": "IA-5, AC-2", "pci-dss": "8.3.9", "hipaa": "164.312(d)"}),
)


SECURITY = [iam_no_full_admin_policy, iam_no_administrator_access, iam_trust_policy_no_wildcard_principal,
            iam_no_pass_role_on_all_roles, iam_no_privilege_escalation, iam_no_data_service_wildcard,
            iam_user_no_direct_policies, iam_user_no_access_keys]
PRIVACY: list = []
COMPLIANCE: list = []
