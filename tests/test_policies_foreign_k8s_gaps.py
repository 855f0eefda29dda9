"""Gaps the foreign Kubernetes/EKS programs (tests/foreign_k8s_programs/) found, each rule from a
compliant example with one field changed: a KubeRay head Service of type LoadBalancer; a binding of
system:authenticated or system:serviceaccounts; a NetworkPolicy that allows all ingress (and so
isolates nothing); an IRSA trust policy with no condition on the service account."""

from __future__ import annotations

import copy
import json

import pytest

from policies.rules.ci_trust import iam_eks_oidc_trust_scoped, iam_github_oidc_trust_scoped
from policies.rules.kubernetes import k8s_service_load_balancer_internal as lb_internal
from policies.rules.kubernetes_exposure import k8s_namespace_network_policy
from policies.rules.kubernetes_rbac import k8s_no_all_authenticated_binding, k8s_no_anonymous_binding
from policy_helpers import UNKNOWN, found, stack_args, stack_resource, violations

# --- KubeRay head and serve Services --------------------------------------------------------------------

RAY_CLUSTER = "kubernetes:ray.io/v1:RayCluster"
HEAD = {"serviceType": "ClusterIP", "rayStartParams": {},
        "template": {"spec": {"containers": [{"name": "ray-head", "image": "rayproject/ray:2.9.3"}]}}}
CLUSTER = {"metadata": {"name": "train", "namespace": "ray"}, "spec": {"headGroupSpec": HEAD, "workerGroupSpecs": []}}
INTERNAL = {"service.beta.kubernetes.io/aws-load-balancer-scheme": "internal"}


def ray(kind: str = "RayCluster", **head) -> tuple[str, dict]:
    spec_head = {**copy.deepcopy(HEAD), **head}
    spec = {"headGroupSpec": spec_head, "workerGroupSpecs": []}
    where = {"RayCluster": spec, "RayJob": {"rayClusterSpec": spec}, "RayService": {"rayClusterConfig": spec}}[kind]
    return f"kubernetes:ray.io/v1:{kind}", {"metadata": {"name": "train", "namespace": "ray"}, "spec": where}


@pytest.mark.parametrize("kind", ["RayCluster", "RayJob", "RayService"])
def test_a_kuberay_head_service_of_type_load_balancer_is_internal(kind):
    assert found(lb_internal, *ray(kind)) == []
    [message] = found(lb_internal, *ray(kind, serviceType="LoadBalancer"))
    assert "head Service" in message and "names no internal scheme" in message
    # The operator copies headService's annotations onto the head Service; its spec.type counts too.
    assert found(lb_internal, *ray(kind, serviceType="LoadBalancer", headService={"metadata": {"annotations": INTERNAL}})) == []
    assert len(found(lb_internal, *ray(kind, serviceType=None, headService={"spec": {"type": "LoadBalancer"}}))) == 1
    facing = {"metadata": {"annotations": {"service.beta.kubernetes.io/aws-load-balancer-scheme": "internet-facing"}}}
    assert "internet-facing" in found(lb_internal, *ray(kind, serviceType="LoadBalancer", headService=facing))[0]
    assert found(lb_internal, *ray(kind, serviceType=UNKNOWN)) == []
    assert found(lb_internal, *ray(kind, serviceType="LoadBalancer"), {"allowedPublicServices": ["ray/train"]}) == []


def test_a_rayservice_serve_service_of_type_load_balancer_is_internal():
    kind, props = ray("RayService")
    props["spec"]["serveService"] = {"spec": {"type": "LoadBalancer"}}
    [message] = found(lb_internal, kind, props)
    assert "serve Service (spec.serveService)" in message
    props["spec"]["serveService"]["metadata"] = {"annotations": INTERNAL}
    assert found(lb_internal, kind, props) == []


# --- bindings of every authenticated user / every service account ----------------------------------------

BINDING = "kubernetes:rbac.authorization.k8s.io/v1:RoleBinding"
BOUND = {"metadata": {"name": "readers", "namespace": "nb-alice"},
         "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "Role", "name": "reader"},
         "subjects": [{"kind": "User", "name": "alice@example.com", "apiGroup": "rbac.authorization.k8s.io"}]}


def bound(*subjects) -> dict:
    return {**BOUND, "subjects": [*BOUND["subjects"], *subjects]}


@pytest.mark.parametrize("group", ["system:authenticated", "system:serviceaccounts"])
def test_no_binding_of_every_authenticated_user_or_service_account(group):
    assert found(k8s_no_all_authenticated_binding, BINDING, BOUND) == []
    [message] = found(k8s_no_all_authenticated_binding, BINDING, bound({"kind": "Group", "name": group}))
    assert f"binds Group {group}" in message
    cluster = "kubernetes:rbac.authorization.k8s.io/v1:ClusterRoleBinding"
    assert len(found(k8s_no_all_authenticated_binding, cluster, bound({"kind": "Group", "name": group}))) == 1
    assert found(k8s_no_all_authenticated_binding, BINDING, bound({"kind": "Group", "name": group}),
                 {"allowedBindings": ["nb-alice/readers"]}) == []
    # The anonymous rule keeps its own control.
    assert found(k8s_no_anonymous_binding, BINDING, bound({"kind": "Group", "name": group})) == []


