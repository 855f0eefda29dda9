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

Read at pulumi-kubernetes 94977969d (main after v4.32.0; the installed SDK is 4.34.2, whose
``yaml.py`` is the one this module answers).
"""

from __future__ import annotations

import glob
import json
import re
from pathlib import Path
from typing import Any

from mlinfra.kubernetes_objects import ManifestError, crd_of, group_version, metadata_of, namespaced, objects_of
from mlinfra.kustomize_build import kustomize_build

YAML_V2_COMPONENTS = frozenset({"kubernetes:yaml/v2:ConfigGroup", "kubernetes:yaml/v2:ConfigFile"})
KUSTOMIZE_V2 = "kubernetes:kustomize/v2:Directory"
#: The multi-language components whose objects the provider registers as their children.
COMPONENTS = YAML_V2_COMPONENTS | {KUSTOMIZE_V2}
DEPENDS_ON = "config.kubernetes.io/depends-on"


def decode_invoke(inputs: dict[str, Any]) -> dict[str, Any]:
    """The provider's answer to ``kubernetes:yaml:decode`` (``{"text", "defaultNamespace"?}``): the
    objects, skipping those without kind or apiVersion; ``defaultNamespace`` (which the Python SDK
    never sends) set on namespaced kinds left without one."""
    text = inputs.get("text")
    if not isinstance(text, str):
        raise ManifestError("missing required field 'text' of type string")
    objects = [o for o in objects_of(text) if o.get("kind") and o.get("apiVersion")]
    space = inputs.get("defaultNamespace")
    if isinstance(space, str) and space:
        for obj in objects:
            if namespaced(obj, []) is not False and not metadata_of(obj).get("namespace"):
                obj.setdefault("metadata", {})["namespace"] = space
    return {"result": objects}




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
    parsed = [obj for text in texts for obj in objects_of(text)]
    return parsed + [json.loads(json.dumps(o)) for o in objects]


def normalize(objects: list[dict[str, Any]], default_namespace: str) -> list[dict[str, Any]]:
    """``Normalize``: lists expanded, kind and apiVersion and ``metadata.name`` required, group ``core``
    canonicalized (``core/v1`` -> ``v1``), namespaced objects without one put in ``default_namespace``."""
    objects = _expand(objects)
    for obj in objects:
        if not obj.get("kind") or not obj.get("apiVersion"):
            raise ManifestError(f"Kubernetes resources require a kind and apiVersion: `{_shown(obj)}`")
        if not metadata_of(obj).get("name"):
            raise ManifestError(f"Kubernetes resources require a .metadata.name: `{_shown(obj)}`")
        group, version = group_version(str(obj["apiVersion"]))
        if group == "core":
            obj["apiVersion"] = version
        if metadata_of(obj).get("namespace"):
            continue
        if namespaced(obj, objects) is True:
            obj["metadata"]["namespace"] = default_namespace
    return objects


def _key(obj: dict[str, Any]) -> tuple[str, str, str, str]:
    # cli-utils ObjMetadata: group, kind, namespace, name.
    group, _ = group_version(str(obj["apiVersion"]))
    metadata = metadata_of(obj)
    return group, str(obj["kind"]), str(metadata.get("namespace") or ""), str(metadata["name"])


def _depends_on(obj: dict[str, Any]) -> list[tuple[str, str, str, str]]:
    """``config.kubernetes.io/depends-on``: ``<group>/namespaces/<namespace>/<kind>/<name>`` or
    ``<group>/<kind>/<name>``, comma-separated (cli-utils ``dependson.ParseDependencySet``)."""
    annotations = metadata_of(obj).get("annotations")
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
        crd = crd_of(objects, group, kind)
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
    metadata = metadata_of(obj)
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
