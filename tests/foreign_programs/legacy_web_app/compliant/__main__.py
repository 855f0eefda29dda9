"""Storefront web tier, written years ago against pulumi-aws 6 and still deployed with pulumi-aws 7: BucketV2 and
its *V2 settings, inline security group rules, the aws.alb aliases, a launch configuration behind an Auto Scaling
group, an RDS MySQL instance, a Redis replication group, an Elasticsearch domain for product search and a nightly
EventBridge rule that runs a Lambda. Reviewed by the security team in 2023."""
import json

import pulumi
import pulumi_aws as aws

TAGS = {"app": "storefront", "owner": "web", "environment": "prod", "cost-center": "cc-114",
        "data-classification": "internal"}
VPC_ID = "vpc-0a1b2c3d4e5f60718"
PUBLIC_SUBNETS = ["subnet-0aa11bb22cc33dd44", "subnet-0ee55ff66aa77bb88"]
PRIVATE_SUBNETS = ["subnet-0123456789abcdef0", "subnet-0fedcba9876543210"]
CERT = "arn:aws:acm:us-east-1:111122223333:certificate/0f1e2d3c-4b5a-6978-8a9b-0c1d2e3f4a5b"
LOG_BUCKET = "org-central-s3-access-logs-111122223333"
cfg = pulumi.Config()
db_password = cfg.require_secret("dbPassword")
account = aws.get_caller_identity().account_id

key = aws.kms.Key("storefront", description="storefront data", enable_key_rotation=True, deletion_window_in_days=30,
                  tags=TAGS, opts=pulumi.ResourceOptions(protect=True), policy=json.dumps({"Version": "2012-10-17", "Statement": [{
                      "Sid": "Root", "Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{account}:root"},
                      "Action": "kms:*", "Resource": "*"}]}))


def tls_only(name, bucket):
    aws.s3.BucketPolicy(f"{name}-tls", bucket=bucket.id, policy=bucket.arn.apply(lambda arn: json.dumps({
        "Version": "2012-10-17", "Statement": [{
            "Sid": "DenyInsecureTransport", "Effect": "Deny", "Principal": "*", "Action": "s3:*",
            "Resource": [arn, f"{arn}/*"], "Condition": {"Bool": {"aws:SecureTransport": "false"}}}]})))
    aws.s3.BucketPublicAccessBlock(f"{name}-pab", bucket=bucket.id, block_public_acls=True, block_public_policy=True,
                                   ignore_public_acls=True, restrict_public_buckets=True)


# ---- static assets (inline pulumi-aws 6 lists) and uploads (separate *V2 settings) -----------------------------------
assets = aws.s3.BucketV2("assets", bucket="storefront-assets-prod", tags=TAGS, acl="private",
    server_side_encryption_configurations=[{"rules": [{
        "apply_server_side_encryption_by_defaults": [{"sse_algorithm": "aws:kms", "kms_master_key_id": key.arn}],
        "bucket_key_enabled": True}]}],
    versionings=[{"enabled": True}],
    loggings=[{"target_bucket": LOG_BUCKET, "target_prefix": "storefront-assets/"}],
    lifecycle_rules=[{"id": "old-versions", "enabled": True, "abort_incomplete_multipart_upload_days": 7,
                      "noncurrent_version_transitions": [{"days": 30, "storage_class": "STANDARD_IA"}]}],
    opts=pulumi.ResourceOptions(protect=True))
tls_only("assets", assets)
aws.s3.BucketObject("logo", bucket=assets.id, key="img/logo.png", source=pulumi.StringAsset("png"),
                    content_type="image/png", acl="private", kms_key_id=key.arn, tags=TAGS)

uploads = aws.s3.BucketV2("uploads", bucket="storefront-uploads-prod", tags=TAGS,
                          opts=pulumi.ResourceOptions(protect=True))
