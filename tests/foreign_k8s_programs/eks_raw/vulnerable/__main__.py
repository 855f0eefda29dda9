"""A raw aws.eks.Cluster, quick and open.
Seeded: public endpoint from 0.0.0.0/0, an unsupported version, no logs, no secrets encryption,
launch template with IMDSv1 allowed and a hop limit of 2, unencrypted root volume, SSH to the node group."""
import json
import pulumi
import pulumi_aws as aws

SUBNETS = ["subnet-0aaa1111bbbb2222c", "subnet-0ddd3333eeee4444f"]
assume = lambda svc: json.dumps({"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Principal": {"Service": svc}, "Action": "sts:AssumeRole"}]})
cluster_role = aws.iam.Role("eks-cluster", assume_role_policy=assume("eks.amazonaws.com"))
cluster = aws.eks.Cluster("ml", role_arn=cluster_role.arn, version="1.23",
                          vpc_config={"subnetIds": SUBNETS, "endpointPublicAccess": True,
                                      "publicAccessCidrs": ["0.0.0.0/0"]})
node_role = aws.iam.Role("eks-nodes", assume_role_policy=assume("ec2.amazonaws.com"))
lt = aws.ec2.LaunchTemplate("gpu", metadata_options={"httpTokens": "optional", "httpPutResponseHopLimit": 2},
                            block_device_mappings=[{"deviceName": "/dev/xvda",
                                                    "ebs": {"volumeSize": 300, "encrypted": "false"}}])
aws.eks.NodeGroup("gpu", cluster_name=cluster.name, node_role_arn=node_role.arn, subnet_ids=SUBNETS,
                  instance_types=["g5.12xlarge"],
                  scaling_config={"minSize": 1, "desiredSize": 1, "maxSize": 2},
                  remote_access={"ec2SshKey": "ops-key"})
aws.eks.NodeGroup("gpu-lt", cluster_name=cluster.name, node_role_arn=node_role.arn, subnet_ids=SUBNETS,
                  scaling_config={"minSize": 1, "desiredSize": 1, "maxSize": 2},
                  launch_template={"id": lt.id, "version": "$Latest"})
