"""Product recommendations, the whole service in one file the way the team started it in 2021 (pulumi-aws 6 idioms
kept after the upgrade to 7): a VPC, an ALB in front of an ECS Fargate ranking service, Aurora PostgreSQL for the
catalogue, a Redis node for hot recommendations, the training-data bucket (BucketV2 with inline Object Lock and
lifecycle rules), a CloudFront distribution for the widget, an API Gateway + Lambda feedback endpoint feeding SQS
through SNS, a DynamoDB table of user events, a KMS key, CloudTrail and CloudWatch alarms."""
import json

import pulumi
import pulumi_aws as aws

cfg = pulumi.Config()
TAGS = {"service": "recsys", "owner": "ml-recs", "environment": "prod", "cost-center": "cc-207",
        "data-classification": "confidential"}
account = aws.get_caller_identity().account_id
region = aws.get_region().region
CERT = "arn:aws:acm:us-east-1:444455556666:certificate/9a8b7c6d-5e4f-3a2b-1c0d-ef9876543210"
LOG_BUCKET = "org-central-s3-access-logs-444455556666"
protect = pulumi.ResourceOptions(protect=True)

key = aws.kms.Key("recsys", description="recsys data", enable_key_rotation=True, deletion_window_in_days=30, tags=TAGS,
                  opts=protect, policy=json.dumps({"Version": "2012-10-17", "Statement": [
                      {"Sid": "Root", "Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{account}:root"},
                       "Action": "kms:*", "Resource": "*"},
                      {"Sid": "Services", "Effect": "Allow",
                       "Principal": {"Service": [f"logs.{region}.amazonaws.com", "cloudtrail.amazonaws.com",
                                                 "sns.amazonaws.com"]},
                       "Action": ["kms:Encrypt", "kms:Decrypt", "kms:GenerateDataKey*", "kms:DescribeKey"],
                       "Resource": "*", "Condition": {"StringEquals": {"aws:SourceAccount": account}}}]}))

# ---- network ------------------------------------------------------------------------------------------------------
vpc = aws.ec2.Vpc("recsys", cidr_block="10.40.0.0/16", enable_dns_hostnames=True, enable_dns_support=True, tags=TAGS)
aws.ec2.DefaultSecurityGroup("default", vpc_id=vpc.id, tags=TAGS)
flow_logs = aws.cloudwatch.LogGroup("flow-logs", retention_in_days=365, kms_key_id=key.arn, tags=TAGS)
flow_role = aws.iam.Role("flow-logs", tags=TAGS, assume_role_policy=json.dumps({"Version": "2012-10-17", "Statement": [{
    "Effect": "Allow", "Principal": {"Service": "vpc-flow-logs.amazonaws.com"}, "Action": "sts:AssumeRole"}]}))
aws.iam.RolePolicy("flow-logs", role=flow_role.id, policy=flow_logs.arn.apply(lambda arn: json.dumps({
    "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Resource": f"{arn}:*",
                                            "Action": ["logs:CreateLogStream", "logs:PutLogEvents"]}]})))
aws.ec2.FlowLog("recsys", vpc_id=vpc.id, traffic_type="ALL", log_destination=flow_logs.arn,
                iam_role_arn=flow_role.arn, tags=TAGS)
igw = aws.ec2.InternetGateway("recsys", vpc_id=vpc.id, tags=TAGS)
public, private = [], []
for i, az in enumerate(["us-east-1a", "us-east-1b"]):
    public.append(aws.ec2.Subnet(f"public-{i}", vpc_id=vpc.id, cidr_block=f"10.40.{i}.0/24", availability_zone=az,
                                 tags={**TAGS, "tier": "public"}))
    private.append(aws.ec2.Subnet(f"private-{i}", vpc_id=vpc.id, cidr_block=f"10.40.{10 + i}.0/24",
                                  availability_zone=az, tags={**TAGS, "tier": "private"}))
public_rt = aws.ec2.RouteTable("public", vpc_id=vpc.id, routes=[{"cidr_block": "0.0.0.0/0", "gateway_id": igw.id}],
                               tags=TAGS)
for i, subnet in enumerate(public):
    aws.ec2.RouteTableAssociation(f"public-{i}", subnet_id=subnet.id, route_table_id=public_rt.id)
private_ids = [s.id for s in private]

