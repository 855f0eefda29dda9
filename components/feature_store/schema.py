"""Feature-group schemas and store settings, and how they may evolve.

SageMaker can add features to a group in place (``UpdateFeatureGroup`` with ``FeatureAdditions``)
but cannot remove a feature, change its type or change the record identifier or event time: those
need a new group, and replacing a group deletes its online records and its offline store (the S3
data and the Glue table). The same holds for the store settings (``StoreSettings``): turning the
online or offline store on or off, the online storage type, the offline table format and the KMS key
(the restricted key or the standard one) are fixed at creation. ``schema_change`` and
``store_change`` classify a change; ``check_evolution`` refuses one that only a new group can make
unless the spec allows replacement, with one message (``refusal``) for both kinds.

Schemas and store settings are kept as plain JSON-ready dicts (``DeployedGroup.to_json``) because
the same shape lives in three places: the lock file of deployed groups, the dynamic resource's
inputs and state, and the stack output the lock is refreshed from.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from typing import Any, Mapping, Optional, Sequence

from components.feature_store.spec import STORAGE_TYPES, TABLE_FORMATS, restricted_by_tags
from components.errors import ConfigError


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


@dataclass(frozen=True)
class StoreSettings:
    """The settings of a group's stores that SageMaker fixes at creation (only a new group can change them).

    ``online_storage_type`` is None without an online store, ``offline_table_format`` None without an
    offline store; ``restricted`` says the group is held under the restricted key (restricted
    classification or any PII, ``spec.is_restricted``).
    """

    online_storage_type: Optional[str]
    offline_table_format: Optional[str]
    restricted: bool

    @property
    def online(self) -> bool:
        return self.online_storage_type is not None

    @property
    def offline(self) -> bool:
        return self.offline_table_format is not None

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {"onlineStore": self.online}
        if self.online:
            data["storageType"] = self.online_storage_type
        data["offlineStore"] = self.offline
        if self.offline:
            data["tableFormat"] = self.offline_table_format
        data["restricted"] = self.restricted
        return data

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> "StoreSettings":
        """The settings in their JSON form; ``ValueError``/``TypeError`` for anything else (a malformed lock)."""
        if not isinstance(data, Mapping):
            raise TypeError(f"store settings must be a mapping, not {data!r}")
        flags = {}
        for key in ("onlineStore", "offlineStore", "restricted"):
            if not isinstance(data[key], bool):
                raise TypeError(f"store.{key} must be true or false, not {data[key]!r}")
            flags[key] = data[key]
        storage_type = data.get("storageType") if flags["onlineStore"] else None
        if flags["onlineStore"] and storage_type not in STORAGE_TYPES:
            raise ValueError(f"store.storageType must be one of {', '.join(STORAGE_TYPES)}, not {storage_type!r}")
        table_format = data.get("tableFormat") if flags["offlineStore"] else None
        if flags["offlineStore"] and table_format not in TABLE_FORMATS:
            raise ValueError(f"store.tableFormat must be one of {', '.join(TABLE_FORMATS)}, not {table_format!r}")
        return cls(online_storage_type=storage_type, offline_table_format=table_format,
                   restricted=flags["restricted"])

    @classmethod
    def from_spec(cls, spec) -> "StoreSettings":
        """The settings a ``FeatureGroupSpec`` declares."""
        return cls(online_storage_type=spec.online.storage_type if spec.online_enabled else None,
                   offline_table_format=spec.offline.table_format if spec.offline_enabled else None,
                   restricted=spec.restricted)

    @classmethod
    def from_sagemaker(cls, description: Mapping[str, Any], tags: Mapping[str, str]) -> "StoreSettings":
        """The settings in a ``DescribeFeatureGroup`` response and the group's tags (``ListTags``).

        A missing ``StorageType`` is ``Standard`` and a missing ``TableFormat`` is ``Glue``, SageMaker's
        defaults. The key's tier cannot be told from its ARN: it is read from the tags the component
        sets (``data-classification``, ``contains-pii``) with the rule the specs use.
        """
        online = description.get("OnlineStoreConfig") or {}
        offline = description.get("OfflineStoreConfig")
        return cls(
            online_storage_type=(online.get("StorageType") or "Standard") if online.get("EnableOnlineStore") else None,
            offline_table_format=(offline.get("TableFormat") or "Glue") if offline else None,
            restricted=restricted_by_tags(tags),
        )


@dataclass(frozen=True)
class StoreChange:
    """The store settings a change alters, in words; each one needs a new group."""

    parts: tuple[str, ...] = ()

    @property
    def replacing(self) -> bool:
        return bool(self.parts)

    def describe(self) -> str:
        return "; ".join(self.parts)


def store_change(deployed: Optional[StoreSettings], desired: Optional[StoreSettings]) -> StoreChange:
    """What changes from ``deployed`` to ``desired``; nothing when either is unknown (a version-1 lock)."""
    if deployed is None or desired is None:
        return StoreChange()
    parts = []
    for store, old, new, setting in (("online", deployed.online_storage_type, desired.online_storage_type,
                                      "online storage type"),
                                     ("offline", deployed.offline_table_format, desired.offline_table_format,
                                      "offline table format")):
        if (old is None) != (new is None):
            parts.append(f"turns the {store} store {'on' if new is not None else 'off'}")
        elif old != new:
            parts.append(f"changes the {setting} from {old} to {new}")
    if deployed.restricted != desired.restricted:
        parts.append("moves the group to the restricted key (its first PII feature or restricted classification)"
                     if desired.restricted else
                     "moves the group off the restricted key to the standard one (no PII feature and no "
                     "restricted classification left)")
    return StoreChange(tuple(parts))


@dataclass(frozen=True)
class GroupChange:
    """A schema change and a store change together: what ``check_evolution`` and the provider's diff judge."""

    schema: SchemaChange = field(default_factory=SchemaChange)
    store: StoreChange = field(default_factory=StoreChange)

    @property
    def added(self) -> tuple[Column, ...]:
        return self.schema.added

    @property
    def destructive(self) -> bool:
        """Only a new group can apply it: the schema change is destructive or a store setting changes."""
        return self.schema.destructive or self.store.replacing

    @property
    def empty(self) -> bool:
        return self.schema.empty and not self.store.replacing

    def describe_loss(self) -> str:
        """Everything that needs a new group, in words, schema first: ``removes age (Integral); turns ...``."""
        return "; ".join(part for part in (self.schema.describe_loss(), self.store.describe()) if part)


