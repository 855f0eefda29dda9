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
from dataclasses import dataclass
from typing import Any, Callable

from pulumi_policy import ReportViolation, ResourceValidationArgs, ResourceValidationPolicy, Severity

from policies.rules._declare import applies_to, frameworks
from policies.rules._principals import first_set, parse_policy
from policies.rules._props import describe, is_unknown

ROLE = "aws:iam/role:Role"
NATIVE_ROLE = "aws-native:iam:Role"
GITHUB = "token.actions.githubusercontent.com"
EKS_ISSUER = re.compile(r"oidc\.eks\.[a-z0-9-]+\.amazonaws\.com(\.cn)?/id/", re.IGNORECASE)
_OPERATORS = frozenset({"stringequals", "stringlike", "foranyvalue:stringequals", "foranyvalue:stringlike"})


@dataclass(frozen=True)
class _Issuer:
    """An OIDC provider whose tokens a trust statement must scope by their ``sub`` claim."""

    names: Callable[[str], bool]  # a Federated principal's value names the provider
    keys: Callable[[str], bool]  # a condition key is one of the provider's
    sub: Callable[[str], bool]  # a condition key is the provider's sub claim
    scoped: re.Pattern  # a sub value that names a scope
    unscoped: str  # {label}: no sub condition at all
    loose: str  # {label}, {values}: sub values that name no scope

    def trusted_by(self, statement: Any) -> bool:
        if any(kind == "Federated" and self.names(value) for kind, value in statement.principals):
            return True
        return any(isinstance(values, dict) and any(self.keys(str(key)) for key in values)
                   for values in statement.condition.values())

    def subjects(self, statement: Any) -> list[str]:
        found: list[str] = []
        for operator, values in statement.condition.items():
            if str(operator).lower() not in _OPERATORS or not isinstance(values, dict):
                continue
            for key, value in values.items():
                if self.sub(str(key)):
                    found.extend(str(v) for v in (value if isinstance(value, list) else [value]))
        return found

    def validate(self, args: ResourceValidationArgs, report: ReportViolation) -> None:
        statements = parse_policy(first_set(args.props, ("assumeRolePolicy", "assumeRolePolicyDocument")))
        if is_unknown(statements) or not statements:
            return
        for index, statement in enumerate(statements):
            if not statement.allows or "Condition" in statement.unknown or not self.trusted_by(statement):
                continue
            label = statement.sid or f"#{index}"
            subjects = self.subjects(statement)
            if not subjects:
                report(f"{describe(args)}: statement {label} {self.unscoped}")
                continue
            loose = [s for s in subjects if not self.scoped.match(s)]
            if loose:
                report(f"{describe(args)}: statement {label} {self.loose.format(values=', '.join(loose))}")


_GITHUB = _Issuer(
    names=lambda value: GITHUB in value, keys=lambda key: key.lower().startswith(GITHUB + ":"),
    sub=lambda key: key.lower() == f"{GITHUB}:sub", scoped=re.compile(r"^repo:[A-Za-z0-9_.-]+/"),
    unscoped=f"trusts GitHub Actions without a condition on {GITHUB}:sub: any repository on GitHub can assume the role",
    loose="trusts GitHub Actions for sub {values}, which names no repository owner: other owners' repositories can "
          "assume the role")
_EKS = _Issuer(
    names=lambda value: EKS_ISSUER.search(value) is not None, keys=lambda key: EKS_ISSUER.search(key) is not None,
    sub=lambda key: EKS_ISSUER.search(key) is not None and key.lower().endswith(":sub"),
    scoped=re.compile(r"^system:serviceaccount:[a-z0-9]([-a-z0-9]*[a-z0-9])?:"),
    unscoped="trusts an EKS cluster's OIDC provider without a condition on its :sub claim: every service account of "
             "the cluster, so every pod, can assume the role",
    loose="trusts an EKS cluster's OIDC provider for sub {values}, which names no namespace: service accounts of "
          "other namespaces can assume it")


iam_github_oidc_trust_scoped = ResourceValidationPolicy(
    name="iam-github-oidc-trust-scoped",
    description="Roles trusted by GitHub Actions' OIDC provider condition the token's sub claim on named "
                "repositories.",
    validate=applies_to((ROLE, NATIVE_ROLE), _GITHUB.validate),
    severity=Severity.CRITICAL,
    remediation_steps="Add a StringEquals (or StringLike) condition on token.actions.githubusercontent.com:sub with "
                      "'repo:<owner>/<repo>:environment:<env>' (or ':ref:refs/heads/main'), and on "
                      "token.actions.githubusercontent.com:aud with 'sts.amazonaws.com', to the trust policy.",
    **frameworks({"nist-800-53": "AC-3, IA-2", "cis-aws": "1.16", "pci-dss": "8.2.2", "hipaa": "164.312(d)"}),
)

iam_eks_oidc_trust_scoped = ResourceValidationPolicy(
    name="iam-eks-oidc-trust-scoped",
    description="Roles trusted by an EKS cluster's OIDC provider (IRSA) condition the token's sub claim on named "
                "service accounts (system:serviceaccount:<namespace>:<name>).",
    validate=applies_to((ROLE, NATIVE_ROLE), _EKS.validate),
    severity=Severity.HIGH,
    remediation_steps="Add a StringEquals condition on <issuer>:sub with 'system:serviceaccount:<namespace>:<name>' "
                      "and on <issuer>:aud with 'sts.amazonaws.com' (the trust policy of the EKS user guide's IRSA "
                      "page), or use EKS Pod Identity associations.",
    **frameworks({"nist-800-53": "AC-3, AC-6, IA-2", "pci-dss": "7.2.1"}),
)

SECURITY = [iam_github_oidc_trust_scoped, iam_eks_oidc_trust_scoped]
PRIVACY: list = []
COMPLIANCE: list = []
