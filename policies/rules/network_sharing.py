"""Who may connect into the network and its file transfer endpoints: VPC endpoint services accept
connections only after approval, transit gateways do not accept shared attachments on their own,
RAM shares stay inside the organization, Client VPN users are authorized for named networks or groups,
and Transfer Family servers do not offer plain FTP.

Inputs are pulumi-aws 7's: ``aws.ec2.VpcEndpointService`` ``acceptanceRequired`` (required);
``aws.ec2transitgateway.TransitGateway`` ``autoAcceptSharedAttachments`` (``disable`` the default,
``enable``); ``aws.transfer.Server`` ``protocols`` (default ``["SFTP"]``; ``FTP`` is unencrypted),
``endpointType`` (default ``PUBLIC``; a server meant for partners on the internet is declared public with a
tag) and ``securityPolicyName`` (default ``TransferSecurityPolicy-2018-11``, with SHA-1 key exchange; see
the Transfer Family "Security policies" page). Checkov CKV_AWS_123, CKV_AWS_331, CKV_AWS_357, CKV_AWS_164,
CKV_AWS_380 (which accepts policies under two years old; here a list of patterns).

Who reaches the network from outside it: ``aws.ram.ResourceShare`` ``allowExternalPrincipals`` (default false:
terraform-provider-aws internal/service/ram/resource_share.go ``Default: false``; RAM API
CreateResourceShare ``allowExternalPrincipals``, "whether principals outside your organization in AWS
Organizations can be associated with a resource share") lets the share's transit gateways, subnets, resolver
rules or prefix lists go to any account; ``aws.ec2clientvpn.AuthorizationRule`` ``targetNetworkCidr``
``0.0.0.0/0`` ("any destination, or any destination not defined by other authorization rules", AWS Client VPN
Administrator Guide, "AWS Client VPN authorization rules") with ``authorizeAllGroups`` true ("grant access to all
clients who successfully establish a VPN connection", CloudFormation AWS::EC2::ClientVpnAuthorizationRule)
opens every network the endpoint routes to to every user who connects.
"""

from __future__ import annotations

from pulumi_policy import ReportViolation, ResourceValidationArgs, ResourceValidationPolicy, Severity

from fnmatch import fnmatchcase

from policies.rules._declare import applies_to, config_schema, frameworks, policy_config
from policies.rules._props import as_bool, as_list, describe, get, is_unknown, resource_tags

ENDPOINT_SERVICE = "aws:ec2/vpcEndpointService:VpcEndpointService"
TRANSIT_GATEWAY = "aws:ec2transitgateway/transitGateway:TransitGateway"
TRANSFER_SERVER = "aws:transfer/server:Server"
RESOURCE_SHARE = "aws:ram/resourceShare:ResourceShare"
#: pulumi-aws-native (CloudFormation AWS::RAM::ResourceShare): the same input, but "The default value is true"
#: (pulumi-aws-native ram/resource_share.py), so an absent one admits external principals.
NATIVE_RESOURCE_SHARE = "aws-native:ram:ResourceShare"
VPN_AUTHORIZATION_RULES = ("aws:ec2clientvpn/authorizationRule:AuthorizationRule",
                           "aws-native:ec2:ClientVpnAuthorizationRule")
EVERYWHERE = ("0.0.0.0/0", "::/0")


def _auto_accept(args: ResourceValidationArgs, report: ReportViolation) -> None:
    if args.resource_type == ENDPOINT_SERVICE:
        if as_bool(get(args.props, "acceptanceRequired")) is False:
            report(f"{describe(args)} accepts every endpoint connection without approval (acceptanceRequired false): "
                   "any allowed principal's VPC connects at once")
        return
    value = get(args.props, "autoAcceptSharedAttachments")
    if isinstance(value, str) and not is_unknown(value) and value.lower() == "enable":
        report(f"{describe(args)} accepts shared VPC attachments automatically (autoAcceptSharedAttachments "
               "'enable'): an account it is shared with can join its networks without approval")


