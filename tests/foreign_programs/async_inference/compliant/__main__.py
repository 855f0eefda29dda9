"""Asynchronous inference: requests land in SQS (fed by an SNS topic), a Lambda worker calls a SageMaker
async endpoint and stores results in Aurora PostgreSQL; an ALB (HTTP redirected to HTTPS) fronts the
status API; GitHub Actions deploys through an OIDC role."""
import json

import pulumi
import pulumi_aws as aws

cfg = pulumi.Config()
repo = cfg.require("githubRepo")
ACCOUNT = "123456789012"
TAGS = {"owner": "async-ml", "cost-center": "am-5", "environment": "prod", "data-classification": "confidential"}
VPC = "vpc-0abc1234def567890"
PRIVATE = ["subnet-0a1b2c3d4e5f60001", "subnet-0a1b2c3d4e5f60002"]
PUBLIC = ["subnet-0a1b2c3d4e5f60101", "subnet-0a1b2c3d4e5f60102"]

key = aws.kms.Key("async-key", enable_key_rotation=True, tags=TAGS)
topic = aws.sns.Topic("requests", kms_master_key_id=key.arn, tags=TAGS)
queue = aws.sqs.Queue("requests", kms_master_key_id=key.arn, visibility_timeout_seconds=300, tags=TAGS)
aws.sqs.QueuePolicy("requests-from-sns", queue_url=queue.url, policy=pulumi.Output.all(queue.arn, topic.arn).apply(
    lambda a: json.dumps({"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Principal": {"Service": "sns.amazonaws.com"}, "Action": "sqs:SendMessage",
        "Resource": a[0], "Condition": {"ArnEquals": {"aws:SourceArn": a[1]}}}]})))
aws.sns.TopicPolicy("requests-publishers", arn=topic.arn, policy=topic.arn.apply(lambda arn: json.dumps({
    "Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:root"}, "Action": "sns:Publish",
        "Resource": arn}, {
        "Effect": "Deny", "Principal": "*", "Action": "sns:Publish", "Resource": arn,
        "Condition": {"Bool": {"aws:SecureTransport": "false"}}}]})))
aws.sns.TopicSubscription("requests-to-queue", topic=topic.arn, protocol="sqs", endpoint=queue.arn,
                          raw_message_delivery=True)

db_sg = aws.ec2.SecurityGroup("results-db", vpc_id=VPC, description="aurora", tags=TAGS,
    ingress=[{"protocol": "tcp", "from_port": 5432, "to_port": 5432, "cidr_blocks": ["10.0.0.0/16"], "description": "vpc"}])
params = aws.rds.ClusterParameterGroup("results-params", family="aurora-postgresql16", tags=TAGS, parameters=[
    {"name": "rds.force_ssl", "value": "1"}, {"name": "log_statement", "value": "ddl"},
    {"name": "log_connections", "value": "1"}, {"name": "log_disconnections", "value": "1"}])
subnets = aws.rds.SubnetGroup("results", subnet_ids=PRIVATE, tags=TAGS)
cluster = aws.rds.Cluster("results", engine="aurora-postgresql", engine_version="16.4",
    db_subnet_group_name=subnets.name, vpc_security_group_ids=[db_sg.id], master_username="results",
    manage_master_user_password=True, master_user_secret_kms_key_id=key.arn,
    db_cluster_parameter_group_name=params.name, storage_encrypted=True, kms_key_id=key.arn,
    backup_retention_period=14, deletion_protection=True, iam_database_authentication_enabled=True,
    enabled_cloudwatch_logs_exports=["postgresql"], copy_tags_to_snapshot=True, skip_final_snapshot=False,
    final_snapshot_identifier="results-final", tags=TAGS, opts=pulumi.ResourceOptions(protect=True))
for i in range(2):
    aws.rds.ClusterInstance(f"results-{i}", cluster_identifier=cluster.id, instance_class="db.r6g.large",
                            engine="aurora-postgresql", publicly_accessible=False, performance_insights_enabled=True,
                            performance_insights_kms_key_id=key.arn, auto_minor_version_upgrade=True, tags=TAGS)

endpoint_config = aws.sagemaker.EndpointConfiguration("async-config", kms_key_arn=key.arn,
    production_variants=[{"variant_name": "primary", "model_name": "summarizer-v3", "instance_type": "ml.g5.2xlarge",
                          "initial_instance_count": 2}],
    async_inference_config={"output_config": {
        "s3_output_path": "s3://acme-async-results/outputs/", "s3_failure_path": "s3://acme-async-results/failures/",
        "kms_key_id": key.arn, "notification_config": {"success_topic": topic.arn, "error_topic": topic.arn}}},
    data_capture_config={"enable_capture": True, "initial_sampling_percentage": 100,
                         "destination_s3_uri": "s3://acme-async-results/capture/", "kms_key_id": key.arn,
                         "capture_options": [{"capture_mode": "Input"}, {"capture_mode": "Output"}]},
    tags=TAGS)

