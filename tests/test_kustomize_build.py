"""The offline kustomize build (mlinfra/kustomize_build.py and the kustomize_* modules) against kustomize's
own cases, vendored under tests/data/kustomize/ (tests/data/SOURCES.json names their repository, commit
and paths): kyaml's merge2 and kustomize's patchstrategicmerge table tests, api/hasher's name hashes and
the replacement filter's table test; and kustomizations that patch, rename, generate, compose and
replace, built and reviewed."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from mlinfra import kubernetes_manifests as km
from mlinfra import kustomize_build as kb
from mlinfra import kustomize_generators as kg
from mlinfra import kustomize_patches as kp
from mlinfra import kustomize_replacements as kr
from mlinfra import kustomize_vars as kv
from mlinfra.kubernetes_objects import cluster_scoped

ROOT = Path(__file__).resolve().parent.parent
CASES = json.loads((Path(__file__).parent / "data" / "kustomize" / "merge_cases.json").read_text())
#: The cases whose outcome rests on what a parsed manifest no longer carries: kyaml reads a schema from a
#: YAML comment on the field, and tells an empty value (``B:``, dropped) from ``null`` (kept).
DIFFERENT = {
    "no infer merge keys merge using explicit schema as line comment'": "a schema in a YAML comment",
    "merge_primitive_items": "a schema in a YAML comment",
    "nullMapEntry1": "an empty value in the object, which kyaml drops and a parsed manifest reads as null",
}
REPLAYED = [pytest.param(case, id=f"{path.rsplit('/', 1)[-1]}: {case['description']}")
            for path, cases in CASES.items() for case in cases]


def _merged(case):
    # As the plan reads manifests (JSON's keys: a YAML key 6443 is "6443").
    dest, patch, expected = (json.loads(json.dumps(yaml.safe_load(case[k]))) for k in ("dest", "source", "expected"))
    return kp.merge_documents(dest or {}, patch or {}, prepend=case["prepend"], infer=case["infer"]), expected


def test_the_cases_are_kustomizes():
    assert sum(len(cases) for cases in CASES.values()) >= 80
    assert {case["description"] for cases in CASES.values() for case in cases} >= set(DIFFERENT)


@pytest.mark.parametrize("case", REPLAYED)
def test_strategic_merge_matches_kustomizes_own_cases(case):
    merged, expected = _merged(case)
    if case["description"] in DIFFERENT:
        assert merged != expected, f"now matches kustomize: remove it from DIFFERENT ({DIFFERENT[case['description']]})"
    else:
        assert merged == expected


# --- patches in a kustomization ------------------------------------------------------------------------

def _kustomization(folder: Path, **fields) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "kustomization.yaml").write_text(yaml.safe_dump({
        "apiVersion": "kustomize.config.k8s.io/v1beta1", "kind": "Kustomization", **fields}))


def _deployment(name: str, **labels) -> dict:
    return {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": name, "labels": labels or {"app": name}},
            "spec": {"replicas": 1, "selector": {"matchLabels": {"app": name}}, "template": {
                "metadata": {"labels": {"app": name}},
                "spec": {"containers": [{"name": "app", "image": f"{name}:1", "env": [{"name": "MODE", "value": "a"}]},
                                        {"name": "sidecar", "image": "proxy:2"}]}}}}


@pytest.fixture
def base(tmp_path, monkeypatch):
    """A base of two Deployments and a Service; the tests build overlays on it from tmp_path."""
    monkeypatch.chdir(tmp_path)
    service = {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "web"},
               "spec": {"ports": [{"port": 80, "protocol": "TCP"}]}}
    _kustomization(tmp_path / "base", resources=["objects.yaml"])
    (tmp_path / "base" / "objects.yaml").write_text(yaml.safe_dump_all(
        [_deployment("web", tier="front"), _deployment("worker", tier="back"), service]))
    return tmp_path


def _built(directory="overlay") -> dict:
    return {f"{obj['kind']}/{obj['metadata']['name']}": obj for obj in kb.kustomize_build(directory)}


def _containers(obj: dict) -> dict:
    return {c["name"]: c for c in obj["spec"]["template"]["spec"]["containers"]}


def test_an_overlay_patch_merges_into_its_base_object_by_id_after_the_base_namespace(base):
    """A strategic-merge patch without a target names its object; containers merge on name and env on
    name (PodSpec.containers, Container.env: x-kubernetes-patch-merge-key name), the rest of each list stays."""
    _kustomization(base / "team", resources=["../base"], namespace="team")
    (base / "overlay").mkdir()
    (base / "overlay" / "privileged.yaml").write_text(yaml.safe_dump({
        "apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web"},
        "spec": {"template": {"spec": {"containers": [
            {"name": "app", "securityContext": {"privileged": True}, "env": [{"name": "DEBUG", "value": "1"}]}]}}}}))
    _kustomization(base / "overlay", resources=["../team"], patches=[{"path": "privileged.yaml"}])
    built = _built()
    web = _containers(built["Deployment/web"])
    assert web["app"]["securityContext"] == {"privileged": True} and web["app"]["image"] == "web:1"
    assert web["app"]["env"] == [{"name": "DEBUG", "value": "1"}, {"name": "MODE", "value": "a"}]
    assert set(web) == {"app", "sidecar"} and built["Deployment/web"]["metadata"]["namespace"] == "team"
    assert "securityContext" not in _containers(built["Deployment/worker"])["app"]


def test_a_targeted_patch_reaches_every_selected_object_and_keeps_their_names(base):
    patch = yaml.safe_dump({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "any"},
                            "spec": {"template": {"spec": {"hostNetwork": True}}}})
    _kustomization(base / "overlay", resources=["../base"], patches=[
        {"patch": patch, "target": {"kind": "Deployment", "labelSelector": "tier in (front,back),app!=db"}}])
    built = _built()
    assert {name for name, obj in built.items() if obj["spec"].get("template", {}).get("spec", {}).get(
        "hostNetwork")} == {"Deployment/web", "Deployment/worker"}
    _kustomization(base / "overlay", resources=["../base"], patches=[
        {"patch": patch, "target": {"kind": "Deploy.*", "name": "w(eb|x)"}}])
    assert [n for n, o in _built().items() if o["spec"].get("template", {}).get("spec", {}).get("hostNetwork")] == [
        "Deployment/web"]


def test_json_6902_patches_through_patches_and_patches_json6902(base):
    (base / "overlay").mkdir()
    (base / "overlay" / "ops.yaml").write_text(yaml.safe_dump([
        {"op": "replace", "path": "/spec/template/spec/containers/1/image", "value": "proxy:latest"}]))
    _kustomization(base / "overlay", resources=["../base"],
                   patches=[{"patch": json.dumps([{"op": "add", "path": "/spec/template/spec/hostPID", "value": True}]),
                             "target": {"kind": "Deployment", "name": "worker"}}],
                   patchesJson6902=[{"target": {"group": "apps", "version": "v1", "kind": "Deployment", "name": "web"},
                                     "path": "ops.yaml"}])
    built = _built()
    assert built["Deployment/worker"]["spec"]["template"]["spec"]["hostPID"] is True
    assert _containers(built["Deployment/web"])["sidecar"]["image"] == "proxy:latest"
    assert "hostPID" not in built["Deployment/web"]["spec"]["template"]["spec"]


def test_patches_strategic_merge_deletes_and_replaces_and_replicas_count(base):
    """$patch: delete on an object and on a list element (by the merge key); a Service's ports merge on
    port (ServiceSpec.ports: x-kubernetes-list-map-keys port, protocol); replicas set spec.replicas."""
    (base / "overlay").mkdir()
    (base / "overlay" / "no-worker.yaml").write_text(yaml.safe_dump(
        {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "worker"}, "$patch": "delete"}))
    inline = yaml.safe_dump({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web"},
                             "spec": {"template": {"spec": {"containers": [{"name": "sidecar", "$patch": "delete"}]}}}})
    ports = yaml.safe_dump({"apiVersion": "v1", "kind": "Service", "metadata": {"name": "web"},
                            "spec": {"ports": [{"port": 443, "protocol": "TCP"}, {"port": 80, "name": "http"}]}})
    _kustomization(base / "overlay", resources=["../base"], patchesStrategicMerge=["no-worker.yaml", inline, ports],
                   replicas=[{"name": "web", "count": 3}])
    built = _built()
    assert set(built) == {"Deployment/web", "Service/web"}
    assert set(_containers(built["Deployment/web"])) == {"app"} and built["Deployment/web"]["spec"]["replicas"] == 3
    assert built["Service/web"]["spec"]["ports"] == [{"port": 443, "protocol": "TCP"},
                                                      {"port": 80, "protocol": "TCP", "name": "http"}]


@pytest.mark.parametrize("fields, message", [
    ({"patches": [{"patch": yaml.safe_dump({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {
        "name": "nowhere"}})}]}, r'no resource matches strategic merge patch "apps/v1, Kind=Deployment nowhere"'),
    ({"patches": [{"patch": '[{"op": "add", "path": "/x", "value": 1}]'}]}, r"must specify a target for JSON patch"),
    ({"patches": [{"patch": '[{"op": "remove", "path": "/spec/nothing"}]', "target": {"kind": "Service"}}]},
     r"json patch: "),
    ({"patches": [{"patch": yaml.safe_dump({"apiVersion": "v1", "kind": "Service", "metadata": {"name": "web"},
                                            "$retainKeys": ["spec"]})}]},
     r"\$retainKeys: the offline plan applies the \$patch and \$setElementOrder directives"),
    ({"patches": [{"patch": "{}", "target": {"labelSelector": "a in b"}}]}, r"unable to parse requirement"),
    ({"patches": [{"path": "missing.yaml"}]}, r"failed to get the patch file from path\(missing.yaml\)"),
    ({"patches": [{"path": "a.yaml", "patch": "x"}]}, r"a patch has one of patch and path"),
    ({"patches": [{"patch": "{}", "target": {"kind": "Service", "fieldPath": "x"}}]}, r"patches: a target has"),
    ({"replicas": [{"name": "web", "count": "3"}]}, r"replicas: an entry is \{name, count\} with an integer count"),
    ({"replicas": [{"name": "nothing", "count": 3}]}, r"resource with name nothing does not match a config"),
])
def test_a_patch_kustomize_would_refuse_stops_the_plan_with_its_message(base, fields, message):
    _kustomization(base / "overlay", resources=["../base"], **fields)
    with pytest.raises(km.ManifestError, match=r"kustomize build error: overlay/kustomization.yaml: " + message):
        kb.kustomize_build("overlay")


@pytest.mark.parametrize(("selector", "labels", "matches"), [
    ("app=web", {"app": "web"}, True), ("app==web", {"app": "web"}, True), ("app!=web", {"app": "web"}, False),
    ("app!=web", {}, True), ("app", {"app": "x"}, True), ("!app", {"app": "x"}, False), ("!app", {}, True),
    ("tier in (a, b)", {"tier": "b"}, True), ("tier notin (a,b)", {"tier": "b"}, False),
    ("tier notin (a,b)", {}, True), ("app=web,tier=a", {"app": "web", "tier": "b"}, False), ("", {}, True),
])
def test_label_selectors_read_as_apimachinery_parses_them(selector, labels, matches):
    assert kp.selector_matches(selector, labels) is matches


def test_a_program_whose_overlay_patch_makes_a_container_privileged_is_reported(base):
    """End to end: the plan builds the overlay as the provider would, and the review sees the patched pod."""
    from mlinfra.plan import plan
    from mlinfra.review.deployment import resources_from_document
    from mlinfra.review.engine import review

    (base / "Pulumi.yaml").write_text("name: overlays\nruntime: python\n")
    (base / "Pulumi.dev.yaml").write_text("config: {}\n")
    (base / "__main__.py").write_text("import pulumi_kubernetes as k8s\n\n"
                                      "k8s.kustomize.v2.Directory('kz', directory='overlay')\n")
    _kustomization(base / "overlay", resources=["../base"], patches=[{
        "patch": json.dumps([{"op": "add", "path": "/spec/template/spec/containers/0/securityContext",
                              "value": {"privileged": True}}]), "target": {"kind": "Deployment", "name": "worker"}}])
    resources = plan(base, "dev")["deployment"]["resources"]
    reported = {(v.urn.rsplit("::", 1)[-1], v.policy) for v in review(
        resources_from_document({"version": 3, "deployment": {"resources": resources}}, "plan"), None, "prod",
        ROOT).violations}
    assert ("kz:default/worker", "k8s-no-privileged-containers") in reported
    assert ("kz:default/web", "k8s-no-privileged-containers") not in reported


# --- namePrefix and nameSuffix --------------------------------------------------------------------------

def _app_objects() -> list[dict]:
    """A Deployment naming a ConfigMap, a Secret and a ServiceAccount, a Role bound to the account, and a
    binding to a ClusterRole the kustomization does not declare."""
    pod = {"serviceAccountName": "runner", "volumes": [{"name": "conf", "configMap": {"name": "settings"}}],
           "containers": [{"name": "app", "image": "app:1", "envFrom": [{"secretRef": {"name": "token"}}]}]}
    return [
        {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "app"},
         "spec": {"selector": {"matchLabels": {"app": "a"}}, "template": {"metadata": {"labels": {"app": "a"}},
                                                                          "spec": pod}}},
        {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "settings"}, "data": {"a": "b"}},
        {"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "token"}},
        {"apiVersion": "v1", "kind": "ServiceAccount", "metadata": {"name": "runner"}},
        {"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "Role", "metadata": {"name": "reader"},
         "rules": [{"apiGroups": [""], "resources": ["configmaps"], "verbs": ["get"]}]},
        {"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "RoleBinding", "metadata": {"name": "read"},
         "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "Role", "name": "reader"},
         "subjects": [{"kind": "ServiceAccount", "name": "runner"}]},
        {"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "RoleBinding", "metadata": {"name": "view"},
         "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": "view"},
         "subjects": [{"kind": "ServiceAccount", "name": "runner"}]},
        {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "apps"}},
    ]


@pytest.fixture
def app(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    _kustomization(tmp_path / "base", resources=["objects.yaml"], namePrefix="base-")
    (tmp_path / "base" / "objects.yaml").write_text(yaml.safe_dump_all(_app_objects()))
    return tmp_path


def test_a_name_prefix_reaches_every_reference_to_a_renamed_object(app):
    """builtinpluginconsts/namereference.go: volumes' configMap.name, envFrom's secretRef.name,
    serviceAccountName, roleRef.name (of the roleRef's kind) and subjects; nested prefixes stack
    (the overlay's first), and a reference to an object the build does not declare stays."""
    _kustomization(app / "overlay", resources=["../base"], namePrefix="prod-", nameSuffix="-v2", namespace="apps")
    built = _built()
    assert set(built) == {"Deployment/prod-base-app-v2", "ConfigMap/prod-base-settings-v2", "Secret/prod-base-token-v2",
                          "ServiceAccount/prod-base-runner-v2", "Role/prod-base-reader-v2",
                          "RoleBinding/prod-base-read-v2", "RoleBinding/prod-base-view-v2", "Namespace/apps"}
    pod = built["Deployment/prod-base-app-v2"]["spec"]["template"]["spec"]
    assert pod["serviceAccountName"] == "prod-base-runner-v2"
    assert pod["volumes"][0]["configMap"]["name"] == "prod-base-settings-v2"
    assert pod["containers"][0]["envFrom"][0]["secretRef"]["name"] == "prod-base-token-v2"
    binding = built["RoleBinding/prod-base-read-v2"]
    assert binding["roleRef"]["name"] == "prod-base-reader-v2"
    assert binding["subjects"] == [{"kind": "ServiceAccount", "name": "prod-base-runner-v2", "namespace": "apps"}]
    assert built["RoleBinding/prod-base-view-v2"]["roleRef"]["name"] == "view"  # not the build's: unchanged


def test_a_namespace_move_alone_reaches_binding_subjects(app):
    _kustomization(app / "base", resources=["objects.yaml"])
    _kustomization(app / "overlay", resources=["../base"], namespace="team")
    built = _built()
    assert built["RoleBinding/read"]["subjects"] == [{"kind": "ServiceAccount", "name": "runner", "namespace": "team"}]
    assert built["Deployment/app"]["spec"]["template"]["spec"]["serviceAccountName"] == "runner"


def test_name_affixes_are_strings(app):
    _kustomization(app / "overlay", resources=["../base"], namePrefix=["x"])
    with pytest.raises(km.ManifestError, match=r"overlay/kustomization.yaml: namePrefix and nameSuffix are strings"):
        kb.kustomize_build("overlay")


# --- generators ------------------------------------------------------------------------------------------

HASHES = json.loads((Path(__file__).parent / "data" / "kustomize" / "hash_cases.json").read_text())


@pytest.mark.parametrize("case", HASHES, ids=lambda case: case["description"])
def test_name_hashes_are_kustomizes(case):
    """api/hasher/hasher_test.go's ConfigMaps and Secrets and the hashes kustomize gives them."""
    assert kg.name_hash(yaml.safe_load(case["object"])) == case["hash"]


def test_generated_config_maps_and_secrets_get_hashed_names_that_references_follow(app):
    """Envs, then literals, then files (api/kv); the Secret base64; the hash of the final name and data
    (after the overlay's prefix), and the Deployment's references renamed with it."""
    (app / "base" / "app.env").write_text("# settings\nMODE=batch\n\nLEVEL=\n")
    (app / "base" / "model.json").write_text('{"layers": 3}')
    _kustomization(app / "base", resources=["objects.yaml"], configMapGenerator=[
        {"name": "settings", "envs": ["app.env"], "literals": ["TEAM='ml'"], "files": ["config.json=model.json"]}],
        secretGenerator=[{"name": "token", "literals": ["key=s3cret"]}],
        generatorOptions={"labels": {"generated": "yes"}})
    (app / "base" / "objects.yaml").write_text(yaml.safe_dump_all(
        [o for o in _app_objects() if o["kind"] not in ("ConfigMap", "Secret")]))
    _kustomization(app / "overlay", resources=["../base"], namePrefix="prod-")
    built = _built()
    [settings] = [o for o in built.values() if o["kind"] == "ConfigMap"]
    [token] = [o for o in built.values() if o["kind"] == "Secret"]
    assert settings["data"] == {"MODE": "batch", "LEVEL": "", "TEAM": "ml", "config.json": '{"layers": 3}'}
    assert settings["metadata"]["labels"] == {"generated": "yes"}
    assert settings["metadata"]["name"] == "prod-settings-" + kg.name_hash(
        {**settings, "metadata": {"name": "prod-settings"}})
    assert token["data"] == {"key": "czNjcmV0"} and token["type"] == "Opaque"
    pod = built["Deployment/prod-app"]["spec"]["template"]["spec"]
    assert pod["volumes"][0]["configMap"]["name"] == settings["metadata"]["name"]
    assert pod["containers"][0]["envFrom"][0]["secretRef"]["name"] == token["metadata"]["name"]


def test_an_overlay_generator_merges_into_its_bases_and_options_turn_the_hash_off(app):
    _kustomization(app / "base", resources=["objects.yaml"], configMapGenerator=[
        {"name": "extra", "literals": ["A=1", "B=2"]}])
    _kustomization(app / "overlay", resources=["../base"], configMapGenerator=[
        {"name": "extra", "behavior": "merge", "literals": ["B=3"], "options": {"disableNameSuffixHash": True}},
        {"name": "plain", "literals": ["C=4"], "options": {"disableNameSuffixHash": True, "immutable": True}}])
    built = _built()
    # The overlay's object takes the base's place, with its own options: no hash.
    assert built["ConfigMap/extra"]["data"] == {"A": "1", "B": "3"}
    assert built["ConfigMap/plain"]["immutable"] is True and built["ConfigMap/plain"]["data"] == {"C": "4"}
    _kustomization(app / "base", resources=["objects.yaml"], namePrefix="base-", configMapGenerator=[
        {"name": "extra", "literals": ["A=1", "B=2"]}])
    _kustomization(app / "overlay", resources=["../base"], namespace="team", configMapGenerator=[
        {"name": "extra", "behavior": "replace", "literals": ["B=3"]}])
    # Matched by the id it had before the base's prefix; the base's name stays (CopyMergeMetaDataFieldsFrom).
    [(name, extra)] = [(n, o) for n, o in _built().items() if n.startswith("ConfigMap/base-extra-")]
    assert extra["data"] == {"B": "3"} and extra["metadata"]["namespace"] == "team"
    assert name == f"ConfigMap/base-extra-{kg.name_hash({**extra, 'metadata': {'name': 'base-extra'}})}"


@pytest.mark.parametrize("generator, message", [
    ({"name": "c", "literals": ["A=1", "A=2"]}, r"configmap c illegally repeats the key `A`"),
    ({"name": "c", "literals": ["=1"]}, r"invalid literal source =1, expected key=value"),
    ({"name": "c", "files": ["missing.txt"]}, r"loading KV pairs: missing.txt: No such file or directory"),
    ({"name": "c", "files": ["k=v=w"]}, r"source 'k=v=w' key name or file path contains '='"),
    ({"name": "settings", "literals": ["A=1"]}, r"id ConfigMap default/settings exists; can not use behavior: "
                                                r"'create', behavior must be merge or replace"),
    ({"name": "c", "behavior": "merge", "literals": ["A=1"]}, r"id ConfigMap default/c does not exist; cannot merge or replace"),
    ({"name": "settings", "behavior": "add"}, r"id ConfigMap default/settings exists; can not use behavior: 'add', "
                                              r"behavior must be merge or replace"),
    ({"literals": ["A=1"]}, r"a configmap must have a name"),
    ({"name": "c", "options": {"labels": {}, "hash": False}}, r"generator options are annotations, "),
])
def test_a_generator_kustomize_would_refuse_stops_the_plan(app, generator, message):
    _kustomization(app / "base", resources=["objects.yaml"], configMapGenerator=[generator])
    with pytest.raises(km.ManifestError, match=r"kustomize build error: base/kustomization.yaml: " + message):
        kb.kustomize_build("base")


# --- components --------------------------------------------------------------------------------------------

def _component(folder: Path, **fields) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "kustomization.yaml").write_text(yaml.safe_dump({
        "apiVersion": "kustomize.config.k8s.io/v1alpha1", "kind": "Component", **fields}))


def test_a_component_adds_its_objects_and_transforms_its_parents(base):
    """KustTarget.accumulateComponents: after the parent's resources and generators, a Component's own
    resources, generators (merging into the parent's) and patches run over all of them."""
    _component(base / "debug", resources=["probe.yaml"], patches=[{"patch": yaml.safe_dump({
        "apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web"},
        "spec": {"template": {"spec": {"hostPID": True}}}})}],
        configMapGenerator=[{"name": "flags", "behavior": "merge", "literals": ["DEBUG=1"]}])
    (base / "debug" / "probe.yaml").write_text(yaml.safe_dump(
        {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "probe"},
         "spec": {"containers": [{"name": "probe", "image": "busybox:1.36"}]}}))
    _kustomization(base / "overlay", resources=["../base"], components=["../debug"], namePrefix="dev-",
                   configMapGenerator=[{"name": "flags", "literals": ["MODE=a"],
                                        "options": {"disableNameSuffixHash": True}}])
    built = _built()
    assert built["Deployment/dev-web"]["spec"]["template"]["spec"]["hostPID"] is True
    assert "hostPID" not in built["Deployment/dev-worker"]["spec"]["template"]["spec"]
    assert "Pod/dev-probe" in built
    [flags] = [o for n, o in built.items() if n.startswith("ConfigMap/dev-flags")]
    assert flags["data"] == {"MODE": "a", "DEBUG": "1"}


