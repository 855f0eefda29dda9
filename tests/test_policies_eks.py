"""EKS rules: each from a compliant cluster, launch template or node group, one field changed."""

from __future__ import annotations

import copy

import pytest

from policies.rules import eks
from policy_helpers import UNKNOWN, resource_args, stack_args, stack_resource, violations

CLUSTER = "aws:eks/cluster:Cluster"
LT = "aws:ec2/launchTemplate:LaunchTemplate"
NG = "aws:eks/nodeGroup:NodeGroup"
KEY = "arn:aws:kms:us-east-1:123456789012:key/abc"


def cluster(**changes):
    props = {
        "name": "train", "version": "1.34",
        "vpcConfig": {"endpointPrivateAccess": True, "endpointPublicAccess": False, "subnetIds": ["subnet-1"]},
        "encryptionConfig": {"provider": {"keyArn": KEY}, "resources": ["secrets"]},
        "enabledClusterLogTypes": ["api", "audit", "authenticator", "controllerManager", "scheduler"],
        "accessConfig": {"authenticationMode": "API", "bootstrapClusterCreatorAdminPermissions": False},
    }
    props.update(changes)
    return props


def template(**changes):
    props = {
        "metadataOptions": {"httpEndpoint": "enabled", "httpTokens": "required", "httpPutResponseHopLimit": 1.0},
        "blockDeviceMappings": [{"deviceName": "/dev/xvda", "ebs": {"encrypted": "true", "kmsKeyId": KEY,
                                                                    "volumeSize": 200.0, "volumeType": "gp3"}}],
    }
    props.update(changes)
    return props


CLUSTER_RULES = [eks.eks_endpoint_access, eks.eks_secrets_encryption, eks.eks_access_entries,
                 eks.eks_control_plane_logging, eks.eks_supported_version]


def test_compliant_cluster_passes_every_cluster_rule():
    for rule in CLUSTER_RULES:
        assert violations(rule, resource_args(CLUSTER, cluster())) == [], rule.name


def test_rules_ignore_other_resource_types():
    for rule in CLUSTER_RULES:
        assert violations(rule, resource_args("aws:s3/bucket:Bucket", {})) == []


def test_public_endpoint_is_refused_by_default():
    props = cluster(vpcConfig={"endpointPublicAccess": True, "publicAccessCidrs": ["203.0.113.0/24"]})
    assert violations(eks.eks_endpoint_access, resource_args(CLUSTER, props)) == [
        "aws:eks/cluster:Cluster 'subject' has a public API endpoint: set vpcConfig.endpointPublicAccess to false "
        "(the private endpoint serves nodes and in-VPC clients)"]


def test_missing_endpoint_setting_counts_as_public():
    assert violations(eks.eks_endpoint_access, resource_args(CLUSTER, cluster(vpcConfig={"subnetIds": ["s"]})))


def test_allowed_public_endpoint_must_list_cidrs_and_never_the_internet():
    config = {"allowPublicEndpoint": True}
    fenced = cluster(vpcConfig={"endpointPublicAccess": True, "publicAccessCidrs": ["203.0.113.0/24"]})
    assert violations(eks.eks_endpoint_access, resource_args(CLUSTER, fenced, config)) == []
    open_ = cluster(vpcConfig={"endpointPublicAccess": True, "publicAccessCidrs": ["10.0.0.0/8", "0.0.0.0/0"]})
    assert violations(eks.eks_endpoint_access, resource_args(CLUSTER, open_, config)) == [
        "aws:eks/cluster:Cluster 'subject' opens its public API endpoint to 0.0.0.0/0: list only your networks"]
    bare = cluster(vpcConfig={"endpointPublicAccess": True})
    assert "without publicAccessCidrs" in violations(eks.eks_endpoint_access, resource_args(CLUSTER, bare, config))[0]


def test_unknown_endpoint_is_not_judged():
    props = cluster(vpcConfig={"endpointPublicAccess": UNKNOWN})
    assert violations(eks.eks_endpoint_access, resource_args(CLUSTER, props)) == []


@pytest.mark.parametrize("encryption", [None, {"provider": {"keyArn": KEY}, "resources": ["configmaps"]},
                                        {"provider": {}, "resources": ["secrets"]}])
def test_secrets_must_be_encrypted_with_a_key(encryption):
    props = cluster(encryptionConfig=encryption)
    assert "does not envelope-encrypt Kubernetes secrets" in violations(
        eks.eks_secrets_encryption, resource_args(CLUSTER, props))[0]


def test_unknown_key_is_not_judged():
    props = cluster(encryptionConfig={"provider": {"keyArn": UNKNOWN}, "resources": ["secrets"]})
    assert violations(eks.eks_secrets_encryption, resource_args(CLUSTER, props)) == []


