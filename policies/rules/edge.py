"""The edge in front of models and data: API Gateway stages log access and methods/routes require
authorization; CloudFront serves HTTPS only with TLS 1.2+; CloudTrail trails cover every region and
validate their log files; load balancers in prod have deletion protection; ECS clusters collect
Container Insights; Step Functions state machines log executions; Secrets Manager secrets rotate.

Inputs are pulumi-aws 7's: ``aws.apigateway.Stage``/``aws.apigatewayv2.Stage`` ``accessLogSettings``;
``aws.apigateway.Method`` ``authorization`` (``NONE``, ``CUSTOM``, ``AWS_IAM``, ``COGNITO_USER_POOLS``)
and ``apiKeyRequired``; ``aws.apigatewayv2.Route`` ``authorizationType`` (default ``NONE``);
``aws.apigateway.DomainName`` ``securityPolicy`` (``TLS_1_0`` or ``TLS_1_2``);
``aws.cloudfront.Distribution`` ``defaultCacheBehavior``/``orderedCacheBehaviors``
``viewerProtocolPolicy`` and ``viewerCertificate``; ``aws.cloudtrail.Trail`` ``isMultiRegionTrail`` and
``enableLogFileValidation`` (both default false); ``aws.lb.LoadBalancer`` ``enableDeletionProtection``;
``aws.ecs.Cluster`` ``settings`` (``containerInsights``).
"""

from __future__ import annotations

from typing import Any

from pulumi_policy import (
    ReportViolation,
    ResourceValidationArgs,
    ResourceValidationPolicy,
    Severity,
    StackValidationPolicy,
)

from policies.rules._components import as_built
from policies.rules._declare import applies_to, config_schema, examines, frameworks, policy_config
from policies.rules._index import ReferenceIndex, of_type
from policies.rules._props import UNKNOWN, as_bool, as_list, describe, get, is_unknown, single
from policies.rules.load_balancers import NATIVE_LOAD_BALANCER, native_attribute

REST_STAGE = "aws:apigateway/stage:Stage"
HTTP_STAGE = "aws:apigatewayv2/stage:Stage"
REST_METHOD = "aws:apigateway/method:Method"
HTTP_ROUTE = "aws:apigatewayv2/route:Route"
DOMAIN_NAME = "aws:apigateway/domainName:DomainName"
DISTRIBUTION = "aws:cloudfront/distribution:Distribution"
#: pulumi-aws-native's AWS::CloudFront::Distribution keeps everything in ``distributionConfig``: the same
#: defaultCacheBehavior, viewerCertificate (``cloudFrontDefaultCertificate``; absent: the default certificate),
#: webAclId and origins (named by ``id``), with ``cacheBehaviors`` and ``logging`` for pulumi-aws's
#: orderedCacheBehaviors and loggingConfig (pulumi-aws-native 1.84 cloudfront/_inputs.py). ``distribution_props``
#: reads it in pulumi-aws's shape, so one rule serves both.
NATIVE_DISTRIBUTION = "aws-native:cloudfront:Distribution"
DISTRIBUTIONS = (DISTRIBUTION, NATIVE_DISTRIBUTION)
_DISTRIBUTION_KEYS = ("defaultCacheBehavior", "orderedCacheBehaviors", "viewerCertificate", "webAclId", "origins",
                      "loggingConfig")


def distribution_props(resource: Any) -> Any:
    """A distribution's settings in pulumi-aws's names, whichever provider declared it."""
    if resource.resource_type != NATIVE_DISTRIBUTION:
        return resource.props
    config = get(resource.props, "distributionConfig")
    if is_unknown(config):
        return {key: UNKNOWN for key in _DISTRIBUTION_KEYS}
    if not isinstance(config, dict):
        return {}
    certificate = config.get("viewerCertificate")
    if isinstance(certificate, dict):
        certificate = {**certificate, "cloudfrontDefaultCertificate": certificate.get("cloudFrontDefaultCertificate")}
    elif certificate is None:
        certificate = {"cloudfrontDefaultCertificate": True}
    origins = config.get("origins")
    if isinstance(origins, list):
        origins = [{**o, "originId": o.get("id")} if isinstance(o, dict) else o for o in origins]
    return {"defaultCacheBehavior": config.get("defaultCacheBehavior"),
            "orderedCacheBehaviors": config.get("cacheBehaviors"), "viewerCertificate": certificate,
            "webAclId": config.get("webAclId"), "origins": origins, "loggingConfig": config.get("logging")}