def test_components_and_resources_are_not_interchangeable(base):
    _kustomization(base / "overlay", resources=["../base"], components=["../base"])
    with pytest.raises(km.ManifestError, match=r"base/kustomization.yaml: expected kind 'Component' for path "
                                               r"'.*base' but got 'Kustomization'"):
        kb.kustomize_build("overlay")
    _component(base / "debug")
    _kustomization(base / "overlay", resources=["../base", "../debug"])
    with pytest.raises(km.ManifestError, match=r"debug/kustomization.yaml: expected kind != 'Component' for path"):
        kb.kustomize_build("overlay")


# --- replacements ----------------------------------------------------------------------------------------

REPLACEMENTS = json.loads((Path(__file__).parent / "data" / "kustomize" / "replacement_cases.json").read_text())
#: Where the offline build stops instead: kustomize edits YAML and JSON held in a string in place (and
#: re-serializes it its own way), and selects by an earlier kind after a patch changed it.
REPLACEMENTS_DIFFERENT = {
    **{case["description"]: r"does not edit YAML or JSON held in a string" for case in REPLACEMENTS
       if case["description"].startswith(("replacement json", "replacement yaml", "replacement contain json"))},
    "using a previous ID": r"nothing selected by \{'kind': 'CronJob', 'name': 'deploy'\}",
}


