"""What every rule module needs: tolerant property reading, policy config, IAM documents, tags, types.

Rules see resource properties through ``pulumi_policy``'s unknown-checking proxy: nested mappings
and lists are ``Mapping``/``Sequence`` proxies (not ``dict``/``list``), and reading a value that is
unknown during preview raises ``UnknownValueError``. The helpers here never raise for a missing,
``None`` or unknown value: they return a default or the ``UNKNOWN`` sentinel, so a rule can say
"cannot judge yet" instead of crashing or reporting a false violation. Every helper accepts a
``ResourceValidationArgs`` or a ``PolicyResource`` (anything with ``resource_type``, ``props``,
``provider``) where it says ``subject``.
"""

from __future__ import annotations

import importlib
import inspect
import json
import re
import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, Iterable, Optional, Protocol

from pulumi_policy import PolicyComplianceFramework, PolicyConfigSchema, PolicyResource

from policies.rules._secrets import SecretString
from pulumi_policy.proxy import (
    UNKNOWN_ARCHIVE_VALUE,
    UNKNOWN_ARRAY_VALUE,
    UNKNOWN_ASSET_VALUE,
    UNKNOWN_BOOLEAN_VALUE,
    UNKNOWN_NUMBER_VALUE,
    UNKNOWN_OBJECT_VALUE,
    UNKNOWN_STRING_VALUE,
    UnknownValueError,
)


# --------------------------------------------------------------------------------------------------
# Unknown values and tolerant reading


class _Unknown:
    """A value that is not known yet (preview). A single instance, ``UNKNOWN``; test with ``is_unknown``."""

    _instance: Optional["_Unknown"] = None

    def __new__(cls) -> "_Unknown":
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "<unknown>"


UNKNOWN: Any = _Unknown()

_UNKNOWN_SENTINELS = frozenset({UNKNOWN_BOOLEAN_VALUE, UNKNOWN_NUMBER_VALUE, UNKNOWN_STRING_VALUE,
                                UNKNOWN_ARRAY_VALUE, UNKNOWN_ASSET_VALUE, UNKNOWN_ARCHIVE_VALUE,
                                UNKNOWN_OBJECT_VALUE})
# Pulumi's signature for a secret value in serialized properties (e.g. a `pulumi stack export`).
_SIG_KEY = "4dabf18193072939515e22adb298388d"
_SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270"


def is_unknown(value: Any) -> bool:
    """True for ``UNKNOWN`` and for Pulumi's raw unknown sentinel strings."""
    return value is UNKNOWN or (isinstance(value, str) and value in _UNKNOWN_SENTINELS)


def _is_sequence(value: Any) -> bool:
    return isinstance(value, Sequence) and not isinstance(value, (str, bytes))


def _item(container: Any, key: Any) -> Any:
    """``container[key]`` with unknowns as ``UNKNOWN``; ``None`` when absent."""
    try:
        value = container[key]
    except UnknownValueError:
        return UNKNOWN
    except (KeyError, IndexError, TypeError):
        return None
    return UNKNOWN if is_unknown(value) else value


def has_key(container: Any, key: str) -> bool:
    """Whether a mapping has ``key``, even if its value is unknown (``key in proxy`` raises for unknowns)."""
    return isinstance(container, Mapping) and any(existing == key for existing in container)


def plain(value: Any) -> Any:
    """``value`` as plain ``dict``/``list``/scalars: proxies unwrapped, secrets revealed (a string secret as a
    ``SecretString``, see ``_secrets``), unknowns ``UNKNOWN``."""
    if is_unknown(value):
        return UNKNOWN
    if isinstance(value, Mapping):
        if _item(value, _SIG_KEY) == _SECRET_SIG:
            revealed = plain(_item(value, "value"))
            return SecretString(revealed) if isinstance(revealed, str) and not is_unknown(revealed) else revealed
        return {key: plain(_item(value, key)) for key in value}
    if _is_sequence(value):
        return [plain(_item(value, index)) for index in range(len(value))]
    return value


