"""The pulumi-std functions (``std:index:<name>``) a plan answers offline, as the std provider does.

Programs converted from Terraform (``pulumi convert``) and the provider's own examples call
Terraform's built-in functions through pulumi-std: ``std.file(input="policy.json").result``,
``std.cidrsubnet(...)``, ``std.base64encode(...)``. The provider is a plugin that does not run
here, so the plan answers the common ones itself, following the provider's Go code
(github.com/pulumi/pulumi-std, ``provider/<name>.go``), quirks included: ``filebase64sha256`` is
the base64 of the *hex* digest, ``jsondecode`` decodes objects only, ``keys`` sorts. Files are read
relative to the working directory, the program's folder, as under the CLI.

A function not listed here answers nothing (its result stays unset, as for any other lookup); a
failure (a missing file, an invalid CIDR) is the provider's error, which the SDK raises in the
program at the call.
"""

from __future__ import annotations

import base64
import hashlib
import ipaddress
import json
import os
import re
from pathlib import Path
from typing import Any, Callable

PREFIX = "std:index:"


class StdError(Exception):
    """The provider's error for a call (reported by the SDK as the invoke's failure)."""


def _read(path: Any) -> bytes:
    clean = os.path.normpath(str(path))
    try:
        return Path(clean).read_bytes()
    except FileNotFoundError:
        raise StdError(f"file({clean}) failed to read the contents because the file does not exist") from None
    except OSError as exc:
        raise StdError(f"failed to read file: {exc.strerror or exc}") from None


def _hex(algorithm: str, data: bytes) -> str:
    return hashlib.new(algorithm, data).hexdigest()


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def _replace(text: str, search: str, replace: str) -> str:
    if len(search) > 1 and search.startswith("/") and search.endswith("/"):
        # re2 replacement syntax ($1, ${name}) in Python's.
        template = re.sub(r"\$\{?(\w+)\}?", r"\\g<\1>", replace)
        return re.sub(search[1:-1], template, text)
    return text.replace(search, replace)


def _cidrsubnet(input: str, newbits: int, netnum: int) -> str:
    try:
        network = ipaddress.ip_network(input, strict=False)
        subnets = network.subnets(prefixlen_diff=int(newbits))
        for index, subnet in enumerate(subnets):
            if index == int(netnum):
                return str(subnet)
    except ValueError as exc:
        raise StdError(f"invalid CIDR expression: {exc}") from None
    raise StdError(f"prefix extension of {newbits} does not accommodate a subnet numbered {netnum}")


def _cidrhost(input: str, host: int) -> str:
    try:
        network = ipaddress.ip_network(input, strict=False)
    except ValueError as exc:
        raise StdError(f"invalid CIDR expression: {exc}") from None
    host = int(host)
    if not -network.num_addresses <= host < network.num_addresses:
        raise StdError(f"prefix of {network.prefixlen} does not accommodate a host numbered {host}")
    return str(network[host])


def _flatten(input: list) -> list:
    flat: list = []
    for value in input:
        flat.extend(_flatten(value) if isinstance(value, list) else [value])
    return flat


def _jsondecode(input: str) -> Any:
    try:
        decoded = json.loads(input)
    except ValueError:
        return input
    return decoded if isinstance(decoded, dict) else input


def _element(input: list, index: int) -> Any:
    if not input:
        raise StdError("input list must not be empty when using the element function")
    return input[int(index) % len(input)]


def _lookup(map: dict, key: str, default: Any = None) -> Any:  # noqa: A002 (the provider's argument names)
    if key in map:
        return map[key]
    if default is not None:
        return default
    raise StdError("key not found in input map")


def _distinct(input: list) -> list:
    seen: list = []
    for value in input:
        if value not in seen:
            seen.append(value)
    return seen


