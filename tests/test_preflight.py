"""Preflight: requirements read from a plan, checked against moto's server (EC2, SageMaker, ECR)
and botocore's Stubber (Service Quotas, which moto does not implement for EC2 or SageMaker)."""

from __future__ import annotations

import json

import boto3
import pytest
from botocore.stub import Stubber

from mlinfra.errors import MlinfraError
from mlinfra.preflight import make_clients, preflight, render
from mlinfra.preflight.checks import (
    Clients,
    check_addon_compatibility,
    check_endpoint_quotas,
    check_vcpu_quotas,
    describe_types,
    instance_class,
)
from mlinfra.preflight.requirements import requirements_of

REGION = "us-east-1"
ACCOUNT = "123456789012"


def resource(type_: str, name: str, inputs: dict, outputs: dict | None = None) -> dict:
    return {"urn": f"urn:pulumi:prod::mlinfra::{type_}::{name}", "type": type_, "custom": True,
            "inputs": inputs, "outputs": outputs or {}}


def deployment(*resources: dict) -> dict:
    provider = resource("pulumi:providers:aws", "aws", {"region": REGION})
    return {"version": 3, "deployment": {"resources": [provider, *resources]}}


def subnets() -> list[dict]:
    return [resource("aws:ec2/subnet:Subnet", f"private-{z}", {"availabilityZone": f"{REGION}{z}"},
                     {"id": f"subnet-{z}"}) for z in "abe"]


def node_group(name: str, instance_type: str, zones: str, max_size: int, *, capacity: str = "ON_DEMAND",
               template: str | None = None, gpu: bool = True) -> dict:
    inputs = {"instanceTypes": [instance_type], "subnetIds": [f"subnet-{z}" for z in zones],
              "scalingConfig": {"minSize": 0.0, "maxSize": float(max_size), "desiredSize": 0.0},
              "capacityType": capacity}
    if gpu:
        inputs["taints"] = [{"key": "nvidia.com/gpu", "value": "true", "effect": "NO_SCHEDULE"}]
        inputs["amiType"] = "AL2023_x86_64_NVIDIA"
    if template:
        inputs["launchTemplate"] = {"id": template, "version": "1"}
    return resource("aws:eks/nodeGroup:NodeGroup", name, inputs)


def efa_template(template_id: str) -> dict:
    return resource("aws:ec2/launchTemplate:LaunchTemplate", template_id,
                    {"networkInterfaces": [{"interfaceType": "efa", "deviceIndex": 0.0}]}, {"id": template_id})


def endpoint(name: str, instance_type: str, count: int, max_capacity: int | None) -> list[dict]:
    config = resource("aws:sagemaker/endpointConfiguration:EndpointConfiguration", f"{name}-config",
                      {"productionVariants": [{"variantName": "primary", "instanceType": instance_type,
                                               "initialInstanceCount": float(count)}]},
                      {"name": f"{name}-config"})
    ep = resource("aws:sagemaker/endpoint:Endpoint", name, {"name": name, "endpointConfigName": f"{name}-config"})
    items = [config, ep]
    if max_capacity is not None:
        items.append(resource("aws:appautoscaling/target:Target", f"{name}-scaling",
                              {"serviceNamespace": "sagemaker", "resourceId": f"endpoint/{name}/variant/primary",
                               "maxCapacity": float(max_capacity)}))
    return items


def model(name: str, **container) -> dict:
    return resource("aws:sagemaker/model:Model", name, {"primaryContainer": container})


# --- requirements --------------------------------------------------------------------------------

def test_requirements_join_node_groups_to_zones_templates_and_gpu_markers():
    req = requirements_of(deployment(*subnets(), efa_template("lt-1"),
                                     node_group("gpu", "p3dn.24xlarge", "a", 4, template="lt-1"),
                                     node_group("system", "m5.large", "ab", 3, gpu=False)))
    gpu, system = req.node_groups
    assert req.region == REGION
    assert (gpu.instance_types, gpu.zones, gpu.max_size, gpu.efa, gpu.gpu) == (
        ("p3dn.24xlarge",), (f"{REGION}a",), 4, True, True)
    assert (system.zones, system.efa, system.gpu) == ((f"{REGION}a", f"{REGION}b"), False, False)


