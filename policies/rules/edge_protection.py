"""What stands in front of applications, beyond ``edge.py``: CloudFront distributions sit behind a
WAF web ACL, write access logs, fetch custom origins over TLS 1.2 and read S3 origins through an
origin access control (``origins[].customOriginConfig.originProtocolPolicy``/``originSslProtocols``,
``originAccessControlId``, ``s3OriginConfig.originAccessIdentity``; an S3 REST endpoint is a
``*.s3[.<region>].amazonaws.com`` domain, a website endpoint is a custom origin); WAF web ACLs and Network Firewall firewalls log the traffic they
inspect, and firewall policies send unmatched packets on to the stateful engine; load balancers do not merely
monitor HTTP desync attacks; API Gateway encrypts its response
cache and does not log full request and response bodies; AppSync APIs log resolver errors; GuardDuty
detectors and their protection plans stay enabled, Macie is not paused and Inspector scans what it must.

Inputs are pulumi-aws 7's: ``aws.cloudfront.Distribution`` ``webAclId`` and ``loggingConfig.bucket``
(standard logging, legacy), or an ``aws.cloudwatch.LogDeliverySource`` whose ``resourceArn`` is the
distribution (standard logging v2, CloudFront's vended logs); ``aws.wafv2.WebAclLoggingConfiguration``
``resourceArn`` and ``aws.networkfirewall.LoggingConfiguration`` ``firewallArn`` (a
``LogDeliverySource`` for the resource counts too); ``aws.lb.LoadBalancer``/``aws.elb.LoadBalancer``
``desyncMitigationMode`` (``monitor``, ``defensive`` the default, ``strictest``);
``aws.apigateway.MethodSettings`` ``settings.cachingEnabled``, ``settings.cacheDataEncrypted``,
``settings.dataTraceEnabled``; ``aws.appsync.GraphQLApi`` ``logConfig.fieldLogLevel`` (``ALL``,
``ERROR``, ``NONE``); ``aws.guardduty.Detector`` ``enable`` (default true).
"""

from __future__ import annotations

import re
from typing import Any, Optional

from pulumi_policy import (
    ReportViolation,
    ResourceValidationArgs,
    ResourceValidationPolicy,
    Severity,
    StackValidationPolicy,
)

from policies.rules._components import built
from policies.rules._declare import applies_to, config_schema, examines, frameworks, policy_config
from policies.rules._index import IdentifierIndex, ReferenceIndex, of_type
from policies.rules._props import as_bool, as_list, describe, get, is_unknown, single
from policies.rules.edge import DISTRIBUTIONS, _behaviors, distribution_props

DISTRIBUTION = "aws:cloudfront/distribution:Distribution"
LOG_DELIVERY_SOURCE = "aws:cloudwatch/logDeliverySource:LogDeliverySource"
WEB_ACL = "aws:wafv2/webAcl:WebAcl"
WEB_ACL_LOGGING = "aws:wafv2/webAclLoggingConfiguration:WebAclLoggingConfiguration"
FIREWALL = "aws:networkfirewall/firewall:Firewall"
FIREWALL_LOGGING = "aws:networkfirewall/loggingConfiguration:LoggingConfiguration"
LOAD_BALANCERS = ("aws:lb/loadBalancer:LoadBalancer", "aws:alb/loadBalancer:LoadBalancer",
                  "aws:elb/loadBalancer:LoadBalancer")
METHOD_SETTINGS = "aws:apigateway/methodSettings:MethodSettings"
GRAPHQL_API = "aws:appsync/graphQLApi:GraphQLApi"
DETECTOR = "aws:guardduty/detector:Detector"


# --------------------------------------------------------------------------------------------------
# CloudFront


def _distribution_waf(args: ResourceValidationArgs, report: ReportViolation) -> None:
    web_acl = get(distribution_props(args), "webAclId")
    if is_unknown(web_acl) or (isinstance(web_acl, str) and web_acl):
        return
    report(f"{describe(args)} has no WAF web ACL (webAclId is not set): requests reach the origin unfiltered")


