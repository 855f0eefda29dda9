"""The Kubernetes rules that bring the packs to Checkov's breadth (benchmarks/data/checkov_k8s_coverage.tsv):
RBAC grants and bindings, the default ServiceAccount and namespace, exposed Services and Ingresses,
Tiller and the Dashboard, NetworkPolicies, service account tokens, secrets in the environment, pull
policies. Each from a compliant example with one field changed; unknown values are not judged."""

from __future__ import annotations

import copy
import csv
import re
from pathlib import Path

import pytest

from policies.rules import kubernetes_exposure as exposure, kubernetes_rbac as rbac
from policies.rules import kubernetes_workloads as work
from policies.rules import collect
from policy_helpers import UNKNOWN, provider, resource_args, stack_args, stack_resource, violations
from test_policies_kubernetes import CONTAINER, KINDS, POD, WHOLE_KINDS, pod_count, token, workload

ROOT = Path(__file__).resolve().parent.parent
ROLE, CLUSTER_ROLE = "kubernetes:rbac.authorization.k8s.io/v1:Role", "kubernetes:rbac.authorization.k8s.io/v1:ClusterRole"
BINDING = "kubernetes:rbac.authorization.k8s.io/v1:RoleBinding"
CLUSTER_BINDING = "kubernetes:rbac.authorization.k8s.io/v1:ClusterRoleBinding"
SERVICE_ACCOUNT, SERVICE = "kubernetes:core/v1:ServiceAccount", "kubernetes:core/v1:Service"
INGRESS, DEPLOYMENT = "kubernetes:networking.k8s.io/v1:Ingress", "kubernetes:apps/v1:Deployment"
NETWORK_POLICY = "kubernetes:networking.k8s.io/v1:NetworkPolicy"
NEW_RULES = rbac.SECURITY + exposure.SECURITY + work.SECURITY
STACK_RULES = [work.k8s_service_account_token_automount, exposure.k8s_namespace_network_policy,
               work.k8s_image_pull_policy_always]
RESOURCE_RULES = [p for p in NEW_RULES if p not in STACK_RULES]


def run(resource_type: str, props: dict, config=None, extra=(), provider_props=None) -> dict[str, list[str]]:
    """Every new rule on one resource (the stack rules on it and ``extra`` resources)."""
    found = {p.name: violations(p, resource_args(resource_type, props, config, provider_props)) for p in RESOURCE_RULES}
    stack = stack_args([stack_resource(resource_type, props, provider_props=provider_props), *extra], config)
    found.update({p.name: violations(p, stack) for p in STACK_RULES})
    return {name: messages for name, messages in found.items() if messages}


# --- workloads ------------------------------------------------------------------------------------------

#: The compliant pod of test_policies_kubernetes, which also opts out of the token and pulls its image always.
COMPLIANT_CONTAINER = {**CONTAINER, "imagePullPolicy": "Always"}
SAFE_POD = {**copy.deepcopy(POD), "automountServiceAccountToken": False, "containers": [COMPLIANT_CONTAINER]}
POLICY = NETWORK_POLICY, {"metadata": {"name": "deny", "namespace": "research"},
                          "spec": {"podSelector": {}, "policyTypes": ["Ingress", "Egress"]}}


def with_policy():
    return [stack_resource(POLICY[0], POLICY[1], name="deny")]


def pod_with(**changes) -> dict:
    pod = copy.deepcopy(SAFE_POD)
    container = changes.pop("container", {})
    pod["containers"][0].update(container)
    pod.update(changes)
    return {k: v for k, v in pod.items() if v is not None}


WORKLOAD_BREAKS = {
    "k8s-service-account-token-automount": pod_with(automountServiceAccountToken=None),
    "k8s-no-secrets-in-env": pod_with(container={"env": [{"name": "HF_TOKEN", "valueFrom": {
        "secretKeyRef": {"name": "hf", "key": "token"}}}]}),
    "k8s-image-pull-policy-always": pod_with(container={"imagePullPolicy": "IfNotPresent"}),
    "k8s-no-git-sync-git-override": pod_with(container={"env": [{"name": "GITSYNC_GIT", "value": "/tmp/x"}]}),
    "k8s-no-tiller": pod_with(container={"image": "gcr.io/kubernetes-helm/tiller:v2.17.0", "imagePullPolicy": "Always"}),
    "k8s-no-kubernetes-dashboard": pod_with(container={"image": "kubernetesui/dashboard:v2.7.0",
                                                       "imagePullPolicy": "Always"}),
}


@pytest.mark.parametrize("key", KINDS)
def test_the_compliant_pod_passes_every_new_rule_in_every_kind(key):
    assert run(token(key), workload(key, SAFE_POD), extra=with_policy()) == {}


@pytest.mark.parametrize("rule", sorted(WORKLOAD_BREAKS))
@pytest.mark.parametrize("key", WHOLE_KINDS)
def test_one_changed_field_breaks_only_its_rule_in_every_pod(key, rule):
    found = run(token(key), workload(key, WORKLOAD_BREAKS[rule]), extra=with_policy())
    assert list(found) == [rule]
    # Tiller and the Dashboard are one finding per resource, the rest one per pod
    assert len(found[rule]) == (1 if rule in ("k8s-no-tiller", "k8s-no-kubernetes-dashboard") else pod_count(key))


