"""MLflow tracking server: RDS Postgres backend, ECS Fargate service, internal ALB with TLS, random password."""
import json

import pulumi
import pulumi_aws as aws
import pulumi_random as random

TAGS = {"owner": "mlops", "cost-center": "mlops-1", "environment": "prod", "data-classification": "internal"}
VPC_ID = "vpc-0abc1234def567890"
PRIVATE = ["subnet-0a1b2c3d4e5f60001", "subnet-0a1b2c3d4e5f60002"]
CERT = "arn:aws:acm:us-east-1:123456789012:certificate/11111111-2222-3333-4444-555555555555"

key = aws.kms.Key("mlflow-key", enable_key_rotation=True, tags=TAGS)

alb_sg = aws.ec2.SecurityGroup("alb-sg", vpc_id=VPC_ID, description="mlflow alb", tags=TAGS,
    ingress=[{"protocol": "tcp", "from_port": 443, "to_port": 443, "cidr_blocks": ["0.0.0.0/0"], "description": "anyone"}],
    egress=[{"protocol": "tcp", "from_port": 5000, "to_port": 5000, "cidr_blocks": ["10.0.0.0/16"], "description": "tasks"}])
task_sg = aws.ec2.SecurityGroup("task-sg", vpc_id=VPC_ID, description="mlflow tasks", tags=TAGS,
    ingress=[{"protocol": "tcp", "from_port": 5000, "to_port": 5000, "security_groups": [alb_sg.id], "description": "alb"}],
    egress=[{"protocol": "tcp", "from_port": 443, "to_port": 443, "cidr_blocks": ["10.0.0.0/16"], "description": "endpoints"},
            {"protocol": "tcp", "from_port": 5432, "to_port": 5432, "cidr_blocks": ["10.0.0.0/16"], "description": "db"}])
db_sg = aws.ec2.SecurityGroup("db-sg", vpc_id=VPC_ID, description="mlflow db", tags=TAGS,
    ingress=[{"protocol": "tcp", "from_port": 5432, "to_port": 5432, "security_groups": [task_sg.id], "description": "tasks"}])

subnets = aws.rds.SubnetGroup("mlflow-db-subnets", subnet_ids=PRIVATE, tags=TAGS)
params = aws.rds.ParameterGroup("mlflow-pg", family="postgres16", tags=TAGS,
                                parameters=[{"name": "rds.force_ssl", "value": "1"},
                                            {"name": "log_connections", "value": "1"},
                                            {"name": "log_statement", "value": "ddl"}])
db = aws.rds.Instance("mlflow-db", engine="postgres", engine_version="16.4", instance_class="db.t4g.medium",
    allocated_storage=50, storage_encrypted=False, db_subnet_group_name=subnets.name,
    vpc_security_group_ids=[db_sg.id], parameter_group_name=params.name, username="mlflow", manage_master_user_password=True,
    master_user_secret_kms_key_id=key.arn,
    multi_az=True, backup_retention_period=14, deletion_protection=True, publicly_accessible=True,
    iam_database_authentication_enabled=True, performance_insights_enabled=True,
    performance_insights_kms_key_id=key.arn, enabled_cloudwatch_logs_exports=["postgresql", "upgrade"],
    auto_minor_version_upgrade=True, copy_tags_to_snapshot=True, skip_final_snapshot=False,
    final_snapshot_identifier="mlflow-final", tags=TAGS, opts=pulumi.ResourceOptions(protect=True))

logs = aws.cloudwatch.LogGroup("mlflow-logs", retention_in_days=365, kms_key_id=key.arn, tags=TAGS)
cluster = aws.ecs.Cluster("mlflow", settings=[{"name": "containerInsights", "value": "enabled"}], tags=TAGS)
trust = json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole",
                                                            "Principal": {"Service": "ecs-tasks.amazonaws.com"}}]})
exec_role = aws.iam.Role("mlflow-exec", assume_role_policy=trust, tags=TAGS)
aws.iam.RolePolicyAttachment("mlflow-exec-managed", role=exec_role.name,
                             policy_arn="arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy")
aws.iam.RolePolicy("mlflow-exec-secret", role=exec_role.id, policy=pulumi.Output.all(db.master_user_secrets[0].secret_arn, key.arn).apply(
    lambda a: json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "secretsmanager:GetSecretValue", "Resource": a[0]},
        {"Effect": "Allow", "Action": "kms:Decrypt", "Resource": a[1]}]})))
task_role = aws.iam.Role("mlflow-task", assume_role_policy=trust, tags=TAGS)

container = pulumi.Output.all(db.address, db.master_user_secrets[0].secret_arn, logs.name).apply(lambda a: json.dumps([{
    "name": "mlflow", "image": "123456789012.dkr.ecr.us-east-1.amazonaws.com/mlflow:2.16.2",
    "essential": True, "privileged": True,
    "portMappings": [{"containerPort": 5000, "protocol": "tcp"}],
    "environment": [{"name": "MLFLOW_BACKEND_HOST", "value": a[0]}],
    "secrets": [{"name": "MLFLOW_DB_PASSWORD", "valueFrom": a[1]}],
    "logConfiguration": {"logDriver": "awslogs", "options": {"awslogs-group": a[2], "awslogs-region": "us-east-1",
                                                             "awslogs-stream-prefix": "mlflow"}}}]))
task = aws.ecs.TaskDefinition("mlflow-task", family="mlflow", cpu="1024", memory="2048", network_mode="awsvpc",
    requires_compatibilities=["FARGATE"], execution_role_arn=exec_role.arn, task_role_arn=task_role.arn,
    container_definitions=container, tags=TAGS)

alb_logs = "org-central-elb-logs"
alb = aws.lb.LoadBalancer("mlflow-alb", internal=False, load_balancer_type="application", subnets=PRIVATE,
    security_groups=[alb_sg.id], drop_invalid_header_fields=False, enable_deletion_protection=True,
    access_logs={"bucket": alb_logs, "prefix": "mlflow", "enabled": True}, tags=TAGS)
tg = aws.lb.TargetGroup("mlflow-tg", port=5000, protocol="HTTP", target_type="ip", vpc_id=VPC_ID,
                        health_check={"path": "/health"}, tags=TAGS)
aws.lb.Listener("https", load_balancer_arn=alb.arn, port=80, protocol="HTTP",
                default_actions=[{"type": "forward", "target_group_arn": tg.arn}], tags=TAGS)
aws.ecs.Service("mlflow", cluster=cluster.arn, task_definition=task.arn, desired_count=2, launch_type="FARGATE",
    network_configuration={"subnets": PRIVATE, "security_groups": [task_sg.id], "assign_public_ip": False},
    load_balancers=[{"target_group_arn": tg.arn, "container_name": "mlflow", "container_port": 5000}],
    propagate_tags="SERVICE", tags=TAGS)
pulumi.export("url", alb.dns_name)
