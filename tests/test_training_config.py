"""The ``training`` config section: defaults, conversion to Args, and every bad input's message."""

import copy
import json

import pytest

from mlinfra.config import platform_config_from
from mlinfra.config.stack_checks import check_training
from mlinfra.errors import ConfigError

SOURCE = "stacks/Pulumi.dev.yaml"
ADMIN = "arn:aws:iam::123456789012:role/ml-platform-admin"
TRAINING = {
    "adminPrincipals": [ADMIN],
    "maxGpus": 8,
    "gpuNodeGroups": [{"name": "g6", "instanceTypes": ["g6.xlarge", "g6.2xlarge"], "maxSize": 4, "capacityType": "spot"}],
    "teams": [{"name": "research", "gpus": 4}],
    "deployerAccess": {"cidrs": ["10.250.0.0/20"]},
}
P5 = {"name": "p5", "instanceTypes": ["p5.48xlarge"], "maxSize": 2, "efa": True, "placementGroup": True,
      "availabilityZones": ["eu-west-1a"]}


def load(training, tier="dev", **extra):
    config = {"aws:region": "eu-west-1", "mlinfra:tier": tier,
              "mlinfra:tags": json.dumps({"owner": "ml-platform", "costCenter": "cc-1"}),
              "mlinfra:training": json.dumps(training), **extra}
    return platform_config_from(config, environment=tier, source=SOURCE)


def changed(**changes):
    training = copy.deepcopy(TRAINING)
    for path, value in changes.items():
        target = training
        *head, last = path.split("__")
        for part in head:
            target = target[int(part)] if part.isdigit() else target[part]
        target[last] = value
    return training


def test_section_is_optional():
    config = {"aws:region": "eu-west-1", "mlinfra:tier": "dev",
              "mlinfra:tags": json.dumps({"owner": "o", "costCenter": "c"})}
    assert platform_config_from(config, environment="dev", source=SOURCE).training is None


def test_defaults_are_private_on_demand_and_scale_to_zero():
    training = load(TRAINING).training
    assert training.kubernetes_version == "1.34"
    assert training.endpoint_public_access is False and training.public_access_cidrs == []
    assert training.ssm_access is False
    group = training.gpu_node_groups[0]
    assert (group.min_size, group.ami_family, group.root_volume_gib, group.efa) == (0, "al2023", 200, False)
    assert training.system_node_group.min_size == 2
    assert training.teams[0].cpus == 96


def test_sections_convert_to_component_args():
    training = load(changed(gpuNodeGroups=[P5], maxGpus=16)).training
    args = training.gpu_node_groups[0].to_args()
    assert args.efa_interfaces == 32 and args.availability_zones == ["eu-west-1a"]
    assert training.teams[0].to_args().gpus == 4
    assert training.system_node_group.to_args().instance_types == ["m7i.xlarge"]


