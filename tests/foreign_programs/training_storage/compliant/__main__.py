"""Shared training storage for a GPU research cluster: EFS for home directories and checkpoints (one access point
per team), FSx for Lustre linked to the S3 dataset bucket for fast reads, and a nightly DataSync task that copies
finished checkpoints from EFS back to S3."""
import json

import pulumi
import pulumi_aws as aws

config = pulumi.Config()
teams = config.get_object("teams") or ["vision", "speech", "nlp"]
vpc_id = config.get("vpcId") or "vpc-0123456789abcdef0"
subnet_ids = config.get_object("subnetIds") or ["subnet-0aaa1111bbbb22223", "subnet-0ccc3333dddd44445"]
cidr = "10.20.0.0/16"
account = "345678901234"
common_tags = {"owner": "research-infra", "cost-center": "r-220", "environment": "prod",
               "data-classification": "internal"}
protect = pulumi.ResourceOptions(protect=True)


class Storage:
    """Names and tags for this stack's resources."""

    def __init__(self, prefix: str):
        self.prefix = prefix

    def name(self, suffix: str) -> str:
        return f"{self.prefix}-{suffix}"

    def tags(self, **extra) -> dict:
        return {**common_tags, **extra}


s = Storage("research")

key = aws.kms.Key(s.name("storage"), description="research storage", enable_key_rotation=True, tags=s.tags(),
                  opts=protect)

checkpoints = aws.s3.Bucket(s.name("datasets"), tags=s.tags(purpose="datasets"), opts=protect)
aws.s3.BucketPublicAccessBlock(s.name("datasets"), bucket=checkpoints.id, block_public_acls=True,
                               block_public_policy=True, ignore_public_acls=True, restrict_public_buckets=True)
aws.s3.BucketServerSideEncryptionConfiguration(s.name("datasets"), bucket=checkpoints.id, rules=[{
    "apply_server_side_encryption_by_default": {"sse_algorithm": "aws:kms", "kms_master_key_id": key.arn},
    "bucket_key_enabled": True}])
aws.s3.BucketVersioning(s.name("datasets"), bucket=checkpoints.id, versioning_configuration={"status": "Enabled"})
aws.s3.BucketLogging(s.name("datasets"), bucket=checkpoints.id, target_bucket="org-central-s3-access-logs",
                     target_prefix="research-checkpoints/")
aws.s3.BucketPolicy(s.name("datasets"), bucket=checkpoints.id, policy=checkpoints.arn.apply(lambda arn: json.dumps({
    "Version": "2012-10-17",
    "Statement": [{"Sid": "DenyInsecureTransport", "Effect": "Deny", "Principal": "*", "Action": "s3:*",
                   "Resource": [arn, f"{arn}/*"], "Condition": {"Bool": {"aws:SecureTransport": "false"}}}]})))

clients = aws.ec2.SecurityGroup(s.name("clients"), vpc_id=vpc_id, description="training nodes (storage clients)",
    egress=[{"protocol": "tcp", "from_port": 2049, "to_port": 2049, "cidr_blocks": [cidr], "description": "NFS"},
            {"protocol": "tcp", "from_port": 988, "to_port": 988, "cidr_blocks": [cidr], "description": "Lustre"}],
    tags=s.tags())
nfs = aws.ec2.SecurityGroup(s.name("nfs"), vpc_id=vpc_id, description="EFS mount targets",
    ingress=[{"protocol": "tcp", "from_port": 2049, "to_port": 2049, "security_groups": [clients.id],
              "description": "NFS from training nodes"}], tags=s.tags())

home = aws.efs.FileSystem(s.name("home"), encrypted=True, kms_key_id=key.arn, performance_mode="generalPurpose",
                          throughput_mode="elastic", lifecycle_policies=[{"transition_to_ia": "AFTER_30_DAYS"}],
                          tags=s.tags(Name="research-home"), opts=protect)
aws.efs.BackupPolicy(s.name("home"), file_system_id=home.id, backup_policy={"status": "ENABLED"})
for index, subnet in enumerate(subnet_ids):
    aws.efs.MountTarget(s.name(f"home-{index}"), file_system_id=home.id, subnet_id=subnet, security_groups=[nfs.id])

aws.efs.FileSystemPolicy(s.name("home"), file_system_id=home.id, bypass_policy_lockout_safety_check=False,
    policy=home.arn.apply(lambda arn: json.dumps({
        "Version": "2012-10-17",
        "Statement": [
            {"Sid": "TeamsMountThroughAccessPoints", "Effect": "Allow",
             "Principal": {"AWS": f"arn:aws:iam::{account}:role/research-training-node"},
             "Action": ["elasticfilesystem:ClientMount", "elasticfilesystem:ClientWrite"], "Resource": arn,
             "Condition": {"Bool": {"elasticfilesystem:AccessedViaMountTarget": "true"}}},
            {"Sid": "DenyInsecureTransport", "Effect": "Deny", "Principal": {"AWS": "*"}, "Action": "*",
             "Resource": arn, "Condition": {"Bool": {"aws:SecureTransport": "false"}}}]})))

