"""TrainingCluster under Pulumi's mocks: what it registers, how it is wired, and what it refuses."""

from __future__ import annotations

import json
from dataclasses import replace

import pulumi
import pulumi_aws as aws
import pytest

from components.training.args import GpuNodeGroupArgs, SystemNodeGroupArgs, TeamArgs
from components.training.cluster import TrainingCluster, TrainingClusterArgs

ZONES = ["us-east-1a", "us-east-1b"]
ADMIN = "arn:aws:iam::123456789012:role/ci/deployer"
VIEWER = "arn:aws:iam::123456789012:user/auditor"
G6 = GpuNodeGroupArgs("g6", ["g6.xlarge", "g6.2xlarge"], max_size=4, capacity_type="spot")
P5 = GpuNodeGroupArgs("p5", ["p5.48xlarge"], max_size=2, efa=True, placement_group=True,
                      availability_zones=["us-east-1b"], capacity_reservation_id="cr-0123456789abcdef0")
VPN = "10.250.0.0/20"
TEAMS = [TeamArgs("research", gpus=8), TeamArgs("vision", gpus=4, cpus=32, memory_gib=256)]

EKS = "aws:eks/cluster:Cluster"
NODE_GROUP = "aws:eks/nodeGroup:NodeGroup"
LAUNCH_TEMPLATE = "aws:ec2/launchTemplate:LaunchTemplate"
RELEASE = "kubernetes:helm.sh/v3:Release"
CUSTOM = "kubernetes:kueue.x-k8s.io/v1beta1:{}"


def foundation():
    """The raw resources a TrainingCluster takes (the stack passes the foundation components' ones)."""
    vpc = aws.ec2.Vpc("vpc", cidr_block="10.0.0.0/16")
    subnets = [aws.ec2.Subnet(f"private-{zone}", vpc_id=vpc.id, cidr_block=f"10.0.{i}.0/24", availability_zone=zone)
               for i, zone in enumerate(ZONES)]
    keys = {purpose: aws.kms.Key(purpose) for purpose in ("eks", "logs", "data", "artifacts")}
    buckets = {purpose: aws.s3.Bucket(purpose) for purpose in ("data", "artifacts")}
    return dict(vpc=vpc, subnets=subnets, availability_zones=ZONES, cluster_key=keys["eks"], log_key=keys["logs"],
                dataset_bucket=buckets["data"], dataset_key=keys["data"], artifact_bucket=buckets["artifacts"],
                artifact_key=keys["artifacts"])


def build(**overrides):
    def program():
        args = dict(admin_principals=[ADMIN], readonly_principals=[VIEWER], gpu_node_groups=[G6, P5], teams=TEAMS,
                    max_gpus=24, deployer_cidrs=[VPN], **foundation())
        args.update(overrides)
        cluster = TrainingCluster("train", TrainingClusterArgs(**args))
        pulumi.export("kubeconfig", cluster.kubeconfig)
    return program


@pytest.fixture
def built(monitor, run):
    run(build())
    return monitor


def policy(registration, key="policy"):
    return json.loads(registration.inputs[key])


def test_control_plane_is_private_encrypted_logged_and_uses_access_entries(built):
    cluster = built.named(EKS, "train")
    inputs = cluster.inputs
    assert inputs["name"] == "train" and inputs["version"] == "1.34"
    vpc = inputs["vpcConfig"]
    assert vpc["endpointPrivateAccess"] is True and vpc["endpointPublicAccess"] is False
    assert "publicAccessCidrs" not in vpc
    assert inputs["encryptionConfig"]["resources"] == ["secrets"]
    assert inputs["encryptionConfig"]["provider"]["keyArn"] == built.named("aws:kms/key:Key", "eks").outputs["arn"]
    assert sorted(inputs["enabledClusterLogTypes"]) == sorted(
        ["api", "audit", "authenticator", "controllerManager", "scheduler"])
    assert inputs["accessConfig"] == {"authenticationMode": "API", "bootstrapClusterCreatorAdminPermissions": False}
    assert inputs["bootstrapSelfManagedAddons"] is False
    log_group = built.named("aws:cloudwatch/logGroup:LogGroup", "train-control-plane")
    assert log_group.inputs["name"] == "/aws/eks/train/cluster"
    assert log_group.inputs["kmsKeyId"] == built.named("aws:kms/key:Key", "logs").outputs["arn"]
    assert log_group.urn in cluster.dependencies


