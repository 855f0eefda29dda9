"""The model of ``policies/config/<env>/waivers.yaml`` (pydantic): read by ``mlinfra.waivers`` for the
offline reviewer, and by ``policies.waivers`` in a pack only when it applies waivers (imported there
on first use, so packs that apply none never import pydantic)."""

from __future__ import annotations

import datetime as dt
from fnmatch import fnmatchcase
from typing import Protocol

import yaml
from pydantic import BaseModel, ConfigDict, Field, field_validator


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
