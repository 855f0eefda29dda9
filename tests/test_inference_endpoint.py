"""InferenceEndpoint under Pulumi's mocks: model, role, network, capture, async, alarms, deployment, scaling."""

from __future__ import annotations

import json

import pulumi_aws as aws
import pytest

from components.common import Classification
from components.inference.args import (
    AsyncArgs,
    AutoscalingArgs,
    CapacitySizeArgs,
    DataCaptureArgs,
    DeploymentArgs,
    ServerlessArgs,
)
from components.inference.endpoint import InferenceEndpoint, InferenceEndpointArgs
from components.inference.sources import ModelSource
from components.network import Network, NetworkArgs
from components.storage import AccessLogBucket, AccessLogBucketArgs, SecureBucket, SecureBucketArgs

MODEL = "aws:sagemaker/model:Model"
CONFIG = "aws:sagemaker/endpointConfiguration:EndpointConfiguration"
ENDPOINT = "aws:sagemaker/endpoint:Endpoint"
ALARM = "aws:cloudwatch/metricAlarm:MetricAlarm"
TARGET = "aws:appautoscaling/target:Target"
SCALING_POLICY = "aws:appautoscaling/policy:Policy"
ROLE_POLICY = "aws:iam/rolePolicy:RolePolicy"
SG = "aws:ec2/securityGroup:SecurityGroup"
LOG_GROUP = "aws:cloudwatch/logGroup:LogGroup"
TOPIC = "aws:sns/topic:Topic"
SECURE_BUCKET = "mlinfra:storage:SecureBucket"
LIFECYCLE = "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration"
PYTORCH_GPU = "763104351884.dkr.ecr.us-east-1.amazonaws.com/pytorch-inference:2.6-gpu-py312"
PACKAGE_ARN = "arn:aws:sagemaker:us-east-1:123456789012:model-package/fraud/3"
NAME = "dev-churn"


def _build(run, source="artifact", **kw):
    created = {}

    def program():
        inference_key = aws.kms.Key("inference-key")
        logs_key = aws.kms.Key("logs-key")
        network = Network("net", NetworkArgs(cidr="10.10.0.0/16", availability_zones=["us-east-1a", "us-east-1b"],
                                             flow_log_key=logs_key, nat="single"))
        access_logs = AccessLogBucket("access-logs", AccessLogBucketArgs())
        artifacts = SecureBucket("artifacts", SecureBucketArgs(kms_key=inference_key, classification=Classification.INTERNAL,
                                                               access_log_bucket=access_logs.bucket))
        if source == "artifact":
            model = ModelSource.from_artifact(image=PYTORCH_GPU, bucket=artifacts, key="models/churn/model.tar.gz",
                                              kms_key=inference_key, environment={"SAGEMAKER_PROGRAM": "inference.py"})
        else:
            repo = aws.ecr.Repository("serving", name="dev/fraud-serving")
            model = ModelSource.from_model_package(arn=PACKAGE_ARN, artifact_bucket=artifacts, kms_key=inference_key,
                                                   repositories=[repo])
        args = dict(model=model, network=network, kms_key=inference_key, logs_key=logs_key,
                    access_log_bucket=access_logs.bucket, instance_type="ml.c6i.xlarge")
        args.update(kw)
        created["endpoint"] = InferenceEndpoint(NAME, InferenceEndpointArgs(**args))

    run(program)
    return created["endpoint"]


def _policy(monitor):
    return json.loads(monitor.named(ROLE_POLICY, f"{NAME}-execution").inputs["policy"])


def _statement(policy, sid):
    return next(s for s in policy["Statement"] if s["Sid"] == sid)


