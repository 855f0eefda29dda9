"""OpenSearch Serverless collections, the vector stores of Bedrock knowledge bases and RAG
applications: not reachable from the internet, encrypted with a customer-managed key, and no data
access policy granting every principal, or every permission on every collection.

A collection has no network or key settings of its own: security policies
(``aws.opensearch.ServerlessSecurityPolicy``) and data access policies
(``aws.opensearch.ServerlessAccessPolicy``) match collections by name pattern. Their ``policy`` is a
JSON document (AWS's "Network access for Amazon OpenSearch Serverless", "Encryption at rest for
Amazon OpenSearch Serverless" and "Data access control"; the pulumi-aws 7 docstrings'
examples):

- network (``type: network``): a list of rule sets, each ``{"Rules": [{"ResourceType":
  "collection" | "dashboard", "Resource": ["collection/<pattern>"]}], "AllowFromPublic": bool,
  "SourceVPCEs": [...], "SourceServices": ["bedrock.amazonaws.com"]}``;
- encryption (``type: encryption``): ``{"Rules": [...], "AWSOwnedKey": bool, "KmsARN": "arn:..."}``;
- data access (``type: data``): a list of ``{"Rules": [{"ResourceType", "Resource", "Permission"}],
  "Principal": ["arn:aws:iam::...", ...]}``.
"""

from __future__ import annotations

import json
from typing import Any, Iterator

from pulumi_policy import ReportViolation, ResourceValidationArgs, ResourceValidationPolicy, Severity

from policies.rules._declare import applies_to, frameworks
from policies.rules._props import as_bool, describe, get, is_unknown

SECURITY_POLICY = "aws:opensearch/serverlessSecurityPolicy:ServerlessSecurityPolicy"
ACCESS_POLICY = "aws:opensearch/serverlessAccessPolicy:ServerlessAccessPolicy"
#: pulumi-aws-native's AWS::OpenSearchServerless::SecurityPolicy and AccessPolicy: the same ``type`` and ``policy``
#: (a JSON string; pulumi-aws-native 1.84 opensearchserverless/security_policy.py, access_policy.py).
SECURITY_POLICIES = (SECURITY_POLICY, "aws-native:opensearchserverless:SecurityPolicy")
ACCESS_POLICIES = (ACCESS_POLICY, "aws-native:opensearchserverless:AccessPolicy")


def _document(value: Any) -> Any:
    """The policy document as data; ``None`` when it is unknown or not JSON (nothing to judge)."""
    if is_unknown(value):
        return None
    if isinstance(value, str):
        try:
            return json.loads(value)
        except ValueError:
            return None
    return value if isinstance(value, (dict, list)) else None


def _rule_sets(args: ResourceValidationArgs, kind: str) -> Iterator[dict]:
    """The rule sets of a policy of type ``kind`` (a network or data policy is a list of them)."""
    kind_of = get(args.props, "type")
    if not isinstance(kind_of, str) or kind_of.lower() != kind:
        return
    document = _document(get(args.props, "policy"))
    for item in document if isinstance(document, list) else [document]:
        if isinstance(item, dict):
            yield item


def _resources(rule_set: dict) -> str:
    names = []
    for rule in rule_set.get("Rules") or []:
        if isinstance(rule, dict):
            resource = rule.get("Resource")
            names += [str(r) for r in (resource if isinstance(resource, list) else [resource]) if r]
    return ", ".join(sorted(set(names))) or "(no resources)"


def _not_public(args: ResourceValidationArgs, report: ReportViolation) -> None:
    for rule_set in _rule_sets(args, "network"):
        if as_bool(rule_set.get("AllowFromPublic")) is True:
            types = sorted({str(r.get("ResourceType")) for r in rule_set.get("Rules") or [] if isinstance(r, dict)})
            report(f"{describe(args)} lets the internet reach {' and '.join(types) or 'the'} endpoints of "
                   f"{_resources(rule_set)} (AllowFromPublic true): a vector store's embeddings and documents are "
                   "readable by whoever holds credentials, from anywhere")


opensearch_serverless_not_public = ResourceValidationPolicy(
    name="opensearch-serverless-not-public",
    description="OpenSearch Serverless network policies give no collection or dashboard a public endpoint "
                "(AllowFromPublic); access comes through VPC endpoints or named AWS services (Bedrock).",
    validate=applies_to(SECURITY_POLICIES, _not_public),
    severity=Severity.HIGH,
    remediation_steps="Set \"AllowFromPublic\": false with \"SourceVPCEs\" (an aws.opensearch.ServerlessVpcEndpoint) "
                      "and, for a Bedrock knowledge base, \"SourceServices\": [\"bedrock.amazonaws.com\"].",
    **frameworks({"nist-800-53": "SC-7, AC-3", "pci-dss": "1.3.1", "hipaa": "164.312(e)(1)",
                  "gdpr": "Art. 32(1)(b)"}),
)


