"""mlinfra diff and mlinfra graph: plan files and ENV@GITREF sides, resources and violations, the formats."""

from __future__ import annotations

import copy
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from mlinfra import cli
from mlinfra.diff import changed_paths, compare_violations, parse_side
from mlinfra.errors import MlinfraError
from mlinfra.review import Violation

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).parent / "fixtures" / "review"
BUCKET = "urn:pulumi:prod::mlinfra::mlinfra:storage:SecureBucket$aws:s3/bucket:Bucket::prod-data"
ENCRYPTION = ("urn:pulumi:prod::mlinfra::mlinfra:storage:SecureBucket$aws:s3/bucketServerSideEncryptionConfiguration:"
              "BucketServerSideEncryptionConfiguration::prod-artifacts-encryption")
ARTIFACTS = "urn:pulumi:prod::mlinfra::mlinfra:storage:SecureBucket$aws:s3/bucket:Bucket::prod-artifacts"


# ------------------------------------------------------------------------------------ pure parts

def test_changed_paths_name_every_leaf_that_differs():
    old = {"a": 1, "tags": {"x": "1", "y": "2"}, "rules": [{"days": 1}, {"days": 2}], "gone": True}
    new = {"a": 1, "tags": {"x": "1", "y": "3"}, "rules": [{"days": 1}, {"days": 5}], "added": 0}
    assert changed_paths(old, new) == ["added", "gone", "rules[1].days", "tags.y"]
    assert changed_paths({"l": [1, 2]}, {"l": [1, 2, 3]}) == ["l"]
    assert changed_paths({"a": 1}, {"a": 1}) == []


def _v(policy: str, urn: str = "u", level: str = "mandatory") -> Violation:
    return Violation("pack", policy, level, "high", urn, policy)


def test_violations_match_by_pack_policy_and_urn_counting_repeats():
    base = [_v("a"), _v("b"), _v("b")]
    head = [_v("b"), _v("c"), _v("a", "other")]
    new, fixed, unchanged = compare_violations(base, head)
    assert [(v.policy, v.urn) for v in new] == [("c", "u"), ("a", "other")]
    assert [(v.policy, v.urn) for v in fixed] == [("a", "u"), ("b", "u")]
    assert [v.policy for v in unchanged] == ["b"]


@pytest.mark.parametrize("text, message", [
    ("prod", "'prod' is neither a plan file nor ENV@GITREF (e.g. prod@origin/main)"),
    ("@main", "'@main' is neither a plan file nor ENV@GITREF"),
    ("prod@", "'prod@' is neither a plan file nor ENV@GITREF"),
])
def test_a_side_that_is_neither_a_file_nor_env_at_ref_is_bad_input(text, message):
    with pytest.raises(MlinfraError, match=message.replace("(", r"\(").replace(")", r"\)")):
        parse_side(text)


def test_env_at_ref_keeps_refs_with_at_signs():
    spec = parse_side("dev@HEAD@{1}")
    assert (spec.env, spec.ref) == ("dev", "HEAD@{1}")


def test_an_aliased_resource_is_a_change_not_a_replacement():
    from mlinfra.diff import Side, compare_sides
    from mlinfra.review import Resource, ReviewResult

    old_urn, new_urn = "urn:pulumi:dev::p::aws:s3/bucket:Bucket::old", "urn:pulumi:dev::p::aws:s3/bucket:Bucket::new"
    base = [Resource(old_urn, "aws:s3/bucket:Bucket", True, {"a": 1}, {}, protect=True)]
    head = [Resource(new_urn, "aws:s3/bucket:Bucket", True, {"a": 2}, {}, protect=True, aliases=(old_urn,))]
    diff = compare_sides(Side("b", "dev", base, ReviewResult([], [], 1)), Side("h", "dev", head, ReviewResult([], [], 1)))
    assert diff.added == [] and diff.removed == [] and diff.protected_deletes == []
    assert [(c.urn, c.paths) for c in diff.changed] == [(new_urn, [f"(urn, was {old_urn})", "a"])]


# ----------------------------------------------------------------------------- plan file sides

