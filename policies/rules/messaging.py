"""SNS topics and SQS queues carry events such as model approvals: their messages are encrypted with
a customer-managed key, no topic or queue policy lets every AWS account in, no queue policy grants
every queue action, and no topic policy lets another account in without a condition."""

from __future__ import annotations

import re
from typing import Any, Optional

from pulumi_policy import ReportViolation, ResourceValidationArgs, ResourceValidationPolicy, Severity

from policies.rules._declare import applies_to, config_schema, frameworks, policy_config
from policies.rules._principals import (
    aws_managed_key_alias,
    first_set,
    is_full_wildcard_action,
    no_wildcard_principal,
    parse_policy,
)
from policies.rules._props import as_bool, as_list, describe, get, is_unknown

TOPIC = "aws:sns/topic:Topic"
TOPIC_POLICY = "aws:sns/topicPolicy:TopicPolicy"
QUEUE = "aws:sqs/queue:Queue"
QUEUE_POLICY = "aws:sqs/queuePolicy:QueuePolicy"
#: pulumi-aws-native (AWS::SNS::Topic, AWS::SQS::Queue: the same KmsMasterKeyId and SqsManagedSseEnabled; the
#: policies' PolicyDocument is an object, in ``policyDocument``).
NATIVE_TOPIC = "aws-native:sns:Topic"
NATIVE_QUEUE = "aws-native:sqs:Queue"
NATIVE_TOPIC_POLICIES = ("aws-native:sns:TopicPolicy", "aws-native:sns:TopicInlinePolicy")
NATIVE_QUEUE_POLICY = "aws-native:sqs:QueueInlinePolicy"
TOPICS = (TOPIC, NATIVE_TOPIC)
QUEUES = (QUEUE, NATIVE_QUEUE)
TOPIC_POLICIES = (TOPIC_POLICY, *NATIVE_TOPIC_POLICIES)
QUEUE_POLICIES = (QUEUE_POLICY, NATIVE_QUEUE_POLICY)
#: Where each type keeps its policy document (pulumi-aws: ``policy``; pulumi-aws-native: ``policyDocument``).
POLICY_PROPS = ("policy", "policyDocument")

KMS_SCHEMA = config_schema(
    requireCustomerManagedKey={
        "type": "boolean", "default": True,
        "description": "Require a customer-managed key in kmsMasterKeyId; false also accepts the AWS-managed "
                       "alias/aws/sns or alias/aws/sqs key (and, for queues, SQS-managed SSE).",
    },
)


def _kms_encryption(args: ResourceValidationArgs, report: ReportViolation) -> None:
    require_cmk = policy_config(args, KMS_SCHEMA)["requireCustomerManagedKey"]
    key = get(args.props, "kmsMasterKeyId")
    if is_unknown(key):
        return
    aws_managed = aws_managed_key_alias(key)
    if isinstance(key, str) and key and aws_managed is None:
        return
    sqs_managed = args.resource_type in QUEUES and as_bool(get(args.props, "sqsManagedSseEnabled")) is True
    if not require_cmk and (key or sqs_managed):
        return
    found = (f"uses the AWS-managed key {aws_managed}" if aws_managed else
             "uses SQS-managed encryption (SSE-SQS)" if sqs_managed else "is not encrypted with a KMS key")
    report(f"{describe(args)} {found}; set kmsMasterKeyId to a customer-managed key, whose policy must also let "
           "the publishing service (e.g. events.amazonaws.com) use it")


sns_sqs_kms_encryption = ResourceValidationPolicy(
    name="sns-sqs-kms-encryption",
    description="SNS topics and SQS queues encrypt their messages with a customer-managed KMS key.",
    validate=applies_to([*TOPICS, *QUEUES], _kms_encryption),
    config_schema=KMS_SCHEMA,
    severity=Severity.MEDIUM,
    remediation_steps="Set kms_master_key_id=key.arn on the aws.sns.Topic or aws.sqs.Queue, with a key policy "
                      "that lets the services publishing to it (e.g. events.amazonaws.com) call kms:GenerateDataKey "
                      "and kms:Decrypt.",
    **frameworks({"nist-800-53": "SC-28", "pci-dss": "3.5.1", "hipaa": "164.312(a)(2)(iv)", "gdpr": "Art. 32(1)(a)"}),
)


_no_public_principal = no_wildcard_principal(
    POLICY_PROPS,
    invalid="{resource} has a policy that is not valid JSON",
    allowed="{resource}: statement {label} allows any principal ('*') ({actions}) without a condition that "
            "restricts the caller (such as aws:SourceArn, aws:SourceAccount or aws:PrincipalOrgID)",
    unless_restricted=True,
)


sns_sqs_policy_no_public_principal = ResourceValidationPolicy(
    name="sns-sqs-policy-no-public-principal",
    description="No SNS topic or SQS queue policy lets any principal ('*') in unless a condition restricts the caller.",
    validate=applies_to([TOPIC, *TOPIC_POLICIES, QUEUE, *QUEUE_POLICIES], _no_public_principal),
    severity=Severity.HIGH,
    remediation_steps="Name the publishing service ({'Service': 'events.amazonaws.com'}) or accounts as the "
                      "principal, with an aws:SourceArn condition for a service; keep Principal '*' for Deny "
                      "statements only.",
    **frameworks({"nist-800-53": "AC-3", "pci-dss": "7.2.1", "hipaa": "164.312(a)(1)", "gdpr": "Art. 32(1)(b)"}),
)



