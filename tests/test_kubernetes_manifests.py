"""Kubernetes YAML manifests in the offline plan: pulumi-kubernetes's ``yaml.ConfigFile`` and
``ConfigGroup`` (v1, the Python SDK parses through the invoke ``kubernetes:yaml:decode``) and
``yaml.v2.ConfigFile`` / ``ConfigGroup`` (components the provider expands) declare their objects as
the child resources a real preview has, and every Kubernetes rule judges them.

Expected names, types, parents and dependencies are the provider's (pulumi-kubernetes 94977969d:
provider/pkg/provider/yaml/v2/yaml.go ``register``/``Normalize``/``Register``, configgroup.go,
configfile.go; sdk/python/pulumi_kubernetes/yaml/yaml.py ``_parse_yaml_object``).
"""

from __future__ import annotations

import copy
import json
import textwrap
from pathlib import Path

import pytest
import yaml

from mlinfra import kubernetes_manifests as km
from mlinfra import kustomize_build as kb
from mlinfra.errors import MlinfraError
from mlinfra.mocks import SECRET_SIGNATURE as SECRET, SIGNATURE_KEY as SECRET_KEY
from mlinfra.plan import plan
from mlinfra.review.deployment import resources_from_document
from mlinfra.review.engine import review

ROOT = Path(__file__).resolve().parent.parent

# --- decoding and normalizing, as the provider does ------------------------------------------------------


def test_decode_skips_documents_without_kind_or_api_version_and_keeps_timestamps_as_text():
    text = "---\n# empty\n---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\ndata: {when: 2024-01-01}\n" \
           "---\nfoo: bar\n---\n"
    result = km.decode_invoke({"text": text})["result"]
    assert result == [{"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "a"},
                       "data": {"when": "2024-01-01"}}]


def test_decode_reads_a_json_stream_and_sets_a_default_namespace_on_namespaced_kinds_only():
    text = '{"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"}}\n' \
           '{"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "n"}}'
    result = km.decode_invoke({"text": text, "defaultNamespace": "team"})["result"]
    assert [o["metadata"].get("namespace") for o in result] == ["team", None]


def test_decode_refuses_bad_yaml_with_one_line():
    with pytest.raises(km.ManifestError, match=r"^decoding YAML: line 1, column 6: expected"):
        km.decode_invoke({"text": "a: [b"})


def test_type_tokens_are_the_sdks():
    assert km.type_token("v1", "Pod") == "kubernetes:core/v1:Pod"
    assert km.type_token("apps/v1", "Deployment") == "kubernetes:apps/v1:Deployment"
    assert km.type_token("ray.io/v1", "RayCluster") == "kubernetes:ray.io/v1:RayCluster"


def test_normalize_expands_lists_canonicalizes_core_and_namespaces_only_namespaced_kinds():
    crd = {"apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition", "metadata": {"name": "w"},
           "spec": {"group": "example.com", "scope": "Namespaced", "names": {"kind": "Widget"}}}
    objects = [
        {"apiVersion": "v1", "kind": "List", "items": [
            {"apiVersion": "core/v1", "kind": "ConfigMap", "metadata": {"name": "c"}},
            {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "n"}}]},
        crd,
        {"apiVersion": "example.com/v1", "kind": "Widget", "metadata": {"name": "w1"}},
        {"apiVersion": "other.io/v1", "kind": "Gadget", "metadata": {"name": "g1"}},  # scope unknown offline
        {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "d", "namespace": "apps"}},
    ]
    result = km.normalize(copy.deepcopy(objects), "team")
    assert [(o["apiVersion"], o["kind"], o["metadata"].get("namespace")) for o in result] == [
        ("v1", "ConfigMap", "team"), ("v1", "Namespace", None),
        ("apiextensions.k8s.io/v1", "CustomResourceDefinition", None), ("example.com/v1", "Widget", "team"),
        ("other.io/v1", "Gadget", None), ("apps/v1", "Deployment", "apps")]


@pytest.mark.parametrize("obj, message", [
    ({"kind": "Pod", "metadata": {"name": "p"}}, "require a kind and apiVersion"),
    ({"apiVersion": "v1", "kind": "Pod", "metadata": {}}, r"require a \.metadata\.name"),
])
def test_normalize_refuses_what_the_provider_refuses(obj, message):
    with pytest.raises(km.ManifestError, match=message):
        km.normalize([obj], "default")


