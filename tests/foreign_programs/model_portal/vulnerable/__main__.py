"""Partner model portal: released model artifacts are served from S3 through CloudFront (origin access control),
partners sign in with a Cognito user pool, and a scoring API (an HTTP API in front of a Lambda, plus a legacy REST
API for batch clients) takes their requests."""
import json

import pulumi
import pulumi_aws as aws

ACCOUNT = "456789012345"
REGION = "us-east-1"
tags = {"owner": "partner-ml", "cost-center": "pml-3", "environment": "prod"}


def bucket_policy_json(bucket_arn: str, distribution_arn: str) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": [{
        "Sid": "AllowCloudFrontRead", "Effect": "Allow",
        "Principal": {"Service": "cloudfront.amazonaws.com"},
        "Action": "s3:GetObject", "Resource": f"{bucket_arn}/*",
        # seed: no AWS:SourceArn condition: any CloudFront distribution, in any account, may read
    }]})


models = aws.s3.Bucket("released-models", tags=tags)
aws.s3.BucketPublicAccessBlock("released-models", bucket=models.id, block_public_acls=True, block_public_policy=True,
                               ignore_public_acls=True, restrict_public_buckets=True)
aws.s3.BucketServerSideEncryptionConfiguration("released-models", bucket=models.id, rules=[{
    "apply_server_side_encryption_by_default": {"sse_algorithm": "AES256"}}])

oac = aws.cloudfront.OriginAccessControl("released-models", origin_access_control_origin_type="s3",
                                         signing_behavior="always", signing_protocol="sigv4")
cdn = aws.cloudfront.Distribution("models-cdn", enabled=True, comment="partner model downloads",
    origins=[{"origin_id": "models", "domain_name": models.bucket_regional_domain_name,
              "origin_access_control_id": oac.id}],
    default_cache_behavior={
        "target_origin_id": "models", "viewer_protocol_policy": "allow-all",  # seed: HTTP allowed
        "allowed_methods": ["GET", "HEAD"], "cached_methods": ["GET", "HEAD"],
        "cache_policy_id": "658327ea-f89d-4fab-a63d-7e88639e58f6"},
    restrictions={"geo_restriction": {"restriction_type": "none"}},
    viewer_certificate={"cloudfront_default_certificate": True},  # seed: the default certificate (TLS 1.0)
    tags=tags)  # seed: no web ACL, no access logging
aws.s3.BucketPolicy("released-models", bucket=models.id,
                    policy=pulumi.Output.all(models.arn, cdn.arn).apply(lambda a: bucket_policy_json(*a)))

partners = aws.cognito.UserPool("partners", name="model-portal-partners",
    mfa_configuration="OFF",  # seed: no MFA
    password_policy={"minimum_length": 6, "require_lowercase": True, "require_numbers": False,
                     "require_symbols": False, "require_uppercase": False,
                     "temporary_password_validity_days": 30},  # seed: weak password policy
    deletion_protection="INACTIVE",  # seed
    auto_verified_attributes=["email"], tags=tags)
aws.cognito.UserPoolClient("portal", user_pool_id=partners.id, generate_secret=False,
    allowed_oauth_flows_user_pool_client=True, allowed_oauth_flows=["implicit"], allowed_oauth_scopes=["openid"],
    callback_urls=["https://models.partner.example.com/callback"], supported_identity_providers=["COGNITO"],
    explicit_auth_flows=["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"])

scorer_role = aws.iam.Role("scorer", tags=tags, assume_role_policy=json.dumps({"Version": "2012-10-17", "Statement": [{
    "Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}]}))
aws.iam.RolePolicyAttachment("scorer-logs", role=scorer_role.name,
                             policy_arn="arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole")
aws.iam.RolePolicy("scorer", role=scorer_role.id, policy=json.dumps({"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Action": "sagemaker:InvokeEndpoint", "Resource": "*"}]}))
scorer = aws.lambda_.Function("scorer", runtime="python3.12", handler="app.handler", role=scorer_role.arn,
    code=pulumi.AssetArchive({"app.py": pulumi.StringAsset("def handler(e, c):\n    return {'statusCode': 200}\n")}),
    timeout=30, tracing_config={"mode": "Active"}, tags=tags)

api = aws.apigatewayv2.Api("scoring", protocol_type="HTTP",
    cors_configuration={"allow_origins": ["*"], "allow_methods": ["*"], "allow_headers": ["*"]}, tags=tags)
integration = aws.apigatewayv2.Integration("scoring", api_id=api.id, integration_type="AWS_PROXY",
                                           integration_uri=scorer.invoke_arn, payload_format_version="2.0")
aws.apigatewayv2.Route("score", api_id=api.id, route_key="POST /score",
                       target=integration.id.apply(lambda i: f"integrations/{i}"))  # seed: no authorizer
aws.apigatewayv2.Stage("scoring", api_id=api.id, name="$default", auto_deploy=True, tags=tags)  # seed: no access logs
aws.lambda_.Permission("scoring-invoke", action="lambda:InvokeFunction", function=scorer.name,
                       principal="apigateway.amazonaws.com")  # seed: no source_arn

# the batch clients' REST API
rest = aws.apigateway.RestApi("batch-scoring", endpoint_configuration={"types": "REGIONAL"}, tags=tags)
resource = aws.apigateway.Resource("batch", rest_api=rest.id, parent_id=rest.root_resource_id, path_part="batch")
method = aws.apigateway.Method("batch-post", rest_api=rest.id, resource_id=resource.id, http_method="POST",
                               authorization="NONE", api_key_required=True)
rest_integration = aws.apigateway.Integration("batch-post", rest_api=rest.id, resource_id=resource.id,
    http_method=method.http_method, integration_http_method="POST", type="AWS_PROXY", uri=scorer.invoke_arn)
deployment = aws.apigateway.Deployment("batch", rest_api=rest.id,
                                       opts=pulumi.ResourceOptions(depends_on=[rest_integration]))
stage = aws.apigateway.Stage("batch", rest_api=rest.id, deployment=deployment.id, stage_name="v1",
                             xray_tracing_enabled=True, tags=tags)  # seed: no access logs, no web ACL
aws.apigateway.MethodSettings("batch", rest_api=rest.id, stage_name=stage.stage_name, method_path="*/*",
    settings={"logging_level": "OFF", "metrics_enabled": True, "caching_enabled": True,
              "cache_data_encrypted": False})  # seed: no execution logs, unencrypted cache

pulumi.export("cdn", cdn.domain_name)
pulumi.export("api", api.api_endpoint)
