"""Build policy-validation arguments by hand and collect the violations a rule reports.

Properties go through ``pulumi_policy``'s unknown-checking proxy, as in a running pack, so a rule
that treats nested values as ``dict``/``list`` or reads an unknown value fails here too. Put
``UNKNOWN`` (Pulumi's unknown-string sentinel) anywhere in props to model a preview value.

    resource_args("aws:kms/key:Key", {"enableKeyRotation": True})
    stack_args([bucket, encryption], config={"x": 1})
    violations(policy, args)  -> ["message", ...]
    changed(props, ("a", "b"), value)  -> a deep copy with props["a"]["b"] set (or removed, for KeyError)
"""

from __future__ import annotations

import asyncio
import inspect
import json
from typing import Any, Mapping, Optional, Sequence, Union

from pulumi_policy import (
    Policy,
    PolicyCustomTimeouts,
    PolicyProviderResource,
    PolicyResource,
    PolicyResourceOptions,
    ResourceValidationArgs,
    StackValidationArgs,
)
from pulumi_policy.proxy import UNKNOWN_STRING_VALUE, unknown_checking_proxy

#: Put this where a value is unknown during preview.
UNKNOWN = UNKNOWN_STRING_VALUE

PROJECT = "mlinfra"
STACK = "test"


def urn_for(resource_type: str, name: str) -> str:
    """A URN the way the engine writes it for a top-level resource of the test stack."""
    return f"urn:pulumi:{STACK}::{PROJECT}::{resource_type}::{name}"


def _options(parent: Optional[str] = None, protect: bool = False) -> PolicyResourceOptions:
    return PolicyResourceOptions(protect, [], None, [], PolicyCustomTimeouts(0, 0, 0), [], parent)


def provider(props: Optional[Mapping[str, Any]] = None, *, name: str = "default",
             default_tags: Optional[Mapping[str, str]] = None, region: Optional[str] = None) -> PolicyProviderResource:
    """An AWS provider. ``default_tags``/``region`` are written as the engine sends them (tags JSON-encoded)."""
    values = dict(props or {})
    if default_tags is not None:
        values["defaultTags"] = json.dumps({"tags": dict(default_tags)})
    if region is not None:
        values["region"] = region
    return PolicyProviderResource("pulumi:providers:aws", unknown_checking_proxy(values),
                                  urn_for("pulumi:providers:aws", name), name)


def _provider(provider_props: Union[None, Mapping[str, Any], PolicyProviderResource]) -> Optional[PolicyProviderResource]:
    if provider_props is None or isinstance(provider_props, PolicyProviderResource):
        return provider_props
    return provider(provider_props)


def resource_args(resource_type: str, props: Mapping[str, Any], config: Optional[Mapping[str, Any]] = None,
                  provider_props: Union[None, Mapping[str, Any], PolicyProviderResource] = None, *,
                  name: str = "subject", urn: Optional[str] = None, protect: bool = False,
                  stack_tags: Optional[Mapping[str, str]] = None) -> ResourceValidationArgs:
    """Arguments for a ``ResourceValidationPolicy``: one resource's inputs, its provider and the rule's config.

    ``config`` is passed as is, like the SDK does (the CLI, not the SDK, fills in schema defaults).
    """
    return ResourceValidationArgs(
        resource_type, unknown_checking_proxy(dict(props)), urn or urn_for(resource_type, name), name,
        _options(protect=protect), _provider(provider_props), dict(config) if config is not None else None,
        stack_tags)


def stack_resource(resource_type: str, props: Mapping[str, Any], *, name: str = "subject",
                   urn: Optional[str] = None,
                   provider_props: Union[None, Mapping[str, Any], PolicyProviderResource] = None,
                   property_dependencies: Optional[Mapping[str, Sequence[Union[str, PolicyResource]]]] = None,
                   dependencies: Sequence[Union[str, PolicyResource]] = (),
                   parent: Union[None, str, PolicyResource] = None) -> PolicyResource:
    """A resource in a stack (its outputs as ``props``).

    ``property_dependencies`` and ``dependencies`` may name resources by URN or object; ``stack_args``
    resolves URNs to the resources it is given, as the SDK does.
    """
    return PolicyResource(
        resource_type, unknown_checking_proxy(dict(props)), urn or urn_for(resource_type, name), name,
        _options(), _provider(provider_props), parent,  # type: ignore[arg-type]  (resolved in stack_args)
        list(dependencies), {k: list(v) for k, v in (property_dependencies or {}).items()})  # type: ignore[arg-type]


def stack_args(resources: Sequence[PolicyResource], config: Optional[Mapping[str, Any]] = None,
               stack_tags: Optional[Mapping[str, str]] = None) -> StackValidationArgs:
    """Arguments for a ``StackValidationPolicy``; URN references in the resources become resource objects."""
    by_urn = {resource.urn: resource for resource in resources}

    def resolve(items: Sequence[Union[str, PolicyResource]]) -> list[PolicyResource]:
        return [by_urn[item] if isinstance(item, str) else item for item in items
                if not isinstance(item, str) or item in by_urn]

    for resource in resources:
        if isinstance(resource.parent, str):
            resource.parent = by_urn.get(resource.parent)
        resource.dependencies = resolve(resource.dependencies)
        resource.property_dependencies = {k: resolve(v) for k, v in resource.property_dependencies.items()}
    return StackValidationArgs(list(resources), dict(config) if config is not None else None, stack_tags)


def reports(policy: Policy, args: Union[ResourceValidationArgs, StackValidationArgs]) -> list[tuple[str, Optional[str]]]:
    """Run ``policy.validate`` and return every ``(message, urn)`` it reported, in order."""
    collected: list[tuple[str, Optional[str]]] = []

    def report_violation(message: str, urn: Optional[str] = None) -> None:
        collected.append((message, urn))

    result = policy.validate(args, report_violation)  # type: ignore[arg-type]
    if inspect.isawaitable(result):
        asyncio.run(_await(result))
    return collected


async def _await(awaitable: Any) -> None:
    await awaitable


def violations(policy: Policy, args: Union[ResourceValidationArgs, StackValidationArgs]) -> list[str]:
    """The messages ``policy`` reports for ``args`` (empty when compliant)."""
    return [message for message, _ in reports(policy, args)]


def found(policy: Policy, resource_type: str, props: Mapping[str, Any], config: Optional[Mapping[str, Any]] = None,
          *, name: str = "subject") -> list[str]:
    """The messages ``policy`` reports for one resource of ``resource_type`` with inputs ``props``."""
    return violations(policy, resource_args(resource_type, props, config, name=name))


def violation_urns(policy: Policy, args: StackValidationArgs) -> list[Optional[str]]:
    """The URNs a stack policy attributes its violations to, in order."""
    return [urn for _, urn in reports(policy, args)]


def changed(props: Mapping[str, Any], path: Sequence[str], value: Any) -> dict:
    """A deep copy of ``props`` with the value at ``path`` replaced by ``value``, or removed when ``value`` is
    ``KeyError``: a compliant example with one field changed."""
    import copy

    result = copy.deepcopy(dict(props))
    target = result
    for step in path[:-1]:
        target = target[step]
    if value is KeyError:
        del target[path[-1]]
    else:
        target[path[-1]] = value
    return result
