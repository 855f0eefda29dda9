"""The rules that close the gap to generic scanners (Checkov's AWS checks): network ACLs, password
policy, Cognito, SSM, CloudFront/WAF/Network Firewall/AppSync/API Gateway logging and protection, load
balancer desync, GuardDuty, CodeBuild/Batch privileged containers, parameter-group TLS, OpenSearch
fine-grained access, S3 access points, EMR block public access, CloudTrail to CloudWatch, rotation
intervals, and the data-store rows they added (Neptune instances, Amazon MQ, FSx, Glue dev endpoints,
CodeBuild encryption). Each rule: a compliant example, one field changed, and unknown values."""

from __future__ import annotations

import json

import pytest

from policies.rules.audit import (
    cloudtrail_cloudwatch_logs,
    config_recorder_all_resources,
    redshift_audit_logging,
    secret_rotation_interval,
    xray_tracing_enabled,
)
from policies.rules.bedrock import bedrock_agent_guardrail
from policies.rules.ci_trust import iam_github_oidc_trust_scoped
from policies.rules.emr import (
    emr_security_configuration_at_rest,
    emr_security_configuration_imdsv2,
    emr_security_configuration_in_transit,
)
from policies.rules.build import batch_job_no_privileged_containers, codebuild_no_privileged_mode
from policies.rules.data_stores import (
    data_store_auto_minor_version_upgrade,
    data_store_customer_managed_key,
    data_store_deletion_protection,
    data_store_encrypted_at_rest,
    data_store_logging,
    data_store_not_public,
)
from policies.rules.databases import (
    cache_authentication,
    db_parameter_group_tls_not_disabled,
    dms_endpoint_tls,
    opensearch_fine_grained_access_control,
)
from policies.rules.edge_protection import (
    apigateway_cache_encrypted,
    apigateway_no_data_trace,
    appsync_logging,
    cloudfront_access_logging,
    cloudfront_origin_tls,
    cloudfront_s3_origin_access,
    cloudfront_waf,
    guardduty_detector_enabled,
    lb_desync_mitigation,
    network_firewall_logging,
    public_endpoints_waf,
    wafv2_web_acl_logging,
)
from policies.rules.identity import (
    cognito_identity_pool_no_unauthenticated,
    iam_password_policy_reuse,
    iam_password_policy_strength,
    iam_user_no_console_password,
)
from policies.rules.network_acls import nacl_no_public_admin_ingress
from policies.rules.network_sharing import network_connections_require_acceptance, transfer_server_no_plain_ftp
from policies.rules.ecs import (
    ecs_task_container_logging,
    ecs_task_no_added_capabilities,
    ecs_task_no_container_runtime_socket,
    ecs_task_no_host_pid_ipc,
)
from policies.rules.public_access import (
    emr_block_public_access,
    s3_access_point_public_access_block,
    s3_bucket_acls_disabled,
)
from policies.rules.resource_policies import (
    POLICY_INPUTS,
    no_public_images_or_snapshots,
    resource_policy_no_public_principal,
    resource_policy_service_principal_scoped,
)
from policies.rules.ssm import ssm_document_not_public, ssm_parameter_cmk, ssm_parameter_secure_string
from foreign import EMR_ENCRYPTION, KEY
from policy_helpers import UNKNOWN, found, stack_args, stack_resource, violations
from sdk_inputs import assert_inputs_in_sdk


# --------------------------------------------------------------------------------------------------
# Every input these rules read is an input of the installed pulumi-aws SDK

READS = [
    ("aws:ec2/networkAcl:NetworkAcl", ("ingress", "cidrBlock")), ("aws:ec2/networkAcl:NetworkAcl", ("ingress", "ruleNo")),
    ("aws:ec2/networkAcl:NetworkAcl", ("ingress", "ipv6CidrBlock")), ("aws:ec2/networkAcl:NetworkAcl", ("ingress", "action")),
    ("aws:ec2/defaultNetworkAcl:DefaultNetworkAcl", ("ingress", "fromPort")),
    ("aws:ec2/networkAclRule:NetworkAclRule", ("ruleAction",)), ("aws:ec2/networkAclRule:NetworkAclRule", ("egress",)),
    ("aws:ec2/networkAclRule:NetworkAclRule", ("ruleNumber",)),
    ("aws:iam/accountPasswordPolicy:AccountPasswordPolicy", ("minimumPasswordLength",)),
    ("aws:iam/accountPasswordPolicy:AccountPasswordPolicy", ("requireLowercaseCharacters",)),
    ("aws:iam/accountPasswordPolicy:AccountPasswordPolicy", ("requireUppercaseCharacters",)),
    ("aws:iam/accountPasswordPolicy:AccountPasswordPolicy", ("requireNumbers",)),
    ("aws:iam/accountPasswordPolicy:AccountPasswordPolicy", ("requireSymbols",)),
    ("aws:iam/accountPasswordPolicy:AccountPasswordPolicy", ("passwordReusePrevention",)),
    ("aws:cognito/identityPool:IdentityPool", ("allowUnauthenticatedIdentities",)),
    ("aws:ssm/document:Document", ("permissions",)), ("aws:ssm/parameter:Parameter", ("type",)),
    ("aws:ssm/parameter:Parameter", ("insecureValue",)), ("aws:ssm/parameter:Parameter", ("value",)),
    ("aws:cloudfront/distribution:Distribution", ("webAclId",)),
    ("aws:cloudfront/distribution:Distribution", ("loggingConfig", "bucket")),
    ("aws:cloudwatch/logDeliverySource:LogDeliverySource", ("resourceArn",)),
    ("aws:wafv2/webAclLoggingConfiguration:WebAclLoggingConfiguration", ("resourceArn",)),
    ("aws:networkfirewall/loggingConfiguration:LoggingConfiguration", ("firewallArn",)),
    ("aws:lb/loadBalancer:LoadBalancer", ("desyncMitigationMode",)),
    ("aws:elb/loadBalancer:LoadBalancer", ("desyncMitigationMode",)),
    ("aws:apigateway/methodSettings:MethodSettings", ("settings", "cachingEnabled")),
    ("aws:apigateway/methodSettings:MethodSettings", ("settings", "cacheDataEncrypted")),
    ("aws:apigateway/methodSettings:MethodSettings", ("settings", "dataTraceEnabled")),
    ("aws:appsync/graphQLApi:GraphQLApi", ("logConfig", "fieldLogLevel")),
    ("aws:guardduty/detector:Detector", ("enable",)),
    ("aws:codebuild/project:Project", ("environment", "privilegedMode")),
    ("aws:batch/jobDefinition:JobDefinition", ("containerProperties",)),
    ("aws:batch/jobDefinition:JobDefinition", ("nodeProperties",)),
    ("aws:batch/jobDefinition:JobDefinition", ("ecsProperties",)),
    ("aws:batch/jobDefinition:JobDefinition", ("eksProperties", "podProperties", "containers", "securityContext",
                                               "privileged")),
    ("aws:rds/parameterGroup:ParameterGroup", ("parameters", "name")),
    ("aws:rds/clusterParameterGroup:ClusterParameterGroup", ("parameters", "value")),
    ("aws:docdb/clusterParameterGroup:ClusterParameterGroup", ("parameters", "value")),
    ("aws:redshift/parameterGroup:ParameterGroup", ("parameters", "value")),
    ("aws:opensearch/domain:Domain", ("advancedSecurityOptions", "enabled")),
    ("aws:elasticsearch/domain:Domain", ("advancedSecurityOptions", "enabled")),
    ("aws:s3/accessPoint:AccessPoint", ("publicAccessBlockConfiguration", "blockPublicAcls")),
    ("aws:s3/accessPoint:AccessPoint", ("publicAccessBlockConfiguration", "restrictPublicBuckets")),
    ("aws:s3/accessPoint:AccessPoint", ("vpcConfiguration",)),
    ("aws:emr/blockPublicAccessConfiguration:BlockPublicAccessConfiguration", ("blockPublicSecurityGroupRules",)),
    ("aws:cloudtrail/trail:Trail", ("cloudWatchLogsGroupArn",)),
    ("aws:secretsmanager/secretRotation:SecretRotation", ("rotationEnabled",)),
    ("aws:secretsmanager/secretRotation:SecretRotation", ("rotationRules", "automaticallyAfterDays")),
    ("aws:secretsmanager/secretRotation:SecretRotation", ("rotationRules", "scheduleExpression")),
    *((type_, (prop,)) for type_, prop in POLICY_INPUTS.items()),
    ("aws:ec2/amiLaunchPermission:AmiLaunchPermission", ("group",)),
    ("aws:rds/snapshot:Snapshot", ("sharedAccounts",)), ("aws:rds/clusterSnapshot:ClusterSnapshot", ("sharedAccounts",)),
    ("aws:rds/snapshotCopy:SnapshotCopy", ("sharedAccounts",)),
    ("aws:bedrock/agentAgent:AgentAgent", ("guardrailConfigurations", "guardrailIdentifier")),
    ("aws:lambda/function:Function", ("tracingConfig", "mode")),
    ("aws:apigateway/stage:Stage", ("xrayTracingEnabled",)),
    ("aws:sfn/stateMachine:StateMachine", ("tracingConfiguration", "enabled")),
    ("aws:ec2/vpcEndpointService:VpcEndpointService", ("acceptanceRequired",)),
    ("aws:ec2transitgateway/transitGateway:TransitGateway", ("autoAcceptSharedAttachments",)),
    ("aws:transfer/server:Server", ("protocols",)),
    ("aws:cloudfront/distribution:Distribution", ("origins", "customOriginConfig", "originProtocolPolicy")),
    ("aws:cloudfront/distribution:Distribution", ("origins", "customOriginConfig", "originSslProtocols")),
    ("aws:cloudfront/distribution:Distribution", ("origins", "originAccessControlId")),
    ("aws:cloudfront/distribution:Distribution", ("origins", "s3OriginConfig", "originAccessIdentity")),
    ("aws:cloudfront/distribution:Distribution", ("origins", "domainName")),
    ("aws:ecs/taskDefinition:TaskDefinition", ("pidMode",)), ("aws:ecs/taskDefinition:TaskDefinition", ("ipcMode",)),
    ("aws:s3/bucketOwnershipControls:BucketOwnershipControls", ("rule", "objectOwnership")),
    ("aws:iam/userLoginProfile:UserLoginProfile", ("user",)),
    ("aws:redshift/logging:Logging", ("clusterIdentifier",)),
    ("aws:iam/role:Role", ("assumeRolePolicy",)),
    ("aws:emr/securityConfiguration:SecurityConfiguration", ("configuration",)),
    ("aws:wafv2/webAclAssociation:WebAclAssociation", ("resourceArn",)),
    ("aws:apigateway/stage:Stage", ("restApi",)),
    ("aws:apigateway/restApi:RestApi", ("endpointConfiguration", "types")),
    ("aws:appsync/graphQLApi:GraphQLApi", ("visibility",)),
    ("aws:lb/loadBalancer:LoadBalancer", ("internal",)), ("aws:lb/loadBalancer:LoadBalancer", ("loadBalancerType",)),
    ("aws:ssm/parameter:Parameter", ("keyId",)),
    ("aws:dms/endpoint:Endpoint", ("engineName",)), ("aws:dms/endpoint:Endpoint", ("sslMode",)),
    ("aws:cfg/recorder:Recorder", ("recordingGroup", "allSupported")),
    *(("aws:elasticache/replicationGroup:ReplicationGroup", (key,))
      for key in ("authToken", "authTokenWo", "authTokenWoVersion", "userGroupIds")),
    ("aws:memorydb/cluster:Cluster", ("aclName",)),
]


