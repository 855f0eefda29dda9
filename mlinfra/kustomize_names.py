"""Kustomize's name transformers, offline: ``namePrefix`` and ``nameSuffix`` rename the objects, and the
name references of every object that names a renamed one follow, as kustomize does (read at
kubernetes-sigs/kustomize 12f9e6391):

- ``PrefixTransformer``/``SuffixTransformer`` (``api/internal/builtins``): ``metadata.name`` of every
  object but CustomResourceDefinitions, APIServices and Namespaces gets the prefix or suffix; each level
  of kustomization records its prefix and suffix on the object (empty ones too) and, when it renames,
  the id the object had;
- ``nameReferenceTransformer`` (``api/internal/accumulator``), once, after the whole build: for each
  field kustomize knows to name another object (``builtinpluginconsts/namereference.go``, vendored as
  ``kustomize_name_references.json``: a Deployment's ``volumes[].configMap.name``, a RoleBinding's
  ``roleRef.name`` and ``subjects``, a pod's ``serviceAccountName``...), the object it named is looked
  up among those that once had that name (``nameref.Filter.selectReferral``: of the referenced kind, of
  the roleRef's group and kind, in the referrer's namespace unless either is cluster-scoped or the
  target is a ServiceAccount; several left, those whose prefixes and suffixes end like the
  referrer's), and the field gets its current name (a ``{name, namespace}`` field its namespace too).
  References to objects the kustomization did not rename stay as they are.
"""

from __future__ import annotations

import functools
import json
import re
from pathlib import Path
from typing import Any, Callable, Optional

from mlinfra.kustomize_patches import Built, gvk_selected

#: The kinds the prefix and suffix transformers leave alone (``prefixFieldSpecsToSkip``), as selectors.
UNRENAMED = ({"kind": "CustomResourceDefinition"}, {"group": "apiregistration.k8s.io", "kind": "APIService"},
             {"kind": "Namespace"})


@functools.lru_cache(maxsize=1)
def _references() -> list[dict[str, Any]]:
    return json.loads(Path(__file__).with_name("kustomize_name_references.json").read_text())["nameReference"]


def _name(obj: dict[str, Any]) -> str:
    return str((obj.get("metadata") or {}).get("name") or "")


def _namespace(obj: dict[str, Any]) -> str:
    return str((obj.get("metadata") or {}).get("namespace") or "")


def rename(objects: list[Built], prefix: str, suffix: str) -> None:
    """One kustomization's ``namePrefix`` and ``nameSuffix``."""
    for built in objects:
        if any(gvk_selected(built.obj, skipped) for skipped in UNRENAMED):
            continue
        built.prefixes.append(prefix)
        built.suffixes.append(suffix)
        if prefix or suffix:
            metadata = built.obj.setdefault("metadata", {})
            built.previous.append((_namespace(built.obj), _name(built.obj)))
            metadata["name"] = f"{prefix}{metadata.get('name') or ''}{suffix}"


def _same_ending(shortest: list[str], longest: list[str]) -> bool:
    # utils.SameEndingSubSlice
    if len(shortest) > len(longest):
        shortest, longest = longest, shortest
    if not shortest:
        return len(longest) == len(shortest)
    diff = len(longest) - len(shortest)
    return all(longest[i + diff] == shortest[i] for i in range(len(shortest)))


def _affixes_match(candidate: Built, referrer: Built, allow_empty: bool) -> bool:
    # Resource.PrefixesSuffixesEquals
    if allow_empty:
        return ((not candidate.prefixes or not referrer.prefixes or _same_ending(candidate.prefixes, referrer.prefixes))
                and (not candidate.suffixes or not referrer.suffixes
                     or _same_ending(candidate.suffixes, referrer.suffixes)))
    return _same_ending(candidate.prefixes, referrer.prefixes) and _same_ending(candidate.suffixes, referrer.suffixes)


