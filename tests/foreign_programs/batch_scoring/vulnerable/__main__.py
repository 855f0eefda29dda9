"""Nightly batch scoring: AWS Batch on EC2 (launch template, IMDSv2, encrypted volumes) driven by a Step
Functions state machine on an EventBridge schedule, SNS on failure. Managed policies via aws.iam.Policy."""
import json

import pulumi
import pulumi_aws as aws

cfg = pulumi.Config()
tags = {"owner": "scoring", "cost-center": "sc-9", "environment": "prod", "data-classification": "confidential"}
SUBNETS = ["subnet-0a1b2c3d4e5f60001", "subnet-0a1b2c3d4e5f60002"]
VPC = "vpc-0abc1234def567890"

key = aws.kms.Key("scoring-key", enable_key_rotation=True, tags=tags)


def service_role(name: str, service: str, managed: list[str] | None = None) -> aws.iam.Role:
    role = aws.iam.Role(name, tags=tags, assume_role_policy=aws.iam.get_policy_document(statements=[{
        "actions": ["sts:AssumeRole"], "principals": [{"type": "Service", "identifiers": [service]}]}]).json)
    for i, arn in enumerate(managed or []):
        aws.iam.RolePolicyAttachment(f"{name}-managed-{i}", role=role.name, policy_arn=arn)
    return role


instance_role = service_role("batch-instance", "ec2.amazonaws.com",
                             ["arn:aws:iam::aws:policy/service-role/AmazonEC2ContainerServiceforEC2Role"])
profile = aws.iam.InstanceProfile("batch-instance", role=instance_role.name, tags=tags)
sg = aws.ec2.SecurityGroup("batch-sg", vpc_id=VPC, description="batch workers", tags=tags,
                           egress=[{"protocol": "tcp", "from_port": 443, "to_port": 443, "cidr_blocks": ["10.0.0.0/16"],
                                    "description": "vpc endpoints"}])
lt = aws.ec2.LaunchTemplate("batch-lt", tags=tags,
    metadata_options={"http_tokens": "optional", "http_endpoint": "enabled", "http_put_response_hop_limit": 1},
    block_device_mappings=[{"device_name": "/dev/xvda", "ebs": {"volume_size": 100, "volume_type": "gp3",
                                                                "encrypted": "false"}}])
compute = aws.batch.ComputeEnvironment("scoring", type="MANAGED", compute_resources={
    "type": "EC2", "allocation_strategy": "BEST_FIT_PROGRESSIVE", "min_vcpus": 0,
    "max_vcpus": cfg.get_int("maxVcpus") or 64, "instance_types": ["c6i.4xlarge", "m6i.4xlarge"],
    "subnets": SUBNETS, "security_group_ids": [sg.id], "instance_role": profile.arn,
    "launch_template": {"launch_template_id": lt.id, "version": "$Latest"}, "tags": tags},
    tags=tags)
queue = aws.batch.JobQueue("scoring", state="ENABLED", priority=1, tags=tags,
                           compute_environment_orders=[{"order": 1, "compute_environment": compute.arn}])
job_role = service_role("scoring-job", "ecs-tasks.amazonaws.com")
output = aws.s3.Bucket("scores", tags=tags)
aws.s3.BucketPublicAccessBlock("scores-pab", bucket=output.id, block_public_acls=True, block_public_policy=True,
                               ignore_public_acls=True, restrict_public_buckets=True)
aws.s3.BucketServerSideEncryptionConfiguration("scores-sse", bucket=output.id, rules=[{
    "apply_server_side_encryption_by_default": {"sse_algorithm": "aws:kms", "kms_master_key_id": key.arn},
    "bucket_key_enabled": True}])
aws.s3.BucketVersioning("scores-ver", bucket=output.id, versioning_configuration={"status": "Enabled"})
aws.s3.BucketLogging("scores-log", bucket=output.id, target_bucket="org-central-s3-access-logs", target_prefix="scores/")
aws.s3.BucketPolicy("scores-tls", bucket=output.id, policy=output.arn.apply(lambda arn: json.dumps({
    "Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Principal": "*", "Action": "s3:*",
                                            "Resource": [arn, f"{arn}/*"],
                                            "Condition": {"Bool": {"aws:SecureTransport": "false"}}}]})))
