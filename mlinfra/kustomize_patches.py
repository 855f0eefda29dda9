"""Kustomize's patch and replica transformers, offline, as kustomize applies them (read at
kubernetes-sigs/kustomize 12f9e6391):

- which objects a patch reaches (``api/internal/builtins/PatchTransformer.go``): a strategic-merge patch
  without a ``target``, the object of its own apiVersion, kind, name and namespace, by the object's current
  or original id (``GetById(patch.OrgId())``, an absent namespace is ``default``); a ``target`` selector
  every object it selects (``resWrangler.Select``: group, version, kind, name and namespace are anchored
  regular expressions, name and namespace matched against the original and the current id; label and
  annotation selectors in the apimachinery syntax). A strategic-merge patch applied through a target
  keeps each object's name and kind;
- how a strategic-merge patch merges (``kyaml/yaml/merge2``, ``kyaml/yaml/walk``): maps field by field,
  ``null`` removes a field, a scalar replaces, a list replaces unless the object's schema marks it
  ``x-kubernetes-patch-strategy: merge``; then its elements merge on the field's
  ``x-kubernetes-patch-merge-key`` (elements only the patch has come first: ``MergeOptionsListPrepend``)
  and a list of scalars is united. ``$patch: delete`` and ``$patch: replace`` act on maps, on list
  elements and (as a list's own element) on lists; ``$setElementOrder`` only orders. The schema is
  kyaml's built-in Kubernetes OpenAPI (``DefaultOpenAPI`` v1.21.2), kept in ``kustomize_schema.json``;
  a kind it does not know (a custom resource) has none, so all its lists are replaced. Where kyaml merges
  on several keys (``x-kubernetes-list-map-keys``: a container port and its protocol) only the merge key
  is used;
- a JSON 6902 patch (RFC 6902; kustomize uses evanphx/json-patch) by the ``jsonpatch`` library;
- ``replicas`` (``ReplicaCountTransformer``): ``spec.replicas`` of the Deployments, ReplicaSets,
  ReplicationControllers and StatefulSets of that name (``builtinpluginconsts/replicas.go``).

Everything here works on objects as dicts and raises ``ValueError`` with kustomize's wording; the caller
(``kustomize_build``) reads the files and names the kustomization.
"""

from __future__ import annotations

import copy
import functools
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, NamedTuple, Optional

#: kyaml's deletion marker for a map field, list element or list (``walk.ClearNode``).
_DELETE = object()
DIRECTIVE = "$patch"
REPLICA_KINDS = ("Deployment", "ReplicationController", "ReplicaSet", "StatefulSet")


@dataclass
class Built:
    """An object kustomize has built, with the ids (namespace, name) it had before a transformer changed
    them, and the name prefix and suffix of each kustomization level it went through (empty ones too)."""

    obj: dict[str, Any]
    previous: list[tuple[str, str]] = field(default_factory=list)
    prefixes: list[str] = field(default_factory=list)
    suffixes: list[str] = field(default_factory=list)
    #: A generated ConfigMap or Secret whose name gets its content's hash once the build is done.
    hashed: bool = False

    def ids(self, cluster_scoped: Callable[[dict[str, Any]], bool]) -> list[tuple[str, str]]:
        """Every (effective namespace, name) the object had: ``default`` for an absent namespace of a
        namespaced kind (``ResId.EffectiveNamespace``)."""
        metadata = self.obj.get("metadata") if isinstance(self.obj.get("metadata"), dict) else {}
        current = (str(metadata.get("namespace") or ""), str(metadata.get("name") or ""))
        scoped = cluster_scoped(self.obj)
        return [("" if scoped else (space or "default"), name) for space, name in [*self.previous, current]]


# --- the schema --------------------------------------------------------------------------------------


@functools.lru_cache(maxsize=1)
def _schema() -> dict[str, Any]:
    return json.loads((Path(__file__).with_name("kustomize_schema.json")).read_text())


def _definition(obj: dict[str, Any]) -> Optional[str]:
    """The OpenAPI definition of a built-in kind (``openapi.SchemaForResourceType``); ``None`` otherwise."""
    return _schema()["kinds"].get(f"{obj.get('apiVersion')}/{obj.get('kind')}")


def _property(definition: Optional[str], name: str) -> tuple[Optional[str], Optional[list[str]]]:
    """(the definition of ``name``'s value or of its elements, the keys its elements merge on if the list
    merges: none for a list of scalars) within ``definition``; (None, None) where the schema does not say."""
    if definition is None:
        return None, None
    found = _schema()["definitions"].get(definition, {}).get(name)
    return (found[0], found[1]) if found else (None, None)