def test_a_namespace_s_service_accounts_or_a_user_of_that_name_is_not_everyone():
    for subject in ({"kind": "Group", "name": "system:serviceaccounts:nb-alice"},
                    {"kind": "User", "name": "system:authenticated"}):
        assert found(k8s_no_all_authenticated_binding, BINDING, bound(subject)) == []
    assert found(k8s_no_all_authenticated_binding, BINDING, {**BOUND, "subjects": UNKNOWN}) == []


# --- a NetworkPolicy that allows all ingress isolates nothing -----------------------------------------------

DEPLOYMENT, POLICY = "kubernetes:apps/v1:Deployment", "kubernetes:networking.k8s.io/v1:NetworkPolicy"
WORKLOAD = {"metadata": {"name": "ranker", "namespace": "serving"}, "spec": {"template": {"spec": {
    "containers": [{"name": "ranker", "image": "ranker:1.0"}]}}}}
DENY = {"metadata": {"name": "deny", "namespace": "serving"}, "spec": {"podSelector": {}, "policyTypes": ["Ingress"]}}


def network(*policies) -> list[str]:
    resources = [stack_resource(DEPLOYMENT, WORKLOAD, name="ranker")]
    resources += [stack_resource(POLICY, p, name=f"policy{i}") for i, p in enumerate(policies)]
    return violations(k8s_namespace_network_policy, stack_args(resources))


def policy(**spec) -> dict:
    return {"metadata": {"name": "p", "namespace": "serving"},
            "spec": {k: v for k, v in {**DENY["spec"], **spec}.items() if v is not None}}


def test_a_namespace_whose_network_policy_allows_all_ingress_is_not_isolated():
    assert network(DENY) == []
    [message] = network(policy(ingress=[{}]))
    assert "allows all ingress to every pod" in message
    # Policies add up: a deny beside it narrows nothing.
    assert len(network(DENY, policy(ingress=[{}]))) == 1
    assert len(network(policy(ingress=[{"from": [], "ports": []}]))) == 1
    assert len(network(policy(ingress=[{}], policyTypes=None))) == 1  # policyTypes unset: Ingress


@pytest.mark.parametrize("spec", [
    {"ingress": [{"from": [{"namespaceSelector": {"matchLabels": {"name": "ingress"}}}]}]},
    {"ingress": [{"ports": [{"port": 8080}]}]},
    {"ingress": [{}], "podSelector": {"matchLabels": {"app": "public"}}},
    {"ingress": [{}], "policyTypes": ["Egress"]},
    {"ingress": UNKNOWN},
    {"ingress": [{}], "policyTypes": UNKNOWN},
])
def test_a_network_policy_that_narrows_ingress_or_is_unknown_still_counts(spec):
    assert network(policy(**spec)) == []


# --- IRSA trust policies ----------------------------------------------------------------------------------

ROLE = "aws:iam/role:Role"
ISSUER = "oidc.eks.us-east-1.amazonaws.com/id/EXAMPLED539D4633E53DE1B71EXAMPLE"


def irsa(condition, principal=f"arn:aws:iam::123456789012:oidc-provider/{ISSUER}") -> dict:
    statement = {"Effect": "Allow", "Principal": {"Federated": principal}, "Action": "sts:AssumeRoleWithWebIdentity"}
    if condition is not None:
        statement["Condition"] = condition
    return {"assumeRolePolicy": json.dumps({"Version": "2012-10-17", "Statement": [statement]})}


SCOPED = {"StringEquals": {f"{ISSUER}:sub": "system:serviceaccount:training:trainer", f"{ISSUER}:aud": "sts.amazonaws.com"}}


def test_an_irsa_role_trusts_named_service_accounts():
    assert found(iam_eks_oidc_trust_scoped, ROLE, irsa(SCOPED)) == []
    [message] = found(iam_eks_oidc_trust_scoped, ROLE, irsa(None))
    assert "without a condition on its :sub claim" in message
    assert len(found(iam_eks_oidc_trust_scoped, ROLE, irsa({"StringEquals": {f"{ISSUER}:aud": "sts.amazonaws.com"}}))) == 1
    loose = {"StringLike": {f"{ISSUER}:sub": "system:serviceaccount:*"}}
    assert "names no namespace" in found(iam_eks_oidc_trust_scoped, ROLE, irsa(loose))[0]
    namespace = {"StringLike": {f"{ISSUER}:sub": ["system:serviceaccount:training:*"]}}
    assert found(iam_eks_oidc_trust_scoped, ROLE, irsa(namespace)) == []
    # The provider named only in the condition keys (a principal known at deployment) is still IRSA.
    assert len(found(iam_eks_oidc_trust_scoped, ROLE,
                     irsa({"StringEquals": {f"{ISSUER}:aud": "sts.amazonaws.com"}}, principal="arn:aws:iam::1:x"))) == 1