@dataclass(frozen=True)
class DeployedGroup:
    """What the lock records per group: the schema and, since lock version 2, the store settings."""

    schema: GroupSchema
    #: None when unknown: a version-1 lock, or state recorded before store settings were.
    store: Optional[StoreSettings] = None

    def to_json(self) -> dict[str, Any]:
        data = self.schema.to_json()
        if self.store is not None:
            data["store"] = self.store.to_json()
        return data

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> "DeployedGroup":
        """A group in its JSON form, with its store settings (``KeyError`` without them)."""
        return cls(schema=GroupSchema.from_json(data), store=StoreSettings.from_json(data["store"]))


def table_fingerprint(schema: GroupSchema, store: StoreSettings) -> str:
    """8 hex digits for a group's Glue table: they change with the schema (``GroupSchema.fingerprint``)
    and with any store setting, i.e. with everything that replaces the group.

    SageMaker keeps a deleted group's Glue table, so the group that replaces it needs a table of
    another name, whether a schema change or a store change (another table format or key, a store
    turned on or off) replaced it.
    """
    canonical = {"schema": schema.fingerprint, "store": store.to_json()}
    return hashlib.sha256(json.dumps(canonical, sort_keys=True).encode()).hexdigest()[:8]


#: How to avoid each kind of replacement, in the refusal's closing sentence.
_REMEDIES = {
    "schema": "restore the deployed definition and add new features under new names",
    "store": "keep the deployed store settings and create a new group under a new name for the new ones",
}


def refusal(group: str, change: GroupChange, *, source: str = "") -> str:
    """The message for a change only a new group can make (schema, store or both) that the spec does not allow."""
    where = f" ({source})" if source else ""
    remedies = [_REMEDIES[kind] for kind, present in (("schema", change.schema.destructive),
                                                       ("store", change.store.replacing)) if present]
    ways_out = ", ".join(remedies + ["or set allowReplacement: true in the spec to accept the loss."])
    return (
        f"feature group {group!r}{where}: the change {change.describe_loss()}. SageMaker cannot do that in "
        "place: the group would be replaced, deleting its online records and its offline store data "
        f"(the S3 objects and the Glue table). {ways_out[0].upper()}{ways_out[1:]}"
    )


def check_evolution(group: str, deployed: Optional[GroupSchema], desired: GroupSchema, *,
                    allow_replacement: bool, source: str = "", deployed_store: Optional[StoreSettings] = None,
                    desired_store: Optional[StoreSettings] = None) -> GroupChange:
    """The change from the deployed group; ``SchemaEvolutionError`` if only a new group can make it and
    the spec does not allow replacement.

    ``deployed`` is None for a group that was never deployed: everything is an addition. The store
    settings are compared only when both are known (a version-1 lock records none).
    """
    if deployed is None:
        return GroupChange(schema=SchemaChange(added=desired.features))
    change = GroupChange(schema=schema_change(deployed, desired), store=store_change(deployed_store, desired_store))
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
