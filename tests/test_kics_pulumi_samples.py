"""KICS's Pulumi YAML test samples (Checkmarx/kics ``assets/queries/pulumi/aws/<query>/test/``, vendored
under tests/data/kics_pulumi_aws/ at the commits tests/data/SOURCES.json records): programs nobody here
wrote, planned offline as Pulumi YAML (mlinfra/yaml_program.py) and reviewed with prod's configuration.

What benchmarks/data/kics_pulumi_aws_coverage.tsv claims is held against them: every positive sample of a
query it calls covered, where the sample is a program Pulumi would run, is reported by a rule it names.
"""

from __future__ import annotations

import csv
import hashlib
import json
import re
from pathlib import Path

import pytest

from mlinfra.errors import MlinfraError
from mlinfra.plan import plan
from mlinfra.review.deployment import resources_from_document
from mlinfra.review.engine import review

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "tests" / "data" / "kics_pulumi_aws"
SOURCES = [e for e in json.loads((ROOT / "tests" / "data" / "SOURCES.json").read_text())
           if e["repository"] == "Checkmarx/kics"]
COVERAGE = ROOT / "benchmarks" / "data" / "kics_pulumi_aws_coverage.tsv"
#: Positive samples a covered query flags and the rules named do not, each as the table's note says:
NARROWER = {
    # KICS wants the profiler log exported too; data-store-logging asks for the audit log (the table's note).
    ("docdb_logging_disabled", "positive3.yaml"),
}


def _covered() -> dict[str, set[str]]:
    rows = csv.reader((line for line in COVERAGE.read_text().splitlines() if not line.startswith("#")),
                      delimiter="\t")
    return {row[0]: {rule.strip() for rule in row[3].split(":", 1)[1].split(",")}
            for row in rows if row[3].startswith(("covered:", "covered-new:"))}


def _as_program(text: str) -> str:
    # KICS reads the file whatever its runtime says (some samples say nodejs); Pulumi runs it as YAML.
    text = re.sub(r"(?m)^runtime:.*$", "runtime: yaml", text)
    return text if re.search(r"(?m)^name:", text) else "name: kics-sample\n" + text


@pytest.fixture(scope="module")
def outcomes(tmp_path_factory) -> dict[tuple[str, str], set[str] | str]:
    """``{(query, sample): mandatory rules reported}``, or the one-line message the plan stopped with."""
    found: dict[tuple[str, str], set[str] | str] = {}
    for sample in sorted(SAMPLES.glob("*/*.yaml")):
        project = tmp_path_factory.mktemp(sample.parent.name)
        (project / "Pulumi.yaml").write_text(_as_program(sample.read_text()))
        try:
            document = plan(project, "prod")
        except MlinfraError as exc:
            found[sample.parent.name, sample.name] = str(exc)
            continue
        result = review(resources_from_document(document, "plan"), None, "prod", ROOT)
        found[sample.parent.name, sample.name] = {v.policy for v in result.violations if v.mandatory}
    return found


def test_the_samples_are_kicss_as_recorded():
    assert len(SOURCES) == len(list(SAMPLES.glob("*/*.yaml"))) == 49
    for entry in SOURCES:
        assert hashlib.sha256((ROOT / "tests" / "data" / entry["file"]).read_bytes()).hexdigest() == entry["sha256"]


def test_every_sample_plans_or_stops_with_one_clear_message(outcomes):
    planned = [key for key, outcome in outcomes.items() if isinstance(outcome, set)]
    assert len(planned) >= 34, sorted(set(outcomes) - set(planned))
    for outcome in outcomes.values():
        assert isinstance(outcome, set) or "\n" not in outcome


def test_covered_queries_positive_samples_are_reported_by_the_rules_named(outcomes):
    covered = _covered()
    checked = 0
    for (query, sample), outcome in outcomes.items():
        if query not in covered or not sample.startswith("positive") or not isinstance(outcome, set):
            continue
        checked += 1
        if (query, sample) in NARROWER:
            assert not covered[query] & outcome, f"{query}/{sample} is reported now: drop it from NARROWER"
        else:
            assert covered[query] & outcome, f"{query}/{sample}: none of {sorted(covered[query])} reported it"
    assert checked == 15, checked  # the positive samples of covered queries that plan
