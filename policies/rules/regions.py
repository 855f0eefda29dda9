"""Regions: resources are created only in the regions the organization allows (data residency)."""

from __future__ import annotations

from pulumi_policy import ReportViolation, ResourceValidationArgs, ResourceValidationPolicy, Severity

from policies.rules._declare import ANY_TYPE, applies_to, config_schema, frameworks, policy_config
from policies.rules._props import get, is_aws, is_unknown, resource_region

AWS_PROVIDER = "pulumi:providers:aws"
#: Providers whose ``region`` input is where their resources are created.
AWS_PROVIDERS = (AWS_PROVIDER, "pulumi:providers:aws-native")

REGIONS_SCHEMA = config_schema(
    allowedRegions={
        "type": "array", "items": {"type": "string"},
        "default": ["us-east-1", "us-east-2", "us-west-2", "eu-west-1", "eu-central-1"],
        "description": "AWS regions resources may be created in.",
    },
)


def _validate_region(args: ResourceValidationArgs, report_violation: ReportViolation) -> None:
    if args.resource_type in AWS_PROVIDERS:
        region = get(args.props, "region")
    elif is_aws(args.resource_type):
        region = resource_region(args)
    else:
        return
    if region is None or is_unknown(region):
        return
    allowed = policy_config(args, REGIONS_SCHEMA)["allowedRegions"]
    if region not in allowed:
        report_violation(f"Region {region!r} is not allowed; use one of {', '.join(allowed)}.")


allowed_regions = ResourceValidationPolicy(
    name="allowed-regions",
    description="AWS resources and providers use only the allowed regions.",
    validate=applies_to(ANY_TYPE, _validate_region),
    config_schema=REGIONS_SCHEMA,
    severity=Severity.HIGH,
    remediation_steps="Set aws:region in the stack config (or the provider's / resource's region) to an allowed "
                      "region, or add the region to allowedRegions in the compliance pack config after review.",
    **frameworks({"gdpr": "Art. 44", "nist-800-53": "SA-9(5)"}),
)


SECURITY: list = []
PRIVACY: list = []
COMPLIANCE = [allowed_regions]