def test_an_irsa_rule_leaves_unknowns_and_other_trusts_alone():
    assert found(iam_eks_oidc_trust_scoped, ROLE, {"assumeRolePolicy": UNKNOWN}) == []
    assert found(iam_eks_oidc_trust_scoped, ROLE, irsa(UNKNOWN)) == []
    github = irsa(None, principal="arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com")
    assert found(iam_eks_oidc_trust_scoped, ROLE, github) == []
    assert len(found(iam_github_oidc_trust_scoped, ROLE, github)) == 1
    service = {"assumeRolePolicy": json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": {"Service": "pods.eks.amazonaws.com"}, "Action": "sts:AssumeRole"}]})}
    assert found(iam_eks_oidc_trust_scoped, ROLE, service) == []


# --- KServe InferenceServices and ServingRuntimes; cluster-scoped templates -------------------------------

from policies.rules import _pods  # noqa: E402
from policies.rules.kubernetes import k8s_no_host_network, k8s_no_privileged_containers, k8s_seccomp_profile  # noqa: E402
from policies.rules.kubernetes_exposure import k8s_no_default_namespace  # noqa: E402

ISVC = "kubernetes:serving.kserve.io/v1beta1:InferenceService"
RUNTIME = "kubernetes:serving.kserve.io/v1alpha1:ServingRuntime"


def isvc(**model) -> dict:
    return {"metadata": {"name": "llama", "namespace": "models"}, "spec": {"predictor": {
        "model": {"modelFormat": {"name": "huggingface"}, "storageUri": "s3://m/llama/", **model}}}}


def test_kserve_components_are_partial_pods_with_their_inline_containers():
    props = isvc(securityContext={"privileged": True})
    props["spec"]["transformer"] = {"containers": [{"name": "tx", "image": "tx:1"}],
                                    "workerSpec": {"containers": [{"name": "w", "image": "w:1"}]}}
    props["spec"]["explainer"] = {"art": {"image": "art:1"}}
    found_pods = _pods.pods(stack_resource(ISVC, props))
    assert [(p.where, p.partial, [c.name for c in _pods.containers(p)]) for p in found_pods] == [
        ("spec.predictor", True, ["kserve-container"]), ("spec.transformer", True, ["tx"]),
        ("spec.transformer.workerSpec", True, ["w"]), ("spec.explainer", True, ["kserve-container"])]
    assert _pods.is_workload(ISVC) and _pods.is_workload(RUNTIME)


def test_kserve_settings_that_are_present_are_judged_and_absent_ones_are_not():
    assert found(k8s_no_privileged_containers, ISVC, isvc()) == []
    [message] = found(k8s_no_privileged_containers, ISVC, isvc(securityContext={"privileged": True}))
    assert "(spec.predictor): container kserve-container runs privileged" in message
    props = isvc()
    props["spec"]["predictor"]["hostNetwork"] = True
    assert len(found(k8s_no_host_network, ISVC, props)) == 1
    # Partial: KServe completes the pod, so an absent seccomp profile is not judged; a bad one is.
    assert found(k8s_seccomp_profile, ISVC, isvc()) == []
    assert len(found(k8s_seccomp_profile, ISVC, isvc(securityContext={"seccompProfile": {"type": "Unconfined"}}))) == 1
    runtime = {"metadata": {"name": "rt", "namespace": "models"},
               "spec": {"containers": [{"name": "kserve-container", "image": "srv:1",
                                        "securityContext": {"privileged": True}}]}}
    assert len(found(k8s_no_privileged_containers, RUNTIME, runtime)) == 1
    assert found(k8s_no_privileged_containers, ISVC, {"metadata": {"name": "x"}, "spec": UNKNOWN}) == []


def test_an_inference_service_in_the_default_namespace_is_reported():
    props = isvc()
    assert found(k8s_no_default_namespace, ISVC, props) == []
    del props["metadata"]["namespace"]
    assert len(found(k8s_no_default_namespace, ISVC, props)) == 1


@pytest.mark.parametrize("resource_type", ["kubernetes:trainer.kubeflow.org/v1alpha1:ClusterTrainingRuntime",
                                           "kubernetes:serving.kserve.io/v1alpha1:ClusterServingRuntime"])
def test_cluster_scoped_templates_are_in_no_namespace(resource_type):
    """Their CRDs are scope: Cluster; the pods run in the namespace of the TrainJob / InferenceService."""
    template = {"metadata": {"name": "torch"}, "spec": {"containers": [{"name": "c", "image": "c:1"}]}}
    assert found(k8s_no_default_namespace, resource_type, template) == []
    assert violations(k8s_namespace_network_policy, stack_args([stack_resource(resource_type, template)])) == []
    # A namespaced TrainingRuntime still is judged.
    namespaced = "kubernetes:trainer.kubeflow.org/v1alpha1:TrainingRuntime"
    assert len(found(k8s_no_default_namespace, namespaced, template)) == 1


# --- token requests and PersistentVolume creation (RBAC good practices) -----------------------------------

from policies.rules.kubernetes_rbac import GRANT_POLICIES  # noqa: E402

RBAC_ROLE, RBAC_CLUSTER_ROLE = ("kubernetes:rbac.authorization.k8s.io/v1:Role",
                                "kubernetes:rbac.authorization.k8s.io/v1:ClusterRole")
READ_PODS = {"apiGroups": [""], "resources": ["pods"], "verbs": ["get", "list"]}


def grants(resource_type: str, *rules) -> dict[str, list[str]]:
    props = {"metadata": {"name": "r", "namespace": "team"}, "rules": [READ_PODS, *rules]}
    return {p.name: m for p in GRANT_POLICIES if (m := found(p, resource_type, props))}


def test_no_token_requests_for_service_accounts():
    assert grants(RBAC_ROLE) == {}
    token = {"apiGroups": [""], "resources": ["serviceaccounts/token"], "verbs": ["create"]}
    assert list(grants(RBAC_ROLE, token)) == ["k8s-rbac-no-token-request"]
    assert list(grants(RBAC_CLUSTER_ROLE, token)) == ["k8s-rbac-no-token-request"]
    assert grants(RBAC_ROLE, {**token, "resourceNames": ["builder"]}) == {}
    assert grants(RBAC_ROLE, {**token, "verbs": ["get"]}) == {}


def test_no_cluster_role_creates_persistent_volumes():
    volumes = {"apiGroups": [""], "resources": ["persistentvolumes"], "verbs": ["create", "get"]}
    assert list(grants(RBAC_CLUSTER_ROLE, volumes)) == ["k8s-rbac-no-persistent-volume-create"]
    assert grants(RBAC_CLUSTER_ROLE, {**volumes, "verbs": ["get", "list"]}) == {}
    claims = {"apiGroups": [""], "resources": ["persistentvolumeclaims"], "verbs": ["create"]}
    assert grants(RBAC_CLUSTER_ROLE, claims) == {}
    assert grants(RBAC_ROLE, volumes) == {}  # a Role cannot grant a cluster-scoped resource


# --- Karpenter EC2NodeClasses are launch templates ----------------------------------------------------------

from policies.rules.eks import (  # noqa: E402
    launch_template_encrypted_volumes, launch_template_imdsv2, launch_template_metadata_hop_limit,
    launch_template_volumes_cmk,
)

NODE_CLASS = "kubernetes:karpenter.k8s.aws/v1:EC2NodeClass"
NODE_SPEC = {"role": "KarpenterNodeRole", "amiSelectorTerms": [{"alias": "al2023@latest"}],
             "subnetSelectorTerms": [{"tags": {"karpenter.sh/discovery": "ml"}}],
             "securityGroupSelectorTerms": [{"tags": {"karpenter.sh/discovery": "ml"}}]}
CMK = "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"


def node_class(**spec) -> dict:
    return {"metadata": {"name": "gpu"}, "spec": {k: v for k, v in {**NODE_SPEC, **spec}.items() if v is not None}}


def test_an_ec2_node_class_defaults_to_imdsv2_and_one_hop():
    """ec2nodeclass.go: metadataOptions defaults to httpTokens required, hop limit 1 (whole and per field)."""
    for spec in ({}, {"metadataOptions": {"httpEndpoint": "enabled"}}):
        assert found(launch_template_imdsv2, NODE_CLASS, node_class(**spec)) == []
        assert found(launch_template_metadata_hop_limit, NODE_CLASS, node_class(**spec)) == []
    [message] = found(launch_template_imdsv2, NODE_CLASS, node_class(metadataOptions={"httpTokens": "optional"}))
    assert "allows IMDSv1 (httpTokens 'optional')" in message
    [message] = found(launch_template_metadata_hop_limit, NODE_CLASS, node_class(metadataOptions={"httpPutResponseHopLimit": 2}))
    assert "hop limit 2" in message
    disabled = node_class(metadataOptions={"httpEndpoint": "disabled", "httpTokens": "optional"})
    assert found(launch_template_imdsv2, NODE_CLASS, disabled) == []
    assert found(launch_template_imdsv2, "kubernetes:karpenter.k8s.aws/v1beta1:EC2NodeClass",
                 node_class(metadataOptions={"httpTokens": "optional"})) != []
    assert found(launch_template_imdsv2, NODE_CLASS, node_class(metadataOptions=UNKNOWN)) == []


def test_an_ec2_node_class_encrypts_its_volumes():
    # No mappings: the AMI family's root volume, encrypted (with the AWS-managed key).
    assert found(launch_template_encrypted_volumes, NODE_CLASS, node_class()) == []
    assert len(found(launch_template_volumes_cmk, NODE_CLASS, node_class())) == 1
    # The Custom family has no default mappings: the AMI decides.
    custom = node_class(amiSelectorTerms=[{"id": "ami-0123456789abcdef0"}], amiFamily="Custom")
    assert "declares no EBS volumes" in found(launch_template_encrypted_volumes, NODE_CLASS, custom)[0]
    root = {"deviceName": "/dev/xvda", "ebs": {"volumeSize": "200Gi", "volumeType": "gp3", "encrypted": True,
                                                "kmsKeyID": CMK}}
    assert found(launch_template_encrypted_volumes, NODE_CLASS, node_class(blockDeviceMappings=[root])) == []
    assert found(launch_template_volumes_cmk, NODE_CLASS, node_class(blockDeviceMappings=[root])) == []
    plain_root = {**root, "ebs": {**root["ebs"], "encrypted": False}}
    [message] = found(launch_template_encrypted_volumes, NODE_CLASS, node_class(blockDeviceMappings=[plain_root]))
    assert "/dev/xvda is not encrypted" in message
    assert found(launch_template_encrypted_volumes, NODE_CLASS, node_class(blockDeviceMappings=UNKNOWN)) == []
    assert found(launch_template_encrypted_volumes, NODE_CLASS, node_class(amiSelectorTerms=UNKNOWN)) == []


# --- a pod whose ServiceAccount the stack binds to a role calls the API ---------------------------------------

from policies.rules.kubernetes_workloads import k8s_service_account_token_automount as automount  # noqa: E402

HEAD = {"metadata": {"name": "head", "namespace": "ray"}, "spec": {"template": {"spec": {
    "serviceAccountName": "ray-head", "containers": [{"name": "head", "image": "ray:2.9"}]}}}}
ROLE_BINDING_TYPE = "kubernetes:rbac.authorization.k8s.io/v1:RoleBinding"


def token_findings(*extra) -> list[str]:
    resources = [stack_resource(DEPLOYMENT, HEAD, name="head")]
    resources += [stack_resource(t, p, name=f"extra{i}") for i, (t, p) in enumerate(extra)]
    return violations(automount, stack_args(resources))


def binding(subject: dict, kind: str = ROLE_BINDING_TYPE, space: str | None = "ray") -> tuple[str, dict]:
    metadata = {"name": "autoscaler", **({"namespace": space} if space else {})}
    return kind, {"metadata": metadata, "roleRef": {"kind": "Role", "name": "autoscaler"}, "subjects": [subject]}


def test_a_service_account_bound_to_a_role_may_mount_its_token():
    assert len(token_findings()) == 1
    assert token_findings(binding({"kind": "ServiceAccount", "name": "ray-head"})) == []  # the binding's namespace
    assert token_findings(binding({"kind": "ServiceAccount", "name": "ray-head", "namespace": "ray"},
                                  "kubernetes:rbac.authorization.k8s.io/v1:ClusterRoleBinding", None)) == []
    # Bound in another namespace, bound as a User, the default account, or unknown subjects: still reported.
    assert len(token_findings(binding({"kind": "ServiceAccount", "name": "ray-head", "namespace": "other"}))) == 1
    assert len(token_findings(binding({"kind": "User", "name": "ray-head"}))) == 1
    assert len(token_findings(binding({"kind": "ServiceAccount", "name": "ray-head"}, space="other"))) == 1
    default_pod = copy.deepcopy(HEAD)
    del default_pod["spec"]["template"]["spec"]["serviceAccountName"]
    resources = [stack_resource(DEPLOYMENT, default_pod, name="head"),
                 stack_resource(*binding({"kind": "ServiceAccount", "name": "default"}), name="b")]
    assert len(violations(automount, stack_args(resources))) == 1
    kind, props = binding({"kind": "ServiceAccount", "name": "ray-head"})
    assert len(token_findings((kind, {**props, "subjects": UNKNOWN}))) == 1


# --- GPU NodePools and pulumi-eks ManagedNodeGroups carry the GPU taint ---------------------------------------

from policies.rules.gpu import gpu_node_group_tainted  # noqa: E402

NODE_POOL = "kubernetes:karpenter.sh/v1:NodePool"
GPU_TAINT = {"key": "nvidia.com/gpu", "value": "true", "effect": "NoSchedule"}


def pool(requirements, taints=None) -> list[str]:
    spec = {"nodeClassRef": {"group": "karpenter.k8s.aws", "kind": "EC2NodeClass", "name": "gpu"},
            "requirements": requirements}
    if taints is not None:
        spec["taints"] = taints
    return violations(gpu_node_group_tainted, stack_args([stack_resource(
        NODE_POOL, {"metadata": {"name": "gpu"}, "spec": {"template": {"spec": spec}}})]))


@pytest.mark.parametrize("requirement", [
    {"key": "karpenter.k8s.aws/instance-family", "operator": "In", "values": ["g5", "g6"]},
    {"key": "node.kubernetes.io/instance-type", "operator": "In", "values": ["p4d.24xlarge"]},
    {"key": "karpenter.k8s.aws/instance-category", "operator": "In", "values": ["g"]},
    {"key": "karpenter.k8s.aws/instance-gpu-count", "operator": "Gt", "values": ["0"]},
    {"key": "karpenter.k8s.aws/instance-gpu-manufacturer", "operator": "In", "values": ["nvidia"]},
])
def test_a_gpu_node_pool_is_tainted(requirement):
    [message] = pool([requirement])
    assert "a Karpenter NodePool" in message and "nvidia.com/gpu NoSchedule taint" in message
    assert pool([requirement], [GPU_TAINT]) == []
    assert len(pool([requirement], [{**GPU_TAINT, "effect": "PreferNoSchedule"}])) == 1
    assert pool([requirement], UNKNOWN) == []


@pytest.mark.parametrize("requirement", [
    {"key": "karpenter.k8s.aws/instance-family", "operator": "In", "values": ["m7i", "c7g"]},
    {"key": "karpenter.k8s.aws/instance-category", "operator": "NotIn", "values": ["g", "p"]},
    {"key": "karpenter.k8s.aws/instance-gpu-count", "operator": "In", "values": ["0"]},
    {"key": "karpenter.sh/capacity-type", "operator": "In", "values": ["spot"]},
])
def test_a_node_pool_of_other_instances_needs_no_gpu_taint(requirement):
    assert pool([requirement]) == []
    assert pool(UNKNOWN) == []



# --- Argo Workflows: a pod per template (argo-workflows workflow/controller/workflowpod.go) ----------------

from policies.rules.kubernetes import k8s_image_pinned, k8s_no_host_path_volumes, k8s_run_as_non_root  # noqa: E402
from policies.rules.plaintext_secrets import no_plaintext_secrets_in_environment  # noqa: E402

ARGO_TEMPLATE = "kubernetes:argoproj.io/v1alpha1:WorkflowTemplate"
ARGO_KINDS = ["Workflow", "WorkflowTemplate", "ClusterWorkflowTemplate", "CronWorkflow"]


def argo(kind: str = "WorkflowTemplate", **spec) -> tuple[str, dict]:
    workflow = {"entrypoint": "main", "templates": [
        {"name": "main", "steps": [[{"name": "train", "template": "train"}]]},
        {"name": "train", "container": {"image": "trainer:1.0", "command": ["python", "train.py"],
                                        "volumeMounts": [{"name": "data", "mountPath": "/data"}]}},
        {"name": "report", "script": {"image": "python:3.12", "command": ["python"], "source": "print(1)"},
         "sidecars": [{"name": "proxy", "image": "envoy:1.30"}]},
        {"name": "sweep", "containerSet": {"containers": [{"name": "a", "image": "a:1"},
                                                          {"name": "b", "image": "b:1"}]}},
        {"name": "apply", "resource": {"action": "create", "manifest": "kind: ConfigMap"}},
    ], "volumes": [{"name": "data", "persistentVolumeClaim": {"claimName": "data"}},
                   {"name": "unused", "hostPath": {"path": "/"}}], **spec}
    props = {"metadata": {"name": "retrain", "namespace": "pipelines"},
             "spec": {"schedule": "0 2 * * *", "workflowSpec": workflow} if kind == "CronWorkflow" else workflow}
    return f"kubernetes:argoproj.io/v1alpha1:{kind}", props


@pytest.mark.parametrize("kind", ARGO_KINDS)
def test_an_argo_workflow_is_a_partial_pod_per_template_that_runs_containers(kind):
    resource_type, props = argo(kind)
    assert _pods.is_workload(resource_type)
    found_pods = _pods.pods(stack_resource(resource_type, props))
    prefix = "spec.workflowSpec" if kind == "CronWorkflow" else "spec"
    assert [(p.where, p.partial, [c.name for c in _pods.containers(p)]) for p in found_pods] == [
        (f"{prefix}.templates[1] train", True, ["main"]), (f"{prefix}.templates[2] report", True, ["main", "proxy"]),
        (f"{prefix}.templates[3] sweep", True, ["a", "b"])]
    # Only the workflow volumes a template's containers mount are in its pod (addVolumeReferences).
    assert [v["name"] for v in found_pods[0].spec["volumes"]] == ["data"]
    assert "volumes" not in found_pods[1].spec
    assert found(k8s_no_host_path_volumes, resource_type, props) == []
    # Partial: the controller completes the pod, so absent settings are not judged.
    assert found(k8s_run_as_non_root, resource_type, props) == []
    assert found(k8s_no_privileged_containers, resource_type, props) == []


def test_argo_settings_of_the_workflow_and_the_template_are_judged():
    resource_type, props = argo(hostNetwork=True, securityContext={"runAsUser": 0})
    assert len(found(k8s_no_host_network, resource_type, props)) == 3
    # One per container: train (main), report (main, proxy), sweep (a, b).
    assert len(found(k8s_run_as_non_root, resource_type, props)) == 5
    props["spec"]["templates"][1]["securityContext"] = {"runAsNonRoot": True, "runAsUser": 1000}
    messages = found(k8s_run_as_non_root, resource_type, props)
    assert not any("templates[1] train" in m for m in messages) and messages  # the template's own wins
    props["spec"]["templates"][1]["container"]["securityContext"] = {"privileged": True}
    [message] = found(k8s_no_privileged_containers, resource_type, props)
    assert "(spec.templates[1] train): container main runs privileged" in message
    props["spec"]["volumes"][1]["name"] = "data"
    props["spec"]["volumes"][0]["name"] = "other"
    [message] = found(k8s_no_host_path_volumes, resource_type, props)
    assert "templates[1] train" in message and "hostPath /" in message
    resource_type, props = argo(templateDefaults={"container": {"image": "python:latest"}})
    del props["spec"]["templates"][1]["container"]["image"]
    [message] = found(k8s_image_pinned, resource_type, props)
    assert "templates[1] train" in message and "python:latest" in message
    assert found(k8s_no_host_network, ARGO_TEMPLATE, {"metadata": {"name": "x"}, "spec": UNKNOWN}) == []


def test_argo_inline_containers_are_read_for_literal_credentials():
    resource_type, props = argo("CronWorkflow")
    key = {"name": "AWS_ACCESS_KEY_ID", "value": "AKIAIOSFODNN7EXAMPLE"}
    assert found(no_plaintext_secrets_in_environment, resource_type, props) == []
    spec = props["spec"]["workflowSpec"]
    spec["templates"][1]["container"]["env"] = [key]
    spec["templates"][2]["script"]["env"] = [key]
    spec["templates"][2]["sidecars"][0]["env"] = [key]
    spec["templateDefaults"] = {"container": {"env": [key]}}
    messages = found(no_plaintext_secrets_in_environment, resource_type, props)
    assert [m.split(": ", 1)[1].split(" '")[0] for m in messages] == [
        "spec.workflowSpec.templates[1].container.env", "spec.workflowSpec.templates[2].script.env",
        "spec.workflowSpec.templates[2].sidecars[0].env", "spec.workflowSpec.templateDefaults.container.env"]
    spec["templates"][1]["container"]["env"] = [{"name": "AWS_ACCESS_KEY_ID", "valueFrom": {
        "secretKeyRef": {"name": "aws", "key": "id"}}}]
    assert len(found(no_plaintext_secrets_in_environment, resource_type, props)) == 3


def test_a_cluster_workflow_template_is_in_no_namespace():
    resource_type, props = argo("ClusterWorkflowTemplate")
    del props["metadata"]["namespace"]
    assert found(k8s_no_default_namespace, resource_type, props) == []
    resource_type, props = argo("WorkflowTemplate")
    del props["metadata"]["namespace"]
    assert len(found(k8s_no_default_namespace, resource_type, props)) == 1


# --- Pod Security admission labels on namespaces ----------------------------------------------------------

from policies.rules.kubernetes_exposure import k8s_namespace_pod_security_not_privileged as psa  # noqa: E402

NAMESPACE = "kubernetes:core/v1:Namespace"


def labelled(level, name: str = "jhub") -> dict:
    return {"metadata": {"name": name, "labels": {"pod-security.kubernetes.io/enforce": level,
                                                   "pod-security.kubernetes.io/warn": "restricted"}}}


def test_a_namespace_does_not_enforce_the_privileged_pod_security_level():
    assert found(psa, NAMESPACE, labelled("restricted")) == []
    assert found(psa, NAMESPACE, labelled("baseline")) == []
    [message] = found(psa, NAMESPACE, labelled("privileged"))
    assert "(jhub) labels pod-security.kubernetes.io/enforce: privileged" in message
    # warn/audit at privileged enforce nothing either way; only enforce admits pods.
    warn_only = {"metadata": {"name": "jhub", "labels": {"pod-security.kubernetes.io/warn": "privileged"}}}
    assert found(psa, NAMESPACE, warn_only) == []
    # No label, unknown labels or level: not judged.
    assert found(psa, NAMESPACE, {"metadata": {"name": "jhub"}}) == []
    assert found(psa, NAMESPACE, {"metadata": {"name": "jhub", "labels": UNKNOWN}}) == []
    assert found(psa, NAMESPACE, labelled(UNKNOWN)) == []


def test_node_agent_namespaces_may_be_privileged_and_lists_are_judged_item_by_item():
    assert found(psa, NAMESPACE, labelled("privileged", "kube-system")) == []
    assert found(psa, NAMESPACE, labelled("privileged", "gpu-system")) == []
    assert len(found(psa, NAMESPACE, labelled("privileged", "gpu-system"), {"privilegedNamespaces": []})) == 1
    listed = {"items": [labelled("restricted", "a"), labelled("privileged", "b")]}
    [message] = found(psa, "kubernetes:core/v1:NamespaceList", listed)
    assert "(b) labels" in message
    patch = {"metadata": {"name": "jhub", "labels": {"pod-security.kubernetes.io/enforce": "privileged"}}}
    assert len(found(psa, "kubernetes:core/v1:NamespacePatch", patch)) == 1


# --- bindings of the built-in edit and admin ClusterRoles ---------------------------------------------------


def built_in_binding(role: str, kind: str = "RoleBinding", **ref) -> tuple[str, dict]:
    props = {"metadata": {"name": "nb", "namespace": "jhub"},
             "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": role, **ref},
             "subjects": [{"kind": "ServiceAccount", "name": "nb", "namespace": "jhub"}]}
    if kind == "ClusterRoleBinding":
        del props["metadata"]["namespace"]
    return f"kubernetes:rbac.authorization.k8s.io/v1:{kind}", props


