"""Identities outside IAM roles: the account's IAM password policy is strong and remembers old
passwords; IAM users get no console password (Checkov CKV2_AWS_22); IAM groups require MFA of their
members (Trivy AVD-AWS-0123); Cognito identity pools hand out no AWS credentials to unauthenticated guests;
Cognito user pools ask for strong passwords, offer MFA and enforce threat protection, and their clients use no
OAuth implicit grant.

Inputs are pulumi-aws 7's ``aws.iam.AccountPasswordPolicy`` (``minimumPasswordLength``,
``requireLowercaseCharacters``, ``requireUppercaseCharacters``, ``requireNumbers``,
``requireSymbols``, ``passwordReusePrevention``) and ``aws.cognito.IdentityPool``
(``allowUnauthenticatedIdentities``). An absent input is IAM's default (botocore iam
``UpdateAccountPasswordPolicyRequest``: minimum length 6, no character class required, reuse
prevention 0) or Cognito's (false). Password expiry (Checkov CKV_AWS_9) is not required: CIS AWS
Foundations 3.0 dropped it and NIST SP 800-63B 5.1.1.2 advises against periodic changes.
"""

from __future__ import annotations

from typing import Any

from pulumi_policy import (
    PolicyResource,
    ReportViolation,
    ResourceValidationArgs,
    ResourceValidationPolicy,
    Severity,
    StackValidationArgs,
    StackValidationPolicy,
)

from policies.rules._declare import applies_to, config_schema, examines, frameworks, policy_config
from policies.rules._index import ReferenceIndex, identifiers, of_type, stack_resources
from policies.rules._principals import parse_policy
from policies.rules._props import UNKNOWN, as_bool, as_int, as_list, describe, get, is_unknown, single

PASSWORD_POLICY = "aws:iam/accountPasswordPolicy:AccountPasswordPolicy"
IDENTITY_POOL = "aws:cognito/identityPool:IdentityPool"

#: Character class -> the input that requires it.
CHARACTER_CLASSES = {"lowercase": "requireLowercaseCharacters", "uppercase": "requireUppercaseCharacters",
                     "numbers": "requireNumbers", "symbols": "requireSymbols"}

STRENGTH_SCHEMA = config_schema(
    minPasswordLength={
        "type": "integer", "minimum": 6, "maximum": 128, "default": 14,
        "description": "Fewest characters an IAM user password may have (CIS AWS 1.8: 14).",
    },
    requiredCharacterClasses={
        "type": "array", "items": {"type": "string", "enum": sorted(CHARACTER_CLASSES)},
        "default": ["lowercase", "numbers", "symbols", "uppercase"],
        "description": "Character classes every password must contain (Checkov CKV_AWS_11, 12, 14, 15); [] for "
                       "length only, as NIST SP 800-63B prefers.",
    },
)


def _number(props: Any, key: str, default: int) -> Any:
    value = get(props, key)
    if is_unknown(value):
        return value
    number = as_int(value)
    return default if value is None or number is None else number


def _weak_password(props: Any, config: dict, length_key: str, length_default: Any,
                   classes: dict[str, str]) -> list[str]:
    """What a password policy's ``props`` lack against ``config`` (``minPasswordLength``,
    ``requiredCharacterClasses``): a length under the minimum (absent: ``length_default``, None not
    judged) and each required class whose input (``classes``) is not true; unknown values hold."""
    problems = []
    length, minimum = _number(props, length_key, length_default), as_int(config["minPasswordLength"])
    if isinstance(length, int) and isinstance(minimum, int) and length < minimum:
        problems.append(f"{length_key} is {length}, expected at least {minimum}")
    for kind in config["requiredCharacterClasses"] or []:
        key = classes.get(kind)
        flag = as_bool(get(props, key)) if key else None
        if key and not is_unknown(flag) and flag is not True:
            problems.append(f"{key} is not true")
    return problems