def test_objects_wait_for_their_namespace_crd_and_depends_on_annotation():
    objects = km.normalize([
        {"apiVersion": "example.com/v1", "kind": "Widget", "metadata": {"name": "w", "namespace": "apps"}},
        {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "late", "namespace": "apps", "annotations": {
            km.DEPENDS_ON: "example.com/namespaces/apps/Widget/w"}}},
        {"apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition", "metadata": {"name": "w"},
         "spec": {"group": "example.com", "scope": "Namespaced", "names": {"kind": "Widget"}}},
        {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "apps"}},
    ], "default")
    needs = km.dependencies(objects)
    assert needs == [[2, 3], [0, 3], [], []]
    assert km.registration_order(needs) == [2, 3, 0, 1]


def test_resource_names_are_prefix_namespace_and_name():
    obj = {"metadata": {"name": "web", "namespace": "apps"}}
    assert km.resource_name(obj, "cg") == "cg:apps/web"
    assert km.resource_name({"metadata": {"name": "n"}}, "") == "n"
    assert km.prefix_of("cg", {}) == "cg" and km.prefix_of("cg", {"resourcePrefix": ""}) == ""


# --- a program planned and reviewed end to end -------------------------------------------------------------

IMAGE = "123456789012.dkr.ecr.us-east-1.amazonaws.com/web:1.4.2"


def deployment(name: str, **pod_changes) -> dict:
    """A Deployment that passes every Kubernetes workload rule, with ``pod_changes`` to its pod spec."""
    pod = {
        "automountServiceAccountToken": False,
        "securityContext": {"runAsNonRoot": True, "runAsUser": 1000, "seccompProfile": {"type": "RuntimeDefault"}},
        "containers": [{
            "name": "web", "image": IMAGE, "imagePullPolicy": "Always",
            "resources": {"requests": {"cpu": "100m", "memory": "128Mi"}, "limits": {"memory": "128Mi"}},
            "securityContext": {"allowPrivilegeEscalation": False, "readOnlyRootFilesystem": True,
                                "capabilities": {"drop": ["ALL"]}},
        }],
        **pod_changes,
    }
    return {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": name, "namespace": "apps"},
            "spec": {"replicas": 2, "selector": {"matchLabels": {"app": name}},
                     "template": {"metadata": {"labels": {"app": name}}, "spec": pod}}}


NAMESPACE = {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "apps"}}
#: A default deny in the namespace (k8s-namespace-network-policy), declared through the v2 path only.
DENY_ALL = {"apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy", "metadata": {"name": "deny-all"},
            "spec": {"podSelector": {}, "policyTypes": ["Ingress", "Egress"]}}


def manifest(*objects: dict) -> str:
    return yaml.safe_dump_all(objects, sort_keys=False)


PROGRAM = textwrap.dedent('''
    import pulumi
    import pulumi_kubernetes as k8s

    DENY_ALL = DENY_ALL_OBJECT
    ok_text = open("inline-ok.yaml").read()
    bad_text = open("inline-bad.yaml").read()
    k8s.yaml.ConfigFile("v1-file", file="manifests/file.yaml")
    k8s.yaml.ConfigGroup("v1-group", yaml=[ok_text, bad_text])
    k8s.yaml.v2.ConfigFile("v2-file", file="manifests/file.yaml")
    k8s.yaml.v2.ConfigGroup("v2-group", yaml=ok_text + "---\\n" + bad_text, files=["manifests/*.yaml"],
                            resource_prefix="grp")
    # An object the provider cannot expand while the preview does not know it yet.
    svc = k8s.core.v1.Service("svc", metadata={"name": "svc", "namespace": "apps"},
                              spec={"ports": [{"port": 80}]})
    k8s.yaml.v2.ConfigGroup("policies", objs=[DENY_ALL],
                            opts=pulumi.ResourceOptions(provider=k8s.Provider("apps", namespace="apps")))
    k8s.yaml.v2.ConfigGroup("v2-unknown", objs=[{
        "apiVersion": "v1", "kind": "ConfigMap",
        "metadata": {"name": "c", "namespace": "apps"},
        "data": {"host": svc.status.apply(lambda s: s.load_balancer.ingress[0].hostname)}}])
''')


