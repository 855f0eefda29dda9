"""Load balancer, ECS and Lambda rules: each from a compliant resource, one field changed to make it fail."""

from __future__ import annotations

import json

import pytest

from policies.rules.ecs import (
    TASK_DEFINITION,
    ecs_task_no_host_network,
    ecs_task_no_privileged_containers,
    ecs_task_non_root_user,
    ecs_task_read_only_root_filesystem,
)
from policies.rules.lambda_functions import FUNCTION, lambda_environment_cmk, lambda_in_vpc_when_reaching_data
from policies.rules.load_balancers import (
    CLASSIC,
    lb_access_logs,
    lb_drop_invalid_headers,
    lb_internal_unless_declared_public,
    lb_listener_https,
    lb_listener_rule_https,
    lb_listener_tls_policy,
)
from policy_helpers import UNKNOWN, resource_args, stack_args, stack_resource, violations
from sdk_inputs import assert_inputs_in_sdk

LB = "aws:lb/loadBalancer:LoadBalancer"
LISTENER = "aws:lb/listener:Listener"
KEY = "arn:aws:kms:us-east-1:123456789012:key/abc"
ALB = {"internal": True, "loadBalancerType": "application", "dropInvalidHeaderFields": True,
       "accessLogs": {"bucket": "logs", "enabled": True}}
HTTPS = {"protocol": "HTTPS", "port": 443, "sslPolicy": "ELBSecurityPolicy-TLS13-1-2-2021-06"}
REDIRECT = {"protocol": "HTTP", "port": 80,
            "defaultActions": [{"type": "redirect", "redirect": {"protocol": "HTTPS", "port": "443"}}]}


def found(policy, type_, props, config=None, **kwargs):
    return violations(policy, resource_args(type_, props, config, name="web", **kwargs))


@pytest.mark.parametrize("policy", [lb_listener_https, lb_listener_tls_policy, lb_drop_invalid_headers,
                                    lb_access_logs, lb_internal_unless_declared_public], ids=lambda p: p.name)
def test_compliant_load_balancers_pass(policy):
    assert found(policy, LB, ALB) == []
    assert found(policy, LISTENER, HTTPS) == []
    assert found(policy, LISTENER, REDIRECT) == []


def test_plain_http_listeners_fail():
    assert found(lb_listener_https, LISTENER, {**REDIRECT, "defaultActions": [{"type": "forward"}]}) == [
        f"{LISTENER} 'web' serves plain HTTP on port 80; make it HTTPS, or make its default action a redirect to HTTPS"]
    # Without a protocol (or certificate), an application load balancer's listener serves HTTP.
    assert len(found(lb_listener_https, LISTENER, {"port": 80, "defaultActions": [{"type": "forward"}]})) == 1
    assert found(lb_listener_https, LISTENER, {"port": 443, "certificateArn": "arn:cert"}) == []
    classic = {"listeners": [{"lbProtocol": "http", "lbPort": 80, "instanceProtocol": "http", "instancePort": 8080}]}
    assert len(found(lb_listener_https, CLASSIC, classic)) == 1


def test_plain_http_messages_name_the_port_as_written():
    # The engine's protobuf values carry every number as a float (80.0); an unknown port is left out.
    assert "on port 80;" in found(lb_listener_https, LISTENER, {"protocol": "HTTP", "port": 80.0})[0]
    assert " on port" not in found(lb_listener_https, LISTENER, {"protocol": "HTTP"})[0]
    classic = {"listeners": [{"lbProtocol": "HTTP", "lbPort": 80.0}]}
    assert "listener on port 80 serves" in found(lb_listener_https, CLASSIC, classic)[0]


LISTENER_ARN = "arn:aws:elasticloadbalancing:us-east-1:123456789012:listener/app/web/50dc6c495c0c9188/f2f7dc8efc522ab2"