cloudfront_waf = ResourceValidationPolicy(
    name="cloudfront-waf",
    description="CloudFront distributions are protected by an AWS WAF web ACL.",
    validate=applies_to(DISTRIBUTIONS, _distribution_waf),
    severity=Severity.MEDIUM,
    remediation_steps="Create an aws.wafv2.WebAcl with scope='CLOUDFRONT' (in us-east-1) with the AWS managed "
                      "rule groups (common rule set, known bad inputs) and set web_acl_id=web_acl.arn on the "
                      "distribution.",
    **frameworks({"nist-800-53": "SC-7, SI-4", "pci-dss": "6.4.2"}),
)


_S3_REST_ORIGIN = re.compile(r"\.s3(?:[.-][a-z0-9-]+)?\.amazonaws\.com(?:\.cn)?$", re.IGNORECASE)


def _origins(props: Any) -> list[dict]:
    origins = as_list(get(props, "origins"))
    return [o for o in origins if isinstance(o, dict)] if isinstance(origins, list) else []


def _origin_tls(args: ResourceValidationArgs, report: ReportViolation) -> None:
    viewers_http = any(isinstance(b, dict) and str(get(b, "viewerProtocolPolicy") or "").lower() == "allow-all"
                       for _, b in _behaviors(distribution_props(args)))
    for origin in _origins(distribution_props(args)):
        config = single(origin.get("customOriginConfig"))
        if not isinstance(config, dict):
            continue
        label = origin.get("originId") if isinstance(origin.get("originId"), str) else origin.get("domainName")
        policy = config.get("originProtocolPolicy")
        if isinstance(policy, str) and not is_unknown(policy):
            if policy.lower() == "http-only" or (policy.lower() == "match-viewer" and viewers_http):
                report(f"{describe(args)}: origin {label!r} is fetched over plain HTTP (originProtocolPolicy "
                       f"{policy!r}); use https-only")
        protocols = as_list(config.get("originSslProtocols"))
        if isinstance(protocols, list) and protocols and not any(is_unknown(p) for p in protocols):
            names = {str(p) for p in protocols}
            if "SSLv3" in names or "TLSv1.2" not in names:
                report(f"{describe(args)}: origin {label!r} allows {', '.join(sorted(names))} "
                       "(originSslProtocols); use TLSv1.2 only")


cloudfront_origin_tls = ResourceValidationPolicy(
    name="cloudfront-origin-tls",
    description="CloudFront fetches from custom origins over HTTPS with TLS 1.2 (no http-only origin, no SSLv3, "
                "TLSv1.2 offered).",
    validate=applies_to(DISTRIBUTIONS, _origin_tls),
    severity=Severity.HIGH,
    remediation_steps="Set custom_origin_config.origin_protocol_policy='https-only' and origin_ssl_protocols="
                      "['TLSv1.2'] on every custom origin; serve S3 content through the bucket's REST endpoint with "
                      "an origin access control instead of its HTTP-only website endpoint.",
    **frameworks({"nist-800-53": "SC-8", "pci-dss": "4.2.1", "hipaa": "164.312(e)(1)", "gdpr": "Art. 32(1)(a)"}),
)


def _s3_origin_access(args: ResourceValidationArgs, report: ReportViolation) -> None:
    for origin in _origins(distribution_props(args)):
        domain = origin.get("domainName")
        if (not isinstance(domain, str) or is_unknown(domain) or not _S3_REST_ORIGIN.search(domain)
                or "s3-website" in domain.lower()):
            continue
        if origin.get("customOriginConfig"):
            continue
        control, s3 = origin.get("originAccessControlId"), single(origin.get("s3OriginConfig"))
        identity = s3.get("originAccessIdentity") if isinstance(s3, dict) else None
        if is_unknown(control) or is_unknown(identity) or is_unknown(s3) or control or identity:
            continue
        report(f"{describe(args)}: S3 origin {domain!r} has no origin access control (originAccessControlId) or "
               "identity: the bucket must be public for CloudFront to read it")


cloudfront_s3_origin_access = ResourceValidationPolicy(
    name="cloudfront-s3-origin-access",
    description="CloudFront reads S3 origins through an origin access control (or a legacy origin access identity), "
                "so the bucket stays private.",
    validate=applies_to(DISTRIBUTIONS, _s3_origin_access),
    severity=Severity.HIGH,
    remediation_steps="Create an aws.cloudfront.OriginAccessControl (origin_access_control_origin_type='s3', "
                      "signing_behavior='always'), set origin_access_control_id on the origin, and allow "
                      "cloudfront.amazonaws.com in the bucket policy with an aws:SourceArn condition on the "
                      "distribution.",
    **frameworks({"nist-800-53": "AC-3, AC-22", "pci-dss": "7.2.1", "gdpr": "Art. 32(1)(b)"}),
)


