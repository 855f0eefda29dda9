"""Refresh the upstream references vendored under tests/data/ from the pins in
components/training/charts.py: each chart's ``values.yaml`` at the pinned version, the Kueue CRD
schemas (ResourceFlavor, ClusterQueue, LocalQueue) at Kueue's pinned tag, trimmed to their
``openAPIV3Schema`` without descriptions, and the Kubernetes OpenAPI definitions of the built-in
kinds the components create, for each cluster minor the stacks run (``KUBERNETES_OPENAPI``). ``tests/data/SOURCES.json`` records, per file, the
repository, the ref (tag or commit), the path and the upstream file's sha256.

It also writes ``mlinfra/kustomize_schema.json``, the patch strategies of kyaml's built-in Kubernetes
OpenAPI that the offline kustomize build merges by (``KUSTOMIZE_OPENAPI``, ``mlinfra/kustomize_patches.py``);
that file records its own source.

    python tests/data/refresh.py                       # from raw.githubusercontent.com
    python tests/data/refresh.py --mirror-root DIR     # from local mirrors DIR/<owner>+<name>/repo (bare git)
    python tests/data/refresh.py --kustomize-only ...  # mlinfra/kustomize_schema.json alone

When a pin changes, add its ref below (``REFS``), run this, and commit the result:
tests/test_kubernetes_conformance.py fails until the vendored reference matches the pin.
"""

from __future__ import annotations

import argparse
import functools
import hashlib
import json
import subprocess
import sys
import urllib.request
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]
DATA = Path(__file__).resolve().parent
sys.path.insert(0, str(ROOT))

from components.training import charts  # noqa: E402

#: Where each chart's source lives: (pin, repository, ref for the pinned version, values.yaml path).
#: The EFA plugin's chart repository (aws/eks-charts) has no tags: the ref is the commit that set
#: the chart's version; dcgm-exporter's tags are <app version>-<chart version>.
REFS = {
    "nvidia-device-plugin": (charts.NVIDIA_DEVICE_PLUGIN, "NVIDIA/k8s-device-plugin", {"0.18.0": "v0.18.0"},
                             "deployments/helm/nvidia-device-plugin/values.yaml"),
    "dcgm-exporter": (charts.DCGM_EXPORTER, "NVIDIA/dcgm-exporter", {"4.8.1": "4.5.2-4.8.1"}, "deployment/values.yaml"),
    "aws-efa-k8s-device-plugin": (charts.EFA_DEVICE_PLUGIN, "aws/eks-charts",
                                  {"0.5.10": "2a91e36816290c68b96c7581b55a856b4fe796aa"},
                                  "stable/aws-efa-k8s-device-plugin/values.yaml"),
    "cluster-autoscaler": (charts.CLUSTER_AUTOSCALER, "kubernetes/autoscaler",
                           {"9.52.1": "cluster-autoscaler-chart-9.52.1"},
                           "cluster-autoscaler/charts/cluster-autoscaler/values.yaml"),
    "kueue": (charts.KUEUE, "kubernetes-sigs/kueue", {"0.14.3": "v0.14.3"}, "charts/kueue/values.yaml"),
    "kuberay-operator": (charts.KUBERAY_OPERATOR, "ray-project/kuberay", {"1.4.2": "v1.4.2"},
                         "helm-chart/kuberay-operator/values.yaml"),
}
KUEUE_CRDS = ("resourceflavors", "clusterqueues", "localqueues")
#: The Kubernetes OpenAPI (v2) of each cluster minor the stacks run: kubernetes-client/python's
#: unprocessed copy of the release branch's spec (its scripts/constants.py names the branch).
KUBERNETES_OPENAPI = {"1.34": ("kubernetes-client/python", "v34.1.0", "kubernetes/swagger.json.unprocessed")}
#: The built-in kinds the components create; their definitions and everything they reference are kept.
#: kyaml's built-in Kubernetes OpenAPI (``kyaml/openapi``: ``DefaultOpenAPI`` v1.21.2), which kustomize's
#: strategic-merge patches merge lists by.
KUSTOMIZE_OPENAPI = ("kubernetes-sigs/kustomize", "12f9e6391464b3ad9dd3fe8182049dc1b1772990",
                     "kyaml/openapi/kubernetesapi/data/kubernetes-openapi-union-v1.21.2.bundle-v1.json.gz")
