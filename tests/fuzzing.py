"""Seeded mutation of JSON-like documents for the fuzz tests: a few values swapped for odd ones."""

from __future__ import annotations

import copy
import random
from typing import Any, Iterator, Sequence


def paths(value: Any, path: tuple = ()) -> Iterator[tuple]:
    """Every path into ``value`` (dict keys and list indexes), the empty root path first."""
    yield path
    items = value.items() if isinstance(value, dict) else enumerate(value) if isinstance(value, list) else ()
    for key, item in items:
        yield from paths(item, path + (key,))


def mutated(document: Any, rng: random.Random, odd_values: Sequence[Any]) -> Any:
    """A copy of ``document`` with one to three values, anywhere in it, replaced by ``odd_values``."""
    document = copy.deepcopy(document)
    candidates = [p for p in paths(document) if p]
    for _ in range(rng.randint(1, 3) if candidates else 0):
        *parents, last = rng.choice(candidates)
        target = document
        try:
            for key in parents:
                target = target[key]
            target[last] = copy.deepcopy(rng.choice(odd_values))
        except (KeyError, IndexError, TypeError):
            pass  # an earlier replacement removed the path
    return document