def test_artifact_model_is_isolated_in_private_subnets_with_its_own_security_group(monitor, run):
    _build(run)
    model = monitor.named(MODEL, NAME).inputs
    assert model["enableNetworkIsolation"] is True
    assert model["primaryContainer"]["image"] == PYTORCH_GPU
    assert model["primaryContainer"]["modelDataUrl"].endswith("/models/churn/model.tar.gz")
    assert model["primaryContainer"]["modelDataUrl"].startswith("s3://")
    assert model["primaryContainer"]["environment"] == {"SAGEMAKER_PROGRAM": "inference.py"}
    private = sorted(s.id for s in monitor.by_type("aws:ec2/subnet:Subnet") if "-private-" in s.name)
    assert sorted(model["vpcConfig"]["subnets"]) == private
    sg = monitor.named(SG, NAME)
    assert model["vpcConfig"]["securityGroupIds"] == [sg.id]
    assert sg.inputs.get("ingress", []) == []
    egress = sg.inputs["egress"]
    assert {(r["fromPort"], r["toPort"]) for r in egress} == {(443, 443)}
    assert [r for r in egress if r.get("cidrBlocks")][0]["cidrBlocks"] == ["10.10.0.0/16"]
    s3 = monitor.named("aws:ec2/vpcEndpoint:VpcEndpoint", "net-s3")
    assert [r for r in egress if r.get("prefixListIds")][0]["prefixListIds"] == [s3.outputs["prefixListId"]]


def test_execution_role_is_least_privilege(monitor, run):
    _build(run)
    policy = _policy(monitor)
    artifacts = monitor.named("aws:s3/bucket:Bucket", "artifacts")
    assert _statement(policy, "ReadModelArtifact")["Resource"] == [
        f"{artifacts.outputs['arn']}/models/churn/model.tar.gz"]
    key = monitor.named("aws:kms/key:Key", "inference-key")
    assert _statement(policy, "DecryptModelArtifact")["Resource"] == [key.outputs["arn"]]
    assert _statement(policy, "PullImage")["Resource"] == [
        "arn:aws:ecr:us-east-1:763104351884:repository/pytorch-inference"]
    log_group = monitor.named(LOG_GROUP, NAME)
    assert log_group.inputs["name"] == f"/aws/sagemaker/Endpoints/{NAME}"
    assert _statement(policy, "Logs")["Resource"] == [log_group.outputs["arn"], log_group.outputs["arn"] + ":*"]
    vpc = monitor.by_type("aws:ec2/vpc:Vpc")[0]
    # CreateNetworkInterface split by resource type: the new interface carries no ec2:Vpc key, the
    # subnet and security groups do (Service Authorization Reference, tests/test_iam_conformance.py).
    ec2 = "arn:aws:ec2:us-east-1:123456789012"
    assert _statement(policy, "CreateVpcInterfaces") == {
        "Sid": "CreateVpcInterfaces", "Effect": "Allow", "Action": "ec2:CreateNetworkInterface",
        "Resource": f"{ec2}:network-interface/*"}
    placement = _statement(policy, "PlaceVpcInterfaces")
    assert placement["Resource"] == [f"{ec2}:subnet/*", f"{ec2}:security-group/*"]
    assert placement["Condition"] == {"ArnEquals": {"ec2:Vpc": vpc.outputs["arn"]}}
    existing = _statement(policy, "VpcInterfaces")
    assert "ec2:CreateNetworkInterface" not in existing["Action"]
    assert existing["Resource"] == f"{ec2}:network-interface/*"
    assert existing["Condition"] == {"ArnEquals": {"ec2:Vpc": vpc.outputs["arn"]}}
    # Nothing to write without capture or async; no wildcard actions anywhere.
    sids = {s["Sid"] for s in policy["Statement"]}
    assert not sids & {"ReadAsyncRequests", "WriteCaptureAndResults", "EncryptCaptureAndResults", "NotifyAsyncResults"}
    actions = [a for s in policy["Statement"] for a in ([s["Action"]] if isinstance(s["Action"], str) else s["Action"])]
    assert not [a for a in actions if a.endswith("*")]
    trust = json.loads(monitor.named("aws:iam/role:Role", f"{NAME}-execution").inputs["assumeRolePolicy"])
    assert trust["Statement"][0]["Principal"] == {"Service": "sagemaker.amazonaws.com"}


def test_model_waits_for_its_role_policy(monitor, run):
    _build(run)
    policy = monitor.named(ROLE_POLICY, f"{NAME}-execution")
    assert policy.urn in monitor.named(MODEL, NAME).dependencies