def test_a_service_account_that_turns_tokens_off_counts_and_the_pod_setting_wins():
    pod = pod_with(automountServiceAccountToken=None, serviceAccountName="trainer")
    props = workload("apps:Deployment", pod)
    account = {"metadata": {"name": "trainer", "namespace": "research"}, "automountServiceAccountToken": False}
    rule = work.k8s_service_account_token_automount
    assert violations(rule, stack_args([stack_resource(DEPLOYMENT, props)])) == [
        f"{DEPLOYMENT} 'subject' (research/trainer): pods mount the trainer service account's API token "
        "(automountServiceAccountToken unset, and the ServiceAccount does not turn it off); set "
        "automountServiceAccountToken false in the pod spec unless it calls the Kubernetes API"]
    assert violations(rule, stack_args([stack_resource(DEPLOYMENT, props),
                                        stack_resource(SERVICE_ACCOUNT, account, name="sa")])) == []
    elsewhere = {**account, "metadata": {"name": "trainer", "namespace": "other"}}
    assert violations(rule, stack_args([stack_resource(DEPLOYMENT, props),
                                        stack_resource(SERVICE_ACCOUNT, elsewhere, name="sa")]))
    explicit = workload("apps:Deployment", pod_with(automountServiceAccountToken=True, serviceAccountName="trainer"))
    assert violations(rule, stack_args([stack_resource(DEPLOYMENT, explicit),
                                        stack_resource(SERVICE_ACCOUNT, account, name="sa")]))  # the pod wins
    assert violations(rule, stack_args([stack_resource(DEPLOYMENT, explicit)],
                                       {"allowedServiceAccounts": ["research/trainer"]})) == []


def test_a_pod_without_a_service_account_name_uses_default():
    props = workload("apps:Deployment", pod_with(automountServiceAccountToken=None))
    [message] = violations(work.k8s_service_account_token_automount, stack_args([stack_resource(DEPLOYMENT, props)]))
    assert "the default service account's API token" in message


def test_env_from_a_secret_is_reported_and_config_maps_are_not():
    pod = pod_with(container={"envFrom": [{"configMapRef": {"name": "settings"}}, {"secretRef": {"name": "db"}}],
                              "env": [{"name": "MODE", "valueFrom": {"configMapKeyRef": {"name": "m", "key": "k"}}}]})
    assert violations(work.k8s_no_secrets_in_env, resource_args(DEPLOYMENT, workload("apps:Deployment", pod))) == [
        f"{DEPLOYMENT} 'subject' (research/trainer): container app loads every key of Secret db into its environment "
        "(envFrom secretRef); mount it as a file (a secret volume) instead"]


@pytest.mark.parametrize("image, policy, ok", [
    (CONTAINER["image"], None, False),              # a version tag defaults to IfNotPresent
    (CONTAINER["image"], "Never", False),
    (CONTAINER["image"], "Always", True),
    ("nginx@sha256:" + "a" * 64, None, True),        # a digest is immutable
    ("nginx@sha256:" + "a" * 64, "IfNotPresent", True),
    ("nginx", None, True),                           # untagged and :latest default to Always (k8s-image-pinned's)
    ("nginx:latest", "IfNotPresent", False),
])
def test_pull_policy_follows_the_api_server_default(image, policy, ok):
    pod = pod_with(container={"image": image, "imagePullPolicy": policy})
    pod["containers"][0] = {k: v for k, v in pod["containers"][0].items() if v is not None}
    found = violations(work.k8s_image_pull_policy_always,
                       stack_args([stack_resource(DEPLOYMENT, workload("apps:Deployment", pod))]))
    assert (found == []) is ok


@pytest.mark.parametrize("repository, mutability, ok", [
    ({"name": "trainer"}, "IMMUTABLE", True),
    ({"name": "trainer"}, "MUTABLE", False),
    ({"name": "trainer"}, None, False),                     # ECR's default is MUTABLE
    ({"name": "other"}, "IMMUTABLE", False),
    ({"name": UNKNOWN}, "IMMUTABLE", False),
    # the pod runs a version tag: excluded, it stays movable; not excluded, it is fixed
    ({"name": "trainer", "imageTagMutabilityExclusionFilters": [{"filterType": "WILDCARD", "filter": "*"}]},
     "IMMUTABLE_WITH_EXCLUSION", False),
    ({"name": "trainer", "imageTagMutabilityExclusionFilters": [{"filterType": "WILDCARD", "filter": "latest"}]},
     "IMMUTABLE_WITH_EXCLUSION", True),
    ({"name": "trainer", "imageTagMutabilityExclusionFilters": [{"filterType": "WILDCARD", "filter": "*"}]},
     "MUTABLE_WITH_EXCLUSION", True),
])
def test_a_tag_in_an_immutable_ecr_repository_of_the_stack_cannot_move(repository, mutability, ok):
    pod = pod_with(container={"imagePullPolicy": None})
    pod["containers"][0].pop("imagePullPolicy")
    repo = {**repository, **({"imageTagMutability": mutability} if mutability else {})}
    resources = [stack_resource(DEPLOYMENT, workload("apps:Deployment", pod)),
                 stack_resource("aws:ecr/repository:Repository", repo, name="repo")]
    found = violations(work.k8s_image_pull_policy_always, stack_args(resources))
    assert (found == []) is ok
    native = stack_resource("aws-native:ecr:Repository", {"repositoryName": "trainer", "imageTagMutability": "IMMUTABLE"},
                            name="native")
    assert violations(work.k8s_image_pull_policy_always, stack_args(resources[:1] + [native])) == []
    assert violations(work.k8s_image_pull_policy_always, stack_args(
        resources[:1], {"immutableTagRepositories": ["123456789012.dkr.ecr.us-east-1.amazonaws.com/"]})) == []


