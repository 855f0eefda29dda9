"""Kubernetes workload rules: a compliant pod placed in every workload kind passes every rule; one
field changed breaks exactly the rule for that control, in every kind and every pod of the kind."""

from __future__ import annotations

import copy

import pytest

from policies.rules import _pods
from policies.rules import kubernetes as k8s
from policy_helpers import UNKNOWN, provider, resource_args, stack_args, stack_resource, violations

DEPLOYMENT = "kubernetes:apps/v1:Deployment"
DAEMON_SET = "kubernetes:apps/v1:DaemonSet"
SERVICE = "kubernetes:core/v1:Service"
LIMIT_RANGE = "kubernetes:core/v1:LimitRange"
IMAGE = "123456789012.dkr.ecr.us-east-1.amazonaws.com/trainer:1.4.2"
CONTAINER = {
    "name": "app", "image": IMAGE,
    "resources": {"requests": {"cpu": "500m", "memory": "1Gi"}, "limits": {"memory": "1Gi"}},
    "securityContext": {"allowPrivilegeEscalation": False, "runAsNonRoot": True, "readOnlyRootFilesystem": True,
                        "capabilities": {"drop": ["ALL"], "add": ["NET_BIND_SERVICE"]}},
    "ports": [{"containerPort": 8080}],
}
POD = {"containers": [CONTAINER], "securityContext": {"runAsNonRoot": True, "runAsUser": 1000,
                                                      "seccompProfile": {"type": "RuntimeDefault"}}}
RESOURCE_RULES = [p for p in k8s.SECURITY + k8s.COMPLIANCE if p.name not in (
    "k8s-container-resource-requests", "k8s-container-memory-limit")]
STACK_RULES = [k8s.k8s_container_resource_requests, k8s.k8s_container_memory_limit]

#: Type tokens for every kind in the table, built-in and custom (any version is read the same way).
VERSIONS = {"core": "v1", "apps": "v1", "extensions": "v1beta1", "batch": "v1", "ray.io": "v1",
            "kubeflow.org": "v1", "jobset.x-k8s.io": "v1alpha2", "trainer.kubeflow.org": "v1alpha1",
            "kueue.x-k8s.io": "v1beta1", "leaderworkerset.x-k8s.io": "v1", "batch.volcano.sh": "v1alpha1",
            "argoproj.io": "v1alpha1", "machinelearning.seldon.io": "v1", "serving.knative.dev": "v1"}
KINDS = sorted(_pods.POD_SPEC_PATHS)
#: The kinds whose pods the rules see whole: a partial kind's controller completes its pods, so a setting it
#: leaves out is not judged there, and the one-changed-field tests (which remove settings too) leave them out.
WHOLE_KINDS = [key for key in KINDS if key not in _pods.PARTIAL_KINDS]


def token(key: str, patch: bool = False) -> str:
    group, kind = key.split(":")
    return f"kubernetes:{group}/{VERSIONS[group]}:{kind}{'Patch' if patch else ''}"


def _place(props: dict, path: tuple, pod: dict) -> None:
    target = props
    for step, following in zip(path, path[1:] + (None,)):
        if following is None:
            target[step] = copy.deepcopy(pod)
            return
        empty = [] if following == "*" else {}
        if step == "*":
            if not target:
                target.append(empty)
            target = target[0]
        elif step == "**":
            target = target.setdefault("Worker", empty)
        else:
            target = target.setdefault(step, empty)


def workload(key: str, pod: dict, name: str = "trainer", namespace: str = "research") -> dict:
    """Props of a ``key`` workload with ``pod`` at every pod-spec path of its kind."""
    props: dict = {"metadata": {"name": name, "namespace": namespace}}
    for path in _pods.POD_SPEC_PATHS[key]:
        _place(props, path, pod)
    return props


def pod_count(key: str) -> int:
    return len(_pods.POD_SPEC_PATHS[key])


