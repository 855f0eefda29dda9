"""EC2 compute: instances, spot requests and launch configurations require IMDSv2 and encrypt their
volumes (launch templates have their own rules in ``eks``); none of them, nor a launch template or a
spot fleet's launch specification, asks for a public IP address.

Inputs are pulumi-aws 7's (``aws.ec2.Instance``: ``metadataOptions``, ``rootBlockDevice``,
``ebsBlockDevices``, ``associatePublicIpAddress``; ``aws.ec2.LaunchTemplate``: ``metadataOptions``,
``blockDeviceMappings[].ebs``, ``networkInterfaces[].associatePublicIpAddress``;
``aws.ec2.LaunchConfiguration``: the instance's names). AWS defaults: ``httpTokens`` ``optional``
unless the AMI says otherwise (IMDSv1 allowed), volumes unencrypted unless the account encrypts EBS
by default.

``aws.ec2.SpotFleetRequest`` ``launchSpecifications[]`` are instances described inline (pulumi-aws 7
ec2/_inputs.py ``SpotFleetRequestLaunchSpecificationArgs``: ``associatePublicIpAddress``,
``rootBlockDevices[]``, ``ebsBlockDevices[]``, ``userData``; botocore ec2 ``SpotFleetLaunchSpecification``):
each is judged as an instance for its volumes and public IP. They have no metadata options (the API's
``SpotFleetLaunchSpecification`` has none), so IMDSv2 is not judged there; a fleet built from
``launchTemplateConfigs`` is judged on its launch template.
"""

from __future__ import annotations

from typing import Any, Iterator

from pulumi_policy import ReportViolation, ResourceValidationArgs, ResourceValidationPolicy, Severity

from policies.rules._components import as_built
from policies.rules._declare import frameworks
from policies.rules._props import as_bool, as_list, describe, get, is_unknown, single

INSTANCE = "aws:ec2/instance:Instance"
LAUNCH_TEMPLATE = "aws:ec2/launchTemplate:LaunchTemplate"
LAUNCH_CONFIGURATION = "aws:ec2/launchConfiguration:LaunchConfiguration"
SPOT_REQUEST = "aws:ec2/spotInstanceRequest:SpotInstanceRequest"
SPOT_FLEET = "aws:ec2/spotFleetRequest:SpotFleetRequest"
COMPUTE_TYPES = (INSTANCE, LAUNCH_TEMPLATE, LAUNCH_CONFIGURATION, SPOT_REQUEST, SPOT_FLEET)
#: Launch templates' IMDSv2 and volume encryption are launch-template-imdsv2's and
#: launch-template-encrypted-volumes' (eks.py): these rules judge the other compute types.
INSTANCE_TYPES = (INSTANCE, LAUNCH_CONFIGURATION, SPOT_REQUEST)
#: pulumi-aws-native's AWS::EC2::Instance: ``metadataOptions`` (httpTokens, httpEndpoint), ``blockDeviceMappings[]
#: .ebs`` (encrypted, snapshotId), ``networkInterfaces[].associatePublicIpAddress``; an instance that names a
#: ``launchTemplate`` takes what it leaves out from the template. AWS::EC2::LaunchTemplate: the same under
#: ``launchTemplateData`` (pulumi-aws-native 1.84 ec2/instance.py, launch_template.py).
NATIVE_INSTANCE = "aws-native:ec2:Instance"
NATIVE_LAUNCH_TEMPLATE = "aws-native:ec2:LaunchTemplate"


def _items(value: Any) -> list[Any]:
    items = as_list(value)
    return [item for item in items if isinstance(item, dict)] if isinstance(items, list) else []


def _validate_imdsv2(args: ResourceValidationArgs, report: ReportViolation) -> None:
    options = get(args.props, "metadataOptions")
    if is_unknown(options) or (args.resource_type == NATIVE_INSTANCE and options is None
                               and get(args.props, "launchTemplate") is not None):
        return
    options = single(options)
    options = options if isinstance(options, dict) else {}
    endpoint, tokens = options.get("httpEndpoint"), options.get("httpTokens")
    if is_unknown(endpoint) or is_unknown(tokens):
        return
    if isinstance(endpoint, str) and endpoint.lower() == "disabled":
        return
    if not (isinstance(tokens, str) and tokens.lower() == "required"):
        shown = f"is {tokens!r}" if tokens else "is not set (defaults to 'optional')"
        report(f"{describe(args)}: metadataOptions.httpTokens {shown}, so the instance metadata service answers "
               "IMDSv1 requests without a session token; set it to 'required'")


ec2_imdsv2_required = ResourceValidationPolicy(
    name="ec2-imdsv2-required",
    description="EC2 instances, spot requests and launch configurations require IMDSv2 (httpTokens 'required') or "
                "turn the metadata endpoint off (launch templates: launch-template-imdsv2).",
    validate=as_built(INSTANCE_TYPES + (NATIVE_INSTANCE,), _validate_imdsv2, "imds"),
    severity=Severity.HIGH,
    remediation_steps="Set metadata_options={'http_tokens': 'required', 'http_put_response_hop_limit': 1} (2 for "
                      "containers that call IMDS through a bridge network).",
    **frameworks({"cis-aws": "5.6", "nist-800-53": "AC-3, SC-7", "pci-dss": "2.2.1"}),
)


def _volumes(args: ResourceValidationArgs) -> Iterator[tuple[str, Any]]:
    """``(label, encrypted)`` for each EBS volume a resource declares."""
    props = args.props
    if args.resource_type == NATIVE_INSTANCE:
        yield from _native_volumes(props)
        return
    if args.resource_type == SPOT_FLEET:
        for index, spec in enumerate(_items(get(props, "launchSpecifications"))):
            yield from _instance_volumes(spec, f"launchSpecifications[{index}].", "rootBlockDevices")
        return
    yield from _instance_volumes(props, "", "rootBlockDevice")