def test_requirements_take_the_larger_of_initial_count_and_autoscaling_maximum():
    req = requirements_of(deployment(*endpoint("churn", "ml.g5.xlarge", 2, 6), *endpoint("fraud", "ml.m5.large", 3, None)))
    assert [(e.name, e.instance_type, e.max_instances) for e in req.endpoints] == [
        ("churn", "ml.g5.xlarge", 6), ("fraud", "ml.m5.large", 3)]


def test_requirements_parse_model_package_and_ecr_image_references():
    req = requirements_of(deployment(
        model("latest", modelPackageName=f"arn:aws:sagemaker:{REGION}:{ACCOUNT}:model-package/churn/0"),
        model("pinned", modelPackageName=f"arn:aws:sagemaker:{REGION}:{ACCOUNT}:model-package/fraud/3"),
        model("image", image=f"{ACCOUNT}.dkr.ecr.{REGION}.amazonaws.com/serving/churn:1.2.0"),
    ))
    assert [(p.group, p.version) for p in req.model_packages] == [("churn", 0), ("fraud", 3)]
    (image,) = req.images
    assert (image.account, image.repository, image.tag, image.digest, image.own) == (
        ACCOUNT, "serving/churn", "1.2.0", None, True)
    foreign = requirements_of(deployment(model("dlc", image=f"763104351884.dkr.ecr.{REGION}.amazonaws.com/pytorch:2"))).images
    assert foreign[0].own is False


def test_instance_class_maps_families_to_vcpu_quotas():
    assert instance_class("g5.48xlarge") == "g-vt"
    assert instance_class("vt1.3xlarge") == "g-vt"
    assert instance_class("p5.48xlarge") == "p"
    assert instance_class("m5.large") == "standard"
    assert instance_class("trn1.32xlarge") is None
    assert instance_class("inf2.xlarge") is None
    assert instance_class("t3.medium") == "standard"


# --- EC2 against moto ------------------------------------------------------------------------------

@pytest.fixture
def clients(moto_reset) -> Clients:
    return make_clients(REGION, moto_reset)


def rows(results, check):
    return [(r.resource, r.status, r.detail) for r in results if r.check == check]


def stub_quotas(clients: Clients, ec2_quotas: dict[str, float] | None = None,
                sagemaker_quotas: list[dict] | None = None) -> Stubber:
    """Service Quotas answers checked against botocore's model of the real API."""
    quotas = boto3.client("service-quotas", region_name=REGION)
    stubber = Stubber(quotas)
    for code, value in (ec2_quotas or {}).items():
        stubber.add_response("get_service_quota", {"Quota": {"QuotaCode": code, "Value": value}},
                             {"ServiceCode": "ec2", "QuotaCode": code})
    if sagemaker_quotas is not None:
        stubber.add_response("list_service_quotas", {"Quotas": sagemaker_quotas}, {"ServiceCode": "sagemaker"})
    stubber.activate()
    object.__setattr__(clients, "quotas", quotas)
    return stubber


def test_instance_type_not_offered_in_a_zone_blocks(clients):
    # moto offers p3dn.24xlarge in no us-east-1a zone, g4dn.12xlarge in a and b but not e.
    req = requirements_of(deployment(*subnets(), node_group("wide", "g4dn.12xlarge", "abe", 2),
                                     node_group("ok", "g4dn.12xlarge", "ab", 2)))
    stub_quotas(clients, {"L-DB2E81BA": 1000.0})
    results = preflight(req, clients)
    assert rows(results, "instance-offered") == [
        ("wide", "fail", f"g4dn.12xlarge is not offered in {REGION}e"),
        ("ok", "ok", f"g4dn.12xlarge offered in {REGION}a, {REGION}b"),
    ]


def test_efa_on_a_type_without_it_and_gpu_group_without_gpus_block(clients):
    req = requirements_of(deployment(*subnets(), efa_template("lt-1"),
                                     node_group("efa", "g4dn.xlarge", "a", 1, template="lt-1"),
                                     node_group("cpu", "m5.large", "a", 1)))
    stub_quotas(clients, {"L-DB2E81BA": 1000.0, "L-1216C47A": 1000.0})
    details = rows(preflight(req, clients), "instance-details")
    assert details[0] == ("efa", "fail", "g4dn.xlarge does not support EFA")
    assert details[1] == ("cpu", "fail", "m5.large has no GPUs")


