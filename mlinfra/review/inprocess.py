"""Policy packs evaluated in the reviewer's own process, with exactly the arguments the policy SDK builds.

The engine runs a Python pack as ``python __main__.py``: the file builds its policies and calls
``PolicyPack(...)``, which starts the SDK's analyzer server (``pulumi_policy.policy``,
``_PolicyAnalyzerServicer``) and blocks. Here the same file runs with ``PolicyPack`` standing in as a
recorder: it keeps the arguments and returns, and the SDK's own servicer is built from them (without a
server) to answer ``GetAnalyzerInfo``. Then every policy's ``validate`` is called as the servicer's
``Analyze`` and ``AnalyzeStack`` call it (pulumi-policy 1.x, ``policy.py``):

- properties: the resource's wire-form values through a protobuf ``Struct`` (serialized and parsed,
  as the pack receives them: numbers become floats, keys come in the order the pack sees), then
  ``json_format.MessageToDict``, ``deserialize_properties`` (secrets unwrapped, assets rebuilt) and
  the ``unknown_checking_proxy``; the provider the same way; a resource's inputs for ``Analyze``,
  its outputs for ``AnalyzeStack``;
- options: ``PolicyResourceOptions`` (protect, ignoreChanges, no deleteBeforeReplace, aliases,
  custom timeouts, additional secret outputs, parent or None);
- config: the reconciled pack configuration (schema defaults applied, as the CLI sends it) through
  a ``Struct``, a fresh copy per call, None when empty; stack tags empty (no ``ConfigureStack`` tags);
- stack resources: ``PolicyResource`` with parent, dependencies and property dependencies linked to
  the other resources of the request;
- ``report_violation``: the policy's description, then the rule's message; ``remediate`` reported as
  mandatory; an ``UnknownValueError`` as the SDK's advisory "can't run policy ... during preview"; a
  ``not_applicable`` nothing; any other exception fails the review, as a failed ``Analyze`` call does.

What the SDK repeats per policy is done once per resource (decoding) or once per pack (the stack
resources), and a resource policy that declared its types (``applies_to`` in ``policies.rules``) is
called only for those types: it would return without a word for any other. The decoding takes three
shortcuts to the same values: the ``Struct`` round trip mirrored without a ``Struct`` (``_plain``);
no ``deserialize_properties`` for values without a signature key, which it would only copy; the
proxy of a stack resource built when a rule first reads ``props``. The last two only while the SDK's
functions are its own or declared to return the same (``_deserializes_unsigned_values_as_copies``,
``_proxies_plainly``). A pack's changes to the SDK's module state
(``policies.rules._secrets.keep_secret_strings``, for example) are in force while that pack's
policies run, and only then.

A pack that cannot be loaded this way (its ``__main__.py`` does more than import, call setup
functions and construct one ``PolicyPack``; or loading fails) is reported by ``load_pack`` as None,
with the reason, and reviewed over the analyzer protocol instead. ``tests/test_review_inprocess.py``
runs both paths over the same deployments and asserts identical results.
"""

from __future__ import annotations

import ast
import asyncio
import contextlib
import functools
import math
import sys
import types
from dataclasses import dataclass, field
from inspect import isawaitable
from pathlib import Path
from types import MappingProxyType
from typing import Any, Callable, Iterator, Mapping, Optional, Sequence

from google.protobuf import struct_pb2

from mlinfra.errors import MlinfraError
from mlinfra.review.deployment import SIG_KEY, Resource
from mlinfra.review.protocol import START_TIMEOUT, STACK_SECONDS_PER_RESOURCE, pack_info, read_manifest
from mlinfra.review.result import PackInfo, Violation
from mlinfra.review.watchdog import Overtime, Watchdog

#: The version the SDK's ``PolicyPack`` gives its servicer (PulumiPolicy.yaml's is the one reported).
SDK_PACK_VERSION = "0.0.1"

_SEVERITY_NAMES = {"LOW": "low", "MEDIUM": "medium", "HIGH": "high", "CRITICAL": "critical"}


class _Recorded(Exception):
    """Raised by the stand-in ``PolicyPack`` once it has the pack's arguments."""