def _replaced(case):
    objects = [kp.Built(json.loads(json.dumps(o))) for o in yaml.safe_load_all(case["input"]) if o]
    config = yaml.safe_load(case["replacements"]) or {}
    kr.apply(objects, config.get("replacements") or [], lambda path: [], cluster_scoped)
    return [b.obj for b in objects]


def test_the_replacement_cases_are_kustomizes():
    assert len(REPLACEMENTS) >= 80 and len(REPLACEMENTS_DIFFERENT) < len(REPLACEMENTS) // 4


@pytest.mark.parametrize("case", REPLACEMENTS, ids=lambda case: case["description"])
def test_replacements_match_kustomizes_own_cases(case):
    expected = [json.loads(json.dumps(o)) for o in yaml.safe_load_all(case["expected"]) if o]
    if case["description"] in REPLACEMENTS_DIFFERENT:
        with pytest.raises(ValueError, match=REPLACEMENTS_DIFFERENT[case["description"]]):
            _replaced(case)
        return
    if case["error"]:
        with pytest.raises(ValueError):
            _replaced(case)
        return
    assert _replaced(case) == expected


def test_a_kustomizations_replacements_run_last_from_its_file_and_inline(base):
    """ReplacementTransformer runs after the images transformer; a ``path`` entry's file lists replacements."""
    (base / "overlay").mkdir()
    (base / "overlay" / "replacements.yaml").write_text(yaml.safe_dump([{
        "source": {"kind": "Deployment", "name": "web", "fieldPath": "spec.template.spec.containers.[name=app].image"},
        "targets": [{"select": {"kind": "Deployment", "name": "worker"},
                     "fieldPaths": ["spec.template.spec.containers.[name=app].image"]}]}]))
    _kustomization(base / "overlay", resources=["../base"], images=[{"name": "web", "newTag": "9"}], replacements=[
        {"path": "replacements.yaml"},
        {"source": {"kind": "Service", "name": "web", "fieldPath": "spec.ports.0.port"},
         "targets": [{"select": {"kind": "Deployment"}, "fieldPaths": ["metadata.annotations.port"],
                      "options": {"create": True}}]}])
    built = _built()
    assert _containers(built["Deployment/worker"])["app"]["image"] == "web:9"
    assert {built[n]["metadata"]["annotations"]["port"] for n in ("Deployment/web", "Deployment/worker")} == {80}


