"""Feature-group definitions as data: the ``FeatureGroupSpec`` model and its YAML files.

An ML team describes one feature group per file, ``<spec dir>/<name>.yaml``::

    name: customer-profile
    description: Profile features per customer
    recordIdentifier: customer_id
    eventTime: event_time
    classification: confidential
    features:
      - {name: customer_id, type: String}
      - {name: event_time, type: Fractional}
      - {name: email, type: String, pii: true}
    online: {storageType: Standard, ttl: {value: 30, unit: Days}}
    offline: {tableFormat: Iceberg}

Validation follows SageMaker's own limits (names, types, collection rules) plus the platform's:
PII needs an online TTL and a classification of at least ``confidential``; an ``InMemory`` online
store has no offline store (SageMaker does not replicate it to one). Every error names the file
and the field.
"""

from __future__ import annotations

from enum import Enum
from pathlib import Path
from typing import Literal, Mapping, Optional, Sequence, get_args

import yaml
from pydantic import Field, ValidationError, field_validator, model_validator

from components.common import CLASSIFICATION_TAG, Classification
from components.sections import Section, format_validation_error
from components.errors import ConfigError

#: SageMaker's pattern for feature and feature-group names.
NAME_PATTERN = r"^[a-zA-Z0-9]([_-]*[a-zA-Z0-9]){0,63}$"
#: Names SageMaker reserves for the offline store's own columns.
RESERVED_FEATURE_NAMES = ("is_deleted", "write_time", "api_invocation_time")
#: SageMaker accepts at most this many features per group and this vector dimension.
MAX_FEATURES = 2500
MAX_VECTOR_DIMENSION = 8192
#: Online storage types and offline table formats (SageMaker's); only a new group can change them.
StorageType = Literal["Standard", "InMemory"]
TableFormat = Literal["Glue", "Iceberg"]
STORAGE_TYPES: tuple[str, ...] = get_args(StorageType)
TABLE_FORMATS: tuple[str, ...] = get_args(TableFormat)
#: Tag saying whether a group holds personal data (the component sets it; the policies and the
#: ``FeatureAdditions`` provider read it).
PII_TAG = "contains-pii"


def is_restricted(classification: str, contains_pii: bool) -> bool:
    """The one rule for the restricted key and bucket: restricted data, or any personal data."""
    return classification == Classification.RESTRICTED.value or contains_pii


def restricted_by_tags(tags: Mapping[str, str]) -> bool:
    """``is_restricted`` for a group's tags as SageMaker reports them (``data-classification``, ``contains-pii``)."""
    classification = tags.get(CLASSIFICATION_TAG, "").strip().lower()
    return is_restricted(classification, tags.get(PII_TAG, "").strip().lower() == "true")


class FeatureType(str, Enum):
    INTEGRAL = "Integral"
    FRACTIONAL = "Fractional"
    STRING = "String"


class CollectionType(str, Enum):
    LIST = "List"
    SET = "Set"
    VECTOR = "Vector"


class FeatureSpecError(ConfigError):
    """A feature-group definition is invalid, or an environment enables one that does not exist."""


class FeatureSpec(Section):
    """One feature (a column): its name, value type, optional collection type and PII flag."""

    name: str = Field(pattern=NAME_PATTERN)
    type: FeatureType
    #: ``List``, ``Set`` or ``Vector``; collections need the ``InMemory`` online store.
    collection: Optional[CollectionType] = None
    #: Number of elements of a ``Vector`` (1-8192); only for vectors.
    dimension: Optional[int] = Field(default=None, ge=1, le=MAX_VECTOR_DIMENSION)
    #: The feature holds personal data: the group then needs an online TTL and the restricted key.
    pii: bool = False
    description: str = ""

    @field_validator("name")
    @classmethod
    def _not_reserved(cls, value: str) -> str:
        if value.lower() in RESERVED_FEATURE_NAMES:
            raise ValueError(f"is reserved by SageMaker (reserved: {', '.join(RESERVED_FEATURE_NAMES)})")
        return value

    @model_validator(mode="after")
    def _collection_rules(self) -> "FeatureSpec":
        if self.collection is CollectionType.VECTOR:
            if self.type is not FeatureType.FRACTIONAL:
                raise ValueError(f"feature {self.name!r}: a Vector holds Fractional values, not {self.type.value}")
            if self.dimension is None:
                raise ValueError(f"feature {self.name!r}: a Vector needs a dimension (1-{MAX_VECTOR_DIMENSION})")
        elif self.dimension is not None:
            raise ValueError(f"feature {self.name!r}: dimension is only valid for collection: Vector")
        return self


