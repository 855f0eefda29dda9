"""Kubernetes and EKS ML programs written the way other teams write them (tests/foreign_k8s_programs/):
typed ``*Args`` and plain dicts, snake_case and camelCase keys, helpers and loops, their own
ComponentResource, a provider with a namespace, yaml.v2.ConfigGroup, yaml.ConfigFile and ConfigGroup (with a
transformation), kustomize.v2.Directory (overlays with patches, a component, generators and a name prefix), KubeRay, Kueue, Kubeflow (training jobs, Notebooks, PodDefaults),
KServe, Argo Workflows, Spark operator and Karpenter custom resources, a Helm release, pulumi-eks and raw
aws.eks.

Each program has a ``compliant`` variant (written with care: Pod Security Restricted, least-privilege
RBAC, private endpoint, encryption, logs) and a ``vulnerable`` one with misconfigurations seeded on
purpose (named in its docstring). Each is planned once and reviewed by every pack against ``prod``:
the vulnerable variant must report at least its expected rules; the compliant one no mandatory
violation outside the org-policy allow-list below.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from mlinfra.plan import plan
from mlinfra.review.deployment import resources_from_document
from mlinfra.review.engine import review

ROOT = Path(__file__).resolve().parent.parent
CORPUS = Path(__file__).resolve().parent / "foreign_k8s_programs"
PACKS = [ROOT / "policies" / pack for pack in ("security", "privacy", "compliance")]

#: Mandatory findings a reasonable reviewer accepts on a carefully written program: our organisation's
#: policy, not a misreading of the program. Every program, whatever it declares:
ORG_POLICY = {
    # The org wants a COST budget in every stack that declares AWS resources (the EKS programs here); a
    # program of Kubernetes objects alone is not asked for one.
    "environment-budget",
}
#: ... and per program.
ALLOWED = {
    # Our GPU capacity is charged to a 'team' tag; the program tags owner and cost-center, not 'team'.
    "eks_raw": {"gpu-capacity-team-tag"},
    # The NVIDIA device plugin must mount the kubelet's device-plugins directory (hostPath) and runs as
    # root to write its socket there (NVIDIA/k8s-device-plugin deployments/static manifest). That is a
    # node agent the org reviews and declares in exemptDaemonSets (checked below), not a misread.
    "gpu_node_agents": {"k8s-no-host-path-volumes", "k8s-run-as-non-root"},
}
#: The rules each vulnerable variant must report (its docstring names the seeded misconfigurations).
EXPECTED = {
    "spark_feature_pipeline": ["k8s-no-default-namespace", "k8s-rbac-no-secrets-read", "k8s-rbac-no-pod-exec",
                               "no-plaintext-secrets-in-environment", "k8s-no-host-network", "k8s-no-host-path-volumes",
                               "k8s-run-as-non-root", "k8s-image-pinned", "k8s-namespace-network-policy"],
    "kubeflow_notebooks": ["no-plaintext-secrets-in-environment", "k8s-run-as-non-root", "k8s-no-host-path-volumes",
                           "k8s-image-pinned", "k8s-gpu-workloads-tolerate-taint", "k8s-container-memory-limit",
                           "k8s-namespace-network-policy"],
    # Each seeded by a kustomize feature the base does not show (patches, the images transformer).
    "ranker_overlays": ["k8s-no-default-namespace", "no-plaintext-secrets-in-environment", "k8s-no-host-network",
                        "k8s-no-privileged-containers", "k8s-image-pinned", "k8s-run-as-non-root",
                        "k8s-container-resource-requests", "k8s-namespace-network-policy"],
    "airflow_kustomize": ["k8s-no-default-namespace", "k8s-rbac-no-secrets-read", "k8s-rbac-no-pod-exec",
                          "no-plaintext-secrets-in-environment", "k8s-run-as-non-root", "k8s-no-host-path-volumes",
                          "k8s-image-pinned", "k8s-service-load-balancer-internal", "k8s-namespace-network-policy"],
    # GRANT_SUDO=yes is the docker-stacks image's passwordless sudo, which needs the pod to start as root:
    # reported as k8s-run-as-non-root, not a rule of its own.
    "jupyterhub_notebooks": ["k8s-namespace-pod-security-not-privileged", "k8s-rbac-no-secrets-read",
                             "k8s-rbac-no-pod-exec", "k8s-rbac-no-impersonate", "k8s-rbac-no-escalate",
                             "k8s-service-load-balancer-internal", "k8s-run-as-non-root", "k8s-no-host-path-volumes",
                             "k8s-image-pinned", "k8s-container-memory-limit", "k8s-namespace-network-policy"],
    "triton_configgroup": ["k8s-no-host-path-volumes", "k8s-no-added-capabilities", "k8s-no-host-network",
                           "k8s-image-pinned", "k8s-service-account-token-automount",
                           "k8s-service-load-balancer-internal", "k8s-ingress-tls", "k8s-namespace-network-policy"],
    "argo_workflows": ["k8s-no-default-namespace", "k8s-no-cluster-admin-binding",
                       "no-plaintext-secrets-in-environment", "k8s-no-privileged-containers",
                       "k8s-no-host-path-volumes", "k8s-no-host-network", "k8s-run-as-non-root", "k8s-image-pinned"],
    "gpu_inference": ["k8s-image-pinned", "k8s-no-privileged-containers", "k8s-gpu-workloads-tolerate-taint",
                      "k8s-ingress-alb-internal", "k8s-ingress-tls", "k8s-no-default-namespace"],
    "kuberay_training": ["k8s-service-load-balancer-internal", "no-plaintext-secrets-in-environment",
                         "k8s-no-host-path-volumes", "k8s-container-memory-limit",
                         "k8s-gpu-workloads-tolerate-taint"],
    "kueue_batch": ["k8s-no-default-namespace", "k8s-no-host-network", "k8s-run-as-non-root", "k8s-image-pinned",
                    "no-plaintext-secrets-in-environment", "k8s-rbac-no-pod-exec"],
    "pytorch_training": ["k8s-no-host-ipc", "k8s-no-added-capabilities", "k8s-no-privileged-containers",
                         "k8s-image-pinned", "k8s-container-memory-limit"],
    "notebook_rbac": ["k8s-no-cluster-admin-binding", "k8s-rbac-no-wildcards", "k8s-rbac-no-secrets-read",
                      "k8s-no-all-authenticated-binding", "k8s-no-default-service-account-binding",
                      "k8s-run-as-non-root", "k8s-rbac-no-token-request", "k8s-rbac-no-persistent-volume-create"],
    "serving_namespace": ["k8s-service-load-balancer-internal", "k8s-service-no-external-ips",
                          "k8s-container-resource-requests", "k8s-container-memory-limit", "k8s-no-host-ports",
                          "k8s-namespace-network-policy"],
    "batch_scoring_cronjob": ["no-plaintext-secrets-in-environment", "k8s-run-as-non-root",
                              "k8s-no-added-capabilities", "k8s-seccomp-profile"],
    "gpu_node_agents": ["k8s-no-privileged-containers", "k8s-no-host-network", "k8s-no-host-pid",
                        "k8s-no-host-path-volumes", "k8s-image-pinned"],
    "kserve_inference": ["k8s-no-default-namespace", "k8s-no-host-network", "k8s-no-privileged-containers",
                         "k8s-namespace-network-policy", "no-plaintext-secrets-in-environment"],
    # its GPU NodePool also sets no spec.limits (the compliant one caps nvidia.com/gpu at 16)
    "karpenter_gpu_nodes": ["launch-template-imdsv2", "launch-template-metadata-hop-limit",
                            "launch-template-encrypted-volumes", "gpu-node-group-tainted", "gpu-capacity-cap"],
    "eks_pulumi_eks": ["eks-endpoint-access", "eks-secrets-encryption", "eks-control-plane-logging",
                       "eks-node-group-component-no-ssh", "iam-eks-oidc-trust-scoped", "iam-no-data-service-wildcard",
                       "gpu-node-group-component-tainted"],
    "eks_raw": ["eks-endpoint-access", "eks-supported-version", "eks-control-plane-logging", "eks-secrets-encryption",
                "launch-template-imdsv2", "launch-template-metadata-hop-limit", "launch-template-encrypted-volumes",
                "eks-node-group-no-ssh"],
}
PROGRAMS = sorted(EXPECTED)


@pytest.fixture(scope="module")
def plans(tmp_path_factory) -> dict[tuple[str, str], list]:
    """Each variant planned once (from a copy: planning must not depend on, or write into, the corpus)."""
    found = {}
    for name in PROGRAMS:
        for variant in ("compliant", "vulnerable"):
            project = tmp_path_factory.mktemp(f"{name}-{variant}")
            shutil.copytree(CORPUS / name / variant, project, dirs_exist_ok=True)
            found[name, variant] = resources_from_document(plan(project, "dev"), "plan")
    return found


@pytest.fixture(scope="module")
def results(plans) -> dict[tuple[str, str], list]:
    return {key: review(resources, None, "prod", ROOT).violations for key, resources in plans.items()}


def test_the_corpus_is_every_program_with_both_variants():
    on_disk = sorted(p.name for p in CORPUS.iterdir() if p.is_dir())
    assert on_disk == PROGRAMS
    for name in PROGRAMS:
        for variant in ("compliant", "vulnerable"):
            assert (CORPUS / name / variant / "Pulumi.yaml").is_file()
            assert (CORPUS / name / variant / "__main__.py").is_file()


@pytest.mark.parametrize("name", PROGRAMS)
def test_vulnerable_variant_reports_its_seeded_misconfigurations(results, name):
    reported = {v.policy for v in results[name, "vulnerable"] if v.enforcement_level == "mandatory"}
    assert set(EXPECTED[name]) - reported == set()


@pytest.mark.parametrize("name", PROGRAMS)
def test_compliant_variant_has_no_mandatory_violation_outside_org_policy(results, name):
    allowed = ORG_POLICY | ALLOWED.get(name, set())
    wrong = [f"{v.policy}: {v.message.splitlines()[-1]}" for v in results[name, "compliant"]
             if v.enforcement_level == "mandatory" and v.policy not in allowed]
    assert wrong == []


@pytest.mark.parametrize("name", sorted(ALLOWED))
def test_each_allowed_org_policy_finding_is_still_reported(results, name):
    # An allow-list entry that no longer fires is stale: drop it.
    reported = {v.policy for v in results[name, "compliant"]}
    assert ALLOWED[name] <= reported


def test_the_notebooks_binding_of_the_built_in_edit_role_is_judged_on_its_grants(results):
    reported = {v.policy for v in results["jupyterhub_notebooks", "vulnerable"]
                if "(RoleBinding jhub/singleuser-edit) binds the built-in ClusterRole edit to ServiceAccount "
                "singleuser" in v.message}
    assert reported == {"k8s-rbac-no-secrets-read", "k8s-rbac-no-pod-exec", "k8s-rbac-no-impersonate",
                        "k8s-rbac-no-token-request"}


def test_the_seeded_credentials_in_airflow_s_environment_are_each_reported(results):
    # The Fernet key under its name, the database URL for the password in it (a kustomize.v2.Directory's objects).
    messages = [v.message for v in results["airflow_kustomize", "vulnerable"]
                if v.policy == "no-plaintext-secrets-in-environment"]
    assert [m for m in messages if "'AIRFLOW__CORE__FERNET_KEY' holds a literal value" in m]
    assert [m for m in messages if "'AIRFLOW__DATABASE__SQL_ALCHEMY_CONN' holds a password in a URL" in m]


def test_the_seeded_credentials_in_a_configmap_and_a_kserve_model_are_reported(results):
    def flagged(name: str, kind: str) -> list[str]:
        return [v.message for v in results[name, "vulnerable"]
                if v.policy == "no-plaintext-secrets-in-environment" and kind in v.message]

    assert flagged("batch_scoring_cronjob", "kubernetes:core/v1:ConfigMap")
    assert flagged("kserve_inference", "spec.predictor.model.env 'HF_TOKEN'")


def test_only_the_programs_that_declare_aws_resources_are_asked_for_a_budget(results):
    asked = {name for name in PROGRAMS if "environment-budget" in {v.policy for v in results[name, "compliant"]}}
    # The EKS programs, and the serving program's ECR repository and KMS key; no program of Kubernetes objects alone.
    assert asked == {"eks_pulumi_eks", "eks_raw", "karpenter_gpu_nodes", "serving_namespace"}, sorted(asked)


def test_the_device_plugin_is_compliant_once_declared_in_exempt_daemon_sets(plans, tmp_path):
    """The node agent's host access is an exemption its rules' configuration can declare."""
    config = tmp_path / "policies" / "config" / "prod"
    shutil.copytree(ROOT / "policies" / "config" / "prod", config)
    security = json.loads((config / "security.json").read_text())
    for rule in sorted(ALLOWED["gpu_node_agents"]):
        security[rule] = {**security.get(rule, {}),
                          "exemptDaemonSets": ["gpu-operator/nvidia-device-plugin-daemonset"]}
    (config / "security.json").write_text(json.dumps(security))
    violations = review(plans["gpu_node_agents", "compliant"], PACKS, "prod", tmp_path).violations
    assert [v.policy for v in violations if v.enforcement_level == "mandatory" and v.policy not in ORG_POLICY] == []
