"""EKS clusters and their nodes: a private (or tightly fenced) API endpoint, secrets envelope-encrypted
with a KMS key, every control-plane log type on, a supported Kubernetes version, access entries
instead of the aws-auth ConfigMap; node launch templates with IMDSv2, a hop limit of one, and volumes encrypted with a customer key; node
groups without SSH access. The cluster rules also judge pulumi-eks's ``eks:index:Cluster`` component by
the aws.eks.Cluster it builds from its inputs; the launch-template rules and ``eks-node-group-component-no-ssh``
judge pulumi-eks's node groups by the launch templates they build (policies/rules/_components.py)."""

from __future__ import annotations

import ipaddress
from typing import Any

from pulumi_policy import (
    ReportViolation, ResourceValidationArgs, ResourceValidationPolicy, Severity, StackValidationArgs,
    StackValidationPolicy,
)

from catalog.eks import SUPPORTED_VERSIONS
from policies.rules._components import as_built
from policies.rules._declare import applies_to, config_schema, examines, frameworks, policy_config
from policies.rules._index import LAUNCH_TEMPLATE, launch_templates, of_type, stack_resources
from policies.rules._principals import aws_managed_key_alias
from policies.rules._props import UNKNOWN, as_bool, as_int, as_list, describe, get, is_unknown

CLUSTER = "aws:eks/cluster:Cluster"
#: pulumi-aws-native's AWS::EKS::Cluster (pulumi-aws-native 1.84 eks/cluster.py, _inputs.py): ``resourcesVpcConfig``
#: (pulumi-aws: ``vpcConfig``; EndpointPublicAccess defaults to true, PublicAccessCidrs to 0.0.0.0/0),
#: ``encryptionConfig`` a list of ``{resources, provider.keyArn}``, log types in
#: ``logging.clusterLogging.enabledTypes[].type``; the same ``accessConfig.authenticationMode`` and ``version``.
NATIVE_CLUSTER = "aws-native:eks:Cluster"
CLUSTERS = (CLUSTER, NATIVE_CLUSTER)
#: pulumi-aws-native's AWS::EC2::LaunchTemplate keeps the settings in ``launchTemplateData`` (MetadataOptions,
#: BlockDeviceMappings[].Ebs, KeyName); AWS::EKS::Nodegroup has the same ``remoteAccess`` and ``launchTemplate``.
NATIVE_LAUNCH_TEMPLATE = "aws-native:ec2:LaunchTemplate"
LAUNCH_TEMPLATES = (LAUNCH_TEMPLATE, NATIVE_LAUNCH_TEMPLATE)
NODE_GROUP = "aws:eks/nodeGroup:NodeGroup"
NATIVE_NODE_GROUP = "aws-native:eks:Nodegroup"
NODE_GROUPS = (NODE_GROUP, NATIVE_NODE_GROUP)
LOG_TYPES = ["api", "audit", "authenticator", "controllerManager", "scheduler"]

# --------------------------------------------------------------------------------------------------

ENDPOINT_SCHEMA = config_schema(
    allowPublicEndpoint={
        "type": "boolean", "default": False,
        "description": "Allow a public API endpoint at all (it must still list CIDRs, never 0.0.0.0/0).",
    },
)


def _endpoint(args: ResourceValidationArgs, report: ReportViolation) -> None:
    config = policy_config(args, ENDPOINT_SCHEMA)
    # EKS makes the endpoint public unless told otherwise.
    vpc = "resourcesVpcConfig" if args.resource_type == NATIVE_CLUSTER else "vpcConfig"
    public = as_bool(get(args.props, vpc, "endpointPublicAccess", default=True))
    if is_unknown(public) or public is False:
        return
    if not config["allowPublicEndpoint"]:
        report(f"{describe(args)} has a public API endpoint: set vpcConfig.endpointPublicAccess to false "
               "(the private endpoint serves nodes and in-VPC clients)")
        return
    cidrs = as_list(get(args.props, vpc, "publicAccessCidrs"))
    if is_unknown(cidrs):
        return
    if not cidrs:
        report(f"{describe(args)} has a public API endpoint without publicAccessCidrs: EKS then allows 0.0.0.0/0")
    for cidr in cidrs:
        try:
            open_to_all = isinstance(cidr, str) and ipaddress.ip_network(cidr, strict=False).prefixlen == 0
        except ValueError:
            continue
        if open_to_all:
            report(f"{describe(args)} opens its public API endpoint to {cidr}: list only your networks")


