"""Fuzzing the review's input: mutated stack exports and preview documents are either read or refused
with one clear line (``MlinfraError``), never a traceback. Seeded, so a failure reproduces."""

from __future__ import annotations

import json
import random
from pathlib import Path
from typing import Any, Iterator

import pytest

from fuzzing import mutated
from mlinfra.errors import MlinfraError
from mlinfra.review import analyze_requests, resources_from_document

DEPLOYMENT = json.loads((Path(__file__).parent / "fixtures" / "review" / "deployment.json").read_text())
SECRET = {"4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270"}
ODD_VALUES: list[Any] = [
    None, 5, -1.5, "x", "", [], {}, [1, "a"], {"a": 1}, True, float("inf"), 10**30, SECRET,
    {**SECRET, "plaintext": "not json"}, {"4dabf18193072939515e22adb298388d": "unknown-signature"}, {"": 1},
]


def _mutations(document: dict, seed: int, count: int) -> Iterator[dict]:
    rng = random.Random(seed)
    for _ in range(count):
        yield mutated(document, rng, ODD_VALUES)


def _as_preview(deployment: dict) -> dict:
    return {"steps": [{"op": "create", "urn": r.get("urn"), "newState": r}
                      for r in deployment["deployment"]["resources"]]}


@pytest.mark.parametrize("seed, make", [(1, lambda d: d), (2, _as_preview)])
def test_mutated_documents_are_read_or_refused_in_one_line(seed, make):
    read = refused = 0
    for document in _mutations(make(DEPLOYMENT), seed, 1500):
        try:
            analyze_requests(resources_from_document(document, "deployment.json"))
            read += 1
        except MlinfraError as error:
            assert "\n" not in str(error) and str(error).startswith("deployment.json: "), str(error)
            refused += 1
    # Both outcomes occur, so the fuzzing reaches the validation and gets past it.
    assert read > 100 and refused > 100, (read, refused)
