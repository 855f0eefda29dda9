"""The ``inference`` section: what it accepts, and one clear message for every bad input."""

from __future__ import annotations

import json

import pytest

from components.inference.args import AutoscalingArgs, DataCaptureArgs, ServerlessArgs
from mlinfra.config import platform_config_from
from mlinfra.errors import ConfigError

SOURCE = "stacks/Pulumi.dev.yaml"
BASE = {
    "aws:region": "us-east-1",
    "mlinfra:tier": "dev",
    "mlinfra:tags": json.dumps({"owner": "ml-platform", "costCenter": "cc-1"}),
}
FRAMEWORK = {"name": "churn", "framework": "pytorch", "frameworkVersion": "2.6",
             "modelDataUrl": "models/churn/model.tar.gz"}
PACKAGE = {"name": "fraud", "modelPackageGroup": "prod-fraud", "instanceType": "ml.c6i.xlarge"}


def load(*endpoints):
    config = {**BASE, "mlinfra:inference": json.dumps({"endpoints": list(endpoints)})}
    return platform_config_from(config, environment="dev", source=SOURCE).inference


def error(*endpoints) -> str:
    with pytest.raises(ConfigError) as info:
        load(*endpoints)
    message = str(info.value)
    assert message.startswith(f"{SOURCE}: mlinfra:inference.endpoints.")
    return message


def test_section_is_optional():
    assert platform_config_from(BASE, environment="dev", source=SOURCE).inference is None


def test_framework_endpoint_defaults():
    [endpoint] = load(FRAMEWORK).endpoints
    args = endpoint.component_args()
    assert args["instance_type"] == "ml.m5.large" and args["instance_count"] == 1
    assert args["data_capture"] is None and args["autoscaling"] is None and args["serverless"] is None
    assert args["deployment"].strategy == "ALL_AT_ONCE"
    assert args["deployment"].rollback_alarms.max_5xx_errors_per_minute == 5


def test_prod_style_endpoint_maps_to_component_args():
    [endpoint] = load({**PACKAGE, "modelPackageVersion": 7,
                       "dataCapture": {"enabled": True, "samplingPercentage": 20, "retentionDays": 90},
                       "deployment": {"strategy": "LINEAR", "linearStepSize": {"type": "CAPACITY_PERCENT", "value": 25},
                                      "rollbackAlarms": {"max5xxErrorsPerMinute": 2, "maxP99LatencyMs": 300}},
                       "autoscaling": {"minCapacity": 2, "maxCapacity": 6, "targetInvocationsPerInstance": 200}}).endpoints
    args = endpoint.component_args()
    assert endpoint.model_package_version == 7
    assert args["instance_count"] == 2  # the autoscaling minimum
    assert args["data_capture"] == DataCaptureArgs(sampling_percentage=20, retention_days=90)
    assert args["autoscaling"] == AutoscalingArgs(min_capacity=2, max_capacity=6, target_invocations_per_instance=200)
    assert args["deployment"].linear_step_size.value == 25
    assert args["deployment"].rollback_alarms.max_p99_latency_ms == 300


def test_serverless_and_async_map_to_component_args():
    serverless, queued = load({**FRAMEWORK, "name": "a", "framework": "xgboost", "frameworkVersion": "1.7-1",
                               "serverless": {"memorySizeMb": 4096, "maxConcurrency": 50}},
                              {**FRAMEWORK, "name": "b", "async": {"maxConcurrentInvocationsPerInstance": 2}}).endpoints
    assert serverless.component_args()["serverless"] == ServerlessArgs(memory_size_mb=4096, max_concurrency=50)
    assert serverless.component_args()["instance_type"] is None
    assert queued.component_args()["async_inference"].max_concurrent_invocations_per_instance == 2


def test_image_override_needs_no_framework():
    image = "123456789012.dkr.ecr.us-east-1.amazonaws.com/churn-serving:1.4"
    [endpoint] = load({"name": "churn", "image": image, "modelDataUrl": "models/churn/model.tar.gz"}).endpoints
    assert endpoint.image == image


