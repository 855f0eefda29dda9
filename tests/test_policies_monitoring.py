"""Rules over monitors and experiments: data-quality monitors on capturing endpoints, experiments
that capture, MLflow artifact stores that are private and CMK-encrypted. Each from a compliant
example with one field changed."""

from __future__ import annotations

import json

import pytest

from policies.rules import experiments, monitoring
from policy_helpers import UNKNOWN, resource_args, stack_args, stack_resource, violations

REQUIRE = {"requireDataQualityMonitor": True}
CAPTURE = {"enableCapture": True, "destinationS3Uri": "s3://capture/churn", "initialSamplingPercentage": 20,
           "kmsKeyId": "arn:aws:kms:us-east-1:123456789012:key/k",
           "captureOptions": [{"captureMode": "Input"}, {"captureMode": "Output"}]}


def _monitored(*, capture=CAPTURE, kind="DataQuality", endpoint_input="churn", inline=False, link=True):
    config = stack_resource(monitoring.ENDPOINT_CONFIG, {"name": "churn-config", "dataCaptureConfig": capture},
                            name="churn-config")
    endpoint = stack_resource(monitoring.ENDPOINT, {"name": "churn", "endpointConfigName": "churn-config"}, name="churn")
    resources = [config, endpoint]
    if inline:
        resources.append(stack_resource(monitoring.SCHEDULE, {"name": "churn-dq", "monitoringScheduleConfig": {
            "monitoringType": kind, "monitoringJobDefinition": {
                "monitoringInputs": [{"endpointInput": {"endpointName": endpoint_input}}]}}}, name="churn-dq"))
        return resources
    definition = stack_resource(monitoring.DATA_QUALITY, {
        "name": "churn-dq-def", "dataQualityJobInput": {"endpointInput": {"endpointName": endpoint_input}}},
        name="churn-dq-def")
    schedule = stack_resource(monitoring.SCHEDULE, {"name": "churn-dq", "monitoringScheduleConfig": {
        "monitoringType": kind, "monitoringJobDefinitionName": "churn-dq-def" if link else "other-def"}},
        name="churn-dq")
    return resources + [definition, schedule]


def _monitor_violations(resources, config=REQUIRE):
    return violations(monitoring.sagemaker_endpoint_data_quality_monitor, stack_args(resources, config))


@pytest.mark.parametrize("inline", [False, True])
def test_a_monitored_capturing_endpoint_passes(inline):
    assert _monitor_violations(_monitored(inline=inline)) == []


@pytest.mark.parametrize("change", [
    dict(kind="ModelQuality"), dict(endpoint_input="other-endpoint"), dict(link=False),
    dict(inline=True, endpoint_input="other-endpoint"), dict(inline=True, kind="ModelBias")])
def test_a_capturing_endpoint_without_a_data_quality_monitor_is_reported(change):
    [message] = _monitor_violations(_monitored(**change))
    assert "'churn' captures data" in message and "no data-quality monitoring schedule" in message


def test_no_schedule_at_all_is_reported_and_no_capture_needs_none():
    resources = _monitored()[:2]
    assert len(_monitor_violations(resources)) == 1
    assert _monitor_violations(_monitored(capture={**CAPTURE, "enableCapture": False})[:2]) == []
    assert _monitor_violations(_monitored(capture=None)[:2]) == []


def test_only_where_required():
    assert _monitor_violations(_monitored()[:2], config={}) == []


def test_links_by_dependency_in_a_preview():
    config, endpoint, definition, schedule = _monitored()
    preview_def = stack_resource(monitoring.DATA_QUALITY, {"name": UNKNOWN, "dataQualityJobInput": {
        "endpointInput": {"endpointName": UNKNOWN}}}, name="churn-dq-def",
        property_dependencies={"dataQualityJobInput": [endpoint.urn]})
    preview_schedule = stack_resource(monitoring.SCHEDULE, {"name": "churn-dq", "monitoringScheduleConfig": {
        "monitoringType": "DataQuality", "monitoringJobDefinitionName": UNKNOWN}}, name="churn-dq",
        property_dependencies={"monitoringScheduleConfig": [preview_def.urn]})
    assert _monitor_violations([config, endpoint, preview_def, preview_schedule]) == []