eks_endpoint_access = ResourceValidationPolicy(
    name="eks-endpoint-access",
    description="EKS API endpoints are private; where a public endpoint is allowed, it is limited to listed "
                "CIDRs and never 0.0.0.0/0.",
    validate=as_built(CLUSTERS, _endpoint, "endpoint"),
    config_schema=ENDPOINT_SCHEMA,
    severity=Severity.HIGH,
    remediation_steps="Set vpc_config endpoint_private_access=True and endpoint_public_access=False; if a public "
                      "endpoint is unavoidable, set public_access_cidrs to your office/VPN ranges.",
    **frameworks({"nist-800-53": "SC-7, AC-17", "pci-dss": "1.3.1"}),
)


def _secrets_encryption(args: ResourceValidationArgs, report: ReportViolation) -> None:
    config = get(args.props, "encryptionConfig")
    if is_unknown(config):
        return
    if args.resource_type == NATIVE_CLUSTER:
        configs = [item for item in as_list(config) if isinstance(item, dict) or is_unknown(item)]
        if any(is_unknown(item) or is_unknown(item.get("resources")) or is_unknown(get(item, "provider", "keyArn"))
               for item in configs):
            return
        if not any("secrets" in as_list(item.get("resources")) and get(item, "provider", "keyArn") for item in configs):
            report(f"{describe(args)} does not envelope-encrypt Kubernetes secrets with a KMS key: add an "
                   "encryptionConfig entry with resources ['secrets'] and provider.keyArn")
        return
    resources = as_list(get(args.props, "encryptionConfig", "resources"))
    key = get(args.props, "encryptionConfig", "provider", "keyArn")
    if is_unknown(resources) or is_unknown(key):
        return
    if not config or "secrets" not in resources or not key:
        report(f"{describe(args)} does not envelope-encrypt Kubernetes secrets with a KMS key: set encryptionConfig "
               "with resources ['secrets'] and provider.keyArn")


eks_secrets_encryption = ResourceValidationPolicy(
    name="eks-secrets-encryption",
    description="EKS clusters envelope-encrypt Kubernetes secrets with a customer-managed KMS key.",
    validate=as_built(CLUSTERS, _secrets_encryption, "secrets"),
    severity=Severity.HIGH,
    remediation_steps="Set encryption_config={'provider': {'key_arn': <your aws.kms.Key arn>}, 'resources': "
                      "['secrets']} on the aws.eks.Cluster (it cannot be turned off once on).",
    **frameworks({"nist-800-53": "SC-28, SC-12", "pci-dss": "3.5.1", "hipaa": "164.312(a)(2)(iv)",
                  "gdpr": "Art. 32(1)(a)"}),
)


def _authentication_mode(args: ResourceValidationArgs, report: ReportViolation) -> None:
    mode = get(args.props, "accessConfig", "authenticationMode", default="CONFIG_MAP")
    if is_unknown(mode) or mode == "API":
        return
    report(f"{describe(args)} authenticates through the aws-auth ConfigMap (authenticationMode {mode!r}): use "
           "'API' so cluster access is managed as access entries, audited in CloudTrail")


eks_access_entries = ResourceValidationPolicy(
    name="eks-access-entries",
    description="EKS clusters grant access with access entries (authenticationMode API), not the aws-auth ConfigMap.",
    validate=as_built(CLUSTERS, _authentication_mode, "access"),
    severity=Severity.MEDIUM,
    remediation_steps="Set access_config={'authentication_mode': 'API'} on the aws.eks.Cluster and grant access "
                      "with aws.eks.AccessEntry and aws.eks.AccessPolicyAssociation.",
    **frameworks({"nist-800-53": "AC-2, AC-3"}),
)

