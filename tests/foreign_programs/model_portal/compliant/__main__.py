"""Partner model portal: released model artifacts are served from S3 through CloudFront (origin access control),
partners sign in with a Cognito user pool, and a scoring API (an HTTP API in front of a Lambda, plus a legacy REST
API for batch clients) takes their requests."""
import json

import pulumi
import pulumi_aws as aws

ACCOUNT = "456789012345"
REGION = "us-east-1"
CERTIFICATE = f"arn:aws:acm:us-east-1:{ACCOUNT}:certificate/6a0f3c52-1b2d-4e5f-8a9b-0c1d2e3f4a5b"
tags = {"owner": "partner-ml", "cost-center": "pml-3", "environment": "prod", "data-classification": "confidential"}
protect = pulumi.ResourceOptions(protect=True)


def visibility(name: str) -> dict:
    return {"cloudwatch_metrics_enabled": True, "metric_name": name, "sampled_requests_enabled": True}


def managed_rules(*names: str) -> list:
    return [{"name": name, "priority": index, "override_action": {"none": {}},
             "statement": {"managed_rule_group_statement": {"vendor_name": "AWS", "name": name}},
             "visibility_config": visibility(name)} for index, name in enumerate(names, start=1)]


def web_acl(name: str, scope: str, provider=None) -> aws.wafv2.WebAcl:
    acl = aws.wafv2.WebAcl(name, scope=scope, default_action={"allow": {}}, visibility_config=visibility(name),
                           rules=managed_rules("AWSManagedRulesCommonRuleSet", "AWSManagedRulesKnownBadInputsRuleSet"),
                           tags=tags, opts=pulumi.ResourceOptions(provider=provider))
    logs = aws.cloudwatch.LogGroup(f"{name}-logs", name=f"aws-waf-logs-{name}", retention_in_days=365,
                                   kms_key_id=key.arn, tags=tags, opts=pulumi.ResourceOptions(provider=provider))
    aws.wafv2.WebAclLoggingConfiguration(f"{name}-logs", resource_arn=acl.arn, log_destination_configs=[logs.arn],
                                         opts=pulumi.ResourceOptions(provider=provider))
    return acl


key = aws.kms.Key("portal", description="model portal", enable_key_rotation=True, tags=tags, opts=protect,
                  policy=json.dumps({"Version": "2012-10-17", "Statement": [
                      {"Sid": "Account", "Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:root"},
                       "Action": "kms:*", "Resource": "*"},
                      {"Sid": "CloudFrontDecrypt", "Effect": "Allow", "Principal": {"Service": "cloudfront.amazonaws.com"},
                       "Action": ["kms:Decrypt"], "Resource": "*",
                       "Condition": {"StringEquals": {"aws:SourceAccount": ACCOUNT}}},
                      {"Sid": "Logs", "Effect": "Allow", "Principal": {"Service": f"logs.{REGION}.amazonaws.com"},
                       "Action": ["kms:Encrypt*", "kms:Decrypt*", "kms:GenerateDataKey*", "kms:Describe*"],
                       "Resource": "*", "Condition": {"ArnLike": {
                           "kms:EncryptionContext:aws:logs:arn": f"arn:aws:logs:{REGION}:{ACCOUNT}:log-group:*"}}}]}))

models = aws.s3.Bucket("released-models", tags=tags, opts=protect)
aws.s3.BucketPublicAccessBlock("released-models", bucket=models.id, block_public_acls=True, block_public_policy=True,
                               ignore_public_acls=True, restrict_public_buckets=True)
aws.s3.BucketServerSideEncryptionConfiguration("released-models", bucket=models.id, rules=[{
    "apply_server_side_encryption_by_default": {"sse_algorithm": "aws:kms", "kms_master_key_id": key.arn},
    "bucket_key_enabled": True}])
aws.s3.BucketVersioning("released-models", bucket=models.id, versioning_configuration={"status": "Enabled"})
aws.s3.BucketLogging("released-models", bucket=models.id, target_bucket="org-central-s3-access-logs",
                     target_prefix="released-models/")

oac = aws.cloudfront.OriginAccessControl("released-models", origin_access_control_origin_type="s3",
                                         signing_behavior="always", signing_protocol="sigv4")
headers = aws.cloudfront.ResponseHeadersPolicy("security-headers", security_headers_config={
    "strict_transport_security": {"access_control_max_age_sec": 63072000, "include_subdomains": True,
                                  "preload": True, "override": True},
    "content_type_options": {"override": True},
    "frame_options": {"frame_option": "DENY", "override": True}})
