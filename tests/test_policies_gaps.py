"""The second round of Checkov gaps (docs/policies.md, "Wider than ML"): data-store rows and settings (keys
of images, pipelines and integrations, IAM database authentication, Performance Insights keys, MySQL audit
logs, ElastiCache cluster snapshots, ECS Exec, CloudSearch), and the rules for VPC layout, database engines
and their logs, ECS task roles, Lambda URLs and code signing, EFS access points, CodeBuild logs, WAFv2 rules,
Route 53, API Gateway execution logs, alarms, HSTS, Transfer servers, classic ELB policies, S3 objects and
bucket-policy lockouts, Session Manager, Config aggregators, Global Accelerator and SES. Each: a compliant
example, one field changed, unknown values; every input read is checked against the installed SDK."""

from __future__ import annotations

import json

import pytest

from policies.rules.data_stores import (
    data_store_backups,
    data_store_customer_managed_key,
    data_store_encrypted_at_rest,
    data_store_iam_authentication,
    data_store_logging,
)
from foreign import KEY
from policy_helpers import UNKNOWN, found, violations

AWS_KEY = "alias/aws/s3"

# (type, compliant props, props with the key left out or AWS-managed, a phrase of the violation)
KEYED = [
    ("aws:athena/database:Database",
     {"bucket": "results", "encryptionConfiguration": {"encryptionOption": "SSE_KMS", "kmsKey": KEY}},
     {"bucket": "results", "encryptionConfiguration": {"encryptionOption": "SSE_S3"}},
     "encryptionConfiguration.encryptionOption is SSE_S3, expected SSE_KMS or CSE_KMS"),
    ("aws:imagebuilder/component:Component", {"platform": "Linux", "kmsKeyId": KEY}, {"platform": "Linux"},
     "kmsKeyId is not set"),
    ("aws:imagebuilder/distributionConfiguration:DistributionConfiguration",
     {"distributions": [{"region": "us-east-1", "amiDistributionConfiguration": {"kmsKeyId": KEY}},
                        {"region": "eu-west-1", "containerDistributionConfiguration": {"targetRepository": {}}}]},
     {"distributions": [{"region": "us-east-1", "amiDistributionConfiguration": {"name": "base-{{ imagebuilder:buildDate }}"}}]},
     "distributions[0].amiDistributionConfiguration.kmsKeyId is not set"),
    ("aws:imagebuilder/imageRecipe:ImageRecipe",
     {"blockDeviceMappings": [{"deviceName": "/dev/xvda", "ebs": {"encrypted": "true", "kmsKeyId": KEY}},
                              {"deviceName": "/dev/sdb", "virtualName": "ephemeral0"}]},
     {"blockDeviceMappings": [{"deviceName": "/dev/xvda", "ebs": {"encrypted": "true", "kmsKeyId": AWS_KEY}}]},
     "blockDeviceMappings[0].ebs.kmsKeyId is the AWS-managed key"),
    ("aws:codepipeline/pipeline:Pipeline",
     {"artifactStores": [{"location": "artifacts", "type": "S3", "encryptionKey": {"id": KEY, "type": "KMS"}}]},
     {"artifactStores": [{"location": "artifacts", "type": "S3"}]},
     "artifactStores[0].encryptionKey is not set, expected set: artifacts are encrypted with the AWS-managed"),
    ("aws:appflow/flow:Flow", {"kmsArn": KEY}, {"name": "flow"}, "kmsArn is not set"),
    ("aws:appflow/connectorProfile:ConnectorProfile", {"kmsArn": KEY}, {"connectorType": "Salesforce"},
     "kmsArn is not set"),
    ("aws:connect/instanceStorageConfig:InstanceStorageConfig",
     {"resourceType": "CALL_RECORDINGS", "storageConfig": {"storageType": "S3", "s3Config": {
         "bucketName": "calls", "bucketPrefix": "r", "encryptionConfig": {"encryptionType": "KMS", "keyId": KEY}}}},
     {"resourceType": "CALL_RECORDINGS", "storageConfig": {"storageType": "S3", "s3Config": {
         "bucketName": "calls", "bucketPrefix": "r"}}},
     "storageConfig.s3Config.encryptionConfig.keyId is not set"),
    ("aws:memorydb/snapshot:Snapshot", {"clusterName": "c", "kmsKeyArn": KEY}, {"clusterName": "c"},
     "kmsKeyArn is not set"),
    ("aws:dms/endpoint:Endpoint", {"engineName": "postgres", "kmsKeyArn": KEY}, {"engineName": "postgres"},
     "kmsKeyArn is not set"),
    ("aws:dms/s3Endpoint:S3Endpoint",
     {"endpointType": "target", "encryptionMode": "SSE_KMS", "serverSideEncryptionKmsKeyId": KEY},
     {"endpointType": "target", "encryptionMode": "SSE_KMS"},
     "serverSideEncryptionKmsKeyId is not set"),
    ("aws:rds/clusterActivityStream:ClusterActivityStream", {"mode": "async", "kmsKeyId": KEY},
     {"mode": "async", "kmsKeyId": "alias/aws/rds"}, "kmsKeyId is the AWS-managed key alias/aws/rds"),
    ("aws:codegurureviewer/repositoryAssociation:RepositoryAssociation",
     {"kmsKeyDetails": {"encryptionOption": "CUSTOMER_MANAGED_CMK", "kmsKeyId": KEY}}, {"repository": {}},
     "kmsKeyDetails.encryptionOption is not set (defaults to AWS_OWNED_CMK)"),
    ("aws:dlm/lifecyclePolicy:LifecyclePolicy",
     {"policyDetails": {"schedules": [{"name": "daily", "crossRegionCopyRules": [
         {"target": "eu-west-1", "encrypted": True, "cmkArn": KEY}]}]}},
     {"policyDetails": {"schedules": [{"name": "daily", "crossRegionCopyRules": [
         {"target": "eu-west-1", "encrypted": True}]}]}},
     "policyDetails.schedules[0].crossRegionCopyRules[0].cmkArn is not set"),
    ("aws:rds/instance:Instance",
     {**{"kmsKeyId": KEY}, "performanceInsightsEnabled": True, "performanceInsightsKmsKeyId": KEY},
     {"kmsKeyId": KEY, "performanceInsightsEnabled": True}, "performanceInsightsKmsKeyId is not set"),
    ("aws:rds/clusterInstance:ClusterInstance",
     {"performanceInsightsEnabled": True, "performanceInsightsKmsKeyId": KEY},
     {"performanceInsightsEnabled": True, "performanceInsightsKmsKeyId": "alias/aws/rds"},
     "performanceInsightsKmsKeyId is the AWS-managed key"),
]


@pytest.mark.parametrize("type_, good, bad, phrase", KEYED, ids=lambda v: v if isinstance(v, str) and ":" in v else "")
def test_keys_of_images_pipelines_and_integrations(type_, good, bad, phrase):
    assert found(data_store_customer_managed_key, type_, good) == []
    messages = found(data_store_customer_managed_key, type_, bad)
    assert any(phrase in message for message in messages), messages
    assert found(data_store_customer_managed_key, type_, bad, {"requireCustomerManagedKey": False}) == []


def test_each_item_of_a_block_and_unknowns():
    recipe = "aws:imagebuilder/imageRecipe:ImageRecipe"
    two = {"blockDeviceMappings": [{"ebs": {"encrypted": "true", "kmsKeyId": KEY}}, {"ebs": {"volumeSize": 100}}]}
    messages = found(data_store_customer_managed_key, recipe, two)
    assert messages == [f"Image Builder image recipe 'subject' ({recipe}) is not encrypted with a customer-managed "
                        "key: blockDeviceMappings[1].ebs.kmsKeyId is not set (an AWS-managed or AWS-owned key)"]
    [message] = found(data_store_encrypted_at_rest, recipe, two)
    assert "blockDeviceMappings[1].ebs.encrypted is not set, expected true" in message
    # A mapping without ebs (an instance-store or removed device) has nothing to encrypt.
    assert found(data_store_encrypted_at_rest, recipe, {"blockDeviceMappings": [{"noDevice": True}]}) == []
    assert found(data_store_customer_managed_key, recipe, {"blockDeviceMappings": UNKNOWN}) == []
    assert found(data_store_customer_managed_key, recipe, {"blockDeviceMappings": [{"ebs": {"kmsKeyId": UNKNOWN}}]}) == []
    distribution = "aws:imagebuilder/distributionConfiguration:DistributionConfiguration"
    containers = {"distributions": [{"region": "us-east-1", "containerDistributionConfiguration": {"targetRepository": {
        "repositoryName": "app", "service": "ECR"}}}]}
    assert found(data_store_customer_managed_key, distribution, containers) == []


def test_dlm_cross_region_copies_are_encrypted():
    policy = "aws:dlm/lifecyclePolicy:LifecyclePolicy"
    event = {"policyDetails": {"policyType": "EVENT_BASED_POLICY", "action": {"name": "copy", "crossRegionCopies": [
        {"target": "eu-west-1", "encryptionConfiguration": {"encrypted": True, "cmkArn": KEY}}]}}}
    assert found(data_store_encrypted_at_rest, policy, event) == []
    assert found(data_store_customer_managed_key, policy, event) == []
    plain = {"policyDetails": {"action": {"name": "copy", "crossRegionCopies": [
        {"target": "eu-west-1", "encryptionConfiguration": {}}]}}}
    [message] = found(data_store_encrypted_at_rest, policy, plain)
    assert "policyDetails.action.crossRegionCopies[0].encryptionConfiguration.encrypted is not set (defaults to false)" \
        in message
    schedule = {"policyDetails": {"schedules": [{"name": "d", "crossRegionCopyRules": [{"target": "eu-west-1",
                                                                                         "encrypted": False}]}]}}
    assert "crossRegionCopyRules[0].encrypted is false" in found(data_store_encrypted_at_rest, policy, schedule)[0]
    assert found(data_store_encrypted_at_rest, policy, {"policyDetails": {"schedules": [{"name": "d"}]}}) == []
    assert found(data_store_encrypted_at_rest, policy, {"policyDetails": {"schedules": [{"name": "d", "crossRegionCopyRules": [
        {"encrypted": UNKNOWN}]}]}}) == []