def changed(**changes) -> dict:
    """The compliant pod with pod-level changes; ``container=`` changes the container."""
    pod = copy.deepcopy(POD)
    container_changes = changes.pop("container", {})
    pod["containers"][0].update(container_changes)
    pod["containers"][0] = {k: v for k, v in pod["containers"][0].items() if v is not None}
    pod.update(changes)
    return {k: v for k, v in pod.items() if v is not None}


def all_violations(resource_type: str, props: dict, config=None) -> dict[str, list[str]]:
    found = {p.name: violations(p, resource_args(resource_type, props, config)) for p in RESOURCE_RULES}
    stack = stack_args([stack_resource(resource_type, props)])
    found.update({p.name: violations(p, stack) for p in STACK_RULES})
    return {name: messages for name, messages in found.items() if messages}


@pytest.mark.parametrize("key", KINDS)
def test_compliant_pod_passes_every_rule_in_every_kind(key):
    assert all_violations(token(key), workload(key, POD)) == {}


def context(**changes) -> dict:
    """The compliant container's securityContext with keys changed (None removes one)."""
    merged = {**copy.deepcopy(CONTAINER["securityContext"]), **changes}
    return {"securityContext": {k: v for k, v in merged.items() if v is not None}}


BREAKS = {
    "k8s-no-host-network": changed(hostNetwork=True),
    "k8s-no-host-pid": changed(hostPID=True),
    "k8s-no-host-ipc": changed(hostIPC=True),
    "k8s-no-host-path-volumes": changed(volumes=[{"name": "docker", "hostPath": {"path": "/var/run/docker.sock"}}]),
    "k8s-no-host-ports": changed(container={"ports": [{"containerPort": 8080, "hostPort": 8080}]}),
    "k8s-no-privileged-containers": changed(container=context(privileged=True)),
    "k8s-no-privilege-escalation": changed(container=context(allowPrivilegeEscalation=None)),
    "k8s-run-as-non-root": changed(container=context(runAsNonRoot=None, runAsUser=0)),
    "k8s-no-added-capabilities": changed(container=context(capabilities={"drop": ["ALL"], "add": ["SYS_ADMIN"]})),
    "k8s-drop-all-capabilities": changed(container=context(capabilities={"drop": ["NET_ADMIN"]})),
    "k8s-seccomp-profile": changed(securityContext={"runAsNonRoot": True, "runAsUser": 1000,
                                                    "seccompProfile": {"type": "Unconfined"}}),
    "k8s-read-only-root-filesystem": changed(container=context(readOnlyRootFilesystem=False)),
    "k8s-no-unmasked-proc-mount": changed(container=context(procMount="Unmasked")),
    "k8s-no-apparmor-unconfined": changed(container=context(appArmorProfile={"type": "Unconfined"})),
    "k8s-selinux-options-default": changed(securityContext={**POD["securityContext"],
                                                            "seLinuxOptions": {"type": "spc_t"}}),
    "k8s-no-windows-host-process": changed(container=context(windowsOptions={"hostProcess": True})),
    "k8s-no-unsafe-sysctls": changed(securityContext={**POD["securityContext"],
                                                      "sysctls": [{"name": "kernel.msgmax", "value": "65536"}]}),
    "k8s-no-host-probes": changed(container={"livenessProbe": {"httpGet": {"host": "169.254.169.254", "port": 80}}}),
    "k8s-restricted-volume-types": changed(volumes=[{"name": "data", "nfs": {"server": "fs", "path": "/"}}]),
    "k8s-restricted-added-capabilities": changed(container=context(capabilities={"drop": ["ALL"],
                                                                                  "add": ["NET_BIND_SERVICE", "CHOWN"]})),
    "k8s-image-pinned": changed(container={"image": "pytorch/pytorch:latest"}),
    "k8s-container-resource-requests": changed(container={"resources": {"limits": {"memory": "1Gi"}}}),
    "k8s-container-memory-limit": changed(container={"resources": {"requests": {"cpu": "1", "memory": "1Gi"}}}),
}


