"""Sharing each request's decoded inputs between a pack's policies changes no answer: every Analyze
and AnalyzeStack response over the prod stack and the foreign programs is the same with and without it."""

from __future__ import annotations

import pytest
from pulumi.runtime.proto import analyzer_pb2 as pb
from pulumi_policy import EnforcementLevel
from pulumi_policy.policy import _PolicyAnalyzerServicer

from foreign import deployment
from mlinfra.review import analyze_requests, resources_from_document
from policies.rules import PACKS, collect
from policies.rules._analyzer import share_decoded_inputs, stop_sharing
from policies.rules._secrets import keep_secret_strings


@pytest.fixture(scope="module")
def requests(stack_deployments):
    resources = resources_from_document(stack_deployments["prod"], "prod")
    resources += [r for kind in (True, False) for r in resources_from_document(deployment(kind), "foreign")]
    payloads, stack = analyze_requests(resources)
    return [pb.AnalyzeRequest.FromString(payload) for payload in payloads], pb.AnalyzeStackRequest.FromString(stack)


def _responses(requests) -> list[bytes]:
    requests, stack = requests
    answers = []
    for pack in PACKS:
        servicer = _PolicyAnalyzerServicer(pack, "1", collect(pack), EnforcementLevel.ADVISORY, None, None, None,
                                           None, None, None, None)
        answers += [servicer.Analyze(request, None).SerializeToString(deterministic=True) for request in requests]
        answers.append(servicer.AnalyzeStack(stack, None).SerializeToString(deterministic=True))
    return answers


def test_shared_decoding_gives_the_same_responses(requests):
    keep_secret_strings()
    stop_sharing()
    try:
        plain = _responses(requests)
        share_decoded_inputs()
        share_decoded_inputs()  # idempotent
        shared = _responses(requests)
    finally:
        stop_sharing()
    assert len(plain) == 3 * (len(requests[0]) + 1) and sum(len(a) > 0 for a in plain) > 50  # violations were found
    assert any(len(a) > 0 for a in plain[len(requests[0])::len(requests[0]) + 1])  # stack rules found some too
    assert shared == plain
