"""Load balancers: HTTP listeners only redirect to HTTPS, HTTPS/TLS listeners use a current TLS policy,
application load balancers drop invalid headers, every load balancer writes access logs, and load
balancers are internal unless declared public.

Types and inputs are pulumi-aws 7's: ``aws.lb.LoadBalancer`` / ``aws.alb.LoadBalancer`` (``internal``
defaults to false, ``loadBalancerType`` to ``application``, ``dropInvalidHeaderFields`` to false),
``aws.lb.Listener`` / ``aws.alb.Listener`` (``sslPolicy`` defaults to ``ELBSecurityPolicy-2016-08``,
which allows TLS 1.0) and the classic ``aws.elb.LoadBalancer`` (inline ``listeners``, ``accessLogs``; an HTTP
listener is plain text, Checkov CKV_AWS_127) with its ``aws.elb.LoadBalancerPolicy`` SSL negotiation policies
(``policyAttributes`` ``Protocol-TLSv1``... ``true``, or a ``Reference-Security-Policy`` outside the allowed
ones; Checkov CKV_AWS_213). pulumi-awsx's ``ApplicationLoadBalancer`` and ``NetworkLoadBalancer`` are judged by
the load balancer and listeners they build from their inputs (policies/rules/_components.py).
"""

from __future__ import annotations

from fnmatch import fnmatchcase
from typing import Any

from pulumi_policy import (
    ReportViolation,
    ResourceValidationArgs,
    ResourceValidationPolicy,
    Severity,
    StackValidationArgs,
    StackValidationPolicy,
)

from policies.rules._components import as_built
from policies.rules._declare import config_schema, examines, frameworks, policy_config
from policies.rules._index import ReferenceIndex, of_type, stack_resources
from policies.rules._props import as_bool, as_int, as_list, describe, get, is_unknown, resource_tags, single

LOAD_BALANCERS = ("aws:lb/loadBalancer:LoadBalancer", "aws:alb/loadBalancer:LoadBalancer")
CLASSIC = "aws:elb/loadBalancer:LoadBalancer"
LISTENERS = ("aws:lb/listener:Listener", "aws:alb/listener:Listener")
DEFAULT_SSL_POLICY = "ELBSecurityPolicy-2016-08"
#: pulumi-aws-native's AWS::ElasticLoadBalancingV2::LoadBalancer (``type``, ``scheme`` internet-facing by default,
#: attributes as ``loadBalancerAttributes [{key, value}]``: ``routing.http.drop_invalid_header_fields.enabled``,
#: ``access_logs.s3.enabled``, ``access_logs.s3.bucket``) and Listener (``protocol``, ``sslPolicy``,
#: ``certificates``, ``defaultActions[].redirectConfig``); pulumi-aws-native 1.84 elasticloadbalancingv2/*.py.
NATIVE_LOAD_BALANCER = "aws-native:elasticloadbalancingv2:LoadBalancer"
NATIVE_LISTENER = "aws-native:elasticloadbalancingv2:Listener"
ALL_LOAD_BALANCERS = LOAD_BALANCERS + (NATIVE_LOAD_BALANCER,)
ALL_LISTENERS = LISTENERS + (NATIVE_LISTENER,)
#: Listener rules (pulumi-aws 7 lb/listener_rule.py and its alb alias: ``listenerArn``, ``actions`` shaped as a
#: listener's ``defaultActions``; pulumi-aws-native elasticloadbalancingv2/listener_rule.py: ``listenerArn``,
#: ``actions[].redirectConfig``).
LISTENER_RULES = ("aws:lb/listenerRule:ListenerRule", "aws:alb/listenerRule:ListenerRule",
                  "aws-native:elasticloadbalancingv2:ListenerRule")


def native_attribute(props: Any, key: str) -> Any:
    """The value of a native load balancer's attribute ``key`` (None if absent, ``UNKNOWN`` if not known)."""
    attributes = as_list(get(props, "loadBalancerAttributes"))
    if is_unknown(attributes):
        return attributes
    for attribute in attributes:
        if is_unknown(attribute) or (isinstance(attribute, dict) and is_unknown(attribute.get("key"))):
            return attribute if is_unknown(attribute) else attribute.get("key")
        if isinstance(attribute, dict) and attribute.get("key") == key:
            return attribute.get("value")
    return None


def _redirects_to_https(listener_props: Any, key: str = "defaultActions") -> Any:
    actions = as_list(get(listener_props, key))
    if is_unknown(actions):
        return True
    for action in actions if isinstance(actions, list) else []:
        if not isinstance(action, dict):
            continue
        redirect = single(action.get("redirect") or action.get("redirectConfig"))
        if str(action.get("type", "")).lower() == "redirect" and isinstance(redirect, dict):
            protocol = redirect.get("protocol")
            if is_unknown(protocol) or str(protocol).upper() == "HTTPS":
                return True
    return False


