"""Route 53: public hosted zones log their DNS queries and sign their records (DNSSEC); registered domains
stay locked for transfer.

A public zone is an ``aws.route53.Zone`` without ``vpcs`` and without an ``aws.route53.ZoneAssociation``
(which makes it private). Its query log is an ``aws.route53.QueryLog`` whose ``zoneId`` points at it;
its signing, an ``aws.route53.HostedZoneDnsSec`` whose ``hostedZoneId`` does, with ``signingStatus``
``SIGNING`` (the default; a key-signing key alone does not sign the zone). Checkov CKV2_AWS_39 (query
logging), CKV2_AWS_38 (DNSSEC; advisory in every environment: signing needs a KMS key in us-east-1 and
a DS record at the parent, which a team adopts deliberately).

Domains registered through Route 53 (``aws.route53domains.RegisteredDomain``) keep ``transferLock``
(default true). Checkov CKV_AWS_377.
"""

from __future__ import annotations

from pulumi_policy import (
    PolicyResource,
    ReportViolation,
    ResourceValidationArgs,
    ResourceValidationPolicy,
    Severity,
    StackValidationArgs,
    StackValidationPolicy,
)

from policies.rules._declare import applies_to, examines, frameworks
from policies.rules._index import ReferenceIndex, of_type, stack_resources
from policies.rules._props import as_bool, as_list, describe, get, is_unknown

ZONE = "aws:route53/zone:Zone"
ZONE_ASSOCIATION = "aws:route53/zoneAssociation:ZoneAssociation"
QUERY_LOG = "aws:route53/queryLog:QueryLog"
DNSSEC = "aws:route53/hostedZoneDnsSec:HostedZoneDnsSec"
ZONE_KEYS = ("zoneId", "id")


def _public_zones(resources: list[PolicyResource]) -> list[PolicyResource]:
    zones = of_type(resources, ZONE)
    if not zones:
        return []
    associations = ReferenceIndex(resources, (ZONE_ASSOCIATION,), "zoneId")
    public = []
    for zone in zones:
        vpcs = as_list(get(zone.props, "vpcs"))
        if is_unknown(vpcs) or vpcs or associations.referrers(zone, ZONE_KEYS):
            continue
        public.append(zone)
    return public


def _query_logging(args: StackValidationArgs, report: ReportViolation) -> None:
    resources = stack_resources(args)
    zones = _public_zones(resources)
    if not zones:
        return
    logs = ReferenceIndex(resources, (QUERY_LOG,), "zoneId")
    for zone in zones:
        if not logs.referrers(zone, ZONE_KEYS):
            report(f"{ZONE} {zone.name!r} is a public hosted zone without query logging (no aws.route53.QueryLog "
                   "for it): lookups of its names leave no trace", zone.urn)


route53_query_logging = StackValidationPolicy(
    name="route53-query-logging",
    description="Route 53 public hosted zones log DNS queries (an aws.route53.QueryLog for the zone).",
    validate=examines((ZONE, ZONE_ASSOCIATION, QUERY_LOG), _query_logging),
    severity=Severity.LOW,
    remediation_steps="Create a CloudWatch log group in us-east-1 (/aws/route53/<zone>), an "
                      "aws.cloudwatch.LogResourcePolicy letting route53.amazonaws.com write to it, and an "
                      "aws.route53.QueryLog with zone_id and cloudwatch_log_group_arn.",
    **frameworks({"nist-800-53": "AU-2, AU-12, SI-4", "pci-dss": "10.2.1"}),
)


def _signing(args: StackValidationArgs, report: ReportViolation) -> None:
    resources = stack_resources(args)
    zones = _public_zones(resources)
    if not zones:
        return
    signings = ReferenceIndex(resources, (DNSSEC,), "hostedZoneId")
    for zone in zones:
        found = signings.referrers(zone, ZONE_KEYS)
        statuses = [get(signing.props, "signingStatus") for signing in found]
        if any(is_unknown(status) or status in (None, "") or str(status).upper() == "SIGNING" for status in statuses):
            continue
        report(f"{ZONE} {zone.name!r} is a public hosted zone whose records are not signed (no "
               "aws.route53.HostedZoneDnsSec SIGNING it): resolvers cannot detect spoofed answers", zone.urn)


route53_dnssec_signing = StackValidationPolicy(
    name="route53-dnssec-signing",
    description="Route 53 public hosted zones sign their records with DNSSEC (an aws.route53.HostedZoneDnsSec). "
                "Advisory in every environment.",
    validate=examines((ZONE, ZONE_ASSOCIATION, DNSSEC), _signing),
    severity=Severity.LOW,
    remediation_steps="Create an asymmetric ECC_NIST_P256 KMS key in us-east-1 (key usage SIGN_VERIFY, a policy for "
                      "dnssec-route53.amazonaws.com), an aws.route53.KeySigningKey with it, an "
                      "aws.route53.HostedZoneDnsSec for the zone, and the DS record at the parent zone.",
    **frameworks({"nist-800-53": "SC-20, SC-21", "pci-dss": "4.2.1"}),
)

REGISTERED_DOMAIN = "aws:route53domains/registeredDomain:RegisteredDomain"


def _transfer_lock(args: ResourceValidationArgs, report: ReportViolation) -> None:
    if as_bool(get(args.props, "transferLock")) is False:
        report(f"{describe(args)} is not locked for transfer (transferLock false): anyone who obtains its "
               "authorization code can move the domain to another registrar")


route53_domain_transfer_lock = ResourceValidationPolicy(
    name="route53-domain-transfer-lock",
    description="Domains registered with Route 53 keep their transfer lock (the default is on).",
    validate=applies_to((REGISTERED_DOMAIN,), _transfer_lock),
    severity=Severity.MEDIUM,
    remediation_steps="Leave transfer_lock unset (true) on the aws.route53domains.RegisteredDomain; unlock it only "
                      "for the duration of a planned transfer.",
    **frameworks({"nist-800-53": "SC-20, CM-5"}),
)

SECURITY = [route53_dnssec_signing, route53_domain_transfer_lock]
PRIVACY: list = []
COMPLIANCE = [route53_query_logging]
