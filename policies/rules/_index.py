"""Stack rules: finding resources and joining them, with indexes built in one pass over the stack.

An index a stack rule builds over ``args.resources`` is built once per resource list (``per_stack``):
the in-process review hands every stack policy of a review the same list, so each index (resources
by type, the launch templates, the S3 bucket views, ...) is built once per review, not once per rule.
Over the analyzer protocol the SDK builds a fresh list per policy, and each rule builds its own.
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Sequence
from typing import Any, Callable, Iterable, Optional, TypeVar

from pulumi_policy import PolicyResource

from policies.rules._props import get, is_unknown


# --------------------------------------------------------------------------------------------------
# Stack rules: finding resources and joining them


T = TypeVar("T")
_CACHE_SIZE = 32
_cache: dict[tuple[Any, int], tuple[list, int, Any]] = {}
_cache_lock = threading.Lock()


def per_stack(build: Callable[[list], T]) -> Callable[[Any], T]:
    """``build(resources)`` computed once per resource list (the same list object, unchanged in
    length) and shared by every caller: for indexes that only read the resources. Anything that is
    not a list is built afresh each time."""

    @functools.wraps(build)
    def cached(resources: Any) -> T:
        if not isinstance(resources, list):
            return build(resources)
        key = (build, id(resources))
        with _cache_lock:
            hit = _cache.get(key)
        if hit is not None and hit[0] is resources and hit[1] == len(resources):
            return hit[2]
        value = build(resources)
        with _cache_lock:
            _cache[key] = (resources, len(resources), value)  # holds the list, so its id stays its own
            while len(_cache) > _CACHE_SIZE:
                _cache.pop(next(iter(_cache)))
        return value

    return cached


def stack_resources(args: Any) -> list[PolicyResource]:
    """A stack rule's ``args.resources`` as a list: the list itself when it is one (so the indexes
    built over it are shared by the review's other stack rules), else a copy."""
    resources = args.resources
    return resources if isinstance(resources, list) else list(resources)


@per_stack
def _by_type(resources: list[PolicyResource]) -> dict[str, list[tuple[int, PolicyResource]]]:
    index: dict[str, list[tuple[int, PolicyResource]]] = {}
    for position, resource in enumerate(resources):
        index.setdefault(resource.resource_type, []).append((position, resource))
    return index


def of_type(resources: Iterable[PolicyResource], *types: str) -> list[PolicyResource]:
    """The resources whose type is one of ``types``, in stack order (a list is indexed by type once)."""
    if not isinstance(resources, list):
        return [resource for resource in resources if resource.resource_type in types]
    index = _by_type(resources)
    if len(types) == 1:
        return [resource for _, resource in index.get(types[0], ())]
    found = sorted((entry for type_ in set(types) for entry in index.get(type_, ())), key=lambda entry: entry[0])
    return [resource for _, resource in found]


class IdentifierIndex:
    """The first resource of ``types`` (in stack order) that each identifier names: what
    ``next(r for r in of_type(resources, *types) if name in identifiers(r, keys))`` finds, for many names."""

    def __init__(self, resources: Iterable[PolicyResource], types: Sequence[str],
                 keys: Sequence[str] = ("id", "arn", "name")) -> None:
        self._first: dict[str, PolicyResource] = {}
        for resource in of_type(resources, *types):
            for name in identifiers(resource, keys):
                self._first.setdefault(name, resource)

    def find(self, name: Any) -> Optional[PolicyResource]:
        return self._first.get(name) if isinstance(name, str) else None


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
#: pulumi-aws-native's AWS::EC2::LaunchTemplate: named by ``launchTemplateId`` / ``launchTemplateName``.
NATIVE_LAUNCH_TEMPLATE = "aws-native:ec2:LaunchTemplate"


class LaunchTemplateIndex:
    """The stack's launch templates by what a node group's ``launchTemplate`` may point at them with:
    the template's URN (a property dependency, in a preview) or its ``id`` or ``name`` output
    (``launchTemplateId``, ``launchTemplateName`` for pulumi-aws-native's)."""

    def __init__(self, resources: Iterable[PolicyResource]) -> None:
        self._by_key: dict[str, list[PolicyResource]] = {}
        for template in of_type(resources, LAUNCH_TEMPLATE, NATIVE_LAUNCH_TEMPLATE):
            keys = ("id", "name", "launchTemplateId", "launchTemplateName")
            for key in {template.urn, *identifiers(template, keys)}:
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


@per_stack
def launch_templates(resources: list[PolicyResource]) -> LaunchTemplateIndex:
    """The stack's ``LaunchTemplateIndex``, built once per resource list."""
    return LaunchTemplateIndex(resources)
