"""Waivers: accepting one known violation, for a while, with a reason and an owner.

``policies/config/<env>/waivers.yaml`` lists the environment's waivers::

    waivers:
      - policy: s3-bucket-access-logging          # the policy's name (or pack/policy)
        resource: "urn:pulumi:prod::mlinfra::*::prod-scratch"   # a URN, or an fnmatch glob on URNs
        reason: Scratch bucket, deleted with ML-1234
        owner: data-platform@example.com
        expires: 2027-03-31                       # the last day the waiver holds

A violation a waiver matches is reported as *waived*: shown, with the waiver, but not counted as
mandatory or advisory. On the day after ``expires`` the waiver stops waiving and is itself a
mandatory violation (policy ``waiver-expired``), until it is renewed or deleted. A waiver that
matches no violation is reported as unused, so it can be deleted. A malformed file is bad input:
one message naming the file, the waiver and the key.

The model (``Waiver``) lives in ``policies.waiver_file``, which the packs use to apply waivers under the
Pulumi CLI (``MLINFRA_PACK_WAIVERS=on``); this module reads the file strictly for the reviewer.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Optional, Sequence

import yaml
from pydantic import ValidationError

from mlinfra.documents import MAX_DEPTH, check_depth, read_text
from mlinfra.errors import MlinfraError
from policies.waiver_file import Waiver, WaiverFile, _Loader
from policies.waivers import FILE_NAME, waivers_path

__all__ = ["FILE_NAME", "Waiver", "Waivers", "WaiverOutcome", "apply_waivers", "load_waivers", "parse_waivers"]

#: The pack and policy an expired waiver is reported under.
WAIVER_PACK = "mlinfra-waivers"
EXPIRED_POLICY = "waiver-expired"


@dataclass(frozen=True)
class Waivers:
    """The waivers of one environment and the file they came from (``source``, for messages)."""

    items: tuple[Waiver, ...] = ()
    source: str = ""


@dataclass
class WaiverOutcome:
    """What applying waivers to violations gave."""

    #: Violations no valid waiver matches: they count as before.
    remaining: list[Any] = field(default_factory=list)
    #: ``(violation, waiver)`` for each violation a valid waiver matches.
    waived: list[tuple[Any, Waiver]] = field(default_factory=list)
    #: Waivers past their expiry date (each also yields a mandatory violation).
    expired: list[Waiver] = field(default_factory=list)
    #: Valid waivers that matched no violation.
    unused: list[Waiver] = field(default_factory=list)


def _first_error(exc: ValidationError, source: str, document: Any) -> str:
    errors = exc.errors(include_url=False)
    err = errors[0]
    loc = list(err["loc"])
    where = "waivers"
    if len(loc) >= 2 and loc[0] == "waivers" and isinstance(loc[1], int):
        entry = document["waivers"][loc[1]]
        named = f" ({entry.get('policy')})" if isinstance(entry, dict) and entry.get("policy") else ""
        where = f"waiver {loc[1] + 1}{named}"
        loc = loc[2:]
    elif loc:
        where = str(loc[0])
        loc = loc[1:]
    key = ".".join(str(p) for p in loc)
    message = err["msg"].removeprefix("Value error, ")
    if err["type"] == "missing":
        text = f"{where}: {key} is required (a waiver has policy, resource, reason, owner and expires)"
    elif err["type"] == "extra_forbidden":
        text = f"{where}: {key or where} is not a waiver key (allowed: policy, resource, reason, owner, expires)"
    else:
        text = f"{where}: {key} = {err['input']!r}: {message}" if key else f"{where}: {message}"
    more = len(errors) - 1
    return f"{source}: {text}" + (f" (and {more} more problem{'s' * (more != 1)})" if more else "")


def parse_waivers(text: str, source: str) -> Waivers:
    """Parse a waivers file's text; any problem is one ``MlinfraError`` naming ``source``."""
    try:
        document = yaml.load(text, Loader=_Loader)  # noqa: S506 (a SafeLoader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" line {mark.line + 1}:" if mark is not None else ""
        raise MlinfraError(f"{source}:{where} invalid YAML: {getattr(exc, 'problem', None) or exc}") from None
    except RecursionError:
        raise MlinfraError(f"{source}: nested more than {MAX_DEPTH} levels deep") from None
    except ValueError as exc:  # an integer of more than 4,300 digits, an impossible date
        raise MlinfraError(f"{source}: invalid value: {str(exc).split(';')[0]}") from None
    check_depth(document, source)
    if document is None:
        return Waivers((), source)
    if not isinstance(document, dict):
        raise MlinfraError(f"{source}: must be a mapping with a 'waivers:' list, not {type(document).__name__}")
    if not isinstance(document.get("waivers", []), list):
        raise MlinfraError(f"{source}: 'waivers:' must be a list of waivers")
    try:
        parsed = WaiverFile.model_validate(document)
    except ValidationError as exc:
        raise MlinfraError(_first_error(exc, source, document)) from None
    return Waivers(tuple(parsed.waivers), source)


def load_waivers(project_dir: Path, env: Optional[str]) -> Waivers:
    """``policies/config/<env>/waivers.yaml``; no environment or no file means no waivers."""
    if env is None:
        return Waivers()
    path = waivers_path(project_dir, env)
    shown = f"policies/config/{env}/{FILE_NAME}"
    if not path.is_file():
        return Waivers((), shown)
    return parse_waivers(read_text(path, shown), shown)


def apply_waivers(violations: Sequence[Any], waivers: Waivers, today: Optional[dt.date] = None) -> WaiverOutcome:
    """Split ``violations`` into remaining and waived; find expired and unused waivers.

    An expired waiver waives nothing. A violation matched by several valid waivers is waived by the
    first in the file.
    """
    today = today or dt.date.today()
    valid = [w for w in waivers.items if not w.expired(today)]
    outcome = WaiverOutcome(expired=[w for w in waivers.items if w.expired(today)])
    used: set[int] = set()
    for violation in violations:
        waiver = next((w for w in valid if w.matches(violation)), None)
        if waiver is None:
            outcome.remaining.append(violation)
        else:
            outcome.waived.append((violation, waiver))
            used.add(id(waiver))
    outcome.unused = [w for w in valid if id(w) not in used]
    return outcome


def expired_message(waiver: Waiver, source: str) -> str:
    return (f"The waiver in {source} of {waiver.policy} on {waiver.resource} (owner {waiver.owner}, reason: "
            f"{waiver.reason}) expired on {waiver.expires.isoformat()}: renew it with a new date or fix the "
            "violation and delete the waiver.")