def test_athena_database_encryption():
    database = "aws:athena/database:Database"
    assert found(data_store_encrypted_at_rest, database, {"encryptionConfiguration": {"encryptionOption": "SSE_S3"}}) == []
    assert "encryptionConfiguration.encryptionOption is not set" in found(data_store_encrypted_at_rest, database,
                                                                           {"bucket": "results"})[0]
    assert found(data_store_encrypted_at_rest, database, {"encryptionConfiguration": UNKNOWN}) == []


def test_performance_insights_key_only_while_it_is_on():
    instance = "aws:rds/instance:Instance"
    assert found(data_store_customer_managed_key, instance, {"kmsKeyId": KEY}) == []
    assert found(data_store_customer_managed_key, instance, {"kmsKeyId": KEY, "performanceInsightsEnabled": False}) == []
    assert found(data_store_customer_managed_key, instance, {"kmsKeyId": KEY, "performanceInsightsEnabled": UNKNOWN}) == []


def test_dms_s3_source_endpoints_have_no_key():
    endpoint = "aws:dms/s3Endpoint:S3Endpoint"
    assert found(data_store_customer_managed_key, endpoint, {"endpointType": "source"}) == []
    [message] = found(data_store_customer_managed_key, endpoint, {"endpointType": "target"})
    assert "encryptionMode is not set (defaults to SSE_S3)" in message and "serverSideEncryptionKmsKeyId" in message


IAM_AUTH = [
    ("aws:rds/instance:Instance", {"engine": "postgres"}),
    ("aws:rds/instance:Instance", {"engine": "mysql"}),
    ("aws:rds/cluster:Cluster", {"engine": "aurora-postgresql"}),
    ("aws:neptune/cluster:Cluster", {"engine": "neptune"}),
]


@pytest.mark.parametrize("type_, props", IAM_AUTH)
def test_iam_database_authentication(type_, props):
    assert found(data_store_iam_authentication, type_, {**props, "iamDatabaseAuthenticationEnabled": True}) == []
    [message] = found(data_store_iam_authentication, type_, props)
    assert "does not allow IAM database authentication: iamDatabaseAuthenticationEnabled is not set" in message
    assert len(found(data_store_iam_authentication, type_, {**props, "iamDatabaseAuthenticationEnabled": False})) == 1
    assert found(data_store_iam_authentication, type_, {**props, "iamDatabaseAuthenticationEnabled": UNKNOWN}) == []
    assert found(data_store_iam_authentication, type_, props, {"requireIamAuthentication": False}) == []


def test_iam_authentication_only_for_engines_that_have_it():
    instance = "aws:rds/instance:Instance"
    for engine in ("sqlserver-se", "oracle-ee", "aurora-mysql", UNKNOWN):  # Aurora's is the cluster's
        assert found(data_store_iam_authentication, instance, {"engine": engine}) == []
    assert found(data_store_iam_authentication, instance, {"replicateSourceDb": "primary"}) == []


def test_mysql_clusters_export_the_audit_log():
    cluster = "aws:rds/cluster:Cluster"
    assert found(data_store_logging, cluster, {"engine": "aurora-mysql",
                                               "enabledCloudwatchLogsExports": ["audit", "error", "slowquery"]}) == []
    [message] = found(data_store_logging, cluster, {"engine": "aurora-mysql",
                                                    "enabledCloudwatchLogsExports": ["error", "slowquery"]})
    assert "enabledCloudwatchLogsExports is [error, slowquery], expected to include audit: no audit log" in message
    assert found(data_store_logging, cluster, {"engine": "aurora-postgresql",
                                               "enabledCloudwatchLogsExports": ["postgresql"]}) == []
    assert found(data_store_logging, cluster, {"engine": "mysql", "enabledCloudwatchLogsExports": UNKNOWN}) == []
    assert found(data_store_logging, cluster, {"engine": "mysql", "enabledCloudwatchLogsExports": [UNKNOWN]}) == []


def test_elasticache_cluster_backups():
    cluster = "aws:elasticache/cluster:Cluster"
    assert found(data_store_backups, cluster, {"engine": "redis", "snapshotRetentionLimit": 7}) == []
    [message] = found(data_store_backups, cluster, {"engine": "redis"})
    assert "snapshotRetentionLimit is not set (defaults to 0), expected at least 7 days" in message
    assert len(found(data_store_backups, cluster, {"engine": "valkey", "snapshotRetentionLimit": 0})) == 1
    assert found(data_store_backups, cluster, {"engine": "memcached"}) == []  # no snapshots
    assert found(data_store_backups, cluster, {"replicationGroupId": "group"}) == []  # the group's
    assert found(data_store_backups, cluster, {"engine": "redis", "snapshotRetentionLimit": UNKNOWN}) == []
    assert found(data_store_backups, cluster, {"engine": "redis"}, {"requireBackups": False}) == []


# --------------------------------------------------------------------------------------------------
# VPC layout

from policies.rules.vpc_layout import no_default_vpc, subnet_no_public_ip_on_launch, vpc_peering_routes_scoped  # noqa: E402

SUBNET = "aws:ec2/subnet:Subnet"
ROUTE, ROUTE_TABLE = "aws:ec2/route:Route", "aws:ec2/routeTable:RouteTable"


def test_no_default_vpc():
    assert "brings the account's default VPC" in found(no_default_vpc, "aws:ec2/defaultVpc:DefaultVpc", {})[0]
    assert len(found(no_default_vpc, "aws:ec2/defaultSubnet:DefaultSubnet", {"availabilityZone": "us-east-1a"})) == 1
    assert found(no_default_vpc, "aws:ec2/vpc:Vpc", {"cidrBlock": "10.0.0.0/16"}) == []


def test_subnets_do_not_map_public_ips():
    subnet = {"vpcId": "vpc-1", "cidrBlock": "10.0.0.0/24", "mapPublicIpOnLaunch": False}
    assert found(subnet_no_public_ip_on_launch, SUBNET, subnet) == []
    assert found(subnet_no_public_ip_on_launch, SUBNET, {"vpcId": "vpc-1"}) == []  # false by default
    [message] = found(subnet_no_public_ip_on_launch, SUBNET, {**subnet, "mapPublicIpOnLaunch": True})
    assert "maps a public IP to every instance launched in it" in message
    assert found(subnet_no_public_ip_on_launch, SUBNET, {**subnet, "mapPublicIpOnLaunch": UNKNOWN}) == []
    assert found(subnet_no_public_ip_on_launch, SUBNET, {**subnet, "mapPublicIpOnLaunch": True},
                 {"allowPublicIpOnLaunch": True}) == []


def test_peering_routes_name_the_peer():
    route = {"routeTableId": "rtb-1", "destinationCidrBlock": "10.1.0.0/16", "vpcPeeringConnectionId": "pcx-1"}
    assert found(vpc_peering_routes_scoped, ROUTE, route) == []
    [message] = found(vpc_peering_routes_scoped, ROUTE, {**route, "destinationCidrBlock": "0.0.0.0/0"})
    assert "routes 0.0.0.0/0 through a VPC peering connection" in message
    assert found(vpc_peering_routes_scoped, ROUTE, {"routeTableId": "rtb-1", "destinationCidrBlock": "0.0.0.0/0",
                                                   "natGatewayId": "nat-1"}) == []
    assert len(found(vpc_peering_routes_scoped, ROUTE, {**route, "destinationCidrBlock": None,
                                                       "destinationIpv6CidrBlock": "::/0"})) == 1
    assert len(found(vpc_peering_routes_scoped, ROUTE, {**route, "vpcPeeringConnectionId": UNKNOWN,
                                                       "destinationCidrBlock": "0.0.0.0/0"})) == 1
    assert found(vpc_peering_routes_scoped, ROUTE, {**route, "destinationCidrBlock": UNKNOWN}) == []
    table = {"vpcId": "vpc-1", "routes": [{"cidrBlock": "0.0.0.0/0", "natGatewayId": "nat-1"},
                                          {"cidrBlock": "10.1.0.0/16", "vpcPeeringConnectionId": "pcx-1"}]}
    assert found(vpc_peering_routes_scoped, ROUTE_TABLE, table) == []
    table["routes"][1]["cidrBlock"] = "0.0.0.0/0"
    assert len(found(vpc_peering_routes_scoped, ROUTE_TABLE, table)) == 1
    assert found(vpc_peering_routes_scoped, ROUTE_TABLE, {"routes": UNKNOWN}) == []


# --------------------------------------------------------------------------------------------------
# RDS CA certificates, Redshift routing, DocumentDB audit logs, PostgreSQL statement logging

from policies.rules.database_logging import docdb_audit_logs, neptune_audit_logs, postgres_query_logging  # noqa: E402
from policies.rules.databases import rds_ca_certificate_current, redshift_enhanced_vpc_routing  # noqa: E402
from policy_helpers import stack_args, stack_resource  # noqa: E402


@pytest.mark.parametrize("type_, key", [("aws:rds/instance:Instance", "caCertIdentifier"),
                                        ("aws:rds/cluster:Cluster", "caCertificateIdentifier")])