@pytest.mark.parametrize("rule", sorted(BREAKS))
@pytest.mark.parametrize("key", WHOLE_KINDS)
def test_one_changed_field_breaks_only_its_rule_in_every_pod(key, rule):
    found = all_violations(token(key), workload(key, BREAKS[rule]))
    assert list(found) == [rule]
    assert len(found[rule]) == pod_count(key)


def test_messages_name_the_workload_and_the_container():
    assert all_violations(DEPLOYMENT, workload("apps:Deployment", BREAKS["k8s-no-host-network"])) == {
        "k8s-no-host-network": [f"{DEPLOYMENT} 'subject' (research/trainer): shares the node's network namespace "
                                "(hostNetwork: true); remove hostNetwork"]}
    assert all_violations(DEPLOYMENT, workload("apps:Deployment", BREAKS["k8s-run-as-non-root"])) == {
        "k8s-run-as-non-root": [f"{DEPLOYMENT} 'subject' (research/trainer): container app runs as root "
                                "(runAsUser 0); run as a non-zero UID"]}


RAY_CLUSTER = {
    "apiVersion": "ray.io/v1", "kind": "RayCluster", "metadata": {"name": "ray", "namespace": "research"},
    "spec": {"rayVersion": "2.43.0",
             "headGroupSpec": {"rayStartParams": {}, "template": {"spec": copy.deepcopy(POD)}},
             "workerGroupSpecs": [{"groupName": "cpu", "replicas": 2, "template": {"spec": copy.deepcopy(POD)}},
                                  {"groupName": "gpu", "replicas": 1, "template": {"spec": changed(
                                      container={"image": "rayproject/ray-ml"})}}]},
}


def test_a_ray_cluster_reports_the_worker_group_that_breaks_the_rule():
    found = all_violations("kubernetes:ray.io/v1:RayCluster", RAY_CLUSTER)
    assert found == {"k8s-image-pinned": [
        "kubernetes:ray.io/v1:RayCluster 'subject' (research/ray) (spec.workerGroupSpecs[1].template.spec): "
        "container app uses image rayproject/ray-ml without a tag (that is :latest); pin a version or a digest"]}


def test_a_pytorch_job_is_judged_per_replica_type():
    job = {"metadata": {"name": "ddp"}, "spec": {"pytorchReplicaSpecs": {
        "Master": {"replicas": 1, "template": {"spec": copy.deepcopy(POD)}},
        "Worker": {"replicas": 4, "template": {"spec": changed(hostIPC=True)}}}}}
    found = all_violations("kubernetes:kubeflow.org/v1:PyTorchJob", job)
    assert found == {"k8s-no-host-ipc": [
        "kubernetes:kubeflow.org/v1:PyTorchJob 'subject' (default/ddp) (spec.pytorchReplicaSpecs.Worker.template.spec): "
        "shares the node's IPC namespace (hostIPC: true); remove hostIPC"]}


def test_a_train_job_is_judged_on_its_trainer_image_only():
    job = {"metadata": {"name": "tune"}, "spec": {"runtimeRef": {"name": "torch-distributed"},
                                                  "trainer": {"image": "ghcr.io/acme/llm", "numNodes": 2}}}
    found = all_violations("kubernetes:trainer.kubeflow.org/v1alpha1:TrainJob", job)
    assert list(found) == ["k8s-image-pinned"]
    job["spec"]["trainer"]["image"] = "ghcr.io/acme/llm:0.3"
    assert all_violations("kubernetes:trainer.kubeflow.org/v1alpha1:TrainJob", job) == {}


def test_patches_are_judged_only_on_what_they_set():
    patch = token("apps:Deployment", patch=True)
    bare = {"containers": [{"name": "app", "image": IMAGE}]}
    assert all_violations(patch, workload("apps:Deployment", bare)) == {}
    found = all_violations(patch, workload("apps:Deployment", {**bare, "hostPID": True}))
    assert list(found) == ["k8s-no-host-pid"]


