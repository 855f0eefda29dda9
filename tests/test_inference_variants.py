"""Experiments on an endpoint under Pulumi's mocks: weighted production variants (A/B), a shadow
variant, their alarms and scaling, the refusals SageMaker would otherwise make at deploy time, and
a plan that does not change when nothing changed."""

from __future__ import annotations

import json
from pathlib import Path

import pulumi_aws as aws
import pytest

from components.common import Classification
from components.inference.args import AutoscalingArgs, DataCaptureArgs, ServerlessArgs
from components.inference.endpoint import InferenceEndpoint, InferenceEndpointArgs, ShadowArgs, VariantArgs
from components.inference.sources import ModelSource
from components.network import Network, NetworkArgs
from components.storage import AccessLogBucket, AccessLogBucketArgs, SecureBucket, SecureBucketArgs
from mlinfra.mocks import install_mocks

CONFIG = "aws:sagemaker/endpointConfiguration:EndpointConfiguration"
ENDPOINT = "aws:sagemaker/endpoint:Endpoint"
MODEL = "aws:sagemaker/model:Model"
ALARM = "aws:cloudwatch/metricAlarm:MetricAlarm"
TARGET = "aws:appautoscaling/target:Target"
IMAGE = "763104351884.dkr.ecr.us-east-1.amazonaws.com/xgboost-inference:1.7-1"
PACKAGE = "arn:aws:sagemaker:us-east-1:123456789012:model-package/staging-churn-classifier/{}"
NAME = "staging-churn"


def _package(version, artifacts, key, repo):
    return ModelSource.from_model_package(arn=PACKAGE.format(version), artifact_bucket=artifacts, kms_key=key,
                                          repositories=[repo])


def _build(run, variants=(), shadow=None, **kw):
    created = {}

    def program():
        key = aws.kms.Key("inference-key")
        logs_key = aws.kms.Key("logs-key")
        network = Network("net", NetworkArgs(cidr="10.20.0.0/16", availability_zones=["us-east-1a", "us-east-1b"],
                                             flow_log_key=logs_key, nat="single"))
        access_logs = AccessLogBucket("access-logs", AccessLogBucketArgs())
        artifacts = SecureBucket("artifacts", SecureBucketArgs(kms_key=key, classification=Classification.INTERNAL,
                                                               access_log_bucket=access_logs.bucket))
        repo = aws.ecr.Repository("serving", name="staging/churn-serving")
        other = SecureBucket("other-artifacts", SecureBucketArgs(kms_key=key, classification=Classification.INTERNAL,
                                                                 access_log_bucket=access_logs.bucket))
        sources = {"v3": _package(3, artifacts, key, repo), "v4": _package(4, artifacts, key, repo),
                   "v5": _package(5, artifacts, key, repo),
                   "other": ModelSource.from_artifact(image=IMAGE, bucket=other, key="models/other/model.tar.gz",
                                                      kms_key=key)}
        args = dict(model=sources["v3"], network=network, kms_key=key, logs_key=logs_key,
                    access_log_bucket=access_logs.bucket, instance_type="ml.c6i.xlarge", instance_count=2,
                    data_capture=DataCaptureArgs(),
                    variants=[VariantArgs(name=n, model=sources[s], weight=w, **extra) for n, s, w, extra in variants],
                    shadow=ShadowArgs(name=shadow[0], model=sources[shadow[1]], **shadow[2]) if shadow else None)
        args.update(kw)
        created["endpoint"] = InferenceEndpoint(NAME, InferenceEndpointArgs(**args))

    run(program)
    return created["endpoint"]


AB = [("challenger", "v4", 0.2, {}), ("baseline-model", "other", 0.1, {})]


def test_weighted_variants_get_their_own_models_in_name_order(monitor, run):
    _build(run, AB, primary_weight=0.7)
    config = monitor.named(CONFIG, NAME).inputs
    variants = config["productionVariants"]
    assert [v["variantName"] for v in variants] == ["primary", "baseline-model", "challenger"]
    assert [v["initialVariantWeight"] for v in variants] == [0.7, 0.1, 0.2]
    assert variants[2]["modelName"] == monitor.named(MODEL, f"{NAME}-challenger").outputs["name"]
    assert monitor.named(MODEL, f"{NAME}-challenger").inputs["primaryContainer"]["modelPackageName"] == PACKAGE.format(4)
    other = monitor.named(MODEL, f"{NAME}-baseline-model").inputs
    assert other["enableNetworkIsolation"] is True and other["vpcConfig"]["subnets"]
    assert {v["instanceType"] for v in variants} == {"ml.c6i.xlarge"}
    assert config["dataCaptureConfig"]["enableCapture"] is True  # one capture for every variant
    assert config["kmsKeyArn"] == monitor.named("aws:kms/key:Key", "inference-key").outputs["arn"]