def reported_grants(resource_type: str, props: dict, config=None) -> dict[str, list[str]]:
    found_ = {p.name: found(p, resource_type, props, config) for p in GRANT_POLICIES}
    return {name: messages for name, messages in found_.items() if messages}


@pytest.mark.parametrize("role", ["edit", "admin"])
def test_a_binding_of_the_built_in_edit_or_admin_role_is_judged_on_their_bootstrap_rules(role):
    found_ = reported_grants(*built_in_binding(role))
    assert sorted(found_) == ["k8s-rbac-no-impersonate", "k8s-rbac-no-pod-exec", "k8s-rbac-no-secrets-read",
                              "k8s-rbac-no-token-request"]
    assert "(RoleBinding jhub/nb) binds the built-in ClusterRole " + role + " to ServiceAccount nb, which grants " \
           "the right to read every Secret in its namespace" in found_["k8s-rbac-no-secrets-read"][0]
    [message] = reported_grants(*built_in_binding(role, "ClusterRoleBinding"))["k8s-rbac-no-pod-exec"]
    assert "(ClusterRoleBinding nb) binds" in message and "in every namespace" in message
    assert reported_grants(*built_in_binding(role), {"allowedRoles": [role]}) == {}
    # A team's users and groups with their namespace's admin or edit role: the roles' intended use.
    resource_type, props = built_in_binding(role)
    props["subjects"] = [{"kind": "Group", "name": "ml-team", "apiGroup": "rbac.authorization.k8s.io"},
                         {"kind": "User", "name": "dana@example.com", "apiGroup": "rbac.authorization.k8s.io"}]
    assert reported_grants(resource_type, props) == {}