def test_other_versions_of_a_kind_are_read_the_same_way():
    props = workload("apps:Deployment", BREAKS["k8s-no-host-pid"])
    for resource_type in ("kubernetes:apps/v1beta1:Deployment", "kubernetes:extensions/v1beta1:Deployment"):
        assert list(all_violations(resource_type, props)) == ["k8s-no-host-pid"]


# --- exemptions and details ---------------------------------------------------------------------------

NODE_AGENT = changed(hostNetwork=True, volumes=[{"name": "cni", "hostPath": {"path": "/opt/cni/bin"}}],
                     container=context(privileged=True, allowPrivilegeEscalation=None))


def test_exempt_node_agent_daemonsets_pass_the_host_rules_but_not_elsewhere():
    agent = workload("apps:DaemonSet", NODE_AGENT, name="aws-node", namespace="kube-system")
    assert all_violations(DAEMON_SET, agent) == {}
    elsewhere = workload("apps:DaemonSet", NODE_AGENT, name="aws-node", namespace="research")
    assert set(all_violations(DAEMON_SET, elsewhere)) == {
        "k8s-no-host-network", "k8s-no-host-path-volumes", "k8s-no-privileged-containers",
        "k8s-no-privilege-escalation"}  # the pod still runs as non-root
    as_deployment = workload("apps:Deployment", NODE_AGENT, name="aws-node", namespace="kube-system")
    assert "k8s-no-host-network" in all_violations(DEPLOYMENT, as_deployment)


def test_exemptions_come_from_config_and_the_name_defaults_to_the_resource_name():
    props = {"spec": {"template": {"spec": changed(hostNetwork=True)}}}
    assert violations(k8s.k8s_no_host_network, resource_args(DAEMON_SET, props, name="agent"))
    args = resource_args(DAEMON_SET, props, {"exemptDaemonSets": ["default/agent"]}, name="agent")
    assert violations(k8s.k8s_no_host_network, args) == []


def test_the_provider_namespace_counts():
    props = {"metadata": {"name": "aws-node"}, "spec": {"template": {"spec": changed(hostNetwork=True)}}}
    args = resource_args(DAEMON_SET, props, provider_props=provider({"namespace": "kube-system"}))
    assert violations(k8s.k8s_no_host_network, args) == []


@pytest.mark.parametrize("context, container_context, root", [
    ({"runAsNonRoot": True}, {}, False),
    ({"runAsUser": 1000}, {}, False),
    ({}, {"runAsUser": 1000}, False),
    ({"runAsUser": 0}, {"runAsUser": 1000}, False),   # the container's user wins
    ({"runAsNonRoot": True}, {"runAsUser": 0}, True),
    ({"runAsUser": 1000}, {"runAsNonRoot": False}, False),
    ({}, {}, True),
    ({}, {"runAsNonRoot": False}, True),
])
def test_effective_user_combines_pod_and_container_settings(context, container_context, root):
    pod = {"securityContext": context,
           "containers": [{**CONTAINER, "securityContext": {"allowPrivilegeEscalation": False, **container_context}}]}
    # (only the user settings vary here; the other rules are not asked)
    found = violations(k8s.k8s_run_as_non_root, resource_args(DEPLOYMENT, workload("apps:Deployment", pod)))
    assert bool(found) is root


def test_windows_pods_are_not_judged_on_linux_users():
    pod = changed(os={"name": "windows"}, securityContext=None, container=context(runAsNonRoot=None))
    assert violations(k8s.k8s_run_as_non_root, resource_args(DEPLOYMENT, workload("apps:Deployment", pod))) == []