def _rule_findings(listener: dict, actions, listener_type=LISTENER, rule_type="aws:alb/listenerRule:ListenerRule",
                   **rule_props):
    rule = {"listenerArn": LISTENER_ARN, "priority": 10, "actions": actions, **rule_props}
    resources = [stack_resource(listener_type, {"arn": LISTENER_ARN, **listener}, name="http"),
                 stack_resource(rule_type, rule, name="rank")]
    return violations(lb_listener_rule_https, stack_args(resources))


def test_a_rule_that_forwards_on_a_plain_http_listener_fails():
    # pulumi-aws 7 lb/listener_rule.py (alb alias): listener_arn and actions, shaped as a listener's default actions.
    # The listener redirects by default, so lb-listener-https passes it; the rule still serves /rank/* over HTTP.
    for type_ in ("aws:lb/listenerRule:ListenerRule", "aws:alb/listenerRule:ListenerRule"):
        assert_inputs_in_sdk(type_, ("listenerArn",))
        assert_inputs_in_sdk(type_, ("actions", "redirect", "protocol"))
    forward = [{"type": "forward", "targetGroupArn": "arn:tg"}]
    assert _rule_findings(REDIRECT, forward) == [
        "ListenerRule 'rank' on the plain-HTTP listener 'http' on port 80 serves its requests over HTTP (its action "
        "is not a redirect to HTTPS); attach it to an HTTPS listener"]
    assert len(_rule_findings({"port": 80}, [{"type": "fixed-response"}])) == 1  # protocol absent: HTTP
    assert len(_rule_findings(REDIRECT, forward, rule_type="aws:lb/listenerRule:ListenerRule")) == 1


def test_rules_on_https_listeners_and_redirecting_rules_pass():
    forward = [{"type": "forward", "targetGroupArn": "arn:tg"}]
    assert _rule_findings(HTTPS, forward) == []
    assert _rule_findings(REDIRECT, [{"type": "redirect", "redirect": {"protocol": "HTTPS", "port": "443"}}]) == []
    assert _rule_findings(REDIRECT, UNKNOWN) == []
    assert _rule_findings({**REDIRECT, "protocol": UNKNOWN}, forward) == []
    # A rule of another listener is not this one's.
    assert _rule_findings(REDIRECT, forward, listenerArn=LISTENER_ARN.replace("f2f7", "0000")) == []


def test_a_native_rule_on_a_native_http_listener_fails():
    native = "aws-native:elasticloadbalancingv2:ListenerRule"
    assert_inputs_in_sdk(native, ("listenerArn",))
    assert_inputs_in_sdk(native, ("actions", "redirectConfig", "protocol"))
    listener = {"protocol": "HTTP", "port": 80, "listenerArn": LISTENER_ARN,
                "defaultActions": [{"type": "redirect", "redirectConfig": {"protocol": "HTTPS"}}]}
    assert len(_rule_findings(listener, [{"type": "forward"}], listener_type="aws-native:elasticloadbalancingv2:Listener",
                              rule_type=native)) == 1
    assert _rule_findings(listener, [{"type": "redirect", "redirectConfig": {"protocol": "HTTPS"}}],
                          listener_type="aws-native:elasticloadbalancingv2:Listener", rule_type=native) == []


def test_old_or_default_tls_policies_fail():
    assert found(lb_listener_tls_policy, LISTENER, {**HTTPS, "sslPolicy": "ELBSecurityPolicy-TLS-1-1-2017-01"}) == [
        f"{LISTENER} 'web' uses sslPolicy ELBSecurityPolicy-TLS-1-1-2017-01, which is not a current TLS 1.2+ policy; "
        "use e.g. ELBSecurityPolicy-TLS13-1-2-2021-06"]
    [message] = found(lb_listener_tls_policy, LISTENER, {"protocol": "TLS", "port": 443})
    assert "sslPolicy not set (defaults to ELBSecurityPolicy-2016-08)" in message