def test_config_map_authentication_fails():
    for mode in ("CONFIG_MAP", "API_AND_CONFIG_MAP"):
        props = cluster(accessConfig={"authenticationMode": mode})
        assert f"authenticationMode {mode!r}" in violations(eks.eks_access_entries, resource_args(CLUSTER, props))[0]
    assert violations(eks.eks_access_entries, resource_args(CLUSTER, cluster(accessConfig=None)))


def test_missing_log_types_are_named():
    props = cluster(enabledClusterLogTypes=["api", "audit"])
    assert violations(eks.eks_control_plane_logging, resource_args(CLUSTER, props)) == [
        "aws:eks/cluster:Cluster 'subject' does not send control-plane logs authenticator, controllerManager, "
        "scheduler: add them to enabledClusterLogTypes"]
    config = {"requiredLogTypes": ["api", "audit"]}
    assert violations(eks.eks_control_plane_logging, resource_args(CLUSTER, props, config)) == []


def test_unsupported_version_fails_and_config_can_narrow_the_list():
    assert "runs Kubernetes 1.28" in violations(eks.eks_supported_version,
                                                resource_args(CLUSTER, cluster(version="1.28")))[0]
    config = {"supportedVersions": ["1.35"]}
    assert violations(eks.eks_supported_version, resource_args(CLUSTER, cluster(), config))
    assert violations(eks.eks_supported_version, resource_args(CLUSTER, cluster(version=None))) == []


LT_RULES = [eks.launch_template_imdsv2, eks.launch_template_metadata_hop_limit, eks.launch_template_encrypted_volumes,
            eks.launch_template_volumes_cmk]


def lt_broken(props, config=None):
    return {p.name: found for p in LT_RULES if (found := violations(p, resource_args(LT, props, config)))}


def test_compliant_launch_template_passes():
    assert lt_broken(template()) == {}


def test_imdsv1_and_high_hop_limit_break_one_rule_each():
    assert list(lt_broken(template(metadataOptions={"httpTokens": "optional", "httpPutResponseHopLimit": 1.0}))) == [
        "launch-template-imdsv2"]
    high = template(metadataOptions={"httpTokens": "required", "httpPutResponseHopLimit": 2.0})
    assert lt_broken(high) == {"launch-template-metadata-hop-limit": [
        "aws:ec2/launchTemplate:LaunchTemplate 'subject' has metadata hop limit 2: set httpPutResponseHopLimit to at "
        "most 1 so pods cannot read the node role's credentials"]}
    assert lt_broken(high, {"maxHopLimit": 2.0}) == {}
    assert set(lt_broken(template(metadataOptions=None))) == {"launch-template-imdsv2",
                                                              "launch-template-metadata-hop-limit"}


def test_disabled_metadata_endpoint_passes():
    assert lt_broken(template(metadataOptions={"httpEndpoint": "disabled"})) == {}


def test_unencrypted_or_aws_key_volumes_break_one_rule_each():
    plain = template(blockDeviceMappings=[{"deviceName": "/dev/xvda", "ebs": {"volumeSize": 100.0}}])
    assert lt_broken(plain) == {"launch-template-encrypted-volumes": [
        "aws:ec2/launchTemplate:LaunchTemplate 'subject': /dev/xvda is not encrypted (set ebs.encrypted to 'true')"]}
    for key in ({}, {"kmsKeyId": "alias/aws/ebs"}):
        aws_key = template(blockDeviceMappings=[{"deviceName": "/dev/xvda", "ebs": {"encrypted": "true", **key}}])
        assert lt_broken(aws_key) == {"launch-template-volumes-cmk": [
            "aws:ec2/launchTemplate:LaunchTemplate 'subject': /dev/xvda uses the AWS-managed EBS key; set ebs.kmsKeyId "
            "to a customer-managed key"]}
    assert "declares no EBS volumes" in lt_broken(template(blockDeviceMappings=None))[
        "launch-template-encrypted-volumes"][0]


def node_stack(group_changes=None, template_changes=None):
    lt = stack_resource(LT, {"id": "lt-123", **template(**(template_changes or {}))}, name="nodes")
    group = stack_resource(NG, {"launchTemplate": {"id": "lt-123", "version": "1"}, **(group_changes or {})},
                           name="gpu")
    return stack_args([lt, group])


def test_node_groups_without_ssh_pass():
    assert violations(eks.eks_node_group_no_ssh, node_stack()) == []


def test_remote_access_fails():
    found = violations(eks.eks_node_group_no_ssh, node_stack({"remoteAccess": {"ec2SshKey": "ops"}}))
    assert found == ["aws:eks/nodeGroup:NodeGroup 'gpu' allows SSH (remoteAccess is set): remove it and use SSM "
                     "Session Manager"]