cdn_acl = web_acl("models-cdn", "CLOUDFRONT")
cdn = aws.cloudfront.Distribution("models-cdn", enabled=True, comment="partner model downloads",
    aliases=["models.partner.example.com"], web_acl_id=cdn_acl.arn,
    origins=[{"origin_id": "models", "domain_name": models.bucket_regional_domain_name,
              "origin_access_control_id": oac.id}],
    default_cache_behavior={
        "target_origin_id": "models", "viewer_protocol_policy": "redirect-to-https",
        "allowed_methods": ["GET", "HEAD"], "cached_methods": ["GET", "HEAD"],
        "cache_policy_id": "658327ea-f89d-4fab-a63d-7e88639e58f6", "response_headers_policy_id": headers.id},
    restrictions={"geo_restriction": {"restriction_type": "none"}},
    viewer_certificate={"acm_certificate_arn": CERTIFICATE, "ssl_support_method": "sni-only",
                        "minimum_protocol_version": "TLSv1.2_2021"},
    logging_config={"bucket": "org-central-cloudfront-logs.s3.amazonaws.com", "prefix": "models-cdn/"},
    tags=tags)
aws.s3.BucketPolicy("released-models", bucket=models.id,
    policy=pulumi.Output.all(models.arn, cdn.arn).apply(lambda a: json.dumps({"Version": "2012-10-17", "Statement": [
        {"Sid": "AllowCloudFrontRead", "Effect": "Allow", "Principal": {"Service": "cloudfront.amazonaws.com"},
         "Action": "s3:GetObject", "Resource": f"{a[0]}/*", "Condition": {"StringEquals": {"AWS:SourceArn": a[1]}}},
        {"Sid": "DenyInsecureTransport", "Effect": "Deny", "Principal": "*", "Action": "s3:*",
         "Resource": [a[0], f"{a[0]}/*"], "Condition": {"Bool": {"aws:SecureTransport": "false"}}}]})))

partners = aws.cognito.UserPool("partners", name="model-portal-partners", mfa_configuration="ON",
    software_token_mfa_configuration={"enabled": True},
    password_policy={"minimum_length": 12, "require_lowercase": True, "require_numbers": True,
                     "require_symbols": True, "require_uppercase": True, "temporary_password_validity_days": 3},
    deletion_protection="ACTIVE", user_pool_add_ons={"advanced_security_mode": "ENFORCED"},
    admin_create_user_config={"allow_admin_create_user_only": True},
    auto_verified_attributes=["email"], tags=tags)
portal_client = aws.cognito.UserPoolClient("portal", user_pool_id=partners.id, generate_secret=False,
    allowed_oauth_flows_user_pool_client=True, allowed_oauth_flows=["code"], allowed_oauth_scopes=["openid"],
    callback_urls=["https://models.partner.example.com/callback"], supported_identity_providers=["COGNITO"],
    explicit_auth_flows=["ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"], prevent_user_existence_errors="ENABLED",
    enable_token_revocation=True)

