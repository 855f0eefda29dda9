"""Kubernetes workload rules: privileged containers only in allow-listed system DaemonSets; GPU
workloads tolerate the GPU taint and set limits."""

from __future__ import annotations

import copy

import pytest

from policies.rules import kubernetes as k8s_rules
from policy_helpers import UNKNOWN, resource_args, violations

DEPLOYMENT = "kubernetes:apps/v1:Deployment"
DAEMON_SET = "kubernetes:apps/v1:DaemonSet"
TOLERATION = {"key": "nvidia.com/gpu", "operator": "Exists", "effect": "NoSchedule"}
GPU_CONTAINER = {"name": "train", "image": "trainer:1",
                 "resources": {"requests": {"nvidia.com/gpu": "1"}, "limits": {"nvidia.com/gpu": "1", "memory": "64Gi"}}}


def workload(kind, pod_spec, name="trainer", namespace="research"):
    metadata = {"name": name, "namespace": namespace}
    if kind == "kubernetes:core/v1:Pod":
        return {"metadata": metadata, "spec": pod_spec}
    if kind == "kubernetes:batch/v1:CronJob":
        return {"metadata": metadata, "spec": {"schedule": "@daily", "jobTemplate": {"spec": {"template": {"spec": pod_spec}}}}}
    return {"metadata": metadata, "spec": {"template": {"spec": pod_spec}}}


def gpu_pod(**changes):
    return {"containers": [copy.deepcopy(GPU_CONTAINER)], "tolerations": [TOLERATION], **changes}


KINDS = ["kubernetes:core/v1:Pod", DEPLOYMENT, DAEMON_SET, "kubernetes:apps/v1:StatefulSet", "kubernetes:batch/v1:Job",
         "kubernetes:batch/v1:CronJob"]


@pytest.mark.parametrize("kind", KINDS)
def test_compliant_gpu_workload_passes_in_every_kind(kind):
    args = resource_args(kind, workload(kind, gpu_pod()))
    assert violations(k8s_rules.k8s_gpu_workloads_tolerate_and_limit, args) == []
    assert violations(k8s_rules.k8s_no_privileged_containers, args) == []


@pytest.mark.parametrize("kind", KINDS)
def test_missing_toleration_fails_in_every_kind(kind):
    args = resource_args(kind, workload(kind, gpu_pod(tolerations=None)))
    assert violations(k8s_rules.k8s_gpu_workloads_tolerate_and_limit, args) == [
        f"{kind} 'subject' requests GPUs but does not tolerate the nvidia.com/gpu:NoSchedule taint: its pods would "
        "never schedule on GPU nodes"]


@pytest.mark.parametrize("toleration", [{"operator": "Exists"}, {"key": "nvidia.com/gpu", "value": "true"},
                                        {"key": "nvidia.com/gpu", "operator": "Exists"}])
def test_equivalent_tolerations_pass(toleration):
    args = resource_args(DEPLOYMENT, workload(DEPLOYMENT, gpu_pod(tolerations=[toleration])))
    assert violations(k8s_rules.k8s_gpu_workloads_tolerate_and_limit, args) == []


def test_toleration_of_another_effect_does_not_count():
    pod = gpu_pod(tolerations=[{**TOLERATION, "effect": "NoExecute"}])
    assert violations(k8s_rules.k8s_gpu_workloads_tolerate_and_limit, resource_args(DEPLOYMENT, workload(DEPLOYMENT, pod)))


def test_gpu_container_without_limits_fails():
    pod = gpu_pod()
    pod["containers"][0]["resources"] = {"requests": {"nvidia.com/gpu": "2"}}
    assert violations(k8s_rules.k8s_gpu_workloads_tolerate_and_limit, resource_args(DEPLOYMENT, workload(DEPLOYMENT, pod))) == [
        "kubernetes:apps/v1:Deployment 'subject': GPU container train sets no limit for nvidia.com/gpu, memory"]


def test_gpu_in_an_init_container_counts_and_cpu_workloads_are_ignored():
    pod = {"initContainers": [copy.deepcopy(GPU_CONTAINER)], "containers": [{"name": "app"}]}
    assert violations(k8s_rules.k8s_gpu_workloads_tolerate_and_limit, resource_args(DEPLOYMENT, workload(DEPLOYMENT, pod)))
    cpu = {"containers": [{"name": "app", "resources": {"requests": {"cpu": "1"}}}]}
    assert violations(k8s_rules.k8s_gpu_workloads_tolerate_and_limit, resource_args(DEPLOYMENT, workload(DEPLOYMENT, cpu))) == []


def test_unknown_pod_spec_is_not_judged():
    args = resource_args(DEPLOYMENT, {"metadata": {"name": "x"}, "spec": {"template": {"spec": UNKNOWN}}})
    assert violations(k8s_rules.k8s_gpu_workloads_tolerate_and_limit, args) == []
    assert violations(k8s_rules.k8s_no_privileged_containers, args) == []


def privileged_pod():
    return {"containers": [{"name": "agent", "securityContext": {"privileged": True}}]}


def test_privileged_deployment_fails():
    found = violations(k8s_rules.k8s_no_privileged_containers,
                       resource_args(DEPLOYMENT, workload(DEPLOYMENT, privileged_pod())))
    assert found == ["kubernetes:apps/v1:Deployment 'subject' (research/trainer) runs privileged container(s) agent: "
                     "only the system DaemonSets in allowedPrivilegedDaemonSets may; drop securityContext.privileged"]


def test_allow_listed_system_daemonset_passes_but_the_same_name_elsewhere_fails():
    allowed = workload(DAEMON_SET, privileged_pod(), name="nvidia-device-plugin", namespace="gpu-system")
    assert violations(k8s_rules.k8s_no_privileged_containers, resource_args(DAEMON_SET, allowed)) == []
    elsewhere = workload(DAEMON_SET, privileged_pod(), name="nvidia-device-plugin", namespace="research")
    assert violations(k8s_rules.k8s_no_privileged_containers, resource_args(DAEMON_SET, elsewhere))
    as_deployment = workload(DEPLOYMENT, privileged_pod(), name="nvidia-device-plugin", namespace="gpu-system")
    assert violations(k8s_rules.k8s_no_privileged_containers, resource_args(DEPLOYMENT, as_deployment))


def test_allow_list_comes_from_config_and_name_defaults_to_the_resource_name():
    props = {"spec": {"template": {"spec": privileged_pod()}}}
    args = resource_args(DAEMON_SET, props, {"allowedPrivilegedDaemonSets": ["default/agent"]}, name="agent")
    assert violations(k8s_rules.k8s_no_privileged_containers, args) == []


def test_unprivileged_security_context_passes():
    pod = {"containers": [{"name": "app", "securityContext": {"privileged": False, "runAsNonRoot": True}}]}
    assert violations(k8s_rules.k8s_no_privileged_containers, resource_args(DEPLOYMENT, workload(DEPLOYMENT, pod))) == []