def test_patches_are_judged_only_on_what_they_set():
    patch = token("apps:Deployment", patch=True)
    bare = {"containers": [{"name": "app", "image": CONTAINER["image"]}]}
    assert run(patch, workload("apps:Deployment", bare), extra=with_policy()) == {}


def test_unknown_workload_values_are_not_judged():
    pod = pod_with(automountServiceAccountToken=UNKNOWN, container={
        "env": UNKNOWN, "envFrom": [{"secretRef": UNKNOWN}], "imagePullPolicy": UNKNOWN, "image": UNKNOWN})
    assert run(DEPLOYMENT, workload("apps:Deployment", pod), extra=with_policy()) == {}
    unknown_space = workload("apps:Deployment", pod_with(automountServiceAccountToken=None), namespace=UNKNOWN)
    assert run(DEPLOYMENT, unknown_space, extra=with_policy()) == {}
    unknown_account = workload("apps:Deployment", pod_with(automountServiceAccountToken=None,
                                                           serviceAccountName="trainer"))
    sa = stack_resource(SERVICE_ACCOUNT, {"metadata": {"name": "trainer", "namespace": "research"},
                                          "automountServiceAccountToken": UNKNOWN}, name="sa")
    assert run(DEPLOYMENT, unknown_account, extra=[*with_policy(), sa]) == {}


# --- NetworkPolicies ------------------------------------------------------------------------------------

def test_a_namespace_without_a_network_policy_is_reported_per_workload():
    props = workload("apps:Deployment", SAFE_POD)
    rule = exposure.k8s_namespace_network_policy
    assert violations(rule, stack_args([stack_resource(DEPLOYMENT, props)])) == [
        f"{DEPLOYMENT} 'subject' (research/trainer) runs in namespace research, where no NetworkPolicy is declared: "
        "its pods accept traffic from every pod of the cluster; declare a default-deny NetworkPolicy and allow what "
        "it serves"]
    other = {**POLICY[1], "metadata": {"name": "deny", "namespace": "other"}}
    assert violations(rule, stack_args([stack_resource(DEPLOYMENT, props), stack_resource(NETWORK_POLICY, other)]))
    cilium = stack_resource("kubernetes:cilium.io/v2:CiliumClusterwideNetworkPolicy", {"spec": {}}, name="c")
    assert violations(rule, stack_args([stack_resource(DEPLOYMENT, props), cilium])) == []
    assert violations(rule, stack_args([stack_resource(DEPLOYMENT, props)],
                                       {"namespacesWithPolicies": ["research"]})) == []
    unknown = stack_resource(NETWORK_POLICY, {"metadata": {"name": "deny", "namespace": UNKNOWN}}, name="u")
    assert violations(rule, stack_args([stack_resource(DEPLOYMENT, props), unknown])) == []


# --- RBAC ----------------------------------------------------------------------------------------------

READER = {"metadata": {"name": "reader", "namespace": "research"}, "rules": [
    {"apiGroups": [""], "resources": ["pods", "pods/log", "configmaps"], "verbs": ["get", "list", "watch"]},
    {"apiGroups": ["batch"], "resources": ["jobs"], "verbs": ["get", "list", "watch", "create", "delete"]},
    {"apiGroups": [""], "resources": ["secrets"], "resourceNames": ["hf-token"], "verbs": ["get"]},
]}


def role_with(rule: dict, cluster: bool = False) -> tuple[str, dict]:
    props = copy.deepcopy(READER)
    props["rules"].append(rule)
    if cluster:
        props["metadata"] = {"name": "reader"}
    return (CLUSTER_ROLE if cluster else ROLE), props


