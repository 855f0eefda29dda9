"""Shared-services account of the landing zone: the multi-region key the ML accounts encrypt with, the
database and API secrets they read, the private CA that issues service certificates, the golden AMI and
patch document shared with the workload accounts, and the account's EBS sharing guardrails."""
import json

import pulumi
import pulumi_aws as aws

TAGS = {"owner": "platform-security", "cost-center": "sec-3", "environment": "prod",
        "data-classification": "restricted"}
ACCOUNT = aws.get_caller_identity().account_id
ORG_ID = "o-a1b2c3d4e5"
ORG_ARN = f"arn:aws:organizations::111111111111:organization/{ORG_ID}"
ML_PROD = "333333333333"
GOLDEN_AMI = "ami-0123456789abcdef0"

# --- KMS: one multi-region key (the DR stack replicates it to its region) ---------------------------------------------
key_policy = {"Version": "2012-10-17", "Statement": [
    {"Sid": "Admin", "Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:root"}, "Action": "kms:*",
     "Resource": "*"},
    {"Sid": "SecretsManagerUse", "Effect": "Allow", "Principal": {"AWS": "*"},
     "Action": ["kms:Decrypt", "kms:GenerateDataKey*", "kms:DescribeKey"], "Resource": "*",
     "Condition": {"StringEquals": {"kms:ViaService": "secretsmanager.us-east-1.amazonaws.com",
                                    "aws:PrincipalOrgID": ORG_ID}}}]}
protect = pulumi.ResourceOptions(protect=True)
shared_key = aws.kms.Key("shared", description="shared services data key", multi_region=True,
                         enable_key_rotation=True, rotation_period_in_days=180, deletion_window_in_days=30,
                         policy=json.dumps(key_policy), tags=TAGS, opts=protect)
aws.kms.Alias("shared", name="alias/shared-services", target_key_id=shared_key.key_id)
aws.kms.Grant("ml-prod-decrypt", key_id=shared_key.key_id,
              grantee_principal=f"arn:aws:iam::{ML_PROD}:role/ml-inference", operations=["Decrypt", "DescribeKey"],
              constraints=[{"encryption_context_equals": {"app": "ml-inference"}}])

# --- Secrets Manager: customer-managed key, rotation, access for the ML roles of the organization ----------
rotator = aws.lambda_.get_function(function_name="secrets-rotator")
secrets = {}
for name in ("feature-db", "model-api"):
    secrets[name] = aws.secretsmanager.Secret(name, name=f"ml/{name}", kms_key_id=shared_key.arn,
                                              recovery_window_in_days=30, tags=TAGS,
                                              opts=protect)
    aws.secretsmanager.SecretRotation(name, secret_id=secrets[name].id, rotation_lambda_arn=rotator.arn,
                                      rotation_rules={"automatically_after_days": 30})
aws.secretsmanager.SecretPolicy("feature-db", secret_arn=secrets["feature-db"].arn,
    policy=secrets["feature-db"].arn.apply(lambda arn: json.dumps({"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{ML_PROD}:role/ml-feature-pipeline"},
        "Action": "secretsmanager:GetSecretValue", "Resource": arn}]})))

# --- ACM Private CA: subordinate CA with a CRL, issuing for the organization's accounts ----------------------
ca = aws.acmpca.CertificateAuthority("services", type="SUBORDINATE", tags=TAGS, permanent_deletion_time_in_days=30,
    certificate_authority_configuration={"key_algorithm": "RSA_2048", "signing_algorithm": "SHA256WITHRSA",
                                         "subject": {"common_name": "services.ml.internal", "organization": "Acme"}},
    revocation_configuration={"crl_configuration": {
        "enabled": True, "expiration_in_days": 7, "s3_bucket_name": "acme-pki-crl",
        "s3_object_acl": "BUCKET_OWNER_FULL_CONTROL"}}, opts=protect)
aws.acmpca.Policy("services", resource_arn=ca.arn, policy=ca.arn.apply(lambda arn: json.dumps({
    "Version": "2012-10-17", "Statement": [{
        "Sid": "IssueForTheOrganization", "Effect": "Allow", "Principal": {"AWS": "*"},
        "Action": ["acm-pca:IssueCertificate", "acm-pca:GetCertificate", "acm-pca:DescribeCertificateAuthority"],
        "Resource": arn, "Condition": {"StringEquals": {"aws:PrincipalOrgID": ORG_ID}}}]})))

# --- Sharing with the workload accounts ---------------------------------------------------------------------
aws.ec2.AmiLaunchPermission("golden-ami-org", image_id=GOLDEN_AMI, organization_arn=ORG_ARN)
aws.ssm.Document("patch-gpu-nodes", document_type="Command", document_format="YAML", tags=TAGS,
    permissions={"type": "Share", "account_ids": f"{ML_PROD},222222222222"},
    content="""schemaVersion: '2.2'
description: Patch GPU nodes
mainSteps:
  - action: aws:runShellScript
    name: patch
    inputs:
      runCommand: ['dnf -y update --security']
""")

# --- Account guardrails ----------------------------------------------------------------------------------------
aws.ebs.EncryptionByDefault("ebs-default", enabled=True)
aws.ebs.DefaultKmsKey("ebs-default-key", key_arn=shared_key.arn)
aws.ebs.SnapshotBlockPublicAccess("snapshots", state="block-all-sharing")
aws.ec2.ImageBlockPublicAccess("images", state="block-new-sharing")

pulumi.export("shared_key_arn", shared_key.arn)