scorer_role = aws.iam.Role("scorer", tags=tags, assume_role_policy=json.dumps({"Version": "2012-10-17", "Statement": [{
    "Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}]}))
aws.iam.RolePolicyAttachment("scorer-logs", role=scorer_role.name,
                             policy_arn="arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole")
aws.iam.RolePolicy("scorer", role=scorer_role.id, policy=json.dumps({"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Action": "sagemaker:InvokeEndpoint",
     "Resource": f"arn:aws:sagemaker:{REGION}:{ACCOUNT}:endpoint/partner-scorer"}]}))
scorer_logs = aws.cloudwatch.LogGroup("scorer", name="/aws/lambda/partner-scorer", retention_in_days=365,
                                      kms_key_id=key.arn, tags=tags)
scorer = aws.lambda_.Function("scorer", name="partner-scorer", runtime="python3.12", handler="app.handler",
    role=scorer_role.arn, timeout=30, tracing_config={"mode": "Active"}, reserved_concurrent_executions=100,
    code=pulumi.AssetArchive({"app.py": pulumi.StringAsset("def handler(e, c):\n    return {'statusCode': 200}\n")}),
    logging_config={"log_format": "JSON", "log_group": scorer_logs.name}, tags=tags)

api_logs = aws.cloudwatch.LogGroup("scoring-api", retention_in_days=365, kms_key_id=key.arn, tags=tags)
access_format = json.dumps({"requestId": "$context.requestId", "ip": "$context.identity.sourceIp",
                            "routeKey": "$context.routeKey", "status": "$context.status"})
api = aws.apigatewayv2.Api("scoring", protocol_type="HTTP", disable_execute_api_endpoint=False,
    cors_configuration={"allow_origins": ["https://models.partner.example.com"], "allow_methods": ["POST"],
                        "allow_headers": ["authorization", "content-type"]}, tags=tags)
authorizer = aws.apigatewayv2.Authorizer("partners", api_id=api.id, authorizer_type="JWT",
    identity_sources=["$request.header.Authorization"],
    jwt_configuration={"audiences": [portal_client.id],
                       "issuer": partners.id.apply(lambda i: f"https://cognito-idp.{REGION}.amazonaws.com/{i}")})
integration = aws.apigatewayv2.Integration("scoring", api_id=api.id, integration_type="AWS_PROXY",
                                           integration_uri=scorer.invoke_arn, payload_format_version="2.0")
aws.apigatewayv2.Route("score", api_id=api.id, route_key="POST /score", authorization_type="JWT",
                       authorizer_id=authorizer.id, target=integration.id.apply(lambda i: f"integrations/{i}"))
aws.apigatewayv2.Stage("scoring", api_id=api.id, name="$default", auto_deploy=True,
    access_log_settings={"destination_arn": api_logs.arn, "format": access_format},
    default_route_settings={"throttling_burst_limit": 100, "throttling_rate_limit": 50}, tags=tags)
aws.lambda_.Permission("scoring-invoke", action="lambda:InvokeFunction", function=scorer.name,
                       principal="apigateway.amazonaws.com",
                       source_arn=api.execution_arn.apply(lambda arn: f"{arn}/*/*/score"))

# the batch clients' REST API
rest = aws.apigateway.RestApi("batch-scoring", endpoint_configuration={"types": "REGIONAL"}, tags=tags)
rest_authorizer = aws.apigateway.Authorizer("partners", rest_api=rest.id, type="COGNITO_USER_POOLS",
                                            provider_arns=[partners.arn])
resource = aws.apigateway.Resource("batch", rest_api=rest.id, parent_id=rest.root_resource_id, path_part="batch")
method = aws.apigateway.Method("batch-post", rest_api=rest.id, resource_id=resource.id, http_method="POST",
                               authorization="COGNITO_USER_POOLS", authorizer_id=rest_authorizer.id,
                               api_key_required=True)
rest_integration = aws.apigateway.Integration("batch-post", rest_api=rest.id, resource_id=resource.id,
    http_method=method.http_method, integration_http_method="POST", type="AWS_PROXY", uri=scorer.invoke_arn)
deployment = aws.apigateway.Deployment("batch", rest_api=rest.id,
                                       opts=pulumi.ResourceOptions(depends_on=[rest_integration]))
rest_logs = aws.cloudwatch.LogGroup("batch-api", retention_in_days=365, kms_key_id=key.arn, tags=tags)
stage = aws.apigateway.Stage("batch", rest_api=rest.id, deployment=deployment.id, stage_name="v1",
                             xray_tracing_enabled=True, tags=tags,
                             access_log_settings={"destination_arn": rest_logs.arn, "format": access_format})
aws.apigateway.MethodSettings("batch", rest_api=rest.id, stage_name=stage.stage_name, method_path="*/*",
    settings={"logging_level": "INFO", "metrics_enabled": True, "caching_enabled": True,
              "cache_data_encrypted": True})
aws.lambda_.Permission("batch-invoke", action="lambda:InvokeFunction", function=scorer.name,
                       principal="apigateway.amazonaws.com",
                       source_arn=rest.execution_arn.apply(lambda arn: f"{arn}/*/POST/batch"))
api_acl = web_acl("batch-api", "REGIONAL")
aws.wafv2.WebAclAssociation("batch-api", resource_arn=stage.arn, web_acl_arn=api_acl.arn)
plan = aws.apigateway.UsagePlan("batch-partners", api_stages=[{"api_id": rest.id, "stage": stage.stage_name}],
                                throttle_settings={"burst_limit": 50, "rate_limit": 20}, tags=tags)

pulumi.export("cdn", cdn.domain_name)
pulumi.export("api", api.api_endpoint)