def _label(statement: Any, index: int) -> str:
    return statement.sid or f"#{index}"


def _queue_wildcard_action(args: ResourceValidationArgs, report: ReportViolation) -> None:
    statements = parse_policy(first_set(args.props, POLICY_PROPS))
    for index, statement in enumerate(statements if isinstance(statements, list) else []):
        if not statement.allows:
            continue
        wild = [a for a in statement.actions if is_full_wildcard_action(a) or a.strip().lower() == "sqs:*"]
        if wild:
            who = ", ".join(value for _, value in statement.principals) or "its principals"
            report(f"{describe(args)}: statement {_label(statement, index)} allows every queue action "
                   f"({', '.join(wild)}) to {who}: that includes sqs:DeleteQueue, sqs:PurgeQueue and "
                   "sqs:SetQueueAttributes, which rewrites the queue's policy")


sqs_policy_no_wildcard_action = ResourceValidationPolicy(
    name="sqs-policy-no-wildcard-action",
    description="No SQS queue policy allows every action ('*' or 'sqs:*').",
    validate=applies_to([QUEUE, *QUEUE_POLICIES], _queue_wildcard_action),
    severity=Severity.HIGH,
    remediation_steps="Name the actions the principal needs: sqs:SendMessage for a publisher (an SNS topic, "
                      "EventBridge), sqs:ReceiveMessage, sqs:DeleteMessage and sqs:GetQueueAttributes for a consumer.",
    **frameworks({"nist-800-53": "AC-6, AC-3", "pci-dss": "7.2.1", "hipaa": "164.312(a)(1)", "gdpr": "Art. 32(1)(b)"}),
)

CROSS_ACCOUNT_SCHEMA = config_schema(
    trustedAccounts={
        "type": "array", "items": {"type": "string"}, "default": [],
        "description": "Account ids (12 digits) a topic policy may let in without a condition, besides the topic's own.",
    },
)
_ACCOUNT = re.compile(r"^\d{12}$")


def _account(value: Any) -> Optional[str]:
    """The account of an AWS principal or ARN: ``123456789012``, ``arn:aws:iam::123456789012:root``, ``...:role/x``."""
    if not isinstance(value, str) or is_unknown(value):
        return None
    if _ACCOUNT.match(value):
        return value
    parts = value.split(":", 5)
    return parts[4] if len(parts) == 6 and parts[0] == "arn" and _ACCOUNT.match(parts[4]) else None


def _topic_account(args: ResourceValidationArgs, statements: list) -> Optional[str]:
    """The topic's own account: from TopicPolicy ``arn``, else from the statements' SNS resource ARNs."""
    own = _account(get(args.props, "arn")) or _account(get(args.props, "topicArn"))  # topicArn: TopicInlinePolicy
    if own:
        return own
    for statement in statements:
        for resource in statement.resources:
            if resource.startswith("arn:") and resource.split(":", 5)[2:3] == ["sns"] and _account(resource):
                return _account(resource)
    return None


def _topic_cross_account(args: ResourceValidationArgs, report: ReportViolation) -> None:
    statements = parse_policy(first_set(args.props, POLICY_PROPS))
    if not isinstance(statements, list):
        return
    owner = _topic_account(args, statements)
    if owner is None:
        return  # whose account the topic is in is not known: not judged
    trusted = {owner, *(a for a in as_list(policy_config(args, CROSS_ACCOUNT_SCHEMA)["trustedAccounts"]) or []
                        if isinstance(a, str))}
    for index, statement in enumerate(statements):
        if not statement.allows or statement.condition or statement.unknown:
            continue
        others = sorted({value for kind, value in statement.principals if kind == "AWS"
                         and (account := _account(value)) and account not in trusted})
        if others:
            report(f"{describe(args)}: statement {_label(statement, index)} lets account(s) other than the topic's "
                   f"({owner}) in without a condition: {', '.join(others)} ({', '.join(statement.actions) or 'NotAction'})")


sns_topic_policy_no_cross_account = ResourceValidationPolicy(
    name="sns-topic-policy-no-cross-account",
    description="No SNS topic policy lets another AWS account's principals in without a condition.",
    validate=applies_to([TOPIC, *TOPIC_POLICIES], _topic_cross_account),
    config_schema=CROSS_ACCOUNT_SCHEMA,
    severity=Severity.MEDIUM,
    remediation_steps="Let in only the accounts that must publish or subscribe (trustedAccounts), with a condition "
                      "(aws:PrincipalOrgID, aws:SourceArn or sns:Protocol/sns:Endpoint for subscriptions); for a "
                      "service, use its service principal with aws:SourceAccount.",
    **frameworks({"nist-800-53": "AC-3, AC-21", "pci-dss": "7.2.1", "hipaa": "164.312(a)(1)", "gdpr": "Art. 32(1)(b)"}),
)

SECURITY = [sns_sqs_kms_encryption, sns_sqs_policy_no_public_principal, sqs_policy_no_wildcard_action,
            sns_topic_policy_no_cross_account]
PRIVACY: list = []
COMPLIANCE: list = []
