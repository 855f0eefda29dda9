"""The packs as a whole: rule metadata, pack membership, per-environment config, and each pack served
over the analyzer gRPC protocol by its own process, as the Pulumi CLI starts it."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import grpc
import pytest
import yaml
from google.protobuf import empty_pb2, struct_pb2
from pulumi.runtime.proto import analyzer_pb2, analyzer_pb2_grpc
from pulumi_policy import PolicyComplianceFramework, Severity

from policies.rules import PACKS, collect, rule_modules
from policies.rules._declare import ANY_TYPE, declared_types, FRAMEWORKS

ROOT = Path(__file__).resolve().parents[1]
POLICIES = ROOT / "policies"
KEBAB = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
ALL_RULES = [(pack, policy) for pack in PACKS for policy in collect(pack)]


def test_every_rule_is_in_exactly_one_pack_with_a_unique_kebab_case_name():
    names = [policy.name for _, policy in ALL_RULES]
    assert len(names) == len(set(names))
    assert all(KEBAB.match(name) for name in names), [n for n in names if not KEBAB.match(n)]


def test_foundation_rules_are_in_their_packs():
    packs = {pack: {policy.name for policy in collect(pack)} for pack in PACKS}
    assert {"s3-bucket-encryption-cmk", "s3-bucket-public-access-block", "s3-bucket-tls-only", "kms-key-rotation",
            "kms-key-policy-no-public-principal", "security-group-no-public-admin-ingress",
            "vpc-default-security-group-closed", "log-group-kms-encryption", "iam-no-full-admin-policy",
            "iam-no-administrator-access", "iam-trust-policy-no-wildcard-principal"} <= packs["security"]
    assert {"s3-bucket-policy-no-public-principal", "s3-bucket-acl-not-public", "data-store-classification"} <= packs["privacy"]
    assert {"required-tags", "allowed-regions", "log-group-retention", "vpc-flow-logs", "s3-bucket-versioning",
            "s3-bucket-access-logging"} <= packs["compliance"]


@pytest.mark.parametrize("pack, policy", ALL_RULES, ids=[policy.name for _, policy in ALL_RULES])
def test_rule_metadata_is_complete(pack, policy):
    assert policy.description and policy.remediation_steps
    assert isinstance(policy.severity, Severity)
    assert isinstance(policy.framework, PolicyComplianceFramework) and policy.framework.name
    assert policy.tags and set(policy.tags) <= set(FRAMEWORKS), policy.tags
    for key, spec in (policy.config_schema.properties if policy.config_schema else {}).items():
        assert "default" in spec, f"{policy.name}: config property {key!r} has no default"
    # The review reports the types no rule examined from these declarations (applies_to/examines).
    declared = declared_types(policy)
    assert declared == ANY_TYPE or callable(declared) or (declared and all(
        isinstance(t, str) and t.count(":") == 2 for t in declared)), f"{policy.name} declares no resource types"


def test_collect_rejects_an_unknown_pack():
    with pytest.raises(ValueError, match="unknown policy pack 'cost'"):
        collect("cost")


def test_rule_modules_skip_helpers():
    modules = rule_modules()
    assert "policies.rules.s3" in modules and not any(m.rsplit(".", 1)[-1].startswith("_") for m in modules)


@pytest.mark.parametrize("env, levels", [
    ("dev", {"security": "advisory", "privacy": "advisory", "compliance": "advisory"}),
    ("staging", {"security": "mandatory", "privacy": "advisory", "compliance": "advisory"}),
    ("prod", {"security": "mandatory", "privacy": "mandatory", "compliance": "mandatory"}),
])
def test_environment_config_levels_and_known_policies(env, levels):
    for pack, level in levels.items():
        config = json.loads((POLICIES / "config" / env / f"{pack}.json").read_text())
        assert config["all"] == level
        names = {policy.name for policy in collect(pack)}
        for key, value in config.items():
            if key == "all":
                continue
            assert key in names, f"{env}/{pack}.json configures {key!r}, not a rule of the {pack} pack"
            schema = next(p for p in collect(pack) if p.name == key).config_schema
            # A rule without a config schema may still be given an enforcement level.
            assert set(value) - {"enforcementLevel"} <= set(schema.properties if schema else ()), value


def test_retention_minimum_grows_with_the_environment():
    minimums = [json.loads((POLICIES / "config" / env / "compliance.json").read_text())["log-group-retention"]
                ["minRetentionDays"] for env in ("dev", "staging", "prod")]
    assert minimums == [30, 90, 365]


@pytest.mark.parametrize("env", ["dev", "staging", "prod"])
def test_compliance_pack_allows_the_regions_the_stack_allows(env):
    # Without this the pack falls back to its five default regions, wider than the stack's own list.
    stack = yaml.safe_load((ROOT / "stacks" / f"Pulumi.{env}.yaml").read_text())["config"]
    config = json.loads((POLICIES / "config" / env / "compliance.json").read_text())
    assert config["allowed-regions"]["allowedRegions"] == stack["mlinfra:allowedRegions"]
    assert stack["aws:region"] in stack["mlinfra:allowedRegions"]


def test_pack_project_files_point_at_the_repository_virtualenv():
    for pack in PACKS:
        folder = POLICIES / pack
        project = yaml.safe_load((folder / "PulumiPolicy.yaml").read_text())
        assert project["runtime"] == {"name": "python", "options": {"virtualenv": "../../.venv"}}
        assert project["version"] and project["description"]
        assert (folder / "../../.venv/bin/python").resolve().exists()
        requirements = (folder / "requirements.txt").read_text().split()
        assert "../.." in requirements and any(r.startswith("pulumi-policy") for r in requirements)
        assert (folder / "../../pyproject.toml").resolve().exists()


@pytest.fixture(scope="module")
def pack_servers():
    """Each pack started as the CLI's analyzer shim starts it: its own process, from its own folder."""
    processes = {}
    try:
        for pack in PACKS:
            folder = POLICIES / pack
            processes[pack] = subprocess.Popen([sys.executable, "-u", str(folder / "__main__.py")], cwd=folder,
                                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        ports = {}
        for pack, process in processes.items():
            line = process.stdout.readline().strip()
            assert line.isdigit(), f"{pack}: expected a port, got {line!r}; stderr: {process.stderr.read()}"
            ports[pack] = int(line)
        yield ports
    finally:
        for process in processes.values():
            process.kill()
            process.wait(timeout=10)


@pytest.mark.parametrize("pack", list(PACKS))
def test_pack_serves_its_rules_over_grpc(pack, pack_servers):
    with grpc.insecure_channel(f"127.0.0.1:{pack_servers[pack]}") as channel:
        info = analyzer_pb2_grpc.AnalyzerStub(channel).GetAnalyzerInfo(empty_pb2.Empty(), timeout=30)
    assert info.name == f"mlinfra-{pack}"
    assert [policy.name for policy in info.policies] == [policy.name for policy in collect(pack)]
    assert {policy.enforcementLevel for policy in info.policies} == {analyzer_pb2.ADVISORY}
    assert all(policy.remediation_steps and policy.framework.name for policy in info.policies)


def test_security_pack_reports_a_mandatory_violation_once_configured(pack_servers):
    with grpc.insecure_channel(f"127.0.0.1:{pack_servers['security']}") as channel:
        stub = analyzer_pb2_grpc.AnalyzerStub(channel)
        stub.Configure(analyzer_pb2.ConfigureAnalyzerRequest(policyConfig={
            "kms-key-rotation": analyzer_pb2.PolicyConfig(enforcementLevel=analyzer_pb2.MANDATORY)}), timeout=30)
        properties = struct_pb2.Struct()
        properties.update({"enableKeyRotation": False, "policy": ""})
        response = stub.Analyze(analyzer_pb2.AnalyzeRequest(
            type="aws:kms/key:Key", name="key", urn="urn:pulumi:prod::mlinfra::aws:kms/key:Key::key",
            properties=properties), timeout=30)
    rotation = [d for d in response.diagnostics if d.policyName == "kms-key-rotation"]
    assert len(rotation) == 1 and rotation[0].enforcementLevel == analyzer_pb2.MANDATORY
    assert "enableKeyRotation is not true" in rotation[0].message


FOUNDATION_MODULES = ("s3", "kms", "network", "logs", "iam", "tags", "regions", "kubernetes", "sagemaker", "notebooks")


def test_docs_describe_every_foundation_rule_and_its_config():
    import importlib

    docs = (ROOT / "docs" / "policies.md").read_text()
    for name in FOUNDATION_MODULES:
        module = importlib.import_module(f"policies.rules.{name}")
        for policy in module.SECURITY + module.PRIVACY + module.COMPLIANCE:
            assert f"`{policy.name}`" in docs, policy.name
            for key in (policy.config_schema.properties if policy.config_schema else {}):
                assert f"`{key}`" in docs, f"{policy.name}: {key}"
