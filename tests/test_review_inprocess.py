"""In-process review against the analyzer protocol: the same results, violation for violation.

The protocol path runs each pack as its own process, as the Pulumi engine does; the in-process path
(``mlinfra.review.inprocess``) calls the same policies with the arguments the SDK would build. Both
run here over the three stacks' plans (each also under prod's stricter pack configuration), the
foreign programs (tests/foreign.py), pulumi-eks and awsx components, fuzzed deployments (tests/fuzzing.py), a synthetic plan and the
review fixture (unknowns, secrets, float config, a stack rule), and must agree exactly.
"""

from __future__ import annotations

import copy
import importlib.util
import json
import random
from pathlib import Path

import pytest

from foreign import deployment as foreign_deployment
from fuzzing import mutated
from mlinfra.errors import MlinfraError
from mlinfra.review import resources_from_document, review
from mlinfra.review.inprocess import load_pack, struct_roundtrip
from policies.rules._props import plain
from pulumi_policy.deserialize import deserialize_properties

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "tests" / "fixtures" / "review"
PACKS = [ROOT / "policies" / name for name in ("security", "privacy", "compliance")]
SECRET = {"4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270"}
UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9"
ODD_VALUES = [None, 0, 7, -1.5, "x", "", "*", [], {}, ["*"], {"a": 1}, True, False, 10**20, UNKNOWN,
              {**SECRET, "value": "s3cr3t"}, {**SECRET, "value": UNKNOWN}, "0.0.0.0/0", "arn:aws:iam::*:root"]


def _both(resources, env, packs=None, project_dir=ROOT):
    inproc = review(resources, packs, env, project_dir)
    protocol = review(resources, packs, env, project_dir, protocol=True)
    return inproc, protocol


def _assert_same(inproc, protocol):
    assert inproc.violations == protocol.violations
    assert inproc.packs == protocol.packs
    assert inproc.enforcement == protocol.enforcement
    assert (inproc.resources, inproc.env) == (protocol.resources, protocol.env)


def _fuzzed(document: dict, seed: int, copies: int) -> dict:
    """One deployment holding ``copies`` renamed copies of every resource, each with its inputs and
    outputs mutated (one to three odd values anywhere in them)."""
    rng = random.Random(seed)
    states = json.loads(json.dumps(document))["deployment"]["resources"]  # as a file holds it
    out = [s for s in states if s["type"] == "pulumi:pulumi:Stack" or s["type"].startswith("pulumi:providers:")]
    for copy_index in range(copies):
        for state in states:
            if state in out:
                continue
            state = copy.deepcopy(state)
            state["urn"] = f"{state['urn']}-fuzz{copy_index}"
            for key in ("inputs", "outputs"):
                if isinstance(state.get(key), dict):
                    state[key] = mutated(state[key], rng, ODD_VALUES)
            try:  # a mutation that breaks a secret's or a signature's encoding is bad input: leave it out
                (one,) = resources_from_document({"version": 3, "deployment": {"resources": [state]}}, "one")
                deserialize_properties(struct_roundtrip(one.inputs))
                deserialize_properties(struct_roundtrip(one.outputs))
            except (MlinfraError, AssertionError, TypeError, ValueError):
                continue
            out.append(state)
    return {"version": 3, "deployment": {"resources": out}}


def test_our_packs_load_in_process():
    for directory in PACKS:
        pack, reason = load_pack(directory)
        assert pack is not None, reason
        assert pack.info.name == f"mlinfra-{directory.name}" and pack.info.policies


@pytest.mark.parametrize("env", ["dev", "staging", "prod"])
def test_the_stacks_review_the_same_both_ways(stack_deployments, env):
    resources = resources_from_document(stack_deployments[env], env)
    _assert_same(*_both(resources, env))
    # Prod's configuration makes most rules mandatory and stricter: violations appear in dev's plan.
    inproc, protocol = _both(resources, "prod")
    _assert_same(inproc, protocol)
    if env == "dev":
        assert inproc.violations


@pytest.mark.parametrize("misconfigured", [True, False])
def test_foreign_programs_review_the_same_both_ways(misconfigured):
    resources = resources_from_document(foreign_deployment(misconfigured), "foreign")
    inproc, protocol = _both(resources, "prod")
    _assert_same(inproc, protocol)
    if misconfigured:
        assert len(inproc.violations) > 50


@pytest.mark.parametrize("seed", [1, 2])
def test_fuzzed_deployments_review_the_same_both_ways(stack_deployments, seed):
    for document in (stack_deployments["prod"], foreign_deployment(True)):
        resources = resources_from_document(_fuzzed(document, seed, copies=2), "fuzzed")
        inproc, protocol = _both(resources, "prod")
        _assert_same(inproc, protocol)
        assert inproc.violations