for uid, team in enumerate(teams, start=2000):
    aws.efs.AccessPoint(s.name(f"{team}-ap"), file_system_id=home.id,
                        root_directory={"path": f"/teams/{team}",
                                        "creation_info": {"owner_uid": uid, "owner_gid": uid, "permissions": "750"}},
                        posix_user={"uid": uid, "gid": uid}, tags=s.tags(team=team))

lustre_sg = aws.ec2.SecurityGroup(s.name("lustre"), vpc_id=vpc_id, description="FSx for Lustre",
    ingress=[{"protocol": "tcp", "from_port": 988, "to_port": 988, "security_groups": [clients.id]},
             {"protocol": "tcp", "from_port": 1018, "to_port": 1023, "security_groups": [clients.id]},
             {"protocol": "tcp", "from_port": 988, "to_port": 988, "self": True},
             {"protocol": "tcp", "from_port": 1018, "to_port": 1023, "self": True}],
    egress=[{"protocol": "tcp", "from_port": 988, "to_port": 988, "self": True},
            {"protocol": "tcp", "from_port": 1018, "to_port": 1023, "self": True},
            {"protocol": "tcp", "from_port": 443, "to_port": 443, "cidr_blocks": [cidr], "description": "S3 endpoint"}],
    tags=s.tags())
lustre_logs = aws.cloudwatch.LogGroup(s.name("lustre"), name="/aws/fsx/research-scratch", retention_in_days=365,
                                      kms_key_id=key.arn, tags=s.tags())
scratch = aws.fsx.LustreFileSystem(s.name("scratch"), storage_capacity=2400, subnet_ids=subnet_ids[0],
    deployment_type="PERSISTENT_2", per_unit_storage_throughput=250, security_group_ids=[lustre_sg.id],
    kms_key_id=key.arn, data_compression_type="LZ4", file_system_type_version="2.15",
    automatic_backup_retention_days=7, copy_tags_to_backups=True,
    log_configuration={"level": "WARN_ERROR", "destination": lustre_logs.arn},
    tags=s.tags(Name="research-scratch"), opts=protect)
aws.fsx.DataRepositoryAssociation(s.name("checkpoints-dra"), file_system_id=scratch.id,
    file_system_path="/checkpoints", data_repository_path=checkpoints.bucket.apply(lambda b: f"s3://{b}/"),
    batch_import_meta_data_on_create=True,
    s3={"auto_import_policy": {"events": ["NEW", "CHANGED", "DELETED"]},
        "auto_export_policy": {"events": ["NEW", "CHANGED", "DELETED"]}}, tags=s.tags())

sync_role = aws.iam.Role(s.name("datasync"), tags=s.tags(), assume_role_policy=json.dumps({
    "Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Principal": {"Service": "datasync.amazonaws.com"}, "Action": "sts:AssumeRole",
        "Condition": {"StringEquals": {"aws:SourceAccount": account}}}]}))
aws.iam.RolePolicy(s.name("datasync"), role=sync_role.id,
    policy=pulumi.Output.all(checkpoints.arn, key.arn).apply(lambda a: json.dumps({"Version": "2012-10-17",
        "Statement": [
            {"Effect": "Allow", "Action": ["s3:GetBucketLocation", "s3:ListBucket", "s3:ListBucketMultipartUploads"],
             "Resource": a[0]},
            {"Effect": "Allow", "Action": ["s3:AbortMultipartUpload", "s3:DeleteObject", "s3:GetObject",
                                           "s3:ListMultipartUploadParts", "s3:PutObject", "s3:GetObjectTagging",
                                           "s3:PutObjectTagging"], "Resource": f"{a[0]}/*"},
            {"Effect": "Allow", "Action": ["kms:Decrypt", "kms:GenerateDataKey"], "Resource": a[1]}]})))

sync_logs = aws.cloudwatch.LogGroup(s.name("datasync"), name="/aws/datasync/research", retention_in_days=365,
                                    kms_key_id=key.arn, tags=s.tags())
efs_location = aws.datasync.EfsLocation(s.name("home-location"), efs_file_system_arn=home.arn,
    subdirectory="/checkpoints", in_transit_encryption="TLS1_2",
    ec2_config={"security_group_arns": [clients.arn],
                "subnet_arn": f"arn:aws:ec2:us-east-1:{account}:subnet/{subnet_ids[0]}"}, tags=s.tags())
s3_location = aws.datasync.S3Location(s.name("datasets"), s3_bucket_arn=checkpoints.arn, subdirectory="/research",
                                      s3_config={"bucket_access_role_arn": sync_role.arn}, tags=s.tags())
aws.datasync.Task(s.name("checkpoints-to-s3"), source_location_arn=efs_location.arn,
                  destination_location_arn=s3_location.arn, cloudwatch_log_group_arn=sync_logs.arn,
                  schedule={"schedule_expression": "cron(0 3 * * ? *)"},
                  options={"verify_mode": "ONLY_FILES_TRANSFERRED", "log_level": "TRANSFER"}, tags=s.tags())

pulumi.export("efs", home.id)
pulumi.export("lustre_mount", scratch.mount_name)