def test_a_labels_entry_writes_into_its_own_field_specs_too(base):
    """krusty adds a ``labels`` entry's ``fields`` to the default specs (metadata.labels)."""
    _kustomization(base / "overlay", resources=["../base"], labels=[{
        "pairs": {"team": "ranking"},
        "fields": [{"path": "spec/template/metadata/labels", "kind": "Deployment", "create": True},
                   {"path": "spec/selector", "kind": "Service", "version": "v2"}]}])
    built = _built()
    web = built["Deployment/web"]
    assert web["metadata"]["labels"]["team"] == "ranking"
    assert web["spec"]["template"]["metadata"]["labels"] == {"app": "web", "team": "ranking"}
    assert web["spec"]["selector"]["matchLabels"] == {"app": "web"}  # not a field the entry names
    assert "selector" not in built["Service/web"]["spec"]  # its version is v1, not the spec's v2


# --- vars --------------------------------------------------------------------------------------------------

VARS = json.loads((Path(__file__).parent / "data" / "kustomize" / "var_cases.json").read_text())


@pytest.mark.parametrize("case", VARS["cases"], ids=lambda case: case["description"])
def test_var_expansion_matches_kustomizes_own_cases(case):
    """api/filters/refvar/expand_test.go TestMapping, with its mapping (an unknown name stays as written)."""
    mapping = VARS["mapping"]
    assert kv.do_replacements(case["input"], lambda name: mapping.get(name, f"$({name})")) == case["expected"]


