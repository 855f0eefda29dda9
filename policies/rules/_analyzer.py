"""Per-request work shared between a pack's policies: each resource's inputs decoded once, not once per policy.

The policy SDK's ``Analyze`` loops over every policy of the pack and, for each, converts the request's
properties from protobuf (``json_format.MessageToDict``), deserializes them, wraps them in the
unknown-checking proxy, and does the same for the resource's provider: with a hundred policies,
that repeated decoding costs far more than the rules themselves. ``share_decoded_inputs()`` (called
by each pack's ``__main__.py``) wraps ``Analyze`` so that, within one request, the same message is
decoded once and every policy gets the same read-only proxy (and the same resource options and
provider object); ``AnalyzeStack``, which decodes every
resource of the stack again for each stack policy, likewise decodes each once per call. Rules never
modify ``args.props`` (validation policies only read), so sharing changes no result:
``tests/test_policies_analyzer.py`` compares every response with and without it. Outside these two
calls (remediation) nothing changes.
"""

from __future__ import annotations

import threading
import types
from typing import Any

_local = threading.local()


def _cached(kind: str, key: Any, compute: Any) -> Any:
    cache = getattr(_local, "cache", None)
    if cache is None:
        return compute()
    entry = cache.get((kind, id(key)))
    if entry is not None and entry[0] is key:
        return entry[1]
    value = compute()
    cache[(kind, id(key))] = (key, value)  # keeps ``key`` alive, so its id cannot be reused meanwhile
    return value


def share_decoded_inputs() -> None:
    """Make the SDK decode each request's properties and provider once per ``Analyze`` call (idempotent)."""
    from pulumi_policy import policy

    servicer = policy._PolicyAnalyzerServicer
    if getattr(servicer.Analyze, "_shares_decoded_inputs", False):
        return
    json_format, deserialize, proxy = policy.json_format, policy.deserialize_properties, policy.unknown_checking_proxy

    shim = types.ModuleType("json_format_per_request")
    shim.__dict__.update({k: v for k, v in vars(json_format).items() if not k.startswith("__")})
    shim.MessageToDict = lambda message, *a, **k: (  # type: ignore[attr-defined]
        _cached("dict", message, lambda: json_format.MessageToDict(message, *a, **k)) if not a and not k
        else json_format.MessageToDict(message, *a, **k))
    # It returns what the function it memoizes returns (mlinfra's in-process review relies on that).
    shim.MessageToDict.same_result_as = json_format.MessageToDict  # type: ignore[attr-defined]
    policy.json_format = shim
    policy.deserialize_properties = lambda props, proxy_secrets=False: (
        _cached("deserialized", props, lambda: deserialize(props)) if not proxy_secrets
        else deserialize(props, proxy_secrets))
    policy.deserialize_properties.same_result_as = deserialize  # type: ignore[attr-defined]
    policy.unknown_checking_proxy = lambda props: _cached("proxy", props, lambda: proxy(props))
    policy.unknown_checking_proxy.same_result_as = proxy  # type: ignore[attr-defined]

    original, original_stack = servicer.Analyze, servicer.AnalyzeStack
    options, provider = servicer._get_resource_options, servicer._get_provider_resource
    # The resource's options and provider, also rebuilt for every policy: built once per request.
    servicer._get_resource_options = lambda self, request: _cached("options", request, lambda: options(self, request))
    servicer._get_provider_resource = lambda self, request: _cached("provider", request,
                                                                    lambda: provider(self, request))

    def per_call(method: Any) -> Any:
        def call(self: Any, request: Any, context: Any) -> Any:
            _local.cache = {}
            try:
                return method(self, request, context)
            finally:
                _local.cache = None
        return call

    Analyze = per_call(original)
    Analyze._shares_decoded_inputs = True  # type: ignore[attr-defined]
    Analyze._originals = (json_format, deserialize, proxy, original, original_stack,  # type: ignore[attr-defined]
                          options, provider)
    servicer.Analyze = Analyze
    servicer.AnalyzeStack = per_call(original_stack)


def stop_sharing() -> None:
    """Undo ``share_decoded_inputs`` (for tests that compare both)."""
    from pulumi_policy import policy

    servicer = policy._PolicyAnalyzerServicer
    originals = getattr(servicer.Analyze, "_originals", None)
    if originals is not None:
        (policy.json_format, policy.deserialize_properties, policy.unknown_checking_proxy, servicer.Analyze,
         servicer.AnalyzeStack, servicer._get_resource_options, servicer._get_provider_resource) = originals