network_connections_require_acceptance = ResourceValidationPolicy(
    name="network-connections-require-acceptance",
    description="VPC endpoint services and transit gateways accept connections and attachments only after approval.",
    validate=applies_to((ENDPOINT_SERVICE, TRANSIT_GATEWAY), _auto_accept),
    severity=Severity.MEDIUM,
    remediation_steps="Set acceptance_required=True on the aws.ec2.VpcEndpointService and leave "
                      "auto_accept_shared_attachments='disable' (the default) on the transit gateway; accept "
                      "connections with aws.ec2.VpcEndpointConnectionAccepter / "
                      "aws.ec2transitgateway.VpcAttachmentAccepter.",
    **frameworks({"nist-800-53": "AC-4, SC-7", "pci-dss": "1.2.1"}),
)


def _plain_ftp(args: ResourceValidationArgs, report: ReportViolation) -> None:
    protocols = as_list(get(args.props, "protocols"))
    if isinstance(protocols, list) and any(isinstance(p, str) and not is_unknown(p) and p.upper() == "FTP"
                                           for p in protocols):
        report(f"{describe(args)} offers plain FTP: credentials and files cross the network unencrypted")


transfer_server_no_plain_ftp = ResourceValidationPolicy(
    name="transfer-server-no-plain-ftp",
    description="Transfer Family servers offer only encrypted protocols (SFTP, FTPS, AS2), not FTP.",
    validate=applies_to((TRANSFER_SERVER,), _plain_ftp),
    severity=Severity.HIGH,
    remediation_steps="Set protocols=['SFTP'] (or 'FTPS' with a certificate) on the aws.transfer.Server.",
    **frameworks({"nist-800-53": "SC-8", "pci-dss": "4.2.1", "hipaa": "164.312(e)(1)", "gdpr": "Art. 32(1)(a)"}),
)

PUBLIC_SERVER_SCHEMA = config_schema(
    publicTag={
        "type": "string", "default": "public",
        "description": "A tag that declares a Transfer server public (partners connect from the internet) when its "
                       "value is 'true'.",
    },
)


def _public_server(args: ResourceValidationArgs, report: ReportViolation) -> None:
    endpoint = get(args.props, "endpointType")
    if is_unknown(endpoint) or (isinstance(endpoint, str) and endpoint.upper() in ("VPC", "VPC_ENDPOINT")):
        return
    tag = policy_config(args, PUBLIC_SERVER_SCHEMA)["publicTag"]
    tags = resource_tags(args)
    if is_unknown(tags) or str((tags or {}).get(tag, "")).lower() == "true":
        return
    shown = endpoint if isinstance(endpoint, str) and endpoint else "not set (PUBLIC)"
    report(f"{describe(args)} has a public endpoint (endpointType {shown}) and is not declared public (tag {tag}=true): "
           "anyone on the internet can reach its login")


transfer_server_not_public = ResourceValidationPolicy(
    name="transfer-server-not-public",
    description="Transfer Family servers have a VPC endpoint unless declared public (a tag).",
    validate=applies_to((TRANSFER_SERVER,), _public_server),
    config_schema=PUBLIC_SERVER_SCHEMA,
    severity=Severity.MEDIUM,
    remediation_steps="Set endpoint_type='VPC' with endpoint_details (subnets, security groups and, for partners, "
                      "Elastic IPs), or declare a server meant for the internet public with the tag public=true.",
    **frameworks({"nist-800-53": "SC-7, AC-4", "pci-dss": "1.4.4"}),
)

POLICY_SCHEMA = config_schema(
    allowedSecurityPolicies={
        "type": "array", "items": {"type": "string"},
        "default": ["TransferSecurityPolicy-202[3-9]-*", "TransferSecurityPolicy-FIPS-202[3-9]-*",
                    "TransferSecurityPolicy-Restricted-202[4-9]-*", "TransferSecurityPolicy-SshAuditCompliant-*",
                    "TransferSecurityPolicy-AS2Restricted-*"],
        "description": "Security policies (fnmatch patterns) a Transfer server may use: those of 2023 and later, "
                       "without SHA-1 key exchange and CBC ciphers.",
    },
)
DEFAULT_TRANSFER_POLICY = "TransferSecurityPolicy-2018-11"


