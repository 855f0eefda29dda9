"""Review reports: exact JSON shape, SARIF 2.1.0 structure for code scanning, the PR comment, the terminal."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest

from mlinfra.report import MARKDOWN_MARKER, as_sarif, render
from mlinfra.review import PackInfo, PolicyInfo, ReviewResult, Violation, exit_code

URN = "urn:pulumi:prod::mlinfra::mlinfra:storage:Store$aws:s3/bucket:Bucket::"

# The parts of the SARIF 2.1.0 schema (sarif-schema-2.1.0.json) that code scanning relies on:
# required properties, the level enum and the shapes of rules, results and locations.
_MESSAGE = {"type": "object", "required": ["text"], "properties": {"text": {"type": "string"}}}
SARIF_SUBSET = {
    "type": "object",
    "required": ["version", "runs"],
    "properties": {
        "version": {"const": "2.1.0"},
        "$schema": {"type": "string", "format": "uri"},
        "runs": {"type": "array", "items": {
            "type": "object",
            "required": ["tool"],
            "properties": {
                "tool": {"type": "object", "required": ["driver"], "properties": {"driver": {
                    "type": "object", "required": ["name"],
                    "properties": {
                        "name": {"type": "string"}, "version": {"type": "string"},
                        "rules": {"type": "array", "items": {
                            "type": "object", "required": ["id"],
                            "properties": {
                                "id": {"type": "string"}, "shortDescription": _MESSAGE, "fullDescription": _MESSAGE,
                                "help": _MESSAGE, "helpUri": {"type": "string"},
                                "defaultConfiguration": {"type": "object", "properties": {
                                    "level": {"enum": ["none", "note", "warning", "error"]},
                                    "enabled": {"type": "boolean"}}},
                                "properties": {"type": "object", "properties": {
                                    "tags": {"type": "array", "items": {"type": "string"}, "uniqueItems": True}}},
                            }}},
                    }}}},
                "results": {"type": "array", "items": {
                    "type": "object", "required": ["message"],
                    "properties": {
                        "ruleId": {"type": "string"}, "ruleIndex": {"type": "integer", "minimum": 0},
                        "level": {"enum": ["none", "note", "warning", "error"]},
                        "message": _MESSAGE,
                        "locations": {"type": "array", "items": {"type": "object", "properties": {
                            "logicalLocations": {"type": "array", "items": {
                                "type": "object", "properties": {"fullyQualifiedName": {"type": "string"},
                                                                 "name": {"type": "string"},
                                                                 "kind": {"type": "string"}}}},
                            "physicalLocation": {"type": "object", "required": ["artifactLocation"]},
                        }}},
                        "partialFingerprints": {"type": "object", "additionalProperties": {"type": "string"}},
                    }}},
            }}},
    },
}


def policy(name: str, **kwargs) -> PolicyInfo:
    defaults = dict(description=f"{name} description.", enforcement_level="advisory", policy_type="resource",
                    severity="high", config_schema={"properties": {}, "required": []})
    return PolicyInfo(name=name, **{**defaults, **kwargs})


@pytest.fixture
def result() -> ReviewResult:
    security = PackInfo(name="mlinfra-security", version="0.1.0", directory=Path("policies/security"),
                        description="Security rules.", policies=(
                            policy("bucket-encrypted", remediation_steps="Add a SecureBucket encryption key.",
                                   tags=("cis-aws", "pci-dss"), url="https://example.invalid/bucket-encrypted",
                                   framework={"name": "cis-aws", "version": "3.0.0"}),
                            policy("no-public-buckets", severity="critical", policy_type="stack"),
                            policy("tagged", severity="low"),
                        ))
    privacy = PackInfo(name="mlinfra-privacy", version="0.2.0", directory=Path("policies/privacy"),
                       policies=(policy("pii-retention", severity="medium"),))
    violations = [
        Violation("mlinfra-security", "bucket-encrypted", "mandatory", "high", URN + "data",
                  "bucket-encrypted description.\nBucket data | raw has no KMS key.", "bucket-encrypted description."),
        Violation("mlinfra-security", "no-public-buckets", "mandatory", "critical", URN + "logs",
                  "no-public-buckets description.\nlogs is public.", "no-public-buckets description."),
        Violation("mlinfra-privacy", "pii-retention", "advisory", "medium", URN + "data",
                  "pii-retention description.\nkeeps PII for 400 days.", "pii-retention description."),
    ]
    return ReviewResult(packs=[security, privacy], violations=violations, resources=42, env="prod",
                        enforcement={"mlinfra-security": {"bucket-encrypted": "mandatory",
                                                          "no-public-buckets": "mandatory", "tagged": "disabled"},
                                     "mlinfra-privacy": {"pii-retention": "advisory"}},
                        source="plans/prod.json")


def test_json_has_exactly_the_documented_keys(result):
    report = json.loads(render(result, "json"))
    assert list(report) == ["packs", "violations", "waived", "unusedWaivers", "summary"]
    assert report["waived"] == [] and report["unusedWaivers"] == []
    assert report["packs"] == [{"name": "mlinfra-security", "version": "0.1.0"},
                               {"name": "mlinfra-privacy", "version": "0.2.0"}]
    assert report["violations"][0] == {
        "pack": "mlinfra-security", "policy": "bucket-encrypted", "enforcementLevel": "mandatory", "severity": "high",
        "urn": URN + "data", "resourceType": "aws:s3/bucket:Bucket", "resourceName": "data",
        "message": "bucket-encrypted description.\nBucket data | raw has no KMS key.",
    }
    assert all(list(v) == list(report["violations"][0]) for v in report["violations"])
    assert report["summary"] == {"resources": 42, "mandatory": 2, "advisory": 1, "waived": 0}


def test_exit_code_follows_mandatory_violations(result):
    assert exit_code(result) == 1
    result.violations = [v for v in result.violations if not v.mandatory]
    assert exit_code(result) == 0


def test_sarif_is_one_run_per_pack_with_rules_and_located_results(result):
    sarif = json.loads(render(result, "sarif"))
    jsonschema.Draft7Validator(SARIF_SUBSET).validate(sarif)

    assert [run["tool"]["driver"]["name"] for run in sarif["runs"]] == ["mlinfra-security", "mlinfra-privacy"]
    security = sarif["runs"][0]
    rules = security["tool"]["driver"]["rules"]
    assert [r["id"] for r in rules] == ["bucket-encrypted", "no-public-buckets", "tagged"]
    encrypted = rules[0]
    assert encrypted["shortDescription"]["text"] == "bucket-encrypted description."
    assert encrypted["help"]["text"] == "Add a SecureBucket encryption key."
    assert encrypted["helpUri"] == "https://example.invalid/bucket-encrypted"
    assert encrypted["properties"]["tags"] == ["cis-aws", "mlinfra-security", "pci-dss", "policy"]
    assert encrypted["properties"]["security-severity"] == "8.0"
    assert encrypted["defaultConfiguration"] == {"level": "error", "enabled": True}
    assert rules[2]["defaultConfiguration"] == {"level": "none", "enabled": False}  # disabled by the config

    first = security["results"][0]
    assert first["ruleId"] == "bucket-encrypted"
    assert rules[first["ruleIndex"]]["id"] == first["ruleId"]
    assert first["level"] == "error"
    assert first["message"]["text"] == "Bucket data | raw has no KMS key. (aws:s3/bucket:Bucket data)"
    location = first["locations"][0]
    assert location["logicalLocations"] == [{"fullyQualifiedName": URN + "data", "name": "data", "kind": "resource"}]
    assert location["physicalLocation"]["artifactLocation"]["uri"] == "plans/prod.json"
    assert [r["level"] for r in sarif["runs"][1]["results"]] == ["warning"]
    fingerprints = {r["partialFingerprints"]["mlinfraPolicyViolation/v1"] for run in sarif["runs"]
                    for r in run["results"]}
    assert len(fingerprints) == 3


def test_sarif_without_violations_still_lists_the_rules(result):
    result.violations = []
    sarif = as_sarif(result)
    jsonschema.Draft7Validator(SARIF_SUBSET).validate(sarif)
    assert [len(run["results"]) for run in sarif["runs"]] == [0, 0]
    assert len(sarif["runs"][0]["tool"]["driver"]["rules"]) == 3


def test_markdown_comment_has_summary_tables_per_level_and_details(result):
    text = render(result, "markdown")
    lines = text.splitlines()
    assert lines[0] == MARKDOWN_MARKER
    assert lines[1] == "### ❌ Policy review: 2 mandatory, 1 advisory violations in 42 resources, env prod"
    mandatory = text.index("#### Mandatory (2)")
    advisory = text.index("#### Advisory (1)")
    assert mandatory < advisory
    row = ("| `mlinfra-security/bucket-encrypted` | high | `aws:s3/bucket:Bucket` `data` "
           "| Bucket data \\| raw has no KMS key. |")
    assert row in lines
    assert lines.index(row) > lines.index("| Policy | Severity | Resource | Message |")
    assert "<details><summary>Details of the 2 mandatory violations</summary>" in text
    assert "  Remediation: Add a SecureBucket encryption key." in lines
    assert text.count("</details>") == 2


def test_markdown_without_violations_says_so(result):
    result.violations = []
    text = render(result, "markdown")
    assert "### ✅ Policy review: 0 mandatory, 0 advisory violations in 42 resources, env prod" in text
    assert "No policy violations." in text and "| Policy |" not in text


def test_text_lists_each_violation_and_the_summary(result):
    text = render(result, "text")
    assert text.startswith("Policy review with mlinfra-security@0.1.0, mlinfra-privacy@0.2.0\n")
    assert "MANDATORY [critical] mlinfra-security/no-public-buckets\n    aws:s3/bucket:Bucket logs\n" in text
    assert text.endswith("2 mandatory, 1 advisory violations in 42 resources, env prod\n")


def test_unknown_format_is_refused(result):
    with pytest.raises(ValueError, match="unknown format 'html'"):
        render(result, "html")