def test_rds_ca_certificates(type_, key):
    assert found(rds_ca_certificate_current, type_, {key: "rds-ca-rsa2048-g1"}) == []
    assert found(rds_ca_certificate_current, type_, {"engine": "postgres"}) == []  # the region's default CA
    [message] = found(rds_ca_certificate_current, type_, {key: "rds-ca-2019"})
    assert f"uses the certificate authority 'rds-ca-2019' ({key})" in message
    assert found(rds_ca_certificate_current, type_, {key: UNKNOWN}) == []
    assert found(rds_ca_certificate_current, type_, {key: "rds-ca-2019"}, {"allowedCaCertificates": ["rds-ca-2019"]}) == []


def test_redshift_enhanced_vpc_routing():
    cluster = "aws:redshift/cluster:Cluster"
    assert found(redshift_enhanced_vpc_routing, cluster, {"enhancedVpcRouting": True}) == []
    assert "not set (false)" in found(redshift_enhanced_vpc_routing, cluster, {"nodeType": "ra3.xlplus"})[0]
    assert len(found(redshift_enhanced_vpc_routing, cluster, {"enhancedVpcRouting": False})) == 1
    assert found(redshift_enhanced_vpc_routing, cluster, {"enhancedVpcRouting": UNKNOWN}) == []


def test_docdb_audit_logs():
    group = "aws:docdb/clusterParameterGroup:ClusterParameterGroup"
    audited = {"family": "docdb5.0", "parameters": [{"name": "tls", "value": "enabled"},
                                                    {"name": "audit_logs", "value": "enabled"}]}
    assert found(docdb_audit_logs, group, audited) == []
    assert found(docdb_audit_logs, group, {"family": "docdb5.0", "parameters": [{"name": "audit_logs", "value": "all"}]}) == []
    assert "does not set audit_logs" in found(docdb_audit_logs, group, {"family": "docdb5.0", "parameters": [
        {"name": "tls", "value": "enabled"}]})[0]
    assert "sets audit_logs to 'disabled'" in found(docdb_audit_logs, group, {"parameters": [
        {"name": "audit_logs", "value": "disabled"}]})[0]
    assert found(docdb_audit_logs, group, {"parameters": [{"name": "audit_logs", "value": UNKNOWN}]}) == []
    assert found(docdb_audit_logs, group, {"parameters": UNKNOWN}) == []


def test_neptune_audit_logs():
    group = "aws:neptune/clusterParameterGroup:ClusterParameterGroup"
    audited = {"family": "neptune1.3", "parameters": [{"name": "neptune_enable_audit_log", "value": "1"}]}
    assert found(neptune_audit_logs, group, audited) == []
    assert "does not set neptune_enable_audit_log (the default is 0)" in found(neptune_audit_logs, group, {
        "family": "neptune1.3", "parameters": [{"name": "neptune_query_timeout", "value": "120000"}]})[0]
    assert "sets neptune_enable_audit_log to '0'" in found(neptune_audit_logs, group, {"parameters": [
        {"name": "neptune_enable_audit_log", "value": "0"}]})[0]
    assert found(neptune_audit_logs, group, {"parameters": [{"name": "neptune_enable_audit_log", "value": UNKNOWN}]}) == []
    assert found(neptune_audit_logs, group, {"parameters": UNKNOWN}) == []


PG = "aws:rds/parameterGroup:ParameterGroup"
PG_INSTANCE = "aws:rds/instance:Instance"


def _pg_stack(group_parameters, **instance):
    group = stack_resource(PG, {"name": "pg-logging", "id": "pg-logging", "family": "postgres16",
                                "parameters": group_parameters}, name="pg-logging")
    db = stack_resource(PG_INSTANCE, {"engine": "postgres", "parameterGroupName": "pg-logging", **instance}, name="db")
    return [group, db]


def test_postgres_statement_logging():
    logged = [{"name": "log_statement", "value": "ddl"}, {"name": "log_min_duration_statement", "value": "1000"}]
    assert violations(postgres_query_logging, stack_args(_pg_stack(logged))) == []
    assert violations(postgres_query_logging, stack_args(_pg_stack(logged[1:]))) == []
    [message] = violations(postgres_query_logging, stack_args(_pg_stack([{"name": "rds.force_ssl", "value": "1"}])))
    assert "logs no statements: its parameter group 'pg-logging' sets neither" in message
    assert len(violations(postgres_query_logging, stack_args(_pg_stack([{"name": "log_statement", "value": "none"}])))) == 1
    [message] = violations(postgres_query_logging, stack_args(_pg_stack(logged, parameterGroupName=None)))
    assert "uses its engine's default parameter group (parameterGroupName is not set)" in message
    # A group declared elsewhere, an unknown value, another engine: not judged.
    assert violations(postgres_query_logging, stack_args(_pg_stack([], parameterGroupName="shared-pg"))) == []
    assert violations(postgres_query_logging, stack_args(_pg_stack([{"name": "log_statement", "value": UNKNOWN}]))) == []
    assert violations(postgres_query_logging, stack_args(_pg_stack([], engine="mysql", parameterGroupName=None))) == []


def test_postgres_statement_logging_in_a_preview_and_for_aurora():
    group = stack_resource(PG, {"name": UNKNOWN, "parameters": [{"name": "rds.force_ssl", "value": "1"}]}, name="pg")
    db = stack_resource(PG_INSTANCE, {"engine": "postgres", "parameterGroupName": UNKNOWN}, name="db",
                        property_dependencies={"parameterGroupName": [group.urn]})
    assert len(violations(postgres_query_logging, stack_args([group, db]))) == 1
    cluster = stack_resource("aws:rds/cluster:Cluster", {"engine": "aurora-postgresql"}, name="aurora")
    assert "dbClusterParameterGroupName is not set" in violations(postgres_query_logging, stack_args([cluster]))[0]


# --------------------------------------------------------------------------------------------------
# Every input the new rules read is an input of the installed pulumi-aws SDK; the docs name every rule

from sdk_inputs import assert_inputs_in_sdk  # noqa: E402

READS = [
    ("aws:ec2/subnet:Subnet", ("mapPublicIpOnLaunch",)),
    ("aws:ec2/route:Route", ("vpcPeeringConnectionId",)), ("aws:ec2/route:Route", ("destinationCidrBlock",)),
    ("aws:ec2/route:Route", ("destinationIpv6CidrBlock",)),
    ("aws:ec2/routeTable:RouteTable", ("routes", "vpcPeeringConnectionId")),
    ("aws:ec2/routeTable:RouteTable", ("routes", "cidrBlock")), ("aws:ec2/routeTable:RouteTable", ("routes", "ipv6CidrBlock")),
    ("aws:rds/instance:Instance", ("caCertIdentifier",)), ("aws:rds/cluster:Cluster", ("caCertificateIdentifier",)),
    ("aws:redshift/cluster:Cluster", ("enhancedVpcRouting",)),
    ("aws:docdb/clusterParameterGroup:ClusterParameterGroup", ("parameters", "name")),
    ("aws:rds/instance:Instance", ("parameterGroupName",)), ("aws:rds/cluster:Cluster", ("dbClusterParameterGroupName",)),
    ("aws:rds/parameterGroup:ParameterGroup", ("parameters", "value")),
    ("aws:rds/clusterParameterGroup:ClusterParameterGroup", ("parameters", "value")),
]


@pytest.mark.parametrize("type_, path", READS, ids=lambda value: ".".join(value) if isinstance(value, tuple) else value)
def test_every_input_read_is_in_the_pulumi_aws_sdk(type_, path):
    assert_inputs_in_sdk(type_, path)


GAP_MODULES = ["vpc_layout", "database_logging", "databases", "data_stores"]


@pytest.mark.parametrize("module_name", GAP_MODULES)
def test_docs_describe_every_rule_and_its_config(module_name):
    import importlib
    from pathlib import Path

    docs = (Path(__file__).resolve().parent.parent / "docs" / "policies.md").read_text()
    module = importlib.import_module(f"policies.rules.{module_name}")
    for policy in module.SECURITY + module.PRIVACY + module.COMPLIANCE:
        assert f"`{policy.name}`" in docs, policy.name
        for key in (policy.config_schema.properties if policy.config_schema else {}):
            assert f"`{key}`" in docs, f"{policy.name}: {key}"


# --------------------------------------------------------------------------------------------------
# ECS clusters and task roles, Lambda URLs and code signing, EFS access points, CodeBuild logs

from policies.rules.build import codebuild_logging  # noqa: E402
from policies.rules.ecs import ecs_task_separate_execution_role  # noqa: E402
from policies.rules.file_systems import efs_access_point_posix_user, efs_access_point_root_directory  # noqa: E402
from policies.rules.lambda_functions import lambda_code_signing, lambda_function_url_cors_restricted  # noqa: E402

ECS_CLUSTER = "aws:ecs/cluster:Cluster"
EXEC = {"configuration": {"executeCommandConfiguration": {"kmsKeyId": KEY, "logging": "OVERRIDE", "logConfiguration": {
    "cloudWatchEncryptionEnabled": True, "cloudWatchLogGroupName": "/ecs/exec"}}}}


