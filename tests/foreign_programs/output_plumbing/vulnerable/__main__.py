"""Risk scoring API: network ids from the network team's stack, every policy document built from
outputs (Output.all/apply/json.dumps, Output.format, Output.concat, apply returning dicts)."""
import json

import pulumi
import pulumi_aws as aws

config = pulumi.Config()
network = pulumi.StackReference(config.require("networkStack"))
vpc_id = network.require_output("vpcId")
private_subnets = network.require_output("privateSubnetIds")
vpc_cidr = network.get_output("vpcCidr")

identity = aws.get_caller_identity_output()
region = aws.get_region_output()
tags = {"owner": "risk", "cost-center": "risk-7", "environment": pulumi.get_stack(),
        "data-classification": "confidential"}

key = aws.kms.Key("scoring", description="scoring api data", enable_key_rotation=True, tags=tags,
                  policy=pulumi.Output.format(
                      '{{"Version":"2012-10-17","Statement":[{{"Sid":"Account","Effect":"Allow","Principal":'
                      '{{"AWS":"arn:aws:iam::{0}:root"}},"Action":"kms:*","Resource":"*"}},{{"Sid":"Consumers",'
                      '"Effect":"Allow","Principal":{{"AWS":"*"}},"Action":["kms:Decrypt","kms:GenerateDataKey"],'
                      '"Resource":"*"}}]}}', identity.account_id))

features = aws.s3.Bucket("scoring-features", tags=tags)
aws.s3.BucketPublicAccessBlock("scoring-features", bucket=features.id, block_public_acls=True,
                               block_public_policy=True, ignore_public_acls=True, restrict_public_buckets=True)
aws.s3.BucketServerSideEncryptionConfiguration("scoring-features", bucket=features.id, rules=[{
    "apply_server_side_encryption_by_default": {"sse_algorithm": "aws:kms", "kms_master_key_id": key.arn},
    "bucket_key_enabled": True}])
aws.s3.BucketLogging("scoring-features", bucket=features.id, target_bucket=network.require_output("accessLogBucket"),
                     target_prefix="scoring-features/")
aws.s3.BucketVersioning("scoring-features", bucket=features.id, versioning_configuration={"status": "Enabled"})
aws.s3.BucketPolicy("scoring-features", bucket=features.id,
                    policy=pulumi.Output.all(features.arn, identity.account_id).apply(lambda args: json.dumps({
                        "Version": "2012-10-17",
                        "Statement": [
                            {"Sid": "TlsOnly", "Effect": "Deny", "Principal": "*", "Action": "s3:*",
                             "Resource": [args[0], f"{args[0]}/*"],
                             "Condition": {"Bool": {"aws:SecureTransport": "false"}}},
                            {"Sid": "PartnerRead", "Effect": "Allow",
                             "Principal": {"AWS": "*"},
                             "Action": "s3:GetObject", "Resource": f"{args[0]}/*"}]})))

queue = aws.sqs.Queue("scoring-requests", sqs_managed_sse_enabled=False, tags=tags)
aws.sqs.QueuePolicy("scoring-requests", queue_url=queue.url,
                    policy=pulumi.Output.format(
                        '{{"Version":"2012-10-17","Statement":[{{"Effect":"Allow","Principal":{{"AWS":'
                        '"*"}},"Action":"sqs:SendMessage","Sid":"From{0}","Resource":"{1}"}}]}}',
                        identity.account_id, queue.arn))

api_key = aws.secretsmanager.Secret("scoring-model-key", kms_key_id=key.arn, tags=tags)
aws.secretsmanager.SecretVersion("scoring-model-key", secret_id=api_key.id,
                                 secret_string=config.require_secret("modelApiKey"))
aws.secretsmanager.SecretRotation("scoring-model-key", secret_id=api_key.id,
                                  rotation_lambda_arn=pulumi.Output.concat(
                                      "arn:aws:lambda:", region.name, ":", identity.account_id,
                                      ":function:secret-rotator"),
                                  rotation_rules={"automatically_after_days": 30})

role = aws.iam.Role("scoring-fn", tags=tags, assume_role_policy=json.dumps({
    "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole",
                                            "Principal": {"Service": "lambda.amazonaws.com"}}]}))
aws.iam.RolePolicy("scoring-fn", role=role.id,
                   policy=pulumi.Output.all(features.arn, queue.arn, api_key.arn, key.arn).apply(
                       lambda arns: {"Version": "2012-10-17", "Statement": [
                           {"Effect": "Allow", "Action": "*", "Resource": "*"},
                           {"Effect": "Allow", "Action": ["sqs:ReceiveMessage", "sqs:DeleteMessage"],
                            "Resource": arns[1]},
                           {"Effect": "Allow", "Action": "secretsmanager:GetSecretValue", "Resource": arns[2]},
                           {"Effect": "Allow", "Action": "kms:Decrypt", "Resource": arns[3]}]}))

group = aws.ec2.SecurityGroup("scoring-fn", vpc_id=vpc_id, description="scoring lambda", tags=tags)
aws.vpc.SecurityGroupEgressRule("scoring-fn-https", security_group_id=group.id, ip_protocol="-1",
                                cidr_ipv4=pulumi.Output.concat("0.0.0", ".0/0"), description="anywhere",
                                tags=tags)
aws.vpc.SecurityGroupIngressRule("scoring-fn-debug", security_group_id=group.id, ip_protocol="tcp", from_port=22,
                                 to_port=22, cidr_ipv4=network.get_output("anywhere").apply(lambda c: c or "0.0.0.0/0"),
                                 description="debugging", tags=tags)
aws.ec2.SecurityGroupRule("scoring-fn-admin", type="ingress", security_group_id=group.id, protocol="tcp",
                          from_port=3389, to_port=3389,
                          cidr_blocks=identity.account_id.apply(lambda _: [config.get("adminCidr") or "0.0.0.0/0"]))
logs = aws.cloudwatch.LogGroup("scoring-fn", retention_in_days=config.require_int("logRetentionDays"), tags=tags)
fn = aws.lambda_.Function(
    "scoring", role=role.arn, runtime="python3.12", handler="app.handler", code=pulumi.FileArchive("."),
    kms_key_arn=key.arn, tags=tags, tracing_config={"mode": "Active"},
    logging_config={"log_format": "JSON", "log_group": logs.name},
    vpc_config=pulumi.Output.all(private_subnets, group.id).apply(
        lambda args: {"subnet_ids": args[0], "security_group_ids": [args[1]]}),
    environment=pulumi.Output.all(features.bucket, api_key.arn).apply(
        lambda args: {"variables": {"FEATURE_BUCKET": args[0], "MODEL_KEY_SECRET_ARN": args[1],
                                     "OPENAI_API_KEY": "sk-proj-7Hq2mXc9LpR4tV8bN1zK3wY6dF0gJ5sA"}}))
pulumi.export("function", fn.arn)