alb_sg = aws.ec2.SecurityGroup("alb", vpc_id=vpc.id, description="recsys ALB", tags=TAGS,
    ingress=[{"protocol": "tcp", "from_port": 443, "to_port": 443, "cidr_blocks": ["0.0.0.0/0"]}],
    egress=[{"protocol": "tcp", "from_port": 8000, "to_port": 8000, "cidr_blocks": ["10.40.0.0/16"]}])
svc_sg = aws.ec2.SecurityGroup("ranker", vpc_id=vpc.id, description="ranking service", tags=TAGS,
    ingress=[{"protocol": "tcp", "from_port": 8000, "to_port": 8000, "security_groups": [alb_sg.id]}],
    egress=[{"protocol": "tcp", "from_port": 443, "to_port": 443, "cidr_blocks": ["0.0.0.0/0"]},
            {"protocol": "tcp", "from_port": 5432, "to_port": 5432, "cidr_blocks": ["10.40.0.0/16"]},
            {"protocol": "tcp", "from_port": 6379, "to_port": 6379, "cidr_blocks": ["10.40.0.0/16"]}])
data_sg = aws.ec2.SecurityGroup("data", vpc_id=vpc.id, description="catalogue and cache", tags=TAGS,
    ingress=[{"protocol": "tcp", "from_port": 5432, "to_port": 5432, "security_groups": [svc_sg.id]},
             {"protocol": "tcp", "from_port": 6379, "to_port": 6379, "security_groups": [svc_sg.id]}])

# ---- training data -------------------------------------------------------------------------------------------------
datasets = aws.s3.BucketV2("training-datasets", bucket=f"recsys-training-datasets-{account}", tags=TAGS,
    object_lock_enabled=True,
    object_lock_configuration={"rules": [{"default_retentions": [{"mode": "GOVERNANCE", "days": 90}]}]},
    server_side_encryption_configurations=[{"rules": [{
        "apply_server_side_encryption_by_defaults": [{"sse_algorithm": "aws:kms", "kms_master_key_id": key.arn}],
        "bucket_key_enabled": True}]}],
    versionings=[{"enabled": True}],
    loggings=[{"target_bucket": LOG_BUCKET, "target_prefix": "recsys-datasets/"}],
    lifecycle_rules=[{"id": "cold-versions", "enabled": True, "abort_incomplete_multipart_upload_days": 7,
                      "noncurrent_version_transitions": [{"days": 30, "storage_class": "GLACIER_IR"}]}],
    opts=protect)
aws.s3.BucketPolicy("training-datasets", bucket=datasets.id, policy=datasets.arn.apply(lambda arn: json.dumps({
    "Version": "2012-10-17", "Statement": [{"Sid": "TLS", "Effect": "Deny", "Principal": "*", "Action": "s3:*",
                                            "Resource": [arn, f"{arn}/*"],
                                            "Condition": {"Bool": {"aws:SecureTransport": "false"}}}]})))
aws.s3.BucketPublicAccessBlock("training-datasets", bucket=datasets.id, block_public_acls=True,
                               block_public_policy=True, ignore_public_acls=True, restrict_public_buckets=True)

# ---- catalogue database and cache ------------------------------------------------------------------------------------
db_subnets = aws.rds.SubnetGroup("catalogue", subnet_ids=private_ids, tags=TAGS)
db_params = aws.rds.ClusterParameterGroup("catalogue", family="aurora-postgresql16", tags=TAGS, parameters=[
    {"name": "log_min_duration_statement", "value": "1000"}, {"name": "rds.force_ssl", "value": "1"}])
catalogue = aws.rds.Cluster("catalogue", cluster_identifier="recsys-catalogue", engine="aurora-postgresql",
                            engine_version="16.4", database_name="catalogue", master_username="recsys",
                            master_password=cfg.require_secret("dbPassword"), db_subnet_group_name=db_subnets.name,
                            db_cluster_parameter_group_name=db_params.name,
                            vpc_security_group_ids=[data_sg.id], storage_encrypted=True, kms_key_id=key.arn,
                            backup_retention_period=14, deletion_protection=True,
                            iam_database_authentication_enabled=True,
                            enabled_cloudwatch_logs_exports=["postgresql"], copy_tags_to_snapshot=True,
                            final_snapshot_identifier="recsys-catalogue-final", tags=TAGS, opts=protect)
for i in range(2):
    aws.rds.ClusterInstance(f"catalogue-{i}", cluster_identifier=catalogue.id, engine="aurora-postgresql",
                            instance_class="db.r6g.large", publicly_accessible=False,
                            performance_insights_enabled=True, performance_insights_kms_key_id=key.arn,
                            auto_minor_version_upgrade=True, tags=TAGS, opts=protect)