worker_role = aws.iam.Role("worker", tags=TAGS, assume_role_policy=json.dumps({"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}]}))
aws.iam.RolePolicyAttachment("worker-vpc", role=worker_role.name,
                             policy_arn="arn:aws:iam::aws:policy/service-role/AWSLambdaVPCAccessExecutionRole")
aws.iam.RolePolicy("worker", role=worker_role.id, policy=pulumi.Output.all(queue.arn, key.arn).apply(lambda a: json.dumps({
    "Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": ["sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes"], "Resource": a[0]},
        {"Effect": "Allow", "Action": ["sagemaker:InvokeEndpointAsync"],
         "Resource": f"arn:aws:sagemaker:us-east-1:{ACCOUNT}:endpoint/summarizer"},
        {"Effect": "Allow", "Action": ["kms:Decrypt", "kms:GenerateDataKey"], "Resource": a[1]}]})))
logs = aws.cloudwatch.LogGroup("worker-logs", name="/aws/lambda/async-worker", retention_in_days=365, kms_key_id=key.arn,
                               tags=TAGS)
worker = aws.lambda_.Function("async-worker", name="async-worker", runtime="python3.12", handler="worker.handler",
    role=worker_role.arn, code=pulumi.FileArchive("./worker") if False else pulumi.AssetArchive({
        "worker.py": pulumi.StringAsset("def handler(event, context):\n    return None\n")}),
    timeout=60, kms_key_arn=key.arn, reserved_concurrent_executions=20,
    vpc_config={"subnet_ids": PRIVATE, "security_group_ids": [db_sg.id]}, tracing_config={"mode": "Active"},
    logging_config={"log_format": "JSON", "log_group": logs.name}, tags=TAGS)
aws.lambda_.EventSourceMapping("queue-to-worker", event_source_arn=queue.arn, function_name=worker.arn, batch_size=10,
                               tags=TAGS)
status_url = aws.lambda_.FunctionUrl("status", function_name=worker.name, authorization_type="AWS_IAM")

alb_sg = aws.ec2.SecurityGroup("status-alb", vpc_id=VPC, description="public status api", tags=TAGS,
    ingress=[{"protocol": "tcp", "from_port": p, "to_port": p, "cidr_blocks": ["0.0.0.0/0"], "description": "web"}
             for p in (80, 443)],
    egress=[{"protocol": "tcp", "from_port": 443, "to_port": 443, "cidr_blocks": ["10.0.0.0/16"], "description": "targets"}])
alb = aws.lb.LoadBalancer("status", load_balancer_type="application", internal=False, subnets=PUBLIC,
    security_groups=[alb_sg.id], drop_invalid_header_fields=True, enable_deletion_protection=True,
    access_logs={"bucket": "org-central-elb-logs", "prefix": "status", "enabled": True},
    tags={**TAGS, "public": "true"})
tg = aws.lb.TargetGroup("status", target_type="lambda", tags=TAGS)
aws.lb.Listener("http-redirect", load_balancer_arn=alb.arn, port=80, protocol="HTTP", tags=TAGS,
                default_actions=[{"type": "redirect", "redirect": {"port": "443", "protocol": "HTTPS", "status_code": "HTTP_301"}}])
aws.lb.Listener("https", load_balancer_arn=alb.arn, port=443, protocol="HTTPS", tags=TAGS,
                ssl_policy="ELBSecurityPolicy-TLS13-1-2-Res-2021-06",
                certificate_arn=f"arn:aws:acm:us-east-1:{ACCOUNT}:certificate/11111111-2222-3333-4444-555555555555",
                default_actions=[{"type": "forward", "target_group_arn": tg.arn}])
acl = aws.wafv2.WebAcl("status-acl", scope="REGIONAL", default_action={"allow": {}}, tags=TAGS,
    visibility_config={"cloudwatch_metrics_enabled": True, "metric_name": "status", "sampled_requests_enabled": True},
    rules=[{"name": "common", "priority": 1, "override_action": {"none": {}},
            "statement": {"managed_rule_group_statement": {"vendor_name": "AWS", "name": "AWSManagedRulesCommonRuleSet"}},
            "visibility_config": {"cloudwatch_metrics_enabled": True, "metric_name": "common", "sampled_requests_enabled": True}},
           {"name": "bad-inputs", "priority": 2, "override_action": {"none": {}},
            "statement": {"managed_rule_group_statement": {"vendor_name": "AWS", "name": "AWSManagedRulesKnownBadInputsRuleSet"}},
            "visibility_config": {"cloudwatch_metrics_enabled": True, "metric_name": "bad", "sampled_requests_enabled": True}}])
waf_logs = aws.cloudwatch.LogGroup("waf", name="aws-waf-logs-status", retention_in_days=365, kms_key_id=key.arn, tags=TAGS)
aws.wafv2.WebAclLoggingConfiguration("status-acl-logs", resource_arn=acl.arn, log_destination_configs=[waf_logs.arn])
aws.wafv2.WebAclAssociation("status-acl", resource_arn=alb.arn, web_acl_arn=acl.arn)

oidc = aws.iam.OpenIdConnectProvider("github", url="https://token.actions.githubusercontent.com",
                                     client_id_lists=["sts.amazonaws.com"], tags=TAGS)
deployer = aws.iam.Role("deployer", tags=TAGS, assume_role_policy=oidc.arn.apply(lambda arn: json.dumps({
    "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"Federated": arn},
        "Action": "sts:AssumeRoleWithWebIdentity", "Condition": {
            "StringEquals": {"token.actions.githubusercontent.com:aud": "sts.amazonaws.com",
                             "token.actions.githubusercontent.com:sub": f"repo:{repo}:environment:prod"}}}]})))
aws.iam.RolePolicy("deployer", role=deployer.id, policy=json.dumps({"Version": "2012-10-17", "Statement": [{
    "Effect": "Allow", "Action": ["lambda:UpdateFunctionCode", "lambda:GetFunction"],
    "Resource": f"arn:aws:lambda:us-east-1:{ACCOUNT}:function:async-worker"}]}))
