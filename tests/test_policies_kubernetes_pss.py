"""The Pod Security Standards controls beyond the first Kubernetes rules (kubernetes.io, "Pod Security
Standards"; pod-security-admission's checks): safe sysctls, AppArmor's beta annotations, probes and hooks
that name a host, the Restricted volume types and added capabilities; and workload lists
(``PodList``, ``DeploymentList``...), whose items every workload rule judges. A compliant example passes,
one field changed breaks exactly its rule (tests/test_policies_kubernetes.py ``BREAKS`` runs each in every
kind); here the details, unknowns and lists."""

from __future__ import annotations

import copy

from policies.rules import kubernetes as k8s
from policies.rules import kubernetes_exposure as exposure
from policies.rules import kubernetes_workloads as workloads
from policy_helpers import UNKNOWN, resource_args, stack_args, stack_resource, violations
from test_policies_kubernetes import BREAKS, DEPLOYMENT, POD, all_violations, changed, workload

POD_TYPE = "kubernetes:core/v1:Pod"


def judged(policy, pod: dict, resource_type: str = DEPLOYMENT, config=None) -> list[str]:
    key = "core:Pod" if resource_type == POD_TYPE else "apps:Deployment"
    return violations(policy, resource_args(resource_type, workload(key, pod), config))


# --- sysctls --------------------------------------------------------------------------------------------------

def sysctls(*names) -> dict:
    return changed(securityContext={**POD["securityContext"], "sysctls": [{"name": n, "value": "1"} for n in names]})


def test_the_safe_sysctls_pass_and_an_unsafe_one_is_named():
    assert judged(k8s.k8s_no_unsafe_sysctls, sysctls(*k8s.SAFE_SYSCTLS)) == []
    assert judged(k8s.k8s_no_unsafe_sysctls, sysctls("net.ipv4.tcp_syncookies", "net.core.somaxconn")) == [
        f"{DEPLOYMENT} 'subject' (research/trainer): the pod sets sysctls outside the safe set (net.core.somaxconn): "
        "they are not isolated to the pod and change the node for every pod; remove them, or tune the nodes instead"]


def test_allowed_sysctls_extend_the_safe_set_and_unknown_names_are_not_judged():
    config = {"allowedSysctls": [*k8s.SAFE_SYSCTLS, "net.core.somaxconn"]}
    assert judged(k8s.k8s_no_unsafe_sysctls, sysctls("net.core.somaxconn"), config=config) == []
    assert judged(k8s.k8s_no_unsafe_sysctls, sysctls(UNKNOWN)) == []
    unknown_list = changed(securityContext={**POD["securityContext"], "sysctls": UNKNOWN})
    assert judged(k8s.k8s_no_unsafe_sysctls, unknown_list) == []


# --- AppArmor annotations -----------------------------------------------------------------------------------

def annotated(resource_type: str, value) -> dict:
    annotations = {"container.apparmor.security.beta.kubernetes.io/app": value}
    if resource_type == POD_TYPE:
        props = workload("core:Pod", POD)
        props["metadata"]["annotations"] = annotations
    else:
        props = workload("apps:Deployment", POD)
        props["spec"]["template"]["metadata"] = {"annotations": annotations}
    return props


def test_an_unconfined_apparmor_annotation_breaks_only_the_apparmor_rule_on_pods_and_templates():
    for resource_type in (POD_TYPE, DEPLOYMENT):
        assert all_violations(resource_type, annotated(resource_type, "runtime/default")) == {}
        assert all_violations(resource_type, annotated(resource_type, "localhost/k8s-trainer")) == {}
        found = all_violations(resource_type, annotated(resource_type, "unconfined"))
        assert list(found) == ["k8s-no-apparmor-unconfined"], resource_type
        assert "annotation container.apparmor.security.beta.kubernetes.io/app: unconfined" in found[
            "k8s-no-apparmor-unconfined"][0]
        assert all_violations(resource_type, annotated(resource_type, UNKNOWN)) == {}


# --- probes and lifecycle hooks -------------------------------------------------------------------------------

