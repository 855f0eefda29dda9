"""Bedrock agents answer with a guardrail in front of them (content filters, denied topics,
sensitive-information redaction), so a prompt injection or a model's answer cannot leak what the
agent's tools reach unfiltered.

``aws.bedrock.AgentAgent`` ``guardrailConfigurations`` (pulumi-aws 7: a list of
``{guardrailIdentifier, guardrailVersion}``, absent by default). Checkov CKV_AWS_383. The agent's
encryption key is the data-store table's (``data-store-customer-managed-key``).
"""

from __future__ import annotations

from pulumi_policy import ReportViolation, ResourceValidationArgs, ResourceValidationPolicy, Severity

from policies.rules._declare import applies_to, frameworks
from policies.rules._props import as_list, describe, get, is_unknown

AGENT = "aws:bedrock/agentAgent:AgentAgent"


def _guardrail(args: ResourceValidationArgs, report: ReportViolation) -> None:
    configurations = as_list(get(args.props, "guardrailConfigurations"))
    if is_unknown(configurations):
        return
    for item in configurations if isinstance(configurations, list) else []:
        identifier = get(item, "guardrailIdentifier") if isinstance(item, dict) else None
        if is_unknown(identifier) or (isinstance(identifier, str) and identifier):
            return
    report(f"{describe(args)} has no guardrail (guardrailConfigurations is not set): its prompts and answers are not "
           "filtered for harmful content, denied topics or sensitive information")


bedrock_agent_guardrail = ResourceValidationPolicy(
    name="bedrock-agent-guardrail",
    description="Bedrock agents are associated with a Bedrock guardrail.",
    validate=applies_to((AGENT,), _guardrail),
    severity=Severity.MEDIUM,
    remediation_steps="Create an aws.bedrock.Guardrail (content, topic and sensitive-information policies) and an "
                      "aws.bedrock.GuardrailVersion, and set guardrail_configurations=[{'guardrail_identifier': "
                      "guardrail.guardrail_id, 'guardrail_version': version.version}] on the aws.bedrock.AgentAgent.",
    **frameworks({"nist-800-53": "SI-10, SI-15", "gdpr": "Art. 32(1)(b)"}),
)

SECURITY = [bedrock_agent_guardrail]
PRIVACY: list = []
COMPLIANCE: list = []
