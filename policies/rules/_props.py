"""Reading resource properties tolerantly: unknowns, secrets, proxies, provider settings, tags, region.

Rules see resource properties through ``pulumi_policy``'s unknown-checking proxy: nested mappings
and lists are ``Mapping``/``Sequence`` proxies (not ``dict``/``list``), and reading a value that is
unknown during preview raises ``UnknownValueError``. The helpers here never raise for a missing,
``None`` or unknown value: they return a default or the ``UNKNOWN`` sentinel, so a rule can say
"cannot judge yet" instead of crashing or reporting a false violation. Every helper accepts a
``ResourceValidationArgs`` or a ``PolicyResource`` (anything with ``resource_type``, ``props``,
``provider``) where it says ``subject``.
"""

from __future__ import annotations

import functools
import json
import math
import re
from collections.abc import Mapping, Sequence
from fractions import Fraction
from typing import Any, Iterator, Optional, Protocol

from pulumi_policy.proxy import (
    UNKNOWN_ARCHIVE_VALUE,
    UNKNOWN_ARRAY_VALUE,
    UNKNOWN_ASSET_VALUE,
    UNKNOWN_BOOLEAN_VALUE,
    UNKNOWN_NUMBER_VALUE,
    UNKNOWN_OBJECT_VALUE,
    UNKNOWN_STRING_VALUE,
    UnknownValueError,
    _DictProxy,
    _ListProxy,
)

from policies.rules._secrets import SecretString


# --------------------------------------------------------------------------------------------------
# Unknown values and tolerant reading


class _Unknown:
    """A value that is not known yet (preview). A single instance, ``UNKNOWN``; test with ``is_unknown``."""

    _instance: Optional["_Unknown"] = None

    def __new__(cls) -> "_Unknown":
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "<unknown>"


UNKNOWN: Any = _Unknown()

_UNKNOWN_SENTINELS = frozenset({UNKNOWN_BOOLEAN_VALUE, UNKNOWN_NUMBER_VALUE, UNKNOWN_STRING_VALUE,
                                UNKNOWN_ARRAY_VALUE, UNKNOWN_ASSET_VALUE, UNKNOWN_ARCHIVE_VALUE,
                                UNKNOWN_OBJECT_VALUE})
# Pulumi's signature for a secret value in serialized properties (e.g. a `pulumi stack export`).
_SIG_KEY = "4dabf18193072939515e22adb298388d"
_SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270"


def is_unknown(value: Any) -> bool:
    """True for ``UNKNOWN`` and for Pulumi's raw unknown sentinel strings."""
    return value is UNKNOWN or (isinstance(value, str) and value in _UNKNOWN_SENTINELS)


def _is_sequence(value: Any) -> bool:
    return isinstance(value, Sequence) and not isinstance(value, (str, bytes))


def _item(container: Any, key: Any) -> Any:
    """``container[key]`` with unknowns as ``UNKNOWN``; ``None`` when absent."""
    try:
        value = container[key]
    except UnknownValueError:
        return UNKNOWN
    except (KeyError, IndexError, TypeError):
        return None
    return UNKNOWN if is_unknown(value) else value


def has_key(container: Any, key: str) -> bool:
    """Whether a mapping has ``key``, even if its value is unknown (``key in proxy`` raises for unknowns)."""
    return isinstance(container, Mapping) and any(existing == key for existing in container)


_SCALARS = (int, float, bool, type(None))


def plain(value: Any) -> Any:
    """``value`` as plain ``dict``/``list``/scalars: proxies unwrapped, secrets revealed (a string secret as a
    ``SecretString``, see ``_secrets``), unknowns ``UNKNOWN``.

    The SDK's proxies and plain ``dict``/``list`` are read directly (a proxy's children are proxies
    or scalars, an unknown child is the raw sentinel string); any other mapping or sequence goes
    through ``_plain_mapping_or_sequence``, which reads them through their interface.
    """
    kind = type(value)
    if kind is str:
        return UNKNOWN if value in _UNKNOWN_SENTINELS else value
    if kind in _SCALARS:
        return value
    if kind is _DictProxy or kind is dict:
        target = value["__target"] if kind is _DictProxy else value
        if target.get(_SIG_KEY) == _SECRET_SIG:
            revealed = plain(target.get("value"))
            return SecretString(revealed) if isinstance(revealed, str) and not is_unknown(revealed) else revealed
        return {key: plain(item) for key, item in target.items()}
    if kind is _ListProxy or kind is list:
        return [plain(item) for item in (value["__target"] if kind is _ListProxy else value)]
    return _plain_mapping_or_sequence(value)


