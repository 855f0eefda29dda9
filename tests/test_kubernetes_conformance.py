"""Kubernetes objects and Helm values of the three plans against the upstream sources of the pins
(vendored under tests/data/ by tests/data/refresh.py, recorded in tests/data/SOURCES.json): Kueue
custom resources validate against the CRD schemas of the pinned Kueue, and every Helm value the
components set exists in the pinned chart's values.yaml. A pin that changes without its vendored
reference fails here."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import jsonschema
import pytest
import yaml

from components.training import charts

DATA = Path(__file__).resolve().parent / "data"
SOURCES = json.loads((DATA / "SOURCES.json").read_text())
RELEASE = "kubernetes:helm.sh/v3:Release"
PINS = {"nvidia-device-plugin": charts.NVIDIA_DEVICE_PLUGIN, "dcgm-exporter": charts.DCGM_EXPORTER,
        "aws-efa-k8s-device-plugin": charts.EFA_DEVICE_PLUGIN, "cluster-autoscaler": charts.CLUSTER_AUTOSCALER,
        "kueue": charts.KUEUE, "kuberay-operator": charts.KUBERAY_OPERATOR}
#: Values the chart's templates range over as free-form maps (so any key is valid), by chart:
#: cluster-autoscaler templates/deployment.yaml ``range $key, $value := .Values.extraArgs``.
FREE_FORM = {"cluster-autoscaler": {("extraArgs",)}}
#: Values a chart's templates read although its values.yaml does not declare them, by chart:
#: kuberay-operator v1.4.2 templates/deployment.yaml ``{{- with .Values.nodeSelector }}`` (line 139).
TEMPLATE_ONLY = {"kuberay-operator": {"nodeSelector"}}


def test_every_chart_pin_has_its_vendored_reference():
    vendored = {s["chart"]: s["chart_version"] for s in SOURCES if "chart" in s}
    assert set(vendored) == set(PINS), "a chart was added or removed: update tests/data/refresh.py and rerun it"
    stale = {chart: (vendored[chart], pin.version) for chart, pin in PINS.items() if vendored[chart] != pin.version}
    assert stale == {}, f"pins changed without their references (vendored, pinned): {stale}; run tests/data/refresh.py"


def test_every_kubernetes_minor_the_stacks_run_has_its_openapi_vendored(stack_deployments):
    vendored = {s["kubernetes"] for s in SOURCES if "kubernetes" in s}
    for env, deployment in stack_deployments.items():
        minors = {r["inputs"]["version"] for r in deployment["deployment"]["resources"]
                  if r["type"] == "aws:eks/cluster:Cluster"}
        assert minors <= vendored, f"{env} runs Kubernetes {minors - vendored}: vendor its OpenAPI (tests/data/refresh.py)"


def test_vendored_files_are_the_recorded_upstream_files():
    for source in SOURCES:
        if source["file"].endswith("values.yaml"):
            digest = hashlib.sha256((DATA / source["file"]).read_bytes()).hexdigest()
            assert digest == source["sha256"], f"{source['file']} differs from {source['repository']}@{source['ref']}"
        assert source["repository"] and source["ref"] and source["path"]


def unknown_keys(ours, upstream, path=()) -> list[str]:
    """Keys we set that the chart's values.yaml does not have (free-form maps and lists excepted)."""
    if not isinstance(ours, dict) or not isinstance(upstream, dict) or not upstream:
        return []
    missing = []
    for key, value in ours.items():
        if key not in upstream:
            missing.append(".".join((*path, key)))
        else:
            missing += unknown_keys(value, upstream[key], (*path, key))
    return missing


def chart_values(release: str) -> dict:
    return yaml.safe_load((DATA / "charts" / release / "values.yaml").read_text())


def test_a_misspelled_value_is_found():
    """kueue reads controllerManager.nodeSelector; a top-level nodeSelector does not exist in the chart."""
    assert unknown_keys({"nodeSelector": {"a": "b"}, "controllerManager": {"nodeSelectr": {}}},
                        chart_values("kueue")) == ["nodeSelector", "controllerManager.nodeSelectr"]


@pytest.mark.parametrize("env", ["dev", "staging", "prod"])
def test_every_helm_value_the_components_set_exists_in_the_pinned_chart(stack_deployments, env):
    releases = [r for r in stack_deployments[env]["deployment"]["resources"] if r["type"] == RELEASE]
    assert releases
    found = {}
    for release in releases:
        name = release["inputs"]["name"]
        ours = json.loads(json.dumps(release["inputs"].get("values") or {}))
        for path in FREE_FORM.get(name, ()):
            ours.get(path[0], {}).clear() if len(path) == 1 and isinstance(ours.get(path[0]), dict) else None
        missing = [key for key in unknown_keys(ours, chart_values(name)) if key not in TEMPLATE_ONLY.get(name, ())]
        if missing:
            found[name] = missing
    assert found == {}