aws.s3.BucketServerSideEncryptionConfigurationV2("uploads-sse", bucket=uploads.id, rules=[{
    "apply_server_side_encryption_by_default": {"sse_algorithm": "aws:kms", "kms_master_key_id": key.arn},
    "bucket_key_enabled": True}])
aws.s3.BucketVersioningV2("uploads-versioning", bucket=uploads.id, versioning_configuration={"status": "Enabled"})
aws.s3.BucketLoggingV2("uploads-logging", bucket=uploads.id, target_bucket=LOG_BUCKET, target_prefix="uploads/")
aws.s3.BucketAclV2("uploads-acl", bucket=uploads.id, acl="private")
tls_only("uploads", uploads)

# ---- network ---------------------------------------------------------------------------------------------------------
alb_sg = aws.ec2.SecurityGroup("alb", vpc_id=VPC_ID, description="storefront load balancer", tags=TAGS,
    ingress=[{"protocol": "tcp", "from_port": 443, "to_port": 443, "cidr_blocks": ["0.0.0.0/0"],
              "description": "https"}],
    egress=[{"protocol": "tcp", "from_port": 8080, "to_port": 8080, "cidr_blocks": ["10.20.0.0/16"],
             "description": "to the web servers"}])
web_sg = aws.ec2.SecurityGroup("web", vpc_id=VPC_ID, description="storefront web servers", tags=TAGS,
    ingress=[{"protocol": "tcp", "from_port": 8080, "to_port": 8080, "security_groups": [alb_sg.id],
              "description": "from the load balancer"}],
    egress=[{"protocol": "tcp", "from_port": 443, "to_port": 443, "cidr_blocks": ["0.0.0.0/0"],
             "description": "https to AWS APIs and payment provider"}])
db_sg = aws.ec2.SecurityGroup("db", vpc_id=VPC_ID, description="storefront database and cache", tags=TAGS)
aws.ec2.SecurityGroupRule("db-mysql", type="ingress", security_group_id=db_sg.id, protocol="tcp",
                          from_port=3306, to_port=3306, source_security_group_id=web_sg.id, description="mysql")
aws.ec2.SecurityGroupRule("db-redis", type="ingress", security_group_id=db_sg.id, protocol="tcp",
                          from_port=6379, to_port=6379, source_security_group_id=web_sg.id, description="redis")

# ---- load balancer (aws.alb aliases of aws.lb) -----------------------------------------------------------------------
alb = aws.alb.LoadBalancer("web", load_balancer_type="application", internal=False, security_groups=[alb_sg.id],
                           subnets=PUBLIC_SUBNETS, drop_invalid_header_fields=True, enable_deletion_protection=True,
                           access_logs={"bucket": "org-central-elb-logs-111122223333", "prefix": "storefront",
                                        "enabled": True},
                           tags={**TAGS, "public": "true"})
acl = aws.wafv2.WebAcl("web", scope="REGIONAL", default_action={"allow": {}}, tags=TAGS,
    visibility_config={"cloudwatch_metrics_enabled": True, "metric_name": "storefront", "sampled_requests_enabled": True},
    rules=[{"name": "common", "priority": 0, "override_action": {"none": {}},
            "statement": {"managed_rule_group_statement": {"vendor_name": "AWS", "name": "AWSManagedRulesCommonRuleSet"}},
            "visibility_config": {"cloudwatch_metrics_enabled": True, "metric_name": "common",
                                  "sampled_requests_enabled": True}},
           {"name": "bad-inputs", "priority": 1, "override_action": {"none": {}},
            "statement": {"managed_rule_group_statement": {"vendor_name": "AWS",
                                                           "name": "AWSManagedRulesKnownBadInputsRuleSet"}},
            "visibility_config": {"cloudwatch_metrics_enabled": True, "metric_name": "bad-inputs",
                                  "sampled_requests_enabled": True}}])
waf_logs = aws.cloudwatch.LogGroup("waf", name="aws-waf-logs-storefront", retention_in_days=365, kms_key_id=key.arn,
                                   tags=TAGS)
