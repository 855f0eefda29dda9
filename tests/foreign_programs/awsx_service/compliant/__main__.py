"""Text-embedding service the way the awsx examples build one, hardened: an awsx VPC with a flow log,
an awsx ECR repository, an internal awsx ApplicationLoadBalancer with HTTPS and a web ACL, and an awsx
FargateService in private subnets whose secret comes from Secrets Manager."""
import json

import pulumi
import pulumi_aws as aws
import pulumi_awsx as awsx

tags = {"owner": "search", "cost-center": "srch-9", "environment": "prod", "data-classification": "internal"}
CERTIFICATE = "arn:aws:acm:us-east-1:123456789012:certificate/0f3c6a52-9b7e-4d1a-8c55-2f6e7d8a9b0c"

key = aws.kms.Key("embeddings", enable_key_rotation=True, deletion_window_in_days=30, tags=tags)
vpc = awsx.ec2.Vpc("embeddings", cidr_block="10.60.0.0/16", number_of_availability_zones=2,
                   nat_gateways=awsx.ec2.NatGatewayConfigurationArgs(strategy=awsx.ec2.NatGatewayStrategy.SINGLE),
                   tags=tags)
flow_logs = aws.cloudwatch.LogGroup("embeddings-flow", retention_in_days=400, kms_key_id=key.arn, tags=tags)
flow_role = aws.iam.Role("embeddings-flow", tags=tags, assume_role_policy=json.dumps({
    "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole",
                                            "Principal": {"Service": "vpc-flow-logs.amazonaws.com"}}]}))
aws.ec2.FlowLog("embeddings", vpc_id=vpc.vpc_id, traffic_type="ALL", log_destination=flow_logs.arn,
                iam_role_arn=flow_role.arn, tags=tags)

repo = awsx.ecr.Repository("embeddings", image_tag_mutability="IMMUTABLE", tags=tags,
                           image_scanning_configuration=aws.ecr.RepositoryImageScanningConfigurationArgs(
                               scan_on_push=True),
                           encryption_configurations=[aws.ecr.RepositoryEncryptionConfigurationArgs(
                               encryption_type="KMS", kms_key=key.arn)])
cluster = aws.ecs.Cluster("embeddings", tags=tags,
                          settings=[aws.ecs.ClusterSettingArgs(name="containerInsights", value="enabled")])

alb_group = aws.ec2.SecurityGroup("embeddings-alb", vpc_id=vpc.vpc_id, description="alb", tags=tags,
                                  ingress=[{"protocol": "tcp", "from_port": 443, "to_port": 443,
                                            "cidr_blocks": ["10.0.0.0/8"], "description": "https from the org"}],
                                  egress=[{"protocol": "tcp", "from_port": 8080, "to_port": 8080,
                                           "cidr_blocks": ["10.60.0.0/16"], "description": "to tasks"}])
alb = awsx.lb.ApplicationLoadBalancer(
    "embeddings", subnet_ids=vpc.private_subnet_ids, internal=True, drop_invalid_header_fields=True,
    enable_deletion_protection=True, security_groups=[alb_group.id],
    access_logs=aws.lb.LoadBalancerAccessLogsArgs(bucket="search-alb-logs", enabled=True, prefix="embeddings"),
    listener=awsx.lb.ListenerArgs(port=443, protocol="HTTPS", certificate_arn=CERTIFICATE,
                                  ssl_policy="ELBSecurityPolicy-TLS13-1-2-2021-06"),
    tags=tags)
acl = aws.wafv2.WebAcl("embeddings", scope="REGIONAL", default_action={"allow": {}}, tags=tags,
                       visibility_config={"cloudwatch_metrics_enabled": True, "metric_name": "embeddings",
                                          "sampled_requests_enabled": True},
                       rules=[{"name": "common", "priority": 0, "override_action": {"none": {}},
                               "statement": {"managed_rule_group_statement": {
                                   "vendor_name": "AWS", "name": "AWSManagedRulesCommonRuleSet"}},
                               "visibility_config": {"cloudwatch_metrics_enabled": True, "metric_name": "common",
                                                     "sampled_requests_enabled": True}},
                              {"name": "bad-inputs", "priority": 1, "override_action": {"none": {}},
                               "statement": {"managed_rule_group_statement": {
                                   "vendor_name": "AWS", "name": "AWSManagedRulesKnownBadInputsRuleSet"}},
                               "visibility_config": {"cloudwatch_metrics_enabled": True, "metric_name": "bad-inputs",
                                                     "sampled_requests_enabled": True}}])
waf_logs = aws.cloudwatch.LogGroup("aws-waf-logs-embeddings", name="aws-waf-logs-embeddings", retention_in_days=400,
                                   kms_key_id=key.arn, tags=tags)
aws.wafv2.WebAclLoggingConfiguration("embeddings", resource_arn=acl.arn, log_destination_configs=[waf_logs.arn])
aws.wafv2.WebAclAssociation("embeddings", resource_arn=alb.load_balancer.arn, web_acl_arn=acl.arn)

task_group = aws.ec2.SecurityGroup("embeddings-task", vpc_id=vpc.vpc_id, description="tasks", tags=tags,
                                   ingress=[{"protocol": "tcp", "from_port": 8080, "to_port": 8080,
                                             "security_groups": [alb_group.id], "description": "from the alb"}],
                                   egress=[{"protocol": "tcp", "from_port": 443, "to_port": 443,
                                            "cidr_blocks": ["10.60.0.0/16"], "description": "endpoints"}])
api_key = aws.secretsmanager.Secret("embeddings-cohere", kms_key_id=key.arn, tags=tags)
aws.secretsmanager.SecretRotation("embeddings-cohere", secret_id=api_key.id,
                                  rotation_lambda_arn="arn:aws:lambda:us-east-1:123456789012:function:rotator",
                                  rotation_rules={"automatically_after_days": 30})

service = awsx.ecs.FargateService(
    "embeddings", cluster=cluster.arn, desired_count=2, tags=tags,
    network_configuration=aws.ecs.ServiceNetworkConfigurationArgs(
        subnets=vpc.private_subnet_ids, security_groups=[task_group.id], assign_public_ip=False),
    task_definition_args=awsx.ecs.FargateServiceTaskDefinitionArgs(
        log_group=awsx.awsx.DefaultLogGroupArgs(args=awsx.awsx.LogGroupArgs(
            retention_in_days=400, kms_key_id=key.arn)),
        container=awsx.ecs.TaskDefinitionContainerDefinitionArgs(
            name="embeddings", image=repo.url, cpu=1024, memory=4096, essential=True, user="1000",
            readonly_root_filesystem=True,
            port_mappings=[awsx.ecs.TaskDefinitionPortMappingArgs(container_port=8080,
                                                                  target_group=alb.default_target_group)],
            environment=[awsx.ecs.TaskDefinitionKeyValuePairArgs(name="MODEL", value="bge-large")],
            secrets=[awsx.ecs.TaskDefinitionSecretArgs(name="COHERE_API_KEY", value_from=api_key.arn)])))

pulumi.export("url", pulumi.Output.concat("https://", alb.load_balancer.dns_name))