ROLE_BREAKS = {
    "k8s-rbac-no-wildcards": role_with({"apiGroups": ["apps"], "resources": ["deployments"], "verbs": ["*"]}),
    "k8s-rbac-no-bind": role_with({"apiGroups": ["rbac.authorization.k8s.io"], "resources": ["clusterroles"],
                                   "verbs": ["bind"]}),
    "k8s-rbac-no-escalate": role_with({"apiGroups": ["rbac.authorization.k8s.io"], "resources": ["roles"],
                                       "verbs": ["escalate"]}),
    "k8s-rbac-no-impersonate": role_with({"apiGroups": [""], "resources": ["serviceaccounts"],
                                          "verbs": ["impersonate"]}),
    "k8s-rbac-no-csr-approval": role_with(
        {"apiGroups": ["certificates.k8s.io"], "resources": ["certificatesigningrequests/approval", "signers"],
         "verbs": ["update", "approve"]}, cluster=True),
    "k8s-rbac-no-webhook-control": role_with(
        {"apiGroups": ["admissionregistration.k8s.io"], "resources": ["validatingwebhookconfigurations"],
         "verbs": ["delete"]}, cluster=True),
    "k8s-rbac-no-pod-exec": role_with({"apiGroups": [""], "resources": ["pods/exec"], "verbs": ["create"]}),
    "k8s-rbac-no-node-proxy": role_with({"apiGroups": [""], "resources": ["nodes/proxy"], "verbs": ["get"]},
                                        cluster=True),
    "k8s-rbac-no-secrets-read": role_with({"apiGroups": [""], "resources": ["secrets"], "verbs": ["list"]}),
    "k8s-rbac-no-service-status-update": role_with({"apiGroups": [""], "resources": ["services/status"],
                                                    "verbs": ["patch"]}),
}


@pytest.mark.parametrize("resource_type", [ROLE, CLUSTER_ROLE])
def test_a_compliant_role_passes_every_rule(resource_type):
    assert run(resource_type, READER) == {}


@pytest.mark.parametrize("rule", sorted(ROLE_BREAKS))
def test_one_added_rule_breaks_only_its_rbac_rule(rule):
    resource_type, props = ROLE_BREAKS[rule]
    assert list(run(resource_type, props)) == [rule]
    # a role reviewed for it passes
    label = "research/reader" if resource_type == ROLE else "reader"
    assert run(resource_type, props, {"allowedRoles": [label]}) == {}


def test_rbac_messages_name_the_role_and_its_rules():
    assert run(*ROLE_BREAKS["k8s-rbac-no-secrets-read"]) == {"k8s-rbac-no-secrets-read": [
        f"{ROLE} 'subject' (Role research/reader) grants the right to read every Secret (rules[3]): get, list or "
        "watch on secrets without resourceNames reads every Secret of its scope, service account tokens included"]}


def test_wildcards_take_in_every_dangerous_grant_as_the_api_server_matches_them():
    star = {"metadata": {"name": "admin"}, "rules": [{"apiGroups": ["*"], "resources": ["*"], "verbs": ["*"]}]}
    assert set(run(CLUSTER_ROLE, star)) == {p.name for p in rbac.GRANT_POLICIES} | {"k8s-rbac-no-wildcards"}
    # "*/<subresource>" matches every resource's subresource (evaluation_helpers.go ResourceMatches)
    sub = {"metadata": {"name": "x"}, "rules": [{"apiGroups": [""], "resources": ["*/exec"], "verbs": ["create"]}]}
    assert set(run(CLUSTER_ROLE, sub)) == {"k8s-rbac-no-pod-exec", "k8s-rbac-no-wildcards"}


def test_cluster_scoped_grants_are_judged_on_cluster_roles_only():
    resource_type, props = ROLE_BREAKS["k8s-rbac-no-node-proxy"]
    props = {**props, "metadata": {"name": "reader", "namespace": "research"}}
    assert run(ROLE, props) == {}  # a Role cannot grant a cluster-scoped resource


def test_csr_approval_needs_both_the_approval_update_and_the_signer():
    only_update = {"metadata": {"name": "x"}, "rules": [{"apiGroups": ["certificates.k8s.io"], "verbs": ["update"],
                                                         "resources": ["certificatesigningrequests/approval"]}]}
    assert run(CLUSTER_ROLE, only_update) == {}
    named = copy.deepcopy(ROLE_BREAKS["k8s-rbac-no-csr-approval"][1])
    named["rules"][-1]["resourceNames"] = ["example.com/my-signer"]
    assert run(CLUSTER_ROLE, named) == {}


def test_unknown_rules_are_not_judged_and_odd_input_does_not_raise():
    for rules in (UNKNOWN, [UNKNOWN], [{"apiGroups": [""], "resources": UNKNOWN, "verbs": ["*"]}],
                  [{"apiGroups": [""], "resources": ["secrets"], "verbs": ["get"], "resourceNames": UNKNOWN}],
                  [{"apiGroups": "", "resources": "secrets", "verbs": "list"}], "x", None, [None, 3]):
        found = run(ROLE, {"metadata": {"name": "r", "namespace": "research"}, "rules": rules})
        assert set(found) <= {"k8s-rbac-no-wildcards", "k8s-rbac-no-secrets-read"}
    # a single string stands for a list of one
    assert run(ROLE, {"metadata": {"name": "r", "namespace": "n"},
                      "rules": [{"apiGroups": "", "resources": "secrets", "verbs": "list"}]}) != {}