class TtlSpec(Section):
    """How long an online record lives after its event time before SageMaker deletes it."""

    value: int = Field(ge=1)
    unit: Literal["Seconds", "Minutes", "Hours", "Days", "Weeks"] = "Days"


class OnlineStoreSpec(Section):
    """The online (low-latency) store. Present in a spec means enabled unless ``enabled: false``."""

    enabled: bool = True
    #: ``Standard`` (default, cheaper) or ``InMemory`` (lowest latency; needed for collections; no
    #: offline store: SageMaker does not replicate InMemory records to one).
    storage_type: StorageType = "Standard"
    #: Record expiry; required when any feature is PII.
    ttl: Optional[TtlSpec] = None


class OfflineStoreSpec(Section):
    """The offline (historical, S3 + Glue) store. Present in a spec means enabled unless ``enabled: false``."""

    enabled: bool = True
    #: ``Glue`` (default) or ``Iceberg`` (compaction, time travel).
    table_format: TableFormat = "Glue"


class FeatureGroupSpec(Section):
    """A feature group as an ML team declares it; see the module docstring for the file format."""

    name: str = Field(pattern=NAME_PATTERN)
    description: str = Field(default="", max_length=128)
    record_identifier: str
    event_time: str
    classification: Classification = Classification.CONFIDENTIAL
    features: list[FeatureSpec] = Field(min_length=1, max_length=MAX_FEATURES)
    #: Online store; default ``Standard`` without TTL. ``null`` or ``enabled: false`` turns it off.
    online: Optional[OnlineStoreSpec] = Field(default_factory=OnlineStoreSpec)
    #: Offline store; default ``Glue`` table format. ``null`` or ``enabled: false`` turns it off.
    offline: Optional[OfflineStoreSpec] = Field(default_factory=OfflineStoreSpec)
    #: Accept replacing the group (losing its online records and offline data) when a feature is
    #: removed or its type changes, or a store setting only a new group can have changes (online or
    #: offline store on/off, storage type, table format, the key). Leave false; set it for one
    #: deployment only.
    allow_replacement: bool = False

    @model_validator(mode="after")
    def _consistent(self) -> "FeatureGroupSpec":
        names = [feature.name for feature in self.features]
        duplicates = sorted({name for name in names if names.count(name) > 1})
        if duplicates:
            raise ValueError(f"features: duplicate names: {', '.join(duplicates)}")
        by_name = {feature.name: feature for feature in self.features}
        for role, name in (("recordIdentifier", self.record_identifier), ("eventTime", self.event_time)):
            if name not in by_name:
                raise ValueError(f"{role} = {name!r}: is not one of the features ({', '.join(names)})")
            if by_name[name].collection is not None:
                raise ValueError(f"{role} = {name!r}: cannot be a collection feature")
        if by_name[self.event_time].type is FeatureType.INTEGRAL:
            raise ValueError(f"eventTime = {self.event_time!r}: must be a String (ISO-8601) or Fractional "
                             "(Unix seconds) feature, not Integral")
        if not self.online_enabled and not self.offline_enabled:
            raise ValueError("online, offline: enable the online store, the offline store or both")
        collections = [f.name for f in self.features if f.collection is not None]
        if collections and not (self.online_enabled and self.online.storage_type == "InMemory"):
            raise ValueError(f"online.storageType: collection features ({', '.join(collections)}) need InMemory")
        vectors = [f.name for f in self.features if f.collection is CollectionType.VECTOR]
        if len(vectors) > 1:
            raise ValueError(f"features: at most one Vector feature per group (have {', '.join(vectors)})")
        if self.online_enabled and self.online.storage_type == "InMemory" and self.offline_enabled:
            raise ValueError("offline: SageMaker does not replicate an InMemory online store to an offline store; "
                             "set offline: null (or enabled: false), or use online.storageType: Standard")
        if self.pii_features:
            pii = ", ".join(self.pii_features)
            if self.classification.rank < Classification.CONFIDENTIAL.rank:
                raise ValueError(f"classification = {self.classification.value!r}: PII features ({pii}) need "
                                 "confidential or restricted")
            if self.online_enabled and self.online.ttl is None:
                raise ValueError(f"online.ttl is required: PII features ({pii}) must expire from the online store")
        return self

    @property
    def online_enabled(self) -> bool:
        return self.online is not None and self.online.enabled

    @property
    def offline_enabled(self) -> bool:
        return self.offline is not None and self.offline.enabled

    @property
    def pii_features(self) -> list[str]:
        return [feature.name for feature in self.features if feature.pii]

    @property
    def restricted(self) -> bool:
        """Held under the restricted key and bucket: restricted data, or any PII (``is_restricted``)."""
        return is_restricted(self.classification.value, bool(self.pii_features))

    @property
    def tier_tags(self) -> dict[str, str]:
        """The tags ``restricted_by_tags`` reads back: the classification and whether there is PII."""
        return {CLASSIFICATION_TAG: self.classification.value, PII_TAG: "true" if self.pii_features else "false"}


