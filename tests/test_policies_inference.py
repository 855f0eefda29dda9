"""Inference rules: each from a compliant example, one field changed to make it fail."""

from __future__ import annotations

import copy

import pytest

from policies.rules import inference, sagemaker
from policy_helpers import UNKNOWN, resource_args, violations

KEY = "arn:aws:kms:us-east-1:123456789012:key/abc"
CONFIG = {
    "kmsKeyArn": KEY,
    "productionVariants": [{"variantName": "primary", "modelName": "m", "instanceType": "ml.c6i.xlarge",
                            "initialInstanceCount": 2.0}],
    "dataCaptureConfig": {"enableCapture": True, "initialSamplingPercentage": 20.0, "kmsKeyId": KEY,
                          "destinationS3Uri": "s3://capture/ep",
                          "captureOptions": [{"captureMode": "Input"}, {"captureMode": "Output"}]},
    "asyncInferenceConfig": {"outputConfig": {"s3OutputPath": "s3://out/ep", "kmsKeyId": KEY}},
}
MODEL = {"executionRoleArn": "arn:aws:iam::123456789012:role/x", "enableNetworkIsolation": True,
         "primaryContainer": {"modelPackageName": "arn:aws:sagemaker:us-east-1:123456789012:model-package/g/1"},
         "vpcConfig": {"subnets": ["subnet-1", "subnet-2"], "securityGroupIds": ["sg-1"]}}
ENDPOINT = {"endpointConfigName": "cfg", "deploymentConfig": {
    "blueGreenUpdatePolicy": {"trafficRoutingConfiguration": {"type": "ALL_AT_ONCE", "waitIntervalInSeconds": 300.0}},
    "autoRollbackConfiguration": {"alarms": [{"alarmName": "ep-5xx"}, {"alarmName": "ep-latency"}]}}}
TARGET = {"serviceNamespace": "sagemaker", "scalableDimension": "sagemaker:variant:DesiredInstanceCount",
          "resourceId": "endpoint/ep/variant/primary", "minCapacity": 2.0, "maxCapacity": 8.0}
PROD_CAPACITY = {"minInstanceCount": 2.0, "maxInstanceCount": 10.0, "allowedInstanceTypes": ["ml.c6i.*", "ml.g5.*"]}


CAPACITY = [inference.sagemaker_endpoint_instance_types, inference.sagemaker_endpoint_min_instances,
            inference.sagemaker_endpoint_max_instances]


def changed(base, path, value):
    """A deep copy of ``base`` with the value at ``path`` replaced (or removed when ``value`` is ...)."""
    result = copy.deepcopy(base)
    node = result
    for step in path[:-1]:
        node = node[step]
    if value is ...:
        del node[path[-1]]
    else:
        node[path[-1]] = value
    return result


def check(policy, type_, props, config=None):
    return violations(policy, resource_args(type_, props, config))


def test_compliant_examples_pass_every_rule():
    for policy, type_, props, config in [
        (inference.sagemaker_endpoint_config_cmk, inference.ENDPOINT_CONFIG, CONFIG, None),
        (inference.sagemaker_endpoint_no_ssm_access, inference.ENDPOINT_CONFIG, CONFIG, None),
        (sagemaker.sagemaker_network_isolation, inference.MODEL, MODEL, None),
        (sagemaker.sagemaker_vpc_config, inference.MODEL, MODEL, None),
        (sagemaker.sagemaker_output_cmk, inference.ENDPOINT_CONFIG, CONFIG, None),
        (inference.sagemaker_data_capture_encrypted, inference.ENDPOINT_CONFIG, CONFIG, None),
        (inference.sagemaker_data_capture_enabled, inference.ENDPOINT_CONFIG, CONFIG, {"requireDataCapture": True}),
        *((policy, type_, props, PROD_CAPACITY) for policy in CAPACITY
          for type_, props in ((inference.ENDPOINT_CONFIG, CONFIG), (inference.SCALABLE_TARGET, TARGET))),
        (inference.sagemaker_endpoint_auto_rollback, inference.ENDPOINT, ENDPOINT, {"requireAutoRollback": True}),
    ]:
        assert check(policy, type_, props, config) == [], policy.name


def test_endpoint_config_without_cmk():
    [message] = check(inference.sagemaker_endpoint_config_cmk, inference.ENDPOINT_CONFIG,
                      changed(CONFIG, ("kmsKeyArn",), ...))
    assert "variant(s) primary store model and data on volumes without a customer-managed key" in message


