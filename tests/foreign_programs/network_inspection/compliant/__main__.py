"""Inspection VPC of the landing zone: AWS Network Firewall in front of the ML workload VPCs, Route 53
Resolver DNS Firewall and query logging, and the Client VPN endpoint engineers use to reach notebooks
and internal dashboards (SAML federation, one IdP group per network)."""
import json

import pulumi
import pulumi_aws as aws

TAGS = {"owner": "netops", "cost-center": "net-1", "environment": "prod", "data-classification": "internal"}
ACCOUNT = "111111111111"
cfg = pulumi.Config()
server_cert = cfg.get("serverCertificateArn") or f"arn:aws:acm:us-east-1:{ACCOUNT}:certificate/server-1"
saml_provider = cfg.get("samlProviderArn") or f"arn:aws:iam::{ACCOUNT}:saml-provider/okta-client-vpn"
ML_ENGINEERS_GROUP = "00g1ml2engineers3"
PLATFORM_ADMINS_GROUP = "00g4platform5admins"

log_key = aws.kms.Key("network-logs", description="network inspection logs", enable_key_rotation=True, tags=TAGS,
    policy=json.dumps({"Version": "2012-10-17", "Statement": [
        {"Sid": "Admin", "Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:root"}, "Action": "kms:*",
         "Resource": "*"},
        {"Sid": "Logs", "Effect": "Allow", "Principal": {"Service": "logs.us-east-1.amazonaws.com"},
         "Action": ["kms:Encrypt*", "kms:Decrypt*", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:Describe*"],
         "Resource": "*", "Condition": {"ArnLike": {
             "kms:EncryptionContext:aws:logs:arn": f"arn:aws:logs:us-east-1:{ACCOUNT}:log-group:*"}}}]}))


def log_group(name: str) -> aws.cloudwatch.LogGroup:
    return aws.cloudwatch.LogGroup(name, retention_in_days=365, kms_key_id=log_key.arn, tags=TAGS)


vpc = aws.ec2.Vpc("inspection", cidr_block="10.100.0.0/16", enable_dns_support=True, enable_dns_hostnames=True,
                  tags={**TAGS, "Name": "inspection"})
aws.ec2.DefaultSecurityGroup("inspection-default", vpc_id=vpc.id, ingress=[], egress=[], tags=TAGS)
aws.ec2.FlowLog("inspection-flow", vpc_id=vpc.id, traffic_type="ALL", log_destination_type="s3",
                log_destination="arn:aws:s3:::acme-central-flow-logs", tags=TAGS)
firewall_subnets = [aws.ec2.Subnet(f"firewall-{az}", vpc_id=vpc.id, cidr_block=f"10.100.{i}.0/28",
                                   availability_zone=f"us-east-1{az}", tags={**TAGS, "tier": "firewall"})
                    for i, az in enumerate("ab")]
vpn_subnets = [aws.ec2.Subnet(f"vpn-{az}", vpc_id=vpc.id, cidr_block=f"10.100.{10 + i}.0/24",
                              availability_zone=f"us-east-1{az}", tags={**TAGS, "tier": "private"})
               for i, az in enumerate("ab")]

# --- Network Firewall: strict rule order, drop what no rule allows ------------------------------------------
encryption = {"type": "CUSTOMER_KMS", "key_id": log_key.arn}
domains = aws.networkfirewall.RuleGroup("egress-domains", capacity=100, type="STATEFUL", tags=TAGS,
    encryption_configuration=encryption, rule_group={
        "stateful_rule_options": {"rule_order": "STRICT_ORDER"},
        "rules_source": {"rules_source_list": {"generated_rules_type": "ALLOWLIST",
                                               "target_types": ["TLS_SNI", "HTTP_HOST"],
                                               "targets": [".amazonaws.com", ".huggingface.co", ".pypi.org"]}}})
policy = aws.networkfirewall.FirewallPolicy("egress", tags=TAGS, encryption_configuration=encryption, firewall_policy={
    "stateless_default_actions": ["aws:forward_to_sfe"],
    "stateless_fragment_default_actions": ["aws:forward_to_sfe"],
    "stateful_engine_options": {"rule_order": "STRICT_ORDER"},
    "stateful_default_actions": ["aws:drop_established", "aws:alert_established"],
    "stateful_rule_group_references": [{"resource_arn": domains.arn, "priority": 1}],
})
firewall = aws.networkfirewall.Firewall("egress", vpc_id=vpc.id, firewall_policy_arn=policy.arn,
    subnet_mappings=[{"subnet_id": s.id} for s in firewall_subnets], delete_protection=True,
    subnet_change_protection=True, firewall_policy_change_protection=True, encryption_configuration=encryption,
    tags=TAGS)