@pytest.mark.parametrize("type_, path", READS, ids=lambda value: ".".join(value) if isinstance(value, tuple) else value)
def test_every_input_read_is_in_the_pulumi_aws_sdk(type_, path):
    assert_inputs_in_sdk(type_, path)


# --------------------------------------------------------------------------------------------------
# Network ACLs

NACL = "aws:ec2/networkAcl:NetworkAcl"
NACL_RULE = "aws:ec2/networkAclRule:NetworkAclRule"
WEB = {"ruleNo": 100, "action": "allow", "protocol": "tcp", "fromPort": 443, "toPort": 443, "cidrBlock": "0.0.0.0/0"}


def test_nacl_admin_ports_from_the_internet():
    assert found(nacl_no_public_admin_ingress, NACL, {"ingress": [WEB]}) == []
    ssh = {**WEB, "ruleNo": 110, "fromPort": 22, "toPort": 22}
    assert found(nacl_no_public_admin_ingress, NACL, {"ingress": [WEB, ssh]}) == [
        f"{NACL} 'subject' allows ingress from the internet (0.0.0.0/0 or ::/0) to admin port(s) 22"]
    everything = {"ruleNo": 100, "action": "allow", "protocol": "-1", "fromPort": 0, "toPort": 0,
                  "ipv6CidrBlock": "::/0"}
    assert "to every port" in found(nacl_no_public_admin_ingress, "aws:ec2/defaultNetworkAcl:DefaultNetworkAcl",
                                    {"ingress": [everything]})[0]
    # A lower-numbered deny from anywhere closes the port; a deny numbered after the allow does not.
    deny = {"ruleNo": 50, "action": "deny", "protocol": "6", "fromPort": 0, "toPort": 3389, "cidrBlock": "0.0.0.0/0"}
    allow_all = {**everything, "ipv6CidrBlock": None, "cidrBlock": "0.0.0.0/0"}
    assert found(nacl_no_public_admin_ingress, NACL, {"ingress": [allow_all, deny]}) == []
    assert len(found(nacl_no_public_admin_ingress, NACL, {"ingress": [allow_all, {**deny, "ruleNo": 200}]})) == 1
    # Only from the internet; ephemeral return ports are not admin ports; unknowns are not judged.
    assert found(nacl_no_public_admin_ingress, NACL, {"ingress": [{**ssh, "cidrBlock": "10.0.0.0/8"}]}) == []
    # The ephemeral return range 1024-65535 includes RDP's 3389 (as CIS 5.1 and Security Hub EC2.21 read it):
    # a lower-numbered deny for 3389 keeps it closed.
    ephemeral = {**WEB, "ruleNo": 200, "fromPort": 1024, "toPort": 65535}
    assert "admin port(s) 3389" in found(nacl_no_public_admin_ingress, NACL, {"ingress": [ephemeral]})[0]
    rdp_deny = {**WEB, "ruleNo": 90, "action": "deny", "fromPort": 3389, "toPort": 3389}
    assert found(nacl_no_public_admin_ingress, NACL, {"ingress": [ephemeral, rdp_deny]}) == []
    assert found(nacl_no_public_admin_ingress, NACL, {"ingress": [{**ssh, "cidrBlock": UNKNOWN}]}) == []
    assert found(nacl_no_public_admin_ingress, NACL, {"ingress": UNKNOWN}) == []
    assert found(nacl_no_public_admin_ingress, NACL, {"ingress": [WEB, ssh]}, {"adminPorts": [3389]}) == []


def test_nacl_rule_resources():
    rule = {"networkAclId": "acl-1", "ruleNumber": 100, "ruleAction": "allow", "protocol": "tcp", "fromPort": 3389,
            "toPort": 3389, "cidrBlock": "0.0.0.0/0"}
    assert "admin port(s) 3389" in found(nacl_no_public_admin_ingress, NACL_RULE, rule)[0]
    assert found(nacl_no_public_admin_ingress, NACL_RULE, {**rule, "egress": True}) == []
    assert found(nacl_no_public_admin_ingress, NACL_RULE, {**rule, "ruleAction": "deny"}) == []
    assert found(nacl_no_public_admin_ingress, NACL_RULE, {**rule, "fromPort": 443, "toPort": 443}) == []
    assert found(nacl_no_public_admin_ingress, NACL_RULE, {**rule, "protocol": "icmp"}) == []
    assert found(nacl_no_public_admin_ingress, NACL_RULE, {**rule, "egress": UNKNOWN}) == []


# --------------------------------------------------------------------------------------------------
# Password policy and Cognito

POLICY = "aws:iam/accountPasswordPolicy:AccountPasswordPolicy"
STRONG = {"minimumPasswordLength": 14, "requireLowercaseCharacters": True, "requireUppercaseCharacters": True,
          "requireNumbers": True, "requireSymbols": True, "passwordReusePrevention": 24}


def test_password_policy_strength():
    assert found(iam_password_policy_strength, POLICY, STRONG) == []
    assert found(iam_password_policy_strength, POLICY, {**STRONG, "minimumPasswordLength": 8}) == [
        f"{POLICY} 'subject' allows weak IAM user passwords: minimumPasswordLength is 8, expected at least 14"]
    [message] = found(iam_password_policy_strength, POLICY, {"passwordReusePrevention": 24})
    assert "minimumPasswordLength is 6" in message and "requireSymbols is not true" in message  # IAM's defaults
    assert found(iam_password_policy_strength, POLICY, {**STRONG, "requireSymbols": False},
                 {"requiredCharacterClasses": ["numbers"]}) == []
    assert found(iam_password_policy_strength, POLICY, {**STRONG, "minimumPasswordLength": 12},
                 {"minPasswordLength": 12.0}) == []
    assert found(iam_password_policy_strength, POLICY, {**STRONG, "minimumPasswordLength": UNKNOWN,
                                                        "requireNumbers": UNKNOWN}) == []


def test_password_reuse():
    assert found(iam_password_policy_reuse, POLICY, STRONG) == []
    assert found(iam_password_policy_reuse, POLICY, {**STRONG, "passwordReusePrevention": 5}) == [
        f"{POLICY} 'subject' lets users reuse old passwords: passwordReusePrevention is 5, expected at least 24"]
    assert "not set (0)" in found(iam_password_policy_reuse, POLICY, {"minimumPasswordLength": 14})[0]
    assert found(iam_password_policy_reuse, POLICY, {"passwordReusePrevention": UNKNOWN}) == []
    assert found(iam_password_policy_reuse, POLICY, {"passwordReusePrevention": 12},
                 {"minPasswordReusePrevention": 12}) == []


def test_cognito_guests():
    pool = "aws:cognito/identityPool:IdentityPool"
    assert found(cognito_identity_pool_no_unauthenticated, pool, {"identityPoolName": "app"}) == []
    assert len(found(cognito_identity_pool_no_unauthenticated, pool, {"allowUnauthenticatedIdentities": True})) == 1
    assert found(cognito_identity_pool_no_unauthenticated, pool, {"allowUnauthenticatedIdentities": UNKNOWN}) == []


# --------------------------------------------------------------------------------------------------
# SSM


def test_ssm_documents_not_public():
    document = "aws:ssm/document:Document"
    shared = {"documentType": "Command", "permissions": {"type": "Share", "account_ids": "111111111111"}}
    assert found(ssm_document_not_public, document, shared) == []
    assert len(found(ssm_document_not_public, document,
                     {**shared, "permissions": {"type": "Share", "account_ids": "All"}})) == 1
    assert len(found(ssm_document_not_public, document,
                     {**shared, "permissions": {"type": "Share", "account_ids": "111111111111,all"}})) == 1
    assert found(ssm_document_not_public, document, {"documentType": "Command"}) == []
    assert found(ssm_document_not_public, document, {"permissions": {"type": "Share", "account_ids": UNKNOWN}}) == []


def test_ssm_parameters_holding_secrets_are_secure_strings():
    parameter = "aws:ssm/parameter:Parameter"
    assert found(ssm_parameter_secure_string, parameter, {"name": "/app/db/password", "type": "SecureString",
                                                           "value": "hunter2", "keyId": KEY}) == []
    [message] = found(ssm_parameter_secure_string, parameter, {"name": "/app/db/password", "type": "String",
                                                                "value": "hunter2"})
    assert "named like a secret ('/app/db/password')" in message
    assert found(ssm_parameter_secure_string, parameter, {"name": "/app/ami-id", "type": "String",
                                                           "value": "ami-0abc"}) == []
    assert found(ssm_parameter_secure_string, parameter, {"name": "/app/db/password_arn", "type": "String",
                                                           "value": "arn:aws:secretsmanager:..."}) == []
    assert "an AWS access key id" in found(ssm_parameter_secure_string, parameter, {
        "name": "/ci/config", "type": "String", "insecureValue": "key=AKIAIOSFODNN7EXAMPLE"})[0]
    assert found(ssm_parameter_secure_string, parameter, {"name": "/app/token", "type": UNKNOWN}) == []