cache_subnets = aws.elasticache.SubnetGroup("hot-recs", subnet_ids=private_ids, tags=TAGS)
cache_logs = aws.cloudwatch.LogGroup("hot-recs", retention_in_days=365, kms_key_id=key.arn, tags=TAGS)
aws.elasticache.ReplicationGroup("hot-recs", description="hot recommendations", engine="redis",
                                 node_type="cache.r6g.large", num_cache_clusters=2, automatic_failover_enabled=True,
                                 subnet_group_name=cache_subnets.name, security_group_ids=[data_sg.id],
                                 at_rest_encryption_enabled=True, kms_key_id=key.arn, transit_encryption_enabled=True,
                                 auth_token=cfg.require_secret("redisAuthToken"), snapshot_retention_limit=7,
                                 log_delivery_configurations=[{"destination": cache_logs.name,
                                                               "destination_type": "cloudwatch-logs",
                                                               "log_format": "json", "log_type": "engine-log"}],
                                 tags=TAGS, opts=protect)

events = aws.dynamodb.Table("user-events", billing_mode="PAY_PER_REQUEST", hash_key="user_id", range_key="ts",
                            attributes=[{"name": "user_id", "type": "S"}, {"name": "ts", "type": "N"}],
                            server_side_encryption={"enabled": True, "kms_key_arn": key.arn},
                            point_in_time_recovery={"enabled": True}, deletion_protection_enabled=True,
                            tags=TAGS, opts=protect)

# ---- ranking service on ECS ------------------------------------------------------------------------------------------
cluster = aws.ecs.Cluster("recsys", settings=[{"name": "containerInsights", "value": "enabled"}], tags=TAGS)
task_logs = aws.cloudwatch.LogGroup("ranker", retention_in_days=365, kms_key_id=key.arn, tags=TAGS)
assume_ecs = json.dumps({"Version": "2012-10-17", "Statement": [{
    "Effect": "Allow", "Principal": {"Service": "ecs-tasks.amazonaws.com"}, "Action": "sts:AssumeRole"}]})
exec_role = aws.iam.Role("ranker-exec", assume_role_policy=assume_ecs, tags=TAGS)
aws.iam.RolePolicyAttachment("ranker-exec", role=exec_role.name,
                             policy_arn="arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy")
task_role = aws.iam.Role("ranker-task", assume_role_policy=assume_ecs, tags=TAGS)
aws.iam.RolePolicy("ranker-task", role=task_role.id, policy=pulumi.Output.all(events.arn, datasets.arn, key.arn).apply(
    lambda a: json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": ["dynamodb:GetItem", "dynamodb:Query"], "Resource": a[0]},
        {"Effect": "Allow", "Action": ["s3:GetObject"], "Resource": f"{a[1]}/models/*"},
        {"Effect": "Allow", "Action": ["kms:Decrypt"], "Resource": a[2]}]})))
task = aws.ecs.TaskDefinition("ranker", family="recsys-ranker", cpu="1024", memory="2048", network_mode="awsvpc",
    requires_compatibilities=["FARGATE"], execution_role_arn=exec_role.arn, task_role_arn=task_role.arn, tags=TAGS,
    container_definitions=task_logs.name.apply(lambda group: json.dumps([{
        "name": "ranker", "image": f"{account}.dkr.ecr.us-east-1.amazonaws.com/recsys-ranker:2024.11.3",
        "essential": True, "user": "10001", "readonlyRootFilesystem": True,
        "portMappings": [{"containerPort": 8000, "protocol": "tcp"}],
        "environment": [{"name": "EVENTS_TABLE", "value": "user-events"}],
        "secrets": [{"name": "DB_PASSWORD", "valueFrom": f"arn:aws:ssm:us-east-1:{account}:parameter/recsys/db"}],
        "logConfiguration": {"logDriver": "awslogs", "options": {
            "awslogs-group": group, "awslogs-region": "us-east-1", "awslogs-stream-prefix": "ranker"}}}])))

alb = aws.alb.LoadBalancer("recsys", internal=False, load_balancer_type="application", security_groups=[alb_sg.id],
                           subnets=[s.id for s in public], drop_invalid_header_fields=True,
                           enable_deletion_protection=True,
                           access_logs={"bucket": "org-central-elb-logs-444455556666", "prefix": "recsys",
                                        "enabled": True}, tags={**TAGS, "public": "true"})