def _plain_mapping_or_sequence(value: Any) -> Any:
    if is_unknown(value):
        return UNKNOWN
    if isinstance(value, Mapping):
        if _item(value, _SIG_KEY) == _SECRET_SIG:
            revealed = plain(_item(value, "value"))
            return SecretString(revealed) if isinstance(revealed, str) and not is_unknown(revealed) else revealed
        return {key: plain(_item(value, key)) for key in value}
    if _is_sequence(value):
        return [plain(_item(value, index)) for index in range(len(value))]
    return value


def get(props: Any, *path: Any, default: Any = None) -> Any:
    """The value at ``path`` (keys and list indexes) in ``props`` as plain data.

    Returns ``default`` when any step is missing or ``None``, and ``UNKNOWN`` when any step is unknown.
    ``get(props, "versioningConfiguration", "status")``.
    """
    value = props
    for step in path:
        if is_unknown(value):
            return UNKNOWN
        if value is None or not (isinstance(value, Mapping) or _is_sequence(value)):
            return default
        value = _item(value, step)
    if value is None:
        return default
    return plain(value)


def walk(value: Any, path: Sequence[str], where: str = "") -> Iterator[tuple[str, Any]]:
    """Every value at ``path`` in plain data, with where it is (``a.b[2].c``): a ``"*"`` step goes into
    each item of a list, ``"**"`` into each value of a mapping; a missing or ``None`` step yields
    nothing, an unknown one yields ``UNKNOWN`` where it stands (the caller skips what it cannot judge).
    """
    if not path or is_unknown(value):
        yield where, value
        return
    step, rest = path[0], path[1:]
    if step == "*":
        for index, item in enumerate(value if isinstance(value, list) else []):
            yield from walk(item, rest, f"{where}[{index}]")
    elif step == "**":
        for key, item in (value.items() if isinstance(value, dict) else []):
            yield from walk(item, rest, f"{where}.{key}")
    elif isinstance(value, dict) and value.get(step) is not None:
        yield from walk(value[step], rest, f"{where}.{step}" if where else step)


def single(value: Any) -> Any:
    """A nested block as the provider writes it, a list of at most one (``tracingConfig``,
    ``environment``): its one element; the value itself when it is not a list; None for a list of any
    other length."""
    if isinstance(value, list):
        return value[0] if len(value) == 1 else None
    return value


def as_list(value: Any) -> Any:
    """A list from a value that may be ``None`` (``[]``), one item (``[item]``) or a sequence; keeps ``UNKNOWN``."""
    if is_unknown(value):
        return UNKNOWN
    if value is None:
        return []
    if _is_sequence(value):
        return [plain(_item(value, index)) for index in range(len(value))]
    return [plain(value)]


def as_bool(value: Any) -> Any:
    """``True``/``False`` from a bool or a ``"true"``/``"false"`` string; ``None`` if absent or other; keeps ``UNKNOWN``."""
    if is_unknown(value):
        return UNKNOWN
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in ("true", "false"):
        return value.strip().lower() == "true"
    return None


def as_int(value: Any) -> Any:
    """An ``int`` from an int, an integral float (protobuf numbers) or a digit string; ``None`` otherwise; keeps ``UNKNOWN``."""
    if is_unknown(value):
        return UNKNOWN
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str) and value.strip().lstrip("-").isdigit():
        return int(value.strip())
    return None


#: A Kubernetes resource.Quantity (apimachinery pkg/api/resource/quantity.go): a signed decimal number and a
#: binary-SI (Ki..Ei), decimal-SI (m, k, M..E) or decimal-exponent (e3, E-2) suffix.
_QUANTITY = re.compile(r"([+-]?(?:\d+\.?\d*|\.\d+))(Ki|Mi|Gi|Ti|Pi|Ei|m|k|M|G|T|P|E|[eE][+-]?\d+)?")
_QUANTITY_SUFFIXES = {None: 1, "m": Fraction(1, 1000), "k": 10**3, "M": 10**6, "G": 10**9, "T": 10**12,
                      "P": 10**15, "E": 10**18, "Ki": 2**10, "Mi": 2**20, "Gi": 2**30, "Ti": 2**40, "Pi": 2**50,
                      "Ei": 2**60}