@pytest.fixture(scope="module")
def prod_files(stack_deployments, tmp_path_factory) -> tuple[Path, Path]:
    """prod as planned, and prod with a protected bucket deleted and another bucket on SSE-S3."""
    directory = tmp_path_factory.mktemp("diff")
    base = copy.deepcopy(stack_deployments["prod"])
    head = copy.deepcopy(base)
    resources = []
    for r in head["deployment"]["resources"]:
        if r["urn"] == BUCKET:
            assert r["protect"] is True
            continue
        if r["urn"] == ENCRYPTION:
            for props in (r["inputs"], r["outputs"]):
                props["rules"][0]["applyServerSideEncryptionByDefault"] = {"sseAlgorithm": "AES256"}
        resources.append(r)
    head["deployment"]["resources"] = resources
    (directory / "base.json").write_text(json.dumps(base))
    (directory / "head.json").write_text(json.dumps(head))
    return directory / "base.json", directory / "head.json"


@pytest.fixture(scope="module")
def prod_diff(prod_files, tmp_path_factory) -> dict:
    """The diff of prod_files in every format, from one run (exit code, and each format's text)."""
    out = tmp_path_factory.mktemp("reports")
    base, head = prod_files
    code = cli.main(["diff", str(base), str(head), "--format", "json", "--output", str(out / "diff.json"),
                     "--report", f"markdown={out / 'diff.md'}", "--report", f"sarif={out / 'diff.sarif'}",
                     "--report", f"text={out / 'diff.txt'}"])
    return {"code": code, **{fmt: (out / f"diff.{ext}").read_text() for fmt, ext in
                              (("json", "json"), ("markdown", "md"), ("sarif", "sarif"), ("text", "txt"))}}


def test_diff_of_plan_files_finds_the_deletion_the_change_and_the_new_violation(prod_diff):
    assert prod_diff["code"] == 1  # a new mandatory violation
    report = json.loads(prod_diff["json"])
    [env] = report["environments"]
    assert env["env"] == "prod"
    assert [r["urn"] for r in env["resources"]["protectedDeletes"]] == [BUCKET]
    assert [r["urn"] for r in env["resources"]["removed"]] == [BUCKET]
    assert env["resources"]["added"] == []
    [change] = env["resources"]["changed"]
    assert change["urn"] == ENCRYPTION
    assert change["paths"] == ["rules[0].applyServerSideEncryptionByDefault.kmsMasterKeyId",
                               "rules[0].applyServerSideEncryptionByDefault.sseAlgorithm"]
    new = [(v["policy"], v["urn"], v["enforcementLevel"]) for v in env["violations"]["new"]]
    assert new == [("s3-bucket-encryption-cmk", ARTIFACTS, "mandatory")]
    assert env["violations"]["fixed"] == [] and env["violations"]["unchanged"] == []
    assert report["summary"] == {"newMandatory": 1, "new": 1, "fixed": 0, "protectedDeletes": 1}
    assert env["cost"]["delta"] == {"monthlyMin": 0.0, "monthlyMax": 0.0}


def test_diff_markdown_is_a_comment_with_deletions_first_a_summary_line_and_a_diagram(prod_diff):
    md = prod_diff["markdown"]
    lines = md.splitlines()
    assert lines[0] == "<!-- mlinfra-diff -->"
    assert lines[1].startswith("### ❌ Plan diff: 1 new mandatory violation, 0 fixed violations")
    caution = md.index("protected resource would be deleted")
    summary = md.index("- **prod**: +0 ~1 -1 resources; 1 new (1 mandatory), 0 fixed, 0 unchanged, 0 waived "
                       "violations; cost ±$0.00/month")
    details = md.index("<details><summary><b>prod</b>")
    assert caution < summary < details
    mermaid = md[md.index("```mermaid"):md.index("```", md.index("```mermaid") + 3)]
    assert re.search(r'SecureBucket prod-artifacts<br>\d+ resources<br>~1"\]', mermaid)
    assert re.search(r'SecureBucket prod-data<br>\d+ resources<br>-1"\]', mermaid)
    assert '{{"⛔ s3-bucket-encryption-cmk<br>prod-artifacts"}}' in mermaid
    assert "-.->" in mermaid and "EncryptionKeys" not in mermaid  # only what the change touches
    assert md.index("**New violations (1)**") < md.index("**Resources (2)**") < md.index("</details>")