LOGGING_SCHEMA = config_schema(
    requiredLogTypes={
        "type": "array", "items": {"type": "string"}, "default": LOG_TYPES,
        "description": "Control-plane log types that must be enabled.",
    },
)


def _logging(args: ResourceValidationArgs, report: ReportViolation) -> None:
    required = policy_config(args, LOGGING_SCHEMA)["requiredLogTypes"]
    native = args.resource_type == NATIVE_CLUSTER
    if native:
        types = as_list(get(args.props, "logging", "clusterLogging", "enabledTypes"))
        enabled = types if is_unknown(types) else [item.get("type") if isinstance(item, dict) else item for item in types]
    else:
        enabled = as_list(get(args.props, "enabledClusterLogTypes"))
    if is_unknown(enabled) or any(is_unknown(kind) for kind in enabled):
        return
    missing = [kind for kind in required if kind not in enabled]
    if missing:
        report(f"{describe(args)} does not send control-plane logs {', '.join(missing)}: add them to "
               f"{'logging.clusterLogging.enabledTypes' if native else 'enabledClusterLogTypes'}")


eks_control_plane_logging = ResourceValidationPolicy(
    name="eks-control-plane-logging",
    description="EKS clusters send every required control-plane log type (default all five) to CloudWatch.",
    validate=as_built(CLUSTERS, _logging, "logging"),
    config_schema=LOGGING_SCHEMA,
    severity=Severity.MEDIUM,
    remediation_steps="Set enabled_cluster_log_types=['api', 'audit', 'authenticator', 'controllerManager', "
                      "'scheduler'] and create the /aws/eks/<name>/cluster log group first, encrypted and with retention.",
    **frameworks({"nist-800-53": "AU-2, AU-12", "pci-dss": "10.2.1", "hipaa": "164.312(b)"}),
)

VERSION_SCHEMA = config_schema(
    supportedVersions={
        "type": "array", "items": {"type": "string"}, "default": list(SUPPORTED_VERSIONS),
        "description": "Kubernetes minors EKS supports (default: catalog/eks.py).",
    },
)


def _version(args: ResourceValidationArgs, report: ReportViolation) -> None:
    supported = policy_config(args, VERSION_SCHEMA)["supportedVersions"]
    version = get(args.props, "version")
    # No version means EKS's current default, which is supported.
    if is_unknown(version) or not version or version in supported:
        return
    report(f"{describe(args)} runs Kubernetes {version}, which EKS no longer supports here "
           f"(supported: {', '.join(supported)}): upgrade one minor at a time")


eks_supported_version = ResourceValidationPolicy(
    name="eks-supported-version",
    description="EKS clusters run a Kubernetes version that EKS supports.",
    validate=as_built(CLUSTERS, _version, "version"),
    config_schema=VERSION_SCHEMA,
    severity=Severity.MEDIUM,
    remediation_steps="Set version on the aws.eks.Cluster to a supported minor; upgrade add-ons and node groups "
                      "with it (see catalog/eks.py).",
    **frameworks({"nist-800-53": "SI-2", "pci-dss": "6.3.3"}),
)

# --------------------------------------------------------------------------------------------------

IMDS_SCHEMA = config_schema(
    maxHopLimit={
        "type": "integer", "minimum": 1, "default": 1,
        "description": "Largest httpPutResponseHopLimit: 1 keeps containers from reaching node credentials.",
    },
)


#: Karpenter's EC2NodeClass (``karpenter.k8s.aws`` v1 and v1beta1): the launch templates Karpenter makes for
#: its nodes. aws/karpenter-provider-aws pkg/apis/v1/ec2nodeclass.go: ``metadataOptions`` defaults to
#: httpEndpoint enabled, httpPutResponseHopLimit 1, httpTokens required (as a whole and field by field);
#: ``blockDeviceMappings[].ebs`` (``encrypted``, ``kmsKeyID``) pass through to the launch template, and
#: without mappings the AMI family's defaults apply (pkg/providers/amifamily: the root volume, gp3,
#: ``Encrypted: true``), except for the Custom family, which has none.
NODE_CLASS_GROUP = "kubernetes:karpenter.k8s.aws/"
_NODE_CLASS_IMDS = {"httpEndpoint": "enabled", "httpPutResponseHopLimit": 1, "httpTokens": "required"}


