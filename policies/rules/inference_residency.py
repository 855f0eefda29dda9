"""Where Bedrock processes prompts: a global cross-Region inference profile sends them to any commercial
AWS Region, outside the geography the stack's region and its data-residency commitments name.

Cross-Region (system-defined) inference profiles are named after their model and scope: ``us.``, ``eu.``,
``apac.``, ... keep requests in one geography; ``global.`` ones route anywhere ("The destination Regions for
Global cross-Region inference profiles include all commercial Regions", Amazon Bedrock User Guide, "Supported
Regions and models for inference profiles"). A program names a model by its id or ARN
(``arn:aws:bedrock:<region>:<account>:inference-profile/global.<model>``) in inputs pulumi-aws 7 calls
``foundationModel`` (agents), ``modelId`` (batch inference jobs, prompt variants, flow nodes, AgentCore
harnesses), ``modelArn`` and ``embeddingModelArn`` (knowledge bases, data-source parsing), ``modelIdentifier``
(evaluation jobs) and ``copyFrom`` (application inference profiles that copy a system-defined one). Every such
input of an ``aws:bedrock/*`` or ``aws:bedrockmodel/*`` resource is read, at any depth.
"""

from __future__ import annotations

import re
from typing import Any, Iterator

from pulumi_policy import ReportViolation, ResourceValidationArgs, ResourceValidationPolicy, Severity

from policies.rules._declare import applies_to, frameworks
from policies.rules._props import describe, get, is_unknown

MODEL_INPUTS = frozenset({"foundationModel", "modelId", "modelArn", "embeddingModelArn", "modelIdentifier",
                          "copyFrom"})
#: pulumi-aws-native's AWS::Bedrock::* (agents' foundationModel, knowledge bases' embeddingModelArn, prompts' and
#: flows' modelId) and AWS::BedrockAgentCore::* (harnesses' models) count too.
PREFIXES = ("aws:bedrock/", "aws:bedrockmodel/", "aws-native:bedrock:", "aws-native:bedrockagentcore:")
#: A global inference profile's id, alone or at the end of an inference-profile ARN.
GLOBAL_PROFILE = re.compile(r"^(?:arn:aws[a-z-]*:bedrock:[^:]*:[^:]*:inference-profile/)?global\.", re.IGNORECASE)
_DEPTH = 12


def _model_inputs(value: Any, where: str = "", depth: int = 0) -> Iterator[tuple[str, str]]:
    """``(path, value)`` of every string model input in plain data."""
    if depth > _DEPTH:
        return
    if isinstance(value, dict):
        for key, item in value.items():
            path = f"{where}.{key}" if where else str(key)
            if key in MODEL_INPUTS and isinstance(item, str) and not is_unknown(item):
                yield path, item
            elif isinstance(item, (dict, list)):
                yield from _model_inputs(item, path, depth + 1)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _model_inputs(item, f"{where}[{index}]", depth + 1)


def _in_geography(args: ResourceValidationArgs, report: ReportViolation) -> None:
    for where, model in _model_inputs(get(args.props)):
        if GLOBAL_PROFILE.match(model.strip()):
            report(f"{describe(args)}: {where} is the global cross-Region inference profile {model}: Bedrock may "
                   "process its prompts and answers in any commercial AWS Region, outside the stack's geography")


bedrock_inference_in_geography = ResourceValidationPolicy(
    name="bedrock-inference-in-geography",
    description="Bedrock agents, batch inference and evaluation jobs, knowledge bases, prompts, flows and application "
                "inference profiles use an in-Region model or a geographic cross-Region inference profile (us., eu., "
                "apac., ...), not a global one that may process data in any commercial Region.",
    validate=applies_to(lambda type_: type_.startswith(PREFIXES), _in_geography),
    severity=Severity.MEDIUM,
    remediation_steps="Name the model by its in-Region id or by the geographic inference profile of the stack's "
                      "geography (for example eu.anthropic.claude-... instead of global.anthropic.claude-...); where "
                      "processing in other geographies is agreed (a transfer impact assessment), waive this rule for "
                      "the resource.",
    **frameworks({"gdpr": "Art. 44, Art. 46", "nist-800-53": "SA-9(5)"}),
)

SECURITY: list = []
PRIVACY = [bedrock_inference_in_geography]
COMPLIANCE: list = []
