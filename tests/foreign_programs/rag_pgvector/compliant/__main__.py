"""Retrieval for the support assistant: embeddings in Aurora PostgreSQL with pgvector behind a Bedrock knowledge
base, a keyword index in an OpenSearch domain, and an ingestion Lambda that chunks documents from S3."""
import json

import pulumi
import pulumi_aws as aws

ACCOUNT = "567890123456"
REGION = "us-east-1"
VPC = "vpc-0aa11bb22cc33dd44"
VPC_CIDR = "10.60.0.0/16"
SUBNETS = ["subnet-0e1f2a3b4c5d6e7f8", "subnet-0f1e2d3c4b5a69788"]
TAGS = {"owner": "support-ai", "cost-center": "sai-12", "environment": "prod", "data-classification": "confidential"}
EMBEDDINGS = f"arn:aws:bedrock:{REGION}::foundation-model/amazon.titan-embed-text-v2:0"
PROTECT = pulumi.ResourceOptions(protect=True)


def document(*statements: dict) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


def service_role(name: str, service: str) -> aws.iam.Role:
    return aws.iam.Role(name, tags=TAGS, assume_role_policy=document({
        "Effect": "Allow", "Principal": {"Service": service}, "Action": "sts:AssumeRole",
        "Condition": {"StringEquals": {"aws:SourceAccount": ACCOUNT}}}))


key = aws.kms.Key("retrieval", description="support retrieval data", enable_key_rotation=True, tags=TAGS,
                  opts=PROTECT)

ingest_sg = aws.ec2.SecurityGroup("ingest", vpc_id=VPC, description="ingestion lambda", tags=TAGS,
    egress=[{"protocol": "tcp", "from_port": 5432, "to_port": 5432, "cidr_blocks": [VPC_CIDR]},
            {"protocol": "tcp", "from_port": 443, "to_port": 443, "cidr_blocks": [VPC_CIDR]}])
db_sg = aws.ec2.SecurityGroup("vectors-db", vpc_id=VPC, description="aurora pgvector", tags=TAGS,
    ingress=[{"protocol": "tcp", "from_port": 5432, "to_port": 5432, "security_groups": [ingest_sg.id],
              "description": "ingestion"}])
params = aws.rds.ClusterParameterGroup("vectors", family="aurora-postgresql16", tags=TAGS, parameters=[
    {"name": "rds.force_ssl", "value": "1"}, {"name": "log_statement", "value": "ddl"},
    {"name": "log_min_duration_statement", "value": "1000"},
    {"name": "shared_preload_libraries", "value": "pg_stat_statements", "apply_method": "pending-reboot"}])
subnet_group = aws.rds.SubnetGroup("vectors", subnet_ids=SUBNETS, tags=TAGS)

cluster = aws.rds.Cluster("vectors", engine="aurora-postgresql", engine_version="16.4", engine_mode="provisioned",
    database_name="kb", master_username="postgres", manage_master_user_password=True,
    master_user_secret_kms_key_id=key.arn, db_subnet_group_name=subnet_group.name,
    vpc_security_group_ids=[db_sg.id], db_cluster_parameter_group_name=params.name, enable_http_endpoint=True,
    serverlessv2_scaling_configuration={"min_capacity": 0.5, "max_capacity": 8},
    storage_encrypted=True, kms_key_id=key.arn, iam_database_authentication_enabled=True,
    enabled_cloudwatch_logs_exports=["postgresql"], backup_retention_period=14, deletion_protection=True,
    copy_tags_to_snapshot=True, skip_final_snapshot=False, final_snapshot_identifier="vectors-final", tags=TAGS,
    opts=PROTECT)
aws.rds.ClusterInstance("vectors-1", cluster_identifier=cluster.id, instance_class="db.serverless",
                        engine="aurora-postgresql", publicly_accessible=False, auto_minor_version_upgrade=True,
                        performance_insights_enabled=True, performance_insights_kms_key_id=key.arn, tags=TAGS)
# the knowledge base signs in as its own database user, whose password Secrets Manager rotates
kb_secret = aws.secretsmanager.Secret("vectors-kb-user", description="knowledge base database user",
                                      kms_key_id=key.arn, tags=TAGS, opts=PROTECT)
