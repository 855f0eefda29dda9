"""Training cluster tables and pure checks: GPU types, Kubernetes versions, chart pins, validation."""

import pytest

from components.training import charts, validation
from components.training.args import GpuNodeGroupArgs, SystemNodeGroupArgs, TeamArgs
from catalog.gpu import GPU_FAMILIES, GPU_INSTANCE_TYPES, UnknownGpuInstanceType, gpu_instance
from catalog.eks import (
    DEFAULT_KUBERNETES_VERSION, KUBERNETES_VERSIONS, MANAGED_ADDONS, UnsupportedKubernetesVersion, addon_versions,
)


def test_table_covers_the_families_platform_teams_train_on():
    for family in ("g4dn", "g5", "g6", "g6e", "gr6", "p3", "p3dn", "p4d", "p4de", "p5", "p5e", "p5en"):
        assert family in GPU_FAMILIES


@pytest.mark.parametrize(("name", "gpus", "memory", "vcpus", "efa"), [
    ("g5.xlarge", 1, 24, 4, 0),
    ("g5.48xlarge", 8, 24, 192, 1),
    ("g6e.48xlarge", 8, 48, 192, 4),
    ("p4d.24xlarge", 8, 40, 96, 4),
    ("p4de.24xlarge", 8, 80, 96, 4),
    ("p5.48xlarge", 8, 80, 192, 32),
    ("p5en.48xlarge", 8, 141, 192, 16),
    ("p3.16xlarge", 8, 16, 64, 0),
])
def test_rows_carry_gpus_memory_vcpus_and_efa(name, gpus, memory, vcpus, efa):
    row = gpu_instance(name)
    assert (row.gpus, row.gpu_memory_gib, row.vcpus, row.max_efa_interfaces) == (gpus, memory, vcpus, efa)
    assert row.supports_efa is (efa > 0)


def test_every_row_is_consistent():
    for name, row in GPU_INSTANCE_TYPES.items():
        assert row.name == name and "." in name
        assert row.gpus >= 1 and row.gpu_memory_gib >= 16 and row.vcpus >= 4 * row.gpus // 2


def test_unknown_type_names_the_known_families():
    with pytest.raises(UnknownGpuInstanceType, match="'m5.large' is not a GPU instance type; known GPU families: g4dn"):
        gpu_instance("m5.large")


def test_versions_pin_every_managed_addon_for_every_minor():
    for version in KUBERNETES_VERSIONS:
        pins = addon_versions(version)
        assert set(pins) == set(MANAGED_ADDONS)
        assert pins["kube-proxy"].startswith(f"v{version}.")
        assert all("-eksbuild." in build for build in pins.values())
        assert KUBERNETES_VERSIONS[version].cluster_autoscaler.startswith(f"v{version}.")
    assert DEFAULT_KUBERNETES_VERSION in KUBERNETES_VERSIONS


def test_addon_overrides_apply_and_typos_are_refused():
    assert addon_versions("1.33", {"coredns": "v1.12.2-eksbuild.4"})["coredns"] == "v1.12.2-eksbuild.4"
    with pytest.raises(ValueError, match="unknown add-on\\(s\\) core-dns"):
        addon_versions("1.33", {"core-dns": "v1"})
    with pytest.raises(UnsupportedKubernetesVersion, match="'1.27' is not one of them"):
        addon_versions("1.27")


def test_support_windows_are_ordered():
    for pins in KUBERNETES_VERSIONS.values():
        assert pins.end_of_standard_support < pins.end_of_extended_support


def test_every_chart_is_pinned_to_an_exact_version():
    pins = [charts.NVIDIA_DEVICE_PLUGIN, charts.DCGM_EXPORTER, charts.EFA_DEVICE_PLUGIN, charts.CLUSTER_AUTOSCALER,
            charts.KUEUE, charts.KUBERAY_OPERATOR]
    for pin in pins:
        parts = pin.version.split(".")
        assert len(parts) == 3 and all(part.isdigit() for part in parts), pin
        assert pin.repository or pin.chart.startswith("oci://"), pin


def test_mixed_gpu_shapes_in_one_group_are_refused():
    assert [row.name for row in validation.gpu_types(["g6.xlarge", "g6.2xlarge"])] == ["g6.xlarge", "g6.2xlarge"]
    with pytest.raises(ValueError, match="same GPU count and GPU memory"):
        validation.gpu_types(["g6.xlarge", "g6.12xlarge"])