def test_model_package_source(monitor, run):
    _build(run, source="package")
    container = monitor.named(MODEL, NAME).inputs["primaryContainer"]
    assert container["modelPackageName"] == PACKAGE_ARN
    assert "image" not in container and "modelDataUrl" not in container
    policy = _policy(monitor)
    artifacts = monitor.named("aws:s3/bucket:Bucket", "artifacts")
    assert _statement(policy, "ReadModelArtifact")["Resource"] == [f"{artifacts.outputs['arn']}/*"]
    assert _statement(policy, "PullImage")["Resource"] == [
        "arn:aws:ecr:us-east-1:123456789012:repository/dev/fraud-serving"]


def test_endpoint_configuration_encrypts_volumes_with_the_cmk(monitor, run):
    _build(run)
    config = monitor.named(CONFIG, NAME).inputs
    key = monitor.named("aws:kms/key:Key", "inference-key")
    assert config["kmsKeyArn"] == key.outputs["arn"]
    [variant] = config["productionVariants"]
    assert variant == {"variantName": "primary", "modelName": monitor.named(MODEL, NAME).outputs["name"],
                       "instanceType": "ml.c6i.xlarge", "initialInstanceCount": 1.0}
    assert "dataCaptureConfig" not in config


def test_instance_storage_types_get_no_volume_key(monitor, run):
    # SageMaker refuses KmsKeyId for instance types with (hardware-encrypted) local NVMe storage.
    _build(run, instance_type="ml.g5.xlarge")
    assert "kmsKeyArn" not in monitor.named(CONFIG, NAME).inputs


def test_data_capture_goes_to_an_expiring_encrypted_bucket(monitor, run):
    endpoint = _build(run, data_capture=DataCaptureArgs(sampling_percentage=20, retention_days=45),
                      classification=Classification.RESTRICTED, protect=True)
    capture = monitor.named(CONFIG, NAME).inputs["dataCaptureConfig"]
    key = monitor.named("aws:kms/key:Key", "inference-key")
    bucket = monitor.named("aws:s3/bucket:Bucket", f"{NAME}-capture")
    assert capture["enableCapture"] is True
    assert capture["initialSamplingPercentage"] == 20
    assert capture["kmsKeyId"] == key.outputs["arn"]
    assert capture["destinationS3Uri"] == f"s3://{bucket.outputs['bucket']}/{NAME}"
    assert [o["captureMode"] for o in capture["captureOptions"]] == ["Input", "Output"]
    rules = monitor.named(LIFECYCLE, f"{NAME}-capture-lifecycle").inputs["rules"]
    assert any(r.get("expiration", {}).get("days") == 45 for r in rules)
    assert bucket.protect and bucket.inputs["tags"]["data-classification"] == "restricted"
    assert endpoint.capture_bucket is not None
    policy = _policy(monitor)
    assert _statement(policy, "WriteCaptureAndResults")["Resource"] == [f"{bucket.outputs['arn']}/*"]
    assert _statement(policy, "EncryptCaptureAndResults")["Resource"] == [key.outputs["arn"]]


def test_async_results_and_encrypted_notifications(monitor, run):
    endpoint = _build(run, async_inference=AsyncArgs(max_concurrent_invocations_per_instance=4,
                                                     output_retention_days=7))
    config = monitor.named(CONFIG, NAME).inputs["asyncInferenceConfig"]
    bucket = monitor.named("aws:s3/bucket:Bucket", f"{NAME}-async")
    key = monitor.named("aws:kms/key:Key", "inference-key")
    success, error = monitor.named(TOPIC, f"{NAME}-success"), monitor.named(TOPIC, f"{NAME}-error")
    assert success.inputs["kmsMasterKeyId"] == error.inputs["kmsMasterKeyId"] == key.outputs["arn"]
    output = config["outputConfig"]
    assert output["s3OutputPath"] == f"s3://{bucket.outputs['bucket']}/{NAME}/results"
    assert output["s3FailurePath"] == f"s3://{bucket.outputs['bucket']}/{NAME}/failures"
    assert output["kmsKeyId"] == key.outputs["arn"]
    assert output["notificationConfig"] == {"successTopic": success.outputs["arn"], "errorTopic": error.outputs["arn"]}
    assert config["clientConfig"]["maxConcurrentInvocationsPerInstance"] == 4
    rules = monitor.named(LIFECYCLE, f"{NAME}-async-lifecycle").inputs["rules"]
    assert any(r.get("expiration", {}).get("days") == 7 for r in rules)
    assert sorted(_statement(_policy(monitor), "NotifyAsyncResults")["Resource"]) == sorted(
        [success.outputs["arn"], error.outputs["arn"]])
    # SageMaker reads each request's InputLocation with the execution role: only under the requests prefix.
    requests = _statement(_policy(monitor), "ReadAsyncRequests")
    assert requests["Action"] == "s3:GetObject" and requests["Resource"] == [f"{bucket.outputs['arn']}/{NAME}/requests/*"]
    component = monitor.named("mlinfra:inference:InferenceEndpoint", NAME)
    assert component.outputs["asyncRequestPrefix"] == f"s3://{bucket.outputs['bucket']}/{NAME}/requests/"
    assert endpoint.async_request_prefix is not None