def _password_strength(args: ResourceValidationArgs, report: ReportViolation) -> None:
    problems = _weak_password(args.props, policy_config(args, STRENGTH_SCHEMA), "minimumPasswordLength", 6,
                              CHARACTER_CLASSES)
    if problems:
        report(f"{describe(args)} allows weak IAM user passwords: {'; '.join(problems)}")


iam_password_policy_strength = ResourceValidationPolicy(
    name="iam-password-policy-strength",
    description="The account's IAM password policy requires long passwords (14 characters) with the configured "
                "character classes.",
    validate=applies_to((PASSWORD_POLICY,), _password_strength),
    config_schema=STRENGTH_SCHEMA,
    severity=Severity.MEDIUM,
    remediation_steps="Set minimum_password_length=14 (or more) and require_lowercase_characters, "
                      "require_uppercase_characters, require_numbers and require_symbols on the "
                      "aws.iam.AccountPasswordPolicy; better, give people SSO (IAM Identity Center) instead of IAM "
                      "users.",
    **frameworks({"cis-aws": "1.8", "nist-800-53": "IA-5(1)", "pci-dss": "8.3.6", "hipaa": "164.308(a)(5)(ii)(D)"}),
)

REUSE_SCHEMA = config_schema(
    minPasswordReusePrevention={
        "type": "integer", "minimum": 1, "maximum": 24, "default": 24,
        "description": "How many previous passwords a user may not reuse (CIS AWS 1.9: 24, IAM's maximum).",
    },
)


def _password_reuse(args: ResourceValidationArgs, report: ReportViolation) -> None:
    remembered = _number(args.props, "passwordReusePrevention", 0)
    minimum = as_int(policy_config(args, REUSE_SCHEMA)["minPasswordReusePrevention"])
    if isinstance(remembered, int) and isinstance(minimum, int) and remembered < minimum:
        shown = remembered if get(args.props, "passwordReusePrevention") is not None else "not set (0)"
        report(f"{describe(args)} lets users reuse old passwords: passwordReusePrevention is {shown}, expected at "
               f"least {minimum}")


iam_password_policy_reuse = ResourceValidationPolicy(
    name="iam-password-policy-reuse",
    description="The account's IAM password policy prevents reusing the last 24 passwords.",
    validate=applies_to((PASSWORD_POLICY,), _password_reuse),
    config_schema=REUSE_SCHEMA,
    severity=Severity.MEDIUM,
    remediation_steps="Set password_reuse_prevention=24 on the aws.iam.AccountPasswordPolicy.",
    **frameworks({"cis-aws": "1.9", "nist-800-53": "IA-5(1)", "pci-dss": "8.3.7"}),
)


def _unauthenticated(args: ResourceValidationArgs, report: ReportViolation) -> None:
    flag = as_bool(get(args.props, "allowUnauthenticatedIdentities"))
    if flag is True:
        report(f"{describe(args)} gives unauthenticated guests AWS credentials (allowUnauthenticatedIdentities is "
               "true): anyone on the internet can call AWS as its unauthenticated role")


cognito_identity_pool_no_unauthenticated = ResourceValidationPolicy(
    name="cognito-identity-pool-no-unauthenticated",
    description="Cognito identity pools do not issue AWS credentials to unauthenticated (guest) identities.",
    validate=applies_to((IDENTITY_POOL,), _unauthenticated),
    severity=Severity.HIGH,
    remediation_steps="Set allow_unauthenticated_identities=False on the aws.cognito.IdentityPool and sign users "
                      "in through a user pool or identity provider; if guests are intended, give the pool's "
                      "unauthenticated role only the few actions they need and waive this rule for it.",
    **frameworks({"nist-800-53": "AC-14, IA-2", "pci-dss": "8.2.1", "hipaa": "164.312(d)", "gdpr": "Art. 32(1)(b)"}),
)

LOGIN_PROFILE = "aws:iam/userLoginProfile:UserLoginProfile"