def test_unknown_capture_is_not_judged():
    assert _monitor_violations(_monitored(capture=UNKNOWN)[:2]) == []


def _copy(resource, i):
    return stack_resource(resource.resource_type, dict(resource.props), name=f"{resource.name}-c{i}")


def test_endpoints_whose_names_repeat_are_each_reported_once():
    # Copies of a stack under new URNs keep their physical names: each copy's endpoint names every
    # copy's configuration. Each endpoint is one finding, not one per configuration that names it.
    copies = [_copy(r, i) for i in range(3) for r in _monitored()[:2]]
    messages = _monitor_violations(copies)
    assert len(messages) == 3
    monitored = [_copy(r, i) for i in range(3) for r in _monitored()]
    assert _monitor_violations(monitored) == []


# --- experiments capture ---------------------------------------------------------------------------------

VARIANT = {"variantName": "primary", "modelName": "m1", "instanceType": "ml.c6i.xlarge", "initialInstanceCount": 2}
EXPERIMENT = {"productionVariants": [VARIANT],
              "shadowProductionVariants": [{**VARIANT, "variantName": "candidate", "modelName": "m2"}],
              "dataCaptureConfig": CAPTURE}


def _experiment_violations(props):
    return violations(experiments.sagemaker_experiment_captured, resource_args(experiments.ENDPOINT_CONFIG, props))


def test_a_captured_shadow_or_ab_configuration_passes():
    assert _experiment_violations(EXPERIMENT) == []
    ab = {**EXPERIMENT, "shadowProductionVariants": [], "productionVariants": [VARIANT, {**VARIANT, "variantName": "b"}]}
    assert _experiment_violations(ab) == []


@pytest.mark.parametrize("capture, expected", [
    (None, "runs a shadow variant without data capture"),
    ({**CAPTURE, "enableCapture": False}, "without data capture"),
    ({**CAPTURE, "captureOptions": [{"captureMode": "Input"}]}, "does not capture Output"),
    # A mode of the wrong shape (the fuzz test found a list once) is no mode, not a crash.
    ({**CAPTURE, "captureOptions": [{"captureMode": ["Input"]}, {"captureMode": "Output"}]}, "does not capture Input"),
])
def test_an_experiment_without_full_capture_is_reported(capture, expected):
    props = {k: v for k, v in {**EXPERIMENT, "dataCaptureConfig": capture}.items() if v is not None}
    [message] = _experiment_violations(props)
    assert expected in message


def test_single_variant_configurations_and_unknowns_are_not_judged():
    assert _experiment_violations({"productionVariants": [VARIANT]}) == []
    assert _experiment_violations({**EXPERIMENT, "dataCaptureConfig": UNKNOWN}) == []
    assert _experiment_violations({**EXPERIMENT, "shadowProductionVariants": UNKNOWN,
                                   "productionVariants": [VARIANT], "dataCaptureConfig": None}) == []


def test_two_production_variants_without_capture_are_reported():
    [message] = _experiment_violations({"productionVariants": [VARIANT, {**VARIANT, "variantName": "b"}]})
    assert "runs 2 production variants without data capture" in message


# --- MLflow artifact store -------------------------------------------------------------------------------

KEY = "arn:aws:kms:us-east-1:123456789012:key/artifacts"


def _store(*, sse=("aws:kms", KEY), block=True, uri="s3://mlflow-store/", by_dependency=False):
    bucket = stack_resource("aws:s3/bucket:Bucket", {"bucket": "mlflow-store", "id": "mlflow-store",
                                                     "arn": "arn:aws:s3:::mlflow-store"}, name="store")
    resources = [bucket]
    if sse is not None:
        resources.append(stack_resource(
            "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
            {"bucket": "mlflow-store", "rules": [{"applyServerSideEncryptionByDefault": {
                "sseAlgorithm": sse[0], **({"kmsMasterKeyId": sse[1]} if sse[1] else {})}}]}, name="store-encryption"))
    if block is not None:
        resources.append(stack_resource("aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock", {
            "bucket": "mlflow-store", "blockPublicAcls": True, "blockPublicPolicy": block, "ignorePublicAcls": True,
            "restrictPublicBuckets": True}, name="store-block"))
    resources.append(stack_resource(experiments.MLFLOW_TYPES[0], {
        "trackingServerName": "dev-mlflow", "artifactStoreUri": UNKNOWN if by_dependency else uri},
        name="dev-mlflow", property_dependencies={"artifactStoreUri": [bucket.urn]} if by_dependency else None))
    return resources