def test_pulumi_eks_and_awsx_components_review_the_same_both_ways():
    # Judged by what they build (policies/rules/_components.py), in the pack process as in this one.
    import test_policies_components as examples

    components = [("eks:index:Cluster", {}), ("eks:index:NodeGroupV2", {**examples.V2, "keyName": "ops"}),
                  ("eks:index:NodeGroup", {}), ("eks:index:ManagedNodeGroup", {**examples.MNG, "enableIMDSv2": True}),
                  ("awsx:ecs:FargateService", examples.without(examples.SERVICE, "networkConfiguration")),
                  ("awsx:ecs:EC2TaskDefinition", {"containers": {"a": {"privileged": True}}, "networkMode": "host"}),
                  ("awsx:lb:NetworkLoadBalancer", {}), ("awsx:lb:ApplicationLoadBalancer", {}),
                  ("awsx:ecr:Repository", {"forceDelete": True}), ("awsx:cloudtrail:Trail", {})]
    root = "urn:pulumi:foreign::foreign::pulumi:pulumi:Stack::foreign-foreign"
    states = [{"urn": root, "type": "pulumi:pulumi:Stack", "custom": False}] + [
        {"urn": f"urn:pulumi:foreign::foreign::{kind}::c{index}", "type": kind, "custom": False, "parent": root,
         "inputs": inputs, "outputs": {}} for index, (kind, inputs) in enumerate(components)]
    document = {"version": 3, "deployment": {"resources": states}}
    inproc, protocol = _both(resources_from_document(document, "foreign"), "prod")
    _assert_same(inproc, protocol)
    assert {urn.rsplit("::", 1)[-1] for urn in {v.urn for v in inproc.violations}} >= {
        f"c{index}" for index in range(len(components))}
    fuzzed = resources_from_document(_fuzzed(document, 3, copies=2), "fuzzed")
    _assert_same(*_both(fuzzed, "prod"))