def _console_password(args: ResourceValidationArgs, report: ReportViolation) -> None:
    user = get(args.props, "user")
    shown = user if isinstance(user, str) and not is_unknown(user) else args.name
    report(f"{describe(args)} gives IAM user {shown!r} a console password: people should sign in through IAM "
           "Identity Center (SSO) or a federated role, with MFA")


iam_user_no_console_password = ResourceValidationPolicy(
    name="iam-user-no-console-password",
    description="IAM users get no console password (aws.iam.UserLoginProfile); people sign in through SSO.",
    validate=applies_to((LOGIN_PROFILE,), _console_password),
    severity=Severity.MEDIUM,
    remediation_steps="Remove the aws.iam.UserLoginProfile and give the person an IAM Identity Center user with a "
                      "permission set (or a role assumed through the identity provider); keep IAM users for the "
                      "break-glass account only, with MFA, and waive this rule for it.",
    **frameworks({"nist-800-53": "IA-2, AC-2", "pci-dss": "8.2.1", "hipaa": "164.312(d)"}),
)

# --------------------------------------------------------------------------------------------------
# MFA for the members of IAM groups (Trivy AVD-AWS-0123). Inputs: aws.iam.GroupPolicy ``group`` and ``policy``,
# aws.iam.GroupPolicyAttachment ``group`` and ``policyArn`` (joined to an aws.iam.Policy of the stack by ARN or
# dependency), aws.iam.Group ``name``; pulumi-aws-native (CloudFormation AWS::IAM::Group, GroupPolicy,
# ManagedPolicy; pulumi-aws-native 1.84 iam/group.py, group_policy.py, managed_policy.py): a Group's own
# ``policies`` ({policyName, policyDocument}) and ``managedPolicyArns``, a GroupPolicy's ``groupName`` and
# ``policyDocument``, a ManagedPolicy's ``groups`` and ``policyDocument`` (its ARN output is ``policyArn``).
# A group whose policy is managed elsewhere, or not known yet, is not judged.

GROUP = "aws:iam/group:Group"
GROUP_POLICY = "aws:iam/groupPolicy:GroupPolicy"
GROUP_POLICY_ATTACHMENT = "aws:iam/groupPolicyAttachment:GroupPolicyAttachment"
MANAGED_POLICY = "aws:iam/policy:Policy"
NATIVE_GROUP = "aws-native:iam:Group"
NATIVE_GROUP_POLICY = "aws-native:iam:GroupPolicy"
NATIVE_MANAGED_POLICY = "aws-native:iam:ManagedPolicy"
_GROUP_KEYS = ("name", "groupName", "id", "arn")
#: The global condition keys that say whether, and how long ago, the caller signed in with MFA (IAM User
#: Guide, "AWS global condition context keys": aws:MultiFactorAuthPresent, aws:MultiFactorAuthAge).
MFA_CONDITION_KEYS = frozenset({"aws:multifactorauthpresent", "aws:multifactorauthage"})


def _conditions_on_mfa(document: Any) -> Any:
    """True if a statement of ``document`` conditions on MFA, False if none does, None if unknown or unreadable."""
    statements = parse_policy(document)
    if is_unknown(statements) or statements is None:
        return None
    for statement in statements:
        if "Condition" in statement.unknown:
            return None
        for operator_values in statement.condition.values():
            if isinstance(operator_values, dict) and any(
                    isinstance(key, str) and key.lower() in MFA_CONDITION_KEYS for key in operator_values):
                return True
    return False


def _document(policy: PolicyResource) -> Any:
    return get(policy.props, "policyDocument" if policy.resource_type.startswith("aws-native:") else "policy")


def _dependency_urns(resource: PolicyResource, key: str) -> list[str]:
    return [getattr(d, "urn", d) for d in (resource.property_dependencies or {}).get(key) or []]


