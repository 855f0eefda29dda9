"""Inspection VPC of the landing zone: AWS Network Firewall in front of the ML workload VPCs, Route 53
Resolver DNS Firewall and query logging, and the Client VPN endpoint engineers use to reach notebooks
and internal dashboards."""
import pulumi
import pulumi_aws as aws

TAGS = {"owner": "netops", "cost-center": "net-1", "environment": "prod", "data-classification": "internal"}
cfg = pulumi.Config()
server_cert = cfg.get("serverCertificateArn") or "arn:aws:acm:us-east-1:111111111111:certificate/server-1"
client_ca = cfg.get("clientCaArn") or "arn:aws:acm:us-east-1:111111111111:certificate/client-ca-1"

vpc = aws.ec2.Vpc("inspection", cidr_block="10.100.0.0/16", enable_dns_support=True, enable_dns_hostnames=True,
                  tags={**TAGS, "Name": "inspection"})
aws.ec2.DefaultSecurityGroup("inspection-default", vpc_id=vpc.id, tags=TAGS)
aws.ec2.FlowLog("inspection-flow", vpc_id=vpc.id, traffic_type="ALL", log_destination_type="s3",
                log_destination="arn:aws:s3:::acme-central-flow-logs", tags=TAGS)
firewall_subnets = [aws.ec2.Subnet(f"firewall-{az}", vpc_id=vpc.id, cidr_block=f"10.100.{i}.0/28",
                                   availability_zone=f"us-east-1{az}", tags={**TAGS, "tier": "firewall"})
                    for i, az in enumerate("ab")]
vpn_subnets = [aws.ec2.Subnet(f"vpn-{az}", vpc_id=vpc.id, cidr_block=f"10.100.{10 + i}.0/24",
                              availability_zone=f"us-east-1{az}", tags={**TAGS, "tier": "private"})
               for i, az in enumerate("ab")]

# --- Network Firewall ------------------------------------------------------------------------------
domains = aws.networkfirewall.RuleGroup("egress-domains", capacity=100, type="STATEFUL", tags=TAGS, rule_group={
    "rules_source": {"rules_source_list": {"generated_rules_type": "ALLOWLIST", "target_types": ["TLS_SNI", "HTTP_HOST"],
                                           "targets": [".amazonaws.com", ".huggingface.co", ".pypi.org"]}}})
policy = aws.networkfirewall.FirewallPolicy("egress", tags=TAGS, firewall_policy={
    "stateless_default_actions": ["aws:pass"],
    "stateless_fragment_default_actions": ["aws:pass"],
    "stateful_rule_group_references": [{"resource_arn": domains.arn}],
})
firewall = aws.networkfirewall.Firewall("egress", vpc_id=vpc.id, firewall_policy_arn=policy.arn,
    subnet_mappings=[{"subnet_id": s.id} for s in firewall_subnets], delete_protection=False, tags=TAGS)

# --- Route 53 Resolver: DNS Firewall and query logs ------------------------------------------------------
blocked = aws.route53.ResolverFirewallDomainList("malware-domains", domains=["*.badexample.com"], tags=TAGS)
dns_rules = aws.route53.ResolverFirewallRuleGroup("dns-guardrails", tags=TAGS)
aws.route53.ResolverFirewallRule("block-malware", firewall_rule_group_id=dns_rules.id,
                                 firewall_domain_list_id=blocked.id, action="BLOCK", block_response="NXDOMAIN",
                                 priority=100)
aws.route53.ResolverFirewallRuleGroupAssociation("dns-guardrails", firewall_rule_group_id=dns_rules.id,
                                                 vpc_id=vpc.id, priority=101, tags=TAGS)
aws.route53.ResolverFirewallConfig("dns-firewall", resource_id=vpc.id, firewall_fail_open="ENABLED")
dns_logs = aws.cloudwatch.LogGroup("resolver-queries", retention_in_days=14, tags=TAGS)
query_logs = aws.route53.ResolverQueryLogConfig("queries", destination_arn=dns_logs.arn, tags=TAGS)

# --- Client VPN --------------------------------------------------------------------------------------
vpn_sg = aws.ec2.SecurityGroup("client-vpn", vpc_id=vpc.id, description="client vpn",
    egress=[{"protocol": "-1", "from_port": 0, "to_port": 0, "cidr_blocks": ["0.0.0.0/0"]}], tags=TAGS)
endpoint = aws.ec2clientvpn.Endpoint("engineers", description="engineer access",
    server_certificate_arn=server_cert, client_cidr_block="172.16.0.0/22", vpc_id=vpc.id,
    security_group_ids=[vpn_sg.id], split_tunnel=True, session_timeout_hours=24,
    authentication_options=[{"type": "certificate-authentication", "root_certificate_chain_arn": client_ca}],
    connection_log_options={"enabled": False}, tags=TAGS)
for i, subnet in enumerate(vpn_subnets):
    aws.ec2clientvpn.NetworkAssociation(f"engineers-{i}", client_vpn_endpoint_id=endpoint.id, subnet_id=subnet.id)
aws.ec2clientvpn.AuthorizationRule("engineers-everything", client_vpn_endpoint_id=endpoint.id,
                                   target_network_cidr="0.0.0.0/0", authorize_all_groups=True)

pulumi.export("firewall_id", firewall.id)
pulumi.export("client_vpn_endpoint", endpoint.dns_name)
