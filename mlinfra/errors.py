"""Errors the command line reports as one clear line with exit code 2 (bad input).

Defined in ``components.errors`` (components raise them too, and never import ``mlinfra``).
Importing this module does not import Pulumi: ``ConfigError`` (a ``pulumi.RunError``) is built on
first use, there.
"""

from __future__ import annotations

from typing import Any

from components.errors import MlinfraError

__all__ = ["MlinfraError"]  # and ConfigError, built on first use (below)


def __getattr__(name: str) -> Any:
    if name == "ConfigError":
        import components.errors

        return components.errors.ConfigError
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
