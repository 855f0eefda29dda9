"""Which AWS resource types take tags."""

from __future__ import annotations

import importlib
import inspect
import threading
from functools import lru_cache
from typing import Any

from policies.rules._props import has_key, is_aws


_SCHEMA_LOCK = threading.Lock()


@lru_cache(maxsize=None)
def _schema_has_tags(resource_type: str) -> bool:
    # The installed pulumi-aws SDK is generated from the provider schema: a type is taggable when its
    # resource class accepts a `tags` argument. Modules are imported lazily, once per module.
    # One lookup at a time: a pack serves Analyze on several threads, and pulumi-aws's lazily loaded
    # modules are not thread-safe before Python 3.12.3 (a second thread sees the module half
    # executed), which cached "not taggable" for whichever types lost the race.
    with _SCHEMA_LOCK:
        return _lookup_schema_tags(resource_type)


def _lookup_schema_tags(resource_type: str) -> bool:
    try:
        import pulumi_aws  # noqa: F401  (registers its resource modules)
        from pulumi.runtime import rpc

        package, module, _ = resource_type.split(":")
        for resource_module in rpc._RESOURCE_MODULES.get(f"{package}:{module}", []):
            info = getattr(resource_module, "mod_info", {})
            class_name = info.get("classes", {}).get(resource_type)
            if class_name:
                cls = getattr(importlib.import_module(info["fqn"]), class_name)
                return "tags" in inspect.signature(cls._internal_init).parameters
    except Exception:  # noqa: BLE001 - an unknown or odd type is simply not known to be taggable
        return False
    return False


def is_taggable(resource_type: str, props: Any = None) -> bool:
    """True for AWS resources that accept tags: they declare ``tags``/``tagsAll`` or their schema has ``tags``."""
    if not is_aws(resource_type):
        return False
    if has_key(props, "tags") or has_key(props, "tagsAll"):
        return True
    return _schema_has_tags(resource_type)


#: Resources that hold data (or the keys that protect it): they need a ``data-classification`` tag,
#: and are what "stateful" means for protection. Log groups are not here: their sensitivity follows