def test_access_entries_for_admins_and_viewers(built):
    entries = {r.inputs["principalArn"]: r for r in built.by_type("aws:eks/accessEntry:AccessEntry")}
    assert set(entries) == {ADMIN, VIEWER}
    policies = {r.inputs["principalArn"]: r.inputs["policyArn"]
                for r in built.by_type("aws:eks/accessPolicyAssociation:AccessPolicyAssociation")}
    assert policies[ADMIN].endswith("cluster-access-policy/AmazonEKSClusterAdminPolicy")
    assert policies[VIEWER].endswith("cluster-access-policy/AmazonEKSViewPolicy")
    assert entries[ADMIN].name.startswith("train-admin-role-ci-deployer-")


def test_access_entry_names_do_not_collide_for_look_alike_principals():
    from components.training.cluster import _slug

    nested, dashed = "arn:aws:iam::123456789012:role/ci/deployer", "arn:aws:iam::123456789012:role/ci-deployer"
    other_account = "arn:aws:iam::210987654321:role/ci/deployer"
    assert len({_slug(nested), _slug(dashed), _slug(other_account)}) == 3
    assert _slug(nested) == _slug(nested) and _slug(nested).startswith("role-ci-deployer-")


def test_oidc_provider_and_kubeconfig_come_from_the_cluster(built):
    cluster = built.named(EKS, "train")
    oidc = built.named("aws:iam/openIdConnectProvider:OpenIdConnectProvider", "train-oidc")
    assert oidc.inputs["url"] == cluster.outputs["identities"][0]["oidcs"][0]["issuer"]
    assert oidc.inputs["clientIdLists"] == ["sts.amazonaws.com"]
    provider = built.named("pulumi:providers:kubernetes", "train-k8s")
    kubeconfig = provider.inputs["kubeconfig"]
    assert kubeconfig["4dabf18193072939515e22adb298388d"] == "1b47061264138c4ac30d75fd1eb44270"  # a secret
    config = json.loads(kubeconfig["value"])
    assert config["clusters"][0]["cluster"]["server"] == cluster.outputs["endpoint"]
    assert config["users"][0]["user"]["exec"]["args"][:4] == ["eks", "get-token", "--cluster-name", "train"]


def test_managed_addons_are_pinned_and_ordered(built):
    addons = {r.inputs["addonName"]: r for r in built.by_type("aws:eks/addon:Addon")}
    assert set(addons) == {"vpc-cni", "kube-proxy", "eks-pod-identity-agent", "coredns", "aws-ebs-csi-driver"}
    assert addons["kube-proxy"].inputs["addonVersion"] == "v1.34.0-eksbuild.4"
    assert all("-eksbuild." in r.inputs["addonVersion"] for r in addons.values())
    system = built.named(NODE_GROUP, "train-system")
    assert system.urn in addons["coredns"].dependencies
    assert addons["vpc-cni"].urn in system.dependencies
    ebs = addons["aws-ebs-csi-driver"].inputs["podIdentityAssociations"][0]
    assert ebs["serviceAccount"] == "ebs-csi-controller-sa"


