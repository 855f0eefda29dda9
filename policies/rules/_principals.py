"""IAM policy documents: statements, principals and conditions, wildcard actions, AWS-managed keys."""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Optional

from policies.rules._props import _UNKNOWN_SENTINELS, UNKNOWN, as_list, describe, get, is_unknown, plain


# --------------------------------------------------------------------------------------------------
# IAM policy documents


@dataclass(frozen=True)
class Statement:
    """One IAM policy statement, normalized: every list field is a list of strings, missing ones empty."""

    effect: str
    actions: tuple[str, ...] = ()
    not_actions: tuple[str, ...] = ()
    resources: tuple[str, ...] = ()
    not_resources: tuple[str, ...] = ()
    #: ``(kind, value)`` pairs, e.g. ``("AWS", "*")``, ``("Service", "logs.amazonaws.com")``; ``"*"`` is ``("*", "*")``.
    principals: tuple[tuple[str, str], ...] = ()
    not_principals: tuple[tuple[str, str], ...] = ()
    condition: dict[str, Any] = field(default_factory=dict)
    sid: str = ""
    #: The elements (``Action``, ``NotAction``, ``Resource``, ``NotResource``, ``Condition``) that are, or
    #: hold, a value known only at deployment: the list fields above leave unknown items out.
    unknown: tuple[str, ...] = ()

    @property
    def allows(self) -> bool:
        return self.effect == "Allow"

    @property
    def denies(self) -> bool:
        return self.effect == "Deny"

    @property
    def has_wildcard_principal(self) -> bool:
        """True for ``"*"``, ``{"AWS": "*"}`` and ``{"AWS": [..., "*"]}`` (any principal at all)."""
        return any(value == "*" for kind, value in self.principals if kind in ("*", "AWS", "CanonicalUser"))

    @property
    def has_condition(self) -> bool:
        return bool(self.condition)

    @property
    def restricts_caller(self) -> bool:
        """True when the ``Condition`` narrows who can make the call (see ``condition_restricts_caller``)."""
        return condition_restricts_caller(self.condition)


#: Condition keys that pin down the caller: its account, organization, ARN or unique id, the
#: service or resource acting for it, or the network it calls from, much as IAM Access Analyzer
#: decides whether a wildcard principal is public. ``aws:PrincipalTag/*`` and
#: ``aws:username`` are not here: any account can tag or name its own principals that way.
CALLER_CONDITION_KEYS: frozenset[str] = frozenset(key.lower() for key in (
    "aws:PrincipalAccount", "aws:PrincipalArn", "aws:PrincipalOrgID", "aws:PrincipalOrgPaths",
    "aws:PrincipalServiceName", "aws:PrincipalServiceNamesList", "aws:userid",
    "aws:SourceAccount", "aws:SourceArn", "aws:SourceOrgID", "aws:SourceOrgPaths", "aws:SourceOwner",
    "aws:SourceIp", "aws:SourceVpc", "aws:SourceVpce", "kms:CallerAccount",
))
#: Operators that only let matching values through. Negated operators, ``...IfExists`` (a request
#: without the key passes) and ``ForAllValues:`` (true for an empty set) do not narrow.
_NARROWING_OPERATORS = frozenset({"stringequals", "stringequalsignorecase", "stringlike", "arnequals", "arnlike",
                                  "ipaddress"})
_ARN_KEYS = frozenset({"aws:principalarn", "aws:sourcearn"})


def _narrowing_value(key: str, value: Any) -> bool:
    if is_unknown(value):
        return True  # not judged: a value known only at deployment
    if not isinstance(value, str) or not value.strip("*?"):
        return False
    if key == "aws:sourceip" and value.endswith("/0"):
        return False
    if key in _ARN_KEYS:
        # arn:partition:service:region:account:resource. A pattern open to every account is not narrow;
        # S3 ARNs have no account, and there the (globally unique) bucket name narrows.
        parts = value.split(":", 5)
        if len(parts) < 6:
            return False
        account, resource = parts[4], parts[5]
        return bool(account.strip("*?")) if account else bool(resource.strip("*?"))
    return True