def _logged(resources: list, types: tuple[str, ...], links: tuple[tuple[str, str], ...]) -> list:
    """The resources of ``types`` that no logging resource points at (``links``: (type, pointer property))."""
    indexes = [ReferenceIndex(resources, (kind,), key) for kind, key in links]
    return [resource for resource in of_type(resources, *types)
            if not any(index.referrers(resource, ("arn", "id")) for index in indexes)]


def _distribution_logs(args: Any, report: ReportViolation) -> None:
    for distribution in _logged(args.resources, DISTRIBUTIONS, ((LOG_DELIVERY_SOURCE, "resourceArn"),)):
        logging = single(get(distribution_props(distribution), "loggingConfig"))
        bucket = get(logging, "bucket") if isinstance(logging, dict) else None
        if is_unknown(logging) or is_unknown(bucket) or bucket:
            continue
        report(f"{describe(distribution)} writes no access logs (no loggingConfig.bucket and no "
               "aws.cloudwatch.LogDeliverySource for it)", distribution.urn)


cloudfront_access_logging = StackValidationPolicy(
    name="cloudfront-access-logging",
    description="CloudFront distributions write access logs (standard logging to a bucket, or a CloudWatch log "
                "delivery source).",
    validate=examines((*DISTRIBUTIONS, LOG_DELIVERY_SOURCE), _distribution_logs),
    severity=Severity.MEDIUM,
    remediation_steps="Add an aws.cloudwatch.LogDeliverySource (log_type='ACCESS_LOGS', "
                      "resource_arn=distribution.arn) with a LogDeliveryDestination and LogDelivery, or set "
                      "logging_config={'bucket': '<bucket>.s3.amazonaws.com'} on the distribution.",
    **frameworks({"nist-800-53": "AU-2, AU-12", "pci-dss": "10.2.1", "hipaa": "164.312(b)"}),
)


# --------------------------------------------------------------------------------------------------
# WAF and Network Firewall logging


def _web_acl_logs(args: Any, report: ReportViolation) -> None:
    for web_acl in _logged(args.resources, (WEB_ACL,), ((WEB_ACL_LOGGING, "resourceArn"),
                                                        (LOG_DELIVERY_SOURCE, "resourceArn"))):
        report(f"{describe(web_acl)} logs no requests (no aws.wafv2.WebAclLoggingConfiguration for it)", web_acl.urn)


wafv2_web_acl_logging = StackValidationPolicy(
    name="wafv2-web-acl-logging",
    description="Every WAFv2 web ACL has a logging configuration.",
    validate=examines((WEB_ACL, WEB_ACL_LOGGING, LOG_DELIVERY_SOURCE), _web_acl_logs),
    severity=Severity.MEDIUM,
    remediation_steps="Add an aws.wafv2.WebAclLoggingConfiguration with resource_arn=web_acl.arn and "
                      "log_destination_configs=[<a log group named aws-waf-logs-*, a Firehose stream or a bucket>], "
                      "redacting authorization headers with redacted_fields.",
    **frameworks({"nist-800-53": "AU-2, AU-12, SI-4", "pci-dss": "10.2.1", "hipaa": "164.312(b)"}),
)


def _firewall_logs(args: Any, report: ReportViolation) -> None:
    for firewall in _logged(args.resources, (FIREWALL,), ((FIREWALL_LOGGING, "firewallArn"),
                                                          (LOG_DELIVERY_SOURCE, "resourceArn"))):
        report(f"{describe(firewall)} logs no traffic (no aws.networkfirewall.LoggingConfiguration for it)",
               firewall.urn)


network_firewall_logging = StackValidationPolicy(
    name="network-firewall-logging",
    description="Every Network Firewall firewall has a logging configuration (alert or flow logs).",
    validate=examines((FIREWALL, FIREWALL_LOGGING, LOG_DELIVERY_SOURCE), _firewall_logs),
    severity=Severity.MEDIUM,
    remediation_steps="Add an aws.networkfirewall.LoggingConfiguration with firewall_arn=firewall.arn and "
                      "log_destination_configs for ALERT (and FLOW) logs to CloudWatch Logs, S3 or Firehose.",
    **frameworks({"nist-800-53": "AU-2, AU-12, SI-4", "pci-dss": "10.2.1", "hipaa": "164.312(b)"}),
)


