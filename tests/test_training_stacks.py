"""The training cluster as the stacks build it: dev cheap and elastic, prod private, protected, EFA."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml

from mlinfra.errors import MlinfraError
from mlinfra.plan import run_program

PROJECT = Path(__file__).resolve().parents[1]
EKS = "aws:eks/cluster:Cluster"
NODE_GROUP = "aws:eks/nodeGroup:NodeGroup"


def stack_outputs(monitor):
    return next(r for r in monitor.registrations.values() if r.type == "pulumi:pulumi:Stack").outputs


def test_dev_builds_a_spot_cluster_that_scales_to_zero_deployed_through_a_fenced_public_endpoint():
    monitor = run_program(PROJECT, "dev")
    cluster = monitor.named(EKS, "dev-training")
    assert cluster.inputs["name"] == "dev-training" and cluster.protect is False
    vpc = cluster.inputs["vpcConfig"]
    assert vpc["endpointPublicAccess"] is True and vpc["publicAccessCidrs"] == ["203.0.113.0/24"]
    assert vpc["endpointPrivateAccess"] is True
    subnets = {r.id for r in monitor.by_type("aws:ec2/subnet:Subnet") if "private" in r.name}
    assert set(cluster.inputs["vpcConfig"]["subnetIds"]) <= subnets
    key = monitor.named("aws:kms/key:Key", "dev-keys-eks")
    assert cluster.inputs["encryptionConfig"]["provider"]["keyArn"] == key.outputs["arn"]
    group = monitor.named(NODE_GROUP, "dev-training-l4").inputs
    assert group["capacityType"] == "SPOT" and group["scalingConfig"]["minSize"] == 0.0
    outputs = stack_outputs(monitor)
    assert outputs["trainingClusterName"] == "dev-training"
    assert outputs["trainingQueues"] == {"research": "research/training", "applied-ml": "applied-ml/training"}
    training_policy = monitor.named("aws:iam/rolePolicy:RolePolicy", "dev-training-training-job").inputs["policy"]
    assert monitor.named("aws:s3/bucket:Bucket", "dev-data").outputs["arn"] in training_policy


def test_prod_is_protected_and_runs_h100_with_efa_in_one_zone():
    monitor = run_program(PROJECT, "prod")
    cluster = monitor.named(EKS, "prod-training")
    assert cluster.protect is True and cluster.inputs["deletionProtection"] is True
    assert cluster.inputs["vpcConfig"]["endpointPublicAccess"] is False
    api = monitor.named("aws:ec2/securityGroup:SecurityGroup", "prod-training-api")
    assert api.outputs["id"] in cluster.inputs["vpcConfig"]["securityGroupIds"]
    sources = {r.inputs.get("cidrIpv4") or r.inputs.get("referencedSecurityGroupId")
               for r in monitor.by_type("aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule")
               if r.inputs["securityGroupId"] == api.outputs["id"] and r.inputs["fromPort"] == 443.0}
    assert sources == {"10.250.0.0/20", "sg-0f1e2d3c4b5a69788"}
    h100 = monitor.named(NODE_GROUP, "prod-training-h100").inputs
    assert h100["capacityType"] == "ON_DEMAND" and len(h100["subnetIds"]) == 1
    template = monitor.named("aws:ec2/launchTemplate:LaunchTemplate", "prod-training-h100").inputs
    assert len(template["networkInterfaces"]) == 32 and "placement" in template
    assert template["capacityReservationSpecification"]["capacityReservationTarget"]["capacityReservationId"]
    log_group = monitor.named("aws:cloudwatch/logGroup:LogGroup", "prod-training-control-plane")
    assert log_group.inputs["retentionInDays"] == 365.0


def test_a_public_prod_endpoint_stops_the_program_naming_file_and_key(tmp_path):
    shutil.copy(PROJECT / "Pulumi.yaml", tmp_path / "Pulumi.yaml")
    shutil.copytree(PROJECT / "stacks", tmp_path / "stacks")
    stack_file = tmp_path / "stacks" / "Pulumi.prod.yaml"
    document = yaml.safe_load(stack_file.read_text())
    document["config"]["mlinfra:training"].update(endpointPublicAccess=True, publicAccessCidrs=["203.0.113.0/24"])
    stack_file.write_text(yaml.safe_dump(document))
    with pytest.raises(MlinfraError) as info:
        run_program(tmp_path, "prod")
    assert ("stacks/Pulumi.prod.yaml: mlinfra:training.endpointPublicAccess = True: only a dev cluster may have a "
            "public API endpoint") in str(info.value)


def test_a_private_cluster_without_deployer_access_stops_the_program_naming_the_setting(tmp_path):
    shutil.copy(PROJECT / "Pulumi.yaml", tmp_path / "Pulumi.yaml")
    shutil.copytree(PROJECT / "stacks", tmp_path / "stacks")
    stack_file = tmp_path / "stacks" / "Pulumi.staging.yaml"
    document = yaml.safe_load(stack_file.read_text())
    del document["config"]["mlinfra:training"]["deployerAccess"]
    stack_file.write_text(yaml.safe_dump(document))
    with pytest.raises(MlinfraError) as info:
        run_program(tmp_path, "staging")
    assert "stacks/Pulumi.staging.yaml: mlinfra:training.deployerAccess: the API endpoint is private" in str(info.value)