def _format(input: str, args: list | None = None) -> str:
    """Go's Sprintf for the verbs Terraform programs use: %s %d %v %q and %%."""
    values = iter(args or [])

    def verb(match: re.Match) -> str:
        if match.group(1) == "%":
            return "%"
        value = next(values, None)
        if match.group(1) == "d":
            return str(int(value)) if isinstance(value, (int, float)) else str(value)
        if match.group(1) == "q":
            return json.dumps(value)
        return json.dumps(value, separators=(",", ":")) if isinstance(value, (dict, list)) else str(value)

    return re.sub(r"%([sdvq%])", verb, input)


#: name -> the function of its arguments, named as the provider names them (``input``, ``map``, ...).
FUNCTIONS: dict[str, Callable[..., Any]] = {
    "file": lambda input: _read(input).decode("utf-8", errors="replace"),
    "filebase64": lambda input: _b64(_read(input)),
    "filebase64sha256": lambda input: _b64(_hex("sha256", _read(input)).encode()),
    "filebase64sha512": lambda input: _b64(_hex("sha512", _read(input)).encode()),
    "filemd5": lambda input: _hex("md5", _read(input)),
    "filesha1": lambda input: _hex("sha1", _read(input)),
    "filesha256": lambda input: _hex("sha256", _read(input)),
    "filesha512": lambda input: _hex("sha512", _read(input)),
    "fileexists": lambda input: Path(os.path.normpath(str(input))).is_file(),
    "base64encode": lambda input: _b64(str(input).encode()),
    "base64decode": lambda input: base64.b64decode(str(input)).decode("utf-8", errors="replace"),
    "base64sha256": lambda input: _b64(hashlib.sha256(str(input).encode()).digest()),
    "base64sha512": lambda input: _b64(hashlib.sha512(str(input).encode()).digest()),
    "md5": lambda input: _hex("md5", str(input).encode()), "sha1": lambda input: _hex("sha1", str(input).encode()),
    "sha256": lambda input: _hex("sha256", str(input).encode()),
    "sha512": lambda input: _hex("sha512", str(input).encode()),
    "jsonencode": lambda input: json.dumps(input, separators=(",", ":")),
    "jsondecode": _jsondecode,
    "join": lambda separator, input: str(separator).join(str(v) for v in input),
    "split": lambda separator, text: str(text).split(str(separator)),
    "replace": _replace,
    "format": _format,
    "lower": lambda input: str(input).lower(), "upper": lambda input: str(input).upper(),
    "trimspace": lambda input: str(input).strip(),
    "trimprefix": lambda input, prefix: str(input).removeprefix(str(prefix)),
    "trimsuffix": lambda input, suffix: str(input).removesuffix(str(suffix)),
    "concat": lambda input: [v for values in input for v in values],
    "flatten": _flatten,
    "compact": lambda input: [v for v in input if v not in (None, "")],
    "distinct": _distinct,
    "length": lambda input: len(input),
    "keys": lambda input: sorted(input),
    "values": lambda input: [input[key] for key in sorted(input)],
    "merge": lambda input: {k: v for mapping in input for k, v in mapping.items()},
    "lookup": _lookup,
    "element": _element,
    "contains": lambda input, element: element in input,
    "cidrsubnet": _cidrsubnet,
    "cidrhost": _cidrhost,
    "cidrnetmask": lambda input: str(ipaddress.ip_network(input, strict=False).netmask),
    "tostring": lambda input: str(input),
}


def call(token: str, args: dict[str, Any]) -> tuple[dict[str, Any], list[tuple[str, str]]]:
    """The result of ``std:index:<name>`` for ``args``, and the failures (``(property, reason)``)
    the SDK raises in the program; ``({}, [])`` for a function not answered offline."""
    function = FUNCTIONS.get(token[len(PREFIX):])
    if function is None:
        return {}, []
    try:
        return {"result": function(**args)}, []
    except StdError as exc:
        return {}, [("", str(exc))]
    except (TypeError, ValueError, KeyError, AttributeError) as exc:  # arguments of the wrong shape
        return {}, [("", f"{token}: {exc}")]