class _References:
    """The name-reference fix of one build."""

    def __init__(self, objects: list[Built], cluster_scoped: Callable[[dict[str, Any]], bool],
                 extra: list[dict[str, Any]]) -> None:
        self.objects, self.cluster_scoped = objects, cluster_scoped
        self.back_references = [*_references(), *extra]

    def effective(self, obj: dict[str, Any]) -> str:
        return "" if self.cluster_scoped(obj) else (_namespace(obj) or "default")

    def referable(self, referrer: Built) -> list[Built]:
        """``SubsetThatCouldBeReferencedByResource``."""
        if self.cluster_scoped(referrer.obj):
            return list(self.objects)
        spaces = set()
        if referrer.obj.get("kind") == "RoleBinding":
            for subject in referrer.obj.get("subjects") or []:
                if isinstance(subject, dict) and subject.get("kind") == "ServiceAccount" and subject.get("namespace"):
                    spaces.add(str(subject["namespace"]))
        here = self.effective(referrer.obj)
        return [b for b in self.objects if self.cluster_scoped(b.obj) or self.effective(b.obj) == here
                or _namespace(b.obj) in spaces]

    def select(self, old: str, candidates: list[Built], referrer: Built, target: dict[str, Any], path: str,
               identical: Callable[[list[Built]], bool]) -> Optional[Built]:
        """``Filter.selectReferral``."""
        candidates = [b for b in candidates if any(name == old for _, name in b.previous)]
        candidates = [b for b in candidates if gvk_selected(b.obj, target)]
        if path.endswith("roleRef/name"):
            role = referrer.obj.get("roleRef") if isinstance(referrer.obj.get("roleRef"), dict) else {}
            if role.get("apiGroup") is not None and role.get("kind") is not None:
                candidates = [b for b in candidates if gvk_selected(b.obj, {"group": role["apiGroup"],
                                                                             "kind": role["kind"]})]
        if not self.cluster_scoped(referrer.obj):
            here = self.effective(referrer.obj)
            candidates = [b for b in candidates if self.cluster_scoped(b.obj) or b.obj.get("kind") == "ServiceAccount"
                          or self.effective(b.obj) == here]
        if len(candidates) == 1:
            return candidates[0]
        candidates = [b for b in candidates if _affixes_match(b, referrer, True)]
        if len(candidates) > 1:
            candidates = [b for b in candidates if _affixes_match(b, referrer, False)]
        if len(candidates) <= 1:
            return candidates[0] if candidates else None
        if identical(candidates):
            return candidates[0]
        shown = ", ".join(f"{b.obj.get('kind')} {_namespace(b.obj)}/{_name(b.obj)}" for b in candidates)
        raise ValueError(f"found multiple possible referrals: {shown}")

    def fix(self, referrer: Built, candidates: list[Built], target: dict[str, Any], path: str) -> None:
        steps = [step.replace("\\/", "/") for step in re.split(r"(?<!\\)/", path)]

        def scalar(value: Any) -> Any:
            if not isinstance(value, str):
                return value
            found = self.select(value, candidates, referrer, target, path,
                                lambda bs: len({_name(b.obj) for b in bs}) == 1)
            return _name(found.obj) if found is not None else value

        def mapping(node: dict[str, Any]) -> None:
            if "name" not in node:
                raise ValueError(f"updating name reference in '{path}' field of {referrer.obj.get('kind')} "
                                 f"{_name(referrer.obj)}: path config error; no 'name' field in node")
            pool = candidates
            if node.get("namespace") is not None:
                space = str(node["namespace"])
                original = [b for b in candidates if self.effective(_original(b)) == space]
                pool = original or [b for b in candidates if self.effective(b.obj) == space]
            found = self.select(str(node["name"]), pool, referrer, target, path,
                                lambda bs: len({(_name(b.obj), _namespace(b.obj)) for b in bs}) == 1)
            if found is None or (_name(found.obj) == node["name"] and not _namespace(found.obj)):
                return
            node["name"] = _name(found.obj)
            if _namespace(found.obj):
                node["namespace"] = _namespace(found.obj)

        def visit(node: Any, rest: list[str]) -> Any:
            if isinstance(node, list):
                return [visit(item, rest) for item in node]
            if not rest:
                if isinstance(node, dict):
                    mapping(node)
                    return node
                return scalar(node)
            if isinstance(node, dict) and rest[0] in node and node[rest[0]] is not None:
                node[rest[0]] = visit(node[rest[0]], rest[1:])
            return node

        visit(referrer.obj, steps)

    def run(self) -> None:
        for referrer in self.objects:
            original = _original(referrer)
            specs = [(backref, spec) for backref in self.back_references for spec in backref["fieldSpecs"]
                     if gvk_selected(original, spec)]
            if not specs:
                continue
            candidates = self.referable(referrer)
            for backref, spec in specs:
                self.fix(referrer, candidates, backref, spec["path"])


def _original(built: Built) -> dict[str, Any]:
    """The object as its original id names it (``OrgId``): its first namespace and name."""
    if not built.previous:
        return built.obj
    space, name = built.previous[0]
    return {**built.obj, "metadata": {**(built.obj.get("metadata") or {}), "namespace": space, "name": name}}


def fix_references(objects: list[Built], cluster_scoped: Callable[[dict[str, Any]], bool],
                   extra: list[dict[str, Any]] = ()) -> None:
    """Every name reference to an object the build renamed (or moved to another namespace), renamed, in
    kustomize's fields and those of ``extra`` name references (a kustomization's ``configurations``)."""
    if any(built.previous for built in objects):
        _References(objects, cluster_scoped, list(extra)).run()