def test_one_role_reads_what_every_variant_needs(monitor, run):
    _build(run, AB)
    policy = json.loads(monitor.named("aws:iam/rolePolicy:RolePolicy", f"{NAME}-execution").inputs["policy"])
    reads = next(s for s in policy["Statement"] if s["Sid"] == "ReadModelArtifact")["Resource"]
    artifacts = monitor.named("aws:s3/bucket:Bucket", "artifacts").outputs["arn"]
    other = monitor.named("aws:s3/bucket:Bucket", "other-artifacts").outputs["arn"]
    assert reads == [f"{artifacts}/*", f"{other}/models/other/model.tar.gz"]  # no repeats
    pulls = next(s for s in policy["Statement"] if s["Sid"] == "PullImage")["Resource"]
    assert len(pulls) == len(set(pulls)) == 2


def test_every_production_variant_has_rollback_alarms_and_blue_green_watches_them(monitor, run):
    _build(run, AB)
    alarms = {a.name: a.inputs for a in monitor.by_type(ALARM)}
    assert alarms[f"{NAME}-5xx"]["dimensions"] == {"EndpointName": NAME, "VariantName": "primary"}
    assert alarms[f"{NAME}-challenger-latency"]["dimensions"] == {"EndpointName": NAME, "VariantName": "challenger"}
    rollback = monitor.named(ENDPOINT, NAME).inputs["deploymentConfig"]["autoRollbackConfiguration"]["alarms"]
    assert sorted(a["alarmName"] for a in rollback) == sorted(alarms)
    assert len(rollback) == 6


def test_shadow_is_copied_traffic_with_its_own_alarms_outside_the_rollback(monitor, run):
    _build(run, shadow=("candidate", "v5", {"sampling_percentage": 50}))
    config = monitor.named(CONFIG, NAME).inputs
    [shadow] = config["shadowProductionVariants"]
    assert shadow["variantName"] == "candidate"
    assert shadow["modelName"] == monitor.named(MODEL, f"{NAME}-candidate").outputs["name"]
    assert shadow["initialVariantWeight"] == 0.5 and shadow["initialInstanceCount"] == 2
    assert config["productionVariants"][0]["initialVariantWeight"] == 1.0
    assert config["dataCaptureConfig"]["captureOptions"] == [{"captureMode": "Input"}, {"captureMode": "Output"}]
    rollback = {a["alarmName"] for a in
                monitor.named(ENDPOINT, NAME).inputs["deploymentConfig"]["autoRollbackConfiguration"]["alarms"]}
    assert rollback == {f"{NAME}-5xx", f"{NAME}-latency"}
    shadow_alarms = {a.name: a.inputs for a in monitor.by_type(ALARM) if "-candidate-" in a.name}
    assert set(shadow_alarms) == {f"{NAME}-candidate-5xx", f"{NAME}-candidate-latency"}
    assert shadow_alarms[f"{NAME}-candidate-5xx"]["dimensions"]["VariantName"] == "candidate"


def test_single_variant_configuration_is_unchanged_by_the_feature(monitor, run):
    _build(run)
    [variant] = monitor.named(CONFIG, NAME).inputs["productionVariants"]
    assert "initialVariantWeight" not in variant
    assert "shadowProductionVariants" not in monitor.named(CONFIG, NAME).inputs


def test_autoscaling_scales_every_production_variant_and_ignores_their_counts(monitor, run):
    _build(run, AB, instance_count=2, autoscaling=AutoscalingArgs(2, 6, 100.0))
    targets = {t.name: t.inputs["resourceId"] for t in monitor.by_type(TARGET)}
    assert targets == {NAME: f"endpoint/{NAME}/variant/primary",
                       f"{NAME}-baseline-model": f"endpoint/{NAME}/variant/baseline-model",
                       f"{NAME}-challenger": f"endpoint/{NAME}/variant/challenger"}
    config = monitor.named(CONFIG, NAME)
    assert {v["initialInstanceCount"] for v in config.inputs["productionVariants"]} == {2}


def _config_inputs(run, variants, **kw):
    recorder = install_mocks(project="mlinfra", stack="test")
    _build(run, variants, **kw)
    return json.dumps([r.inputs for r in recorder.by_type(CONFIG)] +
                      [r.inputs for r in recorder.by_type(ENDPOINT)], sort_keys=True)


