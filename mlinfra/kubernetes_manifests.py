"""Kubernetes YAML manifests as pulumi-kubernetes reads them, for the offline plan.

Two things a real preview does with a manifest happen in the Kubernetes provider, which the mock
runtime does not run, so the mocks do them here, as the provider does:

- ``decode_invoke``: the answer to the invoke ``kubernetes:yaml:decode``, through which
  ``pulumi_kubernetes.yaml.ConfigFile`` and ``ConfigGroup`` (v1, implemented in the Python SDK,
  ``sdk/python/pulumi_kubernetes/yaml/yaml.py``) turn YAML text into objects; the SDK then declares
  each object itself. The provider's ``decodeYaml`` (``provider/pkg/provider/invoke_decode_yaml.go``)
  decodes a stream of YAML or JSON documents and skips those without ``kind`` or ``apiVersion``.
- ``expand_component``: the children of ``kubernetes:yaml/v2:ConfigGroup`` and ``ConfigFile``,
  multi-language components the provider constructs (``provider/pkg/provider/yaml/v2/configgroup.go``,
  ``configfile.go``, ``yaml.go``): files (globs expanded, sorted), then the ``yaml`` text, then
  ``objs``; lists expanded into their items; the group ``core`` canonicalized; namespaced kinds
  without a namespace given the provider's default; each object registered as
  ``kubernetes:<apiVersion>:<Kind>`` (``core/v1`` for ``v1``; ``sdk/go/kubernetes/yaml/v2/kinds.go``
  ``RegisterResource``) named ``<prefix>:<namespace>/<name>`` (prefix: ``resourcePrefix``, else the
  component's name), its parent the component, depending on the objects it needs first (its
  Namespace, its CustomResourceDefinition, its ``config.kubernetes.io/depends-on`` annotation:
  sigs.k8s.io/cli-utils's dependency graph, which ``Register`` follows).

- ``kustomize_build``: the objects of a Kustomize directory, for ``kubernetes.kustomize.Directory`` (v1: the
  SDK declares what the invoke ``kubernetes:kustomize:directory`` returns) and ``kustomize.v2.Directory``
  (the provider runs krusty, then ``Parse``, ``Normalize`` with the component's ``namespace`` else the
  provider's, and ``Register`` as for ``yaml/v2``: ``provider/pkg/provider/kustomize/v2/directory.go``).
  The provider embeds kustomize; offline only the kustomizations made of ``resources`` (local files and
  directories, in order: ``krusty.ReorderOptionNone``), the deprecated ``bases``, ``namespace``,
  ``images``, ``commonLabels``, ``labels``, ``commonAnnotations``, the patches and ``replicas``
  (``mlinfra/kustomize_patches.py``), ``namePrefix`` and ``nameSuffix`` with the name references that
  follow them (``mlinfra/kustomize_names.py``), the ConfigMap and Secret generators
  (``mlinfra/kustomize_generators.py``), ``components`` and ``replacements``
  (``mlinfra/kustomize_replacements.py``) are built, as kustomize builds them
  (``api/filters/namespace``: ``metadata.namespace`` set, or replaced, on every object but the kinds known
  to be cluster-scoped, and on binding subjects named ``default``; ``api/filters/imagetag``: the images of
  containers and init containers renamed, retagged or pinned to a digest; labels and annotations into
  the fields kustomize's built-in field specs name, selectors and pod templates included). A
  kustomization with any other transformer or generator field stops the plan naming the fields:
  registering fewer or other objects than a preview would hide what the rules should judge.

Read at pulumi-kubernetes 94977969d (main after v4.32.0; the installed SDK is 4.34.2, whose
``yaml.py`` is the one this module answers).
"""

from __future__ import annotations

import glob
import json
import re
from pathlib import Path
from typing import Any, Iterator, Optional

import yaml

from mlinfra import kustomize_generators, kustomize_names, kustomize_patches, kustomize_replacements
from mlinfra.errors import MlinfraError
from mlinfra.kustomize_patches import Built

YAML_V2_COMPONENTS = frozenset({"kubernetes:yaml/v2:ConfigGroup", "kubernetes:yaml/v2:ConfigFile"})
KUSTOMIZE_V2 = "kubernetes:kustomize/v2:Directory"
#: The multi-language components whose objects the provider registers as their children.
COMPONENTS = YAML_V2_COMPONENTS | {KUSTOMIZE_V2}
#: ``konfig.RecognizedKustomizationFileNames``, in the order kustomize looks for them.
KUSTOMIZATION_FILES = ("kustomization.yaml", "kustomization.yml", "Kustomization")
#: The kustomization fields the offline build applies (the rest stop the plan, see the module's docstring).
KUSTOMIZE_BUILT = ("resources", "bases", "components", "configMapGenerator", "secretGenerator", "generatorOptions",
                   "namespace", "namePrefix", "nameSuffix", "patches", "patchesStrategicMerge", "patchesJson6902",
                   "commonLabels", "labels", "commonAnnotations", "replicas", "images", "replacements")
