"""Small foreign programs, as `pulumi stack export` documents: resources written the way any
pulumi-aws 7 program could declare them (not our components), each case one resource (or a few)
with ONE wrong setting, and its compliant twin with that setting right.

``deployment(misconfigured=True)`` is the plan of every case with its wrong setting;
``deployment(misconfigured=False)`` the same resources set right. ``CASES`` names, per case, the rule
that must catch it. Used by the rule tests, the fuzz tests and the Checkov comparison
(``benchmarks/checkov_compare.py``).
"""

from __future__ import annotations

import base64
import copy
import json
from dataclasses import dataclass, field
from typing import Any, Callable

STACK, PROJECT = "foreign", "foreign"
PREFIX = f"urn:pulumi:{STACK}::{PROJECT}::"
ROOT = f"{PREFIX}pulumi:pulumi:Stack::{PROJECT}-{STACK}"
KEY = "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"
TAGS = {"owner": "data", "cost-center": "42", "environment": "prod", "data-classification": "internal"}
SECRET_ARN = "arn:aws:secretsmanager:us-east-1:123456789012:secret:db-AbCdEf"


@dataclass
class Case:
    """One misconfiguration: ``resources`` (name, type, compliant inputs) and ``wrong`` applied to the first."""

    name: str
    rule: str
    resources: list[tuple[str, str, dict[str, Any]]]
    wrong: Callable[[dict[str, Any]], None]
    dependencies: dict[str, dict[str, list[str]]] = field(default_factory=dict)


def _set(*path: Any, value: Any) -> Callable[[dict[str, Any]], None]:
    def apply(props: dict[str, Any]) -> None:
        target = props
        for step in path[:-1]:
            target = target[step]
        if value is _DELETE:
            target.pop(path[-1], None)
        else:
            target[path[-1]] = value
    return apply


_DELETE = object()


def _urn(type_: str, name: str) -> str:
    return f"{PREFIX}{type_}::{name}"


RDS = {"engine": "postgres", "instanceClass": "db.t4g.medium", "allocatedStorage": 20, "storageEncrypted": True,
       "enabledCloudwatchLogsExports": ["postgresql", "upgrade"],
       "kmsKeyId": KEY, "publiclyAccessible": False, "deletionProtection": True, "backupRetentionPeriod": 14,
       "manageMasterUserPassword": True, "username": "app", "multiAz": True, "iamDatabaseAuthenticationEnabled": True,
       "tags": TAGS}
DYNAMO = {"billingMode": "PAY_PER_REQUEST", "hashKey": "id", "attributes": [{"name": "id", "type": "S"}],
          "serverSideEncryption": {"enabled": True, "kmsKeyArn": KEY}, "pointInTimeRecovery": {"enabled": True},
          "deletionProtectionEnabled": True, "tags": TAGS}
OPENSEARCH = {"engineVersion": "OpenSearch_2.13", "encryptAtRest": {"enabled": True, "kmsKeyId": KEY},
              "nodeToNodeEncryption": {"enabled": True},
              "domainEndpointOptions": {"enforceHttps": True, "tlsSecurityPolicy": "Policy-Min-TLS-1-2-2019-07"},
              "vpcOptions": {"subnetIds": ["subnet-0a1b2c3d"], "securityGroupIds": ["sg-0a1b2c3d"]},
              "logPublishingOptions": [{"logType": "AUDIT_LOGS", "cloudwatchLogGroupArn": "arn:aws:logs:::search"}],
              "tags": TAGS}
REDIS = {"description": "cache", "engine": "redis", "nodeType": "cache.t4g.small", "atRestEncryptionEnabled": True,
         "kmsKeyId": KEY, "transitEncryptionEnabled": True, "snapshotRetentionLimit": 7, "tags": TAGS,
         "logDeliveryConfigurations": [{"destination": "cache-logs", "destinationType": "cloudwatch-logs",
                                        "logFormat": "json", "logType": "slow-log"}]}
MSK = {"clusterName": "events", "kafkaVersion": "3.6.0", "numberOfBrokerNodes": 3,
       "brokerNodeGroupInfo": {"instanceType": "kafka.m5.large", "clientSubnets": ["subnet-1", "subnet-2", "subnet-3"],
                               "securityGroups": ["sg-1"]},
       "encryptionInfo": {"encryptionAtRestKmsKeyArn": KEY,
                          "encryptionInTransit": {"clientBroker": "TLS", "inCluster": True}},
       "loggingInfo": {"brokerLogs": {"cloudwatchLogs": {"enabled": True, "logGroup": "msk"}}}, "tags": TAGS}
INSTANCE = {"ami": "ami-0abcdef1234567890", "instanceType": "t3.micro", "subnetId": "subnet-0a1b2c3d",
            "metadataOptions": {"httpTokens": "required", "httpEndpoint": "enabled"},
            "rootBlockDevice": {"encrypted": True, "kmsKeyId": KEY}, "associatePublicIpAddress": False,
            "monitoring": True, "ebsOptimized": True, "iamInstanceProfile": "web", "tags": TAGS}
ALB = {"internal": True, "loadBalancerType": "application", "dropInvalidHeaderFields": True,
       "subnets": ["subnet-1", "subnet-2"], "securityGroups": ["sg-1"], "enableDeletionProtection": True,
       "accessLogs": {"bucket": "alb-logs", "enabled": True}, "tags": TAGS}
LISTENER = {"loadBalancerArn": "arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/app/web/1",
            "port": 443, "protocol": "HTTPS", "sslPolicy": "ELBSecurityPolicy-TLS13-1-2-2021-06",
            "certificateArn": "arn:aws:acm:us-east-1:123456789012:certificate/1",
            "defaultActions": [{"type": "forward", "targetGroupArn": "arn:aws:elasticloadbalancing:tg/1"}]}
CONTAINER = {"name": "app", "image": "123456789012.dkr.ecr.us-east-1.amazonaws.com/app:1.4.2", "essential": True,
             "user": "1000:1000", "readonlyRootFilesystem": True, "privileged": False,
             "environment": [{"name": "STAGE", "value": "prod"}],
             "secrets": [{"name": "DB_PASSWORD", "valueFrom": SECRET_ARN}]}


def _task(**changes: Any) -> dict[str, Any]:
    return {"family": "app", "networkMode": "awsvpc", "requiresCompatibilities": ["FARGATE"], "cpu": "256",
            "memory": "512", "containerDefinitions": json.dumps([{**CONTAINER, **changes}]), "tags": TAGS}


def _container_change(**changes: Any) -> Callable[[dict[str, Any]], None]:
    def apply(props: dict[str, Any]) -> None:
        props["containerDefinitions"] = json.dumps([{**CONTAINER, **changes}])
    return apply


LAMBDA = {"runtime": "python3.12", "handler": "app.handler", "role": "arn:aws:iam::123456789012:role/fn",
          "kmsKeyArn": KEY, "environment": {"variables": {"STAGE": "prod", "DB_SECRET_ARN": SECRET_ARN}},
          "vpcConfig": {"subnetIds": ["subnet-1"], "securityGroupIds": ["sg-1"]},
          "tracingConfig": {"mode": "Active"}, "reservedConcurrentExecutions": 10,
          "codeSigningConfigArn": "arn:aws:lambda:us-east-1:123456789012:code-signing-config:csc-0a1b2c3d",
          "deadLetterConfig": {"targetArn": "arn:aws:sqs:us-east-1:123456789012:dlq"}, "tags": TAGS}


def _policy(*statements: dict[str, Any]) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


SCOPED_ROLE = "arn:aws:iam::123456789012:role/training-job"
SCRIPT = "#!/bin/bash\nyum install -y nginx\nsystemctl start nginx\n"

K8S_CONTAINER = {"name": "app", "image": "123456789012.dkr.ecr.us-east-1.amazonaws.com/app:1.4.2",
                 "resources": {"requests": {"cpu": "500m", "memory": "1Gi"}, "limits": {"memory": "1Gi"}},
                 "ports": [{"containerPort": 8080}],
                 "securityContext": {"allowPrivilegeEscalation": False, "runAsNonRoot": True, "runAsUser": 1000,
                                     "readOnlyRootFilesystem": True, "capabilities": {"drop": ["ALL"]}}}
K8S_POD = {"containers": [K8S_CONTAINER], "securityContext": {"seccompProfile": {"type": "RuntimeDefault"}}}


def _k8s(kind: str, spec: dict[str, Any], name: str) -> dict[str, Any]:
    return {"apiVersion": kind, "metadata": {"name": name, "namespace": "ml"}, "spec": spec}


def _template(pod: dict[str, Any] = K8S_POD) -> dict[str, Any]:
    return {"replicas": 2, "selector": {"matchLabels": {"app": "app"}},
            "template": {"metadata": {"labels": {"app": "app"}}, "spec": copy.deepcopy(pod)}}


def _pod_change(*path: Any, value: Any, container: bool = False) -> Callable[[dict[str, Any]], None]:
    """Change the first pod spec of a built-in workload (or its first container)."""
    def apply(props: dict[str, Any]) -> None:
        spec = props["spec"]
        for step in ("jobTemplate", "spec", "template", "spec") if "jobTemplate" in spec else ("template", "spec"):
            spec = spec[step] if step in spec else spec
        _set(*((("containers", 0) if container else ()) + path), value=value)(spec)
    return apply


RAY = {"apiVersion": "ray.io/v1", "kind": "RayCluster", "metadata": {"name": "ray", "namespace": "ml"},
       "spec": {"headGroupSpec": {"template": {"spec": copy.deepcopy(K8S_POD)}},
                "workerGroupSpecs": [{"groupName": "gpu", "replicas": 2, "template": {"spec": copy.deepcopy(K8S_POD)}}]}}
PYTORCH_JOB = {"apiVersion": "kubeflow.org/v1", "kind": "PyTorchJob", "metadata": {"name": "ddp", "namespace": "ml"},
               "spec": {"pytorchReplicaSpecs": {"Master": {"replicas": 1, "template": {"spec": copy.deepcopy(K8S_POD)}},
                                                "Worker": {"replicas": 3, "template": {"spec": copy.deepcopy(K8S_POD)}}}}}
SM_VPC = {"subnets": ["subnet-0a1b2c3d"], "securityGroupIds": ["sg-0a1b2c3d"]}
TRAINING_JOB = {"trainingJobName": "churn-train", "roleArn": SCOPED_ROLE.replace("training-job", "sagemaker"),
                "algorithmSpecification": {"trainingImage": "123456789012.dkr.ecr.us-east-1.amazonaws.com/train:1",
                                           "trainingInputMode": "File"},
                "resourceConfig": {"instanceType": "ml.m5.xlarge", "instanceCount": 2, "volumeSizeInGb": 50,
                                   "volumeKmsKeyId": KEY},
                "outputDataConfig": {"s3OutputPath": "s3://models/churn", "kmsKeyId": KEY},
                "vpcConfig": SM_VPC, "enableNetworkIsolation": True, "enableInterContainerTrafficEncryption": True,
                "stoppingCondition": {"maxRuntimeInSeconds": 3600}, "tags": TAGS}
DATA_QUALITY = {"roleArn": SCOPED_ROLE, "dataQualityAppSpecification": {
                    "imageUri": "156813124566.dkr.ecr.us-east-1.amazonaws.com/sagemaker-model-monitor-analyzer"},
                "dataQualityJobInput": {"endpointInput": {"endpointName": "churn", "localPath": "/opt/ml/input"}},
                "dataQualityJobOutputConfig": {"kmsKeyId": KEY, "monitoringOutputs": {"s3Output": {
                    "s3Uri": "s3://monitor/churn", "localPath": "/opt/ml/output"}}},
                "jobResources": {"clusterConfig": {"instanceType": "ml.m5.large", "instanceCount": 1,
                                                   "volumeSizeInGb": 20, "volumeKmsKeyId": KEY}},
                "networkConfig": {"enableNetworkIsolation": True, "enableInterContainerTrafficEncryption": True,
                                  "vpcConfig": SM_VPC}, "tags": TAGS}
NOTEBOOK = {"instanceType": "ml.t3.medium", "roleArn": SCOPED_ROLE, "directInternetAccess": "Disabled",
            "subnetId": "subnet-0a1b2c3d", "securityGroups": ["sg-0a1b2c3d"], "rootAccess": "Disabled",
            "kmsKeyId": KEY, "instanceMetadataServiceConfiguration": {"minimumInstanceMetadataServiceVersion": "2"},
            "tags": TAGS}
STUDIO = {"domainName": "research", "authMode": "IAM", "vpcId": "vpc-1", "subnetIds": ["subnet-0a1b2c3d"],
          "appNetworkAccessType": "VpcOnly", "kmsKeyId": KEY,
          "defaultUserSettings": {"executionRole": SCOPED_ROLE, "securityGroups": ["sg-0a1b2c3d"]}, "tags": TAGS}
def _arn(name: str) -> str:
    """The ARN ``deployment`` gives the resource named ``name`` (see ``_with_outputs``)."""
    return f"arn:aws:foreign:us-east-1:123456789012:{name}"


PASSWORD_POLICY = {"minimumPasswordLength": 14, "requireLowercaseCharacters": True, "requireUppercaseCharacters": True,
                   "requireNumbers": True, "requireSymbols": True, "passwordReusePrevention": 24,
                   "allowUsersToChangePassword": True}
DISTRIBUTION = {"enabled": True, "origins": [{"domainName": "site.s3.amazonaws.com", "originId": "site"}],
                "defaultCacheBehavior": {"targetOriginId": "site", "viewerProtocolPolicy": "redirect-to-https",
                                         "allowedMethods": ["GET", "HEAD"], "cachedMethods": ["GET", "HEAD"]},
                "viewerCertificate": {"acmCertificateArn": "arn:aws:acm:us-east-1:123456789012:certificate/1",
                                      "sslSupportMethod": "sni-only", "minimumProtocolVersion": "TLSv1.2_2021"},
                "restrictions": {"geoRestriction": {"restrictionType": "none"}},
                "webAclId": "arn:aws:wafv2:us-east-1:123456789012:global/webacl/edge/1",
                "loggingConfig": {"bucket": "edge-logs.s3.amazonaws.com"}, "tags": TAGS}
KNOWN_BAD_INPUTS_RULE = {
    "name": "known-bad-inputs", "priority": 1, "overrideAction": {"none": {}},
    "statement": {"managedRuleGroupStatement": {"name": "AWSManagedRulesKnownBadInputsRuleSet", "vendorName": "AWS"}},
    "visibilityConfig": {"cloudwatchMetricsEnabled": True, "metricName": "bad-inputs", "sampledRequestsEnabled": True}}
WEB_ACL = {"scope": "REGIONAL", "defaultAction": {"allow": {}}, "rules": [KNOWN_BAD_INPUTS_RULE],
           "visibilityConfig": {"cloudwatchMetricsEnabled": True, "metricName": "api", "sampledRequestsEnabled": True},
           "tags": TAGS}
METHOD_SETTINGS = {"restApi": "api-id", "stageName": "prod", "methodPath": "*/*",
                   "settings": {"metricsEnabled": True, "loggingLevel": "ERROR", "dataTraceEnabled": False,
                                "cachingEnabled": True, "cacheDataEncrypted": True}}
BROKER = {"brokerName": "jobs", "engineType": "ActiveMQ", "engineVersion": "5.18", "hostInstanceType": "mq.m5.large",
          "publiclyAccessible": False, "subnetIds": ["subnet-1"], "securityGroups": ["sg-1"],
          "encryptionOptions": {"useAwsOwnedKey": False, "kmsKeyId": KEY}, "logs": {"general": True, "audit": True},
          "users": [{"username": "app", "password": "{{resolve:secretsmanager:mq}}"}], "tags": TAGS}
AURORA_MYSQL = {"engine": "aurora-mysql", "storageEncrypted": True, "kmsKeyId": KEY, "deletionProtection": True,
                "backupRetentionPeriod": 14, "manageMasterUserPassword": True, "masterUsername": "app",
                "iamDatabaseAuthenticationEnabled": True, "enabledCloudwatchLogsExports": ["audit", "error", "slowquery"],
                "tags": TAGS}
RECIPE = {"name": "base", "version": "1.0.0", "parentImage": "arn:aws:imagebuilder:us-east-1:aws:image/amazon-linux-2023-x86/x.x.x",
          "components": [{"componentArn": "arn:aws:imagebuilder:us-east-1:aws:component/update-linux/x.x.x"}],
          "blockDeviceMappings": [{"deviceName": "/dev/xvda", "ebs": {"encrypted": "true", "kmsKeyId": KEY,
                                                                       "volumeSize": 30, "volumeType": "gp3"}}],
          "tags": TAGS}
PIPELINE = {"roleArn": "arn:aws:iam::123456789012:role/pipeline", "artifactStores": [
    {"location": "pipeline-artifacts", "type": "S3", "encryptionKey": {"id": KEY, "type": "KMS"}}],
    "stages": [{"name": "Source", "actions": [{"name": "Source", "category": "Source", "owner": "AWS",
                                               "provider": "S3", "version": "1", "outputArtifacts": ["src"],
                                               "configuration": {"S3Bucket": "src", "S3ObjectKey": "app.zip"}}]}],
    "tags": TAGS}
DLM_POLICY = {"description": "daily snapshots", "executionRoleArn": "arn:aws:iam::123456789012:role/dlm", "state": "ENABLED",
              "policyDetails": {"resourceTypes": ["VOLUME"], "targetTags": {"backup": "daily"}, "schedules": [
                  {"name": "daily", "createRule": {"interval": 24, "intervalUnit": "HOURS", "times": "03:00"},
                   "retainRule": {"count": 14},
                   "crossRegionCopyRules": [{"target": "eu-west-1", "encrypted": True, "cmkArn": KEY,
                                             "retainRule": {"interval": 14, "intervalUnit": "DAYS"}}]}]},
              "tags": TAGS}

ECS_EXEC_CLUSTER = {"configuration": {"executeCommandConfiguration": {
    "kmsKeyId": KEY, "logging": "OVERRIDE", "logConfiguration": {"cloudWatchEncryptionEnabled": True,
                                                                  "cloudWatchLogGroupName": "/ecs/exec"}}},
    "settings": [{"name": "containerInsights", "value": "enabled"}], "tags": TAGS}