@pytest.mark.parametrize("image, pinned", [
    ("nginx", False), ("nginx:latest", False), ("registry.local:5000/team/app", False),
    ("registry.local:5000/team/app:2.1", True), ("nginx@sha256:" + "a" * 64, True), ("nginx:1.27", True),
])
def test_image_references(image, pinned):
    pod = changed(container={"image": image})
    found = violations(k8s.k8s_image_pinned, resource_args(DEPLOYMENT, workload("apps:Deployment", pod)))
    assert (found == []) is pinned


def test_init_containers_are_judged_too():
    pod = changed(initContainers=[{**CONTAINER, "name": "fetch", "image": "busybox"}])
    assert violations(k8s.k8s_image_pinned, resource_args(DEPLOYMENT, workload("apps:Deployment", pod))) == [
        f"{DEPLOYMENT} 'subject' (research/trainer): init container fetch uses image busybox without a tag (that is "
        ":latest); pin a version or a digest"]


def test_unknown_values_are_not_judged():
    unknown_pod = {"metadata": {"name": "x"}, "spec": {"template": {"spec": UNKNOWN}}}
    assert all_violations(DEPLOYMENT, unknown_pod) == {}
    pod = changed(hostNetwork=UNKNOWN, container={"image": UNKNOWN, **context(
        allowPrivilegeEscalation=UNKNOWN, runAsUser=UNKNOWN, runAsNonRoot=None, readOnlyRootFilesystem=UNKNOWN,
        capabilities={"drop": UNKNOWN, "add": UNKNOWN})})
    assert all_violations(DEPLOYMENT, workload("apps:Deployment", pod)) == {}


def test_other_kubernetes_types_and_odd_shapes_are_ignored():
    assert all_violations("kubernetes:core/v1:ConfigMap", {"data": {"hostNetwork": "true"}}) == {}
    assert all_violations("kubernetes:helm.sh/v3:Release", {"values": {"hostNetwork": True}}) == {}
    assert all_violations(DEPLOYMENT, {"spec": {"template": {"spec": {"containers": "app"}}}}) == {}
    assert all_violations(DEPLOYMENT, {"spec": ["x"]}) == {}


# --- LimitRanges -----------------------------------------------------------------------------------------

def _limit_range(namespace: str, **item) -> object:
    return stack_resource(LIMIT_RANGE, {"metadata": {"name": "defaults", "namespace": namespace},
                                        "spec": {"limits": [{"type": "Container", **item}]}}, name=f"lr-{namespace}")


BARE = changed(container={"resources": None})


@pytest.mark.parametrize("item, requests_ok, limit_ok", [
    ({"defaultRequest": {"cpu": "100m", "memory": "128Mi"}, "default": {"memory": "512Mi"}}, True, True),
    ({"default": {"cpu": "1", "memory": "512Mi"}}, True, True),        # defaultRequest falls back to default
    ({"max": {"cpu": "2", "memory": "2Gi"}}, True, True),              # default falls back to max
    ({"min": {"cpu": "100m", "memory": "64Mi"}}, True, False),         # min defaults requests only
    ({"defaultRequest": {"cpu": "100m"}}, False, False),
])
def test_a_limit_range_in_the_namespace_counts(item, requests_ok, limit_ok):
    pod = stack_resource(DEPLOYMENT, workload("apps:Deployment", BARE))
    args = stack_args([pod, _limit_range("research", **item)])
    assert (violations(k8s.k8s_container_resource_requests, args) == []) is requests_ok
    assert (violations(k8s.k8s_container_memory_limit, args) == []) is limit_ok


def test_a_limit_range_elsewhere_or_for_pods_does_not_count():
    pod = stack_resource(DEPLOYMENT, workload("apps:Deployment", BARE))
    other = _limit_range("batch", default={"cpu": "1", "memory": "1Gi"})
    pods_only = stack_resource(LIMIT_RANGE, {"metadata": {"namespace": "research"}, "spec": {"limits": [
        {"type": "Pod", "max": {"cpu": "4", "memory": "8Gi"}}]}}, name="pods")
    args = stack_args([pod, other, pods_only])
    assert violations(k8s.k8s_container_resource_requests, args) == [
        f"{DEPLOYMENT} 'subject' (research/trainer): container app requests no cpu or memory and no LimitRange in "
        "namespace research defaults it: set resources.requests for cpu, memory"]
    assert len(violations(k8s.k8s_container_memory_limit, args)) == 1