@pytest.fixture(scope="module")
def planned(tmp_path_factory) -> tuple[dict, dict, Path]:
    project = tmp_path_factory.mktemp("manifests")
    (project / "Pulumi.yaml").write_text("name: manifests\nruntime: python\n")
    (project / "Pulumi.dev.yaml").write_text("config: {}\n")
    (project / "__main__.py").write_text(PROGRAM.replace("DENY_ALL_OBJECT", repr(DENY_ALL)))
    (project / "manifests").mkdir()
    (project / "manifests" / "file.yaml").write_text(
        manifest(NAMESPACE, deployment("file-ok"), deployment("file-bad", hostNetwork=True)))
    (project / "inline-ok.yaml").write_text(manifest(deployment("inline-ok")))
    (project / "inline-bad.yaml").write_text(manifest(deployment("inline-bad", hostNetwork=True)))
    document = plan(project, "dev")
    resources = {r["urn"]: r for r in document["deployment"]["resources"]}
    return resources, document, project


def _urn(type_chain: str, name: str) -> str:
    return f"urn:pulumi:dev::manifests::{type_chain}::{name}"


DEPLOYMENT = "kubernetes:apps/v1:Deployment"
#: (component type, component name, child name of each Deployment): v1 names are the SDK's
#: ``namespace/name``, v2's the provider's ``prefix:namespace/name``.
EXPECTED = {
    "v1-file": ("kubernetes:yaml:ConfigFile", "v1-file", {"file-ok": "apps/file-ok", "file-bad": "apps/file-bad"}),
    "v1-group": ("kubernetes:yaml:ConfigGroup", "v1-group", {"inline-ok": "apps/inline-ok",
                                                               "inline-bad": "apps/inline-bad"}),
    "v2-file": ("kubernetes:yaml/v2:ConfigFile", "v2-file", {"file-ok": "v2-file:apps/file-ok",
                                                              "file-bad": "v2-file:apps/file-bad"}),
    "v2-group": ("kubernetes:yaml/v2:ConfigGroup", "v2-group", {
        "inline-ok": "grp:apps/inline-ok", "inline-bad": "grp:apps/inline-bad",
        "file-ok": "grp:apps/file-ok", "file-bad": "grp:apps/file-bad"}),
}


@pytest.mark.parametrize("component", sorted(EXPECTED))
def test_each_object_is_a_child_resource_of_its_component(planned, component):
    resources, _, _ = planned
    type_, name, children = EXPECTED[component]
    for metadata_name, child in children.items():
        urn = _urn(f"{type_}${DEPLOYMENT}", child)
        assert urn in resources, sorted(resources)
        resource = resources[urn]
        assert resource["custom"] and resource["type"] == DEPLOYMENT
        assert resource["parent"] == _urn(type_, name)
        assert resource["inputs"]["metadata"] == {"name": metadata_name, "namespace": "apps"}
        assert resource["inputs"]["spec"]["template"]["spec"]["containers"][0]["image"] == IMAGE
        assert resource["provider"].startswith("urn:pulumi:dev::manifests::pulumi:providers:kubernetes::default_")


def test_a_v2_object_depends_on_its_namespace_and_unknown_inputs_expand_to_nothing(planned):
    resources, _, _ = planned
    # The component's provider names the default namespace.
    policy = resources[_urn("kubernetes:yaml/v2:ConfigGroup$kubernetes:networking.k8s.io/v1:NetworkPolicy",
                            "policies:apps/deny-all")]
    assert policy["inputs"]["metadata"] == {"name": "deny-all", "namespace": "apps"}
    assert policy["provider"].startswith("urn:pulumi:dev::manifests::pulumi:providers:kubernetes::apps::")
    namespace = _urn("kubernetes:yaml/v2:ConfigFile$kubernetes:core/v1:Namespace", "v2-file:apps")
    assert namespace in resources
    assert resources[_urn(f"kubernetes:yaml/v2:ConfigFile${DEPLOYMENT}", "v2-file:apps/file-ok")][
        "dependencies"] == [namespace]
    assert not [urn for urn, r in resources.items() if r["parent"].endswith("::v2-unknown")]


def test_the_plan_is_byte_identical_from_one_run_to_the_next(planned):
    _, document, project = planned
    assert json.dumps(plan(project, "dev")) == json.dumps(document)