EFS_ACCESS_POINT = {"fileSystemId": "fs-0a1b2c3d", "posixUser": {"uid": 1000, "gid": 1000},
                    "rootDirectory": {"path": "/shared", "creationInfo": {"ownerUid": 1000, "ownerGid": 1000,
                                                                          "permissions": "750"}}, "tags": TAGS}

RATE_RULE = {"name": "rate-limit", "priority": 2, "action": {"block": {}},
             "statement": {"rateBasedStatement": {"limit": 2000, "aggregateKeyType": "IP"}},
             "visibilityConfig": {"cloudwatchMetricsEnabled": True, "metricName": "rate", "sampledRequestsEnabled": True}}
TRANSFER_SERVER = {"protocols": ["SFTP"], "endpointType": "VPC", "identityProviderType": "SERVICE_MANAGED",
                   "endpointDetails": {"vpcId": "vpc-1", "subnetIds": ["subnet-1"], "securityGroupIds": ["sg-1"]},
                   "securityPolicyName": "TransferSecurityPolicy-2025-03", "tags": TAGS}

SESSION_DOCUMENT = {"name": "SSM-SessionManagerRunShell", "documentType": "Session", "documentFormat": "JSON",
                    "content": json.dumps({"schemaVersion": "1.0", "sessionType": "Standard_Stream", "inputs": {
                        "kmsKeyId": KEY, "cloudWatchLogGroupName": "/ssm/sessions",
                        "cloudWatchEncryptionEnabled": True, "s3EncryptionEnabled": True,
                        "runAsEnabled": False}}), "tags": TAGS}

#: Checkov gaps, second round (docs/policies.md, "Wider than ML").
GAP_CASES: list[Case] = [
    Case("rds-no-iam-auth", "data-store-iam-authentication", [("reports-db", "aws:rds/instance:Instance", RDS)],
         _set("iamDatabaseAuthenticationEnabled", value=_DELETE)),
    Case("neptune-no-iam-auth", "data-store-iam-authentication",
         [("graph", "aws:neptune/cluster:Cluster", {"engine": "neptune", "storageEncrypted": True, "kmsKeyArn": KEY,
                                                     "deletionProtection": True, "backupRetentionPeriod": 7,
                                                     "iamDatabaseAuthenticationEnabled": True,
                                                     "enableCloudwatchLogsExports": ["audit"], "tags": TAGS})],
         _set("iamDatabaseAuthenticationEnabled", value=False)),
    Case("aurora-mysql-no-audit-log", "data-store-logging", [("shop-aurora", "aws:rds/cluster:Cluster", AURORA_MYSQL)],
         _set("enabledCloudwatchLogsExports", value=["error", "slowquery"])),
    Case("rds-insights-aws-key", "data-store-customer-managed-key",
         [("insights-db", "aws:rds/instance:Instance", {**RDS, "performanceInsightsEnabled": True,
                                                        "performanceInsightsKmsKeyId": KEY})],
         _set("performanceInsightsKmsKeyId", value=_DELETE)),
    Case("redis-cluster-no-snapshots", "data-store-backups",
         [("sessions-cache", "aws:elasticache/cluster:Cluster",
           {"engine": "redis", "nodeType": "cache.t4g.small", "numCacheNodes": 1, "snapshotRetentionLimit": 7,
            "tags": TAGS})],
         _set("snapshotRetentionLimit", value=0)),
    Case("image-recipe-aws-key", "data-store-customer-managed-key",
         [("base-recipe", "aws:imagebuilder/imageRecipe:ImageRecipe", RECIPE)],
         _set("blockDeviceMappings", 0, "ebs", "kmsKeyId", value=_DELETE)),
    Case("image-recipe-unencrypted", "data-store-encrypted-at-rest",
         [("plain-recipe", "aws:imagebuilder/imageRecipe:ImageRecipe", RECIPE)],
         _set("blockDeviceMappings", 0, "ebs", "encrypted", value="false")),
    Case("pipeline-aws-key", "data-store-customer-managed-key",
         [("release", "aws:codepipeline/pipeline:Pipeline", PIPELINE)],
         _set("artifactStores", 0, "encryptionKey", value=_DELETE)),
    Case("athena-database-plain", "data-store-encrypted-at-rest",
         [("analytics", "aws:athena/database:Database",
           {"name": "analytics", "bucket": "athena-results",
            "encryptionConfiguration": {"encryptionOption": "SSE_KMS", "kmsKey": KEY}})],
         _set("encryptionConfiguration", value=_DELETE)),
    Case("dlm-copy-unencrypted", "data-store-encrypted-at-rest",
         [("ebs-snapshots", "aws:dlm/lifecyclePolicy:LifecyclePolicy", DLM_POLICY)],
         _set("policyDetails", "schedules", 0, "crossRegionCopyRules", 0, "encrypted", value=False)),
    Case("appflow-aws-key", "data-store-customer-managed-key",
         [("crm-sync", "aws:appflow/flow:Flow",
           {"kmsArn": KEY, "sourceFlowConfig": {"connectorType": "Salesforce", "sourceConnectorProperties": {
               "salesforce": {"object": "Account"}}}, "destinationFlowConfigs": [{"connectorType": "S3",
               "destinationConnectorProperties": {"s3": {"bucketName": "crm"}}}],
            "tasks": [{"taskType": "Map_all", "sourceFields": []}], "triggerConfig": {"triggerType": "OnDemand"},
            "tags": TAGS})],
         _set("kmsArn", value=_DELETE)),
    Case("default-vpc-adopted", "no-default-vpc",
         [("default", "aws:ec2/defaultVpc:DefaultVpc", {"enableDnsHostnames": True, "tags": TAGS})], lambda props: None),
    Case("subnet-auto-public-ip", "subnet-no-public-ip-on-launch",
         [("web-a", "aws:ec2/subnet:Subnet", {"vpcId": "vpc-1", "cidrBlock": "10.0.0.0/24",
                                              "availabilityZone": "us-east-1a", "tags": {**TAGS, "Name": "web-a"}})],
         _set("mapPublicIpOnLaunch", value=True)),
    Case("peering-route-everything", "vpc-peering-routes-scoped",
         [("to-shared", "aws:ec2/route:Route", {"routeTableId": "rtb-0a1b2c3d", "destinationCidrBlock": "10.20.0.0/16",
                                                "vpcPeeringConnectionId": "pcx-0a1b2c3d"})],
         _set("destinationCidrBlock", value="0.0.0.0/0")),
    Case("rds-expired-ca", "rds-ca-certificate-current",
         [("legacy-db", "aws:rds/instance:Instance", {**RDS, "caCertIdentifier": "rds-ca-rsa2048-g1"})],
         _set("caCertIdentifier", value="rds-ca-2019")),
    Case("redshift-no-vpc-routing", "redshift-enhanced-vpc-routing",
         [("marts", "aws:redshift/cluster:Cluster",
           {"nodeType": "ra3.xlplus", "encrypted": True, "kmsKeyId": KEY, "publiclyAccessible": False,
            "automatedSnapshotRetentionPeriod": 7, "manageMasterPassword": True, "masterUsername": "admin",
            "enhancedVpcRouting": True, "tags": TAGS})],
         _set("enhancedVpcRouting", value=False)),
    Case("docdb-no-audit", "docdb-audit-logs",
         [("docdb-audit-params", "aws:docdb/clusterParameterGroup:ClusterParameterGroup",
           {"family": "docdb5.0", "parameters": [{"name": "tls", "value": "enabled"},
                                                 {"name": "audit_logs", "value": "enabled"}], "tags": TAGS})],
         _set("parameters", value=[{"name": "tls", "value": "enabled"}])),
    Case("postgres-no-statement-log", "postgres-query-logging",
         [("pg-logging-params", "aws:rds/parameterGroup:ParameterGroup",
           {"name": "pg-logging-params", "family": "postgres16", "parameters": [
               {"name": "log_statement", "value": "ddl"}, {"name": "log_min_duration_statement", "value": "500"}],
            "tags": TAGS}),
          ("pg-app", "aws:rds/instance:Instance", {**RDS, "parameterGroupName": "pg-logging-params"})],
         _set("parameters", value=[{"name": "rds.force_ssl", "value": "1"}])),
    Case("ecs-exec-unlogged", "data-store-logging",
         [("apps-cluster", "aws:ecs/cluster:Cluster", {**ECS_EXEC_CLUSTER})],
         _set("configuration", "executeCommandConfiguration", "logging", value="NONE")),
    Case("ecs-exec-aws-key", "data-store-customer-managed-key",
         [("jobs-cluster", "aws:ecs/cluster:Cluster", {**ECS_EXEC_CLUSTER})],
         _set("configuration", "executeCommandConfiguration", "kmsKeyId", value=_DELETE)),
    Case("ecs-task-one-role", "ecs-task-separate-execution-role",
         [("worker-task", "aws:ecs/taskDefinition:TaskDefinition",
           {**_task(), "executionRoleArn": "arn:aws:iam::123456789012:role/ecs-execution",
            "taskRoleArn": "arn:aws:iam::123456789012:role/worker"})],
         _set("taskRoleArn", value="arn:aws:iam::123456789012:role/ecs-execution")),
    Case("function-url-open-cors", "lambda-function-url-cors-restricted",
         [("webhook-url", "aws:lambda/functionUrl:FunctionUrl",
           {"functionName": "webhook", "authorizationType": "AWS_IAM",
            "cors": {"allowOrigins": ["https://app.example.com"], "allowMethods": ["*"], "maxAge": 300}})],
         _set("cors", "allowOrigins", value=["*"])),
    Case("lambda-unsigned", "lambda-code-signing", [("thumbnailer", "aws:lambda/function:Function", LAMBDA)],
         _set("codeSigningConfigArn", value=_DELETE)),
    Case("efs-access-point-root", "efs-access-point-root-directory",
         [("models-ap", "aws:efs/accessPoint:AccessPoint", EFS_ACCESS_POINT)],
         _set("rootDirectory", "path", value="/")),
    Case("efs-access-point-any-user", "efs-access-point-posix-user",
         [("datasets-ap", "aws:efs/accessPoint:AccessPoint", EFS_ACCESS_POINT)],
         _set("posixUser", value=_DELETE)),
    Case("codebuild-no-logs", "codebuild-logging",
         [("unit-tests", "aws:codebuild/project:Project",
           {"serviceRole": "arn:aws:iam::123456789012:role/codebuild", "encryptionKey": KEY,
            "artifacts": {"type": "NO_ARTIFACTS"}, "source": {"type": "GITHUB", "location": "https://github.com/o/r"},
            "environment": {"computeType": "BUILD_GENERAL1_SMALL", "image": "aws/codebuild/standard:7.0",
                            "type": "LINUX_CONTAINER"},
            "logsConfig": {"cloudwatchLogs": {"status": "ENABLED", "groupName": "/codebuild/unit-tests"}},
            "tags": TAGS})],
         _set("logsConfig", "cloudwatchLogs", "status", value="DISABLED")),
    Case("waf-acl-empty", "wafv2-web-acl-has-rules",
         [("empty-acl", "aws:wafv2/webAcl:WebAcl", WEB_ACL)], _set("rules", value=_DELETE)),
    Case("waf-rule-no-action", "wafv2-rules-have-actions",
         [("rate-acl", "aws:wafv2/webAcl:WebAcl", {**WEB_ACL, "rules": [KNOWN_BAD_INPUTS_RULE, RATE_RULE]})],
         _set("rules", 1, "action", value=_DELETE)),
    Case("waf-no-log4j-protection", "wafv2-known-bad-inputs",
         [("shop-acl", "aws:wafv2/webAcl:WebAcl", {**WEB_ACL, "rules": [KNOWN_BAD_INPUTS_RULE, RATE_RULE]})],
         _set("rules", 0, "overrideAction", value={"count": {}})),
    Case("zone-no-query-log", "route53-query-logging",
         [("example-zone-queries", "aws:route53/queryLog:QueryLog",
           {"zoneId": "example-zone-id",
            "cloudwatchLogGroupArn": "arn:aws:logs:us-east-1:123456789012:log-group:/aws/route53/example.com"}),
          ("example-zone", "aws:route53/zone:Zone", {"name": "example.com", "tags": TAGS})],
         _set("zoneId", value="another-zone-id")),
    Case("zone-unsigned", "route53-dnssec-signing",
         [("shop-zone-dnssec", "aws:route53/hostedZoneDnsSec:HostedZoneDnsSec", {"hostedZoneId": "shop-zone-id"}),
          ("shop-zone", "aws:route53/zone:Zone", {"name": "shop.example.com", "tags": TAGS})],
         _set("signingStatus", value="NOT_SIGNING")),
    Case("stage-no-execution-log", "apigateway-execution-logging",
         [("orders-settings", "aws:apigateway/methodSettings:MethodSettings",
           {"restApi": "orders-api", "stageName": "v1", "methodPath": "*/*",
            "settings": {"loggingLevel": "ERROR", "metricsEnabled": True, "dataTraceEnabled": False}}),
          ("orders-v1", "aws:apigateway/stage:Stage",
           {"restApi": "orders-api", "deployment": "dep-2", "stageName": "v1", "xrayTracingEnabled": True,
            "accessLogSettings": {"destinationArn": "arn:aws:logs:us-east-1:123456789012:log-group:orders",
                                  "format": "$context.requestId"}, "tags": TAGS})],
         _set("settings", "loggingLevel", value="OFF")),
    Case("alarm-muted", "cloudwatch-alarm-actions-enabled",
         [("errors-alarm", "aws:cloudwatch/metricAlarm:MetricAlarm",
           {"comparisonOperator": "GreaterThanThreshold", "evaluationPeriods": 1, "metricName": "5XXError",
            "namespace": "AWS/ApiGateway", "period": 60, "statistic": "Sum", "threshold": 5,
            "alarmActions": ["arn:aws:sns:us-east-1:123456789012:oncall"], "actionsEnabled": True, "tags": TAGS})],
         _set("actionsEnabled", value=False)),
    Case("headers-weak-hsts", "cloudfront-hsts",
         [("site-headers", "aws:cloudfront/responseHeadersPolicy:ResponseHeadersPolicy",
           {"name": "site-headers", "securityHeadersConfig": {
               "strictTransportSecurity": {"accessControlMaxAgeSec": 63072000, "includeSubdomains": True,
                                           "override": True},
               "contentTypeOptions": {"override": True}, "frameOptions": {"frameOption": "DENY", "override": True}}})],
         _set("securityHeadersConfig", "strictTransportSecurity", "accessControlMaxAgeSec", value=3600)),
    Case("transfer-public", "transfer-server-not-public",
         [("uploads-sftp", "aws:transfer/server:Server", TRANSFER_SERVER)], _set("endpointType", value="PUBLIC")),
    Case("transfer-old-policy", "transfer-server-security-policy",
         [("exchange-sftp", "aws:transfer/server:Server", TRANSFER_SERVER)], _set("securityPolicyName", value=_DELETE)),
    Case("classic-elb-tls10", "lb-listener-tls-policy",
         [("legacy-tls", "aws:elb/loadBalancerPolicy:LoadBalancerPolicy",
           {"loadBalancerName": "legacy-web", "policyName": "legacy-tls", "policyTypeName": "SSLNegotiationPolicyType",
            "policyAttributes": [{"name": "Reference-Security-Policy", "value": "ELBSecurityPolicy-TLS-1-2-2017-01"}]})],
         _set("policyAttributes", 0, "value", value="ELBSecurityPolicy-2016-08")),
    Case("s3-object-aws-key", "s3-object-customer-managed-key",
         [("model-artifact", "aws:s3/bucketObjectv2:BucketObjectv2",
           {"bucket": "models", "key": "churn/model.tar.gz", "source": "model.tar.gz",
            "serverSideEncryption": "aws:kms", "kmsKeyId": KEY, "tags": TAGS})],
         _set("kmsKeyId", value=_DELETE)),
    Case("session-no-kms", "ssm-session-kms-encryption",
         [("session-prefs", "aws:ssm/document:Document", SESSION_DOCUMENT)],
         lambda props: props.update(content=props["content"].replace(f'"kmsKeyId": "{KEY}"', '"kmsKeyId": ""'))),
    Case("session-unlogged", "ssm-session-logging",
         [("session-logging", "aws:ssm/document:Document", SESSION_DOCUMENT)],
         lambda props: props.update(content=props["content"].replace('"cloudWatchEncryptionEnabled": true',
                                                                     '"cloudWatchEncryptionEnabled": false'))),
    Case("aggregator-some-regions", "config-aggregator-all-regions",
         [("org-aggregator", "aws:cfg/configurationAggregator:ConfigurationAggregator",
           {"organizationAggregationSource": {"roleArn": "arn:aws:iam::123456789012:role/config-aggregator",
                                              "allRegions": True}, "tags": TAGS})],
         _set("organizationAggregationSource", value={"roleArn": "arn:aws:iam::123456789012:role/config-aggregator",
                                                      "regions": ["us-east-1", "eu-west-1"]})),
    Case("domain-unlocked", "route53-domain-transfer-lock",
         [("brand-domain", "aws:route53domains/registeredDomain:RegisteredDomain",
           {"domainName": "example.com", "autoRenew": True, "transferLock": True, "tags": TAGS})],
         _set("transferLock", value=False)),
    Case("accelerator-no-flow-logs", "global-accelerator-flow-logs",
         [("edge-accelerator", "aws:globalaccelerator/accelerator:Accelerator",
           {"name": "edge", "ipAddressType": "IPV4", "enabled": True,
            "attributes": {"flowLogsEnabled": True, "flowLogsS3Bucket": "edge-logs", "flowLogsS3Prefix": "ga/"},
            "tags": TAGS})],
         _set("attributes", "flowLogsEnabled", value=False)),
    Case("ses-optional-tls", "ses-tls-required",
         [("transactional", "aws:sesv2/configurationSet:ConfigurationSet",
           {"configurationSetName": "transactional", "deliveryOptions": {"tlsPolicy": "REQUIRE"}, "tags": TAGS})],
         _set("deliveryOptions", "tlsPolicy", value="OPTIONAL")),
    Case("cloudsearch-http", "data-store-tls-in-transit",
         [("docs-search", "aws:cloudsearch/domain:Domain",
           {"name": "docs", "endpointOptions": {"enforceHttps": True, "tlsSecurityPolicy": "Policy-Min-TLS-1-2-2019-07"}})],
         _set("endpointOptions", "enforceHttps", value=False)),
    Case("postgres-log-fdw-version", "rds-postgres-patched-version",
         [("legacy-pg", "aws:rds/instance:Instance", {**RDS, "engineVersion": "13.7"})],
         _set("engineVersion", value="13.2")),
    Case("bucket-policy-lockout", "s3-bucket-policy-no-lockout",
         [("vault-bucket-policy", "aws:s3/bucketPolicy:BucketPolicy",
           {"bucket": "vault", "policy": _policy({"Sid": "TlsOnly", "Effect": "Deny", "Principal": "*", "Action": "s3:*",
                                                  "Resource": ["arn:aws:s3:::vault", "arn:aws:s3:::vault/*"],
                                                  "Condition": {"Bool": {"aws:SecureTransport": "false"}}})})],
         lambda props: props.update(policy=_policy({"Sid": "TlsOnly", "Effect": "Deny", "Principal": "*",
                                                    "Action": "s3:*",
                                                    "Resource": ["arn:aws:s3:::vault", "arn:aws:s3:::vault/*"]}))),
    Case("activemq-no-audit-log", "data-store-logging", [("orders-broker", "aws:mq/broker:Broker", BROKER)],
         _set("logs", "audit", value=False)),
    Case("trail-stopped", "data-store-logging",
         [("org-trail", "aws:cloudtrail/trail:Trail",
           {"s3BucketName": "org-trail-logs", "isMultiRegionTrail": True, "enableLogFileValidation": True,
            "kmsKeyId": KEY, "includeGlobalServiceEvents": True, "enableLogging": True,
            "cloudWatchLogsGroupArn": "arn:aws:logs:us-east-1:123456789012:log-group:trail:*",
            "cloudWatchLogsRoleArn": "arn:aws:iam::123456789012:role/trail", "tags": TAGS})],
         _set("enableLogging", value=False)),
    Case("opensearch-no-audit-log", "data-store-logging", [("docs-search-domain", "aws:opensearch/domain:Domain",
                                                              OPENSEARCH)],
         _set("logPublishingOptions", value=[{"logType": "ES_APPLICATION_LOGS",
                                               "cloudwatchLogGroupArn": "arn:aws:logs:::search"}])),
    Case("activemq-old-engine", "mq-broker-supported-version", [("legacy-broker", "aws:mq/broker:Broker", BROKER)],
         _set("engineVersion", value="5.15.16")),
]