@pytest.mark.parametrize("role, ref", [("view", {}), ("edit", {"kind": "Role"}), ("team-edit", {}),
                                       ("edit", {"apiGroup": "example.com"})])
def test_other_roles_and_unknown_refs_are_not_taken_for_the_built_in_ones(role, ref):
    assert reported_grants(*built_in_binding(role, **ref)) == {}
    resource_type, props = built_in_binding("edit")
    props["roleRef"] = UNKNOWN
    assert reported_grants(resource_type, props) == {}


# --- Kubeflow Notebooks, Argo Rollouts (full pod templates); Seldon and Knative (completed by their controller) -

NOTEBOOK = "kubernetes:kubeflow.org/v1:Notebook"
POD = {"containers": [{"name": "notebook", "image": "jupyter/scipy-notebook:2024-05-27"}]}


def templated(resource_type: str, pod: dict) -> dict:
    spec = ({"predictors": [{"name": "default", "componentSpecs": [{"spec": pod}], "graph": {"name": "notebook"}}]}
            if "seldon" in resource_type else {"template": {"spec": pod}})
    return {"metadata": {"name": "alice", "namespace": "kubeflow-alice"}, "spec": spec}


@pytest.mark.parametrize("resource_type, partial", [
    (NOTEBOOK, False), ("kubernetes:argoproj.io/v1alpha1:Rollout", False),
    ("kubernetes:machinelearning.seldon.io/v1:SeldonDeployment", True),
    ("kubernetes:serving.knative.dev/v1:Service", True), ("kubernetes:serving.knative.dev/v1:Configuration", True)])
