"""Kubernetes objects as the provider reads them: YAML or JSON manifests decoded (``yaml_documents``,
``objects_of``), and the scope of a kind known without a cluster (``namespaced``, ``cluster_scoped``).
Shared by the offline manifest expansion (``kubernetes_manifests``) and the kustomize build
(``kustomize_build``).
"""

from __future__ import annotations

import json
from typing import Any, Iterator, Optional

import yaml

from mlinfra.errors import MlinfraError

#: ``provider/pkg/kinds/kinds.go`` ``Kind.Namespaced``: the built-in kinds whose scope the provider
#: knows without a cluster (a ``...List`` kind has its item's scope). Any other kind's scope comes from a
#: CustomResourceDefinition among the objects (``spec.scope``), else from the cluster: offline it stays
#: unresolved and the object keeps no namespace, as the provider does when it cannot ask.
NAMESPACED_KINDS = frozenset({
    "Binding", "ConfigMap", "ControllerRevision", "CronJob", "CSIStorageCapacity", "DaemonSet", "Deployment",
    "Endpoints", "EndpointSlice", "Event", "HorizontalPodAutoscaler", "Ingress", "Job", "Lease", "LimitRange",
    "NetworkPolicy", "PersistentVolumeClaim", "Pod", "PodDisruptionBudget", "PodTemplate", "ReplicaSet",
    "ReplicationController", "ResourceQuota", "Role", "RoleBinding", "Secret", "Service", "ServiceAccount",
    "StatefulSet",
})
CLUSTER_KINDS = frozenset({
    "APIService", "CertificateSigningRequest", "ClusterRole", "ClusterRoleBinding", "CSIDriver", "CSINode",
    "CustomResourceDefinition", "FlowSchema", "IngressClass", "MutatingWebhookConfiguration", "Namespace", "Node",
    "PersistentVolume", "PodSecurityPolicy", "PriorityClass", "PriorityLevelConfiguration", "RuntimeClass",
    "StorageClass", "ValidatingWebhookConfiguration", "VolumeAttachment",
})
#: ``kinds.KnownGroupVersions``: the API versions built into Kubernetes (the table above applies to them).
KNOWN_GROUP_VERSIONS = frozenset({
    "admissionregistration.k8s.io/v1", "admissionregistration.k8s.io/v1alpha1", "admissionregistration.k8s.io/v1beta1",
    "apiextensions.k8s.io/v1", "apiextensions.k8s.io/v1beta1", "apiregistration.k8s.io/v1",
    "apiregistration.k8s.io/v1beta1", "apps/v1", "apps/v1beta1", "apps/v1beta2", "auditregistration.k8s.io/v1alpha1",
    "autoscaling/v1", "autoscaling/v2", "autoscaling/v2beta1", "autoscaling/v2beta2", "batch/v1", "batch/v1beta1",
    "batch/v2alpha1", "certificates.k8s.io/v1", "certificates.k8s.io/v1alpha1", "certificates.k8s.io/v1beta1",
    "coordination.k8s.io/v1", "coordination.k8s.io/v1alpha1", "coordination.k8s.io/v1alpha2",
    "coordination.k8s.io/v1beta1", "core/v1", "discovery.k8s.io/v1", "discovery.k8s.io/v1beta1", "events.k8s.io/v1",
    "events.k8s.io/v1beta1", "extensions/v1beta1", "flowcontrol.apiserver.k8s.io/v1",
    "flowcontrol.apiserver.k8s.io/v1alpha1", "flowcontrol.apiserver.k8s.io/v1beta1",
    "flowcontrol.apiserver.k8s.io/v1beta2", "flowcontrol.apiserver.k8s.io/v1beta3", "meta/v1", "networking.k8s.io/v1",
    "networking.k8s.io/v1alpha1", "networking.k8s.io/v1beta1", "node.k8s.io/v1", "node.k8s.io/v1alpha1",
    "node.k8s.io/v1beta1", "policy/v1", "policy/v1beta1", "rbac.authorization.k8s.io/v1",
    "rbac.authorization.k8s.io/v1alpha1", "rbac.authorization.k8s.io/v1beta1", "resource.k8s.io/v1",
    "resource.k8s.io/v1alpha1", "resource.k8s.io/v1alpha2", "resource.k8s.io/v1alpha3", "resource.k8s.io/v1beta1",
    "resource.k8s.io/v1beta2", "scheduling.k8s.io/v1", "scheduling.k8s.io/v1alpha1", "scheduling.k8s.io/v1alpha2",
    "scheduling.k8s.io/v1beta1", "settings.k8s.io/v1alpha1", "storage.k8s.io/v1", "storage.k8s.io/v1alpha1",
    "storage.k8s.io/v1beta1", "storagemigration.k8s.io/v1alpha1", "storagemigration.k8s.io/v1beta1", "v1",
})


