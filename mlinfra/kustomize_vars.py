"""Kustomize's ``vars`` (deprecated for ``replacements``, still in older manifests such as Kubeflow's),
offline, as kustomize resolves them once the whole build is done (read at kubernetes-sigs/kustomize
12f9e6391):

- each var names an object (``objref``: apiVersion, kind, name, and a namespace if given; any id the
  object has had: ``ResAccumulator.MergeVars``) and one of its fields (``fieldref.fieldpath``, default
  ``metadata.name``; dots, ``[n]`` an index: ``RNode.GetFieldValue``); vars of every level of the build
  are one set, a name given twice an error;
- ``$(NAME)`` is replaced in the fields kustomize's varReference list names (container ``args``,
  ``command``, ``env[].value``, volume mount paths, an Ingress's hosts...: ``builtinpluginconsts/
  varreference.go``, vendored as ``kustomize_var_references.json``): in a string, a map's string values
  or a list's strings (``refvar.Filter``); ``$$`` is a literal ``$``, an unknown name stays as written,
  and a field that is nothing but ``$(NAME)`` takes the value's own type (``refvar.DoReplacements``).

Raises ``ValueError`` with kustomize's wording; ``kustomize_build`` names the kustomization.
"""

from __future__ import annotations

import functools
import json
import re
from pathlib import Path
from typing import Any, Callable

from mlinfra.kustomize_patches import Built, gvk_selected
from mlinfra.kustomize_replacements import split_path

VAR_FIELDS = frozenset({"name", "objref", "fieldref"})


@functools.lru_cache(maxsize=1)
def _references() -> list[dict[str, Any]]:
    return json.loads(Path(__file__).with_name("kustomize_var_references.json").read_text())["varReference"]


def do_replacements(text: str, mapping: Callable[[str], Any]) -> Any:
    """``refvar.DoReplacements``: ``$(NAME)`` through ``mapping``, ``$$`` to ``$``; the mapped value itself
    when ``text`` is nothing else."""
    out, checkpoint, cursor = [], 0, 0
    while cursor < len(text):
        if text[cursor] == "$" and cursor + 1 < len(text):
            out.append(text[checkpoint:cursor])
            rest = text[cursor + 1:]
            if rest[0] == "$":
                read, is_var, advance = "$", False, 1
            elif rest[0] == "(":
                closer = rest.find(")", 1)
                read, is_var, advance = (rest[1:closer], True, closer + 1) if closer > 0 else ("$(", False, 1)
            else:
                read, is_var, advance = "$" + rest[0], False, 1
            if is_var:
                mapped = mapping(read)
                if text == f"$({read})":
                    return mapped
                out.append(_go_text(mapped))
            else:
                out.append(read)
            cursor += advance
            checkpoint = cursor + 1
        cursor += 1
    return "".join(out) + text[checkpoint:]


def _go_text(value: Any) -> str:
    # fmt.Sprintf("%v", value)
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _field_value(obj: dict[str, Any], path: str) -> Any:
    """``RNode.GetFieldValue``: ``a.b[0].c`` (``convertSliceIndex``) or ``a.b.0.c``."""
    node: Any = obj
    for step in split_path(path):
        parts = re.fullmatch(r"([^\[]*)((?:\[\d+\])*)", step)
        names = [parts.group(1)] if parts and parts.group(1) else []
        names += re.findall(r"\[(\d+)\]", parts.group(2)) if parts else []
        for name in names or [step]:
            if isinstance(node, list) and name.isdigit() and int(name) < len(node):
                node = node[int(name)]
            elif isinstance(node, dict) and name in node:
                node = node[name]
            else:
                raise KeyError(path)
    return node


def _value_of(objects: list[Built], var: Any, cluster_scoped: Callable[[dict], bool]) -> Any:
    if not isinstance(var, dict) or set(var) - VAR_FIELDS or not isinstance(var.get("name"), str) \
            or not isinstance(var.get("objref"), dict):
        raise ValueError(f"vars: a var has name, objref and fieldref: {var!r}")
    ref = var["objref"]
    wanted_version = ref.get("apiVersion") or ""
    matches = []
    for built in objects:
        if (ref.get("kind") and built.obj.get("kind") != ref["kind"]) or (
                wanted_version and built.obj.get("apiVersion") != wanted_version):
            continue
        spaces_names = built.ids(cluster_scoped)
        if any(name == ref.get("name") and (not ref.get("namespace") or space == ref["namespace"])
               for space, name in spaces_names):
            matches.append(built)
    if len(matches) > 1:
        raise ValueError(f"found {len(matches)} resId matches for var {var['name']} (unable to disambiguate)")
    if not matches:
        raise ValueError(f"var '{var['name']}' cannot be mapped to a field in the set of known resources")
    path = (var.get("fieldref") or {}).get("fieldpath") or "metadata.name"
    try:
        return _field_value(matches[0].obj, str(path))
    except KeyError:
        raise ValueError(f"field specified in var '{var['name']}' not found in corresponding resource") from None


def _replace(node: Any, steps: list[str], mapping: Callable[[str], Any]) -> Any:
    """``refvar.Filter`` at ``steps`` (lists on the way are walked)."""
    if isinstance(node, list) and steps:
        return [_replace(item, steps, mapping) for item in node]
    if steps:
        if isinstance(node, dict) and node.get(steps[0]) is not None:
            node[steps[0]] = _replace(node[steps[0]], steps[1:], mapping)
        return node
    if isinstance(node, str):
        return do_replacements(node, mapping)
    if isinstance(node, dict):
        return {k: do_replacements(v, mapping) if isinstance(v, str) else v for k, v in node.items()}
    if isinstance(node, list):
        return [do_replacements(v, mapping) if isinstance(v, str) else v for v in node]
    return node


def resolve(objects: list[Built], variables: list[Any], cluster_scoped: Callable[[dict], bool],
            extra: list[dict[str, Any]] = ()) -> None:
    """``ResAccumulator.ResolveVars``: every var's value put in place of its references, in kustomize's
    fields and the ``extra`` ones (a kustomization's ``configurations``)."""
    if not variables:
        return
    names = [v.get("name") if isinstance(v, dict) else None for v in variables]
    repeated = sorted({n for n in names if isinstance(n, str) and names.count(n) > 1})
    if repeated:
        raise ValueError(f"var '{repeated[0]}' already encountered")
    values = {v["name"]: _value_of(objects, v, cluster_scoped) for v in variables}

    def mapping(name: str) -> Any:
        value = values.get(name)
        primitive = isinstance(value, (str, int, float, bool))
        return value if name in values and primitive else f"$({name})"

    for built in objects:
        for spec in [*_references(), *extra]:
            if gvk_selected(built.obj, spec):
                built.obj = _replace(built.obj, [s.replace("\\/", "/") for s in re.split(r"(?<!\\)/", spec["path"])],
                                     mapping)
