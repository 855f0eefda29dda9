"""Kustomize's ``replacements``, offline (``api/filters/replacement/replacement.go`` at
kubernetes-sigs/kustomize 12f9e6391): each copies one value, a field of the one object its ``source``
names (group, version, kind, name, namespace: ``ResId.IsSelectedBy``; ``fieldPath`` defaults to
``metadata.name``) or a literal ``sourceValue``, into the ``fieldPaths`` of every object a target
``select``s and no ``reject`` excludes (anchored regular expressions, label and annotation selectors;
an object's earlier ids count too). ``options.delimiter`` and ``index`` take one part of the source's
value and put it in place of (or before, or after) one part of the target's. Paths are kyaml's: fields
separated by dots (``\\.`` a literal dot), ``[key=value]`` the list elements whose field has that value,
``*`` every element, a number one element; ``options.create`` makes what is missing. A path into a
value that is itself YAML or JSON text (kustomize edits such text in place) stops the plan.

Everything here raises ``ValueError`` with kustomize's wording; ``kustomize_build`` names the file.
"""

from __future__ import annotations

import copy
import re
from typing import Any, Callable, Optional

from mlinfra.kustomize_patches import Built, gvk_selected, selected, selector_matches

REPLACEMENT_FIELDS = frozenset({"path", "source", "sourceValue", "targets"})
SOURCE_FIELDS = frozenset({"group", "version", "kind", "name", "namespace", "fieldPath", "options"})
TARGET_FIELDS = frozenset({"select", "reject", "fieldPaths", "options"})
OPTION_FIELDS = frozenset({"delimiter", "index", "create"})
_MISSING = object()


def split_path(path: str) -> list[str]:
    """``utils.SmarterPathSplitter(path, ".")``: dots separate fields, except escaped ones (``\\.``); a
    bracketed part spanning dots stays whole (``[name=a.b]``), or, without ``=``, is one field's name
    (``[app.kubernetes.io/name]``)."""
    pieces = path.split(".")
    if len(pieces) > 1 and pieces[0] == "":
        pieces = pieces[1:]
    split = [pieces[0]]
    for piece in pieces[1:]:
        if split[-1].endswith("\\"):
            split[-1] = split[-1][:-1] + "." + piece
        else:
            split.append(piece)
    result, index = [], 0
    while index < len(split):
        part = split[index]
        if part.startswith("[") and not part.endswith("]"):
            bracketed = [part]
            while index < len(split) - 1:
                index += 1
                bracketed.append(split[index])
                if split[index].endswith("]"):
                    break
            joined = ".".join(bracketed)
            result.append(joined if "=" in joined else joined.strip("[]"))
        else:
            result.append(part)
        index += 1
    return result


def _element(step: str) -> Optional[tuple[str, str]]:
    """A ``[field=value]`` list part (``yaml.IsListIndex``, ``SplitIndexNameValue``); ``field`` empty for a
    list of scalars."""
    if not (step.startswith("[") and step.endswith("]") and "=" in step):
        return None
    field, value = step[1:-1].split("=", 1)
    return field, value


