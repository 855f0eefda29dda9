"""Hourly list prices the offline cost estimate uses: a versioned data file, parsed and looked up.

The default table is ``catalog/data/aws-prices-us-east-1.json`` (its ``source`` and ``asOf`` say
where the figures come from and when). A team overrides or adds prices with a file of the same
shape (``mlinfra cost ENV --prices FILE``): its entries replace the default ones, key by key, and
its ``source`` is listed beside the default's. A price is a number of ``currency`` per hour, at
least 0; ``null`` (or leaving the type out) means unknown, and an unknown price is never counted
as zero. No Pulumi, no network.

File shape::

    {"schema": 1, "region": "us-east-1", "currency": "USD", "asOf": "2025-07", "source": "...",
     "ec2": {"m7i.large": 0.1008}, "sagemakerHosting": {"ml.m5.large": 0.115},
     "sagemakerProcessing": {"ml.m5.xlarge": 0.23},
     "services": {"eksControlPlane": 0.10, "natGateway": 0.045, "interfaceEndpointPerAz": 0.01}}
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping, Optional

DEFAULT_PRICES = Path(__file__).resolve().parent / "data" / "aws-prices-us-east-1.json"
SCHEMA = 1
#: The price tables a file may have, each mapping a name (instance type or service) to a price per hour.
TABLES = ("ec2", "sagemakerHosting", "sagemakerProcessing", "services")
#: The service prices the estimate knows.
SERVICES = ("eksControlPlane", "natGateway", "interfaceEndpointPerAz")
_META = ("schema", "region", "currency", "asOf", "source")


class PriceFileError(ValueError):
    """A prices file that cannot be used: the message names the file, the key and what is allowed."""


@dataclass(frozen=True)
class PriceTable:
    """Hourly prices by table (``ec2``, ``sagemakerHosting``, ``sagemakerProcessing``, ``services``)."""

    region: str
    currency: str
    #: Where the figures come from and as of when, one entry per file merged in (default first).
    sources: tuple[tuple[str, str], ...]
    tables: Mapping[str, Mapping[str, Optional[float]]] = field(default_factory=dict)

    def hourly(self, table: str, name: str) -> Optional[float]:
        """The price per hour of ``name`` in ``table``; None when unknown (never 0 for a missing one)."""
        return self.tables.get(table, {}).get(name)

    def merged(self, override: "PriceTable") -> "PriceTable":
        """This table with ``override``'s entries replacing its own; ``override`` must share the currency."""
        if override.currency != self.currency:
            raise PriceFileError(f"{override.sources[0][0]}: currency {override.currency!r} differs from the "
                                 f"default prices' {self.currency!r}: give prices in {self.currency}")
        tables = {name: {**self.tables.get(name, {}), **override.tables.get(name, {})} for name in TABLES}
        return PriceTable(region=override.region or self.region, currency=self.currency,
                          sources=self.sources + override.sources, tables=tables)


def _price(value: Any, where: str) -> Optional[float]:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise PriceFileError(f"{where} = {value!r}: must be a price per hour (a number, at least 0) or null "
                             "for unknown")
    if value < 0:
        raise PriceFileError(f"{where} = {value!r}: a price cannot be negative")
    return float(value)


def parse_prices(doc: Any, source: str, *, partial: bool = False) -> PriceTable:
    """A ``PriceTable`` from a parsed prices document; ``PriceFileError`` naming ``source`` and the key.

    ``partial`` (an override file) lets ``region`` and ``asOf`` be left out.
    """
    if not isinstance(doc, dict):
        raise PriceFileError(f"{source}: must be a JSON object with {', '.join(TABLES)} price tables")
    unknown = sorted(set(doc) - set(TABLES) - set(_META))
    if unknown:
        raise PriceFileError(f"{source}: {unknown[0]} is not a known key (allowed: {', '.join(_META + TABLES)})")
    if doc.get("schema", SCHEMA) != SCHEMA:
        raise PriceFileError(f"{source}: schema = {doc.get('schema')!r}: only schema {SCHEMA} is supported")
    meta: dict[str, str] = {}
    for key in ("region", "currency", "asOf", "source"):
        value = doc.get(key)
        if value is None and (partial or key == "source"):
            continue
        if not isinstance(value, str) or not value.strip():
            raise PriceFileError(f"{source}: {key} is required: a non-empty string" if value is None
                                 else f"{source}: {key} = {value!r}: must be a non-empty string")
        meta[key] = value
    tables: dict[str, dict[str, Optional[float]]] = {}
    for table in TABLES:
        entries = doc.get(table, {})
        if not isinstance(entries, dict):
            raise PriceFileError(f"{source}: {table} must be an object of name: price per hour")
        if table == "services":
            extra = sorted(set(entries) - set(SERVICES))
            if extra:
                raise PriceFileError(f"{source}: services.{extra[0]} is not a known service price "
                                     f"(allowed: {', '.join(SERVICES)})")
        tables[table] = {str(name): _price(value, f"{source}: {table}.{name}") for name, value in entries.items()}
    described = doc.get("source") or "(no source given)"
    as_of = meta.get("asOf", "(no date given)")
    return PriceTable(region=meta.get("region", ""), currency=meta.get("currency", "USD"),
                      sources=((f"{source}: {described}", as_of),), tables=tables)


def load_prices(path: Path, *, partial: bool = False) -> PriceTable:
    """Read and parse a prices file; ``PriceFileError`` for a missing, unreadable or malformed one."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise PriceFileError(f"{path}: no such file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise PriceFileError(f"{path}: cannot read: {exc}") from None
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as exc:
        raise PriceFileError(f"{path}: not valid JSON: {exc.msg} at line {exc.lineno} column {exc.colno}") from None
    return parse_prices(doc, str(path), partial=partial)


def default_prices() -> PriceTable:
    """The repository's price table (``DEFAULT_PRICES``), its source named ``catalog/data/<file>``."""
    doc = json.loads(DEFAULT_PRICES.read_text(encoding="utf-8"))
    return parse_prices(doc, f"catalog/data/{DEFAULT_PRICES.name}")


def prices_with(override: Optional[Path]) -> PriceTable:
    """The default table, with ``override``'s entries replacing its own when a file is given."""
    base = default_prices()
    return base if override is None else base.merged(load_prices(override, partial=True))