KUSTOMIZE_SCHEMA = ROOT / "mlinfra" / "kustomize_schema.json"
KUSTOMIZE_HASH_CASES = "api/hasher/hasher_test.go"
KUSTOMIZE_REPLACEMENT_CASES = "api/filters/replacement/replacement_test.go"
KUSTOMIZE_VAR_CASES = "api/filters/refvar/expand_test.go"
#: kustomize's name-reference field specs: where an object names another, so that a prefix or suffix
#: reaches the references (``builtinpluginconsts/namereference.go``, a YAML constant).
#: ... and the fields that may hold ``$(VAR)`` references (``varreference.go``).
KUSTOMIZE_FIELD_SPECS = (
    ("api/internal/konfig/builtinpluginconsts/namereference.go", "nameReferenceFieldSpecs", "nameReference",
     ROOT / "mlinfra" / "kustomize_name_references.json"),
    ("api/internal/konfig/builtinpluginconsts/varreference.go", "varReferenceFieldSpecs", "varReference",
     ROOT / "mlinfra" / "kustomize_var_references.json"),
)
#: kyaml's and kustomize's own strategic-merge test cases (Go table tests), which
#: tests/test_kustomize_build.py replays against mlinfra/kustomize_patches.py.
KUSTOMIZE_CASES = ("kyaml/yaml/merge2/scalar_test.go", "kyaml/yaml/merge2/map_test.go",
                   "kyaml/yaml/merge2/list_test.go", "kyaml/yaml/merge2/element_test.go",
                   "api/filters/patchstrategicmerge/patchstrategicmerge_test.go")
KUBERNETES_KINDS = ("io.k8s.api.core.v1.Namespace", "io.k8s.api.core.v1.ResourceQuota",
                    "io.k8s.api.core.v1.ServiceAccount", "io.k8s.api.storage.v1.StorageClass")


def read(repository: str, ref: str, path: str, mirror_root: Path | None) -> bytes:
    if mirror_root is not None:
        git_dir = mirror_root / repository.replace("/", "+") / "repo"
        return subprocess.run(["git", "--git-dir", str(git_dir), "show", f"{ref}:{path}"], check=True,
                              capture_output=True).stdout
    url = f"https://raw.githubusercontent.com/{repository}/{ref}/{path}"
    with urllib.request.urlopen(url, timeout=30) as response:
        return response.read()


def _strip_descriptions(schema):
    if isinstance(schema, dict):
        return {k: _strip_descriptions(v) for k, v in schema.items() if k != "description"}
    if isinstance(schema, list):
        return [_strip_descriptions(v) for v in schema]
    return schema


def _refs(schema) -> list[str]:
    if isinstance(schema, dict):
        return ([schema["$ref"]] if "$ref" in schema else []) + [r for v in schema.values() for r in _refs(v)]
    if isinstance(schema, list):
        return [r for v in schema for r in _refs(v)]
    return []