def test_notebook_rollout_seldon_and_knative_pod_templates_are_judged(resource_type, partial):
    [pod] = _pods.pods(stack_resource(resource_type, templated(resource_type, POD)))
    assert pod.partial is partial and [c.name for c in _pods.containers(pod)] == ["notebook"]
    # An absent runAsNonRoot is judged only where the pod is the program's alone.
    assert len(found(k8s_run_as_non_root, resource_type, templated(resource_type, POD))) == (0 if partial else 1)
    privileged = {**POD, "hostNetwork": True}
    assert len(found(k8s_no_host_network, resource_type, templated(resource_type, privileged))) == 1
    assert found(k8s_no_host_network, resource_type, {"metadata": {"name": "x"}, "spec": UNKNOWN}) == []


# --- Spark operator applications: the driver's and the executors' pods (kubeflow/spark-operator v1beta2) ---------

SPARK = "kubernetes:sparkoperator.k8s.io/v1beta2:SparkApplication"


def spark(scheduled: bool = False, **driver) -> tuple[str, dict]:
    application = {"type": "Python", "mode": "cluster",
                   "image": "123456789012.dkr.ecr.us-east-1.amazonaws.com/spark:3.5.1",
                   "mainApplicationFile": "local:///opt/app/features.py", "sparkVersion": "3.5.1",
                   "volumes": [{"name": "scratch", "emptyDir": {}}, {"name": "node", "hostPath": {"path": "/"}}],
                   "driver": {"cores": 1, "memory": "2g", "serviceAccount": "spark", **driver},
                   "executor": {"cores": 2, "instances": 4, "memory": "8g",
                                "volumeMounts": [{"name": "scratch", "mountPath": "/tmp"}]}}
    props = {"metadata": {"name": "features", "namespace": "pipelines"},
             "spec": {"schedule": "@daily", "template": application} if scheduled else application}
    return ("kubernetes:sparkoperator.k8s.io/v1beta2:ScheduledSparkApplication" if scheduled else SPARK), props


