"""Foreign programs through the real packs (pack processes, prod configuration): every case in
``tests/foreign.py`` is caught by its rule on the misconfigured resource and not on its compliant twin,
and no rule raises on them."""

from __future__ import annotations

from pathlib import Path

import pytest

from foreign import CASES, case_urns, deployment
from mlinfra.review import resources_from_document, review

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def results():
    return {kind: review(resources_from_document(deployment(kind == "misconfigured"), kind), None, "prod", ROOT)
            for kind in ("misconfigured", "compliant")}


def _found(result, case) -> set[str]:
    urns = set(case_urns(case))
    return {v.policy for v in result.violations if v.urn in urns}


@pytest.mark.parametrize("case", CASES, ids=lambda case: case.name)
def test_each_misconfiguration_is_caught_by_its_rule_and_its_twin_passes(results, case):
    assert case.rule in _found(results["misconfigured"], case)
    assert case.rule not in _found(results["compliant"], case)


def test_no_rule_raises_on_foreign_programs(results):
    for result in results.values():
        assert not [v for v in result.violations if "can't run policy" in v.message or "Traceback" in v.message]