# --------------------------------------------------------------------------------------------------
# CloudFront, WAF, Network Firewall

CF = "aws:cloudfront/distribution:Distribution"
SOURCE = "aws:cloudwatch/logDeliverySource:LogDeliverySource"
CF_ARN = "arn:aws:cloudfront::123456789012:distribution/E1"


def test_cloudfront_waf():
    assert found(cloudfront_waf, CF, {"webAclId": "arn:aws:wafv2:us-east-1:1:global/webacl/x/1"}) == []
    assert len(found(cloudfront_waf, CF, {"enabled": True})) == 1
    assert found(cloudfront_waf, CF, {"webAclId": UNKNOWN}) == []


def test_cloudfront_access_logging_by_bucket_or_delivery_source():
    bare = stack_resource(CF, {"arn": CF_ARN, "id": "E1"}, name="site")
    assert len(violations(cloudfront_access_logging, stack_args([bare]))) == 1
    legacy = stack_resource(CF, {"arn": CF_ARN, "loggingConfig": {"bucket": "logs.s3.amazonaws.com"}}, name="site")
    assert violations(cloudfront_access_logging, stack_args([legacy])) == []
    source = stack_resource(SOURCE, {"logType": "ACCESS_LOGS", "resourceArn": CF_ARN}, name="site-logs")
    assert violations(cloudfront_access_logging, stack_args([bare, source])) == []
    # A preview: the source's resourceArn is unknown but depends on the distribution.
    pending = stack_resource(SOURCE, {"logType": "ACCESS_LOGS", "resourceArn": UNKNOWN}, name="pending",
                             property_dependencies={"resourceArn": [bare.urn]})
    assert violations(cloudfront_access_logging, stack_args([bare, pending])) == []
    unknown = stack_resource(CF, {"arn": CF_ARN, "loggingConfig": UNKNOWN}, name="site")
    assert violations(cloudfront_access_logging, stack_args([unknown])) == []


@pytest.mark.parametrize("policy, target, logging, key", [
    (wafv2_web_acl_logging, "aws:wafv2/webAcl:WebAcl",
     "aws:wafv2/webAclLoggingConfiguration:WebAclLoggingConfiguration", "resourceArn"),
    (network_firewall_logging, "aws:networkfirewall/firewall:Firewall",
     "aws:networkfirewall/loggingConfiguration:LoggingConfiguration", "firewallArn"),
])
def test_inspection_logging(policy, target, logging, key):
    resource = stack_resource(target, {"arn": "arn:aws:x:::inspect/1", "id": "1"}, name="inspect")
    assert violations(policy, stack_args([resource])) == [
        f"{target} 'inspect' logs "
        f"{'no requests' if 'waf' in target else 'no traffic'} (no aws."
        f"{'wafv2.WebAclLoggingConfiguration' if 'waf' in target else 'networkfirewall.LoggingConfiguration'} for it)"]
    config = stack_resource(logging, {key: "arn:aws:x:::inspect/1"}, name="logs")
    assert violations(policy, stack_args([resource, config])) == []
    other = stack_resource(logging, {key: "arn:aws:x:::inspect/2"}, name="logs")
    assert len(violations(policy, stack_args([resource, other]))) == 1
    pending = stack_resource(logging, {key: UNKNOWN}, name="logs", property_dependencies={key: [resource.urn]})
    assert violations(policy, stack_args([resource, pending])) == []


# --------------------------------------------------------------------------------------------------
# Load balancers, API Gateway, AppSync, GuardDuty


def test_desync_mitigation():
    for type_ in ("aws:lb/loadBalancer:LoadBalancer", "aws:elb/loadBalancer:LoadBalancer"):
        assert found(lb_desync_mitigation, type_, {}) == []  # defensive by default
        assert found(lb_desync_mitigation, type_, {"desyncMitigationMode": "strictest"}) == []
        assert len(found(lb_desync_mitigation, type_, {"desyncMitigationMode": "monitor"})) == 1
        assert found(lb_desync_mitigation, type_, {"desyncMitigationMode": UNKNOWN}) == []


SETTINGS = "aws:apigateway/methodSettings:MethodSettings"


def test_apigateway_cache_encryption():
    cached = {"restApi": "api", "stageName": "prod", "methodPath": "*/*",
              "settings": {"cachingEnabled": True, "cacheDataEncrypted": True}}
    assert found(apigateway_cache_encrypted, SETTINGS, cached) == []
    assert len(found(apigateway_cache_encrypted, SETTINGS, {**cached, "settings": {"cachingEnabled": True}})) == 1
    assert found(apigateway_cache_encrypted, SETTINGS, {**cached, "settings": {"metricsEnabled": True}}) == []
    assert found(apigateway_cache_encrypted, SETTINGS, {**cached, "settings": {
        "cachingEnabled": True, "cacheDataEncrypted": UNKNOWN}}) == []


def test_apigateway_data_trace():
    settings = {"restApi": "api", "stageName": "prod", "methodPath": "*/*",
                "settings": {"loggingLevel": "INFO", "dataTraceEnabled": False}}
    assert found(apigateway_no_data_trace, SETTINGS, settings) == []
    assert len(found(apigateway_no_data_trace, SETTINGS, {**settings, "settings": {"dataTraceEnabled": True}})) == 1
    assert found(apigateway_no_data_trace, SETTINGS, {**settings, "settings": {"dataTraceEnabled": UNKNOWN}}) == []


def test_appsync_logging():
    api = "aws:appsync/graphQLApi:GraphQLApi"
    logged = {"authenticationType": "AWS_IAM", "logConfig": {"cloudwatchLogsRoleArn": "arn:role", "fieldLogLevel": "ERROR"}}
    assert found(appsync_logging, api, logged) == []
    assert found(appsync_logging, api, {"authenticationType": "AWS_IAM"}) == [
        f"{api} 'subject' writes no logs (logConfig is not set)"]
    assert "fieldLogLevel is NONE" in found(appsync_logging, api, {"logConfig": {"fieldLogLevel": "NONE"}})[0]
    assert found(appsync_logging, api, {"logConfig": {"fieldLogLevel": UNKNOWN}}) == []
    assert found(appsync_logging, api, {"logConfig": UNKNOWN}) == []


def test_guardduty_detector():
    detector = "aws:guardduty/detector:Detector"
    assert found(guardduty_detector_enabled, detector, {}) == []  # enabled by default
    assert len(found(guardduty_detector_enabled, detector, {"enable": False})) == 1
    assert found(guardduty_detector_enabled, detector, {"enable": UNKNOWN}) == []


# --------------------------------------------------------------------------------------------------
# CodeBuild and Batch

PROJECT = "aws:codebuild/project:Project"
JOB = "aws:batch/jobDefinition:JobDefinition"


def test_codebuild_privileged_mode():
    build = {"environment": {"computeType": "BUILD_GENERAL1_SMALL", "image": "aws/codebuild/standard:7.0",
                             "type": "LINUX_CONTAINER"}}
    assert found(codebuild_no_privileged_mode, PROJECT, build) == []
    assert len(found(codebuild_no_privileged_mode, PROJECT,
                     {"environment": {**build["environment"], "privilegedMode": True}})) == 1
    assert found(codebuild_no_privileged_mode, PROJECT, {"environment": {"privilegedMode": UNKNOWN}}) == []


def test_batch_privileged_containers_in_every_form():
    container = {"image": "busybox", "command": ["echo"], "privileged": False}
    assert found(batch_job_no_privileged_containers, JOB, {"type": "container",
                                                            "containerProperties": json.dumps(container)}) == []
    [message] = found(batch_job_no_privileged_containers, JOB, {
        "type": "container", "containerProperties": json.dumps({**container, "privileged": True})})
    assert "containerProperties is privileged" in message
    nodes = {"mainNode": 0, "numNodes": 2, "nodeRangeProperties": [
        {"targetNodes": "0:", "container": {**container, "privileged": True}}]}
    assert "nodeRangeProperties[0].container" in found(batch_job_no_privileged_containers, JOB, {
        "type": "multinode", "nodeProperties": json.dumps(nodes)})[0]
    ecs = {"taskProperties": [{"containers": [{"name": "main", "image": "busybox", "privileged": True}]}]}
    assert "ecsProperties.taskProperties[0].containers[0] 'main'" in found(
        batch_job_no_privileged_containers, JOB, {"type": "container", "ecsProperties": json.dumps(ecs)})[0]
    eks = {"podProperties": {"containers": [{"image": "busybox", "securityContext": {"privileged": True}}]}}
    assert len(found(batch_job_no_privileged_containers, JOB, {"type": "container", "eksProperties": eks})) == 1
    assert found(batch_job_no_privileged_containers, JOB, {"type": "container", "containerProperties": UNKNOWN}) == []
    assert found(batch_job_no_privileged_containers, JOB, {"type": "container", "containerProperties": "{"}) == []


# --------------------------------------------------------------------------------------------------
# Parameter groups and OpenSearch


@pytest.mark.parametrize("type_, name, off, on", [
    ("aws:rds/parameterGroup:ParameterGroup", "rds.force_ssl", "0", "1"),
    ("aws:rds/parameterGroup:ParameterGroup", "require_secure_transport", "OFF", "ON"),
    ("aws:rds/clusterParameterGroup:ClusterParameterGroup", "rds.force_ssl", "0", "1"),
    ("aws:docdb/clusterParameterGroup:ClusterParameterGroup", "tls", "disabled", "enabled"),
    ("aws:redshift/parameterGroup:ParameterGroup", "require_ssl", "false", "true"),
])
def test_parameter_groups_do_not_turn_tls_off(type_, name, off, on):
    group = {"family": "x", "parameters": [{"name": "log_statement", "value": "ddl"}, {"name": name, "value": on}]}
    assert found(db_parameter_group_tls_not_disabled, type_, group) == []
    bad = {**group, "parameters": [{"name": name, "value": off}]}
    assert found(db_parameter_group_tls_not_disabled, type_, bad) == [
        f"{type_} 'subject' turns TLS off: parameter {name} is {off!r}, so clients may connect unencrypted"]
    assert found(db_parameter_group_tls_not_disabled, type_, {"family": "x"}) == []  # the family's default
    assert found(db_parameter_group_tls_not_disabled, type_, {"parameters": [{"name": name, "value": UNKNOWN}]}) == []