def test_role_lists_are_judged_item_by_item():
    _, bad = ROLE_BREAKS["k8s-rbac-no-escalate"]
    props = {"items": [READER, {**bad, "metadata": {"name": "esc", "namespace": "ops"}}]}
    assert run("kubernetes:rbac.authorization.k8s.io/v1:RoleList", props) == {"k8s-rbac-no-escalate": [
        "kubernetes:rbac.authorization.k8s.io/v1:RoleList 'subject' (Role ops/esc) grants the right to escalate "
        "roles (rules[3]): the escalate verb lets a subject write roles with permissions it does not hold itself"]}


BOUND = {"metadata": {"name": "readers", "namespace": "research"},
         "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "Role", "name": "reader"},
         "subjects": [{"kind": "ServiceAccount", "name": "trainer", "namespace": "research"},
                      {"kind": "Group", "name": "ml-engineers", "apiGroup": "rbac.authorization.k8s.io"}]}


def bound(**changes) -> dict:
    props = copy.deepcopy(BOUND)
    props.update(changes)
    return props


BINDING_BREAKS = {
    "k8s-no-cluster-admin-binding": bound(roleRef={"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole",
                                                   "name": "cluster-admin"}),
    "k8s-no-anonymous-binding": bound(subjects=[*BOUND["subjects"], {"kind": "Group", "name": "system:unauthenticated"}]),
    "k8s-no-default-service-account-binding": bound(subjects=[{"kind": "ServiceAccount", "name": "default",
                                                               "namespace": "research"}]),
}


@pytest.mark.parametrize("resource_type", [BINDING, CLUSTER_BINDING])
@pytest.mark.parametrize("rule", sorted(BINDING_BREAKS))
def test_one_changed_field_breaks_only_its_binding_rule(resource_type, rule):
    assert run(resource_type, BOUND) == {}
    assert list(run(resource_type, BINDING_BREAKS[rule])) == [rule]
    label = "research/readers" if resource_type == BINDING else "readers"
    assert run(resource_type, BINDING_BREAKS[rule], {"allowedBindings": [label]}) == {}


def test_unknown_bindings_are_not_judged():
    assert run(BINDING, bound(roleRef=UNKNOWN, subjects=UNKNOWN)) == {}
    assert run(BINDING, bound(subjects=[UNKNOWN, {"kind": UNKNOWN, "name": "default"}])) == {}


def test_the_default_service_account_must_not_automount_its_token():
    account = {"metadata": {"name": "default", "namespace": "research"}, "automountServiceAccountToken": False}
    assert run(SERVICE_ACCOUNT, account) == {}
    assert list(run(SERVICE_ACCOUNT, {**account, "automountServiceAccountToken": True})) == [
        "k8s-default-service-account-no-automount"]
    assert list(run(SERVICE_ACCOUNT, {"metadata": account["metadata"]})) == ["k8s-default-service-account-no-automount"]
    # a patch that leaves the field out changes nothing; one that sets it true is judged
    patch = "kubernetes:core/v1:ServiceAccountPatch"
    assert run(patch, {"metadata": account["metadata"]}) == {}
    assert list(run(patch, {**account, "automountServiceAccountToken": True})) == [
        "k8s-default-service-account-no-automount"]
    assert run(SERVICE_ACCOUNT, {**account, "automountServiceAccountToken": UNKNOWN}) == {}
    assert run(SERVICE_ACCOUNT, {"metadata": {"name": "trainer", "namespace": "research"}}) == {}


# --- the default namespace, Services, Ingresses, Tiller, the Dashboard -----------------------------------

@pytest.mark.parametrize("resource_type", [DEPLOYMENT, SERVICE, "kubernetes:core/v1:Secret", ROLE, INGRESS,
                                           "kubernetes:core/v1:ConfigMap", "kubernetes:batch/v1:CronJob"])
def test_objects_in_the_default_namespace(resource_type):
    props = {"metadata": {"name": "web", "namespace": "research"}}
    assert violations(exposure.k8s_no_default_namespace, resource_args(resource_type, props)) == []
    assert violations(exposure.k8s_no_default_namespace, resource_args(resource_type, {"metadata": {"name": "web"}}))
    assert violations(exposure.k8s_no_default_namespace, resource_args(
        resource_type, {"metadata": {"name": "web", "namespace": "default"}}))
    assert violations(exposure.k8s_no_default_namespace, resource_args(
        resource_type, {"metadata": {"name": "web"}}, provider_props=provider({"namespace": "research"}))) == []
    assert violations(exposure.k8s_no_default_namespace, resource_args(
        resource_type, {"metadata": {"name": "web", "namespace": UNKNOWN}})) == []


def test_the_default_namespace_lets_its_own_objects_and_cluster_scoped_kinds_through():
    rule = exposure.k8s_no_default_namespace
    assert violations(rule, resource_args(SERVICE, {"metadata": {"name": "kubernetes"}})) == []
    assert violations(rule, resource_args("kubernetes:core/v1:ServiceAccountPatch", {"metadata": {"name": "default"}})) == []
    for cluster_scoped in (CLUSTER_ROLE, CLUSTER_BINDING, "kubernetes:core/v1:Namespace"):
        assert violations(rule, resource_args(cluster_scoped, {"metadata": {"name": "x"}})) == []