@pytest.mark.parametrize("type_", [inference.ENDPOINT_CONFIG, inference.NATIVE_ENDPOINT_CONFIG])
def test_ssm_access_to_a_production_or_shadow_variant_is_reported(type_):
    shadow = {"variantName": "candidate", "modelName": "m2", "instanceType": "ml.c6i.xlarge", "enableSsmAccess": True}
    props = changed(CONFIG, ("productionVariants", 0, "enableSsmAccess"), True)
    props["shadowProductionVariants"] = [shadow]
    assert check(inference.sagemaker_endpoint_no_ssm_access, type_, props) == [
        f"{type_} 'subject': productionVariants 'primary' sets enableSsmAccess: anyone allowed to start an SSM "
        "session gets a shell in the container that holds the model and every request's data; leave it unset "
        "(false)",
        f"{type_} 'subject': shadowProductionVariants 'candidate' sets enableSsmAccess: anyone allowed to start an "
        "SSM session gets a shell in the container that holds the model and every request's data; leave it unset "
        "(false)"]
    for value in (False, UNKNOWN):
        assert check(inference.sagemaker_endpoint_no_ssm_access, type_,
                     changed(CONFIG, ("productionVariants", 0, "enableSsmAccess"), value)) == []


def test_async_results_without_cmk_break_the_output_rule_only():
    props = changed(CONFIG, ("asyncInferenceConfig", "outputConfig", "kmsKeyId"), ...)
    assert check(inference.sagemaker_endpoint_config_cmk, inference.ENDPOINT_CONFIG, props) == []
    assert check(sagemaker.sagemaker_output_cmk, inference.ENDPOINT_CONFIG, props) == [
        f"{inference.ENDPOINT_CONFIG} 'subject' asyncInferenceConfig.outputConfig: writes its output to S3 with the "
        "AWS-managed key; set kmsKeyId to a customer-managed KMS key"]


@pytest.mark.parametrize("variant", [
    {"variantName": "primary", "instanceType": "ml.g5.xlarge", "initialInstanceCount": 2.0},   # local NVMe
    {"variantName": "primary", "serverlessConfig": {"memorySizeInMb": 2048.0, "maxConcurrency": 5.0}},
])
def test_variants_without_an_encryptable_volume_need_no_cmk(variant):
    props = changed(changed(CONFIG, ("kmsKeyArn",), ...), ("productionVariants",), [variant])
    assert check(inference.sagemaker_endpoint_config_cmk, inference.ENDPOINT_CONFIG, props) == []


@pytest.mark.parametrize(("path", "value", "policy", "expected"), [
    (("enableNetworkIsolation",), False, sagemaker.sagemaker_network_isolation, "may make outbound network calls"),
    (("enableNetworkIsolation",), ..., sagemaker.sagemaker_network_isolation, "may make outbound network calls"),
    (("vpcConfig",), ..., sagemaker.sagemaker_vpc_config, "runs outside the VPC"),
    (("vpcConfig", "securityGroupIds"), [], sagemaker.sagemaker_vpc_config, "runs outside the VPC"),
])
def test_model_not_isolated_or_outside_the_vpc_breaks_one_rule(path, value, policy, expected):
    props = changed(MODEL, path, value)
    [message] = check(policy, inference.MODEL, props)
    assert expected in message
    other = sagemaker.sagemaker_vpc_config if policy is sagemaker.sagemaker_network_isolation \
        else sagemaker.sagemaker_network_isolation
    assert check(other, inference.MODEL, props) == []


def test_capture_without_key_is_a_privacy_violation():
    props = changed(CONFIG, ("dataCaptureConfig", "kmsKeyId"), ...)
    [message] = check(inference.sagemaker_data_capture_encrypted, inference.ENDPOINT_CONFIG, props)
    assert "stored without a customer-managed key" in message
    # Disabled capture stores nothing.
    off = changed(props, ("dataCaptureConfig", "enableCapture"), False)
    assert check(inference.sagemaker_data_capture_encrypted, inference.ENDPOINT_CONFIG, off) == []


@pytest.mark.parametrize("props", [changed(CONFIG, ("dataCaptureConfig",), ...),
                                   changed(CONFIG, ("dataCaptureConfig", "enableCapture"), False)])
def test_capture_required_where_configured(props):
    policy, type_ = inference.sagemaker_data_capture_enabled, inference.ENDPOINT_CONFIG
    [message] = check(policy, type_, props, {"requireDataCapture": True})
    assert "captures no requests or responses" in message
    assert check(policy, type_, props) == []  # default: not required (dev)


@pytest.mark.parametrize(("path", "value", "policy", "expected"), [
    (("productionVariants", 0, "initialInstanceCount"), 1.0, inference.sagemaker_endpoint_min_instances,
     "starts with 1 instance(s); this environment requires at least 2"),
    (("productionVariants", 0, "initialInstanceCount"), 11.0, inference.sagemaker_endpoint_max_instances,
     "starts with 11 instances; the cap is 10"),
    (("productionVariants", 0, "instanceType"), "ml.p4d.24xlarge", inference.sagemaker_endpoint_instance_types,
     "uses ml.p4d.24xlarge, which this environment does not allow (allowed: ml.c6i.*, ml.g5.*)"),
    (("productionVariants", 0), {"variantName": "primary", "serverlessConfig": {"maxConcurrency": 5.0}},
     inference.sagemaker_endpoint_min_instances,
     "variant primary is serverless, but this environment requires at least 2 instances"),
])
def test_capacity_outside_the_environment_breaks_one_rule(path, value, policy, expected):
    props = changed(CONFIG, path, value)
    found = {p.name: check(p, inference.ENDPOINT_CONFIG, props, PROD_CAPACITY) for p in CAPACITY}
    assert [name for name, messages in found.items() if messages] == [policy.name]
    [message] = found[policy.name]
    assert expected in message