def test_gpu_count_must_match_the_table_the_config_was_validated_against():
    from mlinfra.preflight.checks import check_instance_details

    ec2 = boto3.client("ec2", region_name=REGION)
    groups = requirements_of(deployment(*subnets(), node_group("gpu", "g5.12xlarge", "a", 1))).node_groups
    with Stubber(ec2) as stubber:
        stubber.add_response("describe_instance_types", {"InstanceTypes": [
            {"InstanceType": "g5.12xlarge", "VCpuInfo": {"DefaultVCpus": 48},
             "GpuInfo": {"Gpus": [{"Name": "A10G", "Manufacturer": "NVIDIA", "Count": 2}]}}]})
        types, unknown = describe_types(ec2, ["g5.12xlarge"])
    (row,) = check_instance_details(groups, types, unknown)
    assert row.status == "fail"
    assert "EC2 reports 2 GPUs per g5.12xlarge node" in row.detail and "says 4" in row.detail


def test_unknown_instance_type_is_reported_not_crashed(clients):
    req = requirements_of(deployment(*subnets(), node_group("bad", "zz9.huge", "a", 1)))
    stub_quotas(clients)
    results = preflight(req, clients)
    assert rows(results, "instance-details") == [("bad", "fail", "zz9.huge is not an EC2 instance type in this region")]
    assert rows(results, "ec2-vcpu-quota") == []


def test_vcpu_quota_sums_maximum_sizes_per_class_and_purchase_option(clients):
    groups = requirements_of(deployment(*subnets(),
                                        node_group("a", "g4dn.12xlarge", "a", 2),           # 48 vCPUs each
                                        node_group("b", "g4dn.xlarge", "a", 4),             # 4 vCPUs each
                                        node_group("spot", "g4dn.xlarge", "a", 10, capacity="SPOT"))).node_groups
    types, _ = describe_types(clients.ec2, ["g4dn.12xlarge", "g4dn.xlarge"])
    stub_quotas(clients, {"L-DB2E81BA": 100.0, "L-3819A6DF": 64.0})
    results = check_vcpu_quotas(clients.quotas, groups, types)
    assert [(r.resource, r.status) for r in results] == [
        ("Running On-Demand G and VT instances", "fail"), ("All G and VT Spot Instance Requests", "ok")]
    assert "may need 112 vCPUs" in results[0].detail and "is 100" in results[0].detail
    assert "40 vCPUs needed" in results[1].detail


def test_vcpu_quota_falls_back_to_default_and_warns_when_unreadable(clients):
    groups = requirements_of(deployment(*subnets(), node_group("a", "p3dn.24xlarge", "a", 2))).node_groups
    types, _ = describe_types(clients.ec2, ["p3dn.24xlarge"])
    quotas = boto3.client("service-quotas", region_name=REGION)
    with Stubber(quotas) as stubber:
        stubber.add_client_error("get_service_quota", "NoSuchResourceException")
        stubber.add_response("get_aws_default_service_quota", {"Quota": {"Value": 8.0}})
        (row,) = check_vcpu_quotas(quotas, groups, types)
        assert (row.status, "(default)" in row.detail) == ("fail", True)
    with Stubber(quotas) as stubber:
        stubber.add_client_error("get_service_quota", "NoSuchResourceException")
        stubber.add_client_error("get_aws_default_service_quota", "NoSuchResourceException")
        (row,) = check_vcpu_quotas(quotas, groups, types)
        assert (row.status, row.detail) == ("warn", "cannot read quota L-417A185B")


def test_endpoint_quotas_per_instance_type():
    quotas = boto3.client("service-quotas", region_name=REGION)
    req = requirements_of(deployment(*endpoint("a", "ml.g5.xlarge", 2, 4), *endpoint("b", "ml.g5.xlarge", 1, 2),
                                     *endpoint("c", "ml.m5.large", 2, None), *endpoint("d", "ml.c7i.large", 1, None)))
    with Stubber(quotas) as stubber:
        stubber.add_response("list_service_quotas", {"Quotas": [
            {"QuotaName": "ml.g5.xlarge for endpoint usage", "QuotaCode": "L-G5", "Value": 4.0},
            {"QuotaName": "ml.m5.large for endpoint usage", "QuotaCode": "L-M5", "Value": 4.0},
        ]}, {"ServiceCode": "sagemaker"})
        results = check_endpoint_quotas(quotas, req.endpoints)
    assert [(r.resource, r.status) for r in results] == [
        ("ml.c7i.large", "warn"), ("ml.g5.xlarge", "fail"), ("ml.m5.large", "ok")]
    assert "may run 6 instances" in results[1].detail