def test_key_pair_in_the_group_launch_template_fails():
    found = violations(eks.eks_node_group_no_ssh, node_stack(template_changes={"keyName": "ops"}))
    assert found == ["aws:eks/nodeGroup:NodeGroup 'gpu' launches from aws:ec2/launchTemplate:LaunchTemplate "
                     "'nodes', which sets key pair 'ops': remove keyName"]


def test_key_pair_found_through_property_dependencies_during_preview():
    lt = stack_resource(LT, {"id": UNKNOWN, "keyName": "ops", **template()}, name="nodes")
    group = stack_resource(NG, {"launchTemplate": {"id": UNKNOWN}}, name="gpu",
                           property_dependencies={"launchTemplate": [lt]})
    assert len(violations(eks.eks_node_group_no_ssh, stack_args([lt, group]))) == 1
    unrelated = stack_resource(NG, {"launchTemplate": {"id": "lt-other"}}, name="cpu")
    assert violations(eks.eks_node_group_no_ssh, stack_args([copy.copy(lt), unrelated])) == []


# pulumi-eks's Cluster component, judged by the aws.eks.Cluster it builds from its inputs (offline it is not built).
COMPONENT = "eks:index:Cluster"


def component(**changes):
    props = {"endpointPublicAccess": False, "endpointPrivateAccess": True, "encryptionConfigKeyArn": KEY,
             "enabledClusterLogTypes": ["api", "audit", "authenticator", "controllerManager", "scheduler"],
             "authenticationMode": "API", "version": "1.34", "instanceType": "g5.xlarge"}
    props.update(changes)
    return {k: v for k, v in props.items() if v is not None}


def test_the_pulumi_eks_component_inputs_are_names_its_sdk_takes():
    # Guard the mapping against pulumi-eks renaming an input: every name read is a Cluster argument.
    pulumi_eks = pytest.importorskip("pulumi_eks")
    import inspect

    taken = set(inspect.signature(pulumi_eks.ClusterArgs.__init__).parameters)
    camel = {"".join(w.capitalize() if i else w for i, w in enumerate(name.split("_"))) for name in taken}
    assert set(component()) <= camel | {"publicAccessCidrs"} and "publicAccessCidrs" in camel


def test_a_compliant_pulumi_eks_cluster_passes_every_cluster_rule():
    for rule in CLUSTER_RULES:
        assert violations(rule, resource_args(COMPONENT, component())) == [], rule.name


@pytest.mark.parametrize("changes, rule, says", [
    # pulumi-eks's defaults: a public endpoint, no control-plane logs, the aws-auth ConfigMap.
    ({"endpointPublicAccess": None}, eks.eks_endpoint_access, "has a public API endpoint"),
    ({"encryptionConfigKeyArn": None}, eks.eks_secrets_encryption, "does not envelope-encrypt"),
    ({"enabledClusterLogTypes": None}, eks.eks_control_plane_logging, "does not send control-plane logs api"),
    ({"authenticationMode": "API_AND_CONFIG_MAP"}, eks.eks_access_entries, "aws-auth ConfigMap"),
    ({"version": "1.19"}, eks.eks_supported_version, "runs Kubernetes 1.19"),
])
def test_each_pulumi_eks_default_or_setting_that_breaks_a_control_is_named_with_its_input(changes, rule, says):
    found = violations(rule, resource_args(COMPONENT, component(**changes)))
    assert len(found) == 1 and says in found[0] and found[0].startswith("eks:index:Cluster 'subject' (its cluster) ")
    assert f"(on the component: input {next(iter(changes))}" in found[0]


def test_a_public_pulumi_eks_endpoint_fenced_by_cidrs_is_allowed_where_configured():
    fenced = component(endpointPublicAccess=True, publicAccessCidrs=["203.0.113.0/24"])
    assert violations(eks.eks_endpoint_access, resource_args(COMPONENT, fenced, {"allowPublicEndpoint": True})) == []
    assert violations(eks.eks_endpoint_access, resource_args(COMPONENT, component(endpointPublicAccess=True),
                                                             {"allowPublicEndpoint": True})) != []


def test_unknown_pulumi_eks_inputs_are_not_judged():
    unknown = component(endpointPublicAccess=UNKNOWN, encryptionConfigKeyArn=UNKNOWN, enabledClusterLogTypes=UNKNOWN,
                        authenticationMode=UNKNOWN, version=UNKNOWN)
    for rule in CLUSTER_RULES:
        assert violations(rule, resource_args(COMPONENT, unknown)) == [], rule.name
