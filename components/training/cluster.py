"""``TrainingCluster``: an EKS cluster for multi-team, multi-node GPU training.

Control plane: private endpoint, secrets encrypted with a customer-managed key, all five log types
to an encrypted log group, access entries (API authentication mode) instead of the aws-auth
ConfigMap, an IAM OIDC provider, pinned managed add-ons. Nodes: an on-demand system group and the
GPU groups from the Args, each with its own launch template (IMDSv2, hop limit 1, encrypted gp3
volumes, no SSH key). On top, through an explicit Kubernetes provider: the NVIDIA device plugin,
DCGM exporter, the EFA device plugin (when a group uses EFA), cluster-autoscaler, Kueue and KubeRay
as pinned Helm releases, and per-team namespaces with a GPU ResourceQuota, a Kueue ClusterQueue,
a LocalQueue and a service account bound (Pod Identity) to the training-job role.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field
from typing import Any, Callable, Mapping, Optional, Sequence

import pulumi
import pulumi_aws as aws
import pulumi_kubernetes as k8s

from components.common import check_log_retention, child_opts
from components.experiments import documents as experiment_documents
from components.training import charts, iam, kube, validation
from components.training.args import (
    EKS_CAPACITY_TYPES, NVIDIA_AMI_TYPES, GpuNodeGroupArgs, SystemNodeGroupArgs, TeamArgs,
)
from components.training.charts import ChartPin
from catalog.eks import DEFAULT_KUBERNETES_VERSION, addon_versions, kubernetes_version

#: Every control-plane log type EKS offers.
CONTROL_PLANE_LOG_TYPES = ("api", "audit", "authenticator", "controllerManager", "scheduler")
ADMIN_ACCESS_POLICY = "AmazonEKSClusterAdminPolicy"
VIEW_ACCESS_POLICY = "AmazonEKSViewPolicy"


@dataclass
class TrackingServerAccess:
    """A managed MLflow tracking server that training jobs log to (``ExperimentTracking``)."""

    #: The server's ARN: the training-job role may use ``sagemaker-mlflow:*`` on it, nothing else.
    server_arn: pulumi.Input[str]
    #: What jobs set ``MLFLOW_TRACKING_URI`` to (the server's ARN, for the sagemaker-mlflow plugin).
    tracking_uri: pulumi.Input[str]


#: The ConfigMap each team namespace gets with ``MLFLOW_TRACKING_URI`` (pods: ``envFrom`` it).
MLFLOW_CONFIG_MAP = "mlflow"


@dataclass
class TrainingClusterArgs:
    """Inputs of a ``TrainingCluster``. Defaults are the secure ones.

    ``subnets`` are the private subnets, in the order of ``availability_zones``. The dataset and
    artifact buckets and their keys are what the training-job role may use, and nothing else.
    """

    vpc: aws.ec2.Vpc
    subnets: Sequence[aws.ec2.Subnet]
    availability_zones: Sequence[str]
    #: Encrypts Kubernetes secrets and every node volume.
    cluster_key: aws.kms.Key
    #: Encrypts the control-plane log group (CloudWatch Logs must be allowed to use it).
    log_key: aws.kms.Key
    dataset_bucket: aws.s3.Bucket
    dataset_key: aws.kms.Key
    artifact_bucket: aws.s3.Bucket
    artifact_key: aws.kms.Key
    #: IAM role/user ARNs with cluster-admin; include the role that runs ``pulumi up``.
    admin_principals: Sequence[str]
    gpu_node_groups: Sequence[GpuNodeGroupArgs]
    teams: Sequence[TeamArgs]
    #: The most GPUs the GPU groups may reach together (max size x GPUs per node).
    max_gpus: int
    kubernetes_version: str = DEFAULT_KUBERNETES_VERSION
    readonly_principals: Sequence[str] = ()
    #: Public API endpoint: off. When on, ``public_access_cidrs`` is required and never 0.0.0.0/0.
    endpoint_public_access: bool = False
    public_access_cidrs: Sequence[str] = ()
    #: Where ``pulumi up`` runs, so the Kubernetes provider reaches the private endpoint: networks
    #: routed into the VPC (VPN, peering, transit gateway) get TCP 443 to the control plane.
    deployer_cidrs: Sequence[str] = ()
    #: Security groups of deployment runners inside the VPC (or a peered VPC of the same region):
    #: TCP 443 to the control plane. With no public endpoint, these or ``deployer_cidrs`` are required.
    deployer_security_group_ids: Sequence[pulumi.Input[str]] = ()
    system_node_group: SystemNodeGroupArgs = field(default_factory=SystemNodeGroupArgs)
    #: EKS cluster name; default the component's name.
    cluster_name: Optional[str] = None
    #: Control-plane log retention (days).
    log_retention_days: int = 365
    #: Attach AmazonSSMManagedInstanceCore to nodes (Session Manager); there is never SSH.
    ssm_access: bool = False
    #: Override pinned managed add-on builds by add-on name.
    addon_versions: Mapping[str, str] = field(default_factory=dict)
    #: MLflow tracking for training jobs: their role may use the server, their namespaces get its URI.
    experiment_tracking: Optional[TrackingServerAccess] = None
    #: Create the account's Auto Scaling service-linked role (AWSServiceRoleForAutoScaling), which the
    #: volume-key grant names. AWS creates it only with the account's first Auto Scaling group, so a
    #: fresh account needs it first; off by default because it is one per account, shared by every
    #: stack there (the role is retained when the stack is destroyed).
    create_autoscaling_service_role: bool = False
    #: Protect the cluster (and turn on EKS deletion protection).
    protect: bool = False
    tags: Mapping[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        validate_args(self)


def validate_args(args: TrainingClusterArgs) -> None:
    """Raise ``ValueError`` for inputs the cluster cannot be built from."""
    check_log_retention(args.log_retention_days)
    kubernetes_version(args.kubernetes_version)
    addon_versions(args.kubernetes_version, args.addon_versions)
    if len(args.subnets) != len(args.availability_zones) or not args.subnets:
        raise ValueError("give one private subnet per availability zone, in the same order")
    validation.check_public_access(args.endpoint_public_access, args.public_access_cidrs)
    validation.check_deployer_cidrs(args.deployer_cidrs)
    validation.check_security_group_ids([g for g in args.deployer_security_group_ids if isinstance(g, str)])
    validation.check_deployer_path(public=args.endpoint_public_access, cidrs=args.deployer_cidrs,
                                   security_groups=args.deployer_security_group_ids)
    if not args.admin_principals:
        raise ValueError("admin_principals: at least one admin is needed (the deploying role)")
    for arn in [*args.admin_principals, *args.readonly_principals]:
        validation.check_principal(arn)
    validation.check_one_access_entry(args.admin_principals, args.readonly_principals)
    args.system_node_group.validate()
    if not args.gpu_node_groups:
        raise ValueError("gpu_node_groups: declare at least one GPU node group")
    names = [group.name for group in args.gpu_node_groups]
    if len(set(names)) != len(names):
        raise ValueError(f"GPU node group names must be unique (got {', '.join(names)})")
    for group in args.gpu_node_groups:
        group.validate()
        for zone in group.availability_zones or ():
            if zone not in args.availability_zones:
                raise ValueError(f"GPU node group {group.name!r}: zone {zone!r} is not one of the cluster's "
                                 f"({', '.join(args.availability_zones)})")
    validation.check_gpu_cap([(g.name, g.instance_types, g.max_size) for g in args.gpu_node_groups], args.max_gpus)
    if not args.teams:
        raise ValueError("teams: declare at least one team")
    for team in args.teams:
        team.validate()
    team_names = [team.name for team in args.teams]
    if len(set(team_names)) != len(team_names):
        raise ValueError(f"team names must be unique (got {', '.join(team_names)})")


def _slug(arn: str) -> str:
    """A resource-name-safe, stable, unique suffix for a principal: ``role-ci-deployer-3f2a9c``.

    The digest of the whole ARN keeps ``role/ci/deployer`` and ``role/ci-deployer``, or one role
    name in two accounts, from colliding on one resource name.
    """
    kind, _, path = arn.split(":", 5)[-1].partition("/")
    readable = re.sub(r"[^a-z0-9]+", "-", f"{kind}-{path}".lower()).strip("-")
    return f"{readable}-{hashlib.sha256(arn.encode()).hexdigest()[:6]}"


def _json(document_fn: Callable[..., dict], **inputs: Any) -> pulumi.Output[str]:
    """An IAM document built from (possibly unknown) ARNs, rendered as JSON."""
    return pulumi.Output.all(**inputs).apply(lambda values: json.dumps(document_fn(**values)))


class TrainingCluster(pulumi.ComponentResource):
    """An EKS cluster for GPU training, with queues and quotas per team (see the module docstring)."""

    cluster: aws.eks.Cluster
    cluster_name: pulumi.Output[str]
    endpoint: pulumi.Output[str]
    kubeconfig: pulumi.Output[str]
    oidc_provider_arn: pulumi.Output[str]
    node_role: aws.iam.Role
    training_role: aws.iam.Role
    provider: k8s.Provider
    node_groups: dict[str, aws.eks.NodeGroup]
    queue_names: dict[str, str]

    def __init__(self, name: str, args: TrainingClusterArgs, opts: Optional[pulumi.ResourceOptions] = None) -> None:
        super().__init__("mlinfra:training:TrainingCluster", name, None, opts)
        self._name = name
        self._args = args
        cluster_name = args.cluster_name or name
        invoke = pulumi.InvokeOutputOptions(parent=self)
        self._partition = aws.get_partition_output(opts=invoke).partition
        self._account_id = aws.get_caller_identity_output(opts=invoke).account_id
        self._region = aws.get_region_output(opts=invoke).region
        self._pins = addon_versions(args.kubernetes_version, args.addon_versions)

        self._control_plane(cluster_name)
        self._access_entries()
        self._node_groups()
        self._late_addons()
        self._kubernetes()

        self.queue_names = kube.queue_names(args.teams)
        self.register_outputs({
            "clusterName": self.cluster_name,
            "endpoint": self.endpoint,
            "kubeconfig": self.kubeconfig,
            "oidcProviderArn": self.oidc_provider_arn,
            "nodeRoleArn": self.node_role.arn,
            "trainingRoleArn": self.training_role.arn,
            "queueNames": self.queue_names,
        })

    # --- helpers ---------------------------------------------------------------------------

    def _opts(self, **kwargs: Any) -> pulumi.ResourceOptions:
        return child_opts(self, **kwargs)

    def _managed(self, policy: str) -> pulumi.Output[str]:
        return self._partition.apply(lambda partition: iam.managed_policy_arn(partition, policy))

    def _role(self, suffix: str, trust: pulumi.Input[str], managed: Sequence[str] = (),
              inline: Optional[pulumi.Input[str]] = None) -> tuple[aws.iam.Role, list[pulumi.Resource]]:
        """A role, its managed-policy attachments and optional inline policy (returned for depends_on)."""
        role = aws.iam.Role(f"{self._name}-{suffix}", assume_role_policy=trust, tags=dict(self._args.tags),
                            opts=self._opts())
        attached: list[pulumi.Resource] = [
            aws.iam.RolePolicyAttachment(f"{self._name}-{suffix}-{policy.lower().replace('_', '-')}", role=role.name,
                                         policy_arn=self._managed(policy), opts=self._opts())
            for policy in managed
        ]
        if inline is not None:
            attached.append(aws.iam.RolePolicy(f"{self._name}-{suffix}", role=role.id, policy=inline,
                                               opts=self._opts()))
        return role, attached

    def _pod_identity_trust(self, namespaces: Sequence[str], service_account: str) -> pulumi.Output[str]:
        return _json(iam.pod_identity_trust, cluster_arn=self.cluster.arn, namespaces=list(namespaces),
                     service_account=service_account)

    # --- control plane ---------------------------------------------------------------------

    def _control_plane(self, cluster_name: str) -> None:
        args = self._args
        # EKS writes to this exact name; creating it first keeps it encrypted and retained as we say.
        log_group = aws.cloudwatch.LogGroup(
            f"{self._name}-control-plane", name=f"/aws/eks/{cluster_name}/cluster", kms_key_id=args.log_key.arn,
            retention_in_days=args.log_retention_days, tags=dict(args.tags), opts=self._opts())
        cluster_role, cluster_policies = self._role(
            "cluster", json.dumps(iam.service_trust("eks.amazonaws.com")), [iam.CLUSTER_MANAGED_POLICY])

        # One security group for the control plane's ENIs and every node: all traffic among its
        # members (EFA requires exactly that), HTTPS out for images and AWS APIs, nothing else.
        self.node_security_group = aws.ec2.SecurityGroup(
            f"{self._name}-nodes", vpc_id=args.vpc.id, description=f"EKS {cluster_name}: control plane and nodes",
            tags={**args.tags, f"kubernetes.io/cluster/{cluster_name}": "owned"}, opts=self._opts())
        aws.vpc.SecurityGroupIngressRule(
            f"{self._name}-nodes-from-nodes", security_group_id=self.node_security_group.id, ip_protocol="-1",
            referenced_security_group_id=self.node_security_group.id,
            description="Nodes and control plane to each other", opts=self._opts())
        aws.vpc.SecurityGroupEgressRule(
            f"{self._name}-nodes-to-nodes", security_group_id=self.node_security_group.id, ip_protocol="-1",
            referenced_security_group_id=self.node_security_group.id,
            description="Nodes and control plane to each other (EFA needs all protocols)", opts=self._opts())
        aws.vpc.SecurityGroupEgressRule(
            f"{self._name}-nodes-https", security_group_id=self.node_security_group.id, ip_protocol="tcp",
            from_port=443, to_port=443, cidr_ipv4="0.0.0.0/0",
            description="Container registries and AWS APIs over HTTPS", opts=self._opts())

        self.api_security_group = self._api_access(cluster_name)

        self.cluster = aws.eks.Cluster(
            self._name,
            name=cluster_name,
            version=args.kubernetes_version,
            role_arn=cluster_role.arn,
            vpc_config=aws.eks.ClusterVpcConfigArgs(
                subnet_ids=[subnet.id for subnet in args.subnets],
                security_group_ids=[self.node_security_group.id, self.api_security_group.id],
                endpoint_private_access=True,
                endpoint_public_access=args.endpoint_public_access,
                public_access_cidrs=list(args.public_access_cidrs) if args.endpoint_public_access else None,
            ),
            encryption_config=aws.eks.ClusterEncryptionConfigArgs(
                provider=aws.eks.ClusterEncryptionConfigProviderArgs(key_arn=args.cluster_key.arn),
                resources=["secrets"],
            ),
            enabled_cluster_log_types=list(CONTROL_PLANE_LOG_TYPES),
            access_config=aws.eks.ClusterAccessConfigArgs(
                authentication_mode="API", bootstrap_cluster_creator_admin_permissions=False),
            # The managed add-ons below replace the self-managed defaults.
            bootstrap_self_managed_addons=False,
            deletion_protection=args.protect,
            tags=dict(args.tags),
            opts=self._opts(protect=args.protect, depends_on=[log_group, *cluster_policies]),
        )
        self.cluster_name = self.cluster.name
        self.endpoint = self.cluster.endpoint
        issuer = self.cluster.identities.apply(lambda ids: ids[0].oidcs[0].issuer)
        self.oidc_provider = aws.iam.OpenIdConnectProvider(
            f"{self._name}-oidc", url=issuer, client_id_lists=["sts.amazonaws.com"], tags=dict(args.tags),
            opts=self._opts())
        self.oidc_provider_arn = self.oidc_provider.arn
        self.kubeconfig = pulumi.Output.secret(
            pulumi.Output.all(self.cluster.name, self.cluster.endpoint,
                              self.cluster.certificate_authority.apply(lambda ca: ca.data), self._region)
            .apply(lambda v: json.dumps(kube.kubeconfig(cluster_name=v[0], endpoint=v[1],
                                                        certificate_authority=v[2], region=v[3]))))

        self.pod_identity_agent = self._addon("eks-pod-identity-agent")
        self._early_addons = [self._addon("vpc-cni"), self._addon("kube-proxy"), self.pod_identity_agent]

    def _api_access(self, cluster_name: str) -> aws.ec2.SecurityGroup:
        """The deployer path: a security group on the control plane's ENIs only (not on nodes) that admits
        TCP 443 from ``deployer_cidrs`` and ``deployer_security_group_ids``, and nothing else.

        EKS attaches every group in ``vpcConfig.securityGroupIds`` to the cross-account ENIs that serve the
        private endpoint (EKS API ``VpcConfigRequest.securityGroupIds``, botocore eks service-2.json).
        Security groups are stateful: replies to admitted connections need no egress rule.
        """
        args = self._args
        group = aws.ec2.SecurityGroup(
            f"{self._name}-api", vpc_id=args.vpc.id,
            description=f"EKS {cluster_name}: Kubernetes API from where pulumi up runs",
            tags=dict(args.tags), opts=self._opts())
        for index, cidr in enumerate(args.deployer_cidrs):
            family = {"cidr_ipv6": cidr} if ":" in cidr else {"cidr_ipv4": cidr}
            aws.vpc.SecurityGroupIngressRule(
                f"{self._name}-api-cidr-{index}", security_group_id=group.id, ip_protocol="tcp", from_port=443,
                to_port=443, description="Kubernetes API from a deployer network (VPN or peering)", **family,
                opts=self._opts())
        for index, source in enumerate(args.deployer_security_group_ids):
            aws.vpc.SecurityGroupIngressRule(
                f"{self._name}-api-sg-{index}", security_group_id=group.id, ip_protocol="tcp", from_port=443,
                to_port=443, referenced_security_group_id=source,
                description="Kubernetes API from a deployment runner in the VPC", opts=self._opts())
        return group

    def _addon(self, addon: str, *, depends_on: Sequence[pulumi.Resource] = (),
               service_account: Optional[str] = None, role: Optional[aws.iam.Role] = None) -> aws.eks.Addon:
        associations = None
        if role is not None:
            associations = [aws.eks.AddonPodIdentityAssociationArgs(role_arn=role.arn, service_account=service_account)]
        return aws.eks.Addon(
            f"{self._name}-{addon}", cluster_name=self.cluster.name, addon_name=addon,
            addon_version=self._pins[addon], resolve_conflicts_on_create="OVERWRITE",
            resolve_conflicts_on_update="OVERWRITE", pod_identity_associations=associations,
            tags=dict(self._args.tags), opts=self._opts(depends_on=list(depends_on)))

    # --- access ----------------------------------------------------------------------------

    def _access_entries(self) -> None:
        self._admin_access: list[pulumi.Resource] = []
        for arns, policy, role in ((self._args.admin_principals, ADMIN_ACCESS_POLICY, "admin"),
                                   (self._args.readonly_principals, VIEW_ACCESS_POLICY, "view")):
            for arn in arns:
                entry = aws.eks.AccessEntry(
                    f"{self._name}-{role}-{_slug(arn)}", cluster_name=self.cluster.name, principal_arn=arn,
                    type="STANDARD", tags=dict(self._args.tags), opts=self._opts())
                association = aws.eks.AccessPolicyAssociation(
                    f"{self._name}-{role}-{_slug(arn)}", cluster_name=self.cluster.name, principal_arn=arn,
                    policy_arn=self._partition.apply(lambda p, name=policy: f"arn:{p}:eks::aws:cluster-access-policy/{name}"),
                    access_scope=aws.eks.AccessPolicyAssociationAccessScopeArgs(type="cluster"),
                    opts=self._opts(depends_on=[entry]))
                if role == "admin":
                    self._admin_access.append(association)

    # --- nodes -----------------------------------------------------------------------------

    def _node_groups(self) -> None:
        args = self._args
        managed = [*iam.NODE_MANAGED_POLICIES, *([iam.SSM_MANAGED_POLICY] if args.ssm_access else [])]
        self.node_role, node_policies = self._role("node", json.dumps(iam.service_trust("ec2.amazonaws.com")), managed)
        # Managed node groups launch through the Auto Scaling service-linked role, which must be
        # able to use the cluster key for the encrypted volumes.
        grantee: pulumi.Input[str] = pulumi.Output.all(self._partition, self._account_id).apply(
            lambda v: iam.autoscaling_service_role_arn(v[0], v[1]))
        grant_after: list[pulumi.Resource] = []
        if args.create_autoscaling_service_role:
            service_role = aws.iam.ServiceLinkedRole(
                f"{self._name}-autoscaling-service-role", aws_service_name=iam.AUTOSCALING_SERVICE,
                description="Auto Scaling service-linked role (created by mlinfra for the first node groups)",
                tags=dict(args.tags), opts=self._opts(retain_on_delete=True))
            grantee, grant_after = service_role.arn, [service_role]
        volume_grant = aws.kms.Grant(
            f"{self._name}-autoscaling-volumes", key_id=args.cluster_key.arn, grantee_principal=grantee,
            operations=list(iam.AUTOSCALING_GRANT_OPERATIONS), opts=self._opts(depends_on=grant_after))
        ready = [*node_policies, volume_grant, *self._early_addons, *self._admin_access]

        system = args.system_node_group
        self.system_node_group = self._node_group(
            kube.SYSTEM_GROUP, instance_types=system.instance_types, min_size=system.min_size,
            max_size=system.max_size, ami_type="AL2023_x86_64_STANDARD", capacity_type="ON_DEMAND",
            labels={kube.NODE_GROUP_LABEL: kube.SYSTEM_GROUP}, taints=[], subnets=list(args.subnets),
            launch_template=self._launch_template(kube.SYSTEM_GROUP, root_device="/dev/xvda",
                                                  root_volume_gib=system.root_volume_gib),
            depends_on=ready)
        self.node_groups = {kube.SYSTEM_GROUP: self.system_node_group}
        for group in args.gpu_node_groups:
            zones = group.availability_zones or args.availability_zones
            subnets = [subnet for subnet, zone in zip(args.subnets, args.availability_zones) if zone in zones]
            node_group = self.node_groups[group.name] = self._node_group(
                group.name, instance_types=group.instance_types, min_size=group.min_size, max_size=group.max_size,
                ami_type=NVIDIA_AMI_TYPES[group.ami_family], capacity_type=EKS_CAPACITY_TYPES[group.capacity_type],
                labels=kube.gpu_node_labels(group),
                taints=[aws.eks.NodeGroupTaintArgs(key=kube.GPU_TAINT["key"], value=kube.GPU_TAINT["value"],
                                                   effect="NO_SCHEDULE")],
                subnets=subnets, launch_template=self._gpu_launch_template(group), depends_on=ready,
                extra_tags=group.tags)
            if group.min_size == 0:
                self._node_template_tags(group, node_group)

    def _node_template_tags(self, group: GpuNodeGroupArgs, node_group: aws.eks.NodeGroup) -> None:
        """Tag the managed group's Auto Scaling group with its node template (``kube.node_template_tags``).

        EKS does not copy node-group tags to the Auto Scaling group it creates, and cluster-autoscaler
        reads extended resources only from ASG tags, so the tags go on the ASG itself; the tag set is
        known from the Args, only the ASG's name comes from the node group.
        """
        asg_name = node_group.resources.apply(lambda resources: resources[0].autoscaling_groups[0].name)
        for index, (key, value) in enumerate(sorted(kube.node_template_tags(group).items())):
            aws.autoscaling.Tag(
                f"{self._name}-{group.name}-node-template-{index}", autoscaling_group_name=asg_name,
                tag=aws.autoscaling.TagTagArgs(key=key, value=value, propagate_at_launch=False),
                opts=self._opts())

    def _launch_template(self, group: str, *, root_device: str, root_volume_gib: int,
                         extra_volumes: Sequence[tuple[str, int]] = (), extra_tags: Mapping[str, str] = {},
                         **kwargs: Any) -> aws.ec2.LaunchTemplate:
        """IMDSv2 only with hop limit 1 (pods cannot reach node credentials), encrypted gp3, no key pair.

        ``extra_tags`` go on the template and on the instances and volumes it launches."""
        volumes = [(root_device, root_volume_gib), *extra_volumes]
        if "network_interfaces" not in kwargs:
            kwargs["vpc_security_group_ids"] = [self.node_security_group.id]
        instance_tags = {**self._args.tags, **extra_tags, "Name": f"{self._name}-{group}"}
        return aws.ec2.LaunchTemplate(
            f"{self._name}-{group}",
            description=f"EKS {self._name} node group {group}",
            update_default_version=True,
            metadata_options=aws.ec2.LaunchTemplateMetadataOptionsArgs(
                http_endpoint="enabled", http_tokens="required", http_put_response_hop_limit=1),
            block_device_mappings=[
                aws.ec2.LaunchTemplateBlockDeviceMappingArgs(
                    device_name=device,
                    ebs=aws.ec2.LaunchTemplateBlockDeviceMappingEbsArgs(
                        volume_size=size, volume_type="gp3", encrypted="true", kms_key_id=self._args.cluster_key.arn,
                        delete_on_termination="true"))
                for device, size in volumes
            ],
            tag_specifications=[aws.ec2.LaunchTemplateTagSpecificationArgs(resource_type=kind, tags=instance_tags)
                                for kind in ("instance", "volume")],
            tags={**self._args.tags, **extra_tags},
            opts=self._opts(),
            **kwargs,
        )

    def _gpu_launch_template(self, group: GpuNodeGroupArgs) -> aws.ec2.LaunchTemplate:
        kwargs: dict[str, Any] = {}
        if group.efa:
            # The first interface carries IP traffic and EFA; the others are EFA on further network cards.
            kwargs["network_interfaces"] = [
                aws.ec2.LaunchTemplateNetworkInterfaceArgs(
                    device_index=0 if card == 0 else 1, network_card_index=card, interface_type="efa",
                    security_groups=[self.node_security_group.id], delete_on_termination="true")
                for card in range(group.efa_interfaces)
            ]
        if group.placement_group:
            placement = aws.ec2.PlacementGroup(f"{self._name}-{group.name}", strategy="cluster",
                                               tags=dict(self._args.tags), opts=self._opts())
            # A placement group's id is its name.
            kwargs["placement"] = aws.ec2.LaunchTemplatePlacementArgs(group_name=placement.id)
        if group.capacity_reservation_id or group.capacity_reservation_resource_group_arn:
            kwargs["capacity_reservation_specification"] = aws.ec2.LaunchTemplateCapacityReservationSpecificationArgs(
                capacity_reservation_target=aws.ec2.LaunchTemplateCapacityReservationSpecificationCapacityReservationTargetArgs(
                    capacity_reservation_id=group.capacity_reservation_id,
                    capacity_reservation_resource_group_arn=group.capacity_reservation_resource_group_arn))
        if group.capacity_type == "capacity-block":
            kwargs["instance_market_options"] = aws.ec2.LaunchTemplateInstanceMarketOptionsArgs(market_type="capacity-block")
        if group.ami_family == "bottlerocket":
            # Bottlerocket keeps images on its data volume; the OS volume stays small.
            return self._launch_template(group.name, root_device="/dev/xvda", root_volume_gib=8,
                                         extra_volumes=[("/dev/xvdb", group.root_volume_gib)],
                                         extra_tags=group.tags, **kwargs)
        return self._launch_template(group.name, root_device="/dev/xvda", root_volume_gib=group.root_volume_gib,
                                     extra_tags=group.tags, **kwargs)

    def _node_group(self, group: str, *, instance_types: Sequence[str], min_size: int, max_size: int, ami_type: str,
                    capacity_type: str, labels: Mapping[str, str], taints: list, subnets: Sequence[aws.ec2.Subnet],
                    launch_template: aws.ec2.LaunchTemplate, depends_on: Sequence[pulumi.Resource],
                    extra_tags: Mapping[str, str] = {}) -> aws.eks.NodeGroup:
        return aws.eks.NodeGroup(
            f"{self._name}-{group}",
            cluster_name=self.cluster.name,
            node_role_arn=self.node_role.arn,
            subnet_ids=[subnet.id for subnet in subnets],
            instance_types=list(instance_types),
            ami_type=ami_type,
            capacity_type=capacity_type,
            scaling_config=aws.eks.NodeGroupScalingConfigArgs(min_size=min_size, max_size=max_size,
                                                              desired_size=min_size),
            update_config=aws.eks.NodeGroupUpdateConfigArgs(max_unavailable=1),
            launch_template=aws.eks.NodeGroupLaunchTemplateArgs(id=launch_template.id,
                                                                version=launch_template.latest_version.apply(str)),
            labels=dict(labels),
            taints=taints,
            tags={**self._args.tags, **extra_tags},
            # The autoscaler owns the desired size once the group exists.
            opts=self._opts(depends_on=list(depends_on), ignore_changes=["scalingConfig.desiredSize"]),
        )

    def _late_addons(self) -> None:
        """Add-ons whose pods need nodes: CoreDNS, and the EBS CSI driver with its own role."""
        ebs_role, ebs_policies = self._role(
            "ebs-csi", self._pod_identity_trust(["kube-system"], kube.EBS_CSI_SERVICE_ACCOUNT),
            [iam.EBS_CSI_MANAGED_POLICY],
            inline=_json(iam.volume_key_policy, key_arn=self._args.cluster_key.arn))
        self.coredns = self._addon("coredns", depends_on=[self.system_node_group])
        self.ebs_csi = self._addon("aws-ebs-csi-driver", depends_on=[self.system_node_group, *ebs_policies],
                                   service_account=kube.EBS_CSI_SERVICE_ACCOUNT, role=ebs_role)

    # --- Kubernetes ------------------------------------------------------------------------

    def _kubernetes(self) -> None:
        args = self._args
        self.provider = k8s.Provider(f"{self._name}-k8s", kubeconfig=self.kubeconfig, opts=self._opts())
        # Workloads need the API (admin access), DNS and somewhere to run.
        self._k8s_ready: list[pulumi.Resource] = [*self._admin_access, self.system_node_group, self.coredns]

        k8s.storage.v1.StorageClass(
            f"{self._name}-gp3",
            metadata=k8s.meta.v1.ObjectMetaArgs(
                name="gp3-encrypted", annotations={"storageclass.kubernetes.io/is-default-class": "true"}),
            provisioner="ebs.csi.aws.com", volume_binding_mode="WaitForFirstConsumer", allow_volume_expansion=True,
            reclaim_policy="Delete",
            parameters={"type": "gp3", "encrypted": "true", "kmsKeyId": args.cluster_key.arn},
            opts=self._k8s_opts(depends_on=[self.ebs_csi]))

        gpu_namespace = k8s.core.v1.Namespace(
            f"{self._name}-{kube.GPU_SYSTEM_NAMESPACE}",
            metadata=k8s.meta.v1.ObjectMetaArgs(
                name=kube.GPU_SYSTEM_NAMESPACE,
                # Device plugins need host access; only this namespace (and kube-system) allows it.
                labels={"pod-security.kubernetes.io/enforce": "privileged"}),
            opts=self._k8s_opts())
        self.releases: dict[str, k8s.helm.v3.Release] = {}
        self._release("nvidia-device-plugin", charts.NVIDIA_DEVICE_PLUGIN, kube.device_plugin_values(), [gpu_namespace])
        self._release("dcgm-exporter", charts.DCGM_EXPORTER, kube.dcgm_exporter_values(), [gpu_namespace])
        if any(group.efa for group in args.gpu_node_groups):
            self._release("aws-efa-k8s-device-plugin", charts.EFA_DEVICE_PLUGIN,
                          self._region.apply(lambda region: kube.efa_plugin_values(region=region)), [gpu_namespace])
        self._autoscaler()
        kueue = self._release("kueue", charts.KUEUE, kube.kueue_values(), [], create_namespace=True)
        self._release("kuberay-operator", charts.KUBERAY_OPERATOR, kube.kuberay_values(), [], create_namespace=True)
        self._teams(kueue)

    def _k8s_opts(self, depends_on: Sequence[pulumi.Resource] = ()) -> pulumi.ResourceOptions:
        return self._opts(provider=self.provider, depends_on=[*self._k8s_ready, *depends_on])

    def _release(self, release: str, pin: ChartPin, values: pulumi.Input[dict], depends_on: Sequence[pulumi.Resource],
                 create_namespace: bool = False) -> k8s.helm.v3.Release:
        self.releases[release] = k8s.helm.v3.Release(
            f"{self._name}-{release}",
            name=release,
            chart=pin.chart,
            version=pin.version,
            repository_opts=k8s.helm.v3.RepositoryOptsArgs(repo=pin.repository) if pin.repository else None,
            namespace=pin.namespace,
            create_namespace=create_namespace,
            values=values,
            opts=self._k8s_opts(depends_on=depends_on))
        return self.releases[release]

    def _autoscaler(self) -> None:
        cluster_name = self.cluster.name
        nodegroups = pulumi.Output.all(self._partition, self._region, self._account_id, cluster_name).apply(
            lambda v: f"arn:{v[0]}:eks:{v[1]}:{v[2]}:nodegroup/{v[3]}/*/*")
        trust = self._pod_identity_trust(["kube-system"], kube.AUTOSCALER_SERVICE_ACCOUNT)
        role, policies = self._role("cluster-autoscaler", trust,
                                    inline=_json(iam.cluster_autoscaler_policy, cluster_name=cluster_name,
                                                 nodegroup_arn_pattern=nodegroups))
        association = aws.eks.PodIdentityAssociation(
            f"{self._name}-cluster-autoscaler", cluster_name=cluster_name, namespace="kube-system",
            service_account=kube.AUTOSCALER_SERVICE_ACCOUNT, role_arn=role.arn, tags=dict(self._args.tags),
            opts=self._opts(depends_on=[self.pod_identity_agent, *policies]))
        image_tag = kubernetes_version(self._args.kubernetes_version).cluster_autoscaler
        values = pulumi.Output.all(cluster_name, self._region).apply(
            lambda v: kube.cluster_autoscaler_values(cluster_name=v[0], region=v[1], image_tag=image_tag))
        self._release("cluster-autoscaler", charts.CLUSTER_AUTOSCALER, values, [association])

    def _teams(self, kueue: k8s.helm.v3.Release) -> None:
        args = self._args
        efa = any(group.efa for group in args.gpu_node_groups)
        self.training_role, training_policies = self._role(
            "training-job",
            self._pod_identity_trust([team.name for team in args.teams], kube.TRAINING_SERVICE_ACCOUNT),
            inline=_json(iam.training_job_policy, dataset_bucket_arn=args.dataset_bucket.arn,
                         dataset_key_arn=args.dataset_key.arn, artifact_bucket_arn=args.artifact_bucket.arn,
                         artifact_key_arn=args.artifact_key.arn, region=self._region))
        tracking = args.experiment_tracking
        if tracking is not None:
            # Through the jobs' Pod Identity role: every MLflow call, on this one tracking server.
            training_policies.append(aws.iam.RolePolicy(
                f"{self._name}-training-job-mlflow", role=self.training_role.id,
                policy=pulumi.Output.from_input(tracking.server_arn).apply(
                    lambda arn: json.dumps(experiment_documents.client_policy(arn))),
                opts=self._opts()))
        flavors = [k8s.apiextensions.CustomResource(
            f"{self._name}-flavor-{name}", api_version=kube.KUEUE_API, kind="ResourceFlavor",
            metadata=k8s.meta.v1.ObjectMetaArgs(name=name), spec=spec, opts=self._k8s_opts(depends_on=[kueue]))
            for name, spec in ((kube.CPU_FLAVOR, kube.cpu_flavor_spec()), (kube.GPU_FLAVOR, kube.gpu_flavor_spec()))]
        for team in args.teams:
            prefix = f"{self._name}-team-{team.name}"
            namespace = k8s.core.v1.Namespace(
                prefix, metadata=k8s.meta.v1.ObjectMetaArgs(name=team.name, labels=kube.team_namespace_labels(team)),
                opts=self._k8s_opts())
            k8s.core.v1.ResourceQuota(
                f"{prefix}-gpu-quota",
                metadata=k8s.meta.v1.ObjectMetaArgs(name="gpu-quota", namespace=team.name),
                spec=k8s.core.v1.ResourceQuotaSpecArgs(hard=kube.gpu_quota(team)),
                opts=self._k8s_opts(depends_on=[namespace]))
            k8s.core.v1.ServiceAccount(
                f"{prefix}-{kube.TRAINING_SERVICE_ACCOUNT}",
                metadata=k8s.meta.v1.ObjectMetaArgs(name=kube.TRAINING_SERVICE_ACCOUNT, namespace=team.name),
                opts=self._k8s_opts(depends_on=[namespace]))
            if tracking is not None:
                k8s.core.v1.ConfigMap(
                    f"{prefix}-mlflow",
                    metadata=k8s.meta.v1.ObjectMetaArgs(name=MLFLOW_CONFIG_MAP, namespace=team.name),
                    data={"MLFLOW_TRACKING_URI": tracking.tracking_uri},
                    opts=self._k8s_opts(depends_on=[namespace]))
            aws.eks.PodIdentityAssociation(
                prefix, cluster_name=self.cluster.name, namespace=team.name,
                service_account=kube.TRAINING_SERVICE_ACCOUNT, role_arn=self.training_role.arn,
                tags=dict(args.tags), opts=self._opts(depends_on=[self.pod_identity_agent, *training_policies]))
            cluster_queue = k8s.apiextensions.CustomResource(
                f"{prefix}-cluster-queue", api_version=kube.KUEUE_API, kind="ClusterQueue",
                metadata=k8s.meta.v1.ObjectMetaArgs(name=team.name), spec=kube.cluster_queue_spec(team, efa=efa),
                opts=self._k8s_opts(depends_on=[kueue, *flavors]))
            k8s.apiextensions.CustomResource(
                f"{prefix}-local-queue", api_version=kube.KUEUE_API, kind="LocalQueue",
                metadata=k8s.meta.v1.ObjectMetaArgs(name=kube.LOCAL_QUEUE, namespace=team.name),
                spec=kube.local_queue_spec(team), opts=self._k8s_opts(depends_on=[kueue, namespace, cluster_queue]))