def refresh(mirror_root: Path | None) -> list[dict]:
    sources = []
    for release, (pin, repository, refs, path) in REFS.items():
        if pin.version not in refs:
            raise SystemExit(f"{release}: pinned {pin.version}, but REFS has no ref for it; add one")
        ref = refs[pin.version]
        content = read(repository, ref, path, mirror_root)
        target = DATA / "charts" / release / "values.yaml"
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(content)
        sources.append({"file": str(target.relative_to(DATA)), "chart": release, "chart_version": pin.version,
                        "repository": repository, "ref": ref, "path": path,
                        "sha256": hashlib.sha256(content).hexdigest()})
    pin, repository, refs, _ = REFS["kueue"]
    schemas = {}
    for name in KUEUE_CRDS:
        path = f"config/components/crd/bases/kueue.x-k8s.io_{name}.yaml"
        content = read(repository, refs[pin.version], path, mirror_root)
        crd = yaml.safe_load(content)
        for version in crd["spec"]["versions"]:
            schemas[f"{version['name']}/{crd['spec']['names']['kind']}"] = _strip_descriptions(
                version["schema"]["openAPIV3Schema"])
        sources.append({"file": "kueue/crds.json", "chart": "kueue", "chart_version": pin.version,
                        "repository": repository, "ref": refs[pin.version], "path": path,
                        "sha256": hashlib.sha256(content).hexdigest()})
    (DATA / "kueue").mkdir(exist_ok=True)
    (DATA / "kueue" / "crds.json").write_text(json.dumps(schemas, indent=1, sort_keys=True) + "\n")
    for minor, (repository, ref, path) in KUBERNETES_OPENAPI.items():
        content = read(repository, ref, path, mirror_root)
        definitions = json.loads(content)["definitions"]
        kept, todo = {}, list(KUBERNETES_KINDS)
        while todo:
            name = todo.pop()
            if name in kept:
                continue
            kept[name] = _strip_descriptions(definitions[name])
            todo += [ref_.rsplit("/", 1)[-1] for ref_ in _refs(kept[name])]
        target = DATA / "kubernetes" / minor / "openapi.json"
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(json.dumps({"definitions": kept}, indent=1, sort_keys=True) + "\n")
        sources.append({"file": str(target.relative_to(DATA)), "kubernetes": minor, "repository": repository,
                        "ref": ref, "path": path, "sha256": hashlib.sha256(content).hexdigest()})
    return sources


def _property(schema: dict) -> list | None:
    """[the definition a property's value (or its elements) refers to, its merge keys] for a property whose
    value is an object or whose list merges (``x-kubernetes-patch-strategy`` includes merge, kyaml's
    ``schemaHasMergeStrategy``; the keys are ``PatchStrategyAndKeyList``'s: ``x-kubernetes-list-map-keys``,
    else the merge key, else none for a list of scalars); None for what merges as kyaml merges any value
    without a schema."""
    ref = (schema.get("items") or {}).get("$ref") or schema.get("$ref")
    merges = "merge" in str(schema.get("x-kubernetes-patch-strategy", "")).split(",")
    if ref is None and not merges:
        return None
    key = schema.get("x-kubernetes-patch-merge-key")
    keys = schema.get("x-kubernetes-list-map-keys") or ([key] if key else [])
    return [ref.rsplit("/", 1)[-1] if ref else None, keys if merges else None]


def refresh_kustomize_schema(mirror_root: Path | None) -> dict:
    import gzip

    repository, ref, path = KUSTOMIZE_OPENAPI
    content = read(repository, ref, path, mirror_root)
    bundle = json.loads(gzip.decompress(content))
    definitions = {}
    for name, schema in bundle["definitions"].items():
        properties = {prop: found for prop, value in (schema.get("properties") or {}).items()
                      if (found := _property(value)) is not None}
        if properties:
            definitions[name] = properties
    # Only what leads to a list that merges matters: everything else merges as it would without a schema.
    matters: set[str] = set()
    while True:
        grown = {name for name, properties in definitions.items()
                 if any(key is not None or child in matters for child, key in properties.values())}
        if grown == matters:
            break
        matters = grown
    definitions = {name: {prop: found for prop, found in definitions[name].items()
                          if found[1] is not None or found[0] in matters} for name in sorted(matters)}
    source = {"repository": repository, "ref": ref, "path": path, "sha256": hashlib.sha256(content).hexdigest()}
    kinds = {f"{r['apiVersion']}/{r['kind']}": r["definition"] for r in bundle["resources"] if "definition" in r}
    # A kind without a definition here has a schema whose lists all replace: as one without a schema.
    kinds = {kind: definition for kind, definition in kinds.items() if definition in definitions}
    compact = functools.partial(json.dumps, separators=(",", ":"), sort_keys=True)
    # One definition per line: a refresh's diff shows what changed.
    lines = [f"{compact(name)}:{compact(definitions[name])}" for name in sorted(definitions)]
    KUSTOMIZE_SCHEMA.write_text(f'{{"source":{compact(source)},\n"kinds":{compact(kinds)},\n"definitions":{{\n'
                                + ",\n".join(lines) + "}}\n")
    return {"file": str(KUSTOMIZE_SCHEMA.relative_to(ROOT)), **source}