def get(props: Any, *path: Any, default: Any = None) -> Any:
    """The value at ``path`` (keys and list indexes) in ``props`` as plain data.

    Returns ``default`` when any step is missing or ``None``, and ``UNKNOWN`` when any step is unknown.
    ``get(props, "versioningConfiguration", "status")``.
    """
    value = props
    for step in path:
        if is_unknown(value):
            return UNKNOWN
        if value is None or not (isinstance(value, Mapping) or _is_sequence(value)):
            return default
        value = _item(value, step)
    if value is None:
        return default
    return plain(value)


def as_list(value: Any) -> Any:
    """A list from a value that may be ``None`` (``[]``), one item (``[item]``) or a sequence; keeps ``UNKNOWN``."""
    if is_unknown(value):
        return UNKNOWN
    if value is None:
        return []
    if _is_sequence(value):
        return [plain(_item(value, index)) for index in range(len(value))]
    return [plain(value)]


def as_bool(value: Any) -> Any:
    """``True``/``False`` from a bool or a ``"true"``/``"false"`` string; ``None`` if absent or other; keeps ``UNKNOWN``."""
    if is_unknown(value):
        return UNKNOWN
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in ("true", "false"):
        return value.strip().lower() == "true"
    return None


def as_int(value: Any) -> Any:
    """An ``int`` from an int, an integral float (protobuf numbers) or a digit string; ``None`` otherwise; keeps ``UNKNOWN``."""
    if is_unknown(value):
        return UNKNOWN
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str) and value.strip().lstrip("-").isdigit():
        return int(value.strip())
    return None


# --------------------------------------------------------------------------------------------------
# Policy configuration


def config_schema(**properties: dict[str, Any]) -> PolicyConfigSchema:
    """A ``PolicyConfigSchema`` whose every property must carry a ``default`` (the CLI applies it)."""
    for key, spec in properties.items():
        if "default" not in spec:
            raise ValueError(f"config property {key!r} has no default")
    return PolicyConfigSchema(properties=dict(properties))


def _coerce(value: Any, spec: Mapping[str, Any]) -> Any:
    kind = spec.get("type")
    if kind == "integer":
        number = as_int(value)
        return value if number is None else number
    if kind == "array" and isinstance(value, list):
        item_spec = spec.get("items") or {}
        return [_coerce(item, item_spec) for item in value]
    return value


class _HasConfig(Protocol):
    def get_config(self) -> Mapping[str, Any]: ...


def policy_config(args: _HasConfig, schema: Optional[PolicyConfigSchema]) -> dict[str, Any]:
    """The rule's config: the schema's defaults overlaid with ``args.get_config()``, typed per the schema.

    The Python SDK does not apply schema defaults (the CLI does) and numbers arrive as floats through
    protobuf; this does both, so a rule reads ``policy_config(args, SCHEMA)["minRetentionDays"]`` as an int.
    """
    properties = schema.properties if schema is not None else {}
    given = plain(args.get_config() or {}) or {}
    merged = {key: spec.get("default") for key, spec in properties.items()}
    merged.update({key: value for key, value in given.items() if value is not None and not is_unknown(value)})
    return {key: _coerce(value, properties.get(key, {})) for key, value in merged.items()}


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
        if any(sentinel in document for sentinel in _UNKNOWN_SENTINELS):
            return UNKNOWN
        try:
            document = json.loads(document)
        except ValueError:
            return None
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
        ))
    return statements


def action_matches(pattern: str, action: str) -> bool:
    """IAM action matching, case-insensitive with ``*`` and ``?`` wildcards: ``s3:Get*`` matches ``s3:GetObject``."""
    regex = "".join(".*" if ch == "*" else "." if ch == "?" else re.escape(ch) for ch in pattern)
    return re.fullmatch(regex, action, flags=re.IGNORECASE) is not None


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