# --- strategic merge -----------------------------------------------------------------------------------


def _directive(value: Any) -> Optional[str]:
    directive = value.get(DIRECTIVE) if isinstance(value, dict) else None
    if directive not in (None, "merge", "delete", "replace"):
        raise ValueError(f"unknown patch strategy {directive!r} (allowed: merge, delete, replace)")
    return directive


def _plain(value: Any) -> Any:
    """A patch value as it lands where nothing was: directives dropped, deleted fields and elements left out."""
    if isinstance(value, dict):
        if _directive(value) == "delete":
            return _DELETE
        result = {}
        for key, item in value.items():
            if key == DIRECTIVE or key.startswith("$setElementOrder/"):
                continue
            _refuse_directive(key)
            item = _plain(item)
            if item is not _DELETE:
                result[key] = item
        return result
    if isinstance(value, list):
        items = [_plain(item) for item in value if not _list_directive(item)]
        return [item for item in items if item is not _DELETE]
    return value


def _refuse_directive(key: str) -> None:
    if key.startswith("$"):
        raise ValueError(f"{key}: the offline plan applies the $patch and $setElementOrder directives of "
                         "strategic-merge patches only")


def _list_directive(item: Any) -> Optional[str]:
    """A list's own directive: an element that is ``{$patch: ...}`` alone."""
    return _directive(item) if isinstance(item, dict) and set(item) == {DIRECTIVE} else None


class _How(NamedTuple):
    """merge2's options: where elements only the patch has go (kustomize prepends), and whether a list
    without a schema merges on ``name`` when its elements have one (``InferAssociativeLists``; kustomize's
    patches do not infer)."""

    prepend: bool = True
    infer: bool = False


def _merge(dest: Any, patch: Any, definition: Optional[str], how: _How) -> Any:
    if isinstance(patch, dict) and isinstance(dest, dict):
        return _merge_map(dest, patch, definition, how)
    return _plain(patch)


def _merge_map(dest: dict[str, Any], patch: dict[str, Any], definition: Optional[str], how: _How) -> Any:
    directive = _directive(patch)
    if directive == "delete":
        return _DELETE
    if directive == "replace":
        return _plain({k: v for k, v in patch.items() if k != DIRECTIVE})
    result = dict(dest)
    for key, value in patch.items():
        if key == DIRECTIVE or key.startswith("$setElementOrder/"):
            continue
        _refuse_directive(key)
        if value is None:
            result.pop(key, None)
            continue
        child, keys = _property(definition, key)
        if result.get(key) is None:
            merged = _plain(value)
        elif isinstance(value, list) and isinstance(result[key], list):
            if keys is None and child is None and how.infer and any(
                    isinstance(item, dict) and "name" in item for item in [*result[key], *value]):
                keys = ["name"]  # walk.elementKey: AssociativeSequenceKeys
            merged = _merge_list(result[key], value, child, keys, how)
        else:
            merged = _merge(result[key], value, child, how)
        if merged is _DELETE:
            result.pop(key, None)
        else:
            result[key] = merged
    return result


def _merge_list(dest: list[Any], patch: list[Any], element: Optional[str], keys: Optional[list[str]],
                how: _How) -> Any:
    directives = {_list_directive(item) for item in patch} - {None}
    if "delete" in directives:
        return _DELETE
    if "replace" in directives or keys is None:
        return _plain(patch)
    items = [item for item in patch if not _list_directive(item)]
    if not keys:  # a list of scalars the schema merges (finalizers): the union
        added = [item for item in items if item not in dest]
        return added + dest if how.prepend else dest + added

    def values(item: Any) -> Optional[tuple[str, ...]]:
        if not isinstance(item, dict) or all(item.get(k) is None for k in keys):
            return None
        return tuple("" if item.get(k) is None else str(item.get(k)) for k in keys)

    def same(a: tuple[str, ...], b: tuple[str, ...]) -> bool:
        # walk.match: no key on which both have different values, and one on which they agree.
        return all(x == y or not x or not y for x, y in zip(a, b)) and any(x == y for x, y in zip(a, b))

    # kyaml's order (walk.elementValues): the patch's elements first when prepending, else the object's.
    entries: list[dict[str, Any]] = []
    sources = [("theirs", items), ("ours", dest)] if how.prepend else [("ours", dest), ("theirs", items)]
    for side, listed in sources:
        for item in listed:
            found = values(item)
            if found is None:
                continue
            entry = next((e for e in entries if same(e["values"], found)), None)
            if entry is None:
                entries.append({"values": found, side: item})
            else:
                entry.setdefault(side, item)
    result = []
    for entry in entries:
        if "theirs" not in entry:
            merged = entry["ours"]
        elif "ours" in entry:
            merged = _merge(entry["ours"], entry["theirs"], element, how)
        else:
            merged = _plain(entry["theirs"])
        if merged is not _DELETE:
            result.append(merged)
    # Elements without any key keep their place after the keyed ones.
    return result + [item for item in dest if values(item) is None] + [
        _plain(item) for item in items if values(item) is None]