SERVICE_PROPS = {"metadata": {"name": "serving", "namespace": "research"},
                 "spec": {"type": "ClusterIP", "selector": {"app": "serving"}, "ports": [{"port": 8080}]}}
INGRESS_PROPS = {"metadata": {"name": "serving", "namespace": "research", "annotations": {
    "nginx.ingress.kubernetes.io/rewrite-target": "/", "nginx.ingress.kubernetes.io/ssl-redirect": "true"}},
    "spec": {"ingressClassName": "nginx", "rules": [{"host": "ml.example.com"}],
             "tls": [{"hosts": ["ml.example.com"], "secretName": "ml-tls"}]}}
ALB_INGRESS = {"metadata": {"name": "serving", "namespace": "research", "annotations": {
    "alb.ingress.kubernetes.io/target-type": "ip",
    "alb.ingress.kubernetes.io/certificate-arn": "arn:aws:acm:us-east-1:123456789012:certificate/abc"}},
    "spec": {"ingressClassName": "alb", "rules": [{"host": "ml.example.com"}]}}


def test_services_set_no_external_ips():
    assert run(SERVICE, SERVICE_PROPS) == {}
    bad = copy.deepcopy(SERVICE_PROPS)
    bad["spec"]["externalIPs"] = ["203.0.113.10"]
    assert run(SERVICE, bad) == {"k8s-service-no-external-ips": [
        f"{SERVICE} 'subject' (research/serving) sets spec.externalIPs (203.0.113.10): whoever sets a Service's "
        "external IPs can intercept traffic the cluster sends to them (CVE-2020-8554); use a LoadBalancer or an "
        "Ingress"]}
    bad["spec"]["externalIPs"] = UNKNOWN
    assert run(SERVICE, bad) == {}


@pytest.mark.parametrize("key", ["nginx.ingress.kubernetes.io/configuration-snippet",
                                 "nginx.ingress.kubernetes.io/server-snippet", "custom.prefix/auth-snippet"])
def test_ingresses_carry_no_snippet_annotations(key):
    assert run(INGRESS, INGRESS_PROPS) == {}
    bad = copy.deepcopy(INGRESS_PROPS)
    bad["metadata"]["annotations"][key] = "more_set_headers 'X-Frame-Options: DENY';"
    assert list(run(INGRESS, bad)) == ["k8s-ingress-no-snippet-annotations"]
    assert list(run("kubernetes:extensions/v1beta1:Ingress", bad)) == ["k8s-ingress-no-snippet-annotations"]
    bad["metadata"]["annotations"] = UNKNOWN
    assert run(INGRESS, bad) == {}


def test_tiller_is_found_by_image_labels_and_service():
    labelled = workload("apps:Deployment", SAFE_POD, name="tiller-deploy", namespace="kube-system")
    labelled["metadata"]["labels"] = {"app": "helm", "name": "tiller"}
    assert list(run(DEPLOYMENT, labelled, extra=[stack_resource(NETWORK_POLICY, {"metadata": {
        "name": "d", "namespace": "kube-system"}}, name="d")])) == ["k8s-no-tiller"]
    service = {"metadata": {"name": "tiller-deploy", "namespace": "kube-system"},
               "spec": {"selector": {"app": "helm", "name": "tiller"}, "ports": [{"port": 44134}]}}
    assert list(run(SERVICE, service)) == ["k8s-no-tiller"]
    assert run(SERVICE, {**SERVICE_PROPS, "metadata": {"name": "distiller", "namespace": "research"}}) == {}
    distiller = workload("apps:Deployment", pod_with(container={"image": "acme/distiller:1.0"}))
    assert run(DEPLOYMENT, distiller, extra=with_policy()) == {}


def test_the_dashboard_is_found_by_image_and_label_and_helm_releases_stay_opaque():
    labelled = workload("apps:Deployment", SAFE_POD)
    labelled["spec"]["template"]["metadata"] = {"labels": {"k8s-app": "kubernetes-dashboard"}}
    assert list(run(DEPLOYMENT, labelled, extra=with_policy())) == ["k8s-no-kubernetes-dashboard"]
    image = workload("apps:Deployment", pod_with(container={"image": "docker.io/kubernetesui/dashboard-api:1.10.1"}))
    assert list(run(DEPLOYMENT, image, extra=with_policy())) == ["k8s-no-kubernetes-dashboard"]
    # a release's manifests are rendered inside the provider: the rule does not claim to see them
    assert run("kubernetes:helm.sh/v3:Release", {"chart": "kubernetes-dashboard", "namespace": "ops"}) == {}


# --- the packs, the docs and the Checkov mapping ----------------------------------------------------------

def test_the_new_rules_are_in_the_security_pack_and_documented():
    security = {p.name for p in collect("security")}
    docs = (ROOT / "docs" / "policies.md").read_text()
    for policy in NEW_RULES:
        assert policy.name in security
        assert f"`{policy.name}`" in docs, policy.name
        for key in (policy.config_schema.properties if policy.config_schema else {}):
            assert f"`{key}`" in docs, f"{policy.name}: {key}"


