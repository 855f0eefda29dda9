"""Fuzzing the review's input: mutated stack exports and preview documents are either read or refused
with one clear line (``MlinfraError``), never a traceback. Seeded, so a failure reproduces."""

from __future__ import annotations

import copy
import json
import random
from pathlib import Path
from typing import Any, Iterator

import pytest

from mlinfra.errors import MlinfraError
from mlinfra.review import analyze_requests, resources_from_document

DEPLOYMENT = json.loads((Path(__file__).parent / "fixtures" / "review" / "deployment.json").read_text())
SECRET = {"4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270"}
ODD_VALUES: list[Any] = [
    None, 5, -1.5, "x", "", [], {}, [1, "a"], {"a": 1}, True, float("inf"), 10**30, SECRET,
    {**SECRET, "plaintext": "not json"}, {"4dabf18193072939515e22adb298388d": "unknown-signature"}, {"": 1},
]


def _paths(value: Any, path: tuple = ()) -> Iterator[tuple]:
    yield path
    items = value.items() if isinstance(value, dict) else enumerate(value) if isinstance(value, list) else ()
    for key, item in items:
        yield from _paths(item, path + (key,))


def _mutations(document: dict, seed: int, count: int) -> Iterator[dict]:
    rng = random.Random(seed)
    paths = [p for p in _paths(document) if p]
    for _ in range(count):
        mutated = copy.deepcopy(document)
        for _ in range(rng.randint(1, 3)):
            *parents, last = rng.choice(paths)
            target = mutated
            try:
                for key in parents:
                    target = target[key]
                target[last] = copy.deepcopy(rng.choice(ODD_VALUES))
            except (KeyError, IndexError, TypeError):
                pass  # an earlier mutation removed the path
        yield mutated


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