@pytest.mark.parametrize(("training", "expected"), [
    (changed(gpuNodeGroups__0__instanceTypes=["m5.large"]),
     "mlinfra:training.gpuNodeGroups.0.instanceTypes = ['m5.large']: 'm5.large' is not a GPU instance type; "
     "known GPU families: g4dn, g5, g6"),
    (changed(gpuNodeGroups__0__efa=True),
     "mlinfra:training.gpuNodeGroups.0.efa = True: g6.xlarge does not support EFA (EFA-capable g6 sizes: g6.8xlarge"),
    (changed(gpuNodeGroups=[{**P5, "efa": False, "availabilityZones": ["eu-west-1a", "eu-west-1b"]}], maxGpus=16),
     "mlinfra:training.gpuNodeGroups.0.placementGroup = True: "
     "a cluster placement group cannot span availability zones: list exactly one (got eu-west-1a, eu-west-1b)"),
    (changed(gpuNodeGroups=[{k: v for k, v in P5.items() if k != "availabilityZones"}], maxGpus=16),
     "mlinfra:training.gpuNodeGroups.0.efa = True: EFA needs the group pinned to exactly one availability zone: "
     "set availabilityZones"),
    (changed(gpuNodeGroups__0__minSize=5),
     "mlinfra:training.gpuNodeGroups.0.maxSize = 4: minSize 5 is greater than maxSize 4"),
    (changed(maxGpus=3),
     "mlinfra:training.maxGpus = 3: the GPU node groups can reach 4 GPUs (g6: 4 nodes x 1) but the cap is 3"),
    (changed(kubernetesVersion="1.28"),
     "mlinfra:training.kubernetesVersion = '1.28': EKS supports Kubernetes 1.31, 1.32, 1.33, 1.34, 1.35; "
     "'1.28' is not one of them"),
    (changed(endpointPublicAccess=True, publicAccessCidrs=["0.0.0.0/0"]),
     "mlinfra:training.publicAccessCidrs = ['0.0.0.0/0']: 0.0.0.0/0 opens the endpoint to the whole internet"),
    (changed(endpointPublicAccess=True),
     "mlinfra:training.endpointPublicAccess = True: a public endpoint needs publicAccessCidrs"),
    (changed(gpuNodeGroups__0__instanceTypes=["g6.xlarge", "g6.12xlarge"]),
     "must have the same GPU count and GPU memory"),
    (changed(adminPrincipals=["arn:aws:sts::123456789012:assumed-role/admin/me"]),
     "mlinfra:training.adminPrincipals = ['arn:aws:sts::123456789012:assumed-role/admin/me']: "
     "'arn:aws:sts::123456789012:assumed-role/admin/me' is a session ARN"),
    (changed(teams=[{"name": "research", "gpus": 4}, {"name": "research", "gpus": 2}]),
     "mlinfra:training.teams = "),
    (changed(teams=[{"name": "research", "gpus": 9}]),
     "team(s) research have a GPU quota above maxGpus 8"),
    (changed(teams=[{"name": "Research", "gpus": 1}]),
     "mlinfra:training.teams.0.name = 'Research': must be a DNS label"),
    (changed(addonVersions={"core-dns": "v1"}),
     "mlinfra:training.addonVersions = {'core-dns': 'v1'}: unknown add-on(s) core-dns"),
    (changed(gpuNodeGroups__0__capacityType="capacity-block"),
     "mlinfra:training.gpuNodeGroups.0.capacityType = 'capacity-block': a capacity-block group needs the Capacity "
     "Block's capacityReservationId"),
    (changed(gpuNodeGroups__0__gpuCount=8), "mlinfra:training.gpuNodeGroups.0.gpuCount is not a known setting"),
    (changed(gpuNodeGroups__0__name="system"),
     "mlinfra:training.gpuNodeGroups.0.name = 'system': 'system' is reserved for the system node group"),
    (changed(systemNodeGroup={"minSize": 5}),
     "mlinfra:training.systemNodeGroup.maxSize = 4: minSize 5 is greater than maxSize 4"),
    (changed(readonlyPrincipals=[ADMIN]),
     f"mlinfra:training.readonlyPrincipals = ['{ADMIN}']: {ADMIN}: already in adminPrincipals; EKS allows one "
     "access entry per principal"),
    ({k: v for k, v in TRAINING.items() if k != "maxGpus"}, "mlinfra:training.maxGpus is required"),
    (changed(deployerAccess={"cidrs": ["0.0.0.0/0"]}),
     "mlinfra:training.deployerAccess.cidrs = ['0.0.0.0/0']: 0.0.0.0/0 admits every address"),
    (changed(deployerAccess={"securityGroupIds": ["runner"]}),
     "mlinfra:training.deployerAccess.securityGroupIds = ['runner']: 'runner' is not a security group id"),
    (changed(deployerAccess={"vpn": ["10.0.0.0/8"]}), "mlinfra:training.deployerAccess.vpn is not a known setting"),
])
def test_bad_values_name_file_key_value_and_what_is_allowed(training, expected):
    with pytest.raises(ConfigError) as info:
        load(training)
    assert expected in str(info.value)
    assert str(info.value).startswith(f"{SOURCE}: ")