TRAIL = "aws:cloudtrail/trail:Trail"
LOAD_BALANCERS = ("aws:lb/loadBalancer:LoadBalancer", "aws:alb/loadBalancer:LoadBalancer")
ECS_CLUSTER = "aws:ecs/cluster:Cluster"
STATE_MACHINE = "aws:sfn/stateMachine:StateMachine"
#: pulumi-aws-native (1.84): AWS::CloudTrail::Trail (the same IsMultiRegionTrail, EnableLogFileValidation),
#: AWS::ElasticLoadBalancingV2::LoadBalancer (the ``deletion_protection.enabled`` attribute), AWS::ECS::Cluster
#: (``clusterSettings [{name, value}]``), AWS::StepFunctions::StateMachine (the same LoggingConfiguration.Level),
#: AWS::SecretsManager::Secret and RotationSchedule (``secretId``).
TRAILS = (TRAIL, "aws-native:cloudtrail:Trail")
ECS_CLUSTERS = (ECS_CLUSTER, "aws-native:ecs:Cluster")
STATE_MACHINES = (STATE_MACHINE, "aws-native:stepfunctions:StateMachine")
SECRET = "aws:secretsmanager/secret:Secret"
SECRET_ROTATION = "aws:secretsmanager/secretRotation:SecretRotation"
NATIVE_SECRET = "aws-native:secretsmanager:Secret"
NATIVE_SECRET_ROTATION = "aws-native:secretsmanager:RotationSchedule"
#: pulumi-aws-native (1.84): AWS::ApiGateway::Stage ``accessLogSetting`` (singular), AWS::ApiGatewayV2::Stage
#: ``accessLogSettings``; AWS::ApiGateway::Method ``authorizationType`` (absent: NONE), ``httpMethod``,
#: ``apiKeyRequired``; AWS::ApiGatewayV2::Route ``authorizationType``; AWS::ApiGateway::DomainName ``securityPolicy``.
NATIVE_REST_STAGE = "aws-native:apigateway:Stage"
NATIVE_HTTP_STAGE = "aws-native:apigatewayv2:Stage"
NATIVE_REST_METHOD = "aws-native:apigateway:Method"
NATIVE_HTTP_ROUTE = "aws-native:apigatewayv2:Route"
NATIVE_DOMAIN_NAME = "aws-native:apigateway:DomainName"
V2_DOMAIN_NAMES = ("aws:apigatewayv2/domainName:DomainName", "aws-native:apigatewayv2:DomainName")


def _stage_logs(args: ResourceValidationArgs, report: ReportViolation) -> None:
    name = "accessLogSetting" if args.resource_type == NATIVE_REST_STAGE else "accessLogSettings"
    settings = single(get(args.props, name))
    destination = get(settings, "destinationArn") if isinstance(settings, dict) else None
    if is_unknown(settings) or is_unknown(destination) or destination:
        return
    report(f"{describe(args)} writes no access logs ({name}.destinationArn is not set)")


apigateway_stage_access_logs = ResourceValidationPolicy(
    name="apigateway-stage-access-logs",
    description="API Gateway stages (REST and HTTP/WebSocket) write access logs.",
    validate=applies_to((REST_STAGE, HTTP_STAGE, NATIVE_REST_STAGE, NATIVE_HTTP_STAGE), _stage_logs),
    severity=Severity.MEDIUM,
    remediation_steps="Set access_log_settings={'destination_arn': <log group ARN>, 'format': ...} on the stage, "
                      "into an encrypted log group with retention.",
    **frameworks({"nist-800-53": "AU-2, AU-12", "pci-dss": "10.2.1", "hipaa": "164.312(b)"}),
)

AUTH_SCHEMA = config_schema(
    publicRoutes={
        "type": "array", "items": {"type": "string"}, "default": [],
        "description": "Resource names (the program's names) of methods and routes that are public on purpose "
                       "(a health check, a CORS OPTIONS method).",
    },
)


def _authorization(args: ResourceValidationArgs, report: ReportViolation) -> None:
    if args.name in policy_config(args, AUTH_SCHEMA)["publicRoutes"]:
        return
    if args.resource_type in (REST_METHOD, NATIVE_REST_METHOD):
        kind = (get(args.props, "authorization") if args.resource_type == REST_METHOD
                else get(args.props, "authorizationType") or "NONE")
        method = get(args.props, "httpMethod")
        if isinstance(method, str) and method.upper() == "OPTIONS":
            return  # CORS preflight requests carry no credentials
        if as_bool(get(args.props, "apiKeyRequired")) is True:
            return
    else:
        kind = get(args.props, "authorizationType") or "NONE"
    if isinstance(kind, str) and not is_unknown(kind) and kind.upper() == "NONE":
        report(f"{describe(args)} lets anyone call it (authorization NONE, no API key)")


