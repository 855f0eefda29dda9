"""GPU rules: tainted GPU node groups, allowed GPU types per environment, the GPU cap."""

from __future__ import annotations

from policies.rules import gpu
from policy_helpers import UNKNOWN, resource_args, stack_args, stack_resource, violations

NG = "aws:eks/nodeGroup:NodeGroup"
TAINT = {"key": "nvidia.com/gpu", "value": "true", "effect": "NO_SCHEDULE"}


def group(**changes):
    return {"instanceTypes": ["g6.xlarge"], "amiType": "AL2023_x86_64_NVIDIA", "taints": [TAINT],
            "scalingConfig": {"minSize": 0.0, "maxSize": 4.0, "desiredSize": 0.0}, **changes}


def test_tainted_gpu_group_passes_and_cpu_groups_are_ignored():
    assert violations(gpu.gpu_node_group_tainted, resource_args(NG, group())) == []
    cpu = group(instanceTypes=["m7i.large"], amiType="AL2023_x86_64_STANDARD", taints=None)
    assert violations(gpu.gpu_node_group_tainted, resource_args(NG, cpu)) == []


def test_untainted_gpu_group_fails():
    assert violations(gpu.gpu_node_group_tainted, resource_args(NG, group(taints=None))) == [
        "aws:eks/nodeGroup:NodeGroup 'subject' runs GPU nodes without the nvidia.com/gpu=true:NoSchedule taint: "
        "any pod could take them (and keep them from scaling to zero)"]
    prefer = group(taints=[{**TAINT, "effect": "PREFER_NO_SCHEDULE"}])
    assert violations(gpu.gpu_node_group_tainted, resource_args(NG, prefer))


def test_gpu_ami_alone_marks_a_gpu_group():
    props = group(instanceTypes=UNKNOWN, taints=[])
    assert violations(gpu.gpu_node_group_tainted, resource_args(NG, props))


def test_unknown_taints_are_not_judged():
    assert violations(gpu.gpu_node_group_tainted, resource_args(NG, group(taints=UNKNOWN))) == []


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
        "in components/training/gpu_types.py, so the cap cannot be checked: add them to the table"]
