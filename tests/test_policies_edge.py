"""API Gateway, CloudFront, CloudTrail, load-balancer deletion and ECS cluster rules; the foreign
programs (tests/foreign.py, test_policies_foreign.py) hold the compliant-twin cases, these the edges."""

from __future__ import annotations

from policies.rules.edge import (
    apigateway_authorization,
    apigateway_domain_tls,
    apigateway_stage_access_logs,
    cloudfront_https_only,
    cloudfront_tls_policy,
    cloudtrail_multi_region,
    ecs_cluster_container_insights,
    lb_deletion_protection,
    secret_rotation,
    stepfunctions_logging,
)
from policy_helpers import UNKNOWN, resource_args, stack_args, stack_resource, violations

METHOD = "aws:apigateway/method:Method"
ROUTE = "aws:apigatewayv2/route:Route"
CF = "aws:cloudfront/distribution:Distribution"


def found(policy, type_, props, config=None, name="api"):
    return violations(policy, resource_args(type_, props, config, name=name))


def test_open_methods_fail_unless_preflight_api_key_or_listed():
    assert found(apigateway_authorization, METHOD, {"authorization": "NONE", "httpMethod": "GET"}) == [
        f"{METHOD} 'api' lets anyone call it (authorization NONE, no API key)"]
    assert found(apigateway_authorization, METHOD, {"authorization": "NONE", "httpMethod": "OPTIONS"}) == []
    assert found(apigateway_authorization, METHOD, {"authorization": "NONE", "apiKeyRequired": True}) == []
    assert found(apigateway_authorization, METHOD, {"authorization": "NONE"}, {"publicRoutes": ["health"]},
                 name="health") == []
    assert len(found(apigateway_authorization, ROUTE, {"routeKey": "GET /"})) == 1  # NONE by default
    assert found(apigateway_authorization, ROUTE, {"authorizationType": UNKNOWN}) == []


def test_stage_logs_domain_tls_and_cloudfront():
    assert len(found(apigateway_stage_access_logs, "aws:apigatewayv2/stage:Stage", {"name": "$default"})) == 1
    assert found(apigateway_stage_access_logs, "aws:apigateway/stage:Stage", {"accessLogSettings": UNKNOWN}) == []
    [message] = found(apigateway_domain_tls, "aws:apigateway/domainName:DomainName", {})
    assert "securityPolicy not set (TLS_1_0 on REST APIs)" in message
    ordered = {"defaultCacheBehavior": {"viewerProtocolPolicy": "https-only"},
               "orderedCacheBehaviors": [{"pathPattern": "/img/*", "viewerProtocolPolicy": "allow-all"}]}
    assert found(cloudfront_https_only, CF, ordered) == [
        f"{CF} 'api': orderedCacheBehaviors[0] /img/* serves plain HTTP to viewers (viewerProtocolPolicy allow-all); "
        "use redirect-to-https or https-only"]
    [message] = found(cloudfront_tls_policy, CF, {"viewerCertificate": {"cloudfrontDefaultCertificate": True}})
    assert "default certificate, which allows TLS 1.0" in message
    assert len(found(cloudfront_tls_policy, CF, {"viewerCertificate": {"acmCertificateArn": "a",
                                                                       "minimumProtocolVersion": "TLSv1"}})) == 1