def test_every_probe_and_hook_is_read_and_an_empty_or_unknown_host_is_not_judged():
    handlers = {"readinessProbe": {"tcpSocket": {"port": 8080, "host": "10.0.0.1"}},
                "startupProbe": {"httpGet": {"port": 8080, "host": ""}},
                "lifecycle": {"preStop": {"httpGet": {"port": 8080, "host": "metadata.google.internal"}},
                              "postStart": {"tcpSocket": {"port": 8080, "host": UNKNOWN}}}}
    found = judged(k8s.k8s_no_host_probes, changed(container=handlers))
    assert [m.split(": ", 1)[1].split(" targets")[0] for m in found] == [
        "container app's readinessProbe tcpSocket", "container app's lifecycle.preStop httpGet"]


# --- Restricted volume types and capabilities ------------------------------------------------------------------

def test_restricted_volume_types_name_the_source_and_leave_hostpath_to_its_rule():
    allowed = [{"name": "cache", "emptyDir": {}}, {"name": "cfg", "configMap": {"name": "c"}},
               {"name": "data", "persistentVolumeClaim": {"claimName": "d"}}, {"name": "token", "projected": {}}]
    assert judged(k8s.k8s_restricted_volume_types, changed(volumes=allowed)) == []
    found = judged(k8s.k8s_restricted_volume_types, changed(volumes=[*allowed, {"name": "repo", "gitRepo": {
        "repository": "https://example.com/x.git"}}, {"name": "host", "hostPath": {"path": "/"}}]))
    assert len(found) == 1 and "volume repo is a gitRepo volume" in found[0]
    assert judged(k8s.k8s_restricted_volume_types, changed(volumes=UNKNOWN)) == []
    config = {"allowedVolumeTypes": [*k8s.RESTRICTED_VOLUME_TYPES, "image"]}
    image = changed(volumes=[{"name": "model", "image": {"reference": "registry/model:1"}}])
    assert judged(k8s.k8s_restricted_volume_types, image, config=config) == []
    assert judged(k8s.k8s_restricted_volume_types, image)


def test_restricted_capabilities_report_only_what_the_baseline_rule_does_not():
    pod = changed(container={"securityContext": {**POD["containers"][0]["securityContext"], "capabilities": {
        "drop": ["ALL"], "add": ["CAP_SETUID", "SYS_ADMIN", "NET_BIND_SERVICE"]}}})
    assert [m.split(": ", 1)[1] for m in judged(k8s.k8s_restricted_added_capabilities, pod)] == [
        "container app adds back SETUID; the Restricted profile lets a container add back only NET_BIND_SERVICE"]
    assert len(judged(k8s.k8s_no_added_capabilities, pod)) == 1


def test_node_agents_are_exempt_from_the_sysctl_and_volume_rules():
    daemon = "kubernetes:apps/v1:DaemonSet"
    props = workload("apps:DaemonSet", {**sysctls("net.core.somaxconn"),
                                         "volumes": [{"name": "nfs", "nfs": {"server": "s", "path": "/"}}]},
                     name="aws-node", namespace="kube-system")
    for policy in (k8s.k8s_no_unsafe_sysctls, k8s.k8s_restricted_volume_types):
        assert violations(policy, resource_args(daemon, props)) == []
        assert violations(policy, resource_args(daemon, props, {"exemptDaemonSets": []}))


# --- workload lists ------------------------------------------------------------------------------------------

def deployment(name: str, namespace: str, pod: dict) -> dict:
    return {"apiVersion": "apps/v1", "kind": "Deployment", **workload("apps:Deployment", pod, name, namespace)}


def test_a_compliant_list_passes_and_one_item_changed_breaks_its_rule_naming_the_item():
    items = [deployment("a", "research", POD), deployment("b", "research", POD)]
    assert all_violations("kubernetes:apps/v1:DeploymentList", {"items": items}) == {}
    for rule, pod in BREAKS.items():
        broken = copy.deepcopy(items)
        broken[1] = deployment("b", "research", pod)
        found = all_violations("kubernetes:apps/v1:DeploymentList", {"items": broken})
        assert list(found) == [rule], rule
        assert len(found[rule]) == 1 and "(items[1] b)" in found[rule][0], found[rule]