def test_gpu_groups_are_tainted_labelled_and_scale_from_zero(built):
    g6 = built.named(NODE_GROUP, "train-g6").inputs
    assert g6["amiType"] == "AL2023_x86_64_NVIDIA" and g6["capacityType"] == "SPOT"
    assert g6["scalingConfig"] == {"minSize": 0.0, "maxSize": 4.0, "desiredSize": 0.0}
    assert g6["taints"] == [{"key": "nvidia.com/gpu", "value": "true", "effect": "NO_SCHEDULE"}]
    assert g6["labels"]["nvidia.com/gpu"] == "true" and g6["labels"]["mlinfra.io/node-group"] == "g6"
    assert len(g6["subnetIds"]) == 2
    assert "remoteAccess" not in g6
    assert built.named(NODE_GROUP, "train-g6").ignore_changes == ["scalingConfig.desiredSize"]
    system = built.named(NODE_GROUP, "train-system").inputs
    assert system["capacityType"] == "ON_DEMAND" and system.get("taints", []) == []
    assert system["amiType"] == "AL2023_x86_64_STANDARD"


def test_launch_templates_require_imdsv2_and_encrypt_volumes_with_the_cluster_key(built):
    key_arn = built.named("aws:kms/key:Key", "eks").outputs["arn"]
    templates = built.by_type(LAUNCH_TEMPLATE)
    assert {t.name for t in templates} == {"train-system", "train-g6", "train-p5"}
    for template in templates:
        inputs = template.inputs
        assert inputs["metadataOptions"] == {"httpEndpoint": "enabled", "httpTokens": "required",
                                             "httpPutResponseHopLimit": 1.0}
        assert "keyName" not in inputs
        for mapping in inputs["blockDeviceMappings"]:
            assert mapping["ebs"]["encrypted"] == "true" and mapping["ebs"]["volumeType"] == "gp3"
            assert mapping["ebs"]["kmsKeyId"] == key_arn
    assert built.named(LAUNCH_TEMPLATE, "train-g6").inputs["blockDeviceMappings"][0]["ebs"]["volumeSize"] == 200.0
    group = built.named(NODE_GROUP, "train-g6").inputs["launchTemplate"]
    assert group == {"id": built.named(LAUNCH_TEMPLATE, "train-g6").id, "version": "1"}


def test_efa_group_gets_interfaces_placement_group_one_zone_and_reservation(built):
    p5 = built.named(LAUNCH_TEMPLATE, "train-p5").inputs
    interfaces = p5["networkInterfaces"]
    assert len(interfaces) == 32 and {i["interfaceType"] for i in interfaces} == {"efa"}
    assert [i["networkCardIndex"] for i in interfaces[:3]] == [0.0, 1.0, 2.0]
    assert interfaces[0]["deviceIndex"] == 0.0 and interfaces[1]["deviceIndex"] == 1.0
    assert "vpcSecurityGroupIds" not in p5
    placement = built.named("aws:ec2/placementGroup:PlacementGroup", "train-p5")
    assert placement.inputs["strategy"] == "cluster"
    assert p5["placement"]["groupName"] == placement.id
    assert p5["capacityReservationSpecification"]["capacityReservationTarget"] == {
        "capacityReservationId": "cr-0123456789abcdef0"}
    group = built.named(NODE_GROUP, "train-p5").inputs
    assert group["subnetIds"] == [built.named("aws:ec2/subnet:Subnet", "private-us-east-1b").id]
    assert group["labels"]["vpc.amazonaws.com/efa.present"] == "true"
    assert built.named(RELEASE, "train-aws-efa-k8s-device-plugin")


def test_node_role_has_only_node_policies_and_no_admin(built):
    attachments = [r.inputs["policyArn"] for r in built.by_type("aws:iam/rolePolicyAttachment:RolePolicyAttachment")
                   if r.name.startswith("train-node-")]
    assert sorted(a.rsplit("/", 1)[1] for a in attachments) == [
        "AmazonEC2ContainerRegistryPullOnly", "AmazonEKSWorkerNodePolicy", "AmazonEKS_CNI_Policy"]
    assert not [r for r in built.by_type("aws:iam/rolePolicy:RolePolicy") if r.name == "train-node"]
    grant = built.named("aws:kms/grant:Grant", "train-autoscaling-volumes").inputs
    assert grant["granteePrincipal"].endswith("aws-service-role/autoscaling.amazonaws.com/AWSServiceRoleForAutoScaling")


