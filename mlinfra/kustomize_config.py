"""A kustomization's ``configurations``: transformer configuration files that teach kustomize more places
to write to (``api/internal/plugins/builtinconfig.TransformerConfig``, read at kubernetes-sigs/kustomize
12f9e6391): more name references and var references (used once the whole build is done), more fields the
namespace, ``commonLabels`` and ``commonAnnotations`` transformers set. A level's configuration joins its
parent's once the level is built (``ResAccumulator.MergeConfig``); a component's joins its parent's at once.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable

#: The ``TransformerConfig`` keys the offline build applies.
KEYS = {"nameReference": "name_references", "varReference": "var_references", "namespace": "namespace",
        "commonLabels": "common_labels", "commonAnnotations": "common_annotations"}
FIELD_SPEC_FIELDS = frozenset({"path", "create", "group", "version", "kind"})


@dataclass
class TransformerConfig:
    """Field specs beyond kustomize's built-in ones (each a dict: path, create, group, version, kind; a name
    reference: group, version, kind and its ``fieldSpecs``)."""

    name_references: list[dict[str, Any]] = field(default_factory=list)
    var_references: list[dict[str, Any]] = field(default_factory=list)
    namespace: list[dict[str, Any]] = field(default_factory=list)
    common_labels: list[dict[str, Any]] = field(default_factory=list)
    common_annotations: list[dict[str, Any]] = field(default_factory=list)

    def merge(self, other: "TransformerConfig") -> None:
        for name in KEYS.values():
            getattr(self, name).extend(getattr(other, name))


def _field_spec(spec: Any, where: str) -> dict[str, Any]:
    if not isinstance(spec, dict) or not isinstance(spec.get("path"), str) or set(spec) - FIELD_SPEC_FIELDS:
        raise ValueError(f"{where}: a field spec has {', '.join(sorted(FIELD_SPEC_FIELDS))}, and a path: {spec!r}")
    return spec


def load(paths: list[Any], documents: Callable[[str], list[Any]]) -> TransformerConfig:
    """The configuration the files at ``paths`` hold (``documents`` reads one file's YAML documents)."""
    config = TransformerConfig()
    for path in paths:
        if not isinstance(path, str):
            raise ValueError(f"configurations lists files: {path!r}")
        for document in documents(path):
            if not isinstance(document, dict):
                raise ValueError(f"configurations: {path}: a transformer configuration is a map")
            unknown = sorted(set(document) - set(KEYS))
            if unknown:
                raise ValueError(f"configurations: {path}: {', '.join(unknown)}: the offline plan applies "
                                 f"{', '.join(KEYS)} only")
            for key, name in KEYS.items():
                entries = document.get(key) or []
                if not isinstance(entries, list):
                    raise ValueError(f"configurations: {path}: {key} is a list")
                if key == "nameReference":
                    for entry in entries:
                        if not isinstance(entry, dict) or not entry.get("kind"):
                            raise ValueError(f"configurations: {path}: a nameReference has a kind and fieldSpecs: "
                                             f"{entry!r}")
                        specs = [_field_spec(s, f"{path}: nameReference") for s in entry.get("fieldSpecs") or []]
                        config.name_references.append({**entry, "fieldSpecs": specs})
                else:
                    getattr(config, name).extend(_field_spec(s, f"{path}: {key}") for s in entries)
    return config


def label_specs(specs: list[dict[str, Any]]) -> tuple[tuple[str, bool, str, str, str], ...]:
    """Field specs as the label transformers take them: (path, create, group, version, kind)."""
    return tuple((s["path"], s.get("create") is True, str(s.get("group") or ""), str(s.get("version") or ""),
                  str(s.get("kind") or "")) for s in specs)
