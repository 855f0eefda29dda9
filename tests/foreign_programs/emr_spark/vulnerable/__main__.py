"""Spark feature engineering on EMR on EC2 (the quick version): a security configuration that encrypts
nothing and leaves IMDSv1 on, block public access turned off, no logs, a public subnet, SSH open, a metastore
password in the cluster's configurations, and a node role that can read every bucket."""
import json

import pulumi
import pulumi_aws as aws

tags = {"owner": "feature-eng", "cost-center": "fe-3", "environment": "prod", "data-classification": "confidential"}
VPC = "vpc-0abc1234def567890"
PUBLIC_SUBNET = "subnet-0a1b2c3d4e5f6f001"

aws.emr.BlockPublicAccessConfiguration("account-bpa", block_public_security_group_rules=False)

security = aws.emr.SecurityConfiguration("spark-security", configuration=json.dumps({
    "EncryptionConfiguration": {"EnableAtRestEncryption": False, "EnableInTransitEncryption": False},
    "InstanceMetadataServiceConfiguration": {"MinimumInstanceMetadataServiceVersion": 1,
                                             "HttpPutResponseHopLimit": 2}}))

service_role = aws.iam.Role("emr-service", tags=tags, assume_role_policy=json.dumps({"Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole",
                   "Principal": {"Service": "elasticmapreduce.amazonaws.com"}}]}))
aws.iam.RolePolicyAttachment("emr-service-managed", role=service_role.name,
                             policy_arn="arn:aws:iam::aws:policy/service-role/AmazonEMRServicePolicy_v2")
node_role = aws.iam.Role("emr-nodes", tags=tags, assume_role_policy=json.dumps({"Version": "2012-10-17", "Statement": [{
    "Effect": "Allow", "Action": "sts:AssumeRole", "Principal": {"Service": "ec2.amazonaws.com"}}]}))
aws.iam.RolePolicy("emr-nodes-data", role=node_role.id, policy=json.dumps({"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Action": ["s3:*", "glue:*"], "Resource": "*"}]}))
profile = aws.iam.InstanceProfile("emr-nodes", role=node_role.name, tags=tags)

master_sg = aws.ec2.SecurityGroup("emr-master", vpc_id=VPC, description="EMR master", tags=tags,
    ingress=[{"protocol": "tcp", "from_port": 22, "to_port": 22, "cidr_blocks": ["0.0.0.0/0"], "description": "ssh"},
             {"protocol": "tcp", "from_port": 8998, "to_port": 8998, "cidr_blocks": ["0.0.0.0/0"],
              "description": "livy"}])

cluster = aws.emr.Cluster("features", release_label="emr-7.2.0", applications=["Spark", "Hadoop", "Livy", "Hive"],
    service_role=service_role.arn, security_configuration=security.name,
    termination_protection=False, keep_job_flow_alive_when_no_steps=True,
    ec2_attributes={"subnet_id": PUBLIC_SUBNET, "instance_profile": profile.arn, "key_name": "data-eng",
                    "additional_master_security_groups": master_sg.id},
    master_instance_group={"instance_type": "m6i.2xlarge"},
    core_instance_group={"instance_type": "r6i.4xlarge", "instance_count": 4},
    configurations_json=json.dumps([
        {"Classification": "hive-site", "Properties": {
            "javax.jdo.option.ConnectionURL": "jdbc:mysql://metastore.internal:3306/hive",
            "javax.jdo.option.ConnectionUserName": "hive",
            "javax.jdo.option.ConnectionPassword": "Hive-Metastore-2024!"}}]),
    tags=tags)

pulumi.export("cluster_id", cluster.id)
