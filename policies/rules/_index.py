"""Stack rules: finding resources and joining them, with indexes built in one pass over the stack."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Iterable, Optional

from pulumi_policy import PolicyResource

from policies.rules._props import get, is_unknown


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
