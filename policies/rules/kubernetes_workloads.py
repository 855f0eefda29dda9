"""Kubernetes workloads beyond their security contexts (``kubernetes.py``), one control per rule:
pods mount a service account token only where they call the API; secrets reach containers as files,
not environment variables; images with a mutable tag are pulled on every start; git-sync's git
binary is not overridden.

Workloads are every kind with a pod spec (``policies/rules/_pods.py``); a ``<Kind>Patch`` is judged
only on what it sets. Sources: Kubernetes "Configure Service Accounts for Pods" (opt out of API
credential automounting: the pod's ``automountServiceAccountToken`` wins over the ServiceAccount's),
"Images" (``imagePullPolicy`` defaults to ``Always`` for ``:latest`` or no tag, else
``IfNotPresent``), "Good practices for Kubernetes Secrets"; CIS EKS Benchmark 1.1.0 4.1.6 and 4.4.1;
Checkov 3.3.30 ``checkov/kubernetes/checks/resource/k8s/`` (``ServiceAccountTokens.py``,
``Secrets.py``, ``ImagePullPolicyAlways.py``, ``DangerousGitSync.py``).
"""

from __future__ import annotations

import re
from typing import Any, Callable, Iterable, Optional

from pulumi_policy import ReportViolation, Severity, StackValidationArgs, StackValidationPolicy

from policies.rules._declare import config_schema, examines, frameworks, policy_config
from policies.rules._pods import (
    Container, Pod, containers, is_kind, is_workload, namespace, objects, pod_namespace, pods, workload_name,
)
from policies.rules._props import as_bool, as_list, describe, get, is_unknown
from policies.rules.ecr import NATIVE_REPOSITORY, REPOSITORY, tag_immutable
from policies.rules.kubernetes import image_tag, pod_policy

SERVICE_ACCOUNT = "core:ServiceAccount"

# --- service account tokens -------------------------------------------------------------------------

TOKEN_SCHEMA = config_schema(
    allowedServiceAccounts={
        "type": "array", "items": {"type": "string"}, "default": [],
        "description": "ServiceAccounts ('namespace/name') whose pods call the Kubernetes API and may mount a token.",
    },
)


def _declared_accounts(resources: Iterable[Any]) -> dict[tuple[str, str], Any]:
    """``(namespace, name)`` -> the ``automountServiceAccountToken`` of each ServiceAccount in the stack."""
    found: dict[tuple[str, str], Any] = {}
    for resource in resources:
        if not is_kind(resource.resource_type, SERVICE_ACCOUNT, patches=True):
            continue
        space, name = namespace(resource), get(resource.props, "metadata", "name")
        if isinstance(space, str) and isinstance(name, str) and not is_unknown(name):
            value = as_bool(get(resource.props, "automountServiceAccountToken"))
            if value is not None or (space, name) not in found:
                found[(space, name)] = value
    return found


BINDINGS = ("rbac.authorization.k8s.io:RoleBinding", "rbac.authorization.k8s.io:ClusterRoleBinding")


def _bound_accounts(resources: Iterable[Any]) -> set[tuple[str, str]]:
    """``(namespace, name)`` of the ServiceAccounts other than ``default`` that a RoleBinding or
    ClusterRoleBinding of the stack grants a role: their pods are given API permissions, so they call the
    API and need the token (CIS EKS 4.1.6: mounted "only where necessary"). A subject without a namespace
    is the RoleBinding's namespace's."""
    found: set[tuple[str, str]] = set()
    for resource in resources:
        for key in BINDINGS:
            for binding in objects(resource, key, namespaced=False):
                subjects = as_list(binding.props.get("subjects"))
                for subject in [] if is_unknown(subjects) else subjects:
                    if not isinstance(subject, dict) or subject.get("kind") != "ServiceAccount":
                        continue
                    name, space = subject.get("name"), subject.get("namespace")
                    if not space and key == BINDINGS[0]:
                        space = get(binding.props, "metadata", "namespace") or namespace(resource)
                    if isinstance(name, str) and name != "default" and isinstance(space, str) and space:
                        found.add((space, name))
    return found


def _service_account(pod: Pod) -> Any:
    name = pod.spec.get("serviceAccountName")
    if name is None or name == "":
        name = pod.spec.get("serviceAccount")  # the deprecated alias (core/v1 PodSpec)
    return "default" if name is None or name == "" else name