def test_review_judges_the_expanded_objects(planned):
    _, document, _ = planned
    result = review(resources_from_document(document, "plan"), None, "prod", ROOT)
    by_urn: dict[str, set[str]] = {}
    for violation in result.violations:
        by_urn.setdefault(violation.urn, set()).add(violation.policy)
    for type_, _, children in EXPECTED.values():
        for metadata_name, child in children.items():
            if not metadata_name.endswith("-ok"):
                continue
            ok = by_urn.get(_urn(f"{type_}${DEPLOYMENT}", child), set())
            bad = by_urn.get(_urn(f"{type_}${DEPLOYMENT}", children[metadata_name.replace("-ok", "-bad")]), set())
            assert not {p for p in ok if p.startswith("k8s-")}, (child, ok)
            assert bad - ok == {"k8s-no-host-network"}, (child, bad - ok)


DETAILS = textwrap.dedent('''
    import pulumi_kubernetes as k8s

    k8s.yaml.v2.ConfigGroup("secrets", skip_await=True, yaml="""
    apiVersion: v1
    kind: Secret
    metadata: {name: token}
    stringData: {token: s3cr3t}
    ---
    apiVersion: apiextensions.k8s.io/v1
    kind: CustomResourceDefinition
    metadata: {name: widgets.example.com}
    spec:
      group: example.com
      scope: Namespaced
      names: {kind: Widget, plural: widgets}
      versions: [{name: v1, served: true, storage: true}]
    ---
    apiVersion: example.com/v1
    kind: Widget
    metadata: {name: w}
    """)
    k8s.yaml.ConfigGroup("legacy", resource_prefix="old", yaml=["""
    apiVersion: v1
    kind: ConfigMap
    metadata: {name: c, namespace: apps}
    """])
''')


@pytest.fixture(scope="module")
def details(tmp_path_factory) -> dict:
    project = tmp_path_factory.mktemp("details")
    (project / "Pulumi.yaml").write_text("name: details\nruntime: python\n")
    (project / "Pulumi.dev.yaml").write_text("config:\n  kubernetes:namespace: team\n")
    (project / "__main__.py").write_text(DETAILS)
    return {r["urn"]: r for r in plan(project, "dev")["deployment"]["resources"]}


def _details_urn(type_chain: str, name: str) -> str:
    return f"urn:pulumi:dev::details::{type_chain}::{name}"


def test_a_secrets_data_is_secret_and_skip_await_annotates_every_object(details):
    secret = details[_details_urn("kubernetes:yaml/v2:ConfigGroup$kubernetes:core/v1:Secret", "secrets:team/token")]
    assert secret["inputs"]["stringData"] == {SECRET_KEY: SECRET, "plaintext": '{"token":"s3cr3t"}'}
    assert secret["outputs"]["stringData"]["plaintext"] == '{"token":"s3cr3t"}'
    assert secret["inputs"]["metadata"] == {"name": "token", "namespace": "team",
                                            "annotations": {"pulumi.com/skipAwait": "true"}}


def test_a_custom_resource_takes_its_scope_from_its_crd_and_waits_for_it(details):
    crd = _details_urn("kubernetes:yaml/v2:ConfigGroup$kubernetes:apiextensions.k8s.io/v1:CustomResourceDefinition",
                       "secrets:widgets.example.com")
    widget = details[_details_urn("kubernetes:yaml/v2:ConfigGroup$kubernetes:example.com/v1:Widget",
                                  "secrets:team/w")]
    assert widget["dependencies"] == [crd] and crd in details
    assert widget["inputs"]["metadata"]["namespace"] == "team"  # kubernetes:namespace, the provider's default


def test_v1_names_carry_the_resource_prefix_as_the_sdk_writes_it(details):
    group = _details_urn("kubernetes:yaml:ConfigGroup", "old-legacy")
    config_map = details[_details_urn("kubernetes:yaml:ConfigGroup$kubernetes:core/v1:ConfigMap", "old-apps/c")]
    assert config_map["parent"] == group


def test_a_manifest_the_provider_refuses_stops_the_plan_with_one_line(tmp_path):
    (tmp_path / "Pulumi.yaml").write_text("name: bad\nruntime: python\n")
    (tmp_path / "Pulumi.dev.yaml").write_text("config: {}\n")
    (tmp_path / "__main__.py").write_text(
        'import pulumi_kubernetes as k8s\nk8s.yaml.v2.ConfigFile("f", file="missing.yaml")\n')
    with pytest.raises(MlinfraError, match=r"^kubernetes:yaml/v2:ConfigFile f: reading YAML file from disk: open "
                                           r"missing.yaml: No such file or directory$"):
        plan(tmp_path, "dev")