def _text(value: Any) -> str:
    """A scalar as YAML writes it (``yaml.GetValue``)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    return "" if value is None else str(value)


def _lookup(node: Any, steps: list[str]) -> Any:
    """``yaml.Lookup`` (``PathGetter``): the node at ``steps``, ``[field=value]`` the first element whose field
    is that value, a number or ``-`` (the last) one element; ``_MISSING`` where nothing is."""
    for step in steps:
        element = _element(step)
        if isinstance(node, list) and element is not None:
            field, value = element
            node = next((e for e in node if (_text(e) if not field else
                                             (_text(e.get(field)) if isinstance(e, dict) else None)) == value),
                        _MISSING)
        elif isinstance(node, list) and (step.isdigit() or step == "-"):
            node = (node[-1] if node else _MISSING) if step == "-" else (
                node[int(step)] if int(step) < len(node) else _MISSING)
        elif isinstance(node, dict) and step in node:
            node = node[step]
        else:
            return _MISSING
        if node is _MISSING:
            return node
    return node


def _new(next_step: Optional[str]) -> Any:
    """``getPathPartKind``: a list before an element or index part, a map before a field, the leaf itself."""
    if next_step is None:
        return _MISSING
    return [] if _element(next_step) is not None or next_step.isdigit() else {}


def _set(node: Any, steps: list[str], write: Callable[[Any], Any], create: bool) -> int:
    """Apply ``write`` to every node ``steps`` matches (``yaml.PathMatcher``: ``[field=value]`` the elements
    whose field matches the regular expression, ``*`` every element, a number one element, appended when it
    is the list's length and ``create``); the number written."""
    step, rest = steps[0], steps[1:]
    following = rest[0] if rest else None
    element = _element(step)
    if step.isdigit():
        if not isinstance(node, list):
            return 0
        index = int(step)
        if index == len(node) and create:
            node.append(_new(following))
        if index >= len(node):
            raise ValueError(f"index {index} specified but only {len(node)} elements found")
        return _step(node, index, rest, write, create)
    if element is not None:
        if not isinstance(node, list):
            return 0
        field, pattern = element

        def matches(item: Any) -> bool:
            found = _text(item) if not field else (_text(item.get(field)) if isinstance(item, dict) and
                                                   item.get(field) is not None else None)
            return found is not None and re.search(pattern, found.strip()) is not None

        indexes = [i for i, item in enumerate(node) if matches(item)]
        if not indexes and create:
            node.append(pattern if not field else {field: pattern})
            indexes = [len(node) - 1]
        return sum(_step(node, i, rest, write, create) for i in indexes)
    if step == "*":
        keys = range(len(node)) if isinstance(node, list) else list(node) if isinstance(node, dict) else []
        return sum(_step(node, key, rest, write, create) for key in keys)
    if not isinstance(node, dict):
        return 0
    if node.get(step) is None:
        if not create:
            return 0
        node[step] = _new(following)
    if rest and not isinstance(node[step], (dict, list)):
        raise ValueError(f"{'.'.join(steps)}: the offline plan does not edit YAML or JSON held in a string ({step})")
    return _step(node, step, rest, write, create)


def _step(parent: Any, key: Any, rest: list[str], write: Callable[[Any], Any], create: bool) -> int:
    if not rest:
        parent[key] = write(_MISSING if parent[key] is _MISSING else parent[key])
        return 1
    return _set(parent[key], rest, write, create)


def _options(options: Any) -> dict[str, Any]:
    if options is None:
        return {}
    if not isinstance(options, dict) or set(options) - OPTION_FIELDS:
        raise ValueError(f"replacements: options are {', '.join(sorted(OPTION_FIELDS))} only: {options!r}")
    if not isinstance(options.get("index", 0), int) or isinstance(options.get("index"), bool):
        raise ValueError(f"replacements: options.index is an integer: {options!r}")
    return options


def _source_value(objects: list[Built], replacement: dict[str, Any], cluster_scoped: Callable[[dict], bool]) -> Any:
    source = replacement.get("source")
    if "sourceValue" in replacement:
        if source is not None:
            raise ValueError("value and resource selectors are mutually exclusive")
        return replacement["sourceValue"]
    if not isinstance(source, dict) or set(source) - SOURCE_FIELDS:
        raise ValueError(f"replacements: a source has {', '.join(sorted(SOURCE_FIELDS))} only: {source!r}")
    wanted = {k: source[k] for k in ("group", "version", "kind", "name", "namespace") if source.get(k)}
    matches = [b for b in objects if _is_selected_by(b, wanted, cluster_scoped)]
    if not matches:
        raise ValueError(f"nothing selected by {wanted}")
    if len(matches) > 1:
        raise ValueError(f"multiple matches for selector {wanted}")
    path = source.get("fieldPath") or "metadata.name"
    value = _lookup(matches[0].obj, split_path(path))
    if value is _MISSING or value is None or value == [] or value == {}:  # RNode.IsNilOrEmpty: "" is a value
        raise ValueError(f"fieldPath `{path}` is missing for replacement source {wanted}")
    options = _options(source.get("options"))
    if options.get("delimiter"):
        if isinstance(value, (dict, list)):
            raise ValueError("delimiter option can only be used with scalar nodes")
        parts, index = str(value).split(options["delimiter"]), options.get("index", 0)
        if not 0 <= index < len(parts):
            raise ValueError(f"options.index {index} is out of bounds for value {value}")
        value = parts[index]
    return value


def _is_selected_by(built: Built, wanted: dict[str, str], cluster_scoped: Callable[[dict], bool]) -> bool:
    """``ResId.IsSelectedBy``: every field the selector sets equals the object's, for any id it has had."""
    if not gvk_selected(built.obj, wanted):
        return False
    return any((not wanted.get("namespace") or wanted["namespace"] == space)
               and (not wanted.get("name") or wanted["name"] == name) for space, name in built.ids(cluster_scoped))


def _typed(text: str, like: Any) -> Any:
    """``text`` as a scalar of ``like``'s type: kyaml sets a target scalar's value and keeps its tag."""
    if isinstance(like, bool):
        return {"true": True, "false": False}.get(text, text)
    for kind in (int, float):
        if isinstance(like, kind):
            try:
                return kind(text)
            except ValueError:
                return text
    return text


def _resolved(text: str) -> Any:
    import yaml

    try:
        value = yaml.safe_load(text)
    except yaml.YAMLError:
        return text
    return value if isinstance(value, (str, int, float, bool)) and not isinstance(value, type(None)) else text


def _writer(value: Any, options: dict[str, Any]) -> Callable[[Any], Any]:
    def write(current: Any) -> Any:
        if options.get("delimiter"):
            if isinstance(current, (dict, list)):
                raise ValueError("delimiter option can only be used with scalar nodes")
            parts = ("" if current is _MISSING else _text(current)).split(options["delimiter"])
            index = options.get("index", 0)
            if index < 0:
                parts.insert(0, _text(value))
            elif index >= len(parts):
                parts.append(_text(value))
            else:
                parts[index] = _text(value)
            text = options["delimiter"].join(parts)
            return text if current is _MISSING else _typed(text, current)
        if isinstance(value, (dict, list)) or isinstance(current, (dict, list)):
            return copy.deepcopy(value)
        if current is _MISSING or current is None:
            # A created scalar carries no tag: its text reads as YAML reads it (8080 a number).
            return _resolved(_text(value))
        return _typed(_text(value), current)

    return write


def _targeted(built: Built, target: dict[str, Any], cluster_scoped: Callable[[dict], bool]) -> bool:
    select = target.get("select")
    if not isinstance(select, dict):
        raise ValueError("target must specify resources to select")
    if not selected(built, select, cluster_scoped):
        return False
    for reject in target.get("reject") or []:
        if not isinstance(reject, dict):
            raise ValueError(f"replacements: a reject is a selector: {reject!r}")
        ids = {k: v for k, v in reject.items() if k not in ("labelSelector", "annotationSelector")}
        metadata = built.obj.get("metadata") if isinstance(built.obj.get("metadata"), dict) else {}
        by_labels = any(reject.get(k) for k in ("labelSelector", "annotationSelector")) and all(
            selector_matches(str(reject[k]), metadata.get(field) or {})
            for k, field in (("labelSelector", "labels"), ("annotationSelector", "annotations")) if reject.get(k))
        if by_labels or (ids and selected(built, ids, cluster_scoped)):
            return False
    return True


def apply(objects: list[Built], replacements: list[Any], load: Callable[[str], list[Any]],
          cluster_scoped: Callable[[dict], bool]) -> None:
    """One kustomization's ``replacements`` in order (a ``path`` entry: the replacements its file lists)."""
    entries: list[Any] = []
    for entry in replacements:
        if isinstance(entry, dict) and set(entry) == {"path"}:
            entries.extend(load(str(entry["path"])))
        else:
            entries.append(entry)
    for replacement in entries:
        if not isinstance(replacement, dict) or set(replacement) - REPLACEMENT_FIELDS or not replacement.get("targets"):
            raise ValueError("replacements must specify a source and at least one target")
        value = _source_value(objects, replacement, cluster_scoped)
        for target in replacement["targets"]:
            if not isinstance(target, dict) or set(target) - TARGET_FIELDS:
                raise ValueError(f"replacements: a target has {', '.join(sorted(TARGET_FIELDS))} only: {target!r}")
            options = _options(target.get("options"))
            for built in objects:
                if not _targeted(built, target, cluster_scoped):
                    continue
                for path in target.get("fieldPaths") or ["metadata.name"]:
                    steps = split_path(str(path))
                    if _set(built.obj, steps, _writer(value, options), bool(options.get("create"))) == 0:
                        raise ValueError(f"unable to find {'or create ' if options.get('create') else ''}field "
                                         f"\"{path}\" in replacement target")