def test_ecs_exec_is_logged_and_uses_a_customer_key():
    assert found(data_store_logging, ECS_CLUSTER, EXEC) == []
    assert found(data_store_customer_managed_key, ECS_CLUSTER, EXEC) == []
    assert found(data_store_logging, ECS_CLUSTER, {"name": "apps"}) == []  # DEFAULT logging
    assert found(data_store_customer_managed_key, ECS_CLUSTER, {"name": "apps"}) == []  # no exec configuration
    [message] = found(data_store_logging, ECS_CLUSTER, {"configuration": {"executeCommandConfiguration": {
        "logging": "NONE", "kmsKeyId": KEY}}})
    assert "configuration.executeCommandConfiguration.logging is NONE, expected not NONE: ECS Exec sessions" in message
    [message] = found(data_store_customer_managed_key, ECS_CLUSTER, {"configuration": {"executeCommandConfiguration": {
        "logging": "DEFAULT"}}})
    assert "configuration.executeCommandConfiguration.kmsKeyId is not set" in message
    assert found(data_store_logging, ECS_CLUSTER, {"configuration": {"executeCommandConfiguration": {
        "logging": UNKNOWN}}}) == []


TASK = "aws:ecs/taskDefinition:TaskDefinition"
EXECUTION_ROLE = "arn:aws:iam::123456789012:role/ecs-execution"


def test_ecs_task_role_is_not_the_execution_role():
    task = {"family": "app", "executionRoleArn": EXECUTION_ROLE, "taskRoleArn": "arn:aws:iam::123456789012:role/app"}
    assert found(ecs_task_separate_execution_role, TASK, task) == []
    [message] = found(ecs_task_separate_execution_role, TASK, {**task, "taskRoleArn": EXECUTION_ROLE})
    assert "gives its containers the execution role" in message
    assert found(ecs_task_separate_execution_role, TASK, {"family": "app", "executionRoleArn": EXECUTION_ROLE}) == []
    assert found(ecs_task_separate_execution_role, TASK, {**task, "taskRoleArn": UNKNOWN}) == []


URL = "aws:lambda/functionUrl:FunctionUrl"
FUNCTION = "aws:lambda/function:Function"


def test_function_url_cors():
    url = {"functionName": "api", "authorizationType": "AWS_IAM",
           "cors": {"allowOrigins": ["https://app.example.com"], "allowMethods": ["*"]}}
    assert found(lambda_function_url_cors_restricted, URL, url) == []
    assert found(lambda_function_url_cors_restricted, URL, {**url, "cors": {"allowOrigins": ["*"],
                                                                           "allowMethods": ["GET"]}}) == []
    [message] = found(lambda_function_url_cors_restricted, URL, {**url, "cors": {"allowOrigins": ["*"],
                                                                                "allowMethods": ["*"]}})
    assert "lets any web origin call it with any method" in message
    assert found(lambda_function_url_cors_restricted, URL, {"functionName": "api"}) == []  # no CORS: same-origin only
    assert found(lambda_function_url_cors_restricted, URL, {**url, "cors": {"allowOrigins": UNKNOWN,
                                                                           "allowMethods": ["*"]}}) == []


def test_lambda_code_signing():
    function = {"runtime": "python3.12", "handler": "app.handler",
                "codeSigningConfigArn": "arn:aws:lambda:us-east-1:123456789012:code-signing-config:csc-1"}
    assert found(lambda_code_signing, FUNCTION, function) == []
    assert "has no code signing configuration" in found(lambda_code_signing, FUNCTION,
                                                        {**function, "codeSigningConfigArn": None})[0]
    assert found(lambda_code_signing, FUNCTION, {"packageType": "Image", "imageUri": "x"}) == []
    assert found(lambda_code_signing, FUNCTION, {**function, "codeSigningConfigArn": UNKNOWN}) == []


def test_code_signing_is_advisory_in_every_environment():
    import json
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent / "policies" / "config"
    for env in ("staging", "prod"):
        config = json.loads((root / env / "security.json").read_text())
        assert config["lambda-code-signing"]["enforcementLevel"] == "advisory"


ACCESS_POINT = "aws:efs/accessPoint:AccessPoint"
POINT = {"fileSystemId": "fs-1", "posixUser": {"uid": 1000, "gid": 1000},
         "rootDirectory": {"path": "/training", "creationInfo": {"ownerUid": 1000, "ownerGid": 1000,
                                                                 "permissions": "750"}}}


def test_efs_access_point_root_directory():
    assert found(efs_access_point_root_directory, ACCESS_POINT, POINT) == []
    assert "rootDirectory.path is /" in found(efs_access_point_root_directory, ACCESS_POINT,
                                              {**POINT, "rootDirectory": {"path": "/"}})[0]
    assert "not set (/)" in found(efs_access_point_root_directory, ACCESS_POINT, {"fileSystemId": "fs-1"})[0]
    assert found(efs_access_point_root_directory, ACCESS_POINT, {**POINT, "rootDirectory": {"path": UNKNOWN}}) == []


def test_efs_access_point_posix_user():
    assert found(efs_access_point_posix_user, ACCESS_POINT, POINT) == []
    assert len(found(efs_access_point_posix_user, ACCESS_POINT, {**POINT, "posixUser": None})) == 1
    assert found(efs_access_point_posix_user, ACCESS_POINT, {**POINT, "posixUser": UNKNOWN}) == []
    assert found(efs_access_point_posix_user, ACCESS_POINT, {**POINT, "posixUser": {"uid": 1000, "gid": UNKNOWN}}) == []


PROJECT = "aws:codebuild/project:Project"


def test_codebuild_logs():
    assert found(codebuild_logging, PROJECT, {"name": "build"}) == []  # CloudWatch Logs by default
    off = {"logsConfig": {"cloudwatchLogs": {"status": "DISABLED"}}}
    assert "keeps no build logs" in found(codebuild_logging, PROJECT, off)[0]
    assert found(codebuild_logging, PROJECT, {"logsConfig": {"cloudwatchLogs": {"status": "DISABLED"},
                                                             "s3Logs": {"status": "ENABLED", "location": "b/l"}}}) == []
    assert found(codebuild_logging, PROJECT, {"logsConfig": {"cloudwatchLogs": {"status": UNKNOWN}}}) == []
    assert found(codebuild_logging, PROJECT, {"logsConfig": UNKNOWN}) == []


READS += [
    ("aws:ecs/taskDefinition:TaskDefinition", ("executionRoleArn",)), ("aws:ecs/taskDefinition:TaskDefinition", ("taskRoleArn",)),
    ("aws:lambda/functionUrl:FunctionUrl", ("cors", "allowOrigins")), ("aws:lambda/functionUrl:FunctionUrl", ("cors", "allowMethods")),
    ("aws:lambda/function:Function", ("codeSigningConfigArn",)), ("aws:lambda/function:Function", ("packageType",)),
    ("aws:efs/accessPoint:AccessPoint", ("rootDirectory", "path")), ("aws:efs/accessPoint:AccessPoint", ("posixUser", "gid")),
    ("aws:efs/accessPoint:AccessPoint", ("posixUser", "uid")),
    ("aws:codebuild/project:Project", ("logsConfig", "cloudwatchLogs", "status")),
    ("aws:codebuild/project:Project", ("logsConfig", "s3Logs", "status")),
]
GAP_MODULES += ["ecs", "lambda_functions", "file_systems", "build"]


# --------------------------------------------------------------------------------------------------
# WAF rules, Route 53 zones, API Gateway execution logs, alarms, HSTS, Transfer servers, classic ELB policies

from policies.rules.alarms import cloudwatch_alarm_actions_enabled  # noqa: E402
from policies.rules.apigateway_logging import apigateway_execution_logging  # noqa: E402
from policies.rules.dns_zones import route53_dnssec_signing, route53_query_logging  # noqa: E402
from policies.rules.load_balancers import lb_listener_tls_policy  # noqa: E402
from policies.rules.network_sharing import transfer_server_not_public, transfer_server_security_policy  # noqa: E402
from policies.rules.response_headers import cloudfront_hsts  # noqa: E402
from policies.rules.waf_rules import wafv2_known_bad_inputs, wafv2_rules_have_actions, wafv2_web_acl_has_rules  # noqa: E402

WEB_ACL = "aws:wafv2/webAcl:WebAcl"
ACL_ARN = "arn:aws:wafv2:us-east-1:123456789012:regional/webacl/api/1"
BAD_INPUTS = {"name": "bad-inputs", "priority": 1, "overrideAction": {"none": {}},
              "statement": {"managedRuleGroupStatement": {"name": "AWSManagedRulesKnownBadInputsRuleSet",
                                                          "vendorName": "AWS"}},
              "visibilityConfig": {"cloudwatchMetricsEnabled": True, "metricName": "bad", "sampledRequestsEnabled": True}}
RATE = {"name": "rate", "priority": 2, "action": {"block": {}},
        "statement": {"rateBasedStatement": {"limit": 2000, "aggregateKeyType": "IP"}}}


def _acl(*rules, default="allow", **props):
    return stack_resource(WEB_ACL, {"arn": ACL_ARN, "scope": "REGIONAL", "defaultAction": {default: {}},
                                    "rules": list(rules), **props}, name="api-acl")


def test_web_acls_have_rules():
    assert violations(wafv2_web_acl_has_rules, stack_args([_acl(RATE)])) == []
    [message] = violations(wafv2_web_acl_has_rules, stack_args([_acl()]))
    assert "allows every request by default and has no rules" in message
    assert violations(wafv2_web_acl_has_rules, stack_args([_acl(default="block")])) == []
    rule = stack_resource("aws:wafv2/webAclRule:WebAclRule", {"webAclArn": ACL_ARN, "priority": 1, **RATE}, name="r")
    assert violations(wafv2_web_acl_has_rules, stack_args([_acl(), rule])) == []
    assert violations(wafv2_web_acl_has_rules, stack_args([_acl(ruleJson="[]")])) == []
    assert violations(wafv2_web_acl_has_rules, stack_args([_acl(rules=UNKNOWN)])) == []