def test_diff_sarif_has_only_the_new_result(prod_diff):
    sarif = json.loads(prod_diff["sarif"])
    results = [(run["automationDetails"]["id"], r["ruleId"]) for run in sarif["runs"] for r in run["results"]]
    assert results == [("mlinfra-diff/mlinfra-security/prod/", "s3-bucket-encryption-cmk")]
    assert {run["automationDetails"]["id"] for run in sarif["runs"]} == {
        "mlinfra-diff/mlinfra-security/prod/", "mlinfra-diff/mlinfra-privacy/prod/",
        "mlinfra-diff/mlinfra-compliance/prod/"}
    [location] = sarif["runs"][0]["results"][0]["locations"]
    assert location["physicalLocation"]["artifactLocation"]["uri"] == "stacks/Pulumi.prod.yaml"


def test_diff_text_calls_out_the_protected_deletion_first(prod_diff):
    lines = prod_diff["text"].splitlines()
    assert lines[1].startswith("  !! PROTECTED RESOURCE WOULD BE DELETED: aws:s3/bucket:Bucket prod-data")
    assert "  NEW        MANDATORY [high] mlinfra-security/s3-bucket-encryption-cmk" in lines
    assert lines[-1] == "1 new mandatory violation in 1 environment"


def test_the_reverse_diff_fixes_the_violation_and_exits_0(prod_files, capsys):
    base, head = prod_files
    assert cli.main(["diff", str(head), str(base), "--format", "json"]) == 0
    [env] = json.loads(capsys.readouterr().out)["environments"]
    assert [v["policy"] for v in env["violations"]["fixed"]] == ["s3-bucket-encryption-cmk"]
    assert [r["urn"] for r in env["resources"]["added"]] == [BUCKET]
    assert env["resources"]["protectedDeletes"] == []


@pytest.mark.parametrize("argv, message", [
    (["diff", "only-one"], "give sides in pairs: BASE HEAD [BASE HEAD ...]"),
    (["diff", "a@x", "b@y", "c@z"], "give sides in pairs"),
    (["diff", "x", "y"], "'x' is neither a plan file nor ENV@GITREF"),
    (["diff", "dev@no-such-ref-xyz", "dev@HEAD"], "unknown git ref 'no-such-ref-xyz'"),
    (["diff", "a@x", "b@y", "--report", "pdf=out.pdf"], "--report 'pdf=out.pdf': give FORMAT=FILE with FORMAT one of"),
])
def test_bad_diff_input_is_one_line_and_exit_2(argv, message, capsys):
    assert cli.main(argv) == 2
    err = capsys.readouterr().err
    assert err.startswith("mlinfra: error: ") and message in err and err.count("\n") == 1


# ------------------------------------------------------------------------------ ENV@GITREF sides

PROGRAM = '''\
import pulumi
import pulumi_aws as aws

config = pulumi.Config()
aws.ebs.Volume("scratch", availability_zone="us-east-1a", size=10, encrypted=config.require_bool("encrypted"))
aws.cloudwatch.LogGroup("app-logs", retention_in_days=config.require_int("retention"))
'''


def _git(repo: Path, *args: str) -> None:
    subprocess.run(["git", "-C", str(repo), *args], check=True, capture_output=True,
                   env={**os.environ, "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.com",
                        "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.com"})


def _stack(encrypted: bool, retention: int) -> str:
    return (f"config:\n  aws:region: us-east-1\n  demo:encrypted: {str(encrypted).lower()}\n"
            f"  demo:retention: {retention}\n")