apigateway_authorization = ResourceValidationPolicy(
    name="apigateway-authorization",
    description="API Gateway methods and routes require authorization (IAM, Cognito, a Lambda or JWT authorizer, "
                "or an API key), unless listed as public.",
    validate=applies_to((REST_METHOD, HTTP_ROUTE, NATIVE_REST_METHOD, NATIVE_HTTP_ROUTE), _authorization),
    config_schema=AUTH_SCHEMA,
    severity=Severity.HIGH,
    remediation_steps="Set authorization='AWS_IAM' (or COGNITO_USER_POOLS/CUSTOM with an authorizer) on the method, "
                      "authorization_type='AWS_IAM' or 'JWT' on the route; list deliberate public endpoints in "
                      "publicRoutes.",
    **frameworks({"nist-800-53": "AC-3, IA-2", "pci-dss": "8.2.1", "hipaa": "164.312(d)", "gdpr": "Art. 32(1)(b)"}),
)


def _tls12_or_later(policy: str) -> bool:
    """A security policy of API Gateway (botocore's SecurityPolicy enums): ``TLS_1_2``, and the enhanced policies
    named for their minimum version (``SecurityPolicy_TLS12_2018_EDGE``, ``SecurityPolicy_TLS13_1_2_2021_06``);
    ``TLS_1_0`` is the old one."""
    upper = policy.upper()
    return upper.startswith("TLS_1_2") or "TLS12" in upper or "TLS13" in upper


def _domain_tls(args: ResourceValidationArgs, report: ReportViolation) -> None:
    if args.resource_type in V2_DOMAIN_NAMES:
        # HTTP and WebSocket APIs' domains: one configuration (pulumi-aws, securityPolicy required) or a list
        # (pulumi-aws-native, securityPolicy optional: an absent one is not judged). botocore's apigatewayv2
        # SecurityPolicy: TLS_1_0 or TLS_1_2, and a v2 domain name can map REST APIs too.
        props = args.props
        configurations = as_list(get(props, "domainNameConfiguration") or get(props, "domainNameConfigurations"))
        for index, configuration in enumerate(configurations if isinstance(configurations, list) else []):
            policy = get(configuration, "securityPolicy") if isinstance(configuration, dict) else None
            if isinstance(policy, str) and policy and not _tls12_or_later(policy):
                report(f"{describe(args)} accepts TLS older than 1.2 (domain name configuration #{index} "
                       f"securityPolicy {policy}); set it to TLS_1_2")
        return
    policy = get(args.props, "securityPolicy")
    if is_unknown(policy):
        return
    if not (isinstance(policy, str) and _tls12_or_later(policy)):
        shown = policy if policy else "not set (TLS_1_0 on REST APIs)"
        report(f"{describe(args)} accepts TLS older than 1.2 (securityPolicy {shown}); set it to TLS_1_2")


apigateway_domain_tls = ResourceValidationPolicy(
    name="apigateway-domain-tls",
    description="API Gateway custom domain names require TLS 1.2 or later.",
    validate=applies_to((DOMAIN_NAME, NATIVE_DOMAIN_NAME, *V2_DOMAIN_NAMES), _domain_tls),
    severity=Severity.MEDIUM,
    remediation_steps="Set security_policy='TLS_1_2' (or an enhanced TLS 1.2/1.3 policy) on the "
                      "aws.apigateway.DomainName, and domain_name_configuration.security_policy='TLS_1_2' on the "
                      "aws.apigatewayv2.DomainName.",
    **frameworks({"nist-800-53": "SC-8, SC-13", "pci-dss": "4.2.1", "hipaa": "164.312(e)(2)(ii)"}),
)


def _behaviors(props: Any) -> list[tuple[str, Any]]:
    found = [("defaultCacheBehavior", single(get(props, "defaultCacheBehavior")))]
    ordered = as_list(get(props, "orderedCacheBehaviors"))
    for index, behavior in enumerate(ordered if isinstance(ordered, list) else []):
        found.append((f"orderedCacheBehaviors[{index}] {get(behavior, 'pathPattern') or ''}".rstrip(), behavior))
    return found


def _https_viewers(args: ResourceValidationArgs, report: ReportViolation) -> None:
    for label, behavior in _behaviors(distribution_props(args)):
        policy = get(behavior, "viewerProtocolPolicy") if isinstance(behavior, dict) else None
        if isinstance(policy, str) and not is_unknown(policy) and policy.lower() == "allow-all":
            report(f"{describe(args)}: {label} serves plain HTTP to viewers (viewerProtocolPolicy allow-all); use "
                   "redirect-to-https or https-only")


