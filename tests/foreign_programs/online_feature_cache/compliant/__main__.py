"""Online features for real-time ranking: a Valkey replication group with RBAC users and TLS, a MemoryDB
cluster with its own ACL, a DynamoDB table on a CMK with PITR, and the feature metadata in DocumentDB
(TLS and audit logs on) with the lineage graph in Neptune (IAM auth, audit logs)."""
import json

import pulumi
import pulumi_aws as aws

cfg = pulumi.Config()
tags = {"owner": "ranking", "cost-center": "rk-7", "environment": "prod", "data-classification": "confidential"}
VPC = "vpc-0abc1234def567890"
APP_CIDR = "10.40.16.0/20"
SUBNETS = ["subnet-0a1b2c3d4e5f60001", "subnet-0a1b2c3d4e5f60002", "subnet-0a1b2c3d4e5f60003"]

key = aws.kms.Key("features", description="online feature stores", enable_key_rotation=True, tags=tags)
logs = aws.cloudwatch.LogGroup("cache-logs", name="/ranking/valkey", retention_in_days=365, kms_key_id=key.arn,
                               tags=tags)


def store_sg(name: str, port: int) -> aws.ec2.SecurityGroup:
    return aws.ec2.SecurityGroup(name, vpc_id=VPC, description=f"{name} clients", tags=tags,
        ingress=[{"protocol": "tcp", "from_port": port, "to_port": port, "cidr_blocks": [APP_CIDR],
                  "description": "ranking service subnets"}],
        egress=[{"protocol": "tcp", "from_port": port, "to_port": port, "cidr_blocks": [APP_CIDR],
                 "description": "replies"}])


cache_sg = store_sg("valkey", 6379)
cache_subnets = aws.elasticache.SubnetGroup("valkey", subnet_ids=SUBNETS, tags=tags)
reader = aws.elasticache.User("ranker", user_id="ranker", user_name="ranker", engine="valkey",
    access_string="on ~features:* -@all +@read",
    authentication_mode={"type": "iam"}, tags=tags)
admin = aws.elasticache.User("default-disabled", user_id="ranking-default", user_name="default", engine="valkey",
    access_string="off ~* -@all", authentication_mode={"type": "password",
                                                       "passwords": [cfg.require_secret("cacheDefaultPassword")]},
    tags=tags)
group = aws.elasticache.UserGroup("ranking", user_group_id="ranking", engine="valkey",
                                  user_ids=[reader.user_id, admin.user_id], tags=tags)
cache = aws.elasticache.ReplicationGroup("features", description="online features", engine="valkey",
    engine_version="8.0", node_type="cache.r7g.large", num_node_groups=2, replicas_per_node_group=1,
    automatic_failover_enabled=True, multi_az_enabled=True, subnet_group_name=cache_subnets.name,
    security_group_ids=[cache_sg.id], at_rest_encryption_enabled=True, kms_key_id=key.arn,
    transit_encryption_enabled=True, transit_encryption_mode="required", user_group_ids=[group.user_group_id],
    snapshot_retention_limit=7, auto_minor_version_upgrade=True,
    log_delivery_configurations=[{"destination": logs.name, "destination_type": "cloudwatch-logs",
                                  "log_format": "json", "log_type": "slow-log"}],
    tags=tags)

memorydb_sg = store_sg("memorydb", 6379)
mdb_subnets = aws.memorydb.SubnetGroup("sessions", subnet_ids=SUBNETS, tags=tags)
mdb_user = aws.memorydb.User("sessions-app", user_name="sessions-app", access_string="on ~session:* +@all -@admin",
                             authentication_mode={"type": "iam"}, tags=tags)
acl = aws.memorydb.Acl("sessions", user_names=[mdb_user.user_name], tags=tags)
aws.memorydb.Cluster("sessions", node_type="db.r7g.large", num_shards=1, num_replicas_per_shard=1,
    acl_name=acl.name, subnet_group_name=mdb_subnets.name, security_group_ids=[memorydb_sg.id],
    tls_enabled=True, kms_key_arn=key.arn, snapshot_retention_limit=7, engine="valkey", tags=tags)

aws.dynamodb.Table("user-features", billing_mode="PAY_PER_REQUEST", hash_key="user_id",
    attributes=[{"name": "user_id", "type": "S"}],
    server_side_encryption={"enabled": True, "kms_key_arn": key.arn},
    point_in_time_recovery={"enabled": True}, deletion_protection_enabled=True, tags=tags)

docdb_sg = store_sg("feature-registry", 27017)
docdb_subnets = aws.docdb.SubnetGroup("registry", subnet_ids=SUBNETS, tags=tags)
docdb_params = aws.docdb.ClusterParameterGroup("registry", family="docdb5.0", tags=tags, parameters=[
    {"name": "tls", "value": "enabled"}, {"name": "audit_logs", "value": "enabled"},
    {"name": "profiler", "value": "enabled"}])
registry = aws.docdb.Cluster("registry", engine="docdb", engine_version="5.0.0", master_username="registry",
    manage_master_user_password=True, db_subnet_group_name=docdb_subnets.name,
    vpc_security_group_ids=[docdb_sg.id], db_cluster_parameter_group_name=docdb_params.name,
    storage_encrypted=True, kms_key_id=key.arn, backup_retention_period=14, deletion_protection=True,
    enabled_cloudwatch_logs_exports=["audit", "profiler"], final_snapshot_identifier="registry-final", tags=tags)
aws.docdb.ClusterInstance("registry-1", cluster_identifier=registry.id, instance_class="db.r6g.large",
                          auto_minor_version_upgrade=True, tags=tags)

neptune_sg = store_sg("lineage", 8182)
neptune_subnets = aws.neptune.SubnetGroup("lineage", subnet_ids=SUBNETS, tags=tags)
neptune_params = aws.neptune.ClusterParameterGroup("lineage", family="neptune1.3", tags=tags, parameters=[
    {"name": "neptune_enable_audit_log", "value": "1"}])
lineage = aws.neptune.Cluster("lineage", engine="neptune", engine_version="1.3.2.1",
    neptune_subnet_group_name=neptune_subnets.name, vpc_security_group_ids=[neptune_sg.id],
    neptune_cluster_parameter_group_name=neptune_params.name, storage_encrypted=True, kms_key_arn=key.arn,
    iam_database_authentication_enabled=True, backup_retention_period=14, deletion_protection=True,
    enable_cloudwatch_logs_exports=["audit"], final_snapshot_identifier="lineage-final", tags=tags)
aws.neptune.ClusterInstance("lineage-1", cluster_identifier=lineage.id, instance_class="db.r6g.large",
                            tags=tags)

pulumi.export("cache_endpoint", cache.configuration_endpoint_address)