@pytest.mark.parametrize("scheduled", [False, True])
def test_a_spark_application_is_a_partial_driver_pod_and_executor_pod(scheduled):
    resource_type, props = spark(scheduled)
    driver, executor = _pods.pods(stack_resource(resource_type, props))
    prefix = "spec.template" if scheduled else "spec"
    assert (driver.where, executor.where) == (f"{prefix}.driver", f"{prefix}.executor")
    assert driver.partial and [c.name for c in _pods.containers(driver)] == ["spark-kubernetes-driver"]
    assert driver.spec["serviceAccountName"] == "spark" and "volumes" not in driver.spec
    assert [v["name"] for v in executor.spec["volumes"]] == ["scratch"]  # only what its containers mount
    assert found(k8s_run_as_non_root, resource_type, props) == [] and found(k8s_no_host_path_volumes, resource_type,
                                                                             props) == []
    resource_type, props = spark(scheduled, hostNetwork=True, podSecurityContext={"runAsUser": 0},
                                 securityContext={"privileged": True}, image="spark:latest",
                                 volumeMounts=[{"name": "node", "mountPath": "/host"}])
    for rule in (k8s_no_host_network, k8s_run_as_non_root, k8s_no_privileged_containers, k8s_image_pinned,
                 k8s_no_host_path_volumes):
        [message] = found(rule, resource_type, props)
        assert f"({prefix}.driver)" in message


