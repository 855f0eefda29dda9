"""Waivers, shared by the offline reviewer and the packs: the model of ``policies/config/<env>/waivers.yaml``.

``mlinfra.waivers`` reads the file strictly (a malformed file is bad input with one message) and
the reviewer reports what it waived. Under the Pulumi CLI, which knows nothing of waivers, each
pack applies them itself through ``honor_waivers`` when the environment variable
``MLINFRA_PACK_WAIVERS`` is ``on`` (the deploy workflow sets it): a violation a valid, unexpired
waiver matches is then not reported to the engine, so it does not stop ``pulumi up``. Without the
variable, or when the file is missing or malformed, a pack waives nothing (fail closed). The
offline reviewer never sets it: it needs every violation to report the waived ones.
"""

from __future__ import annotations

import datetime as dt
import os
from fnmatch import fnmatchcase
from pathlib import Path
from typing import Any, Callable, Optional, Protocol, Sequence

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

FILE_NAME = "waivers.yaml"
#: Set to ``on`` for the packs to apply the waivers (``pulumi preview|up`` in the deploy workflow).
PACK_WAIVERS_VARIABLE = "MLINFRA_PACK_WAIVERS"


class _ViolationLike(Protocol):
    pack: str
    policy: str
    urn: str


class Waiver(BaseModel):
    """One accepted violation: which policy, on which resources, why, whose, until when."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    #: The policy's name, or ``<pack>/<policy>`` to waive it in one pack only.
    policy: str = Field(min_length=1, pattern=r"^([A-Za-z0-9_.-]+/)?[a-z0-9][a-z0-9-]*$")
    #: A resource URN, or an fnmatch glob on URNs (``*``, ``?``, ``[...]``).
    resource: str = Field(min_length=1)
    reason: str = Field(min_length=1)
    #: Who answers for the waiver (a team or a person; an e-mail address is best).
    owner: str = Field(min_length=1)
    #: The last day the waiver holds (YYYY-MM-DD).
    expires: dt.date

    @field_validator("reason", "owner", "resource")
    @classmethod
    def _not_blank(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("must not be blank")
        return value

    def matches(self, violation: _ViolationLike) -> bool:
        pack, _, name = self.policy.rpartition("/")
        if name != violation.policy or (pack and pack != violation.pack):
            return False
        return violation.urn == self.resource or fnmatchcase(violation.urn, self.resource)

    def expired(self, today: dt.date) -> bool:
        return today > self.expires

    @property
    def label(self) -> str:
        return f"{self.policy} on {self.resource} (owner {self.owner}, expires {self.expires.isoformat()})"


class WaiverFile(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    waivers: list[Waiver] = Field(default_factory=list)


class _Loader(yaml.SafeLoader):
    """YAML without implicit timestamps: ``expires`` stays text and pydantic judges it (a day that
    does not exist, such as 2026-02-30, is then a clear message, not a crash in the YAML parser)."""


_Loader.yaml_implicit_resolvers = {
    key: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for key, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}




def _stack_of(urn: Optional[str]) -> Optional[str]:
    if isinstance(urn, str) and urn.startswith("urn:pulumi:"):
        return urn.split("::", 1)[0].rsplit(":", 1)[-1]
    return None


class PackWaivers:
    """The waivers a pack applies, per stack, read once from ``<config root>/<stack>/waivers.yaml``."""

    def __init__(self, pack: str, config_root: Path, today: Optional[dt.date] = None) -> None:
        self.pack = pack
        self.config_root = Path(config_root)
        self.today = today or dt.date.today()
        self._by_stack: dict[str, tuple[Waiver, ...]] = {}

    def waivers(self, stack: Optional[str]) -> tuple[Waiver, ...]:
        if not stack:
            return ()
        if stack not in self._by_stack:
            self._by_stack[stack] = self._read(self.config_root / stack / FILE_NAME)
        return self._by_stack[stack]

    def _read(self, path: Path) -> tuple[Waiver, ...]:
        try:
            document = yaml.load(path.read_text(encoding="utf-8"), Loader=_Loader)  # noqa: S506 (a SafeLoader)
            parsed = WaiverFile.model_validate(document or {})
        except (OSError, UnicodeDecodeError, yaml.YAMLError, ValidationError, ValueError, RecursionError):
            return ()  # missing or malformed: waive nothing (the offline review reports the file)
        return tuple(w for w in parsed.waivers if not w.expired(self.today))

    def waived(self, policy: str, urn: Optional[str]) -> bool:
        violation = _Reported(self.pack, policy, urn or "")
        return any(w.matches(violation) for w in self.waivers(_stack_of(urn)))


class _Reported:
    def __init__(self, pack: str, policy: str, urn: str) -> None:
        self.pack, self.policy, self.urn = pack, policy, urn


def honor_waivers(policies: Sequence[Any], pack: str, config_root: Path) -> list[Any]:
    """``policies`` with each ``validate`` wrapped to drop the reports a valid waiver matches, when
    ``MLINFRA_PACK_WAIVERS=on``; else ``policies`` unchanged."""
    policies = list(policies)
    if os.environ.get(PACK_WAIVERS_VARIABLE) != "on":
        return policies
    waivers = PackWaivers(pack, config_root)
    for policy in policies:
        policy.validate = _waiving(policy, policy.validate, waivers)
    return policies


def _waiving(policy: Any, validate: Callable[..., Any], waivers: PackWaivers) -> Callable[..., Any]:
    def wrapped(args: Any, report_violation: Callable[..., None]) -> Any:
        default_urn = getattr(args, "urn", None)
        if default_urn is None:  # a stack policy: its reports without a URN fall on the stack
            resources = getattr(args, "resources", None) or []
            default_urn = next((r.urn for r in resources if r.resource_type == "pulumi:pulumi:Stack"), None)

        def report(message: str, urn: Optional[str] = None) -> None:
            if not waivers.waived(policy.name, urn or default_urn):
                report_violation(message, urn)

        return validate(args, report)

    return wrapped