#: A firewall policy's ``firewallPolicy.statelessDefaultActions`` and ``statelessFragmentDefaultActions``
#: (both required; pulumi-aws networkfirewall/_inputs.py FirewallPolicyFirewallPolicyArgs, pulumi-aws-native
#: networkfirewall FirewallPolicyArgs) decide what happens to a packet no stateless rule matches: ``aws:pass``
#: "discontinues all inspection of the packet and permits it to go to its intended destination" (Network
#: Firewall API reference, FirewallPolicy / RuleDefinition), so the stateful rule groups never see it. AWS Config's
#: NETFW_POLICY_DEFAULT_ACTION_FULL_PACKETS and ..._FRAGMENT_PACKETS (Security Hub NetworkFirewall.4, .5) accept
#: only ``aws:drop`` and ``aws:forward_to_sfe``.
FIREWALL_POLICIES = ("aws:networkfirewall/firewallPolicy:FirewallPolicy", "aws-native:networkfirewall:FirewallPolicy")
_DEFAULT_ACTIONS = (("statelessDefaultActions", "packets"), ("statelessFragmentDefaultActions", "UDP fragments"))


def _firewall_default_actions(args: ResourceValidationArgs, report: ReportViolation) -> None:
    for key, what in _DEFAULT_ACTIONS:
        actions = as_list(get(args.props, "firewallPolicy", key))
        if isinstance(actions, list) and any(isinstance(a, str) and not is_unknown(a) and a.strip() == "aws:pass"
                                             for a in actions):
            report(f"{describe(args)} passes {what} no stateless rule matches ({key} aws:pass): they reach their "
                   "destination without stateful inspection; use aws:forward_to_sfe (or aws:drop)")


network_firewall_policy_default_actions = ResourceValidationPolicy(
    name="network-firewall-policy-default-actions",
    description="Network Firewall policies forward (or drop) the packets and fragments no stateless rule matches, "
                "never pass them uninspected.",
    validate=applies_to(FIREWALL_POLICIES, _firewall_default_actions),
    severity=Severity.HIGH,
    remediation_steps="Set firewall_policy.stateless_default_actions and stateless_fragment_default_actions to "
                      "['aws:forward_to_sfe'] so the stateful rule groups inspect the traffic (or ['aws:drop']).",
    **frameworks({"nist-800-53": "SC-7, SI-4", "pci-dss": "1.3.1, 1.4.2"}),
)


# --------------------------------------------------------------------------------------------------
# WAF in front of internet-facing endpoints (Checkov CKV2_AWS_28, 29, 33)

WEB_ACL_ASSOCIATION = "aws:wafv2/webAclAssociation:WebAclAssociation"
ALBS = ("aws:lb/loadBalancer:LoadBalancer", "aws:alb/loadBalancer:LoadBalancer")
AWSX_ALB = "awsx:lb:ApplicationLoadBalancer"
REST_STAGE = "aws:apigateway/stage:Stage"
REST_API = "aws:apigateway/restApi:RestApi"
#: App Runner services take a WAF web ACL (pulumi-aws 7 wafv2/web_acl_association.py ``resource_arn``: "an Amazon App
#: Runner service"); one is internet-facing unless ``networkConfiguration.ingressConfiguration.isPubliclyAccessible``
#: is false ("A public endpoint is the default configuration. It opens your service to any incoming traffic from the
#: public internet", App Runner Developer Guide, "Configuring network settings for incoming traffic").
APPRUNNER_SERVICE = "aws:apprunner/service:Service"


def _public_endpoint(resource: Any, private_apis: IdentifierIndex) -> Any:
    """What makes ``resource`` internet-facing (a phrase), or None (internal, private, or unknown)."""
    props = resource.props
    if resource.resource_type in ALBS:
        kind, internal = get(props, "loadBalancerType"), as_bool(get(props, "internal"))
        if is_unknown(kind) or is_unknown(internal) or internal is True or (kind or "application") != "application":
            return None
        return "an internet-facing application load balancer"
    if resource.resource_type == APPRUNNER_SERVICE:
        ingress = single(get(single(get(props, "networkConfiguration")), "ingressConfiguration"))
        public = as_bool(get(ingress, "isPubliclyAccessible")) if isinstance(ingress, dict) else None
        if is_unknown(ingress) or is_unknown(public) or public is False:
            return None
        return "a public App Runner service"
    if resource.resource_type == GRAPHQL_API:
        visibility = get(props, "visibility")
        return None if is_unknown(visibility) or str(visibility or "GLOBAL").upper() == "PRIVATE" else "a public GraphQL API"
    api = get(props, "restApi")
    if is_unknown(api) or private_apis.find(api) is not None:
        return None
    return "a REST API stage"