# --- SageMaker and ECR against moto --------------------------------------------------------------

def test_model_packages_must_exist_and_be_approved(clients):
    sm = clients.sagemaker
    for group in ("churn", "fraud", "empty"):
        sm.create_model_package_group(ModelPackageGroupName=group)
    container = {"InferenceSpecification": {"Containers": [{"Image": f"{ACCOUNT}.dkr.ecr.{REGION}.amazonaws.com/x:1"}],
                                            "SupportedContentTypes": ["application/json"],
                                            "SupportedResponseMIMETypes": ["application/json"]}}
    sm.create_model_package(ModelPackageGroupName="churn", ModelApprovalStatus="Approved", **container)
    sm.create_model_package(ModelPackageGroupName="fraud", ModelApprovalStatus="PendingManualApproval", **container)
    req = requirements_of(deployment(
        model("churn-latest", modelPackageName=f"arn:aws:sagemaker:{REGION}:{ACCOUNT}:model-package/churn/0"),
        model("churn-pinned", modelPackageName=f"arn:aws:sagemaker:{REGION}:{ACCOUNT}:model-package/churn/1"),
        model("fraud-pinned", modelPackageName=f"arn:aws:sagemaker:{REGION}:{ACCOUNT}:model-package/fraud/1"),
        model("empty-latest", modelPackageName=f"arn:aws:sagemaker:{REGION}:{ACCOUNT}:model-package/empty/0"),
    ))
    stub_quotas(clients)
    checked = rows(preflight(req, clients), "model-package-approved")
    assert checked[0] == ("churn-latest", "ok", "churn version 1 is Approved")
    assert checked[1] == ("churn-pinned", "ok", "churn version 1 is Approved")
    assert checked[2][:2] == ("fraud-pinned", "fail") and "PendingManualApproval, not Approved" in checked[2][2]
    assert checked[3][:2] == ("empty-latest", "fail") and "'empty' has no Approved" in checked[3][2]


def test_ecr_images_must_exist(clients):
    ecr = clients.ecr
    ecr.create_repository(repositoryName="serving/churn")
    manifest = json.dumps({"schemaVersion": 2, "mediaType": "application/vnd.docker.distribution.manifest.v2+json",
                           "config": {"mediaType": "application/vnd.docker.container.image.v1+json",
                                      "size": 1, "digest": "sha256:" + "a" * 64}, "layers": []})
    ecr.put_image(repositoryName="serving/churn", imageManifest=manifest, imageTag="1.2.0")
    base = f"{ACCOUNT}.dkr.ecr.{REGION}.amazonaws.com"
    req = requirements_of(deployment(model("present", image=f"{base}/serving/churn:1.2.0"),
                                     model("missing-tag", image=f"{base}/serving/churn:9.9.9"),
                                     model("missing-repo", image=f"{base}/serving/nope:1"),
                                     model("aws-managed", image=f"763104351884.dkr.ecr.{REGION}.amazonaws.com/pytorch:2")))
    stub_quotas(clients)
    assert rows(preflight(req, clients), "ecr-image-exists") == [
        ("present", "ok", f"{base}/serving/churn:1.2.0"),
        ("missing-tag", "fail", f"{base}/serving/churn:9.9.9: ImageNotFoundException"),
        ("missing-repo", "fail", f"{base}/serving/nope:1: RepositoryNotFoundException"),
        ("aws-managed", "warn", f"763104351884.dkr.ecr.{REGION}.amazonaws.com/pytorch:2: cannot be read in account "
                                "763104351884 with these credentials"),
    ]


# --- what cannot run, and the report --------------------------------------------------------------

def test_no_credentials_is_one_clear_error(monkeypatch, tmp_path):
    for var in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    req = requirements_of(deployment(*subnets(), node_group("gpu", "g4dn.xlarge", "a", 1)))
    with pytest.raises(MlinfraError, match="no AWS credentials found"):
        preflight(req, make_clients(REGION, "http://127.0.0.1:9"))


