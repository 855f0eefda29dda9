"""Reading the files a user hands us (stack files, deployments, pack configuration, feature-group
outputs) with one-line errors for everything a file can be: missing, a directory, not UTF-8, not
valid JSON or YAML, nested too deeply, numbers too long or not finite.

Every function raises :class:`~mlinfra.errors.MlinfraError` (bad input, exit code 2) with ``shown``
(how the file is named to the user) at the start of the message.
"""

from __future__ import annotations

import contextlib
import functools
import json
import math
import os
import re
import stat
import tempfile
from pathlib import Path
from typing import Any

from mlinfra.errors import MlinfraError

MAX_DEPTH = 100
"""Deepest nesting of lists and objects accepted in any document. Real ones stay far below it (a
stack export is about 10 levels); deeper input would only reach Python's recursion limit later."""

MAX_INT_DIGITS = 4300
"""Python's default limit on the digits of an integer read from text (``sys.get_int_max_str_digits``)."""


def file_kind(mode: int) -> str:
    """What a non-regular file is, for a message: ``a directory``, ``a FIFO``, ``a device node``, ..."""
    if stat.S_ISDIR(mode):
        return "a directory"
    if stat.S_ISFIFO(mode):
        return "a FIFO"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device node"
    if stat.S_ISSOCK(mode):
        return "a socket"
    if stat.S_ISLNK(mode):
        return "a symbolic link"
    return "not a regular file"


def read_text(path: Path, shown: str | None = None) -> str:
    """The UTF-8 text of ``path``. Missing, a directory, unreadable or not UTF-8 is bad input.

    Pipes are read (``--deployment <(pulumi stack export)``); a directory is named as one, not as missing.
    """
    shown = shown or str(path)
    try:
        data = Path(path).read_bytes()
    except FileNotFoundError:
        raise MlinfraError(f"{shown}: no such file") from None
    except IsADirectoryError:
        raise MlinfraError(f"{shown}: is a directory, not a file") from None
    except OSError as exc:
        raise MlinfraError(f"{shown}: cannot read: {exc.strerror or exc}") from None
    return decode(data, shown)


def decode(data: bytes, shown: str) -> str:
    """``data`` as UTF-8 text; otherwise bad input naming the first bad byte, its line and column."""
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        column = exc.start - (data.rfind(b"\n", 0, exc.start) + 1) + 1
        raise MlinfraError(f"{shown}: not UTF-8 text: byte 0x{data[exc.start]:02x} at line {line} column "
                           f"{column} (save the file as UTF-8)") from None


def check_depth(value: Any, shown: str, max_depth: int = MAX_DEPTH) -> None:
    """Bad input when lists and objects nest deeper than ``max_depth`` (checked without recursion)."""
    # Level by level, keeping only containers: a deployment holds millions of scalars, which cost
    # one type test each here instead of a trip through the work list.
    level = [value] if isinstance(value, (dict, list)) else []
    depth = 0
    while level:
        depth += 1
        if depth > max_depth:
            raise MlinfraError(f"{shown}: nested more than {max_depth} levels deep")
        below = []
        for item in level:
            below += [child for child in (item.values() if isinstance(item, dict) else item)
                      if isinstance(child, (dict, list))]
        level = below


class _NotFinite(ValueError):
    pass


def _finite(text: str) -> float:
    number = float(text)
    if not math.isfinite(number):
        raise _NotFinite(text)
    return number


def _constant(text: str) -> float:
    raise _NotFinite(text)


def parse_json(text: str, shown: str, *, max_depth: int = MAX_DEPTH) -> Any:
    """``text`` as strict JSON: no NaN or Infinity (nor numbers that overflow to it), integers of at most
    ``MAX_INT_DIGITS`` digits, nesting at most ``max_depth``. Anything else is bad input."""
    try:
        value = json.loads(text, parse_constant=_constant, parse_float=_finite)
    except json.JSONDecodeError as exc:
        raise MlinfraError(f"{shown}: not valid JSON: {exc.msg} at line {exc.lineno} column {exc.colno}") from None
    except _NotFinite as exc:
        raise MlinfraError(f"{shown}: {exc} is not a finite number (JSON has no NaN or Infinity)") from None
    except RecursionError:
        raise MlinfraError(f"{shown}: nested more than {max_depth} levels deep") from None
    except ValueError as exc:  # int(): "Exceeds the limit (4300 digits) for integer string conversion"
        raise MlinfraError(f"{shown}: {_value_error(exc)}") from None
    check_depth(value, shown, max_depth)
    return value


