"""Kubernetes objects that open the cluster up, one control per rule: objects in the ``default``
namespace; Services with ``externalIPs`` (CVE-2020-8554); ingress-nginx snippet annotations
(CVE-2021-25742); Tiller (Helm 2's in-cluster server); the Kubernetes Dashboard; namespaces whose
workloads no NetworkPolicy selects; namespaces whose Pod Security admission label enforces ``privileged``.

Sources: CIS EKS Benchmark 1.1.0 4.6.3 ("The default namespace should not be used") and 4.3.2
("Ensure that all Namespaces have Network Policies defined"); Kubernetes issue #97076
(CVE-2020-8554, "Man in the middle using LoadBalancer or ExternalIPs"); kubernetes/ingress-nginx
#7837 (CVE-2021-25742, "custom snippets can be used to obtain all secrets in the cluster") and the
controller's ``allow-snippet-annotations`` ConfigMap key; Checkov 3.3.30
``checkov/kubernetes/checks/resource/k8s/`` (``DefaultNamespace.py``, ``NginxIngressCVE202125742*.py``,
``Tiller*.py``, ``KubernetesDashboard.py``) and ``checks/graph_checks/RequireAllPodsToHaveNetworkPolicy.json``;
kubernetes.io "Pod Security Admission" and "Enforce Pod Security Standards with Namespace Labels"
(``pod-security.kubernetes.io/<mode>: <level>``, ``enforce`` rejects violating pods) and Kyverno's EKS Best
Practices policy ``add-psa-labels`` (EKS accepts no cluster-wide AdmissionConfiguration, so namespaces carry
the labels).
"""

from __future__ import annotations

import json
import re
from typing import Any, Callable, Optional

from pulumi_policy import (
    ReportViolation, ResourceValidationArgs, ResourceValidationPolicy, Severity, StackValidationArgs,
    StackValidationPolicy,
)

from policies.rules._declare import applies_to, config_schema, examines, frameworks, policy_config
from policies.rules._pods import (
    CLUSTER_SCOPED_TEMPLATES, PARTIAL_KINDS, POD_SPEC_PATHS, containers, is_workload, kind_of, namespace, objects,
    pod_namespace, pods, workload_name,
)
from policies.rules._props import UNKNOWN, as_list, describe, get, is_unknown, plain

SERVICE = "core:Service"
INGRESSES = frozenset({"networking.k8s.io:Ingress", "extensions:Ingress"})

# --- the default namespace ---------------------------------------------------------------------------

#: Namespaced kinds judged for the default namespace: Checkov CKV_K8S_21's list (Pod, Deployment,
#: DaemonSet, StatefulSet, ReplicaSet, ReplicationController, Job, CronJob, Service, Secret,
#: ServiceAccount, Role, RoleBinding, ConfigMap, Ingress) plus PersistentVolumeClaims,
#: NetworkPolicies and every namespaced kind with pod specs (``POD_SPEC_PATHS``, ``PARTIAL_KINDS``; not the
#: cluster-scoped ``CLUSTER_SCOPED_TEMPLATES``).
NAMESPACED_KINDS: frozenset[str] = frozenset({
    "core:Service", "core:Secret", "core:ServiceAccount", "core:ConfigMap", "core:PersistentVolumeClaim",
    "rbac.authorization.k8s.io:Role", "rbac.authorization.k8s.io:RoleBinding", "networking.k8s.io:NetworkPolicy",
}) | INGRESSES | ((frozenset(POD_SPEC_PATHS) | PARTIAL_KINDS) - CLUSTER_SCOPED_TEMPLATES)
#: Objects that live in the default namespace by design (Checkov lets the same two through).
BUILT_IN_DEFAULTS = frozenset({("core:ServiceAccount", "default"), ("core:Service", "kubernetes")})


def _namespaced(resource_type: str) -> bool:
    kind = kind_of(resource_type)
    return kind is not None and kind.key in NAMESPACED_KINDS


def _default_namespace(args: ResourceValidationArgs, report: ReportViolation) -> None:
    kind = kind_of(args.resource_type)
    if kind is None or kind.key not in NAMESPACED_KINDS:
        return
    space, name = namespace(args), get(args.props, "metadata", "name")
    if is_unknown(space) or space != "default" or (isinstance(name, str) and (kind.key, name) in BUILT_IN_DEFAULTS):
        return
    report(f"{describe(args)} ({workload_name(args)}) is in the default namespace (no metadata.namespace and no "
           "provider namespace): put it in a namespace of its own, with its own RBAC, quotas and network policies")