def merge_documents(dest: dict[str, Any], patch: dict[str, Any], *, prepend: bool = True,
                    infer: bool = False) -> Optional[dict[str, Any]]:
    """merge2's ``Merge``: ``patch`` merged into a copy of ``dest`` by the schema of ``dest``'s kind (``None``
    when the patch deletes it)."""
    merged = _merge_map(copy.deepcopy(dest), patch, _definition(dest), _How(prepend, infer))
    return None if merged is _DELETE else merged


def strategic_merge(obj: dict[str, Any], patch: dict[str, Any], keep_identity: bool) -> Optional[dict[str, Any]]:
    """``obj`` with ``patch`` merged in as kustomize's patches merge (``None`` when the patch deletes it); with
    ``keep_identity`` (a patch applied through a target) the object keeps its apiVersion, kind and name."""
    merged = merge_documents(obj, patch)
    if merged is None or not keep_identity:
        return merged
    for key in ("apiVersion", "kind"):
        if key in obj:
            merged[key] = obj[key]
    name = (obj.get("metadata") or {}).get("name")
    if name is not None and isinstance(merged.get("metadata"), dict):
        merged["metadata"]["name"] = name
    return merged


def json6902(obj: dict[str, Any], operations: list[Any]) -> dict[str, Any]:
    """``obj`` after the RFC 6902 ``operations``, as kustomize's evanphx/json-patch v4 applies them: a
    ``replace`` of a key an object lacks sets it (v4's ``partialDoc.get`` finds no error in a missing key;
    RFC 6902, and the ``jsonpatch`` library, would refuse it)."""
    import jsonpatch
    import jsonpointer

    try:
        for operation in operations:
            if isinstance(operation, dict) and operation.get("op") == "replace" and isinstance(
                    operation.get("path"), str):
                pointer = jsonpointer.JsonPointer(operation["path"])
                parent = pointer.resolve(obj, None) if not pointer.parts else jsonpointer.JsonPointer.from_parts(
                    pointer.parts[:-1]).resolve(obj, None)
                if isinstance(parent, dict) and pointer.parts and pointer.parts[-1] not in parent:
                    operation = {**operation, "op": "add"}
            obj = jsonpatch.JsonPatch([operation]).apply(obj)
        return obj
    except (jsonpatch.JsonPatchException, jsonpointer.JsonPointerException, TypeError, KeyError) as exc:
        raise ValueError(f"json patch: {exc}") from None


# --- which objects --------------------------------------------------------------------------------------

def gvk_selected(obj: dict[str, Any], selector: dict[str, Any]) -> bool:
    """``Gvk.IsSelected``: every one of group, version and kind the selector sets is the object's."""
    group, _, version = str(obj.get("apiVersion", "")).rpartition("/")
    return all(not selector.get(key) or selector[key] == value
               for key, value in (("group", group), ("version", version), ("kind", str(obj.get("kind", "")))))


SELECTOR_FIELDS = frozenset({"group", "version", "kind", "name", "namespace", "labelSelector", "annotationSelector"})
_REQUIREMENT = re.compile(r"^\s*(?P<not>!)?\s*(?P<key>[A-Za-z0-9._/-]+)\s*(?:(?P<op>==|!=|=|\s+in\s+|\s+notin\s+)"
                          r"\s*(?P<value>\([^)]*\)|[A-Za-z0-9._-]*))?\s*$")


def _split_requirements(text: str) -> list[str]:
    parts, depth, current = [], 0, ""
    for char in text:
        depth += {"(": 1, ")": -1}.get(char, 0)
        if char == "," and depth == 0:
            parts.append(current)
            current = ""
        else:
            current += char
    return [*parts, current] if current.strip() or parts else []