class _GroupPolicies:
    """The stack's group policies, indexed once: inline (GroupPolicy), attached (GroupPolicyAttachment, a native
    ManagedPolicy's ``groups``), and the managed policies by URN and ARN."""

    def __init__(self, resources: list[PolicyResource]) -> None:
        self.inline = ReferenceIndex(resources, (GROUP_POLICY,), "group")
        self.native_inline = ReferenceIndex(resources, (NATIVE_GROUP_POLICY,), "groupName")
        self.attached = ReferenceIndex(resources, (GROUP_POLICY_ATTACHMENT,), "group")
        self.policies: dict[str, PolicyResource] = {}
        self.by_group: dict[str, list[PolicyResource]] = {}
        for policy in of_type(resources, MANAGED_POLICY, NATIVE_MANAGED_POLICY):
            for key in (policy.urn, *identifiers(policy, ("arn", "policyArn", "id"))):
                self.policies.setdefault(key, policy)
        for policy in of_type(resources, NATIVE_MANAGED_POLICY):
            groups = as_list(get(policy.props, "groups"))
            names = [g for g in groups if isinstance(g, str) and not is_unknown(g)] if isinstance(groups, list) else []
            for key in {*names, *_dependency_urns(policy, "groups")}:
                self.by_group.setdefault(key, []).append(policy)

    def attached_document(self, arn: Any, dependencies: list[str]) -> Any:
        """The document of the managed policy ``arn`` names; None for an AWS-managed policy (none enforces MFA);
        ``UNKNOWN`` for a customer policy the stack does not declare, or an ARN not known yet."""
        found = [self.policies[key] for key in [*dependencies, arn] if isinstance(key, str) and key in self.policies]
        if found:
            return _document(found[0])
        if isinstance(arn, str) and not is_unknown(arn) and arn.startswith("arn:aws:iam::aws:policy/"):
            return None
        return UNKNOWN

    def documents(self, group: PolicyResource) -> list[Any]:
        documents = [get(policy.props, "policy") for policy in self.inline.referrers(group, _GROUP_KEYS)]
        documents += [get(policy.props, "policyDocument") for policy in self.native_inline.referrers(group, _GROUP_KEYS)]
        own = as_list(get(group.props, "policies")) if group.resource_type == NATIVE_GROUP else []
        if is_unknown(own):
            documents.append(UNKNOWN)
        else:
            documents += [item.get("policyDocument") for item in own if isinstance(item, dict)]
        for attachment in self.attached.referrers(group, _GROUP_KEYS):
            documents.append(self.attached_document(get(attachment.props, "policyArn"),
                                                    _dependency_urns(attachment, "policyArn")))
        arns = as_list(get(group.props, "managedPolicyArns")) if group.resource_type == NATIVE_GROUP else []
        if is_unknown(arns):
            documents.append(UNKNOWN)
        else:
            documents += [self.attached_document(arn, _dependency_urns(group, "managedPolicyArns")
                                                 if is_unknown(arn) else []) for arn in arns]
        seen: set[str] = set()
        for key in [group.urn, *identifiers(group, ("name", "groupName"))]:
            for policy in self.by_group.get(key, []):
                if policy.urn not in seen:
                    seen.add(policy.urn)
                    documents.append(_document(policy))
        return [document for document in documents if document is not None]


def _validate_group_mfa(args: StackValidationArgs, report_violation: ReportViolation) -> None:
    resources = stack_resources(args)
    groups = of_type(resources, GROUP, NATIVE_GROUP)
    if not groups:
        return
    policies = _GroupPolicies(resources)
    for group in groups:
        results = [_conditions_on_mfa(document) for document in policies.documents(group)]
        if True in results or None in results:
            continue
        name = get(group.props, "groupName" if group.resource_type == NATIVE_GROUP else "name")
        shown = name if isinstance(name, str) and not is_unknown(name) else group.name
        report_violation(f"IAM group {shown!r} does not require MFA: none of its policies conditions on "
                         "aws:MultiFactorAuthPresent, so its members' long-lived credentials work without it.",
                         group.urn)