aws.networkfirewall.LoggingConfiguration("egress", firewall_arn=firewall.arn, logging_configuration={
    "log_destination_configs": [
        {"log_type": "ALERT", "log_destination_type": "CloudWatchLogs",
         "log_destination": {"logGroup": log_group("firewall-alerts").name}},
        {"log_type": "FLOW", "log_destination_type": "S3",
         "log_destination": {"bucketName": "acme-central-network-logs", "prefix": "firewall"}}]})

# --- Route 53 Resolver: DNS Firewall (fail closed) and query logs ------------------------------------------
blocked = aws.route53.ResolverFirewallDomainList("malware-domains", domains=["*.badexample.com"], tags=TAGS)
dns_rules = aws.route53.ResolverFirewallRuleGroup("dns-guardrails", tags=TAGS)
aws.route53.ResolverFirewallRule("block-malware", firewall_rule_group_id=dns_rules.id,
                                 firewall_domain_list_id=blocked.id, action="BLOCK", block_response="NXDOMAIN",
                                 priority=100)
aws.route53.ResolverFirewallRuleGroupAssociation("dns-guardrails", firewall_rule_group_id=dns_rules.id,
                                                 vpc_id=vpc.id, priority=101, mutation_protection="ENABLED", tags=TAGS)
aws.route53.ResolverFirewallConfig("dns-firewall", resource_id=vpc.id, firewall_fail_open="DISABLED")
query_logs = aws.route53.ResolverQueryLogConfig("queries", destination_arn=log_group("resolver-queries").arn,
                                                tags=TAGS)
aws.route53.ResolverQueryLogConfigAssociation("queries-inspection", resolver_query_log_config_id=query_logs.id,
                                              resource_id=vpc.id)

# --- Client VPN: SAML users, per-group authorization, connection logs -------------------------------------
vpn_sg = aws.ec2.SecurityGroup("client-vpn", vpc_id=vpc.id, description="client vpn", tags=TAGS, egress=[
    {"protocol": "tcp", "from_port": 443, "to_port": 443, "cidr_blocks": ["10.0.0.0/8"],
     "description": "https to the workload networks"}])
vpn_logs = log_group("client-vpn")
vpn_stream = aws.cloudwatch.LogStream("client-vpn", log_group_name=vpn_logs.name)
endpoint = aws.ec2clientvpn.Endpoint("engineers", description="engineer access",
    server_certificate_arn=server_cert, client_cidr_block="172.16.0.0/22", vpc_id=vpc.id,
    security_group_ids=[vpn_sg.id], split_tunnel=True, session_timeout_hours=8, transport_protocol="tcp",
    authentication_options=[{"type": "federated-authentication", "saml_provider_arn": saml_provider}],
    connection_log_options={"enabled": True, "cloudwatch_log_group": vpn_logs.name,
                            "cloudwatch_log_stream": vpn_stream.name},
    client_login_banner_options={"enabled": True, "banner_text": "Authorized use only."}, tags=TAGS)
for i, subnet in enumerate(vpn_subnets):
    aws.ec2clientvpn.NetworkAssociation(f"engineers-{i}", client_vpn_endpoint_id=endpoint.id, subnet_id=subnet.id)
aws.ec2clientvpn.AuthorizationRule("ml-engineers-workloads", client_vpn_endpoint_id=endpoint.id,
                                   target_network_cidr="10.0.0.0/8", access_group_id=ML_ENGINEERS_GROUP,
                                   description="ML engineers reach the workload VPCs")
aws.ec2clientvpn.AuthorizationRule("platform-admins-all", client_vpn_endpoint_id=endpoint.id,
                                   target_network_cidr="0.0.0.0/0", access_group_id=PLATFORM_ADMINS_GROUP,
                                   description="platform administrators")

pulumi.export("firewall_id", firewall.id)
pulumi.export("client_vpn_endpoint", endpoint.dns_name)