def selector_matches(selector: str, labels: dict[str, Any]) -> bool:
    """Whether ``labels`` satisfy a label selector (``k8s.io/apimachinery/pkg/labels.Parse``: ``k=v``,
    ``k==v``, ``k!=v``, ``k in (a,b)``, ``k notin (a,b)``, ``k``, ``!k``, comma-separated, all required)."""
    for requirement in _split_requirements(selector):
        match = _REQUIREMENT.match(requirement)
        if match is None or (match.group("not") and match.group("op")):
            raise ValueError(f"unable to parse requirement: {requirement.strip()!r}")
        key, op, value = match.group("key"), (match.group("op") or "").strip(), match.group("value")
        present = key in labels
        if not op:
            if present == bool(match.group("not")):
                return False
            continue
        if op in ("in", "notin"):
            if not (value or "").startswith("("):
                raise ValueError(f"unable to parse requirement: {requirement.strip()!r}: a set is in parentheses")
            values = {v.strip() for v in value[1:-1].split(",") if v.strip()}
            if (present and str(labels[key]) in values) != (op == "in"):
                return False
        elif (present and str(labels[key]) == value) != (op != "!="):
            return False
    return True


def _anchored(pattern: str, value: str) -> bool:
    try:
        return re.fullmatch(f"(?:{pattern})", value) is not None
    except re.error as exc:
        raise ValueError(f"target: {pattern!r} is not a regular expression: {exc}") from None


def selected(built: Built, target: dict[str, Any], cluster_scoped: Callable[[dict[str, Any]], bool]) -> bool:
    """Whether a patch's ``target`` selects the object."""
    obj = built.obj
    group, _, version = str(obj.get("apiVersion", "")).rpartition("/")
    for key, actual in (("group", group), ("version", version), ("kind", str(obj.get("kind", "")))):
        if target.get(key) and not _anchored(str(target[key]), actual):
            return False
    ids = built.ids(cluster_scoped)
    for key, position in (("namespace", 0), ("name", 1)):
        if target.get(key) and not any(_anchored(str(target[key]), found[position]) for found in ids):
            return False
    metadata = obj.get("metadata") if isinstance(obj.get("metadata"), dict) else {}
    for key, labels in (("labelSelector", "labels"), ("annotationSelector", "annotations")):
        if target.get(key) and not selector_matches(str(target[key]), metadata.get(labels) or {}):
            return False
    return True


def patched_by_id(objects: list[Built], patch: dict[str, Any], cluster_scoped: Callable[[dict[str, Any]], bool]
                  ) -> Built:
    """The object a strategic-merge patch without a target names by its apiVersion, kind, name and namespace."""
    metadata = patch.get("metadata") if isinstance(patch.get("metadata"), dict) else {}
    space, name = str(metadata.get("namespace") or ""), str(metadata.get("name") or "")
    wanted = ("" if cluster_scoped(patch) else (space or "default"), name)
    for built in objects:
        if (built.obj.get("apiVersion"), built.obj.get("kind")) == (patch.get("apiVersion"), patch.get("kind")) \
                and wanted in built.ids(cluster_scoped):
            return built
    shown = f"{patch.get('apiVersion')}, Kind={patch.get('kind')} {space + '/' if space else ''}{name}"
    raise ValueError(f"no resource matches strategic merge patch \"{shown}\"")


def set_replicas(objects: list[Built], entry: Any) -> None:
    """``replicas: [{name, count}]``: the count on every replicated kind of that name."""
    if not isinstance(entry, dict) or not isinstance(entry.get("name"), str) or set(entry) - {"name", "count"} \
            or isinstance(entry.get("count"), bool) or not isinstance(entry.get("count"), int):
        raise ValueError(f"replicas: an entry is {{name, count}} with an integer count: {entry!r}")
    found = False
    for built in objects:
        names = {name for _, name in [*built.previous, ("", (built.obj.get("metadata") or {}).get("name"))]}
        if built.obj.get("kind") in REPLICA_KINDS and entry["name"] in names:
            spec = built.obj.get("spec")
            if not isinstance(spec, dict):
                spec = built.obj["spec"] = {}
            spec["replicas"] = entry["count"]
            found = True
    if not found:
        raise ValueError(f"resource with name {entry['name']} does not match a config with the following GVK "
                         f"[{' '.join(REPLICA_KINDS)}]")