def is_node_class(resource_type: str) -> bool:
    return resource_type.startswith(NODE_CLASS_GROUP) and resource_type.endswith(":EC2NodeClass")


def is_launch_template(resource_type: str) -> bool:
    """A launch template, or a Karpenter EC2NodeClass (the launch templates Karpenter makes from it)."""
    return resource_type in LAUNCH_TEMPLATES or is_node_class(resource_type)


def _node_class_data(props: Any) -> Any:
    spec = get(props, "spec", default={})
    if is_unknown(spec) or not isinstance(spec, dict):
        return spec if is_unknown(spec) else {}
    options = spec.get("metadataOptions")
    options = options if is_unknown(options) else {**_NODE_CLASS_IMDS, **(options if isinstance(options, dict) else {})}
    mappings = spec.get("blockDeviceMappings")
    if is_unknown(mappings):
        return {"metadataOptions": options, "blockDeviceMappings": mappings}
    if not mappings:
        family, terms = spec.get("amiFamily"), as_list(spec.get("amiSelectorTerms"))
        if is_unknown(family) or (family is None and is_unknown(terms)):
            return {"metadataOptions": options, "blockDeviceMappings": UNKNOWN}
        aliased = not is_unknown(terms) and any(isinstance(t, dict) and t.get("alias") for t in terms)
        custom = family == "Custom" or (family is None and not aliased)
        mappings = [] if custom else [
            {"deviceName": "the AMI family's root volume", "ebs": {"encrypted": True}}]
    else:
        mappings = [{"deviceName": m.get("deviceName"),
                     "ebs": {"encrypted": get(m, "ebs", "encrypted"), "kmsKeyId": get(m, "ebs", "kmsKeyID")}}
                    for m in mappings if isinstance(m, dict)]
    return {"metadataOptions": options, "blockDeviceMappings": mappings}


def template_data(resource: Any) -> Any:
    """A launch template's settings: its inputs (pulumi-aws), or its ``launchTemplateData`` (pulumi-aws-native;
    ``UNKNOWN`` or ``{}`` when not known or absent), or a Karpenter EC2NodeClass's in launch-template terms,
    its defaults filled in."""
    if is_node_class(resource.resource_type):
        return _node_class_data(resource.props)
    if resource.resource_type == NATIVE_LAUNCH_TEMPLATE:
        data = get(resource.props, "launchTemplateData", default={})
        return data if is_unknown(data) or isinstance(data, dict) else {}
    return resource.props


def _imds_enabled(args: ResourceValidationArgs) -> bool:
    return get(template_data(args), "metadataOptions", "httpEndpoint") != "disabled"


def _imdsv2(args: ResourceValidationArgs, report: ReportViolation) -> None:
    tokens = get(template_data(args), "metadataOptions", "httpTokens", default="optional")
    if _imds_enabled(args) and not is_unknown(tokens) and tokens != "required":
        report(f"{describe(args)} allows IMDSv1 (httpTokens {tokens!r}): set metadataOptions.httpTokens to 'required'")


def _hop_limit(args: ResourceValidationArgs, report: ReportViolation) -> None:
    max_hops = policy_config(args, IMDS_SCHEMA)["maxHopLimit"]
    hops = as_int(get(template_data(args), "metadataOptions", "httpPutResponseHopLimit"))
    if _imds_enabled(args) and not is_unknown(hops) and (hops is None or hops > max_hops):
        report(f"{describe(args)} has metadata hop limit {hops if hops is not None else 'unset (AMI default)'}: "
               f"set httpPutResponseHopLimit to at most {max_hops} so pods cannot read the node role's credentials")