# --- Kustomize directories (kustomize.Directory v1 and v2) -------------------------------------------------

KUSTOMIZE_PROGRAM = textwrap.dedent('''
    import pulumi_kubernetes as k8s

    k8s.kustomize.Directory("kz1", directory="overlays/prod")
    k8s.kustomize.v2.Directory("kz2", directory="overlays/prod")
    k8s.kustomize.v2.Directory("kz3", directory="base", namespace="team")
''')
BINDING = {"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "RoleBinding", "metadata": {"name": "reader"},
           "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": "reader"},
           "subjects": [{"kind": "ServiceAccount", "name": "default", "namespace": "other"},
                        {"kind": "ServiceAccount", "name": "web", "namespace": "other"}]}
CLUSTER_ROLE = {"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRole", "metadata": {"name": "reader"},
                "rules": [{"apiGroups": [""], "resources": ["pods"], "verbs": ["get"]}]}


def kustomization(folder: Path, **fields) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "kustomization.yaml").write_text(yaml.safe_dump({
        "apiVersion": "kustomize.config.k8s.io/v1beta1", "kind": "Kustomization", **fields}))


@pytest.fixture(scope="module")
def kustomized(tmp_path_factory) -> dict:
    project = tmp_path_factory.mktemp("kustomize")
    (project / "Pulumi.yaml").write_text("name: manifests\nruntime: python\n")
    (project / "Pulumi.dev.yaml").write_text("config: {}\n")
    (project / "__main__.py").write_text(KUSTOMIZE_PROGRAM)
    kustomization(project / "base", resources=["web.yaml", "rbac"])
    ok, bad = deployment("web-ok"), deployment("web-bad", hostNetwork=True)
    for obj in (ok, bad):
        del obj["metadata"]["namespace"]
    bad["metadata"]["namespace"] = "elsewhere"
    (project / "base" / "web.yaml").write_text(manifest(ok, bad))
    kustomization(project / "base" / "rbac", resources=["rbac.yaml"])
    (project / "base" / "rbac" / "rbac.yaml").write_text(manifest(BINDING, CLUSTER_ROLE))
    (project / "overlays" / "prod").mkdir(parents=True)
    (project / "overlays" / "prod" / "Kustomization").write_text(
        yaml.safe_dump({"namespace": "apps", "bases": ["../../base"]}))
    return {r["urn"]: r for r in plan(project, "dev")["deployment"]["resources"]}


@pytest.mark.parametrize("component, type_, names", [
    ("kz1", "kubernetes:kustomize:Directory", ("apps/web-ok", "apps/web-bad", "apps/reader", "reader")),
    ("kz2", "kubernetes:kustomize/v2:Directory", ("kz2:apps/web-ok", "kz2:apps/web-bad", "kz2:apps/reader",
                                                   "kz2:reader")),
])
def test_a_kustomize_directory_declares_what_kustomize_builds(kustomized, component, type_, names):
    """The overlay's namespace replaces every namespaced object's (kustomize's namespace filter), leaves the
    ClusterRole alone and moves the binding's subject named default only."""
    web_ok, web_bad, binding, role = (kustomized[_urn(f"{type_}${t}", n)] for t, n in zip(
        (DEPLOYMENT, DEPLOYMENT, "kubernetes:rbac.authorization.k8s.io/v1:RoleBinding",
         "kubernetes:rbac.authorization.k8s.io/v1:ClusterRole"), names))
    assert all(r["parent"] == _urn(type_, component) for r in (web_ok, web_bad, binding, role))
    assert web_ok["inputs"]["metadata"] == {"name": "web-ok", "namespace": "apps"}
    assert web_bad["inputs"]["metadata"]["namespace"] == "apps"
    assert web_bad["inputs"]["spec"]["template"]["spec"]["hostNetwork"] is True
    assert [s["namespace"] for s in binding["inputs"]["subjects"]] == ["apps", "other"]
    assert "namespace" not in role["inputs"]["metadata"]