def test_unreachable_endpoint_is_one_clear_error():
    req = requirements_of(deployment(*subnets(), node_group("gpu", "g4dn.xlarge", "a", 1)))
    with pytest.raises(MlinfraError, match="cannot reach AWS"):
        preflight(req, make_clients(REGION, "http://127.0.0.1:9"))


def test_render_text_and_json():
    from mlinfra.preflight.checks import CheckResult

    results = [CheckResult("instance-offered", "gpu", "ok", "fine"), CheckResult("ec2-vcpu-quota", "P", "fail", "short")]
    text = render(results, "text")
    assert text.splitlines()[0].split() == ["CHECK", "RESOURCE", "STATUS", "DETAIL"]
    assert "1 ok, 0 warnings, 1 blocking" in text
    data = json.loads(render(results, "json"))
    assert data["summary"] == {"ok": 1, "warn": 0, "fail": 1}
    assert data["checks"][1] == {"check": "ec2-vcpu-quota", "resource": "P", "status": "fail", "detail": "short"}


# --- the command, end to end against moto's server -----------------------------------------------

def run_cli(*args: str, env: dict | None = None):
    import os
    import subprocess
    import sys
    from pathlib import Path

    return subprocess.run([sys.executable, "-m", "mlinfra.cli", "preflight", *args], capture_output=True, text=True,
                          cwd=Path(__file__).resolve().parent.parent, env={**os.environ, **(env or {})}, timeout=300)


def test_cli_blocks_prod_until_its_model_is_approved(moto_reset):
    blocked = run_cli("prod", "--endpoint-url", moto_reset, "--format", "json")
    assert blocked.returncode == 1, blocked.stderr
    failing = [c for c in json.loads(blocked.stdout)["checks"] if c["status"] == "fail"]
    # A fresh account: no approved model, and no Auto Scaling service-linked role for the volume grant.
    assert [c["check"] for c in failing] == ["model-package-approved", "service-linked-role"]
    assert "'prod-churn-classifier' has no Approved model package version" in failing[0]["detail"]
    assert "aws iam create-service-linked-role --aws-service-name autoscaling.amazonaws.com" in failing[1]["detail"]

    boto3.client("iam", endpoint_url=moto_reset, region_name=REGION).create_service_linked_role(
        AWSServiceName="autoscaling.amazonaws.com")
    sm = boto3.client("sagemaker", endpoint_url=moto_reset, region_name=REGION)
    sm.create_model_package_group(ModelPackageGroupName="prod-churn-classifier")
    sm.create_model_package(ModelPackageGroupName="prod-churn-classifier", ModelApprovalStatus="Approved",
                            InferenceSpecification={"Containers": [{"Image": "img"}],
                                                    "SupportedContentTypes": ["text/csv"],
                                                    "SupportedResponseMIMETypes": ["text/csv"]})
    cleared = run_cli("prod", "--endpoint-url", moto_reset)
    assert cleared.returncode == 0, cleared.stdout + cleared.stderr
    assert "prod-churn-classifier version 1 is Approved" in cleared.stdout
    assert "0 blocking" in cleared.stdout


def test_cli_cannot_run_without_credentials_or_with_an_unknown_env(moto_server, tmp_path):
    no_credentials = {"AWS_ACCESS_KEY_ID": "", "AWS_SECRET_ACCESS_KEY": "", "AWS_SESSION_TOKEN": "",
                      "AWS_SHARED_CREDENTIALS_FILE": str(tmp_path / "none"), "AWS_CONFIG_FILE": str(tmp_path / "none"),
                      "AWS_EC2_METADATA_DISABLED": "true"}
    result = run_cli("dev", "--endpoint-url", moto_server, env=no_credentials)
    assert (result.returncode, result.stdout) == (2, "")
    assert result.stderr.startswith("mlinfra: error: no AWS credentials found") and "Traceback" not in result.stderr
    unknown = run_cli("qa", "--endpoint-url", moto_server)
    assert unknown.returncode == 2 and "unknown environment 'qa'" in unknown.stderr


# --- service-linked roles ------------------------------------------------------------------------

AUTOSCALING_ROLE = f"arn:aws:iam::{ACCOUNT}:role/aws-service-role/autoscaling.amazonaws.com/AWSServiceRoleForAutoScaling"


def volume_grant(grantee: str = AUTOSCALING_ROLE) -> dict:
    return resource("aws:kms/grant:Grant", "train-autoscaling-volumes",
                    {"granteePrincipal": grantee, "keyId": "arn:aws:kms:us-east-1:123456789012:key/k"})


