"""GPU rules: tainted GPU node groups, allowed GPU types per environment, the GPU cap."""

from __future__ import annotations

import pytest

from policies.rules import gpu
from policy_helpers import UNKNOWN, resource_args, stack_args, stack_resource, violation_urns, violations

NG = "aws:eks/nodeGroup:NodeGroup"
TAINT = {"key": "nvidia.com/gpu", "value": "true", "effect": "NO_SCHEDULE"}


def group(**changes):
    return {"instanceTypes": ["g6.xlarge"], "amiType": "AL2023_x86_64_NVIDIA", "taints": [TAINT],
            "scalingConfig": {"minSize": 0.0, "maxSize": 4.0, "desiredSize": 0.0}, **changes}


LT = "aws:ec2/launchTemplate:LaunchTemplate"


def tainted(*resources, config=None):
    """The taint rule's messages for a stack of ``resources`` (node groups and launch templates)."""
    return violations(gpu.gpu_node_group_tainted, stack_args(list(resources), config))


def node_group(props, name="subject", **options):
    return stack_resource(NG, props, name=name, **options)


UNTAINTED = ("aws:eks/nodeGroup:NodeGroup '{name}' runs GPU nodes without the nvidia.com/gpu=true:NoSchedule taint: "
             "any pod could take them (and keep them from scaling to zero)")


def test_tainted_gpu_group_passes_and_cpu_groups_are_ignored():
    assert tainted(node_group(group())) == []
    cpu = group(instanceTypes=["m7i.large"], amiType="AL2023_x86_64_STANDARD", taints=None)
    assert tainted(node_group(cpu)) == []


def test_untainted_gpu_group_fails_and_is_filed_under_the_group():
    untainted = node_group(group(taints=None), name="gpu")
    args = stack_args([node_group(group(), name="ok"), untainted])
    assert violations(gpu.gpu_node_group_tainted, args) == [UNTAINTED.format(name="gpu")]
    assert violation_urns(gpu.gpu_node_group_tainted, args) == [untainted.urn]
    prefer = group(taints=[{**TAINT, "effect": "PREFER_NO_SCHEDULE"}])
    assert tainted(node_group(prefer)) == [UNTAINTED.format(name="subject")]


def test_every_untainted_gpu_group_is_reported():
    assert tainted(node_group(group(taints=None), name="a"), node_group(group(taints=[]), name="b")) == [
        UNTAINTED.format(name="a"), UNTAINTED.format(name="b")]


def test_custom_taint_key():
    config = {"taintKey": "example.com/gpu"}
    assert tainted(node_group(group()), config=config) == [
        "aws:eks/nodeGroup:NodeGroup 'subject' runs GPU nodes without the example.com/gpu=true:NoSchedule taint: "
        "any pod could take them (and keep them from scaling to zero)"]
    assert tainted(node_group(group(taints=[{**TAINT, "key": "example.com/gpu"}])), config=config) == []


def test_gpu_ami_alone_marks_a_gpu_group():
    props = group(instanceTypes=UNKNOWN, taints=[])
    assert tainted(node_group(props)) == [UNTAINTED.format(name="subject")]


def test_unknown_taints_and_unknown_types_are_not_judged():
    assert tainted(node_group(group(taints=UNKNOWN))) == []
    assert tainted(node_group(group(instanceTypes=UNKNOWN, amiType="CUSTOM", taints=[]))) == []
    template = stack_resource(LT, {"id": UNKNOWN, "instanceType": UNKNOWN}, name="lt")
    by_dependency = node_group(group(instanceTypes=[], amiType="CUSTOM", taints=[]),
                               property_dependencies={"launchTemplate": [template.urn]})
    assert tainted(template, by_dependency) == []


def test_gpu_type_set_only_in_the_launch_template_needs_the_taint():
    # A CUSTOM AMI says nothing about GPUs: only the launch template's instance type does.
    template = stack_resource(LT, {"id": "lt-1", "name": "gpu-template", "instanceType": "g6.xlarge"}, name="lt")
    custom = dict(instanceTypes=[], amiType="CUSTOM")
    by_dependency = node_group(group(**custom, taints=None), name="by-dependency",
                               property_dependencies={"launchTemplate": [template.urn]})
    by_id = node_group(group(**custom, taints=None, launchTemplate={"id": "lt-1", "version": "1"}), name="by-id")
    by_name = node_group(group(**custom, taints=None, launchTemplate={"name": "gpu-template", "version": "1"}),
                         name="by-name")
    args = stack_args([template, by_dependency, by_id, by_name])
    assert violations(gpu.gpu_node_group_tainted, args) == [
        UNTAINTED.format(name="by-dependency"), UNTAINTED.format(name="by-id"), UNTAINTED.format(name="by-name")]
    assert violation_urns(gpu.gpu_node_group_tainted, args) == [by_dependency.urn, by_id.urn, by_name.urn]

    template = stack_resource(LT, {"id": "lt-1", "instanceType": "g6.xlarge"}, name="lt")
    tainted_by_dependency = node_group(group(**custom), name="by-dependency",
                                       property_dependencies={"launchTemplate": [template.urn]})
    tainted_by_id = node_group(group(**custom, launchTemplate={"id": "lt-1", "version": "1"}), name="by-id")
    assert tainted(template, tainted_by_dependency, tainted_by_id) == []


