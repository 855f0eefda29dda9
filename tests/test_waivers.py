"""Waivers (policies/config/<env>/waivers.yaml): parsing, matching, expiry, unused waivers."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pytest

from mlinfra.errors import MlinfraError
from mlinfra.waivers import Waivers, apply_waivers, load_waivers, parse_waivers

SOURCE = "policies/config/prod/waivers.yaml"
TODAY = dt.date(2026, 12, 1)
URN = "urn:pulumi:prod::mlinfra::mlinfra:storage:SecureBucket$aws:s3/bucket:Bucket::prod-scratch"
GOOD = """\
waivers:
  - policy: s3-bucket-access-logging
    resource: "urn:pulumi:prod::mlinfra::*::prod-scratch"
    reason: Scratch bucket, deleted with ML-1234
    owner: data-platform@example.com
    expires: 2026-12-31
"""


@dataclass(frozen=True)
class V:
    pack: str
    policy: str
    urn: str


def test_parse_a_good_file():
    waivers = parse_waivers(GOOD, SOURCE)
    [waiver] = waivers.items
    assert (waiver.policy, waiver.owner, waiver.expires) == ("s3-bucket-access-logging", "data-platform@example.com",
                                                             dt.date(2026, 12, 31))
    assert waivers.source == SOURCE


def test_a_matching_violation_is_waived_and_others_remain():
    waivers = parse_waivers(GOOD, SOURCE)
    hit = V("mlinfra-security", "s3-bucket-access-logging", URN)
    other_policy = V("mlinfra-security", "s3-bucket-encryption-cmk", URN)
    other_resource = V("mlinfra-security", "s3-bucket-access-logging", URN.replace("prod-scratch", "prod-data"))
    outcome = apply_waivers([hit, other_policy, other_resource], waivers, TODAY)
    assert [v for v, _ in outcome.waived] == [hit]
    assert outcome.remaining == [other_policy, other_resource]
    assert outcome.expired == [] and outcome.unused == []


def test_an_exact_urn_and_a_pack_qualified_policy_match():
    text = GOOD.replace('"urn:pulumi:prod::mlinfra::*::prod-scratch"', f'"{URN}"').replace(
        "policy: s3-bucket-access-logging", "policy: mlinfra-security/s3-bucket-access-logging")
    waivers = parse_waivers(text, SOURCE)
    assert apply_waivers([V("mlinfra-security", "s3-bucket-access-logging", URN)], waivers, TODAY).waived
    assert not apply_waivers([V("mlinfra-privacy", "s3-bucket-access-logging", URN)], waivers, TODAY).waived


def test_the_expiry_day_still_holds_and_the_next_day_the_waiver_is_expired():
    waivers = parse_waivers(GOOD, SOURCE)
    hit = V("p", "s3-bucket-access-logging", URN)
    assert apply_waivers([hit], waivers, dt.date(2026, 12, 31)).waived
    outcome = apply_waivers([hit], waivers, dt.date(2027, 1, 1))
    assert outcome.waived == [] and outcome.remaining == [hit]
    assert outcome.expired == list(waivers.items)
    assert outcome.unused == []  # an expired waiver is reported as expired, not as unused


def test_a_waiver_that_matches_nothing_is_unused():
    waivers = parse_waivers(GOOD, SOURCE)
    outcome = apply_waivers([V("p", "other-policy", URN)], waivers, TODAY)
    assert outcome.unused == list(waivers.items)


def test_an_empty_or_missing_file_is_no_waivers(tmp_path):
    assert parse_waivers("", SOURCE).items == ()
    assert parse_waivers("waivers: []\n", SOURCE).items == ()
    assert load_waivers(tmp_path, "prod") == Waivers((), SOURCE)
    assert load_waivers(tmp_path, None) == Waivers()


def test_load_reads_the_environments_file(tmp_path):
    path = tmp_path / "policies" / "config" / "prod" / "waivers.yaml"
    path.parent.mkdir(parents=True)
    path.write_text(GOOD)
    assert len(load_waivers(tmp_path, "prod").items) == 1


@pytest.mark.parametrize("text, message", [
    (GOOD.replace("    owner: data-platform@example.com\n", ""),
     "waiver 1 (s3-bucket-access-logging): owner is required (a waiver has policy, resource, reason, owner and "
     "expires)"),
    (GOOD.replace("2026-12-31", "soon"),
     "waiver 1 (s3-bucket-access-logging): expires = 'soon': Input should be a valid date"),
    (GOOD.replace("2026-12-31", "2026-02-30"),
     "waiver 1 (s3-bucket-access-logging): expires = '2026-02-30': Input should be a valid date"),
    (GOOD.replace("reason: Scratch bucket, deleted with ML-1234", "reason: '  '"),
     "waiver 1 (s3-bucket-access-logging): reason = '  ': must not be blank"),
    (GOOD + "    approver: someone\n",
     "waiver 1 (s3-bucket-access-logging): approver is not a waiver key (allowed: policy, resource, reason, "
     "owner, expires)"),
    (GOOD.replace("policy: s3-bucket-access-logging", "policy: 'S3 Logging'"),
     "waiver 1 (S3 Logging): policy = 'S3 Logging': String should match pattern"),
    ("- policy: x\n", "must be a mapping with a 'waivers:' list, not list"),
    ("waivers: {policy: x}\n", "'waivers:' must be a list of waivers"),
    ("waivers: [\n", "line 2: invalid YAML"),
    ("waiver: []\n", "waiver: waiver is not a waiver key"),
])
def test_malformed_waivers_are_one_clear_message(text, message):
    with pytest.raises(MlinfraError) as info:
        parse_waivers(text, SOURCE)
    assert str(info.value).startswith(f"{SOURCE}: {message}") or str(info.value).startswith(f"{SOURCE}:{message}"), \
        str(info.value)
    assert "\n" not in str(info.value)


def test_several_problems_are_counted_in_the_one_message():
    with pytest.raises(MlinfraError, match=r"\(and 1 more problem\)$"):
        parse_waivers(GOOD.replace("    owner: data-platform@example.com\n", "").replace("2026-12-31", "x"), SOURCE)


# ------------------------------------------------------------------ the review applies the waivers

import json  # noqa: E402
from pathlib import Path  # noqa: E402

from mlinfra.review.command import run_review  # noqa: E402

FIXTURES = Path(__file__).parent / "fixtures" / "review"
SCRATCH = "urn:pulumi:dev::mlinfra::aws:ebs/volume:Volume::scratch"


@pytest.fixture
def project(tmp_path: Path) -> Path:
    (tmp_path / "Pulumi.yaml").write_text("name: mlinfra\nruntime: python\n")
    (tmp_path / "policies" / "config" / "dev").mkdir(parents=True)
    (tmp_path / "policies" / "config" / "dev" / "testpack.json").write_text("{}\n")  # the pack's defaults
    return tmp_path


def _review(project: Path, capsys, fmt: str = "json") -> tuple[int, str]:
    code = run_review(project_dir=project, env="dev", deployment=FIXTURES / "deployment.json",
                      packs=[FIXTURES / "testpack"], fmt=fmt, output=None)
    return code, capsys.readouterr().out


def _waive(project: Path, *entries: str) -> None:
    (project / "policies" / "config" / "dev" / "waivers.yaml").write_text("waivers:\n" + "".join(entries))


def _entry(policy: str, resource: str, expires: str = "2999-12-31") -> str:
    return (f"  - policy: {policy}\n    resource: '{resource}'\n    reason: Scratch volume, ML-1\n"
            f"    owner: platform@example.com\n    expires: {expires}\n")


def test_a_waived_mandatory_violation_is_reported_and_no_longer_fails(project, capsys):
    _waive(project, _entry("encrypted-volumes", "urn:pulumi:dev::mlinfra::*::scratch"),
           _entry("log-retention", "urn:pulumi:dev::mlinfra::*::no-such-thing"))
    code, out = _review(project, capsys)
    report = json.loads(out)
    assert code == 0
    assert [v["urn"] for v in report["waived"]] == [SCRATCH]
    assert report["waived"][0]["waiver"] == {"policy": "encrypted-volumes", "resource": "urn:pulumi:dev::mlinfra::*::scratch",
                                             "reason": "Scratch volume, ML-1", "owner": "platform@example.com",
                                             "expires": "2999-12-31"}
    assert SCRATCH not in {v["urn"] for v in report["violations"] if v["policy"] == "encrypted-volumes"}
    assert report["summary"]["mandatory"] == 0 and report["summary"]["waived"] == 1
    assert [w["resource"] for w in report["unusedWaivers"]] == ["urn:pulumi:dev::mlinfra::*::no-such-thing"]


def test_text_markdown_and_sarif_show_the_waiver(project, capsys):
    _waive(project, _entry("encrypted-volumes", SCRATCH), _entry("log-retention", "nothing"))
    _, text = _review(project, capsys, "text")
    assert "WAIVED    [high] review-test-pack/encrypted-volumes (mandatory)" in text
    assert "until 2999-12-31, owner platform@example.com: Scratch volume, ML-1" in text
    assert "UNUSED WAIVER log-retention on nothing (owner platform@example.com) matches nothing: delete it" in text
    assert "(1 more waived)" in text
    _, markdown = _review(project, capsys, "markdown")
    assert "#### Waived (1)" in markdown and "#### Waivers that match nothing (1): delete them" in markdown
    _, sarif = _review(project, capsys, "sarif")
    [run] = json.loads(sarif)["runs"]
    [suppressed] = [r for r in run["results"] if "suppressions" in r]
    assert suppressed["ruleId"] == "encrypted-volumes"
    assert suppressed["suppressions"] == [{"kind": "external", "status": "accepted", "justification":
                                           "Scratch volume, ML-1 (owner platform@example.com, expires 2999-12-31)"}]


def test_an_expired_waiver_waives_nothing_and_is_a_mandatory_violation(project, capsys):
    _waive(project, _entry("encrypted-volumes", SCRATCH, expires="2020-01-31"))
    code, out = _review(project, capsys)
    report = json.loads(out)
    assert code == 1
    assert report["waived"] == []
    expired = [v for v in report["violations"] if v["policy"] == "waiver-expired"]
    assert [(v["pack"], v["enforcementLevel"]) for v in expired] == [("mlinfra-waivers", "mandatory")]
    assert "expired on 2020-01-31" in expired[0]["message"]
    assert "encrypted-volumes" in {v["policy"] for v in report["violations"]}
    _, sarif = _review(project, capsys, "sarif")
    runs = {run["tool"]["driver"]["name"]: run for run in json.loads(sarif)["runs"]}
    assert [r["ruleId"] for r in runs["mlinfra-waivers"]["results"]] == ["waiver-expired"]


def test_a_malformed_waivers_file_is_bad_input_from_the_command_line(project, capsys, monkeypatch):
    from mlinfra import cli

    _waive(project, _entry("encrypted-volumes", SCRATCH, expires="next week"))
    monkeypatch.chdir(project)
    code = cli.main(["review", "--deployment", str(FIXTURES / "deployment.json"), "--env", "dev",
                     "--policy-pack", str(FIXTURES / "testpack")])
    err = capsys.readouterr().err
    assert code == 2
    assert err == ("mlinfra: error: policies/config/dev/waivers.yaml: waiver 1 (encrypted-volumes): expires = "
                   "'next week': Input should be a valid date or datetime, input is too short\n")


# ------------------------------------------------------- the packs apply waivers under the Pulumi CLI

import shutil  # noqa: E402

from policies.waivers import PACK_WAIVERS_VARIABLE, honor_waivers  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
ARTIFACTS = "urn:pulumi:prod::mlinfra::mlinfra:storage:SecureBucket$aws:s3/bucket:Bucket::prod-artifacts"
ENCRYPTION_SUFFIX = "prod-artifacts-encryption"


class _Policy:
    def __init__(self, name: str) -> None:
        self.name = name

    def validate(self, args, report_violation):
        report_violation("bad")


class _Args:
    urn = "urn:pulumi:prod::mlinfra::aws:s3/bucket:Bucket::scratch"


def _config_root(tmp_path: Path, expires: str = "2999-12-31") -> Path:
    (tmp_path / "prod").mkdir(parents=True)
    (tmp_path / "prod" / "waivers.yaml").write_text("waivers:\n" + _entry("p", "urn:pulumi:prod::*::scratch", expires))
    return tmp_path


@pytest.mark.parametrize("setting, expires, reported", [
    ("on", "2999-12-31", []), (None, "2999-12-31", ["bad"]), ("on", "2020-01-01", ["bad"]),
])
def test_honor_waivers_drops_only_valid_waived_reports_and_only_when_switched_on(tmp_path, monkeypatch, setting,
                                                                                 expires, reported):
    if setting is None:
        monkeypatch.delenv(PACK_WAIVERS_VARIABLE, raising=False)
    else:
        monkeypatch.setenv(PACK_WAIVERS_VARIABLE, setting)
    [policy] = honor_waivers([_Policy("p")], "pack", _config_root(tmp_path, expires))
    seen: list[str] = []
    policy.validate(_Args(), lambda message, urn=None: seen.append(message))
    assert seen == reported


def test_honor_waivers_leaves_the_rule_modules_policies_as_they_were(tmp_path, monkeypatch):
    monkeypatch.setenv(PACK_WAIVERS_VARIABLE, "on")
    original = _Policy("p")
    [waiving] = honor_waivers([original], "pack", _config_root(tmp_path))
    seen: list[str] = []
    original.validate(_Args(), lambda message, urn=None: seen.append(message))
    waiving.validate(_Args(), lambda message, urn=None: seen.append(message))
    assert seen == ["bad"] and waiving is not original and waiving.name == "p"


def test_a_malformed_waivers_file_makes_a_pack_waive_nothing(tmp_path, monkeypatch):
    monkeypatch.setenv(PACK_WAIVERS_VARIABLE, "on")
    root = _config_root(tmp_path)
    (root / "prod" / "waivers.yaml").write_text("waivers: [{policy: p}]\n")
    [policy] = honor_waivers([_Policy("p")], "pack", root)
    seen: list[str] = []
    policy.validate(_Args(), lambda message, urn=None: seen.append(message))
    assert seen == ["bad"]


def test_every_pack_applies_the_waivers():
    for pack in ("security", "privacy", "compliance"):
        text = (ROOT / "policies" / pack / "__main__.py").read_text()
        assert f'honor_waivers(collect("{pack}"), "mlinfra-{pack}"' in text, pack


@pytest.fixture
def pack_project(tmp_path: Path, stack_deployments) -> tuple[Path, Path]:
    """A project with a copy of the security pack and prod's configuration, and prod's plan with the
    artifacts bucket on SSE-S3 (a mandatory s3-bucket-encryption-cmk violation)."""
    import copy

    (tmp_path / "Pulumi.yaml").write_text("name: mlinfra\nruntime: python\n")
    shutil.copytree(ROOT / "policies" / "security", tmp_path / "policies" / "security")
    shutil.copytree(ROOT / "policies" / "config" / "prod", tmp_path / "policies" / "config" / "prod")
    deployment = copy.deepcopy(stack_deployments["prod"])
    for r in deployment["deployment"]["resources"]:
        if r["urn"].endswith(ENCRYPTION_SUFFIX):
            for props in (r["inputs"], r["outputs"]):
                props["rules"][0]["applyServerSideEncryptionByDefault"] = {"sseAlgorithm": "AES256"}
    path = tmp_path / "prod.json"
    path.write_text(json.dumps(deployment))
    (tmp_path / "policies" / "config" / "prod" / "waivers.yaml").write_text(
        "waivers:\n" + _entry("s3-bucket-encryption-cmk", "urn:pulumi:prod::mlinfra::*::prod-artifacts"))
    return tmp_path, path


def _pack_review(project: Path, path: Path, capsys) -> dict:
    run_review(project_dir=project, env="prod", deployment=path, packs=[project / "policies" / "security"],
               fmt="json", output=None)
    return json.loads(capsys.readouterr().out)


def test_the_real_pack_drops_a_waived_violation_only_under_the_switch(pack_project, capsys, monkeypatch):
    project, path = pack_project
    monkeypatch.delenv(PACK_WAIVERS_VARIABLE, raising=False)
    offline = _pack_review(project, path, capsys)  # the reviewer sees it and reports it waived
    assert [(v["policy"], v["urn"]) for v in offline["waived"]] == [("s3-bucket-encryption-cmk", ARTIFACTS)]
    monkeypatch.setenv(PACK_WAIVERS_VARIABLE, "on")
    under_cli = _pack_review(project, path, capsys)  # as `pulumi up` would get it from the pack: nothing
    assert under_cli["waived"] == []
    assert "s3-bucket-encryption-cmk" not in {v["policy"] for v in under_cli["violations"]}
    assert under_cli["summary"]["mandatory"] == 0
