"""ExperimentTracking (managed MLflow) under Pulumi's mocks, the training jobs' access to it, and the
``experiments`` section's rules."""

from __future__ import annotations

import json

import pulumi
import pulumi_aws as aws
import pytest

from components.experiments.tracking import ExperimentTracking, ExperimentTrackingArgs
from components.network import Network, NetworkArgs
from components.storage import AccessLogBucket, AccessLogBucketArgs
from components.training.cluster import MLFLOW_CONFIG_MAP, TrackingServerAccess, TrainingCluster, TrainingClusterArgs
from mlinfra.config import platform_config_from
from mlinfra.config.stack_checks import automatic_model_registration
from mlinfra.errors import ConfigError

SERVER = "aws:sagemaker/mlflowTrackingServer:MlflowTrackingServer"
ENDPOINT = "aws:ec2/vpcEndpoint:VpcEndpoint"
ROLE_POLICY = "aws:iam/rolePolicy:RolePolicy"
SERVER_ARN = "arn:aws:sagemaker:us-east-1:123456789012:mlflow-tracking-server/dev-mlflow"


def _build(run, **kw):
    created = {}

    def program():
        key = aws.kms.Key("artifacts-key")
        logs_key = aws.kms.Key("logs-key")
        network = Network("net", NetworkArgs(cidr="10.10.0.0/16", availability_zones=["us-east-1a", "us-east-1b"],
                                             flow_log_key=logs_key, nat="single"))
        access_logs = AccessLogBucket("access-logs", AccessLogBucketArgs())
        created["tracking"] = ExperimentTracking("dev-mlflow", ExperimentTrackingArgs(
            network=network, kms_key=key, access_log_bucket=access_logs.bucket, region="us-east-1", **kw))
        pulumi.export("uri", created["tracking"].tracking_uri)

    run(program)
    return created["tracking"]


def test_server_stores_artifacts_in_a_private_cmk_bucket_under_a_scoped_role(monitor, run):
    _build(run)
    bucket = monitor.named("aws:s3/bucket:Bucket", "dev-mlflow-artifacts")
    server = monitor.named(SERVER, "dev-mlflow").inputs
    assert server["artifactStoreUri"] == f"s3://{bucket.outputs['bucket']}/"
    assert server["trackingServerName"] == "dev-mlflow" and server["trackingServerSize"] == "Small"
    assert server["automaticModelRegistration"] is False
    assert server["weeklyMaintenanceWindowStart"] == "Sun:03:00"
    encryption = monitor.named("aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
                               "dev-mlflow-artifacts-encryption").inputs
    key = monitor.named("aws:kms/key:Key", "artifacts-key").outputs["arn"]
    rule = encryption["rules"][0]["applyServerSideEncryptionByDefault"]
    assert rule == {"sseAlgorithm": "aws:kms", "kmsMasterKeyId": key}
    block = monitor.named("aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock",
                          "dev-mlflow-artifacts-public-access-block").inputs
    assert all(block[k] for k in ("blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets"))
    policy = json.loads(monitor.named(ROLE_POLICY, "dev-mlflow-mlflow").inputs["policy"])
    resources = {s["Sid"]: s["Resource"] for s in policy["Statement"]}
    assert resources == {"ListArtifactStore": bucket.outputs["arn"], "ArtifactStoreObjects": bucket.outputs["arn"] + "/*",
                         "ArtifactStoreKey": key}
    trust = json.loads(monitor.named("aws:iam/role:Role", "dev-mlflow-mlflow").inputs["assumeRolePolicy"])
    assert trust["Statement"][0]["Principal"] == {"Service": "sagemaker.amazonaws.com"}


def test_automatic_registration_lets_the_role_register_models_only(monitor, run):
    _build(run, automatic_model_registration=True)
    assert monitor.named(SERVER, "dev-mlflow").inputs["automaticModelRegistration"] is True
    policy = json.loads(monitor.named(ROLE_POLICY, "dev-mlflow-mlflow").inputs["policy"])
    register = next(s for s in policy["Statement"] if s["Sid"] == "RegisterModels")
    assert register["Resource"] == ["arn:aws:sagemaker:us-east-1:123456789012:model-package-group/*",
                                    "arn:aws:sagemaker:us-east-1:123456789012:model-package/*"]
    assert all(a.startswith("sagemaker:") and "*" not in a for a in register["Action"])


def test_interface_endpoint_reaches_this_server_only(monitor, run):
    _build(run)
    endpoint = monitor.named(ENDPOINT, "dev-mlflow-mlflow").inputs
    assert endpoint["serviceName"] == "aws.sagemaker.us-east-1.experiments"
    assert endpoint["vpcEndpointType"] == "Interface" and endpoint["privateDnsEnabled"] is True
    private = sorted(s.id for s in monitor.by_type("aws:ec2/subnet:Subnet") if "-private-" in s.name)
    assert sorted(endpoint["subnetIds"]) == private
    assert endpoint["securityGroupIds"] == [monitor.named("aws:ec2/securityGroup:SecurityGroup", "net-endpoints").id]
    statement = json.loads(endpoint["policy"])["Statement"]
    assert statement == [{"Sid": "ThisTrackingServer", "Effect": "Allow", "Principal": {"AWS": "123456789012"},
                          "Action": "sagemaker-mlflow:*", "Resource": SERVER_ARN}]


