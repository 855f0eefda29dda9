"""Kustomize's ConfigMap and Secret generators, offline, as kustomize builds them (read at
kubernetes-sigs/kustomize 12f9e6391):

- ``configMapGenerator`` and ``secretGenerator`` entries (``api/internal/generators``: ``MakeConfigMap``,
  ``MakeSecret``) from ``envs`` files, ``literals`` (``key=value``, one pair of surrounding quotes
  removed) and ``files`` (``[key=]path``, the key defaulting to the file's name), in that order
  (``api/kv``); a ConfigMap's value that is not UTF-8 goes into ``binaryData``, a Secret's values are
  base64 (``type`` Opaque unless given); ``options`` and the kustomization's ``generatorOptions``
  (labels, annotations, ``immutable``, ``disableNameSuffixHash``; the entry's own labels and
  annotations win: ``MergeGlobalOptionsIntoLocal``);
- ``behavior``: ``create`` adds the object (one already there with the same id is an error), ``merge``
  and ``replace`` change the one a base generated (its data merged or replaced, labels and annotations
  merged);
- the name hash (``api/hasher``): once the whole build is done, every generated object without
  ``disableNameSuffixHash`` gets ``-<hash>`` of its final name and data, and references to it follow
  (``kustomize_names``).

Everything here raises ``ValueError`` with kustomize's wording; ``kustomize_build`` names the file.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
from pathlib import Path
from typing import Any

from mlinfra.kustomize_patches import Built

GENERATOR_FIELDS = frozenset({"name", "namespace", "behavior", "literals", "files", "envs", "env", "options"})
SECRET_FIELDS = GENERATOR_FIELDS | {"type"}
OPTION_FIELDS = frozenset({"labels", "annotations", "disableNameSuffixHash", "immutable"})


def _options(local: Any, common: Any) -> dict[str, Any]:
    for options in (local, common):
        if options is not None and (not isinstance(options, dict) or set(options) - OPTION_FIELDS):
            raise ValueError(f"generator options are {', '.join(sorted(OPTION_FIELDS))} only: {options!r}")
    local, common = dict(local or {}), common or {}
    for key in ("labels", "annotations"):
        local[key] = {**(common.get(key) or {}), **(local.get(key) or {})}
    for key in ("disableNameSuffixHash", "immutable"):
        local[key] = bool(local.get(key)) or bool(common.get(key))
    return local


def _literal(source: Any) -> tuple[str, str]:
    if not isinstance(source, str) or source.startswith("=") or "=" not in source:
        raise ValueError(f"invalid literal source {source}, expected key=value")
    key, value = source.split("=", 1)
    if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
        value = value[1:-1]
    return key, value


def _read(folder: Path, path: str) -> bytes:
    try:
        return (folder / path).read_bytes()
    except OSError as exc:
        raise ValueError(f"loading KV pairs: {path}: {exc.strerror or exc}") from None


def _file(folder: Path, source: Any) -> tuple[str, bytes]:
    """``generators.ParseFileSource``."""
    if not isinstance(source, str):
        raise ValueError(f"file sources are strings: {source!r}")
    separators = source.count("=")
    if separators == 0:
        return os.path.basename(source), _read(folder, source)
    if separators > 1:
        raise ValueError(f"source {source!r} key name or file path contains '='")
    key, path = source.split("=")
    if not key:
        raise ValueError(f"missing key name for file path {path!r} in source {source!r}")
    if not path:
        raise ValueError(f"missing file path for key name {key!r} in source {source!r}")
    return key, _read(folder, path)


def _env_file(folder: Path, path: Any) -> list[tuple[str, str]]:
    """``keyValuesFromLines``: ``KEY=value`` lines; blank lines and ``#`` comments skipped."""
    if not isinstance(path, str):
        raise ValueError(f"env sources are paths: {path!r}")
    pairs = []
    for index, line in enumerate(_read(folder, path).decode("utf-8", "strict").splitlines()):
        if index == 0:
            line = line.removeprefix("\ufeff")
        line = line.lstrip()
        if not line or line.startswith("#"):
            continue
        key, _, value = line.partition("=")
        pairs.append((key, value))
    return pairs


def _pairs(folder: Path, entry: dict[str, Any], name: str) -> dict[str, bytes]:
    envs = [*(entry.get("envs") or []), *([entry["env"]] if entry.get("env") else [])]
    pairs = [(k, v.encode()) for path in envs for k, v in _env_file(folder, path)]
    pairs += [(k, v.encode()) for k, v in map(_literal, entry.get("literals") or [])]
    pairs += [_file(folder, source) for source in entry.get("files") or []]
    found: dict[str, bytes] = {}
    for key, value in pairs:
        if key in found:
            raise ValueError(f"configmap {name} illegally repeats the key `{key}`")
        found[key] = value
    return found