tg = aws.alb.TargetGroup("ranker", port=8000, protocol="HTTP", target_type="ip", vpc_id=vpc.id, tags=TAGS,
                         health_check={"path": "/health"})
listener = aws.alb.Listener("https", load_balancer_arn=alb.arn, port=443, protocol="HTTPS", certificate_arn=CERT,
                            ssl_policy="ELBSecurityPolicy-TLS13-1-2-2021-06", tags=TAGS,
                            default_actions=[{"type": "fixed-response", "fixed_response": {
                                "content_type": "text/plain", "status_code": "404"}}])
aws.alb.ListenerRule("rank", listener_arn=listener.arn, priority=10, tags=TAGS,
                     conditions=[{"path_pattern": {"values": ["/rank/*"]}}],
                     actions=[{"type": "forward", "target_group_arn": tg.arn}])
waf_logs = aws.cloudwatch.LogGroup("waf", name="aws-waf-logs-recsys", retention_in_days=365, kms_key_id=key.arn,
                                   tags=TAGS)
web_acl = aws.wafv2.WebAcl("recsys", scope="REGIONAL", default_action={"allow": {}}, tags=TAGS,
    visibility_config={"cloudwatch_metrics_enabled": True, "metric_name": "recsys", "sampled_requests_enabled": True},
    rules=[{"name": name, "priority": i, "override_action": {"none": {}},
            "statement": {"managed_rule_group_statement": {"vendor_name": "AWS", "name": name}},
            "visibility_config": {"cloudwatch_metrics_enabled": True, "metric_name": name,
                                  "sampled_requests_enabled": True}}
           for i, name in enumerate(["AWSManagedRulesCommonRuleSet", "AWSManagedRulesKnownBadInputsRuleSet"])])
aws.wafv2.WebAclLoggingConfiguration("recsys", resource_arn=web_acl.arn, log_destination_configs=[waf_logs.arn])
aws.wafv2.WebAclAssociation("recsys", resource_arn=alb.arn, web_acl_arn=web_acl.arn)
aws.ecs.Service("ranker", cluster=cluster.arn, task_definition=task.arn, desired_count=2, launch_type="FARGATE",
                network_configuration={"subnets": private_ids, "security_groups": [svc_sg.id],
                                       "assign_public_ip": False},
                load_balancers=[{"target_group_arn": tg.arn, "container_name": "ranker", "container_port": 8000}],
                propagate_tags="SERVICE", tags=TAGS)

# ---- feedback API: API Gateway -> Lambda -> SNS -> SQS ---------------------------------------------------------------
topic = aws.sns.Topic("feedback", kms_master_key_id=key.id, tags=TAGS)
dlq = aws.sqs.Queue("feedback-dlq", kms_master_key_id=key.id, message_retention_seconds=1209600, tags=TAGS)
queue = aws.sqs.Queue("feedback", kms_master_key_id=key.id, tags=TAGS,
                      redrive_policy=dlq.arn.apply(lambda arn: json.dumps({"deadLetterTargetArn": arn,
                                                                            "maxReceiveCount": 5})))
aws.sqs.QueuePolicy("feedback", queue_url=queue.id, policy=pulumi.Output.all(queue.arn, topic.arn).apply(
    lambda a: json.dumps({"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Principal": {"Service": "sns.amazonaws.com"}, "Action": "sqs:SendMessage",
        "Resource": a[0], "Condition": {"ArnEquals": {"aws:SourceArn": a[1]}}}]})))
aws.sns.TopicSubscription("feedback", topic=topic.arn, protocol="sqs", endpoint=queue.arn)

