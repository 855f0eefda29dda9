"""Bedrock agent + knowledge base on OpenSearch Serverless + guardrail (snake_case kwargs, helper functions)."""
import json

import pulumi
import pulumi_aws as aws

ACCOUNT = "123456789012"
REGION = "us-east-1"
TAGS = {"owner": "support-ai", "cost-center": "cx-7", "environment": "prod", "data-classification": "confidential"}
MODEL = f"arn:aws:bedrock:{REGION}::foundation-model/anthropic.claude-3-5-sonnet-20240620-v1:0"
EMBED = f"arn:aws:bedrock:{REGION}::foundation-model/amazon.titan-embed-text-v2:0"


def bedrock_role(name, statements):
    role = aws.iam.Role(name, assume_role_policy=json.dumps({"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Principal": {"Service": "bedrock.amazonaws.com"}, "Action": "sts:AssumeRole",
        "Condition": {"StringEquals": {"aws:SourceAccount": ACCOUNT}}}]}), tags=TAGS)
    aws.iam.RolePolicy(f"{name}-inline", role=role.name,
                       policy=pulumi.Output.json_dumps({"Version": "2012-10-17", "Statement": statements}))
    return role


key = aws.kms.Key("kb-key", description="knowledge base", enable_key_rotation=True, tags=TAGS)
docs = aws.s3.Bucket("kb-docs", tags=TAGS)
aws.s3.BucketPublicAccessBlock("kb-docs-pab", bucket=docs.id, block_public_acls=True, block_public_policy=True,
                               ignore_public_acls=True, restrict_public_buckets=True)
aws.s3.BucketServerSideEncryptionConfiguration("kb-docs-sse", bucket=docs.id, rules=[
    aws.s3.BucketServerSideEncryptionConfigurationRuleArgs(
        apply_server_side_encryption_by_default=aws.s3.BucketServerSideEncryptionConfigurationRuleApplyServerSideEncryptionByDefaultArgs(
            sse_algorithm="aws:kms", kms_master_key_id=key.arn), bucket_key_enabled=True)])
aws.s3.BucketVersioning("kb-docs-versioning", bucket=docs.id,
                        versioning_configuration=aws.s3.BucketVersioningVersioningConfigurationArgs(status="Enabled"))
aws.s3.BucketLogging("kb-docs-logging", bucket=docs.id, target_bucket="org-central-s3-access-logs", target_prefix="kb-docs/")
aws.s3.BucketPolicy("kb-docs-tls", bucket=docs.id, policy=docs.arn.apply(lambda arn: json.dumps({
    "Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Principal": "*", "Action": "s3:*",
                                            "Resource": [arn, f"{arn}/*"],
                                            "Condition": {"Bool": {"aws:SecureTransport": "false"}}}]})))

collection_name = "support-kb"
enc = aws.opensearch.ServerlessSecurityPolicy("kb-encryption", name="support-kb-enc", type="encryption",
    policy=key.arn.apply(lambda k: json.dumps({"Rules": [{"ResourceType": "collection",
                                                          "Resource": [f"collection/{collection_name}"]}],
                                               "AWSOwnedKey": False, "KmsARN": k})))
vpce = aws.opensearch.ServerlessVpcEndpoint("kb-vpce", name="support-kb-vpce", vpc_id="vpc-0abc1234def567890",
                                            subnet_ids=["subnet-0a1b2c3d4e5f60001", "subnet-0a1b2c3d4e5f60002"],
                                            security_group_ids=["sg-0123456789abcdef0"])
net = aws.opensearch.ServerlessSecurityPolicy("kb-network", name="support-kb-net", type="network",
    policy=vpce.id.apply(lambda v: json.dumps([{"Rules": [{"ResourceType": "collection",
                                                           "Resource": [f"collection/{collection_name}"]}],
                                                "AllowFromPublic": False, "SourceVPCEs": [v]}])))
collection = aws.opensearch.ServerlessCollection("kb-collection", name=collection_name, type="VECTORSEARCH",
                                                 standby_replicas="ENABLED", tags=TAGS,
                                                 opts=pulumi.ResourceOptions(depends_on=[enc, net]))

