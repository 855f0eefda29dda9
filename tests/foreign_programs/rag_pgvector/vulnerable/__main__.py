"""Retrieval for the support assistant: embeddings in Aurora PostgreSQL with pgvector behind a Bedrock knowledge
base, a keyword index in an OpenSearch domain, and an ingestion Lambda that chunks documents from S3."""
import json

import pulumi
import pulumi_aws as aws

ACCOUNT = "567890123456"
REGION = "us-east-1"
VPC = "vpc-0aa11bb22cc33dd44"
SUBNETS = ["subnet-0e1f2a3b4c5d6e7f8", "subnet-0f1e2d3c4b5a69788"]
TAGS = {"owner": "support-ai", "cost-center": "sai-12", "environment": "prod"}
EMBEDDINGS = f"arn:aws:bedrock:{REGION}::foundation-model/amazon.titan-embed-text-v2:0"

# seed: PostgreSQL open to the internet
db_sg = aws.ec2.SecurityGroup("vectors-db", vpc_id=VPC, description="aurora pgvector", tags=TAGS,
    ingress=[{"protocol": "tcp", "from_port": 5432, "to_port": 5432, "cidr_blocks": ["0.0.0.0/0"]}])
params = aws.rds.ClusterParameterGroup("vectors", family="aurora-postgresql16", tags=TAGS,
    parameters=[{"name": "rds.force_ssl", "value": "0"},  # seed: TLS not required
                {"name": "shared_preload_libraries", "value": "pg_stat_statements", "apply_method": "pending-reboot"}])
subnet_group = aws.rds.SubnetGroup("vectors", subnet_ids=SUBNETS, tags=TAGS)

db_secret = aws.secretsmanager.Secret("vectors-db", description="knowledge base database user", tags=TAGS)
aws.secretsmanager.SecretVersion("vectors-db", secret_id=db_secret.id,
                                 secret_string=json.dumps({"username": "bedrock_kb", "password": "Support-Vectors-2024!"}))
# seed: rotated once a year
aws.secretsmanager.SecretRotation("vectors-db", secret_id=db_secret.id,
    rotation_lambda_arn=f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:SecretsManagerRDSPostgreSQLRotationSingleUser",
    rotation_rules={"automatically_after_days": 365})

cluster = aws.rds.Cluster("vectors", engine="aurora-postgresql", engine_version="16.4", engine_mode="provisioned",
    database_name="kb", master_username="postgres", master_password="Support-Vectors-2024!",
    db_subnet_group_name=subnet_group.name, vpc_security_group_ids=[db_sg.id],
    db_cluster_parameter_group_name=params.name, enable_http_endpoint=True,
    serverlessv2_scaling_configuration={"min_capacity": 0.5, "max_capacity": 8},
    storage_encrypted=False,  # seed
    backup_retention_period=1, deletion_protection=False, skip_final_snapshot=True,  # seeds: 1 day, no protection
    tags=TAGS)
aws.rds.ClusterInstance("vectors-1", cluster_identifier=cluster.id, instance_class="db.serverless",
                        engine="aurora-postgresql", publicly_accessible=True, tags=TAGS)  # seed: public instance

search = aws.opensearch.Domain("keyword-index", engine_version="OpenSearch_2.13",
    cluster_config={"instance_type": "r6g.large.search", "instance_count": 2, "zone_awareness_enabled": True},
    ebs_options={"ebs_enabled": True, "volume_size": 100, "volume_type": "gp3"},
    encrypt_at_rest={"enabled": False},  # seed
    node_to_node_encryption={"enabled": False},  # seed
    domain_endpoint_options={"enforce_https": False, "tls_security_policy": "Policy-Min-TLS-1-0-2019-07"},  # seed
    tags=TAGS)  # seed: no VPC options (a public endpoint), no fine-grained access control, no audit logs
aws.opensearch.DomainPolicy("keyword-index", domain_name=search.domain_name,
    access_policies=search.arn.apply(lambda arn: json.dumps({"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "es:*", "Resource": f"{arn}/*"}]})))

kb_role = aws.iam.Role("knowledge-base", tags=TAGS, assume_role_policy=json.dumps({"Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Principal": {"Service": "bedrock.amazonaws.com"}, "Action": "sts:AssumeRole"}]}))
aws.iam.RolePolicy("knowledge-base", role=kb_role.id, policy=json.dumps({"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Action": ["rds-data:*", "rds:*", "secretsmanager:*", "bedrock:InvokeModel", "s3:*"],
     "Resource": "*"}]}))  # seed: every RDS, Data API, secret and S3 action on everything

docs = aws.s3.Bucket("support-docs", tags=TAGS)
aws.s3.BucketPublicAccessBlock("support-docs", bucket=docs.id, block_public_acls=True, block_public_policy=True,
                               ignore_public_acls=True, restrict_public_buckets=True)

kb = aws.bedrock.AgentKnowledgeBase("support", name="support-kb", role_arn=kb_role.arn,
    knowledge_base_configuration={"type": "VECTOR",
                                  "vector_knowledge_base_configuration": {"embedding_model_arn": EMBEDDINGS}},
    storage_configuration={"type": "RDS", "rds_configuration": {
        "resource_arn": cluster.arn, "credentials_secret_arn": db_secret.arn, "database_name": "kb",
        "table_name": "bedrock_integration.bedrock_kb",
        "field_mapping": {"primary_key_field": "id", "vector_field": "embedding", "text_field": "chunks",
                          "metadata_field": "metadata"}}}, tags=TAGS)
aws.bedrock.AgentDataSource("support-docs", knowledge_base_id=kb.id, name="support-docs",
    data_source_configuration={"type": "S3", "s3_configuration": {"bucket_arn": docs.arn}})  # seed: no CMK

ingest_role = aws.iam.Role("ingest", tags=TAGS, assume_role_policy=json.dumps({"Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}]}))
aws.iam.RolePolicyAttachment("ingest-vpc", role=ingest_role.name,
                             policy_arn="arn:aws:iam::aws:policy/service-role/AWSLambdaVPCAccessExecutionRole")
aws.lambda_.Function("ingest", runtime="python3.12", handler="ingest.handler", role=ingest_role.arn, timeout=300,
    code=pulumi.AssetArchive({"ingest.py": pulumi.StringAsset("def handler(e, c):\n    return None\n")}),
    environment={"variables": {"PGHOST": cluster.endpoint, "PGUSER": "postgres",
                               "PGPASSWORD": "Support-Vectors-2024!",  # seed: the database password in plain text
                               "OPENSEARCH_URL": search.endpoint.apply(lambda e: f"https://{e}")}},
    tags=TAGS)  # seed: reaches the database without being in the VPC

pulumi.export("kb", kb.id)