cloudfront_https_only = ResourceValidationPolicy(
    name="cloudfront-https-only",
    description="CloudFront distributions serve viewers over HTTPS only (redirect-to-https or https-only).",
    validate=applies_to(DISTRIBUTIONS, _https_viewers),
    severity=Severity.HIGH,
    remediation_steps="Set viewer_protocol_policy='redirect-to-https' on default_cache_behavior and every "
                      "ordered_cache_behavior.",
    **frameworks({"nist-800-53": "SC-8", "pci-dss": "4.2.1", "hipaa": "164.312(e)(1)", "gdpr": "Art. 32(1)(a)"}),
)


def _viewer_tls(args: ResourceValidationArgs, report: ReportViolation) -> None:
    certificate = single(get(distribution_props(args), "viewerCertificate"))
    if is_unknown(certificate) or not isinstance(certificate, dict):
        return
    if as_bool(certificate.get("cloudfrontDefaultCertificate")) is True:
        report(f"{describe(args)} uses the *.cloudfront.net default certificate, which allows TLS 1.0; use an ACM "
               "certificate with minimumProtocolVersion TLSv1.2_2021")
        return
    version = certificate.get("minimumProtocolVersion")
    if is_unknown(version):
        return
    if not (isinstance(version, str) and version.startswith(("TLSv1.2", "TLSv1.3"))):
        report(f"{describe(args)} allows viewers TLS older than 1.2 (minimumProtocolVersion "
               f"{version or 'not set (TLSv1)'}); set it to TLSv1.2_2021")


cloudfront_tls_policy = ResourceValidationPolicy(
    name="cloudfront-tls-policy",
    description="CloudFront distributions require TLS 1.2 or later from viewers (an ACM certificate with a TLSv1.2 "
                "minimum protocol version).",
    validate=applies_to(DISTRIBUTIONS, _viewer_tls),
    severity=Severity.MEDIUM,
    remediation_steps="Set viewer_certificate={'acm_certificate_arn': ..., 'ssl_support_method': 'sni-only', "
                      "'minimum_protocol_version': 'TLSv1.2_2021'}.",
    **frameworks({"nist-800-53": "SC-8, SC-13", "pci-dss": "4.2.1", "hipaa": "164.312(e)(2)(ii)"}),
)


def _multi_region(args: ResourceValidationArgs, report: ReportViolation) -> None:
    flag = as_bool(get(args.props, "isMultiRegionTrail"))
    if flag is not True and not is_unknown(flag):
        report(f"{describe(args)} records one region only (isMultiRegionTrail is not true)")


cloudtrail_multi_region = ResourceValidationPolicy(
    name="cloudtrail-multi-region",
    description="CloudTrail trails record API activity in every region.",
    validate=as_built(TRAILS, _multi_region),
    severity=Severity.MEDIUM,
    remediation_steps="Set is_multi_region_trail=True (and include_global_service_events=True) on the trail.",
    **frameworks({"cis-aws": "3.1", "nist-800-53": "AU-2, AU-12", "pci-dss": "10.2.1", "hipaa": "164.312(b)"}),
)


def _log_validation(args: ResourceValidationArgs, report: ReportViolation) -> None:
    flag = as_bool(get(args.props, "enableLogFileValidation"))
    if flag is not True and not is_unknown(flag):
        report(f"{describe(args)} does not validate its log files (enableLogFileValidation is not true): a changed "
               "or deleted log file goes unnoticed")


cloudtrail_log_file_validation = ResourceValidationPolicy(
    name="cloudtrail-log-file-validation",
    description="CloudTrail trails validate their log files (digest files).",
    validate=as_built(TRAILS, _log_validation),
    severity=Severity.MEDIUM,
    remediation_steps="Set enable_log_file_validation=True on the trail.",
    **frameworks({"cis-aws": "3.2", "nist-800-53": "AU-9", "pci-dss": "10.3.4", "hipaa": "164.312(c)(1)"}),
)

LB_DELETION_SCHEMA = config_schema(
    requireDeletionProtection={
        "type": "boolean", "default": True,
        "description": "Require deletion protection on load balancers (judged as prod unless the configuration "
                       "says otherwise; dev and staging set false).",
    },
)


def _lb_deletion(args: ResourceValidationArgs, report: ReportViolation) -> None:
    if as_bool(policy_config(args, LB_DELETION_SCHEMA)["requireDeletionProtection"]) is False:
        return
    flag = as_bool(native_attribute(args.props, "deletion_protection.enabled")
                   if args.resource_type == NATIVE_LOAD_BALANCER else get(args.props, "enableDeletionProtection"))
    if flag is not True and not is_unknown(flag):
        report(f"{describe(args)} can be deleted by any change that replaces it (enableDeletionProtection is not "
               "true)")