def test_opensearch_fine_grained_access():
    for type_ in ("aws:opensearch/domain:Domain", "aws:elasticsearch/domain:Domain"):
        assert found(opensearch_fine_grained_access_control, type_,
                     {"advancedSecurityOptions": {"enabled": True, "internalUserDatabaseEnabled": False}}) == []
        assert "is not set" in found(opensearch_fine_grained_access_control, type_, {"domainName": "d"})[0]
        assert "is false" in found(opensearch_fine_grained_access_control, type_,
                                   {"advancedSecurityOptions": {"enabled": False}})[0]
        assert found(opensearch_fine_grained_access_control, type_, {"advancedSecurityOptions": UNKNOWN}) == []


# --------------------------------------------------------------------------------------------------
# S3 access points, EMR


def test_access_point_block():
    point = "aws:s3/accessPoint:AccessPoint"
    assert found(s3_access_point_public_access_block, point, {"bucket": "lake"}) == []  # all true by default
    block = {"blockPublicAcls": True, "blockPublicPolicy": True, "ignorePublicAcls": True, "restrictPublicBuckets": True}
    assert found(s3_access_point_public_access_block, point, {"publicAccessBlockConfiguration": block}) == []
    [message] = found(s3_access_point_public_access_block, point,
                      {"publicAccessBlockConfiguration": {**block, "blockPublicPolicy": False}})
    assert "blockPublicPolicy false" in message
    assert found(s3_access_point_public_access_block, point, {"publicAccessBlockConfiguration": {
        **block, "blockPublicPolicy": False}, "vpcConfiguration": {"vpcId": "vpc-1"}}) == []
    assert found(s3_access_point_public_access_block, point, {"publicAccessBlockConfiguration": UNKNOWN}) == []


def test_emr_block_public_access():
    block = "aws:emr/blockPublicAccessConfiguration:BlockPublicAccessConfiguration"
    assert found(emr_block_public_access, block, {"blockPublicSecurityGroupRules": True}) == []
    assert len(found(emr_block_public_access, block, {"blockPublicSecurityGroupRules": False})) == 1
    assert found(emr_block_public_access, block, {"blockPublicSecurityGroupRules": UNKNOWN}) == []


# --------------------------------------------------------------------------------------------------
# CloudTrail to CloudWatch, rotation interval

ROTATION = "aws:secretsmanager/secretRotation:SecretRotation"


def test_trail_to_cloudwatch():
    trail = "aws:cloudtrail/trail:Trail"
    assert found(cloudtrail_cloudwatch_logs, trail, {"cloudWatchLogsGroupArn": "arn:aws:logs:::log-group:t:*"}) == []
    assert len(found(cloudtrail_cloudwatch_logs, trail, {"s3BucketName": "trail"})) == 1
    assert found(cloudtrail_cloudwatch_logs, trail, {"cloudWatchLogsGroupArn": UNKNOWN}) == []


def test_rotation_interval():
    assert found(secret_rotation_interval, ROTATION, {"secretId": "s", "rotationRules": {
        "automaticallyAfterDays": 30}}) == []
    assert found(secret_rotation_interval, ROTATION, {"secretId": "s", "rotationRules": {
        "automaticallyAfterDays": 180}}) == [
        f"{ROTATION} 'subject' rotates the secret every 180 days, more than the 90 allowed"]
    assert len(found(secret_rotation_interval, ROTATION, {"rotationRules": {"scheduleExpression": "rate(120 days)"}})) == 1
    assert found(secret_rotation_interval, ROTATION, {"rotationRules": {"scheduleExpression": "rate(4 hours)"}}) == []
    assert found(secret_rotation_interval, ROTATION, {"rotationRules": {"scheduleExpression": "cron(0 8 1 * ? *)"}}) == []
    assert "disables rotation" in found(secret_rotation_interval, ROTATION, {"rotationEnabled": False})[0]
    assert found(secret_rotation_interval, ROTATION, {"rotationRules": {"automaticallyAfterDays": UNKNOWN}}) == []
    assert found(secret_rotation_interval, ROTATION, {"rotationRules": {"automaticallyAfterDays": 180}},
                 {"maxRotationDays": 365}) == []


# --------------------------------------------------------------------------------------------------
# The data-store rows these gaps added


def test_neptune_instances_and_mq_brokers_not_public():
    instance = "aws:neptune/clusterInstance:ClusterInstance"
    assert found(data_store_not_public, instance, {"clusterIdentifier": "graph"}) == []  # private by default
    assert len(found(data_store_not_public, instance, {"publiclyAccessible": True})) == 1
    broker = "aws:mq/broker:Broker"
    assert found(data_store_not_public, broker, {"engineType": "ActiveMQ"}) == []
    assert len(found(data_store_not_public, broker, {"publiclyAccessible": True})) == 1
    assert found(data_store_not_public, broker, {"publiclyAccessible": UNKNOWN}) == []


def test_mq_broker_key_and_logs():
    broker = "aws:mq/broker:Broker"
    good = {"encryptionOptions": {"useAwsOwnedKey": False, "kmsKeyId": KEY}, "logs": {"general": True}}
    assert found(data_store_customer_managed_key, broker, good) == []
    assert found(data_store_logging, broker, good) == []
    owned = found(data_store_customer_managed_key, broker, {"logs": {"general": True}})
    assert "encryptionOptions.useAwsOwnedKey is not set (defaults to true)" in owned[0]
    assert "; encryptionOptions.kmsKeyId is not set" in owned[0] and len(owned) == 1
    assert "kmsKeyId is not set" in found(data_store_customer_managed_key, broker,
                                          {"encryptionOptions": {"useAwsOwnedKey": False}})[0]
    assert len(found(data_store_logging, broker, {"logs": {"general": False, "audit": True}})) == 1


def test_fsx_keys_glue_dev_endpoints_and_codebuild_encryption():
    for type_ in ("aws:fsx/windowsFileSystem:WindowsFileSystem", "aws:fsx/ontapFileSystem:OntapFileSystem",
                  "aws:fsx/openZfsFileSystem:OpenZfsFileSystem"):
        assert found(data_store_customer_managed_key, type_, {"kmsKeyId": KEY}) == []
        assert len(found(data_store_customer_managed_key, type_, {})) == 1
    endpoint = "aws:glue/devEndpoint:DevEndpoint"
    assert found(data_store_encrypted_at_rest, endpoint, {"securityConfiguration": "glue-kms"}) == []
    assert len(found(data_store_encrypted_at_rest, endpoint, {"roleArn": "arn:role"})) == 1
    project = "aws:codebuild/project:Project"
    assert found(data_store_encrypted_at_rest, project, {"artifacts": {"type": "S3"}}) == []
    [message] = found(data_store_encrypted_at_rest, project, {"artifacts": {"type": "S3", "encryptionDisabled": True}})
    assert "artifacts.encryptionDisabled is true" in message
    assert len(found(data_store_encrypted_at_rest, project, {"logsConfig": {"s3Logs": {
        "status": "ENABLED", "encryptionDisabled": True}}})) == 1


BREADTH_MODULES = ("network_acls", "identity", "ssm", "edge_protection", "build", "databases", "public_access", "audit",
                   "resource_policies", "bedrock", "network_sharing", "ci_trust", "emr")


@pytest.mark.parametrize("module_name", BREADTH_MODULES)
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
# Resource policies and public sharing

OPEN = json.dumps({"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Principal": "*", "Action": "secretsmanager:GetSecretValue", "Resource": "*"}]})
ORG = json.dumps({"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Principal": "*", "Action": "secretsmanager:GetSecretValue", "Resource": "*",
     "Condition": {"StringEquals": {"aws:PrincipalOrgID": "o-abc123"}}}]})


@pytest.mark.parametrize("type_, prop", sorted(POLICY_INPUTS.items()))
def test_resource_policies_do_not_let_everyone_in(type_, prop):
    assert found(resource_policy_no_public_principal, type_, {prop: ORG}) == []
    [message] = found(resource_policy_no_public_principal, type_, {prop: OPEN})
    assert "allows any principal ('*')" in message
    assert found(resource_policy_no_public_principal, type_, {}) == []
    assert found(resource_policy_no_public_principal, type_, {prop: UNKNOWN}) == []
    assert "not valid JSON" in found(resource_policy_no_public_principal, type_, {prop: "{"})[0]


def test_an_event_permission_for_every_account_without_a_condition_fails():
    # aws.cloudwatch.EventPermission (pulumi-aws 7 cloudwatch/event_permission.py), one statement of the bus policy:
    # principal "*" without a condition lets every AWS account put events on the bus (EventBridge PutPermission).
    permission = "aws:cloudwatch/eventPermission:EventPermission"
    for path in (("principal",), ("condition", "key"), ("eventBusName",)):
        assert_inputs_in_sdk(permission, path)
    [message] = found(resource_policy_no_public_principal, permission, {"principal": "*", "statementId": "any"})
    assert message == (f"{permission} 'subject' lets any AWS account ('*') put events on the event bus 'default' "
                       "without a condition (aws:PrincipalOrgID) that restricts the caller")
    org = {"key": "aws:PrincipalOrgID", "type": "StringEquals", "value": "o-abc123"}
    assert found(resource_policy_no_public_principal, permission, {"principal": "*", "condition": org}) == []
    assert found(resource_policy_no_public_principal, permission, {"principal": "111122223333"}) == []
    assert found(resource_policy_no_public_principal, permission, {"principal": UNKNOWN}) == []
    assert found(resource_policy_no_public_principal, permission, {"principal": "*", "condition": UNKNOWN}) == []


