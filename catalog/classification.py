"""The ``data-classification`` tag, its values, and the resource types that must carry it.

Rules judge any program by this table (a data store needs a classification tag); components tag
what they create with the same key. The data-store controls (encryption, keys, public access,
protection) have their own table, ``catalog.data_stores``.
"""

from __future__ import annotations

from catalog.data_stores import HOLDS_DATA

#: The tag naming how sensitive a data store's contents are.
CLASSIFICATION_TAG = "data-classification"

#: The values the ``data-classification`` tag may take, least to most sensitive.
CLASSIFICATIONS: tuple[str, ...] = ("public", "internal", "confidential", "restricted")

#: Resources that hold data (or the keys that protect it): they need a ``data-classification`` tag,
#: and are what "stateful" means for protection: the data-store table's ``holds_data`` rows
#: (``catalog.data_stores``). Log groups are not there: their sensitivity follows the workload, and
#: their encryption and retention have their own rules.
DATA_STORE_TYPES: frozenset[str] = HOLDS_DATA


def is_data_store(resource_type: str) -> bool:
    """True for resource types that store data (see ``DATA_STORE_TYPES``)."""
    return resource_type in DATA_STORE_TYPES