class ManifestError(MlinfraError):
    """A manifest the provider would refuse (its message, as the provider words it)."""


class _Loader(yaml.SafeLoader):
    """YAML as Kubernetes reads it (sigs.k8s.io/yaml: YAML to JSON): timestamps stay strings."""


_Loader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.copy().items()
}


def _json_ready(value: Any) -> Any:
    # JSON has string keys only (a YAML key 80 becomes "80"); binary stays text.
    if isinstance(value, dict):
        return {str(k): _json_ready(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_json_ready(v) for v in value]
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    return value


def yaml_documents(text: str) -> Iterator[Any]:
    """The documents of a YAML stream, or of a JSON stream (k8s.io/apimachinery ``NewYAMLOrJSONDecoder``:
    JSON when the text starts with ``{`` after whitespace)."""
    stripped = text.lstrip()
    if stripped.startswith("{"):
        decoder, position = json.JSONDecoder(), 0
        while True:
            while position < len(stripped) and stripped[position].isspace():
                position += 1
            if position >= len(stripped):
                return
            try:
                value, position = decoder.raw_decode(stripped, position)
            except json.JSONDecodeError as exc:
                raise ManifestError(f"decoding YAML: {exc}") from None
            yield value
    try:
        yield from (_json_ready(document) for document in yaml.load_all(text, Loader=_Loader))
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark
        where = f"line {mark.line + 1}, column {mark.column + 1}: " if mark is not None else ""
        raise ManifestError(f"decoding YAML: {where}{exc.problem or exc.context}") from None
    except yaml.YAMLError as exc:
        raise ManifestError("decoding YAML: " + " ".join(str(exc).split())) from None


def objects_of(text: str) -> list[dict[str, Any]]:
    found = []
    for document in yaml_documents(text):
        if document is None or document == {}:
            continue  # "Sometimes manifests include empty blocks, so skip these."
        if not isinstance(document, dict):
            raise ManifestError(f"decoding YAML: cannot unmarshal {type(document).__name__} into an object")
        found.append(document)
    return found


def metadata_of(obj: dict[str, Any]) -> dict[str, Any]:
    metadata = obj.get("metadata")
    return metadata if isinstance(metadata, dict) else {}


def group_version(api_version: str) -> tuple[str, str]:
    group, _, version = api_version.rpartition("/")
    return group, version


def namespaced(obj: dict[str, Any], objects: list[dict[str, Any]]) -> Optional[bool]:
    """``clients.IsNamespacedKind`` without a cluster: the built-in table, else a CRD among ``objects``,
    else ``None`` (unresolved)."""
    api_version, kind = str(obj.get("apiVersion", "")), str(obj.get("kind", ""))
    group, version = group_version(api_version)
    if group == "core":
        api_version = version
    if api_version in KNOWN_GROUP_VERSIONS:
        base = kind.removesuffix("Patch").removesuffix("List")
        if base in NAMESPACED_KINDS:
            return True
        if base in CLUSTER_KINDS:
            return False
    crd = crd_of(objects, group, kind)
    if crd is not None:
        return (crd.get("spec") or {}).get("scope") == "Namespaced"
    return None


def crd_of(objects: list[dict[str, Any]], group: str, kind: str) -> Optional[dict[str, Any]]:
    for candidate in objects:
        if candidate.get("kind") != "CustomResourceDefinition" or not str(candidate.get("apiVersion", "")).startswith(
                "apiextensions.k8s.io/"):
            continue
        spec = candidate.get("spec") if isinstance(candidate.get("spec"), dict) else {}
        names = spec.get("names") if isinstance(spec.get("names"), dict) else {}
        if spec.get("group") == group and names.get("kind") == kind:
            return candidate
    return None


def cluster_scoped(obj: dict[str, Any]) -> bool:
    """``Gvk.IsClusterScoped``: a built-in kind known to be cluster-scoped (an unknown kind is namespaced)."""
    api_version, kind = str(obj.get("apiVersion", "")), str(obj.get("kind", ""))
    group, version = group_version(api_version)
    known = (version if group == "core" else api_version) in KNOWN_GROUP_VERSIONS
    return known and kind.removesuffix("List") in CLUSTER_KINDS
