"""Inference API: API Gateway REST API -> Lambda -> DynamoDB prediction cache (Args classes, a loop over methods)."""
import json

import pulumi
import pulumi_aws as aws

TAGS = {"owner": "scoring", "cost-center": "sc-9", "environment": "prod", "data-classification": "confidential"}
key = aws.kms.Key("api-key", enable_key_rotation=True, tags=TAGS)

table = aws.dynamodb.Table("predictions", billing_mode="PAY_PER_REQUEST", hash_key="request_id",
    attributes=[aws.dynamodb.TableAttributeArgs(name="request_id", type="S")],
    ttl=aws.dynamodb.TableTtlArgs(attribute_name="expires_at", enabled=True),
    deletion_protection_enabled=True, tags=TAGS, opts=pulumi.ResourceOptions(protect=True))

role = aws.iam.Role("scorer-role", tags=TAGS, assume_role_policy=json.dumps({"Version": "2012-10-17", "Statement": [{
    "Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}]}))
aws.iam.RolePolicyAttachment("scorer-vpc", role=role.name,
                             policy_arn="arn:aws:iam::aws:policy/service-role/AWSLambdaVPCAccessExecutionRole")
aws.iam.RolePolicy("scorer-table", role=role.id, policy=pulumi.Output.all(table.arn, key.arn).apply(lambda a: json.dumps({
    "Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": ["dynamodb:GetItem", "dynamodb:PutItem"], "Resource": a[0]},
        {"Effect": "Allow", "Action": ["kms:Decrypt", "kms:GenerateDataKey"], "Resource": a[1]}]})))
fn_logs = aws.cloudwatch.LogGroup("scorer-logs", name="/aws/lambda/scorer", retention_in_days=365, kms_key_id=key.arn,
                                  tags=TAGS)
dlq = aws.sqs.Queue("scorer-dlq", kms_master_key_id=key.id, message_retention_seconds=1209600, tags=TAGS)
fn = aws.lambda_.Function("scorer", runtime="python3.12", handler="app.handler", role=role.arn,
    code=pulumi.AssetArchive({"app.py": pulumi.StringAsset("def handler(event, context):\n    return {'statusCode': 200}\n")}),
    timeout=10, memory_size=512, kms_key_arn=key.arn, reserved_concurrent_executions=50,
    tracing_config=aws.lambda_.FunctionTracingConfigArgs(mode="Active"),
    dead_letter_config=aws.lambda_.FunctionDeadLetterConfigArgs(target_arn=dlq.arn),
    vpc_config=aws.lambda_.FunctionVpcConfigArgs(subnet_ids=["subnet-0a1b2c3d4e5f60001", "subnet-0a1b2c3d4e5f60002"],
                                                 security_group_ids=["sg-0123456789abcdef0"]),
    logging_config=aws.lambda_.FunctionLoggingConfigArgs(log_format="JSON", log_group=fn_logs.name),
    environment=aws.lambda_.FunctionEnvironmentArgs(variables={"TABLE": table.name}),
    tags=TAGS)

api = aws.apigateway.RestApi("scoring-api", endpoint_configuration=aws.apigateway.RestApiEndpointConfigurationArgs(
    types="EDGE"), tags=TAGS)
resource = aws.apigateway.Resource("score", rest_api=api.id, parent_id=api.root_resource_id, path_part="score")
integrations = []
for verb in ["POST"]:
    method = aws.apigateway.Method(f"score-{verb.lower()}", rest_api=api.id, resource_id=resource.id,
                                   http_method=verb, authorization="NONE")
    integrations.append(aws.apigateway.Integration(f"score-{verb.lower()}-lambda", rest_api=api.id,
        resource_id=resource.id, http_method=method.http_method, type="AWS_PROXY",
        integration_http_method="POST", uri=fn.invoke_arn))
aws.lambda_.Permission("apigw-invoke", action="lambda:InvokeFunction", function=fn.name,
                       principal="apigateway.amazonaws.com")
deployment = aws.apigateway.Deployment("v1", rest_api=api.id, triggers={"redeploy": "1"},
                                       opts=pulumi.ResourceOptions(depends_on=integrations))
access_logs = aws.cloudwatch.LogGroup("api-access", retention_in_days=365, kms_key_id=key.arn, tags=TAGS)
stage = aws.apigateway.Stage("prod", rest_api=api.id, deployment=deployment.id, stage_name="prod",
    xray_tracing_enabled=True, cache_cluster_enabled=False,
    tags=TAGS)
aws.apigateway.MethodSettings("all", rest_api=api.id, stage_name=stage.stage_name, method_path="*/*",
    settings=aws.apigateway.MethodSettingsSettingsArgs(logging_level="INFO", metrics_enabled=True,
                                                       throttling_rate_limit=100, throttling_burst_limit=200))
acl = aws.wafv2.WebAcl("api-acl", scope="REGIONAL", default_action={"allow": {}},
    visibility_config={"cloudwatch_metrics_enabled": True, "metric_name": "api-acl", "sampled_requests_enabled": True},
    rules=[{"name": "common", "priority": 1, "override_action": {"none": {}},
            "statement": {"managed_rule_group_statement": {"vendor_name": "AWS", "name": "AWSManagedRulesCommonRuleSet"}},
            "visibility_config": {"cloudwatch_metrics_enabled": True, "metric_name": "common", "sampled_requests_enabled": True}},
           {"name": "bad-inputs", "priority": 2, "override_action": {"none": {}},
            "statement": {"managed_rule_group_statement": {"vendor_name": "AWS", "name": "AWSManagedRulesKnownBadInputsRuleSet"}},
            "visibility_config": {"cloudwatch_metrics_enabled": True, "metric_name": "bad-inputs", "sampled_requests_enabled": True}},
           {"name": "rate", "priority": 3, "action": {"block": {}},
            "statement": {"rate_based_statement": {"limit": 2000, "aggregate_key_type": "IP"}},
            "visibility_config": {"cloudwatch_metrics_enabled": True, "metric_name": "rate", "sampled_requests_enabled": True}}],
    tags=TAGS)
waf_logs = aws.cloudwatch.LogGroup("waf-logs", name="aws-waf-logs-scoring-api", retention_in_days=365,
                                   kms_key_id=key.arn, tags=TAGS)
aws.wafv2.WebAclLoggingConfiguration("api-acl-logging", resource_arn=acl.arn, log_destination_configs=[waf_logs.arn])
pulumi.export("url", stage.invoke_url)
