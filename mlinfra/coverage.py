"""What a review did not look at: the resource types that no rule examined, with counts, so a reader
knows what the silence about them means.

Nothing is guessed: every rule of ``policies.rules`` declares the types it examines (a resource
rule's ``applies_to`` filter is its declaration, a stack rule's ``examines``; a test keeps every rule
declaring, and the fuzz tests keep stack rules reporting only on what they declare). A type counts
as examined when an enabled rule of a pack that ran declares it. Cross-cutting rules that apply to
every type (``required-tags``, ``allowed-regions``) do not make a type examined: they judge tags and
regions, not the resource's own settings. Only cloud resources are counted: components, providers
and the stack itself hold no settings a rule could judge. A pack this repository does not define
declares nothing; it is named instead, since what it examined is not known.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, Callable, Iterable, Mapping, Sequence


@dataclass(frozen=True)
class Coverage:
    """The types no rule examined (type -> resources of it, by type), and the packs that declare nothing."""

    not_examined: dict[str, int] = field(default_factory=dict)
    undeclared_packs: tuple[str, ...] = ()
    cross_cutting: tuple[str, ...] = ()
    """The enabled rules that apply to every type (they do not make a type examined)."""

    @property
    def resources(self) -> int:
        return sum(self.not_examined.values())


@lru_cache(maxsize=1)
def declarations() -> dict[str, dict[str, Any]]:
    """Pack name (``mlinfra-<pack>``, as each pack's ``__main__.py`` names it) -> rule name -> declared types."""
    from policies.rules import PACKS, collect
    from policies.rules._declare import declared_types

    return {f"mlinfra-{pack}": {policy.name: declared_types(policy) for policy in collect(pack)} for pack in PACKS}


def _is_cloud_resource(resource: Any) -> bool:
    return bool(resource.custom) and not resource.type.startswith("pulumi:providers:") \
        and resource.type != "pulumi:pulumi:Stack"


def coverage(resources: Sequence[Any], packs: Iterable[Any], enforcement: Mapping[str, Mapping[str, str]],
             declared: Mapping[str, Mapping[str, Any]] | None = None) -> Coverage:
    """The coverage of a review of ``resources`` by ``packs`` (``PackInfo``) run with ``enforcement``
    (pack name -> rule name -> level after configuration; ``disabled`` rules examine nothing).

    ``declared`` defaults to this repository's rules (``declarations()``).
    """
    from policies.rules._declare import ANY_TYPE, type_matcher

    declared = declarations() if declared is None else declared
    matchers: list[Callable[[str], bool]] = []
    undeclared: list[str] = []
    cross_cutting: list[str] = []
    for pack in packs:
        rules = declared.get(pack.name)
        levels = enforcement.get(pack.name, {})
        for policy in pack.policies:
            types = rules.get(policy.name) if rules is not None else None
            if levels.get(policy.name, policy.enforcement_level) == "disabled":
                continue
            if types is None:
                if pack.name not in undeclared:
                    undeclared.append(pack.name)
            elif types == ANY_TYPE:
                cross_cutting.append(policy.name)
            else:
                matchers.append(type_matcher(types))
    counts = Counter(r.type for r in resources if _is_cloud_resource(r))
    missed = {t: n for t, n in sorted(counts.items()) if not any(matches(t) for matches in matchers)}
    return Coverage(missed, tuple(undeclared), tuple(sorted(cross_cutting)))