def _store_violations(policy, resources):
    return violations(policy, stack_args(resources))


@pytest.mark.parametrize("policy", [experiments.mlflow_artifact_store_private, experiments.mlflow_artifact_store_cmk])
@pytest.mark.parametrize("by_dependency", [False, True])
def test_a_private_cmk_store_passes(policy, by_dependency):
    assert _store_violations(policy, _store(by_dependency=by_dependency)) == []


@pytest.mark.parametrize("change", [dict(block=None), dict(block=False)])
def test_a_store_that_does_not_block_public_access_is_reported(change):
    [message] = _store_violations(experiments.mlflow_artifact_store_private, _store(**change))
    assert "artifact store bucket 'store' does not block public access" in message


def test_an_account_public_access_block_covers_the_store():
    account = stack_resource("aws:s3/accountPublicAccessBlock:AccountPublicAccessBlock", {
        "blockPublicAcls": True, "blockPublicPolicy": True, "ignorePublicAcls": True, "restrictPublicBuckets": True},
        name="account")
    assert _store_violations(experiments.mlflow_artifact_store_private, _store(block=None) + [account]) == []


@pytest.mark.parametrize("sse", [None, ("AES256", None), ("aws:kms", None), ("aws:kms", "alias/aws/s3")])
def test_a_store_without_a_customer_managed_key_is_reported(sse):
    [message] = _store_violations(experiments.mlflow_artifact_store_cmk, _store(sse=sse))
    assert "not encrypted by default with a customer-managed KMS key" in message


def test_a_store_outside_the_program_is_reported_once():
    resources = _store(uri="s3://someone-elses-bucket/mlflow")
    [message] = _store_violations(experiments.mlflow_artifact_store_private, resources)
    assert "'s3://someone-elses-bucket/mlflow' is not a bucket of this program" in message
    assert _store_violations(experiments.mlflow_artifact_store_cmk, resources) == []


def test_unknown_store_and_programs_without_mlflow_are_not_judged():
    assert _store_violations(experiments.mlflow_artifact_store_private, _store()[:3]) == []
    unknown = _store(uri=UNKNOWN)
    assert _store_violations(experiments.mlflow_artifact_store_private, unknown) == []
    assert _store_violations(experiments.mlflow_artifact_store_cmk, unknown) == []



# --- our stacks, reviewed as the packs see them ----------------------------------------------------------

def _reviewed(doc, env):
    from pathlib import Path

    from mlinfra.review import resources_from_document, review

    root = Path(__file__).resolve().parent.parent
    return review(resources_from_document(doc, f"{env}.json"), None, env, root).violations


def _without(doc, predicate):
    doc = json.loads(json.dumps(doc))
    doc["deployment"]["resources"] = [r for r in doc["deployment"]["resources"] if not predicate(r)]
    return doc


def test_prod_without_its_monitor_fails_review_mandatorily(stack_deployments):
    doc = _without(stack_deployments["prod"], lambda r: r["type"] == monitoring.SCHEDULE)
    found = [v for v in _reviewed(doc, "prod") if v.policy == "sagemaker-endpoint-data-quality-monitor"]
    assert [v.enforcement_level for v in found] == ["mandatory"]
    assert "'prod-churn' captures data" in found[0].message


def test_dev_mlflow_store_outside_the_program_fails_review(stack_deployments):
    doc = _without(stack_deployments["dev"], lambda r: r["type"] == "aws:s3/bucket:Bucket" and
                   r["urn"].endswith("::dev-mlflow-artifacts"))
    found = {v.policy for v in _reviewed(doc, "dev")}
    assert "mlflow-artifact-store-private" in found
