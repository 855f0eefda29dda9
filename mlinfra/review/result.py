"""What a review found: the packs and policies that ran, the violations, the exit code."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping

from mlinfra.review.deployment import urn_name, urn_type


@dataclass(frozen=True)
class PolicyInfo:
    """What a pack says about one policy in ``GetAnalyzerInfo``."""

    name: str
    description: str
    enforcement_level: str
    policy_type: str
    severity: str
    config_schema: Mapping[str, Any]
    """``{"properties": {...}, "required": [...]}`` as the pack declares it (JSON schema per property)."""
    display_name: str = ""
    remediation_steps: str = ""
    url: str = ""
    tags: tuple[str, ...] = ()
    framework: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class PackInfo:
    """A started pack: its name, its version (PulumiPolicy.yaml's wins, as in the CLI) and policies."""

    name: str
    version: str
    directory: Path
    description: str = ""
    policies: tuple[PolicyInfo, ...] = ()


@dataclass(frozen=True)
class Violation:
    """One diagnostic from a pack.

    ``message`` is the engine's text: the policy's description, then the rule's own detail.
    """

    pack: str
    policy: str
    enforcement_level: str
    severity: str
    urn: str
    message: str
    description: str = ""

    @property
    def resource_type(self) -> str:
        return urn_type(self.urn)

    @property
    def resource_name(self) -> str:
        return urn_name(self.urn)

    @property
    def mandatory(self) -> bool:
        return self.enforcement_level == "mandatory"


@dataclass
class ReviewResult:
    """What a review found: the packs that ran, their violations (mandatory first) and how many resources."""

    packs: list[PackInfo]
    violations: list[Violation]
    resources: int
    env: str | None = None
    enforcement: dict[str, dict[str, str]] = field(default_factory=dict)
    """The enforcement level each policy ran with, per pack name, after configuration."""
    source: str | None = None
    """What was reviewed, as a path relative to the project when it lies inside (for SARIF locations)."""
    waived: list[tuple[Violation, Any]] = field(default_factory=list)
    """``(violation, waiver)`` for each violation a waiver of ``policies/config/<env>/waivers.yaml``
    accepts: reported, not counted in ``violations``, ``mandatory`` or ``advisory``."""
    unused_waivers: list[Any] = field(default_factory=list)
    """Waivers that matched no violation (to be deleted)."""
    coverage: Any = None
    """``mlinfra.coverage.Coverage``: the resource types no rule examined (None when not computed)."""

    @property
    def mandatory(self) -> int:
        return sum(v.mandatory for v in self.violations)

    @property
    def advisory(self) -> int:
        return len(self.violations) - self.mandatory


def exit_code(result: ReviewResult) -> int:
    """0 when no mandatory violation, 1 otherwise (bad input, 2, is raised as MlinfraError before)."""
    return 1 if result.mandatory else 0