aws.wafv2.WebAclLoggingConfiguration("web", resource_arn=acl.arn, log_destination_configs=[waf_logs.arn])
aws.wafv2.WebAclAssociation("web", resource_arn=alb.arn, web_acl_arn=acl.arn)
tg = aws.alb.TargetGroup("web", port=8080, protocol="HTTP", vpc_id=VPC_ID, tags=TAGS,
                         health_check={"path": "/healthz", "matcher": "200"})
aws.alb.Listener("https", load_balancer_arn=alb.arn, port=443, protocol="HTTPS", certificate_arn=CERT,
                 ssl_policy="ELBSecurityPolicy-TLS13-1-2-2021-06", tags=TAGS,
                 default_actions=[{"type": "forward", "target_group_arn": tg.arn}])
aws.alb.Listener("http", load_balancer_arn=alb.arn, port=80, protocol="HTTP", tags=TAGS,
                 default_actions=[{"type": "redirect", "redirect": {"port": "443", "protocol": "HTTPS",
                                                                    "status_code": "HTTP_301"}}])

# ---- web servers -----------------------------------------------------------------------------------------------------
role = aws.iam.Role("web", tags=TAGS, assume_role_policy=json.dumps({"Version": "2012-10-17", "Statement": [{
    "Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}]}))
aws.iam.PolicyAttachment("web-ssm", roles=[role.name],
                         policy_arn="arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore")
aws.iam.RolePolicy("web-uploads", role=role.id, policy=pulumi.Output.all(uploads.arn, key.arn).apply(
    lambda a: json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": ["s3:GetObject", "s3:PutObject"], "Resource": f"{a[0]}/*"},
        {"Effect": "Allow", "Action": ["kms:Decrypt", "kms:GenerateDataKey"], "Resource": a[1]}]})))
profile = aws.iam.InstanceProfile("web", role=role.name, tags=TAGS)
lc = aws.ec2.LaunchConfiguration("web", image_id="ami-0c55b159cbfafe1f0", instance_type="m5.large",
    iam_instance_profile=profile.name, security_groups=[web_sg.id], associate_public_ip_address=False,
    metadata_options={"http_endpoint": "enabled", "http_tokens": "required", "http_put_response_hop_limit": 1},
    root_block_device={"volume_size": 30, "volume_type": "gp3", "encrypted": True},
    user_data="#!/bin/bash\n/opt/storefront/start.sh --secrets-from ssm:/storefront/prod\n")
aws.autoscaling.Group("web", launch_configuration=lc.name, min_size=2, max_size=6, desired_capacity=2,
                      vpc_zone_identifiers=PRIVATE_SUBNETS, target_group_arns=[tg.arn],
                      tags=[{"key": k, "value": v, "propagate_at_launch": True} for k, v in TAGS.items()])

# ---- data --------------------------------------------------------------------------------------------------------------
subnets = aws.rds.SubnetGroup("db", subnet_ids=PRIVATE_SUBNETS, tags=TAGS)
aws.rds.Instance("orders", identifier="storefront-orders", engine="mysql", engine_version="8.0",
                 instance_class="db.m6g.large", allocated_storage=100, username="admin", password=db_password,
                 db_subnet_group_name=subnets.name, vpc_security_group_ids=[db_sg.id], publicly_accessible=False,
                 storage_encrypted=True, kms_key_id=key.arn, backup_retention_period=14, multi_az=True,
                 deletion_protection=True, iam_database_authentication_enabled=True,
                 enabled_cloudwatch_logs_exports=["audit", "error", "general", "slowquery"],
                 copy_tags_to_snapshot=True, auto_minor_version_upgrade=True,
                 performance_insights_enabled=True, performance_insights_kms_key_id=key.arn,
                 final_snapshot_identifier="storefront-orders-final", tags=TAGS,
                 opts=pulumi.ResourceOptions(protect=True))

cache_logs = aws.cloudwatch.LogGroup("sessions-slow", retention_in_days=365, kms_key_id=key.arn, tags=TAGS)
cache_subnets = aws.elasticache.SubnetGroup("cache", subnet_ids=PRIVATE_SUBNETS, tags=TAGS)
aws.elasticache.ReplicationGroup("sessions", description="session store", engine="redis", node_type="cache.m6g.large",
                                 num_cache_clusters=2, automatic_failover_enabled=True, multi_az_enabled=True,
                                 subnet_group_name=cache_subnets.name, security_group_ids=[db_sg.id],
                                 at_rest_encryption_enabled=True, kms_key_id=key.arn,
                                 transit_encryption_enabled=True, auth_token=cfg.require_secret("redisAuthToken"),
                                 snapshot_retention_limit=7,
                                 log_delivery_configurations=[{"destination": cache_logs.name,
                                                               "destination_type": "cloudwatch-logs",
                                                               "log_format": "json", "log_type": "slow-log"}],
                                 tags=TAGS, opts=pulumi.ResourceOptions(protect=True))

search_logs = aws.cloudwatch.LogGroup("search-audit", retention_in_days=365, kms_key_id=key.arn, tags=TAGS)
aws.elasticsearch.Domain("search", domain_name="storefront-search", elasticsearch_version="7.10",
    cluster_config={"instance_type": "r5.large.elasticsearch", "instance_count": 2, "zone_awareness_enabled": True},
    ebs_options={"ebs_enabled": True, "volume_size": 50},
    vpc_options={"subnet_ids": PRIVATE_SUBNETS, "security_group_ids": [db_sg.id]},
    encrypt_at_rest={"enabled": True, "kms_key_id": key.arn},
    node_to_node_encryption={"enabled": True},
    domain_endpoint_options={"enforce_https": True, "tls_security_policy": "Policy-Min-TLS-1-2-2019-07"},
    advanced_security_options={"enabled": True, "internal_user_database_enabled": False,
                               "master_user_options": {"master_user_arn": role.arn}},
    log_publishing_options=[{"log_type": "AUDIT_LOGS", "cloudwatch_log_group_arn": search_logs.arn},
                            {"log_type": "ES_APPLICATION_LOGS", "cloudwatch_log_group_arn": search_logs.arn}],
    tags=TAGS, opts=pulumi.ResourceOptions(protect=True))

# ---- nightly job -------------------------------------------------------------------------------------------------------
fn_role = aws.iam.Role("report", assume_role_policy=json.dumps({"Version": "2012-10-17", "Statement": [{
    "Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}]}), tags=TAGS)
aws.iam.RolePolicyAttachment("report-logs", role=fn_role.name,
                             policy_arn="arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole")
fn_logs = aws.cloudwatch.LogGroup("report", name="/aws/lambda/storefront-report", retention_in_days=365,
                                  kms_key_id=key.arn, tags=TAGS)
fn = aws.lambda_.Function("report", name="storefront-report", runtime="python3.12", handler="report.handler",
                          role=fn_role.arn, timeout=60, tracing_config={"mode": "Active"},
                          code=pulumi.AssetArchive({"report.py": pulumi.StringAsset("def handler(e, c):\n    pass\n")}),
                          tags=TAGS, opts=pulumi.ResourceOptions(depends_on=[fn_logs]))
rule = aws.cloudwatch.EventRule("nightly", schedule_expression="cron(0 3 * * ? *)", tags=TAGS)
aws.cloudwatch.EventTarget("nightly", rule=rule.name, arn=fn.arn)
# the organization's other accounts send order events to the default bus
aws.cloudwatch.EventPermission("org-accounts", principal="*", statement_id="org-order-events",
                               condition={"key": "aws:PrincipalOrgID", "type": "StringEquals",
                                          "value": "o-a1b2c3d4e5"})
aws.lambda_.Permission("invoke-nightly", action="lambda:InvokeFunction", function=fn.name,
                       principal="events.amazonaws.com", source_arn=rule.arn)

pulumi.export("url", alb.dns_name)
