"""CloudFront response headers policies enforce HTTPS in browsers: ``securityHeadersConfig
.strictTransportSecurity`` (pulumi-aws 7 ``aws.cloudfront.ResponseHeadersPolicy``) with
``accessControlMaxAgeSec`` at least a year, ``includeSubdomains`` and ``override`` (else the origin's
header, or none, wins). Checkov CKV_AWS_259, which also requires ``preload``: here a configuration choice
(``requirePreload``), since preloading a domain into browsers is hard to undo.
"""

from __future__ import annotations

from pulumi_policy import ReportViolation, ResourceValidationArgs, ResourceValidationPolicy, Severity

from policies.rules._declare import applies_to, config_schema, frameworks, policy_config
from policies.rules._props import as_bool, as_int, describe, get, is_unknown, single

HEADERS_POLICY = "aws:cloudfront/responseHeadersPolicy:ResponseHeadersPolicy"
#: pulumi-aws-native's AWS::CloudFront::ResponseHeadersPolicy: the same settings under ``responseHeadersPolicyConfig``.
NATIVE_HEADERS_POLICY = "aws-native:cloudfront:ResponseHeadersPolicy"
HSTS_SCHEMA = config_schema(
    minMaxAgeSeconds={
        "type": "integer", "minimum": 0, "default": 31536000,
        "description": "Fewest seconds browsers must remember to use HTTPS (max-age; one year by default).",
    },
    requirePreload={
        "type": "boolean", "default": False,
        "description": "Require the preload directive (the domain asks to be built into browsers' HTTPS-only lists).",
    },
)


def _hsts(args: ResourceValidationArgs, report: ReportViolation) -> None:
    props = (get(args.props, "responseHeadersPolicyConfig") if args.resource_type == NATIVE_HEADERS_POLICY
             else args.props)
    headers = single(get(props, "securityHeadersConfig"))
    if is_unknown(headers):
        return
    sts = single(headers.get("strictTransportSecurity")) if isinstance(headers, dict) else None
    if is_unknown(sts):
        return
    if not isinstance(sts, dict):
        report(f"{describe(args)} sets no Strict-Transport-Security header (securityHeadersConfig"
               ".strictTransportSecurity): browsers may fall back to plain HTTP")
        return
    config = policy_config(args, HSTS_SCHEMA)
    problems = []
    age, minimum = as_int(sts.get("accessControlMaxAgeSec")), config["minMaxAgeSeconds"]
    if isinstance(age, int) and isinstance(minimum, int) and age < minimum:
        problems.append(f"accessControlMaxAgeSec is {age}, expected at least {minimum}")
    wanted = ["includeSubdomains", "override"] + (["preload"] if as_bool(config["requirePreload"]) else [])
    for key in wanted:
        value = as_bool(sts.get(key))
        if value is not True and not is_unknown(value):
            problems.append(f"{key} is {'false' if value is False else 'not set'}")
    if problems:
        report(f"{describe(args)} has a weak Strict-Transport-Security header: {'; '.join(problems)}")


cloudfront_hsts = ResourceValidationPolicy(
    name="cloudfront-hsts",
    description="CloudFront response headers policies send Strict-Transport-Security for at least a year, for "
                "subdomains too, overriding the origin's.",
    validate=applies_to((HEADERS_POLICY, NATIVE_HEADERS_POLICY), _hsts),
    config_schema=HSTS_SCHEMA,
    severity=Severity.MEDIUM,
    remediation_steps="Set security_headers_config.strict_transport_security={'access_control_max_age_sec': "
                      "31536000, 'include_subdomains': True, 'override': True} (and 'preload': True once every "
                      "subdomain serves HTTPS), and attach the policy to the distribution's cache behaviors.",
    **frameworks({"nist-800-53": "SC-8, SC-23", "pci-dss": "4.2.1", "hipaa": "164.312(e)(1)"}),
)

SECURITY = [cloudfront_hsts]
PRIVACY: list = []
COMPLIANCE: list = []