k8s_no_default_namespace = ResourceValidationPolicy(
    name="k8s-no-default-namespace",
    description="Workloads, Services, Secrets, ConfigMaps, ServiceAccounts, Roles, RoleBindings, Ingresses, "
                "PersistentVolumeClaims and NetworkPolicies are not in the default namespace (metadata.namespace, "
                "else the provider's namespace, else default).",
    validate=applies_to(_namespaced, _default_namespace), severity=Severity.LOW,
    remediation_steps="Set metadata.namespace to a namespace created for the application (or the provider's "
                      "namespace option).",
    **frameworks({"cis-eks": "4.6.3", "nist-800-53": "SC-4, AC-4"}),
)


# --- Services and Ingresses ----------------------------------------------------------------------------

def _external_ips(args: ResourceValidationArgs, report: ReportViolation) -> None:
    ips = as_list(get(args.props, "spec", "externalIPs"))
    if is_unknown(ips) or not ips:
        return
    shown = ", ".join(str(ip) for ip in ips if not is_unknown(ip)) or "unknown"
    report(f"{describe(args)} ({workload_name(args)}) sets spec.externalIPs ({shown}): whoever sets a Service's "
           "external IPs can intercept traffic the cluster sends to them (CVE-2020-8554); use a LoadBalancer or an "
           "Ingress")


k8s_service_no_external_ips = ResourceValidationPolicy(
    name="k8s-service-no-external-ips",
    description="Services set no spec.externalIPs (CVE-2020-8554: traffic to those IPs is routed to the Service).",
    validate=applies_to(lambda t: (kind_of(t) is not None and kind_of(t).key == SERVICE), _external_ips),
    severity=Severity.MEDIUM,
    remediation_steps="Remove spec.externalIPs and expose the Service as type LoadBalancer (internal) or through an "
                      "Ingress; block the field cluster-wide with the DenyServiceExternalIPs admission plugin or a "
                      "policy engine.",
    **frameworks({"nist-800-53": "SC-7, SC-23"}),
)


def _snippets(args: ResourceValidationArgs, report: ReportViolation) -> None:
    annotations = get(args.props, "metadata", "annotations")
    if not isinstance(annotations, dict):
        return
    # ingress-nginx's snippet annotations (configuration-snippet, server-snippet, auth-snippet,
    # stream-snippet ...); the prefix is configurable (--annotations-prefix), so any prefix counts.
    found = sorted(key for key in annotations if isinstance(key, str) and "snippet" in key.rsplit("/", 1)[-1])
    if found:
        report(f"{describe(args)} ({workload_name(args)}) sets snippet annotations ({', '.join(found)}): raw NGINX "
               "configuration that can read the controller's service account token and every Secret "
               "(CVE-2021-25742); use the controller's dedicated annotations")


k8s_ingress_no_snippet_annotations = ResourceValidationPolicy(
    name="k8s-ingress-no-snippet-annotations",
    description="Ingresses carry no NGINX snippet annotations (*-snippet, CVE-2021-25742), whatever they contain.",
    validate=applies_to(lambda t: (kind_of(t) is not None and kind_of(t).key in INGRESSES), _snippets),
    severity=Severity.HIGH,
    remediation_steps="Remove nginx.ingress.kubernetes.io/*-snippet annotations, use the controller's dedicated "
                      "annotations instead, and keep allow-snippet-annotations false in the controller's ConfigMap.",
    **frameworks({"nist-800-53": "SI-10, AC-6", "pci-dss": "6.2.4"}),
)


# --- ALB Ingresses: scheme and TLS -----------------------------------------------------------------------
# AWS Load Balancer Controller, docs/guide/ingress/annotations.md: scheme defaults to internal;
# listen-ports defaults to [{"HTTP": 80}], or [{"HTTPS": 443}] when certificate-arn is set
# (pkg/ingress/model_build_listener.go: preferTLS is len(explicitTLSCertARNs) != 0); ssl-redirect makes
# every HTTP listener redirect to HTTPS. The annotation prefix is alb.ingress.kubernetes.io.

ALB = "alb.ingress.kubernetes.io/"
INGRESS_SCHEMA = config_schema(
    allowedPublicIngresses={
        "type": "array", "items": {"type": "string"}, "default": [],
        "description": "Ingresses ('namespace/name') declared public: they may have an internet-facing ALB.",
    },
)