def _private_api_index(resources: list) -> IdentifierIndex:
    private = []
    for api in of_type(resources, REST_API):
        types = as_list(get(single(get(api.props, "endpointConfiguration")), "types"))
        if is_unknown(types) or (isinstance(types, list) and any(str(t).upper() == "PRIVATE" for t in types)):
            private.append(api)
    return IdentifierIndex(private, (REST_API,), ("id",))


def _endpoints_waf(args: Any, report: ReportViolation) -> None:
    associations = ReferenceIndex(args.resources, (WEB_ACL_ASSOCIATION,), "resourceArn")
    private_apis = _private_api_index(args.resources)
    for resource in of_type(args.resources, *ALBS, REST_STAGE, GRAPHQL_API, APPRUNNER_SERVICE):
        what = _public_endpoint(resource, private_apis)
        if what and not associations.referrers(resource, ("arn", "id")):
            report(f"{describe(resource)} is {what} with no WAF web ACL (no aws.wafv2.WebAclAssociation for it)",
                   resource.urn)
    # pulumi-awsx's ApplicationLoadBalancer builds the aws.lb.LoadBalancer from its inputs
    # (lb/applicationLoadBalancer.ts) and associates no web ACL; an association for it names
    # `alb.load_balancer.arn`, an output of the component, so it depends on the component's URN.
    for component in of_type(args.resources, AWSX_ALB):
        for view in built(component, ALBS):
            what = _public_endpoint(view, private_apis)
            if what and not associations.referrers(component, ("arn", "id")):
                report(f"{describe(component)} ({view.what}) is {what} with no WAF web ACL (no "
                       "aws.wafv2.WebAclAssociation with resource_arn=<alb>.load_balancer.arn)", component.urn)


public_endpoints_waf = StackValidationPolicy(
    name="public-endpoints-waf",
    description="Internet-facing application load balancers, REST API stages, public AppSync APIs and public App "
                "Runner services have a WAFv2 web ACL associated.",
    validate=examines((*ALBS, AWSX_ALB, REST_STAGE, REST_API, GRAPHQL_API, APPRUNNER_SERVICE, WEB_ACL_ASSOCIATION),
                      _endpoints_waf),
    severity=Severity.MEDIUM,
    remediation_steps="Create an aws.wafv2.WebAcl (scope='REGIONAL') with the AWS managed rule groups and an "
                      "aws.wafv2.WebAclAssociation with resource_arn=<load balancer, stage, GraphQL API or App Runner "
                      "service>.arn and "
                      "web_acl_arn=web_acl.arn.",
    **frameworks({"nist-800-53": "SC-7, SI-4", "pci-dss": "6.4.2"}),
)


# --------------------------------------------------------------------------------------------------
# Load balancers, API Gateway, AppSync, GuardDuty


def _desync(args: ResourceValidationArgs, report: ReportViolation) -> None:
    mode = get(args.props, "desyncMitigationMode")
    if isinstance(mode, str) and not is_unknown(mode) and mode.lower() == "monitor":
        report(f"{describe(args)} only monitors HTTP desync (desyncMitigationMode 'monitor'): ambiguous requests "
               "that allow request smuggling are forwarded")


lb_desync_mitigation = ResourceValidationPolicy(
    name="lb-desync-mitigation",
    description="Application and classic load balancers mitigate HTTP desync (desyncMitigationMode defensive or "
                "strictest, not monitor).",
    validate=applies_to(LOAD_BALANCERS, _desync),
    severity=Severity.MEDIUM,
    remediation_steps="Set desync_mitigation_mode='defensive' (the default) or 'strictest' on the load balancer.",
    **frameworks({"nist-800-53": "SI-10, SC-7", "pci-dss": "6.2.4"}),
)


def _settings(args: ResourceValidationArgs) -> Any:
    settings = single(get(args.props, "settings"))
    return settings if isinstance(settings, dict) else None