TSV = ROOT / "benchmarks" / "data" / "checkov_k8s_coverage.tsv"


def coverage_rows() -> list[dict[str, str]]:
    lines = [line for line in TSV.read_text().splitlines() if line and not line.startswith("#")]
    return list(csv.DictReader(lines, fieldnames=["id", "name", "kinds", "status", "rules"], delimiter="\t"))


def recorded_count() -> int:
    header = TSV.read_text().splitlines()[0]
    return int(re.search(r"\((\d+), listed offline", header).group(1))


def test_the_coverage_table_gives_every_check_a_status_and_real_rules():
    rows = coverage_rows()
    ids = [row["id"] for row in rows]
    assert len(ids) == len(set(ids)) == recorded_count()
    rules = {p.name for pack in ("security", "privacy", "compliance") for p in collect(pack)}
    docs = (ROOT / "docs" / "policies.md").read_text()
    for row in rows:
        assert re.fullmatch(r"CKV2?_K8S_\d+", row["id"]), row
        assert row["status"] in ("covered-before", "covered-new") or (
            row["status"].startswith("skipped: ") and len(row["status"]) > 20), row
        named = [name for name in (row["rules"] or "").split(",") if name]
        if row["status"].startswith("covered"):
            assert named and set(named) <= rules, row
        if row["status"] == "covered-new":
            assert all(name in {p.name for p in NEW_RULES} for name in named), row
            for name in named:  # the rule's row in docs/policies.md names the check
                line = next(line for line in docs.splitlines() if line.startswith(f"| `{name}` |"))
                assert re.search(rf"{row['id']}\b", line), (name, row["id"])


def _installed_checkov_ids() -> set[str] | None:
    """The CKV(2)_K8S ids of an installed Checkov 3.3.30 (the shared venv), read from its check files;
    None when it is not on this machine (CI), where the recorded count stands."""
    venvs = sorted(Path("/tmp").glob("checkov-venv/lib/python3.*/site-packages/checkov/kubernetes/checks"))
    if not venvs:
        return None
    checks = venvs[0]
    found = set()
    for path in [*checks.glob("resource/k8s/*.py"), *checks.glob("graph_checks/*.json")]:
        found |= set(re.findall(r'"(CKV2?_K8S_\d+)"', path.read_text()))
    return found


def test_the_coverage_table_lists_exactly_the_installed_checks():
    installed = _installed_checkov_ids()
    if installed is None:
        pytest.skip("Checkov is not installed here; the table's recorded count is checked above")
    assert {row["id"] for row in coverage_rows()} == installed


def test_the_docs_give_the_table_s_counts():
    rows = coverage_rows()
    statuses = [row["status"].split(":")[0] for row in rows]
    docs = " ".join((ROOT / "docs" / "policies.md").read_text().split())
    before, new, skipped = (statuses.count(s) for s in ("covered-before", "covered-new", "skipped"))
    assert (f"Of Checkov's {len(rows)} Kubernetes checks ({sum(not r['id'].startswith('CKV2') for r in rows)} "
            f"`CKV_K8S` resource checks and {sum(r['id'].startswith('CKV2') for r in rows)} `CKV2_K8S` graph checks), "
            f"{before + new} are covered ({before} by the rules above, {new} by these) and {skipped} skipped") in docs


def alb(**annotations) -> dict:
    props = copy.deepcopy(ALB_INGRESS)
    props["metadata"]["annotations"].update(annotations)
    props["metadata"]["annotations"] = {k: v for k, v in props["metadata"]["annotations"].items() if v is not None}
    return props


def test_alb_ingresses_stay_internal_unless_declared_public():
    assert run(INGRESS, ALB_INGRESS) == {}
    public = alb(**{"alb.ingress.kubernetes.io/scheme": "internet-facing"})
    assert run(INGRESS, public) == {"k8s-ingress-alb-internal": [
        f"{INGRESS} 'subject' (research/serving) asks for an internet-facing ALB (alb.ingress.kubernetes.io/scheme: "
        "internet-facing): leave the scheme internal (the controller's default) or list the Ingress in "
        "allowedPublicIngresses if it is meant to be public"]}
    assert run(INGRESS, public, {"allowedPublicIngresses": ["research/serving"]}) == {}
    assert run(INGRESS, alb(**{"alb.ingress.kubernetes.io/scheme": "internal"})) == {}
    assert run(INGRESS, alb(**{"alb.ingress.kubernetes.io/scheme": UNKNOWN})) == {}
    # the scheme annotation of another controller's Ingress asks nothing of an ALB
    nginx = copy.deepcopy(INGRESS_PROPS)
    nginx["metadata"]["annotations"]["service.beta.kubernetes.io/whatever"] = "internet-facing"
    assert run(INGRESS, nginx) == {}


