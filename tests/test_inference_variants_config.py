"""An endpoint's ``variants``, ``shadow`` and ``weight``: what they map to, and one clear message
for every experiment SageMaker would refuse at deploy time."""

from __future__ import annotations

import json

import pytest

from mlinfra.config import platform_config_from
from mlinfra.config.stack_checks import variant_models
from mlinfra.errors import ConfigError

SOURCE = "stacks/Pulumi.staging.yaml"
REGISTRY = json.dumps({"models": [{"name": "churn-classifier", "servingImages": ["churn-serving"]},
                                  {"name": "churn-lite", "servingImages": ["churn-serving"]}]})
PACKAGE = {"name": "churn", "modelPackageGroup": "churn-classifier", "instanceType": "ml.c6i.xlarge",
           "initialInstanceCount": 2, "dataCapture": {"enabled": True}}
ARTIFACT = {"name": "churn", "framework": "xgboost", "frameworkVersion": "1.7-1",
            "modelDataUrl": "models/churn/model.tar.gz"}


def load(endpoint):
    return platform_config_from({
        "aws:region": "us-east-1", "mlinfra:tier": "staging",
        "mlinfra:tags": json.dumps({"owner": "ml-platform", "costCenter": "cc-1"}),
        "mlinfra:modelRegistry": REGISTRY,
        "mlinfra:inference": json.dumps({"endpoints": [endpoint]}),
    }, environment="staging", source=SOURCE)


def error(endpoint) -> str:
    with pytest.raises(ConfigError) as info:
        load(endpoint)
    text = str(info.value)
    assert "\n" not in text
    return text


def test_ab_between_two_registry_versions_and_two_models():
    cfg = load({**PACKAGE, "weight": 0.8, "variants": [
        {"name": "challenger", "modelPackageVersion": 4, "weight": 0.1},
        {"name": "lite", "modelPackageGroup": "churn-lite", "weight": 0.1, "instanceType": "ml.c6i.large"}]})
    [endpoint] = cfg.inference.endpoints
    assert endpoint.component_args()["primary_weight"] == 0.8
    models = variant_models(cfg, source=SOURCE)
    assert models[("churn", "challenger")].name == "churn-classifier"
    assert models[("churn", "lite")].name == "churn-lite"


def test_shadow_maps_its_sampling_percentage():
    cfg = load({**PACKAGE, "shadow": {"name": "candidate", "modelPackageVersion": 5, "samplingPercentage": 25,
                                      "initialInstanceCount": 1}})
    shadow = cfg.inference.endpoints[0].shadow
    assert (shadow.sampling_percentage, shadow.initial_instance_count) == (25, 1)


def test_artifact_endpoints_ab_two_artifacts():
    cfg = load({**ARTIFACT, "variants": [{"name": "retrained", "modelDataUrl": "models/churn/v2/model.tar.gz"}]})
    assert cfg.inference.endpoints[0].variants[0].model_data_url == "models/churn/v2/model.tar.gz"


KEY = "mlinfra:inference.endpoints.0"


@pytest.mark.parametrize("endpoint, key, message", [
    ({**PACKAGE, "variants": [{"name": "b", "modelPackageVersion": 4}],
      "shadow": {"name": "s", "modelPackageVersion": 5}}, "shadow", "a shadow variant needs exactly one production variant"),
    ({**PACKAGE, "variants": [{"name": "b", "modelPackageVersion": 4, "weight": 0}]}, "variants",
     "weights must be positive"),
    ({**PACKAGE, "weight": -1, "variants": [{"name": "b", "modelPackageVersion": 4}]}, "weight",
     "weights must be positive"),
    ({**PACKAGE, "shadow": {"name": "s", "modelPackageVersion": 5, "initialInstanceCount": 3}}, "shadow",
     "larger than production"),
    ({**PACKAGE, "shadow": {"name": "s", "modelPackageVersion": 5, "instanceType": "ml.c6i.8xlarge"}}, "shadow",
     "larger than production"),
    ({**ARTIFACT, "serverless": {}, "variants": [{"name": "b", "modelDataUrl": "models/b/model.tar.gz",
                                                  "instanceType": "ml.c6i.large"}]},
     "variants", "serverless and instance variants cannot be mixed"),
    ({**ARTIFACT, "serverless": {}, "shadow": {"name": "s", "modelDataUrl": "models/b/model.tar.gz"}}, "shadow",
     "instance endpoints only"),
    ({**PACKAGE, "variants": [{"name": "b"}]}, "variants.0.modelPackageVersion", "serves the same model"),
    ({**PACKAGE, "variants": [{"name": "b", "modelDataUrl": "models/b/model.tar.gz"}]}, "variants.0.modelDataUrl",
     "deploys from modelPackageGroup"),
    ({**ARTIFACT, "variants": [{"name": "b"}]}, "variants.0.modelDataUrl", "is required"),
    ({**ARTIFACT, "variants": [{"name": "b", "modelDataUrl": "s3://x/model.tar.gz"}]}, "variants.0.modelDataUrl",
     "no s3://"),
    ({**PACKAGE, "variants": [{"name": "primary", "modelPackageVersion": 4}]}, "variants", "used twice"),
    ({**PACKAGE, "variants": [{"name": "b_1", "modelPackageVersion": 4}]}, "variants.0.name", "should match pattern"),
    ({**PACKAGE, "autoscaling": {"minCapacity": 2, "maxCapacity": 4, "targetInvocationsPerInstance": 100},
      "initialInstanceCount": None, "variants": [{"name": "b", "modelPackageVersion": 4, "initialInstanceCount": 3}]},
     "variants.0.initialInstanceCount", "starts at minCapacity"),
    ({**PACKAGE, "shadow": {"name": "s", "modelPackageVersion": 5, "weight": 0.5}}, "shadow.weight",
     "is not a known setting"),
])
def test_refused_experiments_name_the_key(endpoint, key, message):
    endpoint = {k: v for k, v in endpoint.items() if v is not None}
    text = error(endpoint)
    assert text.startswith(f"{SOURCE}: {KEY}.{key} "), text
    assert message in text


def test_a_variant_group_the_registry_does_not_manage_is_named():
    cfg = load({**PACKAGE, "variants": [{"name": "b", "modelPackageGroup": "fraud"}]})
    with pytest.raises(ConfigError, match=r"endpoints\.0\.variants\.0\.modelPackageGroup = 'fraud': is not a model"):
        variant_models(cfg, source=SOURCE)


def test_names_too_long_for_a_variant_model_are_refused_before_any_resource():
    from mlinfra.config.stack_checks import check_name_lengths

    cfg = load({**PACKAGE, "name": "churn-long-endpoint-name-here",
                "variants": [{"name": "challenger-with-a-long-name", "modelPackageVersion": 4}]})
    with pytest.raises(ConfigError, match=r"endpoints\.0\.variants\.0\.name = 'challenger-with-a-long-name': is too "
                                          r"long for environment 'staging': the model"):
        check_name_lengths(cfg, source=SOURCE)