def test_a_v2_directory_puts_objects_without_a_namespace_in_its_namespace_input(kustomized):
    type_ = "kubernetes:kustomize/v2:Directory"
    assert kustomized[_urn(f"{type_}${DEPLOYMENT}", "kz3:team/web-ok")]["inputs"]["metadata"]["namespace"] == "team"
    assert kustomized[_urn(f"{type_}${DEPLOYMENT}", "kz3:elsewhere/web-bad")]
    reported = {(v.urn.rsplit("::", 1)[-1], v.policy) for v in review(
        resources_from_document({"version": 3, "deployment": {"resources": list(kustomized.values())}}, "plan"),
        None, "prod",
        ROOT).violations}
    assert ("kz3:elsewhere/web-bad", "k8s-no-host-network") in reported
    assert ("kz3:team/web-ok", "k8s-no-host-network") not in reported


@pytest.mark.parametrize("fields, message", [
    ({"resources": ["a.yaml"], "helmCharts": [{"name": "c"}], "crds": ["x.json"], "commonLabels": {"a": "b"}},
     r"kustomization.yaml: crds, helmCharts: the offline plan builds kustomizations of resources, bases, "
     r"components, configMapGenerator, secretGenerator, generatorOptions, namespace, namePrefix, nameSuffix, patches, "
     r"patchesStrategicMerge, patchesJson6902, commonLabels, labels, commonAnnotations, replicas, images, "
     r"replacements, vars, configurations and sortOptions only"),
    ({"resources": ["a.yaml"], "sortOptions": {"order": "alphabetical"}}, r"sortOptions: order is legacy or fifo"),
    ({"resources": ["a.yaml"], "commonLabels": {"a": 1}}, r"commonLabels: a map of strings to strings"),
    ({"resources": ["a.yaml"], "labels": [{"pairs": {"a": "b"}, "selectors": True}]},
     r"labels: an entry has pairs, includeSelectors, includeTemplates and fields only"),
    ({"resources": ["a.yaml"], "labels": [{"pairs": {"a": "b"}, "fields": [{"path": "spec/x", "regex": "y"}]}]},
     r"labels: a field spec has create, group, kind, path, version, and a path"),
    ({"resources": ["a.yaml"], "images": [{"name": "web", "tagSuffix": "-x"}]}, r"images: an entry has name"),
    ({"resources": ["https://github.com/org/repo//deploy?ref=v1"]}, r"the offline plan reads local files only"),
    ({"resources": ["missing.yaml"]}, r"accumulating resources: '.*missing.yaml': no such file or directory"),
    ({"resources": "a.yaml"}, r"kustomization.yaml: resources: a list"),
    ({"resources": ["a.yaml"], "patches": {"path": "p.yaml"}}, r"kustomization.yaml: patches: a list"),
])
def test_a_kustomization_the_offline_plan_cannot_build_stops_it(tmp_path, monkeypatch, fields, message):
    kustomization(tmp_path / "k", **fields)
    (tmp_path / "k" / "a.yaml").write_text(manifest(CLUSTER_ROLE))
    monkeypatch.chdir(tmp_path)
    with pytest.raises(km.ManifestError, match=message):
        kb.kustomize_build("k")
    with pytest.raises(km.ManifestError, match=r"unable to find one of 'kustomization.yaml'"):
        kb.kustomize_build("nowhere")


@pytest.mark.parametrize("image, entry, built", [
    ("web", {"name": "web", "newTag": "1.2"}, "web:1.2"),
    ("web:1.0", {"name": "web", "newName": "123456789012.dkr.ecr.us-east-1.amazonaws.com/web"},
     "123456789012.dkr.ecr.us-east-1.amazonaws.com/web:1.0"),
    ("web:1.0@sha256:" + "a" * 64, {"name": "web", "newTag": "latest"}, "web:latest"),
    ("web:1.0", {"name": "web", "digest": "sha256:" + "b" * 64}, "web@sha256:" + "b" * 64),
    ("registry:5000/web", {"name": "registry:5000/web", "newTag": "2"}, "registry:5000/web:2"),
    ("webapp:1.0", {"name": "web", "newTag": "2"}, "webapp:1.0"),  # another image
])
def test_kustomize_images_rename_retag_or_pin_containers_and_init_containers(tmp_path, monkeypatch, image, entry,
                                                                              built):
    """api/filters/imagetag: LegacyFilter (containers and initContainers at any depth), imageTagUpdater."""
    pod = {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"},
           "spec": {"initContainers": [{"name": "i", "image": image}], "containers": [{"name": "c", "image": image}],
                    "ephemeralContainers": [{"name": "e", "image": image}]}}
    kustomization(tmp_path / "k", resources=["pod.yaml"], images=[entry])
    (tmp_path / "k" / "pod.yaml").write_text(manifest(pod))
    monkeypatch.chdir(tmp_path)
    [built_pod] = kb.kustomize_build("k")
    assert [c["image"] for c in built_pod["spec"]["initContainers"] + built_pod["spec"]["containers"]] == [built] * 2
    assert built_pod["spec"]["ephemeralContainers"][0]["image"] == image