def parse_spec(text: str, source: str) -> FeatureGroupSpec:
    """One spec from YAML text; ``FeatureSpecError`` naming ``source`` and the field."""
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise FeatureSpecError(f"{source}: not valid YAML ({exc})") from None
    if not isinstance(data, dict):
        raise FeatureSpecError(f"{source}: must be a mapping of fields (name, recordIdentifier, features, ...)")
    try:
        return FeatureGroupSpec.model_validate(data)
    except ValidationError as exc:
        raise FeatureSpecError(format_validation_error(exc, source, unknown="field", show_objects=False)) from None


def load_specs(spec_dir: Path, names: Optional[Sequence[str]] = None, *, display_root: Optional[Path] = None
               ) -> list[FeatureGroupSpec]:
    """The specs in ``spec_dir`` (every ``*.yaml``, or only ``names``), sorted by name.

    Each file must be named after its group (``<name>.yaml``). ``display_root`` makes the paths in
    error messages relative (e.g. to the repository root).
    """
    files = sorted(spec_dir.glob("*.yaml"))
    available = {path.stem: path for path in files}
    if names is not None:
        unknown = [name for name in names if name not in available]
        if unknown:
            raise FeatureSpecError(
                f"feature groups {', '.join(map(repr, unknown))} have no spec in {_shown(spec_dir, display_root)}; "
                f"available: {', '.join(sorted(available)) or 'none'}")
        files = [available[name] for name in names]
    specs = []
    for path in files:
        source = _shown(path, display_root)
        spec = parse_spec(path.read_text(), source)
        if spec.name != path.stem:
            raise FeatureSpecError(f"{source}: name = {spec.name!r}: must match the file name ({path.stem!r})")
        specs.append(spec)
    return sorted(specs, key=lambda spec: spec.name)


def _shown(path: Path, root: Optional[Path]) -> str:
    if root is not None:
        try:
            return str(path.resolve().relative_to(root.resolve()))
        except ValueError:
            pass
    return str(path)