@dataclass
class LoadedPack:
    """A pack loaded in-process: its policies, its info as ``GetAnalyzerInfo`` gives it, and its view
    of the SDK's module state."""

    directory: Path
    name: str
    policies: list[Any]
    default_level: Any
    info: PackInfo
    initial_config: dict[str, tuple[Optional[str], dict[str, Any]]]
    sdk_state: dict[tuple[str, str], Any] = field(default_factory=dict)


# ------------------------------------------------------------------------------------- loading

def _only_builds_a_pack(tree: ast.Module) -> Optional[str]:
    """None when the module only imports, defines, assigns, calls functions and builds one
    ``PolicyPack`` (its last statement); else why not (a loop, a condition, a ``try``: code whose
    effect in-process could differ from the pack's own process)."""
    body = list(tree.body)
    if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
        body = body[1:]  # the docstring
    if not body:
        return "its __main__.py is empty"
    last = body[-1]

    def is_pack_call(node: ast.AST) -> bool:
        if not (isinstance(node, ast.Expr) and isinstance(node.value, ast.Call)):
            return False
        func = node.value.func
        return (isinstance(func, ast.Name) and func.id == "PolicyPack") or \
            (isinstance(func, ast.Attribute) and func.attr == "PolicyPack")

    if not is_pack_call(last):
        return "its __main__.py does not end with the PolicyPack(...) call"
    for node in body[:-1]:
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            continue
        if isinstance(node, ast.Expr) and isinstance(node.value, ast.Call) and not is_pack_call(node):
            continue
        if isinstance(node, (ast.Assign, ast.AnnAssign, ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            continue
        return f"its __main__.py does more than import and build the pack (line {node.lineno})"
    return None


def _sdk_modules() -> list[types.ModuleType]:
    import pulumi_policy  # noqa: F401  (loads its submodules)

    return [module for name, module in sorted(sys.modules.items())
            if module is not None and (name == "pulumi_policy" or name.startswith("pulumi_policy."))]


def _sdk_snapshot() -> dict[tuple[str, str], Any]:
    """The SDK's module-level names and the analyzer servicer's attributes (what a pack may patch)."""
    from pulumi_policy import policy

    state: dict[tuple[str, str], Any] = {}
    for module in _sdk_modules():
        for key, value in vars(module).items():
            state[(module.__name__, key)] = value
    for key, value in vars(policy._PolicyAnalyzerServicer).items():
        state[("servicer", key)] = value
    return state


def _install(state: Mapping[tuple[str, str], Any]) -> None:
    from pulumi_policy import policy

    current = _sdk_snapshot()
    for (where, key), value in state.items():
        if current.get((where, key), _MISSING) is not value:
            target = policy._PolicyAnalyzerServicer if where == "servicer" else sys.modules[where]
            setattr(target, key, value)


_MISSING = object()


@contextlib.contextmanager
def sdk_state(state: Mapping[tuple[str, str], Any]) -> Iterator[None]:
    """Put the SDK's module state as ``state`` for the duration, then back as it was."""
    before = _sdk_snapshot()
    _install(state)
    try:
        yield
    finally:
        _install(before)


def load_pack(directory: Path) -> tuple[Optional[LoadedPack], str]:
    """The pack in ``directory`` loaded in-process, or ``(None, reason)`` when it must run as its own process.

    Bad packs (no folder, no manifest, not Python) raise ``MlinfraError`` as for the protocol path.
    """
    directory = Path(directory)
    yaml_version = read_manifest(directory)
    main = directory / "__main__.py"
    try:
        source = main.read_text(encoding="utf-8")
        tree = ast.parse(source, filename=str(main))
    except (OSError, UnicodeDecodeError, SyntaxError) as exc:
        return None, f"its __main__.py cannot be read: {exc}"
    reason = _only_builds_a_pack(tree)
    if reason:
        return None, reason

    import pulumi_policy  # noqa: F401  (the module whose PolicyPack the recorder stands in for)
    from pulumi_policy import EnforcementLevel, policy

    recorded: dict[str, Any] = {}

    def recorder(name: str, policies: list, enforcement_level: Any = None, initial_config: Any = None,
                 description: Any = None, display_name: Any = None, readme: Any = None, provider: Any = None,
                 tags: Any = None, repository: Any = None) -> None:
        recorded.update(name=name, policies=policies, enforcement_level=enforcement_level,
                        initial_config=initial_config, description=description, display_name=display_name,
                        readme=readme, provider=provider, tags=tags, repository=repository)
        raise _Recorded()

    before = _sdk_snapshot()
    modules_before = set(sys.modules)
    real_pack = pulumi_policy.PolicyPack
    pulumi_policy.PolicyPack = recorder  # type: ignore[assignment]
    policy.PolicyPack = recorder  # type: ignore[assignment]
    sys.path.insert(0, str(directory))
    namespace = {"__name__": "__main__", "__file__": str(main), "__builtins__": __builtins__}
    try:
        try:
            exec(compile(tree, str(main), "exec"), namespace)  # noqa: S102 - the pack's own program
        except _Recorded:
            pass
        except BaseException as exc:  # noqa: BLE001 - let the protocol path report it as the engine would
            return None, f"loading it failed: {type(exc).__name__}: {exc}"
        if not recorded:
            return None, "its __main__.py did not call PolicyPack"
        pulumi_policy.PolicyPack = real_pack
        policy.PolicyPack = real_pack
        state = _sdk_snapshot()
    finally:
        pulumi_policy.PolicyPack = real_pack
        policy.PolicyPack = real_pack
        with contextlib.suppress(ValueError):
            sys.path.remove(str(directory))
        # Modules the pack imported from its own folder stay with its functions, not in sys.modules,
        # where another pack's module of the same name would find them.
        for name in set(sys.modules) - modules_before:
            file = getattr(sys.modules[name], "__file__", None) or ""
            if file and Path(file).resolve().is_relative_to(directory.resolve()):
                del sys.modules[name]
        _install(before)
    try:
        level = recorded["enforcement_level"] if recorded["enforcement_level"] is not None \
            else EnforcementLevel.ADVISORY
        with sdk_state(state):
            _check_pack_arguments(recorded)
            servicer = policy._PolicyAnalyzerServicer(
                recorded["name"], SDK_PACK_VERSION, recorded["policies"], level, recorded["initial_config"],
                recorded["description"], recorded["display_name"], recorded["readme"], recorded["provider"],
                recorded["tags"], recorded["repository"])
            info, initial_config = pack_info(servicer.GetAnalyzerInfo(None, None), directory, yaml_version)
    except Exception as exc:  # noqa: BLE001 - the pack's own process would fail to start: report it that way
        return None, f"its PolicyPack arguments are not valid: {type(exc).__name__}: {exc}"
    return LoadedPack(directory=directory, name=recorded["name"], policies=list(recorded["policies"]),
                      default_level=level, info=info, initial_config=initial_config, sdk_state=state), ""


def _check_pack_arguments(recorded: Mapping[str, Any]) -> None:
    """The checks ``PolicyPack.__init__`` makes before it starts the server (a TypeError each)."""
    from pulumi_policy import EnforcementLevel, policy

    name, policies = recorded["name"], recorded["policies"]
    if not name or not isinstance(name, str) or policy._POLICY_PACK_NAME_RE.match(name) is None:
        raise TypeError(f"Invalid policy pack name {name}")
    if not policies or not isinstance(policies, list) or not all(isinstance(p, policy.Policy) for p in policies):
        raise TypeError("Expected policies to be a list of policies")
    level = recorded["enforcement_level"]
    if level is not None and not isinstance(level, EnforcementLevel):
        raise TypeError("Expected enforcement_level to be an EnforcementLevel")
    initial = recorded["initial_config"]
    if initial is not None and (not isinstance(initial, dict) or not all(
            isinstance(k, str) and (isinstance(v, EnforcementLevel) or isinstance(v, dict)) for k, v in initial.items())):
        raise TypeError("Expected initial_config to be a dict of enforcement levels or dicts")


# ----------------------------------------------------------------------------------- arguments

def struct_roundtrip(values: Mapping[str, Any]) -> dict[str, Any]:
    """``values`` as a pack receives them in a ``Struct``: serialized, parsed, ``MessageToDict``."""
    return _mirror(values, _replaced_message_to_dict())[0]


def _replaced_message_to_dict() -> Optional[Callable]:
    """The SDK's ``MessageToDict`` when a pack replaced it with one that may return something else; else None."""
    from google.protobuf import json_format
    from pulumi_policy import policy

    to_dict, standard = policy.json_format.MessageToDict, json_format.MessageToDict
    return None if to_dict is standard or getattr(to_dict, "same_result_as", None) is standard else to_dict


def _mirror(values: Mapping[str, Any], to_dict: Optional[Callable]) -> tuple[dict[str, Any], bool]:
    """``struct_roundtrip(values)`` (``to_dict``: ``_replaced_message_to_dict()``), and True when it is known
    to hold no object with Pulumi's signature key (no secret, asset or archive for the SDK to deserialize)."""
    if to_dict is not None:
        return struct_exact(values, to_dict), False
    before = _signed[0]
    try:
        mirrored = _plain_dict(values)
    except (_Unusual, UnicodeEncodeError):
        return struct_exact(values), False  # it returns what it returns, or raises what protobuf raises
    return mirrored, _signed[0] == before


def struct_exact(values: Mapping[str, Any], to_dict: Optional[Callable] = None) -> dict[str, Any]:
    """``struct_roundtrip`` through a real ``Struct`` (``to_dict``: a replaced ``MessageToDict``, if any)."""
    struct = struct_pb2.Struct()
    struct.update(values)
    parsed = struct_pb2.Struct.FromString(struct.SerializeToString())
    return _struct_to_dict(parsed) if to_dict is None else to_dict(parsed)


class _Unusual(Exception):
    """A value ``_plain`` does not mirror (huge or non-finite numbers, other types): take the exact path."""


#: Keys of an object in the order a ``Struct`` parsed from the wire yields them (upb's hash-table
#: order, a function of the keys inserted in order, the same in every process), by keys in insertion order.
_KEY_ORDER: dict[tuple[str, ...], tuple[str, ...]] = {}
_KEY_ORDER_LIMIT = 100_000


def _key_order(keys: tuple[str, ...]) -> tuple[str, ...]:
    if not all(type(key) is str for key in keys):
        raise _Unusual
    struct = struct_pb2.Struct()
    try:
        struct.update(dict.fromkeys(keys))
    except Exception:  # a key protobuf refuses (not UTF-8): the exact path raises its error
        raise _Unusual from None
    order = tuple(struct_pb2.Struct.FromString(struct.SerializeToString()).fields)
    if len(_KEY_ORDER) >= _KEY_ORDER_LIMIT:
        _KEY_ORDER.clear()
    _KEY_ORDER[keys] = order
    return order


_EXACT_INT = 2 ** 53


def _plain(value: Any) -> Any:
    """``value`` as it comes out of a ``Struct`` round trip, without building one: numbers as floats,
    tuples as lists, objects in the parsed key order. Several times cheaper than the round trip
    (protobuf's ``Struct.update`` is pure Python); ``tests/test_review_inprocess.py`` holds the two equal."""
    kind = type(value)
    if kind is str:
        if not value.isascii():
            value.encode("utf-8")  # lone surrogates: UnicodeEncodeError sends the caller the exact way
        return value
    if kind is dict:
        return _plain_dict(value)
    if kind is list or kind is tuple:
        return [_plain(item) for item in value]
    if value is None or kind is bool:
        return value
    if kind is int and -_EXACT_INT <= value <= _EXACT_INT:
        return float(value)
    if kind is float and math.isfinite(value):
        return value
    raise _Unusual


def _plain_dict(values: Mapping[str, Any]) -> dict[str, Any]:
    keys = tuple(values)
    order = _KEY_ORDER.get(keys)
    if order is None:
        order = _key_order(keys)
    if SIG_KEY in values:
        _signed[0] += 1
    return {key: _plain(values[key]) for key in order}


#: How many objects with Pulumi's signature key (secrets, assets, archives) ``_plain`` has passed.
_signed = [0]


def _struct_to_dict(struct: struct_pb2.Struct) -> dict[str, Any]:
    """``json_format.MessageToDict`` of a ``Struct`` (protobuf's ``_StructMessageToJsonObject``, which
    the SDK calls), without its generic descriptor walk: the same keys in the same order, numbers as
    floats, and the same ``ValueError`` for infinities and NaN."""
    fields = struct.fields
    return {key: _value(fields[key]) for key in fields}


def _value(value: struct_pb2.Value) -> Any:
    kind = value.WhichOneof("kind")
    if kind == "string_value":
        return value.string_value
    if kind == "struct_value":
        return _struct_to_dict(value.struct_value)
    if kind == "number_value":
        number = value.number_value
        if math.isinf(number):
            raise ValueError("Fail to serialize Infinity for Value.number_value, which would parse as string_value")
        if math.isnan(number):
            raise ValueError("Fail to serialize NaN for Value.number_value, which would parse as string_value")
        return number
    if kind == "bool_value":
        return value.bool_value
    if kind == "list_value":
        return [_value(item) for item in value.list_value.values]
    return None  # null_value, or no kind set


def _is_sdk_function(function: Any, name: str) -> bool:
    """Whether ``function`` is ``pulumi_policy.deserialize.<name>`` as the SDK defines it, or a wrapper that
    declares it returns what that returns for values without a signature key (``same_result_as``,
    ``unsigned_result_as``: the packs' own patches in ``policies/rules``)."""
    from pulumi_policy import deserialize

    for _ in range(8):
        if (isinstance(function, types.FunctionType) and function.__name__ == name
                and function.__code__.co_filename == deserialize.__file__):
            return True
        function = getattr(function, "same_result_as", None) or getattr(function, "unsigned_result_as", None)
        if function is None:
            return False
    return False


def _deserializes_unsigned_values_as_copies() -> bool:
    """Whether, in the SDK's current state, deserializing properties without a signature key anywhere
    returns a plain copy of them (as the SDK's ``deserialize_properties`` does)."""
    from pulumi_policy import deserialize, policy

    return (_is_sdk_function(policy.deserialize_properties, "deserialize_properties")
            and _is_sdk_function(deserialize.deserialize_properties, "deserialize_properties")
            and _is_sdk_function(deserialize._deserialize_property, "_deserialize_property"))


def _proxies_plainly() -> bool:
    """Whether the SDK's current ``unknown_checking_proxy`` and ``PolicyResource`` are its own (or
    declared to return what its own returns): then a stack resource's proxy may be built on first read."""
    from pulumi_policy import policy, proxy

    function, own = policy.unknown_checking_proxy, proxy.unknown_checking_proxy
    return ((function is own or getattr(function, "same_result_as", None) is own)
            and policy.PolicyResource.__module__ == "pulumi_policy.policy")


class _Unwrapped:
    """Deserialized properties not yet wrapped in the SDK's proxy (``PolicyResourceWrappedOnRead``)."""

    __slots__ = ("value",)

    def __init__(self, value: Any) -> None:
        self.value = value


@functools.lru_cache(maxsize=4)
def _wrapped_on_read_class(resource_class: type, proxy: Callable) -> type:
    class PolicyResourceWrappedOnRead(resource_class):  # type: ignore[misc, valid-type]
        """A ``PolicyResource`` built with ``_Unwrapped`` properties, which it wraps in the SDK's
        unknown-checking proxy when ``props`` is first read (and keeps); anything else set is kept as set."""

        @property
        def props(self) -> Any:
            value = self.__dict__["_props"]
            if type(value) is _Unwrapped:
                value = self.__dict__["_props"] = proxy(value.value)
            return value

        @props.setter
        def props(self, value: Any) -> None:
            self.__dict__["_props"] = value

    return PolicyResourceWrappedOnRead


def _resource_wrapped_on_read(policy: Any) -> type:
    from pulumi_policy import proxy

    return _wrapped_on_read_class(policy.PolicyResource, proxy.unknown_checking_proxy)


class _Decoded:
    """Per resource, what the SDK builds from a request before it calls any policy (for one SDK state)."""

    def __init__(self, resources: Sequence[Resource]) -> None:
        from pulumi_policy import policy

        self._policy = policy
        self.resources = resources
        self._providers = {r.urn: r for r in resources if r.type.startswith("pulumi:providers:")}
        self._provider_cache: dict[str, Any] = {}
        self.options = [self._options(r) for r in resources]
        self._inputs: list[Any] = [None] * len(resources)
        self._stack: Optional[list[Any]] = None
        self._copies_unsigned = _deserializes_unsigned_values_as_copies()
        self._to_dict = _replaced_message_to_dict()

    def _deserialized(self, values: Mapping[str, Any]) -> Any:
        mirrored, unsigned = _mirror(values, self._to_dict)
        # Without secrets, assets or archives, the SDK's deserialization returns a copy of its input:
        # ``mirrored`` is a fresh copy already.
        return mirrored if unsigned and self._copies_unsigned else self._policy.deserialize_properties(mirrored)

    def _props(self, values: Mapping[str, Any]) -> Any:
        return self._policy.unknown_checking_proxy(self._deserialized(values))

    def _options(self, r: Resource) -> Any:
        policy = self._policy
        timeouts = policy.PolicyCustomTimeouts(float(r.custom_timeouts.get("create", 0.0)),
                                               float(r.custom_timeouts.get("update", 0.0)),
                                               float(r.custom_timeouts.get("delete", 0.0)))
        return policy.PolicyResourceOptions(r.protect, list(r.ignore_changes), None, list(r.aliases), timeouts,
                                            list(r.additional_secret_outputs), r.parent or None)

    def provider(self, r: Resource) -> Any:
        if r.provider not in self._provider_cache:
            provider = self._providers.get(r.provider.rsplit("::", 1)[0]) if r.provider else None
            self._provider_cache[r.provider] = None if provider is None else self._policy.PolicyProviderResource(
                provider.type, self._props(provider.inputs), provider.urn, provider.name)
        return self._provider_cache[r.provider]

    def inputs(self, index: int) -> Any:
        if self._inputs[index] is None:
            self._inputs[index] = self._props(self.resources[index].inputs)
        return self._inputs[index]

    def stack_resources(self) -> list[Any]:
        """The ``PolicyResource`` list of ``AnalyzeStack``, linked as the SDK links it."""
        if self._stack is None:
            # A stack rule reads the properties of the few resources it judges: each is decoded as
            # the SDK decodes it (anything that fails, fails here), and wrapped in the SDK's proxy,
            # which cannot fail, when a rule first reads it.
            wrap_on_read = _proxies_plainly()
            make = _resource_wrapped_on_read(self._policy) if wrap_on_read else self._policy.PolicyResource
            built = [make(r.type, _Unwrapped(self._deserialized(r.outputs)) if wrap_on_read else self._props(r.outputs),
                          r.urn, r.name, self.options[i], self.provider(r), None, [], {})
                     for i, r in enumerate(self.resources)]
            by_urn = {resource.urn: resource for resource in built}
            for r, resource in zip(self.resources, built):
                if r.parent in by_urn:
                    resource.parent = by_urn[r.parent]
                resource.dependencies.extend(by_urn[d] for d in r.dependencies if d in by_urn)
                for key, urns in r.property_dependencies.items():
                    if urns:
                        resource.property_dependencies[key] = [by_urn[d] for d in urns if d in by_urn]
            self._stack = built
        return self._stack


# ---------------------------------------------------------------------------------- evaluation

def _validations(policy_obj: Any) -> Optional[list[Callable]]:
    """The validate callables of a resource policy built with ``validate=`` (None when its class overrides it)."""
    from pulumi_policy import ResourceValidationPolicy

    if type(policy_obj).validate is not ResourceValidationPolicy.validate:
        return None
    validate = getattr(policy_obj, "_ResourceValidationPolicy__validate", None)
    if not validate:
        return None
    return list(validate) if isinstance(validate, list) else [validate]


def _type_filter(policy_obj: Any) -> Optional[Callable[[str], bool]]:
    """A predicate on the resource type when every validate function of the policy declared its types
    (``policies.rules._declare.applies_to`` filters by exactly that); None when it must see every type.
    Declared type lists become one set's membership test, the common case."""
    validations = _validations(policy_obj)
    if not validations:
        return None
    listed: set[str] = set()
    predicates = []
    for function in validations:
        types_ = getattr(function, "resource_types", None)
        if types_ is None or types_ == "*":
            return None
        if callable(types_):
            predicates.append(types_)
        else:
            listed.update(types_)
    if not predicates:
        return frozenset(listed).__contains__
    listed_types = frozenset(listed)
    return lambda resource_type: resource_type in listed_types or any(match(resource_type) for match in predicates)


def _level_name(level: Any) -> str:
    return level.value if hasattr(level, "value") else str(level)


def _run(policy_obj: Any, args: Any, report: Callable) -> None:
    result = policy_obj.validate(args, report)
    if result is not None and isawaitable(result):
        loop = asyncio.new_event_loop()
        task = asyncio.Task(result, loop=loop)
        loop.run_until_complete(task)
        loop.close()


class PackEvaluation:
    """One loaded pack's policies over one deployment, with the reconciled configuration."""

    def __init__(self, pack: LoadedPack, config: Mapping[str, Mapping[str, Any]]) -> None:
        from pulumi_policy import EnforcementLevel, ResourceValidationPolicy, StackValidationPolicy
        from pulumi_policy.policy import _NotApplicableError
        from pulumi_policy.proxy import UnknownValueError

        self._not_applicable, self._unknown_value = _NotApplicableError, UnknownValueError
        self.pack = pack
        self.resource_policies: list[tuple[Any, str, Optional[Callable], Optional[dict]]] = []
        self.stack_policies: list[tuple[Any, str, Optional[dict]]] = []
        levels = {level.value: level for level in EnforcementLevel}
        for policy_obj in pack.policies:
            entry = config.get(policy_obj.name)
            level = levels[entry["enforcementLevel"]] if entry else (
                policy_obj.enforcement_level if policy_obj.enforcement_level is not None else pack.default_level)
            if level == EnforcementLevel.DISABLED:
                continue
            reported = "mandatory" if level == EnforcementLevel.REMEDIATE else _level_name(level)
            # The engine sends the properties in a Struct; Configure hands the SDK MessageToDict of it.
            properties = struct_roundtrip(entry["properties"]) if entry and entry.get("properties") else None
            if isinstance(policy_obj, ResourceValidationPolicy):
                if not policy_obj.has_validation():
                    continue  # remediation only: not applicable to Analyze
                self.resource_policies.append((policy_obj, reported, _type_filter(policy_obj), properties))
            elif isinstance(policy_obj, StackValidationPolicy):
                self.stack_policies.append((policy_obj, reported, properties))
        self._by_type: dict[str, list] = {}

    def _for_type(self, resource_type: str) -> list:
        found = self._by_type.get(resource_type)
        if found is None:
            found = [entry for entry in self.resource_policies if entry[2] is None or entry[2](resource_type)]
            self._by_type[resource_type] = found
        return found

    def _violation(self, policy_obj: Any, level: str, urn: str, message: str) -> Violation:
        severity = getattr(policy_obj.severity, "name", None)
        return Violation(pack=self.pack.info.name, policy=policy_obj.name, enforcement_level=level,
                         severity=_SEVERITY_NAMES.get(severity, "unspecified"), urn=urn,
                         message=message, description=policy_obj.description)

    def _call(self, policy_obj: Any, level: str, args: Any, urn_for: Callable[[Optional[str]], str],
              found: list[Violation], subject: str, method: str) -> None:
        def report_violation(message: str, urn: Optional[str] = None) -> None:
            if message and not isinstance(message, str):
                raise TypeError("Expected message to be a string")
            if urn is not None and not isinstance(urn, str):
                raise TypeError("Expected urn to be a string")
            text = policy_obj.description + (f"\n{message}" if message else "")
            found.append(self._violation(policy_obj, level, urn_for(urn), text))

        try:
            _run(policy_obj, args, report_violation)
        except self._unknown_value as exc:
            found.append(Violation(
                pack=self.pack.info.name, policy=policy_obj.name, enforcement_level="advisory",
                severity="unspecified", urn=urn_for(None), description=policy_obj.description,
                message=(f"can't run policy '{policy_obj.name}' from policy pack "
                         f"'{self.pack.name}@v{SDK_PACK_VERSION}' during preview: {exc.message}")))
        except self._not_applicable:
            pass
        except Exception as exc:  # noqa: BLE001 - as a failed Analyze call: the whole review fails
            raise self._failed(method, subject, exc) from None

    def _failed(self, method: str, subject: str, exc: Exception) -> MlinfraError:
        """What the protocol path reports when the pack's servicer raises: gRPC's details, last line."""
        details = f"Exception calling application: {exc}".strip().splitlines()
        return MlinfraError(f"policy pack {self.pack.info.name} failed {method}{subject}: {details[-1]}")

    def analyze(self, decoded: _Decoded, root: str, known_urns: set[str], timeout: float = START_TIMEOUT) -> list[Violation]:
        """Every resource policy over every resource (its inputs), then every stack policy (outputs). A
        resource's policies that run over ``timeout`` (the stack policies, over ``timeout`` plus
        ``STACK_SECONDS_PER_RESOURCE`` per resource) fail the review, as a pack process's late answer does."""
        with Watchdog(timeout) as watchdog:
            try:
                return self._analyze(decoded, root, known_urns, watchdog)
            except Overtime:
                raise MlinfraError(f"policy pack {self.pack.info.name} did not answer {watchdog.subject} within "
                                   f"{watchdog.seconds:g} s") from None

    def _analyze(self, decoded: _Decoded, root: str, known_urns: set[str], watchdog: Watchdog) -> list[Violation]:
        from pulumi_policy import ResourceValidationArgs, StackValidationArgs

        found: list[Violation] = []
        tags = MappingProxyType({})
        for index, r in enumerate(decoded.resources):
            applicable = self._for_type(r.type)
            if not applicable:
                continue
            watchdog.start(f"Analyze for {r.urn}")
            try:
                props, options, provider = decoded.inputs(index), decoded.options[index], decoded.provider(r)
            except Exception as exc:  # noqa: BLE001 - the SDK fails the Analyze call on what it cannot decode
                raise self._failed("Analyze", f" for {r.urn}", exc) from None
            for policy_obj, level, _, config in applicable:
                args = ResourceValidationArgs(r.type, props, r.urn, r.name, options, provider,
                                              dict(config) if config else None, tags)
                # The engine files every Analyze diagnostic under the analyzed resource.
                self._call(policy_obj, level, args, lambda _u, u=r.urn: u, found, f" for {r.urn}", "Analyze")
        if self.stack_policies:
            watchdog.period(watchdog.seconds + STACK_SECONDS_PER_RESOURCE * len(decoded.resources))
            watchdog.start(f"AnalyzeStack for {len(decoded.resources)} resources")
            try:
                resources = decoded.stack_resources()
            except Exception as exc:  # noqa: BLE001 - as above, for AnalyzeStack
                raise self._failed("AnalyzeStack", "", exc) from None
            for policy_obj, level, config in self.stack_policies:
                args = StackValidationArgs(resources, dict(config) if config else None, tags)
                self._call(policy_obj, level, args, lambda u: u if u and u in known_urns else root, found,
                           "", "AnalyzeStack")
        return found


#: What the decoding of a request goes through: the SDK names a pack may replace.
_DECODING = (("pulumi_policy.policy", "json_format"), ("pulumi_policy.policy", "deserialize_properties"),
             ("pulumi_policy.policy", "unknown_checking_proxy"), ("pulumi_policy.deserialize", "_deserialize_property"),
             ("pulumi_policy.deserialize", "deserialize_properties"), ("pulumi_policy.policy", "PolicyResource"),
             ("pulumi_policy.policy", "PolicyResourceOptions"), ("pulumi_policy.policy", "PolicyProviderResource"),
             ("pulumi_policy.policy", "PolicyCustomTimeouts"))


def _fingerprint(value: Any, depth: int = 0) -> Any:
    """What a decoding function does, as far as it can be told: its code and what its closure holds
    (two packs that applied the same patch to the same SDK decode alike)."""
    if depth > 6:
        return ("id", id(value))
    if isinstance(value, types.FunctionType):
        cells = tuple(_fingerprint(cell.cell_contents, depth + 1) for cell in value.__closure__ or ())
        return ("function", value.__code__, cells, tuple(_fingerprint(d, depth + 1) for d in value.__defaults__ or ()))
    if isinstance(value, types.ModuleType):
        patched = getattr(value, "MessageToDict", None)
        return ("module", value.__name__, _fingerprint(patched, depth + 1) if patched is not None else None)
    return ("id", id(value))


def _decoding_fingerprint() -> tuple:
    return tuple(_fingerprint(getattr(sys.modules[module], name, None)) for module, name in _DECODING)


def evaluate(packs: Sequence[tuple[LoadedPack, Mapping[str, Mapping[str, Any]]]], resources: Sequence[Resource],
             root: str, timeout: float = START_TIMEOUT) -> list[list[Violation]]:
    """Each loaded pack's violations over ``resources`` (``root``: the stack's URN, for stack-level ones),
    each resource's policies within ``timeout`` seconds (``PackEvaluation.analyze``).

    Packs that see the SDK in the same state share the decoded resources.
    """
    known_urns = {r.urn for r in resources}
    decoded_by_state: dict[tuple, _Decoded] = {}
    results = []
    for pack, config in packs:
        with sdk_state(pack.sdk_state):
            key = _decoding_fingerprint()
            decoded = decoded_by_state.get(key)
            if decoded is None:
                decoded = decoded_by_state[key] = _Decoded(resources)
            results.append(PackEvaluation(pack, config).analyze(decoded, root, known_urns, timeout))
    return results