def no_wildcard_principal(prop: str, *, invalid: str, allowed: str, unless_restricted: bool = False) -> Any:
    """A resource ``validate(args, report_violation)`` for the policy document in property ``prop``.

    Reports ``invalid`` once if the document is not valid JSON, and ``allowed`` for each statement
    that allows any principal (see ``wildcard_allows``); an unknown document is not judged. The
    messages are ``str.format`` templates with the fields ``resource`` (``describe(args)``),
    ``sid`` (the Sid, or ``(no Sid)``), ``label`` (the Sid, or ``#<index>``) and ``actions`` (the
    actions joined with ``, ``, or ``no actions``).
    """

    def validate(args: Any, report_violation: Any) -> None:
        statements = parse_policy(get(args.props, prop))
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


# --------------------------------------------------------------------------------------------------
# Provider, tags and region


class _Subject(Protocol):
    resource_type: str
    props: Mapping[str, Any]
    provider: Any


def provider_props(subject: _Subject) -> dict[str, Any]:
    """The resource's provider configuration as plain data (``{}`` without a provider)."""
    provider = getattr(subject, "provider", None)
    props = getattr(provider, "props", None) if provider is not None else None
    value = plain(props) if props is not None else {}
    return value if isinstance(value, dict) else {}


def _json_object(value: Any) -> Any:
    # Provider inputs that are objects (defaultTags, assumeRole...) arrive JSON-encoded as strings.
    if isinstance(value, str) and not is_unknown(value):
        try:
            return json.loads(value)
        except ValueError:
            return None
    return value


def default_tags(subject: _Subject) -> Any:
    """The provider's ``defaultTags.tags`` as a dict; ``UNKNOWN`` if not known yet."""
    config = _json_object(provider_props(subject).get("defaultTags"))
    if is_unknown(config):
        return UNKNOWN
    tags = config.get("tags") if isinstance(config, Mapping) else None
    tags = _json_object(tags)
    if is_unknown(tags):
        return UNKNOWN
    return {str(k): v for k, v in tags.items()} if isinstance(tags, Mapping) else {}


def resource_tags(subject: _Subject) -> Any:
    """Tags the resource ends up with: provider default tags, then ``tagsAll``, then its own ``tags``.

    Returns ``UNKNOWN`` when the set of tag keys cannot be known yet (an unknown ``tags`` map); a tag
    whose value alone is unknown is present, with value ``UNKNOWN``.
    """
    merged: dict[str, Any] = {}
    defaults = default_tags(subject)
    own = get(subject.props, "tags", default={})
    everything = get(subject.props, "tagsAll", default={})
    if is_unknown(own) or (is_unknown(defaults) and not isinstance(everything, Mapping)):
        return UNKNOWN
    for source in (defaults, everything, own):
        if isinstance(source, Mapping):
            merged.update({str(k): v for k, v in source.items()})
    return merged


def resource_region(subject: _Subject) -> Any:
    """The region a resource is created in: its own ``region`` input (pulumi-aws 7), else the provider's.

    ``None`` when neither says (the engine's default provider then uses ``aws:region``); ``UNKNOWN`` if unknown.
    """
    own = get(subject.props, "region")
    if own is not None:
        return own
    region = provider_props(subject).get("region")
    return UNKNOWN if is_unknown(region) else region


# --------------------------------------------------------------------------------------------------
# Resource types


def is_aws(resource_type: str) -> bool:
    """An AWS resource (not a provider, component or other package)."""
    return resource_type.startswith("aws:")


_SCHEMA_LOCK = threading.Lock()


@lru_cache(maxsize=None)
def _schema_has_tags(resource_type: str) -> bool:
    # The installed pulumi-aws SDK is generated from the provider schema: a type is taggable when its
    # resource class accepts a `tags` argument. Modules are imported lazily, once per module.
    # One lookup at a time: a pack serves Analyze on several threads, and pulumi-aws's lazily loaded
    # modules are not thread-safe before Python 3.12.3 (a second thread sees the module half
    # executed), which cached "not taggable" for whichever types lost the race.
    with _SCHEMA_LOCK:
        return _lookup_schema_tags(resource_type)