def _on_port(value: Any) -> str:
    # Numbers arrive as floats from the engine's protobuf values (80.0): name the port as written.
    port = as_int(value)
    return f" on port {port}" if isinstance(port, int) else ""


def _serves_http(listener_props: Any) -> bool:
    """Whether a listener listens with plain HTTP: ``protocol`` HTTP, or absent without a certificate (an
    application load balancer's listener protocol defaults to HTTP)."""
    protocol = get(listener_props, "protocol")
    if protocol is None and not any(get(listener_props, key) for key in ("certificateArn", "certificates",
                                                                           "sslPolicy")):
        protocol = "HTTP"
    return isinstance(protocol, str) and protocol.upper() == "HTTP"


def _validate_https(args: ResourceValidationArgs, report: ReportViolation) -> None:
    if args.resource_type == CLASSIC:
        listeners = as_list(get(args.props, "listeners"))
        for listener in listeners if isinstance(listeners, list) else []:
            if isinstance(listener, dict) and str(listener.get("lbProtocol", "")).upper() == "HTTP":
                report(f"{describe(args)}: listener{_on_port(listener.get('lbPort'))} serves plain HTTP; serve "
                       "HTTPS (lbProtocol 'https' with an ACM certificate)")
        return
    if _serves_http(args.props) and not _redirects_to_https(args.props):
        report(f"{describe(args)} serves plain HTTP{_on_port(get(args.props, 'port'))}; make it HTTPS, or make its "
               "default action a redirect to HTTPS")


lb_listener_https = ResourceValidationPolicy(
    name="lb-listener-https",
    description="Load balancer listeners serve HTTPS; an HTTP listener only redirects to HTTPS.",
    validate=as_built(ALL_LISTENERS + (CLASSIC,), _validate_https),
    severity=Severity.HIGH,
    remediation_steps="Listen with protocol HTTPS and an ACM certificate; keep port 80 only with a default action "
                      "{'type': 'redirect', 'redirect': {'protocol': 'HTTPS', 'port': '443', 'status_code': "
                      "'HTTP_301'}}.",
    **frameworks({"nist-800-53": "SC-8", "pci-dss": "4.2.1", "hipaa": "164.312(e)(1)", "gdpr": "Art. 32(1)(a)"}),
)

def _validate_rule_https(args: StackValidationArgs, report: ReportViolation) -> None:
    resources = stack_resources(args)
    rules = ReferenceIndex(resources, LISTENER_RULES, "listenerArn")
    for listener in of_type(resources, *ALL_LISTENERS):
        if not _serves_http(listener.props):
            continue
        for rule in rules.referrers(listener, ("arn", "id", "listenerArn")):
            if not _redirects_to_https(rule.props, "actions"):
                report(f"{rule.resource_type.rsplit(':', 1)[-1]} {rule.name!r} on the plain-HTTP listener "
                       f"{listener.name!r}{_on_port(get(listener.props, 'port'))} serves its requests over HTTP "
                       "(its action is not a redirect to HTTPS); attach it to an HTTPS listener", rule.urn)


lb_listener_rule_https = StackValidationPolicy(
    name="lb-listener-rule-https",
    description="Listener rules of a plain-HTTP listener only redirect to HTTPS: a rule that forwards (or answers) "
                "on port 80 serves the traffic in plain text even when the listener's default action redirects.",
    validate=examines(LISTENER_RULES + ALL_LISTENERS, _validate_rule_https),
    severity=Severity.HIGH,
    remediation_steps="Attach the rule to the HTTPS listener (listener_arn of the protocol HTTPS listener); keep only "
                      "redirects to HTTPS on the HTTP listener.",
    **frameworks({"nist-800-53": "SC-8", "pci-dss": "4.2.1", "hipaa": "164.312(e)(1)", "gdpr": "Art. 32(1)(a)"}),
)

TLS_SCHEMA = config_schema(
    allowedSslPolicies={
        "type": "array", "items": {"type": "string"},
        "default": ["ELBSecurityPolicy-TLS13-1-2-*", "ELBSecurityPolicy-TLS13-1-3-*", "ELBSecurityPolicy-TLS-1-2-*",
                    "ELBSecurityPolicy-FS-1-2-*"],
        "description": "SSL policies (fnmatch patterns) HTTPS and TLS listeners may use: TLS 1.2 or later only "
                       "(see the ELB 'Security policies' reference).",
    },
)


