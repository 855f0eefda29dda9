"""SNS topics and SQS queues carry events such as model approvals: their messages are encrypted with
a customer-managed key, and no topic or queue policy lets every AWS account in."""

from __future__ import annotations

from pulumi_policy import ReportViolation, ResourceValidationArgs, ResourceValidationPolicy, Severity

from policies.rules._declare import applies_to, config_schema, frameworks, policy_config
from policies.rules._principals import aws_managed_key_alias, no_wildcard_principal
from policies.rules._props import as_bool, describe, get, is_unknown

TOPIC = "aws:sns/topic:Topic"
TOPIC_POLICY = "aws:sns/topicPolicy:TopicPolicy"
QUEUE = "aws:sqs/queue:Queue"
QUEUE_POLICY = "aws:sqs/queuePolicy:QueuePolicy"

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
    sqs_managed = args.resource_type == QUEUE and as_bool(get(args.props, "sqsManagedSseEnabled")) is True
    if not require_cmk and (key or sqs_managed):
        return
    found = (f"uses the AWS-managed key {aws_managed}" if aws_managed else
             "uses SQS-managed encryption (SSE-SQS)" if sqs_managed else "is not encrypted with a KMS key")
    report(f"{describe(args)} {found}; set kmsMasterKeyId to a customer-managed key, whose policy must also let "
           "the publishing service (e.g. events.amazonaws.com) use it")


sns_sqs_kms_encryption = ResourceValidationPolicy(
    name="sns-sqs-kms-encryption",
    description="SNS topics and SQS queues encrypt their messages with a customer-managed KMS key.",
    validate=applies_to([TOPIC, QUEUE], _kms_encryption),
    config_schema=KMS_SCHEMA,
    severity=Severity.MEDIUM,
    remediation_steps="Set kms_master_key_id=key.arn on the aws.sns.Topic or aws.sqs.Queue, with a key policy "
                      "that lets the services publishing to it (e.g. events.amazonaws.com) call kms:GenerateDataKey "
                      "and kms:Decrypt.",
    **frameworks({"nist-800-53": "SC-28", "pci-dss": "3.5.1", "hipaa": "164.312(a)(2)(iv)", "gdpr": "Art. 32(1)(a)"}),
)


_no_public_principal = no_wildcard_principal(
    "policy",
    invalid="{resource} has a policy that is not valid JSON",
    allowed="{resource}: statement {label} allows any principal ('*') ({actions}) without a condition that "
            "restricts the caller (such as aws:SourceArn, aws:SourceAccount or aws:PrincipalOrgID)",
    unless_restricted=True,
)


sns_sqs_policy_no_public_principal = ResourceValidationPolicy(
    name="sns-sqs-policy-no-public-principal",
    description="No SNS topic or SQS queue policy lets any principal ('*') in unless a condition restricts the caller.",
    validate=applies_to([TOPIC, TOPIC_POLICY, QUEUE, QUEUE_POLICY], _no_public_principal),
    severity=Severity.HIGH,
    remediation_steps="Name the publishing service ({'Service': 'events.amazonaws.com'}) or accounts as the "
                      "principal, with an aws:SourceArn condition for a service; keep Principal '*' for Deny "
                      "statements only.",
    **frameworks({"nist-800-53": "AC-3", "pci-dss": "7.2.1", "hipaa": "164.312(a)(1)", "gdpr": "Art. 32(1)(b)"}),
)

SECURITY = [sns_sqs_kms_encryption, sns_sqs_policy_no_public_principal]
PRIVACY: list = []
COMPLIANCE: list = []
