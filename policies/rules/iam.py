"""IAM: no policy allowing every action on every resource, no AdministratorAccess on workload roles,
no trust policy that lets any principal assume a role."""

from __future__ import annotations

from fnmatch import fnmatchcase
from typing import Any, Iterator

from pulumi_policy import ReportViolation, ResourceValidationArgs, ResourceValidationPolicy, Severity

from policies.rules._util import (
    applies_to,
    as_list,
    config_schema,
    frameworks,
    get,
    is_full_wildcard_action,
    is_unknown,
    no_wildcard_principal,
    parse_policy,
    policy_config,
)

ROLE = "aws:iam/role:Role"
#: Resources whose ``policy`` input is an identity policy document.
POLICY_DOCUMENT_TYPES = ("aws:iam/policy:Policy", "aws:iam/rolePolicy:RolePolicy", "aws:iam/userPolicy:UserPolicy",
                         "aws:iam/groupPolicy:GroupPolicy")
ROLE_POLICY_ATTACHMENT = "aws:iam/rolePolicyAttachment:RolePolicyAttachment"
POLICY_ATTACHMENT = "aws:iam/policyAttachment:PolicyAttachment"
ROLE_POLICY_ATTACHMENTS_EXCLUSIVE = "aws:iam/rolePolicyAttachmentsExclusive:RolePolicyAttachmentsExclusive"


def _documents(args: ResourceValidationArgs) -> Iterator[tuple[str, Any]]:
    """``(label, document)`` for each identity policy a resource declares."""
    if args.resource_type in POLICY_DOCUMENT_TYPES:
        yield "policy", get(args.props, "policy")
    elif args.resource_type == ROLE:
        inline = as_list(get(args.props, "inlinePolicies"))
        for index, item in enumerate(inline if isinstance(inline, list) else []):
            if isinstance(item, dict):
                yield f"inline policy {item.get('name') or index!r}", item.get("policy")


def _validate_no_full_admin(args: ResourceValidationArgs, report_violation: ReportViolation) -> None:
    for label, document in _documents(args):
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
    validate=applies_to(POLICY_DOCUMENT_TYPES + (ROLE,), _validate_no_full_admin),
    severity=Severity.CRITICAL,
    remediation_steps="List the actions the principal needs (service:Action) and scope Resource to the ARNs "
                      "it works on.",
    **frameworks({"cis-aws": "1.16", "nist-800-53": "AC-6", "pci-dss": "7.2.1, 7.2.2", "hipaa": "164.312(a)(1)",
                  "gdpr": "Art. 32(1)(b)"}),
)


ADMIN_SCHEMA = config_schema(
    forbiddenPolicies={
        "type": "array", "items": {"type": "string"}, "default": ["AdministratorAccess"],
        "description": "Managed policy names (the part after ':policy/') workload roles must not have.",
    },
    breakGlassRoles={
        "type": "array", "items": {"type": "string"}, "default": [],
        "description": "Role name patterns (fnmatch, e.g. 'break-glass-*') that may hold a forbidden policy.",
    },
)


def _policy_name(arn: Any) -> str:
    return arn.rsplit(":policy/", 1)[-1].rsplit("/", 1)[-1] if isinstance(arn, str) else ""


def _attachments(args: ResourceValidationArgs) -> Iterator[tuple[Any, Any]]:
    """``(role name, policy ARN)`` for each managed policy a resource attaches to a role."""
    props = args.props
    if args.resource_type == ROLE_POLICY_ATTACHMENT:
        yield get(props, "role"), get(props, "policyArn")
    elif args.resource_type == POLICY_ATTACHMENT:
        roles = as_list(get(props, "roles"))
        for role in roles if isinstance(roles, list) else []:
            yield role, get(props, "policyArn")
    elif args.resource_type == ROLE_POLICY_ATTACHMENTS_EXCLUSIVE:
        arns = as_list(get(props, "policyArns"))
        for arn in arns if isinstance(arns, list) else []:
            yield get(props, "roleName"), arn
    elif args.resource_type == ROLE:
        arns = as_list(get(props, "managedPolicyArns"))
        for arn in arns if isinstance(arns, list) else []:
            yield get(props, "name") or args.name, arn


def _validate_no_admin_attachment(args: ResourceValidationArgs, report_violation: ReportViolation) -> None:
    config = policy_config(args, ADMIN_SCHEMA)
    forbidden = set(config["forbiddenPolicies"])
    for role, arn in _attachments(args):
        if is_unknown(arn) or _policy_name(arn) not in forbidden:
            continue
        if isinstance(role, str) and any(fnmatchcase(role, pattern) for pattern in config["breakGlassRoles"]):
            continue
        role_label = repr(role) if isinstance(role, str) else "(unknown role)"
        report_violation(f"Role {role_label} gets the managed policy {_policy_name(arn)} ({arn}).")


iam_no_administrator_access = ResourceValidationPolicy(
    name="iam-no-administrator-access",
    description="Workload roles do not get AdministratorAccess (or another forbidden managed policy).",
    validate=applies_to((ROLE, ROLE_POLICY_ATTACHMENT, POLICY_ATTACHMENT, ROLE_POLICY_ATTACHMENTS_EXCLUSIVE),
                        _validate_no_admin_attachment),
    config_schema=ADMIN_SCHEMA,
    severity=Severity.HIGH,
    remediation_steps="Attach a least-privilege policy for what the workload does instead. Only break-glass "
                      "roles listed in breakGlassRoles may hold AdministratorAccess.",
    **frameworks({"nist-800-53": "AC-6, AC-6(5)", "cis-aws": "1.16", "pci-dss": "7.2.1", "hipaa": "164.312(a)(1)"}),
)


_validate_trust_policy = no_wildcard_principal(
    "assumeRolePolicy",
    invalid="The trust policy (assumeRolePolicy) is not a valid JSON policy document.",
    allowed="Trust policy statement {label} lets any principal ('*') assume the role without a condition that "
            "restricts the caller (such as aws:PrincipalAccount, aws:PrincipalOrgID or aws:PrincipalArn).",
    unless_restricted=True,
)


iam_trust_policy_no_wildcard_principal = ResourceValidationPolicy(
    name="iam-trust-policy-no-wildcard-principal",
    description="No role's trust policy lets any principal ('*') assume it unless a condition restricts who.",
    validate=applies_to((ROLE,), _validate_trust_policy),
    severity=Severity.CRITICAL,
    remediation_steps="Name the trusted principal (a service such as sagemaker.amazonaws.com, an account, a role, "
                      "or an OIDC provider with sub/aud conditions) in the assume-role policy.",
    **frameworks({"nist-800-53": "AC-3, IA-2", "pci-dss": "7.2.1, 8.2.2", "hipaa": "164.312(d)",
                  "gdpr": "Art. 32(1)(b)"}),
)


SECURITY = [iam_no_full_admin_policy, iam_no_administrator_access, iam_trust_policy_no_wildcard_principal]
PRIVACY: list = []
COMPLIANCE: list = []