def _cache_encrypted(args: ResourceValidationArgs, report: ReportViolation) -> None:
    settings = _settings(args)
    if settings is None:
        return
    caching, encrypted = as_bool(settings.get("cachingEnabled")), as_bool(settings.get("cacheDataEncrypted"))
    if caching is True and encrypted is not True and not is_unknown(encrypted):
        report(f"{describe(args)} caches responses unencrypted (settings.cachingEnabled true, cacheDataEncrypted "
               "not true)")


apigateway_cache_encrypted = ResourceValidationPolicy(
    name="apigateway-cache-encrypted",
    description="API Gateway method settings that cache responses encrypt the cache.",
    validate=applies_to((METHOD_SETTINGS,), _cache_encrypted),
    severity=Severity.MEDIUM,
    remediation_steps="Set settings.cache_data_encrypted=True wherever settings.caching_enabled is true on the "
                      "aws.apigateway.MethodSettings.",
    **frameworks({"nist-800-53": "SC-28", "pci-dss": "3.5.1", "hipaa": "164.312(a)(2)(iv)", "gdpr": "Art. 32(1)(a)"}),
)


def _data_trace(args: ResourceValidationArgs, report: ReportViolation) -> None:
    settings = _settings(args)
    if settings is not None and as_bool(settings.get("dataTraceEnabled")) is True:
        report(f"{describe(args)} logs full requests and responses (settings.dataTraceEnabled true): personal data, "
               "tokens and credentials in them end up in CloudWatch Logs")


apigateway_no_data_trace = ResourceValidationPolicy(
    name="apigateway-no-data-trace",
    description="API Gateway method settings do not log full request and response data (data trace).",
    validate=applies_to((METHOD_SETTINGS,), _data_trace),
    severity=Severity.MEDIUM,
    remediation_steps="Set settings.data_trace_enabled=False on the aws.apigateway.MethodSettings; keep "
                      "settings.logging_level='ERROR' or 'INFO' and the stage's access logs for auditing.",
    **frameworks({"gdpr": "Art. 5(1)(c), Art. 32", "nist-800-53": "SI-12, AU-3", "pci-dss": "3.3.1",
                  "hipaa": "164.312(a)(1)"}),
)


def _appsync_logs(args: ResourceValidationArgs, report: ReportViolation) -> None:
    config = single(get(args.props, "logConfig"))
    if is_unknown(config):
        return
    level = get(config, "fieldLogLevel") if isinstance(config, dict) else None
    if is_unknown(level):
        return
    if not isinstance(config, dict):
        report(f"{describe(args)} writes no logs (logConfig is not set)")
    elif not isinstance(level, str) or level.upper() == "NONE":
        report(f"{describe(args)} logs no resolver errors (logConfig.fieldLogLevel is {level or 'not set'}); use ERROR "
               "or ALL")


appsync_logging = ResourceValidationPolicy(
    name="appsync-logging",
    description="AppSync GraphQL APIs log to CloudWatch Logs, with field-level logs at ERROR or ALL.",
    validate=applies_to((GRAPHQL_API,), _appsync_logs),
    severity=Severity.MEDIUM,
    remediation_steps="Set log_config={'cloudwatch_logs_role_arn': role.arn, 'field_log_level': 'ERROR', "
                      "'exclude_verbose_content': True} on the aws.appsync.GraphQLApi.",
    **frameworks({"nist-800-53": "AU-2, AU-12", "pci-dss": "10.2.1", "hipaa": "164.312(b)"}),
)


#: GuardDuty's protection plans and the organization's auto-enablement, where a program writes them (pulumi-aws 7
#: guardduty/*.py): ``DetectorFeature``/``MemberDetectorFeature`` ``status`` ``DISABLED`` turns a plan (S3, EKS,
#: runtime, malware, RDS, Lambda protection) off; ``OrganizationConfiguration`` ``autoEnableOrganizationMembers``
#: ``NONE`` and ``OrganizationConfigurationFeature`` ``autoEnable`` ``NONE`` leave member accounts (new ones included)
#: without GuardDuty or the plan. AWS Config GUARDDUTY_S3_PROTECTION_ENABLED and
#: GUARDDUTY_EC2_PROTECTION_RUNTIME_ENABLED (NON_COMPLIANT "if the feature is not enabled for your account or at
#: least one member account in your organization"), Control Tower CT.GUARDDUTY.PR.1. A plan the program does not
#: mention is not judged.
DETECTOR_FEATURES = ("aws:guardduty/detectorFeature:DetectorFeature",
                     "aws:guardduty/memberDetectorFeature:MemberDetectorFeature")
