"""Feature-group schemas and how they may evolve.

SageMaker can add features to a group in place (``UpdateFeatureGroup`` with ``FeatureAdditions``)
but cannot remove a feature, change its type or change the record identifier or event time: those
need a new group, and replacing a group deletes its online records and its offline store (the S3
data and the Glue table). ``schema_change`` classifies a change; ``check_evolution`` refuses a
destructive one unless the spec allows replacement.

A schema is kept as plain JSON-ready dicts (``GroupSchema.to_json``) because the same shape lives in
three places: the lock file of deployed schemas, the dynamic resource's inputs and state, and the
stack output the lock is refreshed from.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from typing import Any, Mapping, Optional, Sequence

from mlinfra.errors import ConfigError


class SchemaEvolutionError(ConfigError):
    """A feature-group change would lose data and the spec does not allow replacement."""


@dataclass(frozen=True)
class Column:
    """One feature as SageMaker stores it: name, value type and collection shape."""

    name: str
    type: str
    collection: Optional[str] = None
    dimension: Optional[int] = None

    @property
    def shape(self) -> str:
        """Readable type, e.g. ``String``, ``List<Integral>``, ``Vector<Fractional>[128]``."""
        if self.collection is None:
            return self.type
        return f"{self.collection}<{self.type}>" + (f"[{self.dimension}]" if self.dimension else "")

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {"name": self.name, "type": self.type}
        if self.collection is not None:
            data["collection"] = self.collection
        if self.dimension is not None:
            data["dimension"] = self.dimension
        return data

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> "Column":
        dimension = data.get("dimension")
        # Pulumi's wire format turns ints into floats.
        return cls(name=str(data["name"]), type=str(data["type"]), collection=data.get("collection") or None,
                   dimension=int(dimension) if dimension is not None else None)

    def to_sagemaker(self) -> dict[str, Any]:
        """A ``FeatureDefinition`` of the SageMaker API."""
        definition: dict[str, Any] = {"FeatureName": self.name, "FeatureType": self.type}
        if self.collection is not None:
            definition["CollectionType"] = self.collection
        if self.dimension is not None:
            definition["CollectionConfig"] = {"VectorConfig": {"Dimension": self.dimension}}
        return definition

    @classmethod
    def from_sagemaker(cls, definition: Mapping[str, Any]) -> "Column":
        dimension = definition.get("CollectionConfig", {}).get("VectorConfig", {}).get("Dimension")
        return cls(name=definition["FeatureName"], type=definition["FeatureType"],
                   collection=definition.get("CollectionType"), dimension=dimension)


@dataclass(frozen=True)
class GroupSchema:
    """What replacing a group would change: its identity features and its columns, in order."""

    record_identifier: str
    event_time: str
    features: tuple[Column, ...] = field(default_factory=tuple)

    def to_json(self) -> dict[str, Any]:
        return {"recordIdentifier": self.record_identifier, "eventTime": self.event_time,
                "features": [column.to_json() for column in self.features]}

    @property
    def fingerprint(self) -> str:
        """8 hex digits that change with the identity features or any column, not with column order."""
        canonical = {**self.to_json(), "features": sorted((c.to_json() for c in self.features), key=lambda c: c["name"])}
        return hashlib.sha256(json.dumps(canonical, sort_keys=True).encode()).hexdigest()[:8]

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> "GroupSchema":
        return cls(record_identifier=str(data["recordIdentifier"]), event_time=str(data["eventTime"]),
                   features=tuple(Column.from_json(item) for item in data["features"]))

    @classmethod
    def from_spec(cls, spec) -> "GroupSchema":
        """The schema a ``FeatureGroupSpec`` declares."""
        return cls(
            record_identifier=spec.record_identifier,
            event_time=spec.event_time,
            features=tuple(Column(name=f.name, type=f.type.value, collection=f.collection.value if f.collection else None,
                                  dimension=f.dimension) for f in spec.features),
        )

    @classmethod
    def from_sagemaker(cls, description: Mapping[str, Any]) -> "GroupSchema":
        """The schema in a ``DescribeFeatureGroup`` response."""
        return cls(record_identifier=description["RecordIdentifierFeatureName"],
                   event_time=description["EventTimeFeatureName"],
                   features=tuple(Column.from_sagemaker(d) for d in description["FeatureDefinitions"]))


@dataclass(frozen=True)
class SchemaChange:
    """The difference between a deployed schema and a desired one."""

    added: tuple[Column, ...] = ()
    removed: tuple[Column, ...] = ()
    #: (deployed, desired) pairs for features whose type or collection shape differs.
    retyped: tuple[tuple[Column, Column], ...] = ()
    #: ("recordIdentifier" or "eventTime", deployed, desired) for changed identity features.
    identity: tuple[tuple[str, str, str], ...] = ()

    @property
    def destructive(self) -> bool:
        """Only a new group can apply it: SageMaker cannot remove, retype or re-key in place."""
        return bool(self.removed or self.retyped or self.identity)

    @property
    def empty(self) -> bool:
        return not (self.added or self.destructive)

    def describe_loss(self) -> str:
        """What the destructive part changes, in words, e.g. ``removes age (Integral); ...``."""
        parts = []
        if self.removed:
            parts.append("removes " + ", ".join(f"{c.name} ({c.shape})" for c in self.removed))
        if self.retyped:
            parts.append("changes the type of " + ", ".join(
                f"{old.name} ({old.shape} -> {new.shape})" for old, new in self.retyped))
        for role, old, new in self.identity:
            parts.append(f"changes {role} from {old} to {new}")
        return "; ".join(parts)


def schema_change(deployed: GroupSchema, desired: GroupSchema) -> SchemaChange:
    """Classify the change from ``deployed`` to ``desired``."""
    before = {column.name: column for column in deployed.features}
    after = {column.name: column for column in desired.features}
    identity = tuple(
        (role, old, new)
        for role, old, new in (("recordIdentifier", deployed.record_identifier, desired.record_identifier),
                               ("eventTime", deployed.event_time, desired.event_time))
        if old != new
    )
    return SchemaChange(
        added=tuple(column for name, column in after.items() if name not in before),
        removed=tuple(column for name, column in before.items() if name not in after),
        retyped=tuple((before[name], after[name]) for name in before if name in after and before[name] != after[name]),
        identity=identity,
    )


def refusal(group: str, change: SchemaChange, *, source: str = "") -> str:
    """The message for a destructive change that the spec does not allow."""
    where = f" ({source})" if source else ""
    return (
        f"feature group {group!r}{where}: the change {change.describe_loss()}. SageMaker cannot do that in "
        "place: the group would be replaced, deleting its online records and its offline store data "
        "(the S3 objects and the Glue table). Restore the deployed definition and add new features under "
        "new names, or set allowReplacement: true in the spec to accept the loss."
    )


def check_evolution(group: str, deployed: Optional[GroupSchema], desired: GroupSchema, *,
                    allow_replacement: bool, source: str = "") -> SchemaChange:
    """The change from the deployed schema; ``SchemaEvolutionError`` if it loses data and is not allowed.

    ``deployed`` is None for a group that was never deployed: everything is an addition.
    """
    if deployed is None:
        return SchemaChange(added=desired.features)
    change = schema_change(deployed, desired)
    if change.destructive and not allow_replacement:
        raise SchemaEvolutionError(refusal(group, change, source=source))
    return change


def check_retired(deployed_groups: Sequence[str], enabled_groups: Sequence[str], *, lock_source: str) -> None:
    """Refuse dropping a deployed group from the environment: Pulumi would delete it with its data."""
    retired = sorted(set(deployed_groups) - set(enabled_groups))
    if retired:
        raise SchemaEvolutionError(
            f"feature groups {', '.join(map(repr, retired))} are deployed ({lock_source}) but no longer enabled: "
            "deleting a group deletes its online records and its offline store data. Enable them again, or, to "
            f"delete them on purpose, remove their entries from {lock_source} in the same pull request."
        )