def _is_ingress(resource_type: str) -> bool:
    kind = kind_of(resource_type)
    return kind is not None and kind.key in INGRESSES


def _annotations(args: Any) -> Any:
    annotations = get(args.props, "metadata", "annotations")
    return annotations if is_unknown(annotations) else annotations if isinstance(annotations, dict) else {}


def _is_alb(args: Any, annotations: dict) -> Any:
    """True for an Ingress the AWS Load Balancer Controller serves (class alb, or alb annotations)."""
    name = get(args.props, "spec", "ingressClassName")
    legacy = annotations.get("kubernetes.io/ingress.class")
    if is_unknown(name) or is_unknown(legacy):
        return name if is_unknown(name) else legacy
    return "alb" in (name, legacy) or any(isinstance(key, str) and key.startswith(ALB) for key in annotations)


def _ingress_scheme(args: ResourceValidationArgs, report: ReportViolation) -> None:
    annotations = _annotations(args)
    if is_unknown(annotations) or workload_name(args) in (
            policy_config(args, INGRESS_SCHEMA)["allowedPublicIngresses"] or []):
        return
    alb, scheme = _is_alb(args, annotations), annotations.get(f"{ALB}scheme")
    if alb is True and isinstance(scheme, str) and scheme.strip().lower() == "internet-facing":
        report(f"{describe(args)} ({workload_name(args)}) asks for an internet-facing ALB ({ALB}scheme: "
               "internet-facing): leave the scheme internal (the controller's default) or list the Ingress in "
               "allowedPublicIngresses if it is meant to be public")


k8s_ingress_alb_internal = ResourceValidationPolicy(
    name="k8s-ingress-alb-internal",
    description="Ingresses served by the AWS Load Balancer Controller keep the internal scheme (its default) unless "
                "declared public.",
    validate=applies_to(_is_ingress, _ingress_scheme), config_schema=INGRESS_SCHEMA, severity=Severity.HIGH,
    remediation_steps=f"Remove {ALB}scheme: internet-facing (or set it internal); expose public endpoints through "
                      "a reviewed Ingress listed in allowedPublicIngresses, behind WAF and authentication.",
    **frameworks({"nist-800-53": "SC-7", "pci-dss": "1.3.1", "hipaa": "164.312(e)(1)"}),
)


def _listen_protocols(annotations: dict) -> Any:
    """The protocols of an ALB Ingress's listeners; UNKNOWN when not known, None when unreadable."""

    value = annotations.get(f"{ALB}listen-ports")
    if is_unknown(value) or is_unknown(annotations.get(f"{ALB}certificate-arn")):
        return UNKNOWN
    if value is None or (isinstance(value, str) and not value.strip()):
        return {"HTTPS"} if annotations.get(f"{ALB}certificate-arn") else {"HTTP"}
    try:
        ports = json.loads(value) if isinstance(value, str) else None
    except ValueError:
        return None  # the controller rejects it: nothing is served
    if not isinstance(ports, list):
        return None
    return {str(key).upper() for item in ports if isinstance(item, dict) for key in item}


def _ingress_tls(args: ResourceValidationArgs, report: ReportViolation) -> None:
    annotations = _annotations(args)
    kind = kind_of(args.resource_type)
    if is_unknown(annotations) or kind is None:
        return
    alb = _is_alb(args, annotations)
    if is_unknown(alb):
        return
    if alb:
        protocols, redirect = _listen_protocols(annotations), annotations.get(f"{ALB}ssl-redirect")
        if protocols in (None, UNKNOWN) or is_unknown(redirect) or "HTTP" not in protocols or redirect:
            return
        report(f"{describe(args)} ({workload_name(args)}) has an ALB listener on plain HTTP "
               f"({ALB}listen-ports {'unset, so HTTP:80' if annotations.get(f'{ALB}listen-ports') is None else 'with HTTP'}) "
               f"and no {ALB}ssl-redirect: add certificate-arn and HTTPS listen-ports, with ssl-redirect '443'")
        return
    tls = as_list(get(args.props, "spec", "tls"))
    redirect = annotations.get("nginx.ingress.kubernetes.io/ssl-redirect")
    if is_unknown(tls) or is_unknown(redirect) or (not tls and kind.patch):
        return
    if not tls:
        report(f"{describe(args)} ({workload_name(args)}) has no spec.tls: it serves plain HTTP; add a tls entry "
               "with the hosts and a certificate Secret (for example from cert-manager)")
    elif isinstance(redirect, str) and redirect.strip().lower() == "false":
        report(f"{describe(args)} ({workload_name(args)}) turns the HTTP to HTTPS redirect off "
               "(nginx.ingress.kubernetes.io/ssl-redirect: false); remove the annotation")