KUSTOMIZE_FIELDS = frozenset({"apiVersion", "kind", "metadata", *KUSTOMIZE_BUILT})
KUSTOMIZE_LISTS = ("resources", "bases", "components", "images", "patches", "patchesStrategicMerge",
                   "patchesJson6902", "replicas", "replacements")

#: Where kustomize writes labels and annotations, as (path, create, group, version, kind): kustomize's
#: api/internal/konfig/builtinpluginconsts metadatalabels.go, commonlabels.go and commonannotations.go
#: (read at kubernetes-sigs/kustomize d4a6a27). A path steps through lists on its way (kyaml's PathGetter);
#: ``create`` makes a missing map, otherwise only an existing one is updated. No group or version: any.
_TEMPLATE_KINDS = (("", "v1", "ReplicationController"), ("", "", "Deployment"), ("", "", "ReplicaSet"),
                   ("", "", "DaemonSet"), ("apps", "", "StatefulSet"), ("batch", "", "Job"))
_METADATA_LABELS = (("metadata/labels", True, "", "", ""),
                    *((("spec/template/metadata/labels", True, *kind) for kind in _TEMPLATE_KINDS)),
                    ("spec/volumeClaimTemplates/metadata/labels", True, "apps", "", "StatefulSet"),
                    ("spec/jobTemplate/metadata/labels", True, "batch", "", "CronJob"),
                    ("spec/jobTemplate/spec/template/metadata/labels", True, "batch", "", "CronJob"))
_AFFINITY = tuple(f"spec/template/spec/affinity/{kind}/{term}/labelSelector/matchLabels"
                  for kind in ("podAffinity", "podAntiAffinity")
                  for term in ("preferredDuringSchedulingIgnoredDuringExecution/podAffinityTerm",
                               "requiredDuringSchedulingIgnoredDuringExecution")) + (
    "spec/template/spec/topologySpreadConstraints/labelSelector/matchLabels",)
_SELECTORS = (("spec/selector", True, "", "v1", "Service"), ("spec/selector", True, "", "v1", "ReplicationController"),
              ("spec/selector/matchLabels", True, "", "", "Deployment"),
              *((path, False, "apps", "", "Deployment") for path in _AFFINITY),
              ("spec/selector/matchLabels", True, "", "", "ReplicaSet"),
              ("spec/selector/matchLabels", True, "", "", "DaemonSet"),
              ("spec/selector/matchLabels", True, "apps", "", "StatefulSet"),
              *((path, False, "apps", "", "StatefulSet") for path in _AFFINITY),
              ("spec/selector/matchLabels", False, "batch", "", "Job"),
              ("spec/jobTemplate/spec/selector/matchLabels", False, "batch", "", "CronJob"),
              ("spec/selector/matchLabels", False, "policy", "", "PodDisruptionBudget"),
              ("spec/podSelector/matchLabels", False, "networking.k8s.io", "", "NetworkPolicy"),
              ("spec/ingress/from/podSelector/matchLabels", False, "networking.k8s.io", "", "NetworkPolicy"),
              ("spec/egress/to/podSelector/matchLabels", False, "networking.k8s.io", "", "NetworkPolicy"))
COMMON_LABEL_SPECS = _SELECTORS + _METADATA_LABELS
COMMON_ANNOTATION_SPECS = (("metadata/annotations", True, "", "", ""),
                           *((("spec/template/metadata/annotations", True, *kind) for kind in _TEMPLATE_KINDS)),
                           ("spec/jobTemplate/metadata/annotations", True, "batch", "", "CronJob"),
                           ("spec/jobTemplate/spec/template/metadata/annotations", True, "batch", "", "CronJob"))
#: A ``labels`` entry's fields (api/types/labels.go ``Label``; its own ``fields`` specs are not built offline).
LABEL_FIELDS = frozenset({"pairs", "includeSelectors", "includeTemplates"})
#: An ``images`` entry's fields (``types.Image``).
IMAGE_FIELDS = frozenset({"name", "newName", "newTag", "digest"})
DEPENDS_ON = "config.kubernetes.io/depends-on"

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


def _documents(text: str) -> Iterator[Any]:
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


def _objects(text: str) -> list[dict[str, Any]]:
    found = []
    for document in _documents(text):
        if document is None or document == {}:
            continue  # "Sometimes manifests include empty blocks, so skip these."
        if not isinstance(document, dict):
            raise ManifestError(f"decoding YAML: cannot unmarshal {type(document).__name__} into an object")
        found.append(document)
    return found