def test_waf_rules_have_actions():
    acl = {"scope": "REGIONAL", "defaultAction": {"allow": {}}, "rules": [BAD_INPUTS, RATE]}
    assert found(wafv2_rules_have_actions, WEB_ACL, acl) == []
    [message] = found(wafv2_rules_have_actions, WEB_ACL, {**acl, "rules": [{**RATE, "action": {}}]})
    assert "rule 'rate' names no action" in message
    no_override = {key: value for key, value in BAD_INPUTS.items() if key != "overrideAction"}
    assert len(found(wafv2_rules_have_actions, WEB_ACL, {**acl, "rules": [no_override]})) == 1
    group = "aws:wafv2/ruleGroup:RuleGroup"
    assert found(wafv2_rules_have_actions, group, {"capacity": 10, "rules": [RATE]}) == []
    assert len(found(wafv2_rules_have_actions, group, {"capacity": 10, "rules": [{**RATE, "action": None}]})) == 1
    assert len(found(wafv2_rules_have_actions, "aws:wafv2/webAclRule:WebAclRule", {**RATE, "action": None})) == 1
    assert found(wafv2_rules_have_actions, WEB_ACL, {**acl, "rules": [{**RATE, "action": UNKNOWN}]}) == []


def test_known_bad_inputs_blocked():
    assert violations(wafv2_known_bad_inputs, stack_args([_acl(BAD_INPUTS, RATE)])) == []
    [message] = violations(wafv2_known_bad_inputs, stack_args([_acl(RATE)]))
    assert "does not block known bad inputs" in message
    counted = {**BAD_INPUTS, "overrideAction": {"count": {}}}
    assert len(violations(wafv2_known_bad_inputs, stack_args([_acl(counted)]))) == 1
    log4j_counted = {**BAD_INPUTS, "statement": {"managedRuleGroupStatement": {
        **BAD_INPUTS["statement"]["managedRuleGroupStatement"],
        "ruleActionOverrides": [{"name": "Log4JRCE_HEADER", "actionToUse": {"count": {}}}]}}}
    assert len(violations(wafv2_known_bad_inputs, stack_args([_acl(log4j_counted)]))) == 1
    association = stack_resource("aws:wafv2/webAclRuleGroupAssociation:WebAclRuleGroupAssociation", {
        "webAclArn": ACL_ARN, "ruleName": "bad", "priority": 1, "overrideAction": "none",
        "managedRuleGroup": {"name": "AWSManagedRulesKnownBadInputsRuleSet", "vendorName": "AWS"}}, name="a")
    assert violations(wafv2_known_bad_inputs, stack_args([_acl(RATE), association])) == []
    assert violations(wafv2_known_bad_inputs, stack_args([_acl({**BAD_INPUTS, "statement": UNKNOWN})])) == []


ZONE = "aws:route53/zone:Zone"


def _zone(**props):
    return stack_resource(ZONE, {"name": "example.com", "id": "Z123", "zoneId": "Z123", **props}, name="public")


def test_public_zones_log_queries():
    log = stack_resource("aws:route53/queryLog:QueryLog", {"zoneId": "Z123", "cloudwatchLogGroupArn": "arn:lg"},
                         name="q")
    assert violations(route53_query_logging, stack_args([_zone(), log])) == []
    [message] = violations(route53_query_logging, stack_args([_zone()]))
    assert "is a public hosted zone without query logging" in message
    assert violations(route53_query_logging, stack_args([_zone(vpcs=[{"vpcId": "vpc-1"}])])) == []  # private
    association = stack_resource("aws:route53/zoneAssociation:ZoneAssociation", {"zoneId": "Z123", "vpcId": "vpc-1"},
                                 name="assoc")
    assert violations(route53_query_logging, stack_args([_zone(), association])) == []
    assert violations(route53_query_logging, stack_args([_zone(vpcs=UNKNOWN)])) == []


def test_public_zones_are_signed():
    signing = stack_resource("aws:route53/hostedZoneDnsSec:HostedZoneDnsSec", {"hostedZoneId": "Z123"}, name="s")
    assert violations(route53_dnssec_signing, stack_args([_zone(), signing])) == []
    assert len(violations(route53_dnssec_signing, stack_args([_zone()]))) == 1
    off = stack_resource("aws:route53/hostedZoneDnsSec:HostedZoneDnsSec", {"hostedZoneId": "Z123",
                                                                            "signingStatus": "NOT_SIGNING"}, name="s")
    assert len(violations(route53_dnssec_signing, stack_args([_zone(), off]))) == 1


def test_dnssec_is_advisory_in_every_environment():
    import json
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent / "policies" / "config"
    for env in ("staging", "prod"):
        config = json.loads((root / env / "security.json").read_text())
        assert config["route53-dnssec-signing"]["enforcementLevel"] == "advisory"


STAGE = "aws:apigateway/stage:Stage"
SETTINGS = "aws:apigateway/methodSettings:MethodSettings"


def test_rest_stages_write_execution_logs():
    stage = stack_resource(STAGE, {"restApi": "api-1", "stageName": "prod", "deployment": "d-1"}, name="prod")
    settings = stack_resource(SETTINGS, {"restApi": "api-1", "stageName": "prod", "methodPath": "*/*",
                                         "settings": {"loggingLevel": "ERROR", "metricsEnabled": True}}, name="ms")
    assert violations(apigateway_execution_logging, stack_args([stage, settings])) == []
    [message] = violations(apigateway_execution_logging, stack_args([stage]))
    assert "no aws.apigateway.MethodSettings sets a logging level for it" in message
    off = stack_resource(SETTINGS, {"restApi": "api-1", "stageName": "prod", "methodPath": "*/*",
                                    "settings": {"loggingLevel": "OFF"}}, name="ms")
    assert "its method settings log at OFF" in violations(apigateway_execution_logging, stack_args([stage, off]))[0]
    other = stack_resource(SETTINGS, {"restApi": "api-2", "stageName": "prod", "methodPath": "*/*",
                                      "settings": {"loggingLevel": "INFO"}}, name="ms")
    assert len(violations(apigateway_execution_logging, stack_args([stage, other]))) == 1
    pending = stack_resource(SETTINGS, {"restApi": UNKNOWN, "stageName": UNKNOWN, "methodPath": "*/*",
                                        "settings": {"loggingLevel": "INFO"}}, name="ms",
                             property_dependencies={"stageName": [stage.urn]})
    assert violations(apigateway_execution_logging, stack_args([stage, pending])) == []
    unknown = stack_resource(SETTINGS, {"restApi": "api-1", "stageName": "prod", "settings": UNKNOWN}, name="ms")
    assert violations(apigateway_execution_logging, stack_args([stage, unknown])) == []


def test_alarm_actions_enabled():
    alarm = "aws:cloudwatch/metricAlarm:MetricAlarm"
    assert found(cloudwatch_alarm_actions_enabled, alarm, {"comparisonOperator": "GreaterThanThreshold"}) == []
    assert found(cloudwatch_alarm_actions_enabled, alarm, {"actionsEnabled": True}) == []
    assert "actionsEnabled false" in found(cloudwatch_alarm_actions_enabled, alarm, {"actionsEnabled": False})[0]
    assert found(cloudwatch_alarm_actions_enabled, alarm, {"actionsEnabled": UNKNOWN}) == []


HEADERS = "aws:cloudfront/responseHeadersPolicy:ResponseHeadersPolicy"
HSTS = {"securityHeadersConfig": {"strictTransportSecurity": {"accessControlMaxAgeSec": 31536000,
                                                              "includeSubdomains": True, "override": True}}}


def test_cloudfront_hsts():
    assert found(cloudfront_hsts, HEADERS, HSTS) == []
    assert "sets no Strict-Transport-Security header" in found(cloudfront_hsts, HEADERS, {"corsConfig": {}})[0]
    weak = {"securityHeadersConfig": {"strictTransportSecurity": {"accessControlMaxAgeSec": 86400, "override": False}}}
    [message] = found(cloudfront_hsts, HEADERS, weak)
    assert "accessControlMaxAgeSec is 86400, expected at least 31536000; includeSubdomains is not set; override is false" \
        in message
    assert "preload is not set" in found(cloudfront_hsts, HEADERS, HSTS, {"requirePreload": True})[0]
    assert found(cloudfront_hsts, HEADERS, {"securityHeadersConfig": UNKNOWN}) == []
    assert found(cloudfront_hsts, HEADERS, {"securityHeadersConfig": {"strictTransportSecurity": {
        **HSTS["securityHeadersConfig"]["strictTransportSecurity"], "override": UNKNOWN}}}) == []


TRANSFER = "aws:transfer/server:Server"


def test_transfer_servers_not_public_unless_declared():
    assert found(transfer_server_not_public, TRANSFER, {"endpointType": "VPC", "endpointDetails": {"vpcId": "v"}}) == []
    assert "endpointType not set (PUBLIC)" in found(transfer_server_not_public, TRANSFER, {"protocols": ["SFTP"]})[0]
    assert len(found(transfer_server_not_public, TRANSFER, {"endpointType": "PUBLIC"})) == 1
    assert found(transfer_server_not_public, TRANSFER, {"endpointType": "PUBLIC", "tags": {"public": "true"}}) == []
    assert found(transfer_server_not_public, TRANSFER, {"endpointType": UNKNOWN}) == []