def as_count(value: Any) -> Any:
    """The whole number of units a Kubernetes quantity (``8``, ``"8"``, ``"1k"``, ``"1e3"``, ``"1500m"``)
    allows, rounded down; ``None`` for what is not a quantity; keeps ``UNKNOWN``."""
    if is_unknown(value):
        return UNKNOWN
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return math.floor(value) if math.isfinite(value) else None
    match = _QUANTITY.fullmatch(value.strip()) if isinstance(value, str) else None
    if match is None:
        return None
    number, suffix = Fraction(match.group(1)), match.group(2)
    if suffix and suffix[0] in "eE":
        exponent = int(suffix[1:])
        if abs(exponent) > 18:  # beyond what the API server stores (int64 values, exponents E..n)
            return None
        return math.floor(number * Fraction(10) ** exponent)
    return math.floor(number * _QUANTITY_SUFFIXES[suffix])


# --------------------------------------------------------------------------------------------------
# Provider, tags, region and type


class _Subject(Protocol):
    resource_type: str
    props: Mapping[str, Any]
    provider: Any


def provider_setting(subject: _Subject, key: str) -> Any:
    """One setting of the resource's provider as plain data (``None`` without a provider or setting)."""
    provider = getattr(subject, "provider", None)
    props = getattr(provider, "props", None) if provider is not None else None
    return get(props, key) if props is not None else None


@functools.lru_cache(maxsize=256)
def _parsed_json(text: str) -> Any:
    """``text`` parsed (read it, do not change it: the same object serves every caller with that text)."""
    try:
        return json.loads(text)
    except ValueError:
        return None


def json_document(value: Any) -> Any:
    """An input that pulumi-aws takes as JSON text (a provider's defaultTags or assumeRole, a Batch job's
    containerProperties...) parsed, read-only; ``None`` if it is not JSON; anything but known text unchanged."""
    if isinstance(value, str) and not is_unknown(value):
        return _parsed_json(str(value))
    return value


def default_tags(subject: _Subject) -> Any:
    """The provider's ``defaultTags.tags`` as a dict; ``UNKNOWN`` if not known yet."""
    config = json_document(provider_setting(subject, "defaultTags"))
    if is_unknown(config):
        return UNKNOWN
    tags = config.get("tags") if isinstance(config, Mapping) else None
    tags = json_document(tags)
    if is_unknown(tags):
        return UNKNOWN
    return {str(k): v for k, v in tags.items()} if isinstance(tags, Mapping) else {}


def resource_tags(subject: _Subject) -> Any:
    """Tags the resource ends up with: provider default tags, then ``tagsAll``, then its own ``tags``.

    Returns ``UNKNOWN`` when the set of tag keys cannot be known yet (an unknown ``tags`` map); a tag
    whose value alone is unknown is present, with value ``UNKNOWN``.
    """
    merged: dict[str, Any] = {}
    defaults = default_tags(subject)
    own = _key_value_tags(get(subject.props, "tags", default=None))
    if own is None:
        # CloudFormation names some tag inputs otherwise: EFS FileSystemTags and AccessPointTags (lists), a Backup
        # vault's BackupVaultTags (a map).
        own = _key_value_tags(next((tags for key in ("fileSystemTags", "accessPointTags", "backupVaultTags")
                                    if (tags := get(subject.props, key)) is not None), {}))
    everything = get(subject.props, "tagsAll", default={})
    if is_unknown(own) or (is_unknown(defaults) and not isinstance(everything, Mapping)):
        return UNKNOWN
    for source in (defaults, everything, own):
        if isinstance(source, Mapping):
            merged.update({str(k): v for k, v in source.items()})
    return merged


def _key_value_tags(tags: Any) -> Any:
    """CloudFormation's tag list (pulumi-aws-native: ``[{"key": k, "value": v}, ...]``) as a mapping;
    anything else unchanged. An entry whose key is unknown makes the whole set unknown."""
    if not isinstance(tags, list):
        return tags
    mapping: dict[str, Any] = {}
    for entry in tags:
        key = entry.get("key") if isinstance(entry, Mapping) else None
        if is_unknown(entry) or is_unknown(key):
            return UNKNOWN
        if isinstance(key, str):
            mapping[key] = entry.get("value")
    return mapping


def resource_region(subject: _Subject) -> Any:
    """The region a resource is created in: its own ``region`` input (pulumi-aws 7), else the provider's.

    ``None`` when neither says (the engine's default provider then uses ``aws:region``); ``UNKNOWN`` if unknown.
    """
    own = get(subject.props, "region")
    if own is not None:
        return own
    region = provider_setting(subject, "region")
    return UNKNOWN if is_unknown(region) else region


def is_aws(resource_type: str) -> bool:
    """An AWS resource of pulumi-aws or pulumi-aws-native (not a provider, component or other package)."""
    return resource_type.startswith(("aws:", "aws-native:"))


def describe(subject: Any) -> str:
    """A short label for messages: ``<type> '<name>'``."""
    return f"{subject.resource_type} {subject.name!r}"
