"""Rules for the generative-AI side of an ML platform: OpenSearch Serverless vector stores and
Bedrock model invocation logging. Each from a compliant example with one thing changed; the
documents follow AWS's policy formats (see ``policies/rules/vector_stores.py``)."""

from __future__ import annotations

import json

import pytest

from policies.rules.bedrock import bedrock_invocation_logging
from policies.rules.vector_stores import (
    opensearch_serverless_access_named_principals,
    opensearch_serverless_cmk,
    opensearch_serverless_not_public,
)
from policy_helpers import UNKNOWN, found, stack_args, stack_resource, violation_urns, violations
from sdk_inputs import assert_inputs_in_sdk

SECURITY_POLICY = "aws:opensearch/serverlessSecurityPolicy:ServerlessSecurityPolicy"
ACCESS_POLICY = "aws:opensearch/serverlessAccessPolicy:ServerlessAccessPolicy"
LOGGING = "aws:bedrockmodel/invocationLoggingConfiguration:InvocationLoggingConfiguration"
KNOWLEDGE_BASE = "aws:bedrock/agentKnowledgeBase:AgentKnowledgeBase"
KMS = "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"
RULES = [{"ResourceType": "collection", "Resource": ["collection/rag"]},
         {"ResourceType": "dashboard", "Resource": ["collection/rag"]}]


@pytest.mark.parametrize("type_, path", [
    (SECURITY_POLICY, ("type",)), (SECURITY_POLICY, ("policy",)), (ACCESS_POLICY, ("type",)),
    (ACCESS_POLICY, ("policy",)), (LOGGING, ("loggingConfig", "textDataDeliveryEnabled")),
    (LOGGING, ("loggingConfig", "s3Config", "bucketName")), (LOGGING, ("loggingConfig", "cloudwatchConfig", "logGroupName")),
])
def test_every_input_read_is_in_the_pulumi_aws_sdk(type_, path):
    assert_inputs_in_sdk(type_, path)


def test_a_public_network_policy_fails_a_private_one_passes():
    private = [{"Rules": RULES, "AllowFromPublic": False, "SourceVPCEs": ["vpce-0123456789abcdef0"]},
               {"Rules": RULES[:1], "AllowFromPublic": False, "SourceServices": ["bedrock.amazonaws.com"]}]
    assert found(opensearch_serverless_not_public, SECURITY_POLICY, {"type": "network",
                                                                      "policy": json.dumps(private)}) == []
    public = [private[0], {"Rules": RULES, "AllowFromPublic": True}]
    [message] = found(opensearch_serverless_not_public, SECURITY_POLICY, {"type": "network", "policy": json.dumps(public)})
    assert "collection and dashboard endpoints of collection/rag (AllowFromPublic true)" in message
    # Another type's document, unknown or broken documents are not judged.
    for props in ({"type": "encryption", "policy": json.dumps(public)}, {"type": "network", "policy": UNKNOWN},
                  {"type": "network", "policy": "{not json"}, {"type": UNKNOWN, "policy": json.dumps(public)}):
        assert found(opensearch_serverless_not_public, SECURITY_POLICY, props) == []


def test_an_aws_owned_key_fails_a_customer_key_passes():
    mine = {"Rules": RULES[:1], "AWSOwnedKey": False, "KmsARN": KMS}
    assert found(opensearch_serverless_cmk, SECURITY_POLICY, {"type": "encryption", "policy": json.dumps(mine)}) == []
    for owned in ({"Rules": RULES[:1], "AWSOwnedKey": True}, {"Rules": RULES[:1], "AWSOwnedKey": False}):
        [message] = found(opensearch_serverless_cmk, SECURITY_POLICY, {"type": "encryption", "policy": json.dumps(owned)})
        assert "encrypts collection/rag with an AWS-owned key" in message
    assert found(opensearch_serverless_cmk, SECURITY_POLICY, {"type": "network", "policy": json.dumps(owned)}) == []


def test_a_data_access_policy_names_its_principals():
    grant = [{"Rules": [{"ResourceType": "index", "Resource": ["index/rag/*"], "Permission": ["aoss:ReadDocument"]}],
              "Principal": ["arn:aws:iam::123456789012:role/kb"]}]
    props = {"type": "data", "policy": json.dumps(grant)}
    assert found(opensearch_serverless_access_named_principals, ACCESS_POLICY, props) == []
    everyone = [{**grant[0], "Principal": ["arn:aws:iam::123456789012:role/kb", "*"]}]
    [message] = found(opensearch_serverless_access_named_principals, ACCESS_POLICY,
                      {"type": "data", "policy": json.dumps(everyone)})
    assert "grants index/rag/* to every principal ('*')" in message


def test_a_stack_using_bedrock_logs_its_invocations():
    kb = stack_resource(KNOWLEDGE_BASE, {"name": "docs"}, name="kb")
    logging = {"loggingConfig": {"s3Config": {"bucketName": "invocation-logs"}}}
    assert violations(bedrock_invocation_logging, stack_args([kb, stack_resource(LOGGING, logging, name="log")])) == []
    args = stack_args([kb])
    [message] = violations(bedrock_invocation_logging, args)
    assert "uses Bedrock (aws:bedrock/agentKnowledgeBase:AgentKnowledgeBase 'kb' and 0 more)" in message
    assert "the stack has no aws.bedrockmodel.InvocationLoggingConfiguration" in message
    assert violation_urns(bedrock_invocation_logging, args) == [kb.urn]
    # No destination, or text left out of the logs, is no audit trail; an unknown block is not judged.
    for config in ({"loggingConfig": {}}, {"loggingConfig": {**logging["loggingConfig"], "textDataDeliveryEnabled": False}}):
        short = stack_resource(LOGGING, config, name="log")
        [message] = violations(bedrock_invocation_logging, stack_args([kb, short]))
        assert "names no S3 bucket or log group, or leaves text data out" in message
        assert violation_urns(bedrock_invocation_logging, stack_args([kb, short])) == [short.urn]
    assert violations(bedrock_invocation_logging, stack_args([kb, stack_resource(LOGGING, {"loggingConfig": UNKNOWN},
                                                                                  name="log")])) == []
    # A stack without Bedrock has nothing to log.
    assert violations(bedrock_invocation_logging, stack_args([stack_resource("aws:s3/bucketV2:BucketV2", {})])) == []