fn_role = aws.iam.Role("feedback-fn", tags=TAGS, assume_role_policy=json.dumps({"Version": "2012-10-17", "Statement": [{
    "Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}]}))
aws.iam.RolePolicyAttachment("feedback-fn", role=fn_role.name,
                             policy_arn="arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole")
aws.iam.RolePolicy("feedback-fn", role=fn_role.id, policy=pulumi.Output.all(topic.arn, key.arn).apply(
    lambda a: json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "sns:Publish", "Resource": a[0]},
        {"Effect": "Allow", "Action": ["kms:GenerateDataKey", "kms:Decrypt"], "Resource": a[1]}]})))
fn_logs = aws.cloudwatch.LogGroup("feedback-fn", name="/aws/lambda/recsys-feedback", retention_in_days=365,
                                  kms_key_id=key.arn, tags=TAGS)
fn = aws.lambda_.Function("feedback", name="recsys-feedback", runtime="python3.12", handler="app.handler",
                          role=fn_role.arn, timeout=10, tracing_config={"mode": "Active"}, kms_key_arn=key.arn,
                          environment={"variables": {"TOPIC_ARN": topic.arn}},
                          code=pulumi.AssetArchive({"app.py": pulumi.StringAsset("def handler(e, c):\n    return {}\n")}),
                          tags=TAGS, opts=pulumi.ResourceOptions(depends_on=[fn_logs]))

api = aws.apigateway.RestApi("feedback", endpoint_configuration={"types": "REGIONAL"}, tags=TAGS)
resource = aws.apigateway.Resource("feedback", rest_api=api.id, parent_id=api.root_resource_id, path_part="feedback")
method = aws.apigateway.Method("feedback-post", rest_api=api.id, resource_id=resource.id, http_method="POST",
                               authorization="AWS_IAM")
integration = aws.apigateway.Integration("feedback-post", rest_api=api.id, resource_id=resource.id,
                                         http_method=method.http_method, type="AWS_PROXY",
                                         integration_http_method="POST", uri=fn.invoke_arn)
deployment = aws.apigateway.Deployment("feedback", rest_api=api.id,
                                       opts=pulumi.ResourceOptions(depends_on=[integration]))
api_logs = aws.cloudwatch.LogGroup("feedback-api", retention_in_days=365, kms_key_id=key.arn, tags=TAGS)
stage = aws.apigateway.Stage("prod", rest_api=api.id, deployment=deployment.id, stage_name="prod",
                             xray_tracing_enabled=True, tags=TAGS,
                             access_log_settings={"destination_arn": api_logs.arn,
                                                  "format": json.dumps({"requestId": "$context.requestId",
                                                                        "status": "$context.status"})})
aws.apigateway.MethodSettings("all", rest_api=api.id, stage_name=stage.stage_name, method_path="*/*",
                              settings={"logging_level": "INFO", "metrics_enabled": True})
aws.wafv2.WebAclAssociation("feedback-api", resource_arn=stage.arn, web_acl_arn=web_acl.arn)
aws.lambda_.Permission("feedback-api", action="lambda:InvokeFunction", function=fn.name,
                       principal="apigateway.amazonaws.com",
                       source_arn=api.execution_arn.apply(lambda arn: f"{arn}/*/POST/feedback"))

# ---- widget CDN --------------------------------------------------------------------------------------------------------
widget = aws.s3.BucketV2("widget", bucket=f"recsys-widget-{account}", tags=TAGS,
    server_side_encryption_configurations=[{"rules": [{
        "apply_server_side_encryption_by_defaults": [{"sse_algorithm": "aws:kms", "kms_master_key_id": key.arn}],
        "bucket_key_enabled": True}]}],
    versionings=[{"enabled": True}],
    loggings=[{"target_bucket": LOG_BUCKET, "target_prefix": "recsys-widget/"}], opts=protect)
aws.s3.BucketPublicAccessBlock("widget", bucket=widget.id, block_public_acls=True, block_public_policy=True,
                               ignore_public_acls=True, restrict_public_buckets=True)
oac = aws.cloudfront.OriginAccessControl("widget", origin_access_control_origin_type="s3", signing_behavior="always",
                                         signing_protocol="sigv4")
cf_acl = aws.wafv2.WebAcl("widget", scope="CLOUDFRONT", default_action={"allow": {}}, tags=TAGS,
    visibility_config={"cloudwatch_metrics_enabled": True, "metric_name": "widget", "sampled_requests_enabled": True},
    rules=[{"name": name, "priority": i, "override_action": {"none": {}},
            "statement": {"managed_rule_group_statement": {"vendor_name": "AWS", "name": name}},
            "visibility_config": {"cloudwatch_metrics_enabled": True, "metric_name": name,
                                  "sampled_requests_enabled": True}}
           for i, name in enumerate(["AWSManagedRulesCommonRuleSet", "AWSManagedRulesKnownBadInputsRuleSet"])])
cf_waf_logs = aws.cloudwatch.LogGroup("widget-waf", name="aws-waf-logs-recsys-widget", retention_in_days=365,
                                      kms_key_id=key.arn, tags=TAGS)
aws.wafv2.WebAclLoggingConfiguration("widget", resource_arn=cf_acl.arn, log_destination_configs=[cf_waf_logs.arn])
cdn = aws.cloudfront.Distribution("widget", enabled=True, default_root_object="index.html", web_acl_id=cf_acl.arn,
    aliases=["widget.recs.example.com"], tags=TAGS,
    origins=[{"origin_id": "widget", "domain_name": widget.bucket_regional_domain_name,
              "origin_access_control_id": oac.id}],
    default_cache_behavior={"target_origin_id": "widget", "viewer_protocol_policy": "redirect-to-https",
                            "allowed_methods": ["GET", "HEAD"], "cached_methods": ["GET", "HEAD"],
                            "cache_policy_id": "658327ea-f89d-4fab-a63d-7e88639e58f6",
                            "response_headers_policy_id": "67f7725c-6f97-4210-82d7-5512b31e9d03"},
    restrictions={"geo_restriction": {"restriction_type": "none"}},
    logging_config={"bucket": f"{LOG_BUCKET}.s3.amazonaws.com", "prefix": "cdn/recsys-widget/"},
    viewer_certificate={"acm_certificate_arn": CERT, "ssl_support_method": "sni-only",
                        "minimum_protocol_version": "TLSv1.2_2021"})
aws.s3.BucketPolicy("widget", bucket=widget.id, policy=pulumi.Output.all(widget.arn, cdn.arn).apply(
    lambda a: json.dumps({"Version": "2012-10-17", "Statement": [
        {"Sid": "CloudFront", "Effect": "Allow", "Principal": {"Service": "cloudfront.amazonaws.com"},
         "Action": "s3:GetObject", "Resource": f"{a[0]}/*", "Condition": {"StringEquals": {"AWS:SourceArn": a[1]}}},
        {"Sid": "TLS", "Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": [a[0], f"{a[0]}/*"],
         "Condition": {"Bool": {"aws:SecureTransport": "false"}}}]})))

# ---- audit and alarms --------------------------------------------------------------------------------------------------
trail_logs = aws.cloudwatch.LogGroup("trail", retention_in_days=365, kms_key_id=key.arn, tags=TAGS)
trail_role = aws.iam.Role("trail", tags=TAGS, assume_role_policy=json.dumps({"Version": "2012-10-17", "Statement": [{
    "Effect": "Allow", "Principal": {"Service": "cloudtrail.amazonaws.com"}, "Action": "sts:AssumeRole"}]}))
aws.iam.RolePolicy("trail", role=trail_role.id, policy=trail_logs.arn.apply(lambda arn: json.dumps({
    "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": ["logs:CreateLogStream", "logs:PutLogEvents"],
                                            "Resource": f"{arn}:*"}]})))