BREADTH_CASES: list[Case] = [
    Case("nacl-public-ssh", "nacl-no-public-admin-ingress",
         [("public-acl", "aws:ec2/networkAcl:NetworkAcl", {"vpcId": "vpc-1", "ingress": [
             {"ruleNo": 100, "action": "allow", "protocol": "tcp", "fromPort": 443, "toPort": 443,
              "cidrBlock": "0.0.0.0/0"},
             {"ruleNo": 110, "action": "allow", "protocol": "tcp", "fromPort": 22, "toPort": 22,
              "cidrBlock": "10.0.0.0/8"}], "tags": TAGS})],
         _set("ingress", 1, "cidrBlock", value="0.0.0.0/0")),
    Case("nacl-rule-rdp", "nacl-no-public-admin-ingress",
         [("rdp-rule", "aws:ec2/networkAclRule:NetworkAclRule",
           {"networkAclId": "acl-1", "ruleNumber": 120, "egress": False, "protocol": "tcp", "ruleAction": "deny",
            "cidrBlock": "0.0.0.0/0", "fromPort": 3389, "toPort": 3389})],
         _set("ruleAction", value="allow")),
    Case("password-policy-short", "iam-password-policy-strength",
         [("passwords", "aws:iam/accountPasswordPolicy:AccountPasswordPolicy", PASSWORD_POLICY)],
         _set("minimumPasswordLength", value=8)),
    Case("password-policy-reuse", "iam-password-policy-reuse",
         [("password-history", "aws:iam/accountPasswordPolicy:AccountPasswordPolicy", PASSWORD_POLICY)],
         _set("passwordReusePrevention", value=_DELETE)),
    Case("cognito-guests", "cognito-identity-pool-no-unauthenticated",
         [("app-identities", "aws:cognito/identityPool:IdentityPool",
           {"identityPoolName": "app", "allowUnauthenticatedIdentities": False, "tags": TAGS})],
         _set("allowUnauthenticatedIdentities", value=True)),
    Case("ssm-document-public", "ssm-document-not-public",
         [("patch-doc", "aws:ssm/document:Document",
           {"documentType": "Command", "content": json.dumps({"schemaVersion": "2.2", "mainSteps": []}),
            "permissions": {"type": "Share", "account_ids": "210987654321"}, "tags": TAGS})],
         _set("permissions", "account_ids", value="All")),
    Case("ssm-plain-password", "ssm-parameter-secure-string",
         [("db-password", "aws:ssm/parameter:Parameter",
           {"name": "/prod/db/password", "type": "SecureString", "value": "Sup3rS3cret!", "keyId": KEY,
            "tags": TAGS})],
         _set("type", value="String")),
    Case("cloudfront-no-waf", "cloudfront-waf", [("unfiltered-site", "aws:cloudfront/distribution:Distribution", DISTRIBUTION)],
         _set("webAclId", value=_DELETE)),
    Case("cloudfront-no-logs", "cloudfront-access-logging",
         [("docs-site", "aws:cloudfront/distribution:Distribution", DISTRIBUTION)], _set("loggingConfig", value=_DELETE)),
    Case("waf-no-logs", "wafv2-web-acl-logging",
         [("api-acl-logs", "aws:wafv2/webAclLoggingConfiguration:WebAclLoggingConfiguration",
           {"resourceArn": _arn("api-acl"),
            "logDestinationConfigs": ["arn:aws:logs:us-east-1:123456789012:log-group:aws-waf-logs-api"]}),
          ("api-acl", "aws:wafv2/webAcl:WebAcl", WEB_ACL)],
         _set("resourceArn", value=_arn("another-acl"))),
    Case("firewall-no-logs", "network-firewall-logging",
         [("egress-firewall-logs", "aws:networkfirewall/loggingConfiguration:LoggingConfiguration",
           {"firewallArn": _arn("egress-firewall"), "loggingConfiguration": {"logDestinationConfigs": [
               {"logDestinationType": "CloudWatchLogs", "logType": "ALERT",
                "logDestination": {"logGroup": "firewall-alerts"}}]}}),
          ("egress-firewall", "aws:networkfirewall/firewall:Firewall",
           {"firewallPolicyArn": "arn:aws:network-firewall:us-east-1:123456789012:firewall-policy/egress",
            "vpcId": "vpc-1", "subnetMappings": [{"subnetId": "subnet-1"}], "deleteProtection": True, "tags": TAGS})],
         _set("firewallArn", value=_arn("another-firewall"))),
    Case("alb-desync-monitor", "lb-desync-mitigation",
         [("desync-alb", "aws:lb/loadBalancer:LoadBalancer", {**ALB, "desyncMitigationMode": "defensive"})],
         _set("desyncMitigationMode", value="monitor")),
    Case("apigw-cache-plain", "apigateway-cache-encrypted",
         [("api-cache-settings", "aws:apigateway/methodSettings:MethodSettings", METHOD_SETTINGS)],
         _set("settings", "cacheDataEncrypted", value=False)),
    Case("apigw-data-trace", "apigateway-no-data-trace",
         [("api-trace-settings", "aws:apigateway/methodSettings:MethodSettings", METHOD_SETTINGS)],
         _set("settings", "dataTraceEnabled", value=True)),
    Case("appsync-no-field-logs", "appsync-logging",
         [("graph", "aws:appsync/graphQLApi:GraphQLApi",
           {"name": "graph", "authenticationType": "AWS_IAM", "xrayEnabled": True,
            "logConfig": {"cloudwatchLogsRoleArn": "arn:aws:iam::123456789012:role/appsync-logs",
                          "fieldLogLevel": "ERROR", "excludeVerboseContent": True}, "tags": TAGS})],
         _set("logConfig", "fieldLogLevel", value="NONE")),
    Case("guardduty-off", "guardduty-detector-enabled",
         [("detector", "aws:guardduty/detector:Detector", {"enable": True, "tags": TAGS})], _set("enable", value=False)),
    Case("codebuild-privileged", "codebuild-no-privileged-mode",
         [("docker-build", "aws:codebuild/project:Project",
           {"serviceRole": "arn:aws:iam::123456789012:role/build", "encryptionKey": KEY,
            "artifacts": {"type": "NO_ARTIFACTS"}, "source": {"type": "GITHUB", "location": "https://github.com/o/r"},
            "environment": {"computeType": "BUILD_GENERAL1_SMALL", "image": "aws/codebuild/standard:7.0",
                            "type": "LINUX_CONTAINER", "privilegedMode": False}, "tags": TAGS})],
         _set("environment", "privilegedMode", value=True)),
    Case("codebuild-plain-logs", "data-store-encrypted-at-rest",
         [("ci-build", "aws:codebuild/project:Project",
           {"serviceRole": "arn:aws:iam::123456789012:role/build", "encryptionKey": KEY,
            "artifacts": {"type": "S3", "location": "ci-artifacts", "encryptionDisabled": False},
            "logsConfig": {"s3Logs": {"status": "ENABLED", "location": "ci-logs/build", "encryptionDisabled": False}},
            "source": {"type": "GITHUB", "location": "https://github.com/o/r"},
            "environment": {"computeType": "BUILD_GENERAL1_SMALL", "image": "aws/codebuild/standard:7.0",
                            "type": "LINUX_CONTAINER"}, "tags": TAGS})],
         _set("logsConfig", "s3Logs", "encryptionDisabled", value=True)),
    Case("batch-privileged", "batch-job-no-privileged-containers",
         [("gpu-job", "aws:batch/jobDefinition:JobDefinition",
           {"type": "container", "platformCapabilities": ["EC2"], "containerProperties": json.dumps({
               "image": "123456789012.dkr.ecr.us-east-1.amazonaws.com/train:1", "command": ["python", "train.py"],
               "resourceRequirements": [{"type": "GPU", "value": "1"}, {"type": "VCPU", "value": "4"},
                                        {"type": "MEMORY", "value": "16384"}]}), "tags": TAGS})],
         _set("containerProperties", value=json.dumps({
             "image": "123456789012.dkr.ecr.us-east-1.amazonaws.com/train:1", "command": ["python", "train.py"],
             "privileged": True, "resourceRequirements": [{"type": "VCPU", "value": "4"},
                                                          {"type": "MEMORY", "value": "16384"}]}))),
    Case("postgres-force-ssl-off", "db-parameter-group-tls-not-disabled",
         [("pg-params", "aws:rds/parameterGroup:ParameterGroup",
           {"family": "postgres16", "parameters": [{"name": "rds.force_ssl", "value": "1"},
                                                   {"name": "log_min_duration_statement", "value": "500"}],
            "tags": TAGS})],
         _set("parameters", 0, "value", value="0")),
    Case("docdb-tls-off", "db-parameter-group-tls-not-disabled",
         [("docdb-params", "aws:docdb/clusterParameterGroup:ClusterParameterGroup",
           {"family": "docdb5.0", "parameters": [{"name": "tls", "value": "enabled"},
                                                 {"name": "audit_logs", "value": "enabled"}], "tags": TAGS})],
         _set("parameters", 0, "value", value="disabled")),
    Case("redshift-ssl-off", "db-parameter-group-tls-not-disabled",
         [("warehouse-params", "aws:redshift/parameterGroup:ParameterGroup",
           {"family": "redshift-1.0", "parameters": [{"name": "require_ssl", "value": "true"}], "tags": TAGS})],
         _set("parameters", 0, "value", value="false")),
    Case("opensearch-no-fgac", "opensearch-fine-grained-access-control",
         [("search-fgac", "aws:opensearch/domain:Domain",
           {**OPENSEARCH, "advancedSecurityOptions": {
               "enabled": True, "internalUserDatabaseEnabled": False,
               "masterUserOptions": {"masterUserArn": "arn:aws:iam::123456789012:role/search-admin"}}})],
         _set("advancedSecurityOptions", value=_DELETE)),
    Case("access-point-public", "s3-access-point-public-access-block",
         [("lake-ap", "aws:s3/accessPoint:AccessPoint",
           {"bucket": "lake", "publicAccessBlockConfiguration": {
               "blockPublicAcls": True, "blockPublicPolicy": True, "ignorePublicAcls": True,
               "restrictPublicBuckets": True}})],
         _set("publicAccessBlockConfiguration", "blockPublicPolicy", value=False)),
    Case("emr-public-sg", "emr-block-public-access",
         [("emr-bpa", "aws:emr/blockPublicAccessConfiguration:BlockPublicAccessConfiguration",
           {"blockPublicSecurityGroupRules": True})],
         _set("blockPublicSecurityGroupRules", value=False)),
    Case("trail-no-cloudwatch", "cloudtrail-cloudwatch-logs",
         [("audit-trail", "aws:cloudtrail/trail:Trail",
           {"s3BucketName": "audit-logs", "isMultiRegionTrail": True, "enableLogFileValidation": True,
            "includeGlobalServiceEvents": True, "kmsKeyId": KEY,
            "cloudWatchLogsGroupArn": "arn:aws:logs:us-east-1:123456789012:log-group:trail:*",
            "cloudWatchLogsRoleArn": "arn:aws:iam::123456789012:role/trail-logs", "tags": TAGS})],
         _set("cloudWatchLogsGroupArn", value=_DELETE)),
    Case("rotation-yearly", "secret-rotation-interval",
         [("db-rotation", "aws:secretsmanager/secretRotation:SecretRotation",
           {"secretId": SECRET_ARN, "rotationLambdaArn": "arn:aws:lambda:us-east-1:123456789012:function:rotate",
            "rotationRules": {"automaticallyAfterDays": 30}})],
         _set("rotationRules", "automaticallyAfterDays", value=365)),
    Case("neptune-instance-public", "data-store-not-public",
         [("graph-1", "aws:neptune/clusterInstance:ClusterInstance",
           {"clusterIdentifier": "graph", "instanceClass": "db.r6g.large", "publiclyAccessible": False,
            "tags": TAGS})],
         _set("publiclyAccessible", value=True)),
    Case("mq-public", "data-store-not-public", [("jobs-broker", "aws:mq/broker:Broker", BROKER)],
         _set("publiclyAccessible", value=True)),
    Case("mq-aws-owned-key", "data-store-customer-managed-key", [("events-broker", "aws:mq/broker:Broker", BROKER)],
         _set("encryptionOptions", value=_DELETE)),
    Case("mq-no-logs", "data-store-logging", [("tasks-broker", "aws:mq/broker:Broker", BROKER)],
         _set("logs", value=_DELETE)),
    Case("fsx-windows-aws-key", "data-store-customer-managed-key",
         [("shares", "aws:fsx/windowsFileSystem:WindowsFileSystem",
           {"subnetIds": ["subnet-1"], "throughputCapacity": 32, "storageCapacity": 32, "kmsKeyId": KEY,
            "activeDirectoryId": "d-1234567890", "automaticBackupRetentionDays": 7, "tags": TAGS})],
         _set("kmsKeyId", value=_DELETE)),
    Case("glue-dev-endpoint-plain", "data-store-encrypted-at-rest",
         [("notebook-endpoint", "aws:glue/devEndpoint:DevEndpoint",
           {"roleArn": "arn:aws:iam::123456789012:role/glue", "securityConfiguration": "glue-kms",
            "subnetId": "subnet-1", "securityGroupIds": ["sg-1"], "tags": TAGS})],
         _set("securityConfiguration", value=_DELETE)),
]
ORG_ONLY = {"StringEquals": {"aws:PrincipalOrgID": "o-a1b2c3d4e5"}}


def _drop_condition(props: dict[str, Any], key: str = "policy") -> None:
    document = json.loads(props[key])
    for statement in document["Statement"]:
        statement.pop("Condition", None)
    props[key] = json.dumps(document)


def _share_publicly(props: dict[str, Any]) -> None:
    props.pop("accountId", None)
    props["group"] = "all"