@pytest.fixture(scope="module")
def repo(tmp_path_factory) -> Path:
    """A git repository with a small program and the test pack: the base commit has an encrypted volume
    and a short log retention; the head commit an unencrypted volume and a long retention."""
    repo = tmp_path_factory.mktemp("repo")
    (repo / "Pulumi.yaml").write_text("name: demo\nruntime: python\nmain: stacks/\nstackConfigDir: stacks\n")
    (repo / "stacks").mkdir()
    (repo / "stacks" / "__main__.py").write_text(PROGRAM)
    for folder in ("security", "privacy", "compliance"):
        pack = repo / "policies" / folder
        pack.mkdir(parents=True)
        shutil.copy(FIXTURES / "testpack" / "PulumiPolicy.yaml", pack)
        source = (FIXTURES / "testpack" / "__main__.py").read_text()
        (pack / "__main__.py").write_text(source.replace('"review-test-pack"', f'"test-{folder}"'))
    (repo / "policies" / "config" / "dev").mkdir(parents=True)
    for folder in ("security", "privacy", "compliance"):  # every pack needs its file; {} = its defaults
        (repo / "policies" / "config" / "dev" / f"{folder}.json").write_text("{}\n")
    (repo / "stacks" / "Pulumi.dev.yaml").write_text(_stack(True, 7))
    _git(repo, "init", "-q", "-b", "main")
    _git(repo, "add", "-A")
    _git(repo, "commit", "-qm", "base")
    (repo / "stacks" / "Pulumi.dev.yaml").write_text(_stack(False, 90))
    _git(repo, "commit", "-qam", "head")
    return repo


def test_env_at_ref_sides_are_planned_in_worktrees_that_are_removed(repo, capsys, monkeypatch):
    monkeypatch.chdir(repo)
    code = cli.main(["diff", "dev@HEAD~1", "dev@HEAD", "--format", "json"])
    out, err = capsys.readouterr()
    assert code == 1, err
    [env] = json.loads(out)["environments"]
    assert (env["base"], env["head"]) == ("dev@HEAD~1", "dev@HEAD")
    [change] = [c for c in env["resources"]["changed"] if c["type"] == "aws:ebs/volume:Volume"]
    assert change["paths"] == ["encrypted"]
    new = {(v["pack"], v["policy"]) for v in env["violations"]["new"]}
    assert new == {(f"test-{p}", "encrypted-volumes") for p in ("security", "privacy", "compliance")}
    fixed = {(v["pack"], v["policy"]) for v in env["violations"]["fixed"]}
    assert fixed == {(f"test-{p}", "log-retention") for p in ("security", "privacy", "compliance")}
    listed = subprocess.run(["git", "-C", str(repo), "worktree", "list"], capture_output=True, text=True).stdout
    assert listed.count("\n") == 1  # only the repository itself: the temporary worktrees are gone


