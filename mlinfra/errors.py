"""Errors the command line reports as one clear line with exit code 2 (bad input)."""

import pulumi


class MlinfraError(Exception):
    """Bad input or an environment that cannot run: reported as one line, exit code 2."""

    exit_code = 2


class ConfigError(pulumi.RunError, MlinfraError):
    """A stack configuration value is invalid.

    Subclassing ``pulumi.RunError`` makes ``pulumi up`` print only the message, without the
    program's source and a stack trace; the offline commands print it the same way.
    """