def test_a_spark_application_s_configuration_and_environment_are_read_for_credentials():
    resource_type, props = spark()
    assert found(no_plaintext_secrets_in_environment, resource_type, props) == []
    props["spec"]["hadoopConf"] = {"fs.s3a.access.key": "AKIAIOSFODNN7EXAMPLE",
                                   "fs.s3a.aws.credentials.provider":
                                       "com.amazonaws.auth.WebIdentityTokenCredentialsProvider"}
    props["spec"]["sparkConf"] = {"spark.hadoop.fs.s3a.secret.key": "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
                                  "spark.executor.memoryOverhead": "1g"}
    props["spec"]["driver"]["envVars"] = {"DB_PASSWORD": "hunter2-prod"}
    props["spec"]["executor"]["env"] = [{"name": "API_TOKEN", "value": "tok_live_0123456789"}]
    props["spec"]["executor"]["sidecars"] = [{"name": "proxy", "image": "envoy:1.30",
                                              "env": [{"name": "PROXY_PASSWORD", "value": "s3cr3t-proxy"}]}]
    messages = found(no_plaintext_secrets_in_environment, resource_type, props)
    assert sorted(m.split(": ", 1)[1].split(" holds")[0] for m in messages) == [
        "spec.driver.env 'DB_PASSWORD'", "spec.executor.env 'API_TOKEN'", "spec.executor.sidecars[0].env "
        "'PROXY_PASSWORD'", "spec.hadoopConf 'fs.s3a.access.key'", "spec.sparkConf 'spark.hadoop.fs.s3a.secret.key'"]