@pytest.mark.parametrize("tier", ["staging", "prod"])
def test_only_dev_may_have_a_public_endpoint(tier):
    cfg = load(changed(endpointPublicAccess=True, publicAccessCidrs=["203.0.113.0/24"]), tier=tier)
    with pytest.raises(ConfigError, match=f"mlinfra:training.endpointPublicAccess = True: only a dev cluster may have "
                                          f"a public API endpoint; reach a {tier} cluster's private endpoint through "
                                          "mlinfra:training.deployerAccess"):
        check_training(cfg, source=SOURCE)


def test_public_endpoint_with_cidrs_is_a_deployer_path_in_dev():
    training = {k: v for k, v in changed(endpointPublicAccess=True, publicAccessCidrs=["203.0.113.7/32"]).items()
                if k != "deployerAccess"}
    assert check_training(load(training), source=SOURCE).public_access_cidrs == ["203.0.113.7/32"]


@pytest.mark.parametrize("tier", ["dev", "staging", "prod"])
def test_private_cluster_without_deployer_path_is_refused_naming_the_setting(tier):
    cfg = load({k: v for k, v in TRAINING.items() if k != "deployerAccess"}, tier=tier)
    with pytest.raises(ConfigError) as info:
        check_training(cfg, source=SOURCE)
    assert str(info.value).startswith(
        f"{SOURCE}: mlinfra:training.deployerAccess: the API endpoint is private and nothing outside the cluster "
        "may reach it, so `pulumi up` cannot create the Kubernetes resources")


def test_deployer_access_takes_vpn_cidrs_and_runner_security_groups():
    training = load(changed(deployerAccess={"cidrs": ["10.250.0.0/20"],
                                            "securityGroupIds": ["sg-0123456789abcdef0"]}), tier="prod").training
    assert check_training(load(changed(deployerAccess={"securityGroupIds": ["sg-0123456789abcdef0"]}), tier="prod"),
                          source=SOURCE) is not None
    args = training.deployer_access
    assert (args.cidrs, args.security_group_ids) == (["10.250.0.0/20"], ["sg-0123456789abcdef0"])


def test_dev_gpu_groups_must_scale_to_zero_but_prod_may_keep_warm_nodes():
    with pytest.raises(ConfigError, match=r"gpuNodeGroups.0.minSize = 1: dev GPU groups must scale to zero"):
        check_training(load(changed(gpuNodeGroups__0__minSize=1)), source=SOURCE)
    assert check_training(load(changed(gpuNodeGroups__0__minSize=1), tier="prod"), source=SOURCE) is not None


def test_group_zones_must_be_zones_of_the_network():
    cfg = load(changed(gpuNodeGroups=[{**P5, "availabilityZones": ["eu-west-1c"]}], maxGpus=16))
    with pytest.raises(ConfigError) as info:
        check_training(cfg, source=SOURCE)
    assert str(info.value) == (f"{SOURCE}: mlinfra:training.gpuNodeGroups.0.availabilityZones = 'eu-west-1c': "
                               "not one of the network's zones (eu-west-1a, eu-west-1b)")


def test_every_problem_is_reported_on_its_own_line():
    cfg = load(changed(endpointPublicAccess=True, publicAccessCidrs=["203.0.113.0/24"],
                       gpuNodeGroups=[{**P5, "availabilityZones": ["eu-west-1d"]}], maxGpus=16),
               tier="prod")
    lines = str(pytest.raises(ConfigError, check_training, cfg, source=SOURCE).value).splitlines()
    assert len(lines) == 2 and all(line.startswith(SOURCE) for line in lines)


def test_cidrs_without_a_public_endpoint_are_refused():
    with pytest.raises(ConfigError, match=r"publicAccessCidrs = \['203.0.113.0/24'\]: set but endpointPublicAccess is false"):
        check_training(load(changed(publicAccessCidrs=["203.0.113.0/24"])), source=SOURCE)


def test_the_autoscaling_service_role_is_created_only_when_asked():
    assert load(TRAINING).training.create_autoscaling_service_role is False
    assert load(changed(createAutoscalingServiceRole=True)).training.create_autoscaling_service_role is True