def test_training_role_reads_datasets_writes_artifacts_and_nothing_else(built):
    document = policy(built.named("aws:iam/rolePolicy:RolePolicy", "train-training-job"))
    data = built.named("aws:s3/bucket:Bucket", "data").outputs["arn"]
    artifacts = built.named("aws:s3/bucket:Bucket", "artifacts").outputs["arn"]
    grants = {(s["Sid"], json.dumps(s["Action"]), s["Resource"]) for s in document["Statement"]}
    assert grants == {
        ("ListDatasets", '"s3:ListBucket"', data),
        ("ReadDatasets", '"s3:GetObject"', f"{data}/*"),
        ("WriteArtifacts", '["s3:PutObject", "s3:AbortMultipartUpload"]', f"{artifacts}/*"),
        ("DecryptDatasets", '"kms:Decrypt"', built.named("aws:kms/key:Key", "data").outputs["arn"]),
        ("EncryptArtifacts", '["kms:GenerateDataKey", "kms:Decrypt"]',
         built.named("aws:kms/key:Key", "artifacts").outputs["arn"]),
    }
    trust = policy(built.named("aws:iam/role:Role", "train-training-job"), "assumeRolePolicy")["Statement"][0]
    assert trust["Principal"] == {"Service": "pods.eks.amazonaws.com"}
    assert trust["Condition"]["StringEquals"] == {
        "aws:RequestTag/eks-cluster-arn": built.named(EKS, "train").outputs["arn"],
        "aws:RequestTag/kubernetes-namespace": ["research", "vision"],
        "aws:RequestTag/kubernetes-service-account": "training-job"}
    autoscaler = policy(built.named("aws:iam/role:Role", "train-cluster-autoscaler"), "assumeRolePolicy")
    assert autoscaler["Statement"][0]["Condition"]["StringEquals"]["aws:RequestTag/kubernetes-service-account"] == \
        "cluster-autoscaler"
    associations = {r.inputs["namespace"]: r.inputs for r in
                    built.by_type("aws:eks/podIdentityAssociation:PodIdentityAssociation")}
    assert associations["research"]["serviceAccount"] == "training-job"
    assert associations["kube-system"]["serviceAccount"] == "cluster-autoscaler"


def test_helm_releases_are_pinned_and_use_the_cluster_provider(built):
    provider = built.named("pulumi:providers:kubernetes", "train-k8s")
    releases = {r.inputs["name"]: r for r in built.by_type(RELEASE)}
    assert set(releases) == {"nvidia-device-plugin", "dcgm-exporter", "aws-efa-k8s-device-plugin",
                             "cluster-autoscaler", "kueue", "kuberay-operator"}
    for release in releases.values():
        assert release.inputs["version"].count(".") == 2
        assert release.provider.startswith(provider.urn)
        assert release.parent == built.named("mlinfra:training:TrainingCluster", "train").urn
    assert releases["kueue"].inputs["chart"] == "oci://registry.k8s.io/kueue/charts/kueue"
    assert releases["nvidia-device-plugin"].inputs["repositoryOpts"]["repo"] == "https://nvidia.github.io/k8s-device-plugin"
    autoscaler = releases["cluster-autoscaler"].inputs["values"]
    assert autoscaler["autoDiscovery"]["clusterName"] == "train"
    assert autoscaler["image"]["tag"] == "v1.34.0" and autoscaler["awsRegion"] == "us-east-1"
    plugin = releases["nvidia-device-plugin"].inputs["values"]
    assert plugin["tolerations"] == [{"key": "nvidia.com/gpu", "operator": "Exists", "effect": "NoSchedule"}]


def test_controllers_are_placed_on_the_system_group_where_each_chart_reads_it(built):
    releases = {r.inputs["name"]: r.inputs["values"] for r in built.by_type(RELEASE)}
    on_system = {"mlinfra.io/node-group": "system"}
    # The Kueue chart reads controllerManager.nodeSelector and ignores a top-level nodeSelector.
    assert releases["kueue"] == {"controllerManager": {"nodeSelector": on_system}}
    assert releases["kuberay-operator"]["nodeSelector"] == on_system
    assert releases["cluster-autoscaler"]["nodeSelector"] == on_system