def decode_invoke(inputs: dict[str, Any]) -> dict[str, Any]:
    """The provider's answer to ``kubernetes:yaml:decode`` (``{"text", "defaultNamespace"?}``): the
    objects, skipping those without kind or apiVersion; ``defaultNamespace`` (which the Python SDK
    never sends) set on namespaced kinds left without one."""
    text = inputs.get("text")
    if not isinstance(text, str):
        raise ManifestError("missing required field 'text' of type string")
    objects = [o for o in _objects(text) if o.get("kind") and o.get("apiVersion")]
    space = inputs.get("defaultNamespace")
    if isinstance(space, str) and space:
        for obj in objects:
            if _namespaced(obj, []) is not False and not _metadata(obj).get("namespace"):
                obj.setdefault("metadata", {})["namespace"] = space
    return {"result": objects}


def _metadata(obj: dict[str, Any]) -> dict[str, Any]:
    metadata = obj.get("metadata")
    return metadata if isinstance(metadata, dict) else {}


def _group_version(api_version: str) -> tuple[str, str]:
    group, _, version = api_version.rpartition("/")
    return group, version


def _namespaced(obj: dict[str, Any], objects: list[dict[str, Any]]) -> Optional[bool]:
    """``clients.IsNamespacedKind`` without a cluster: the built-in table, else a CRD among ``objects``,
    else ``None`` (unresolved)."""
    api_version, kind = str(obj.get("apiVersion", "")), str(obj.get("kind", ""))
    group, version = _group_version(api_version)
    if group == "core":
        api_version = version
    if api_version in KNOWN_GROUP_VERSIONS:
        base = kind.removesuffix("Patch").removesuffix("List")
        if base in NAMESPACED_KINDS:
            return True
        if base in CLUSTER_KINDS:
            return False
    crd = _crd(objects, group, kind)
    if crd is not None:
        return (crd.get("spec") or {}).get("scope") == "Namespaced"
    return None


def _crd(objects: list[dict[str, Any]], group: str, kind: str) -> Optional[dict[str, Any]]:
    for candidate in objects:
        if candidate.get("kind") != "CustomResourceDefinition" or not str(candidate.get("apiVersion", "")).startswith(
                "apiextensions.k8s.io/"):
            continue
        spec = candidate.get("spec") if isinstance(candidate.get("spec"), dict) else {}
        names = spec.get("names") if isinstance(spec.get("names"), dict) else {}
        if spec.get("group") == group and names.get("kind") == kind:
            return candidate
    return None