iam_group_mfa_required = StackValidationPolicy(
    name="iam-group-mfa-required",
    description="IAM groups require MFA: one of each group's policies conditions on aws:MultiFactorAuthPresent.",
    validate=examines((GROUP, GROUP_POLICY, GROUP_POLICY_ATTACHMENT, MANAGED_POLICY, NATIVE_GROUP,
                       NATIVE_GROUP_POLICY, NATIVE_MANAGED_POLICY), _validate_group_mfa),
    severity=Severity.MEDIUM,
    remediation_steps="Give the group a policy that denies everything but managing the member's own MFA device "
                      "unless MFA was used: a Deny statement with NotAction ['iam:CreateVirtualMFADevice', "
                      "'iam:EnableMFADevice', 'iam:ListMFADevices', 'iam:GetUser', 'sts:GetSessionToken'] and "
                      "Condition {'BoolIfExists': {'aws:MultiFactorAuthPresent': 'false'}} (IAM User Guide, "
                      "'Allows MFA-authenticated IAM users to manage their own MFA device'); better, move the people "
                      "to IAM Identity Center.",
    **frameworks({"cis-aws": "1.10", "nist-800-53": "IA-2(1), IA-2(2)", "pci-dss": "8.4.2", "hipaa": "164.312(d)"}),
)



# --------------------------------------------------------------------------------------------------
# Cognito user pools: the sign-in of an application's users (Security Hub Cognito.1, Cognito.3, Cognito.5)

USER_POOL = "aws:cognito/userPool:UserPool"
NATIVE_USER_POOL = "aws-native:cognito:UserPool"
USER_POOLS = (USER_POOL, NATIVE_USER_POOL)
USER_POOL_CLIENTS = ("aws:cognito/userPoolClient:UserPoolClient", "aws-native:cognito:UserPoolClient")
#: Character class -> the password policy input that requires it (botocore cognito-idp PasswordPolicyType; the
#: same camelCase names in pulumi-aws 7's ``passwordPolicy`` and pulumi-aws-native's ``policies.passwordPolicy``).
POOL_CHARACTER_CLASSES = {"lowercase": "requireLowercase", "uppercase": "requireUppercase",
                          "numbers": "requireNumbers", "symbols": "requireSymbols"}

USER_POOL_PASSWORD_SCHEMA = config_schema(
    minPasswordLength={
        "type": "integer", "minimum": 6, "maximum": 99, "default": 8,
        "description": "Fewest characters a user pool password may have (Security Hub Cognito.3: 8).",
    },
    requiredCharacterClasses={
        "type": "array", "items": {"type": "string", "enum": sorted(POOL_CHARACTER_CLASSES)},
        "default": ["lowercase", "numbers", "symbols", "uppercase"],
        "description": "Character classes every user pool password must contain (Security Hub Cognito.3: all four).",
    },
    maxTemporaryPasswordDays={
        "type": "integer", "minimum": 1, "maximum": 365, "default": 7,
        "description": "Longest validity of an administrator-set temporary password (Cognito's default: 7 days).",
    },
)


def _pool_password_policy(args: ResourceValidationArgs) -> Any:
    if args.resource_type == NATIVE_USER_POOL:
        policies = get(args.props, "policies")
        return UNKNOWN if is_unknown(policies) else get(policies, "passwordPolicy") if isinstance(policies, dict) else None
    block = get(args.props, "passwordPolicy")
    return block[0] if isinstance(block, list) and len(block) == 1 else block