def test_capacity_defaults_allow_one_instance_of_any_type():
    props = changed(changed(CONFIG, ("productionVariants", 0, "initialInstanceCount"), 1.0),
                    ("productionVariants", 0, "instanceType"), "ml.p4d.24xlarge")
    for policy in CAPACITY:
        assert check(policy, inference.ENDPOINT_CONFIG, props) == [], policy.name


def test_autoscaling_beyond_the_cap():
    policy = inference.sagemaker_endpoint_max_instances
    [message] = check(policy, inference.SCALABLE_TARGET, changed(TARGET, ("maxCapacity",), 40.0), PROD_CAPACITY)
    assert "may scale an endpoint variant to 40 instances; the cap is 10" in message
    other = changed(changed(TARGET, ("maxCapacity",), 40.0), ("serviceNamespace",), "ecs")
    assert check(policy, inference.SCALABLE_TARGET, other, PROD_CAPACITY) == []


def test_autoscaling_below_the_minimum():
    # The configuration may start at 2, but a scalable target with minCapacity 1 lets the fleet shrink to 1.
    policy = inference.sagemaker_endpoint_min_instances
    [message] = check(policy, inference.SCALABLE_TARGET, changed(TARGET, ("minCapacity",), 1.0), PROD_CAPACITY)
    assert "may scale an endpoint variant in to 1 instance(s); this environment requires at least 2" in message
    assert check(policy, inference.SCALABLE_TARGET, changed(TARGET, ("minCapacity",), 1.0)) == []  # default: 1


@pytest.mark.parametrize(("path", "value", "expected"), [
    (("deploymentConfig", "autoRollbackConfiguration"), ..., "names no CloudWatch alarms"),
    (("deploymentConfig", "autoRollbackConfiguration", "alarms"), [], "names no CloudWatch alarms"),
    (("deploymentConfig", "blueGreenUpdatePolicy"), ..., "has no blue/green or rolling deployment policy"),
])
def test_rollback_required_where_configured(path, value, expected):
    policy = inference.sagemaker_endpoint_auto_rollback
    props = changed(ENDPOINT, path, value)
    [message] = check(policy, inference.ENDPOINT, props, {"requireAutoRollback": True})
    assert expected in message
    assert check(policy, inference.ENDPOINT, props) == []


def test_endpoint_without_deployment_config_fails_both_checks():
    messages = check(inference.sagemaker_endpoint_auto_rollback, inference.ENDPOINT, {"endpointConfigName": "c"},
                     {"requireAutoRollback": True})
    assert len(messages) == 2


def test_unknown_values_during_preview_are_not_violations():
    unknown_config = {"kmsKeyArn": UNKNOWN, "productionVariants": UNKNOWN,
                      "dataCaptureConfig": {"enableCapture": True, "kmsKeyId": UNKNOWN}}
    for policy, config in [(inference.sagemaker_endpoint_config_cmk, None),
                           (inference.sagemaker_data_capture_encrypted, None),
                           *((policy, PROD_CAPACITY) for policy in CAPACITY)]:
        assert check(policy, inference.ENDPOINT_CONFIG, unknown_config, config) == [], policy.name
    model = {"enableNetworkIsolation": UNKNOWN, "vpcConfig": UNKNOWN}
    assert check(sagemaker.sagemaker_network_isolation, inference.MODEL, model) == []
    assert check(sagemaker.sagemaker_vpc_config, inference.MODEL, model) == []
    assert check(inference.sagemaker_endpoint_auto_rollback, inference.ENDPOINT,
                 {"deploymentConfig": UNKNOWN}, {"requireAutoRollback": True}) == []


def test_rules_are_filed_in_their_packs():
    assert {p.name for p in inference.SECURITY} == {"sagemaker-endpoint-config-cmk", "sagemaker-endpoint-no-ssm-access"}
    assert {p.name for p in inference.PRIVACY} == {"sagemaker-data-capture-encrypted"}
    assert {p.name for p in inference.COMPLIANCE} == {
        "sagemaker-data-capture-enabled", "sagemaker-endpoint-instance-types", "sagemaker-endpoint-min-instances",
        "sagemaker-endpoint-max-instances", "sagemaker-endpoint-auto-rollback"}
