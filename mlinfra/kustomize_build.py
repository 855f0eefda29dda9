"""Kustomize directories built offline: the objects ``kustomize build`` prints, for
``kubernetes.kustomize.Directory`` (v1: the SDK declares what the invoke ``kubernetes:kustomize:directory``
returns) and ``kustomize.v2.Directory`` (the provider runs krusty, then ``Parse``, ``Normalize`` with the
component's ``namespace`` else the provider's, and ``Register`` as for ``yaml/v2``:
``provider/pkg/provider/kustomize/v2/directory.go``).

The provider embeds kustomize; offline, the kustomizations made of ``resources`` (local files and
directories, in order: ``krusty.ReorderOptionNone``), the deprecated ``bases``, ``components``, the
ConfigMap and Secret generators (``kustomize_generators``), ``namespace`` (``api/filters/namespace``:
``metadata.namespace`` set, or replaced, on every object but the kinds known to be cluster-scoped, and on
binding subjects named ``default``), ``namePrefix`` and ``nameSuffix`` with the name references that
follow them (``kustomize_names``), ``commonLabels``, ``labels`` and ``commonAnnotations`` (into the fields
kustomize's built-in field specs name, selectors and pod templates included), the patches and
``replicas`` (``kustomize_patches``), ``images`` (``api/filters/imagetag``: the images of containers and
init containers renamed, retagged or pinned to a digest), ``replacements`` (``kustomize_replacements``) and
``vars`` (``kustomize_vars``) are built, in krusty's order, as kustomize builds them. A kustomization with any other field stops the
plan naming it: registering fewer or other objects than a preview would hide what the rules should judge.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, Optional, Union

from mlinfra import (
    kustomize_config,
    kustomize_generators,
    kustomize_names,
    kustomize_patches,
    kustomize_replacements,
    kustomize_vars,
)
from mlinfra.kustomize_config import TransformerConfig
from mlinfra.kubernetes_objects import ManifestError, cluster_scoped, objects_of, yaml_documents
from mlinfra.kustomize_patches import Built

#: ``konfig.RecognizedKustomizationFileNames``, in the order kustomize looks for them.
KUSTOMIZATION_FILES = ("kustomization.yaml", "kustomization.yml", "Kustomization")
#: The kustomization fields the offline build applies (the rest stop the plan, see the module's docstring).
KUSTOMIZE_BUILT = ("resources", "bases", "components", "configMapGenerator", "secretGenerator", "generatorOptions",
                   "namespace", "namePrefix", "nameSuffix", "patches", "patchesStrategicMerge", "patchesJson6902",
                   "commonLabels", "labels", "commonAnnotations", "replicas", "images", "replacements", "vars",
                   "configurations", "sortOptions")
KUSTOMIZE_FIELDS = frozenset({"apiVersion", "kind", "metadata", *KUSTOMIZE_BUILT})
KUSTOMIZE_LISTS = ("resources", "bases", "components", "images", "patches", "patchesStrategicMerge",
                   "patchesJson6902", "replicas", "replacements", "vars", "configurations")

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
#: Where the namespace transformer writes the namespace besides ``metadata.namespace``
#: (``builtinpluginconsts/namespace.go``): a Namespace object takes its name, an APIService's and a CRD's
#: conversion webhook's service their namespace.
NAMESPACE_SPECS = (("metadata/name", True, "", "", "Namespace"),
                   ("spec/service/namespace", True, "apiregistration.k8s.io", "", "APIService"),
                   ("spec/conversion/webhook/clientConfig/service/namespace", False, "apiextensions.k8s.io", "",
                    "CustomResourceDefinition"))
#: A ``labels`` entry's fields (api/types/labels.go ``Label``) and those of its own field specs.
LABEL_FIELDS = frozenset({"pairs", "includeSelectors", "includeTemplates", "fields"})
FIELD_SPEC_FIELDS = frozenset({"path", "create", "group", "version", "kind"})
#: An ``images`` entry's fields (``types.Image``).
IMAGE_FIELDS = frozenset({"name", "newName", "newTag", "digest"})


def _is_url(path: str) -> bool:
    # kustomize's remote targets: a URL, or a git repository spec (github.com/org/repo//dir?ref=v1).
    return bool(re.match(r"^[A-Za-z][A-Za-z0-9+.-]*://", path)) or path.startswith(("github.com/", "gitlab.com/",
                                                                                     "bitbucket.org/", "git@"))


def kustomize_build(directory: str) -> list[dict[str, Any]]:
    """The objects ``kustomize build <directory>`` prints, for the kustomizations the offline plan can build
    (``KUSTOMIZE_FIELDS``); relative to the current directory (the program's, as the provider's)."""
    variables: list[Any] = []
    objects, config = _kustomize(directory, (), variables)
    try:
        # Done once, after the whole build (KustTarget.makeCustomizedResMap).
        kustomize_generators.add_hashes(objects)
        kustomize_names.fix_references(objects, cluster_scoped, config.name_references)
        kustomize_vars.resolve(objects, variables, cluster_scoped, config.var_references)
    except ValueError as exc:
        raise ManifestError(f"kustomize build error: {directory}: {exc}") from None
    return [built.obj for built in objects]


def _kustomize(directory: str, seen: tuple[str, ...], variables: list[Any],
               accumulated: Optional[list[Built]] = None,
               config: Optional[TransformerConfig] = None) -> tuple[list[Built], TransformerConfig]:
    """The objects and the transformer configuration of the kustomization in ``directory``, its ``vars``
    added to ``variables``; a component (``accumulated`` and ``config`` given: its parent's so far) adds its
    own to those and transforms them all (``KustTarget.accumulateComponents``)."""
    folder, file, kustomization = _kustomization(directory, seen, accumulated is not None)
    seen = (*seen, str(folder.resolve()))
    variables.extend(kustomization.get("vars") or [])
    objects: list[Built] = list(accumulated or [])
    config = config if config is not None else TransformerConfig()
    for entry in [*(kustomization.get("resources") or []), *(kustomization.get("bases") or [])]:
        if not isinstance(entry, str):
            raise ManifestError(f"kustomize build error: {file}: resources lists paths")
        if _is_url(entry):
            raise ManifestError(f"kustomize build error: {file}: {entry}: the offline plan reads local files only")
        path = folder / entry
        if path.is_dir():
            built, built_config = _kustomize(str(path), seen, variables)
            objects.extend(built)
            config.merge(built_config)
        elif path.is_file():
            objects.extend(Built(obj) for obj in objects_of(path.read_text()))
        else:
            raise ManifestError(f"kustomize build error: accumulating resources: '{path.resolve()}': "
                                "no such file or directory")
    try:
        config.merge(kustomize_config.load(kustomization.get("configurations") or [],
                                           lambda path: _patch_documents(_patch_text(folder, {"path": path}))))
        kustomize_generators.generate(objects, folder, kustomization, cluster_scoped)
        for entry in kustomization.get("components") or []:
            if not isinstance(entry, str) or _is_url(entry):
                raise ValueError(f"components lists local directories: {entry!r}")
            objects, config = _kustomize(str(folder / entry), seen, variables, objects, config)
        _transform(objects, folder, file, kustomization, config)
    except ValueError as exc:
        raise ManifestError(f"kustomize build error: {file}: {exc}") from None
    return objects, config


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
    documents = [d for d in yaml_documents(file.read_text()) if d is not None]
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
    # sortOptions orders kustomize's output only; the provider registers the objects in dependency order.
    order = kustomization.get("sortOptions")
    if order is not None and (not isinstance(order, dict) or order.get("order") not in ("legacy", "fifo")):
        raise ManifestError(f"kustomize build error: {file}: sortOptions: order is legacy or fifo: {order!r}")
    wrong = [name for name in KUSTOMIZE_LISTS if not isinstance(kustomization.get(name) or [], list)]
    if wrong:
        raise ManifestError(f"kustomize build error: {file}: {', '.join(wrong)}: a list")
    return folder, file, kustomization


def _transform(objects: list[Built], folder: Path, file: Path, kustomization: dict[str, Any],
               config: TransformerConfig) -> None:
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
            _set_fields(built.obj, space, NAMESPACE_SPECS + kustomize_config.label_specs(config.namespace))
    affixes = [kustomization.get(name) or "" for name in ("namePrefix", "nameSuffix")]
    if not all(isinstance(affix, str) for affix in affixes):
        raise ValueError("namePrefix and nameSuffix are strings")
    kustomize_names.rename(objects, *affixes)
    for pairs, specs in _label_transforms(kustomization, file, config):
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
                                 lambda path: _replacement_file(folder, path), cluster_scoped)


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
        return [d for d in yaml_documents(text) if d is not None]
    except ManifestError as exc:
        raise ValueError(str(exc)) from None


def _patch_objects(text: str, where: str) -> list[dict[str, Any]]:
    documents = _patch_documents(text)
    if not documents or not all(isinstance(d, dict) for d in documents):
        raise ValueError(f"{where}: a strategic-merge patch is one or more objects")
    return documents


def _merge_by_id(objects: list[Built], patch: dict[str, Any]) -> None:
    built = kustomize_patches.patched_by_id(objects, patch, cluster_scoped)
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
    for built in [b for b in objects if kustomize_patches.selected(b, target, cluster_scoped)]:
        merged = kustomize_patches.strategic_merge(built.obj, patches[0], keep_identity=keep)
        if merged is None:
            objects.remove(built)
        else:
            built.obj = merged


def _json_patch(objects: list[Built], text: str, target: dict[str, Any]) -> None:
    documents = _patch_documents(text)
    if len(documents) != 1 or not isinstance(documents[0], list):
        raise ValueError("a JSON 6902 patch is a list of operations")
    for built in [b for b in objects if kustomize_patches.selected(b, target, cluster_scoped)]:
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


def _label_transforms(kustomization: dict[str, Any], file: Path,
                      config: TransformerConfig) -> list[tuple[dict[str, str], tuple]]:
    """(pairs, field specs) per label or annotation transformer of ``kustomization``, as krusty configures
    them (api/krusty/kusttarget.go): ``commonLabels`` into selectors and templates; a ``labels`` entry into
    ``metadata.labels``, templates too with ``includeTemplates``, selectors too with ``includeSelectors``."""
    def pairs_of(value: Any, field: str) -> dict[str, str]:
        if not isinstance(value, dict) or not all(isinstance(k, str) and isinstance(v, str) for k, v in value.items()):
            raise ManifestError(f"kustomize build error: {file}: {field}: a map of strings to strings")
        return value

    transforms = []
    if kustomization.get("commonLabels"):
        transforms.append((pairs_of(kustomization["commonLabels"], "commonLabels"),
                           COMMON_LABEL_SPECS + kustomize_config.label_specs(config.common_labels)))
    labels = kustomization.get("labels") or []
    if not isinstance(labels, list):
        raise ManifestError(f"kustomize build error: {file}: labels: a list of {{pairs, includeSelectors, "
                            "includeTemplates, fields}}")
    for entry in labels:
        if not isinstance(entry, dict) or set(entry) - LABEL_FIELDS:
            raise ManifestError(f"kustomize build error: {file}: labels: an entry has pairs, includeSelectors, "
                                f"includeTemplates and fields only: {entry!r}")
        specs = COMMON_LABEL_SPECS + kustomize_config.label_specs(config.common_labels) if entry.get(
            "includeSelectors") is True else _METADATA_LABELS if entry.get(
            "includeTemplates") is True else _METADATA_LABELS[:1]
        transforms.append((pairs_of(entry.get("pairs") or {}, "labels.pairs"), (*specs, *_field_specs(entry, file))))
    if kustomization.get("commonAnnotations"):
        transforms.append((pairs_of(kustomization["commonAnnotations"], "commonAnnotations"),
                           COMMON_ANNOTATION_SPECS + kustomize_config.label_specs(config.common_annotations)))
    return transforms


def _field_specs(entry: dict[str, Any], file: Path) -> list[tuple[str, bool, str, str, str]]:
    """A ``labels`` entry's own ``fields`` (``types.FieldSpec``: path, create, group, version, kind), which
    krusty adds to the default ones."""
    specs = []
    for spec in entry.get("fields") or []:
        if not isinstance(spec, dict) or not isinstance(spec.get("path"), str) or set(spec) - FIELD_SPEC_FIELDS:
            raise ManifestError(f"kustomize build error: {file}: labels: a field spec has "
                                f"{', '.join(sorted(FIELD_SPEC_FIELDS))}, and a path: {spec!r}")
        specs.append((spec["path"], spec.get("create") is True, str(spec.get("group") or ""),
                      str(spec.get("version") or ""), str(spec.get("kind") or "")))
    return specs


def _set_fields(obj: dict[str, Any], pairs: Union[dict[str, str], str], specs: tuple) -> None:
    for path, create, group, version, kind in specs:
        if kustomize_patches.gvk_selected(obj, {"group": group, "version": version, "kind": kind}):
            _set_at(obj, path.split("/"), pairs, create)


def _set_at(node: Any, steps: list[str], pairs: Union[dict[str, str], str], create: bool) -> None:
    """Labels or annotations (``pairs``, a map) merged into the map at ``steps``, or a value (a namespace)
    set there; ``create`` makes what is missing."""
    if isinstance(node, list):
        for item in node:
            _set_at(item, steps, pairs, create)
        return
    if not isinstance(node, dict):
        return
    step, rest = steps[0], steps[1:]
    if not rest and not isinstance(pairs, dict):
        if step in node or create:
            node[step] = pairs
        return
    child = node.get(step)
    if child is None:
        if not create:
            return
        child = node[step] = {}
    if rest:
        _set_at(child, rest, pairs, create)
    elif isinstance(child, dict):
        child.update(pairs)


def _kustomize_namespace(built: Built, space: str) -> None:
    """kustomize's namespace filter (``api/filters/namespace/namespace.go``): ``metadata.namespace`` set on
    every object whose kind is not known to be cluster-scoped, replacing one it had (every object's id is
    kept for later patches' targets: ``NamespaceTransformer``'s ``StorePreviousId``); a
    (Cluster)RoleBinding's subjects named ``default`` get it too."""
    obj = built.obj
    metadata = obj.get("metadata")
    if not isinstance(metadata, dict):
        metadata = obj["metadata"] = {}
    built.previous.append((str(metadata.get("namespace") or ""), str(metadata.get("name") or "")))
    if not cluster_scoped(obj):
        metadata["namespace"] = space
    if obj.get("kind") in ("RoleBinding", "ClusterRoleBinding") and isinstance(obj.get("subjects"), list):
        for subject in obj["subjects"]:
            if isinstance(subject, dict) and subject.get("name") == "default":
                subject["namespace"] = space