def _user_pool_password(args: ResourceValidationArgs, report: ReportViolation) -> None:
    # Judged only where the program writes a password policy: without one Cognito applies its own default. In a
    # written pulumi-aws block an omitted require* is false: the provider sends every field of the block
    # (terraform-provider-aws expandUserPoolPasswordPolicy), and botocore's PasswordPolicyType has no default for
    # them; pulumi-aws-native sends what is written, and CloudFormation's omitted booleans are false too.
    # TemporaryPasswordValidityDays "Defaults to 7" (0 or absent: the default).
    policy = _pool_password_policy(args)
    if not isinstance(policy, dict):
        return
    config = policy_config(args, USER_POOL_PASSWORD_SCHEMA)
    problems = _weak_password(policy, config, "minimumLength", None, POOL_CHARACTER_CLASSES)
    days, most = _number(policy, "temporaryPasswordValidityDays", None), as_int(config["maxTemporaryPasswordDays"])
    if isinstance(days, int) and isinstance(most, int) and days > most:
        problems.append(f"temporaryPasswordValidityDays is {days}, expected at most {most}")
    if problems:
        report(f"{describe(args)} lets its users choose weak passwords: {'; '.join(problems)}")


cognito_user_pool_password_policy = ResourceValidationPolicy(
    name="cognito-user-pool-password-policy",
    description="A Cognito user pool's password policy, where written, asks for at least 8 characters of all four "
                "character classes, and temporary passwords expire within 7 days.",
    validate=applies_to(USER_POOLS, _user_pool_password),
    config_schema=USER_POOL_PASSWORD_SCHEMA,
    severity=Severity.MEDIUM,
    remediation_steps="Set password_policy={'minimum_length': 12, 'require_lowercase': True, 'require_uppercase': "
                      "True, 'require_numbers': True, 'require_symbols': True, 'temporary_password_validity_days': 7} "
                      "on the aws.cognito.UserPool, or drop the block for Cognito's default policy.",
    **frameworks({"nist-800-53": "IA-5(1)", "pci-dss": "8.3.6", "hipaa": "164.308(a)(5)(ii)(D)"}),
)


def _user_pool_mfa(args: ResourceValidationArgs, report: ReportViolation) -> None:
    # mfaConfiguration: OFF (the default, pulumi-aws 7 cognito/user_pool.py "Defaults of OFF"), ON (every user signs in
    # with a second factor) or OPTIONAL (botocore cognito-idp UserPoolMfaType; "For user pools with adaptive
    # authentication with threat protection, choose OPTIONAL"). Only OFF fails: OPTIONAL is what AWS advises with
    # threat protection's risk-based MFA (Security Hub Cognito.5, stricter, asks for ON).
    mode = get(args.props, "mfaConfiguration")
    if is_unknown(mode):
        return
    if not isinstance(mode, str) or mode.upper() == "OFF":
        shown = mode.upper() if isinstance(mode, str) else "not set (OFF)"
        report(f"{describe(args)} signs its users in with a password alone (mfaConfiguration is {shown}): a leaked or "
               "guessed password is the whole account")


cognito_user_pool_mfa = ResourceValidationPolicy(
    name="cognito-user-pool-mfa",
    description="Cognito user pools offer multi-factor authentication (mfaConfiguration ON or OPTIONAL, not OFF).",
    validate=applies_to(USER_POOLS, _user_pool_mfa),
    severity=Severity.MEDIUM,
    remediation_steps="Set mfa_configuration='ON' with software_token_mfa_configuration={'enabled': True} (or SMS or "
                      "e-mail MFA) on the aws.cognito.UserPool; 'OPTIONAL' with threat protection's adaptive "
                      "authentication.",
    **frameworks({"nist-800-53": "IA-2(1), IA-2(2)", "pci-dss": "8.4.2", "hipaa": "164.312(d)",
                  "gdpr": "Art. 32(1)(b)"}),
)


