"""A vision team's labeling and notebook platform: a private Ground Truth workforce signing in with the company's
OIDC IdP, a work team, a bounding-box labeling job, and the SageMaker Studio domain the team works in (a user
profile, a shared JupyterLab space with a lifecycle configuration, and its app)."""
import base64
import json

import pulumi
import pulumi_aws as aws

REGION = "us-east-1"
TAGS = {"owner": "vision", "cost-center": "cv-3", "environment": "prod", "data-classification": "internal"}
VPC = "vpc-0abc1234def567890"
SUBNETS = ["subnet-0a1b2c3d4e5f60001", "subnet-0a1b2c3d4e5f60002"]
IDP = "https://login.example.com/oauth2/default"

data = aws.s3.Bucket("vision-data", tags=TAGS)
aws.s3.BucketPublicAccessBlock("vision-data-pab", bucket=data.id, block_public_acls=True, block_public_policy=True,
                               ignore_public_acls=True, restrict_public_buckets=True)
aws.s3.BucketServerSideEncryptionConfiguration("vision-data-sse", bucket=data.id, rules=[{
    "apply_server_side_encryption_by_default": {"sse_algorithm": "aws:kms"}}])
aws.s3.BucketVersioning("vision-data-ver", bucket=data.id, versioning_configuration={"status": "Enabled"})

# The console's quick-start execution role: AWS managed full-access policies.
role = aws.iam.Role("vision-sagemaker", tags=TAGS, assume_role_policy=json.dumps({"Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Principal": {"Service": "sagemaker.amazonaws.com"}, "Action": "sts:AssumeRole"}]}))
for policy in ("AmazonSageMakerFullAccess", "AmazonS3FullAccess"):
    aws.iam.RolePolicyAttachment(f"vision-sagemaker-{policy}", role=role.name,
                                 policy_arn=f"arn:aws:iam::aws:policy/{policy}")

# --- Ground Truth: the client secret inline, the portal open to any IP ----------------------------------------------
workforce = aws.sagemaker.Workforce("vision-workforce", workforce_name="vision-labelers",
    oidc_config={"authorization_endpoint": f"{IDP}/v1/authorize", "client_id": "0oa1b2c3d4e5f6g7h8i9",
                 "client_secret": "Zq3v8N1pLw6tYh2kRb5mXc9sDf4gJa7e", "issuer": IDP,
                 "jwks_uri": f"{IDP}/v1/keys", "logout_endpoint": f"{IDP}/v1/logout",
                 "token_endpoint": f"{IDP}/v1/token", "user_info_endpoint": f"{IDP}/v1/userinfo"})
alerts = aws.sns.Topic("labeling-tasks", tags=TAGS)
team = aws.sagemaker.Workteam("vision-team", workteam_name="vision-team", workforce_name=workforce.workforce_name,
    description="Vision labelers",
    member_definitions=[{"oidc_member_definition": {"groups": ["vision-labelers"]}}],
    notification_configuration={"notification_topic_arn": alerts.arn},
    tags=TAGS)
aws.sagemaker.LabelingJob("shelf-boxes", labeling_job_name="shelf-boxes-1", label_attribute_name="boxes",
    role_arn=role.arn,
    input_config={"data_source": {"s3_data_source": {
        "manifest_s3_uri": data.bucket.apply(lambda b: f"s3://{b}/labeling/manifest.jsonl")}}},
    output_config={"s3_output_path": data.bucket.apply(lambda b: f"s3://{b}/labeling/output/")},
    human_task_config={"workteam_arn": team.arn, "task_title": "Draw boxes around products",
                       "task_description": "Box every product on the shelf", "number_of_human_workers_per_data_object": 1,
                       "task_time_limit_in_seconds": 600,
                       "ui_config": {"human_task_ui_arn": f"arn:aws:sagemaker:{REGION}:394669845002:human-task-ui/BoundingBox"},
                       "pre_human_task_lambda_arn": f"arn:aws:lambda:{REGION}:432418664414:function:PRE-BoundingBox",
                       "annotation_consolidation_config": {"annotation_consolidation_lambda_arn":
                           f"arn:aws:lambda:{REGION}:432418664414:function:ACS-BoundingBox"}},
    label_category_config_s3_uri=data.bucket.apply(lambda b: f"s3://{b}/labeling/categories.json"),
    tags=TAGS)

# --- Studio: public internet mode, no volume key, shared notebooks unencrypted, a token in the lifecycle script -----
domain = aws.sagemaker.Domain("vision-studio", domain_name="vision-studio", auth_mode="IAM", vpc_id=VPC,
    subnet_ids=SUBNETS, app_network_access_type="PublicInternetOnly",
    default_user_settings={"execution_role": role.arn},
    retention_policy={"home_efs_file_system": "Retain"}, tags=TAGS)
setup = aws.sagemaker.StudioLifecycleConfig("jupyterlab-setup", studio_lifecycle_config_name="vision-jupyterlab-setup",
    studio_lifecycle_config_app_type="JupyterLab",
    studio_lifecycle_config_content=base64.b64encode(b"#!/bin/bash\nset -eu\n"
        b"export HF_TOKEN=hf_kVb3nQ8rT2xLm5pZc7wYd9sAe4gHj6uFo1\n"
        b"pip install --quiet ultralytics==8.3.0\n").decode(),
    tags=TAGS)
profile = aws.sagemaker.UserProfile("ana", domain_id=domain.id, user_profile_name="ana",
    user_settings={"execution_role": role.arn,
                   "sharing_settings": {"notebook_output_option": "Allowed",
                                        "s3_output_path": data.bucket.apply(lambda b: f"s3://{b}/studio/shared/")},
                   "jupyter_lab_app_settings": {"lifecycle_config_arns": [setup.arn]}},
    tags=TAGS)
space = aws.sagemaker.Space("detector-space", domain_id=domain.id, space_name="detector",
    ownership_settings={"owner_user_profile_name": profile.user_profile_name},
    space_sharing_settings={"sharing_type": "Shared"},
    space_settings={"app_type": "JupyterLab", "jupyter_lab_app_settings": {"default_resource_spec": {
        "instance_type": "ml.g5.xlarge", "lifecycle_config_arn": setup.arn}},
        "space_storage_settings": {"ebs_storage_settings": {"ebs_volume_size_in_gb": 50}}},
    tags=TAGS)
aws.sagemaker.App("detector-lab", domain_id=domain.id, space_name=space.space_name, app_type="JupyterLab",
                  app_name="default", resource_spec={"instance_type": "ml.g5.xlarge", "lifecycle_config_arn": setup.arn},
                  tags=TAGS)

pulumi.export("studio_url", domain.url)