def parse_yaml(text: str, shown: str, *, max_depth: int = MAX_DEPTH, first_document: bool = False) -> Any:
    """``text`` as YAML the way the Pulumi CLI reads its files (``Pulumi.yaml``, stack files,
    ``PulumiPolicy.yaml``: gopkg.in/yaml.v3, YAML 1.2 scalars); syntax errors with their line, deep
    nesting and overlong integers are bad input. A second document (after ``---``) is bad input too,
    unless ``first_document``: then it is ignored, as yaml.v3's ``Unmarshal`` and a single
    ``Decoder.Decode`` read only the first (how the CLI reads ``Pulumi.yaml`` and stack files, and
    pulumi-yaml its template: pkg/pulumiyaml/run.go ``LoadYAMLBytes``)."""
    import yaml

    try:
        if first_document:
            loader = _pulumi_loader()(text)
            try:
                value = loader.get_data() if loader.check_data() else None
            finally:
                loader.dispose()
        else:
            value = yaml.load(text, Loader=_pulumi_loader())  # noqa: S506 - a SafeLoader subclass
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" line {mark.line + 1}" if mark is not None else ""
        problem = getattr(exc, "problem", None) or str(exc)
        raise MlinfraError(f"{shown}:{where}: invalid YAML: {problem}") from None
    except RecursionError:
        raise MlinfraError(f"{shown}: nested more than {max_depth} levels deep") from None
    except ValueError as exc:  # an overlong integer, ...
        raise MlinfraError(f"{shown}: {_value_error(exc)}") from None
    check_depth(value, shown, max_depth)
    return value


@functools.lru_cache(maxsize=1)
def _pulumi_loader() -> type:
    """PyYAML's ``SafeLoader`` with yaml.v3's plain scalars where YAML 1.1 and 1.2 differ: only
    ``true``/``false`` (``True``, ``TRUE``, ...) are booleans (``yes``, ``no``, ``on``, ``off`` are text,
    so ``default: off`` is the string a program reads), and dates stay text (yaml.v3 keeps a
    timestamp-like value decoded into ``interface{}`` a string, decode.go)."""
    import yaml

    bool_tag, timestamp_tag = "tag:yaml.org,2002:bool", "tag:yaml.org,2002:timestamp"

    class PulumiLoader(yaml.SafeLoader):
        pass

    PulumiLoader.yaml_implicit_resolvers = {
        first: [(tag, regexp) for tag, regexp in resolvers if tag not in (bool_tag, timestamp_tag)]
        for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()}
    PulumiLoader.add_implicit_resolver(bool_tag, re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"),
                                       list("tTfF"))
    return PulumiLoader


def _value_error(exc: ValueError) -> str:
    if "digits" in str(exc):
        return f"a number has more than {MAX_INT_DIGITS} digits"
    return f"invalid value: {exc}"


def regular_or_absent(path: Path) -> None:
    """Bad input unless ``path`` is absent or a regular file: an output file written through a
    temporary file and a rename must never replace a symbolic link, FIFO, device node or socket."""
    try:
        mode = os.lstat(path).st_mode
    except FileNotFoundError:
        return
    except OSError as exc:
        raise MlinfraError(f"{path}: cannot write: {exc.strerror or exc}") from None
    if stat.S_ISREG(mode):
        return
    raise MlinfraError(f"{path}: is {file_kind(mode)}; refusing to replace it with a regular file")


def write_atomically(path: Path, text: str, *, what: str = "the file") -> None:
    """Write ``text`` to ``path`` through a temporary file and a rename, so a reader never sees half
    of it, and no temporary file stays behind whatever interrupts the write (a signal included).

    Creates missing parent folders. A path that cannot be written is bad input (``MlinfraError``
    "cannot write <what>"), and so is one that holds a symbolic link, FIFO, device node or socket.
    """
    path = Path(path)
    regular_or_absent(path)
    temporary = None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
        # mkstemp creates the file private (0600); give it the mode a plain open() would.
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(temporary, 0o666 & ~umask)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
        os.replace(temporary, path)
        temporary = None
    except OSError as exc:
        raise MlinfraError(f"{path}: cannot write {what}: {exc.strerror or exc}") from None
    finally:
        if temporary is not None:
            with contextlib.suppress(OSError):
                os.unlink(temporary)