MORE_BREADTH_CASES: list[Case] = [
    Case("secret-policy-public", "resource-policy-no-public-principal",
         [("shared-secret-policy", "aws:secretsmanager/secretPolicy:SecretPolicy",
           {"secretArn": SECRET_ARN, "policy": _policy({"Effect": "Allow", "Principal": "*",
                                                         "Action": "secretsmanager:GetSecretValue", "Resource": "*",
                                                         "Condition": ORG_ONLY})})],
         _drop_condition),
    Case("glacier-vault-public", "resource-policy-no-public-principal",
         [("archive", "aws:glacier/vault:Vault",
           {"name": "archive", "accessPolicy": _policy({"Effect": "Allow", "Principal": "*",
                                                         "Action": "glacier:InitiateJob", "Resource": "*",
                                                         "Condition": ORG_ONLY}), "tags": TAGS})],
         lambda props: _drop_condition(props, "accessPolicy")),
    Case("ami-public", "no-public-images-or-snapshots",
         [("golden-ami-share", "aws:ec2/amiLaunchPermission:AmiLaunchPermission",
           {"imageId": "ami-0abcdef1234567890", "accountId": "210987654321"})],
         _share_publicly),
    Case("db-snapshot-public", "no-public-images-or-snapshots",
         [("release-snapshot", "aws:rds/snapshot:Snapshot",
           {"dbInstanceIdentifier": "orders", "dbSnapshotIdentifier": "orders-release",
            "sharedAccounts": ["210987654321"], "tags": TAGS})],
         _set("sharedAccounts", value=["210987654321", "all"])),
    Case("bedrock-agent-unguarded", "bedrock-agent-guardrail",
         [("support-agent", "aws:bedrock/agentAgent:AgentAgent",
           {"agentName": "support", "agentResourceRoleArn": "arn:aws:iam::123456789012:role/agent",
            "foundationModel": "anthropic.claude-3-haiku-20240307-v1:0", "customerEncryptionKeyArn": KEY,
            "guardrailConfigurations": [{"guardrailIdentifier": "gr-abc123", "guardrailVersion": "1"}],
            "tags": TAGS})],
         _set("guardrailConfigurations", value=_DELETE)),
    Case("bedrock-agent-aws-key", "data-store-customer-managed-key",
         [("faq-agent", "aws:bedrock/agentAgent:AgentAgent",
           {"agentName": "faq", "agentResourceRoleArn": "arn:aws:iam::123456789012:role/agent",
            "foundationModel": "anthropic.claude-3-haiku-20240307-v1:0", "customerEncryptionKeyArn": KEY,
            "guardrailConfigurations": [{"guardrailIdentifier": "gr-abc123", "guardrailVersion": "1"}],
            "tags": TAGS})],
         _set("customerEncryptionKeyArn", value=_DELETE)),
    Case("keyspaces-aws-owned", "data-store-customer-managed-key",
         [("events-table", "aws:keyspaces/table:Table",
           {"keyspaceName": "app", "tableName": "events",
            "schemaDefinition": {"columns": [{"name": "id", "type": "text"}], "partitionKeys": [{"name": "id"}]},
            "encryptionSpecification": {"type": "CUSTOMER_MANAGED_KMS_KEY", "kmsKeyIdentifier": KEY},
            "pointInTimeRecovery": {"status": "ENABLED"}, "tags": TAGS})],
         _set("encryptionSpecification", value=_DELETE)),
    Case("kendra-aws-key", "data-store-customer-managed-key",
         [("docs-index", "aws:kendra/index:Index",
           {"name": "docs", "roleArn": "arn:aws:iam::123456789012:role/kendra", "edition": "DEVELOPER_EDITION",
            "serverSideEncryptionConfiguration": {"kmsKeyId": KEY}, "tags": TAGS})],
         _set("serverSideEncryptionConfiguration", value=_DELETE)),
    Case("rds-no-patching", "data-store-auto-minor-version-upgrade",
         [("patched-db", "aws:rds/instance:Instance", {**RDS, "autoMinorVersionUpgrade": True})],
         _set("autoMinorVersionUpgrade", value=False)),
    Case("lambda-untraced", "xray-tracing-enabled", [("scorer", "aws:lambda/function:Function", LAMBDA)],
         _set("tracingConfig", value=_DELETE)),
    Case("endpoint-service-auto-accept", "network-connections-require-acceptance",
         [("model-endpoint-service", "aws:ec2/vpcEndpointService:VpcEndpointService",
           {"acceptanceRequired": True, "networkLoadBalancerArns": [
               "arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/net/models/1"],
            "allowedPrincipals": ["arn:aws:iam::210987654321:root"], "tags": TAGS})],
         _set("acceptanceRequired", value=False)),
    Case("tgw-auto-accept", "network-connections-require-acceptance",
         [("hub", "aws:ec2transitgateway/transitGateway:TransitGateway",
           {"description": "hub", "autoAcceptSharedAttachments": "disable", "tags": TAGS})],
         _set("autoAcceptSharedAttachments", value="enable")),
    Case("transfer-ftp", "transfer-server-no-plain-ftp",
         [("partner-drop", "aws:transfer/server:Server",
           {"protocols": ["SFTP"], "endpointType": "VPC", "identityProviderType": "SERVICE_MANAGED",
            "securityPolicyName": "TransferSecurityPolicy-2024-01", "tags": TAGS})],
         _set("protocols", value=["SFTP", "FTP"])),
]
API_DISTRIBUTION = {**DISTRIBUTION, "origins": [{"domainName": "api.example.com", "originId": "site",
                                                    "customOriginConfig": {"httpPort": 80, "httpsPort": 443,
                                                                           "originProtocolPolicy": "https-only",
                                                                           "originSslProtocols": ["TLSv1.2"]}}]}
S3_DISTRIBUTION = {**DISTRIBUTION, "origins": [{"domainName": "site.s3.us-east-1.amazonaws.com", "originId": "site",
                                                   "originAccessControlId": "E2QWRUHAPOMQZL"}]}
LAST_BREADTH_CASES: list[Case] = [
    Case("cloudfront-http-origin", "cloudfront-origin-tls",
         [("api-edge", "aws:cloudfront/distribution:Distribution", API_DISTRIBUTION)],
         _set("origins", 0, "customOriginConfig", "originProtocolPolicy", value="http-only")),
    Case("cloudfront-public-s3-origin", "cloudfront-s3-origin-access",
         [("assets-edge", "aws:cloudfront/distribution:Distribution", S3_DISTRIBUTION)],
         _set("origins", 0, "originAccessControlId", value=_DELETE)),
    Case("ecs-host-pid", "ecs-task-no-host-pid-ipc",
         [("pid-task", "aws:ecs/taskDefinition:TaskDefinition", {**_task(), "pidMode": "task"})],
         _set("pidMode", value="host")),
    Case("bucket-acls-on", "s3-bucket-acls-disabled",
         [("uploads-ownership", "aws:s3/bucketOwnershipControls:BucketOwnershipControls",
           {"bucket": "uploads", "rule": {"objectOwnership": "BucketOwnerEnforced"}})],
         _set("rule", "objectOwnership", value="ObjectWriter")),
    Case("iam-login-profile", "iam-user-no-console-password",
         [("alice-console", "aws:iam/userLoginProfile:UserLoginProfile", {"user": "alice", "passwordLength": 20})],
         lambda props: None),
    Case("iam-full-access", "iam-no-administrator-access",
         [("ops-iam", "aws:iam/rolePolicyAttachment:RolePolicyAttachment",
           {"role": "ops", "policyArn": "arn:aws:iam::aws:policy/ReadOnlyAccess"})],
         _set("policyArn", value="arn:aws:iam::aws:policy/IAMFullAccess")),
    Case("redshift-no-audit-logs", "redshift-audit-logging",
         [("lakehouse-audit", "aws:redshift/logging:Logging",
           {"clusterIdentifier": "lakehouse", "logDestinationType": "cloudwatch",
            "logExports": ["connectionlog", "userlog", "useractivitylog"]}),
          ("lakehouse", "aws:redshift/cluster:Cluster",
           {"clusterIdentifier": "lakehouse", "nodeType": "ra3.xlplus", "encrypted": True, "kmsKeyId": KEY,
            "publiclyAccessible": False, "manageMasterPassword": True, "automatedSnapshotRetentionPeriod": 7,
            "enhancedVpcRouting": True, "tags": TAGS})],
         _set("clusterIdentifier", value="another-lakehouse")),
    Case("aurora-global-unencrypted", "data-store-encrypted-at-rest",
         [("global-orders", "aws:rds/globalCluster:GlobalCluster",
           {"globalClusterIdentifier": "orders", "engine": "aurora-postgresql", "engineVersion": "16.4",
            "storageEncrypted": True, "deletionProtection": True})],
         _set("storageEncrypted", value=False)),
    Case("workspace-plain-volumes", "data-store-encrypted-at-rest",
         [("analyst-desktop", "aws:workspaces/workspace:Workspace",
           {"directoryId": "d-1234567890", "bundleId": "wsb-abc123", "userName": "analyst",
            "rootVolumeEncryptionEnabled": True, "userVolumeEncryptionEnabled": True, "volumeEncryptionKey": KEY,
            "tags": TAGS})],
         _set("userVolumeEncryptionEnabled", value=False)),
    Case("firewall-aws-owned-key", "data-store-customer-managed-key",
         [("inspection-firewall", "aws:networkfirewall/firewall:Firewall",
           {"firewallPolicyArn": "arn:aws:network-firewall:us-east-1:123456789012:firewall-policy/egress",
            "vpcId": "vpc-1", "subnetMappings": [{"subnetId": "subnet-1"}], "deleteProtection": True,
            "encryptionConfiguration": {"type": "CUSTOMER_KMS", "keyId": KEY}, "tags": TAGS})],
         _set("encryptionConfiguration", value=_DELETE)),
]
GITHUB_OIDC = "arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com"
EMR_ENCRYPTION = {"EncryptionConfiguration": {
    "EnableAtRestEncryption": True, "EnableInTransitEncryption": True,
    "AtRestEncryptionConfiguration": {
        "S3EncryptionConfiguration": {"EncryptionMode": "SSE-KMS", "AwsKmsKey": KEY},
        "LocalDiskEncryptionConfiguration": {"EncryptionKeyProviderType": "AwsKms", "AwsKmsKey": KEY,
                                             "EnableEbsEncryption": True}},
    "InTransitEncryptionConfiguration": {"TLSCertificateConfiguration": {
        "CertificateProviderType": "PEM", "S3Object": "s3://emr-certs/certs.zip"}}}}


def _emr_change(**changes: Any) -> Callable[[dict[str, Any]], None]:
    def apply(props: dict[str, Any]) -> None:
        document = json.loads(props["configuration"])
        document["EncryptionConfiguration"].update(changes)
        props["configuration"] = json.dumps(document)
    return apply


FINAL_BREADTH_CASES: list[Case] = [
    Case("github-oidc-any-repo", "iam-github-oidc-trust-scoped",
         [("ci-deploy", "aws:iam/role:Role", {"assumeRolePolicy": _policy({
             "Effect": "Allow", "Principal": {"Federated": GITHUB_OIDC}, "Action": "sts:AssumeRoleWithWebIdentity",
             "Condition": {"StringEquals": {"token.actions.githubusercontent.com:aud": "sts.amazonaws.com"},
                           "StringLike": {"token.actions.githubusercontent.com:sub":
                                          "repo:example-org/platform:environment:prod"}}}), "tags": TAGS})],
         lambda props: props.update(assumeRolePolicy=props["assumeRolePolicy"].replace(
             "repo:example-org/platform:environment:prod", "repo:*"))),
    Case("emr-plain-disks", "emr-security-configuration-at-rest",
         [("emr-security", "aws:emr/securityConfiguration:SecurityConfiguration",
           {"name": "emr-security", "configuration": json.dumps(EMR_ENCRYPTION)})],
         _emr_change(EnableAtRestEncryption=False)),
    Case("emr-plain-traffic", "emr-security-configuration-in-transit",
         [("emr-tls", "aws:emr/securityConfiguration:SecurityConfiguration",
           {"name": "emr-tls", "configuration": json.dumps(EMR_ENCRYPTION)})],
         _emr_change(EnableInTransitEncryption=False)),
    Case("public-alb-no-waf", "public-endpoints-waf",
         [("storefront-alb-waf", "aws:wafv2/webAclAssociation:WebAclAssociation",
           {"resourceArn": _arn("storefront-alb"),
            "webAclArn": "arn:aws:wafv2:us-east-1:123456789012:regional/webacl/storefront/1"}),
          ("storefront-alb", "aws:lb/loadBalancer:LoadBalancer", {**ALB, "internal": False})],
         _set("resourceArn", value=_arn("another-alb"))),
    Case("dms-plain-source", "dms-endpoint-tls",
         [("orders-source", "aws:dms/endpoint:Endpoint",
           {"endpointId": "orders-source", "endpointType": "source", "engineName": "postgres",
            "serverName": "orders.cluster-abc123.us-east-1.rds.amazonaws.com", "port": 5432, "databaseName": "orders",
            "secretsManagerAccessRoleArn": "arn:aws:iam::123456789012:role/dms-secrets",
            "secretsManagerArn": SECRET_ARN, "sslMode": "verify-full", "kmsKeyArn": KEY,
            "certificateArn": "arn:aws:dms:us-east-1:123456789012:cert:rds-ca", "tags": TAGS})],
         _set("sslMode", value="none")),
    Case("config-recorder-partial", "config-recorder-all-resources",
         [("config", "aws:cfg/recorder:Recorder",
           {"roleArn": "arn:aws:iam::123456789012:role/config",
            "recordingGroup": {"allSupported": True, "includeGlobalResourceTypes": True}})],
         _set("recordingGroup", value={"allSupported": False, "resourceTypes": ["AWS::EC2::Instance"]})),
    Case("redis-no-auth", "cache-authentication",
         [("sessions-cache", "aws:elasticache/replicationGroup:ReplicationGroup",
           {**REDIS, "userGroupIds": ["sessions-users"]})],
         _set("userGroupIds", value=_DELETE)),
    Case("memorydb-open-access", "cache-authentication",
         [("vectors", "aws:memorydb/cluster:Cluster",
           {"aclName": "vectors-acl", "nodeType": "db.r7g.large", "tlsEnabled": True, "kmsKeyArn": KEY,
            "snapshotRetentionLimit": 7, "subnetGroupName": "data", "tags": TAGS})],
         _set("aclName", value="open-access")),
    Case("ssm-secure-aws-key", "ssm-parameter-cmk",
         [("api-token", "aws:ssm/parameter:Parameter",
           {"name": "/prod/api/token", "type": "SecureString", "value": "tok_live_abc", "keyId": KEY, "tags": TAGS})],
         _set("keyId", value=_DELETE)),
]
ML_CASES: list[Case] = [
    Case("k8s-host-network", "k8s-no-host-network",
         [("api", "kubernetes:apps/v1:Deployment", _k8s("apps/v1", name="api", spec=_template()))],
         _pod_change("hostNetwork", value=True)),
    Case("k8s-host-path", "k8s-no-host-path-volumes",
         [("logs", "kubernetes:apps/v1:DaemonSet", _k8s("apps/v1", name="logs", spec=_template()))],
         _pod_change("volumes", value=[{"name": "varlog", "hostPath": {"path": "/var/log"}}])),
    Case("k8s-privileged", "k8s-no-privileged-containers",
         [("debug", "kubernetes:core/v1:Pod", _k8s("v1", name="debug", spec=copy.deepcopy(K8S_POD)))],
         _set("spec", "containers", 0, "securityContext", "privileged", value=True)),
    Case("k8s-escalation", "k8s-no-privilege-escalation",
         [("ddp", "kubernetes:kubeflow.org/v1:PyTorchJob", PYTORCH_JOB)],
         _set("spec", "pytorchReplicaSpecs", "Worker", "template", "spec", "containers", 0, "securityContext",
              "allowPrivilegeEscalation", value=_DELETE)),
    Case("k8s-root", "k8s-run-as-non-root",
         [("db", "kubernetes:apps/v1:StatefulSet", _k8s("apps/v1", name="db", spec=_template()))],
         _pod_change("securityContext", "runAsUser", value=0, container=True)),
    Case("k8s-latest", "k8s-image-pinned",
         [("report", "kubernetes:batch/v1:CronJob", _k8s("batch/v1", name="report", spec={"schedule": "@daily", "jobTemplate": {
             "spec": {"template": {"spec": {**copy.deepcopy(K8S_POD), "restartPolicy": "Never"}}}}}))],
         _pod_change("image", value="python:latest", container=True)),
    Case("k8s-no-requests", "k8s-container-resource-requests",
         [("web", "kubernetes:apps/v1:Deployment", _k8s("apps/v1", name="web", spec=_template()))],
         _pod_change("resources", value={"limits": {"memory": "1Gi"}}, container=True)),
    Case("k8s-no-memory-limit", "k8s-container-memory-limit",
         [("etl", "kubernetes:batch/v1:Job", _k8s("batch/v1", name="etl", spec={"template": {"spec": {
             **copy.deepcopy(K8S_POD), "restartPolicy": "Never"}}}))],
         _pod_change("resources", value={"requests": {"cpu": "1", "memory": "1Gi"}}, container=True)),
    Case("ray-host-pid", "k8s-no-host-pid", [("ray", "kubernetes:ray.io/v1:RayCluster", RAY)],
         _set("spec", "workerGroupSpecs", 0, "template", "spec", "hostPID", value=True)),
    Case("k8s-host-port", "k8s-no-host-ports",
         [("proxy", "kubernetes:apps/v1:Deployment", _k8s("apps/v1", name="proxy", spec=_template()))],
         _pod_change("ports", value=[{"containerPort": 8080, "hostPort": 8080}], container=True)),
    Case("k8s-sys-admin", "k8s-no-added-capabilities",
         [("fuse", "kubernetes:apps/v1:Deployment", _k8s("apps/v1", name="fuse", spec=_template()))],
         _pod_change("securityContext", "capabilities", value={"drop": ["ALL"], "add": ["SYS_ADMIN"]}, container=True)),
    Case("k8s-default-capabilities", "k8s-drop-all-capabilities",
         [("worker", "kubernetes:apps/v1:Deployment", _k8s("apps/v1", name="worker", spec=_template()))],
         _pod_change("securityContext", "capabilities", value=_DELETE, container=True)),
    Case("k8s-unconfined", "k8s-seccomp-profile",
         [("batch", "kubernetes:batch/v1:Job", _k8s("batch/v1", name="batch", spec={"template": {"spec": {
             **copy.deepcopy(K8S_POD), "restartPolicy": "Never"}}}))],
         _pod_change("securityContext", value=_DELETE)),
    Case("k8s-writable-root", "k8s-read-only-root-filesystem",
         [("notebook", "kubernetes:apps/v1:StatefulSet", _k8s("apps/v1", name="notebook", spec=_template()))],
         _pod_change("securityContext", "readOnlyRootFilesystem", value=False, container=True)),
    Case("k8s-public-lb", "k8s-service-load-balancer-internal",
         [("serving", "kubernetes:core/v1:Service", {"metadata": {"name": "serving", "namespace": "ml", "annotations": {
             "service.beta.kubernetes.io/aws-load-balancer-scheme": "internal"}}, "spec": {
             "type": "LoadBalancer", "selector": {"app": "serving"}, "ports": [{"port": 443}]}})],
         _set("metadata", "annotations", value=_DELETE)),
    Case("sagemaker-training-no-vpc", "sagemaker-vpc-config",
         [("train", "aws:sagemaker/trainingJob:TrainingJob", TRAINING_JOB)], _set("vpcConfig", value=_DELETE)),
    Case("sagemaker-training-not-isolated", "sagemaker-network-isolation",
         [("train-iso", "aws:sagemaker/trainingJob:TrainingJob", TRAINING_JOB)],
         _set("enableNetworkIsolation", value=False)),
    Case("sagemaker-training-volume-key", "sagemaker-volume-cmk",
         [("train-vol", "aws:sagemaker/trainingJob:TrainingJob", TRAINING_JOB)],
         _set("resourceConfig", "volumeKmsKeyId", value=_DELETE)),
    Case("sagemaker-monitor-plaintext", "sagemaker-inter-container-encryption",
         [("dq", "aws:sagemaker/dataQualityJobDefinition:DataQualityJobDefinition", DATA_QUALITY)],
         _set("networkConfig", "enableInterContainerTrafficEncryption", value=False)),
    Case("sagemaker-monitor-output-key", "sagemaker-output-cmk",
         [("dq-out", "aws:sagemaker/dataQualityJobDefinition:DataQualityJobDefinition", DATA_QUALITY)],
         _set("dataQualityJobOutputConfig", "kmsKeyId", value=_DELETE)),
    Case("sagemaker-notebook-root", "sagemaker-notebook-no-root-access",
         [("lab", "aws:sagemaker/notebookInstance:NotebookInstance", NOTEBOOK)], _set("rootAccess", value="Enabled")),
    Case("sagemaker-notebook-imdsv1", "sagemaker-notebook-imdsv2",
         [("lab-imds", "aws:sagemaker/notebookInstance:NotebookInstance", NOTEBOOK)],
         _set("instanceMetadataServiceConfiguration", value=_DELETE)),
    Case("sagemaker-notebook-old-platform", "sagemaker-notebook-supported-platform",
         [("lab-al1", "aws:sagemaker/notebookInstance:NotebookInstance", NOTEBOOK)],
         _set("platformIdentifier", value="notebook-al1-v1")),
    Case("sagemaker-studio-public", "sagemaker-notebook-vpc-only",
         [("studio", "aws:sagemaker/domain:Domain", STUDIO)], _set("appNetworkAccessType", value="PublicInternetOnly")),
]