def test_gpu_cap_counts_max_size_times_gpus_per_node():
    validation.check_gpu_cap([("a", ["p5.48xlarge"], 2), ("b", ["g6.xlarge"], 4)], 20)
    with pytest.raises(ValueError, match="can reach 21 GPUs \\(a: 2 nodes x 8, b: 5 nodes x 1\\) but the cap is 20"):
        validation.check_gpu_cap([("a", ["p5.48xlarge"], 2), ("b", ["g6.xlarge"], 5)], 20)


@pytest.mark.parametrize(("args", "message"), [
    (dict(capacity_type="capacity-block"), "needs the Capacity Block's capacityReservationId"),
    (dict(capacity_type="spot", reservation_id="cr-0123456789abcdef0"), "cannot be used with spot"),
    (dict(reservation_id="cr-xyz"), "is not a reservation id"),
    (dict(reservation_id="cr-0123456789abcdef0", resource_group_arn="arn:aws:resource-groups:us-east-1:123456789012:group/x"),
     "not both"),
    (dict(capacity_type="capacity-block", reservation_id="cr-0123456789abcdef0", types=["p5.48xlarge", "p5e.48xlarge"]),
     "one instance type"),
])
def test_capacity_reservation_rules(args, message):
    with pytest.raises(ValueError, match=message):
        validation.check_capacity(args.get("capacity_type", "on-demand"), args.get("types", ["p5.48xlarge"]),
                                  args.get("reservation_id"), args.get("resource_group_arn"))


def test_public_access_needs_cidrs_and_never_the_internet():
    assert validation.check_public_access(False, []) == []
    assert validation.check_public_access(True, ["203.0.113.0/24"]) == ["203.0.113.0/24"]
    with pytest.raises(ValueError, match="needs publicAccessCidrs"):
        validation.check_public_access(True, [])
    with pytest.raises(ValueError, match="whole internet"):
        validation.check_public_access(True, ["0.0.0.0/0"])
    with pytest.raises(ValueError, match="endpointPublicAccess is false"):
        validation.check_public_access(False, ["203.0.113.0/24"])


def test_principals_must_be_role_or_user_arns():
    assert validation.check_principal("arn:aws:iam::123456789012:role/ci/deployer")
    with pytest.raises(ValueError, match="session ARN"):
        validation.check_principal("arn:aws:sts::123456789012:assumed-role/admin/me")
    with pytest.raises(ValueError, match="not an IAM role or user ARN"):
        validation.check_principal("admin")


def test_group_args_validate_and_derive_efa_interfaces():
    group = GpuNodeGroupArgs("p5", ["p5.48xlarge"], max_size=2, efa=True, placement_group=True,
                             availability_zones=["us-east-1a"])
    group.validate()
    assert group.efa_interfaces == 32 and group.gpu_type.gpus == 8
    assert GpuNodeGroupArgs("g", ["g6.xlarge"], max_size=1).efa_interfaces == 0
    with pytest.raises(ValueError, match="GPU node group 'p5': EFA cannot span availability zones"):
        GpuNodeGroupArgs("p5", ["p5.48xlarge"], max_size=2, efa=True, availability_zones=["a", "b"]).validate()
    with pytest.raises(ValueError, match="system node group: the system group runs CoreDNS"):
        SystemNodeGroupArgs(min_size=0).validate()
    with pytest.raises(ValueError, match="team 'kube-ml'"):
        TeamArgs("kube-ml", 1).validate()


@pytest.mark.parametrize("minor", list(KUBERNETES_VERSIONS))
def test_version_bound_builds_match_the_minor_they_are_pinned_for(minor):
    """kube-proxy builds are published per cluster minor (EKS user guide, "Manage kube-proxy": the
    add-on's minor is the cluster's), and cluster-autoscaler releases track Kubernetes minors
    (kubernetes/autoscaler cluster-autoscaler/README.md, "use the version matching the cluster
    minor"). Builds offered per minor are checked online by ``mlinfra preflight`` (addon-compatible)."""
    pins = KUBERNETES_VERSIONS[minor]
    assert pins.kube_proxy.startswith(f"v{minor}.") and pins.kube_proxy.split("-")[1].startswith("eksbuild.")
    assert pins.cluster_autoscaler.startswith(f"v{minor}.")
    assert addon_versions(minor)["kube-proxy"] == pins.kube_proxy
