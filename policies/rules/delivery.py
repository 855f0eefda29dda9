"""Traffic AWS delivers on a program's behalf: Global Accelerator accelerators write flow logs, and SES
configuration sets deliver mail only over TLS.

- ``aws.globalaccelerator.Accelerator`` ``attributes.flowLogsEnabled`` (default false; with
  ``flowLogsS3Bucket``). Checkov CKV_AWS_75.
- ``aws.ses.ConfigurationSet`` ``deliveryOptions.tlsPolicy`` ``Require`` and ``aws.sesv2.ConfigurationSet``
  ``deliveryOptions.tlsPolicy`` ``REQUIRE`` (the default ``Optional`` delivers in plain text when the
  receiving server offers no TLS; botocore ``sesv2`` ``DeliveryOptions.TlsPolicy``). Checkov CKV_AWS_365.
"""

from __future__ import annotations

from pulumi_policy import ReportViolation, ResourceValidationArgs, ResourceValidationPolicy, Severity

from policies.rules._declare import applies_to, frameworks
from policies.rules._props import as_bool, describe, get, is_unknown, single

ACCELERATOR = "aws:globalaccelerator/accelerator:Accelerator"
CONFIGURATION_SETS = ("aws:ses/configurationSet:ConfigurationSet", "aws:sesv2/configurationSet:ConfigurationSet")


def _flow_logs(args: ResourceValidationArgs, report: ReportViolation) -> None:
    attributes = single(get(args.props, "attributes"))
    if is_unknown(attributes):
        return
    enabled = as_bool(attributes.get("flowLogsEnabled")) if isinstance(attributes, dict) else None
    if is_unknown(enabled) or enabled is True:
        return
    report(f"{describe(args)} writes no flow logs (attributes.flowLogsEnabled is "
           f"{'false' if enabled is False else 'not set (false)'}): who connected through it leaves no trace")


global_accelerator_flow_logs = ResourceValidationPolicy(
    name="global-accelerator-flow-logs",
    description="Global Accelerator accelerators write flow logs to S3.",
    validate=applies_to((ACCELERATOR,), _flow_logs),
    severity=Severity.MEDIUM,
    remediation_steps="Set attributes={'flow_logs_enabled': True, 'flow_logs_s3_bucket': <log bucket>, "
                      "'flow_logs_s3_prefix': 'accelerator/'} on the aws.globalaccelerator.Accelerator.",
    **frameworks({"nist-800-53": "AU-2, AU-12, SI-4", "pci-dss": "10.2.1"}),
)


def _mail_tls(args: ResourceValidationArgs, report: ReportViolation) -> None:
    options = single(get(args.props, "deliveryOptions"))
    if is_unknown(options):
        return
    policy = options.get("tlsPolicy") if isinstance(options, dict) else None
    if is_unknown(policy) or (isinstance(policy, str) and policy.upper() == "REQUIRE"):
        return
    shown = policy if isinstance(policy, str) and policy else "not set (Optional)"
    report(f"{describe(args)} may deliver mail in plain text (deliveryOptions.tlsPolicy {shown}): set it to Require")


ses_tls_required = ResourceValidationPolicy(
    name="ses-tls-required",
    description="SES configuration sets deliver mail only over TLS (deliveryOptions.tlsPolicy Require).",
    validate=applies_to(CONFIGURATION_SETS, _mail_tls),
    severity=Severity.MEDIUM,
    remediation_steps="Set delivery_options={'tls_policy': 'Require'} on the aws.ses.ConfigurationSet ('REQUIRE' on "
                      "aws.sesv2.ConfigurationSet).",
    **frameworks({"nist-800-53": "SC-8", "pci-dss": "4.2.1", "hipaa": "164.312(e)(1)", "gdpr": "Art. 32(1)(a)"}),
)

SECURITY = [ses_tls_required]
PRIVACY: list = []
COMPLIANCE = [global_accelerator_flow_logs]