aws.secretsmanager.SecretRotation("vectors-kb-user", secret_id=kb_secret.id,
    rotation_lambda_arn=f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:SecretsManagerRDSPostgreSQLRotationSingleUser",
    rotation_rules={"automatically_after_days": 30})

search_sg = aws.ec2.SecurityGroup("keyword-index", vpc_id=VPC, description="opensearch", tags=TAGS,
    ingress=[{"protocol": "tcp", "from_port": 443, "to_port": 443, "security_groups": [ingest_sg.id]}])
search_logs = {kind: aws.cloudwatch.LogGroup(f"keyword-index-{kind.lower()}", retention_in_days=365,
                                             kms_key_id=key.arn, tags=TAGS)
               for kind in ("AUDIT_LOGS", "ES_APPLICATION_LOGS", "INDEX_SLOW_LOGS", "SEARCH_SLOW_LOGS")}
search = aws.opensearch.Domain("keyword-index", engine_version="OpenSearch_2.13",
    cluster_config={"instance_type": "r6g.large.search", "instance_count": 2, "zone_awareness_enabled": True,
                    "zone_awareness_config": {"availability_zone_count": 2},
                    "dedicated_master_enabled": True, "dedicated_master_type": "m6g.large.search",
                    "dedicated_master_count": 3},
    vpc_options={"subnet_ids": SUBNETS, "security_group_ids": [search_sg.id]},
    ebs_options={"ebs_enabled": True, "volume_size": 100, "volume_type": "gp3"},
    encrypt_at_rest={"enabled": True, "kms_key_id": key.arn},
    node_to_node_encryption={"enabled": True},
    domain_endpoint_options={"enforce_https": True, "tls_security_policy": "Policy-Min-TLS-1-2-PFS-2023-10"},
    advanced_security_options={"enabled": True, "internal_user_database_enabled": False,
                               "master_user_options": {"master_user_arn": f"arn:aws:iam::{ACCOUNT}:role/search-admin"}},
    log_publishing_options=[{"log_type": kind, "cloudwatch_log_group_arn": group.arn}
                            for kind, group in search_logs.items()],
    software_update_options={"auto_software_update_enabled": True}, tags=TAGS, opts=PROTECT)

docs = aws.s3.Bucket("support-docs", tags=TAGS, opts=PROTECT)
aws.s3.BucketPublicAccessBlock("support-docs", bucket=docs.id, block_public_acls=True, block_public_policy=True,
                               ignore_public_acls=True, restrict_public_buckets=True)
aws.s3.BucketServerSideEncryptionConfiguration("support-docs", bucket=docs.id, rules=[{
    "apply_server_side_encryption_by_default": {"sse_algorithm": "aws:kms", "kms_master_key_id": key.arn},
    "bucket_key_enabled": True}])
aws.s3.BucketVersioning("support-docs", bucket=docs.id, versioning_configuration={"status": "Enabled"})
aws.s3.BucketLogging("support-docs", bucket=docs.id, target_bucket="org-central-s3-access-logs",
                     target_prefix="support-docs/")
aws.s3.BucketPolicy("support-docs", bucket=docs.id, policy=docs.arn.apply(lambda arn: document(
    {"Sid": "DenyInsecureTransport", "Effect": "Deny", "Principal": "*", "Action": "s3:*",
     "Resource": [arn, f"{arn}/*"], "Condition": {"Bool": {"aws:SecureTransport": "false"}}})))

kb_role = service_role("knowledge-base", "bedrock.amazonaws.com")
aws.iam.RolePolicy("knowledge-base", role=kb_role.id,
    policy=pulumi.Output.all(cluster.arn, kb_secret.arn, docs.arn, key.arn).apply(lambda a: document(
        {"Effect": "Allow", "Action": ["rds:DescribeDBClusters"], "Resource": a[0]},
        {"Effect": "Allow", "Action": ["rds-data:ExecuteStatement", "rds-data:BatchExecuteStatement"],
         "Resource": a[0]},
        {"Effect": "Allow", "Action": ["secretsmanager:GetSecretValue"], "Resource": a[1]},
        {"Effect": "Allow", "Action": ["bedrock:InvokeModel"], "Resource": EMBEDDINGS},
        {"Effect": "Allow", "Action": ["s3:ListBucket"], "Resource": a[2]},
        {"Effect": "Allow", "Action": ["s3:GetObject"], "Resource": f"{a[2]}/*"},
        {"Effect": "Allow", "Action": ["kms:Decrypt"], "Resource": a[3]})))

