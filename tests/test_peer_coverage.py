"""The peer scanners' coverage files (benchmarks/data/*_coverage.tsv): each well-formed, every covered row
naming rules the packs have, every skipped row giving its reason, and docs/policies.md quoting their figures.
Read offline: no peer is installed or fetched."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from policies.rules import PACKS, collect

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "benchmarks" / "data"
RULE_NAMES = {policy.name for pack in PACKS for policy in collect(pack)}

#: file -> (number of peer checks, pattern of a peer id)
PEERS = {
    "trivy_aws_coverage.tsv": (175, re.compile(r"^AVD-AWS-\d{4}$")),
    "awsguard_coverage.tsv": (28, re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")),
    "cdknag_awssolutions_coverage.tsv": (131, re.compile(r"^AwsSolutions-[A-Z0-9]+$")),
    "kics_pulumi_aws_coverage.tsv": (20, re.compile(r"^[a-z0-9]+(_[a-z0-9]+)*$")),
    "pulumi_compliance_aws_coverage.tsv": (97, re.compile(r"^aws(-[a-z0-9]+)+$")),
}
STATUS = re.compile(r"^(covered|covered-new|skipped): (.+)$")


def rows(file: str) -> list[list[str]]:
    lines = (DATA / file).read_text(encoding="utf-8").splitlines()
    assert lines[0].startswith("# ") and "Columns: id, title" in lines[0]
    return [line.split("\t") for line in lines[1:]]


def counts(file: str) -> dict[str, int]:
    found = {"covered": 0, "covered-new": 0, "skipped": 0}
    for row in rows(file):
        found[STATUS.match(row[3]).group(1)] += 1
    return found


@pytest.mark.parametrize("file", sorted(PEERS))
def test_each_row_is_well_formed(file):
    total, id_pattern = PEERS[file]
    table = rows(file)
    assert len(table) == total
    assert all(len(row) == 5 and all(cell.strip() for cell in row) for row in table), file
    ids = [row[0] for row in table]
    assert len(set(ids)) == len(ids)
    assert all(id_pattern.match(peer_id) for peer_id in ids)
    assert all(STATUS.match(row[3]) for row in table), [row[0] for row in table if not STATUS.match(row[3])]


@pytest.mark.parametrize("file", sorted(PEERS))
def test_covered_rows_name_rules_of_the_packs(file):
    for row in rows(file):
        kind, detail = STATUS.match(row[3]).groups()
        if kind == "skipped":
            continue
        named = re.findall(r"[a-z0-9]+(?:-[a-z0-9]+)+", detail.split(" (")[0])
        assert named, row[0]
        assert set(named) <= RULE_NAMES, (row[0], set(named) - RULE_NAMES)


@pytest.mark.parametrize("file", sorted(PEERS))
def test_skipped_rows_give_a_reason(file):
    for row in rows(file):
        kind, detail = STATUS.match(row[3]).groups()
        if kind == "skipped":
            assert len(detail.split()) >= 4, row[0]


def test_rules_added_for_a_peer_are_documented_with_its_ids():
    docs = (ROOT / "docs" / "policies.md").read_text(encoding="utf-8")
    for file in PEERS:
        for row in rows(file):
            kind, detail = STATUS.match(row[3]).groups()
            if kind == "covered-new":
                for rule in re.findall(r"[a-z0-9]+(?:-[a-z0-9]+)+", detail):
                    line = next(line for line in docs.splitlines() if line.startswith(f"| `{rule}` |"))
                    assert row[0].removeprefix("AVD-AWS-") in line, (rule, row[0])


def test_the_docs_quote_the_figures():
    docs = " ".join((ROOT / "docs" / "policies.md").read_text(encoding="utf-8").split()).lower()
    trivy, guard = counts("trivy_aws_coverage.tsv"), counts("awsguard_coverage.tsv")
    assert (f"of trivy's 175 aws checks, {trivy['covered'] + trivy['covered-new']} are covered "
            f"({trivy['covered-new']} by rules added for them) and {trivy['skipped']} skipped") in docs
    assert (f"of awsguard's 28 policies, {guard['covered'] + guard['covered-new']} are covered "
            f"and {guard['skipped']} skipped") in docs
    nag = counts("cdknag_awssolutions_coverage.tsv")
    assert (f"of cdk-nag's 131 awssolutions rules, {nag['covered'] + nag['covered-new']} are covered "
            f"({nag['covered-new']} by rules added for it) and {nag['skipped']} skipped") in docs
    pulumi = counts("pulumi_compliance_aws_coverage.tsv")
    assert (f"of pulumi's 97 compliance-ready aws policies, {pulumi['covered'] + pulumi['covered-new']} are covered "
            f"({pulumi['covered-new']} by rules added or widened for them) and {pulumi['skipped']} skipped") in docs
    kics = counts("kics_pulumi_aws_coverage.tsv")
    assert (f"of kics's 20 pulumi aws queries, {kics['covered'] + kics['covered-new']} are covered "
            f"and {kics['skipped']} skipped") in docs
