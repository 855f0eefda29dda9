"""Declaring rules: config schemas with defaults, typed config, compliance frameworks, type filters."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Optional, Protocol

from pulumi_policy import PolicyComplianceFramework, PolicyConfigSchema

from policies.rules._props import as_int, is_unknown, plain


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
    raw = args.get_config()
    # The SDK hands each call of a policy a shallow copy of its configuration (``_get_policy_config``):
    # a new dict holding the same values. Merge once per schema and set of values; the entry keeps
    # the schema and the values alive, so the ids in its key cannot be reused while it stands.
    values = tuple(raw.items()) if type(raw) is dict else ((None, raw),)
    key = (id(schema), *((name, id(value)) for name, value in values))
    entry = _MERGED.get(key)
    if entry is None:
        if len(_MERGED) >= 1024:
            _MERGED.clear()
        entry = _MERGED[key] = (schema, values, _merged(raw, schema))
    return dict(entry[2])


_MERGED: dict[tuple, tuple[Any, tuple, dict[str, Any]]] = {}


def _merged(raw: Any, schema: Optional[PolicyConfigSchema]) -> dict[str, Any]:
    properties = schema.properties if schema is not None else {}
    given = plain(raw or {}) or {}
    merged = {key: spec.get("default") for key, spec in properties.items()}
    merged.update({key: value for key, value in given.items() if value is not None and not is_unknown(value)})
    return {key: _coerce(value, properties.get(key, {})) for key, value in merged.items()}


# --------------------------------------------------------------------------------------------------
# Compliance frameworks

#: Tag -> (framework name, version) for the frameworks rules cite.
FRAMEWORKS: dict[str, tuple[str, str]] = {
    "cis-aws": ("CIS Amazon Web Services Foundations Benchmark", "3.0.0"),
    # Section 4.2 numbers (4.2.1 privileged ... 4.2.8 added capabilities) checked 2026-12-01 against
    # aquasecurity/kube-bench cfg/eks-1.1.0/policies.yaml, which carries the benchmark's check texts.
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