def refresh_kustomize_field_specs(mirror_root: Path | None) -> list[dict]:
    """kustomize's name-reference and var-reference field specs (YAML constants in Go files)."""
    import re

    repository, ref, _ = KUSTOMIZE_OPENAPI
    written = []
    for path, constant_name, key, target in KUSTOMIZE_FIELD_SPECS:
        content = read(repository, ref, path, mirror_root)
        constant = re.search(constant_name + r" = `(.*?)`", content.decode(), re.DOTALL).group(1)
        source = {"repository": repository, "ref": ref, "path": path, "sha256": hashlib.sha256(content).hexdigest()}
        target.write_text(json.dumps({"source": source, key: yaml.safe_load(constant)[key]}, indent=1) + "\n")
        written.append({"file": str(target.relative_to(ROOT)), **source})
    return written


def _go_cases(text: str) -> list[dict]:
    """The cases of a Go table test (merge2's ``{description: ..., source: ..., dest: ...}`` entries,
    patchstrategicmerge's ``"name": {input: ..., patch: ...}``): their backquoted fields, ``infer``, and the
    list direction (merge2's ``MergeOptions``; the patchstrategicmerge filter always prepends)."""
    import re

    starts = list(re.finditer(r"^\t+(?:\{description:\s*`([^`]*)`|\"([^\"]+)\": \{)", text, re.MULTILINE))
    cases = []
    for start, following in zip(starts, [*starts[1:], None]):
        block = text[start.end():following.start() if following else len(text)]
        fields = dict(re.findall(r"(\w+):\s*(?:yaml\.MustParse\()?`([^`]*)`", block))
        cases.append({"description": start.group(1) or start.group(2),
                      "source": fields.get("source", fields.get("patch")), "dest": fields.get("dest", fields.get("input")),
                      "expected": fields["expected"], "infer": bool(re.search(r"infer:\s*true", block)),
                      "prepend": "MergeOptionsListAppend" not in block})
    return cases


def refresh_kustomize_cases(mirror_root: Path | None) -> list[dict]:
    repository, ref, _ = KUSTOMIZE_OPENAPI
    cases, sources = {}, []
    for path in KUSTOMIZE_CASES:
        content = read(repository, ref, path, mirror_root)
        cases[path] = _go_cases(content.decode())
        sources.append({"file": "kustomize/merge_cases.json", "repository": repository, "ref": ref, "path": path,
                        "sha256": hashlib.sha256(content).hexdigest()})
    (DATA / "kustomize").mkdir(exist_ok=True)
    (DATA / "kustomize" / "merge_cases.json").write_text(json.dumps(cases, indent=1) + "\n")
    # The name hashes of api/hasher's tests: {"description", `object`, "hash", "error"} entries.
    import re

    content = read(repository, ref, KUSTOMIZE_HASH_CASES, mirror_root)
    hashes = [{"description": d, "object": o, "hash": h}
              for d, o, h in re.findall(r'\{"([^"]+)", `([^`]*)`, "([^"]*)", ""\}', content.decode())]
    (DATA / "kustomize" / "hash_cases.json").write_text(json.dumps(hashes, indent=1) + "\n")
    # The replacement filter's table test: "name": {input, replacements, expected, expectedErr}.
    content = read(repository, ref, KUSTOMIZE_REPLACEMENT_CASES, mirror_root)
    text = content.decode()
    starts = list(re.finditer(r'^\t\t"([^"]+)": \{$', text, re.MULTILINE))
    replacements = []
    for start, following in zip(starts, [*starts[1:], None]):
        block = text[start.end():following.start() if following else text.index("\n\t}\n", start.end())]
        fields = dict(re.findall(r"(\w+):\s*`([^`]*)`", block))
        error = re.search(r'expectedErr:\s*"((?:[^"\\]|\\.)*)"', block)
        replacements.append({"description": start.group(1), "input": fields.get("input", ""),
                             "replacements": fields.get("replacements", ""), "expected": fields.get("expected", ""),
                             "error": fields.get("expectedErr") or (json.loads(f'"{error.group(1)}"') if error else "")})
    (DATA / "kustomize" / "replacement_cases.json").write_text(json.dumps(replacements, indent=1) + "\n")
    # refvar's TestMapping: {name, input, expected} cases and the one mapping they all expand with.
    content = read(repository, ref, KUSTOMIZE_VAR_CASES, mirror_root)
    body = re.search(r"func TestMapping\(.*?\n}\n", content.decode(), re.DOTALL).group(0)
    go = r'"((?:[^"\\]|\\.)*)"'
    mapping = dict((json.loads(f'"{k}"'), json.loads(f'"{v}"')) for k, v in re.findall(
        go + r":\s*" + go + ",", body[body.index("MakePrimitiveReplacer"):]))
    expansions = [{"description": json.loads(f'"{n}"'), "input": json.loads(f'"{i}"'),
                   "expected": json.loads(f'"{e}"')}
                  for n, i, e in re.findall(r"name:\s*" + go + r",\s*input:\s*" + go + r",\s*expected:\s*" + go,
                                            body)]
    (DATA / "kustomize" / "var_cases.json").write_text(json.dumps({"mapping": mapping, "cases": expansions},
                                                                  indent=1) + "\n")
    sources.append({"file": "kustomize/var_cases.json", "repository": repository, "ref": ref,
                    "path": KUSTOMIZE_VAR_CASES, "sha256": hashlib.sha256(content).hexdigest()})
    sources.append({"file": "kustomize/replacement_cases.json", "repository": repository, "ref": ref,
                    "path": KUSTOMIZE_REPLACEMENT_CASES, "sha256": hashlib.sha256(content).hexdigest()})
    sources.append({"file": "kustomize/hash_cases.json", "repository": repository, "ref": ref,
                    "path": KUSTOMIZE_HASH_CASES, "sha256": hashlib.sha256(content).hexdigest()})
    return sources


