"""Network hub of the landing zone: a Transit Gateway shared with the ML workload accounts through
RAM, the hub and shared-services VPC attachments, a peering to the data-science account's VPC and a
PrivateLink endpoint service that publishes the feature API to consumer accounts."""
import json

import pulumi
import pulumi_aws as aws

TAGS = {"owner": "netops", "cost-center": "net-1", "environment": "prod", "data-classification": "internal"}
ORG_ARN = "arn:aws:organizations::111111111111:organization/o-a1b2c3d4e5"
PARTNER_ACCOUNT = "210987654321"
DATA_SCIENCE_ACCOUNT = "333333333333"
DATA_SCIENCE_VPC = "vpc-0ds0123456789abcd"


def network(name: str, cidr: str) -> tuple[aws.ec2.Vpc, list[aws.ec2.Subnet], aws.ec2.RouteTable]:
    vpc = aws.ec2.Vpc(name, cidr_block=cidr, enable_dns_support=True, enable_dns_hostnames=True,
                      tags={**TAGS, "Name": name})
    aws.ec2.DefaultSecurityGroup(f"{name}-default", vpc_id=vpc.id, tags=TAGS)
    subnets = [aws.ec2.Subnet(f"{name}-tgw-{az}", vpc_id=vpc.id, availability_zone=f"us-east-1{az}",
                              cidr_block=cidr.replace(".0.0/16", f".{i}.0/24"), tags={**TAGS, "tier": "private"})
               for i, az in enumerate("ab")]
    table = aws.ec2.RouteTable(f"{name}-rt", vpc_id=vpc.id, tags=TAGS)
    for i, subnet in enumerate(subnets):
        aws.ec2.RouteTableAssociation(f"{name}-rta-{i}", subnet_id=subnet.id, route_table_id=table.id)
    aws.ec2.FlowLog(f"{name}-flow", vpc_id=vpc.id, traffic_type="ALL", log_destination_type="s3",
                    log_destination="arn:aws:s3:::acme-central-flow-logs", tags=TAGS)
    return vpc, subnets, table


hub, hub_subnets, hub_rt = network("hub", "10.0.0.0/16")
shared, shared_subnets, shared_rt = network("shared", "10.1.0.0/16")

tgw = aws.ec2transitgateway.TransitGateway(
    "landing-zone", description="landing zone hub", amazon_side_asn=64512,
    auto_accept_shared_attachments="enable",  # workload accounts attach without a ticket
    dns_support="enable", vpn_ecmp_support="enable", tags=TAGS)

for name, vpc, subnets in [("hub", hub, hub_subnets), ("shared", shared, shared_subnets)]:
    aws.ec2transitgateway.VpcAttachment(f"{name}-attachment", transit_gateway_id=tgw.id, vpc_id=vpc.id,
                                        subnet_ids=[s.id for s in subnets], tags=TAGS)
aws.ec2.Route("shared-to-tgw", route_table_id=shared_rt.id, destination_cidr_block="10.0.0.0/8",
              transit_gateway_id=tgw.id)

share = aws.ram.ResourceShare("tgw-share", name="landing-zone-tgw", allow_external_principals=True, tags=TAGS)
aws.ram.ResourceAssociation("tgw-share-tgw", resource_arn=tgw.arn, resource_share_arn=share.arn)
aws.ram.PrincipalAssociation("tgw-share-org", principal=ORG_ARN, resource_share_arn=share.arn)
aws.ram.PrincipalAssociation("tgw-share-partner", principal=PARTNER_ACCOUNT, resource_share_arn=share.arn)

peering = aws.ec2.VpcPeeringConnection("to-data-science", vpc_id=hub.id, peer_vpc_id=DATA_SCIENCE_VPC,
                                       peer_owner_id=DATA_SCIENCE_ACCOUNT, peer_region="us-east-1", tags=TAGS)
aws.ec2.Route("hub-default-to-peer", route_table_id=hub_rt.id, destination_cidr_block="0.0.0.0/0",
              vpc_peering_connection_id=peering.id)

nlb = aws.lb.LoadBalancer("feature-api", load_balancer_type="network", internal=True,
                          subnets=[s.id for s in shared_subnets], enable_deletion_protection=True,
                          access_logs={"bucket": "acme-central-lb-logs", "enabled": True}, tags=TAGS)
service = aws.ec2.VpcEndpointService("feature-api", acceptance_required=False,
                                     network_load_balancer_arns=[nlb.arn], allowed_principals=["*"], tags=TAGS)
aws.ec2.VpcEndpointServiceAllowedPrinciple("feature-api-everyone", vpc_endpoint_service_id=service.id,
                                           principal_arn="*")

pulumi.export("transit_gateway_id", tgw.id)
pulumi.export("endpoint_service_name", service.service_name)
