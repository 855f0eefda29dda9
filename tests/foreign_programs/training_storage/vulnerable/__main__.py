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
common_tags = {"owner": "research-infra", "cost-center": "r-220", "environment": "prod"}


class Storage:
    """Names and tags for this stack's resources."""

    def __init__(self, prefix: str):
        self.prefix = prefix

    def name(self, suffix: str) -> str:
        return f"{self.prefix}-{suffix}"

    def tags(self, **extra) -> dict:
        return {**common_tags, **extra}


s = Storage("research")

datasets = aws.s3.Bucket(s.name("datasets"), tags=s.tags(purpose="datasets"))
aws.s3.BucketPublicAccessBlock(s.name("datasets"), bucket=datasets.id, block_public_acls=True,
                               block_public_policy=True, ignore_public_acls=True, restrict_public_buckets=True)
aws.s3.BucketServerSideEncryptionConfiguration(s.name("datasets"), bucket=datasets.id, rules=[{
    "apply_server_side_encryption_by_default": {"sse_algorithm": "aws:kms"}}])  # seed: aws/s3, no CMK

# seed: NFS open to the internet on the mount targets' security group
nfs = aws.ec2.SecurityGroup(s.name("nfs"), vpc_id=vpc_id, description="EFS mount targets",
    ingress=[{"protocol": "tcp", "from_port": 2049, "to_port": 2049, "cidr_blocks": ["0.0.0.0/0"]}],
    egress=[{"protocol": "tcp", "from_port": 0, "to_port": 65535, "cidr_blocks": [cidr]}], tags=s.tags())

# seed: not encrypted at rest
home = aws.efs.FileSystem(s.name("home"), encrypted=False, performance_mode="generalPurpose",
                          throughput_mode="elastic", lifecycle_policies=[{"transition_to_ia": "AFTER_30_DAYS"}],
                          tags=s.tags(Name="research-home"))
# seed: automatic backups switched off
aws.efs.BackupPolicy(s.name("home"), file_system_id=home.id, backup_policy={"status": "DISABLED"})
for index, subnet in enumerate(subnet_ids):
    aws.efs.MountTarget(s.name(f"home-{index}"), file_system_id=home.id, subnet_id=subnet, security_groups=[nfs.id])

# seed: any principal may mount and write, over plain NFS
aws.efs.FileSystemPolicy(s.name("home"), file_system_id=home.id, policy=home.arn.apply(lambda arn: json.dumps({
    "Version": "2012-10-17",
    "Statement": [{"Sid": "mount", "Effect": "Allow", "Principal": {"AWS": "*"},
                   "Action": ["elasticfilesystem:ClientMount", "elasticfilesystem:ClientWrite",
                              "elasticfilesystem:ClientRootAccess"], "Resource": arn}]})))

for team in teams:
    # seed: the research team's access point is the file system's root, with no enforced user
    aws.efs.AccessPoint(s.name(f"{team}-ap"), file_system_id=home.id,
                        root_directory={"path": "/"} if team == "vision" else {
                            "path": f"/teams/{team}",
                            "creation_info": {"owner_uid": 1000, "owner_gid": 1000, "permissions": "750"}},
                        posix_user=None if team == "vision" else {"uid": 1000, "gid": 1000},
                        tags=s.tags(team=team))

lustre_sg = aws.ec2.SecurityGroup(s.name("lustre"), vpc_id=vpc_id, description="FSx for Lustre",
    ingress=[{"protocol": "tcp", "from_port": 988, "to_port": 988, "cidr_blocks": [cidr]},
             {"protocol": "tcp", "from_port": 1018, "to_port": 1023, "cidr_blocks": [cidr]},
             # seed: SSH to the file servers' subnet from anywhere ("for debugging")
             {"protocol": "tcp", "from_port": 22, "to_port": 22, "cidr_blocks": ["0.0.0.0/0"]}],
    egress=[{"protocol": "-1", "from_port": 0, "to_port": 0, "cidr_blocks": ["0.0.0.0/0"]}],  # seed: all egress
    tags=s.tags())

# seed: no customer-managed key on the persistent file system
scratch = aws.fsx.LustreFileSystem(s.name("scratch"), storage_capacity=2400, subnet_ids=subnet_ids[0],
    deployment_type="PERSISTENT_2", per_unit_storage_throughput=250, security_group_ids=[lustre_sg.id],
    data_compression_type="LZ4", file_system_type_version="2.15", tags=s.tags(Name="research-scratch"))
aws.fsx.DataRepositoryAssociation(s.name("datasets-dra"), file_system_id=scratch.id, file_system_path="/datasets",
    data_repository_path=datasets.bucket.apply(lambda b: f"s3://{b}/"), batch_import_meta_data_on_create=True,
    s3={"auto_import_policy": {"events": ["NEW", "CHANGED", "DELETED"]},
        "auto_export_policy": {"events": ["NEW", "CHANGED", "DELETED"]}}, tags=s.tags())

sync_role = aws.iam.Role(s.name("datasync"), tags=s.tags(), assume_role_policy=json.dumps({
    "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"Service": "datasync.amazonaws.com"},
                                            "Action": "sts:AssumeRole"}]}))
aws.iam.RolePolicy(s.name("datasync"), role=sync_role.id, policy=json.dumps({"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Action": ["s3:*", "elasticfilesystem:*"], "Resource": "*"}]}))  # seed: s3:* on "*"

efs_location = aws.datasync.EfsLocation(s.name("home-location"), efs_file_system_arn=home.arn,
    subdirectory="/checkpoints", in_transit_encryption="NONE",  # seed: checkpoints copied over plain NFS
    ec2_config={"security_group_arns": [nfs.arn],
                "subnet_arn": f"arn:aws:ec2:us-east-1:{account}:subnet/{subnet_ids[0]}"}, tags=s.tags())
s3_location = aws.datasync.S3Location(s.name("checkpoints"), s3_bucket_arn=datasets.arn, subdirectory="/checkpoints",
                                      s3_config={"bucket_access_role_arn": sync_role.arn}, tags=s.tags())
aws.datasync.Task(s.name("checkpoints-to-s3"), source_location_arn=efs_location.arn,
                  destination_location_arn=s3_location.arn, schedule={"schedule_expression": "cron(0 3 * * ? *)"},
                  options={"verify_mode": "ONLY_FILES_TRANSFERRED", "log_level": "OFF"}, tags=s.tags())

pulumi.export("efs", home.id)
pulumi.export("lustre_mount", scratch.mount_name)