#: Vendored one file at a time, each at the ref SOURCES.json records for it: KICS's Pulumi YAML test samples
#: (Checkmarx/kics ``assets/queries/pulumi/aws/<query>/test/*.yaml``, each at the commit of its last change),
#: pulumi-yaml's example programs (``examples/``) and its converter test programs
#: (``pkg/pulumiyaml/testing/test/testdata/<case>/yaml/*.yaml``), both at v1.38.1.
RECORDED = ("kics_pulumi_aws/", "pulumi_yaml_examples/", "pulumi_yaml_testdata/")


def refresh_recorded(mirror_root: Path | None) -> list[dict]:
    """Re-read every ``RECORDED`` file at the repository, ref and path SOURCES.json records for it."""
    sources = []
    for entry in json.loads((DATA / "SOURCES.json").read_text()):
        if not entry["file"].startswith(RECORDED):
            continue
        content = read(entry["repository"], entry["ref"], entry["path"], mirror_root)
        (DATA / entry["file"]).write_bytes(content)
        sources.append({**entry, "sha256": hashlib.sha256(content).hexdigest()})
    return sources


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mirror-root", type=Path, help="read from bare git mirrors DIR/<owner>+<name>/repo")
    parser.add_argument("--kustomize-only", action="store_true", help="refresh mlinfra/kustomize_schema.json only")
    args = parser.parse_args()
    schema, cases = refresh_kustomize_schema(args.mirror_root), refresh_kustomize_cases(args.mirror_root)
    references = refresh_kustomize_field_specs(args.mirror_root)
    if args.kustomize_only:  # the other entries of SOURCES.json stay as they are
        others = [e for e in json.loads((DATA / "SOURCES.json").read_text()) if e["repository"] != KUSTOMIZE_OPENAPI[0]]
    else:
        others = refresh(args.mirror_root) + refresh_recorded(args.mirror_root)
    (DATA / "SOURCES.json").write_text(json.dumps(others + cases, indent=2) + "\n")
    for source in [schema, *references, *cases, *([] if args.kustomize_only else others)]:
        print(f"{source['file']}: {source['repository']}@{source['ref']}:{source['path']}")


if __name__ == "__main__":
    main()