def test_a_bucket_v2_inline_policy_names_the_source_of_a_service_principal():
    # pulumi-aws 6's BucketV2 (still served by 7) takes the bucket policy inline, as the Bucket does.
    assert_inputs_in_sdk("aws:s3/bucketV2:BucketV2", ("policy",))
    read = {"Effect": "Allow", "Principal": {"Service": "cloudfront.amazonaws.com"}, "Action": "s3:GetObject",
            "Resource": "arn:aws:s3:::widget/*"}
    document = json.dumps({"Version": "2012-10-17", "Statement": [read]})
    assert len(found(resource_policy_service_principal_scoped, "aws:s3/bucketV2:BucketV2", {"policy": document})) == 1
    scoped = {**read, "Condition": {"StringEquals": {"AWS:SourceArn": "arn:aws:cloudfront::1:distribution/E1"}}}
    assert found(resource_policy_service_principal_scoped, "aws:s3/bucketV2:BucketV2",
                 {"policy": json.dumps({"Version": "2012-10-17", "Statement": [scoped]})}) == []


def test_public_images_and_snapshots():
    permission = "aws:ec2/amiLaunchPermission:AmiLaunchPermission"
    assert found(no_public_images_or_snapshots, permission, {"imageId": "ami-1", "accountId": "111111111111"}) == []
    assert len(found(no_public_images_or_snapshots, permission, {"imageId": "ami-1", "group": "all"})) == 1
    assert found(no_public_images_or_snapshots, permission, {"imageId": "ami-1", "group": UNKNOWN}) == []
    for type_ in ("aws:rds/snapshot:Snapshot", "aws:rds/clusterSnapshot:ClusterSnapshot",
                  "aws:rds/snapshotCopy:SnapshotCopy"):
        assert found(no_public_images_or_snapshots, type_, {"sharedAccounts": ["111111111111"]}) == []
        assert len(found(no_public_images_or_snapshots, type_, {"sharedAccounts": ["111111111111", "all"]})) == 1
        assert found(no_public_images_or_snapshots, type_, {"sharedAccounts": UNKNOWN}) == []


# --------------------------------------------------------------------------------------------------
# Bedrock, ML-service keys, patching, tracing, network sharing, Transfer


def test_bedrock_agent_guardrail():
    agent = "aws:bedrock/agentAgent:AgentAgent"
    guarded = {"agentName": "support", "foundationModel": "anthropic.claude-3-haiku",
               "guardrailConfigurations": [{"guardrailIdentifier": "gr-1", "guardrailVersion": "1"}]}
    assert found(bedrock_agent_guardrail, agent, guarded) == []
    assert len(found(bedrock_agent_guardrail, agent, {"agentName": "support"})) == 1
    assert len(found(bedrock_agent_guardrail, agent, {"guardrailConfigurations": []})) == 1
    assert found(bedrock_agent_guardrail, agent, {"guardrailConfigurations": UNKNOWN}) == []
    assert found(bedrock_agent_guardrail, agent, {"guardrailConfigurations": [{"guardrailIdentifier": UNKNOWN}]}) == []


@pytest.mark.parametrize("type_, props", [
    ("aws:keyspaces/table:Table", {"encryptionSpecification": {"type": "CUSTOMER_MANAGED_KMS_KEY",
                                                               "kmsKeyIdentifier": KEY}}),
    ("aws:timestreamwrite/database:Database", {"kmsKeyId": KEY}),
    ("aws:bedrock/agentAgent:AgentAgent", {"customerEncryptionKeyArn": KEY}),
    ("aws:bedrock/customModel:CustomModel", {"customModelKmsKeyId": KEY}),
    ("aws:kendra/index:Index", {"serverSideEncryptionConfiguration": {"kmsKeyId": KEY}}),
    ("aws:comprehend/entityRecognizer:EntityRecognizer", {"modelKmsKeyId": KEY, "volumeKmsKeyId": KEY}),
    ("aws:comprehend/documentClassifier:DocumentClassifier", {"modelKmsKeyId": KEY, "volumeKmsKeyId": KEY}),
])
def test_ml_and_database_services_use_customer_managed_keys(type_, props):
    assert found(data_store_customer_managed_key, type_, props) == []
    assert found(data_store_customer_managed_key, type_, {}) != []
    assert found(data_store_customer_managed_key, type_, {}, {"requireCustomerManagedKey": False}) == []


@pytest.mark.parametrize("type_, key", [
    ("aws:rds/instance:Instance", "autoMinorVersionUpgrade"),
    ("aws:rds/clusterInstance:ClusterInstance", "autoMinorVersionUpgrade"),
    ("aws:neptune/clusterInstance:ClusterInstance", "autoMinorVersionUpgrade"),
    ("aws:elasticache/replicationGroup:ReplicationGroup", "autoMinorVersionUpgrade"),
    ("aws:mq/broker:Broker", "autoMinorVersionUpgrade"),
    ("aws:dms/replicationInstance:ReplicationInstance", "autoMinorVersionUpgrade"),
    ("aws:redshift/cluster:Cluster", "allowVersionUpgrade"),
])
def test_engines_are_patched_automatically(type_, key):
    assert found(data_store_auto_minor_version_upgrade, type_, {}) == []  # the provider default is true
    assert found(data_store_auto_minor_version_upgrade, type_, {key: True}) == []
    [message] = found(data_store_auto_minor_version_upgrade, type_, {key: False})
    assert f"is not patched automatically: {key} is false, expected true" in message
    assert found(data_store_auto_minor_version_upgrade, type_, {key: UNKNOWN}) == []


def test_xray_tracing():
    function, stage, machine = ("aws:lambda/function:Function", "aws:apigateway/stage:Stage",
                                "aws:sfn/stateMachine:StateMachine")
    assert found(xray_tracing_enabled, function, {"tracingConfig": {"mode": "Active"}}) == []
    assert "not set (PassThrough)" in found(xray_tracing_enabled, function, {"runtime": "python3.12"})[0]
    assert len(found(xray_tracing_enabled, function, {"tracingConfig": {"mode": "PassThrough"}})) == 1
    assert found(xray_tracing_enabled, function, {"tracingConfig": {"mode": UNKNOWN}}) == []
    assert found(xray_tracing_enabled, stage, {"xrayTracingEnabled": True}) == []
    assert len(found(xray_tracing_enabled, stage, {"stageName": "prod"})) == 1
    assert found(xray_tracing_enabled, stage, {"xrayTracingEnabled": UNKNOWN}) == []
    assert found(xray_tracing_enabled, machine, {"tracingConfiguration": {"enabled": True}}) == []
    assert len(found(xray_tracing_enabled, machine, {"definition": "{}"})) == 1
    assert found(xray_tracing_enabled, machine, {"tracingConfiguration": UNKNOWN}) == []


def test_connections_need_acceptance():
    service, gateway = "aws:ec2/vpcEndpointService:VpcEndpointService", "aws:ec2transitgateway/transitGateway:TransitGateway"
    assert found(network_connections_require_acceptance, service, {"acceptanceRequired": True}) == []
    assert len(found(network_connections_require_acceptance, service, {"acceptanceRequired": False})) == 1
    assert found(network_connections_require_acceptance, service, {"acceptanceRequired": UNKNOWN}) == []
    assert found(network_connections_require_acceptance, gateway, {}) == []  # disable by default
    assert len(found(network_connections_require_acceptance, gateway, {"autoAcceptSharedAttachments": "enable"})) == 1
    assert found(network_connections_require_acceptance, gateway, {"autoAcceptSharedAttachments": UNKNOWN}) == []


def test_transfer_server_protocols():
    server = "aws:transfer/server:Server"
    assert found(transfer_server_no_plain_ftp, server, {}) == []  # SFTP by default
    assert found(transfer_server_no_plain_ftp, server, {"protocols": ["SFTP", "FTPS"]}) == []
    assert len(found(transfer_server_no_plain_ftp, server, {"protocols": ["SFTP", "FTP"]})) == 1
    assert found(transfer_server_no_plain_ftp, server, {"protocols": UNKNOWN}) == []



# --------------------------------------------------------------------------------------------------
# CloudFront origins, ECS namespaces, S3 ACLs, console passwords, Redshift audit logs

ORIGIN = {"domainName": "api.example.com", "originId": "api", "customOriginConfig": {
    "httpPort": 80, "httpsPort": 443, "originProtocolPolicy": "https-only", "originSslProtocols": ["TLSv1.2"]}}


def _distribution(*origins, viewer="redirect-to-https"):
    return {"origins": list(origins), "defaultCacheBehavior": {"targetOriginId": "api", "viewerProtocolPolicy": viewer}}


def test_cloudfront_origin_tls():
    assert found(cloudfront_origin_tls, CF, _distribution(ORIGIN)) == []
    http = {**ORIGIN, "customOriginConfig": {**ORIGIN["customOriginConfig"], "originProtocolPolicy": "http-only"}}
    assert "fetched over plain HTTP" in found(cloudfront_origin_tls, CF, _distribution(http))[0]
    match = {**ORIGIN, "customOriginConfig": {**ORIGIN["customOriginConfig"], "originProtocolPolicy": "match-viewer"}}
    assert found(cloudfront_origin_tls, CF, _distribution(match)) == []  # viewers are HTTPS only
    assert len(found(cloudfront_origin_tls, CF, _distribution(match, viewer="allow-all"))) == 1
    old = {**ORIGIN, "customOriginConfig": {**ORIGIN["customOriginConfig"], "originSslProtocols": ["TLSv1", "TLSv1.1"]}}
    assert "use TLSv1.2 only" in found(cloudfront_origin_tls, CF, _distribution(old))[0]
    sslv3 = {**ORIGIN, "customOriginConfig": {**ORIGIN["customOriginConfig"], "originSslProtocols": ["SSLv3", "TLSv1.2"]}}
    assert len(found(cloudfront_origin_tls, CF, _distribution(sslv3))) == 1
    mixed = {**ORIGIN, "customOriginConfig": {**ORIGIN["customOriginConfig"], "originSslProtocols": ["TLSv1", "TLSv1.2"]}}
    assert found(cloudfront_origin_tls, CF, _distribution(mixed)) == []
    unknown = {**ORIGIN, "customOriginConfig": {**ORIGIN["customOriginConfig"], "originProtocolPolicy": UNKNOWN,
                                                "originSslProtocols": [UNKNOWN]}}
    assert found(cloudfront_origin_tls, CF, _distribution(unknown)) == []
    s3 = {"domainName": "site.s3.us-east-1.amazonaws.com", "originId": "site", "originAccessControlId": "E2OAC"}
    assert found(cloudfront_origin_tls, CF, _distribution(s3)) == []  # S3 REST origins are HTTPS


