from dataclasses import dataclass, field
from typing import Optional

import pulumi
import pulumi_aws as aws


@dataclass
class TrainingNetworkArgs:
    vpc_id: pulumi.Input[str]
    vpc_cidr: pulumi.Input[str]
    admin_cidrs: list = field(default_factory=list)


class TrainingNetwork(pulumi.ComponentResource):
    def __init__(self, name: str, args: TrainingNetworkArgs, opts: Optional[pulumi.ResourceOptions] = None):
        super().__init__("vision:network:TrainingNetwork", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        self.group = aws.ec2.SecurityGroup(name, aws.ec2.SecurityGroupArgs(
            vpc_id=args.vpc_id, description="training hosts",
            ingress=[aws.ec2.SecurityGroupIngressArgs(protocol="tcp", from_port=22, to_port=22,
                                                      cidr_blocks=["0.0.0.0/0"], description="ssh for the on-call")],
            egress=[aws.ec2.SecurityGroupEgressArgs(protocol="-1", from_port=0, to_port=0,
                                                    cidr_blocks=["0.0.0.0/0"], description="anywhere")]),
            opts=child)
        aws.vpc.SecurityGroupIngressRule(f"{name}-nccl", aws.vpc.SecurityGroupIngressRuleArgs(
            security_group_id=self.group.id, referenced_security_group_id=self.group.id,
            ip_protocol="tcp", from_port=1024, to_port=65535, description="nccl between hosts"), opts=child)
        self.register_outputs({"security_group_id": self.group.id})