launch_template_imdsv2 = ResourceValidationPolicy(
    name="launch-template-imdsv2",
    description="Launch templates (and Karpenter EC2NodeClasses) require IMDSv2 tokens (httpTokens required).",
    validate=as_built(is_launch_template, _imdsv2, "imds"),
    severity=Severity.HIGH,
    remediation_steps="Set metadata_options={'http_endpoint': 'enabled', 'http_tokens': 'required'} on the "
                      "aws.ec2.LaunchTemplate.",
    **frameworks({"cis-aws": "5.6", "nist-800-53": "AC-3, SC-7"}),
)

launch_template_metadata_hop_limit = ResourceValidationPolicy(
    name="launch-template-metadata-hop-limit",
    description="Launch templates (and Karpenter EC2NodeClasses) set a metadata hop limit of at most maxHopLimit, so "
                "containers cannot reach the node's instance credentials.",
    validate=as_built(is_launch_template, _hop_limit, "imds"),
    config_schema=IMDS_SCHEMA,
    severity=Severity.HIGH,
    remediation_steps="Set metadata_options.http_put_response_hop_limit=1 on the aws.ec2.LaunchTemplate (pods then "
                      "use EKS Pod Identity or IRSA for AWS credentials).",
    **frameworks({"nist-800-53": "AC-3, AC-6"}),
)

def _ebs_mappings(args: ResourceValidationArgs) -> Any:
    mappings = as_list(get(template_data(args), "blockDeviceMappings"))
    if is_unknown(mappings):
        return mappings
    return [m for m in mappings if isinstance(m, dict) and not m.get("noDevice") and not m.get("virtualName")]


def _encrypted_volumes(args: ResourceValidationArgs, report: ReportViolation) -> None:
    mappings = _ebs_mappings(args)
    if is_unknown(mappings):
        return
    if not mappings:
        report(f"{describe(args)} declares no EBS volumes: the root volume's encryption would come from the AMI; "
               "declare it with encrypted 'true'")
    for mapping in mappings:
        ebs = mapping.get("ebs") if isinstance(mapping.get("ebs"), dict) else {}
        encrypted = as_bool(ebs.get("encrypted"))
        if not is_unknown(encrypted) and encrypted is not True:
            report(f"{describe(args)}: {mapping.get('deviceName') or 'a volume'} is not encrypted (set ebs.encrypted "
                   "to 'true')")


def _volumes_cmk(args: ResourceValidationArgs, report: ReportViolation) -> None:
    mappings = _ebs_mappings(args)
    for mapping in [] if is_unknown(mappings) else mappings:
        ebs = mapping.get("ebs") if isinstance(mapping.get("ebs"), dict) else {}
        # An unencrypted volume is launch-template-encrypted-volumes' violation, not this one's.
        if as_bool(ebs.get("encrypted")) is True and not is_unknown(ebs.get("kmsKeyId")) and \
                (not ebs.get("kmsKeyId") or aws_managed_key_alias(ebs.get("kmsKeyId"))):
            report(f"{describe(args)}: {mapping.get('deviceName') or 'a volume'} uses the AWS-managed EBS key; set "
                   "ebs.kmsKeyId to a customer-managed key")


launch_template_encrypted_volumes = ResourceValidationPolicy(
    name="launch-template-encrypted-volumes",
    description="Launch templates (and Karpenter EC2NodeClasses) declare every EBS volume encrypted.",
    validate=as_built(is_launch_template, _encrypted_volumes, "volumes"),
    severity=Severity.HIGH,
    remediation_steps="For each block_device_mappings entry set ebs={'encrypted': 'true', 'volume_type': 'gp3'}.",
    **frameworks({"cis-aws": "2.2.1", "nist-800-53": "SC-28", "pci-dss": "3.5.1", "hipaa": "164.312(a)(2)(iv)",
                  "gdpr": "Art. 32(1)(a)"}),
)

