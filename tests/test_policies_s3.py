"""S3 rules: each from a compliant stack (a data bucket logging to a log bucket), one field changed."""

from __future__ import annotations

import copy
import json
from typing import Any, Callable, Optional

import pytest

from policies.rules import s3
from policy_helpers import UNKNOWN, resource_args, stack_args, stack_resource, urn_for, violation_urns, violations

BUCKET = "aws:s3/bucket:Bucket"
ENCRYPTION = "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration"
PAB = "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock"
POLICY = "aws:s3/bucketPolicy:BucketPolicy"
VERSIONING = "aws:s3/bucketVersioning:BucketVersioning"
LOGGING = "aws:s3/bucketLogging:BucketLogging"
KEY_ARN = "arn:aws:kms:us-east-1:123456789012:key/1111-2222"


def tls_policy(bucket: str, *extra: dict) -> str:
    arn = f"arn:aws:s3:::{bucket}"
    return json.dumps({"Version": "2012-10-17", "Statement": [
        {"Sid": "DenyInsecureTransport", "Effect": "Deny", "Principal": "*", "Action": "s3:*",
         "Resource": [arn, f"{arn}/*"], "Condition": {"Bool": {"aws:SecureTransport": "false"}}}, *extra]})


def compliant() -> dict[str, tuple[str, dict[str, Any]]]:
    """name -> (type, outputs) of a compliant data bucket and its access-log bucket."""
    return {
        "data": (BUCKET, {"id": "data-1", "bucket": "data-1", "arn": "arn:aws:s3:::data-1"}),
        "data-encryption": (ENCRYPTION, {"bucket": "data-1", "rules": [
            {"applyServerSideEncryptionByDefault": {"sseAlgorithm": "aws:kms", "kmsMasterKeyId": KEY_ARN},
             "bucketKeyEnabled": True}]}),
        "data-pab": (PAB, {"bucket": "data-1", "blockPublicAcls": True, "blockPublicPolicy": True,
                           "ignorePublicAcls": True, "restrictPublicBuckets": True}),
        "data-policy": (POLICY, {"bucket": "data-1", "policy": tls_policy("data-1")}),
        "data-versioning": (VERSIONING, {"bucket": "data-1", "versioningConfiguration": {"status": "Enabled"}}),
        "data-logging": (LOGGING, {"bucket": "data-1", "targetBucket": "logs-1", "targetPrefix": "data/"}),
        "logs": (BUCKET, {"id": "logs-1", "bucket": "logs-1", "arn": "arn:aws:s3:::logs-1"}),
        "logs-encryption": (ENCRYPTION, {"bucket": "logs-1", "rules": [
            {"applyServerSideEncryptionByDefault": {"sseAlgorithm": "AES256"}}]}),
        "logs-pab": (PAB, {"bucket": "logs-1", "blockPublicAcls": True, "blockPublicPolicy": True,
                           "ignorePublicAcls": True, "restrictPublicBuckets": True}),
        "logs-policy": (POLICY, {"bucket": "logs-1", "policy": tls_policy("logs-1")}),
        "logs-versioning": (VERSIONING, {"bucket": "logs-1", "versioningConfiguration": {"status": "Enabled"}}),
    }


def build(spec: dict[str, tuple[str, dict[str, Any]]], deps: Optional[dict[str, dict[str, list[str]]]] = None):
    return stack_args([stack_resource(type_, props, name=name,
                                      property_dependencies={k: [urn_for(BUCKET, v) for v in names]
                                                             for k, names in (deps or {}).get(name, {}).items()})
                       for name, (type_, props) in spec.items()])


def run(policy, change: Optional[Callable[[dict], None]] = None) -> list[str]:
    spec = copy.deepcopy(compliant())
    if change:
        change(spec)
    return violations(policy, build(spec))


ALL_STACK_RULES = [s3.s3_bucket_encryption_cmk, s3.s3_bucket_public_access_block, s3.s3_bucket_tls_only,
                   s3.s3_bucket_versioning, s3.s3_bucket_access_logging]


@pytest.mark.parametrize("policy", ALL_STACK_RULES, ids=lambda p: p.name)
def test_compliant_stack_passes_every_bucket_rule(policy):
    assert run(policy) == []


# -- encryption ---------------------------------------------------------------------------------


def test_encryption_sse_s3_on_data_bucket_fails():
    def change(spec):
        spec["data-encryption"][1]["rules"] = [{"applyServerSideEncryptionByDefault": {"sseAlgorithm": "AES256"}}]

    assert run(s3.s3_bucket_encryption_cmk, change) == [
        "Bucket 'data' is encrypted with SSE-S3 (AES256), not a customer-managed KMS key."]