def _lookup_schema_tags(resource_type: str) -> bool:
    try:
        import pulumi_aws  # noqa: F401  (registers its resource modules)
        from pulumi.runtime import rpc

        package, module, _ = resource_type.split(":")
        for resource_module in rpc._RESOURCE_MODULES.get(f"{package}:{module}", []):
            info = getattr(resource_module, "mod_info", {})
            class_name = info.get("classes", {}).get(resource_type)
            if class_name:
                cls = getattr(importlib.import_module(info["fqn"]), class_name)
                return "tags" in inspect.signature(cls._internal_init).parameters
    except Exception:  # noqa: BLE001 - an unknown or odd type is simply not known to be taggable
        return False
    return False


def is_taggable(resource_type: str, props: Any = None) -> bool:
    """True for AWS resources that accept tags: they declare ``tags``/``tagsAll`` or their schema has ``tags``."""
    if not is_aws(resource_type):
        return False
    if has_key(props, "tags") or has_key(props, "tagsAll"):
        return True
    return _schema_has_tags(resource_type)


#: Resources that hold data (or the keys that protect it): they need a ``data-classification`` tag,
#: and are what "stateful" means for protection. Log groups are not here: their sensitivity follows
#: the workload, and their encryption and retention have their own rules.
DATA_STORE_TYPES: frozenset[str] = frozenset({
    "aws:s3/bucket:Bucket",
    "aws:s3/bucketV2:BucketV2",
    "aws:s3/directoryBucket:DirectoryBucket",
    "aws:kms/key:Key",
    "aws:kms/replicaKey:ReplicaKey",
    "aws:dynamodb/table:Table",
    "aws:ebs/volume:Volume",
    "aws:efs/fileSystem:FileSystem",
    "aws:fsx/lustreFileSystem:LustreFileSystem",
    "aws:rds/instance:Instance",
    "aws:rds/cluster:Cluster",
    "aws:redshift/cluster:Cluster",
    "aws:elasticache/replicationGroup:ReplicationGroup",
    "aws:opensearch/domain:Domain",
    "aws:ecr/repository:Repository",
    "aws:sagemaker/featureGroup:FeatureGroup",
    "aws:sagemaker/modelPackageGroup:ModelPackageGroup",
    "aws:sagemaker/domain:Domain",
    "aws:secretsmanager/secret:Secret",
    "aws:glue/catalogDatabase:CatalogDatabase",
    "aws:kinesis/stream:Stream",
    "aws:sqs/queue:Queue",
    "aws:sns/topic:Topic",
})


def is_data_store(resource_type: str) -> bool:
    """True for resource types that store data (see ``DATA_STORE_TYPES``)."""
    return resource_type in DATA_STORE_TYPES


#: The values the ``data-classification`` tag may take, least to most sensitive.
CLASSIFICATIONS: tuple[str, ...] = ("public", "internal", "confidential", "restricted")
CLASSIFICATION_TAG = "data-classification"


# --------------------------------------------------------------------------------------------------
# Stack rules: finding resources and joining them


def of_type(resources: Iterable[PolicyResource], *types: str) -> list[PolicyResource]:
    """The resources whose type is one of ``types``, in stack order."""
    return [resource for resource in resources if resource.resource_type in types]


def identifiers(resource: PolicyResource, keys: Sequence[str] = ("id", "arn", "name")) -> set[str]:
    """The known string values of ``keys`` in a resource's outputs: what other resources refer to it by."""
    values = (get(resource.props, key) for key in keys)
    return {value for value in values if isinstance(value, str) and value and not is_unknown(value)}