def _user_pool_threat_protection(args: ResourceValidationArgs, report: ReportViolation) -> None:
    # userPoolAddOns.advancedSecurityMode: OFF, AUDIT ("log user security information but take no action") or ENFORCED
    # ("automatic security responses to potentially unwanted traffic"); it needs the PLUS feature plan (botocore
    # cognito-idp UserPoolAddOnsType, AdvancedSecurityModeType; userPoolTier "Defaults to ESSENTIALS"). pulumi-aws 7
    # cognito.UserPool user_pool_add_ons.advanced_security_mode and pulumi-aws-native's user_pool_add_ons take the
    # same names. Security Hub Cognito.1 asks for ENFORCED; cdk-nag AwsSolutions-COG8 for the PLUS plan it needs.
    add_ons = single(get(args.props, "userPoolAddOns"))
    mode = get(add_ons, "advancedSecurityMode") if isinstance(add_ons, dict) else add_ons
    if is_unknown(mode):
        return
    if not isinstance(mode, str) or mode.upper() != "ENFORCED":
        shown = f"is {mode.upper()}" if isinstance(mode, str) else "is not set (OFF)"
        report(f"{describe(args)} does not block risky sign-ins (userPoolAddOns.advancedSecurityMode {shown}): "
               "compromised credentials and credential stuffing go unanswered")


cognito_user_pool_threat_protection = ResourceValidationPolicy(
    name="cognito-user-pool-threat-protection",
    description="Cognito user pools enforce threat protection (userPoolAddOns.advancedSecurityMode ENFORCED, on the "
                "PLUS feature plan): risky and compromised-credential sign-ins are blocked or challenged.",
    validate=applies_to(USER_POOLS, _user_pool_threat_protection),
    severity=Severity.MEDIUM,
    remediation_steps="Set user_pool_tier='PLUS' and user_pool_add_ons={'advanced_security_mode': 'ENFORCED'} on the "
                      "aws.cognito.UserPool (AUDIT only logs the risk).",
    **frameworks({"nist-800-53": "SI-4, AC-7", "pci-dss": "8.3.4"}),
)


def _implicit_flow(args: ResourceValidationArgs, report: ReportViolation) -> None:
    # allowedOauthFlows (pulumi-aws 7; pulumi-aws-native allowedOAuthFlows): code, implicit, client_credentials
    # (botocore cognito-idp OAuthFlowType). The implicit grant returns tokens in the redirect URL's fragment, where
    # browser history, referrers and other scripts read them; RFC 9700 (OAuth 2.0 Security Best Current Practice)
    # 2.1.2: "clients SHOULD NOT use the implicit grant"; the authorization code grant with PKCE replaces it.
    flows = as_list(get(args.props, "allowedOauthFlows" if args.resource_type.startswith("aws:") else
                        "allowedOAuthFlows"))
    if is_unknown(flows):
        return
    if any(isinstance(flow, str) and flow.lower() == "implicit" for flow in flows):
        report(f"{describe(args)} allows the OAuth implicit grant (allowedOauthFlows 'implicit'): tokens are handed "
               "over in the redirect URL, where the browser's history and other scripts can read them")


cognito_user_pool_client_no_implicit_grant = ResourceValidationPolicy(
    name="cognito-user-pool-client-no-implicit-grant",
    description="Cognito user pool clients do not allow the OAuth implicit grant (use the authorization code grant "
                "with PKCE).",
    validate=applies_to(USER_POOL_CLIENTS, _implicit_flow),
    severity=Severity.MEDIUM,
    remediation_steps="Set allowed_oauth_flows=['code'] on the aws.cognito.UserPoolClient and have the application "
                      "exchange the code with PKCE (a public client needs no client secret for that).",
    **frameworks({"nist-800-53": "IA-2, SC-23", "pci-dss": "8.3.1", "gdpr": "Art. 32(1)(b)"}),
)


SECURITY = [iam_password_policy_strength, iam_password_policy_reuse, cognito_identity_pool_no_unauthenticated,
            iam_user_no_console_password, iam_group_mfa_required, cognito_user_pool_password_policy,
            cognito_user_pool_mfa, cognito_user_pool_client_no_implicit_grant, cognito_user_pool_threat_protection]
PRIVACY: list = []
COMPLIANCE: list = []