def _expand(objects: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Lists (an object whose ``items`` is a list: ``unstructured.IsList``) replaced by their items, recursively."""
    result, pending = [], list(objects)
    while pending:
        obj = pending.pop(0)
        items = obj.get("items")
        if isinstance(items, list):
            if not all(isinstance(item, dict) for item in items):
                raise ManifestError(f"YAML object is invalid: `{_shown(obj)}`")
            pending = list(items) + pending
            continue
        result.append(obj)
    return result


def _shown(obj: dict[str, Any]) -> str:
    # printUnstructured: the object's JSON, truncated to 100 characters.
    text = json.dumps(obj, separators=(",", ":"), sort_keys=True)
    return text if len(text) <= 100 else text[:97] + "..."


def type_token(api_version: str, kind: str) -> str:
    """The pulumi-kubernetes type of an object: ``kubernetes:core/v1:Pod`` for ``v1``/``Pod``, else
    ``kubernetes:<apiVersion>:<Kind>`` (a built-in kind's class or ``apiextensions.CustomResource``)."""
    return f"kubernetes:{'core/v1' if api_version == 'v1' else api_version}:{kind}"


def _read(file: str, globbing: bool) -> list[str]:
    if re.match(r"^[A-Za-z][A-Za-z0-9+.-]*://", file):
        # The provider fetches it over the network; the offline plan cannot.
        raise ManifestError(f"fetching YAML over network: {file}: the offline plan reads local files only")
    # isGlobPattern: an unescaped *, ? or [.
    paths = sorted(glob.glob(file)) if globbing and re.search(r"(?:^|[^\\])[*?\[]", file) else [file]
    texts = []
    for path in paths:
        try:
            texts.append(Path(path).read_text())
        except OSError as exc:
            raise ManifestError(f"reading YAML file from disk: open {path}: {exc.strerror or exc}") from None
    return texts


def _is_url(path: str) -> bool:
    # kustomize's remote targets: a URL, or a git repository spec (github.com/org/repo//dir?ref=v1).
    return bool(re.match(r"^[A-Za-z][A-Za-z0-9+.-]*://", path)) or path.startswith(("github.com/", "gitlab.com/",
                                                                                     "bitbucket.org/", "git@"))


def kustomize_build(directory: str) -> list[dict[str, Any]]:
    """The objects ``kustomize build <directory>`` prints, for the kustomizations the offline plan can build
    (``KUSTOMIZE_FIELDS``); relative to the current directory (the program's, as the provider's)."""
    objects = _kustomize(directory, ())
    try:
        # Done once, after the whole build (KustTarget.makeCustomizedResMap).
        kustomize_generators.add_hashes(objects)
        kustomize_names.fix_references(objects, _cluster_scoped)
    except ValueError as exc:
        raise ManifestError(f"kustomize build error: {directory}: {exc}") from None
    return [built.obj for built in objects]


def _kustomize(directory: str, seen: tuple[str, ...], accumulated: Optional[list[Built]] = None) -> list[Built]:
    """The objects of the kustomization in ``directory``; a component (``accumulated`` given, the objects its
    parent has so far) adds its own to those and transforms them all (``KustTarget.accumulateComponents``)."""
    folder, file, kustomization = _kustomization(directory, seen, accumulated is not None)
    seen = (*seen, str(folder.resolve()))
    objects: list[Built] = list(accumulated or [])
    for entry in [*(kustomization.get("resources") or []), *(kustomization.get("bases") or [])]:
        if not isinstance(entry, str):
            raise ManifestError(f"kustomize build error: {file}: resources lists paths")
        if _is_url(entry):
            raise ManifestError(f"kustomize build error: {file}: {entry}: the offline plan reads local files only")
        path = folder / entry
        if path.is_dir():
            objects.extend(_kustomize(str(path), seen))
        elif path.is_file():
            objects.extend(Built(obj) for obj in _objects(path.read_text()))
        else:
            raise ManifestError(f"kustomize build error: accumulating resources: '{path.resolve()}': "
                                "no such file or directory")
    try:
        kustomize_generators.generate(objects, folder, kustomization, _cluster_scoped)
        for entry in kustomization.get("components") or []:
            if not isinstance(entry, str) or _is_url(entry):
                raise ValueError(f"components lists local directories: {entry!r}")
            objects = _kustomize(str(folder / entry), seen, objects)
        _transform(objects, folder, file, kustomization)
    except ValueError as exc:
        raise ManifestError(f"kustomize build error: {file}: {exc}") from None
    return objects


def _kustomization(directory: str, seen: tuple[str, ...], component: bool) -> tuple[Path, Path, dict[str, Any]]:
    """(folder, file, contents) of the kustomization in ``directory``, one the offline build can make."""
    if _is_url(directory):
        raise ManifestError(f"kustomize build error: {directory}: the offline plan reads local directories only")
    folder = Path(directory)
    file = next((folder / name for name in KUSTOMIZATION_FILES if (folder / name).is_file()), None)
    if file is None:
        raise ManifestError(f"kustomize build error: unable to find one of 'kustomization.yaml', 'kustomization.yml' "
                            f"or 'Kustomization' in directory '{folder.resolve()}'")
    if str(folder.resolve()) in seen:
        raise ManifestError(f"kustomize build error: cycle detected: {folder.resolve()} is already being built")
    documents = [d for d in _documents(file.read_text()) if d is not None]
    kustomization = documents[0] if documents else {}
    if not isinstance(kustomization, dict):
        raise ManifestError(f"kustomize build error: {file}: a kustomization is a YAML object")
    kind = kustomization.get("kind") or "Kustomization"
    if (kind == "Component") != component:
        raise ManifestError(f"kustomize build error: {file}: expected kind " + (
            f"'Component' for path '{folder.resolve()}' but got '{kind}'" if component
            else f"!= 'Component' for path '{folder.resolve()}'"))
    others = sorted(k for k, v in kustomization.items() if k not in KUSTOMIZE_FIELDS and v not in (None, [], {}, ""))
    if others:
        raise ManifestError(f"kustomize build error: {file}: {', '.join(others)}: the offline plan builds "
                            f"kustomizations of {', '.join(KUSTOMIZE_BUILT[:-1])} and {KUSTOMIZE_BUILT[-1]} only "
                            "(the provider runs kustomize; review a `pulumi preview --json` of the program with "
                            "mlinfra review --deployment)")
    wrong = [name for name in KUSTOMIZE_LISTS if not isinstance(kustomization.get(name) or [], list)]
    if wrong:
        raise ManifestError(f"kustomize build error: {file}: {', '.join(wrong)}: a list")
    return folder, file, kustomization


def _transform(objects: list[Built], folder: Path, file: Path, kustomization: dict[str, Any]) -> None:
    """One kustomization's transformers over ``objects``, in krusty's order
    (``api/internal/target/kusttarget_configplugin.go``)."""
    for entry in kustomization.get("patchesStrategicMerge") or []:
        for patch in _patch_objects(_patch_text(folder, entry), "patchesStrategicMerge"):
            _merge_by_id(objects, patch)
    for entry in kustomization.get("patches") or []:
        _apply_patch(objects, folder, entry)
    space = kustomization.get("namespace")
    if isinstance(space, str) and space:
        for built in objects:
            _kustomize_namespace(built, space)
    affixes = [kustomization.get(name) or "" for name in ("namePrefix", "nameSuffix")]
    if not all(isinstance(affix, str) for affix in affixes):
        raise ValueError("namePrefix and nameSuffix are strings")
    kustomize_names.rename(objects, *affixes)
    for pairs, specs in _label_transforms(kustomization, file):
        for built in objects:
            _set_fields(built.obj, pairs, specs)
    for entry in kustomization.get("patchesJson6902") or []:
        if not isinstance(entry, dict) or not isinstance(entry.get("target"), dict):
            raise ValueError(f"patchesJson6902: an entry has a target and a path or patch: {entry!r}")
        _json_patch(objects, _patch_text(folder, entry), entry["target"])
    for entry in kustomization.get("replicas") or []:
        kustomize_patches.set_replicas(objects, entry)
    for entry in kustomization.get("images") or []:
        if not isinstance(entry, dict) or not isinstance(entry.get("name"), str) or set(entry) - IMAGE_FIELDS:
            raise ValueError(f"images: an entry has name, newName, newTag and digest only: {entry!r}")
        for built in objects:
            if built.obj.get("kind") != "CustomResourceDefinition":
                _kustomize_images(built.obj, entry)
    kustomize_replacements.apply(objects, kustomization.get("replacements") or [],
                                 lambda path: _replacement_file(folder, path), _cluster_scoped)


def _replacement_file(folder: Path, path: str) -> list[Any]:
    """The replacements a ``replacements[].path`` file holds: one per document, or a list of them."""
    documents = _patch_documents(_patch_text(folder, {"path": path}))
    return [item for document in documents for item in (document if isinstance(document, list) else [document])]


PATCH_FIELDS = frozenset({"path", "patch", "target", "options"})
PATCH_OPTIONS = frozenset({"allowNameChange", "allowKindChange"})


def _patch_text(folder: Path, entry: Any) -> str:
    """A patch's text: a ``patch`` inline, or the file a ``path`` names (a ``patchesStrategicMerge`` entry is a
    path when such a file exists, else the patch itself)."""
    if isinstance(entry, str):
        return (folder / entry).read_text() if "\n" not in entry and (folder / entry).is_file() else entry
    if not isinstance(entry, dict):
        raise ValueError(f"a patch is an object with a path or a patch: {entry!r}")
    path, inline = entry.get("path"), entry.get("patch")
    if bool(path) == bool(inline):
        raise ValueError(f"a patch has one of patch and path: {entry!r}")
    if inline:
        return str(inline)
    if _is_url(str(path)) or not (folder / str(path)).is_file():
        raise ValueError(f"failed to get the patch file from path({path}): the offline plan reads local files only"
                         if _is_url(str(path)) else f"failed to get the patch file from path({path})")
    return (folder / str(path)).read_text()


def _patch_documents(text: str) -> list[Any]:
    try:
        return [d for d in _documents(text) if d is not None]
    except ManifestError as exc:
        raise ValueError(str(exc)) from None


def _patch_objects(text: str, where: str) -> list[dict[str, Any]]:
    documents = _patch_documents(text)
    if not documents or not all(isinstance(d, dict) for d in documents):
        raise ValueError(f"{where}: a strategic-merge patch is one or more objects")
    return documents


def _merge_by_id(objects: list[Built], patch: dict[str, Any]) -> None:
    built = kustomize_patches.patched_by_id(objects, patch, _cluster_scoped)
    merged = kustomize_patches.strategic_merge(built.obj, patch, keep_identity=False)
    if merged is None:
        objects.remove(built)
    else:
        built.obj = merged


def _apply_patch(objects: list[Built], folder: Path, entry: Any) -> None:
    """One ``patches`` entry: a strategic-merge patch (its text is objects) or a JSON 6902 patch (a list of
    operations, which needs a target)."""
    if not isinstance(entry, dict) or set(entry) - PATCH_FIELDS:
        raise ValueError(f"patches: an entry has path or patch, target and options only: {entry!r}")
    target, options = entry.get("target"), entry.get("options") or {}
    if target is not None and (not isinstance(target, dict) or set(target) - kustomize_patches.SELECTOR_FIELDS):
        raise ValueError(f"patches: a target has {', '.join(sorted(kustomize_patches.SELECTOR_FIELDS))} only: "
                         f"{target!r}")
    if not isinstance(options, dict) or set(options) - PATCH_OPTIONS:
        raise ValueError(f"patches: options are {', '.join(sorted(PATCH_OPTIONS))} only: {options!r}")
    text = _patch_text(folder, entry)
    documents = _patch_documents(text)
    if len(documents) == 1 and isinstance(documents[0], list):
        if target is None:
            raise ValueError(f"must specify a target for JSON patch {text.strip()!r}")
        _json_patch(objects, text, target)
        return
    patches = _patch_objects(text, "patches")
    if target is None:
        for patch in patches:
            _merge_by_id(objects, patch)
        return
    if len(patches) > 1:
        raise ValueError("Multiple Strategic-Merge Patches in one `patches` entry is not allowed to set "
                         "`patches.target` field")
    keep = not (options.get("allowNameChange") or options.get("allowKindChange"))
    for built in [b for b in objects if kustomize_patches.selected(b, target, _cluster_scoped)]:
        merged = kustomize_patches.strategic_merge(built.obj, patches[0], keep_identity=keep)
        if merged is None:
            objects.remove(built)
        else:
            built.obj = merged


def _json_patch(objects: list[Built], text: str, target: dict[str, Any]) -> None:
    documents = _patch_documents(text)
    if len(documents) != 1 or not isinstance(documents[0], list):
        raise ValueError("a JSON 6902 patch is a list of operations")
    for built in [b for b in objects if kustomize_patches.selected(b, target, _cluster_scoped)]:
        built.obj = kustomize_patches.json6902(built.obj, documents[0])


def _image_matched(image: str, name: str) -> bool:
    # api/image/image.go IsImageMatched: the name is a regular expression there too (Go's, unescaped).
    try:
        return re.fullmatch(name + r"(:[a-zA-Z0-9_.{}-]*)?(@sha256:[a-zA-Z0-9_.{}-]*)?", image) is not None
    except re.error:
        return False


def _image_split(image: str) -> tuple[str, str, str]:
    """``image.Split``: name, tag and digest; a registry's port (before the first ``/``) is no tag."""
    slash = image.find("/")
    offset = slash if slash > 0 else 0
    search = image[offset:]
    at, colon = search.find("@"), search.find(":")
    if colon < 0 and at < 0:
        return image, "", ""
    if at >= 0 and (at < colon or colon < 0):
        return image[:offset + at], "", image[offset + at + 1:]
    if at >= 0 and colon >= 0:
        return image[:offset + colon], image[offset + colon + 1:offset + at], image[offset + at + 1:]
    return image[:offset + colon], image[offset + colon + 1:], ""


def _kustomize_images(value: Any, entry: dict[str, Any]) -> None:
    """kustomize's images transformer (``api/filters/imagetag``: ``LegacyFilter`` walks every ``containers``
    and ``initContainers`` list at any depth; ``imageTagUpdater``: a new name replaces the name, a new tag or
    digest replaces both the tag and the digest)."""
    if isinstance(value, list):
        for item in value:
            _kustomize_images(item, entry)
        return
    if not isinstance(value, dict):
        return
    for key, item in value.items():
        _kustomize_images(item, entry)
        if key not in ("containers", "initContainers") or not isinstance(item, list):
            continue
        for container in item:
            image = container.get("image") if isinstance(container, dict) else None
            if not isinstance(image, str) or not _image_matched(image, entry["name"]):
                continue
            name, tag, digest = _image_split(image)
            name = entry.get("newName") or name
            new_tag, new_digest = entry.get("newTag") or "", entry.get("digest") or ""
            if new_tag or new_digest:
                tag, digest = new_tag, new_digest
            container["image"] = name + (f":{tag}" if tag else "") + (f"@{digest}" if digest else "")


def _label_transforms(kustomization: dict[str, Any], file: Path) -> list[tuple[dict[str, str], tuple]]:
    """(pairs, field specs) per label or annotation transformer of ``kustomization``, as krusty configures
    them (api/krusty/kusttarget.go): ``commonLabels`` into selectors and templates; a ``labels`` entry into
    ``metadata.labels``, templates too with ``includeTemplates``, selectors too with ``includeSelectors``."""
    def pairs_of(value: Any, field: str) -> dict[str, str]:
        if not isinstance(value, dict) or not all(isinstance(k, str) and isinstance(v, str) for k, v in value.items()):
            raise ManifestError(f"kustomize build error: {file}: {field}: a map of strings to strings")
        return value

    transforms = []
    if kustomization.get("commonLabels"):
        transforms.append((pairs_of(kustomization["commonLabels"], "commonLabels"), COMMON_LABEL_SPECS))
    labels = kustomization.get("labels") or []
    if not isinstance(labels, list):
        raise ManifestError(f"kustomize build error: {file}: labels: a list of {{pairs, includeSelectors, "
                            "includeTemplates}}")
    for entry in labels:
        if not isinstance(entry, dict) or set(entry) - LABEL_FIELDS:
            raise ManifestError(f"kustomize build error: {file}: labels: an entry has pairs, includeSelectors and "
                                f"includeTemplates only offline: {entry!r}")
        specs = COMMON_LABEL_SPECS if entry.get("includeSelectors") is True else _METADATA_LABELS if entry.get(
            "includeTemplates") is True else _METADATA_LABELS[:1]
        transforms.append((pairs_of(entry.get("pairs") or {}, "labels.pairs"), specs))
    if kustomization.get("commonAnnotations"):
        transforms.append((pairs_of(kustomization["commonAnnotations"], "commonAnnotations"), COMMON_ANNOTATION_SPECS))
    return transforms


def _set_fields(obj: dict[str, Any], pairs: dict[str, str], specs: tuple) -> None:
    group, version = _group_version(str(obj.get("apiVersion", "")))
    for path, create, spec_group, spec_version, kind in specs:
        # resid.Gvk.IsSelected: a spec's empty group, version or kind selects any.
        if (kind and obj.get("kind") != kind) or (spec_group and group != spec_group) or (
                spec_version and version != spec_version):
            continue
        _set_at(obj, path.split("/"), pairs, create)


def _set_at(node: Any, steps: list[str], pairs: dict[str, str], create: bool) -> None:
    if isinstance(node, list):
        for item in node:
            _set_at(item, steps, pairs, create)
        return
    if not isinstance(node, dict):
        return
    step, rest = steps[0], steps[1:]
    child = node.get(step)
    if child is None:
        if not create:
            return
        child = node[step] = {}
    if rest:
        _set_at(child, rest, pairs, create)
    elif isinstance(child, dict):
        child.update(pairs)


def _cluster_scoped(obj: dict[str, Any]) -> bool:
    """``Gvk.IsClusterScoped``: a built-in kind known to be cluster-scoped (an unknown kind is namespaced)."""
    api_version, kind = str(obj.get("apiVersion", "")), str(obj.get("kind", ""))
    group, version = _group_version(api_version)
    known = (version if group == "core" else api_version) in KNOWN_GROUP_VERSIONS
    return known and kind.removesuffix("List") in CLUSTER_KINDS


def _kustomize_namespace(built: Built, space: str) -> None:
    """kustomize's namespace filter (``api/filters/namespace/namespace.go``): ``metadata.namespace`` set on
    every object whose kind is not known to be cluster-scoped, replacing one it had (the id it had is kept
    for later patches' targets); a (Cluster)RoleBinding's subjects named ``default`` get it too."""
    obj = built.obj
    if not _cluster_scoped(obj):
        metadata = obj.get("metadata")
        if not isinstance(metadata, dict):
            metadata = obj["metadata"] = {}
        built.previous.append((str(metadata.get("namespace") or ""), str(metadata.get("name") or "")))
        metadata["namespace"] = space
    if obj.get("kind") in ("RoleBinding", "ClusterRoleBinding") and isinstance(obj.get("subjects"), list):
        for subject in obj["subjects"]:
            if isinstance(subject, dict) and subject.get("name") == "default":
                subject["namespace"] = space


def directory_invoke(inputs: dict[str, Any]) -> dict[str, Any]:
    """The provider's answer to ``kubernetes:kustomize:directory`` (``{"directory"}``): the built objects."""
    directory = inputs.get("directory")
    if not isinstance(directory, str):
        raise ManifestError("missing required field 'directory' of type string")
    return {"result": kustomize_build(directory)}


def component_objects(type_: str, inputs: dict[str, Any]) -> list[dict[str, Any]]:
    """The objects a ``yaml/v2`` component declares (``Parse``: files, then ``yaml``, then ``objs``), before
    ``Normalize``; files are read relative to the current directory (the program's, as the provider's)."""
    if type_ == KUSTOMIZE_V2:
        directory = inputs.get("directory")
        if not isinstance(directory, str):
            raise ManifestError("missing required input 'directory'")
        return kustomize_build(directory)
    if type_ == "kubernetes:yaml/v2:ConfigFile":
        file = inputs.get("file")
        texts = _read(file, globbing=False) if isinstance(file, str) else [""]
        objects = []
    else:
        files = inputs.get("files")
        texts = [t for f in (files if isinstance(files, list) else []) if isinstance(f, str) for t in _read(f, True)]
        texts.append(inputs.get("yaml") if isinstance(inputs.get("yaml"), str) else "")
        objs = inputs.get("objs")
        objects = [o for o in (objs if isinstance(objs, list) else []) if isinstance(o, dict)]
    parsed = [obj for text in texts for obj in _objects(text)]
    return parsed + [json.loads(json.dumps(o)) for o in objects]


def normalize(objects: list[dict[str, Any]], default_namespace: str) -> list[dict[str, Any]]:
    """``Normalize``: lists expanded, kind and apiVersion and ``metadata.name`` required, group ``core``
    canonicalized (``core/v1`` -> ``v1``), namespaced objects without one put in ``default_namespace``."""
    objects = _expand(objects)
    for obj in objects:
        if not obj.get("kind") or not obj.get("apiVersion"):
            raise ManifestError(f"Kubernetes resources require a kind and apiVersion: `{_shown(obj)}`")
        if not _metadata(obj).get("name"):
            raise ManifestError(f"Kubernetes resources require a .metadata.name: `{_shown(obj)}`")
        group, version = _group_version(str(obj["apiVersion"]))
        if group == "core":
            obj["apiVersion"] = version
        if _metadata(obj).get("namespace"):
            continue
        if _namespaced(obj, objects) is True:
            obj["metadata"]["namespace"] = default_namespace
    return objects


def _key(obj: dict[str, Any]) -> tuple[str, str, str, str]:
    # cli-utils ObjMetadata: group, kind, namespace, name.
    group, _ = _group_version(str(obj["apiVersion"]))
    metadata = _metadata(obj)
    return group, str(obj["kind"]), str(metadata.get("namespace") or ""), str(metadata["name"])


def _depends_on(obj: dict[str, Any]) -> list[tuple[str, str, str, str]]:
    """``config.kubernetes.io/depends-on``: ``<group>/namespaces/<namespace>/<kind>/<name>`` or
    ``<group>/<kind>/<name>``, comma-separated (cli-utils ``dependson.ParseDependencySet``)."""
    annotations = _metadata(obj).get("annotations")
    value = annotations.get(DEPENDS_ON) if isinstance(annotations, dict) else None
    found = []
    for reference in (value.split(",") if isinstance(value, str) else []):
        parts = reference.strip().split("/")
        if len(parts) == 5 and parts[1] == "namespaces":
            found.append((parts[0], parts[3], parts[2], parts[4]))
        elif len(parts) == 3:
            found.append((parts[0], parts[1], "", parts[2]))
    return found


def dependencies(objects: list[dict[str, Any]]) -> list[list[int]]:
    """For each object, the indexes of the objects it waits for (cli-utils ``graph.DependencyGraph``:
    explicit depends-on, a custom resource on its CRD, a namespaced object on its Namespace)."""
    index = {_key(obj): i for i, obj in enumerate(objects)}
    needs: list[list[int]] = []
    for obj in objects:
        group, kind, space, _ = _key(obj)
        wanted = list(_depends_on(obj))
        crd = _crd(objects, group, kind)
        if crd is not None:
            wanted.append(_key(crd))
        if space:
            wanted.append(("", "Namespace", "", space))
        me = index[_key(obj)]
        needs.append(sorted({index[w] for w in wanted if w in index and index[w] != me}))
    return needs


def registration_order(needs: list[list[int]]) -> list[int]:
    """Objects in the order ``Register`` declares them: what they wait for first, else as given."""
    done: set[int] = set()
    order: list[int] = []
    while len(order) < len(needs):
        ready = [i for i in range(len(needs)) if i not in done and all(d in done for d in needs[i])]
        if not ready:
            raise ManifestError("dependency cycle among the manifest's objects (config.kubernetes.io/depends-on)")
        order.extend(ready)
        done.update(ready)
    return order


def resource_name(obj: dict[str, Any], prefix: str) -> str:
    """``<prefix>:<namespace>/<name>`` (the namespace and prefix only where set): ``register`` in yaml.go."""
    metadata = _metadata(obj)
    name = str(metadata["name"])
    if metadata.get("namespace"):
        name = f"{metadata['namespace']}/{name}"
    return f"{prefix}:{name}" if prefix else name


def prefix_of(component_name: str, inputs: dict[str, Any]) -> str:
    """``resourcePrefix`` when given (even empty), else the component's name."""
    prefix = inputs.get("resourcePrefix")
    return prefix if isinstance(prefix, str) else component_name


def skip_await(obj: dict[str, Any]) -> None:
    """Annotate ``pulumi.com/skipAwait: "true"`` (``skipAwait`` input)."""
    metadata = obj.setdefault("metadata", {})
    if not isinstance(metadata.get("annotations"), dict):
        metadata["annotations"] = {}
    metadata["annotations"]["pulumi.com/skipAwait"] = "true"