def test_encryption_aws_managed_key_fails():
    def change(spec):
        spec["data-encryption"][1]["rules"][0]["applyServerSideEncryptionByDefault"]["kmsMasterKeyId"] = "alias/aws/s3"

    assert "AWS-managed key" in run(s3.s3_bucket_encryption_cmk, change)[0]


def test_encryption_kms_without_key_id_means_aws_managed_key():
    def change(spec):
        del spec["data-encryption"][1]["rules"][0]["applyServerSideEncryptionByDefault"]["kmsMasterKeyId"]

    assert "AWS-managed key" in run(s3.s3_bucket_encryption_cmk, change)[0]


def test_encryption_missing_configuration_fails_with_bucket_urn():
    spec = compliant()
    del spec["data-encryption"]
    args = build(spec)
    assert violations(s3.s3_bucket_encryption_cmk, args) == ["Bucket 'data' has no server-side encryption configuration."]
    assert violation_urns(s3.s3_bucket_encryption_cmk, build(spec)) == [urn_for(BUCKET, "data")]


def test_log_target_bucket_must_not_use_kms():
    def change(spec):
        spec["logs-encryption"][1]["rules"] = copy.deepcopy(spec["data-encryption"][1]["rules"])

    assert "receives server access logs but uses SSE-KMS" in run(s3.s3_bucket_encryption_cmk, change)[0]


def test_log_target_exemption_ends_when_no_bucket_logs_to_it():
    assert run(s3.s3_bucket_encryption_cmk, lambda spec: spec.pop("data-logging")) == [
        "Bucket 'logs' is encrypted with SSE-S3 (AES256), not a customer-managed KMS key."]


def test_inline_legacy_encryption_counts():
    def change(spec):
        del spec["data-encryption"]
        spec["data"][1]["serverSideEncryptionConfiguration"] = {"rule": {
            "applyServerSideEncryptionByDefault": {"sseAlgorithm": "aws:kms", "kmsMasterKeyId": KEY_ARN}}}

    assert run(s3.s3_bucket_encryption_cmk, change) == []


def test_preview_joins_settings_by_property_dependencies():
    spec = compliant()
    spec["data"][1].update(id=UNKNOWN, bucket=UNKNOWN, arn=UNKNOWN)
    for name in ("data-encryption", "data-pab", "data-versioning", "data-logging"):
        spec[name][1]["bucket"] = UNKNOWN
    deps = {name: {"bucket": ["data"]} for name in ("data-encryption", "data-pab", "data-versioning", "data-logging")}
    assert violations(s3.s3_bucket_encryption_cmk, build(spec, deps)) == []
    assert violations(s3.s3_bucket_public_access_block, build(spec, deps)) == []
    del deps["data-encryption"]
    assert violations(s3.s3_bucket_encryption_cmk, build(spec, deps)) == [
        "Bucket 'data' has no server-side encryption configuration."]


def test_unknown_encryption_rules_are_not_judged():
    assert run(s3.s3_bucket_encryption_cmk, lambda spec: spec["data-encryption"][1].update(rules=UNKNOWN)) == []


# -- public access block ------------------------------------------------------------------------


def test_public_access_block_with_one_setting_off_fails():
    msgs = run(s3.s3_bucket_public_access_block, lambda spec: spec["data-pab"][1].update(restrictPublicBuckets=False))
    assert msgs == ["Bucket 'data': public access block 'data-pab' does not set restrictPublicBuckets to true."]


def test_a_public_access_block_for_a_bucket_the_program_does_not_declare_is_judged_too():
    # A bucket read with `get` (never handed to policies) or named by its name: the block is the program's.
    open_ = stack_resource(PAB, {"bucket": "ml-legacy-datasets", "blockPublicAcls": True, "blockPublicPolicy": False,
                                 "ignorePublicAcls": True, "restrictPublicBuckets": False}, name="legacy")
    assert violations(s3.s3_bucket_public_access_block, stack_args([open_])) == [
        "Public access block 'legacy' for bucket 'ml-legacy-datasets' does not set blockPublicPolicy, "
        "restrictPublicBuckets to true."]
    closed = stack_resource(PAB, {"bucket": UNKNOWN, "blockPublicAcls": True, "blockPublicPolicy": True,
                                  "ignorePublicAcls": True, "restrictPublicBuckets": UNKNOWN}, name="pending")
    assert violations(s3.s3_bucket_public_access_block, stack_args([closed])) == []