lb_deletion_protection = ResourceValidationPolicy(
    name="lb-deletion-protection",
    description="Where required (prod), load balancers have deletion protection on.",
    validate=applies_to(LOAD_BALANCERS + (NATIVE_LOAD_BALANCER,), _lb_deletion),
    config_schema=LB_DELETION_SCHEMA,
    severity=Severity.LOW,
    remediation_steps="Set enable_deletion_protection=True on the aws.lb.LoadBalancer.",
    **frameworks({"nist-800-53": "CP-10, CM-3"}),
)


def _container_insights(args: ResourceValidationArgs, report: ReportViolation) -> None:
    settings = as_list(get(args.props, "clusterSettings" if args.resource_type != ECS_CLUSTER else "settings"))
    if is_unknown(settings):
        return
    for setting in settings if isinstance(settings, list) else []:
        if isinstance(setting, dict) and setting.get("name") == "containerInsights":
            value = setting.get("value")
            if is_unknown(value) or str(value).lower() in ("enabled", "enhanced"):
                return
    report(f"{describe(args)} collects no Container Insights (settings containerInsights is not enabled)")


ecs_cluster_container_insights = ResourceValidationPolicy(
    name="ecs-cluster-container-insights",
    description="ECS clusters collect Container Insights metrics and logs.",
    validate=applies_to(ECS_CLUSTERS, _container_insights),
    severity=Severity.LOW,
    remediation_steps="Set settings=[{'name': 'containerInsights', 'value': 'enabled'}] on the aws.ecs.Cluster.",
    **frameworks({"nist-800-53": "AU-12, SI-4"}),
)


def _state_machine_logs(args: ResourceValidationArgs, report: ReportViolation) -> None:
    logging = single(get(args.props, "loggingConfiguration"))
    if is_unknown(logging):
        return
    level = get(logging, "level") if isinstance(logging, dict) else None
    if is_unknown(level):
        return
    if not isinstance(level, str) or level.upper() == "OFF":
        report(f"{describe(args)} logs no execution history (loggingConfiguration.level is {level or 'not set (OFF)'})")


stepfunctions_logging = ResourceValidationPolicy(
    name="stepfunctions-logging",
    description="Step Functions state machines (ML pipelines) log their execution history.",
    validate=applies_to(STATE_MACHINES, _state_machine_logs),
    severity=Severity.MEDIUM,
    remediation_steps="Set logging_configuration={'level': 'ERROR' or 'ALL', 'include_execution_data': False, "
                      "'log_destination': '<log group ARN>:*'} on the state machine.",
    **frameworks({"nist-800-53": "AU-2, AU-12", "pci-dss": "10.2.1", "hipaa": "164.312(b)"}),
)


def _secret_rotation(args: Any, report: ReportViolation) -> None:
    rotations = ReferenceIndex(args.resources, (SECRET_ROTATION, NATIVE_SECRET_ROTATION), "secretId")
    for secret in of_type(args.resources, SECRET, NATIVE_SECRET):
        found = rotations.referrers(secret, ("id", "arn", "name", "awsId"))
        if not found:
            report(f"{describe(secret)} is never rotated (no aws.secretsmanager.SecretRotation for it)", secret.urn)


secret_rotation = StackValidationPolicy(
    name="secret-rotation",
    description="Every Secrets Manager secret has a rotation (an aws.secretsmanager.SecretRotation pointing at it).",
    validate=examines((SECRET, SECRET_ROTATION, NATIVE_SECRET, NATIVE_SECRET_ROTATION), _secret_rotation),
    severity=Severity.MEDIUM,
    remediation_steps="Add an aws.secretsmanager.SecretRotation with secret_id=secret.id, a rotation Lambda (or "
                      "a managed rotation) and rotation_rules.automatically_after_days; or let RDS manage the "
                      "master password (manage_master_user_password=True), which rotates it.",
    **frameworks({"nist-800-53": "IA-5(1)", "pci-dss": "8.3.9", "cis-aws": "1.14"}),
)


SECURITY = [apigateway_authorization, apigateway_domain_tls, cloudfront_https_only, cloudfront_tls_policy]
PRIVACY: list = []
COMPLIANCE = [apigateway_stage_access_logs, cloudtrail_multi_region, cloudtrail_log_file_validation,
              lb_deletion_protection, ecs_cluster_container_insights, stepfunctions_logging, secret_rotation]
