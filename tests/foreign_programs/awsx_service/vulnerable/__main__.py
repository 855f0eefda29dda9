"""Text-embedding service the way the awsx examples build one: an awsx VPC, an awsx ECR repository, an
awsx ApplicationLoadBalancer and an awsx FargateService with its task definition inline."""
import pulumi
import pulumi_aws as aws
import pulumi_awsx as awsx

tags = {"owner": "search", "cost-center": "srch-9", "environment": "prod", "data-classification": "internal"}

vpc = awsx.ec2.Vpc("embeddings", cidr_block="10.60.0.0/16", number_of_availability_zones=2,
                   nat_gateways=awsx.ec2.NatGatewayConfigurationArgs(strategy=awsx.ec2.NatGatewayStrategy.SINGLE),
                   tags=tags)
repo = awsx.ecr.Repository("embeddings", image_tag_mutability="MUTABLE", force_delete=True,
                           image_scanning_configuration=aws.ecr.RepositoryImageScanningConfigurationArgs(
                               scan_on_push=False), tags=tags)
cluster = aws.ecs.Cluster("embeddings", tags=tags)

alb = awsx.lb.ApplicationLoadBalancer(
    "embeddings", subnet_ids=vpc.public_subnet_ids, internal=False, drop_invalid_header_fields=False,
    listener=awsx.lb.ListenerArgs(port=80, protocol="HTTP"), tags=tags)

service = awsx.ecs.FargateService(
    "embeddings", cluster=cluster.arn, assign_public_ip=True, desired_count=2, tags=tags,
    task_definition_args=awsx.ecs.FargateServiceTaskDefinitionArgs(
        container=awsx.ecs.TaskDefinitionContainerDefinitionArgs(
            name="embeddings", image=repo.url, cpu=1024, memory=4096, essential=True, privileged=True,
            port_mappings=[awsx.ecs.TaskDefinitionPortMappingArgs(container_port=8080,
                                                                  target_group=alb.default_target_group)],
            environment=[awsx.ecs.TaskDefinitionKeyValuePairArgs(name="MODEL", value="bge-large"),
                         awsx.ecs.TaskDefinitionKeyValuePairArgs(
                             name="COHERE_API_KEY", value="Zm9vYmFyYmF6cXV4cXV1eGNvcmdlZ3JhdWx0")])))

pulumi.export("url", pulumi.Output.concat("http://", alb.load_balancer.dns_name))
