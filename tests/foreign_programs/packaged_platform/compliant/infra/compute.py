import json
from dataclasses import dataclass
from typing import Optional

import pulumi
import pulumi_aws as aws


@dataclass
class TrainingHostArgs:
    subnet_id: pulumi.Input[str]
    security_group_id: pulumi.Input[str]
    dataset_bucket_arn: pulumi.Input[str]
    kms_key_arn: pulumi.Input[str]
    api_token: pulumi.Input[str]
    rotation_lambda_arn: pulumi.Input[str] = ""
    instance_type: str = "g5.2xlarge"


class TrainingHost(pulumi.ComponentResource):
    def __init__(self, name: str, args: TrainingHostArgs, opts: Optional[pulumi.ResourceOptions] = None):
        super().__init__("vision:compute:TrainingHost", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        assume = aws.iam.get_policy_document(statements=[aws.iam.GetPolicyDocumentStatementArgs(
            actions=["sts:AssumeRole"],
            principals=[aws.iam.GetPolicyDocumentStatementPrincipalArgs(type="Service", identifiers=["ec2.amazonaws.com"])])])
        self.role = aws.iam.Role(f"{name}-role", aws.iam.RoleArgs(assume_role_policy=assume.json), opts=child)
        read = aws.iam.get_policy_document_output(statements=[aws.iam.GetPolicyDocumentStatementArgs(
            actions=["s3:GetObject", "s3:ListBucket"],
            resources=[args.dataset_bucket_arn, pulumi.Output.concat(args.dataset_bucket_arn, "/*")])])
        aws.iam.RolePolicy(f"{name}-read", aws.iam.RolePolicyArgs(role=self.role.id, policy=read.json), opts=child)
        profile = aws.iam.InstanceProfile(f"{name}-profile", role=self.role.name, opts=child)
        ami = aws.ec2.get_ami(most_recent=True, owners=["amazon"],
                              filters=[aws.ec2.GetAmiFilterArgs(name="name", values=["Deep Learning Base OSS*"])])
        self.instance = aws.ec2.Instance(name, aws.ec2.InstanceArgs(
            ami=ami.id, instance_type=args.instance_type, subnet_id=args.subnet_id,
            vpc_security_group_ids=[args.security_group_id], iam_instance_profile=profile.name,
            associate_public_ip_address=False, monitoring=True, ebs_optimized=True,
            metadata_options=aws.ec2.InstanceMetadataOptionsArgs(http_tokens="required", http_endpoint="enabled",
                                                                http_put_response_hop_limit=1),
            root_block_device=aws.ec2.InstanceRootBlockDeviceArgs(encrypted=True, kms_key_id=args.kms_key_arn,
                                                                 volume_size=200, volume_type="gp3")),
            opts=child)
        secret = aws.secretsmanager.Secret(f"{name}-token", aws.secretsmanager.SecretArgs(kms_key_id=args.kms_key_arn),
                                           opts=child)
        aws.secretsmanager.SecretVersion(f"{name}-token-v1", secret_id=secret.id, secret_string=args.api_token,
                                         opts=child)
        aws.secretsmanager.SecretRotation(f"{name}-token-rotation", secret_id=secret.id,
                                          rotation_lambda_arn=args.rotation_lambda_arn,
                                          rotation_rules={"automatically_after_days": 30}, opts=child)
        self.register_outputs({"instance_id": self.instance.id, "token_secret_arn": secret.arn})