def test_cloudfront_s3_origin_access():
    oac = {"domainName": "site.s3.us-east-1.amazonaws.com", "originId": "site", "originAccessControlId": "E2OAC"}
    assert found(cloudfront_s3_origin_access, CF, _distribution(oac)) == []
    oai = {"domainName": "site.s3.amazonaws.com", "originId": "site",
           "s3OriginConfig": {"originAccessIdentity": "origin-access-identity/cloudfront/E1"}}
    assert found(cloudfront_s3_origin_access, CF, _distribution(oai)) == []
    open_ = {"domainName": "site.s3.amazonaws.com", "originId": "site", "s3OriginConfig": {"originAccessIdentity": ""}}
    assert "has no origin access control" in found(cloudfront_s3_origin_access, CF, _distribution(open_))[0]
    assert len(found(cloudfront_s3_origin_access, CF, _distribution(
        {"domainName": "site.s3-eu-west-1.amazonaws.com", "originId": "site"}))) == 1
    website = {"domainName": "site.s3-website-us-east-1.amazonaws.com", "originId": "site"}
    assert found(cloudfront_s3_origin_access, CF, _distribution(website, ORIGIN)) == []
    assert found(cloudfront_s3_origin_access, CF, _distribution({**oac, "originAccessControlId": UNKNOWN})) == []
    assert found(cloudfront_s3_origin_access, CF, _distribution({**oac, "domainName": UNKNOWN,
                                                                 "originAccessControlId": None})) == []


def test_ecs_host_pid_and_ipc():
    task = "aws:ecs/taskDefinition:TaskDefinition"
    assert found(ecs_task_no_host_pid_ipc, task, {"family": "app", "pidMode": "task", "ipcMode": "none"}) == []
    assert "pidMode 'host'" in found(ecs_task_no_host_pid_ipc, task, {"pidMode": "host"})[0]
    assert "ipcMode 'host'" in found(ecs_task_no_host_pid_ipc, task, {"ipcMode": "host"})[0]
    assert found(ecs_task_no_host_pid_ipc, task, {"pidMode": UNKNOWN}) == []



def _containers(*containers: dict) -> str:
    return json.dumps([{"name": f"c{index}", "image": "app:1", **container} for index, container in enumerate(containers)])


def test_ecs_containers_add_no_capabilities():
    task = "aws:ecs/taskDefinition:TaskDefinition"
    assert_inputs_in_sdk(task, ("containerDefinitions",))
    safe = {"linuxParameters": {"capabilities": {"drop": ["ALL"], "add": ["NET_BIND_SERVICE", "CAP_CHOWN"]}}}
    assert found(ecs_task_no_added_capabilities, task, {"containerDefinitions": _containers(safe, {})}) == []
    wide = {"linuxParameters": {"capabilities": {"add": ["SYS_ADMIN", "cap_net_admin", "CHOWN"]}}}
    assert found(ecs_task_no_added_capabilities, task, {"containerDefinitions": _containers(safe, wide)}) == [
        f"{task} 'subject': container 'c1' adds Linux capabilities SYS_ADMIN, NET_ADMIN "
        "(linuxParameters.capabilities.add) beyond Docker's default set"]
    all_of_them = {"linuxParameters": {"capabilities": {"add": ["ALL"]}}}
    assert len(found(ecs_task_no_added_capabilities, task, {"containerDefinitions": _containers(all_of_them)})) == 1
    # pulumi-aws-native's containerDefinitions are objects, known in part
    native = "aws-native:ecs:TaskDefinition"
    assert len(found(ecs_task_no_added_capabilities, native, {"containerDefinitions": [
        {"name": "app", "linuxParameters": {"capabilities": {"add": ["SYS_PTRACE", UNKNOWN]}}}]})) == 1
    assert found(ecs_task_no_added_capabilities, native, {"containerDefinitions": [
        {"name": "app", "linuxParameters": {"capabilities": {"add": UNKNOWN}}}]}) == []
    assert found(ecs_task_no_added_capabilities, task, {"containerDefinitions": UNKNOWN}) == []


def test_ecs_containers_mount_no_runtime_socket():
    task = "aws:ecs/taskDefinition:TaskDefinition"
    assert_inputs_in_sdk(task, ("volumes", "hostPath"))
    assert_inputs_in_sdk("aws-native:ecs:TaskDefinition", ("volumes", "host", "sourcePath"))
    mounts = {"mountPoints": [{"sourceVolume": "host-vol", "containerPath": "/mnt"}]}

    def judged(path, *containers, volume="host-vol"):
        return found(ecs_task_no_container_runtime_socket, task, {
            "volumes": [{"name": "cache", "hostPath": "/var/lib/models"}, {"name": volume, "hostPath": path}],
            "containerDefinitions": _containers(*containers)})

    assert judged("/var/lib/cache", mounts) == []
    assert judged("/var/run/docker.sock", {}) == []  # declared, mounted by no container
    assert judged("/var/run/docker.sock", {}, mounts) == [
        f"{task} 'subject': container 'c1' mounts the host's /var/run/docker.sock (volume 'host-vol'): it controls "
        "the instance's container runtime and can start a privileged container"]
    for path in ("/run/containerd/containerd.sock", "/var/run/", "/"):
        assert len(judged(path, mounts)) == 1, path
    assert judged(UNKNOWN, mounts) == []
    native = found(ecs_task_no_container_runtime_socket, "aws-native:ecs:TaskDefinition", {
        "volumes": [{"name": "host-vol", "host": {"sourcePath": "/var/run/docker.sock"}}],
        "containerDefinitions": [{"name": "agent", **mounts}]})
    assert len(native) == 1


def test_ecs_containers_send_their_logs_somewhere():
    task = "aws:ecs/taskDefinition:TaskDefinition"
    awslogs = {"logConfiguration": {"logDriver": "awslogs", "options": {"awslogs-group": "app"}}}
    assert found(ecs_task_container_logging, task, {"containerDefinitions": _containers(awslogs, awslogs)}) == []
    assert found(ecs_task_container_logging, task, {"containerDefinitions": _containers(
        {"logConfiguration": {"logDriver": "awsfirelens"}})}) == []
    assert found(ecs_task_container_logging, task, {"containerDefinitions": _containers(awslogs, {})}) == [
        f"{task} 'subject': container 'c1' has no logConfiguration.logDriver, so its output is not collected off the "
        "instance (on Fargate, not kept at all)"]
    assert len(found(ecs_task_container_logging, task, {"containerDefinitions": _containers(
        {"logConfiguration": {"options": {"awslogs-group": "app"}}})})) == 1  # a block without its driver
    assert found(ecs_task_container_logging, task, {"containerDefinitions": UNKNOWN}) == []
    native = "aws-native:ecs:TaskDefinition"
    assert found(ecs_task_container_logging, native, {"containerDefinitions": [{"name": "app", **awslogs}]}) == []
    assert len(found(ecs_task_container_logging, native, {"containerDefinitions": [{"name": "app"}]})) == 1
    assert found(ecs_task_container_logging, native, {"containerDefinitions": [
        {"name": "app", "logConfiguration": {"logDriver": UNKNOWN}}]}) == []


def test_bucket_acls_stay_disabled():
    controls = "aws:s3/bucketOwnershipControls:BucketOwnershipControls"
    assert found(s3_bucket_acls_disabled, controls, {"bucket": "b", "rule": {"objectOwnership": "BucketOwnerEnforced"}}) == []
    assert len(found(s3_bucket_acls_disabled, controls, {"bucket": "b", "rule": {"objectOwnership": "ObjectWriter"}})) == 1
    assert len(found(s3_bucket_acls_disabled, controls, {"rule": {"objectOwnership": "BucketOwnerPreferred"}})) == 1
    assert found(s3_bucket_acls_disabled, controls, {"rule": {"objectOwnership": UNKNOWN}}) == []


def test_iam_users_get_no_console_password():
    profile = "aws:iam/userLoginProfile:UserLoginProfile"
    assert "gives IAM user 'alice' a console password" in found(iam_user_no_console_password, profile,
                                                                {"user": "alice"})[0]
    assert len(found(iam_user_no_console_password, profile, {"user": UNKNOWN})) == 1  # the resource itself is the finding


def test_redshift_audit_logging():
    cluster = stack_resource("aws:redshift/cluster:Cluster", {"clusterIdentifier": "warehouse", "id": "warehouse"},
                             name="warehouse")
    assert len(violations(redshift_audit_logging, stack_args([cluster]))) == 1
    logging = stack_resource("aws:redshift/logging:Logging", {"clusterIdentifier": "warehouse",
                                                              "logDestinationType": "cloudwatch"}, name="audit")
    assert violations(redshift_audit_logging, stack_args([cluster, logging])) == []
    pending = stack_resource("aws:redshift/logging:Logging", {"clusterIdentifier": UNKNOWN}, name="audit",
                             property_dependencies={"clusterIdentifier": [cluster.urn]})
    assert violations(redshift_audit_logging, stack_args([cluster, pending])) == []