GUARDDUTY_ORG = "aws:guardduty/organizationConfiguration:OrganizationConfiguration"
GUARDDUTY_ORG_FEATURE = "aws:guardduty/organizationConfigurationFeature:OrganizationConfigurationFeature"


def _is(value: Any, *words: str) -> bool:
    return isinstance(value, str) and not is_unknown(value) and value.strip().upper() in words


def _detector(args: ResourceValidationArgs, report: ReportViolation) -> None:
    props = args.props
    if args.resource_type in DETECTOR_FEATURES:
        if _is(get(props, "status"), "DISABLED"):
            report(f"{describe(args)} turns the GuardDuty protection plan {get(props, 'name')!r} off "
                   "(status DISABLED): threats it covers go undetected")
    elif args.resource_type == GUARDDUTY_ORG:
        if _is(get(props, "autoEnableOrganizationMembers"), "NONE"):
            report(f"{describe(args)} does not enable GuardDuty for the organization's member accounts "
                   "(autoEnableOrganizationMembers NONE): new accounts start unmonitored")
    elif args.resource_type == GUARDDUTY_ORG_FEATURE:
        if _is(get(props, "autoEnable"), "NONE"):
            report(f"{describe(args)} does not enable the protection plan {get(props, 'name')!r} for member accounts "
                   "(autoEnable NONE)")
    elif as_bool(get(props, "enable")) is False:
        report(f"{describe(args)} is disabled (enable is false): no threat findings for the account and region")


guardduty_detector_enabled = ResourceValidationPolicy(
    name="guardduty-detector-enabled",
    description="GuardDuty detectors are enabled, and the protection plans and organization auto-enablement a "
                "program writes are not turned off.",
    validate=applies_to((DETECTOR, *DETECTOR_FEATURES, GUARDDUTY_ORG, GUARDDUTY_ORG_FEATURE), _detector),
    severity=Severity.MEDIUM,
    remediation_steps="Set enable=True (the default) on the aws.guardduty.Detector, in every region in use; set "
                      "status='ENABLED' on each aws.guardduty.DetectorFeature, and auto_enable_organization_members / "
                      "auto_enable 'ALL' (or 'NEW') on the organization configuration and its features.",
    **frameworks({"nist-800-53": "SI-4, RA-5", "pci-dss": "11.5.1", "hipaa": "164.308(a)(1)(ii)(D)"}),
)

#: Macie, Inspector and Security Hub, where a program writes their account or organization settings (pulumi-aws 7
#: macie2/, inspector2/, securityhub/): ``macie2.Account`` ``status`` ``PAUSED`` stops sensitive-data discovery
#: (Security Hub Macie.1, "Amazon Macie should be enabled"); ``macie2.OrganizationConfiguration`` and
#: ``securityhub.OrganizationConfiguration`` ``autoEnable`` false leave new member accounts out (Security Hub's
#: ``organizationConfiguration.configurationType`` ``CENTRAL`` requires it false, configuration policies then decide,
#: and is not judged); Inspector's ``Enabler`` ``resourceTypes`` (over every Enabler of the stack: one may enable EC2,
#: another ECR) and ``OrganizationConfiguration`` ``autoEnable`` (``ec2``, ``ecr``, ``lambda``, ``lambdaCode``) cover
#: each required scan type (Security Hub Inspector.1 EC2, Inspector.2 ECR, Inspector.4 Lambda, Inspector.3 Lambda code:
#: the control "fails if the delegated Amazon Inspector administrator account and all member accounts don't have" the
#: scan enabled). Unknown values are not judged.
MACIE_ACCOUNT = "aws:macie2/account:Account"
MACIE_ORG = "aws:macie2/organizationConfiguration:OrganizationConfiguration"
HUB_ORG = "aws:securityhub/organizationConfiguration:OrganizationConfiguration"
INSPECTOR_ENABLER = "aws:inspector2/enabler:Enabler"
INSPECTOR_ORG = "aws:inspector2/organizationConfiguration:OrganizationConfiguration"
_INSPECTOR_AUTO_ENABLE = {"EC2": "ec2", "ECR": "ecr", "LAMBDA": "lambda", "LAMBDA_CODE": "lambdaCode",
                          "CODE_REPOSITORY": "codeRepository"}