def test_teams_get_namespace_quota_and_queues(built):
    quota = built.named("kubernetes:core/v1:ResourceQuota", "train-team-research-gpu-quota").inputs
    assert quota["metadata"]["namespace"] == "research"
    assert quota["spec"]["hard"] == {"requests.nvidia.com/gpu": "8"}
    namespace = built.named("kubernetes:core/v1:Namespace", "train-team-vision").inputs["metadata"]
    assert namespace["labels"]["pod-security.kubernetes.io/enforce"] == "baseline"
    queue = built.named(CUSTOM.format("ClusterQueue"), "train-team-vision-cluster-queue")
    cpu, gpu = ({r["name"]: r["nominalQuota"] for r in flavor["resources"]}
                for flavor in queue.inputs["spec"]["resourceGroups"][0]["flavors"])
    assert gpu["nvidia.com/gpu"] == "4" and gpu["cpu"] == "32" and gpu["memory"] == "256Gi"
    assert "vpc.amazonaws.com/efa" in gpu
    # CPU-only work is admitted on the CPU flavor first (no GPU or EFA quota there).
    assert cpu == {"cpu": "32", "memory": "256Gi", "nvidia.com/gpu": "0", "vpc.amazonaws.com/efa": "0"}
    cpu_flavor = built.named(CUSTOM.format("ResourceFlavor"), "train-flavor-cpu")
    assert cpu_flavor.inputs["spec"] == {"nodeLabels": {"mlinfra.io/node-group": "system"}}
    assert cpu_flavor.urn in queue.dependencies
    assert built.named(RELEASE, "train-kueue").urn in queue.dependencies
    local = built.named(CUSTOM.format("LocalQueue"), "train-team-vision-local-queue").inputs
    assert local["metadata"] == {"name": "training", "namespace": "vision"} and local["spec"] == {"clusterQueue": "vision"}
    flavor = built.named(CUSTOM.format("ResourceFlavor"), "train-flavor-gpu").inputs["spec"]
    assert flavor["nodeLabels"] == {"nvidia.com/gpu": "true"}


def test_efa_device_plugin_pulls_from_the_stacks_own_region(built):
    values = built.named(RELEASE, "train-aws-efa-k8s-device-plugin").inputs["values"]
    assert values["image"] == {"repository": "602401143452.dkr.ecr.us-east-1.amazonaws.com/eks/aws-efa-k8s-device-plugin"}


def test_component_outputs(built):
    component = built.named("mlinfra:training:TrainingCluster", "train")
    outputs = component.outputs
    assert outputs["queueNames"] == {"research": "research/training", "vision": "vision/training"}
    assert outputs["oidcProviderArn"].startswith("arn:aws:iam::123456789012:oidc-provider/oidc.eks.us-east-1")
    assert outputs["clusterName"] == "train"


def test_protect_turns_on_deletion_protection(monitor, run):
    run(build(protect=True))
    cluster = monitor.named(EKS, "train")
    assert cluster.protect is True and cluster.inputs["deletionProtection"] is True


