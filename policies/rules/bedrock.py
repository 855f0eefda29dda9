"""Bedrock agents answer with a guardrail in front of them (content filters, denied topics,
sensitive-information redaction), so a prompt injection or a model's answer cannot leak what the
agent's tools reach unfiltered; and a stack that uses Bedrock logs its model invocations.

``aws.bedrock.AgentAgent`` ``guardrailConfigurations`` (pulumi-aws 7: a list of
``{guardrailIdentifier, guardrailVersion}``, absent by default). Checkov CKV_AWS_383. The agent's
encryption key is the data-store table's (``data-store-customer-managed-key``).

Model invocation logging is off until an ``aws.bedrockmodel.InvocationLoggingConfiguration`` (the
API's ``PutModelInvocationLoggingConfiguration``, one per account and region) names an S3 bucket or
a CloudWatch log group in ``loggingConfig``; text, image, embedding and video data are delivered
unless their ``...DataDeliveryEnabled`` is false (pulumi-aws 7 ``bedrockmodel/_inputs.py``:
"Defaults to `true`").
"""

from __future__ import annotations

from typing import Any

from pulumi_policy import (
    ReportViolation,
    ResourceValidationArgs,
    ResourceValidationPolicy,
    Severity,
    StackValidationArgs,
    StackValidationPolicy,
)

from policies.rules._declare import applies_to, examines, frameworks
from policies.rules._index import stack_resources
from policies.rules._props import as_bool, as_list, describe, get, is_unknown

AGENT = "aws:bedrock/agentAgent:AgentAgent"
#: pulumi-aws-native's AWS::Bedrock::Agent names one guardrail: ``guardrailConfiguration`` (an object with
#: ``guardrailIdentifier``, ``guardrailVersion``; pulumi-aws-native 1.84 bedrock/agent.py).
NATIVE_AGENT = "aws-native:bedrock:Agent"


def _guardrail(args: ResourceValidationArgs, report: ReportViolation) -> None:
    configurations = as_list(get(args.props, "guardrailConfiguration" if args.resource_type == NATIVE_AGENT
                                 else "guardrailConfigurations"))
    if is_unknown(configurations):
        return
    for item in configurations if isinstance(configurations, list) else []:
        identifier = get(item, "guardrailIdentifier") if isinstance(item, dict) else None
        if is_unknown(identifier) or (isinstance(identifier, str) and identifier):
            return
    name = "guardrailConfiguration" if args.resource_type == NATIVE_AGENT else "guardrailConfigurations"
    report(f"{describe(args)} has no guardrail ({name} is not set): its prompts and answers are not "
           "filtered for harmful content, denied topics or sensitive information")


bedrock_agent_guardrail = ResourceValidationPolicy(
    name="bedrock-agent-guardrail",
    description="Bedrock agents are associated with a Bedrock guardrail.",
    validate=applies_to((AGENT, NATIVE_AGENT), _guardrail),
    severity=Severity.MEDIUM,
    remediation_steps="Create an aws.bedrock.Guardrail (content, topic and sensitive-information policies) and an "
                      "aws.bedrock.GuardrailVersion, and set guardrail_configurations=[{'guardrail_identifier': "
                      "guardrail.guardrail_id, 'guardrail_version': version.version}] on the aws.bedrock.AgentAgent.",
    **frameworks({"nist-800-53": "SI-10, SI-15", "gdpr": "Art. 32(1)(b)"}),
)

INVOCATION_LOGGING = "aws:bedrockmodel/invocationLoggingConfiguration:InvocationLoggingConfiguration"
#: Type-token prefixes of the resources that put Bedrock models to work (agents, knowledge bases,
#: flows, guardrails, custom and provisioned models, batch inference jobs, AgentCore runtimes).
#: pulumi-aws-native's AWS::Bedrock::* count too (CloudFormation has no invocation-logging resource: the
#: account's pulumi-aws configuration, or another stack's, logs them).
BEDROCK_PREFIXES = ("aws:bedrock/", "aws:bedrockmodel/", "aws-native:bedrock:")


def _logs_somewhere(config: Any) -> bool:
    """Whether a logging configuration's ``loggingConfig`` names a destination and delivers text."""
    logging = get(config.props, "loggingConfig")
    if is_unknown(logging):
        return True
    if not isinstance(logging, dict) or as_bool(logging.get("textDataDeliveryEnabled")) is False:
        return False
    bucket = get(logging, "s3Config", "bucketName")
    group = get(logging, "cloudwatchConfig", "logGroupName")
    return any(is_unknown(v) or (isinstance(v, str) and v) for v in (bucket, group))


def _invocation_logging(args: StackValidationArgs, report: ReportViolation) -> None:
    resources = stack_resources(args)
    users = [r for r in resources if r.resource_type.startswith(BEDROCK_PREFIXES)
             and r.resource_type != INVOCATION_LOGGING]
    if not users:
        return
    configs = [r for r in resources if r.resource_type == INVOCATION_LOGGING]
    if any(_logs_somewhere(config) for config in configs):
        return
    why = ("its invocation logging configuration names no S3 bucket or log group, or leaves text data out"
           if configs else "the stack has no aws.bedrockmodel.InvocationLoggingConfiguration")
    # On the configuration that falls short, else on the first resource that uses Bedrock.
    report(f"The stack uses Bedrock ({users[0].resource_type} {users[0].name!r} and {len(users) - 1} more) but does "
           f"not log model invocations: {why}; prompts and answers leave no audit trail",
           configs[0].urn if configs else users[0].urn)


bedrock_invocation_logging = StackValidationPolicy(
    name="bedrock-invocation-logging",
    description="A stack that uses Bedrock (agents, knowledge bases, guardrails, custom or provisioned models) logs "
                "model invocations, text included, to S3 or CloudWatch Logs.",
    validate=examines(lambda type_: type_.startswith(BEDROCK_PREFIXES), _invocation_logging),
    severity=Severity.MEDIUM,
    remediation_steps="Add an aws.bedrockmodel.InvocationLoggingConfiguration whose logging_config has an s3_config "
                      "(a bucket with a customer-managed key) or a cloudwatch_config (a log group and a role "
                      "Bedrock assumes), with text_data_delivery_enabled left true. It is one per account and "
                      "region: if another stack owns it, waive this rule here.",
    **frameworks({"nist-800-53": "AU-2, AU-12", "pci-dss": "10.2.1", "hipaa": "164.312(b)",
                  "gdpr": "Art. 30, Art. 32(1)(d)"}),
)

SECURITY = [bedrock_agent_guardrail]
PRIVACY: list = []
COMPLIANCE = [bedrock_invocation_logging]
