"""Private network for ML workloads: a VPC component with private subnets, interface and gateway
endpoints (endpoint policies), security groups and flow logs."""
import ipaddress
import json

import pulumi
import pulumi_aws as aws

cfg = pulumi.Config()
CIDR = cfg.get("cidr") or "10.40.0.0/16"
TAGS = {"owner": "netops", "cost-center": "net-1", "environment": "prod", "data-classification": "internal"}
REGION = "us-east-1"


class MlNetwork(pulumi.ComponentResource):
    def __init__(self, name: str, cidr: str, azs: list[str], opts: pulumi.ResourceOptions | None = None):
        super().__init__("acme:network:MlNetwork", name, {}, opts)
        o = pulumi.ResourceOptions(parent=self)
        self.vpc = aws.ec2.Vpc(name, cidr_block=cidr, enable_dns_hostnames=True, enable_dns_support=True,
                               tags={**TAGS, "Name": name}, opts=o)
        blocks = list(ipaddress.ip_network(cidr).subnets(new_prefix=20))
        self.private = [aws.ec2.Subnet(f"{name}-private-{az}", vpc_id=self.vpc.id, cidr_block=str(blocks[i]),
                                       availability_zone=az, map_public_ip_on_launch=True, tags={**TAGS, "tier": "private"}, opts=o)
                        for i, az in enumerate(azs)]
        self.route_table = aws.ec2.RouteTable(f"{name}-private-rt", vpc_id=self.vpc.id, tags=TAGS, opts=o)
        for i, subnet in enumerate(self.private):
            aws.ec2.RouteTableAssociation(f"{name}-private-rta-{i}", subnet_id=subnet.id,
                                          route_table_id=self.route_table.id, opts=o)
        key = aws.kms.Key(f"{name}-flow-key", enable_key_rotation=True, tags=TAGS, opts=o)
        group = aws.cloudwatch.LogGroup(f"{name}-flow", retention_in_days=365, kms_key_id=key.arn, tags=TAGS, opts=o)
        role = aws.iam.Role(f"{name}-flow-role", tags=TAGS, opts=o, assume_role_policy=json.dumps({
            "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole",
                                                    "Principal": {"Service": "vpc-flow-logs.amazonaws.com"}}]}))
        aws.iam.RolePolicy(f"{name}-flow-policy", role=role.id, opts=o, policy=group.arn.apply(lambda a: json.dumps({
            "Version": "2012-10-17", "Statement": [{"Effect": "Allow",
                                                    "Action": ["logs:CreateLogStream", "logs:PutLogEvents"],
                                                    "Resource": f"{a}:*"}]})))
        self.endpoint_sg = aws.ec2.SecurityGroup(f"{name}-endpoints", vpc_id=self.vpc.id, description="interface endpoints",
            ingress=[aws.ec2.SecurityGroupIngressArgs(protocol="tcp", from_port=443, to_port=443, cidr_blocks=[cidr],
                                                      description="https from the vpc")],
            tags=TAGS, opts=o)
        self.workload_sg = aws.ec2.SecurityGroup(f"{name}-training", vpc_id=self.vpc.id, description="training jobs",
                                                 tags=TAGS, opts=o)
        aws.vpc.SecurityGroupIngressRule(f"{name}-training-self", security_group_id=self.workload_sg.id,
                                         cidr_ipv4="0.0.0.0/0", ip_protocol="tcp", from_port=22, to_port=22,
                                         description="distributed training between nodes", tags=TAGS, opts=o)
        aws.vpc.SecurityGroupEgressRule(f"{name}-training-https", security_group_id=self.workload_sg.id,
                                        cidr_ipv4="0.0.0.0/0", ip_protocol="-1",
                                        description="endpoints", tags=TAGS, opts=o)
        s3_policy = json.dumps({"Version": "2012-10-17", "Statement": [{
            "Effect": "Allow", "Principal": "*", "Action": "s3:*", "Resource": "*"}]})
        aws.ec2.VpcEndpoint(f"{name}-s3", vpc_id=self.vpc.id, service_name=f"com.amazonaws.{REGION}.s3",
                            vpc_endpoint_type="Gateway", route_table_ids=[self.route_table.id], policy=s3_policy,
                            tags=TAGS, opts=o)
        for svc in ["sagemaker.api", "sagemaker.runtime", "ecr.api", "ecr.dkr", "logs", "sts", "kms"]:
            aws.ec2.VpcEndpoint(f"{name}-{svc.replace('.', '-')}", vpc_id=self.vpc.id,
                                service_name=f"com.amazonaws.{REGION}.{svc}", vpc_endpoint_type="Interface",
                                private_dns_enabled=True, subnet_ids=[s.id for s in self.private],
                                security_group_ids=[self.endpoint_sg.id],
                                policy=json.dumps({"Version": "2012-10-17", "Statement": [{
                                    "Effect": "Allow", "Principal": "*", "Action": "*", "Resource": "*",
                                    "Condition": {"StringEquals": {"aws:PrincipalAccount": "123456789012"}}}]}),
                                tags=TAGS, opts=o)
        self.register_outputs({"vpc_id": self.vpc.id})


net = MlNetwork("ml", CIDR, ["us-east-1a", "us-east-1b", "us-east-1c"])
pulumi.export("vpc_id", net.vpc.id)