def test_launch_template_of_another_group_does_not_count():
    # The group points at a CPU template; a GPU template elsewhere in the stack is not its.
    gpu_template = stack_resource(LT, {"id": "lt-gpu", "instanceType": "p5.48xlarge"}, name="gpu-lt")
    cpu_template = stack_resource(LT, {"id": "lt-cpu", "instanceType": "m7i.large"}, name="cpu-lt")
    cpu = node_group(group(instanceTypes=[], amiType="CUSTOM", taints=None, launchTemplate={"id": "lt-cpu"}))
    assert tainted(gpu_template, cpu_template, cpu) == []


def test_cpu_launch_template_with_custom_ami_passes():
    template = stack_resource(LT, {"id": "lt-1", "instanceType": "m7i.large"}, name="lt")
    by_dependency = node_group(group(instanceTypes=[], amiType="CUSTOM", taints=None), name="by-dependency",
                               property_dependencies={"launchTemplate": [template.urn]})
    by_id = node_group(group(instanceTypes=[], amiType="CUSTOM", taints=None, launchTemplate={"id": "lt-1"}),
                       name="by-id")
    assert tainted(template, by_dependency, by_id) == []


def test_default_allows_small_gpu_types_only():
    assert violations(gpu.gpu_instance_types_allowed, resource_args(NG, group())) == []
    found = violations(gpu.gpu_instance_types_allowed, resource_args(NG, group(instanceTypes=["p5.48xlarge"])))
    assert found == ["aws:eks/nodeGroup:NodeGroup 'subject' uses GPU instance type p5.48xlarge, which this "
                     "environment does not allow (allowed: g4dn.*, g5.*, g6.*, g6e.*, gr6.*)"]


def test_prod_config_allows_training_types_and_unlisted_families_count_as_gpu():
    config = {"allowedGpuInstanceTypes": ["g6.*", "p5.*"]}
    assert violations(gpu.gpu_instance_types_allowed, resource_args(NG, group(instanceTypes=["p5.48xlarge"]), config)) == []
    found = violations(gpu.gpu_instance_types_allowed,
                       resource_args(NG, group(instanceTypes=["p6-b200.48xlarge"]), config))
    assert "p6-b200.48xlarge" in found[0]


def test_launch_templates_and_instances_are_checked_and_cpu_types_ignored():
    assert violations(gpu.gpu_instance_types_allowed,
                      resource_args("aws:ec2/launchTemplate:LaunchTemplate", {"instanceType": "p4d.24xlarge"}))
    assert violations(gpu.gpu_instance_types_allowed,
                      resource_args("aws:ec2/instance:Instance", {"instanceType": "m7i.large"})) == []


def stack(*groups, config=None):
    return stack_args([stack_resource(NG, props, name=name) for name, props in groups], config)


def test_gpu_cap_counts_max_size_times_gpus_per_node():
    groups = [("g6", group()), ("p5", group(instanceTypes=["p5.48xlarge"], scalingConfig={"maxSize": 2.0}))]
    assert violations(gpu.gpu_capacity_cap, stack(*groups, config={"maxGpus": 20.0})) == []
    assert violations(gpu.gpu_capacity_cap, stack(*groups, config={"maxGpus": 19.0})) == [
        "GPU node groups can reach 20 GPUs (g6: 4 x 1, p5: 2 x 8), above this environment's cap of 19: lower "
        "their maxSize or raise maxGpus"]


def test_gpu_cap_default_and_cpu_groups():
    cpu = ("system", group(instanceTypes=["m7i.xlarge"], scalingConfig={"maxSize": 100.0}))
    assert violations(gpu.gpu_capacity_cap, stack(cpu)) == []
    big = ("p4d", group(instanceTypes=["p4d.24xlarge"], scalingConfig={"maxSize": 3.0}))
    assert "can reach 24 GPUs" in violations(gpu.gpu_capacity_cap, stack(big))[0]