def test_serverless_endpoint_has_no_vpc_instances_or_volume_key(monitor, run):
    _build(run, instance_type=None, serverless=ServerlessArgs(memory_size_mb=3072, max_concurrency=20))
    config = monitor.named(CONFIG, NAME).inputs
    [variant] = config["productionVariants"]
    assert variant["serverlessConfig"] == {"memorySizeInMb": 3072.0, "maxConcurrency": 20.0}
    assert "instanceType" not in variant and "kmsKeyArn" not in config
    model = monitor.named(MODEL, NAME).inputs
    assert "vpcConfig" not in model and model["enableNetworkIsolation"] is False
    assert not [sg for sg in monitor.by_type(SG) if sg.name == NAME]
    assert "VpcInterfaces" not in {s["Sid"] for s in _policy(monitor)["Statement"]}


def test_rollback_alarms_watch_errors_and_latency_of_the_variant(monitor, run):
    _build(run)
    errors, latency = monitor.named(ALARM, f"{NAME}-5xx").inputs, monitor.named(ALARM, f"{NAME}-latency").inputs
    for alarm in (errors, latency):
        assert alarm["namespace"] == "AWS/SageMaker"
        assert alarm["dimensions"] == {"EndpointName": NAME, "VariantName": "primary"}
        assert alarm["evaluationPeriods"] == 2
    assert (errors["metricName"], errors["statistic"], errors["threshold"]) == ("Invocation5XXErrors", "Sum", 5)
    # ModelLatency is in microseconds: 1000 ms -> 1,000,000.
    assert (latency["metricName"], latency["extendedStatistic"], latency["threshold"]) == ("ModelLatency", "p99", 1e6)


def test_canary_deployment_rolls_back_on_the_alarms(monitor, run):
    _build(run, instance_count=4, deployment=DeploymentArgs(
        strategy="CANARY", canary_size=CapacitySizeArgs("INSTANCE_COUNT", 1), wait_interval_seconds=600,
        termination_wait_seconds=120, maximum_execution_timeout_seconds=3600))
    endpoint = monitor.named(ENDPOINT, NAME)
    assert endpoint.inputs["name"] == NAME
    assert endpoint.inputs["endpointConfigName"] == monitor.named(CONFIG, NAME).outputs["name"]
    deployment = endpoint.inputs["deploymentConfig"]
    policy = deployment["blueGreenUpdatePolicy"]
    assert policy["trafficRoutingConfiguration"] == {"type": "CANARY", "waitIntervalInSeconds": 600,
                                                     "canarySize": {"type": "INSTANCE_COUNT", "value": 1}}
    assert (policy["terminationWaitInSeconds"], policy["maximumExecutionTimeoutInSeconds"]) == (120, 3600)
    assert sorted(a["alarmName"] for a in deployment["autoRollbackConfiguration"]["alarms"]) == [
        f"{NAME}-5xx", f"{NAME}-latency"]