launch_template_volumes_cmk = ResourceValidationPolicy(
    name="launch-template-volumes-cmk",
    description="Launch templates (and Karpenter EC2NodeClasses) encrypt their EBS volumes with a customer-managed key "
                "(not the AWS-managed aws/ebs).",
    validate=as_built(is_launch_template, _volumes_cmk, "volumes-cmk"),
    severity=Severity.MEDIUM,
    remediation_steps="Set ebs.kms_key_id to a customer-managed key on each block_device_mappings entry; grant the "
                      "Auto Scaling service-linked role use of the key.",
    **frameworks({"nist-800-53": "SC-12, SC-28", "pci-dss": "3.6.1", "hipaa": "164.312(a)(2)(iv)"}),
)


def _no_ssh(args: StackValidationArgs, report: ReportViolation) -> None:
    templates = launch_templates(stack_resources(args))
    for group in of_type(args.resources, *NODE_GROUPS):
        remote = get(group.props, "remoteAccess")
        if remote and not is_unknown(remote):
            report(f"{describe(group)} allows SSH (remoteAccess is set): remove it and use SSM Session Manager",
                   group.urn)
        for template in templates.of(group):
            key_name = get(template_data(template), "keyName")
            if key_name and not is_unknown(key_name):
                report(f"{describe(group)} launches from {describe(template)}, which sets key pair {key_name!r}: "
                       "remove keyName", group.urn)


eks_node_group_no_ssh = StackValidationPolicy(
    name="eks-node-group-no-ssh",
    description="EKS node groups allow no SSH: no remoteAccess and no key pair in their launch template.",
    validate=examines([*NODE_GROUPS, *LAUNCH_TEMPLATES], _no_ssh),
    severity=Severity.HIGH,
    remediation_steps="Remove remote_access from the aws.eks.NodeGroup and key_name from its launch template; "
                      "reach nodes with SSM Session Manager (AmazonSSMManagedInstanceCore) when needed.",
    **frameworks({"nist-800-53": "AC-17, CM-7", "pci-dss": "2.2.4"}),
)


def _component_no_ssh(args: Any, report: ReportViolation) -> None:
    key_name, remote = get(args.props, "keyName"), get(args.props, "remoteAccess")
    if key_name and not is_unknown(key_name):
        report(f"{describe(args)} sets key pair {key_name!r}, so its nodes accept SSH: remove it and use SSM "
               "Session Manager")
    if remote and not is_unknown(remote):
        report(f"{describe(args)} allows SSH (remoteAccess is set): remove it and use SSM Session Manager")


#: eks-node-group-no-ssh judges node groups and their launch templates in the stack's outputs, where a
#: pulumi-eks component shows none of its inputs: this one reads them (the key pair a NodeGroup/NodeGroupV2 or
#: a Cluster's default node group launches with, a ManagedNodeGroup's remoteAccess).
eks_node_group_component_no_ssh = ResourceValidationPolicy(
    name="eks-node-group-component-no-ssh",
    description="pulumi-eks node groups (NodeGroup, NodeGroupV2, ManagedNodeGroup, a Cluster's default node group) "
                "allow no SSH: no nodePublicKey, keyName or remoteAccess.",
    validate=as_built([LAUNCH_TEMPLATE, "aws:ec2/launchConfiguration:LaunchConfiguration", NODE_GROUP],
                      _component_no_ssh, "ssh", components_only=True),
    severity=Severity.HIGH,
    remediation_steps="Remove node_public_key / key_name (remote_access on an eks.ManagedNodeGroup); reach nodes with "
                      "SSM Session Manager (AmazonSSMManagedInstanceCore on the node role) when needed.",
    **frameworks({"nist-800-53": "AC-17, CM-7", "pci-dss": "2.2.4"}),
)

SECURITY = [eks_endpoint_access, eks_secrets_encryption, eks_access_entries, launch_template_imdsv2,
            launch_template_metadata_hop_limit, launch_template_encrypted_volumes, launch_template_volumes_cmk,
            eks_node_group_no_ssh, eks_node_group_component_no_ssh]
PRIVACY: list = []
COMPLIANCE = [eks_control_plane_logging, eks_supported_version]