def test_requirements_name_the_service_linked_roles_kms_grants_use_unless_the_plan_creates_them():
    needs = requirements_of(deployment(volume_grant())).service_linked_roles
    assert [(n.role_name, n.service, n.name) for n in needs] == [
        ("AWSServiceRoleForAutoScaling", "autoscaling.amazonaws.com", "train-autoscaling-volumes")]
    created = resource("aws:iam/serviceLinkedRole:ServiceLinkedRole", "slr",
                       {"awsServiceName": "autoscaling.amazonaws.com"})
    assert requirements_of(deployment(volume_grant(), created)).service_linked_roles == []
    assert requirements_of(deployment(volume_grant(f"arn:aws:iam::{ACCOUNT}:role/app"))).service_linked_roles == []


def test_a_fresh_account_without_the_autoscaling_service_role_fails_with_how_to_create_it(clients):
    results = preflight(requirements_of(deployment(volume_grant())), clients)
    [row] = [r for r in results if r.check == "service-linked-role"]
    assert (row.resource, row.status) == ("AWSServiceRoleForAutoScaling", "fail")
    assert row.detail == (
        "AWSServiceRoleForAutoScaling does not exist in this account yet (AWS creates it only on the first use of "
        "autoscaling.amazonaws.com), so the KMS grant train-autoscaling-volumes fails: create it once with "
        "`aws iam create-service-linked-role --aws-service-name autoscaling.amazonaws.com` or set "
        "mlinfra:training.createAutoscalingServiceRole: true in the stack file")


def test_the_autoscaling_service_role_passes_once_created(clients):
    clients.iam.create_service_linked_role(AWSServiceName="autoscaling.amazonaws.com")
    results = preflight(requirements_of(deployment(volume_grant())), clients)
    assert [(r.check, r.status) for r in results] == [("service-linked-role", "ok")]


# --- add-on compatibility ----------------------------------------------------------------------

def eks_plan(kube_proxy: str = "v1.34.0-eksbuild.4") -> dict:
    cluster = resource("aws:eks/cluster:Cluster", "train", {"name": "train", "version": "1.34"}, {"name": "train"})
    addon = resource("aws:eks/addon:Addon", "train-kube-proxy",
                     {"clusterName": "train", "addonName": "kube-proxy", "addonVersion": kube_proxy})
    return deployment(cluster, addon)


def addon_versions_response(*builds: str) -> dict:
    return {"addons": [{"addonName": "kube-proxy", "addonVersions": [
        {"addonVersion": b, "compatibilities": [{"clusterVersion": "1.34", "defaultVersion": i == 0}]}
        for i, b in enumerate(builds)]}]}


@pytest.mark.parametrize(("pinned", "status"), [("v1.34.0-eksbuild.4", "ok"), ("v1.33.0-eksbuild.2", "fail")])
def test_addon_builds_are_checked_against_what_eks_offers_for_the_cluster_version(pinned, status):
    eks = boto3.client("eks", region_name=REGION, aws_access_key_id="x", aws_secret_access_key="x")
    with Stubber(eks) as stub:
        stub.add_response("describe_addon_versions", addon_versions_response("v1.34.1-eksbuild.2", "v1.34.0-eksbuild.4"),
                          {"addonName": "kube-proxy", "kubernetesVersion": "1.34"})
        [row] = check_addon_compatibility(eks, requirements_of(eks_plan(pinned)).addons)
    assert (row.check, row.resource, row.status) == ("addon-compatible", "train-kube-proxy", status)
    if status == "fail":
        assert row.detail == ("kube-proxy v1.33.0-eksbuild.2 is not offered for Kubernetes 1.34; offered: "
                              "v1.34.1-eksbuild.2, v1.34.0-eksbuild.4 (pin one in the versions table or addonVersions)")


def test_addon_check_warns_where_the_api_cannot_answer():
    eks = boto3.client("eks", region_name=REGION, aws_access_key_id="x", aws_secret_access_key="x")
    with Stubber(eks) as stub:
        stub.add_client_error("describe_addon_versions", "AccessDeniedException")
        [row] = check_addon_compatibility(eks, requirements_of(eks_plan()).addons)
    assert row.status == "warn" and "AccessDeniedException" in row.detail