def test_autoscaling_tracks_invocations_without_fighting_deployments(monitor, run):
    _build(run, instance_count=2, autoscaling=AutoscalingArgs(
        min_capacity=2, max_capacity=8, target_invocations_per_instance=150, scale_in_cooldown_seconds=600,
        scale_out_cooldown_seconds=30))
    target = monitor.named(TARGET, NAME)
    assert target.inputs["resourceId"] == f"endpoint/{NAME}/variant/primary"
    assert (target.inputs["serviceNamespace"], target.inputs["scalableDimension"]) == (
        "sagemaker", "sagemaker:variant:DesiredInstanceCount")
    assert (target.inputs["minCapacity"], target.inputs["maxCapacity"]) == (2, 8)
    assert monitor.named(ENDPOINT, NAME).urn in target.dependencies
    tracking = monitor.named(SCALING_POLICY, f"{NAME}-invocations").inputs
    assert tracking["policyType"] == "TargetTrackingScaling"
    config = tracking["targetTrackingScalingPolicyConfiguration"]
    assert config["predefinedMetricSpecification"] == {"predefinedMetricType": "SageMakerVariantInvocationsPerInstance"}
    assert (config["targetValue"], config["scaleInCooldown"], config["scaleOutCooldown"]) == (150, 600, 30)
    endpoint_config = monitor.named(CONFIG, NAME)
    # The configuration starts at the minimum; a changed minimum is the scalable target's job.
    assert endpoint_config.inputs["productionVariants"][0]["initialInstanceCount"] == 2
    assert endpoint_config.ignore_changes == ["productionVariants[0].initialInstanceCount"]


def test_without_autoscaling_the_instance_count_is_managed_by_the_configuration(monitor, run):
    _build(run, instance_count=3)
    assert monitor.by_type(TARGET) == []
    config = monitor.named(CONFIG, NAME)
    assert config.ignore_changes == []
    assert config.inputs["productionVariants"][0]["initialInstanceCount"] == 3


def test_children_are_parented_to_the_component(monitor, run):
    _build(run)
    component = monitor.named("mlinfra:inference:InferenceEndpoint", NAME)
    for type_ in (MODEL, CONFIG, ENDPOINT, ROLE_POLICY, LOG_GROUP):
        assert monitor.named(type_, NAME if type_ != ROLE_POLICY else f"{NAME}-execution").parent == component.urn
    assert set(component.outputs) >= {"endpointName", "endpointArn", "modelName", "roleArn", "alarmNames"}


@pytest.mark.parametrize(("kw", "message"), [
    (dict(instance_type="m5.large"), "ml.<family>.<size>"),
    (dict(instance_type=None, serverless=ServerlessArgs(), data_capture=DataCaptureArgs()),
     "serverless endpoint supports no data capture"),
    (dict(instance_count=1, deployment=DeploymentArgs(strategy="CANARY", canary_size=CapacitySizeArgs("INSTANCE_COUNT", 1))),
     "a canary is 1 instance to 50% of the 1 instance(s)"),
    (dict(instance_count=3, autoscaling=AutoscalingArgs(min_capacity=2, max_capacity=4, target_invocations_per_instance=1)),
     "must be the minimum (2)"),
])
def test_bad_args_are_refused(kw, message):
    base = dict(model=ModelSource(image=PYTORCH_GPU, model_data_url="s3://b/k.tar.gz"), network=None, kms_key=None,
                logs_key=None, access_log_bucket=None)
    with pytest.raises(ValueError, match=message.replace("(", r"\(").replace(")", r"\)")):
        InferenceEndpointArgs(**{**base, **kw})


def test_bad_component_pieces_are_refused():
    with pytest.raises(ValueError, match="minimum \\(5\\) must not exceed the maximum \\(2\\)"):
        AutoscalingArgs(min_capacity=5, max_capacity=2, target_invocations_per_instance=10)
    with pytest.raises(ValueError, match="serverless memory must be one of 1024, 2048"):
        ServerlessArgs(memory_size_mb=1000)
    with pytest.raises(ValueError, match="exactly one of them"):
        ModelSource(model_package_arn=PACKAGE_ARN, image=PYTORCH_GPU)
    with pytest.raises(ValueError, match="needs model_data_url"):
        ModelSource(image=PYTORCH_GPU)


def test_log_retention_must_be_a_cloudwatch_period():
    from components.inference.endpoint import InferenceEndpointArgs

    with pytest.raises(ValueError, match="log_retention_days=45 is not a CloudWatch retention period"):
        InferenceEndpointArgs(model=None, network=None, kms_key=None, logs_key=None, access_log_bucket=None,
                              log_retention_days=45)
