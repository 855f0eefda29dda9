"""Network hub of the landing zone: a Transit Gateway shared with the organization through RAM, with
segmented route tables (no default association or propagation), the hub and shared-services VPC
attachments, a peering to the data-science account's VPC and a PrivateLink endpoint service for the
feature API that named consumer accounts connect to after approval."""
import pulumi
import pulumi_aws as aws

TAGS = {"owner": "netops", "cost-center": "net-1", "environment": "prod", "data-classification": "internal"}
ORG_ARN = "arn:aws:organizations::111111111111:organization/o-a1b2c3d4e5"
CONSUMER_ACCOUNTS = ["444444444444", "555555555555"]
DATA_SCIENCE_ACCOUNT = "333333333333"
DATA_SCIENCE_VPC = "vpc-0ds0123456789abcd"
DATA_SCIENCE_CIDR = "10.20.0.0/16"


class SpokeNetwork(pulumi.ComponentResource):
    def __init__(self, name: str, cidr: str, opts: pulumi.ResourceOptions | None = None):
        super().__init__("acme:network:SpokeNetwork", name, {}, opts)
        o = pulumi.ResourceOptions(parent=self)
        self.vpc = aws.ec2.Vpc(name, cidr_block=cidr, enable_dns_support=True, enable_dns_hostnames=True,
                               tags={**TAGS, "Name": name}, opts=o)
        aws.ec2.DefaultSecurityGroup(f"{name}-default", vpc_id=self.vpc.id, ingress=[], egress=[], tags=TAGS, opts=o)
        self.subnets = [aws.ec2.Subnet(f"{name}-tgw-{az}", vpc_id=self.vpc.id, availability_zone=f"us-east-1{az}",
                                       cidr_block=cidr.replace(".0.0/16", f".{i}.0/24"),
                                       tags={**TAGS, "tier": "private"}, opts=o)
                        for i, az in enumerate("ab")]
        self.route_table = aws.ec2.RouteTable(f"{name}-rt", vpc_id=self.vpc.id, tags=TAGS, opts=o)
        for i, subnet in enumerate(self.subnets):
            aws.ec2.RouteTableAssociation(f"{name}-rta-{i}", subnet_id=subnet.id,
                                          route_table_id=self.route_table.id, opts=o)
        aws.ec2.FlowLog(f"{name}-flow", vpc_id=self.vpc.id, traffic_type="ALL", log_destination_type="s3",
                        log_destination="arn:aws:s3:::acme-central-flow-logs", tags=TAGS, opts=o)
        self.register_outputs({"vpc_id": self.vpc.id})


hub = SpokeNetwork("hub", "10.0.0.0/16")
shared = SpokeNetwork("shared", "10.1.0.0/16")

tgw = aws.ec2transitgateway.TransitGateway(
    "landing-zone", description="landing zone hub", amazon_side_asn=64512,
    auto_accept_shared_attachments="disable",
    default_route_table_association="disable", default_route_table_propagation="disable",
    dns_support="enable", vpn_ecmp_support="enable", tags=TAGS)
hub_table = aws.ec2transitgateway.RouteTable("hub", transit_gateway_id=tgw.id, tags=TAGS)
spoke_table = aws.ec2transitgateway.RouteTable("spokes", transit_gateway_id=tgw.id, tags=TAGS)

attachments = {}
for name, net in [("hub", hub), ("shared", shared)]:
    attachments[name] = aws.ec2transitgateway.VpcAttachment(
        f"{name}-attachment", transit_gateway_id=tgw.id, vpc_id=net.vpc.id, subnet_ids=[s.id for s in net.subnets],
        transit_gateway_default_route_table_association=False, transit_gateway_default_route_table_propagation=False,
        tags=TAGS)
aws.ec2transitgateway.RouteTableAssociation("hub-assoc", transit_gateway_attachment_id=attachments["hub"].id,
                                            transit_gateway_route_table_id=hub_table.id)
aws.ec2transitgateway.RouteTableAssociation("shared-assoc", transit_gateway_attachment_id=attachments["shared"].id,
                                            transit_gateway_route_table_id=spoke_table.id)
aws.ec2transitgateway.RouteTablePropagation("shared-to-hub", transit_gateway_attachment_id=attachments["shared"].id,
                                            transit_gateway_route_table_id=hub_table.id)
aws.ec2transitgateway.RouteTablePropagation("hub-to-spokes", transit_gateway_attachment_id=attachments["hub"].id,
                                            transit_gateway_route_table_id=spoke_table.id)
aws.ec2.Route("shared-to-tgw", route_table_id=shared.route_table.id, destination_cidr_block="10.0.0.0/16",
              transit_gateway_id=tgw.id)

share = aws.ram.ResourceShare("tgw-share", name="landing-zone-tgw", allow_external_principals=False, tags=TAGS)
aws.ram.ResourceAssociation("tgw-share-tgw", resource_arn=tgw.arn, resource_share_arn=share.arn)
aws.ram.PrincipalAssociation("tgw-share-org", principal=ORG_ARN, resource_share_arn=share.arn)

peering = aws.ec2.VpcPeeringConnection("to-data-science", vpc_id=hub.vpc.id, peer_vpc_id=DATA_SCIENCE_VPC,
                                       peer_owner_id=DATA_SCIENCE_ACCOUNT, peer_region="us-east-1", tags=TAGS)
aws.ec2.Route("hub-to-peer", route_table_id=hub.route_table.id, destination_cidr_block=DATA_SCIENCE_CIDR,
              vpc_peering_connection_id=peering.id)

nlb = aws.lb.LoadBalancer("feature-api", load_balancer_type="network", internal=True,
                          subnets=[s.id for s in shared.subnets], enable_deletion_protection=True,
                          access_logs={"bucket": "acme-central-lb-logs", "enabled": True}, tags=TAGS)
service = aws.ec2.VpcEndpointService(
    "feature-api", acceptance_required=True, network_load_balancer_arns=[nlb.arn],
    allowed_principals=[f"arn:aws:iam::{account}:root" for account in CONSUMER_ACCOUNTS], tags=TAGS)

pulumi.export("transit_gateway_id", tgw.id)
pulumi.export("endpoint_service_name", service.service_name)
