"""The shared rule helpers: tolerant reading, config defaults, IAM documents, tags, joins."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap

import pytest

from catalog import classification
from policies.rules import _declare, _index, _principals, _props, _taggable
from policy_helpers import UNKNOWN, provider, resource_args, stack_args, stack_resource, urn_for


def test_get_reads_through_proxies_and_marks_unknowns():
    args = resource_args("aws:s3/bucket:Bucket", {"a": {"b": [1, {"c": UNKNOWN}]}, "n": None, "u": UNKNOWN})
    assert _props.get(args.props, "a", "b", 0) == 1
    assert _props.get(args.props, "a", "b", 1) == {"c": _props.UNKNOWN}
    assert _props.get(args.props, "a", "b", 1, "c") is _props.UNKNOWN
    assert _props.get(args.props, "u", "deeper") is _props.UNKNOWN
    assert _props.get(args.props, "n", default="d") == "d"
    assert _props.get(args.props, "missing", "x", default=[]) == []
    assert _props.get(args.props, "a", "b", 9) is None
    assert isinstance(_props.get(args.props, "a"), dict) and isinstance(_props.get(args.props, "a", "b"), list)


def test_has_key_sees_unknown_values():
    args = resource_args("aws:s3/bucket:Bucket", {"tags": UNKNOWN})
    assert _props.has_key(args.props, "tags") and not _props.has_key(args.props, "tagsAll")


def test_plain_reveals_exported_secrets():
    secret = {"4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270", "value": "s3cr3t"}
    assert _props.plain({"x": secret}) == {"x": "s3cr3t"}


@pytest.mark.parametrize("value, expected", [(None, []), ("a", ["a"]), (["a", "b"], ["a", "b"]), ({"k": 1}, [{"k": 1}])])
def test_as_list(value, expected):
    assert _props.as_list(value) == expected


def test_scalar_coercions():
    assert [_props.as_bool(v) for v in (True, "false", "TRUE", "yes", None)] == [True, False, True, None, None]
    assert [_props.as_int(v) for v in (3, 3.0, "7", 2.5, True, None)] == [3, 3, 7, None, None, None]
    assert _props.as_int(UNKNOWN) is _props.UNKNOWN and _props.as_bool(UNKNOWN) is _props.UNKNOWN and _props.as_list(UNKNOWN) is _props.UNKNOWN


@pytest.mark.parametrize(("quantity", "count"), [
    (8, 8), (8.0, 8), ("8", 8), (" 8 ", 8), ("+3", 3), ("1k", 1000), ("2M", 2_000_000), ("1Ki", 1024), ("1Gi", 2**30),
    ("1e3", 1000), ("15E-1", 1), ("1500m", 1), ("2.5", 2), (".5k", 500), ("-1", -1),
    ("k", None), ("8 GPUs", None), ("1e99", None), ("1KB", None), (True, None), (None, None), (float("inf"), None),
])
def test_as_count_reads_kubernetes_quantities_rounded_down(quantity, count):
    assert _props.as_count(quantity) == count
    assert _props.as_count(UNKNOWN) is _props.UNKNOWN


def test_policy_config_applies_defaults_and_types():
    schema = _declare.config_schema(days={"type": "integer", "default": 365},
                             ports={"type": "array", "items": {"type": "integer"}, "default": [22]},
                             names={"type": "array", "items": {"type": "string"}, "default": ["a"]})
    assert _declare.policy_config(resource_args("t", {}), schema) == {"days": 365, "ports": [22], "names": ["a"]}
    given = resource_args("t", {}, config={"days": 30.0, "ports": [22.0, 5432.0]})
    assert _declare.policy_config(given, schema) == {"days": 30, "ports": [22, 5432], "names": ["a"]}


def test_policy_config_is_merged_once_per_configuration_and_each_caller_gets_its_own_dict():
    schema = _declare.config_schema(days={"type": "integer", "default": 365})
    given = resource_args("t", {}, config={"days": 30.0})
    first = _declare.policy_config(given, schema)
    first["days"] = 1
    assert _declare.policy_config(given, schema) == {"days": 30}
    # Another configuration object (another policy, another review) is merged on its own.
    assert _declare.policy_config(resource_args("t", {}, config={"days": 7.0}), schema) == {"days": 7}
    other = _declare.config_schema(days={"type": "integer", "default": 90}, keep={"type": "boolean", "default": True})
    assert _declare.policy_config(given, other) == {"days": 30, "keep": True}


def test_policy_config_merges_once_for_the_sdks_per_call_copies(monkeypatch):
    """The SDK hands each call ``config.copy()``: copies holding the same values share one merge."""
    schema = _declare.config_schema(days={"type": "integer", "default": 365})
    config = {"days": 30.0}
    merges = []
    real = _declare._merged
    monkeypatch.setattr(_declare, "_merged", lambda raw, sch: merges.append(raw) or real(raw, sch))
    for _ in range(3):
        assert _declare.policy_config(resource_args("t", {}, config=config.copy()), schema) == {"days": 30}
    assert len(merges) == 1
    # A copy with another value is merged anew.
    assert _declare.policy_config(resource_args("t", {}, config={"days": 7.0}), schema) == {"days": 7}
    assert len(merges) == 2


def test_config_schema_requires_defaults():
    with pytest.raises(ValueError, match="config property 'days' has no default"):
        _declare.config_schema(days={"type": "integer"})


@pytest.mark.parametrize("principal", ["*", {"AWS": "*"}, {"AWS": ["arn:aws:iam::1:root", "*"]}])
def test_parse_policy_wildcard_principal_forms(principal):
    statements = _principals.parse_policy(json.dumps({"Statement": {"Effect": "Allow", "Principal": principal, "Action": "x"}}))
    assert len(statements) == 1 and statements[0].has_wildcard_principal and statements[0].allows


def test_parse_policy_normalizes_fields():
    [statement] = _principals.parse_policy({"Statement": [{"Sid": "S", "Effect": "Deny", "Principal": {"Service": "logs.amazonaws.com"},
                                                 "Action": "s3:*", "Resource": ["a", "b"],
                                                 "Condition": {"Bool": {"aws:SecureTransport": "false"}}}]})
    assert statement.sid == "S" and statement.denies and not statement.has_wildcard_principal
    assert statement.actions == ("s3:*",) and statement.resources == ("a", "b") and statement.has_condition
    assert statement.principals == (("Service", "logs.amazonaws.com"),)


def test_parse_policy_absent_invalid_and_unknown():
    assert _principals.parse_policy(None) == [] and _principals.parse_policy("") == []
    assert _principals.parse_policy("{nope") is None and _principals.parse_policy("[1]") is None
    assert _principals.parse_policy(UNKNOWN) is _props.UNKNOWN
    assert _principals.parse_policy(f'{{"Statement": [{{"Resource": "{UNKNOWN}"}}]}}') is _props.UNKNOWN


def test_parse_policy_gives_each_caller_its_own_list_of_a_text_parsed_once():
    text = json.dumps({"Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}]})
    first = _principals.parse_policy(text)
    first.append("changed by a caller")
    second = _principals.parse_policy(text)
    assert [s.actions for s in second] == [("s3:GetObject",)]
    assert second[0] is first[0]  # the statements themselves are frozen and shared


def test_wildcard_allows_and_the_no_wildcard_principal_validator():
    document = {"Statement": [
        {"Sid": "Open", "Effect": "Allow", "Principal": "*", "Action": ["a:X", "a:Y"]},
        {"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "a:Z", "Condition": {"StringEquals": {"k": "v"}}},
        {"Effect": "Allow", "Principal": "*", "Action": "a:Z",
         "Condition": {"StringEquals": {"aws:PrincipalOrgID": "o-123"}}},
        {"Effect": "Deny", "Principal": "*", "Action": "a:*"},
        {"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::1:root"}, "Action": "a:X"},
    ]}
    statements = _principals.parse_policy(document)
    assert [index for index, _ in _principals.wildcard_allows(statements)] == [0, 1, 2]
    # A condition on some other key ("k") does not restrict the caller; aws:PrincipalOrgID does.
    assert [index for index, _ in _principals.wildcard_allows(statements, unless_restricted=True)] == [0, 1]

    validate = _principals.no_wildcard_principal("policy", invalid="{resource} is not JSON",
                                       allowed="{resource} {sid!r} {label} ({actions})")
    reported: list[str] = []
    validate(resource_args("aws:x/y:Y", {"policy": json.dumps(document)}, name="p"), reported.append)
    assert reported == ["aws:x/y:Y 'p' 'Open' Open (a:X, a:Y)", "aws:x/y:Y 'p' '(no Sid)' #1 (a:Z)",
                        "aws:x/y:Y 'p' '(no Sid)' #2 (a:Z)"]
    reported.clear()
    validate(resource_args("aws:x/y:Y", {"policy": "{nope"}, name="p"), reported.append)
    validate(resource_args("aws:x/y:Y", {"policy": UNKNOWN}, name="p"), reported.append)
    assert reported == ["aws:x/y:Y 'p' is not JSON"]


@pytest.mark.parametrize("condition", [
    {"StringEquals": {"aws:PrincipalOrgID": "o-123"}},
    {"stringequals": {"AWS:PRINCIPALACCOUNT": ["111111111111", "222222222222"]}},  # keys and operators ignore case
    {"ForAnyValue:StringLike": {"aws:PrincipalOrgPaths": "o-123/r-ab12/ou-ab12-11111111/*"}},
    {"ArnLike": {"aws:PrincipalArn": "arn:aws:iam::111111111111:role/*"}},
    {"ArnEquals": {"aws:SourceArn": "arn:aws:events:us-east-1:111111111111:rule/r"}},
    {"ArnLike": {"aws:SourceArn": "arn:aws:s3:::training-data"}},  # S3 ARNs have no account; the name is global
    {"StringEquals": {"aws:SourceVpce": "vpce-0123"}},
    {"IpAddress": {"aws:SourceIp": "10.0.0.0/8"}},
    {"StringEquals": {"kms:CallerAccount": "111111111111", "kms:ViaService": "s3.us-east-1.amazonaws.com"}},
    {"Bool": {"aws:SecureTransport": "true"}, "StringEquals": {"aws:SourceAccount": "111111111111"}},
    {"StringEquals": {"aws:PrincipalAccount": UNKNOWN}},  # known only at deployment: not judged
    UNKNOWN,
])
def test_conditions_that_restrict_the_caller(condition):
    assert _principals.condition_restricts_caller(condition)


@pytest.mark.parametrize("condition", [
    {},
    {"Bool": {"aws:SecureTransport": "true"}},
    {"StringEquals": {"aws:PrincipalTag/team": "ml"}},  # any account can tag its own principals
    {"StringEquals": {"kms:ViaService": "s3.us-east-1.amazonaws.com"}},
    {"StringNotEquals": {"aws:PrincipalAccount": "111111111111"}},
    {"StringEqualsIfExists": {"aws:PrincipalAccount": "111111111111"}},
    {"ForAllValues:StringEquals": {"aws:PrincipalOrgID": "o-123"}},  # true for a request without the key
    {"StringLike": {"aws:PrincipalAccount": "*"}},
    {"StringLike": {"aws:PrincipalAccount": ["111111111111", "*"]}},
    {"StringEquals": {"aws:PrincipalAccount": []}},
    {"ArnLike": {"aws:PrincipalArn": "arn:aws:iam::*:role/trainer"}},
    {"ArnLike": {"aws:SourceArn": "arn:aws:s3:::*"}},
    {"ArnLike": {"aws:SourceArn": "arn:aws:*"}},
    {"IpAddress": {"aws:SourceIp": "0.0.0.0/0"}},
    {"IpAddress": {"aws:SourceIp": "::/0"}},
    {"StringEquals": "aws:PrincipalAccount"},
])
def test_conditions_that_leave_any_caller_in(condition):
    assert not _principals.condition_restricts_caller(condition)


@pytest.mark.parametrize("key_id, alias", [
    ("alias/aws/s3", "alias/aws/s3"),
    ("arn:aws:kms:us-east-1:123456789012:alias/aws/sns", "alias/aws/sns"),
    ("alias/ml-platform", None),
    ("arn:aws:kms:us-east-1:123456789012:alias/team/aws/x", None),
    ("arn:aws:kms:us-east-1:123456789012:key/1234abcd", None),
    ("", None), (None, None), (5, None), (UNKNOWN, None),
])
def test_aws_managed_key_alias(key_id, alias):
    assert _principals.aws_managed_key_alias(key_id) == alias


def test_action_matching():
    assert _principals.action_matches("s3:Get*", "s3:GetObject") and _principals.action_matches("S3:*", "s3:PutObject")
    assert not _principals.action_matches("s3:Get*", "s3:PutObject")
    assert _principals.is_full_wildcard_action("*:*") and not _principals.is_full_wildcard_action("s3:*")


def test_resource_tags_merge_provider_defaults_json_or_dict():
    as_json = resource_args("aws:s3/bucket:Bucket", {"tags": {"owner": "me"}},
                            provider_props=provider(default_tags={"owner": "platform", "environment": "dev"}))
    assert _props.resource_tags(as_json) == {"owner": "me", "environment": "dev"}
    as_dict = resource_args("aws:s3/bucket:Bucket", {}, provider_props={"defaultTags": {"tags": {"team": "ml"}}})
    assert _props.resource_tags(as_dict) == {"team": "ml"}
    assert _props.resource_tags(resource_args("aws:s3/bucket:Bucket", {"tags": UNKNOWN})) is _props.UNKNOWN


def test_resource_region_prefers_own_input():
    args = resource_args("aws:s3/bucket:Bucket", {"region": "eu-west-1"}, provider_props=provider(region="us-east-1"))
    assert _props.resource_region(args) == "eu-west-1"
    assert _props.resource_region(resource_args("aws:s3/bucket:Bucket", {}, provider_props=provider(region="us-east-1"))) == "us-east-1"
    assert _props.resource_region(resource_args("aws:s3/bucket:Bucket", {})) is None


@pytest.mark.parametrize("type_, expected", [
    ("aws:s3/bucket:Bucket", True), ("aws:ec2/vpc:Vpc", True), ("aws:sagemaker/featureGroup:FeatureGroup", True),
    ("aws:s3/bucketPolicy:BucketPolicy", False), ("aws:iam/rolePolicyAttachment:RolePolicyAttachment", False),
    ("aws:nosuch/thing:Thing", False), ("kubernetes:core/v1:Namespace", False), ("pulumi:providers:aws", False),
])
def test_is_taggable_reads_the_provider_schema(type_, expected):
    assert _taggable.is_taggable(type_) is expected


def test_is_taggable_is_the_same_from_concurrent_threads():
    # A pack serves Analyze on several threads; on a first lookup they race into pulumi-aws's lazily
    # loaded modules. A fresh interpreter, so nothing is imported or cached yet.
    script = textwrap.dedent("""
        import threading
        from concurrent.futures import ThreadPoolExecutor
        from policies.rules._taggable import is_taggable
        types = ["aws:rds/instance:Instance", "aws:cloudwatch/logGroup:LogGroup", "aws:ebs/volume:Volume",
                 "aws:sagemaker/endpoint:Endpoint", "aws:eks/cluster:Cluster", "aws:iam/role:Role"] * 4
        barrier = threading.Barrier(len(types))
        def lookup(type_):
            barrier.wait()
            return is_taggable(type_)
        with ThreadPoolExecutor(len(types)) as pool:
            print(sorted({t for t, ok in zip(types, pool.map(lookup, types)) if not ok}))
    """)
    out = subprocess.run([sys.executable, "-c", script], check=True, capture_output=True, text=True).stdout
    assert out.strip() == "[]"


def test_data_store_types():
    assert classification.is_data_store("aws:s3/bucket:Bucket") and classification.is_data_store("aws:ecr/repository:Repository")
    assert not classification.is_data_store("aws:cloudwatch/logGroup:LogGroup")


def test_refers_to_by_value_or_property_dependency():
    vpc = stack_resource("aws:ec2/vpc:Vpc", {"id": "vpc-1"}, name="vpc")
    by_value = stack_resource("aws:ec2/flowLog:FlowLog", {"vpcId": "vpc-1"}, name="a")
    by_dependency = stack_resource("aws:ec2/flowLog:FlowLog", {"vpcId": UNKNOWN}, name="b",
                                   property_dependencies={"vpcId": [urn_for("aws:ec2/vpc:Vpc", "vpc")]})
    elsewhere = stack_resource("aws:ec2/flowLog:FlowLog", {"vpcId": "vpc-2"}, name="c")
    args = stack_args([vpc, by_value, by_dependency, elsewhere])
    found = _index.referrers(args.resources, ("aws:ec2/flowLog:FlowLog",), "vpcId", vpc, ("id",))
    assert [r.name for r in found] == ["a", "b"]


def test_frameworks_builds_main_framework_and_tags():
    result = _declare.frameworks({"cis-aws": "1.16", "gdpr": "Art. 32"})
    assert result["tags"] == ["cis-aws", "gdpr"]
    assert (result["framework"].reference, result["framework"].version) == ("1.16", "3.0.0")
    with pytest.raises(ValueError, match="unknown framework tag"):
        _declare.frameworks({"iso-27001": "A.8"})


def test_applies_to_filters_resource_types():
    calls = []
    validate = _declare.applies_to(["aws:kms/key:Key"], lambda args, report: calls.append(args.resource_type))
    validate(resource_args("aws:kms/key:Key", {}), None)
    validate(resource_args("aws:s3/bucket:Bucket", {}), None)
    assert calls == ["aws:kms/key:Key"]


def test_reference_index_finds_what_referrers_finds_in_stack_order():
    from policies.rules._index import ReferenceIndex, referrers

    bucket_type, setting = "aws:s3/bucket:Bucket", "aws:s3/bucketVersioning:BucketVersioning"
    target = stack_resource(bucket_type, {"id": "data", "arn": "arn:aws:s3:::data"}, name="data")
    other = stack_resource(bucket_type, {"id": "logs"}, name="logs")
    by_value = stack_resource(setting, {"bucket": "data"}, name="by-value")
    by_arn = stack_resource(setting, {"bucket": "arn:aws:s3:::data"}, name="by-arn")
    by_dependency = stack_resource(setting, {}, name="by-dependency", property_dependencies={"bucket": [target.urn]})
    elsewhere = stack_resource(setting, {"bucket": "logs"}, name="elsewhere")
    wrong_type = stack_resource("aws:s3/bucketPolicy:BucketPolicy", {"bucket": "data"}, name="policy")
    resources = stack_args([target, other, by_dependency, by_value, elsewhere, wrong_type, by_arn]).resources

    index = ReferenceIndex(resources, (setting,), "bucket")
    for bucket in (resources[0], resources[1]):
        assert index.referrers(bucket) == referrers(resources, (setting,), "bucket", bucket)
    assert [r.name for r in index.referrers(resources[0])] == ["by-dependency", "by-value", "by-arn"]
    assert [r.name for r in index.referrers(resources[1])] == ["elsewhere"]


def _reference_plain(value):
    """``plain`` as it read every value before the direct path for proxies, dicts and lists."""
    from collections.abc import Mapping, Sequence

    if _props.is_unknown(value):
        return _props.UNKNOWN
    if isinstance(value, Mapping):
        if _props._item(value, _props._SIG_KEY) == _props._SECRET_SIG:
            revealed = _reference_plain(_props._item(value, "value"))
            return (_props.SecretString(revealed) if isinstance(revealed, str) and not _props.is_unknown(revealed)
                    else revealed)
        return {key: _reference_plain(_props._item(value, key)) for key in value}
    if isinstance(value, Sequence) and not isinstance(value, (str, bytes)):
        return [_reference_plain(_props._item(value, index)) for index in range(len(value))]
    return value


def test_plain_reads_proxies_directly_with_the_same_result(stack_deployments):
    import random

    from fuzzing import mutated
    from mlinfra.review import resources_from_document
    from pulumi_policy.deserialize import deserialize_properties
    from pulumi_policy.proxy import unknown_checking_proxy

    secret = {_props._SIG_KEY: _props._SECRET_SIG}
    odd = [None, 1, 2.5, True, "x", UNKNOWN, [], {}, [UNKNOWN, {"a": UNKNOWN}], {**secret, "value": "s"},
           {**secret, "value": UNKNOWN}, {**secret}, {_props._SIG_KEY: UNKNOWN}, _props.SecretString("t")]
    rng = random.Random(3)
    resources = [r for doc in stack_deployments.values() for r in resources_from_document(doc, "plan")]
    checked = 0
    for r in resources:
        for props in (r.inputs, mutated(r.inputs, rng, odd)):
            try:
                decoded = deserialize_properties(json.loads(json.dumps(props)))
            except AssertionError:  # a mutated secret or signature the SDK refuses
                decoded = props
            for value in (props, decoded):
                proxied = unknown_checking_proxy(value)
                expected = _reference_plain(proxied)
                assert _props.plain(proxied) == expected and _props.plain(value) == _reference_plain(value)
                assert type(_props.plain(proxied)) is type(expected)
                checked += 1
    assert checked > 1000
