"""The rules the policy packs enforce, one module per domain (s3, kms, network, iam, tags, ...).

Each module exports three lists, ``SECURITY``, ``PRIVACY`` and ``COMPLIANCE`` (any may be empty),
naming the pack each of its rules belongs to. ``collect(pack)`` gathers one pack's rules from every
module, so adding a module adds its rules to the packs without touching them. Modules whose name
starts with ``_`` are helpers, not rules.
"""

from __future__ import annotations

import importlib
import pkgutil
import re

from pulumi_policy import Policy

PACKS: dict[str, str] = {"security": "SECURITY", "privacy": "PRIVACY", "compliance": "COMPLIANCE"}

_KEBAB = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")


def rule_modules() -> list[str]:
    """The fully qualified names of the rule modules, sorted."""
    return sorted(f"{__name__}.{info.name}" for info in pkgutil.iter_modules(__path__)
                  if not info.name.startswith("_"))


def collect(pack: str) -> list[Policy]:
    """Every rule of ``pack`` (``security``, ``privacy`` or ``compliance``), module by module in name order.

    Raises ``ValueError`` for an unknown pack, a rule name that is not kebab-case, or a name used
    twice anywhere across the packs (a rule belongs to exactly one pack).
    """
    if pack not in PACKS:
        raise ValueError(f"unknown policy pack {pack!r}; expected one of {', '.join(PACKS)}")
    selected: list[Policy] = []
    owner: dict[str, str] = {}
    for module_name in rule_modules():
        module = importlib.import_module(module_name)
        for pack_name, attribute in PACKS.items():
            for policy in getattr(module, attribute, []):
                if not _KEBAB.match(policy.name):
                    raise ValueError(f"rule name {policy.name!r} in {module_name} is not kebab-case")
                where = f"{module_name}.{attribute}"
                if policy.name in owner:
                    raise ValueError(f"rule name {policy.name!r} is defined twice: {owner[policy.name]} and {where}")
                owner[policy.name] = where
                if pack_name == pack:
                    selected.append(policy)
    return selected
