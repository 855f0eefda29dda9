"""The errors every part reports as one clear line: bad input, an environment that cannot run.

Components raise them (a bad feature spec, a refused schema change, no approved model package);
the command line (``mlinfra.cli``) prints them as ``mlinfra: error: ...`` with exit code 2, and
``pulumi up`` prints a ``pulumi.RunError`` without the program's source and a stack trace.
``mlinfra.errors`` re-exports both.

Importing this module does not import Pulumi (the command line imports it before it handles
signals); ``ConfigError``, which subclasses ``pulumi.RunError``, is built on first use.
"""

from __future__ import annotations

from typing import Any


class MlinfraError(Exception):
    """Bad input or an environment that cannot run: reported as one line, exit code 2."""

    exit_code = 2


def _config_error() -> type:
    import pulumi

    class ConfigError(pulumi.RunError, MlinfraError):
        """A configuration value is invalid.

        Subclassing ``pulumi.RunError`` makes ``pulumi up`` print only the message, without the
        program's source and a stack trace; the offline commands print it the same way.
        """

    ConfigError.__module__, ConfigError.__qualname__ = __name__, "ConfigError"
    return ConfigError


def __getattr__(name: str) -> Any:
    if name == "ConfigError":
        cls = _config_error()
        globals()["ConfigError"] = cls
        return cls
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