@pytest.mark.parametrize("annotations, plaintext", [
    ({}, False),                                                                   # certificate-arn: HTTPS:443
    ({"alb.ingress.kubernetes.io/certificate-arn": None}, True),                    # default HTTP:80
    ({"alb.ingress.kubernetes.io/listen-ports": '[{"HTTP": 80}, {"HTTPS": 443}]'}, True),
    ({"alb.ingress.kubernetes.io/listen-ports": '[{"HTTP": 80}, {"HTTPS": 443}]',
      "alb.ingress.kubernetes.io/ssl-redirect": "443"}, False),
    ({"alb.ingress.kubernetes.io/listen-ports": '[{"HTTPS": 443}]'}, False),
    ({"alb.ingress.kubernetes.io/listen-ports": "not json"}, False),                # rejected by the controller
    ({"alb.ingress.kubernetes.io/listen-ports": UNKNOWN}, False),
    ({"alb.ingress.kubernetes.io/certificate-arn": UNKNOWN}, False),
])
def test_alb_ingresses_serve_https_only(annotations, plaintext):
    found = violations(exposure.k8s_ingress_tls, resource_args(INGRESS, alb(**annotations)))
    assert bool(found) is plaintext


def test_other_ingresses_need_spec_tls_and_keep_the_redirect():
    rule = exposure.k8s_ingress_tls
    assert violations(rule, resource_args(INGRESS, INGRESS_PROPS)) == []
    bare = copy.deepcopy(INGRESS_PROPS)
    del bare["spec"]["tls"]
    assert violations(rule, resource_args(INGRESS, bare)) == [
        f"{INGRESS} 'subject' (research/serving) has no spec.tls: it serves plain HTTP; add a tls entry with the hosts "
        "and a certificate Secret (for example from cert-manager)"]
    assert violations(rule, resource_args("kubernetes:networking.k8s.io/v1:IngressPatch", bare)) == []
    no_redirect = copy.deepcopy(INGRESS_PROPS)
    no_redirect["metadata"]["annotations"]["nginx.ingress.kubernetes.io/ssl-redirect"] = "false"
    assert violations(rule, resource_args(INGRESS, no_redirect))
    unknown = copy.deepcopy(INGRESS_PROPS)
    unknown["spec"]["tls"] = UNKNOWN
    assert violations(rule, resource_args(INGRESS, unknown)) == []


def test_secrets_in_env_is_advisory_everywhere_as_plaintext_secrets_recommends_them():
    import json

    for env in ("dev", "staging", "prod"):
        config = json.loads((ROOT / "policies" / "config" / env / "security.json").read_text())
        level = config.get("k8s-no-secrets-in-env", {}).get("enforcementLevel", config.get("all"))
        assert level == "advisory", env


# --- the rest of the Pod Security Standards' Baseline (policies/rules/kubernetes.py) -----------------------

from policies.rules import kubernetes as k8s  # noqa: E402


def judged(policy, pod: dict) -> list[str]:
    return violations(policy, resource_args(DEPLOYMENT, workload("apps:Deployment", pod)))


def test_proc_mount_is_relaxed_for_user_namespaced_pods_as_pod_security_admission_does():
    unmasked = pod_with(container={"securityContext": {**CONTAINER["securityContext"], "procMount": "Unmasked"}})
    assert judged(k8s.k8s_no_unmasked_proc_mount, unmasked)
    assert judged(k8s.k8s_no_unmasked_proc_mount, {**unmasked, "hostUsers": False}) == []
    assert judged(k8s.k8s_no_unmasked_proc_mount, pod_with(container={"securityContext": {
        **CONTAINER["securityContext"], "procMount": "Default"}})) == []
    assert judged(k8s.k8s_no_unmasked_proc_mount, pod_with(container={"securityContext": {
        **CONTAINER["securityContext"], "procMount": UNKNOWN}})) == []


def test_apparmor_selinux_and_host_process_are_read_at_pod_and_container_level():
    pod_level = pod_with(securityContext={**POD["securityContext"], "appArmorProfile": {"type": "Unconfined"}})
    assert judged(k8s.k8s_no_apparmor_unconfined, pod_level) == [
        f"{DEPLOYMENT} 'subject' (research/trainer): the pod runs without AppArmor (appArmorProfile type Unconfined); "
        "use RuntimeDefault or a Localhost profile"]
    localhost = pod_with(securityContext={**POD["securityContext"], "appArmorProfile": {
        "type": "Localhost", "localhostProfile": "k8s-trainer"}})
    assert judged(k8s.k8s_no_apparmor_unconfined, localhost) == []
    for options, bad in (({"type": "container_t", "level": "s0:c123,c456"}, 0), ({"type": "container_kvm_t"}, 0),
                         ({"user": "system_u", "role": "system_r"}, 2), ({"type": UNKNOWN}, 0)):
        pod = pod_with(securityContext={**POD["securityContext"], "seLinuxOptions": options})
        assert len(judged(k8s.k8s_selinux_options_default, pod)) == bad, options
    windows = pod_with(securityContext={**POD["securityContext"], "windowsOptions": {"hostProcess": True}})
    assert len(judged(k8s.k8s_no_windows_host_process, windows)) == 1
    agent = workload("apps:DaemonSet", windows, name="aws-node", namespace="kube-system")
    assert violations(k8s.k8s_no_windows_host_process, resource_args("kubernetes:apps/v1:DaemonSet", agent)) == []
