"""Results mlinfra worked out before and reads back instead of working them out again: one small JSON
object per kind of result, in a file of the cache directory.

Only what is a pure function of its key is kept (a framework image URI of its arguments and library
version; the verdict that a pack configuration is valid, of the configuration and its schemas), so
a hit gives what the work would give. A missing, unreadable or malformed file is an empty one, and
a directory that cannot be written (a read-only home in CI) only means the work is done again.
"""

from __future__ import annotations

import contextlib
import json
import os
import tempfile
from pathlib import Path
from typing import Any


def cache_dir() -> Path:
    """``$MLINFRA_CACHE_DIR``, else ``$XDG_CACHE_HOME/mlinfra``, else ``~/.cache/mlinfra``."""
    given = os.environ.get("MLINFRA_CACHE_DIR")
    if given:
        return Path(given)
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "mlinfra"


def read_entries(name: str) -> dict[str, Any]:
    """The object kept in ``name``; empty if there is none or it is not a JSON object."""
    try:
        entries = json.loads((cache_dir() / name).read_text())
    except (OSError, ValueError):
        return {}
    return entries if isinstance(entries, dict) else {}


def write_entries(name: str, entries: dict[str, Any]) -> None:
    """Replace ``name`` whole (a concurrent reader sees the old file or the new one, never half of one)."""
    path = cache_dir() / name
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=path.name)
    except OSError:
        return
    try:
        with os.fdopen(handle, "w") as out:
            json.dump(entries, out, indent=0, sort_keys=True)
        os.replace(temporary, path)
    except OSError:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
