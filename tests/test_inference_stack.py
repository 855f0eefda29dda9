"""The inference endpoints as each environment's stack program declares them, and the stack-time
errors (a group the registry does not manage, a framework with no image in the region)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
import yaml

from mlinfra.config import platform_config_from
from mlinfra.config.inference import endpoint_image
from mlinfra.config.stack_checks import registered_model
from mlinfra import plan
from mlinfra.errors import ConfigError, MlinfraError
from mlinfra.plan import run_program

REPO = Path(__file__).resolve().parents[1]
MODEL = "aws:sagemaker/model:Model"
CONFIG = "aws:sagemaker/endpointConfiguration:EndpointConfiguration"
ENDPOINT = "aws:sagemaker/endpoint:Endpoint"
TARGET = "aws:appautoscaling/target:Target"
SOURCE = "stacks/Pulumi.staging.yaml"


def test_dev_serves_the_training_artifact_from_the_resolved_framework_image():
    monitor = run_program(REPO, "dev")
    container = monitor.named(MODEL, "dev-churn").inputs["primaryContainer"]
    assert container["image"] == "683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-xgboost:1.7-1"
    artifacts = monitor.named("aws:s3/bucket:Bucket", "dev-artifacts")
    assert container["modelDataUrl"] == f"s3://{artifacts.outputs['bucket']}/models/churn-classifier/model.tar.gz"
    config = monitor.named(CONFIG, "dev-churn").inputs
    assert config["kmsKeyArn"] == monitor.named("aws:kms/key:Key", "dev-keys-inference").outputs["arn"]
    assert config["productionVariants"][0]["initialInstanceCount"] == 1
    assert monitor.by_type(TARGET) == []


def test_prod_deploys_the_approved_package_with_capture_canary_and_autoscaling():
    monitor = run_program(REPO, "prod")
    container = monitor.named(MODEL, "prod-churn").inputs["primaryContainer"]
    # Offline, the promotion lookup answers with its documented placeholder for the group.
    assert container["modelPackageName"].endswith(":model-package/prod-churn-classifier/0")
    config = monitor.named(CONFIG, "prod-churn")
    assert config.inputs["dataCaptureConfig"]["initialSamplingPercentage"] == 20
    assert config.inputs["productionVariants"][0]["initialInstanceCount"] == 2
    routing = monitor.named(ENDPOINT, "prod-churn").inputs["deploymentConfig"]["blueGreenUpdatePolicy"]
    assert routing["trafficRoutingConfiguration"]["canarySize"] == {"type": "CAPACITY_PERCENT", "value": 25}
    target = monitor.named(TARGET, "prod-churn").inputs
    assert (target["minCapacity"], target["maxCapacity"]) == (2, 8)
    capture_bucket = monitor.named("aws:s3/bucket:Bucket", "prod-churn-capture")
    assert capture_bucket.protect
    policy = json.loads(monitor.named("aws:iam/rolePolicy:RolePolicy", "prod-churn-execution").inputs["policy"])
    pull = next(s for s in policy["Statement"] if s["Sid"] == "PullImage")
    assert pull["Resource"] == [monitor.named("aws:ecr/repository:Repository", "prod-registry-churn-serving").outputs["arn"]]


BASE = {"aws:region": "us-east-1", "mlinfra:tier": "staging",
        "mlinfra:tags": json.dumps({"owner": "ml-platform", "costCenter": "cc-1"})}


def _config(registry=None, **endpoint):
    config = {**BASE, "mlinfra:inference": json.dumps({"endpoints": [{"name": "churn", **endpoint}]})}
    if registry is not None:
        config["mlinfra:modelRegistry"] = json.dumps(registry)
    return platform_config_from(config, environment="staging", source=SOURCE)


def test_group_outside_the_registry_is_a_config_error_listing_its_groups():
    cfg = _config({"models": [{"name": "churn-classifier"}]}, modelPackageGroup="staging-fraud")
    with pytest.raises(ConfigError) as info:
        registered_model(cfg, 0, source=SOURCE)
    assert str(info.value) == (f"{SOURCE}: mlinfra:inference.endpoints.0.modelPackageGroup = 'staging-fraud': is not "
                               "a model or model package group of this stack's registry (models: churn-classifier; "
                               "groups: staging-churn-classifier)")
    assert registered_model(_config({"models": [{"name": "fraud"}]}, modelPackageGroup="staging-fraud"),
                            0, source=SOURCE).name == "fraud"


def test_a_registry_model_name_is_the_same_in_every_environment():
    from mlinfra.config.stack_checks import registry_group_name

    for env in ("staging", "prod"):
        config = {**BASE, "mlinfra:tier": env,
                  "mlinfra:inference": json.dumps({"endpoints": [{"name": "churn", "modelPackageGroup": "fraud"}]}),
                  "mlinfra:modelRegistry": json.dumps({"models": [{"name": "churn-classifier"}, {"name": "fraud"}]})}
        cfg = platform_config_from(config, environment=env, source=SOURCE)
        model = registered_model(cfg, 0, source=SOURCE)
        assert (model.name, registry_group_name(cfg, model)) == ("fraud", f"{env}-fraud")


def test_group_without_any_registry():
    with pytest.raises(ConfigError, match="registry \\(none: mlinfra:modelRegistry is not configured\\)"):
        registered_model(_config(modelPackageGroup="staging-fraud"), 0, source=SOURCE)


def test_endpoint_name_too_long_for_its_children_aws_names_is_a_config_error():
    from mlinfra.config.stack_checks import check_name_lengths

    fits = "e" * (64 - len("staging-") - len("-execution") - 8)  # 38 characters
    ok = platform_config_from({**BASE, "mlinfra:inference": json.dumps({"endpoints": [
        {"name": fits, "modelPackageGroup": "g"}]})}, environment="staging", source=SOURCE)
    check_name_lengths(ok, source=SOURCE)
    too_long = platform_config_from({**BASE, "mlinfra:inference": json.dumps({"endpoints": [
        {"name": fits + "x", "modelPackageGroup": "g"}]})}, environment="staging", source=SOURCE)
    with pytest.raises(ConfigError) as info:
        check_name_lengths(too_long, source=SOURCE)
    assert str(info.value) == (f"{SOURCE}: mlinfra:inference.endpoints.0.name = '{fits}x': is too long for "
                               "environment 'staging': its execution role would be named 65 characters, IAM allows "
                               "64; use at most 38 characters")


def test_framework_without_an_image_in_the_region_is_a_config_error():
    cfg = _config(framework="pytorch", frameworkVersion="2.6", modelDataUrl="models/m.tar.gz")
    assert endpoint_image(cfg.inference.endpoints[0], 0, region="eu-west-1", source=SOURCE).startswith(
        "763104351884.dkr.ecr.eu-west-1.amazonaws.com/pytorch-inference:2.6-cpu-")
    with pytest.raises(ConfigError) as info:
        endpoint_image(cfg.inference.endpoints[0], 0, region="xx-nowhere-9", source=SOURCE)
    assert str(info.value).startswith(f"{SOURCE}: mlinfra:inference.endpoints.0.framework = 'pytorch': "
                                      "no pytorch 2.6 image in xx-nowhere-9: Unsupported region")


def test_a_group_outside_the_registry_stops_the_program_before_any_resource(tmp_path, monkeypatch):
    shutil.copy(REPO / "Pulumi.yaml", tmp_path / "Pulumi.yaml")
    shutil.copytree(REPO / "stacks", tmp_path / "stacks")
    stack_file = tmp_path / "stacks" / "Pulumi.prod.yaml"
    document = yaml.safe_load(stack_file.read_text())
    document["config"]["mlinfra:inference"]["endpoints"][0]["modelPackageGroup"] = "prod-fraud"
    stack_file.write_text(yaml.safe_dump(document))
    monitors = []
    install = plan.install_mocks
    monkeypatch.setattr(plan, "install_mocks", lambda **kw: monitors.append(install(**kw)) or monitors[-1])
    with pytest.raises(MlinfraError) as info:
        run_program(tmp_path, "prod")
    assert ("stacks/Pulumi.prod.yaml: mlinfra:inference.endpoints.0.modelPackageGroup = 'prod-fraud': is not a model "
            "or model package group of this stack's registry") in str(info.value)
    # Under `pulumi up` every registration starts a create: a typo must not leave keys or a VPC behind.
    assert [r.type for r in monitors[0].registrations.values() if r.type != "pulumi:pulumi:Stack"] == []


def test_an_unapproved_model_stops_the_program_before_any_resource(moto_reset, monkeypatch):
    """At `pulumi up` time the lookup is real: moto's SageMaker has the group but nothing Approved."""
    import boto3

    import mlinfra.mocks

    sm = boto3.client("sagemaker", endpoint_url=moto_reset, region_name="us-east-1")
    sm.create_model_package_group(ModelPackageGroupName="prod-churn-classifier")
    sm.create_model_package(ModelPackageGroupName="prod-churn-classifier", ModelApprovalStatus="PendingManualApproval",
                            InferenceSpecification={"Containers": [{"Image": "img"}],
                                                    "SupportedContentTypes": ["text/csv"],
                                                    "SupportedResponseMIMETypes": ["text/csv"]})
    monkeypatch.setenv("AWS_ENDPOINT_URL_SAGEMAKER", moto_reset)
    monkeypatch.setattr(mlinfra.mocks, "offline_target", lambda: None)  # behave as under `pulumi up`
    monitors = []
    install = plan.install_mocks
    monkeypatch.setattr(plan, "install_mocks", lambda **kw: monitors.append(install(**kw)) or monitors[-1])
    with pytest.raises(MlinfraError) as info:
        run_program(REPO, "prod")
    assert "model package group 'prod-churn-classifier' has no Approved model package version" in str(info.value)
    assert [r.type for r in monitors[0].registrations.values() if r.type != "pulumi:pulumi:Stack"] == []