def test_an_unknown_limit_range_or_namespace_is_not_judged():
    pod = stack_resource(DEPLOYMENT, workload("apps:Deployment", BARE))
    unknown = stack_resource(LIMIT_RANGE, {"metadata": {"namespace": "research"}, "spec": {"limits": UNKNOWN}})
    assert violations(k8s.k8s_container_memory_limit, stack_args([pod, unknown])) == []
    unnamed = stack_resource(DEPLOYMENT, {"metadata": {"namespace": UNKNOWN}, "spec": {"template": {"spec": BARE}}})
    assert violations(k8s.k8s_container_memory_limit, stack_args([unnamed])) == []


# --- Services --------------------------------------------------------------------------------------------

def service(annotations=None, kind="LoadBalancer", name="api"):
    metadata = {"name": name, "namespace": "serving", **({"annotations": annotations} if annotations else {})}
    return {"metadata": metadata, "spec": {"type": kind, "ports": [{"port": 443}]}}


@pytest.mark.parametrize("annotations, ok", [
    ({k8s.SCHEME: "internal"}, True),
    ({k8s.INTERNAL: "true"}, True),
    ({k8s.INTERNAL: "0.0.0.0/0"}, True),  # the in-tree provider: anything but "false"
    ({k8s.SCHEME: "internet-facing"}, False),
    ({k8s.INTERNAL: "false"}, False),
    ({k8s.SCHEME: "internet-facing", k8s.INTERNAL: "true"}, False),  # the scheme annotation wins
    (None, False),
])
def test_load_balancer_services_are_internal(annotations, ok):
    found = violations(k8s.k8s_service_load_balancer_internal, resource_args(SERVICE, service(annotations)))
    assert (found == []) is ok


def test_other_service_types_declared_public_services_and_unknowns_pass():
    rule = k8s.k8s_service_load_balancer_internal
    assert violations(rule, resource_args(SERVICE, service(kind="ClusterIP"))) == []
    assert violations(rule, resource_args(SERVICE, service(), {"allowedPublicServices": ["serving/api"]})) == []
    assert violations(rule, resource_args(SERVICE, service({k8s.SCHEME: UNKNOWN}))) == []
    assert violations(rule, resource_args("kubernetes:core/v1:ServicePatch", service())) == []
    assert violations(rule, resource_args(SERVICE, service())) == [
        f"{SERVICE} 'subject' (serving/api) is type LoadBalancer and names no internal scheme: annotate it "
        f"{k8s.SCHEME}: internal (or list it in allowedPublicServices if it is meant to be public)"]


# --- GPU workloads ---------------------------------------------------------------------------------------

TOLERATION = {"key": "nvidia.com/gpu", "operator": "Exists", "effect": "NoSchedule"}
GPU_POD = changed(tolerations=[TOLERATION], container={"resources": {
    "requests": {"cpu": "4", "memory": "64Gi", "nvidia.com/gpu": "1"}, "limits": {"nvidia.com/gpu": "1", "memory": "64Gi"}}})


def test_gpu_workload_without_toleration_or_limits_breaks_one_rule_each():
    assert all_violations(DEPLOYMENT, workload("apps:Deployment", GPU_POD)) == {}
    untolerated = {k: v for k, v in GPU_POD.items() if k != "tolerations"}
    assert all_violations(DEPLOYMENT, workload("apps:Deployment", untolerated)) == {
        "k8s-gpu-workloads-tolerate-taint": [
            f"{DEPLOYMENT} 'subject' requests GPUs but does not tolerate the nvidia.com/gpu:NoSchedule taint: its "
            "pods would never schedule on GPU nodes"]}
    unlimited = copy.deepcopy(GPU_POD)
    unlimited["containers"][0]["resources"]["limits"] = {"memory": "64Gi"}
    assert all_violations(DEPLOYMENT, workload("apps:Deployment", unlimited)) == {
        "k8s-gpu-workloads-limits": [f"{DEPLOYMENT} 'subject': GPU container app sets no limit for nvidia.com/gpu"]}