@pytest.mark.parametrize("type_, props, fixed", [
    ("aws:rds/globalCluster:GlobalCluster", {"globalClusterIdentifier": "g", "engine": "aurora-postgresql"},
     {"storageEncrypted": True}),
    ("aws:docdb/globalCluster:GlobalCluster", {"globalClusterIdentifier": "g"}, {"storageEncrypted": True}),
    ("aws:workspaces/workspace:Workspace", {"rootVolumeEncryptionEnabled": True},
     {"userVolumeEncryptionEnabled": True}),
])
def test_new_encryption_rows(type_, props, fixed):
    assert len(found(data_store_encrypted_at_rest, type_, props)) == 1
    assert found(data_store_encrypted_at_rest, type_, {**props, **fixed}) == []
    assert found(data_store_encrypted_at_rest, type_, {**props, **{k: UNKNOWN for k in fixed}}) == []


def test_global_cluster_from_a_source_cluster_has_its_encryption():
    assert found(data_store_encrypted_at_rest, "aws:rds/globalCluster:GlobalCluster",
                 {"sourceDbClusterIdentifier": "arn:aws:rds:us-east-1:1:cluster:main"}) == []


@pytest.mark.parametrize("type_, props", [
    ("aws:kinesis/videoStream:VideoStream", {"kmsKeyId": KEY}),
    ("aws:redshift/snapshotCopyGrant:SnapshotCopyGrant", {"kmsKeyId": KEY}),
    ("aws:cloudtrail/eventDataStore:EventDataStore", {"kmsKeyId": KEY}),
    ("aws:scheduler/schedule:Schedule", {"kmsKeyArn": KEY}),
    ("aws:codeartifact/domain:Domain", {"encryptionKey": KEY}),
    ("aws:dynamodb/tableReplica:TableReplica", {"kmsKeyArn": KEY}),
    ("aws:networkfirewall/firewall:Firewall", {"encryptionConfiguration": {"type": "CUSTOMER_KMS", "keyId": KEY}}),
    ("aws:networkfirewall/firewallPolicy:FirewallPolicy", {"encryptionConfiguration": {"type": "CUSTOMER_KMS",
                                                                                        "keyId": KEY}}),
    ("aws:sagemaker/flowDefinition:FlowDefinition", {"outputConfig": {"s3OutputPath": "s3://a2i", "kmsKeyId": KEY}}),
    ("aws:workspaces/workspace:Workspace", {"volumeEncryptionKey": KEY}),
])
def test_more_customer_managed_keys(type_, props):
    assert found(data_store_customer_managed_key, type_, props) == []
    assert found(data_store_customer_managed_key, type_, {}) != []


def test_network_firewall_deletion_protection_where_required():
    firewall = "aws:networkfirewall/firewall:Firewall"
    assert len(found(data_store_deletion_protection, firewall, {})) == 1
    assert found(data_store_deletion_protection, firewall, {"deleteProtection": True}) == []
    assert found(data_store_deletion_protection, firewall, {}, {"requireDeletionProtection": False}) == []


def test_the_breadth_cases_use_names_no_other_case_uses():
    import foreign

    ours = (foreign.BREADTH_CASES + foreign.MORE_BREADTH_CASES + foreign.LAST_BREADTH_CASES
            + foreign.FINAL_BREADTH_CASES)
    for case in ours:
        for other in foreign.CASES:
            if other is not case:
                assert not set(foreign.case_urns(case)) & set(foreign.case_urns(other)), (case.name, other.name)



# --------------------------------------------------------------------------------------------------
# GitHub OIDC trust, EMR security configurations, WAF on public endpoints, SSM keys

ROLE = "aws:iam/role:Role"
OIDC = "arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com"


def _github_trust(condition):
    statement = {"Effect": "Allow", "Principal": {"Federated": OIDC}, "Action": "sts:AssumeRoleWithWebIdentity"}
    if condition is not None:
        statement["Condition"] = condition
    return json.dumps({"Version": "2012-10-17", "Statement": [statement]})


def test_github_oidc_trust_is_scoped_to_repositories():
    from components.deploy_access import trust_policy  # what our bootstrap's deploy roles trust

    ours = json.dumps(trust_policy(OIDC, "example-org/mlinfra", "prod"))
    assert found(iam_github_oidc_trust_scoped, ROLE, {"assumeRolePolicy": ours}) == []
    aud = {"token.actions.githubusercontent.com:aud": "sts.amazonaws.com"}
    assert "without a condition on token.actions.githubusercontent.com:sub" in found(
        iam_github_oidc_trust_scoped, ROLE, {"assumeRolePolicy": _github_trust({"StringEquals": aud})})[0]
    assert len(found(iam_github_oidc_trust_scoped, ROLE, {"assumeRolePolicy": _github_trust(None)})) == 1
    loose = {"StringEquals": aud, "StringLike": {"token.actions.githubusercontent.com:sub": "repo:*"}}
    assert "sub repo:*" in found(iam_github_oidc_trust_scoped, ROLE, {"assumeRolePolicy": _github_trust(loose)})[0]
    org = {"StringEquals": aud, "StringLike": {"token.actions.githubusercontent.com:sub": ["repo:example-org/*"]}}
    assert found(iam_github_oidc_trust_scoped, ROLE, {"assumeRolePolicy": _github_trust(org)}) == []
    wild_owner = {"StringLike": {"token.actions.githubusercontent.com:sub": "repo:*/mlinfra:*"}}
    assert len(found(iam_github_oidc_trust_scoped, ROLE, {"assumeRolePolicy": _github_trust(wild_owner)})) == 1
    # Not a GitHub trust: other federations and services are not judged here.
    service = json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": {"Service": "sagemaker.amazonaws.com"}, "Action": "sts:AssumeRole"}]})
    assert found(iam_github_oidc_trust_scoped, ROLE, {"assumeRolePolicy": service}) == []
    assert found(iam_github_oidc_trust_scoped, ROLE, {"assumeRolePolicy": UNKNOWN}) == []
    # A condition known only at deployment (an Output inside a policy given as an object) is not judged, as
    # the IRSA rule does; the same statement with no condition is.
    document = json.loads(_github_trust(None))
    assert len(found(iam_github_oidc_trust_scoped, ROLE, {"assumeRolePolicy": document})) == 1
    document["Statement"][0]["Condition"] = UNKNOWN
    assert found(iam_github_oidc_trust_scoped, ROLE, {"assumeRolePolicy": document}) == []


EMR_CONFIG = "aws:emr/securityConfiguration:SecurityConfiguration"


def _emr(**changes):
    document = json.loads(json.dumps(EMR_ENCRYPTION))
    document["EncryptionConfiguration"].update(changes)
    return {"configuration": json.dumps(document)}


def test_emr_security_configuration_at_rest():
    assert found(emr_security_configuration_at_rest, EMR_CONFIG, _emr()) == []
    assert "EnableAtRestEncryption is not true" in found(emr_security_configuration_at_rest, EMR_CONFIG,
                                                         _emr(EnableAtRestEncryption=False))[0]
    no_ebs = _emr(AtRestEncryptionConfiguration={
        "S3EncryptionConfiguration": {"EncryptionMode": "SSE-S3"},
        "LocalDiskEncryptionConfiguration": {"EncryptionKeyProviderType": "AwsKms", "AwsKmsKey": KEY}})
    assert "EnableEbsEncryption is not true" in found(emr_security_configuration_at_rest, EMR_CONFIG, no_ebs)[0]
    no_disks = _emr(AtRestEncryptionConfiguration={"S3EncryptionConfiguration": {"EncryptionMode": "SSE-S3"}})
    assert "no LocalDiskEncryptionConfiguration" in found(emr_security_configuration_at_rest, EMR_CONFIG, no_disks)[0]
    assert found(emr_security_configuration_at_rest, EMR_CONFIG, {"configuration": UNKNOWN}) == []
    assert found(emr_security_configuration_at_rest, EMR_CONFIG, {"configuration": "{"}) == []


def test_emr_security_configuration_in_transit():
    assert found(emr_security_configuration_in_transit, EMR_CONFIG, _emr()) == []
    assert len(found(emr_security_configuration_in_transit, EMR_CONFIG, _emr(EnableInTransitEncryption=False))) == 1
    assert len(found(emr_security_configuration_in_transit, EMR_CONFIG, {"configuration": "{}"})) == 1
    assert found(emr_security_configuration_in_transit, EMR_CONFIG, {"configuration": UNKNOWN}) == []


def _emr_imds(**imds):
    document = json.loads(_emr()["configuration"])
    document["InstanceMetadataServiceConfiguration"] = imds
    return {"configuration": json.dumps(document)}


def test_emr_security_configuration_imdsv2():
    assert found(emr_security_configuration_imdsv2, EMR_CONFIG, _emr_imds(
        MinimumInstanceMetadataServiceVersion=2, HttpPutResponseHopLimit=1)) == []
    [message] = found(emr_security_configuration_imdsv2, EMR_CONFIG, _emr_imds(
        MinimumInstanceMetadataServiceVersion=1, HttpPutResponseHopLimit=2))
    assert "answer IMDSv1 requests (InstanceMetadataServiceConfiguration.MinimumInstanceMetadataServiceVersion is 1)" \
        in message
    assert len(found(emr_security_configuration_imdsv2, EMR_CONFIG, _emr_imds(MinimumInstanceMetadataServiceVersion="1"))) == 1
    # without the block (an encryption-only document) the rule does not judge; nor an unknown or invalid document
    assert found(emr_security_configuration_imdsv2, EMR_CONFIG, _emr()) == []
    assert found(emr_security_configuration_imdsv2, EMR_CONFIG, {"configuration": UNKNOWN}) == []
    assert found(emr_security_configuration_imdsv2, EMR_CONFIG, {"configuration": "{"}) == []


ASSOCIATION = "aws:wafv2/webAclAssociation:WebAclAssociation"