def test_replanning_several_weighted_variants_plans_the_same(run):
    variants = [("c", "v4", 0.15, {}), ("a", "v5", 0.05, {}), ("b", "other", 0.3, {})]
    first = _config_inputs(run, variants, primary_weight=0.5)
    assert _config_inputs(run, variants, primary_weight=0.5) == first
    # Listing the variants in another order is the same configuration, not a replacement.
    assert _config_inputs(run, list(reversed(variants)), primary_weight=0.5) == first


@pytest.mark.parametrize("kw, message", [
    (dict(variants=AB, shadow=("candidate", "v5", {})), "a shadow variant needs exactly one production variant"),
    (dict(variants=[("challenger", "v4", 0.0, {})]), "weights must be positive"),
    (dict(variants=[("challenger", "v4", -1.0, {})]), "weights must be positive"),
    (dict(primary_weight=0.0, variants=AB), "weights must be positive"),
    (dict(shadow=("candidate", "v5", {"instance_count": 4})), "larger than production"),
    (dict(shadow=("candidate", "v5", {"instance_type": "ml.c6i.8xlarge"})), "larger than production"),
    (dict(variants=[("Primary", "v4", 1.0, {})]), "used twice"),
    (dict(variants=[("bad_name", "v4", 1.0, {})]), "variant name 'bad_name' is invalid"),
    (dict(variants=[(f"v{i}", "v4", 1.0, {}) for i in range(5)]), "at most 5 production variants"),
    (dict(variants=[("challenger", "v4", 1.0, {"instance_count": 3})], autoscaling=AutoscalingArgs(2, 4, 100.0)),
     "starts at the minimum"),
])
def test_refused_experiments(monitor, run, kw, message):
    with pytest.raises(ValueError, match=message):
        _build(run, **kw)


def test_serverless_cannot_mix_with_instance_variants_or_have_a_shadow(monitor, run):
    serverless = dict(instance_type=None, serverless=ServerlessArgs(), data_capture=None)
    with pytest.raises(ValueError, match="serverless and instance variants cannot be mixed"):
        _build(run, [("challenger", "v4", 1.0, {"instance_type": "ml.c6i.large"})], **serverless)
    with pytest.raises(ValueError, match="instance endpoints only"):
        _build(run, shadow=("candidate", "v5", {}), **serverless)


def test_a_larger_shadow_when_allowed(monitor, run):
    _build(run, shadow=("candidate", "v5", {"instance_count": 4}), allow_larger_shadow=True)
    assert monitor.named(CONFIG, NAME).inputs["shadowProductionVariants"][0]["initialInstanceCount"] == 4


def test_serverless_variants_share_the_serverless_capacity(monitor, run):
    _build(run, [("challenger", "v4", 1.0, {})], instance_type=None, serverless=ServerlessArgs(), data_capture=None)
    variants = monitor.named(CONFIG, NAME).inputs["productionVariants"]
    assert [v["serverlessConfig"]["memorySizeInMb"] for v in variants] == [2048, 2048]
    assert not any("instanceType" in v for v in variants)


def test_replanning_a_stack_with_several_weighted_variants_is_identical(tmp_path):
    """The whole staging program, with three weighted A/B variants instead of the shadow, planned
    twice offline: the two deployments are the same document."""
    import yaml

    from mlinfra.plan import plan
    ROOT = Path(__file__).resolve().parent.parent

    stack = yaml.safe_load((ROOT / "stacks" / "Pulumi.staging.yaml").read_text())
    [endpoint] = stack["config"]["mlinfra:inference"]["endpoints"]
    endpoint.pop("shadow")
    endpoint["weight"] = 0.6
    endpoint["variants"] = [{"name": "v4", "modelPackageVersion": 4, "weight": 0.25},
                            {"name": "v3", "modelPackageVersion": 3, "weight": 0.1},
                            {"name": "v5", "modelPackageVersion": 5, "weight": 0.05}]
    (tmp_path / "stacks").mkdir()
    (tmp_path / "stacks" / "Pulumi.staging.yaml").write_text(yaml.safe_dump(stack))
    (tmp_path / "Pulumi.yaml").write_text(yaml.safe_dump({
        "name": "mlinfra", "runtime": "python", "main": str(ROOT / "stacks"), "stackConfigDir": "stacks"}))
    first, second = plan(tmp_path, "staging"), plan(tmp_path, "staging")
    assert json.dumps(first, sort_keys=True) == json.dumps(second, sort_keys=True)
    [config] = [r for r in first["deployment"]["resources"] if r["type"] == CONFIG]
    assert [(v["variantName"], v["initialVariantWeight"]) for v in config["inputs"]["productionVariants"]] == [
        ("primary", 0.6), ("v3", 0.1), ("v4", 0.25), ("v5", 0.05)]
