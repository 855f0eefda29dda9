"""SageMaker notebook instances and Studio domains: where data scientists work with the data, so they
reach the network only through the VPC, and notebook instances run without root access, with
IMDSv2 only and on a platform that still gets updates (one rule each). Their volume keys are judged by ``sagemaker-volume-cmk``
(``policies/rules/sagemaker.py``). Cloud9 EC2 environments, the other hosted IDE, take no inbound traffic.

SageMaker's defaults are the opposite (direct internet access, root access, IMDSv1 allowed, the
AWS-managed key), so an absent setting is a violation.
"""

from __future__ import annotations

from pulumi_policy import ReportViolation, ResourceValidationArgs, ResourceValidationPolicy, Severity

from policies.rules._declare import applies_to, config_schema, frameworks, policy_config
from policies.rules._props import describe, get, is_unknown

NOTEBOOK = "aws:sagemaker/notebookInstance:NotebookInstance"
DOMAIN = "aws:sagemaker/domain:Domain"
#: pulumi-aws-native: AWS::SageMaker::NotebookInstance and AWS::SageMaker::Domain have the same settings under the
#: same names (DirectInternetAccess, SubnetId, RootAccess, InstanceMetadataServiceConfiguration,
#: AppNetworkAccessType), with the same defaults.
NOTEBOOKS = (NOTEBOOK, "aws-native:sagemaker:NotebookInstance")
DOMAINS = (DOMAIN, "aws-native:sagemaker:Domain")


def _vpc_only(args: ResourceValidationArgs, report: ReportViolation) -> None:
    if args.resource_type in NOTEBOOKS:
        access = get(args.props, "directInternetAccess", default="Enabled")
        subnet = get(args.props, "subnetId")
        if is_unknown(access):
            return
        if access != "Disabled":
            report(f"{describe(args)} has direct internet access ({access!r}): set directInternetAccess 'Disabled' "
                   "and subnetId to a private subnet, so traffic goes through the VPC and its endpoints")
        elif not subnet:
            report(f"{describe(args)} disables direct internet access but names no subnetId: it would have no "
                   "network at all; set subnetId to a private subnet")
        return
    mode = get(args.props, "appNetworkAccessType", default="PublicInternetOnly")
    if not is_unknown(mode) and mode != "VpcOnly":
        report(f"{describe(args)} uses appNetworkAccessType {mode!r}: Studio apps reach the internet directly; "
               "set it to 'VpcOnly' with subnetIds in private subnets")


sagemaker_notebook_vpc_only = ResourceValidationPolicy(
    name="sagemaker-notebook-vpc-only",
    description="SageMaker notebook instances and Studio domains reach the network only through the VPC, "
                "never directly to the internet.",
    validate=applies_to([*NOTEBOOKS, *DOMAINS], _vpc_only),
    severity=Severity.HIGH,
    remediation_steps="On aws.sagemaker.NotebookInstance set direct_internet_access='Disabled' with subnet_id and "
                      "security_groups in a private subnet; on aws.sagemaker.Domain set app_network_access_type="
                      "'VpcOnly'. The VPC endpoints of components.network.Network give them S3, ECR, STS, logs and "
                      "the SageMaker APIs.",
    **frameworks({"nist-800-53": "SC-7, AC-4", "pci-dss": "1.3.1", "hipaa": "164.312(e)(1)"}),
)


def _no_root(args: ResourceValidationArgs, report: ReportViolation) -> None:
    root = get(args.props, "rootAccess", default="Enabled")
    if not is_unknown(root) and root != "Disabled":
        report(f"{describe(args)} gives its users root access ({root!r}): set rootAccess 'Disabled'")


sagemaker_notebook_no_root_access = ResourceValidationPolicy(
    name="sagemaker-notebook-no-root-access",
    description="SageMaker notebook instances give their users no root access (the default is Enabled).",
    validate=applies_to(NOTEBOOKS, _no_root),
    severity=Severity.MEDIUM,
    remediation_steps="Set root_access='Disabled' on the aws.sagemaker.NotebookInstance; install packages through "
                      "a lifecycle configuration instead of as root.",
    **frameworks({"nist-800-53": "AC-6, CM-7"}),
)


def _imdsv2(args: ResourceValidationArgs, report: ReportViolation) -> None:
    imds = get(args.props, "instanceMetadataServiceConfiguration", "minimumInstanceMetadataServiceVersion",
               default="1")
    if not is_unknown(imds) and str(imds) != "2":
        report(f"{describe(args)} allows IMDSv1 (minimum version {imds!r}): set "
               "instanceMetadataServiceConfiguration.minimumInstanceMetadataServiceVersion '2'")