def test_vars_of_every_level_resolve_after_the_build_into_the_fields_kustomize_names(base):
    """The Service's final name (after the overlay's prefix) and port reach the Deployment's args, env and
    pod annotations (varreference.go); a field that is only ``$(PORT)`` takes the number; fields not in the
    list keep the text."""
    _kustomization(base / "base", resources=["objects.yaml"], vars=[
        {"name": "SERVICE", "objref": {"kind": "Service", "name": "web", "apiVersion": "v1"}}])
    (base / "overlay").mkdir()
    (base / "overlay" / "args.yaml").write_text(yaml.safe_dump({
        "apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "worker"},
        "spec": {"template": {"metadata": {"annotations": {"target": "$(SERVICE)"}}, "spec": {"containers": [
            {"name": "app", "workingDir": "/srv/$(SERVICE)", "args": ["--backend=http://$(SERVICE):$(PORT)", "$$(SERVICE)"],
             "env": [{"name": "PORT", "value": "$(PORT)"}, {"name": "OTHER", "value": "$(UNDEFINED)"}]}]}}}}))
    _kustomization(base / "overlay", resources=["../base"], namePrefix="prod-", patches=[{"path": "args.yaml"}],
                   vars=[{"name": "PORT", "objref": {"kind": "Service", "name": "web", "apiVersion": "v1"},
                          "fieldref": {"fieldpath": "spec.ports[0].port"}}])
    app = _containers(_built()["Deployment/prod-worker"])["app"]
    assert app["args"] == ["--backend=http://prod-web:80", "$(SERVICE)"]
    assert app["env"][:2] == [{"name": "PORT", "value": 80}, {"name": "OTHER", "value": "$(UNDEFINED)"}]
    assert app["workingDir"] == "/srv/$(SERVICE)"  # not a field the var references name
    annotations = _built()["Deployment/prod-worker"]["spec"]["template"]["metadata"]["annotations"]
    assert annotations == {"target": "prod-web"}  # a map's string values: one that is