job_policy = aws.iam.Policy("scoring-job", tags=tags, policy=pulumi.Output.all(output.arn, key.arn).apply(
    lambda a: json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": ["s3:PutObject"], "Resource": f"{a[0]}/scores/*"},
        {"Effect": "Allow", "Action": ["kms:GenerateDataKey"], "Resource": a[1]}]})))
aws.iam.RolePolicyAttachment("scoring-job-policy", role=job_role.name, policy_arn=job_policy.arn)
logs = aws.cloudwatch.LogGroup("scoring-jobs", name="/aws/batch/scoring", retention_in_days=365, kms_key_id=key.arn,
                               tags=tags)
job = aws.batch.JobDefinition("score", type="container", platform_capabilities=["EC2"], tags=tags,
    retry_strategy={"attempts": 2}, timeout={"attempt_duration_seconds": 7200},
    container_properties=json.dumps({
        "image": "123456789012.dkr.ecr.us-east-1.amazonaws.com/models/xgboost-serving@sha256:" + "a" * 64,
        "command": ["python", "score.py"], "jobRoleArn": "arn:aws:iam::123456789012:role/scoring-job",
        "resourceRequirements": [{"type": "VCPU", "value": "4"}, {"type": "MEMORY", "value": "16384"}],
        "privileged": True,
        "logConfiguration": {"logDriver": "awslogs", "options": {"awslogs-group": "/aws/batch/scoring"}}}))

alerts = aws.sns.Topic("scoring-failures", tags=tags)
sfn_role = service_role("scoring-sfn", "states.amazonaws.com")
aws.iam.RolePolicy("scoring-sfn", role=sfn_role.id, policy=pulumi.Output.all(queue.arn, alerts.arn).apply(
    lambda a: json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": ["batch:*"], "Resource": "*"},
        {"Effect": "Allow", "Action": ["sns:Publish"], "Resource": a[1]},
        {"Effect": "Allow", "Action": ["events:PutTargets", "events:PutRule", "events:DescribeRule"],
         "Resource": "arn:aws:events:us-east-1:123456789012:rule/StepFunctionsGetEventsForBatchJobsRule"},
        {"Effect": "Allow", "Action": ["logs:CreateLogDelivery", "logs:GetLogDelivery", "logs:UpdateLogDelivery",
                                       "logs:DeleteLogDelivery", "logs:ListLogDeliveries", "logs:PutResourcePolicy",
                                       "logs:DescribeResourcePolicies", "logs:DescribeLogGroups"], "Resource": "*"}]})))
sfn_logs = aws.cloudwatch.LogGroup("scoring-sfn", retention_in_days=365, kms_key_id=key.arn, tags=tags)
definition = pulumi.Output.all(queue.arn, job.arn, alerts.arn).apply(lambda a: json.dumps({
    "StartAt": "Score", "States": {
        "Score": {"Type": "Task", "Resource": "arn:aws:states:::batch:submitJob.sync",
                  "Parameters": {"JobName": "nightly", "JobQueue": a[0], "JobDefinition": a[1]},
                  "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "Alert"}], "End": True},
        "Alert": {"Type": "Task", "Resource": "arn:aws:states:::sns:publish",
                  "Parameters": {"TopicArn": a[2], "Message": "scoring failed"}, "Next": "Fail"},
        "Fail": {"Type": "Fail"}}}))
machine = aws.sfn.StateMachine("nightly-scoring", role_arn=sfn_role.arn, definition=definition, tags=tags,
    tracing_configuration={"enabled": True},
    encryption_configuration={"type": "CUSTOMER_MANAGED_KMS_KEY", "kms_key_id": key.arn,
                              "kms_data_key_reuse_period_seconds": 300})
events_role = service_role("scoring-schedule", "events.amazonaws.com")
aws.iam.RolePolicy("scoring-schedule", role=events_role.id, policy=machine.arn.apply(lambda arn: json.dumps({
    "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "states:StartExecution", "Resource": arn}]})))
rule = aws.cloudwatch.EventRule("nightly", schedule_expression="cron(0 2 * * ? *)", tags=tags)
aws.cloudwatch.EventTarget("nightly-target", rule=rule.name, arn=machine.arn, role_arn=events_role.arn)