def _customer_key(args: ResourceValidationArgs, report: ReportViolation) -> None:
    for rule_set in _rule_sets(args, "encryption"):
        key = rule_set.get("KmsARN")
        if as_bool(rule_set.get("AWSOwnedKey")) is True or not (isinstance(key, str) and key):
            report(f"{describe(args)} encrypts {_resources(rule_set)} with an AWS-owned key (AWSOwnedKey true or no "
                   "KmsARN): the key's use cannot be restricted, audited or revoked by the account")


opensearch_serverless_cmk = ResourceValidationPolicy(
    name="opensearch-serverless-cmk",
    description="OpenSearch Serverless encryption policies encrypt collections with a customer-managed KMS key "
                "(KmsARN), not the AWS-owned key.",
    validate=applies_to(SECURITY_POLICIES, _customer_key),
    severity=Severity.MEDIUM,
    remediation_steps="Set \"AWSOwnedKey\": false and \"KmsARN\" to a customer-managed aws.kms.Key whose policy lets "
                      "aoss.amazonaws.com use it; the key is fixed when the collection is created.",
    **frameworks({"nist-800-53": "SC-28, SC-12", "pci-dss": "3.5.1", "hipaa": "164.312(a)(2)(iv)",
                  "gdpr": "Art. 32(1)(a)"}),
)


def _named_principals(args: ResourceValidationArgs, report: ReportViolation) -> None:
    for rule_set in _rule_sets(args, "data"):
        principals = rule_set.get("Principal")
        principals = principals if isinstance(principals, list) else [principals]
        if any(isinstance(p, str) and p.strip() == "*" for p in principals):
            report(f"{describe(args)} grants {_resources(rule_set)} to every principal ('*'): any identity of any "
                   "account the network policy lets in may read or write the collection")


opensearch_serverless_access_named_principals = ResourceValidationPolicy(
    name="opensearch-serverless-access-named-principals",
    description="OpenSearch Serverless data access policies name the roles and users they grant, never '*'.",
    validate=applies_to(ACCESS_POLICIES, _named_principals),
    severity=Severity.HIGH,
    remediation_steps="List the ARNs of the roles that query or index the collection (the knowledge base's service "
                      "role, the application's role) in \"Principal\".",
    **frameworks({"nist-800-53": "AC-3, AC-6", "pci-dss": "7.2.1", "hipaa": "164.312(a)(1)",
                  "gdpr": "Art. 32(1)(b)"}),
)


def _wildcard_pattern(resource: Any) -> bool:
    """True for a pattern that names every collection: ``collection/*``, ``index/*/...``, ``*``."""
    if not isinstance(resource, str):
        return False
    parts = resource.strip().split("/")
    return parts[0] == "*" or (len(parts) > 1 and parts[1] == "*")


def _least_privilege(args: ResourceValidationArgs, report: ReportViolation) -> None:
    for rule_set in _rule_sets(args, "data"):
        for rule in rule_set.get("Rules") or []:
            if not isinstance(rule, dict):
                continue
            permissions = rule.get("Permission")
            permissions = permissions if isinstance(permissions, list) else [permissions]
            resources = rule.get("Resource")
            resources = resources if isinstance(resources, list) else [resources]
            if (any(isinstance(p, str) and p.strip() in ("aoss:*", "*") for p in permissions)
                    and any(_wildcard_pattern(r) for r in resources)):
                report(f"{describe(args)} grants every permission (aoss:*) on "
                       f"{', '.join(sorted(str(r) for r in resources if _wildcard_pattern(r)))}: every collection and "
                       "index of the account, present and future, may be read, overwritten or deleted")


opensearch_serverless_access_least_privilege = ResourceValidationPolicy(
    name="opensearch-serverless-access-least-privilege",
    description="OpenSearch Serverless data access policies do not grant every permission (aoss:*) on every "
                "collection or index (a '*' collection name such as collection/* or index/*/*).",
    validate=applies_to(ACCESS_POLICIES, _least_privilege),
    severity=Severity.MEDIUM,
    remediation_steps="Name the collection in each Resource (\"collection/<name>\", \"index/<name>/*\") and list "
                      "the permissions the principal needs (aoss:ReadDocument, aoss:WriteDocument, aoss:DescribeIndex, "
                      "aoss:CreateIndex, ...).",
    **frameworks({"nist-800-53": "AC-6", "pci-dss": "7.2.2", "hipaa": "164.312(a)(1)", "gdpr": "Art. 25(2)"}),
)

SECURITY = [opensearch_serverless_not_public, opensearch_serverless_cmk, opensearch_serverless_access_named_principals,
            opensearch_serverless_access_least_privilege]
PRIVACY: list = []
COMPLIANCE: list = []