def test_transfer_security_policy():
    assert found(transfer_server_security_policy, TRANSFER, {"securityPolicyName": "TransferSecurityPolicy-2025-03"}) == []
    assert found(transfer_server_security_policy, TRANSFER, {"securityPolicyName": "TransferSecurityPolicy-FIPS-2024-01"}) == []
    assert "not set (defaults to TransferSecurityPolicy-2018-11)" in found(transfer_server_security_policy, TRANSFER, {})[0]
    assert len(found(transfer_server_security_policy, TRANSFER, {"securityPolicyName": "TransferSecurityPolicy-2020-06"})) == 1
    assert found(transfer_server_security_policy, TRANSFER, {"securityPolicyName": UNKNOWN}) == []


def test_classic_elb_ssl_negotiation_policies():
    policy = "aws:elb/loadBalancerPolicy:LoadBalancerPolicy"
    current = {"loadBalancerName": "web", "policyName": "tls", "policyTypeName": "SSLNegotiationPolicyType",
               "policyAttributes": [{"name": "Reference-Security-Policy", "value": "ELBSecurityPolicy-TLS-1-2-2017-01"}]}
    assert found(lb_listener_tls_policy, policy, current) == []
    old = {**current, "policyAttributes": [{"name": "Reference-Security-Policy", "value": "ELBSecurityPolicy-2016-08"}]}
    assert "references the security policy ELBSecurityPolicy-2016-08" in found(lb_listener_tls_policy, policy, old)[0]
    legacy = {**current, "policyAttributes": [{"name": "Protocol-TLSv1", "value": "true"},
                                              {"name": "Protocol-TLSv1.2", "value": "true"}]}
    assert found(lb_listener_tls_policy, policy, legacy) == [
        f"{policy} 'subject' turns on Protocol-TLSv1: clients may negotiate a broken protocol"]
    assert found(lb_listener_tls_policy, policy, {**current, "policyTypeName": "ProxyProtocolPolicyType",
                                                  "policyAttributes": [{"name": "ProxyProtocol", "value": "true"}]}) == []
    assert found(lb_listener_tls_policy, policy, {**current, "policyAttributes": [
        {"name": "Protocol-TLSv1", "value": UNKNOWN}]}) == []


READS += [
    ("aws:wafv2/webAcl:WebAcl", ("rules", "statement", "managedRuleGroupStatement", "ruleActionOverrides", "actionToUse")),
    ("aws:wafv2/webAcl:WebAcl", ("rules", "overrideAction", "none")), ("aws:wafv2/webAcl:WebAcl", ("ruleJson",)),
    ("aws:wafv2/webAcl:WebAcl", ("defaultAction", "allow")), ("aws:wafv2/webAcl:WebAcl", ("rules", "action", "challenge")),
    ("aws:wafv2/webAcl:WebAcl", ("rules", "statement", "ruleGroupReferenceStatement")),
    ("aws:wafv2/ruleGroup:RuleGroup", ("rules", "action")), ("aws:wafv2/webAclRule:WebAclRule", ("webAclArn",)),
    ("aws:wafv2/webAclRuleGroupAssociation:WebAclRuleGroupAssociation", ("managedRuleGroup", "vendorName")),
    ("aws:wafv2/webAclRuleGroupAssociation:WebAclRuleGroupAssociation", ("overrideAction",)),
    ("aws:wafv2/webAclRuleGroupAssociation:WebAclRuleGroupAssociation", ("webAclArn",)),
    ("aws:route53/zone:Zone", ("vpcs",)), ("aws:route53/queryLog:QueryLog", ("zoneId",)),
    ("aws:route53/zoneAssociation:ZoneAssociation", ("zoneId",)),
    ("aws:route53/hostedZoneDnsSec:HostedZoneDnsSec", ("hostedZoneId",)),
    ("aws:route53/hostedZoneDnsSec:HostedZoneDnsSec", ("signingStatus",)),
    ("aws:apigateway/methodSettings:MethodSettings", ("settings", "loggingLevel")),
    ("aws:apigateway/methodSettings:MethodSettings", ("stageName",)), ("aws:apigateway/stage:Stage", ("restApi",)),
    ("aws:cloudwatch/metricAlarm:MetricAlarm", ("actionsEnabled",)),
    ("aws:cloudfront/responseHeadersPolicy:ResponseHeadersPolicy",
     ("securityHeadersConfig", "strictTransportSecurity", "accessControlMaxAgeSec")),
    ("aws:cloudfront/responseHeadersPolicy:ResponseHeadersPolicy",
     ("securityHeadersConfig", "strictTransportSecurity", "includeSubdomains")),
    ("aws:transfer/server:Server", ("endpointType",)), ("aws:transfer/server:Server", ("securityPolicyName",)),
    ("aws:elb/loadBalancerPolicy:LoadBalancerPolicy", ("policyTypeName",)),
    ("aws:elb/loadBalancerPolicy:LoadBalancerPolicy", ("policyAttributes", "value")),
]
GAP_MODULES += ["waf_rules", "dns_zones", "apigateway_logging", "alarms", "response_headers", "network_sharing"]


# --------------------------------------------------------------------------------------------------
# S3 objects, SSM sessions, Config aggregators, registered domains, Global Accelerator, SES, CloudSearch,
# PostgreSQL versions

from policies.rules.audit import config_aggregator_all_regions  # noqa: E402
from policies.rules.databases import rds_postgres_patched_version  # noqa: E402
from policies.rules.data_stores import data_store_tls_in_transit  # noqa: E402
from policies.rules.delivery import global_accelerator_flow_logs, ses_tls_required  # noqa: E402
from policies.rules.dns_zones import route53_domain_transfer_lock  # noqa: E402
from policies.rules.s3_objects import s3_object_customer_managed_key  # noqa: E402
from policies.rules.ssm import ssm_session_kms_encryption, ssm_session_logging  # noqa: E402

OBJECT = "aws:s3/bucketObjectv2:BucketObjectv2"
BUCKET = "aws:s3/bucket:Bucket"
SSE = "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration"


def _bucket_stack(algorithm="aws:kms", key=KEY, **obj):
    bucket = stack_resource(BUCKET, {"bucket": "lake", "id": "lake", "arn": "arn:aws:s3:::lake"}, name="lake")
    rule = {"applyServerSideEncryptionByDefault": {"sseAlgorithm": algorithm, **({"kmsMasterKeyId": key} if key else {})}}
    sse = stack_resource(SSE, {"bucket": "lake", "rules": [rule]}, name="lake-sse")
    item = stack_resource(OBJECT, {"bucket": "lake", "key": "model.tar.gz", **obj}, name="model")
    return [bucket, sse, item]


def test_s3_objects_use_customer_keys():
    assert violations(s3_object_customer_managed_key, stack_args(_bucket_stack())) == []  # the bucket's CMK
    assert violations(s3_object_customer_managed_key, stack_args(_bucket_stack(kmsKeyId=KEY))) == []
    [message] = violations(s3_object_customer_managed_key, stack_args(_bucket_stack(algorithm="AES256", key=None)))
    assert "it sets no kmsKeyId and its bucket 'lake' encrypts by default with SSE-S3" in message
    assert "serverSideEncryption is AES256" in violations(s3_object_customer_managed_key, stack_args(
        _bucket_stack(serverSideEncryption="AES256")))[0]
    assert "without kmsKeyId (the AWS-managed aws/s3 key)" in violations(s3_object_customer_managed_key, stack_args(
        _bucket_stack(serverSideEncryption="aws:kms")))[0]
    assert "kmsKeyId is the AWS-managed key alias/aws/s3" in violations(s3_object_customer_managed_key, stack_args(
        _bucket_stack(kmsKeyId="alias/aws/s3")))[0]
    # A bucket the stack does not declare, unknown values: not judged.
    outside = stack_resource(OBJECT, {"bucket": "elsewhere", "key": "k"}, name="o")
    assert violations(s3_object_customer_managed_key, stack_args([outside])) == []
    assert violations(s3_object_customer_managed_key, stack_args(_bucket_stack(kmsKeyId=UNKNOWN))) == []
    assert violations(s3_object_customer_managed_key, stack_args(_bucket_stack(key=UNKNOWN))) == []
    copy = stack_resource("aws:s3/objectCopy:ObjectCopy", {"bucket": "x", "key": "k", "source": "a/b",
                                                           "serverSideEncryption": "AES256"}, name="copy")
    assert len(violations(s3_object_customer_managed_key, stack_args([copy]))) == 1


SESSION = json.dumps({"schemaVersion": "1.0", "sessionType": "Standard_Stream", "inputs": {
    "kmsKeyId": KEY, "cloudWatchLogGroupName": "/ssm/sessions", "cloudWatchEncryptionEnabled": True,
    "s3EncryptionEnabled": True}})
DOCUMENT = "aws:ssm/document:Document"


def _session(**inputs):
    content = json.loads(SESSION)
    content["inputs"].update(inputs)
    return {"name": "SSM-SessionManagerRunShell", "documentType": "Session", "documentFormat": "JSON",
            "content": json.dumps(content)}


def test_session_manager_preferences():
    assert found(ssm_session_kms_encryption, DOCUMENT, _session()) == []
    assert found(ssm_session_logging, DOCUMENT, _session()) == []
    assert "inputs.kmsKeyId is not set" in found(ssm_session_kms_encryption, DOCUMENT, _session(kmsKeyId=""))[0]
    assert len(found(ssm_session_logging, DOCUMENT, _session(cloudWatchEncryptionEnabled=False))) == 1
    assert found(ssm_session_logging, DOCUMENT, _session(cloudWatchLogGroupName="", s3BucketName="logs")) == []
    yaml_doc = {**_session(), "documentFormat": "YAML", "content": "schemaVersion: '1.0'\ninputs:\n  s3BucketName: ''\n"}
    assert len(found(ssm_session_kms_encryption, DOCUMENT, yaml_doc)) == 1
    assert len(found(ssm_session_logging, DOCUMENT, yaml_doc)) == 1
    command = {"documentType": "Command", "content": json.dumps({"schemaVersion": "2.2", "mainSteps": []})}
    assert found(ssm_session_kms_encryption, DOCUMENT, command) == []
    assert found(ssm_session_logging, DOCUMENT, {**_session(), "content": UNKNOWN}) == []
    assert found(ssm_session_logging, DOCUMENT, {**_session(), "content": "{"}) == []