def test_missing_public_access_block_fails():
    assert run(s3.s3_bucket_public_access_block, lambda spec: spec.pop("logs-pab")) == [
        "Bucket 'logs' has no public access block."]


def test_account_public_access_block_covers_every_bucket():
    def change(spec):
        spec.pop("logs-pab")
        spec.pop("data-pab")
        spec["account"] = ("aws:s3/accountPublicAccessBlock:AccountPublicAccessBlock", {
            "blockPublicAcls": True, "blockPublicPolicy": True, "ignorePublicAcls": True,
            "restrictPublicBuckets": True})

    assert run(s3.s3_bucket_public_access_block, change) == []


# -- TLS only -----------------------------------------------------------------------------------


def test_policy_without_tls_deny_fails():
    def change(spec):
        spec["data-policy"][1]["policy"] = json.dumps({"Statement": [
            {"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::123456789012:root"}, "Action": "s3:GetObject",
             "Resource": "arn:aws:s3:::data-1/*"}]})

    assert run(s3.s3_bucket_tls_only, change) == [
        "Bucket 'data' has no bucket policy denying requests without TLS (aws:SecureTransport false)."]


def test_tls_deny_with_secure_transport_true_does_not_count():
    def change(spec):
        spec["data-policy"][1]["policy"] = spec["data-policy"][1]["policy"].replace('"false"', '"true"')

    assert len(run(s3.s3_bucket_tls_only, change)) == 1


def test_tls_deny_as_dict_with_boolean_and_aws_principal_list_counts():
    def change(spec):
        spec["data-policy"][1]["policy"] = {"Statement": {
            "Effect": "Deny", "Principal": {"AWS": ["*"]}, "Action": ["s3:*"], "Resource": "*",
            "Condition": {"Bool": {"aws:SecureTransport": False}}}}

    assert run(s3.s3_bucket_tls_only, change) == []


def test_bucket_without_policy_fails_tls_rule():
    assert len(run(s3.s3_bucket_tls_only, lambda spec: spec.pop("logs-policy"))) == 1


def test_unknown_policy_document_is_not_judged():
    assert run(s3.s3_bucket_tls_only, lambda spec: spec["data-policy"][1].update(policy=UNKNOWN)) == []


# -- versioning and access logging --------------------------------------------------------------


def test_suspended_versioning_fails():
    def change(spec):
        spec["data-versioning"][1]["versioningConfiguration"]["status"] = "Suspended"

    assert run(s3.s3_bucket_versioning, change) == ["Bucket 'data' does not have versioning enabled."]


def test_inline_versioning_counts():
    def change(spec):
        spec.pop("data-versioning")
        spec["data"][1]["versioning"] = {"enabled": True}

    assert run(s3.s3_bucket_versioning, change) == []


def test_data_bucket_without_access_logging_fails_but_log_bucket_is_exempt():
    def change(spec):
        spec["data-logging"] = (LOGGING, {"bucket": "other-1", "targetBucket": "logs-1"})

    assert run(s3.s3_bucket_access_logging, change) == ["Bucket 'data' has no server access logging."]


def test_inline_logging_counts_and_marks_the_target():
    def change(spec):
        spec.pop("data-logging")
        spec["data"][1]["logging"] = {"targetBucket": "logs-1", "targetPrefix": "data/"}

    assert run(s3.s3_bucket_access_logging, change) == []
    assert run(s3.s3_bucket_encryption_cmk, change) == []


# -- public grants (resource rule) --------------------------------------------------------------


def test_public_grants_compliant_policy_passes():
    assert violations(s3.s3_bucket_policy_no_public_principal, resource_args(POLICY, {"bucket": "b", "policy": tls_policy("b")})) == []