CLASSIC_POLICY = "aws:elb/loadBalancerPolicy:LoadBalancerPolicy"
#: Classic ELB SSL negotiation attributes that turn a legacy protocol on (ELB "SSL negotiation configurations").
LEGACY_PROTOCOLS = ("Protocol-SSLv2", "Protocol-SSLv3", "Protocol-TLSv1", "Protocol-TLSv1.1")


def _validate_classic_policy(args: ResourceValidationArgs, report: ReportViolation) -> None:
    kind = get(args.props, "policyTypeName")
    if not isinstance(kind, str) or is_unknown(kind) or kind != "SSLNegotiationPolicyType":
        return
    attributes = as_list(get(args.props, "policyAttributes"))
    allowed = [p for p in policy_config(args, TLS_SCHEMA)["allowedSslPolicies"] if isinstance(p, str)]
    for attribute in attributes if isinstance(attributes, list) else []:
        name, value = (attribute.get("name"), attribute.get("value")) if isinstance(attribute, dict) else (None, None)
        if is_unknown(name) or is_unknown(value) or not isinstance(name, str):
            continue
        if name in LEGACY_PROTOCOLS and as_bool(value) is True:
            report(f"{describe(args)} turns on {name}: clients may negotiate a broken protocol")
        elif name == "Reference-Security-Policy" and isinstance(value, str) and not any(
                fnmatchcase(value, pattern) for pattern in allowed):
            report(f"{describe(args)} references the security policy {value}, which is not a current TLS 1.2+ policy; "
                   "use ELBSecurityPolicy-TLS-1-2-2017-01")


def _validate_tls_policy(args: ResourceValidationArgs, report: ReportViolation) -> None:
    if args.resource_type == CLASSIC_POLICY:
        _validate_classic_policy(args, report)
        return
    allowed = [p for p in policy_config(args, TLS_SCHEMA)["allowedSslPolicies"] if isinstance(p, str)]
    weak = _weak_ssl_policy(args.props, allowed)
    if weak:
        report(f"{describe(args)} uses {weak}, which is not a current TLS 1.2+ policy; use e.g. "
               "ELBSecurityPolicy-TLS13-1-2-2021-06")


def _weak_ssl_policy(listener: Any, allowed: list[str]) -> str:
    """How an HTTPS or TLS listener's security policy falls outside ``allowed`` ("" if it does not)."""
    protocol = get(listener, "protocol")
    if not (isinstance(protocol, str) and protocol.upper() in ("HTTPS", "TLS")):
        return ""
    policy = get(listener, "sslPolicy")
    if is_unknown(policy):
        return ""
    name = policy if isinstance(policy, str) and policy else DEFAULT_SSL_POLICY
    if any(fnmatchcase(name, pattern) for pattern in allowed):
        return ""
    return f"sslPolicy {name}" if policy else f"sslPolicy not set (defaults to {DEFAULT_SSL_POLICY})"


lb_listener_tls_policy = ResourceValidationPolicy(
    name="lb-listener-tls-policy",
    description="HTTPS and TLS listeners use a current security policy (TLS 1.2 or later), not the 2016-08 default; "
                "classic ELB SSL negotiation policies turn on no legacy protocol.",
    validate=as_built(ALL_LISTENERS + (CLASSIC_POLICY,), _validate_tls_policy),
    config_schema=TLS_SCHEMA,
    severity=Severity.MEDIUM,
    remediation_steps="Set ssl_policy='ELBSecurityPolicy-TLS13-1-2-2021-06' (or another allowed TLS 1.2+ policy) "
                      "on the listener.",
    **frameworks({"nist-800-53": "SC-8, SC-13", "pci-dss": "4.2.1", "hipaa": "164.312(e)(2)(ii)"}),
)


def _is_application(args: ResourceValidationArgs) -> Any:
    kind = get(args.props, "type" if args.resource_type == NATIVE_LOAD_BALANCER else "loadBalancerType")
    if is_unknown(kind):
        return None
    return kind is None or str(kind).lower() == "application"


def _validate_invalid_headers(args: ResourceValidationArgs, report: ReportViolation) -> None:
    if _is_application(args) is not True:
        return
    drop = as_bool(native_attribute(args.props, "routing.http.drop_invalid_header_fields.enabled")
                   if args.resource_type == NATIVE_LOAD_BALANCER else get(args.props, "dropInvalidHeaderFields"))
    if drop is not True and not is_unknown(drop):
        report(f"{describe(args)} routes requests with invalid HTTP header fields to its targets "
               "(dropInvalidHeaderFields is not true), which enables request smuggling")


