"""Fuzzing the rules: the three stacks' real resources with a few values swapped for odd ones (wrong
types, unknowns, wildcards, broken policy JSON). Rules are written against what any program could
declare, so none may raise: a rule that raises fails the pack's whole Analyze call. Reading an
unknown value raises ``UnknownValueError``, which the SDK turns into an advisory diagnostic, so that
one is allowed. Seeded, so a failure reproduces."""

from __future__ import annotations

import random
from typing import Any

import pytest
from pulumi_policy import ResourceValidationPolicy, StackValidationPolicy
from pulumi_policy.deserialize import deserialize_properties
from pulumi_policy.proxy import UnknownValueError

from foreign import deployment
from fuzzing import mutated
from mlinfra.review import resources_from_document
from policies.rules import PACKS, collect
from policies.rules._declare import declared_types, type_matcher
from policy_helpers import UNKNOWN, reports, resource_args, stack_args, stack_resource

POLICIES = [policy for pack in PACKS for policy in collect(pack)]
RESOURCE_POLICIES = [p for p in POLICIES if isinstance(p, ResourceValidationPolicy)]
STACK_POLICIES = [p for p in POLICIES if isinstance(p, StackValidationPolicy)]
ODD_VALUES: list[Any] = [
    None, 5, -1, 1.5, "x", "", [], {}, [1, "a"], {"a": 1}, True, False, UNKNOWN, [UNKNOWN], {"k": UNKNOWN},
    "*", ["*"], "{not json", '{"Statement": 5}', '{"Statement": [5, {"Effect": "Allow", "Principal": 5}]}',
]


def _run(policy, args) -> list:
    try:
        found = reports(policy, args)
    except UnknownValueError:
        return []
    assert all(isinstance(message, str) and message for message, _ in found), (policy.name, found)
    if isinstance(policy, StackValidationPolicy):
        # A stack rule reports only on resources of the types it declares (what the review calls examined).
        matches, types = type_matcher(declared_types(policy)), {r.urn: r.resource_type for r in args.resources}
        assert all(urn is None or matches(types.get(urn, "")) for _, urn in found), (policy.name, found)
    return found


@pytest.fixture(scope="module")
def resources(stack_deployments):
    # The three stacks, and the foreign programs (tests/foreign.py) whose types our stacks lack: RDS,
    # DynamoDB, OpenSearch, MSK, load balancers, ECS, Lambda, IAM users, ...
    ours = [r for env, doc in stack_deployments.items() for r in resources_from_document(doc, env)]
    foreign = [r for kind in (True, False) for r in resources_from_document(deployment(kind), "foreign")]
    return ours + foreign


@pytest.mark.parametrize("seed", [1, 2])
def test_resource_rules_never_raise_on_odd_inputs(resources, seed):
    rng = random.Random(seed)
    reported = 0
    for _ in range(1500):
        resource = rng.choice(resources)
        props = mutated(deserialize_properties(resource.inputs), rng, ODD_VALUES)
        for policy in RESOURCE_POLICIES:
            reported += len(_run(policy, resource_args(resource.type, props, name=resource.name)))
    assert reported > 100  # the odd values reach the rules' judgements, not only their guards


@pytest.mark.parametrize("seed", [3, 4])
def test_stack_rules_never_raise_on_odd_outputs(resources, seed):
    rng = random.Random(seed)
    reported = 0
    for _ in range(60):
        stack = [stack_resource(r.type, mutated(deserialize_properties(r.outputs), rng, ODD_VALUES) if rng.random() < 0.3
                                else deserialize_properties(r.outputs), name=r.name, urn=r.urn,
                                property_dependencies={k: list(v) for k, v in r.property_dependencies.items()},
                                dependencies=list(r.dependencies))
                 for r in rng.sample(resources, 80)]
        args = stack_args(stack)
        for policy in STACK_POLICIES:
            reported += len(_run(policy, args))
    assert reported > 10


def _foreign_resources() -> list[tuple[str, dict]]:
    """Compliant examples of what our stacks never declare (Kubernetes workloads of every kind, SageMaker
    jobs), so the fuzzing reaches the rules for them too."""
    import test_policies_kubernetes as k8s_examples
    import test_policies_sagemaker as sagemaker_examples

    found = [(k8s_examples.token(key), k8s_examples.workload(key, k8s_examples.GPU_POD)) for key in k8s_examples.KINDS]
    found += [(k8s_examples.token(key, patch=True), k8s_examples.workload(key, k8s_examples.POD))
              for key in ("apps:Deployment", "batch:Job")]
    found += [(k8s_examples.SERVICE, k8s_examples.service({k8s_examples.k8s.SCHEME: "internal"})),
              ("kubernetes:core/v1:LimitRange", {"metadata": {"namespace": "research"}, "spec": {"limits": [
                  {"type": "Container", "default": {"memory": "1Gi"}, "defaultRequest": {"cpu": "1"}}]}})]
    found += list(sagemaker_examples.COMPLIANT.items())
    return found


@pytest.mark.parametrize("seed", [5, 6])
def test_rules_for_foreign_types_never_raise_on_odd_inputs(seed):
    rng = random.Random(seed)
    examples = _foreign_resources()
    reported = 0
    for _ in range(1500):
        resource_type, props = rng.choice(examples)
        props = mutated(props, rng, ODD_VALUES)
        for policy in RESOURCE_POLICIES:
            reported += len(_run(policy, resource_args(resource_type, props)))
    stack = [stack_resource(t, mutated(p, rng, ODD_VALUES), name=f"r{i}") for i, (t, p) in enumerate(examples * 3)]
    for policy in STACK_POLICIES:
        reported += len(_run(policy, stack_args(stack)))
    assert reported > 100