def test_a_pod_list_is_judged_per_pod_and_unknown_items_are_left_out():
    pods = [{"apiVersion": "v1", "kind": "Pod", **workload("core:Pod", pod, name, "research")}
            for name, pod in (("ok", POD), ("bad", changed(hostPID=True)))]
    found = all_violations("kubernetes:core/v1:PodList", {"items": [*pods, UNKNOWN]})
    assert found == {"k8s-no-host-pid": [
        "kubernetes:core/v1:PodList 'subject' (default/subject) (items[1] bad): shares the node's process namespace "
        "(hostPID: true); remove hostPID"]}
    assert all_violations("kubernetes:core/v1:PodList", {"items": UNKNOWN}) == {}


def test_list_items_are_judged_in_their_own_namespace():
    limit_range = stack_resource("kubernetes:core/v1:LimitRange", {
        "metadata": {"namespace": "research"},
        "spec": {"limits": [{"type": "Container", "default": {"memory": "1Gi"}, "defaultRequest": {
            "cpu": "1", "memory": "1Gi"}}]}}, name="limits")
    bare = changed(container={"resources": None})
    items = [deployment("a", "research", bare), deployment("b", "serving", bare)]
    deployments = stack_resource("kubernetes:apps/v1:DeploymentList", {"items": items})
    stack = stack_args([limit_range, deployments])
    for policy in (k8s.k8s_container_resource_requests, k8s.k8s_container_memory_limit):
        found = violations(policy, stack)
        assert len(found) == 1 and "namespace serving" in found[0], found
    policy = stack_resource("kubernetes:networking.k8s.io/v1:NetworkPolicy",
                            {"metadata": {"name": "deny", "namespace": "research"}, "spec": {"podSelector": {}}})
    found = violations(exposure.k8s_namespace_network_policy, stack_args([policy, deployments]))
    assert len(found) == 1 and "runs in namespace serving" in found[0], found
    account = stack_resource("kubernetes:core/v1:ServiceAccount", {
        "metadata": {"name": "default", "namespace": "research"}, "automountServiceAccountToken": False})
    tokens = [deployment("a", "research", {**POD, "automountServiceAccountToken": None}),
              deployment("b", "serving", {**POD, "automountServiceAccountToken": None})]
    found = violations(workloads.k8s_service_account_token_automount,
                       stack_args([account, stack_resource("kubernetes:apps/v1:DeploymentList", {"items": tokens})]))
    assert len(found) == 1 and "(items[1] b)" in found[0], found


def test_a_list_of_non_workloads_and_a_list_patch_are_not_workloads():
    from policies.rules._pods import is_workload
    assert is_workload("kubernetes:apps/v1:DeploymentList") and is_workload("kubernetes:batch/v1:CronJobList")
    assert not is_workload("kubernetes:core/v1:ConfigMapList")
    assert not is_workload("kubernetes:apps/v1:DeploymentListPatch")


def test_tiller_and_the_dashboard_are_found_in_list_items_and_every_pod_template():
    dashboard = changed(container={"image": "docker.io/kubernetesui/dashboard:v2.7.0"})
    listed = {"items": [deployment("ok", "research", POD), deployment("console", "research", dashboard)]}
    assert violations(exposure.k8s_no_kubernetes_dashboard, resource_args("kubernetes:apps/v1:DeploymentList", listed))
    ray = workload("ray.io:RayCluster", POD)
    ray["spec"]["workerGroupSpecs"][0]["template"]["metadata"] = {"labels": {"app": "kubernetes-dashboard"}}
    found = violations(exposure.k8s_no_kubernetes_dashboard, resource_args("kubernetes:ray.io/v1:RayCluster", ray))
    assert found and "(label kubernetes-dashboard)" in found[0]
    tiller = {"items": [deployment("tiller-deploy", "kube-system", changed(
        container={"image": "ghcr.io/helm/tiller:v2.17.0"}))]}
    assert violations(exposure.k8s_no_tiller, resource_args("kubernetes:apps/v1:DeploymentList", tiller))
    assert violations(exposure.k8s_no_tiller, resource_args("kubernetes:apps/v1:DeploymentList", {"items": [
        deployment("web", "research", POD)]})) == []