def _instance_volumes(props: Any, prefix: str, root_key: str) -> Iterator[tuple[str, Any]]:
    """An instance's (or a spot fleet launch specification's) root and EBS volumes; ``root_key`` is
    ``rootBlockDevice`` (one block) or a launch specification's ``rootBlockDevices`` (a list of one)."""
    root = get(props, root_key)
    roots = [] if is_unknown(root) else _items(root) if root_key == "rootBlockDevices" else [single(root)]
    if root is None or (roots == [] and not is_unknown(root)):
        where = f" of {prefix.rstrip('.')}" if prefix else ""
        yield f"the root volume{where} (no {root_key}: its encryption comes from the AMI)", None
    for item in roots:
        if isinstance(item, dict):
            yield f"{prefix}{root_key}", item.get("encrypted")
    for index, device in enumerate(_items(get(props, "ebsBlockDevices"))):
        if device.get("snapshotId") and device.get("encrypted") is None:
            continue
        yield f"{prefix}ebsBlockDevices[{index}] {device.get('deviceName') or ''}".rstrip(), device.get("encrypted")


def _native_volumes(props: Any) -> Iterator[tuple[str, Any]]:
    mappings = as_list(get(props, "blockDeviceMappings"))
    if is_unknown(mappings):
        return
    mappings = [m for m in mappings if isinstance(m, dict) and not m.get("noDevice") and not m.get("virtualName")]
    if not mappings and get(props, "launchTemplate") is None:
        yield "the root volume (no blockDeviceMappings: its encryption comes from the AMI)", None
    for index, mapping in enumerate(mappings):
        ebs = mapping.get("ebs") if isinstance(mapping.get("ebs"), dict) else {}
        if ebs.get("snapshotId") and ebs.get("encrypted") is None:
            continue
        yield f"blockDeviceMappings[{index}] {mapping.get('deviceName') or ''}".rstrip(), ebs.get("encrypted")


def _validate_volumes(args: ResourceValidationArgs, report: ReportViolation) -> None:
    for label, encrypted in _volumes(args):
        flag = as_bool(encrypted)
        if is_unknown(flag) or flag is True:
            continue
        report(f"{describe(args)}: {label} is not encrypted (encrypted is {'false' if flag is False else 'not set'}; "
               "unless the account encrypts EBS by default, the volume is stored in plaintext)")


ec2_volumes_encrypted = ResourceValidationPolicy(
    name="ec2-volumes-encrypted",
    description="Every EBS volume an instance, spot request, spot fleet launch specification or launch configuration "
                "declares is encrypted (launch templates: launch-template-encrypted-volumes).",
    validate=as_built(INSTANCE_TYPES + (NATIVE_INSTANCE, SPOT_FLEET), _validate_volumes, "volumes"),
    severity=Severity.HIGH,
    remediation_steps="Set encrypted=True and kms_key_id to a customer-managed key on root_block_device, each "
                      "ebs_block_device or block_device_mappings[].ebs; also turn on aws.ebs.EncryptionByDefault "
                      "for the account.",
    **frameworks({"cis-aws": "2.2.1", "nist-800-53": "SC-28", "pci-dss": "3.5.1", "hipaa": "164.312(a)(2)(iv)",
                  "gdpr": "Art. 32(1)(a)"}),
)


def _public_ip_settings(args: ResourceValidationArgs) -> Iterator[tuple[str, Any]]:
    if args.resource_type in (LAUNCH_TEMPLATE, NATIVE_INSTANCE, NATIVE_LAUNCH_TEMPLATE):
        native = args.resource_type == NATIVE_LAUNCH_TEMPLATE
        props = get(args.props, "launchTemplateData") if native else args.props
        prefix = "launchTemplateData." if native else ""
        for index, interface in enumerate(_items(get(props, "networkInterfaces"))):
            yield (f"{prefix}networkInterfaces[{index}].associatePublicIpAddress",
                   interface.get("associatePublicIpAddress"))
        return
    if args.resource_type == SPOT_FLEET:
        for index, spec in enumerate(_items(get(args.props, "launchSpecifications"))):
            yield f"launchSpecifications[{index}].associatePublicIpAddress", spec.get("associatePublicIpAddress")
        return
    yield "associatePublicIpAddress", get(args.props, "associatePublicIpAddress")


def _validate_public_ip(args: ResourceValidationArgs, report: ReportViolation) -> None:
    for label, value in _public_ip_settings(args):
        if as_bool(value) is True:
            report(f"{describe(args)}: {label} is true, so the instance gets a public IP address; run it in a "
                   "private subnet behind a load balancer or NAT gateway")


ec2_no_public_ip = ResourceValidationPolicy(
    name="ec2-no-public-ip",
    description="EC2 instances, launch templates, launch configurations and spot fleet launch specifications do not "
                "ask for a public IP address.",
    validate=as_built(COMPUTE_TYPES + (NATIVE_INSTANCE, NATIVE_LAUNCH_TEMPLATE), _validate_public_ip, "public-ip"),
    severity=Severity.HIGH,
    remediation_steps="Drop associate_public_ip_address (or set it false), place the instance in a private subnet "
                      "and reach it through a load balancer, SSM Session Manager or a VPN.",
    **frameworks({"nist-800-53": "SC-7, AC-4", "pci-dss": "1.4.4", "cis-aws": "5.1", "hipaa": "164.312(e)(1)"}),
)


SECURITY = [ec2_imdsv2_required, ec2_volumes_encrypted, ec2_no_public_ip]
PRIVACY: list = []
COMPLIANCE: list = []
