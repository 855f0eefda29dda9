"""The offline review end to end: real policy pack processes over the analyzer gRPC protocol."""

from __future__ import annotations

import copy
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from mlinfra import cli
from mlinfra.errors import MlinfraError
from mlinfra.review import (
    SECRET_SIG,
    SIG_KEY,
    UNKNOWN,
    effective_config,
    resources_from_document,
    wire_value,
)
from mlinfra.review.command import run_review

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).parent / "fixtures" / "review"
PACK = FIXTURES / "testpack"
DEPLOYMENT = json.loads((FIXTURES / "deployment.json").read_text())
URN = "urn:pulumi:dev::mlinfra::"
SCRATCH = f"{URN}aws:ebs/volume:Volume::scratch"
APP_LOGS = f"{URN}aws:cloudwatch/logGroup:LogGroup::app-logs"
LOGS_BUCKET = f"{URN}aws:s3/bucket:Bucket::logs-bucket"
LOCKED_DB = f"{URN}aws:rds/instance:Instance::db-encrypted-state"


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A project with the test pack as each default pack (renamed per folder) and dev/prod configs (``{}``)."""
    (tmp_path / "Pulumi.yaml").write_text("name: mlinfra\nruntime: python\n")
    source = (PACK / "__main__.py").read_text()
    for folder in ("security", "privacy", "compliance"):
        pack = tmp_path / "policies" / folder
        pack.mkdir(parents=True)
        shutil.copy(PACK / "PulumiPolicy.yaml", pack)
        (pack / "__main__.py").write_text(source.replace('"review-test-pack"', f'"test-{folder}"'))
    for env in ("dev", "prod"):
        (tmp_path / "policies" / "config" / env).mkdir(parents=True)
        for folder in ("security", "privacy", "compliance", "testpack"):  # every pack needs its file: {} = defaults
            (tmp_path / "policies" / "config" / env / f"{folder}.json").write_text("{}\n")
    return tmp_path


def write(path: Path, document: object) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(document if isinstance(document, str) else json.dumps(document))
    return path


def review_json(project: Path, capsys, *, deployment: Path | None = None, env: str | None = "dev",
                packs: tuple[Path, ...] | None = (PACK,), **kwargs) -> tuple[int, dict]:
    """Review (the fixture deployment with the test pack by default) as JSON; returns exit code and report."""
    code = run_review(project_dir=project, env=env, deployment=deployment or FIXTURES / "deployment.json",
                      packs=None if packs is None else list(packs), fmt="json", output=None, **kwargs)
    return code, json.loads(capsys.readouterr().out)


def found(report: dict) -> set[tuple[str, str, str]]:
    return {(v["policy"], v["urn"], v["enforcementLevel"]) for v in report["violations"]}


def pack_processes_in(directory: Path) -> list[int]:
    """Pids of live processes whose working directory lies under ``directory``."""
    pids = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if Path(os.readlink(entry / "cwd")).is_relative_to(directory.resolve()):
                    pids.append(int(entry.name))
            except OSError:
                continue
    return pids


# ------------------------------------------------------------------------------------ end to end

def test_review_finds_resource_and_stack_violations_through_the_pack_process(project, capsys):
    code, report = review_json(project, capsys)

    assert code == 1
    assert found(report) == {
        ("encrypted-volumes", SCRATCH, "mandatory"),
        ("log-retention", APP_LOGS, "advisory"),
        ("allowed-regions", APP_LOGS, "advisory"),  # the log group's provider is the eu-west-1 one
        ("buckets-blocked", LOGS_BUCKET, "advisory"),  # data-bucket's block depends on it; logs-bucket has none
        ("db-password-length", LOCKED_DB, "advisory"),
    }
    assert report["packs"] == [{"name": "review-test-pack", "version": "1.2.3"}]  # PulumiPolicy.yaml's version
    # The test pack is not one of ours, so it declares no types: all 8 cloud resources count as not examined.
    assert report["summary"] == {"resources": 12, "mandatory": 1, "advisory": 4, "waived": 0, "notExamined": 8}
    assert report["coverage"]["undeclaredPacks"] == ["review-test-pack"]
    scratch = next(v for v in report["violations"] if v["policy"] == "encrypted-volumes")
    assert scratch == {
        "pack": "review-test-pack", "policy": "encrypted-volumes", "enforcementLevel": "mandatory",
        "severity": "high", "urn": SCRATCH, "resourceType": "aws:ebs/volume:Volume", "resourceName": "scratch",
        "message": "EBS volumes must be encrypted.\nEBS volume is not encrypted.",
    }
    assert pack_processes_in(PACK) == []


def test_numeric_schema_default_arrives_as_a_float_and_is_honoured(project, capsys):
    _, report = review_json(project, capsys)
    retention = next(v for v in report["violations"] if v["policy"] == "log-retention")
    assert "below the minimum of 30 (config type float)" in retention["message"]

    write(project / "policies/config/dev/testpack.json", {"log-retention": {"minimumDays": 14}})
    _, report = review_json(project, capsys)
    assert "log-retention" not in {v["policy"] for v in report["violations"]}


def test_pack_configuration_sets_levels_and_properties(project, capsys):
    write(project / "policies/config/prod/testpack.json", {
        "encrypted-volumes": "advisory",
        "log-retention": {"enforcementLevel": "mandatory", "minimumDays": 7},
        "allowed-regions": {"regions": ["us-east-1", "eu-west-1"]},
        "buckets-blocked": "disabled",
    })
    code, report = review_json(project, capsys, env="prod")

    assert found(report) == {
        ("encrypted-volumes", SCRATCH, "advisory"),
        ("db-password-length", LOCKED_DB, "advisory"),
    }
    assert code == 0  # advisory violations only


def test_all_sets_every_level_and_policies_override_it(project, capsys):
    write(project / "policies/config/dev/testpack.json", {"all": "mandatory"})
    code, report = review_json(project, capsys)
    assert code == 1
    # The SDK always reports a rule that met an unknown value as advisory, whatever its level.
    assert {(v["policy"], v["enforcementLevel"]) for v in report["violations"]} == {
        ("encrypted-volumes", "mandatory"), ("log-retention", "mandatory"), ("allowed-regions", "mandatory"),
        ("buckets-blocked", "mandatory"), ("db-password-length", "advisory")}

    write(project / "policies/config/dev/testpack.json",
          {"all": {"enforcementLevel": "disabled"}, "log-retention": "advisory"})
    code, report = review_json(project, capsys)
    assert code == 0
    assert found(report) == {("log-retention", APP_LOGS, "advisory")}


def test_default_packs_run_in_parallel_with_the_env_from_the_urns(project, capsys):
    write(project / "policies/config/dev/privacy.json", {"encrypted-volumes": "disabled"})
    code, report = review_json(project, capsys, env=None, packs=None)

    assert [p["name"] for p in report["packs"]] == ["test-security", "test-privacy", "test-compliance"]
    mandatory = {v["pack"] for v in report["violations"] if v["policy"] == "encrypted-volumes"}
    assert mandatory == {"test-security", "test-compliance"}
    assert code == 1
    assert pack_processes_in(project) == []


def test_preview_json_is_detected_and_deleted_resources_are_skipped(project, capsys, tmp_path):
    steps = [{"op": "same" if r.get("custom") is False else "create", "urn": r["urn"], "newState": r}
             for r in DEPLOYMENT["deployment"]["resources"]]
    old_volume = {"urn": f"{URN}aws:ebs/volume:Volume::old", "type": "aws:ebs/volume:Volume", "custom": True,
                  "inputs": {"encrypted": False}}
    steps.append({"op": "delete", "urn": old_volume["urn"], "oldState": old_volume})
    preview = write(tmp_path / "preview.json", {"steps": steps, "changeSummary": {"create": 9, "delete": 1}})

    code, report = review_json(project, capsys, deployment=preview)

    assert code == 1
    assert ("encrypted-volumes", SCRATCH, "mandatory") in found(report)
    assert old_volume["urn"] not in {v["urn"] for v in report["violations"]}
    assert report["summary"]["resources"] == 12


def test_secrets_reach_rules_decrypted_and_undecryptable_ones_as_unknowns(project, capsys, tmp_path):
    document = copy.deepcopy(DEPLOYMENT)
    db = next(r for r in document["deployment"]["resources"] if r["urn"].endswith("::db"))
    db["inputs"]["password"]["plaintext"] = json.dumps("short")
    code, report = review_json(project, capsys, deployment=write(tmp_path / "d.json", document))

    by_urn = {v["urn"]: v["message"] for v in report["violations"] if v["policy"] == "db-password-length"}
    assert by_urn[f"{URN}aws:rds/instance:Instance::db"].endswith("shorter than 16 characters.")
    assert "string value at .password can't be known during preview" in by_urn[LOCKED_DB]


def test_wire_values_follow_the_engine_marshalling():
    secret = {SIG_KEY: SECRET_SIG, "plaintext": json.dumps({"user": "a", "n": 3})}
    assert wire_value({"p": secret}) == {"p": {SIG_KEY: SECRET_SIG, "value": {"user": "a", "n": 3}}}
    assert wire_value({SIG_KEY: SECRET_SIG, "ciphertext": "v1:xx"}) == {SIG_KEY: SECRET_SIG, "value": UNKNOWN}
    reference = {SIG_KEY: "5cf8f73096256a8f31e491e813e4eb8e", "urn": "urn:x", "id": "i-123"}
    assert wire_value([reference]) == ["i-123"]
    unknown_output = {SIG_KEY: "d0e6a833031e9bbcd3f4e8bde6ca49a4", "dependencies": []}
    assert wire_value(unknown_output) == UNKNOWN


def test_report_is_written_to_output_and_markdown_has_a_table(project, tmp_path, capsys):
    out = tmp_path / "reports" / "review.md"
    out.parent.mkdir()
    code = run_review(project_dir=project, env="dev", deployment=FIXTURES / "deployment.json", packs=[PACK],
                      fmt="markdown", output=out)
    assert code == 1
    assert capsys.readouterr().out == ""
    text = out.read_text()
    assert "| `review-test-pack/encrypted-volumes` | high | `aws:ebs/volume:Volume` `scratch` |" in text


def test_planning_first_when_given_an_environment(project, capsys, monkeypatch):
    calls = []

    def fake_plan(project_dir: Path, env: str, out=None) -> dict:
        calls.append((project_dir, env))
        return copy.deepcopy(DEPLOYMENT)

    monkeypatch.setattr("mlinfra.plan.plan", fake_plan)
    code = run_review(project_dir=project, env="dev", deployment=None, packs=[PACK], fmt="json", output=None)
    assert calls == [(project, "dev")]
    assert code == 1
    assert json.loads(capsys.readouterr().out)["summary"]["mandatory"] == 1


def test_env_option_chooses_the_configuration_for_the_planned_environment(project, capsys, monkeypatch):
    # `mlinfra review dev --env prod`: plan dev, review it with prod's pack configuration.
    calls = []

    def fake_plan(project_dir: Path, env: str, out=None) -> dict:
        calls.append(env)
        return copy.deepcopy(DEPLOYMENT)

    monkeypatch.setattr("mlinfra.plan.plan", fake_plan)
    write(project / "policies/config/prod/testpack.json", {"encrypted-volumes": "advisory"})
    monkeypatch.chdir(project)
    assert cli.main(["review", "dev", "--env", "prod", "--policy-pack", str(PACK), "--format", "json"]) == 0
    assert calls == ["dev"]
    report = json.loads(capsys.readouterr().out)
    assert ("encrypted-volumes", SCRATCH, "advisory") in found(report)
    assert report["summary"]["mandatory"] == 0


def test_cli_reports_exit_codes_and_one_line_errors(project, capsys, monkeypatch):
    monkeypatch.chdir(project)
    assert cli.main(["review", "--deployment", str(FIXTURES / "deployment.json"), "--policy-pack", str(PACK),
                     "--format", "json"]) == 1
    capsys.readouterr()
    assert cli.main(["review", "--deployment", "missing.json"]) == 2
    err = capsys.readouterr().err
    assert err == "mlinfra: error: missing.json: no such file\n"


# ------------------------------------------------------------------------------------ bad input

def bad(project: Path, **kwargs) -> str:
    arguments = {"project_dir": project, "env": "dev", "deployment": FIXTURES / "deployment.json",
                 "packs": [PACK], "fmt": "json", "output": None, **kwargs}
    with pytest.raises(MlinfraError) as error:
        run_review(**arguments)
    assert error.value.exit_code == 2
    return str(error.value)


def test_missing_malformed_and_foreign_files_are_bad_input(project, tmp_path):
    assert bad(project, deployment=tmp_path / "nope.json") == f"{tmp_path / 'nope.json'}: no such file"
    broken = write(tmp_path / "broken.json", '{"version": 3,')
    assert "broken.json: not valid JSON: Expecting property name enclosed in double quotes at line 1" in bad(
        project, deployment=broken)
    other = write(tmp_path / "other.json", {"name": "not a deployment"})
    assert bad(project, deployment=other).endswith(
        "other.json: not a deployment: expected a `pulumi stack export` (version 3) "
        "or `pulumi preview --json` document")
    v2 = write(tmp_path / "v2.json", {"version": 2, "deployment": {"resources": []}})
    assert "stack export version 2 is not supported (expected 3)" in bad(project, deployment=v2)
    no_type = write(tmp_path / "notype.json",
                    {"version": 3, "deployment": {"resources": [{"urn": "urn:pulumi:a::b::c::d"}]}})
    assert bad(project, deployment=no_type).endswith("deployment.resources[0] (urn:pulumi:a::b::c::d) has no type")


@pytest.mark.parametrize("state, problem", [
    ({"urn": 5, "type": "t"}, "(5) urn must be a non-empty string"),
    ({"urn": "urn:pulumi:a::b::c::d", "type": ["t"]}, "(urn:pulumi:a::b::c::d) type must be a non-empty string"),
    ({"urn": "urn:pulumi:a::b::c::d", "type": "t", "customTimeouts": ["5m"]},
     "(urn:pulumi:a::b::c::d) customTimeouts must be an object"),
    ({"urn": "urn:pulumi:a::b::c::d", "type": "t", "parent": True}, "(urn:pulumi:a::b::c::d) parent must be a string"),
    ({"urn": "urn:pulumi:a::b::c::d", "type": "t", "provider": {"urn": "x"}},
     "(urn:pulumi:a::b::c::d) provider must be a string"),
    ({"urn": "urn:pulumi:a::b::c::d", "type": "t", "dependencies": "urn:x"},
     "(urn:pulumi:a::b::c::d) dependencies must be a list of strings"),
])
def test_malformed_resource_fields_are_named(state, problem):
    doc = {"version": 3, "deployment": {"resources": [state]}}
    with pytest.raises(MlinfraError) as error:
        resources_from_document(doc, "d.json")
    assert str(error.value) == f"d.json: deployment.resources[0] {problem}"


@pytest.mark.parametrize("step, problem", [
    ("create", "steps[0] is not an object"),
    ({"op": ["create"], "newState": {}}, "steps[0].op must be a string"),
    ({"op": "create", "urn": "urn:pulumi:a::b::c::x", "newState": "oops"}, "steps[0].newState must be an object"),
    ({"op": "create", "newState": {"type": "c"}}, "steps[0] has no urn"),
])
def test_malformed_preview_steps_are_named(step, problem):
    with pytest.raises(MlinfraError) as error:
        resources_from_document({"steps": [step]}, "p.json")
    assert str(error.value) == f"p.json: {problem}"


def test_preview_steps_that_remove_or_hold_no_new_state_are_left_out():
    doc = {"steps": [{"op": "delete", "urn": "urn:pulumi:a::b::c::x", "oldState": {"urn": "urn:pulumi:a::b::c::x"}},
                     {"op": "same", "urn": "urn:pulumi:a::b::c::z"},
                     {"op": "create", "urn": "urn:pulumi:a::b::c::y", "newState": {"type": "c"}}]}
    assert [r.urn for r in resources_from_document(doc, "p.json")] == ["urn:pulumi:a::b::c::y"]


def test_resources_read_with_get_are_not_handed_to_the_packs():
    # The engine analyzes what the program registers (step_generator.go: Analyze in generateSteps, not in
    # GenerateReadSteps; step_executor.go keeps only resources with a goal for AnalyzeStack): a bucket the
    # program only reads is not its own to tag, protect or encrypt.
    read = {"urn": "urn:pulumi:a::b::aws:s3/bucket:Bucket::legacy", "type": "aws:s3/bucket:Bucket", "custom": True,
            "id": "legacy", "external": True, "inputs": {}, "outputs": {"id": "legacy"}}
    own = {"urn": "urn:pulumi:a::b::aws:s3/bucket:Bucket::new", "type": "aws:s3/bucket:Bucket", "custom": True,
           "id": "new", "inputs": {}, "outputs": {}}
    export = {"version": 3, "deployment": {"resources": [read, own]}}
    assert [r.urn for r in resources_from_document(export, "e.json")] == [own["urn"]]
    preview = {"steps": [{"op": "read", "urn": read["urn"], "newState": read},
                         {"op": "create", "urn": own["urn"], "newState": own}]}
    assert [r.urn for r in resources_from_document(preview, "p.json")] == [own["urn"]]


def test_unknown_env_lists_the_known_ones(project):
    assert bad(project, env="qa", packs=None) == (
        f"unknown environment 'qa': no {project / 'policies/config/qa'} (known: dev, prod)")


def test_a_stack_that_names_no_environment_asks_for_env(project, tmp_path):
    # A deployment of another team's stack ("mystack"), reviewed without --env: the message says how to choose.
    text = (FIXTURES / "deployment.json").read_text().replace("urn:pulumi:dev::", "urn:pulumi:mystack::")
    deployment = write(tmp_path / "theirs.json", text)
    assert bad(project, env=None, packs=None, deployment=deployment) == (
        f"unknown environment 'mystack': no {project / 'policies/config/mystack'} (known: dev, prod); that is the "
        "stack named in the resources' URNs: choose the configuration to review them against with --env ENV")


def test_explicit_packs_run_on_defaults_for_an_env_without_config(project, capsys):
    code, report = review_json(project, capsys, env="qa")
    assert code == 1 and report["summary"]["mandatory"] == 1


def _broken_pack(tmp_path: Path, body: str) -> Path:
    pack = tmp_path / "broken-pack"
    pack.mkdir()
    shutil.copy(PACK / "PulumiPolicy.yaml", pack)
    (pack / "__main__.py").write_text(body)
    for config in (tmp_path / "policies" / "config").glob("*"):  # its configuration: the defaults
        (config / "broken-pack.json").write_text("{}\n")
    return pack


def test_a_pack_that_crashes_at_start_is_reported_with_its_last_stderr_line(project, tmp_path):
    pack = _broken_pack(tmp_path, "import sys\nprint('loading rules', file=sys.stderr)\n"
                                  "raise RuntimeError('rule module policies.rules.iam is broken')\n")
    message = bad(project, packs=[PACK, pack])
    assert message == (f"policy pack {pack} failed to start (exit code 1): "
                       "RuntimeError: rule module policies.rules.iam is broken")
    assert pack_processes_in(PACK) == []


def test_a_pack_that_prints_garbage_is_bad_input(project, tmp_path):
    pack = _broken_pack(tmp_path, "print('listening soon')\nimport time\ntime.sleep(30)\n")
    assert bad(project, packs=[pack]).startswith(f"policy pack {pack} printed 'listening soon' instead of its port")
    assert pack_processes_in(pack) == []


def test_a_pack_that_hangs_is_stopped_after_the_timeout(project, tmp_path):
    pack = _broken_pack(tmp_path, "import time\ntime.sleep(60)\n")
    assert bad(project, packs=[pack], timeout=1.0) == f"policy pack {pack} did not print its port within 1 s"
    assert pack_processes_in(pack) == []


@pytest.mark.parametrize("protocol", [True, False], ids=["protocol", "in-process"])
def test_a_pack_that_stops_answering_is_bad_input(project, tmp_path, protocol):
    # Over the protocol the call's deadline ends it; in-process the watchdog's alarm does (after one to two
    # periods), and a policy's own ``except Exception`` cannot swallow it.
    pack = _broken_pack(tmp_path, (
        "import time\n"
        "from pulumi_policy import PolicyPack, ResourceValidationPolicy\n"
        "def slow(args, report_violation):\n"
        "    if args.resource_type == 'aws:ebs/volume:Volume':\n"
        "        try:\n"
        "            time.sleep(30)\n"
        "        except Exception:\n"
        "            pass\n"
        "PolicyPack(name='slow', policies=[ResourceValidationPolicy(name='slow', description='d', validate=slow)])\n"))
    started = time.monotonic()
    message = bad(project, packs=[pack], timeout=2.0, protocol=protocol)
    assert time.monotonic() - started < 20
    assert message.startswith("policy pack slow did not answer Analyze for urn:pulumi:dev::mlinfra::aws:ebs/volume:")
    assert message.endswith(" within 2 s")
    assert pack_processes_in(pack) == []


def test_a_stack_policy_that_never_returns_is_stopped_in_process(project, tmp_path):
    pack = _broken_pack(tmp_path, (
        "from pulumi_policy import PolicyPack, StackValidationPolicy\n"
        "def forever(args, report_violation):\n"
        "    while True:\n"
        "        pass\n"
        "PolicyPack(name='spin', policies=[StackValidationPolicy(name='spin', description='d', validate=forever)])\n"))
    message = bad(project, packs=[pack], timeout=1.0)
    assert message.startswith("policy pack spin did not answer AnalyzeStack for ") and " resources within " in message


def test_an_interrupted_review_leaves_no_pack_process(project, monkeypatch):
    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr("mlinfra.review.protocol.PackProcess.analyze_all", interrupted)
    with pytest.raises(KeyboardInterrupt):
        run_review(project_dir=project, env="dev", deployment=FIXTURES / "deployment.json", packs=None,
                   fmt="json", output=None, protocol=True)
    assert pack_processes_in(project) == []


def test_a_pack_folder_without_policy_yaml_is_bad_input(project, tmp_path):
    assert bad(project, packs=[tmp_path]) == f"policy pack {tmp_path}: no PulumiPolicy.yaml"


@pytest.mark.parametrize("config, expected", [
    ({"log-retention": {"minimumDays": -1}},
     "policy 'log-retention' property 'minimumDays': -1 is less than the minimum of 1"),
    ({"log-retention": {"minimumDays": "thirty"}},
     "policy 'log-retention' property 'minimumDays': 'thirty' is not of type 'integer'"),
    ({"log-retention": {"minimumDay": 10}},
     "policy 'log-retention' has no property 'minimumDay' (allowed: minimumDays)"),
    ({"encrypted-volume": "mandatory"},
     "policy 'encrypted-volume' is not in this pack (its policies: allowed-regions, buckets-blocked, "
     "db-password-length, encrypted-volumes, log-retention)"),
    ({"all": "strict"},
     "policy 'all': enforcementLevel 'strict' is not one of advisory, mandatory, remediate, disabled"),
    ({"log-retention": 3}, "policy 'log-retention': 3 is not valid; give an enforcement level or an object"),
])
def test_a_broken_pack_configuration_names_file_policy_and_property(project, config, expected):
    path = write(project / "policies/config/dev/testpack.json", config)
    assert bad(project) == f"{path}: {expected}"


def test_effective_config_layers_defaults_initial_config_all_and_policies():
    from mlinfra.review import PolicyInfo

    def policy(name: str, level: str = "advisory", schema: dict | None = None) -> PolicyInfo:
        return PolicyInfo(name=name, description="", enforcement_level=level, policy_type="resource",
                          severity="low", config_schema={"properties": schema or {}, "required": []})

    policies = [policy("a", "mandatory", {"n": {"type": "number", "default": 5}, "s": {"type": "string"}}),
                policy("b")]
    config = effective_config(policies, {"all": "advisory", "b": {"enforcementLevel": "disabled"}},
                              initial_config={"a": (None, {"s": "initial"})})
    assert config == {"a": {"enforcementLevel": "advisory", "properties": {"n": 5, "s": "initial"}},
                      "b": {"enforcementLevel": "disabled", "properties": {}}}


def _numbered(default: object = 5) -> list:
    from mlinfra.review import PolicyInfo

    return [PolicyInfo(name="a", description="", enforcement_level="advisory", policy_type="resource", severity="low",
                       config_schema={"properties": {"n": {"type": "number", "default": default}}, "required": []})]


def test_a_valid_configuration_is_remembered_and_the_next_process_skips_the_validator(tmp_path, monkeypatch):
    from mlinfra.review import pack_config

    monkeypatch.setenv("MLINFRA_CACHE_DIR", str(tmp_path))
    assert effective_config(_numbered(), {"a": {"n": 7}})["a"]["properties"] == {"n": 7}
    [digest] = json.loads((tmp_path / pack_config.VALIDATED).read_text())
    probe = ("import sys; from mlinfra.review import PolicyInfo, effective_config; "
             "p = [PolicyInfo(name='a', description='', enforcement_level='advisory', policy_type='resource', "
             "severity='low', config_schema={'properties': {'n': {'type': 'number', 'default': 5}}, 'required': []})]; "
             "print(effective_config(p, {'a': {'n': 7}})['a']['properties']['n'], 'jsonschema' in sys.modules)")
    ran = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, env=os.environ, capture_output=True, text=True,
                         check=True)
    assert ran.stdout.split() == ["7", "False"]
    # Another value is validated (and remembered) anew, and an invalid one is refused every time, never remembered.
    effective_config(_numbered(), {"a": {"n": 8}})
    assert len(json.loads((tmp_path / pack_config.VALIDATED).read_text())) == 2
    for _ in range(2):
        with pytest.raises(MlinfraError, match=r"policy 'a' property 'n': 'x' is not of type 'number'"):
            effective_config(_numbered(), {"a": {"n": "x"}})
    assert digest in json.loads((tmp_path / pack_config.VALIDATED).read_text())
    assert len(json.loads((tmp_path / pack_config.VALIDATED).read_text())) == 2


def test_a_default_that_breaks_its_own_schema_is_refused_as_the_cli_refuses_it(tmp_path, monkeypatch):
    monkeypatch.setenv("MLINFRA_CACHE_DIR", str(tmp_path))
    with pytest.raises(MlinfraError, match=r"policy 'a' property 'n': 'five' is not of type 'number'"):
        effective_config(_numbered("five"), None)
    assert effective_config(_numbered(), None)["a"]["properties"] == {"n": 5}