def test_public_endpoints_have_a_waf():
    alb = stack_resource("aws:lb/loadBalancer:LoadBalancer", {"arn": "arn:alb/1", "internal": False}, name="web")
    internal = stack_resource("aws:lb/loadBalancer:LoadBalancer", {"arn": "arn:alb/2", "internal": True}, name="inner")
    nlb = stack_resource("aws:lb/loadBalancer:LoadBalancer", {"arn": "arn:nlb/3", "loadBalancerType": "network"},
                         name="nlb")
    assert violation_count(public_endpoints_waf, [alb, internal, nlb]) == 1
    association = stack_resource(ASSOCIATION, {"resourceArn": "arn:alb/1", "webAclArn": "arn:waf"}, name="web-waf")
    assert violation_count(public_endpoints_waf, [alb, internal, nlb, association]) == 0
    pending = stack_resource(ASSOCIATION, {"resourceArn": UNKNOWN}, name="web-waf",
                             property_dependencies={"resourceArn": [alb.urn]})
    assert violation_count(public_endpoints_waf, [alb, pending]) == 0
    unknown = stack_resource("aws:lb/loadBalancer:LoadBalancer", {"arn": "arn:alb/4", "internal": UNKNOWN}, name="u")
    assert violation_count(public_endpoints_waf, [unknown]) == 0



def test_public_app_runner_services_have_a_waf():
    service = "aws:apprunner/service:Service"
    assert_inputs_in_sdk(service, ("networkConfiguration", "ingressConfiguration", "isPubliclyAccessible"))
    source = {"imageRepository": {"imageIdentifier": "123456789012.dkr.ecr.us-east-1.amazonaws.com/m:1",
                                  "imageRepositoryType": "ECR"}}
    public = stack_resource(service, {"arn": "arn:apprunner/1", "sourceConfiguration": source}, name="scorer")
    [message] = violations(public_endpoints_waf, stack_args([public]))
    assert "'scorer'" in message and "is a public App Runner service with no WAF web ACL" in message
    explicit = stack_resource(service, {"arn": "arn:apprunner/2", "networkConfiguration": {
        "ingressConfiguration": {"isPubliclyAccessible": True}}}, name="explicit")
    association = stack_resource(ASSOCIATION, {"resourceArn": "arn:apprunner/2", "webAclArn": "arn:waf"}, name="waf")
    assert violation_count(public_endpoints_waf, [explicit]) == 1
    assert violation_count(public_endpoints_waf, [explicit, association]) == 0
    private = stack_resource(service, {"arn": "arn:apprunner/3", "networkConfiguration": {
        "ingressConfiguration": {"isPubliclyAccessible": False}}}, name="private")
    pending = stack_resource(service, {"arn": "arn:apprunner/4", "networkConfiguration": {
        "ingressConfiguration": {"isPubliclyAccessible": UNKNOWN}}}, name="pending")
    assert violation_count(public_endpoints_waf, [private, pending]) == 0

def test_awsx_application_load_balancers_have_a_waf():
    # awsx's ApplicationLoadBalancer builds an aws.lb.LoadBalancer from the inputs it passes on
    # (lb/applicationLoadBalancer.ts) with no web ACL; offline the component is one opaque resource.
    alb = stack_resource("awsx:lb:ApplicationLoadBalancer", {"subnetIds": ["subnet-1"]}, name="api")
    [message] = violations(public_endpoints_waf, stack_args([alb]))
    assert "'api' (its load balancer) is an internet-facing application load balancer" in message
    internal = stack_resource("awsx:lb:ApplicationLoadBalancer", {"internal": True}, name="inner")
    pending = stack_resource("awsx:lb:ApplicationLoadBalancer", {"internal": UNKNOWN}, name="pending")
    assert violation_count(public_endpoints_waf, [internal, pending]) == 0
    # The association names alb.load_balancer.arn: unknown offline, but it depends on the component.
    association = stack_resource(ASSOCIATION, {"resourceArn": UNKNOWN, "webAclArn": "arn:waf"}, name="api-waf",
                                 property_dependencies={"resourceArn": [alb.urn]})
    assert violation_count(public_endpoints_waf, [alb, association]) == 0


def test_rest_stages_and_graphql_apis_have_a_waf_unless_private():
    private_api = stack_resource("aws:apigateway/restApi:RestApi", {"id": "priv", "endpointConfiguration": {
        "types": ["PRIVATE"]}}, name="private-api")
    public_api = stack_resource("aws:apigateway/restApi:RestApi", {"id": "pub", "endpointConfiguration": {
        "types": ["REGIONAL"]}}, name="public-api")
    private_stage = stack_resource("aws:apigateway/stage:Stage", {"arn": "arn:stage/priv", "restApi": "priv"},
                                   name="private-stage")
    public_stage = stack_resource("aws:apigateway/stage:Stage", {"arn": "arn:stage/pub", "restApi": "pub"},
                                  name="public-stage")
    [message] = violations(public_endpoints_waf, stack_args([private_api, public_api, private_stage, public_stage]))
    assert "'public-stage'" in message and "a REST API stage" in message
    graph = stack_resource("aws:appsync/graphQLApi:GraphQLApi", {"arn": "arn:graph/1"}, name="graph")
    private_graph = stack_resource("aws:appsync/graphQLApi:GraphQLApi", {"arn": "arn:graph/2", "visibility": "PRIVATE"},
                                   name="private-graph")
    assert violation_count(public_endpoints_waf, [graph, private_graph]) == 1


def violation_count(policy, resources):
    return len(violations(policy, stack_args(resources)))


def test_ssm_secure_strings_use_a_customer_managed_key():
    parameter = "aws:ssm/parameter:Parameter"
    assert found(ssm_parameter_cmk, parameter, {"type": "SecureString", "keyId": KEY}) == []
    assert "keyId not set" in found(ssm_parameter_cmk, parameter, {"type": "SecureString"})[0]
    assert "alias/aws/ssm" in found(ssm_parameter_cmk, parameter, {"type": "SecureString", "keyId": "alias/aws/ssm"})[0]
    assert found(ssm_parameter_cmk, parameter, {"type": "String"}) == []
    assert found(ssm_parameter_cmk, parameter, {"type": "SecureString"}, {"requireCustomerManagedKey": False}) == []
    assert found(ssm_parameter_cmk, parameter, {"type": "SecureString", "keyId": UNKNOWN}) == []



def test_dms_endpoints_use_tls():
    endpoint = "aws:dms/endpoint:Endpoint"
    source = {"endpointId": "orders", "endpointType": "source", "engineName": "postgres", "sslMode": "verify-full"}
    assert found(dms_endpoint_tls, endpoint, source) == []
    assert "not set (none)" in found(dms_endpoint_tls, endpoint, {**source, "sslMode": None})[0]
    assert len(found(dms_endpoint_tls, endpoint, {**source, "sslMode": "none"})) == 1
    assert found(dms_endpoint_tls, endpoint, {**source, "engineName": "kinesis", "sslMode": None}) == []
    assert found(dms_endpoint_tls, endpoint, {**source, "sslMode": UNKNOWN}) == []


def test_config_records_every_resource_type():
    recorder = "aws:cfg/recorder:Recorder"
    assert found(config_recorder_all_resources, recorder, {"roleArn": "arn:role"}) == []
    assert found(config_recorder_all_resources, recorder, {"recordingGroup": {"allSupported": True}}) == []
    assert len(found(config_recorder_all_resources, recorder, {"recordingGroup": {
        "allSupported": False, "resourceTypes": ["AWS::S3::Bucket"]}})) == 1
    assert found(config_recorder_all_resources, recorder, {"recordingGroup": {"allSupported": UNKNOWN}}) == []



def test_caches_authenticate_clients():
    group = "aws:elasticache/replicationGroup:ReplicationGroup"
    base = {"description": "cache", "engine": "valkey", "transitEncryptionEnabled": True}
    assert found(cache_authentication, group, {**base, "userGroupIds": ["app-users"]}) == []
    assert found(cache_authentication, group, {**base, "authToken": "s3cr3t-t0ken-value"}) == []
    assert found(cache_authentication, group, {**base, "authTokenWoVersion": 1}) == []
    assert "requires no authentication" in found(cache_authentication, group, base)[0]
    assert found(cache_authentication, group, {**base, "userGroupIds": UNKNOWN}) == []
    cluster = "aws:memorydb/cluster:Cluster"
    assert found(cache_authentication, cluster, {"aclName": "app-acl", "nodeType": "db.r7g.large"}) == []
    assert len(found(cache_authentication, cluster, {"aclName": "open-access"})) == 1
    assert found(cache_authentication, cluster, {"aclName": UNKNOWN}) == []


def test_cache_rbac_users_authenticate():
    user, group = "aws:elasticache/user:User", "aws:elasticache/userGroup:UserGroup"
    for path in (("noPasswordRequired",), ("authenticationMode", "type"), ("accessString",)):
        assert_inputs_in_sdk(user, path)
    assert_inputs_in_sdk(group, ("userIds",))
    base = {"userId": "ranker", "userName": "ranker", "engine": "redis", "accessString": "on ~features:* +@read"}
    assert found(cache_authentication, user, {**base, "authenticationMode": {"type": "iam"}}) == []
    assert found(cache_authentication, user, {**base, "passwords": ["a-long-password-from-config"]}) == []
    assert found(cache_authentication, user, {**base, "noPasswordRequired": True}) == [
        f"{user} 'subject' is enabled ('on ~features:* +@read') and needs no password: any client that reaches a cache "
        "whose user group holds it signs in as this user"]
    assert len(found(cache_authentication, user, {**base, "authenticationMode": {"type": "no-password-required"}})) == 1
    # a disabled user (the last on/off is off, or neither is written) lets no one in
    for access in ("off ~* -@all", "on ~* +@all off", "~* +@all"):
        assert found(cache_authentication, user, {**base, "accessString": access, "noPasswordRequired": True}) == []
    assert found(cache_authentication, user, {**base, "noPasswordRequired": UNKNOWN}) == []
    assert found(cache_authentication, user, {**base, "accessString": UNKNOWN, "noPasswordRequired": True}) == []
    assert found(cache_authentication, group, {"userGroupId": "app", "engine": "redis",
                                               "userIds": ["app-default", "ranker"]}) == []
    [message] = found(cache_authentication, group, {"userGroupId": "app", "engine": "redis",
                                                    "userIds": ["default", "ranker"]})
    assert "holds the built-in user 'default' (every command on every key, no password)" in message
    assert found(cache_authentication, group, {"userGroupId": "app", "userIds": UNKNOWN}) == []
    assert found(cache_authentication, group, {"userGroupId": "app", "userIds": [UNKNOWN, "ranker"]}) == []