DEPLOYMENT_OBJECT = {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web"},
                     "spec": {"selector": {"matchLabels": {"app": "web"}},
                              "template": {"metadata": {"labels": {"app": "web"}}, "spec": {"containers": [
                                  {"name": "web", "image": "web:1"}]}}}}
POLICY_OBJECT = {"apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy", "metadata": {"name": "web"},
                 "spec": {"podSelector": {"matchLabels": {"app": "web"}},
                          "ingress": [{"from": [{"podSelector": {"matchLabels": {"role": "lb"}}}, {"ipBlock": {
                              "cidr": "10.0.0.0/8"}}]}]}}
SERVICE_OBJECT = {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "web"}, "spec": {"ports": [{"port": 80}]}}


def _built(tmp_path, monkeypatch, **fields) -> dict:
    kustomization(tmp_path / "k", resources=["objects.yaml"], **fields)
    (tmp_path / "k" / "objects.yaml").write_text(manifest(DEPLOYMENT_OBJECT, POLICY_OBJECT, SERVICE_OBJECT))
    monkeypatch.chdir(tmp_path)
    return {obj["kind"]: obj for obj in kb.kustomize_build("k")}


def test_kustomize_common_labels_go_into_selectors_templates_and_network_policies(tmp_path, monkeypatch):
    """builtinpluginconsts/commonlabels.go: metadata, selectors (created on Deployments and Services),
    pod templates; a NetworkPolicy's pod selectors only where they exist (create: false)."""
    built = _built(tmp_path, monkeypatch, commonLabels={"team": "ml"})
    deployment, policy, service = built["Deployment"], built["NetworkPolicy"], built["Service"]
    assert deployment["metadata"]["labels"] == {"team": "ml"}
    assert deployment["spec"]["selector"]["matchLabels"] == {"app": "web", "team": "ml"}
    assert deployment["spec"]["template"]["metadata"]["labels"] == {"app": "web", "team": "ml"}
    assert policy["spec"]["podSelector"]["matchLabels"] == {"app": "web", "team": "ml"}
    assert policy["spec"]["ingress"][0]["from"][0]["podSelector"]["matchLabels"] == {"role": "lb", "team": "ml"}
    assert "podSelector" not in policy["spec"]["ingress"][0]["from"][1]
    assert service["spec"]["selector"] == {"team": "ml"}


@pytest.mark.parametrize("entry, template, selector", [
    ({"pairs": {"team": "ml"}}, False, False),
    ({"pairs": {"team": "ml"}, "includeTemplates": True}, True, False),
    ({"pairs": {"team": "ml"}, "includeSelectors": True}, True, True),
])
def test_kustomize_labels_reach_templates_and_selectors_only_when_asked(tmp_path, monkeypatch, entry, template,
                                                                        selector):
    deployment = _built(tmp_path, monkeypatch, labels=[entry])["Deployment"]
    assert deployment["metadata"]["labels"] == {"team": "ml"}
    assert ("team" in deployment["spec"]["template"]["metadata"]["labels"]) is template
    assert ("team" in deployment["spec"]["selector"]["matchLabels"]) is selector


def test_kustomize_common_annotations_reach_pod_templates(tmp_path, monkeypatch):
    # An AppArmor annotation on the pod template is what the Kubernetes rules read.
    annotation = {"container.apparmor.security.beta.kubernetes.io/web": "unconfined"}
    built = _built(tmp_path, monkeypatch, commonAnnotations=annotation)
    assert built["Deployment"]["spec"]["template"]["metadata"]["annotations"] == annotation
    assert built["NetworkPolicy"]["metadata"]["annotations"] == annotation
    assert "annotations" not in built["NetworkPolicy"]["spec"]["podSelector"]