@pytest.mark.parametrize("variables, message", [
    ([{"name": "X", "objref": {"kind": "Service", "name": "nothing", "apiVersion": "v1"}}],
     r"var 'X' cannot be mapped to a field in the set of known resources"),
    ([{"name": "X", "objref": {"kind": "Service", "name": "web", "apiVersion": "v1"},
       "fieldref": {"fieldpath": "spec.clusterIP"}}], r"field specified in var 'X' not found in corresponding resource"),
    ([{"name": "X", "objref": {"kind": "Service", "name": "web"}}] * 2, r"var 'X' already encountered"),
    ([{"name": "X"}], r"vars: a var has name, objref and fieldref"),
])
def test_a_var_kustomize_would_refuse_stops_the_plan(base, variables, message):
    _kustomization(base / "overlay", resources=["../base"], vars=variables)
    with pytest.raises(km.ManifestError, match=r"kustomize build error: overlay: " + message):
        kb.kustomize_build("overlay")


# --- configurations, the namespace's own field specs, json-patch v4 -----------------------------------------

def test_configurations_teach_the_build_more_name_var_namespace_and_label_fields(base):
    """A transformer configuration (as Kubeflow's params.yaml): a webhook's service reference follows the
    Service's prefix (nameReference), its namespace follows the kustomization's (namespace), a var lands in a
    field the built-in list lacks (varReference), and commonLabels reach a custom selector (commonLabels)."""
    (base / "overlay").mkdir()
    webhook = {"apiVersion": "admissionregistration.k8s.io/v1", "kind": "MutatingWebhookConfiguration",
               "metadata": {"name": "inject"}, "webhooks": [{"name": "$(SERVICE).example.com", "clientConfig": {
                   "service": {"name": "web", "namespace": "default"}}}]}
    widget = {"apiVersion": "example.com/v1", "kind": "Widget", "metadata": {"name": "w"},
              "spec": {"podSelector": {"app": "web"}}}
    (base / "overlay" / "extra.yaml").write_text(yaml.safe_dump_all([webhook, widget]))
    (base / "overlay" / "params.yaml").write_text(yaml.safe_dump({
        "nameReference": [{"kind": "Service", "version": "v1", "fieldSpecs": [
            {"kind": "MutatingWebhookConfiguration", "path": "webhooks/clientConfig/service/name"}]}],
        "namespace": [{"kind": "MutatingWebhookConfiguration", "path": "webhooks/clientConfig/service/namespace",
                       "create": True}],
        "varReference": [{"kind": "MutatingWebhookConfiguration", "path": "webhooks/name"}],
        "commonLabels": [{"kind": "Widget", "path": "spec/podSelector", "create": True}]}))
    _kustomization(base / "overlay", resources=["../base", "extra.yaml"], configurations=["params.yaml"],
                   namespace="team", namePrefix="p-", commonLabels={"tier": "ml"},
                   vars=[{"name": "SERVICE", "objref": {"kind": "Service", "name": "web", "apiVersion": "v1"}}])
    built = _built()
    [hook] = built["MutatingWebhookConfiguration/p-inject"]["webhooks"]
    assert hook["clientConfig"]["service"] == {"name": "p-web", "namespace": "team"}
    assert hook["name"] == "p-web.example.com"
    assert built["Widget/p-w"]["spec"]["podSelector"] == {"app": "web", "tier": "ml"}
    (base / "overlay" / "params.yaml").write_text(yaml.safe_dump({"images": [{"path": "spec/image"}]}))
    with pytest.raises(km.ManifestError, match=r"configurations: params.yaml: images: the offline plan applies "
                                               r"nameReference, varReference, namespace, commonLabels, "
                                               r"commonAnnotations only"):
        kb.kustomize_build("overlay")