def _tokens(args: StackValidationArgs, report: ReportViolation) -> None:
    allowed = set(policy_config(args, TOKEN_SCHEMA)["allowedServiceAccounts"] or [])
    accounts, bound = None, None
    for resource in args.resources:
        if not is_workload(resource.resource_type):
            continue
        for pod in pods(resource):
            space = pod_namespace(resource, pod)
            if is_unknown(space):
                continue
            mounted = as_bool(pod.spec.get("automountServiceAccountToken"))
            account = _service_account(pod)
            if is_unknown(mounted) or mounted is False or not isinstance(account, str) or f"{space}/{account}" in allowed:
                continue
            bound = _bound_accounts(args.resources) if bound is None else bound
            if (space, account) in bound:
                continue
            if mounted is None:
                if pod.partial:
                    continue
                accounts = _declared_accounts(args.resources) if accounts is None else accounts
                declared = accounts.get((space, account))
                if is_unknown(declared) or declared is False:
                    continue
            shown = "true" if mounted else "unset, and the ServiceAccount does not turn it off"
            report(f"{describe(resource)} ({workload_name(resource)}){pod.label}: pods mount the {account} service "
                   f"account's API token (automountServiceAccountToken {shown}); set automountServiceAccountToken "
                   "false in the pod spec unless it calls the Kubernetes API", resource.urn)


k8s_service_account_token_automount = StackValidationPolicy(
    name="k8s-service-account-token-automount",
    description="Pods do not mount a service account token: automountServiceAccountToken false in the pod spec, or "
                "on the ServiceAccount they use when the stack declares it (the pod's setting wins), unless the "
                "ServiceAccount is in allowedServiceAccounts or the stack binds it (not 'default') to a role: "
                "then the pods call the API.",
    validate=examines(is_workload, _tokens), config_schema=TOKEN_SCHEMA, severity=Severity.MEDIUM,
    remediation_steps="Set automountServiceAccountToken: false in the pod spec (or on its ServiceAccount); a "
                      "workload that calls the API gets a dedicated ServiceAccount listed in allowedServiceAccounts "
                      "(EKS Pod Identity and IRSA credentials do not need this token).",
    **frameworks({"cis-eks": "4.1.6", "nist-800-53": "AC-6, IA-5"}),
)


# --- secrets as environment variables ------------------------------------------------------------------

def _secret_env(pod: Pod) -> Iterable[str]:
    for container in containers(pod):
        env = as_list(container.spec.get("env"))
        for item in [] if is_unknown(env) else env:
            ref = get(item, "valueFrom", "secretKeyRef") if isinstance(item, dict) else None
            if ref is not None and not is_unknown(ref):
                secret = get(ref, "name")
                yield (f"{container.label} reads Secret {secret if isinstance(secret, str) else '?'} into "
                       f"environment variable {item.get('name')}; mount it as a file (a secret volume) instead")
        env_from = as_list(container.spec.get("envFrom"))
        for item in [] if is_unknown(env_from) else env_from:
            ref = get(item, "secretRef") if isinstance(item, dict) else None
            if ref is not None and not is_unknown(ref):
                secret = get(ref, "name")
                yield (f"{container.label} loads every key of Secret {secret if isinstance(secret, str) else '?'} "
                       "into its environment (envFrom secretRef); mount it as a file (a secret volume) instead")


k8s_no_secrets_in_env = pod_policy(
    "k8s-no-secrets-in-env",
    "Containers take no Secret into environment variables (env valueFrom.secretKeyRef, envFrom secretRef): "
    "environment variables end up in logs, crash dumps and child processes.",
    _secret_env, Severity.LOW,
    "Mount the Secret as a volume (secret or projected, readOnly) and read the file, or fetch it at start from AWS "
    "Secrets Manager through the Secrets Store CSI driver.",
    {"cis-eks": "4.4.1", "nist-800-53": "SC-28, IA-5"}, exemptible=False)


# --- image pull policy ------------------------------------------------------------------------------
# A tag is mutable unless its repository says otherwise: an ECR repository the stack declares whose
# imageTagMutability fixes that tag (IMMUTABLE, or a *_WITH_EXCLUSION setting whose filters make it so:
# ``ecr.tag_immutable``; pulumi-aws ``name``, pulumi-aws-native ``repositoryName``; ECR image URIs are
# <account>.dkr.ecr.<region>.amazonaws.com/<name>), or a repository listed in the config.

ECR_IMAGE = re.compile(r"^\d{12}\.dkr\.ecr(?:-fips)?\.[a-z0-9-]+\.amazonaws\.com(?:\.cn)?/(?P<name>[^:@]+)")
ECR_REPOSITORIES = {REPOSITORY: "name", NATIVE_REPOSITORY: "repositoryName"}
PULL_SCHEMA = config_schema(
    immutableTagRepositories={
        "type": "array", "items": {"type": "string"}, "default": [],
        "description": "Image repositories (prefixes such as 'registry.example.com/ml/') whose tags cannot be "
                       "moved, declared outside the stack.",
    },
)