def test_an_environment_missing_at_the_base_is_an_empty_side(repo, tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(repo)
    stack = repo / "stacks" / "Pulumi.qa.yaml"
    stack.write_text(_stack(True, 90))
    shutil.copytree(repo / "policies" / "config" / "dev", repo / "policies" / "config" / "qa")
    try:
        plan_file = tmp_path / "qa.json"
        assert cli.main(["plan", "qa", "--out", str(plan_file)]) == 0
        capsys.readouterr()
        assert cli.main(["diff", "qa@HEAD", str(plan_file), "--format", "json"]) == 0
        [env] = json.loads(capsys.readouterr().out)["environments"]
    finally:
        stack.unlink()
        shutil.rmtree(repo / "policies" / "config" / "qa")
    assert env["base"] == "qa@HEAD (no such environment)"
    assert env["resources"]["removed"] == [] and env["resources"]["changed"] == []
    assert {r["type"] for r in env["resources"]["added"]} >= {"aws:ebs/volume:Volume",
                                                             "aws:cloudwatch/logGroup:LogGroup"}


def test_a_plan_file_against_a_ref_uses_this_checkouts_packs(repo, tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(repo)
    plan_file = tmp_path / "dev.json"
    assert cli.main(["plan", "dev", "--out", str(plan_file)]) == 0
    capsys.readouterr()
    assert cli.main(["diff", "dev@HEAD", str(plan_file), "--format", "json"]) == 0
    [env] = json.loads(capsys.readouterr().out)["environments"]
    assert env["env"] == "dev"
    assert env["resources"]["changed"] == [] and env["violations"]["new"] == []
    assert len(env["violations"]["unchanged"]) == 3  # the unencrypted volume, once per pack


def test_waivers_apply_to_the_diff_and_a_waived_new_violation_does_not_fail(repo, tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(repo)
    plan_file = tmp_path / "dev.json"
    assert cli.main(["plan", "dev", "--out", str(plan_file)]) == 0
    waivers = repo / "policies" / "config" / "dev" / "waivers.yaml"
    waivers.write_text("waivers:\n  - policy: encrypted-volumes\n    resource: 'urn:pulumi:dev::demo::*::scratch'\n"
                       "    reason: test data only\n    owner: ml@example.com\n    expires: 2999-01-01\n")
    try:
        capsys.readouterr()
        assert cli.main(["diff", "dev@HEAD~1", str(plan_file), "--format", "json"]) == 0
        [env] = json.loads(capsys.readouterr().out)["environments"]
    finally:
        waivers.unlink()
    assert env["violations"]["new"] == []
    assert {v["pack"] for v in env["violations"]["waived"]} == {f"test-{p}" for p in ("security", "privacy",
                                                                                      "compliance")}
    assert env["violations"]["waived"][0]["waiver"]["owner"] == "ml@example.com"
    assert env["summary"]["waived"] == 3


def test_worktrees_are_removed_when_the_diff_is_interrupted(repo):
    # SIGTERM while the base side is being planned: the worktree goes, the exit code is 128 + 15.
    script = ("import signal, threading, os, sys, mlinfra.diff as d\n"
              "original = d._run_in\n"
              "def slow(tree, args, what):\n"
              "    os.kill(os.getpid(), signal.SIGTERM)\n"
              "    return original(tree, args, what)\n"
              "d._run_in = slow\n"
              "sys.argv = ['mlinfra', 'diff', 'dev@HEAD~1', 'dev@HEAD']\n"
              "from mlinfra.cli import console\n"
              "console()\n")
    done = subprocess.run([sys.executable, "-c", script], cwd=repo, capture_output=True, text=True, timeout=300)
    assert done.returncode == 143, done.stderr
    assert done.stderr.strip().endswith("mlinfra: interrupted by SIGTERM")
    listed = subprocess.run(["git", "-C", str(repo), "worktree", "list"], capture_output=True, text=True).stdout
    assert listed.count("\n") == 1


# ------------------------------------------------------------------------------------------- graph

def test_graph_draws_the_whole_stack_in_mermaid_and_dot(stack_deployments, tmp_path, capsys):
    path = tmp_path / "prod.json"
    path.write_text(json.dumps(stack_deployments["prod"]))
    assert cli.main(["graph", "--deployment", str(path)]) == 0
    mermaid = capsys.readouterr().out
    components = [r for r in stack_deployments["prod"]["deployment"]["resources"] if not r["custom"]]
    assert mermaid.startswith("flowchart TD\n")
    assert sum(line.startswith("  n") and '["' in line for line in mermaid.splitlines()) == len(components)
    assert re.search(r"SecureBucket prod-data<br>\d+ resources", mermaid)
    assert sum(" --> " in line for line in mermaid.splitlines()) == len(components) - 1  # a tree under the stack
    assert " -.-> " in mermaid  # components whose resources depend on another's (keys, buckets)
    assert cli.main(["graph", "--deployment", str(path), "--format", "dot", "--resources"]) == 0
    dot = capsys.readouterr().out
    assert dot.startswith(f'digraph "{path}" {{') and dot.rstrip().endswith("}")
    assert 'label="Bucket prod-data"' in dot
    assert "[style=dashed]" in dot


def test_graph_needs_an_environment_or_a_deployment(capsys):
    assert cli.main(["graph"]) == 2
    assert capsys.readouterr().err == ("mlinfra: error: give an environment to plan (mlinfra graph dev) or "
                                      "--deployment FILE\n")