def test_public_grants_allow_star_without_condition_fails():
    public = {"Sid": "Public", "Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "*"}
    msgs = violations(s3.s3_bucket_policy_no_public_principal, resource_args(POLICY, {"policy": tls_policy("b", public)}))
    assert msgs == ["Bucket policy statement(s) Public allow any principal ('*') without a condition that restricts the caller (such as aws:PrincipalOrgID or aws:SourceVpce): the data is public."]


def test_public_grants_allow_star_with_only_a_transport_condition_fails():
    public = {"Sid": "Public", "Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "*",
              "Condition": {"Bool": {"aws:SecureTransport": "true"}, "IpAddress": {"aws:SourceIp": "0.0.0.0/0"}}}
    msgs = violations(s3.s3_bucket_policy_no_public_principal, resource_args(POLICY, {"policy": tls_policy("b", public)}))
    assert msgs == ["Bucket policy statement(s) Public allow any principal ('*') without a condition that restricts the caller (such as aws:PrincipalOrgID or aws:SourceVpce): the data is public."]


def test_public_grants_allow_star_with_condition_passes():
    scoped = {"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "s3:GetObject", "Resource": "*",
              "Condition": {"StringEquals": {"aws:PrincipalOrgID": "o-123"}}}
    assert violations(s3.s3_bucket_policy_no_public_principal, resource_args(POLICY, {"policy": tls_policy("b", scoped)})) == []


@pytest.mark.parametrize("props, expected", [
    ({"acl": "private"}, []),
    ({"acl": "public-read"}, ["ACL makes the bucket public: canned ACL 'public-read'."]),
    ({"accessControlPolicy": {"grants": [{"grantee": {"type": "Group", "uri":
      "http://acs.amazonaws.com/groups/global/AllUsers"}, "permission": "READ"}], "owner": {"id": "x"}}},
     ["ACL makes the bucket public: grant to AllUsers."]),
])
def test_public_grants_bucket_acl(props, expected):
    assert violations(s3.s3_bucket_acl_not_public, resource_args("aws:s3/bucketAcl:BucketAcl", props)) == expected


def test_public_grants_inline_bucket_grants_and_other_types_ignored():
    grants = [{"type": "Group", "uri": "http://acs.amazonaws.com/groups/global/AuthenticatedUsers",
               "permissions": ["READ"]}]
    assert violations(s3.s3_bucket_acl_not_public, resource_args(BUCKET, {"grants": grants})) == [
        "ACL makes the bucket public: grant to AuthenticatedUsers."]
    assert violations(s3.s3_bucket_policy_no_public_principal,
                      resource_args("aws:sqs/queue:Queue", {"policy": tls_policy("q", {
                          "Effect": "Allow", "Principal": "*", "Action": "sqs:*", "Resource": "*"})})) == []



def test_a_public_policy_and_a_public_acl_break_one_rule_each():
    public = {"Sid": "Public", "Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "*"}
    props = {"acl": "public-read", "policy": tls_policy("b", public)}
    both = {p.name: violations(p, resource_args(BUCKET, props)) for p in s3.PRIVACY}
    assert all(len(found) == 1 for found in both.values()) and len(both) == 2
    assert violations(s3.s3_bucket_acl_not_public, resource_args(BUCKET, {"policy": tls_policy("b", public)})) == []
    assert violations(s3.s3_bucket_policy_no_public_principal, resource_args(BUCKET, {"acl": "public-read"})) == []

# --- BucketV2's inline lists (pulumi-aws 6 programs) ---------------------------------------------------

BUCKET_V2 = "aws:s3/bucketV2:BucketV2"


@pytest.mark.parametrize("path", [
    ("serverSideEncryptionConfigurations", "rules", "applyServerSideEncryptionByDefaults", "kmsMasterKeyId"),
    ("serverSideEncryptionConfigurations", "rules", "bucketKeyEnabled"),
    ("versionings", "enabled"), ("loggings", "targetBucket")])
def test_the_bucket_v2_inputs_read_are_in_the_sdk(path):
    from sdk_inputs import assert_inputs_in_sdk

    assert_inputs_in_sdk(BUCKET_V2, path)


def _v2_spec(data: dict[str, Any], logs: Optional[dict[str, Any]] = None) -> dict:
    """The compliant stack with both buckets BucketV2s that declare encryption, versioning and logging inline."""
    spec = {name: entry for name, entry in compliant().items() if name in ("data-pab", "data-policy", "logs-pab",
                                                                          "logs-policy")}
    spec["data"] = (BUCKET_V2, {"id": "data-1", "bucket": "data-1", "arn": "arn:aws:s3:::data-1", **data})
    spec["logs"] = (BUCKET_V2, {"id": "logs-1", "bucket": "logs-1", "arn": "arn:aws:s3:::logs-1", **(logs or {
        "serverSideEncryptionConfigurations": [{"rules": [
            {"applyServerSideEncryptionByDefaults": [{"sseAlgorithm": "AES256"}]}]}],
        "versionings": [{"enabled": True, "mfaDelete": False}]})})
    return spec


V2_DATA = {"serverSideEncryptionConfigurations": [{"rules": [
               {"applyServerSideEncryptionByDefaults": [{"sseAlgorithm": "aws:kms", "kmsMasterKeyId": KEY_ARN}],
                "bucketKeyEnabled": True}]}],
           "versionings": [{"enabled": True, "mfaDelete": False}],
           "loggings": [{"targetBucket": "logs-1", "targetPrefix": "data/"}]}

V2_POLICIES = (s3.s3_bucket_encryption_cmk, s3.s3_bucket_versioning, s3.s3_bucket_access_logging)


def test_a_bucket_v2_with_its_settings_inline_passes():
    for policy in V2_POLICIES:
        assert violations(policy, build(_v2_spec(V2_DATA))) == [], policy.name


@pytest.mark.parametrize("change, policy, expected", [
    ({"serverSideEncryptionConfigurations": [{"rules": [
        {"applyServerSideEncryptionByDefaults": [{"sseAlgorithm": "AES256"}]}]}]},
     s3.s3_bucket_encryption_cmk, "encrypted with SSE-S3"),
    ({"serverSideEncryptionConfigurations": []}, s3.s3_bucket_encryption_cmk, "no server-side encryption"),
    ({"versionings": [{"enabled": False}]}, s3.s3_bucket_versioning, "does not have versioning enabled"),
    ({"loggings": []}, s3.s3_bucket_access_logging, "has no server access logging"),
])
def test_a_bucket_v2_missing_an_inline_setting_is_reported(change, policy, expected):
    found = violations(policy, build(_v2_spec({**V2_DATA, **change})))
    assert any(expected in message and "'data'" in message for message in found), found


def test_a_bucket_v2_receiving_inline_logs_is_a_log_bucket():
    # data's loggings make logs a log target: SSE-KMS there is the finding, no logging of its own is not.
    kms_logs = {"serverSideEncryptionConfigurations": V2_DATA["serverSideEncryptionConfigurations"],
                "versionings": [{"enabled": True}]}
    [message] = violations(s3.s3_bucket_encryption_cmk, build(_v2_spec(V2_DATA, kms_logs)))
    assert "'logs' receives server access logs but uses SSE-KMS" in message
    assert violations(s3.s3_bucket_access_logging, build(_v2_spec(V2_DATA))) == []


@pytest.mark.parametrize("change", [
    {"serverSideEncryptionConfigurations": UNKNOWN},
    {"serverSideEncryptionConfigurations": [{"rules": UNKNOWN}]},
    {"serverSideEncryptionConfigurations": [{"rules": [{"applyServerSideEncryptionByDefaults": UNKNOWN}]}]},
    {"versionings": UNKNOWN}])
def test_unknown_bucket_v2_settings_are_not_judged(change):
    for policy in V2_POLICIES:
        assert violations(policy, build(_v2_spec({**V2_DATA, **change}))) == [], policy.name


def test_in_a_preview_unknown_loggings_point_at_their_target_by_dependency():
    spec = _v2_spec({**V2_DATA, "loggings": UNKNOWN})
    resources = [stack_resource(type_, props, name=name, property_dependencies={
        "loggings": [urn_for(BUCKET_V2, "logs")]} if name == "data" else None) for name, (type_, props) in spec.items()]
    for policy in V2_POLICIES:
        assert violations(policy, stack_args(resources)) == [], policy.name


@pytest.mark.parametrize("type_", s3.OBJECT_TYPES)
def test_an_object_uploaded_or_copied_with_a_public_acl_is_reported(type_):
    from sdk_inputs import assert_inputs_in_sdk

    assert_inputs_in_sdk(type_, ("acl",))
    [message] = violations(s3.s3_bucket_acl_not_public, resource_args(type_, {"bucket": "b", "key": "model.tar.gz",
                                                                              "acl": "public-read"}))
    assert "ACL makes the object public: canned ACL 'public-read'" in message
    for acl in ("private", "bucket-owner-full-control", None, UNKNOWN):
        assert violations(s3.s3_bucket_acl_not_public, resource_args(type_, {"bucket": "b", "acl": acl})) == []


def test_an_object_copy_granting_all_users_is_reported():
    grants = [{"type": "Group", "uri": "http://acs.amazonaws.com/groups/global/AllUsers", "permissions": ["READ"]}]
    [message] = violations(s3.s3_bucket_acl_not_public, resource_args("aws:s3/objectCopy:ObjectCopy", {
        "bucket": "b", "key": "k", "source": "src/k", "grants": grants}))
    assert "grant to AllUsers" in message
