"""Waivers as the packs apply them under the Pulumi CLI (the file's model: ``policies.waiver_file``).

``mlinfra.waivers`` reads the file strictly (a malformed file is bad input with one message) and
the reviewer reports what it waived. Under the Pulumi CLI, which knows nothing of waivers, each
pack applies them itself through ``honor_waivers`` when the environment variable
``MLINFRA_PACK_WAIVERS`` is ``on`` (the deploy workflow sets it): a violation a valid, unexpired
waiver matches is then not reported to the engine, so it does not stop ``pulumi up``. Without the
variable, or when the file is missing or malformed, a pack waives nothing (fail closed). The
offline reviewer never sets it: it needs every violation to report the waived ones.
"""

from __future__ import annotations

import copy
import datetime as dt
import os
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Optional, Sequence

if TYPE_CHECKING:
    from policies.waiver_file import Waiver

FILE_NAME = "waivers.yaml"
#: Set to ``on`` for the packs to apply the waivers (``pulumi preview|up`` in the deploy workflow).
PACK_WAIVERS_VARIABLE = "MLINFRA_PACK_WAIVERS"


def waivers_path(project_dir: Path, env: str) -> Path:
    """Where environment ``env``'s waivers live in a project: ``policies/config/<env>/waivers.yaml``."""
    return Path(project_dir) / "policies" / "config" / env / FILE_NAME


def _stack_of(urn: Optional[str]) -> Optional[str]:
    if isinstance(urn, str) and urn.startswith("urn:pulumi:"):
        return urn.split("::", 1)[0].rsplit(":", 1)[-1]
    return None


class PackWaivers:
    """The waivers a pack applies, per stack, read once from ``<config root>/<stack>/waivers.yaml``."""

    def __init__(self, pack: str, config_root: Path, today: Optional[dt.date] = None) -> None:
        self.pack = pack
        self.config_root = Path(config_root)
        self.today = today or dt.date.today()
        self._by_stack: dict[str, tuple[Waiver, ...]] = {}

    def waivers(self, stack: Optional[str]) -> tuple[Waiver, ...]:
        if not stack:
            return ()
        if stack not in self._by_stack:
            self._by_stack[stack] = self._read(self.config_root / stack / FILE_NAME)
        return self._by_stack[stack]

    def _read(self, path: Path) -> tuple[Waiver, ...]:
        import yaml
        from pydantic import ValidationError

        from policies.waiver_file import WaiverFile, _Loader

        try:
            document = yaml.load(path.read_text(encoding="utf-8"), Loader=_Loader)  # noqa: S506 (a SafeLoader)
            parsed = WaiverFile.model_validate(document or {})
        except (OSError, UnicodeDecodeError, yaml.YAMLError, ValidationError, ValueError, RecursionError):
            return ()  # missing or malformed: waive nothing (the offline review reports the file)
        return tuple(w for w in parsed.waivers if not w.expired(self.today))

    def waived(self, policy: str, urn: Optional[str]) -> bool:
        violation = _Reported(self.pack, policy, urn or "")
        return any(w.matches(violation) for w in self.waivers(_stack_of(urn)))


class _Reported:
    def __init__(self, pack: str, policy: str, urn: str) -> None:
        self.pack, self.policy, self.urn = pack, policy, urn


def honor_waivers(policies: Sequence[Any], pack: str, config_root: Path) -> list[Any]:
    """``policies`` with each ``validate`` wrapped to drop the reports a valid waiver matches, when
    ``MLINFRA_PACK_WAIVERS=on``; else ``policies`` unchanged.

    The wrapped ones are copies: the rule modules' own policy objects are shared by every pack
    loaded in the process (the in-process reviewer loads the packs again for each review), so
    wrapping them in place would carry one review's waivers into the next.
    """
    policies = list(policies)
    if os.environ.get(PACK_WAIVERS_VARIABLE) != "on":
        return policies
    waivers = PackWaivers(pack, config_root)
    wrapped = []
    for policy in policies:
        waiving = copy.copy(policy)
        waiving.validate = _waiving(policy, policy.validate, waivers)
        wrapped.append(waiving)
    return wrapped


def _waiving(policy: Any, validate: Callable[..., Any], waivers: PackWaivers) -> Callable[..., Any]:
    def wrapped(args: Any, report_violation: Callable[..., None]) -> Any:
        default_urn = getattr(args, "urn", None)
        if default_urn is None:  # a stack policy: its reports without a URN fall on the stack
            resources = getattr(args, "resources", None) or []
            default_urn = next((r.urn for r in resources if r.resource_type == "pulumi:pulumi:Stack"), None)

        def report(message: str, urn: Optional[str] = None) -> None:
            if not waivers.waived(policy.name, urn or default_urn):
                report_violation(message, urn)

        return validate(args, report)

    return wrapped
