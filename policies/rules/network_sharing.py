"""Who may connect into the network and its file transfer endpoints: VPC endpoint services accept
connections only after approval, transit gateways do not accept shared attachments on their own,
and Transfer Family servers do not offer plain FTP.

Inputs are pulumi-aws 7's: ``aws.ec2.VpcEndpointService`` ``acceptanceRequired`` (required);
``aws.ec2transitgateway.TransitGateway`` ``autoAcceptSharedAttachments`` (``disable`` the default,
``enable``); ``aws.transfer.Server`` ``protocols`` (default ``["SFTP"]``; ``FTP`` is unencrypted).
Checkov CKV_AWS_123, CKV_AWS_331, CKV_AWS_357.
"""

from __future__ import annotations

from pulumi_policy import ReportViolation, ResourceValidationArgs, ResourceValidationPolicy, Severity

from policies.rules._declare import applies_to, frameworks
from policies.rules._props import as_bool, as_list, describe, get, is_unknown

ENDPOINT_SERVICE = "aws:ec2/vpcEndpointService:VpcEndpointService"
TRANSIT_GATEWAY = "aws:ec2transitgateway/transitGateway:TransitGateway"
TRANSFER_SERVER = "aws:transfer/server:Server"


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

SECURITY = [network_connections_require_acceptance, transfer_server_no_plain_ftp]
PRIVACY: list = []
COMPLIANCE: list = []
