"""OIDC-federated roles: a role GitHub Actions assumes trusts only the jobs of named repositories, and
a role an EKS cluster's service accounts assume (IRSA) trusts only named service accounts.

GitHub's OIDC provider (``token.actions.githubusercontent.com``) issues a token to every workflow
run on github.com; what tells them apart is the ``sub`` claim (``repo:<owner>/<repo>:environment:<env>``,
``repo:<owner>/<repo>:ref:refs/heads/<branch>``, ...; GitHub docs "About security hardening with
OpenID Connect"). A trust statement for that provider (a ``Federated`` principal naming it, or
condition keys ``token.actions.githubusercontent.com:*``) must therefore condition
``token.actions.githubusercontent.com:sub`` with ``StringEquals``/``StringLike`` (or their
``ForAnyValue:`` forms), every value naming an owner without wildcards (``repo:example-org/...``);
``repo:*``, ``*`` or a missing ``sub`` condition lets any repository on GitHub assume the role.
Checkov CKV_AWS_393. Roles: ``aws.iam.Role`` ``assumeRolePolicy``, pulumi-aws-native's ``aws-native:iam:Role``
``assumeRolePolicyDocument`` (an object).

An EKS cluster's OIDC issuer (``oidc.eks.<region>.amazonaws.com/id/<id>``, the provider ARN
``arn:aws:iam::<account>:oidc-provider/oidc.eks...``) signs a token for every service account of the
cluster; its ``sub`` claim is ``system:serviceaccount:<namespace>:<name>``. AWS's EKS user guide
("Assign IAM roles to Kubernetes service accounts", the trust policy it shows) conditions
``<issuer>:sub`` with StringEquals on one service account: without it any pod of the cluster can
assume the role. A value with a wildcard in the namespace (``system:serviceaccount:*``) is no scope
either. A trust policy or condition known only at deployment is not judged.
"""

from __future__ import annotations

import re
from typing import Any

from pulumi_policy import ReportViolation, ResourceValidationArgs, ResourceValidationPolicy, Severity

from policies.rules._declare import applies_to, frameworks
from policies.rules._principals import first_set, parse_policy
from policies.rules._props import describe, is_unknown

ROLE = "aws:iam/role:Role"
NATIVE_ROLE = "aws-native:iam:Role"
GITHUB = "token.actions.githubusercontent.com"
_OPERATORS = frozenset({"stringequals", "stringlike", "foranyvalue:stringequals", "foranyvalue:stringlike"})
_SCOPED = re.compile(r"^repo:[A-Za-z0-9_.-]+/")


def _is_github(statement: Any) -> bool:
    if any(kind == "Federated" and GITHUB in value for kind, value in statement.principals):
        return True
    return any(isinstance(values, dict) and any(str(key).lower().startswith(GITHUB + ":") for key in values)
               for values in statement.condition.values())


def _subjects(statement: Any) -> list[str]:
    found: list[str] = []
    for operator, values in statement.condition.items():
        if str(operator).lower() not in _OPERATORS or not isinstance(values, dict):
            continue
        for key, value in values.items():
            if str(key).lower() == f"{GITHUB}:sub":
                found.extend(str(v) for v in (value if isinstance(value, list) else [value]))
    return found


def _github_trust(args: ResourceValidationArgs, report: ReportViolation) -> None:
    statements = parse_policy(first_set(args.props, ("assumeRolePolicy", "assumeRolePolicyDocument")))
    if is_unknown(statements) or not statements:
        return
    for index, statement in enumerate(statements):
        if not statement.allows or not _is_github(statement):
            continue
        label = statement.sid or f"#{index}"
        subjects = _subjects(statement)
        if not subjects:
            report(f"{describe(args)}: statement {label} trusts GitHub Actions without a condition on {GITHUB}:sub: "
                   "any repository on GitHub can assume the role")
            continue
        loose = [s for s in subjects if not _SCOPED.match(s)]
        if loose:
            report(f"{describe(args)}: statement {label} trusts GitHub Actions for sub {', '.join(loose)}, which "
                   "names no repository owner: other owners' repositories can assume the role")