AWSX_ALB = "awsx:lb:ApplicationLoadBalancer"
#: awsx's ApplicationLoadBalancer as a program gives it: the load balancer's own inputs (minus its type) and listeners.
AWSX = {k: v for k, v in ALB.items() if k != "loadBalancerType"} | {"subnetIds": ["subnet-1"], "listener": HTTPS}


@pytest.mark.parametrize("policy", [lb_listener_https, lb_listener_tls_policy, lb_drop_invalid_headers,
                                    lb_access_logs, lb_internal_unless_declared_public], ids=lambda p: p.name)
def test_a_compliant_awsx_load_balancer_passes(policy):
    assert found(policy, AWSX_ALB, AWSX) == []
    assert found(policy, AWSX_ALB, {**{k: v for k, v in AWSX.items() if k != "listener"},
                                    "listeners": [HTTPS, REDIRECT]}) == []


def test_awsx_load_balancer_listeners_are_the_ones_it_creates():
    # awsx/lb/applicationLoadBalancer.ts: no listener given is one HTTP listener on port 80 forwarding to
    # the default target group; a port alone picks the protocol (443 HTTPS, else HTTP).
    without = {k: v for k, v in AWSX.items() if k != "listener"}
    [message] = found(lb_listener_https, AWSX_ALB, without)
    assert message == (f"{AWSX_ALB} 'web' (its listener #0) serves plain HTTP on port 80; make it HTTPS, or make its "
                       "default action a redirect to HTTPS (on the component: input listener (none given: awsx makes "
                       "this one))")
    assert len(found(lb_listener_https, AWSX_ALB, {**without, "listener": {"port": 8080}})) == 1
    assert found(lb_listener_https, AWSX_ALB, {**without, "listener": {"port": 443, "certificateArn": "arn:c",
                                                                       "sslPolicy": HTTPS["sslPolicy"]}}) == []
    # An HTTPS listener the component creates keeps the listener's 2016-08 default policy unless set.
    [weak] = found(lb_listener_tls_policy, AWSX_ALB, {**without, "listener": {"port": 443, "certificateArn": "arn:c"}})
    assert "(its listener #0) uses sslPolicy not set (defaults to ELBSecurityPolicy-2016-08)" in weak
    assert found(lb_listener_https, AWSX_ALB, {**without, "listener": UNKNOWN}) == []
    assert found(lb_listener_https, AWSX_ALB, {**without, "listener": {"port": UNKNOWN}}) == []
    # The load balancer's own settings, which the component passes on: public, no logs, invalid headers.
    assert len(found(lb_internal_unless_declared_public, AWSX_ALB, {**AWSX, "internal": False})) == 1
    assert len(found(lb_access_logs, AWSX_ALB, {k: v for k, v in AWSX.items() if k != "accessLogs"})) == 1
    assert len(found(lb_drop_invalid_headers, AWSX_ALB, {**AWSX, "dropInvalidHeaderFields": False})) == 1


def test_the_awsx_load_balancer_inputs_read_are_its_sdks():
    awsx_lb = pytest.importorskip("pulumi_awsx.lb")
    import inspect

    taken = {"".join(w.capitalize() if i else w for i, w in enumerate(name.split("_")))
             for name in inspect.signature(awsx_lb.ApplicationLoadBalancerArgs.__init__).parameters}
    assert set(AWSX) | {"listeners"} <= taken