@pytest.mark.parametrize(("endpoint", "expected"), [
    ({**FRAMEWORK, "framework": "pytorh"},
     "endpoints.0.framework = 'pytorh': unknown framework 'pytorh'; available: autogluon,"),
    ({**FRAMEWORK, "frameworkVersion": "2.99"},
     "endpoints.0.frameworkVersion = '2.99': pytorch has no inference image version '2.99'; available: 0.4,"),
    ({**FRAMEWORK, "pyVersion": "py27"}, "pytorch 2.6 has no image for Python 'py27'; available: py312"),
    ({**FRAMEWORK, "framework": "huggingface-llm", "frameworkVersion": "3.3.6"},
     "huggingface-llm 3.3.6 has images for gpu only, not for ml.m5.large"),
    ({**FRAMEWORK, "instanceType": "ml.inf2.xlarge"},
     "pytorch 2.6 has images for cpu, gpu only, not for ml.inf2.xlarge; Inferentia and Trainium need a Neuron "
     "framework (e.g. huggingface-neuronx) or an image"),
    ({**FRAMEWORK, "instanceType": "m5.large"},
     "endpoints.0.instanceType = 'm5.large': must be a SageMaker instance type of the form ml.<family>.<size> "
     "(did you mean ml.m5.large?)"),
    ({**FRAMEWORK, "instanceType": "ml.x9.large"}, "SageMaker offers no 'x9' instances for real-time inference"),
    ({**FRAMEWORK, "instanceType": "ml.g5.large"}, "SageMaker offers ml.g5 for inference in sizes xlarge, 2xlarge"),
    ({**FRAMEWORK, "serverless": {}, "dataCapture": {"enabled": True}},
     "endpoints.0.dataCapture.enabled = True: SageMaker serverless endpoints do not support data capture"),
    ({**FRAMEWORK, "serverless": {}, "instanceType": "ml.m5.large"},
     "endpoints.0.instanceType = 'ml.m5.large': does not apply to a serverless endpoint"),
    ({**FRAMEWORK, "serverless": {}, "async": {}}, "endpoints.0.async = "),
    ({**FRAMEWORK, "serverless": {"memorySizeMb": 1500}}, "serverless.memorySizeMb = 1500: must be a multiple of 1024"),
    ({**FRAMEWORK, "serverless": {"maxConcurrency": 201}}, "serverless.maxConcurrency = 201: Input should be less than"),
    ({**FRAMEWORK, "autoscaling": {"minCapacity": 4, "maxCapacity": 2, "targetInvocationsPerInstance": 100}},
     "endpoints.0.autoscaling.minCapacity = 4: the autoscaling minimum (4) must not exceed the maximum (2)"),
    ({**FRAMEWORK, "initialInstanceCount": 3,
      "autoscaling": {"minCapacity": 2, "maxCapacity": 4, "targetInvocationsPerInstance": 100}},
     "endpoints.0.initialInstanceCount = 3: conflicts with autoscaling.minCapacity (2)"),
    ({**FRAMEWORK, "deployment": {"strategy": "CANARY"}}, "deployment.canarySize = None: is required for strategy CANARY"),
    ({**FRAMEWORK, "deployment": {"strategy": "CANARY", "canarySize": {"type": "INSTANCE_COUNT", "value": 1}}},
     "a canary is 1 instance to 50% of the 1 instance(s) the endpoint starts with, not 1"),
    ({**FRAMEWORK, "deployment": {"linearStepSize": {"type": "CAPACITY_PERCENT", "value": 20}}},
     "deployment.linearStepSize = {'type': 'CAPACITY_PERCENT', 'value': 20}: applies only to strategy LINEAR"),
    ({**FRAMEWORK, "deployment": {"strategy": "LINEAR", "linearStepSize": {"type": "CAPACITY_PERCENT", "value": 5}}},
     "a linear step is 10-50% of the fleet, not 5%"),
    ({**FRAMEWORK, "instanceType": "ml.inf1.xlarge", "framework": "inferentia-pytorch", "frameworkVersion": "1.9",
      "deployment": {"strategy": "CANARY", "canarySize": {"type": "CAPACITY_PERCENT", "value": 10}}},
     "SageMaker shifts traffic all at once on Inf1 instances"),
    ({**PACKAGE, "framework": "pytorch"}, "endpoints.0.framework = 'pytorch': conflicts with modelPackageGroup"),
    ({**FRAMEWORK, "modelPackageVersion": 3}, "endpoints.0.modelPackageVersion = 3: requires modelPackageGroup"),
    ({"name": "churn", "framework": "pytorch", "frameworkVersion": "2.6"}, "endpoints.0.modelDataUrl = None: is required"),
    ({**FRAMEWORK, "frameworkVersion": None}, "endpoints.0.frameworkVersion = None: is required with framework 'pytorch'"),
    ({**FRAMEWORK, "modelDataUrl": "s3://bucket/models/model.tar.gz"},
     "modelDataUrl = 's3://bucket/models/model.tar.gz': must be the key of a .tar.gz artifact"),
    ({**FRAMEWORK, "image": "docker.io/library/python:3.12"}, "image = 'docker.io/library/python:3.12': must be an ECR image"),
    ({**FRAMEWORK, "name": "Churn_Model"}, "endpoints.0.name = 'Churn_Model': String should match pattern"),
    ({**FRAMEWORK, "dataCapture": {"enabled": True, "samplingPercentage": 0}},
     "dataCapture.samplingPercentage = 0: Input should be greater than or equal to 1"),
    ({**FRAMEWORK, "autoScaling": {}}, "endpoints.0.autoScaling is not a known setting"),
])
def test_bad_endpoint_settings_name_key_value_and_what_is_allowed(endpoint, expected):
    endpoint = {k: v for k, v in endpoint.items() if v is not None}
    assert expected in error(endpoint)


def test_duplicate_names_are_refused():
    assert "endpoints.1.name = 'churn': is used by another endpoint" in error(FRAMEWORK, FRAMEWORK)


def test_no_framework_endpoint_does_not_import_the_sagemaker_sdk():
    import subprocess
    import sys

    # A fresh interpreter: loading a package-only config must not pay for sagemaker.core's import.
    code = ("import json, sys; from mlinfra.config import platform_config_from; "
            f"platform_config_from({{**{BASE!r}, 'mlinfra:inference': json.dumps({{'endpoints': [{PACKAGE!r}]}})}}, "
            "environment='dev', source='x'); print('sagemaker' in sys.modules)")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "False"


def test_a_canary_of_one_instance_fits_any_fleet_but_a_linear_step_is_at_least_ten_percent():
    from components.inference.args import check_traffic_step

    check_traffic_step("canary", "INSTANCE_COUNT", 1, 200)
    check_traffic_step("linear", "INSTANCE_COUNT", 20, 200)
    with pytest.raises(ValueError, match="a linear step is 10-50% of the 200 instance"):
        check_traffic_step("linear", "INSTANCE_COUNT", 19, 200)
    with pytest.raises(ValueError, match="a canary is 1 instance to 50% of the 4 instance"):
        check_traffic_step("canary", "INSTANCE_COUNT", 3, 4)