def test_deployer_path_admits_https_to_the_control_plane_only(monitor, run):
    run(build(deployer_cidrs=[VPN, "2001:db8::/56"], deployer_security_group_ids=["sg-0123456789abcdef0"]))
    api = monitor.named("aws:ec2/securityGroup:SecurityGroup", "train-api")
    nodes = monitor.named("aws:ec2/securityGroup:SecurityGroup", "train-nodes")
    vpc = monitor.named(EKS, "train").inputs["vpcConfig"]
    assert vpc["securityGroupIds"] == [nodes.outputs["id"], api.outputs["id"]]
    rules = [r for r in monitor.by_type("aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule")
             if r.inputs["securityGroupId"] == api.outputs["id"]]
    assert sorted((r.inputs["ipProtocol"], r.inputs["fromPort"], r.inputs["toPort"]) for r in rules) == [
        ("tcp", 443.0, 443.0)] * 3
    assert sorted(r.inputs.get("cidrIpv4") or r.inputs.get("cidrIpv6") or r.inputs["referencedSecurityGroupId"]
                  for r in rules) == ["10.250.0.0/20", "2001:db8::/56", "sg-0123456789abcdef0"]
    # Nodes stay closed to the deployer networks: their group admits only itself.
    node_rules = [r for r in monitor.by_type("aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule")
                  if r.inputs["securityGroupId"] == nodes.outputs["id"]]
    assert [r.inputs["referencedSecurityGroupId"] for r in node_rules] == [nodes.outputs["id"]]


def test_public_endpoint_carries_its_cidrs(monitor, run):
    run(build(endpoint_public_access=True, public_access_cidrs=["203.0.113.0/24"], deployer_cidrs=[]))
    vpc = monitor.named(EKS, "train").inputs["vpcConfig"]
    assert vpc["endpointPublicAccess"] is True and vpc["publicAccessCidrs"] == ["203.0.113.0/24"]


def test_no_efa_plugin_without_efa_and_bottlerocket_keeps_images_on_the_data_volume(monitor, run):
    run(build(gpu_node_groups=[replace(G6, ami_family="bottlerocket")], max_gpus=8,
              system_node_group=SystemNodeGroupArgs(instance_types=["m7i.large"], min_size=3)))
    assert "train-aws-efa-k8s-device-plugin" not in {r.name for r in monitor.by_type(RELEASE)}
    mappings = monitor.named(LAUNCH_TEMPLATE, "train-g6").inputs["blockDeviceMappings"]
    assert [(m["deviceName"], m["ebs"]["volumeSize"]) for m in mappings] == [("/dev/xvda", 8.0), ("/dev/xvdb", 200.0)]
    assert monitor.named(NODE_GROUP, "train-g6").inputs["amiType"] == "BOTTLEROCKET_x86_64_NVIDIA"
    assert monitor.named(NODE_GROUP, "train-system").inputs["scalingConfig"]["minSize"] == 3.0


@pytest.mark.parametrize(("overrides", "message"), [
    (dict(max_gpus=10), "the GPU node groups can reach 20 GPUs"),
    (dict(kubernetes_version="1.29"), "'1.29' is not one of them"),
    (dict(endpoint_public_access=True, public_access_cidrs=["0.0.0.0/0"]), "whole internet"),
    (dict(gpu_node_groups=[GpuNodeGroupArgs("cpu", ["m5.large"], max_size=1)]), "'m5.large' is not a GPU instance type"),
    (dict(gpu_node_groups=[replace(P5, availability_zones=["us-east-1c"])]), "zone 'us-east-1c' is not one of the cluster's"),
    (dict(gpu_node_groups=[replace(G6, min_size=5)]), "minSize 5 is greater than maxSize 4"),
    (dict(gpu_node_groups=[replace(G6, name="system")]), "'system' is reserved for the system node group"),
    (dict(readonly_principals=[VIEWER, ADMIN]), f"{ADMIN}: already in adminPrincipals"),
    (dict(teams=[TeamArgs("gpu-system", 1)]), "team 'gpu-system': must be a DNS label"),
    (dict(teams=[TeamArgs("nlp", 1), TeamArgs("nlp", 2)]), "team names must be unique"),
    (dict(admin_principals=[]), "at least one admin"),
    (dict(addon_versions={"coredns-x": "v1"}), "unknown add-on(s) coredns-x"),
    (dict(log_retention_days=45), "log_retention_days=45 is not a CloudWatch retention period"),
    (dict(deployer_cidrs=[]), "deployerAccess: the API endpoint is private and nothing outside the cluster may reach it"),
    (dict(deployer_cidrs=["0.0.0.0/0"]), "0.0.0.0/0 admits every address"),
    (dict(deployer_security_group_ids=["default"]), "'default' is not a security group id"),
])
def test_args_refuse_what_cannot_be_built(overrides, message):
    args = dict(admin_principals=[ADMIN], gpu_node_groups=[G6, P5], teams=TEAMS, max_gpus=24, deployer_cidrs=[VPN],
                vpc=None, subnets=[object(), object()], availability_zones=ZONES, cluster_key=None, log_key=None,
                dataset_bucket=None, dataset_key=None, artifact_bucket=None, artifact_key=None)
    args.update(overrides)
    with pytest.raises(ValueError) as info:
        TrainingClusterArgs(**args)
    assert message in str(info.value)