def kueue_schema(api_version: str, kind: str) -> dict:
    schemas = json.loads((DATA / "kueue" / "crds.json").read_text())
    return schemas[f"{api_version.rsplit('/', 1)[-1]}/{kind}"]


def test_a_bad_cluster_queue_is_refused_by_the_crd_schema():
    bad = {"apiVersion": "kueue.x-k8s.io/v1beta1", "kind": "ClusterQueue", "metadata": {"name": "x"},
           "spec": {"queueingStrategy": "Random", "resourceGroups": []}}
    with pytest.raises(jsonschema.ValidationError, match="'Random' is not one of"):
        jsonschema.validate(bad, kueue_schema(bad["apiVersion"], "ClusterQueue"))


@pytest.mark.parametrize("env", ["dev", "staging", "prod"])
def test_every_kueue_object_validates_against_the_pinned_crd(stack_deployments, env):
    objects = [r for r in stack_deployments[env]["deployment"]["resources"]
               if r["type"].startswith("kubernetes:kueue.x-k8s.io/")]
    kinds = {r["type"].rsplit(":", 1)[-1] for r in objects}
    assert kinds == {"ResourceFlavor", "ClusterQueue", "LocalQueue"}
    for resource in objects:
        inputs = resource["inputs"]
        document = {"apiVersion": inputs["apiVersion"], "kind": inputs["kind"], "metadata": inputs.get("metadata", {}),
                    "spec": inputs.get("spec", {})}
        jsonschema.validate(document, kueue_schema(inputs["apiVersion"], inputs["kind"]))


BUILT_IN = {"kubernetes:core/v1:Namespace": "io.k8s.api.core.v1.Namespace",
            "kubernetes:core/v1:ResourceQuota": "io.k8s.api.core.v1.ResourceQuota",
            "kubernetes:core/v1:ServiceAccount": "io.k8s.api.core.v1.ServiceAccount",
            "kubernetes:storage.k8s.io/v1:StorageClass": "io.k8s.api.storage.v1.StorageClass"}


def strict(schema):
    """The OpenAPI definitions with unknown fields refused (the API server's strict field validation)."""
    if isinstance(schema, dict):
        out = {k: strict(v) for k, v in schema.items()}
        if "properties" in out and "additionalProperties" not in out:
            out["additionalProperties"] = False
        return out
    if isinstance(schema, list):
        return [strict(v) for v in schema]
    return schema


def openapi_validator(minor: str, definition: str) -> jsonschema.Draft4Validator:
    path = DATA / "kubernetes" / minor / "openapi.json"
    assert path.exists(), f"no Kubernetes {minor} OpenAPI vendored: add it to tests/data/refresh.py and rerun it"
    definitions = strict(json.loads(path.read_text())["definitions"])
    return jsonschema.Draft4Validator({"$ref": f"#/definitions/{definition}", "definitions": definitions})


def test_an_unknown_or_mistyped_field_is_refused_by_the_openapi_schema():
    validator = openapi_validator("1.34", "io.k8s.api.storage.v1.StorageClass")
    good = {"apiVersion": "storage.k8s.io/v1", "kind": "StorageClass", "metadata": {"name": "gp3"},
            "provisioner": "ebs.csi.aws.com", "allowVolumeExpansion": True}
    assert list(validator.iter_errors(good)) == []
    assert [e.message for e in validator.iter_errors({**good, "allowVolumeExpansion": "yes"})] == [
        "'yes' is not of type 'boolean'"]
    assert "Additional properties are not allowed ('volumeBindingMod' was unexpected)" in [
        e.message for e in validator.iter_errors({**good, "volumeBindingMod": "Immediate"})]


@pytest.mark.parametrize("env", ["dev", "staging", "prod"])
def test_every_built_in_object_validates_against_the_cluster_versions_openapi(stack_deployments, env):
    resources = stack_deployments[env]["deployment"]["resources"]
    minor = next(r["inputs"]["version"] for r in resources if r["type"] == "aws:eks/cluster:Cluster")
    checked, found = 0, {}
    for resource in resources:
        definition = BUILT_IN.get(resource["type"])
        if definition is None:
            continue
        document = {"apiVersion": resource["type"].split(":")[1].replace("core/", ""),
                    "kind": resource["type"].rsplit(":", 1)[-1], **resource["inputs"]}
        errors = [e.message for e in openapi_validator(minor, definition).iter_errors(document)]
        checked += 1
        if errors:
            found[resource["urn"].rsplit("::", 1)[-1]] = errors
    assert found == {} and checked >= 5