def refers_to(resource: PolicyResource, key: str, target: PolicyResource,
              target_keys: Sequence[str] = ("id", "arn", "name")) -> bool:
    """Whether ``resource``'s property ``key`` points at ``target``.

    True if the property's value equals one of ``target``'s ``target_keys`` outputs (a plan or state
    with known values), or if the property's dependencies include ``target`` (a preview, where the
    id is unknown but the engine records which resource the value came from).
    """
    return _refers(resource, key, target.urn, identifiers(target, target_keys))


def _refers(resource: PolicyResource, key: str, target_urn: str, target_names: set[str]) -> bool:
    dependencies = (resource.property_dependencies or {}).get(key) or []
    if any(getattr(dependency, "urn", dependency) == target_urn for dependency in dependencies):
        return True
    value = get(resource.props, key)
    return isinstance(value, str) and value in target_names


def referrers(resources: Iterable[PolicyResource], types: Sequence[str], key: str, target: PolicyResource,
              target_keys: Sequence[str] = ("id", "arn", "name")) -> list[PolicyResource]:
    """The resources of ``types`` whose property ``key`` points at ``target`` (see ``refers_to``)."""
    names = identifiers(target, target_keys)
    return [r for r in of_type(resources, *types) if _refers(r, key, target.urn, names)]


class ReferenceIndex:
    """``referrers`` for many targets at once: the resources of ``types`` indexed by where their
    property ``key`` points, built in one pass so a stack rule stays linear in the stack's size.

    ``value`` reads the pointer from a resource (default: the ``key`` property), for inline forms.
    """

    def __init__(self, resources: Iterable[PolicyResource], types: Sequence[str], key: str,
                 value: Optional[Any] = None) -> None:
        self._by_dependency: dict[str, list[tuple[int, PolicyResource]]] = {}
        self._by_value: dict[str, list[tuple[int, PolicyResource]]] = {}
        for position, resource in enumerate(of_type(resources, *types)):
            for urn in {getattr(d, "urn", d) for d in (resource.property_dependencies or {}).get(key) or []}:
                self._by_dependency.setdefault(urn, []).append((position, resource))
            pointer = value(resource) if value is not None else get(resource.props, key)
            if isinstance(pointer, str):
                self._by_value.setdefault(pointer, []).append((position, resource))

    def referrers(self, target: PolicyResource,
                  target_keys: Sequence[str] = ("id", "arn", "name")) -> list[PolicyResource]:
        """What ``referrers(resources, types, key, target, target_keys)`` returns, in stack order."""
        found = dict(self._by_dependency.get(target.urn, ()))
        for name in identifiers(target, target_keys):
            found.update(self._by_value.get(name, ()))
        return [found[position] for position in sorted(found)]


LAUNCH_TEMPLATE = "aws:ec2/launchTemplate:LaunchTemplate"


class LaunchTemplateIndex:
    """The stack's launch templates by what a node group's ``launchTemplate`` may point at them with:
    the template's URN (a property dependency, in a preview) or its ``id`` or ``name`` output."""

    def __init__(self, resources: Iterable[PolicyResource]) -> None:
        self._by_key: dict[str, list[PolicyResource]] = {}
        for template in of_type(resources, LAUNCH_TEMPLATE):
            for key in {template.urn, *identifiers(template, ("id", "name"))}:
                self._by_key.setdefault(key, []).append(template)

    def of(self, group: PolicyResource) -> list[PolicyResource]:
        """The templates ``group`` launches from (normally one), by dependency, then by id or name."""
        pointers = [getattr(d, "urn", d) for d in (group.property_dependencies or {}).get("launchTemplate") or []]
        pointers += [get(group.props, "launchTemplate", key) for key in ("id", "name")]
        found: dict[str, PolicyResource] = {}
        for pointer in pointers:
            for template in self._by_key.get(pointer, []) if isinstance(pointer, str) else []:
                found.setdefault(template.urn, template)
        return list(found.values())


def describe(subject: Any) -> str:
    """A short label for messages: ``<type> '<name>'``."""
    return f"{subject.resource_type} {subject.name!r}"