def test_config_aggregators_gather_every_region():
    aggregator = "aws:cfg/configurationAggregator:ConfigurationAggregator"
    org = {"organizationAggregationSource": {"roleArn": "arn:aws:iam::1:role/config", "allRegions": True}}
    assert found(config_aggregator_all_regions, aggregator, org) == []
    listed = {"accountAggregationSource": {"accountIds": ["111111111111"], "regions": ["us-east-1"]}}
    assert "aggregates only listed regions" in found(config_aggregator_all_regions, aggregator, listed)[0]
    assert found(config_aggregator_all_regions, aggregator, {"accountAggregationSource": UNKNOWN}) == []
    assert found(config_aggregator_all_regions, aggregator, {"organizationAggregationSource": {
        "roleArn": "r", "allRegions": UNKNOWN}}) == []


def test_registered_domains_stay_locked():
    domain = "aws:route53domains/registeredDomain:RegisteredDomain"
    assert found(route53_domain_transfer_lock, domain, {"domainName": "example.com"}) == []  # locked by default
    assert len(found(route53_domain_transfer_lock, domain, {"domainName": "example.com", "transferLock": False})) == 1
    assert found(route53_domain_transfer_lock, domain, {"transferLock": UNKNOWN}) == []


def test_accelerator_flow_logs():
    accelerator = "aws:globalaccelerator/accelerator:Accelerator"
    logged = {"attributes": {"flowLogsEnabled": True, "flowLogsS3Bucket": "logs"}}
    assert found(global_accelerator_flow_logs, accelerator, logged) == []
    assert "not set (false)" in found(global_accelerator_flow_logs, accelerator, {"name": "edge"})[0]
    assert len(found(global_accelerator_flow_logs, accelerator, {"attributes": {"flowLogsEnabled": False}})) == 1
    assert found(global_accelerator_flow_logs, accelerator, {"attributes": {"flowLogsEnabled": UNKNOWN}}) == []


@pytest.mark.parametrize("type_, require", [("aws:ses/configurationSet:ConfigurationSet", "Require"),
                                            ("aws:sesv2/configurationSet:ConfigurationSet", "REQUIRE")])
def test_ses_requires_tls(type_, require):
    assert found(ses_tls_required, type_, {"deliveryOptions": {"tlsPolicy": require}}) == []
    assert "not set (Optional)" in found(ses_tls_required, type_, {"name": "mail"})[0]
    assert len(found(ses_tls_required, type_, {"deliveryOptions": {"tlsPolicy": "Optional"}})) == 1
    assert found(ses_tls_required, type_, {"deliveryOptions": {"tlsPolicy": UNKNOWN}}) == []


def test_cloudsearch_https_and_tls12():
    domain = "aws:cloudsearch/domain:Domain"
    good = {"endpointOptions": {"enforceHttps": True, "tlsSecurityPolicy": "Policy-Min-TLS-1-2-2019-07"}}
    assert found(data_store_tls_in_transit, domain, good) == []
    [message] = found(data_store_tls_in_transit, domain, {"name": "search"})
    assert "endpointOptions.enforceHttps is not set (defaults to false)" in message and "TLS 1.0" in message
    assert found(data_store_tls_in_transit, domain, {"endpointOptions": UNKNOWN}) == []


@pytest.mark.parametrize("engine, bad, good", [("postgres", "13.2", "13.3"), ("postgres", "9.6.21", "9.6.22"),
                                               ("postgres", "11.11", "11.12"), ("aurora-postgresql", "11.8", "11.9")])
def test_postgres_versions_without_the_log_fdw_flaw(engine, bad, good):
    for type_ in ("aws:rds/instance:Instance", "aws:rds/cluster:Cluster"):
        assert found(rds_postgres_patched_version, type_, {"engine": engine, "engineVersion": good}) == []
        assert "log_fdw local file read" in found(rds_postgres_patched_version, type_,
                                                  {"engine": engine, "engineVersion": bad})[0]
    instance = "aws:rds/instance:Instance"
    for version in ("12", "16.4", None, UNKNOWN):  # a major alone gets its latest minor; absent: the default
        assert found(rds_postgres_patched_version, instance, {"engine": engine, "engineVersion": version}) == []
    assert found(rds_postgres_patched_version, instance, {"engine": "mysql", "engineVersion": "5.7.1"}) == []


READS += [
    ("aws:s3/bucketObjectv2:BucketObjectv2", ("kmsKeyId",)), ("aws:s3/bucketObjectv2:BucketObjectv2", ("serverSideEncryption",)),
    ("aws:s3/bucketObject:BucketObject", ("kmsKeyId",)), ("aws:s3/objectCopy:ObjectCopy", ("serverSideEncryption",)),
    ("aws:s3/objectCopy:ObjectCopy", ("kmsKeyId",)), ("aws:s3/objectCopy:ObjectCopy", ("bucket",)),
    ("aws:ssm/document:Document", ("documentType",)), ("aws:ssm/document:Document", ("documentFormat",)),
    ("aws:ssm/document:Document", ("content",)),
    ("aws:cfg/configurationAggregator:ConfigurationAggregator", ("accountAggregationSource", "allRegions")),
    ("aws:cfg/configurationAggregator:ConfigurationAggregator", ("organizationAggregationSource", "allRegions")),
    ("aws:route53domains/registeredDomain:RegisteredDomain", ("transferLock",)),
    ("aws:globalaccelerator/accelerator:Accelerator", ("attributes", "flowLogsEnabled")),
    ("aws:ses/configurationSet:ConfigurationSet", ("deliveryOptions", "tlsPolicy")),
    ("aws:sesv2/configurationSet:ConfigurationSet", ("deliveryOptions", "tlsPolicy")),
    ("aws:rds/instance:Instance", ("engineVersion",)), ("aws:rds/cluster:Cluster", ("engineVersion",)),
]
GAP_MODULES += ["s3_objects", "ssm", "audit", "delivery"]


# --------------------------------------------------------------------------------------------------
# Bucket policies that lock everyone out

from policies.rules.s3 import s3_bucket_policy_no_lockout  # noqa: E402


def _bucket_policy(*statements):
    return {"bucket": "lake", "policy": json.dumps({"Version": "2012-10-17", "Statement": list(statements)})}


def test_bucket_policy_no_lockout():
    policy_type = "aws:s3/bucketPolicy:BucketPolicy"
    tls_only = {"Sid": "TlsOnly", "Effect": "Deny", "Principal": "*", "Action": "s3:*",
                "Resource": ["arn:aws:s3:::lake", "arn:aws:s3:::lake/*"],
                "Condition": {"Bool": {"aws:SecureTransport": "false"}}}
    assert found(s3_bucket_policy_no_lockout, policy_type, _bucket_policy(tls_only)) == []
    lockout = {key: value for key, value in tls_only.items() if key != "Condition"}
    [message] = found(s3_bucket_policy_no_lockout, policy_type, _bucket_policy({**lockout, "Sid": "NoOne"}))
    assert "statement(s) NoOne deny every principal" in message
    assert len(found(s3_bucket_policy_no_lockout, policy_type, _bucket_policy(
        {**lockout, "Principal": {"AWS": "*"}, "Action": ["s3:PutBucketPolicy"]}))) == 1
    assert found(s3_bucket_policy_no_lockout, policy_type, _bucket_policy(
        {**lockout, "Action": "s3:DeleteObject"})) == []
    assert found(s3_bucket_policy_no_lockout, policy_type, _bucket_policy(
        {**{k: v for k, v in lockout.items() if k != "Principal"},
         "NotPrincipal": {"AWS": "arn:aws:iam::123456789012:role/admin"}})) == []
    assert found(s3_bucket_policy_no_lockout, policy_type, {"bucket": "lake", "policy": UNKNOWN}) == []
    assert len(found(s3_bucket_policy_no_lockout, "aws:s3/bucket:Bucket", _bucket_policy(lockout))) == 1


GAP_MODULES += ["s3"]


def test_activemq_audit_logs_and_trails_that_log():
    broker = "aws:mq/broker:Broker"
    assert found(data_store_logging, broker, {"engineType": "ActiveMQ", "logs": {"general": True, "audit": True}}) == []
    [message] = found(data_store_logging, broker, {"engineType": "ActiveMQ", "logs": {"general": True}})
    assert "logs.audit is not set (defaults to false), expected true: no audit log is published" in message
    assert found(data_store_logging, broker, {"engineType": "RabbitMQ", "logs": {"general": True}}) == []
    trail = "aws:cloudtrail/trail:Trail"
    assert found(data_store_logging, trail, {"s3BucketName": "trail"}) == []  # logging by default
    assert "enableLogging is false, expected true: the trail records nothing" in found(
        data_store_logging, trail, {"s3BucketName": "trail", "enableLogging": False})[0]
    assert found(data_store_logging, trail, {"enableLogging": UNKNOWN}) == []