def _scoped_grant(name: str, type_: str, actions: list[str], resource: str, rule: str, case: str,
                  **props: Any) -> Case:
    """An identity policy granting ``actions`` on ``resource``; the wrong setting widens Resource to '*'."""
    statement = {"Sid": "Grant", "Effect": "Allow", "Action": actions, "Resource": resource}

    def widen(inputs: dict[str, Any]) -> None:
        inputs["policy"] = _policy({**statement, "Resource": "*"})

    return Case(case, rule, [(name, type_, {**props, "policy": _policy(statement)})], widen)


#: IAM grants without constraints (policies/rules/iam_scope.py; Checkov CKV_AWS_63, 355, 290, 289, 287, 288).
IAM_SCOPE_CASES: list[Case] = [
    Case("iam-star-action-on-bucket", "iam-no-wildcard-action",
         [("lake-writer", "aws:iam/rolePolicy:RolePolicy", {"role": "etl", "policy": _policy(
             {"Effect": "Allow", "Action": ["s3:GetObject", "s3:PutObject"], "Resource": "arn:aws:s3:::lake/*"})})],
         _set("policy", value=_policy({"Effect": "Allow", "Action": "*", "Resource": "arn:aws:s3:::lake/*"}))),
    _scoped_grant("table-reader", "aws:iam/policy:Policy", ["dynamodb:GetItem", "dynamodb:Query"],
                  "arn:aws:dynamodb:us-east-1:123456789012:table/features", "iam-no-wildcard-resource",
                  "iam-read-on-every-table"),
    _scoped_grant("queue-sender", "aws:iam/rolePolicy:RolePolicy", ["sqs:SendMessage"],
                  "arn:aws:sqs:us-east-1:123456789012:jobs", "iam-no-unscoped-write", "iam-write-on-every-queue",
                  role="producer"),
    _scoped_grant("key-granter", "aws:iam/policy:Policy", ["kms:CreateGrant"], KEY,
                  "iam-no-unscoped-permissions-management", "iam-grant-on-every-key"),
    _scoped_grant("assume-reader", "aws:iam/rolePolicy:RolePolicy", ["sts:AssumeRole"],
                  "arn:aws:iam::123456789012:role/reader", "iam-no-credentials-exposure", "iam-assume-any-role",
                  role="ci"),
    _scoped_grant("secret-reader", "aws:iam/policy:Policy", ["secretsmanager:GetSecretValue"], SECRET_ARN,
                  "iam-no-data-exfiltration", "iam-read-every-secret"),
    # Queue and topic policies (Checkov CKV_AWS_72, CKV_AWS_385).
    Case("sqs-policy-every-action", "sqs-policy-no-wildcard-action",
         [("jobs-policy", "aws:sqs/queuePolicy:QueuePolicy", {
             "queueUrl": "https://sqs.us-east-1.amazonaws.com/123456789012/jobs", "policy": _policy(
                 {"Effect": "Allow", "Principal": {"Service": "sns.amazonaws.com"}, "Action": "sqs:SendMessage",
                  "Resource": "arn:aws:sqs:us-east-1:123456789012:jobs",
                  "Condition": {"ArnEquals": {"aws:SourceArn": "arn:aws:sns:us-east-1:123456789012:events"}}})})],
         lambda props: props.update(policy=props["policy"].replace('"sqs:SendMessage"', '"*"'))),
    Case("sns-policy-other-account", "sns-topic-policy-no-cross-account",
         [("events-policy", "aws:sns/topicPolicy:TopicPolicy", {
             "arn": "arn:aws:sns:us-east-1:123456789012:events", "policy": _policy(
                 {"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::123456789012:role/publisher"},
                  "Action": "sns:Publish", "Resource": "arn:aws:sns:us-east-1:123456789012:events"})})],
         lambda props: props.update(policy=props["policy"].replace("123456789012:role", "210987654321:role"))),
]


#: Generative AI: OpenSearch Serverless vector stores and Bedrock (AWS's policy formats; no Checkov check).
_AOSS_RULES = [{"ResourceType": "collection", "Resource": ["collection/rag"]}]
GENAI_CASES: list[Case] = [
    Case("aoss-public-collection", "opensearch-serverless-not-public",
         [("rag-network", "aws:opensearch/serverlessSecurityPolicy:ServerlessSecurityPolicy", {
             "name": "rag-network", "type": "network", "policy": json.dumps(
                 [{"Rules": _AOSS_RULES, "AllowFromPublic": False, "SourceServices": ["bedrock.amazonaws.com"]}])})],
         lambda props: props.update(policy=props["policy"].replace('"AllowFromPublic": false', '"AllowFromPublic": true'))),
    Case("aoss-aws-owned-key", "opensearch-serverless-cmk",
         [("rag-encryption", "aws:opensearch/serverlessSecurityPolicy:ServerlessSecurityPolicy", {
             "name": "rag-encryption", "type": "encryption", "policy": json.dumps(
                 {"Rules": _AOSS_RULES, "AWSOwnedKey": False, "KmsARN": KEY})})],
         lambda props: props.update(policy=json.dumps({"Rules": _AOSS_RULES, "AWSOwnedKey": True}))),
    Case("aoss-data-for-everyone", "opensearch-serverless-access-named-principals",
         [("rag-access", "aws:opensearch/serverlessAccessPolicy:ServerlessAccessPolicy", {
             "name": "rag-access", "type": "data", "policy": json.dumps(
                 [{"Rules": [{"ResourceType": "index", "Resource": ["index/rag/*"],
                              "Permission": ["aoss:ReadDocument"]}],
                   "Principal": ["arn:aws:iam::123456789012:role/kb"]}])})],
         lambda props: props.update(policy=props["policy"].replace('"arn:aws:iam::123456789012:role/kb"', '"*"'))),
    Case("bedrock-invocations-not-logged", "bedrock-invocation-logging",
         [("invocation-logs", "aws:bedrockmodel/invocationLoggingConfiguration:InvocationLoggingConfiguration",
           {"loggingConfig": {"s3Config": {"bucketName": "invocation-logs"}, "textDataDeliveryEnabled": True}}),
          ("docs-kb", "aws:bedrock/agentKnowledgeBase:AgentKnowledgeBase", {"name": "docs"})],
         _set("loggingConfig", "textDataDeliveryEnabled", value=False)),
    # Agents, their tools and jobs (policies/rules/ml_network.py, guardrails.py, plaintext_secrets.py; data-store rows).
    Case("agentcore-runtime-public", "ml-workload-in-vpc",
         [("support-agent", "aws:bedrock/agentcoreAgentRuntime:AgentcoreAgentRuntime", {
             "agentRuntimeName": "support", "roleArn": "arn:aws:iam::123456789012:role/agent",
             "agentRuntimeArtifact": {"containerConfiguration": {"containerUri": "123456789012.dkr.ecr.us-east-1"
                                                                                 ".amazonaws.com/agent:1"}},
             "networkConfiguration": {"networkMode": "VPC", "networkModeConfig": {
                 "subnets": ["subnet-0a1b2c3d"], "securityGroups": ["sg-0a1b2c3d"]}}, "tags": TAGS})],
         _set("networkConfiguration", "networkMode", value="PUBLIC")),
    Case("agentcore-code-interpreter-public", "ml-workload-in-vpc",
         [("analyst-code", "aws:bedrock/agentcoreCodeInterpreter:AgentcoreCodeInterpreter",
           {"name": "analyst_code", "networkConfiguration": {"networkMode": "SANDBOX"}, "tags": TAGS})],
         _set("networkConfiguration", "networkMode", value="PUBLIC")),
    Case("batch-inference-outside-vpc", "ml-workload-in-vpc",
         [("nightly-batch", "aws:bedrockmodel/invocationJob:InvocationJob", {
             "jobName": "nightly", "modelId": "anthropic.claude-3-haiku-20240307-v1:0",
             "roleArn": "arn:aws:iam::123456789012:role/batch",
             "inputDataConfig": {"s3InputDataConfig": {"s3Uri": "s3://prompts/in/"}},
             "outputDataConfig": {"s3OutputDataConfig": {"s3Uri": "s3://prompts/out/", "s3EncryptionKeyId": KEY}},
             "vpcConfig": {"subnetIds": ["subnet-0a1b2c3d"], "securityGroupIds": ["sg-0a1b2c3d"]}, "tags": TAGS})],
         _set("vpcConfig", value=_DELETE)),
    Case("batch-inference-output-aws-key", "data-store-customer-managed-key",
         [("weekly-batch", "aws:bedrockmodel/invocationJob:InvocationJob", {
             "jobName": "weekly", "modelId": "anthropic.claude-3-haiku-20240307-v1:0",
             "roleArn": "arn:aws:iam::123456789012:role/batch",
             "inputDataConfig": {"s3InputDataConfig": {"s3Uri": "s3://prompts/in/"}},
             "outputDataConfig": {"s3OutputDataConfig": {"s3Uri": "s3://prompts/out/", "s3EncryptionKeyId": KEY}},
             "vpcConfig": {"subnetIds": ["subnet-0a1b2c3d"], "securityGroupIds": ["sg-0a1b2c3d"]}, "tags": TAGS})],
         _set("outputDataConfig", "s3OutputDataConfig", "s3EncryptionKeyId", value=_DELETE)),
    Case("agentcore-gateway-no-auth", "bedrock-agentcore-gateway-authorization",
         [("tools-gateway", "aws:bedrock/agentcoreGateway:AgentcoreGateway", {
             "name": "tools", "roleArn": "arn:aws:iam::123456789012:role/gateway", "protocolType": "MCP",
             "authorizerType": "AWS_IAM", "kmsKeyArn": KEY, "tags": TAGS})],
         _set("authorizerType", value="NONE")),
    Case("agentcore-gateway-log-only-policies", "bedrock-agentcore-gateway-policy-enforced",
         [("mcp-gateway", "aws:bedrock/agentcoreGateway:AgentcoreGateway", {
             "name": "mcp", "roleArn": "arn:aws:iam::123456789012:role/gateway", "protocolType": "MCP",
             "authorizerType": "AWS_IAM", "kmsKeyArn": KEY, "tags": TAGS, "policyEngineConfiguration": {
                 "arn": "arn:aws:bedrock-agentcore:us-east-1:123456789012:policy-engine/mcp-abc", "mode": "ENFORCE"}})],
         _set("policyEngineConfiguration", "mode", value="LOG_ONLY")),
    Case("agentcore-gateway-debug-errors", "bedrock-agentcore-gateway-generic-errors",
         [("debug-gateway", "aws:bedrock/agentcoreGateway:AgentcoreGateway", {
             "name": "debug", "roleArn": "arn:aws:iam::123456789012:role/gateway", "protocolType": "MCP",
             "authorizerType": "AWS_IAM", "kmsKeyArn": KEY, "tags": TAGS})],
         _set("exceptionLevel", value="DEBUG")),
    Case("graphrag-graph-public", "data-store-not-public",
         [("kb-graph", "aws:neptunegraph/graph:Graph", {
             "graphName": "kb-graph", "provisionedMemory": 16, "kmsKeyIdentifier": KEY, "publicConnectivity": False,
             "deletionProtection": True, "vectorSearchConfiguration": {"vectorSearchDimension": 1024}, "tags": TAGS})],
         _set("publicConnectivity", value=True)),
    Case("agentcore-memory-kept-ten-years", "bedrock-agentcore-memory-retention",
         [("assistant-memory", "aws:bedrock/agentcoreMemory:AgentcoreMemory",
           {"name": "assistant_memory", "eventExpiryDuration": 30, "encryptionKeyArn": KEY, "tags": TAGS})],
         _set("eventExpiryDuration", value=3650)),
    Case("agentcore-memory-aws-key", "data-store-customer-managed-key",
         [("support-memory", "aws:bedrock/agentcoreMemory:AgentcoreMemory",
           {"name": "support_memory", "eventExpiryDuration": 30, "encryptionKeyArn": KEY, "tags": TAGS})],
         _set("encryptionKeyArn", value=_DELETE)),
    Case("guardrail-no-prompt-attack-filter", "bedrock-guardrail-prompt-attack-filter",
         [("support-guardrail", "aws:bedrock/guardrail:Guardrail", {
             "name": "support", "blockedInputMessaging": "Blocked.", "blockedOutputsMessaging": "Blocked.",
             "kmsKeyArn": KEY, "tags": TAGS,
             "contentPolicyConfig": {"filtersConfigs": [
                 {"type": "HATE", "inputStrength": "HIGH", "outputStrength": "HIGH"},
                 {"type": "PROMPT_ATTACK", "inputStrength": "HIGH", "outputStrength": "NONE"}]},
             "sensitiveInformationPolicyConfig": {"piiEntitiesConfigs": [{"type": "EMAIL", "action": "ANONYMIZE"}]}})],
         _set("contentPolicyConfig", "filtersConfigs", 1, "inputStrength", value="LOW")),
    Case("guardrail-no-pii-filter", "bedrock-guardrail-sensitive-information-filter",
         [("docs-guardrail", "aws:bedrock/guardrail:Guardrail", {
             "name": "docs", "blockedInputMessaging": "Blocked.", "blockedOutputsMessaging": "Blocked.",
             "kmsKeyArn": KEY, "tags": TAGS,
             "contentPolicyConfig": {"filtersConfigs": [
                 {"type": "PROMPT_ATTACK", "inputStrength": "HIGH", "outputStrength": "NONE"}]},
             "sensitiveInformationPolicyConfig": {"piiEntitiesConfigs": [{"type": "EMAIL", "action": "BLOCK"}]}})],
         _set("sensitiveInformationPolicyConfig", "piiEntitiesConfigs", 0, "action", value="NONE")),
    Case("labeling-workforce-open", "sagemaker-workforce-source-ip-restricted",
         [("labelers", "aws:sagemaker/workforce:Workforce", {
             "workforceName": "labelers", "cognitoConfig": {"clientId": "client", "userPool": "us-east-1_pool"},
             "sourceIpConfig": {"cidrs": ["203.0.113.0/24"]}})],
         _set("sourceIpConfig", "cidrs", value=["0.0.0.0/0"])),
    Case("code-repository-token-in-url", "no-plaintext-credential-inputs",
         [("notebooks-repo", "aws:sagemaker/codeRepository:CodeRepository", {
             "codeRepositoryName": "notebooks", "tags": TAGS, "gitConfig": {
                 "repositoryUrl": "https://github.com/example-org/notebooks.git", "secretArn": SECRET_ARN}})],
         _set("gitConfig", "repositoryUrl",
              value="https://ghp_abcdefABCDEF0123456789abcdefABCDEF0123@github.com/example-org/notebooks.git")),
    Case("agent-global-inference", "bedrock-inference-in-geography",
         [("eu-support-agent", "aws:bedrock/agentAgent:AgentAgent", {
             "agentName": "eu-support", "agentResourceRoleArn": "arn:aws:iam::123456789012:role/agent",
             "foundationModel": "eu.anthropic.claude-sonnet-4-20250514-v1:0", "customerEncryptionKeyArn": KEY,
             "guardrailConfigurations": [{"guardrailIdentifier": "gr-0123", "guardrailVersion": "1"}], "tags": TAGS})],
         _set("foundationModel", value="global.anthropic.claude-sonnet-4-5-20250929-v1:0")),
    Case("notebook-lifecycle-token", "no-plaintext-secrets-in-user-data",
         [("notebook-setup", "aws:sagemaker/notebookInstanceLifecycleConfiguration:NotebookInstanceLifecycleConfiguration", {
             "name": "notebook-setup", "onStart": base64.b64encode(
                 b"#!/bin/bash\nset -e\nexport HF_TOKEN=$(aws secretsmanager get-secret-value --secret-id hf "
                 b"--query SecretString --output text)\n").decode()})],
         lambda props: props.update(onStart=base64.b64encode(
             b"#!/bin/bash\nset -e\nexport HF_TOKEN=hf_AbCdEfGhIjKlMnOpQrStUvWxYz012345\n").decode())),
    Case("agentcore-api-key-literal", "no-plaintext-credential-inputs",
         [("search-api-key", "aws:bedrock/agentcoreApiKeyCredentialProvider:AgentcoreApiKeyCredentialProvider", {
             "name": "search", "apiKeySecretSource": "EXTERNAL", "tags": TAGS,
             "apiKeySecretConfig": {"secretId": SECRET_ARN, "jsonKey": "api_key"}})],
         lambda props: props.update(apiKeySecretSource="MANAGED", apiKeySecretConfig=None,
                                    apiKey="sk-live-51HcQ2eZvKYlo2C0123456789")),
]