@pytest.mark.parametrize("toleration, ok", [
    ({"operator": "Exists"}, True), ({"key": "nvidia.com/gpu", "value": "true"}, True),
    ({"key": "nvidia.com/gpu", "operator": "Exists"}, True), ({**TOLERATION, "effect": "NoExecute"}, False),
])
def test_equivalent_tolerations(toleration, ok):
    pod = {**GPU_POD, "tolerations": [toleration]}
    found = violations(k8s.k8s_gpu_workloads_tolerate_taint, resource_args(DEPLOYMENT, workload("apps:Deployment", pod)))
    assert (found == []) is ok


def test_every_rule_declares_the_workload_types():
    from policies.rules._declare import declared_types, type_matcher
    for policy in k8s.SECURITY + k8s.COMPLIANCE:
        matches = type_matcher(declared_types(policy))
        assert matches(DEPLOYMENT) or matches(SERVICE), policy.name
        assert not matches("aws:s3/bucket:Bucket"), policy.name


@pytest.mark.parametrize("add, ok", [(["NET_BIND_SERVICE"], True), (["cap_chown"], True), (["CAP_SYS_ADMIN"], False),
                                     (["all"], False), (["NET_RAW"], False)])
def test_added_capabilities_beyond_the_baseline_set(add, ok):
    pod = changed(container=context(capabilities={"drop": ["ALL"], "add": add}))
    found = violations(k8s.k8s_no_added_capabilities, resource_args(DEPLOYMENT, workload("apps:Deployment", pod)))
    assert (found == []) is ok


@pytest.mark.parametrize("pod_profile, container_profile, ok", [
    ("RuntimeDefault", None, True), (None, "Localhost", True), ("RuntimeDefault", "Unconfined", False),
    ("Unconfined", "RuntimeDefault", True), (None, None, False),
])
def test_seccomp_profile_container_setting_wins(pod_profile, container_profile, ok):
    pod_context = {"runAsNonRoot": True, **({"seccompProfile": {"type": pod_profile}} if pod_profile else {})}
    container = context(seccompProfile={"type": container_profile} if container_profile else None)
    pod = changed(securityContext=pod_context, container=container)
    found = violations(k8s.k8s_seccomp_profile, resource_args(DEPLOYMENT, workload("apps:Deployment", pod)))
    assert (found == []) is ok


def test_cis_eks_numbers_match_the_benchmark_section_4_2():
    # CIS Amazon EKS Benchmark 1.1.0 section 4.2 check texts, as carried by aquasecurity/kube-bench
    # cfg/eks-1.1.0/policies.yaml (checked 2026-12-01): 4.2.1 privileged, 4.2.2 hostPID, 4.2.3 hostIPC,
    # 4.2.4 hostNetwork, 4.2.5 allowPrivilegeEscalation, 4.2.6 root, 4.2.7 NET_RAW, 4.2.8 added capabilities.
    expected = [(k8s.k8s_no_privileged_containers, "4.2.1"), (k8s.k8s_no_host_pid, "4.2.2"),
                (k8s.k8s_no_host_ipc, "4.2.3"), (k8s.k8s_no_host_network, "4.2.4"),
                (k8s.k8s_no_privilege_escalation, "4.2.5"), (k8s.k8s_run_as_non_root, "4.2.6"),
                (k8s.k8s_drop_all_capabilities, "4.2.7"), (k8s.k8s_no_added_capabilities, "4.2.8")]
    for policy, number in expected:
        assert (policy.name, policy.framework.reference) == (policy.name, number)