iam_github_oidc_trust_scoped = ResourceValidationPolicy(
    name="iam-github-oidc-trust-scoped",
    description="Roles trusted by GitHub Actions' OIDC provider condition the token's sub claim on named "
                "repositories.",
    validate=applies_to((ROLE, NATIVE_ROLE), _github_trust),
    severity=Severity.CRITICAL,
    remediation_steps="Add a StringEquals (or StringLike) condition on token.actions.githubusercontent.com:sub with "
                      "'repo:<owner>/<repo>:environment:<env>' (or ':ref:refs/heads/main'), and on "
                      "token.actions.githubusercontent.com:aud with 'sts.amazonaws.com', to the trust policy.",
    **frameworks({"nist-800-53": "AC-3, IA-2", "cis-aws": "1.16", "pci-dss": "8.2.2", "hipaa": "164.312(d)"}),
)

EKS_ISSUER = re.compile(r"oidc\.eks\.[a-z0-9-]+\.amazonaws\.com(\.cn)?/id/", re.IGNORECASE)
_SERVICE_ACCOUNT = re.compile(r"^system:serviceaccount:[a-z0-9]([-a-z0-9]*[a-z0-9])?:")


def _is_eks(statement: Any) -> bool:
    if any(kind == "Federated" and EKS_ISSUER.search(value) for kind, value in statement.principals):
        return True
    return any(isinstance(values, dict) and any(EKS_ISSUER.search(str(key)) for key in values)
               for values in statement.condition.values())


def _service_accounts(statement: Any) -> list[str]:
    found: list[str] = []
    for operator, values in statement.condition.items():
        if str(operator).lower() not in _OPERATORS or not isinstance(values, dict):
            continue
        for key, value in values.items():
            if EKS_ISSUER.search(str(key)) and str(key).lower().endswith(":sub"):
                found.extend(str(v) for v in (value if isinstance(value, list) else [value]))
    return found


def _irsa_trust(args: ResourceValidationArgs, report: ReportViolation) -> None:
    statements = parse_policy(first_set(args.props, ("assumeRolePolicy", "assumeRolePolicyDocument")))
    if is_unknown(statements) or not statements:
        return
    for index, statement in enumerate(statements):
        if not statement.allows or "Condition" in statement.unknown or not _is_eks(statement):
            continue
        label = statement.sid or f"#{index}"
        subjects = _service_accounts(statement)
        if not subjects:
            report(f"{describe(args)}: statement {label} trusts an EKS cluster's OIDC provider without a condition on "
                   "its :sub claim: every service account of the cluster, so every pod, can assume the role")
            continue
        loose = [s for s in subjects if not _SERVICE_ACCOUNT.match(s)]
        if loose:
            report(f"{describe(args)}: statement {label} trusts an EKS cluster's OIDC provider for sub "
                   f"{', '.join(loose)}, which names no namespace: service accounts of other namespaces can assume it")


iam_eks_oidc_trust_scoped = ResourceValidationPolicy(
    name="iam-eks-oidc-trust-scoped",
    description="Roles trusted by an EKS cluster's OIDC provider (IRSA) condition the token's sub claim on named "
                "service accounts (system:serviceaccount:<namespace>:<name>).",
    validate=applies_to((ROLE, NATIVE_ROLE), _irsa_trust),
    severity=Severity.HIGH,
    remediation_steps="Add a StringEquals condition on <issuer>:sub with 'system:serviceaccount:<namespace>:<name>' "
                      "and on <issuer>:aud with 'sts.amazonaws.com' (the trust policy of the EKS user guide's IRSA "
                      "page), or use EKS Pod Identity associations.",
    **frameworks({"nist-800-53": "AC-3, AC-6, IA-2", "pci-dss": "7.2.1"}),
)

SECURITY = [iam_github_oidc_trust_scoped, iam_eks_oidc_trust_scoped]
PRIVACY: list = []
COMPLIANCE: list = []