DETECTION_SCHEMA = config_schema(
    inspectorResourceTypes={
        "type": "array", "items": {"type": "string", "enum": sorted(_INSPECTOR_AUTO_ENABLE)}, "default": ["EC2", "ECR"],
        "description": "Inspector scan types a program that enables Inspector must cover (instances and the container "
                       "images ML workloads run; add LAMBDA and LAMBDA_CODE where functions run).",
    },
)


def _inspector_types(enablers: list) -> Optional[set]:
    """The scan types the stack's Inspector Enablers turn on together; None when one is unknown."""
    enabled: set = set()
    for enabler in enablers:
        types = as_list(get(enabler.props, "resourceTypes"))
        if not isinstance(types, list) or any(is_unknown(t) for t in types):
            return None
        enabled |= {t.strip().upper() for t in types if isinstance(t, str)}
    return enabled


def _detection_services(args: Any, report: ReportViolation) -> None:
    config = policy_config(args, DETECTION_SCHEMA)
    required = [t.upper() for t in config["inspectorResourceTypes"] if isinstance(t, str)]
    for macie in of_type(args.resources, MACIE_ACCOUNT):
        if _is(get(macie.props, "status"), "PAUSED"):
            report(f"{describe(macie)} pauses Amazon Macie (status PAUSED): no sensitive-data discovery in the "
                   "account's buckets", macie.urn)
    for org in of_type(args.resources, MACIE_ORG, HUB_ORG):
        kind = get(org.props, "organizationConfiguration", "configurationType")
        if org.resource_type == HUB_ORG and (is_unknown(kind) or _is(kind, "CENTRAL")):
            continue
        if as_bool(get(org.props, "autoEnable")) is False:
            service = "Macie" if org.resource_type == MACIE_ORG else "Security Hub"
            report(f"{describe(org)} does not enable {service} for new member accounts (autoEnable false)", org.urn)
    enablers = list(of_type(args.resources, INSPECTOR_ENABLER))
    enabled = _inspector_types(enablers)
    missing = [t for t in required if enablers and enabled is not None and t not in enabled]
    if missing:
        report(f"{describe(enablers[0])}: no Inspector Enabler of the stack scans {', '.join(missing)} "
               f"(resourceTypes {', '.join(sorted(enabled)) or 'none'}): those resources' vulnerabilities go "
               "unreported", enablers[0].urn)
    for org in of_type(args.resources, INSPECTOR_ORG):
        off = [t for t in required if t in _INSPECTOR_AUTO_ENABLE
               and as_bool(get(org.props, "autoEnable", _INSPECTOR_AUTO_ENABLE[t])) is False]
        if off:
            report(f"{describe(org)} does not scan {', '.join(off)} in new member accounts (autoEnable false)", org.urn)


detection_services_enabled = StackValidationPolicy(
    name="detection-services-enabled",
    description="Macie is not paused, Macie and Security Hub are enabled for new member accounts, and Inspector scans "
                "the required resource types in the account and the organization.",
    validate=examines((MACIE_ACCOUNT, MACIE_ORG, HUB_ORG, INSPECTOR_ENABLER, INSPECTOR_ORG), _detection_services),
    config_schema=DETECTION_SCHEMA,
    severity=Severity.MEDIUM,
    remediation_steps="Set status='ENABLED' on aws.macie2.Account, auto_enable=True on the Macie and Security Hub "
                      "organization configurations, and list every required type in aws.inspector2.Enabler "
                      "resource_types (EC2, ECR, ...) and aws.inspector2.OrganizationConfiguration auto_enable.",
    **frameworks({"nist-800-53": "SI-4, RA-5", "pci-dss": "11.3.1, 11.5.1", "hipaa": "164.308(a)(1)(ii)(D)"}),
)

SECURITY = [cloudfront_waf, public_endpoints_waf, cloudfront_origin_tls, cloudfront_s3_origin_access,
            lb_desync_mitigation, apigateway_cache_encrypted, guardduty_detector_enabled,
            network_firewall_policy_default_actions, detection_services_enabled]
PRIVACY = [apigateway_no_data_trace]
COMPLIANCE = [cloudfront_access_logging, wafv2_web_acl_logging, network_firewall_logging, appsync_logging]
