"""Amazon MWAA orchestrating the ML pipelines: a private web server, every Airflow log type in CloudWatch, a
customer-managed key, the DAG bucket locked down, and an execution role scoped to what MWAA documents it needs
(its own log groups, the Celery queues, the DAG bucket, SageMaker training in the team's prefix)."""
import json

import pulumi
import pulumi_aws as aws

tags = {"owner": "ml-platform", "cost-center": "mlp-1", "environment": "prod", "data-classification": "internal"}
ACCOUNT, REGION = "123456789012", "us-east-1"
VPC = "vpc-0abc1234def567890"
VPC_CIDR = "10.50.0.0/16"
PRIVATE_SUBNETS = ["subnet-0a1b2c3d4e5f60001", "subnet-0a1b2c3d4e5f60002"]
ENV_NAME = "ml-pipelines"

key = aws.kms.Key("airflow", description="MWAA environment", enable_key_rotation=True, tags=tags,
    policy=json.dumps({"Version": "2012-10-17", "Statement": [
        {"Sid": "Account", "Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:root"}, "Action": "kms:*",
         "Resource": "*"},
        {"Sid": "CloudWatchLogs", "Effect": "Allow", "Principal": {"Service": f"logs.{REGION}.amazonaws.com"},
         "Action": ["kms:Encrypt*", "kms:Decrypt*", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:Describe*"],
         "Resource": "*", "Condition": {"ArnLike": {
             "kms:EncryptionContext:aws:logs:arn": f"arn:aws:logs:{REGION}:{ACCOUNT}:log-group:airflow-{ENV_NAME}-*"}}}]}))

dags = aws.s3.Bucket("airflow-dags", bucket_prefix="airflow-ml-pipelines-", tags=tags)
aws.s3.BucketPublicAccessBlock("airflow-dags-pab", bucket=dags.id, block_public_acls=True, block_public_policy=True,
                               ignore_public_acls=True, restrict_public_buckets=True)
aws.s3.BucketVersioning("airflow-dags-ver", bucket=dags.id, versioning_configuration={"status": "Enabled"})
aws.s3.BucketServerSideEncryptionConfiguration("airflow-dags-sse", bucket=dags.id, rules=[{
    "apply_server_side_encryption_by_default": {"sse_algorithm": "aws:kms", "kms_master_key_id": key.arn},
    "bucket_key_enabled": True}])
aws.s3.BucketLogging("airflow-dags-access", bucket=dags.id, target_bucket="org-central-s3-access-logs",
                     target_prefix="airflow-dags/")
aws.s3.BucketPolicy("airflow-dags-tls", bucket=dags.id, policy=dags.arn.apply(lambda arn: json.dumps({
    "Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Principal": "*", "Action": "s3:*",
                                            "Resource": [arn, f"{arn}/*"],
                                            "Condition": {"Bool": {"aws:SecureTransport": "false"}}}]})))

role = aws.iam.Role("airflow-execution", tags=tags, assume_role_policy=json.dumps({"Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole",
                   "Principal": {"Service": ["airflow.amazonaws.com", "airflow-env.amazonaws.com"]}}]}))
aws.iam.RolePolicy("airflow-execution", role=role.id, policy=pulumi.Output.all(dags.arn, key.arn).apply(
    lambda a: json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "airflow:PublishMetrics",
         "Resource": f"arn:aws:airflow:{REGION}:{ACCOUNT}:environment/{ENV_NAME}"},
        {"Effect": "Allow", "Action": ["s3:GetObject*", "s3:GetBucket*", "s3:List*"], "Resource": [a[0], f"{a[0]}/*"]},
        {"Effect": "Allow", "Action": ["logs:CreateLogStream", "logs:CreateLogGroup", "logs:PutLogEvents",
                                       "logs:GetLogEvents", "logs:GetLogRecord", "logs:GetLogGroupFields",
                                       "logs:GetQueryResults"],
         "Resource": f"arn:aws:logs:{REGION}:{ACCOUNT}:log-group:airflow-{ENV_NAME}-*"},
        {"Effect": "Allow", "Action": ["sqs:ChangeMessageVisibility", "sqs:DeleteMessage", "sqs:GetQueueAttributes",
                                       "sqs:GetQueueUrl", "sqs:ReceiveMessage", "sqs:SendMessage"],
         "Resource": f"arn:aws:sqs:{REGION}:*:airflow-celery-*"},
        {"Effect": "Allow", "Action": ["kms:Decrypt", "kms:DescribeKey", "kms:GenerateDataKey*", "kms:Encrypt"],
         "Resource": a[1]},
        {"Effect": "Allow", "Action": ["sagemaker:CreateTrainingJob", "sagemaker:DescribeTrainingJob",
                                       "sagemaker:StopTrainingJob"],
         "Resource": f"arn:aws:sagemaker:{REGION}:{ACCOUNT}:training-job/ml-pipelines-*"}]})))

sg = aws.ec2.SecurityGroup("airflow", vpc_id=VPC, description="MWAA environment", tags=tags,
    ingress=[{"protocol": "-1", "from_port": 0, "to_port": 0, "self": True, "description": "MWAA components"},
             {"protocol": "tcp", "from_port": 443, "to_port": 443, "cidr_blocks": [VPC_CIDR],
              "description": "web server through the VPN"}],
    egress=[{"protocol": "-1", "from_port": 0, "to_port": 0, "self": True, "description": "MWAA components"},
            {"protocol": "tcp", "from_port": 443, "to_port": 443, "cidr_blocks": [VPC_CIDR],
             "description": "VPC endpoints"},
            {"protocol": "tcp", "from_port": 5432, "to_port": 5432, "cidr_blocks": [VPC_CIDR],
             "description": "metadata database endpoint"}])


def module_logs(level: str = "INFO") -> dict:
    return {"enabled": True, "log_level": level}


airflow = aws.mwaa.Environment("ml-pipelines", name=ENV_NAME, airflow_version="2.10.3", environment_class="mw1.medium",
    execution_role_arn=role.arn, source_bucket_arn=dags.arn, dag_s3_path="dags/",
    requirements_s3_path="requirements.txt", kms_key=key.arn, webserver_access_mode="PRIVATE_ONLY",
    network_configuration={"security_group_ids": [sg.id], "subnet_ids": PRIVATE_SUBNETS},
    logging_configuration={"dag_processing_logs": module_logs("WARNING"), "scheduler_logs": module_logs(),
                           "task_logs": module_logs(), "webserver_logs": module_logs(), "worker_logs": module_logs()},
    airflow_configuration_options={"core.default_task_retries": "2", "webserver.warn_deployment_exposure": "False"},
    max_workers=10, min_workers=1, tags=tags)

pulumi.export("webserver_url", airflow.webserver_url)