def test_tracking_uri_is_the_server_arn(monitor, run):
    _build(run)
    component = monitor.named("mlinfra:experiments:ExperimentTracking", "dev-mlflow")
    assert component.outputs["trackingUri"] == SERVER_ARN
    assert component.outputs["trackingUrl"].endswith(".us-east-1.experiments.sagemaker.aws")


@pytest.mark.parametrize("kw, message", [
    (dict(maintenance_window_start="Sunday 3am"), "Ddd:HH:MM"),
    (dict(maintenance_window_start="Sun:24:00"), "Ddd:HH:MM"),
    (dict(size="Huge"), "Small, Medium or Large"),
])
def test_bad_tracking_args(kw, message):
    with pytest.raises(ValueError, match=message):
        ExperimentTrackingArgs(network=None, kms_key=None, access_log_bucket=None, region="us-east-1", **kw)


def test_training_jobs_get_the_tracking_uri_and_permission_through_their_pod_identity_role(monitor, run):
    def program():
        vpc = aws.ec2.Vpc("vpc", cidr_block="10.0.0.0/16")
        zones = ["us-east-1a", "us-east-1b"]
        subnets = [aws.ec2.Subnet(f"private-{z}", vpc_id=vpc.id, cidr_block=f"10.0.{i}.0/24", availability_zone=z)
                   for i, z in enumerate(zones)]
        keys = {p: aws.kms.Key(p) for p in ("eks", "logs", "data", "artifacts")}
        buckets = {p: aws.s3.Bucket(p) for p in ("data", "artifacts")}
        from components.training.args import GpuNodeGroupArgs, TeamArgs

        TrainingCluster("train", TrainingClusterArgs(
            vpc=vpc, subnets=subnets, availability_zones=zones, cluster_key=keys["eks"], log_key=keys["logs"],
            dataset_bucket=buckets["data"], dataset_key=keys["data"], artifact_bucket=buckets["artifacts"],
            artifact_key=keys["artifacts"], admin_principals=["arn:aws:iam::123456789012:role/ci/deployer"],
            gpu_node_groups=[GpuNodeGroupArgs("g6", ["g6.xlarge"], max_size=2)],
            teams=[TeamArgs("research", gpus=4), TeamArgs("vision", gpus=2)], max_gpus=8,
            deployer_cidrs=["10.250.0.0/20"],
            experiment_tracking=TrackingServerAccess(server_arn=SERVER_ARN, tracking_uri=SERVER_ARN)))

    run(program)
    policy = json.loads(monitor.named(ROLE_POLICY, "train-training-job-mlflow").inputs["policy"])
    assert policy["Statement"] == [{"Sid": "UseTrackingServer", "Effect": "Allow", "Action": "sagemaker-mlflow:*",
                                    "Resource": SERVER_ARN}]
    role = monitor.named("aws:iam/role:Role", "train-training-job")
    assert monitor.named(ROLE_POLICY, "train-training-job-mlflow").inputs["role"] == role.id
    maps = {m.inputs["metadata"]["namespace"]: m.inputs for m in monitor.by_type("kubernetes:core/v1:ConfigMap")
            if m.inputs["metadata"]["name"] == MLFLOW_CONFIG_MAP}
    assert set(maps) == {"research", "vision"}
    assert maps["research"]["data"] == {"MLFLOW_TRACKING_URI": SERVER_ARN}
    # The Pod Identity associations wait for the grant, so a job never starts without it.
    association = monitor.named("aws:eks/podIdentityAssociation:PodIdentityAssociation", "train-team-research")
    mlflow_policy = monitor.named(ROLE_POLICY, "train-training-job-mlflow")
    assert mlflow_policy.urn in association.dependencies


def _config(tier, experiments):
    return platform_config_from({
        "aws:region": "us-east-1", "mlinfra:tier": tier,
        "mlinfra:tags": json.dumps({"owner": "o", "costCenter": "c"}),
        "mlinfra:experiments": json.dumps(experiments)}, environment=tier, source=f"stacks/Pulumi.{tier}.yaml")


@pytest.mark.parametrize("tier, expected", [("dev", True), ("staging", False), ("prod", False)])
def test_automatic_registration_defaults_on_in_dev_only(tier, expected):
    assert automatic_model_registration(_config(tier, {}), source="x") is expected


def test_automatic_registration_outside_dev_is_refused():
    with pytest.raises(ConfigError) as info:
        automatic_model_registration(_config("prod", {"automaticModelRegistration": True}),
                                     source="stacks/Pulumi.prod.yaml")
    assert str(info.value).startswith("stacks/Pulumi.prod.yaml: mlinfra:experiments.automaticModelRegistration = True: "
                                      "only dev registers MLflow models automatically")
    assert automatic_model_registration(_config("dev", {"automaticModelRegistration": False}), source="x") is False


@pytest.mark.parametrize("experiments, key, message", [
    ({"size": "XL"}, "size", "Input should be 'Small', 'Medium' or 'Large'"),
    ({"maintenanceWindowStart": "Sunday"}, "maintenanceWindowStart", "Ddd:HH:MM"),
    ({"mlflowVersion": "latest"}, "mlflowVersion", "should match pattern"),
    ({"artifactBucket": "x"}, "artifactBucket", "is not a known setting"),
])
def test_bad_experiments_settings_name_the_key(experiments, key, message):
    with pytest.raises(ConfigError) as info:
        _config("dev", experiments)
    text = str(info.value)
    assert text.startswith(f"stacks/Pulumi.dev.yaml: mlinfra:experiments.{key}") and message in text, text