def test_load_balancer_settings_fail_one_at_a_time():
    assert found(lb_drop_invalid_headers, LB, {**ALB, "dropInvalidHeaderFields": False}) == [
        f"{LB} 'web' routes requests with invalid HTTP header fields to its targets (dropInvalidHeaderFields is not "
        "true), which enables request smuggling"]
    assert found(lb_drop_invalid_headers, LB, {"loadBalancerType": "network"}) == []
    assert found(lb_access_logs, LB, {**ALB, "accessLogs": {"bucket": "logs", "enabled": False}}) == [
        f"{LB} 'web' writes no access logs; set accessLogs with a bucket and enabled true"]
    assert found(lb_access_logs, CLASSIC, {"accessLogs": {"bucket": "logs"}}) == []
    public = {**ALB, "internal": False}
    assert found(lb_internal_unless_declared_public, LB, public) == [
        f"{LB} 'web' faces the internet (internal is not true) but is not declared public (tag public=true or "
        "publicLoadBalancers)"]
    assert found(lb_internal_unless_declared_public, LB, {**public, "tags": {"public": "true"}}) == []
    assert found(lb_internal_unless_declared_public, LB, public, {"publicLoadBalancers": ["we*"]}) == []


CONTAINER = {"name": "app", "image": "app:1.0", "user": "1000:1000", "readonlyRootFilesystem": True,
             "privileged": False}


def task(**changes) -> dict:
    return {"networkMode": "awsvpc", "containerDefinitions": json.dumps([{**CONTAINER, **changes}])}


@pytest.mark.parametrize("policy", [ecs_task_no_privileged_containers, ecs_task_non_root_user,
                                    ecs_task_read_only_root_filesystem, ecs_task_no_host_network],
                         ids=lambda p: p.name)
def test_compliant_task_definition_passes(policy):
    assert found(policy, TASK_DEFINITION, task()) == []
    assert found(policy, TASK_DEFINITION, {"containerDefinitions": UNKNOWN}) == []
    assert found(policy, TASK_DEFINITION, {"containerDefinitions": "{not json"}) == []


def test_task_definition_settings_fail_one_at_a_time():
    assert found(ecs_task_no_privileged_containers, TASK_DEFINITION, task(privileged=True)) == [
        f"{TASK_DEFINITION} 'web': container 'app' is privileged (root on the host)"]
    assert found(ecs_task_non_root_user, TASK_DEFINITION, task(user="0:0")) == [
        f"{TASK_DEFINITION} 'web': container 'app' runs as root (user '0:0')"]
    [message] = found(ecs_task_non_root_user, TASK_DEFINITION, task(user=None))
    assert "sets no user" in message
    assert found(ecs_task_read_only_root_filesystem, TASK_DEFINITION, task(readonlyRootFilesystem=False)) == [
        f"{TASK_DEFINITION} 'web': container 'app' can write to its root filesystem (readonlyRootFilesystem is not "
        "true)"]
    assert len(found(ecs_task_no_host_network, TASK_DEFINITION, {**task(), "networkMode": "host"})) == 1


def test_lambda_environment_needs_a_customer_key():
    props = {"environment": {"variables": {"STAGE": "prod"}}, "kmsKeyArn": KEY}
    assert found(lambda_environment_cmk, FUNCTION, props) == []
    assert found(lambda_environment_cmk, FUNCTION, {"kmsKeyArn": None}) == []  # no variables, nothing to encrypt
    assert found(lambda_environment_cmk, FUNCTION, {**props, "kmsKeyArn": None}) == [
        f"{FUNCTION} 'web' encrypts its 1 environment variable(s) with the AWS-managed key aws/lambda (kmsKeyArn is "
        "not set); set kmsKeyArn to a customer-managed key"]