#: The CIS AWS Foundations Benchmark 3.0.0 patterns, as its remediation steps write them.
CIS_PATTERNS = {
    "unauthorized-api-calls": '{ ($.errorCode = "*UnauthorizedOperation") || ($.errorCode = "AccessDenied*") && '
                              '($.sourceIPAddress!="delivery.logs.amazonaws.com") && ($.eventName!="HeadBucket") }',
    "console-sign-in-without-mfa": '{ ($.eventName = "ConsoleLogin") && ($.additionalEventData.MFAUsed != "Yes") }',
    "root-usage": '{ $.userIdentity.type = "Root" && $.userIdentity.invokedBy NOT EXISTS && '
                  '$.eventType != "AwsServiceEvent" }',
    "iam-policy-changes": "{($.eventName=DeleteGroupPolicy)||($.eventName=DeleteRolePolicy)||($.eventName=DeleteUserPolicy)"
                          "||($.eventName=PutGroupPolicy)||($.eventName=PutRolePolicy)||($.eventName=PutUserPolicy)||"
                          "($.eventName=CreatePolicy)||($.eventName=DeletePolicy)||($.eventName=CreatePolicyVersion)||"
                          "($.eventName=DeletePolicyVersion)||($.eventName=AttachRolePolicy)||($.eventName=DetachRolePolicy)"
                          "||($.eventName=AttachUserPolicy)||($.eventName=DetachUserPolicy)||($.eventName=AttachGroupPolicy)"
                          "||($.eventName=DetachGroupPolicy)}",
    "cloudtrail-changes": "{ ($.eventName = CreateTrail) || ($.eventName = UpdateTrail) || ($.eventName = DeleteTrail) || "
                          "($.eventName = StartLogging) || ($.eventName = StopLogging) }",
    "console-authentication-failures": '{ ($.eventName = ConsoleLogin) && ($.errorMessage = "Failed authentication") }',
    "cmk-disabled-or-deleted": "{($.eventSource = kms.amazonaws.com) && (($.eventName=DisableKey)||"
                               "($.eventName=ScheduleKeyDeletion)) }",
    "s3-bucket-policy-changes": "{ ($.eventSource = s3.amazonaws.com) && (($.eventName = PutBucketAcl) || ($.eventName = "
                                "PutBucketPolicy) || ($.eventName = PutBucketCors) || ($.eventName = PutBucketLifecycle) "
                                "|| ($.eventName = PutBucketReplication) || ($.eventName = DeleteBucketPolicy) || "
                                "($.eventName = DeleteBucketCors) || ($.eventName = DeleteBucketLifecycle) || "
                                "($.eventName = DeleteBucketReplication)) }",
    "config-changes": "{ ($.eventSource = config.amazonaws.com) && (($.eventName=StopConfigurationRecorder)||"
                      "($.eventName=DeleteDeliveryChannel) ||($.eventName=PutDeliveryChannel)||"
                      "($.eventName=PutConfigurationRecorder)) }",
    "security-group-changes": "{ ($.eventName = AuthorizeSecurityGroupIngress) || ($.eventName = "
                              "AuthorizeSecurityGroupEgress) || ($.eventName = RevokeSecurityGroupIngress) || "
                              "($.eventName = RevokeSecurityGroupEgress) || ($.eventName = CreateSecurityGroup) || "
                              "($.eventName = DeleteSecurityGroup) }",
    "nacl-changes": "{ ($.eventName = CreateNetworkAcl) || ($.eventName = CreateNetworkAclEntry) || ($.eventName = "
                    "DeleteNetworkAcl) || ($.eventName = DeleteNetworkAclEntry) || ($.eventName = ReplaceNetworkAclEntry)"
                    " || ($.eventName = ReplaceNetworkAclAssociation) }",
    "network-gateway-changes": "{ ($.eventName = CreateCustomerGateway) || ($.eventName = DeleteCustomerGateway) || "
                               "($.eventName = AttachInternetGateway) || ($.eventName = CreateInternetGateway) || "
                               "($.eventName = DeleteInternetGateway) || ($.eventName = DetachInternetGateway) }",
    "route-table-changes": "{($.eventSource = ec2.amazonaws.com) && (($.eventName = CreateRoute) || ($.eventName = "
                           "CreateRouteTable) || ($.eventName = ReplaceRoute) || ($.eventName = "
                           "ReplaceRouteTableAssociation) || ($.eventName = DeleteRouteTable) || ($.eventName = "
                           "DeleteRoute) || ($.eventName = DisassociateRouteTable)) }",
    "vpc-changes": "{ ($.eventName = CreateVpc) || ($.eventName = DeleteVpc) || ($.eventName = ModifyVpcAttribute) || "
                   "($.eventName = AcceptVpcPeeringConnection) || ($.eventName = CreateVpcPeeringConnection) || "
                   "($.eventName = DeleteVpcPeeringConnection) || ($.eventName = RejectVpcPeeringConnection) || "
                   "($.eventName = AttachClassicLinkVpc) || ($.eventName = DetachClassicLinkVpc) || ($.eventName = "
                   "DisableVpcClassicLink) || ($.eventName = EnableVpcClassicLink) }",
    "organizations-changes": '{ ($.eventSource = organizations.amazonaws.com) && (($.eventName = "AcceptHandshake") || '
                             '($.eventName = "AttachPolicy") || ($.eventName = "CreateAccount")) }',
}


_TRAIL_LOGS = "arn:aws:logs:us-east-1:123456789012:log-group:org-audit:*"
_FORCE_MFA = _policy({"Effect": "Deny", "NotAction": ["iam:EnableMFADevice", "iam:ListMFADevices", "sts:GetSessionToken"],
                      "Resource": "*", "Condition": {"BoolIfExists": {"aws:MultiFactorAuthPresent": "false"}}})

#: Trivy's checks the packs had no rule for (benchmarks/data/trivy_aws_coverage.tsv, covered-new).
PEER_CASES: list[Case] = [
    Case("trail-without-s3-data-events", "cloudtrail-s3-data-events",
         [("data-trail", "aws:cloudtrail/trail:Trail", {
             "s3BucketName": "data-trail-logs", "isMultiRegionTrail": True, "enableLogFileValidation": True,
             "eventSelectors": [{"readWriteType": "All", "includeManagementEvents": True,
                                 "dataResources": [{"type": "AWS::S3::Object", "values": ["arn:aws:s3"]}]}]}),
          ("research-data", "aws:s3/bucket:Bucket", {"bucket": "research-data", "tags": TAGS})],
         _set("eventSelectors", 0, "readWriteType", value="WriteOnly")),
    Case("trail-without-cis-alarms", "cloudtrail-security-alarms",
         [("monitored-trail", "aws:cloudtrail/trail:Trail", {
             "s3BucketName": "monitored-trail-logs", "isMultiRegionTrail": True, "enableLogFileValidation": True,
             "cloudWatchLogsGroupArn": _TRAIL_LOGS,
             "cloudWatchLogsRoleArn": "arn:aws:iam::123456789012:role/cloudtrail-logs"}),
          *[(f"cis-{monitor}", "aws:cloudwatch/logMetricFilter:LogMetricFilter", {
              "logGroupName": "org-audit", "pattern": pattern,
              "metricTransformation": {"name": monitor, "namespace": "CISBenchmark", "value": "1"}})
            for monitor, pattern in CIS_PATTERNS.items()],
          *[(f"cis-{monitor}-alarm", "aws:cloudwatch/metricAlarm:MetricAlarm", {
              "metricName": monitor, "namespace": "CISBenchmark", "comparisonOperator": "GreaterThanOrEqualToThreshold",
              "evaluationPeriods": 1, "period": 300, "statistic": "Sum", "threshold": 1,
              "alarmActions": ["arn:aws:sns:us-east-1:123456789012:security"], "tags": TAGS})
            for monitor in CIS_PATTERNS]],
         _set("cloudWatchLogsGroupArn", value="arn:aws:logs:us-east-1:123456789012:log-group:unwatched:*")),
    Case("iam-group-without-mfa", "iam-group-mfa-required",
         [("analysts-mfa", "aws:iam/groupPolicy:GroupPolicy", {"group": "analysts", "policy": _FORCE_MFA}),
          ("analysts", "aws:iam/group:Group", {"name": "analysts"})],
         _set("policy", value=_policy({"Effect": "Allow", "Action": "athena:StartQueryExecution",
                                       "Resource": "arn:aws:athena:us-east-1:123456789012:workgroup/analysts"}))),
]


# Kubernetes beyond the pod's security context: RBAC, service accounts, exposure (benchmarks/data/checkov_k8s_coverage.tsv).
RBAC_TYPE = "kubernetes:rbac.authorization.k8s.io/v1:"
K8S_ROLE = {"apiVersion": "rbac.authorization.k8s.io/v1", "metadata": {"name": "job-runner", "namespace": "ml"},
            "rules": [{"apiGroups": ["batch"], "resources": ["jobs"], "verbs": ["get", "list", "create", "delete"]},
                      {"apiGroups": [""], "resources": ["pods", "pods/log"], "verbs": ["get", "list", "watch"]}]}
K8S_CLUSTER_ROLE = {**copy.deepcopy(K8S_ROLE), "metadata": {"name": "job-runner"}}
K8S_BINDING = {"apiVersion": "rbac.authorization.k8s.io/v1", "metadata": {"name": "job-runner", "namespace": "ml"},
               "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "Role", "name": "job-runner"},
               "subjects": [{"kind": "ServiceAccount", "name": "pipeline", "namespace": "ml"}]}
K8S_TOKENLESS = {**copy.deepcopy(K8S_POD), "automountServiceAccountToken": False,
                 "containers": [{**copy.deepcopy(K8S_CONTAINER), "imagePullPolicy": "Always"}]}


K8S_ALB_INGRESS = {"metadata": {"name": "predict", "namespace": "ml", "annotations": {
    "alb.ingress.kubernetes.io/target-type": "ip",
    "alb.ingress.kubernetes.io/certificate-arn": "arn:aws:acm:us-east-1:123456789012:certificate/1a2b3c4d"}},
    "spec": {"ingressClassName": "alb", "rules": [{"host": "predict.example.com", "http": {"paths": [
        {"path": "/", "pathType": "Prefix", "backend": {"service": {"name": "predict", "port": {"number": 8080}}}}]}}]}}


def _rbac_case(name: str, rule: str, grant: dict[str, Any], cluster: bool = False) -> Case:
    kind, props = ("ClusterRole", K8S_CLUSTER_ROLE) if cluster else ("Role", K8S_ROLE)
    props = {**copy.deepcopy(props), "metadata": {**props["metadata"], "name": name}}  # Checkov names it so
    return Case(name, rule, [(name, f"{RBAC_TYPE}{kind}", props)],
                lambda p: p["rules"].append(copy.deepcopy(grant)))


def _deployment(name: str, pod: dict[str, Any] = K8S_TOKENLESS) -> tuple[str, str, dict[str, Any]]:
    return (name, "kubernetes:apps/v1:Deployment", _k8s("apps/v1", name=name, spec=_template(pod)))


K8S_CASES: list[Case] = [
    Case("k8s-role-wildcard-verbs", "k8s-rbac-no-wildcards",
         [("wild", f"{RBAC_TYPE}ClusterRole", {**K8S_CLUSTER_ROLE, "metadata": {"name": "wild"}})],
         _set("rules", 0, "verbs", value=["*"])),
    _rbac_case("k8s-role-bind", "k8s-rbac-no-bind",
               {"apiGroups": ["rbac.authorization.k8s.io"], "resources": ["clusterroles"], "verbs": ["bind"]}),
    _rbac_case("k8s-role-escalate", "k8s-rbac-no-escalate",
               {"apiGroups": ["rbac.authorization.k8s.io"], "resources": ["roles"], "verbs": ["escalate"]}),
    _rbac_case("k8s-role-impersonate", "k8s-rbac-no-impersonate",
               {"apiGroups": [""], "resources": ["users", "groups"], "verbs": ["impersonate"]}, cluster=True),
    _rbac_case("k8s-role-csr-approve", "k8s-rbac-no-csr-approval",
               {"apiGroups": ["certificates.k8s.io"], "resources": ["certificatesigningrequests/approval", "signers"],
                "verbs": ["update", "approve"]}, cluster=True),
    _rbac_case("k8s-role-webhooks", "k8s-rbac-no-webhook-control",
               {"apiGroups": ["admissionregistration.k8s.io"], "resources": ["mutatingwebhookconfigurations"],
                "verbs": ["create", "update", "patch"]}, cluster=True),
    _rbac_case("k8s-role-pod-exec", "k8s-rbac-no-pod-exec",
               {"apiGroups": [""], "resources": ["pods/exec"], "verbs": ["create"]}),
    _rbac_case("k8s-role-node-proxy", "k8s-rbac-no-node-proxy",
               {"apiGroups": [""], "resources": ["nodes/proxy"], "verbs": ["get", "create"]}, cluster=True),
    _rbac_case("k8s-role-secrets", "k8s-rbac-no-secrets-read",
               {"apiGroups": [""], "resources": ["secrets"], "verbs": ["get", "list", "watch"]}, cluster=True),
    _rbac_case("k8s-role-service-status", "k8s-rbac-no-service-status-update",
               {"apiGroups": [""], "resources": ["services/status"], "verbs": ["update", "patch"]}),
    Case("k8s-cluster-admin-binding", "k8s-no-cluster-admin-binding",
         [("admins", f"{RBAC_TYPE}ClusterRoleBinding", {**copy.deepcopy(K8S_BINDING), "metadata": {"name": "admins"},
                                                       "roleRef": {**K8S_BINDING["roleRef"], "kind": "ClusterRole"}})],
         _set("roleRef", "name", value="cluster-admin")),
    Case("k8s-anonymous-binding", "k8s-no-anonymous-binding",
         [("anon", f"{RBAC_TYPE}RoleBinding", {**K8S_BINDING, "metadata": {"name": "anon", "namespace": "ml"}})],
         _set("subjects", value=[{"kind": "User", "name": "system:anonymous", "apiGroup": "rbac.authorization.k8s.io"}])),
    Case("k8s-default-sa-binding", "k8s-no-default-service-account-binding",
         [("default-sa", f"{RBAC_TYPE}RoleBinding", {**K8S_BINDING, "metadata": {"name": "default-sa", "namespace": "ml"}})],
         _set("subjects", 0, "name", value="default")),
    Case("k8s-default-sa-token", "k8s-default-service-account-no-automount",
         # its own namespace: the default ServiceAccount of ml would otherwise decide the other cases' tokens
         [("default", "kubernetes:core/v1:ServiceAccount", {
             "metadata": {"name": "default", "namespace": "reports"}, "automountServiceAccountToken": False})],
         _set("automountServiceAccountToken", value=True)),
    Case("k8s-token-mounted", "k8s-service-account-token-automount", [_deployment("api-token")],
         _pod_change("automountServiceAccountToken", value=_DELETE)),
    Case("k8s-secret-env", "k8s-no-secrets-in-env", [_deployment("api-env")],
         _pod_change("env", value=[{"name": "DB_PASSWORD", "valueFrom": {"secretKeyRef": {"name": "db", "key": "pw"}}}],
                     container=True)),
    Case("k8s-pull-if-not-present", "k8s-image-pull-policy-always", [_deployment("api-pull")],
         _pod_change("imagePullPolicy", value="IfNotPresent", container=True)),
    Case("k8s-git-sync-git", "k8s-no-git-sync-git-override", [_deployment("docs-sync")],
         _pod_change("env", value=[{"name": "GITSYNC_GIT", "value": "/tmp/payload"}], container=True)),
    Case("k8s-tiller", "k8s-no-tiller", [_deployment("charts")],
         _pod_change("image", value="gcr.io/kubernetes-helm/tiller:v2.17.0", container=True)),
    Case("k8s-default-namespace", "k8s-no-default-namespace",
         [("cfg", "kubernetes:core/v1:ConfigMap", {"metadata": {"name": "cfg", "namespace": "ml"}, "data": {"a": "b"}})],
         _set("metadata", "namespace", value=_DELETE)),
    Case("k8s-external-ips", "k8s-service-no-external-ips",
         [("frontend", "kubernetes:core/v1:Service", {"metadata": {"name": "frontend", "namespace": "ml"}, "spec": {
             "selector": {"app": "frontend"}, "ports": [{"port": 80, "targetPort": 8080}]}})],
         _set("spec", "externalIPs", value=["198.51.100.7"])),
    Case("k8s-ingress-snippet", "k8s-ingress-no-snippet-annotations",
         [("web-ingress", "kubernetes:networking.k8s.io/v1:Ingress", {
             "metadata": {"name": "web-ingress", "namespace": "ml",
                          "annotations": {"nginx.ingress.kubernetes.io/ssl-redirect": "true"}},
             "spec": {"ingressClassName": "nginx", "rules": [{"host": "ml.example.com"}],
                      "tls": [{"hosts": ["ml.example.com"], "secretName": "ml-tls"}]}})],
         _set("metadata", "annotations", "nginx.ingress.kubernetes.io/configuration-snippet",
              value="more_set_headers \"X-Debug: 1\";")),
    Case("k8s-alb-public", "k8s-ingress-alb-internal",
         [("predict", "kubernetes:networking.k8s.io/v1:Ingress", K8S_ALB_INGRESS)],
         _set("metadata", "annotations", "alb.ingress.kubernetes.io/scheme", value="internet-facing")),
    Case("k8s-alb-http", "k8s-ingress-tls", [("predict-http", "kubernetes:networking.k8s.io/v1:Ingress", {
        **K8S_ALB_INGRESS, "metadata": {**K8S_ALB_INGRESS["metadata"], "name": "predict-http"}})],
         _set("metadata", "annotations", "alb.ingress.kubernetes.io/listen-ports",
              value='[{"HTTP": 80}, {"HTTPS": 443}]')),
    Case("k8s-proc-unmasked", "k8s-no-unmasked-proc-mount", [_deployment("sandbox")],
         _pod_change("securityContext", "procMount", value="Unmasked", container=True)),
    Case("k8s-apparmor-off", "k8s-no-apparmor-unconfined", [_deployment("tracer")],
         _pod_change("securityContext", "appArmorProfile", value={"type": "Unconfined"}, container=True)),
    Case("k8s-apparmor-annotation", "k8s-no-apparmor-unconfined", [_deployment("profiler")],
         lambda props: props["spec"]["template"].setdefault("metadata", {}).setdefault("annotations", {}).update(
             {"container.apparmor.security.beta.kubernetes.io/app": "unconfined"})),
    Case("k8s-sysctl-unsafe", "k8s-no-unsafe-sysctls", [_deployment("tuned")],
         _pod_change("securityContext", "sysctls", value=[{"name": "net.core.somaxconn", "value": "4096"}])),
    Case("k8s-probe-host", "k8s-no-host-probes", [_deployment("prober")],
         _pod_change("livenessProbe", value={"httpGet": {"host": "169.254.169.254", "path": "/", "port": 80}},
                     container=True)),
    Case("k8s-volume-nfs", "k8s-restricted-volume-types", [_deployment("shared")],
         _pod_change("volumes", value=[{"name": "data", "nfs": {"server": "10.0.0.5", "path": "/exports"}}])),
    Case("k8s-capability-chown", "k8s-restricted-added-capabilities", [_deployment("owner")],
         _pod_change("securityContext", "capabilities", value={"drop": ["ALL"], "add": ["CHOWN"]}, container=True)),
    Case("k8s-dashboard", "k8s-no-kubernetes-dashboard", [_deployment("console")],
         _pod_change("image", value="docker.io/kubernetesui/dashboard:v2.7.0", container=True)),
    Case("k8s-no-network-policy", "k8s-namespace-network-policy",
         [("deny-all", "kubernetes:networking.k8s.io/v1:NetworkPolicy", {
             "metadata": {"name": "deny-all", "namespace": "serving"},
             "spec": {"podSelector": {}, "policyTypes": ["Ingress", "Egress"]}}),
          ("ranker", "kubernetes:apps/v1:Deployment", {**_k8s("apps/v1", name="ranker", spec=_template(K8S_TOKENLESS)),
                                                       "metadata": {"name": "ranker", "namespace": "serving"}})],
         _set("metadata", "namespace", value="elsewhere")),
    Case("k8s-storage-class-plain", "k8s-storage-class-encrypted",
         [("checkpoints", "kubernetes:storage.k8s.io/v1:StorageClass", {
             "apiVersion": "storage.k8s.io/v1", "kind": "StorageClass", "metadata": {"name": "checkpoints"},
             "provisioner": "ebs.csi.aws.com", "volumeBindingMode": "WaitForFirstConsumer",
             "parameters": {"type": "gp3", "encrypted": "true", "kmsKeyId": KEY}})],
         _set("parameters", "encrypted", value=_DELETE)),
]

