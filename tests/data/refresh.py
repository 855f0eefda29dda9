"""Refresh the upstream references vendored under tests/data/ from the pins in
components/training/charts.py: each chart's ``values.yaml`` at the pinned version, the Kueue CRD
schemas (ResourceFlavor, ClusterQueue, LocalQueue) at Kueue's pinned tag, trimmed to their
``openAPIV3Schema`` without descriptions, and the Kubernetes OpenAPI definitions of the built-in
kinds the components create, for each cluster minor the stacks run (``KUBERNETES_OPENAPI``). ``tests/data/SOURCES.json`` records, per file, the
repository, the ref (tag or commit), the path and the upstream file's sha256.

    python tests/data/refresh.py                       # from raw.githubusercontent.com
    python tests/data/refresh.py --mirror-root DIR     # from local mirrors DIR/<owner>+<name>/repo (bare git)

When a pin changes, add its ref below (``REFS``), run this, and commit the result:
tests/test_kubernetes_conformance.py fails until the vendored reference matches the pin.
"""

from __future__ import annotations

import argparse
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
    (DATA / "SOURCES.json").write_text(json.dumps(sources, indent=2) + "\n")
    return sources


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mirror-root", type=Path, help="read from bare git mirrors DIR/<owner>+<name>/repo")
    args = parser.parse_args()
    for source in refresh(args.mirror_root):
        print(f"{source['file']}: {source['repository']}@{source['ref']}:{source['path']}")


if __name__ == "__main__":
    main()