kb = aws.bedrock.AgentKnowledgeBase("support", name="support-kb", role_arn=kb_role.arn,
    knowledge_base_configuration={"type": "VECTOR",
                                  "vector_knowledge_base_configuration": {"embedding_model_arn": EMBEDDINGS}},
    storage_configuration={"type": "RDS", "rds_configuration": {
        "resource_arn": cluster.arn, "credentials_secret_arn": kb_secret.arn, "database_name": "kb",
        "table_name": "bedrock_integration.bedrock_kb",
        "field_mapping": {"primary_key_field": "id", "vector_field": "embedding", "text_field": "chunks",
                          "metadata_field": "metadata"}}}, tags=TAGS)
aws.bedrock.AgentDataSource("support-docs", knowledge_base_id=kb.id, name="support-docs",
    data_source_configuration={"type": "S3", "s3_configuration": {"bucket_arn": docs.arn}},
    server_side_encryption_configuration={"kms_key_arn": key.arn})

invocation_logs = aws.cloudwatch.LogGroup("bedrock-invocations", retention_in_days=365, kms_key_id=key.arn, tags=TAGS)
logging_role = service_role("bedrock-logging", "bedrock.amazonaws.com")
aws.iam.RolePolicy("bedrock-logging", role=logging_role.id, policy=invocation_logs.arn.apply(lambda arn: document(
    {"Effect": "Allow", "Action": ["logs:CreateLogStream", "logs:PutLogEvents"], "Resource": f"{arn}:*"})))
aws.bedrockmodel.InvocationLoggingConfiguration("invocations", logging_config={
    "text_data_delivery_enabled": True, "embedding_data_delivery_enabled": False,
    "cloudwatch_config": {"log_group_name": invocation_logs.name, "role_arn": logging_role.arn}})

ingest_role = service_role("ingest", "lambda.amazonaws.com")
aws.iam.RolePolicyAttachment("ingest-vpc", role=ingest_role.name,
                             policy_arn="arn:aws:iam::aws:policy/service-role/AWSLambdaVPCAccessExecutionRole")
aws.iam.RolePolicy("ingest", role=ingest_role.id,
    policy=pulumi.Output.all(cluster.cluster_resource_id, docs.arn, key.arn, search.arn).apply(lambda a: document(
        {"Effect": "Allow", "Action": ["rds-db:connect"],
         "Resource": f"arn:aws:rds-db:{REGION}:{ACCOUNT}:dbuser:{a[0]}/ingest"},
        {"Effect": "Allow", "Action": ["s3:GetObject"], "Resource": f"{a[1]}/*"},
        {"Effect": "Allow", "Action": ["kms:Decrypt"], "Resource": a[2]},
        {"Effect": "Allow", "Action": ["es:ESHttpPost", "es:ESHttpPut"], "Resource": f"{a[3]}/*"})))
ingest_logs = aws.cloudwatch.LogGroup("ingest", name="/aws/lambda/support-ingest", retention_in_days=365,
                                      kms_key_id=key.arn, tags=TAGS)
aws.lambda_.Function("ingest", name="support-ingest", runtime="python3.12", handler="ingest.handler",
    role=ingest_role.arn, timeout=300, kms_key_arn=key.arn, tracing_config={"mode": "Active"},
    vpc_config={"subnet_ids": SUBNETS, "security_group_ids": [ingest_sg.id]},
    code=pulumi.AssetArchive({"ingest.py": pulumi.StringAsset("def handler(e, c):\n    return None\n")}),
    environment={"variables": {"PGHOST": cluster.endpoint, "PGUSER": "ingest", "PGSSLMODE": "verify-full",
                               "OPENSEARCH_URL": search.endpoint.apply(lambda e: f"https://{e}")}},
    logging_config={"log_format": "JSON", "log_group": ingest_logs.name}, tags=TAGS)

pulumi.export("kb", kb.id)