def test_groups_that_scale_from_zero_tag_their_auto_scaling_group_with_the_node_template(built):
    """cluster-autoscaler reads extended resources of a zero-node group only from ASG tags
    (cloudprovider/aws/aws_manager.go), and EKS does not copy node-group tags to the ASG."""
    tags = {}
    for tag in built.by_type("aws:autoscaling/tag:Tag"):
        tags.setdefault(tag.inputs["autoscalingGroupName"], {})[tag.inputs["tag"]["key"]] = tag.inputs["tag"]
    p5 = built.named(NODE_GROUP, "train-p5").outputs["resources"][0]["autoscalingGroups"][0]["name"]
    g6 = built.named(NODE_GROUP, "train-g6").outputs["resources"][0]["autoscalingGroups"][0]["name"]
    assert set(tags) == {p5, g6}  # not the system group, which never scales from zero
    template = "k8s.io/cluster-autoscaler/node-template"
    p5_tags = {key: tag["value"] for key, tag in tags[p5].items()}
    assert p5_tags[f"{template}/resources/vpc.amazonaws.com/efa"] == "32"
    assert p5_tags[f"{template}/resources/nvidia.com/gpu"] == "8"
    assert p5_tags[f"{template}/taint/nvidia.com/gpu"] == "true:NoSchedule"
    assert p5_tags[f"{template}/label/k8s.amazonaws.com/accelerator"] == "nvidia-h100"
    assert p5_tags[f"{template}/label/mlinfra.io/node-group"] == "p5"
    assert p5_tags[f"{template}/label/vpc.amazonaws.com/efa.present"] == "true"
    assert not any(tag["propagateAtLaunch"] for tag in tags[p5].values())
    assert f"{template}/resources/vpc.amazonaws.com/efa" not in tags[g6]
    assert tags[g6][f"{template}/resources/nvidia.com/gpu"]["value"] == "1"
    labels = built.named(NODE_GROUP, "train-g6").inputs["labels"]
    assert labels["k8s.amazonaws.com/accelerator"] == "nvidia-l4"


def test_a_group_that_keeps_warm_nodes_is_not_tagged(monitor, run):
    run(build(gpu_node_groups=[replace(G6, min_size=1)], max_gpus=8))
    assert monitor.by_type("aws:autoscaling/tag:Tag") == []


def test_volume_grant_names_the_account_autoscaling_role_by_default(built):
    grant = built.named("aws:kms/grant:Grant", "train-autoscaling-volumes")
    assert grant.inputs["granteePrincipal"] == (
        "arn:aws:iam::123456789012:role/aws-service-role/autoscaling.amazonaws.com/AWSServiceRoleForAutoScaling")
    assert built.by_type("aws:iam/serviceLinkedRole:ServiceLinkedRole") == []


def test_opt_in_creates_the_autoscaling_service_role_before_the_grant(monitor, run):
    run(build(create_autoscaling_service_role=True))
    [role] = monitor.by_type("aws:iam/serviceLinkedRole:ServiceLinkedRole")
    assert role.inputs["awsServiceName"] == "autoscaling.amazonaws.com"
    grant = monitor.named("aws:kms/grant:Grant", "train-autoscaling-volumes")
    assert grant.inputs["granteePrincipal"] == role.outputs["arn"]
    assert role.urn in grant.dependencies