def _ecr_repositories(resources: Iterable[Any]) -> dict[str, Any]:
    """The properties of every ECR repository the stack declares, by repository name."""
    repositories = {}
    for resource in resources:
        field = ECR_REPOSITORIES.get(resource.resource_type)
        name = get(resource.props, field) if field else None
        if isinstance(name, str) and not is_unknown(name):
            repositories[name] = resource.props
    return repositories


def _pull_policy(container: Container, partial: bool, immutable: Callable[[str], bool]) -> Optional[str]:
    image, policy = container.spec.get("image"), container.spec.get("imagePullPolicy")
    if not isinstance(image, str) or not image.strip() or is_unknown(image) or is_unknown(policy):
        return None
    image = image.strip()
    tag = image_tag(image)
    if tag == "@" or policy == "Always" or (policy is None and partial):
        return None
    if policy is None and tag in (None, "latest"):
        return None  # the API server defaults the policy to Always for these (core/v1 SetDefaults_Container)
    if tag not in (None, "latest") and immutable(image):
        return None  # the tag cannot be moved: the cached image is the tag's
    shown = policy if isinstance(policy, str) else "unset, so IfNotPresent"
    return (f"{container.label} runs {image} by a mutable tag with imagePullPolicy {shown}: a node may run a "
            "cached image other than the tag's, pulled with someone else's credentials; set imagePullPolicy "
            "Always, pin a digest, or push to an ECR repository with immutable tags")


def _pull_policies(args: StackValidationArgs, report: ReportViolation) -> None:
    workloads = [r for r in args.resources if is_workload(r.resource_type)]
    if not workloads:
        return
    repositories = _ecr_repositories(args.resources)
    prefixes = [p for p in policy_config(args, PULL_SCHEMA)["immutableTagRepositories"] or [] if isinstance(p, str) and p]

    def immutable(image: str) -> bool:
        match = ECR_IMAGE.match(image)
        repository = repositories.get(match.group("name")) if match else None
        if repository is not None and tag_immutable(repository, image_tag(image)):
            return True
        return any(image.startswith(p) for p in prefixes)

    for resource in workloads:
        for pod in pods(resource):
            for container in containers(pod):
                message = _pull_policy(container, pod.partial, immutable)
                if message:
                    report(f"{describe(resource)} ({workload_name(resource)}){pod.label}: {message}", resource.urn)


k8s_image_pull_policy_always = StackValidationPolicy(
    name="k8s-image-pull-policy-always",
    description="Containers whose image tag can move are pulled on every start (imagePullPolicy Always; absent, "
                "Kubernetes defaults a versioned tag to IfNotPresent); a digest, or a tag in an ECR repository the "
                "stack declares IMMUTABLE (or one listed in immutableTagRepositories), cannot move.",
    validate=examines(is_workload, _pull_policies), config_schema=PULL_SCHEMA, severity=Severity.LOW,
    remediation_steps="Set imagePullPolicy: Always, reference the image by digest (repo@sha256:...), or push it to "
                      "an ECR repository with imageTagMutability IMMUTABLE.",
    **frameworks({"nist-800-53": "CM-2, SI-7", "pci-dss": "6.3.2"}),
)


# --- git-sync ------------------------------------------------------------------------------------------

GIT_SYNC_VARIABLES = ("GITSYNC_GIT", "GIT_SYNC_GIT")


def _git_sync(pod: Pod) -> Iterable[str]:
    for container in containers(pod):
        env = as_list(container.spec.get("env"))
        for item in [] if is_unknown(env) else env:
            if isinstance(item, dict) and item.get("name") in GIT_SYNC_VARIABLES:
                yield (f"{container.label} sets {item.get('name')}, the git binary git-sync runs: whoever sets it "
                       "runs any program in the container; remove it and use the image's git")


k8s_no_git_sync_git_override = pod_policy(
    "k8s-no-git-sync-git-override",
    "No container sets GITSYNC_GIT (GIT_SYNC_GIT in git-sync v3), the path of the binary git-sync runs as git.",
    _git_sync, Severity.MEDIUM,
    "Remove the GITSYNC_GIT / GIT_SYNC_GIT environment variable; git-sync then runs the git of its image.",
    {"nist-800-53": "CM-7, SI-7"}, exemptible=False)

SECURITY = [k8s_service_account_token_automount, k8s_no_secrets_in_env, k8s_image_pull_policy_always,
            k8s_no_git_sync_git_override]
PRIVACY: list = []
COMPLIANCE: list = []