def test_gpu_cap_counts_types_set_only_in_the_launch_template():
    template = stack_resource("aws:ec2/launchTemplate:LaunchTemplate", {"id": "lt-1", "instanceType": "p5.48xlarge"},
                              name="p5-template")
    by_id = stack_resource(NG, group(instanceTypes=[], launchTemplate={"id": "lt-1", "version": "1"},
                                     scalingConfig={"maxSize": 2.0}), name="by-id")
    by_dependency = stack_resource(NG, group(instanceTypes=[], scalingConfig={"maxSize": 1.0}), name="by-dependency",
                                   property_dependencies={"launchTemplate": [template.urn]})
    assert violations(gpu.gpu_capacity_cap, stack_args([template, by_id, by_dependency], {"maxGpus": 16.0})) == [
        "GPU node groups can reach 24 GPUs (by-id: 2 x 8, by-dependency: 1 x 8), above this environment's cap of "
        "16: lower their maxSize or raise maxGpus"]


def test_gpu_cap_skips_unknown_sizes():
    assert violations(gpu.gpu_capacity_cap, stack(("p5", group(instanceTypes=["p5.48xlarge"],
                                                                 scalingConfig={"maxSize": UNKNOWN})))) == []


def test_gpu_cap_refuses_gpu_types_it_cannot_count():
    new_type = ("b200", group(instanceTypes=["p6-b200.48xlarge"], scalingConfig={"maxSize": 100.0}))
    assert violations(gpu.gpu_capacity_cap, stack(new_type, config={"maxGpus": 1000.0})) == [
        "aws:eks/nodeGroup:NodeGroup 'b200' uses GPU instance type(s) p6-b200.48xlarge whose GPUs per node are not "
        "in catalog/gpu.py, so the cap cannot be checked: add them to the table"]


# pulumi-eks components: a preview shows their inputs alone (no outputs for a stack rule to read), so a
# resource rule judges them.
MNG, NG_V1, NG_V2, CLUSTER = ("eks:index:ManagedNodeGroup", "eks:index:NodeGroup", "eks:index:NodeGroupV2",
                             "eks:index:Cluster")
MISSING = ("runs GPU nodes without the nvidia.com/gpu=true:NoSchedule taint: any pod could take them (and keep them "
           "from scaling to zero)")


def component_taint(type_, props, config=None):
    return violations(gpu.gpu_node_group_component_tainted, resource_args(type_, props, name="n", config=config))


def test_a_gpu_managed_node_group_component_carries_the_taint():
    untainted = {"cluster": "c", "instanceTypes": ["g6.xlarge"]}
    assert component_taint(MNG, untainted) == [f"eks:index:ManagedNodeGroup 'n' {MISSING} (on the component: input taints)"]
    assert len(component_taint(MNG, {"cluster": "c", "amiType": "AL2023_x86_64_NVIDIA"})) == 1
    assert component_taint(MNG, {**untainted, "taints": [TAINT]}) == []
    assert len(component_taint(MNG, {**untainted, "taints": [{**TAINT, "effect": "NO_EXECUTE"}]})) == 1
    assert component_taint(MNG, {**untainted, "taints": [TAINT]}, {"taintKey": "example.com/gpu"}) != []
    assert component_taint(MNG, {"cluster": "c", "instanceTypes": ["m7i.large"]}) == []
    assert component_taint(MNG, {**untainted, "taints": UNKNOWN}) == []


def test_self_managed_gpu_node_groups_carry_the_taint_in_their_taints_or_kubelet_args():
    v2_taint = {"nvidia.com/gpu": {"value": "true", "effect": "NoSchedule"}}
    for type_ in (NG_V1, NG_V2):
        assert component_taint(type_, {"cluster": "c", "gpu": True}) == [
            f"{type_} 'n' {MISSING} (on the component: input taints)"]
        assert len(component_taint(type_, {"cluster": "c", "instanceType": "p5.48xlarge"})) == 1
        assert component_taint(type_, {"cluster": "c", "gpu": True, "taints": v2_taint}) == []
        assert len(component_taint(type_, {"cluster": "c", "gpu": True, "taints": {
            "nvidia.com/gpu": {"value": "true", "effect": "PreferNoSchedule"}}})) == 1
        # The kubelet flag the taints input becomes, given directly, is the same taint.
        assert component_taint(type_, {"cluster": "c", "gpu": True, "kubeletExtraArgs": (
            "--max-pods=110 --register-with-taints=a=b:NoExecute,nvidia.com/gpu=true:NoSchedule")}) == []
        assert len(component_taint(type_, {"cluster": "c", "gpu": True, "kubeletExtraArgs":
                                           "--register-with-taints=xnvidia.com/gpu=true:NoSchedule"})) == 1
        # CPU groups, unknown taints, and user data the program writes itself are not judged.
        assert component_taint(type_, {"cluster": "c", "instanceType": "m7i.large"}) == []
        assert component_taint(type_, {"cluster": "c", "gpu": True, "taints": UNKNOWN}) == []
        assert component_taint(type_, {"cluster": "c", "gpu": True, "nodeUserDataOverride": "#!/bin/bash"}) == []


