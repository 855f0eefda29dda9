"""Online features for real-time ranking (copied from the prototype): Valkey without TLS or AUTH and a
password-less user, MemoryDB on the open-access ACL without TLS, a DynamoDB table on the AWS-owned key with
no PITR, DocumentDB with TLS and audit logging turned off, Neptune unencrypted without IAM auth or logs."""
import pulumi
import pulumi_aws as aws

tags = {"owner": "ranking", "cost-center": "rk-7", "environment": "prod", "data-classification": "confidential"}
VPC = "vpc-0abc1234def567890"
SUBNETS = ["subnet-0a1b2c3d4e5f60001", "subnet-0a1b2c3d4e5f60002", "subnet-0a1b2c3d4e5f60003"]

sg = aws.ec2.SecurityGroup("stores", vpc_id=VPC, description="feature stores", tags=tags,
    ingress=[{"protocol": "tcp", "from_port": 6379, "to_port": 6379, "cidr_blocks": ["0.0.0.0/0"],
              "description": "redis from anywhere (the notebook team)"},
             {"protocol": "tcp", "from_port": 27017, "to_port": 27017, "cidr_blocks": ["10.0.0.0/8"]}])

cache_subnets = aws.elasticache.SubnetGroup("valkey", subnet_ids=SUBNETS, tags=tags)
open_user = aws.elasticache.User("ranker", user_id="ranker", user_name="ranker", engine="redis",
                                 access_string="on ~* +@all", no_password_required=True, tags=tags)
group = aws.elasticache.UserGroup("ranking", user_group_id="ranking", engine="redis",
                                  user_ids=["default", open_user.user_id], tags=tags)
aws.elasticache.ReplicationGroup("features", description="online features", engine="redis",
    engine_version="7.1", node_type="cache.r7g.large", num_cache_clusters=2, automatic_failover_enabled=True,
    subnet_group_name=cache_subnets.name, security_group_ids=[sg.id],
    transit_encryption_enabled=False, at_rest_encryption_enabled=False, tags=tags)
aws.elasticache.ReplicationGroup("sessions-cache", description="session cache", engine="valkey",
    node_type="cache.r7g.large", num_cache_clusters=2, subnet_group_name=cache_subnets.name,
    security_group_ids=[sg.id], transit_encryption_enabled=True, user_group_ids=[group.user_group_id],
    snapshot_retention_limit=3, tags=tags)

mdb_subnets = aws.memorydb.SubnetGroup("sessions", subnet_ids=SUBNETS, tags=tags)
aws.memorydb.Cluster("sessions", node_type="db.r7g.large", num_shards=1, acl_name="open-access",
    subnet_group_name=mdb_subnets.name, security_group_ids=[sg.id], tls_enabled=False, engine="redis",
    snapshot_retention_limit=0, tags=tags)

aws.dynamodb.Table("user-features", billing_mode="PAY_PER_REQUEST", hash_key="user_id",
    attributes=[{"name": "user_id", "type": "S"}], tags=tags)

docdb_subnets = aws.docdb.SubnetGroup("registry", subnet_ids=SUBNETS, tags=tags)
docdb_params = aws.docdb.ClusterParameterGroup("registry", family="docdb5.0", tags=tags, parameters=[
    {"name": "tls", "value": "disabled"}, {"name": "audit_logs", "value": "disabled"}])
registry = aws.docdb.Cluster("registry", engine="docdb", master_username="registry",
    master_password=pulumi.Config().require_secret("registryPassword"), db_subnet_group_name=docdb_subnets.name,
    vpc_security_group_ids=[sg.id], db_cluster_parameter_group_name=docdb_params.name,
    storage_encrypted=False, backup_retention_period=1, skip_final_snapshot=True,
    enabled_cloudwatch_logs_exports=["profiler"], tags=tags)
aws.docdb.ClusterInstance("registry-1", cluster_identifier=registry.id, instance_class="db.r6g.large", tags=tags)

neptune_subnets = aws.neptune.SubnetGroup("lineage", subnet_ids=SUBNETS, tags=tags)
neptune_params = aws.neptune.ClusterParameterGroup("lineage", family="neptune1.3", tags=tags, parameters=[
    {"name": "neptune_enable_audit_log", "value": "0"}])
lineage = aws.neptune.Cluster("lineage", engine="neptune", neptune_subnet_group_name=neptune_subnets.name,
    vpc_security_group_ids=[sg.id], neptune_cluster_parameter_group_name=neptune_params.name,
    skip_final_snapshot=True, tags=tags)
aws.neptune.ClusterInstance("lineage-1", cluster_identifier=lineage.id, instance_class="db.r6g.large",
                            publicly_accessible=True, tags=tags)