sagemaker_notebook_imdsv2 = ResourceValidationPolicy(
    name="sagemaker-notebook-imdsv2",
    description="SageMaker notebook instances accept only IMDSv2 (the default minimum version is 1).",
    validate=applies_to(NOTEBOOKS, _imdsv2),
    severity=Severity.MEDIUM,
    remediation_steps="Set instance_metadata_service_configuration={'minimum_instance_metadata_service_version': "
                      "'2'} on the aws.sagemaker.NotebookInstance.",
    **frameworks({"nist-800-53": "AC-3, SC-7"}),
)

#: The platform identifiers pulumi-aws 7.51 marks deprecated (sagemaker/notebook_instance.py,
#: ``platform_identifier``: "notebook-al1-v1(deprecated), notebook-al2-v1(deprecated),
#: notebook-al2-v2(deprecated), notebook-al2-v3, or notebook-al2023-v1"); botocore sagemaker 2017-07-24
#: ``PlatformIdentifier`` still accepts them, and an absent one is the service's default (notebook-al2023-v1).
DEPRECATED_PLATFORMS = ("notebook-al1-v1", "notebook-al2-v1", "notebook-al2-v2")
PLATFORM_SCHEMA = config_schema(
    deprecatedPlatforms={
        "type": "array", "items": {"type": "string"}, "default": list(DEPRECATED_PLATFORMS),
        "description": "Notebook instance platform identifiers whose operating system and JupyterLab no longer get "
                       "updates (add notebook-al2-v3 where Amazon Linux 2 is retired).",
    },
)


def _platform(args: ResourceValidationArgs, report: ReportViolation) -> None:
    platform = get(args.props, "platformIdentifier")
    if isinstance(platform, str) and not is_unknown(platform) and \
            platform in policy_config(args, PLATFORM_SCHEMA)["deprecatedPlatforms"]:
        report(f"{describe(args)} runs on platform {platform!r}, which is deprecated: its operating system and "
               "JupyterLab no longer get security updates; set platformIdentifier 'notebook-al2023-v1'")


sagemaker_notebook_supported_platform = ResourceValidationPolicy(
    name="sagemaker-notebook-supported-platform",
    description="SageMaker notebook instances run on a supported platform identifier, not a deprecated one "
                "(notebook-al1-v1, notebook-al2-v1, notebook-al2-v2).",
    validate=applies_to(NOTEBOOKS, _platform),
    config_schema=PLATFORM_SCHEMA,
    severity=Severity.MEDIUM,
    remediation_steps="Set platform_identifier='notebook-al2023-v1' on the aws.sagemaker.NotebookInstance (the "
                      "instance is replaced: keep work in its volume's backups or in Git first).",
    **frameworks({"nist-800-53": "SI-2, SA-22", "pci-dss": "6.3.3"}),
)

#: Cloud9 EC2 environments (pulumi-aws 7 cloud9.EnvironmentEC2, pulumi-aws-native cloud9.EnvironmentEc2).
CLOUD9_ENVIRONMENTS = ("aws:cloud9/environmentEC2:EnvironmentEC2", "aws-native:cloud9:EnvironmentEc2")


def _cloud9_no_ingress(args: ResourceValidationArgs, report: ReportViolation) -> None:
    # connectionType: "CONNECT_SSH (default) and CONNECT_SSM (connected through Amazon EC2 Systems Manager)" (botocore
    # cloud9 CreateEnvironmentEC2Request). With SSH, Cloud9 connects to the instance over inbound SSH from its
    # service addresses; with SSM the instance takes no inbound traffic ("no-ingress EC2 instances", Cloud9 user
    # guide). cdk-nag AwsSolutions-C91.
    connection = get(args.props, "connectionType", default="CONNECT_SSH")
    if not is_unknown(connection) and connection != "CONNECT_SSM":
        report(f"{describe(args)} is reached over inbound SSH (connectionType {connection!r}): set connectionType "
               "'CONNECT_SSM' for a no-ingress instance reached through Systems Manager")


cloud9_no_ingress = ResourceValidationPolicy(
    name="cloud9-no-ingress",
    description="Cloud9 EC2 environments take no inbound traffic: connectionType CONNECT_SSM (Systems Manager), not "
                "the CONNECT_SSH default.",
    validate=applies_to(CLOUD9_ENVIRONMENTS, _cloud9_no_ingress),
    severity=Severity.MEDIUM,
    remediation_steps="Set connection_type='CONNECT_SSM' on the aws.cloud9.EnvironmentEC2 (its instance needs the "
                      "AWSCloud9SSMInstanceProfile, which Cloud9 creates).",
    **frameworks({"nist-800-53": "AC-17, SC-7", "pci-dss": "1.3.1"}),
)


SECURITY = [sagemaker_notebook_vpc_only, sagemaker_notebook_no_root_access, sagemaker_notebook_imdsv2,
            sagemaker_notebook_supported_platform, cloud9_no_ingress]
PRIVACY: list = []
COMPLIANCE: list = []