def _security_policy(args: ResourceValidationArgs, report: ReportViolation) -> None:
    policy = get(args.props, "securityPolicyName")
    if is_unknown(policy):
        return
    name = policy if isinstance(policy, str) and policy else DEFAULT_TRANSFER_POLICY
    allowed = [p for p in policy_config(args, POLICY_SCHEMA)["allowedSecurityPolicies"] if isinstance(p, str)]
    if not any(fnmatchcase(name, pattern) for pattern in allowed):
        shown = name if policy else f"not set (defaults to {DEFAULT_TRANSFER_POLICY})"
        report(f"{describe(args)} uses the security policy {shown}, which allows SHA-1 key exchange and older ciphers; "
               "use TransferSecurityPolicy-2025-03 or later")


transfer_server_security_policy = ResourceValidationPolicy(
    name="transfer-server-security-policy",
    description="Transfer Family servers use a current security policy (2023 or later), not the 2018-11 default.",
    validate=applies_to((TRANSFER_SERVER,), _security_policy),
    config_schema=POLICY_SCHEMA,
    severity=Severity.MEDIUM,
    remediation_steps="Set security_policy_name='TransferSecurityPolicy-2025-03' (or a FIPS policy) on the "
                      "aws.transfer.Server.",
    **frameworks({"nist-800-53": "SC-8, SC-13", "pci-dss": "4.2.1", "hipaa": "164.312(e)(2)(ii)"}),
)

def _external_principals(args: ResourceValidationArgs, report: ReportViolation) -> None:
    value = get(args.props, "allowExternalPrincipals")
    if value is None and args.resource_type == NATIVE_RESOURCE_SHARE:
        value, shown = True, "not set, CloudFormation's default true"
    else:
        shown = "true"
    if as_bool(value) is True:
        report(f"{describe(args)} may be shared with accounts outside the organization (allowExternalPrincipals "
               f"{shown}): its transit gateways, subnets or resolver rules can go to any AWS account")


ram_share_no_external_principals = ResourceValidationPolicy(
    name="ram-share-no-external-principals",
    description="AWS RAM resource shares stay inside the organization (allowExternalPrincipals is not true).",
    validate=applies_to((RESOURCE_SHARE, NATIVE_RESOURCE_SHARE), _external_principals),
    severity=Severity.HIGH,
    remediation_steps="Leave allow_external_principals unset (false) on the aws.ram.ResourceShare (set it false on "
                      "pulumi-aws-native's, whose default is true) and associate the "
                      "organization or its OUs (aws.ram.PrincipalAssociation with the organization or OU ARN); share "
                      "with a partner account from a separate, reviewed share.",
    **frameworks({"nist-800-53": "AC-3, AC-21, SC-7", "pci-dss": "1.2.1, 7.2.1"}),
)


def _vpn_authorization(args: ResourceValidationArgs, report: ReportViolation) -> None:
    cidr = get(args.props, "targetNetworkCidr")
    if not (isinstance(cidr, str) and not is_unknown(cidr) and cidr.strip() in EVERYWHERE):
        return
    if as_bool(get(args.props, "authorizeAllGroups")) is True:
        report(f"{describe(args)} authorizes every VPN user (authorizeAllGroups true) for {cidr.strip()}: whoever "
               "connects reaches every network the endpoint routes to; name the networks, or an access group")


client_vpn_authorization_scoped = ResourceValidationPolicy(
    name="client-vpn-authorization-scoped",
    description="Client VPN authorization rules do not grant every user (authorizeAllGroups) every destination "
                "(0.0.0.0/0 or ::/0).",
    validate=applies_to(VPN_AUTHORIZATION_RULES, _vpn_authorization),
    severity=Severity.HIGH,
    remediation_steps="Give each aws.ec2clientvpn.AuthorizationRule the CIDR of the network its users need "
                      "(target_network_cidr=vpc.cidr_block), or an access_group_id (the IdP or Active Directory "
                      "group) instead of authorize_all_groups=True for 0.0.0.0/0.",
    **frameworks({"nist-800-53": "AC-3, AC-6, AC-17", "pci-dss": "1.3.1, 7.2.1", "hipaa": "164.312(a)(1)"}),
)

SECURITY = [network_connections_require_acceptance, transfer_server_no_plain_ftp, transfer_server_not_public,
            transfer_server_security_policy, ram_share_no_external_principals, client_vpn_authorization_scoped]
PRIVACY: list = []
COMPLIANCE: list = []
