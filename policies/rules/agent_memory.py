"""How long an agent remembers: Bedrock AgentCore memories keep conversation events (what users said, what the
agent answered) for ``eventExpiryDuration`` days, "The number of days after which memory events expire, between 7 and
3650 days" (botocore bedrock-agentcore-control ``CreateMemoryInput``; required; pulumi-aws 7
``aws.bedrock.AgentcoreMemory.event_expiry_duration``). Conversations are personal data; storage limitation asks
that they be kept no longer than needed. The memory's key is the data-store table's.
"""

from __future__ import annotations

from pulumi_policy import ReportViolation, ResourceValidationArgs, ResourceValidationPolicy, Severity

from policies.rules._declare import applies_to, config_schema, frameworks, policy_config
from policies.rules._props import as_int, describe, get, is_unknown

MEMORY = "aws:bedrock/agentcoreMemory:AgentcoreMemory"
#: pulumi-aws-native's AWS::BedrockAgentCore::Memory: the same eventExpiryDuration (pulumi-aws-native 1.84).
MEMORIES = (MEMORY, "aws-native:bedrockagentcore:Memory")

RETENTION_SCHEMA = config_schema(
    maxEventExpiryDays={
        "type": "integer", "minimum": 3, "maximum": 3650, "default": 365,
        "description": "Longest eventExpiryDuration, in days, an AgentCore memory may keep conversation events.",
    },
)


def _retention(args: ResourceValidationArgs, report: ReportViolation) -> None:
    value = get(args.props, "eventExpiryDuration")
    days, limit = as_int(value), policy_config(args, RETENTION_SCHEMA)["maxEventExpiryDays"]
    if is_unknown(value) or is_unknown(days) or not isinstance(limit, int):
        return
    if not isinstance(days, int):
        return  # required by the API: a program without it does not deploy
    if days > limit:
        report(f"{describe(args)} keeps conversation events for {days} days (eventExpiryDuration); the limit is "
               f"{limit} days")


bedrock_agentcore_memory_retention = ResourceValidationPolicy(
    name="bedrock-agentcore-memory-retention",
    description="Bedrock AgentCore memories expire conversation events within maxEventExpiryDays "
                "(eventExpiryDuration).",
    validate=applies_to(MEMORIES, _retention),
    config_schema=RETENTION_SCHEMA,
    severity=Severity.MEDIUM,
    remediation_steps="Set event_expiry_duration on the aws.bedrock.AgentcoreMemory to the days the agent needs the "
                      "conversation (long-term strategies keep what they extract); it can be lowered in place.",
    **frameworks({"gdpr": "Art. 5(1)(e)", "nist-800-53": "SI-12"}),
)

SECURITY: list = []
PRIVACY = [bedrock_agentcore_memory_retention]
COMPLIANCE: list = []