# --------------------------------------------------------------------------------------------------
# Compliance frameworks

#: Tag -> (framework name, version) for the frameworks rules cite.
FRAMEWORKS: dict[str, tuple[str, str]] = {
    "cis-aws": ("CIS Amazon Web Services Foundations Benchmark", "3.0.0"),
    "cis-eks": ("CIS Amazon Elastic Kubernetes Service (EKS) Benchmark", "1.1.0"),
    "nist-800-53": ("NIST SP 800-53", "Rev. 5"),
    "pci-dss": ("PCI DSS", "4.0"),
    "hipaa": ("HIPAA Security Rule", "45 CFR Part 164 Subpart C"),
    "gdpr": ("GDPR", "Regulation (EU) 2016/679"),
}


def frameworks(references: Mapping[str, str]) -> dict[str, Any]:
    """``framework`` and ``tags`` keyword arguments for a policy, from ``{tag: control reference}``.

    The first entry is the policy's main framework (with its reference); ``tags`` lists every
    framework the rule serves. ``frameworks({"cis-aws": "2.1.4", "nist-800-53": "AC-3"})``.
    """
    if not references:
        raise ValueError("a rule must cite at least one framework")
    unknown = [tag for tag in references if tag not in FRAMEWORKS]
    if unknown:
        raise ValueError(f"unknown framework tag(s) {unknown}; known: {', '.join(FRAMEWORKS)}")
    main = next(iter(references))
    name, version = FRAMEWORKS[main]
    return {"framework": PolicyComplianceFramework(name=name, version=version, reference=references[main]),
            "tags": list(references)}


# --------------------------------------------------------------------------------------------------
# Resource rules


#: What a rule that examines every resource type (tags, regions) declares as its types.
ANY_TYPE = "*"
TypeMatcher = Any  # a collection of type tokens, a predicate ``(type) -> bool``, or ``ANY_TYPE``


def type_matcher(types: TypeMatcher) -> Any:
    """A predicate ``(resource_type) -> bool`` for a rule's declared types."""
    if types == ANY_TYPE:
        return lambda resource_type: True
    if callable(types):
        return types
    wanted = frozenset(types)
    return wanted.__contains__


def applies_to(types: TypeMatcher, validate: Any) -> Any:
    """Wrap a resource ``validate(args, report_violation)`` so it runs only for resources of ``types``
    (type tokens, a predicate on the type token, or ``ANY_TYPE``).

    The SDK calls every resource rule for every resource; this is the type filter, and the same
    ``types`` become the rule's declared types (``resource_types`` on the returned function), which
    the review reads to report the types no rule examined.
    """
    matches = type_matcher(types)

    def validate_if_applicable(args: Any, report_violation: Any) -> Any:
        if matches(args.resource_type):
            return validate(args, report_violation)
        return None

    validate_if_applicable.__doc__ = validate.__doc__
    validate_if_applicable.__name__ = getattr(validate, "__name__", "validate")
    validate_if_applicable.resource_types = types  # type: ignore[attr-defined]
    return validate_if_applicable


def examines(types: TypeMatcher, validate: Any) -> Any:
    """Declare the resource types a stack ``validate(args, report_violation)`` judges (see ``applies_to``).

    A stack rule sees every resource, so nothing is filtered: the declaration is what the review
    reports as examined. Returns ``validate`` itself.
    """
    validate.resource_types = types
    return validate


def declared_types(policy: Any) -> Any:
    """The types a policy declared through ``applies_to``/``examines``; None when it declared none.

    The SDK keeps a policy's ``validate`` in a private attribute, so this looks at every attribute
    value of the policy (and the items of a list of validate functions) for the declaration.
    """
    for value in vars(policy).values():
        for function in value if isinstance(value, list) else [value]:
            types = getattr(function, "resource_types", None) if callable(function) else None
            if types is not None:
                return types
    return None