k8s_ingress_tls = ResourceValidationPolicy(
    name="k8s-ingress-tls",
    description="Ingresses serve HTTPS only: an ALB Ingress has no plain HTTP listener without ssl-redirect (listen "
                "ports default to HTTP:80 without certificate-arn); any other Ingress has spec.tls and keeps "
                "ingress-nginx's HTTPS redirect.",
    validate=applies_to(_is_ingress, _ingress_tls), severity=Severity.MEDIUM,
    remediation_steps=f"ALB: set {ALB}certificate-arn (an ACM certificate), {ALB}listen-ports "
                      "'[{\"HTTPS\": 443}]' (or with HTTP:80 and ssl-redirect '443'). Other controllers: add spec.tls "
                      "with the hosts and a certificate Secret.",
    **frameworks({"nist-800-53": "SC-8", "pci-dss": "4.2.1", "hipaa": "164.312(e)(1)", "gdpr": "Art. 32(1)(a)"}),
)


# --- Tiller and the Dashboard ---------------------------------------------------------------------------

_TILLER = re.compile(r"(^|[^a-z0-9])tiller([^a-z0-9]|$)")


def _repository(image: str) -> str:
    """The repository of an image reference, without registry port, tag or digest."""
    image = image.split("@", 1)[0]
    head, _, last = image.rpartition("/")
    return f"{head}/{last.split(':', 1)[0]}" if head else last.split(":", 1)[0]


def _pod_labels(args: Any) -> list[dict]:
    """The workload's labels and those of its pod templates (the ``metadata`` beside each pod spec)."""
    found = [get(args.props, "metadata", "labels")] + [pod.metadata.get("labels") for pod in pods(args)]
    return [labels for labels in found if isinstance(labels, dict)]


def _runs(args: Any, repository: Callable[[str], bool], labels: Callable[[dict], bool], labelled: str) -> Optional[str]:
    """What shows a workload runs a program: ``image <ref>`` for the first container image whose repository
    (``_repository``) matches, else ``labelled`` when the workload's or a pod template's labels match; None."""
    images = [c.spec.get("image") for pod in pods(args) for c in containers(pod)]
    by_image = [i for i in images if isinstance(i, str) and not is_unknown(i) and repository(_repository(i))]
    if by_image:
        return f"image {by_image[0]}"
    return labelled if any(labels(found) for found in _pod_labels(args)) else None


def _tiller(args: ResourceValidationArgs, report: ReportViolation) -> None:
    kind = kind_of(args.resource_type)
    if kind is None:
        return
    if kind.key == SERVICE:
        values = [get(args.props, "metadata", "name")]
        for labels in (get(args.props, "metadata", "labels"), get(args.props, "spec", "selector")):
            values += list(labels.values()) if isinstance(labels, dict) else []
        if any(isinstance(v, str) and _TILLER.search(v.lower()) for v in values):
            report(f"{describe(args)} ({workload_name(args)}) exposes Tiller, Helm 2's server, which runs every "
                   "request with cluster-admin rights and no authentication; delete it and use Helm 3")
        return
    shown = _runs(args, lambda repository: repository.rsplit("/", 1)[-1] == "tiller",
                  lambda labels: labels.get("name") == "tiller" or labels.get("app") == "helm",
                  "labels of Helm 2's tiller-deploy")
    if shown:
        report(f"{describe(args)} ({workload_name(args)}) runs Tiller ({shown}), Helm 2's server, which runs every "
               "request with cluster-admin rights and no authentication; delete it and use Helm 3")


k8s_no_tiller = ResourceValidationPolicy(
    name="k8s-no-tiller",
    description="No workload runs Tiller (Helm 2, end of life since 2020; image .../tiller or labels name=tiller, "
                "app=helm) and no Service exposes it.",
    validate=applies_to(lambda t: is_workload(t) or (kind_of(t) is not None and kind_of(t).key == SERVICE), _tiller),
    severity=Severity.HIGH,
    remediation_steps="Delete the tiller-deploy Deployment and Service (helm 2 reset) and manage charts with Helm 3 "
                      "(kubernetes.helm.v3.Release), which has no in-cluster server.",
    **frameworks({"nist-800-53": "AC-6, CM-7, SA-22"}),
)