def test_a_clusters_default_gpu_node_group_carries_the_taint_unless_there_is_none():
    assert component_taint(CLUSTER, {"instanceType": "g5.2xlarge"}) == [
        f"eks:index:Cluster 'n' (its default node group) {MISSING} (on the component: input taints)"]
    [message] = component_taint(CLUSTER, {"nodeGroupOptions": {"gpu": True}})
    assert message.endswith("(on the component: input nodeGroupOptions.taints)")
    assert component_taint(CLUSTER, {"nodeGroupOptions": {"gpu": True, "taints": {
        "nvidia.com/gpu": {"value": "true", "effect": "NoSchedule"}}}}) == []
    assert component_taint(CLUSTER, {"instanceType": "g5.2xlarge", "skipDefaultNodeGroup": True}) == []
    assert component_taint(CLUSTER, {"instanceType": "g5.2xlarge", "autoMode": {"enabled": True}}) == []
    assert component_taint(CLUSTER, {}) == []


def hyperpod(*groups, restricted=()):
    """A HyperPod cluster's props: instance groups of (name, instanceType, instanceCount)."""
    def spec(name, instance_type, count):
        return {"instanceGroupName": name, "instanceType": instance_type, "instanceCount": count,
                "executionRole": "arn:aws:iam::123456789012:role/hp"}
    return {"clusterName": "train", "instanceGroups": [spec(*g) for g in groups],
            "restrictedInstanceGroups": [spec(*g) for g in restricted]}


def test_hyperpod_instance_types_are_limited_like_node_groups():
    allowed = hyperpod(("head", "ml.m5.xlarge", 1.0), ("workers", "ml.g5.12xlarge", 4.0))
    assert violations(gpu.gpu_instance_types_allowed, resource_args(gpu.HYPERPOD, allowed)) == []
    large = hyperpod(("workers", "ml.g5.12xlarge", 4.0), restricted=[("nova", "ml.p5.48xlarge", 2.0)])
    assert violations(gpu.gpu_instance_types_allowed, resource_args(gpu.HYPERPOD, large)) == [
        "aws-native:sagemaker:Cluster 'subject' uses GPU instance type p5.48xlarge, which this environment does not "
        "allow (allowed: g4dn.*, g5.*, g6.*, g6e.*, gr6.*)"]
    flexible = {"instanceGroups": [{"instanceGroupName": "flex", "instanceCount": 2.0,
                                    "instanceRequirements": {"instanceTypes": ["ml.g6.xlarge", "ml.p4d.24xlarge"]}}]}
    assert "p4d.24xlarge" in violations(gpu.gpu_instance_types_allowed, resource_args(gpu.HYPERPOD, flexible))[0]
    unknown = hyperpod(("workers", UNKNOWN, 4.0))
    assert violations(gpu.gpu_instance_types_allowed, resource_args(gpu.HYPERPOD, unknown)) == []


def test_gpu_cap_counts_hyperpod_instance_groups_with_node_groups():
    cluster = stack_resource(gpu.HYPERPOD, hyperpod(("head", "ml.m5.xlarge", 1.0), ("workers", "ml.p5.48xlarge", 2.0)),
                             name="train")
    node_groups = stack_resource(NG, group(), name="g6")
    assert violations(gpu.gpu_capacity_cap, stack_args([node_groups, cluster], {"maxGpus": 20.0})) == []
    assert violations(gpu.gpu_capacity_cap, stack_args([node_groups, cluster], {"maxGpus": 19.0})) == [
        "GPU node groups can reach 20 GPUs (g6: 4 x 1, train/workers: 2 x 8), above this environment's cap of 19: "
        "lower their maxSize (instanceCount of HyperPod groups) or raise maxGpus"]
    unknown = stack_resource(gpu.HYPERPOD, hyperpod(("workers", "ml.p5.48xlarge", UNKNOWN)), name="later")
    assert violations(gpu.gpu_capacity_cap, stack_args([unknown], {"maxGpus": 0.0})) == []
    new_type = stack_resource(gpu.HYPERPOD, hyperpod(("b200", "ml.p6-b200.48xlarge", 2.0)), name="next")
    assert violations(gpu.gpu_capacity_cap, stack_args([new_type], {"maxGpus": 1000.0})) == [
        "aws-native:sagemaker:Cluster 'next' instance group 'b200' uses GPU instance type(s) p6-b200.48xlarge whose "
        "GPUs per node are not in catalog/gpu.py, so the cap cannot be checked: add them to the table"]


