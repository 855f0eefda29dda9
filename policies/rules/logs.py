"""CloudWatch log groups: encrypted with a KMS key, and kept for a minimum retention period."""

from __future__ import annotations

from pulumi_policy import ReportViolation, ResourceValidationArgs, ResourceValidationPolicy, Severity

from policies.rules._components import as_built
from policies.rules._declare import config_schema, frameworks, policy_config
from policies.rules._props import as_int, get, is_unknown

LOG_GROUP = "aws:cloudwatch/logGroup:LogGroup"
#: AWS::Logs::LogGroup (pulumi-aws-native): the same KmsKeyId and RetentionInDays ("If you omit
#: RetentionInDays ... the events never expire").
NATIVE_LOG_GROUP = "aws-native:logs:LogGroup"
LOG_GROUPS = (LOG_GROUP, NATIVE_LOG_GROUP)


def _validate_kms(args: ResourceValidationArgs, report_violation: ReportViolation) -> None:
    key = get(args.props, "kmsKeyId")
    if not is_unknown(key) and not key:
        report_violation("The log group is not encrypted with a KMS key (kmsKeyId is not set).")


log_group_kms_encryption = ResourceValidationPolicy(
    name="log-group-kms-encryption",
    description="CloudWatch log groups are encrypted with a customer-managed KMS key.",
    validate=as_built(LOG_GROUPS, _validate_kms),
    severity=Severity.MEDIUM,
    remediation_steps="Set kms_key_id on the aws.cloudwatch.LogGroup to a KMS key whose policy lets "
                      "logs.<region>.amazonaws.com use it (with a kms:EncryptionContext:aws:logs:arn condition).",
    **frameworks({"nist-800-53": "SC-28, AU-9", "pci-dss": "3.5.1, 10.3.2", "hipaa": "164.312(a)(2)(iv)",
                  "gdpr": "Art. 32(1)(a)"}),
)


RETENTION_SCHEMA = config_schema(
    minRetentionDays={
        "type": "integer", "minimum": 1, "default": 365,
        "description": "Shortest allowed retentionInDays. Prod keeps a year (PCI DSS 10.5.1); dev may keep less.",
    },
)


def _validate_retention(args: ResourceValidationArgs, report_violation: ReportViolation) -> None:
    minimum = policy_config(args, RETENTION_SCHEMA)["minRetentionDays"]
    days = as_int(get(args.props, "retentionInDays"))
    if is_unknown(days):
        return
    if not days:
        report_violation(f"retentionInDays is not set: logs would be kept forever. Set at least {minimum} days.")
    elif days < minimum:
        report_violation(f"retentionInDays is {days}; at least {minimum} days are required.")


log_group_retention = ResourceValidationPolicy(
    name="log-group-retention",
    description="CloudWatch log groups set an explicit retention of at least minRetentionDays.",
    validate=as_built(LOG_GROUPS, _validate_retention),
    config_schema=RETENTION_SCHEMA,
    severity=Severity.MEDIUM,
    remediation_steps="Set retention_in_days on the aws.cloudwatch.LogGroup to one of CloudWatch's allowed values "
                      "at or above the environment's minimum (e.g. 365 in prod).",
    **frameworks({"nist-800-53": "AU-11", "pci-dss": "10.5.1", "hipaa": "164.316(b)(2)(i)", "gdpr": "Art. 5(1)(e)"}),
)


SECURITY = [log_group_kms_encryption]
PRIVACY: list = []
COMPLIANCE = [log_group_retention]
