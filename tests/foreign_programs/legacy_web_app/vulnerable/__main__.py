"""Storefront web tier, written years ago against pulumi-aws 6 and still deployed with pulumi-aws 7: BucketV2 and
its *V2 settings, inline security group rules, the aws.alb aliases, a launch configuration behind an Auto Scaling
group, an RDS MySQL instance, a Redis replication group, an Elasticsearch domain for product search and a nightly
EventBridge rule that runs a Lambda."""
import json

import pulumi
import pulumi_aws as aws

TAGS = {"app": "storefront", "owner": "web", "environment": "prod", "cost-center": "cc-114"}
VPC_ID = "vpc-0a1b2c3d4e5f60718"
PUBLIC_SUBNETS = ["subnet-0aa11bb22cc33dd44", "subnet-0ee55ff66aa77bb88"]
PRIVATE_SUBNETS = ["subnet-0123456789abcdef0", "subnet-0fedcba9876543210"]
cfg = pulumi.Config()
db_password = cfg.require_secret("dbPassword")

# ---- static assets and uploads ---------------------------------------------------------------------------------
assets = aws.s3.BucketV2("assets", bucket="storefront-assets-prod", tags=TAGS,
    grants=[{"type": "Group", "uri": "http://acs.amazonaws.com/groups/global/AllUsers", "permissions": ["READ"]}],
    policy=json.dumps({"Version": "2012-10-17", "Statement": [{
        "Sid": "CloudFrontRead", "Effect": "Allow", "Principal": {"Service": "cloudfront.amazonaws.com"},
        "Action": "s3:GetObject", "Resource": "arn:aws:s3:::storefront-assets-prod/*"}]}))
aws.s3.BucketObject("logo", bucket=assets.id, key="img/logo.png", source=pulumi.StringAsset("png"),
                    content_type="image/png", acl="public-read")

uploads = aws.s3.BucketV2("uploads", bucket="storefront-uploads-prod", tags=TAGS)
aws.s3.BucketServerSideEncryptionConfigurationV2("uploads-sse", bucket=uploads.id, rules=[{
    "apply_server_side_encryption_by_default": {"sse_algorithm": "AES256"}}])
aws.s3.BucketVersioningV2("uploads-versioning", bucket=uploads.id,
                          versioning_configuration={"status": "Suspended"})
aws.s3.BucketAclV2("uploads-acl", bucket=uploads.id, acl="public-read-write")
aws.s3.BucketPublicAccessBlock("uploads-pab", bucket=uploads.id, block_public_acls=False, block_public_policy=True,
                               ignore_public_acls=False, restrict_public_buckets=True)

# ---- network -----------------------------------------------------------------------------------------------------
web_sg = aws.ec2.SecurityGroup("web", vpc_id=VPC_ID, description="storefront web servers", tags=TAGS,
    ingress=[
        {"protocol": "tcp", "from_port": 80, "to_port": 80, "cidr_blocks": ["0.0.0.0/0"], "description": "http"},
        {"protocol": "tcp", "from_port": 22, "to_port": 22, "cidr_blocks": ["0.0.0.0/0"], "description": "ssh"},
    ],
    egress=[{"protocol": "-1", "from_port": 0, "to_port": 0, "cidr_blocks": ["0.0.0.0/0"]}])
db_sg = aws.ec2.SecurityGroup("db", vpc_id=VPC_ID, description="storefront database", tags=TAGS)
aws.ec2.SecurityGroupRule("db-mysql", type="ingress", security_group_id=db_sg.id, protocol="tcp",
                          from_port=3306, to_port=3306, cidr_blocks=["0.0.0.0/0"], description="mysql")

# ---- load balancer (aws.alb aliases of aws.lb) ---------------------------------------------------------------------
alb = aws.alb.LoadBalancer("web", load_balancer_type="application", internal=False, security_groups=[web_sg.id],
                           subnets=PUBLIC_SUBNETS, drop_invalid_header_fields=False, tags=TAGS)
tg = aws.alb.TargetGroup("web", port=8080, protocol="HTTP", vpc_id=VPC_ID, tags=TAGS,
                         health_check={"path": "/healthz", "matcher": "200"})
