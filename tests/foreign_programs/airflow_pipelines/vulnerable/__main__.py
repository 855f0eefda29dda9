"""Amazon MWAA orchestrating the ML pipelines (set up from a blog post): a public web server, only task logs,
the AWS-managed key, a DAG bucket whose public-policy guards are off, and an execution role that can touch
every bucket, queue and SageMaker resource."""
import json

import pulumi
import pulumi_aws as aws

tags = {"owner": "ml-platform", "cost-center": "mlp-1", "environment": "prod", "data-classification": "internal"}
VPC = "vpc-0abc1234def567890"
PRIVATE_SUBNETS = ["subnet-0a1b2c3d4e5f60001", "subnet-0a1b2c3d4e5f60002"]

dags = aws.s3.Bucket("airflow-dags", bucket_prefix="airflow-ml-pipelines-", tags=tags)
aws.s3.BucketPublicAccessBlock("airflow-dags-pab", bucket=dags.id, block_public_acls=True, block_public_policy=False,
                               ignore_public_acls=True, restrict_public_buckets=False)
aws.s3.BucketVersioning("airflow-dags-ver", bucket=dags.id, versioning_configuration={"status": "Enabled"})

role = aws.iam.Role("airflow-execution", tags=tags, assume_role_policy=json.dumps({"Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole",
                   "Principal": {"Service": ["airflow.amazonaws.com", "airflow-env.amazonaws.com"]}}]}))
aws.iam.RolePolicy("airflow-execution", role=role.id, policy=json.dumps({"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Action": ["airflow:*", "s3:*", "sqs:*", "logs:*", "sagemaker:*"], "Resource": "*"},
    {"Effect": "Allow", "Action": "iam:PassRole", "Resource": "*"}]}))

sg = aws.ec2.SecurityGroup("airflow", vpc_id=VPC, description="MWAA environment", tags=tags,
    ingress=[{"protocol": "-1", "from_port": 0, "to_port": 0, "self": True}],
    egress=[{"protocol": "-1", "from_port": 0, "to_port": 0, "cidr_blocks": ["0.0.0.0/0"]}])

airflow = aws.mwaa.Environment("ml-pipelines", name="ml-pipelines", airflow_version="2.10.3",
    environment_class="mw1.medium", execution_role_arn=role.arn, source_bucket_arn=dags.arn, dag_s3_path="dags/",
    webserver_access_mode="PUBLIC_ONLY",
    network_configuration={"security_group_ids": [sg.id], "subnet_ids": PRIVATE_SUBNETS},
    logging_configuration={"task_logs": {"enabled": True, "log_level": "INFO"},
                           "scheduler_logs": {"enabled": False}, "webserver_logs": {"enabled": False},
                           "worker_logs": {"enabled": False}},
    airflow_configuration_options={"smtp.smtp_password": "Airflow-Smtp-2024!", "smtp.smtp_user": "alerts"},
    tags=tags)

pulumi.export("webserver_url", airflow.webserver_url)