kb_role = bedrock_role("kb-role", [
    {"Effect": "Allow", "Action": ["bedrock:InvokeModel"], "Resource": [EMBED]},
    {"Effect": "Allow", "Action": ["aoss:APIAccessAll"], "Resource": [collection.arn]},
    {"Effect": "Allow", "Action": ["s3:GetObject", "s3:ListBucket"], "Resource": [docs.arn, docs.arn.apply(lambda a: a + "/*")]},
    {"Effect": "Allow", "Action": ["kms:Decrypt"], "Resource": [key.arn]},
])
aws.opensearch.ServerlessAccessPolicy("kb-data-access", name="support-kb-access", type="data",
    policy=kb_role.arn.apply(lambda r: json.dumps([{"Rules": [
        {"ResourceType": "index", "Resource": [f"index/{collection_name}/*"],
         "Permission": ["aoss:CreateIndex", "aoss:DescribeIndex", "aoss:ReadDocument", "aoss:WriteDocument"]},
        {"ResourceType": "collection", "Resource": [f"collection/{collection_name}"], "Permission": ["aoss:DescribeCollectionItems"]}],
        "Principal": [r]}])))

kb = aws.bedrock.AgentKnowledgeBase("support-kb", name="support-kb", role_arn=kb_role.arn,
    knowledge_base_configuration={"type": "VECTOR", "vector_knowledge_base_configuration": {"embedding_model_arn": EMBED}},
    storage_configuration={"type": "OPENSEARCH_SERVERLESS", "opensearch_serverless_configuration": {
        "collection_arn": collection.arn, "vector_index_name": "kb-index",
        "field_mapping": {"vector_field": "vec", "text_field": "text", "metadata_field": "meta"}}},
    tags=TAGS)
aws.bedrock.AgentDataSource("support-docs", knowledge_base_id=kb.id, name="docs",
    data_source_configuration={"type": "S3", "s3_configuration": {"bucket_arn": docs.arn}},
    server_side_encryption_configuration={"kms_key_arn": key.arn}, data_deletion_policy="DELETE")

guardrail = aws.bedrock.Guardrail("support-guardrail", name="support-guardrail",
    blocked_input_messaging="Sorry, I can't help with that.", blocked_outputs_messaging="Sorry, I can't answer that.",
    kms_key_arn=key.arn,
    content_policy_config={"filters_configs": [
        {"type": t, "input_strength": "HIGH", "output_strength": "HIGH"} for t in ("HATE", "INSULTS", "SEXUAL", "VIOLENCE", "MISCONDUCT")
    ] + [{"type": "PROMPT_ATTACK", "input_strength": "HIGH", "output_strength": "NONE"}]},
    sensitive_information_policy_config={"pii_entities_configs": [
        {"type": "EMAIL", "action": "ANONYMIZE"}, {"type": "CREDIT_DEBIT_CARD_NUMBER", "action": "BLOCK"},
        {"type": "US_SOCIAL_SECURITY_NUMBER", "action": "BLOCK"}]},
    tags=TAGS)
version = aws.bedrock.GuardrailVersion("support-guardrail-v1", guardrail_arn=guardrail.guardrail_arn,
                                       description="initial")

agent_role = bedrock_role("agent-role", [
    {"Effect": "Allow", "Action": ["bedrock:InvokeModel"], "Resource": [MODEL]},
    {"Effect": "Allow", "Action": ["bedrock:Retrieve"], "Resource": [kb.arn]},
    {"Effect": "Allow", "Action": ["bedrock:ApplyGuardrail"], "Resource": [guardrail.guardrail_arn]},
])
agent = aws.bedrock.AgentAgent("support-agent", agent_name="support-agent", agent_resource_role_arn=agent_role.arn,
    foundation_model="anthropic.claude-3-5-sonnet-20240620-v1:0", customer_encryption_key_arn=key.arn,
    idle_session_ttl_in_seconds=600, instruction="You answer customer support questions from the knowledge base only.",
    guardrail_configurations=[{"guardrail_identifier": guardrail.guardrail_id, "guardrail_version": version.version}],
    tags=TAGS)
aws.bedrock.AgentAgentKnowledgeBaseAssociation("support-agent-kb", agent_id=agent.agent_id, knowledge_base_id=kb.id,
                                               description="support docs", knowledge_base_state="ENABLED")
logs = aws.cloudwatch.LogGroup("bedrock-invocations", retention_in_days=365, kms_key_id=key.arn, tags=TAGS)
log_role = bedrock_role("bedrock-logging", [{"Effect": "Allow", "Action": ["logs:CreateLogStream", "logs:PutLogEvents"],
                                             "Resource": [logs.arn.apply(lambda a: a + ":*")]}])
aws.bedrockmodel.InvocationLoggingConfiguration("invocation-logging", logging_config={
    "text_data_delivery_enabled": True, "embedding_data_delivery_enabled": False, "image_data_delivery_enabled": False,
    "cloudwatch_config": {"log_group_name": logs.name, "role_arn": log_role.arn}})
pulumi.export("agent_id", agent.agent_id)
