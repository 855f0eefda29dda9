"""What was not reviewed: the types no rule examined, derived from the rules' declarations, and how
every report format shows them."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from mlinfra.coverage import Coverage, coverage, declarations
from mlinfra.report import as_dict, as_sarif, render_markdown, render_text
from mlinfra.review import PackInfo, PolicyInfo, Resource, ReviewResult, resources_from_document, review
from policies.rules import PACKS, collect
from policies.rules._declare import ANY_TYPE

ROOT = Path(__file__).resolve().parent.parent
KEY, EIP, RELEASE = "aws:kms/key:Key", "aws:ec2/eip:Eip", "kubernetes:helm.sh/v3:Release"


def resource(type_: str, name: str, custom: bool = True) -> Resource:
    return Resource(urn=f"urn:pulumi:dev::p::{type_}::{name}", type=type_, custom=custom, inputs={}, outputs={})


def policy(name: str, level: str = "advisory") -> PolicyInfo:
    return PolicyInfo(name=name, description=name, enforcement_level=level, policy_type="resource", severity="low",
                      config_schema={})


def pack(name: str, *policies: str) -> PackInfo:
    return PackInfo(name=name, version="1", directory=Path("."), policies=tuple(policy(p) for p in policies))


RESOURCES = [resource("pulumi:pulumi:Stack", "p-dev", custom=False), resource("pulumi:providers:aws", "default"),
             resource("mlinfra:storage:SecureBucket", "data", custom=False), resource(KEY, "a"), resource(KEY, "b"),
             resource(EIP, "nat"), resource(RELEASE, "kueue"), resource(RELEASE, "karpenter")]
DECLARED = {"ours": {"kms": [KEY], "pods": lambda t: t.startswith("kubernetes:apps"), "tags": ANY_TYPE}}


def test_types_no_enabled_rule_declares_are_counted_and_the_rest_are_not():
    found = coverage(RESOURCES, [pack("ours", "kms", "pods", "tags")], {}, DECLARED)
    assert found.not_examined == {EIP: 1, RELEASE: 2}  # no stack, provider or component; tags do not count
    assert found.resources == 3 and found.undeclared_packs == () and found.cross_cutting == ("tags",)


def test_a_disabled_rule_examines_nothing_and_an_unknown_pack_is_named():
    found = coverage(RESOURCES, [pack("ours", "kms"), pack("theirs", "x")], {"ours": {"kms": "disabled"}}, DECLARED)
    assert found.not_examined == {KEY: 2, EIP: 1, RELEASE: 2}
    assert found.undeclared_packs == ("theirs",)


def test_every_rule_of_the_repository_packs_is_declared():
    declared = declarations()
    assert set(declared) == {f"mlinfra-{name}" for name in PACKS}
    for name in PACKS:
        assert set(declared[f"mlinfra-{name}"]) == {p.name for p in collect(name)}
        assert all(types is not None for types in declared[f"mlinfra-{name}"].values())


def test_pack_names_follow_the_convention_the_declarations_use():
    for name in PACKS:
        assert f'name="mlinfra-{name}"' in (ROOT / "policies" / name / "__main__.py").read_text()


def test_the_repository_rules_leave_opaque_and_unjudged_types_out():
    packs = [pack(name, *(p.name for p in collect(name.removeprefix("mlinfra-"))))
             for name in (f"mlinfra-{n}" for n in PACKS)]
    found = coverage(RESOURCES + [resource("kubernetes:apps/v1:Deployment", "web"),
                                  resource("kubernetes:scheduling.k8s.io/v1:PriorityClass", "ml")], packs, {})
    assert found.not_examined == {EIP: 1, RELEASE: 2, "kubernetes:scheduling.k8s.io/v1:PriorityClass": 1}
    assert {"required-tags", "allowed-regions"} <= set(found.cross_cutting)


RESULT = ReviewResult(packs=[pack("mlinfra-security", "kms-key-rotation")], violations=[], resources=8, env="dev",
                      coverage=Coverage({EIP: 1, RELEASE: 2}, ("other-pack",), ("required-tags",)))


def test_text_report_lists_the_types_with_counts():
    text = render_text(RESULT)
    assert "Not examined by any rule: 2 resource types (3 resources); tags and regions rules still apply:" in text
    assert f"    {EIP}{' ' * (len(RELEASE) - len(EIP))}  1" in text and f"    {RELEASE}  2" in text
    assert "Packs other-pack declare" not in text and "Pack other-pack declare no resource types" in text


def test_json_report_has_the_coverage_and_its_count():
    report = as_dict(RESULT)
    assert report["coverage"] == {"notExamined": [{"type": EIP, "resources": 1}, {"type": RELEASE, "resources": 2}],
                                  "undeclaredPacks": ["other-pack"], "crossCuttingRules": ["required-tags"]}
    assert report["summary"]["notExamined"] == 3


def test_sarif_report_carries_it_in_a_property_bag_and_a_notification():
    log = as_sarif(RESULT)
    assert log["properties"]["mlinfra"]["notExamined"][1] == {"type": RELEASE, "resources": 2}
    [note] = log["runs"][0]["invocations"][0]["toolExecutionNotifications"]
    assert note["level"] == "note" and f"{RELEASE} (2)" in note["message"]["text"]
    json.dumps(log)


def test_markdown_report_has_a_collapsible_table():
    markdown = render_markdown(RESULT)
    assert "<details><summary>Not examined by any rule: 2 resource types (3 resources)</summary>" in markdown
    assert f"| `{RELEASE}` | 2 |" in markdown


def test_nothing_is_said_when_everything_was_examined():
    quiet = ReviewResult(packs=[], violations=[], resources=1, coverage=Coverage())
    assert "Not examined" not in render_text(quiet) and "Not examined" not in render_markdown(quiet)
    assert "toolExecutionNotifications" not in json.dumps(as_sarif(quiet))


@pytest.mark.parametrize("kind", ["json"])
def test_a_real_review_reports_what_no_rule_examined(kind):
    import foreign

    document = foreign.deployment(True)
    document["deployment"]["resources"].append({
        "urn": f"{foreign.PREFIX}kubernetes:helm.sh/v3:Release::ingress", "type": RELEASE, "custom": True,
        "id": "ingress", "inputs": {"chart": "ingress-nginx"}, "outputs": {}, "parent": foreign.ROOT})
    result = review(resources_from_document(document, "foreign"), None, "prod", ROOT)
    assert result.coverage.not_examined.get(RELEASE) == 1
    examined = {r["type"] for r in document["deployment"]["resources"]} - set(result.coverage.not_examined)
    assert {"aws:rds/instance:Instance", "kubernetes:ray.io/v1:RayCluster",
            "aws:sagemaker/trainingJob:TrainingJob"} <= examined
    assert as_dict(result)["summary"]["notExamined"] == result.coverage.resources
