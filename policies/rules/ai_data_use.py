"""What AWS may do with the content AI services process: keep it to improve its own models. Customers opt in (or
out) per Rekognition stream processor, and per organization, OU or account with an AI services opt-out policy.

- ``aws.rekognition.StreamProcessor``'s ``dataSharingPreference.optIn``: "If this option is set to true, you choose to
  share data with Rekognition to improve model performance" (botocore rekognition
  ``StreamProcessorDataSharingPreference``; the processor's video frames, which show people). An absent block leaves
  the account's choice, which this rule does not see. pulumi-aws-native's AWS::Rekognition::StreamProcessor has the same
  ``dataSharingPreference.optIn`` (pulumi-aws-native 1.84 rekognition/stream_processor.py).
- ``aws.organizations.Policy`` of ``type`` ``AISERVICES_OPT_OUT_POLICY``: its ``content`` (JSON; an object in
  pulumi-aws-native) names services (``default`` for all) whose ``opt_out_policy`` ``@@assign`` is ``optOut`` or
  ``optIn``, case-sensitive ("The policies do not work if you use unexpected capitalization"; AWS Organizations User
  Guide, "AI services opt-out policy syntax and examples"). A service assigned ``optIn`` lets AWS store and use the
  content of every account the policy is attached to.
"""

from __future__ import annotations

import json
from typing import Any, Iterator

from pulumi_policy import ReportViolation, ResourceValidationArgs, ResourceValidationPolicy, Severity

from policies.rules._declare import applies_to, frameworks
from policies.rules._props import as_bool, describe, get, is_unknown, single

STREAM_PROCESSORS = ("aws:rekognition/streamProcessor:StreamProcessor", "aws-native:rekognition:StreamProcessor")
ORGANIZATION_POLICIES = ("aws:organizations/policy:Policy", "aws-native:organizations:Policy")
OPT_OUT_POLICY_TYPE = "AISERVICES_OPT_OUT_POLICY"


def _opted_in_services(content: Any) -> Iterator[str]:
    """The services an AI services opt-out policy's content assigns ``optIn`` (nothing for unknown or malformed)."""
    if isinstance(content, str) and not is_unknown(content):
        try:
            content = json.loads(content)
        except ValueError:
            return
    services = content.get("services") if isinstance(content, dict) else None
    for service, statement in services.items() if isinstance(services, dict) else ():
        policy = statement.get("opt_out_policy") if isinstance(statement, dict) else None
        if isinstance(policy, dict) and policy.get("@@assign") == "optIn":
            yield str(service)


def _data_sharing(args: ResourceValidationArgs, report: ReportViolation) -> None:
    if args.resource_type in STREAM_PROCESSORS:
        opt_in = as_bool(get(single(get(args.props, "dataSharingPreference")), "optIn"))
        if opt_in is True:
            report(f"{describe(args)} shares its video with Rekognition to improve AWS's models "
                   "(dataSharingPreference.optIn true): frames of the people it watches are kept by AWS for a purpose "
                   "they were not collected for")
        return
    kind = get(args.props, "type")
    if is_unknown(kind) or kind != OPT_OUT_POLICY_TYPE:
        return
    services = sorted(_opted_in_services(get(args.props, "content")))
    if services:
        report(f"{describe(args)} opts {', '.join(services)} in to AWS's use of customer content to improve its AI "
               "services (opt_out_policy @@assign optIn): every account it is attached to lets AWS keep and use the "
               "content those services process")


ai_service_no_data_sharing = ResourceValidationPolicy(
    name="ai-service-no-data-sharing",
    description="AI services do not share the content they process with AWS to improve its models: no Rekognition "
                "stream processor opts in (dataSharingPreference.optIn), and no AI services opt-out policy assigns "
                "optIn to a service.",
    validate=applies_to((*STREAM_PROCESSORS, *ORGANIZATION_POLICIES), _data_sharing),
    severity=Severity.MEDIUM,
    remediation_steps="Set data_sharing_preference={'opt_in': False} on the aws.rekognition.StreamProcessor (or leave it "
                      "out), and assign 'optOut' in the AI services opt-out policy (an aws.organizations.Policy of type "
                      "AISERVICES_OPT_OUT_POLICY, ideally {'services': {'default': {'opt_out_policy': "
                      "{'@@assign': 'optOut'}}}} at the organization's root).",
    **frameworks({"gdpr": "Art. 5(1)(b), Art. 28(3)(a)", "nist-800-53": "PT-2, SA-9"}),
)

SECURITY: list = []
PRIVACY = [ai_service_no_data_sharing]
COMPLIANCE: list = []