def test_lambda_reaching_a_vpc_store_runs_in_the_vpc():
    db = stack_resource("aws:rds/instance:Instance", {"address": "db.abc.us-east-1.rds.amazonaws.com"}, name="db")
    in_vpc = {"vpcConfig": {"subnetIds": ["subnet-1"], "securityGroupIds": ["sg-1"]},
              "environment": {"variables": {"DB_HOST": "db.abc.us-east-1.rds.amazonaws.com"}}}
    function = stack_resource(FUNCTION, in_vpc, name="fn")
    assert violations(lambda_in_vpc_when_reaching_data, stack_args([db, function])) == []
    outside = stack_resource(FUNCTION, {**in_vpc, "vpcConfig": None}, name="fn")
    assert violations(lambda_in_vpc_when_reaching_data, stack_args([db, outside])) == [
        "Lambda function 'fn' reaches db.abc.us-east-1.rds.amazonaws.com (environment variable DB_HOST), which lives "
        "in a VPC, but has no vpcConfig: the store must then be reachable from the internet"]
    by_dependency = stack_resource(FUNCTION, {"environment": {"variables": {"DB": "x"}}}, name="fn",
                                   property_dependencies={"environment": [db.urn]})
    [message] = violations(lambda_in_vpc_when_reaching_data, stack_args([db, by_dependency]))
    assert "reaches the RDS DB instance 'db'" in message
    plain_fn = stack_resource(FUNCTION, {"environment": {"variables": {"BUCKET": "data"}}}, name="fn")
    assert violations(lambda_in_vpc_when_reaching_data, stack_args([plain_fn])) == []


def test_lambda_runtime_url_and_permissions():
    from policies.rules.lambda_functions import (FUNCTION_URL, PERMISSION, lambda_function_url_auth,
                                                 lambda_permission_restricted, lambda_supported_runtime)
    assert found(lambda_supported_runtime, FUNCTION, {"runtime": "python3.12"}) == []
    assert found(lambda_supported_runtime, FUNCTION, {"runtime": "nodejs16.x"}) == [
        f"{FUNCTION} 'web' runs on nodejs16.x, a deprecated runtime that no longer gets security patches"]
    assert found(lambda_supported_runtime, FUNCTION, {"runtime": "nodejs16.x"}, {"deprecatedRuntimes": []}) == []
    # The first runtimes, which botocore's lambda Runtime enum still lists, and nodejs20.x (deprecated 2026-04-30)
    # are reported; the current ones of that enum are not.
    for runtime in ("nodejs", "nodejs4.3-edge", "nodejs8.10", "dotnetcore1.0", "nodejs20.x"):
        assert len(found(lambda_supported_runtime, FUNCTION, {"runtime": runtime})) == 1, runtime
    for runtime in ("nodejs22.x", "nodejs24.x", "python3.13", "python3.14", "java21", "dotnet8", "provided.al2023"):
        assert found(lambda_supported_runtime, FUNCTION, {"runtime": runtime}) == [], runtime
    assert len(found(lambda_function_url_auth, FUNCTION_URL, {"authorizationType": "NONE"})) == 1
    assert found(lambda_function_url_auth, FUNCTION_URL, {"authorizationType": "AWS_IAM"}) == []
    assert len(found(lambda_permission_restricted, PERMISSION, {"principal": "*"})) == 1
    assert found(lambda_permission_restricted, PERMISSION, {"principal": "*", "principalOrgId": "o-1"}) == []
    assert found(lambda_permission_restricted, PERMISSION, {"principal": "events.amazonaws.com",
                                                            "sourceArn": "arn:aws:events:::rule/x"}) == []
    assert found(lambda_permission_restricted, PERMISSION, {"principal": "123456789012"}) == []


def test_ecs_services_and_efs_volumes():
    from policies.rules.ecs import SERVICE, ecs_service_no_public_ip, ecs_task_efs_transit_encryption
    assert len(found(ecs_service_no_public_ip, SERVICE, {"networkConfiguration": {"assignPublicIp": True}})) == 1
    assert found(ecs_service_no_public_ip, SERVICE, {"networkConfiguration": {"assignPublicIp": False}}) == []
    volume = {"name": "models", "efsVolumeConfiguration": {"fileSystemId": "fs-1"}}
    assert found(ecs_task_efs_transit_encryption, TASK_DEFINITION, {**task(), "volumes": [volume]}) == [
        f"{TASK_DEFINITION} 'web': volume 'models' mounts EFS without TLS (transitEncryption is not set (DISABLED))"]