def test_the_namespace_renames_namespace_objects_and_a_patch_finds_them_by_their_old_name(base):
    """builtinpluginconsts/namespace.go: a Namespace takes the kustomization's namespace as its name (Kubeflow's
    controllers ship a Namespace "system" and delete it by its new name in their overlay)."""
    (base / "base" / "ns.yaml").write_text(yaml.safe_dump({"apiVersion": "v1", "kind": "Namespace",
                                                            "metadata": {"name": "system"}}))
    _kustomization(base / "base", resources=["objects.yaml", "ns.yaml"], namespace="team")
    _kustomization(base / "overlay", resources=["../base"], patchesStrategicMerge=[yaml.safe_dump(
        {"$patch": "delete", "apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "team"}})])
    assert "Namespace/team" in _built("base")
    assert not [n for n in _built() if n.startswith("Namespace/")]


def test_a_json_patch_replace_sets_a_key_an_object_lacks_as_kustomizes_json_patch_v4_does(base):
    _kustomization(base / "overlay", resources=["../base"], patches=[{
        "patch": json.dumps([{"op": "replace", "path": "/spec/template/spec/priorityClassName", "value": "high"}]),
        "target": {"kind": "Deployment", "name": "web"}}])
    assert _built()["Deployment/web"]["spec"]["template"]["spec"]["priorityClassName"] == "high"
    assert kp.json6902({"a": [1]}, [{"op": "replace", "path": "/a/0", "value": 2}]) == {"a": [2]}
    with pytest.raises(ValueError, match=r"json patch: "):
        kp.json6902({"a": [1]}, [{"op": "replace", "path": "/a/5", "value": 2}])