aws.cloudtrail.Trail("recsys", s3_bucket_name="org-central-cloudtrail-444455556666", is_multi_region_trail=True,
                     include_global_service_events=True, enable_log_file_validation=True, kms_key_id=key.arn,
                     cloud_watch_logs_group_arn=trail_logs.arn.apply(lambda arn: f"{arn}:*"),
                     cloud_watch_logs_role_arn=trail_role.arn, tags=TAGS,
                     event_selectors=[{"read_write_type": "All", "include_management_events": True,
                                       "data_resources": [{"type": "AWS::S3::Object",
                                                           "values": [datasets.arn.apply(lambda a: f"{a}/"),
                                                                      widget.arn.apply(lambda a: f"{a}/")]}]}])
alarms = aws.sns.Topic("alarms", kms_master_key_id=key.id, tags=TAGS)
aws.cloudwatch.MetricAlarm("ranker-5xx", comparison_operator="GreaterThanThreshold", evaluation_periods=3,
                           metric_name="HTTPCode_Target_5XX_Count", namespace="AWS/ApplicationELB", period=60,
                           statistic="Sum", threshold=20, alarm_actions=[alarms.arn],
                           dimensions={"LoadBalancer": alb.arn_suffix}, tags=TAGS)
aws.cloudwatch.MetricAlarm("feedback-dlq", comparison_operator="GreaterThanThreshold", evaluation_periods=1,
                           metric_name="ApproximateNumberOfMessagesVisible", namespace="AWS/SQS", period=300,
                           statistic="Maximum", threshold=0, alarm_actions=[alarms.arn],
                           dimensions={"QueueName": dlq.name}, tags=TAGS)

pulumi.export("api", stage.invoke_url)
pulumi.export("widget", cdn.domain_name)