def test_domain_tls_reads_the_enhanced_policies_and_http_api_domains():
    rest = "aws:apigateway/domainName:DomainName"
    # botocore's apigateway SecurityPolicy: the enhanced policies are named for their minimum TLS version.
    for policy in ("TLS_1_2", "SecurityPolicy_TLS12_2018_EDGE", "SecurityPolicy_TLS12_PFS_2025_EDGE",
                   "SecurityPolicy_TLS13_1_2_2021_06", "SecurityPolicy_TLS13_1_3_2025_09"):
        assert found(apigateway_domain_tls, rest, {"securityPolicy": policy}) == [], policy
    assert len(found(apigateway_domain_tls, rest, {"securityPolicy": "TLS_1_0"})) == 1
    # HTTP and WebSocket APIs' domains (botocore's apigatewayv2 SecurityPolicy: TLS_1_0, TLS_1_2).
    v2 = "aws:apigatewayv2/domainName:DomainName"
    configuration = {"certificateArn": "arn:aws:acm:us-east-1:123456789012:certificate/1", "endpointType": "REGIONAL"}
    assert found(apigateway_domain_tls, v2, {"domainNameConfiguration": {**configuration,
                                                                          "securityPolicy": "TLS_1_2"}}) == []
    assert found(apigateway_domain_tls, v2, {"domainNameConfiguration": {**configuration,
                                                                          "securityPolicy": "TLS_1_0"}}) == [
        f"{v2} 'api' accepts TLS older than 1.2 (domain name configuration #0 securityPolicy TLS_1_0); set it to "
        "TLS_1_2"]
    native = "aws-native:apigatewayv2:DomainName"
    assert found(apigateway_domain_tls, native, {"domainNameConfigurations": [configuration]}) == []  # not judged
    assert len(found(apigateway_domain_tls, native, {"domainNameConfigurations": [
        {**configuration, "securityPolicy": "TLS_1_2"}, {**configuration, "securityPolicy": "TLS_1_0"}]})) == 1
    assert found(apigateway_domain_tls, v2, {"domainNameConfiguration": UNKNOWN}) == []


def test_trails_load_balancers_and_clusters():
    assert len(found(cloudtrail_multi_region, "aws:cloudtrail/trail:Trail", {})) == 1
    lb = "aws:lb/loadBalancer:LoadBalancer"
    assert len(found(lb_deletion_protection, lb, {})) == 1
    assert found(lb_deletion_protection, lb, {}, {"requireDeletionProtection": False}) == []
    cluster = "aws:ecs/cluster:Cluster"
    assert found(ecs_cluster_container_insights, cluster, {"settings": [{"name": "containerInsights",
                                                                          "value": "enhanced"}]}) == []
    assert len(found(ecs_cluster_container_insights, cluster, {})) == 1


def test_state_machines_log_and_secrets_rotate():
    machine = "aws:sfn/stateMachine:StateMachine"
    assert found(stepfunctions_logging, machine, {"loggingConfiguration": {"level": "ERROR"}}) == []
    assert found(stepfunctions_logging, machine, {}) == [
        f"{machine} 'api' logs no execution history (loggingConfiguration.level is not set (OFF))"]
    secret = stack_resource("aws:secretsmanager/secret:Secret", {"id": "s-1", "arn": "arn:s-1"}, name="db")
    rotation = stack_resource("aws:secretsmanager/secretRotation:SecretRotation", {"secretId": "arn:s-1"}, name="rot")
    assert violations(secret_rotation, stack_args([secret, rotation])) == []
    by_dependency = stack_resource("aws:secretsmanager/secretRotation:SecretRotation", {"secretId": UNKNOWN},
                                   name="rot", property_dependencies={"secretId": [secret.urn]})
    assert violations(secret_rotation, stack_args([secret, by_dependency])) == []
    assert violations(secret_rotation, stack_args([secret])) == [
        "aws:secretsmanager/secret:Secret 'db' is never rotated (no aws.secretsmanager.SecretRotation for it)"]


def _enum(service: str, shape: str) -> list[str]:
    import botocore.session

    return botocore.session.get_session().get_service_model(service).shape_for(shape).enum


def test_domain_tls_against_botocores_security_policy_enums():
    # Every value API Gateway takes is judged by what it names: TLS_1_0 is reported, every TLS 1.2/1.3 one passes.
    rest, v2 = "aws:apigateway/domainName:DomainName", "aws:apigatewayv2/domainName:DomainName"
    for policy in _enum("apigateway", "SecurityPolicy"):
        assert bool(found(apigateway_domain_tls, rest, {"securityPolicy": policy})) == (policy == "TLS_1_0"), policy
    for policy in _enum("apigatewayv2", "SecurityPolicy"):
        props = {"domainNameConfiguration": {"securityPolicy": policy}}
        assert bool(found(apigateway_domain_tls, v2, props)) == (policy == "TLS_1_0"), policy