def test_hyperpod_inputs_are_the_sdks():
    from sdk_inputs import assert_inputs_in_sdk
    assert_inputs_in_sdk(gpu.HYPERPOD, ["instanceGroups", "restrictedInstanceGroups", "instanceGroupName",
                                        "instanceType", "instanceCount", "instanceRequirements", "instanceTypes"])


NODE_POOL = "kubernetes:karpenter.sh/v1:NodePool"
GPU_FAMILIES = {"key": "karpenter.k8s.aws/instance-family", "operator": "In", "values": ["g5", "g6"]}


def node_pool(name, requirement=GPU_FAMILIES, limits=None):
    spec = {"template": {"spec": {"requirements": [requirement], "taints": [
        {"key": "nvidia.com/gpu", "value": "true", "effect": "NoSchedule"}]}}}
    if limits is not None:
        spec["limits"] = limits
    return stack_resource(NODE_POOL, {"metadata": {"name": name}, "spec": spec}, name=name)


def test_gpu_cap_counts_a_gpu_node_pools_limit_and_refuses_an_unbounded_one():
    bounded = node_pool("gpu", limits={"cpu": "1000", "nvidia.com/gpu": "16"})
    assert violations(gpu.gpu_capacity_cap, stack_args([bounded], {"maxGpus": 16.0})) == []
    assert violations(gpu.gpu_capacity_cap, stack_args([bounded, stack_resource(NG, group(), name="g6")],
                                                       {"maxGpus": 16.0})) == [
        "GPU node groups can reach 20 GPUs (g6: 4 x 1, gpu: limit 16), above this environment's cap of 16: lower "
        "their maxSize (spec.limits of NodePools) or raise maxGpus"]
    [message] = violations(gpu.gpu_capacity_cap, stack_args([node_pool("open", limits={"cpu": "1000"})]))
    assert message == (
        "kubernetes:karpenter.sh/v1:NodePool 'open' (a Karpenter NodePool) launches GPU instances with no "
        "nvidia.com/gpu (or nodes) in spec.limits: Karpenter adds GPU nodes without bound, so the cap cannot be "
        "checked; set spec.limits['nvidia.com/gpu']")
    assert len(violations(gpu.gpu_capacity_cap, stack_args([node_pool("bare")]))) == 1


def test_gpu_cap_counts_a_node_limit_of_named_instance_types():
    p5 = {"key": "node.kubernetes.io/instance-type", "operator": "In", "values": ["p5.48xlarge", "g6.xlarge"]}
    by_nodes = node_pool("p5", requirement=p5, limits={"nodes": 3})
    assert "p5: limit 24" in violations(gpu.gpu_capacity_cap, stack_args([by_nodes], {"maxGpus": 20.0}))[0]
    families = node_pool("families", limits={"nodes": 3})  # GPUs per node not known from families: unbounded
    assert "without bound" in violations(gpu.gpu_capacity_cap, stack_args([families]))[0]


@pytest.mark.parametrize(("limit", "counted"), [(16, 16), ("16", 16), ("1k", 1000), ("2e1", 20), ("16500m", 16)])
def test_gpu_cap_reads_node_pool_limits_as_kubernetes_quantities(limit, counted):
    pool = node_pool("gpu", limits={"nvidia.com/gpu": limit})
    found = violations(gpu.gpu_capacity_cap, stack_args([pool], {"maxGpus": 15.0}))
    assert found and f"gpu: limit {counted})" in found[0]
    assert violations(gpu.gpu_capacity_cap, stack_args([pool], {"maxGpus": float(counted)})) == []


def test_gpu_cap_ignores_cpu_node_pools_and_unknown_limits():
    cpu = {"key": "karpenter.k8s.aws/instance-category", "operator": "In", "values": ["c", "m"]}
    assert violations(gpu.gpu_capacity_cap, stack_args([node_pool("cpu", requirement=cpu)])) == []
    assert violations(gpu.gpu_capacity_cap, stack_args([node_pool("later", limits=UNKNOWN)])) == []