def _dashboard(args: ResourceValidationArgs, report: ReportViolation) -> None:
    kind = kind_of(args.resource_type)
    if kind is None:
        return
    shown = _runs(args, lambda repository: "kubernetes-dashboard" in repository or "kubernetesui/" in repository,
                  lambda labels: "kubernetes-dashboard" in (labels.get("app"), labels.get("k8s-app"),
                                                            labels.get("app.kubernetes.io/name")),
                  "label kubernetes-dashboard")
    if shown:
        report(f"{describe(args)} ({workload_name(args)}) runs the Kubernetes Dashboard ({shown}): a web UI with "
               "cluster credentials that has been the way into exposed clusters; use kubectl or a read-only console")


k8s_no_kubernetes_dashboard = ResourceValidationPolicy(
    name="k8s-no-kubernetes-dashboard",
    description="No workload runs the Kubernetes Dashboard (images kubernetesui/* or .../kubernetes-dashboard, "
                "label kubernetes-dashboard). Helm releases are opaque: their manifests are rendered in the "
                "provider, so a release of the kubernetes-dashboard chart is not seen.",
    validate=applies_to(is_workload, _dashboard),
    severity=Severity.MEDIUM,
    remediation_steps="Remove the Dashboard; give operators kubectl access through EKS access entries, or the EKS "
                      "console's read-only resource view.",
    **frameworks({"nist-800-53": "CM-7, AC-17"}),
)


# --- NetworkPolicies ---------------------------------------------------------------------------------

NETWORK_POLICIES = frozenset({"networking.k8s.io:NetworkPolicy", "cilium.io:CiliumNetworkPolicy",
                              "crd.projectcalico.org:NetworkPolicy", "projectcalico.org:NetworkPolicy"})
CLUSTER_POLICIES = frozenset({"cilium.io:CiliumClusterwideNetworkPolicy", "crd.projectcalico.org:GlobalNetworkPolicy",
                              "projectcalico.org:GlobalNetworkPolicy", "policy.networking.k8s.io:AdminNetworkPolicy",
                              "policy.networking.k8s.io:BaselineAdminNetworkPolicy"})
NETWORK_POLICY_SCHEMA = config_schema(
    namespacesWithPolicies={
        "type": "array", "items": {"type": "string"}, "default": [],
        "description": "Namespaces whose network policies another program or a Helm release declares.",
    },
)


def _empty(value: Any) -> bool:
    return value is None or value == {} or value == []


def allows_all_ingress(props: Any) -> bool:
    """True when a networking.k8s.io NetworkPolicy lets every source reach every pod of its namespace on
    every port: ``podSelector`` empty (all pods), Ingress among its ``policyTypes`` (the default when
    unset), and an ingress rule with neither ``from`` nor ``ports`` (Kubernetes API reference,
    NetworkPolicyIngressRule: "If this field is empty or missing, this rule matches all sources" /
    "... matches all ports"). Policies are additive, so one such policy opens the namespace whatever the
    others deny. Unknown values never count as allowing all."""
    if not isinstance(props, dict):
        return False
    spec = props.get("spec")
    if not isinstance(spec, dict) or not _empty(spec.get("podSelector")):
        return False
    types = spec.get("policyTypes")
    if is_unknown(types) or (isinstance(types, list) and "Ingress" not in types):
        return False
    rules = spec.get("ingress")
    return isinstance(rules, list) and any(
        isinstance(rule, dict) and _empty(rule.get("from")) and _empty(rule.get("ports")) for rule in rules)


def _network_policies(args: StackValidationArgs, report: ReportViolation) -> None:
    covered, everywhere, unknown, open_to_all = set(), False, False, set()
    for resource in args.resources:
        kind = kind_of(resource.resource_type)
        if kind is None or kind.patch:
            continue
        if kind.key in CLUSTER_POLICIES:
            everywhere = True
        elif kind.key in NETWORK_POLICIES:
            space = namespace(resource)
            unknown = unknown or is_unknown(space)
            covered.add(space)
            if kind.key == "networking.k8s.io:NetworkPolicy" and allows_all_ingress(plain(resource.props)):
                open_to_all.add(space)
    if everywhere or unknown:
        return
    covered |= set(policy_config(args, NETWORK_POLICY_SCHEMA)["namespacesWithPolicies"] or [])
    covered -= open_to_all
    for resource in args.resources:
        kind = kind_of(resource.resource_type)
        if not is_workload(resource.resource_type) or kind is None or kind.patch or kind.key in CLUSTER_SCOPED_TEMPLATES:
            continue
        spaces = {pod_namespace(resource, pod): pod for pod in pods(resource)}
        for space, pod in spaces.items():
            if not is_unknown(space) and space not in covered:
                shown = pod.label if pod.namespace else ""
                why = ("a NetworkPolicy allows all ingress to every pod (podSelector {} with an ingress rule of no "
                       "from and no ports; policies add up, so no other policy narrows it)" if space in open_to_all
                       else "no NetworkPolicy is declared")
                report(f"{describe(resource)} ({workload_name(resource)}){shown} runs in namespace {space}, where "
                       f"{why}: its pods accept traffic from every pod of the cluster; declare a "
                       "default-deny NetworkPolicy and allow what it serves", resource.urn)