aws.alb.Listener("http", load_balancer_arn=alb.arn, port=80, protocol="HTTP",
                 default_actions=[{"type": "forward", "target_group_arn": tg.arn}])

# ---- web servers ----------------------------------------------------------------------------------------------------
role = aws.iam.Role("web", tags=TAGS, assume_role_policy=json.dumps({"Version": "2012-10-17", "Statement": [{
    "Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}]}))
aws.iam.PolicyAttachment("web-admin", roles=[role.name], policy_arn="arn:aws:iam::aws:policy/AdministratorAccess")
profile = aws.iam.InstanceProfile("web", role=role.name)
lc = aws.ec2.LaunchConfiguration("web", image_id="ami-0c55b159cbfafe1f0", instance_type="m5.large",
    iam_instance_profile=profile.name, security_groups=[web_sg.id], associate_public_ip_address=True,
    root_block_device={"volume_size": 30, "volume_type": "gp3", "encrypted": False},
    user_data="#!/bin/bash\nexport STRIPE_SECRET_KEY=sk_live_51H8xYzAbCdEfGhIjKlMnOpQr\n/opt/storefront/start.sh\n")
aws.autoscaling.Group("web", launch_configuration=lc.name, min_size=2, max_size=6, desired_capacity=2,
                      vpc_zone_identifiers=PUBLIC_SUBNETS, target_group_arns=[tg.arn],
                      tags=[{"key": "app", "value": "storefront", "propagate_at_launch": True}])

# ---- data ------------------------------------------------------------------------------------------------------------
subnets = aws.rds.SubnetGroup("db", subnet_ids=PRIVATE_SUBNETS, tags=TAGS)
aws.rds.Instance("orders", identifier="storefront-orders", engine="mysql", engine_version="8.0",
                 instance_class="db.m6g.large", allocated_storage=100, username="admin", password=db_password,
                 db_subnet_group_name=subnets.name, vpc_security_group_ids=[db_sg.id], publicly_accessible=True,
                 storage_encrypted=False, backup_retention_period=0, skip_final_snapshot=True, tags=TAGS)

cache_subnets = aws.elasticache.SubnetGroup("cache", subnet_ids=PRIVATE_SUBNETS)
aws.elasticache.ReplicationGroup("sessions", description="session store", engine="redis", node_type="cache.m6g.large",
                                 num_cache_clusters=2, subnet_group_name=cache_subnets.name,
                                 security_group_ids=[db_sg.id], at_rest_encryption_enabled=False,
                                 transit_encryption_enabled=False, tags=TAGS)

aws.elasticsearch.Domain("search", domain_name="storefront-search", elasticsearch_version="7.10",
    cluster_config={"instance_type": "r5.large.elasticsearch", "instance_count": 2},
    ebs_options={"ebs_enabled": True, "volume_size": 50},
    access_policies=json.dumps({"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "es:*",
        "Resource": "arn:aws:es:us-east-1:111122223333:domain/storefront-search/*"}]}),
    tags=TAGS)

# ---- nightly job -------------------------------------------------------------------------------------------------
fn_role = aws.iam.Role("report", assume_role_policy=json.dumps({"Version": "2012-10-17", "Statement": [{
    "Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}]}), tags=TAGS)
aws.iam.RolePolicyAttachment("report-logs", role=fn_role.name,
                             policy_arn="arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole")
fn = aws.lambda_.Function("report", runtime="python3.12", handler="report.handler", role=fn_role.arn,
                          code=pulumi.AssetArchive({"report.py": pulumi.StringAsset("def handler(e, c):\n    pass\n")}),
                          timeout=60, tags=TAGS)
rule = aws.cloudwatch.EventRule("nightly", schedule_expression="cron(0 3 * * ? *)", tags=TAGS)
aws.cloudwatch.EventTarget("nightly", rule=rule.name, arn=fn.arn)
# partner systems send order events to the default bus
aws.cloudwatch.EventPermission("partners", principal="*", statement_id="partner-order-events")
aws.lambda_.Permission("invoke-any", action="lambda:InvokeFunction", function=fn.name, principal="*")

pulumi.export("url", alb.dns_name)