def _utf8(value: bytes) -> bool:
    try:
        value.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def _generated(folder: Path, entry: Any, kind: str, common: Any) -> Built:
    allowed = SECRET_FIELDS if kind == "Secret" else GENERATOR_FIELDS
    if not isinstance(entry, dict) or set(entry) - allowed:
        raise ValueError(f"a {kind} generator has {', '.join(sorted(allowed))} only: {entry!r}")
    name = entry.get("name")
    if not isinstance(name, str) or not name:
        raise ValueError("a configmap must have a name")
    for listed in ("literals", "files", "envs"):
        if not isinstance(entry.get(listed) or [], list):
            raise ValueError(f"{kind} generator {name}: {listed} is a list")
    options = _options(entry.get("options"), common)
    data = _pairs(folder, entry, name)
    metadata: dict[str, Any] = {"name": name}
    if entry.get("namespace"):
        metadata["namespace"] = str(entry["namespace"])
    obj: dict[str, Any] = {"apiVersion": "v1", "kind": kind, "metadata": metadata}
    if kind == "Secret":
        obj["type"] = entry.get("type") or "Opaque"
        obj["data"] = {k: base64.b64encode(v).decode() for k, v in data.items()}
    else:
        text = {k: v.decode() for k, v in data.items() if _utf8(v)}
        binary = {k: base64.b64encode(v).decode() for k, v in data.items() if not _utf8(v)}
        if text or not binary:
            obj["data"] = text
        if binary:
            obj["binaryData"] = binary
    if options["labels"]:
        metadata["labels"] = dict(sorted(options["labels"].items()))
    if options["annotations"]:
        metadata["annotations"] = dict(sorted(options["annotations"].items()))
    if options["immutable"]:
        obj["immutable"] = True
    return Built(obj, hashed=not options["disableNameSuffixHash"])


def generate(objects: list[Built], folder: Path, kustomization: dict[str, Any],
             cluster_scoped: Any) -> None:
    """Run one kustomization's generators into ``objects`` (``KustTarget.runGenerators``, ``AbsorbAll``)."""
    common = kustomization.get("generatorOptions")
    for field, kind in (("configMapGenerator", "ConfigMap"), ("secretGenerator", "Secret")):
        entries = kustomization.get(field) or []
        if not isinstance(entries, list):
            raise ValueError(f"{field}: a list")
        for entry in entries:
            made = _generated(folder, entry, kind, common)
            # types.NewGenerationBehavior: anything but merge or replace (``add``, a typo) creates.
            behavior = entry.get("behavior") or "create"
            wanted = made.ids(cluster_scoped)[-1]
            existing = next((b for b in objects if b.obj.get("kind") == kind and b.obj.get("apiVersion") == "v1"
                             and wanted in b.ids(cluster_scoped)), None)
            shown = f"{kind} {wanted[0]}/{wanted[1]}"
            if existing is None:
                if behavior in ("merge", "replace"):
                    raise ValueError(f"id {shown} does not exist; cannot merge or replace")
                objects.append(made)
            elif behavior not in ("merge", "replace"):
                raise ValueError(f"id {shown} exists; can not use behavior: '{behavior}', behavior must be merge "
                                 "or replace")
            else:
                _absorb(existing, made, behavior)


def _absorb(existing: Built, made: Built, behavior: str) -> None:
    """``resWrangler.appendReplaceOrMerge``: the new object takes the old one's place, with the old one's
    name, namespace and history, its labels and annotations under its own (``CopyMergeMetaDataFieldsFrom``)
    and, to merge, the old one's data
    under its own (``MergeDataMapFrom``, ``MergeBinaryDataMapFrom``); its own options (the hash) hold."""
    old, new = existing.obj, made.obj
    metadata, before = new["metadata"], old.get("metadata") or {}
    for key in ("labels", "annotations"):
        merged = {**(before.get(key) or {}), **(metadata.get(key) or {})}
        if merged:
            metadata[key] = merged
    # The old object's name and namespace (a base's prefix, an overlay's namespace) and its history stay.
    for key in ("name", "namespace"):
        if before.get(key):
            metadata[key] = before[key]
        else:
            metadata.pop(key, None)
    if behavior == "merge":
        for key in ("data", "binaryData"):
            merged = {**(old.get(key) or {}), **(new.get(key) or {})}
            if merged:
                new[key] = merged
    existing.obj, existing.hashed = new, made.hashed


def _go_json(value: Any) -> str:
    # encoding/json.Marshal: sorted keys, no spaces, HTML characters and U+2028/2029 escaped.
    text = json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    for char, escaped in (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026"), ("\u2028", "\\u2028"),
                          ("\u2029", "\\u2029")):
        text = text.replace(char, escaped)
    return text


def name_hash(obj: dict[str, Any]) -> str:
    """``hasher.Hasher.Hash`` of a ConfigMap or Secret: the first ten hex digits of the SHA-256 of its
    kind, name and data (a Secret's type and stringData too), 0, 1, 3, a and e spelled g, h, k, m and t."""
    name = (obj.get("metadata") or {}).get("name") or ""
    if obj.get("kind") == "Secret":
        encoded = {"kind": "Secret", "type": obj.get("type") or "", "name": name, "data": obj.get("data") or ""}
        if isinstance(obj.get("stringData"), dict):
            encoded["stringData"] = obj["stringData"]
    else:
        encoded = {"kind": "ConfigMap", "name": name, "data": obj.get("data") or ""}
        if isinstance(obj.get("binaryData"), dict):
            encoded["binaryData"] = obj["binaryData"]
    digest = hashlib.sha256(_go_json(encoded).encode()).hexdigest()[:10]
    return digest.translate(str.maketrans("013ae", "ghkmt"))


def add_hashes(objects: list[Built]) -> None:
    """``KustTarget.addHashesToNames``: ``-<hash>`` on the name of every generated object that wants one."""
    for built in objects:
        if built.hashed:
            metadata = built.obj["metadata"]
            built.previous.append((str(metadata.get("namespace") or ""), str(metadata["name"])))
            metadata["name"] = f"{metadata['name']}-{name_hash(built.obj)}"