lb_drop_invalid_headers = ResourceValidationPolicy(
    name="lb-drop-invalid-headers",
    description="Application load balancers drop invalid HTTP header fields.",
    validate=as_built(ALL_LOAD_BALANCERS, _validate_invalid_headers),
    severity=Severity.MEDIUM,
    remediation_steps="Set drop_invalid_header_fields=True on the aws.lb.LoadBalancer.",
    **frameworks({"nist-800-53": "SI-10", "pci-dss": "6.2.4"}),
)


def _validate_access_logs(args: ResourceValidationArgs, report: ReportViolation) -> None:
    if args.resource_type == NATIVE_LOAD_BALANCER:
        if get(args.props, "type") == "gateway":
            return
        enabled, bucket = (native_attribute(args.props, f"access_logs.s3.{key}") for key in ("enabled", "bucket"))
        if is_unknown(enabled) or is_unknown(bucket):
            return
        if as_bool(enabled) is not True or not bucket:
            report(f"{describe(args)} writes no access logs; set the loadBalancerAttributes access_logs.s3.enabled "
                   "'true' and access_logs.s3.bucket")
        return
    if args.resource_type != CLASSIC and get(args.props, "loadBalancerType") == "gateway":
        return  # gateway load balancers have no access logs
    logs = single(get(args.props, "accessLogs"))
    if is_unknown(logs):
        return
    logs = logs if isinstance(logs, dict) else {}
    enabled, bucket = logs.get("enabled"), logs.get("bucket")
    if is_unknown(enabled) or is_unknown(bucket):
        return
    # Classic ELB logs are on when the block is present unless enabled is false; ALB/NLB need enabled true.
    default = True if args.resource_type == CLASSIC else False
    flag = as_bool(enabled) if enabled is not None else (default if logs else False)
    if flag is not True or not bucket:
        report(f"{describe(args)} writes no access logs; set accessLogs with a bucket and enabled true")


lb_access_logs = ResourceValidationPolicy(
    name="lb-access-logs",
    description="Application, network and classic load balancers write access logs to a bucket.",
    validate=as_built(ALL_LOAD_BALANCERS + (CLASSIC,), _validate_access_logs),
    severity=Severity.MEDIUM,
    remediation_steps="Set access_logs={'bucket': <log bucket>, 'enabled': True} (the bucket's policy must let the "
                      "ELB log delivery service write).",
    **frameworks({"nist-800-53": "AU-2, AU-12", "pci-dss": "10.2.1", "hipaa": "164.312(b)"}),
)

INTERNAL_SCHEMA = config_schema(
    publicLoadBalancers={
        "type": "array", "items": {"type": "string"}, "default": [],
        "description": "Names (fnmatch patterns, matched against the resource's name and its name input) of load "
                       "balancers declared public: they may face the internet.",
    },
    publicTag={
        "type": "string", "default": "public",
        "description": "A tag that declares a load balancer public when its value is 'true'.",
    },
)


def _validate_internal(args: ResourceValidationArgs, report: ReportViolation) -> None:
    if args.resource_type == NATIVE_LOAD_BALANCER:
        scheme = get(args.props, "scheme", default="internet-facing")  # CloudFormation's default
        internal = scheme if is_unknown(scheme) else str(scheme).lower() == "internal"
    else:
        internal = as_bool(get(args.props, "internal"))
    if internal is True or is_unknown(internal):
        return
    config = policy_config(args, INTERNAL_SCHEMA)
    names = [n for n in (args.name, get(args.props, "name")) if isinstance(n, str) and n]
    if any(fnmatchcase(n, p) for n in names for p in config["publicLoadBalancers"] if isinstance(p, str)):
        return
    tags = resource_tags(args)
    if is_unknown(tags) or str((tags or {}).get(config["publicTag"], "")).lower() == "true":
        return
    report(f"{describe(args)} faces the internet (internal is not true) but is not declared public (tag "
           f"{config['publicTag']}=true or publicLoadBalancers)")


lb_internal_unless_declared_public = ResourceValidationPolicy(
    name="lb-internal-unless-declared-public",
    description="Load balancers are internal unless declared public (a tag or the publicLoadBalancers list).",
    validate=as_built(ALL_LOAD_BALANCERS + (CLASSIC,), _validate_internal),
    config_schema=INTERNAL_SCHEMA,
    severity=Severity.HIGH,
    remediation_steps="Set internal=True, or declare the load balancer public on purpose: tag it public=true (or "
                      "the configured tag) or list its name in publicLoadBalancers.",
    **frameworks({"nist-800-53": "SC-7, AC-4", "pci-dss": "1.4.1", "hipaa": "164.312(e)(1)"}),
)


SECURITY = [lb_listener_https, lb_listener_rule_https, lb_listener_tls_policy, lb_drop_invalid_headers, lb_internal_unless_declared_public]
PRIVACY: list = []
COMPLIANCE = [lb_access_logs]