def condition_restricts_caller(condition: Mapping[str, Any]) -> bool:
    """True when some ``operator: {key: values}`` block of ``condition`` narrows who the caller can be.

    That takes a key from ``CALLER_CONDITION_KEYS``, an operator that only lets matching values
    through (``StringEquals``, ``StringLike``, ``ArnEquals``, ``ArnLike``, ``IpAddress``, with or
    without ``ForAnyValue:``), and values that are neither wildcards only, nor a ``/0`` network,
    nor an ARN pattern open to any account. ``aws:SecureTransport`` or a negated operator, for
    example, leave any caller in.
    """
    condition = plain(condition)
    if is_unknown(condition):
        return True  # not judged
    if not isinstance(condition, Mapping):
        return False
    for operator, block in condition.items():
        operator = str(operator).lower()
        if operator.startswith("forallvalues:") or operator.endswith("ifexists"):
            continue
        operator = operator.removeprefix("foranyvalue:")
        if operator not in _NARROWING_OPERATORS or not isinstance(block, Mapping):
            continue
        for key, values in block.items():
            key = str(key).lower()
            if key not in CALLER_CONDITION_KEYS:
                continue
            values = as_list(values)
            if is_unknown(values) or (values and all(_narrowing_value(key, v) for v in values)):
                return True
    return False


def _strings(value: Any) -> tuple[str, ...]:
    items = as_list(value)
    if is_unknown(items):
        return ()
    return tuple(str(item) for item in items if item is not None and not is_unknown(item))


def _principals(value: Any) -> tuple[tuple[str, str], ...]:
    value = plain(value)
    if value is None or is_unknown(value):
        return ()
    if isinstance(value, str):
        return (("*", "*"),) if value == "*" else (("AWS", value),)
    if isinstance(value, Mapping):
        return tuple((str(kind), item) for kind, items in value.items() for item in _strings(items))
    return ()


_JUDGED_ELEMENTS = ("Action", "NotAction", "Resource", "NotResource", "Condition")


def holds_unknown(value: Any) -> bool:
    """Whether plain data is, or holds anywhere, a value not known yet (a policy document written as an
    object, pulumi-aws-native's, can be known in part)."""
    return _holds_unknown(value)


def _holds_unknown(value: Any) -> bool:
    if is_unknown(value):
        return True
    if isinstance(value, Mapping):
        return any(_holds_unknown(item) for item in value.values())
    if isinstance(value, (list, tuple)):
        return any(_holds_unknown(item) for item in value)
    return False


def parse_policy(document: Any) -> Any:
    """An IAM policy document (JSON string or mapping) as a list of ``Statement``.

    ``Statement`` may be a single object or a list. Returns ``UNKNOWN`` if the document is unknown,
    ``[]`` if absent, and ``None`` if it is not valid JSON or has no usable structure.
    """
    document = plain(document)
    if is_unknown(document):
        return UNKNOWN
    if document is None or document == "":
        return []
    if isinstance(document, str):
        parsed = _parse_text(document)
        return list(parsed) if isinstance(parsed, tuple) else parsed
    return _statements(document)


@functools.lru_cache(maxsize=2048)
def _parse_text(document: str) -> Any:
    # Stacks repeat the same documents (every role's trust policy, a bucket policy per copy of a
    # component) and several rules read each: parse each text once. Statements are frozen; the
    # caller gets a list of its own.
    if any(sentinel in document for sentinel in _UNKNOWN_SENTINELS):
        return UNKNOWN
    try:
        parsed = _statements(json.loads(document))
    except ValueError:
        return None
    return tuple(parsed) if isinstance(parsed, list) else parsed