@pytest.mark.parametrize("type_", ["aws:opensearch/domain:Domain", "aws:elasticsearch/domain:Domain"])
def test_search_domains_publish_the_audit_log(type_):
    audit = {"logType": "AUDIT_LOGS", "cloudwatchLogGroupArn": "arn:aws:logs:::audit"}
    slow = {"logType": "SEARCH_SLOW_LOGS", "cloudwatchLogGroupArn": "arn:aws:logs:::slow"}
    assert found(data_store_logging, type_, {"logPublishingOptions": [slow, audit]}) == []
    [message] = found(data_store_logging, type_, {"logPublishingOptions": [slow]})
    assert "logPublishingOptions[*].logType is [SEARCH_SLOW_LOGS], expected to include AUDIT_LOGS" in message
    [message] = found(data_store_logging, type_, {"domainName": "search"})
    assert "logPublishingOptions is not set" in message and "logPublishingOptions[*].logType is empty" in message
    assert found(data_store_logging, type_, {"logPublishingOptions": [slow, {**audit, "logType": UNKNOWN}]}) == []
    assert found(data_store_logging, type_, {"logPublishingOptions": UNKNOWN}) == []


from policies.rules.brokers import mq_broker_supported_version  # noqa: E402


@pytest.mark.parametrize("type_", ["aws:mq/broker:Broker", "aws:mq/configuration:Configuration"])
def test_mq_engines_are_supported(type_):
    assert found(mq_broker_supported_version, type_, {"engineType": "ActiveMQ", "engineVersion": "5.18"}) == []
    assert found(mq_broker_supported_version, type_, {"engineType": "RabbitMQ", "engineVersion": "3.13.7"}) == []
    [message] = found(mq_broker_supported_version, type_, {"engineType": "ActiveMQ", "engineVersion": "5.15.16"})
    assert "runs ActiveMQ 5.15.16, older than 5.17" in message
    assert len(found(mq_broker_supported_version, type_, {"engineType": "RabbitMQ", "engineVersion": "3.8.34"})) == 1
    assert found(mq_broker_supported_version, type_, {"engineType": "ActiveMQ", "engineVersion": UNKNOWN}) == []
    assert found(mq_broker_supported_version, type_, {"engineType": "ActiveMQ", "engineVersion": "5.15"},
                 {"minimumVersions": {"ActiveMQ": "5.15"}}) == []


READS += [("aws:mq/broker:Broker", ("engineVersion",)), ("aws:mq/configuration:Configuration", ("engineVersion",)),
          ("aws:mq/configuration:Configuration", ("engineType",))]
GAP_MODULES += ["brokers"]


# --------------------------------------------------------------------------------------------------
# Master passwords managed by Secrets Manager (cdk-nag AwsSolutions-DOC3)

from policies.rules.databases import MASTER_PASSWORDS, database_master_password_managed  # noqa: E402


@pytest.mark.parametrize("type_", sorted(MASTER_PASSWORDS))
def test_a_master_password_the_program_passes_is_reported_unless_secrets_manager_manages_it(type_):
    inputs, flag = MASTER_PASSWORDS[type_]
    for name in (*inputs, flag):
        assert_inputs_in_sdk(type_, (name,))
    [message] = found(database_master_password_managed, type_, {inputs[0]: "correct-horse-battery"})
    assert f"from the program ({inputs[0]})" in message and f"set {flag} true" in message
    assert len(found(database_master_password_managed, type_, {inputs[-1]: UNKNOWN})) == 1  # a random password
    assert found(database_master_password_managed, type_, {inputs[0]: "pw", flag: UNKNOWN}) == []
    assert found(database_master_password_managed, type_, {flag: True}) == []
    assert found(database_master_password_managed, type_, {}) == []  # a replica or a snapshot restore: none given


# --------------------------------------------------------------------------------------------------
# Redshift user activity logging (cdk-nag AwsSolutions-RS11)

from policies.rules.database_logging import (  # noqa: E402
    REDSHIFT_CLUSTER,
    REDSHIFT_PARAMETER_GROUP,
    redshift_user_activity_logging,
)


def _redshift_stack(parameters, **cluster):
    group = stack_resource(REDSHIFT_PARAMETER_GROUP, {"name": "audited", "id": "audited", "family": "redshift-2.0",
                                                      "parameters": parameters}, name="audited")
    warehouse = stack_resource(REDSHIFT_CLUSTER, {"clusterIdentifier": "features", "clusterParameterGroupName": "audited",
                                                  **cluster}, name="warehouse")
    return stack_args([group, warehouse])


def test_redshift_clusters_log_their_users_activity():
    assert_inputs_in_sdk(REDSHIFT_CLUSTER, ("clusterParameterGroupName",))
    assert_inputs_in_sdk(REDSHIFT_PARAMETER_GROUP, ("parameters", "name"))
    on = [{"name": "require_ssl", "value": "true"}, {"name": "enable_user_activity_logging", "value": "true"}]
    assert violations(redshift_user_activity_logging, _redshift_stack(on)) == []
    [message] = violations(redshift_user_activity_logging, _redshift_stack(on[:1]))
    assert message == (f"{REDSHIFT_CLUSTER} 'warehouse' records no user activity: enable_user_activity_logging is not "
                       "true (its parameter group 'audited' leaves it false)")
    [message] = violations(redshift_user_activity_logging, _redshift_stack(
        [{"name": "enable_user_activity_logging", "value": "false"}]))
    assert "sets it to 'false'" in message
    [message] = violations(redshift_user_activity_logging, _redshift_stack(on, clusterParameterGroupName=None))
    assert "uses the default parameter group (clusterParameterGroupName is not set)" in message
    # A group declared elsewhere, or values not known yet: not judged.
    assert violations(redshift_user_activity_logging, _redshift_stack([], clusterParameterGroupName="shared")) == []
    assert violations(redshift_user_activity_logging, _redshift_stack(
        [{"name": "enable_user_activity_logging", "value": UNKNOWN}])) == []
    assert violations(redshift_user_activity_logging, _redshift_stack(UNKNOWN)) == []
    assert violations(redshift_user_activity_logging, _redshift_stack(on, clusterParameterGroupName=UNKNOWN)) == []


V2_STAGE, V2_API = "aws:apigatewayv2/stage:Stage", "aws:apigatewayv2/api:Api"


def test_websocket_stages_write_execution_logs_and_http_stages_are_not_judged():
    for path in (("defaultRouteSettings", "loggingLevel"), ("routeSettings", "loggingLevel"), ("apiId",)):
        assert_inputs_in_sdk(V2_STAGE, path)
    assert_inputs_in_sdk(V2_API, ("protocolType",))
    socket = stack_resource(V2_API, {"name": "chat", "protocolType": "WEBSOCKET", "id": "ws-1"}, name="chat")
    http = stack_resource(V2_API, {"name": "score", "protocolType": "HTTP", "id": "http-1"}, name="score")

    def stage(api_id, **settings):
        return stack_resource(V2_STAGE, {"apiId": api_id, "name": "live", **settings}, name=f"live-{api_id}")

    logged = stage("ws-1", defaultRouteSettings={"loggingLevel": "ERROR"})
    assert violations(apigateway_execution_logging, stack_args([socket, logged])) == []
    one_route = stage("ws-1", routeSettings=[{"routeKey": "$connect", "loggingLevel": "INFO"}])
    assert violations(apigateway_execution_logging, stack_args([socket, one_route])) == []
    [message] = violations(apigateway_execution_logging, stack_args([socket, stage("ws-1")]))
    assert message == (f"{V2_STAGE} 'live-ws-1' of a WebSocket API writes no execution logs: neither "
                       "defaultRouteSettings nor any routeSettings item sets loggingLevel ERROR or INFO (the default "
                       "is OFF)")
    assert len(violations(apigateway_execution_logging, stack_args([
        socket, stage("ws-1", defaultRouteSettings={"loggingLevel": "OFF"})]))) == 1
    # In a preview the API's id is unknown; the stage's dependency on it names it.
    pending = stack_resource(V2_STAGE, {"apiId": UNKNOWN, "name": "live"}, name="pending",
                             property_dependencies={"apiId": [socket.urn]})
    assert len(violations(apigateway_execution_logging, stack_args([socket, pending]))) == 1
    # An HTTP API's stage has no execution logs; an API declared elsewhere, or unknown settings: not judged.
    assert violations(apigateway_execution_logging, stack_args([http, stage("http-1")])) == []
    assert violations(apigateway_execution_logging, stack_args([stage("ws-elsewhere")])) == []
    assert violations(apigateway_execution_logging, stack_args([socket, stage(
        "ws-1", defaultRouteSettings={"loggingLevel": UNKNOWN})])) == []
    assert violations(apigateway_execution_logging, stack_args([socket, stage("ws-1", routeSettings=UNKNOWN)])) == []
    # pulumi-aws-native: routeSettings is CloudFormation's JSON object of route key -> settings.
    native_api = stack_resource("aws-native:apigatewayv2:Api", {"name": "chat", "protocolType": "WEBSOCKET",
                                                                "apiId": "nws-1"}, name="native-chat")
    native = "aws-native:apigatewayv2:Stage"
    for path in (("defaultRouteSettings", "loggingLevel"), ("routeSettings",), ("apiId",)):
        assert_inputs_in_sdk(native, path)
    by_route = stack_resource(native, {"apiId": "nws-1", "stageName": "live",
                                       "routeSettings": {"$connect": {"LoggingLevel": "INFO"}}}, name="nlive")
    assert violations(apigateway_execution_logging, stack_args([native_api, by_route])) == []
    silent = stack_resource(native, {"apiId": "nws-1", "stageName": "live"}, name="nsilent")
    assert violations(apigateway_execution_logging, stack_args([native_api, silent])) == [
        f"{native} 'nsilent' of a WebSocket API writes no execution logs: neither defaultRouteSettings nor any "
        "routeSettings item sets loggingLevel ERROR or INFO (the default is OFF)"]
