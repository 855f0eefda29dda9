"""Research workbench. The team declares resources plainly and lets transforms apply the platform's
settings: a stack transform (register_resource_transform), component transforms, and the older
SDK-side transformations; plus protect, ignore_changes, aliases and retain_on_delete."""
import json

import pulumi
import pulumi_aws as aws

TAGS = {"owner": "research", "cost-center": "res-3", "environment": "prod", "data-classification": "internal"}


def platform_defaults(args: pulumi.ResourceTransformArgs):
    """Every AWS resource is tagged; launch templates require IMDSv2 (engine-side: camelCase inputs)."""
    if not args.custom or not args.type_.startswith("aws:"):
        return None
    props = dict(args.props)
    if args.type_ not in ("aws:iam/rolePolicy:RolePolicy", "aws:iam/rolePolicyAttachment:RolePolicyAttachment",
                          "aws:ec2/securityGroupRule:SecurityGroupRule", "aws:kms/alias:Alias"):
        props["tags"] = {**TAGS, **(props.get("tags") or {})}
    if args.type_ == "aws:ec2/launchTemplate:LaunchTemplate":
        props["metadataOptions"] = {**(props.get("metadataOptions") or {}), "httpTokens": "required",
                                    "httpEndpoint": "enabled", "httpPutResponseHopLimit": 1}
    return pulumi.ResourceTransformResult(props, args.opts)


pulumi.runtime.register_resource_transform(platform_defaults)


def encrypt_with(key_arn: pulumi.Output):
    """A component transform: its log groups and topics use the workbench key."""
    def transform(args: pulumi.ResourceTransformArgs):
        if args.type_ in ("aws:cloudwatch/logGroup:LogGroup",):
            return pulumi.ResourceTransformResult({**args.props, "kmsKeyId": key_arn}, args.opts)
        if args.type_ == "aws:sns/topic:Topic":
            return pulumi.ResourceTransformResult({**args.props, "kmsMasterKeyId": key_arn}, args.opts)
        return None
    return transform


def locked_notebooks(args: pulumi.ResourceTransformationArgs):
    """Older SDK-side transformation (snake_case properties): notebooks without root or internet."""
    if args.type_ == "aws:sagemaker/notebookInstance:NotebookInstance":
        props = {**args.props, "root_access": "Disabled", "direct_internet_access": "Disabled"}
        return pulumi.ResourceTransformationResult(props, args.opts)
    return None


class Workbench(pulumi.ComponentResource):
    def __init__(self, name: str, key: aws.kms.Key, subnet_id: str, vpc_id: str,
                 opts: pulumi.ResourceOptions | None = None):
        super().__init__("research:workbench:Workbench", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        self.group = aws.ec2.SecurityGroup(f"{name}-nb", vpc_id=vpc_id, description="notebooks",
                                           egress=[{"protocol": "tcp", "from_port": 443, "to_port": 443,
                                                    "cidr_blocks": ["10.0.0.0/8"], "description": "endpoints"}],
                                           opts=child)
        role = aws.iam.Role(f"{name}-nb", assume_role_policy=json.dumps({
            "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole",
                                                    "Principal": {"Service": "sagemaker.amazonaws.com"}}]}),
            opts=child)
        self.notebook = aws.sagemaker.NotebookInstance(
            f"{name}-nb", role_arn=role.arn, instance_type="ml.t3.large", subnet_id=subnet_id,
            security_groups=[self.group.id], kms_key_id=key.arn, platform_identifier="notebook-al2-v3",
            instance_metadata_service_configuration={"minimum_instance_metadata_service_version": "2"},
            opts=pulumi.ResourceOptions(parent=self, ignore_changes=["defaultCodeRepository"]))
        aws.cloudwatch.LogGroup(f"{name}-jobs", retention_in_days=400, opts=child)
        aws.sns.Topic(f"{name}-alerts", opts=child)
        self.register_outputs({"notebook": self.notebook.url})


key = aws.kms.Key("workbench", enable_key_rotation=True, deletion_window_in_days=30,
                  opts=pulumi.ResourceOptions(protect=True, retain_on_delete=True))
aws.kms.Alias("workbench", name="alias/research-workbench", target_key_id=key.id)
bench = Workbench("bench", key, subnet_id="subnet-0a1b2c3d4e5f60718", vpc_id="vpc-0a1b2c3d4e5f60718",
                  opts=pulumi.ResourceOptions(transforms=[encrypt_with(key.arn)], transformations=[locked_notebooks],
                                              aliases=[pulumi.Alias(name="workbench")]))
aws.ec2.LaunchTemplate("batch-nodes", image_id="ami-0abcdef1234567890", instance_type="c6i.4xlarge",
                       block_device_mappings=[{"device_name": "/dev/xvda",
                                               "ebs": {"encrypted": "true", "kms_key_id": key.arn, "volume_size": 100}}],
                       opts=pulumi.ResourceOptions(ignore_changes=["imageId"], delete_before_replace=True))
pulumi.export("notebook", bench.notebook.url)