k8s_namespace_network_policy = StackValidationPolicy(
    name="k8s-namespace-network-policy",
    description="Every namespace with a workload has a NetworkPolicy (Kubernetes, Cilium or Calico) declared in the "
                "stack, none of which allows all ingress to every pod, or a cluster-wide policy exists, or it is "
                "listed in namespacesWithPolicies.",
    validate=examines(is_workload, _network_policies), config_schema=NETWORK_POLICY_SCHEMA, severity=Severity.MEDIUM,
    remediation_steps="Declare a NetworkPolicy in each namespace (a default deny with podSelector {} and "
                      "policyTypes [Ingress, Egress], then allows), and turn on network policy enforcement in the "
                      "VPC CNI (enableNetworkPolicy) or run Cilium/Calico; list namespaces whose policies another "
                      "program declares in namespacesWithPolicies.",
    **frameworks({"cis-eks": "4.3.2", "nist-800-53": "SC-7, AC-4", "pci-dss": "1.2.1"}),
)

# --- Pod Security admission --------------------------------------------------------------------------

PSA_ENFORCE = "pod-security.kubernetes.io/enforce"
PSA_SCHEMA = config_schema(
    privilegedNamespaces={
        "type": "array", "items": {"type": "string"}, "default": ["kube-system", "gpu-system"],
        "description": "Namespaces of node agents that must reach the host (the exemptDaemonSets' namespaces): "
                       "they may enforce the privileged level.",
    },
)


def _is_namespace(resource_type: str) -> bool:
    kind = kind_of(resource_type)
    return kind is not None and kind.key in ("core:Namespace", "core:NamespaceList")


def _pod_security_level(args: ResourceValidationArgs, report: ReportViolation) -> None:
    allowed = set(policy_config(args, PSA_SCHEMA)["privilegedNamespaces"] or [])
    for obj in objects(args, "core:Namespace", namespaced=False):
        labels = get(obj.props, "metadata", "labels")
        level = labels.get(PSA_ENFORCE) if isinstance(labels, dict) else None
        name = get(obj.props, "metadata", "name")
        if is_unknown(level) or level != "privileged" or (isinstance(name, str) and name in allowed):
            continue
        report(f"{describe(args)} ({obj.label}) labels {PSA_ENFORCE}: privileged: Pod Security admission lets any "
               "pod in, host namespaces, hostPath and privileged containers included; enforce baseline or restricted")


k8s_namespace_pod_security_not_privileged = ResourceValidationPolicy(
    name="k8s-namespace-pod-security-not-privileged",
    description="No Namespace sets the Pod Security admission label pod-security.kubernetes.io/enforce to "
                "privileged (which admits every pod), but the node agents' namespaces in privilegedNamespaces.",
    validate=applies_to(_is_namespace, _pod_security_level), config_schema=PSA_SCHEMA, severity=Severity.MEDIUM,
    remediation_steps="Label the namespace pod-security.kubernetes.io/enforce: restricted (or baseline), with warn "
                      "and audit at restricted; run node agents that need host access in a namespace of their own "
                      "listed in privilegedNamespaces.",
    **frameworks({"nist-800-53": "AC-6, CM-7", "pci-dss": "2.2.4"}),
)

SECURITY = [k8s_no_default_namespace, k8s_service_no_external_ips, k8s_ingress_no_snippet_annotations,
            k8s_ingress_alb_internal, k8s_ingress_tls, k8s_no_tiller,
            k8s_no_kubernetes_dashboard, k8s_namespace_network_policy, k8s_namespace_pod_security_not_privileged]
PRIVACY: list = []
COMPLIANCE: list = []
