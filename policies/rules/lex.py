"""Amazon Lex V2 bots: the audio they record of their users is encrypted with a customer-managed key (cdk-nag
AwsSolutions-LEX4).

A bot alias's ``conversationLogSettings.audioLogSettings`` (pulumi-aws-native ``lex.BotAlias``; a bot's test alias
under ``testBotAliasSettings.conversationLogSettings`` of ``lex.Bot``) lists where audio is logged: each item
``{enabled, destination: {s3Bucket: {s3BucketArn, logPrefix, kmsKeyArn}}}``, ``kmsKeyArn`` "The Amazon Resource Name
(ARN) of an AWS Key Management Service (KMS) key for encrypting audio log files stored in an S3 bucket"
(pulumi-aws-native 1.84 lex/_inputs.py; absent, the bucket's own encryption). The text logs go to a CloudWatch log
group, whose key ``log-group-kms-encryption`` judges. pulumi-aws 7 has no Lex V2 alias, and Lex V1 (``aws.lex``
``BotAlias``) is gone: "On September 15, 2025, AWS will discontinue support for Amazon Lex V1. After September 15,
2025, you will no longer be able to access ... Amazon Lex V1 resources" (Lex V1 developer guide), so neither is judged.
"""

from __future__ import annotations

from typing import Any

from pulumi_policy import ReportViolation, ResourceValidationArgs, ResourceValidationPolicy, Severity

from policies.rules._declare import applies_to, frameworks
from policies.rules._principals import aws_managed_key_alias
from policies.rules._props import as_bool, as_list, describe, get, is_unknown

BOT_ALIAS = "aws-native:lex:BotAlias"
BOT = "aws-native:lex:Bot"


def _audio_logs(args: ResourceValidationArgs) -> Any:
    settings = get(args.props, *(("testBotAliasSettings",) if args.resource_type == BOT else ()),
                   "conversationLogSettings", "audioLogSettings")
    return as_list(settings)


def _audio_logs_encrypted(args: ResourceValidationArgs, report: ReportViolation) -> None:
    logs = _audio_logs(args)
    if is_unknown(logs):
        return
    for index, log in enumerate(logs):
        if not isinstance(log, dict) or as_bool(log.get("enabled")) is not True:
            continue
        key = get(log, "destination", "s3Bucket", "kmsKeyArn")
        if key is None or key == "" or aws_managed_key_alias(key):
            report(f"{describe(args)} records its users' audio (audioLogSettings[{index}]) to S3 without a "
                   "customer-managed KMS key (destination.s3Bucket.kmsKeyArn)")


lex_audio_logs_cmk = ResourceValidationPolicy(
    name="lex-audio-logs-cmk",
    description="Lex V2 bot aliases (and a bot's test alias) that log conversation audio encrypt it with a "
                "customer-managed KMS key (destination.s3Bucket.kmsKeyArn).",
    validate=applies_to((BOT_ALIAS, BOT), _audio_logs_encrypted),
    severity=Severity.MEDIUM,
    remediation_steps="Set kms_key_arn on each enabled audio log setting's destination.s3_bucket (a key of the stack "
                      "whose policy lets lexv2.amazonaws.com use it), or stop logging audio.",
    **frameworks({"nist-800-53": "SC-28", "pci-dss": "3.5.1", "gdpr": "Art. 32(1)(a)"}),
)


SECURITY = [lex_audio_logs_cmk]
PRIVACY: list = []
COMPLIANCE: list = []