def test_a_synthetic_plan_reviews_the_same_both_ways():
    spec = importlib.util.spec_from_file_location("review_throughput", ROOT / "benchmarks" / "review_throughput.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    resources = resources_from_document(module.synthetic_deployment(400), "synthetic")
    inproc, protocol = _both(resources, "dev")
    _assert_same(inproc, protocol)
    assert inproc.violations


def test_the_fixture_pack_reviews_the_same_both_ways():
    # Unknown values, secrets, a config number that arrives as a float, a stack rule with dependencies.
    document = json.loads((FIXTURES / "deployment.json").read_text())
    resources = resources_from_document(document, "deployment.json")
    inproc, protocol = _both(resources, None, packs=[FIXTURES / "testpack"], project_dir=FIXTURES)
    _assert_same(inproc, protocol)
    assert {v.policy for v in inproc.violations} >= {"encrypted-volumes", "log-retention"}


def _pack(tmp_path: Path, main: str) -> Path:
    directory = tmp_path / "pack"
    directory.mkdir()
    (directory / "PulumiPolicy.yaml").write_text("runtime: python\nversion: 1.2.3\n")
    (directory / "__main__.py").write_text(main)
    return directory


PACK_HEAD = """
from pulumi_policy import EnforcementLevel, PolicyPack, ResourceValidationPolicy

def _check(args, report_violation):
    if args.resource_type == "aws:ebs/volume:Volume":
        report_violation("volume " + args.name)
"""


def test_a_pack_that_does_more_than_build_itself_runs_over_the_protocol(tmp_path):
    directory = _pack(tmp_path, PACK_HEAD + """
if True:
    policies = [ResourceValidationPolicy(name="volumes", description="No volumes.", validate=_check)]
PolicyPack(name="odd-pack", policies=policies, enforcement_level=EnforcementLevel.MANDATORY)
""")
    pack, reason = load_pack(directory)
    assert pack is None and "does more than import and build the pack (line 8)" in reason
    document = json.loads((FIXTURES / "deployment.json").read_text())
    resources = resources_from_document(document, "deployment.json")
    result = review(resources, [directory], None, tmp_path)
    assert [(v.pack, v.policy, v.mandatory) for v in result.violations] == [("odd-pack", "volumes", True)] * len(
        [r for r in resources if r.type == "aws:ebs/volume:Volume"])
    assert result.packs[0].version == "1.2.3"


def test_an_exception_in_a_rule_fails_the_review_the_same_both_ways(tmp_path):
    directory = _pack(tmp_path, PACK_HEAD + """
def _broken(args, report_violation):
    # One resource only: over the protocol, calls are in flight together and the first to fail is reported.
    if args.resource_type == "aws:cloudwatch/logGroup:LogGroup":
        raise KeyError("boom")

PolicyPack(name="broken-pack", policies=[ResourceValidationPolicy(name="broken", description="Broken.",
                                                                  validate=_broken)])
""")
    document = json.loads((FIXTURES / "deployment.json").read_text())
    resources = resources_from_document(document, "deployment.json")
    messages = []
    for protocol in (False, True):
        with pytest.raises(MlinfraError) as info:
            review(resources, [directory], None, tmp_path, protocol=protocol)
        messages.append(str(info.value))
    assert messages[0] == messages[1]
    assert messages[0].startswith("policy pack broken-pack failed Analyze for urn:pulumi:")
    assert "aws:cloudwatch/logGroup:LogGroup" in messages[0]
    assert messages[0].endswith(": Exception calling application: 'boom'")


def test_loading_a_pack_leaves_the_sdk_as_it_was():
    from pulumi_policy import deserialize, policy

    before = (deserialize._deserialize_property, policy.deserialize_properties, policy.json_format,
              policy._PolicyAnalyzerServicer.Analyze, policy.PolicyPack)
    for directory in PACKS:
        assert load_pack(directory)[0] is not None
    assert (deserialize._deserialize_property, policy.deserialize_properties, policy.json_format,
            policy._PolicyAnalyzerServicer.Analyze, policy.PolicyPack) == before


def test_struct_decoding_is_protobufs_message_to_dict(stack_deployments):
    from google.protobuf import json_format, struct_pb2

    from mlinfra.review.inprocess import _struct_to_dict

    documents = [r.inputs for doc in stack_deployments.values() for r in resources_from_document(doc, "plan")]
    documents += [{"n": [1, 2.5, -0.0, 10**20, True, None, "x", [], {}], "": {"a": {"b": [[{}]]}}}]
    for values in documents:
        struct = struct_pb2.Struct()
        struct.update(json.loads(json.dumps(values)))
        parsed = struct_pb2.Struct.FromString(struct.SerializeToString())
        expected = json_format.MessageToDict(parsed)
        assert _struct_to_dict(parsed) == expected
        assert json.dumps(_struct_to_dict(parsed)) == json.dumps(expected)  # key order and float forms too


def test_the_command_reports_the_same_both_ways(tmp_path, monkeypatch):
    from mlinfra import cli

    (tmp_path / "Pulumi.yaml").write_text("name: fixture\nruntime: python\n")  # a project without pack config
    monkeypatch.chdir(tmp_path)
    texts = []
    for extra in ([], ["--protocol"]):
        out = tmp_path / f"report{len(texts)}.json"
        code = cli.main(["review", "--deployment", str(FIXTURES / "deployment.json"), "--policy-pack",
                         str(FIXTURES / "testpack"), "--format", "json", "--output", str(out), *extra])
        texts.append((code, out.read_text()))
    assert texts[0] == texts[1] and texts[0][0] == 1


def test_the_review_looks_for_the_waivers_file_the_waivers_module_reads():
    from mlinfra import waivers
    from mlinfra.review import engine

    assert engine.waivers_path is waivers.waivers_path  # one path, for the look before the import and the read
    assert waivers.waivers_path(ROOT, "dev") == ROOT / "policies" / "config" / "dev" / "waivers.yaml"


def _random_value(rng: random.Random, depth: int = 0):
    leaves = [None, True, False, 0, -0.0, 1.5, 2 ** 53, 2 ** 53 + 1, -(2 ** 60), 10 ** 400, float("inf"),
              float("nan"), "", "x", "ünïcödé", "\ud800", "*", rng.randint(-10 ** 6, 10 ** 6), rng.random()]
    if depth > 3 or rng.random() < 0.4:
        return rng.choice(leaves)
    if rng.random() < 0.5:
        items = [_random_value(rng, depth + 1) for _ in range(rng.randint(0, 4))]
        return tuple(items) if rng.random() < 0.2 else items
    keys = ["a", "b", "zz", "key", "Name", "ünï", "", "\udfff", 7, "x" * 30] + [f"k{n}" for n in range(20)]
    return {rng.choice(keys): _random_value(rng, depth + 1) for _ in range(rng.randint(0, 12))}


def _outcome(function, values):
    try:
        return "ok", json.dumps(function(values))  # equal values, key order and float forms too
    except Exception as exc:  # noqa: BLE001 - both paths must fail alike
        return "raised", type(exc).__name__


def test_struct_roundtrip_without_a_struct_is_the_struct_roundtrip(stack_deployments):
    """The fast path mirrors protobuf exactly, key order included, and falls back where it does not."""
    from mlinfra.review.inprocess import struct_exact

    documents = [values for doc in stack_deployments.values() for r in resources_from_document(doc, "plan")
                 for values in (r.inputs, r.outputs)]
    rng = random.Random(16)
    documents += [{"v": _random_value(rng)} for _ in range(3000)]
    documents += [{str(n): n for n in range(size)} for size in (1, 5, 17, 100, 1000)]
    outcomes = [(_outcome(struct_roundtrip, values), _outcome(struct_exact, values)) for values in documents]
    assert all(fast == exact for fast, exact in outcomes)
    kinds = {fast[0] for fast, _ in outcomes}
    assert kinds == {"ok", "raised"}  # both the mirrored values and the fallbacks were exercised


def test_deserialization_is_skipped_only_where_the_sdk_would_return_a_copy(monkeypatch):
    """Values without secrets, assets or archives skip the SDK's deserialization, which copies them,
    only while the SDK's functions (or the packs' declared wrappers) are in place."""
    from pulumi_policy import deserialize

    from mlinfra.review import inprocess

    assert inprocess._deserializes_unsigned_values_as_copies()
    pack, _ = load_pack(PACKS[0])
    with inprocess.sdk_state(pack.sdk_state):  # keep_secret_strings and share_decoded_inputs
        assert inprocess._deserializes_unsigned_values_as_copies()
    monkeypatch.setattr(deserialize, "_deserialize_property", lambda prop, proxy_secrets=False: prop)
    assert not inprocess._deserializes_unsigned_values_as_copies()

    assert inprocess._mirror({"a": [1, {"b": "x"}]}, None) == ({"a": [1.0, {"b": "x"}]}, True)
    assert inprocess._mirror({"a": [{**SECRET, "value": "x"}]}, None)[1] is False
    assert inprocess._mirror({"a": 10 ** 20, "b": {**SECRET, "value": "x"}}, None)[1] is False  # the exact path


def test_a_pack_that_changes_deserialization_reviews_the_same_both_ways(tmp_path):
    # Its patch turns every string into upper case: the in-process review must not skip it.
    directory = _pack(tmp_path, """
from pulumi_policy import EnforcementLevel, PolicyPack, ResourceValidationPolicy, deserialize

_original = deserialize._deserialize_property

def _upper(prop, proxy_secrets=False):
    value = _original(prop, proxy_secrets)
    return value.upper() if isinstance(value, str) else value

def _check(args, report_violation):
    for key, value in args.props.items():
        if isinstance(value, str) and value.isupper() and any(c.isalpha() for c in value):
            report_violation(key + "=" + value)

setattr(deserialize, "_deserialize_property", _upper)
PolicyPack(name="upper-pack", policies=[ResourceValidationPolicy(name="upper", description="Upper.",
                                                                 validate=_check)],
           enforcement_level=EnforcementLevel.ADVISORY)
""")
    pack, reason = load_pack(directory)
    assert pack is not None, reason
    document = json.loads((FIXTURES / "deployment.json").read_text())
    resources = resources_from_document(document, "deployment.json")
    inproc, protocol = _both(resources, None, packs=[directory], project_dir=tmp_path)
    _assert_same(inproc, protocol)
    assert inproc.violations  # the patch took effect in both


def test_stack_resources_are_wrapped_on_first_read_only_while_the_sdk_proxies_plainly(monkeypatch):
    from pulumi_policy import policy, proxy

    from mlinfra.review import inprocess

    assert inprocess._proxies_plainly()
    make = inprocess._resource_wrapped_on_read(policy)
    resource = make("aws:s3/bucket:Bucket", inprocess._Unwrapped({"tags": {"a": "b"}, "n": [1.0]}), "urn:x", "b",
                    None, None, None, [], {})
    assert isinstance(resource, policy.PolicyResource)
    props = resource.props
    assert type(props) is proxy._DictProxy and props is resource.props  # built once, kept
    assert plain(props) == {"tags": {"a": "b"}, "n": [1.0]}
    with pytest.raises(proxy.UnknownValueError):  # the SDK's proxy: unknowns raise when read
        make("t", inprocess._Unwrapped({"k": UNKNOWN}), "urn:y", "y", None, None, None, [], {}).props["k"]
    resource.props = {"replaced": True}  # set after construction: kept as given, as on a PolicyResource
    assert resource.props == {"replaced": True}
    monkeypatch.setattr(policy, "unknown_checking_proxy", lambda props: props)
    assert not inprocess._proxies_plainly()