#: cdk-nag AwsSolutions gaps (benchmarks/data/cdknag_awssolutions_coverage.tsv, covered-new rows).
_LOGGED_CONTAINER = {**CONTAINER, "logConfiguration": {"logDriver": "awslogs", "options": {
    "awslogs-group": "/ecs/app", "awslogs-region": "us-east-1", "awslogs-stream-prefix": "app"}}}
_BEANSTALK = {"application": "scoring", "solutionStackName": "64bit Amazon Linux 2023 v4.3.0 running Python 3.11",
              "settings": [{"namespace": "aws:ec2:vpc", "name": "VPCId", "value": "vpc-0a1b2c3d"},
                           {"namespace": "aws:ec2:vpc", "name": "Subnets", "value": "subnet-1,subnet-2"},
                           {"namespace": "aws:elasticbeanstalk:cloudwatch:logs", "name": "StreamLogs", "value": "true"}],
              "tags": TAGS}
CDKNAG_CASES: list[Case] = [
    Case("cognito-threat-protection-audit", "cognito-user-pool-threat-protection",
         [("customers", "aws:cognito/userPool:UserPool", {
             "name": "customers", "userPoolTier": "PLUS", "mfaConfiguration": "ON",
             "softwareTokenMfaConfiguration": {"enabled": True}, "deletionProtection": "ACTIVE",
             "userPoolAddOns": {"advancedSecurityMode": "ENFORCED"}, "tags": TAGS})],
         _set("userPoolAddOns", "advancedSecurityMode", value="AUDIT")),
    Case("ecs-container-no-logs", "ecs-task-container-logging",
         [("quiet-task", "aws:ecs/taskDefinition:TaskDefinition",
           {**_task(), "containerDefinitions": json.dumps([_LOGGED_CONTAINER])})],
         _container_change()),
    Case("docdb-literal-master-password", "database-master-password-managed",
         [("catalog-docdb", "aws:docdb/cluster:Cluster", {
             "engine": "docdb", "masterUsername": "catalog", "manageMasterUserPassword": True, "storageEncrypted": True,
             "kmsKeyId": KEY, "deletionProtection": True, "backupRetentionPeriod": 14,
             "enabledCloudwatchLogsExports": ["audit", "profiler"], "tags": TAGS})],
         lambda props: props.update(manageMasterUserPassword=False, masterPassword="Catalog-2024!")),
    Case("redshift-default-parameter-group", "redshift-user-activity-logging",
         [("features-dw", "aws:redshift/cluster:Cluster", {
             "clusterIdentifier": "features-dw", "nodeType": "ra3.xlplus", "masterUsername": "features",
             "manageMasterPassword": True, "encrypted": True, "kmsKeyId": KEY, "publiclyAccessible": False,
             "enhancedVpcRouting": True, "clusterParameterGroupName": "features-audited", "tags": TAGS}),
          ("features-audited", "aws:redshift/parameterGroup:ParameterGroup", {
              "name": "features-audited", "family": "redshift-2.0",
              "parameters": [{"name": "require_ssl", "value": "true"},
                             {"name": "enable_user_activity_logging", "value": "true"}], "tags": TAGS})],
         _set("clusterParameterGroupName", value=_DELETE)),
    Case("beanstalk-default-vpc", "elastic-beanstalk-in-vpc",
         [("scoring-env", "aws:elasticbeanstalk/environment:Environment", _BEANSTALK)],
         lambda props: props.update(settings=props["settings"][2:])),
    Case("beanstalk-logs-on-instances", "elastic-beanstalk-logs",
         [("batch-env", "aws:elasticbeanstalk/environment:Environment", _BEANSTALK)],
         _set("settings", 2, "value", value="false")),
    Case("cloud9-ssh", "cloud9-no-ingress",
         [("research-ide", "aws:cloud9/environmentEC2:EnvironmentEC2", {
             "instanceType": "t3.medium", "imageId": "amazonlinux-2023-x86_64", "subnetId": "subnet-1",
             "connectionType": "CONNECT_SSM", "automaticStopTimeMinutes": 30, "tags": TAGS})],
         _set("connectionType", value="CONNECT_SSH")),
    Case("lex-audio-logs-unencrypted", "lex-audio-logs-cmk",
         [("support-live", "aws-native:lex:BotAlias", {
             "botId": "SUPPORTBOT", "botAliasName": "live", "conversationLogSettings": {"audioLogSettings": [
                 {"enabled": True, "destination": {"s3Bucket": {
                     "s3BucketArn": "arn:aws:s3:::support-audio", "logPrefix": "audio/", "kmsKeyArn": KEY}}}]}})],
         _set("conversationLogSettings", "audioLogSettings", 0, "destination", "s3Bucket", "kmsKeyArn",
              value=_DELETE)),
    # KICS's Pulumi query api_gateway_access_logging_disabled (benchmarks/data/kics_pulumi_aws_coverage.tsv).
    Case("websocket-stage-no-execution-logs", "apigateway-execution-logging",
         [("chat-live", "aws:apigatewayv2/stage:Stage", {
             "apiId": "chat-id", "name": "live", "autoDeploy": True,
             "accessLogSettings": {"destinationArn": "arn:aws:logs:us-east-1:123456789012:log-group:chat",
                                   "format": "$context.requestId"},
             "defaultRouteSettings": {"loggingLevel": "ERROR", "throttlingBurstLimit": 100,
                                      "throttlingRateLimit": 50}, "tags": TAGS}),
          ("chat", "aws:apigatewayv2/api:Api", {"name": "chat", "protocolType": "WEBSOCKET",
                                                "routeSelectionExpression": "$request.body.action", "tags": TAGS})],
         _set("defaultRouteSettings", "loggingLevel", value="OFF")),
]