def _statements(document: Any) -> Any:
    if not isinstance(document, Mapping):
        return None
    raw = document.get("Statement", [])
    if is_unknown(raw):
        return UNKNOWN
    statements = []
    for item in as_list(raw):
        if not isinstance(item, Mapping):
            continue
        condition = item.get("Condition")
        statements.append(Statement(
            effect=str(item.get("Effect", "")),
            actions=_strings(item.get("Action")),
            not_actions=_strings(item.get("NotAction")),
            resources=_strings(item.get("Resource")),
            not_resources=_strings(item.get("NotResource")),
            principals=_principals(item.get("Principal")),
            not_principals=_principals(item.get("NotPrincipal")),
            condition=dict(condition) if isinstance(condition, Mapping) else {},
            sid=str(item.get("Sid", "")),
            unknown=tuple(name for name in _JUDGED_ELEMENTS if _holds_unknown(item.get(name))),
        ))
    return statements


def action_matches(pattern: str, action: str) -> bool:
    """IAM action matching, case-insensitive with ``*`` and ``?`` wildcards: ``s3:Get*`` matches ``s3:GetObject``."""
    return _action_regex(pattern).fullmatch(action) is not None


@functools.lru_cache(maxsize=4096)
def _action_regex(pattern: str) -> re.Pattern[str]:
    # A review matches the same few patterns against many actions: compile each once.
    return re.compile("".join(".*" if ch == "*" else "." if ch == "?" else re.escape(ch) for ch in pattern),
                      re.IGNORECASE)


def is_full_wildcard_action(action: str) -> bool:
    """``*`` or ``*:*``: every action of every service."""
    return action.strip() in ("*", "*:*")


def wildcard_allows(statements: Sequence[Statement], *,
                    unless_restricted: bool = False) -> list[tuple[int, Statement]]:
    """``(index, statement)`` for each statement that allows any principal (``'*'``).

    With ``unless_restricted``, a statement whose condition narrows the caller (e.g. by
    ``aws:PrincipalOrgID``; see ``condition_restricts_caller``) does not count. Any other condition
    still counts: ``aws:SecureTransport`` leaves the statement open to everyone.
    """
    return [(index, statement) for index, statement in enumerate(statements)
            if statement.allows and statement.has_wildcard_principal
            and not (unless_restricted and statement.restricts_caller)]


def first_set(props: Any, names: Any) -> Any:
    """The value of the first of ``names`` (one property name or several) that is set in ``props``: a
    policy document is ``policy`` in pulumi-aws and ``policyDocument``, ``keyPolicy`` ... (an object) in
    pulumi-aws-native; None when none is."""
    for name in (names,) if isinstance(names, str) else names:
        value = get(props, name)
        if value is not None:
            return value
    return None


def no_wildcard_principal(prop: Any, *, invalid: str, allowed: str, unless_restricted: bool = False) -> Any:
    """A resource ``validate(args, report_violation)`` for the policy document in property ``prop`` (a name,
    or several: the first one set, see ``first_set``).

    Reports ``invalid`` once if the document is not valid JSON, and ``allowed`` for each statement
    that allows any principal (see ``wildcard_allows``); an unknown document is not judged. The
    messages are ``str.format`` templates with the fields ``resource`` (``describe(args)``),
    ``sid`` (the Sid, or ``(no Sid)``), ``label`` (the Sid, or ``#<index>``) and ``actions`` (the
    actions joined with ``, ``, or ``no actions``).
    """

    def validate(args: Any, report_violation: Any) -> None:
        statements = parse_policy(first_set(args.props, prop))
        if is_unknown(statements):
            return
        if statements is None:
            report_violation(invalid.format(resource=describe(args)))
            return
        for index, statement in wildcard_allows(statements, unless_restricted=unless_restricted):
            report_violation(allowed.format(resource=describe(args), sid=statement.sid or "(no Sid)",
                                            label=statement.sid or f"#{index}",
                                            actions=", ".join(statement.actions) or "no actions"))

    return validate


_AWS_MANAGED_KEY = re.compile(r"(?:^|:)(alias/aws/[^/:]+)$")


def aws_managed_key_alias(key_id: Any) -> Optional[str]:
    """``alias/aws/<service>`` when a KMS key reference (alias or alias ARN) names an AWS-managed key.

    None for anything else: a key id or ARN, a customer alias, an unknown value.
    """
    if not isinstance(key_id, str) or is_unknown(key_id):
        return None
    match = _AWS_MANAGED_KEY.search(key_id)
    return match.group(1) if match else None