CASES: list[Case] = [
    Case("rds-public", "data-store-not-public", [("orders-db", "aws:rds/instance:Instance", RDS)],
         _set("publiclyAccessible", value=True)),
    Case("rds-unencrypted", "data-store-encrypted-at-rest", [("ledger-db", "aws:rds/instance:Instance", RDS)],
         _set("storageEncrypted", value=False)),
    Case("rds-no-deletion-protection", "data-store-deletion-protection",
         [("users-db", "aws:rds/instance:Instance", RDS)], _set("deletionProtection", value=False)),
    Case("rds-no-backups", "data-store-backups", [("audit-db", "aws:rds/instance:Instance", RDS)],
         _set("backupRetentionPeriod", value=0)),
    Case("aurora-aws-key", "data-store-customer-managed-key",
         [("metrics-aurora", "aws:rds/cluster:Cluster",
           {"engine": "aurora-postgresql", "storageEncrypted": True, "kmsKeyId": KEY, "deletionProtection": True,
            "backupRetentionPeriod": 14, "manageMasterUserPassword": True, "masterUsername": "app",
            "iamDatabaseAuthenticationEnabled": True, "enabledCloudwatchLogsExports": ["postgresql"],
            "publiclyAccessible": False,
            "copyTagsToSnapshot": True, "tags": TAGS})],
         _set("kmsKeyId", value=_DELETE)),
    Case("dynamodb-no-pitr", "data-store-backups", [("sessions", "aws:dynamodb/table:Table", DYNAMO)],
         _set("pointInTimeRecovery", "enabled", value=False)),
    Case("dynamodb-aws-owned-key", "data-store-customer-managed-key", [("carts", "aws:dynamodb/table:Table", DYNAMO)],
         _set("serverSideEncryption", value=_DELETE)),
    Case("efs-unencrypted", "data-store-encrypted-at-rest",
         [("home", "aws:efs/fileSystem:FileSystem", {"encrypted": True, "kmsKeyId": KEY, "tags": TAGS})],
         _set("encrypted", value=False)),
    Case("opensearch-unencrypted", "data-store-encrypted-at-rest",
         [("search", "aws:opensearch/domain:Domain", OPENSEARCH)], _set("encryptAtRest", "enabled", value=False)),
    Case("opensearch-no-node-tls", "data-store-tls-in-transit",
         [("logs-search", "aws:opensearch/domain:Domain", OPENSEARCH)],
         _set("nodeToNodeEncryption", "enabled", value=False)),
    Case("opensearch-public", "data-store-not-public", [("docs-search", "aws:opensearch/domain:Domain", OPENSEARCH)],
         _set("vpcOptions", value=_DELETE)),
    Case("redis-no-tls", "data-store-tls-in-transit",
         [("cache", "aws:elasticache/replicationGroup:ReplicationGroup", REDIS)],
         _set("transitEncryptionEnabled", value=False)),
    Case("redis-unencrypted", "data-store-encrypted-at-rest",
         [("features-cache", "aws:elasticache/replicationGroup:ReplicationGroup", REDIS)],
         _set("atRestEncryptionEnabled", value=False)),
    Case("redshift-public", "data-store-not-public",
         [("warehouse", "aws:redshift/cluster:Cluster",
           {"nodeType": "ra3.xlplus", "encrypted": True, "kmsKeyId": KEY, "publiclyAccessible": False,
            "automatedSnapshotRetentionPeriod": 7, "manageMasterPassword": True, "masterUsername": "admin",
            "enhancedVpcRouting": True, "tags": TAGS})],
         _set("publiclyAccessible", value=True)),
    Case("kinesis-unencrypted", "data-store-encrypted-at-rest",
         [("clicks", "aws:kinesis/stream:Stream", {"shardCount": 1, "encryptionType": "KMS", "kmsKeyId": KEY,
                                                   "retentionPeriod": 168, "tags": TAGS})],
         _set("encryptionType", value="NONE")),
    Case("msk-plaintext", "data-store-tls-in-transit", [("events", "aws:msk/cluster:Cluster", MSK)],
         _set("encryptionInfo", "encryptionInTransit", "clientBroker", value="TLS_PLAINTEXT")),
    Case("secret-aws-key", "data-store-customer-managed-key",
         [("db-password", "aws:secretsmanager/secret:Secret", {"kmsKeyId": KEY, "tags": TAGS})],
         _set("kmsKeyId", value=_DELETE)),
    Case("ebs-unencrypted", "data-store-encrypted-at-rest",
         [("scratch", "aws:ebs/volume:Volume", {"availabilityZone": "us-east-1a", "size": 100, "type": "gp3",
                                               "encrypted": True, "kmsKeyId": KEY, "tags": TAGS})],
         _set("encrypted", value=False)),
    Case("cloudtrail-no-key", "data-store-customer-managed-key",
         [("audit", "aws:cloudtrail/trail:Trail",
           {"s3BucketName": "audit-logs", "isMultiRegionTrail": True, "enableLogFileValidation": True,
            "includeGlobalServiceEvents": True, "kmsKeyId": KEY,
            "cloudWatchLogsGroupArn": "arn:aws:logs:us-east-1:123456789012:log-group:trail:*", "tags": TAGS})],
         _set("kmsKeyId", value=_DELETE)),
    Case("athena-unencrypted", "data-store-encrypted-at-rest",
         [("analysts", "aws:athena/workgroup:Workgroup",
           {"configuration": {"enforceWorkgroupConfiguration": True, "resultConfiguration": {
               "outputLocation": "s3://athena-results/", "encryptionConfiguration": {
                   "encryptionOption": "SSE_KMS", "kmsKeyArn": KEY}}}, "tags": TAGS})],
         _set("configuration", "resultConfiguration", "encryptionConfiguration", value=_DELETE)),
    Case("glue-security-configuration-plain", "data-store-encrypted-at-rest",
         [("etl", "aws:glue/securityConfiguration:SecurityConfiguration",
           {"encryptionConfiguration": {
               "s3Encryption": {"s3EncryptionMode": "SSE-KMS", "kmsKeyArn": KEY},
               "cloudwatchEncryption": {"cloudwatchEncryptionMode": "SSE-KMS", "kmsKeyArn": KEY},
               "jobBookmarksEncryption": {"jobBookmarksEncryptionMode": "CSE-KMS", "kmsKeyArn": KEY}}})],
         _set("encryptionConfiguration", "cloudwatchEncryption", value={"cloudwatchEncryptionMode": "DISABLED"})),
    Case("backup-vault-aws-key", "data-store-customer-managed-key",
         [("vault", "aws:backup/vault:Vault", {"kmsKeyArn": KEY, "tags": TAGS})], _set("kmsKeyArn", value=_DELETE)),
    Case("rds-no-logs", "data-store-logging", [("billing-db", "aws:rds/instance:Instance", RDS)],
         _set("enabledCloudwatchLogsExports", value=_DELETE)),
    Case("msk-no-broker-logs", "data-store-logging", [("stream-events", "aws:msk/cluster:Cluster", MSK)],
         _set("loggingInfo", value=_DELETE)),
    Case("mwaa-public-webserver", "data-store-not-public",
         [("airflow", "aws:mwaa/environment:Environment",
           {"dagS3Path": "dags/", "executionRoleArn": "arn:aws:iam::123456789012:role/airflow",
            "sourceBucketArn": "arn:aws:s3:::airflow-dags", "kmsKey": KEY, "webserverAccessMode": "PRIVATE_ONLY",
            "networkConfiguration": {"securityGroupIds": ["sg-1"], "subnetIds": ["subnet-1", "subnet-2"]},
            "loggingConfiguration": {module: {"enabled": True, "logLevel": "INFO"} for module in (
                "taskLogs", "schedulerLogs", "webserverLogs", "workerLogs")}, "tags": TAGS})],
         _set("webserverAccessMode", value="PUBLIC_ONLY")),
    Case("dax-unencrypted", "data-store-encrypted-at-rest",
         [("online-features", "aws:dax/cluster:Cluster",
           {"iamRoleArn": "arn:aws:iam::123456789012:role/dax", "nodeType": "dax.r5.large", "replicationFactor": 3,
            "serverSideEncryption": {"enabled": True}, "clusterEndpointEncryptionType": "TLS", "tags": TAGS})],
         _set("serverSideEncryption", "enabled", value=False)),
    Case("glue-job-no-security-configuration", "data-store-encrypted-at-rest",
         [("features-etl", "aws:glue/job:Job",
           {"roleArn": "arn:aws:iam::123456789012:role/glue", "command": {"scriptLocation": "s3://etl/job.py"},
            "securityConfiguration": "etl", "tags": TAGS})],
         _set("securityConfiguration", value=_DELETE)),
    Case("codebuild-aws-key", "data-store-customer-managed-key",
         [("image-build", "aws:codebuild/project:Project",
           {"serviceRole": "arn:aws:iam::123456789012:role/cb", "encryptionKey": KEY,
            "artifacts": {"type": "NO_ARTIFACTS"}, "source": {"type": "NO_SOURCE", "buildspec": "version: 0.2"},
            "environment": {"computeType": "BUILD_GENERAL1_SMALL", "image": "aws/codebuild/standard:7.0",
                            "type": "LINUX_CONTAINER"}, "tags": TAGS})],
         _set("encryptionKey", value=_DELETE)),
    Case("emr-no-security-configuration", "data-store-encrypted-at-rest",
         [("spark", "aws:emr/cluster:Cluster",
           {"releaseLabel": "emr-7.1.0", "serviceRole": "arn:aws:iam::123456789012:role/emr",
            "securityConfiguration": "encrypted", "logUri": "s3://emr-logs/",
            "ec2Attributes": {"subnetId": "subnet-1", "instanceProfile": "emr"},
            "masterInstanceGroup": {"instanceType": "m5.xlarge"}, "tags": TAGS})],
         _set("securityConfiguration", value=_DELETE)),
    Case("api-stage-no-logs", "apigateway-stage-access-logs",
         [("prod-stage", "aws:apigateway/stage:Stage",
           {"restApi": "api-1", "deployment": "dep-1", "stageName": "prod", "xrayTracingEnabled": True,
            "accessLogSettings": {"destinationArn": "arn:aws:logs:us-east-1:123456789012:log-group:api",
                                  "format": "$context.requestId"}, "tags": TAGS})],
         _set("accessLogSettings", value=_DELETE)),
    Case("api-method-open", "apigateway-authorization",
         [("predict-post", "aws:apigateway/method:Method",
           {"restApi": "api-1", "resourceId": "res-1", "httpMethod": "POST", "authorization": "AWS_IAM"})],
         _set("authorization", value="NONE")),
    Case("http-route-open", "apigateway-authorization",
         [("predict-route", "aws:apigatewayv2/route:Route",
           {"apiId": "api-2", "routeKey": "POST /predict", "authorizationType": "JWT", "authorizerId": "auth-1"})],
         _set("authorizationType", value="NONE")),
    Case("api-domain-tls10", "apigateway-domain-tls",
         [("api-domain", "aws:apigateway/domainName:DomainName",
           {"domainName": "api.example.com", "regionalCertificateArn": "arn:aws:acm:us-east-1:1:certificate/1",
            "endpointConfiguration": {"types": "REGIONAL"}, "securityPolicy": "TLS_1_2", "tags": TAGS})],
         _set("securityPolicy", value="TLS_1_0")),
    Case("http-api-domain-tls10", "apigateway-domain-tls",
         [("chat-domain", "aws:apigatewayv2/domainName:DomainName",
           {"domainName": "chat.example.com", "tags": TAGS, "domainNameConfiguration": {
               "certificateArn": "arn:aws:acm:us-east-1:1:certificate/1", "endpointType": "REGIONAL",
               "securityPolicy": "TLS_1_2"}})],
         _set("domainNameConfiguration", "securityPolicy", value="TLS_1_0")),
    Case("cloudfront-http", "cloudfront-https-only",
         [("site", "aws:cloudfront/distribution:Distribution",
           {"enabled": True, "origins": [{"domainName": "site.s3.amazonaws.com", "originId": "s3"}],
            "defaultCacheBehavior": {"targetOriginId": "s3", "viewerProtocolPolicy": "redirect-to-https",
                                     "allowedMethods": ["GET", "HEAD"], "cachedMethods": ["GET", "HEAD"]},
            "viewerCertificate": {"acmCertificateArn": "arn:aws:acm:us-east-1:1:certificate/2",
                                  "sslSupportMethod": "sni-only", "minimumProtocolVersion": "TLSv1.2_2021"},
            "restrictions": {"geoRestriction": {"restrictionType": "none"}},
            "loggingConfig": {"bucket": "cf-logs.s3.amazonaws.com"}, "webAclId": "arn:aws:wafv2:acl", "tags": TAGS})],
         _set("defaultCacheBehavior", "viewerProtocolPolicy", value="allow-all")),
    Case("trail-single-region", "cloudtrail-multi-region",
         [("ops-trail", "aws:cloudtrail/trail:Trail",
           {"s3BucketName": "audit-logs", "isMultiRegionTrail": True, "enableLogFileValidation": True,
            "kmsKeyId": KEY, "includeGlobalServiceEvents": True, "tags": TAGS})],
         _set("isMultiRegionTrail", value=False)),
    Case("trail-no-validation", "cloudtrail-log-file-validation",
         [("sec-trail", "aws:cloudtrail/trail:Trail",
           {"s3BucketName": "audit-logs", "isMultiRegionTrail": True, "enableLogFileValidation": True,
            "kmsKeyId": KEY, "includeGlobalServiceEvents": True, "tags": TAGS})],
         _set("enableLogFileValidation", value=False)),
    Case("alb-no-deletion-protection", "lb-deletion-protection",
         [("serving-alb", "aws:lb/loadBalancer:LoadBalancer", ALB)], _set("enableDeletionProtection", value=False)),
    Case("ecs-cluster-no-insights", "ecs-cluster-container-insights",
         [("serving", "aws:ecs/cluster:Cluster", {"settings": [{"name": "containerInsights", "value": "enabled"}],
                                                   "tags": TAGS})],
         _set("settings", value=[])),
    Case("lambda-old-runtime", "lambda-supported-runtime", [("legacy-fn", "aws:lambda/function:Function", LAMBDA)],
         _set("runtime", value="python3.8")),
    Case("lambda-url-public", "lambda-function-url-auth",
         [("predict-url", "aws:lambda/functionUrl:FunctionUrl", {"functionName": "predict",
                                                                "authorizationType": "AWS_IAM"})],
         _set("authorizationType", value="NONE")),
    Case("lambda-permission-any", "lambda-permission-restricted",
         [("s3-invoke", "aws:lambda/permission:Permission",
           {"action": "lambda:InvokeFunction", "function": "ingest", "principal": "s3.amazonaws.com",
            "sourceArn": "arn:aws:s3:::landing", "sourceAccount": "123456789012"})],
         lambda props: (props.pop("sourceArn"), props.pop("sourceAccount"))),
    Case("ecs-service-public-ip", "ecs-service-no-public-ip",
         [("api-service", "aws:ecs/service:Service",
           {"cluster": "serving", "taskDefinition": "api:3", "desiredCount": 2, "launchType": "FARGATE",
            "networkConfiguration": {"subnets": ["subnet-1"], "securityGroups": ["sg-1"], "assignPublicIp": False},
            "tags": TAGS})],
         _set("networkConfiguration", "assignPublicIp", value=True)),
    Case("ecs-efs-no-tls", "ecs-task-efs-transit-encryption",
         [("efs-task", "aws:ecs/taskDefinition:TaskDefinition",
           {**_task(), "volumes": [{"name": "models", "efsVolumeConfiguration": {
               "fileSystemId": "fs-1", "transitEncryption": "ENABLED"}}]})],
         _set("volumes", 0, "efsVolumeConfiguration", "transitEncryption", value="DISABLED")),
    Case("state-machine-no-logs", "stepfunctions-logging",
         [("training-pipeline", "aws:sfn/stateMachine:StateMachine",
           {"roleArn": "arn:aws:iam::123456789012:role/sfn", "definition": "{}",
            "loggingConfiguration": {"level": "ERROR", "includeExecutionData": False,
                                     "logDestination": "arn:aws:logs:us-east-1:123456789012:log-group:sfn:*"},
            "tracingConfiguration": {"enabled": True}, "tags": TAGS})],
         _set("loggingConfiguration", "level", value="OFF")),
    Case("instance-no-root-volume", "ec2-volumes-encrypted", [("batch-host", "aws:ec2/instance:Instance", INSTANCE)],
         _set("rootBlockDevice", value=_DELETE)),
    Case("listener-default-protocol", "lb-listener-https",
         [("web-default", "aws:lb/listener:Listener",
           {"loadBalancerArn": LISTENER["loadBalancerArn"], "port": 80, "defaultActions": [{
               "type": "redirect", "redirect": {"protocol": "HTTPS", "port": "443", "statusCode": "HTTP_301"}}]})],
         _set("defaultActions", value=LISTENER["defaultActions"])),
    Case("instance-imdsv1", "ec2-imdsv2-required", [("bastion", "aws:ec2/instance:Instance", INSTANCE)],
         _set("metadataOptions", "httpTokens", value="optional")),
    Case("instance-public-ip", "ec2-no-public-ip", [("web", "aws:ec2/instance:Instance", INSTANCE)],
         _set("associatePublicIpAddress", value=True)),
    Case("instance-unencrypted-root", "ec2-volumes-encrypted", [("worker", "aws:ec2/instance:Instance", INSTANCE)],
         _set("rootBlockDevice", "encrypted", value=False)),
    Case("sg-open-egress", "security-group-no-unrestricted-egress",
         [("app-sg", "aws:ec2/securityGroup:SecurityGroup",
           {"description": "app", "vpcId": "vpc-1",
            "egress": [{"description": "https", "protocol": "tcp", "fromPort": 443, "toPort": 443,
                        "cidrBlocks": ["0.0.0.0/0"]}], "tags": TAGS})],
         _set("egress", 0, value={"description": "all", "protocol": "-1", "fromPort": 0, "toPort": 0,
                                  "cidrBlocks": ["0.0.0.0/0"]})),
    Case("sg-public-postgres", "security-group-public-ingress-web-only",
         [("db-sg", "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule",
           {"securityGroupId": "sg-1", "description": "postgres", "ipProtocol": "tcp", "fromPort": 5432,
            "toPort": 5432, "cidrIpv4": "10.0.0.0/16"})],
         _set("cidrIpv4", value="0.0.0.0/0")),
    Case("listener-http", "lb-listener-https", [("web-http", "aws:lb/listener:Listener",
                                                 {**LISTENER, "port": 80, "protocol": "HTTP", "sslPolicy": None,
                                                  "certificateArn": None,
                                                  "defaultActions": [{"type": "redirect", "redirect": {
                                                      "protocol": "HTTPS", "port": "443",
                                                      "statusCode": "HTTP_301"}}]})],
         _set("defaultActions", value=LISTENER["defaultActions"])),
    Case("listener-old-tls", "lb-listener-tls-policy", [("web-https", "aws:lb/listener:Listener", LISTENER)],
         _set("sslPolicy", value="ELBSecurityPolicy-2016-08")),
    Case("alb-invalid-headers", "lb-drop-invalid-headers", [("api-alb", "aws:lb/loadBalancer:LoadBalancer", ALB)],
         _set("dropInvalidHeaderFields", value=False)),
    Case("alb-no-access-logs", "lb-access-logs", [("admin-alb", "aws:lb/loadBalancer:LoadBalancer", ALB)],
         _set("accessLogs", value=_DELETE)),
    Case("alb-internet-facing", "lb-internal-unless-declared-public",
         [("internal-alb", "aws:lb/loadBalancer:LoadBalancer", ALB)], _set("internal", value=False)),
    Case("ecs-privileged", "ecs-task-no-privileged-containers",
         [("privileged-task", "aws:ecs/taskDefinition:TaskDefinition", _task())], _container_change(privileged=True)),
    Case("ecs-writable-root", "ecs-task-read-only-root-filesystem",
         [("writable-task", "aws:ecs/taskDefinition:TaskDefinition", _task())],
         _container_change(readonlyRootFilesystem=False)),
    Case("ecs-root-user", "ecs-task-non-root-user", [("root-task", "aws:ecs/taskDefinition:TaskDefinition", _task())],
         _container_change(user="root")),
    Case("ecs-host-network", "ecs-task-no-host-network",
         [("host-task", "aws:ecs/taskDefinition:TaskDefinition", _task())], _set("networkMode", value="host")),
    Case("ecs-env-password", "no-plaintext-secrets-in-environment",
         [("env-task", "aws:ecs/taskDefinition:TaskDefinition", _task())],
         _container_change(environment=[{"name": "DB_PASSWORD", "value": "Sup3rS3cret!"}])),
    Case("lambda-env-aws-key", "lambda-environment-cmk", [("resizer", "aws:lambda/function:Function", LAMBDA)],
         _set("kmsKeyArn", value=_DELETE)),
    Case("lambda-outside-vpc", "lambda-in-vpc-when-reaching-data",
         [("reporter", "aws:lambda/function:Function",
           {**LAMBDA, "environment": {"variables": {
               "DB_HOST": "reports.cluster-abc123.us-east-1.rds.amazonaws.com"}}})],
         _set("vpcConfig", value=_DELETE)),
    Case("lambda-access-key", "no-plaintext-secrets-in-environment",
         [("uploader", "aws:lambda/function:Function", LAMBDA)],
         _set("environment", "variables", "AWS_ACCESS_KEY_ID", value="AKIAIOSFODNN7EXAMPLE")),
    Case("model-env-token", "no-plaintext-secrets-in-environment",
         [("churn-model", "aws:sagemaker/model:Model",
           {"executionRoleArn": "arn:aws:iam::123456789012:role/sm", "enableNetworkIsolation": True,
            "vpcConfig": {"subnets": ["subnet-1"], "securityGroupIds": ["sg-1"]},
            "primaryContainer": {"image": "123456789012.dkr.ecr.us-east-1.amazonaws.com/churn:3",
                                 "environment": {"MODEL_NAME": "churn"}}, "tags": TAGS})],
         _set("primaryContainer", "environment", "HF_TOKEN", value="hf_aBcDeFgHiJkLmNoPqRsTuVwXyZ012345")),
    Case("user-data-secret", "no-plaintext-secrets-in-user-data",
         [("app-template", "aws:ec2/launchTemplate:LaunchTemplate",
           {"imageId": "ami-0abcdef1234567890", "instanceType": "t3.micro",
            "metadataOptions": {"httpTokens": "required", "httpEndpoint": "enabled", "httpPutResponseHopLimit": 1},
            "blockDeviceMappings": [{"deviceName": "/dev/xvda", "ebs": {"encrypted": "true", "kmsKeyId": KEY}}],
            "userData": base64.b64encode(SCRIPT.encode()).decode(), "tags": TAGS})],
         _set("userData", value=base64.b64encode(
             (SCRIPT + "export AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY\n"
              "export AWS_ACCESS_KEY_ID=AKIAIOSFODNN7EXAMPLE\n").encode()).decode())),
    Case("k8s-env-password", "no-plaintext-secrets-in-environment",
         [("api", "kubernetes:apps/v1:Deployment",
           {"metadata": {"name": "api", "namespace": "ml"}, "spec": {"replicas": 2, "selector": {"matchLabels": {
               "app": "api"}}, "template": {"metadata": {"labels": {"app": "api"}}, "spec": {"containers": [{
                   "name": "api", "image": "registry.example.com/api:1.2.3",
                   "env": [{"name": "DB_PASSWORD", "valueFrom": {"secretKeyRef": {"name": "db", "key": "password"}}}],
               }]}}}})],
         _set("spec", "template", "spec", "containers", 0, "env", 0, value={"name": "DB_PASSWORD",
                                                                            "value": "hunter2hunter2"})),
    Case("iam-pass-role-any", "iam-no-pass-role-on-all-roles",
         [("deployer", "aws:iam/policy:Policy", {"policy": _policy(
             {"Effect": "Allow", "Action": "iam:PassRole", "Resource": SCOPED_ROLE})})],
         _set("policy", value=_policy({"Effect": "Allow", "Action": "iam:PassRole", "Resource": "*"}))),
    Case("iam-privilege-escalation", "iam-no-privilege-escalation",
         [("policy-admin", "aws:iam/rolePolicy:RolePolicy", {"role": "ops", "policy": _policy(
             {"Effect": "Allow", "Action": "iam:GetPolicy", "Resource": "*"})})],
         _set("policy", value=_policy({"Effect": "Allow", "Action": ["iam:GetPolicy", "iam:CreatePolicyVersion"],
                                       "Resource": "*"}))),
    Case("iam-s3-star", "iam-no-data-service-wildcard",
         [("etl-access", "aws:iam/policy:Policy", {"policy": _policy(
             {"Effect": "Allow", "Action": ["s3:GetObject", "s3:PutObject"], "Resource": "arn:aws:s3:::lake/*"})})],
         _set("policy", value=_policy({"Effect": "Allow", "Action": "s3:*", "Resource": "*"}))),
    Case("iam-user-policy", "iam-user-no-direct-policies",
         [("ci-readonly", "aws:iam/userPolicyAttachment:UserPolicyAttachment",
           {"user": "ci", "policyArn": "arn:aws:iam::aws:policy/ReadOnlyAccess"})], lambda props: None),
    Case("subnet-private-public-ip", "subnet-public-ip-only-in-public-subnets",
         [("private-a", "aws:ec2/subnet:Subnet", {"vpcId": "vpc-1", "cidrBlock": "10.0.1.0/24",
                                                  "mapPublicIpOnLaunch": False,
                                                  "tags": {**TAGS, "Name": "app-private-a"}})],
         _set("mapPublicIpOnLaunch", value=True)),
    *ML_CASES,
    *BREADTH_CASES,
    *MORE_BREADTH_CASES,
    *LAST_BREADTH_CASES,
    *FINAL_BREADTH_CASES,
    *GAP_CASES,
    *IAM_SCOPE_CASES,
    *GENAI_CASES,
    *PEER_CASES,
    *CDKNAG_CASES,
    *K8S_CASES,
    Case("kms-lockout-check-bypassed", "kms-key-policy-lockout-check",
         [("features-key", "aws:kms/key:Key", {
             "enableKeyRotation": True, "deletionWindowInDays": 30, "tags": TAGS,
             "policy": _policy({"Sid": "Admins", "Effect": "Allow", "Principal": {
                 "AWS": "arn:aws:iam::123456789012:root"}, "Action": "kms:*", "Resource": "*"})})],
         _set("bypassPolicyLockoutSafetyCheck", value=True)),
]


def _with_outputs(props: dict[str, Any], name: str) -> dict[str, Any]:
    return {**props, "id": f"{name}-id", "arn": f"arn:aws:foreign:us-east-1:123456789012:{name}"}


#: Cases without a compliant twin: the resource itself is the misconfiguration (an IAM user's own policy,
#: an IAM user's console password, an adopted default VPC).
NO_TWIN = frozenset({"iam-user-policy", "iam-login-profile", "default-vpc-adopted"})


def deployment(misconfigured: bool = True, cases: list[Case] | None = None) -> dict[str, Any]:
    """The stack export of every case (its wrong setting applied when ``misconfigured``)."""
    resources: list[dict[str, Any]] = [
        {"urn": ROOT, "type": "pulumi:pulumi:Stack", "custom": False},
        {"urn": f"{PREFIX}pulumi:providers:aws::default", "type": "pulumi:providers:aws", "custom": True,
         "id": "provider-id", "inputs": {"region": "us-east-1"}, "outputs": {"region": "us-east-1"}, "parent": ROOT},
    ]
    provider = f"{PREFIX}pulumi:providers:aws::default::provider-id"
    chosen = CASES if cases is None else cases
    if misconfigured and cases is None:
        # The user-policy case has no compliant twin: an IAM user's own policy is the misconfiguration.
        pass
    for case in chosen:
        for index, (name, type_, props) in enumerate(case.resources):
            if case.name in NO_TWIN and not misconfigured:
                continue
            inputs = {k: v for k, v in copy.deepcopy(props).items() if v is not None}
            if misconfigured and index == 0:
                case.wrong(inputs)
            resource = {"urn": _urn(type_, name), "type": type_, "custom": True, "id": f"{name}-id",
                        "inputs": inputs, "outputs": _with_outputs(inputs, name), "parent": ROOT,
                        "protect": True, "dependencies": [], "propertyDependencies": {}}
            if type_.startswith("aws:"):
                resource["provider"] = provider
            resources.append(resource)
    return {"version": 3, "deployment": {"manifest": {}, "resources": resources}}


def case_urns(case: Case) -> list[str]:
    return [_urn(type_, name) for name, type_, _ in case.resources]


if __name__ == "__main__":  # write both plans: python tests/foreign.py OUT_DIR
    import sys
    from pathlib import Path

    out = Path(sys.argv[1] if len(sys.argv) > 1 else ".")
    out.mkdir(parents=True, exist_ok=True)
    (out / "foreign-misconfigured.json").write_text(json.dumps(deployment(True), indent=1))
    (out / "foreign-compliant.json").write_text(json.dumps(deployment(False), indent=1))
