"""pulumi-eks node groups and pulumi-awsx components, judged by what they build from their inputs
(policies/rules/_components.py): each from a compliant example, one input changed; unknown inputs are
not judged; an omitted input is judged as the component's default.

Defaults are the providers' TypeScript: pulumi-eks nodejs/eks/nodes/nodegroup.ts and cluster/cluster.ts
(commit 7bf0c1b, v4.3.0 plus dependency updates; the installed 4.4.0's SDK takes the same inputs),
pulumi-awsx awsx/ecs/*.ts, awsx/lb/networkLoadBalancer.ts, applicationLoadBalancer.ts, awsx/ecr/repository.ts
(commit e60adf3; installed 3.11.0).
"""

from __future__ import annotations

import pytest
from pulumi_policy import ResourceValidationPolicy

from policies.rules import collect
from policies.rules._components import BUILDERS
from policy_helpers import UNKNOWN, resource_args, violations

KEY = "arn:aws:kms:us-east-1:123456789012:key/abc"
RESOURCE_RULES = [policy for pack in ("security", "privacy", "compliance") for policy in collect(pack)
                  if isinstance(policy, ResourceValidationPolicy)]


def judged(resource_type: str, props: dict, protect: bool = False) -> dict[str, list[str]]:
    """Every resource rule of the three packs on one resource: {policy name: messages}."""
    found = {}
    for policy in RESOURCE_RULES:
        messages = violations(policy, resource_args(resource_type, props, name="c", protect=protect))
        if messages:
            found[policy.name] = messages
    return found


def without(props: dict, *keys: str) -> dict:
    return {k: v for k, v in props.items() if k not in keys}


# --------------------------------------------------------------------------------------------------
# pulumi-eks

V2 = {"instanceType": "g5.xlarge", "nodeRootVolumeEncrypted": True, "nodeAssociatePublicIpAddress": False,
      "taints": {"nvidia.com/gpu": {"value": "true", "effect": "NoSchedule"}}}
#: What no input of a self-managed pulumi-eks node group can change: its launch template has no metadata options
#: (schema.json gives NodeGroupV2 no metadataOptions input; AWS then takes the AMI's), and its root volume no key
#: of its own, so the account's default EBS key: the launch-template rules report both, as on raw templates.
NO_CMK = {"launch-template-imdsv2", "launch-template-metadata-hop-limit", "launch-template-volumes-cmk"}


def test_a_compliant_node_group_v2_fails_only_what_no_input_of_it_can_change():
    found = judged("eks:index:NodeGroupV2", V2)
    assert set(found) == NO_CMK
    assert found["launch-template-imdsv2"][0].endswith(
        "(on the component: none: eks.NodeGroupV2 takes no metadata options; use an eks.ManagedNodeGroup with your own "
        "launchTemplate (enableIMDSv2 sets hop limit 2))")
    assert found["launch-template-volumes-cmk"] == [
        "eks:index:NodeGroupV2 'c' (its launch template): the root volume uses the AWS-managed EBS key; set "
        "ebs.kmsKeyId to a customer-managed key (on the component: pulumi-eks takes no root-volume key; use a "
        "ManagedNodeGroup with your own launch template)"]


@pytest.mark.parametrize("changes, control, says", [
    # nodegroup.ts: ``nodeAssociatePublicIpAddress ?? true``.
    ({"nodeAssociatePublicIpAddress": None}, "ec2-no-public-ip", "input nodeAssociatePublicIpAddress (pulumi-eks "
                                                                 "defaults it to true)"),
    ({"keyName": "ops"}, "eks-node-group-component-no-ssh", "sets key pair 'ops'"),
    ({"nodePublicKey": "ssh-ed25519 AAAA"}, "eks-node-group-component-no-ssh",
     "sets key pair 'the one pulumi-eks makes of nodePublicKey'"),
    ({"instanceType": "p5.48xlarge"}, "gpu-instance-types-allowed", "input instanceType"),
])
def test_one_node_group_v2_input_breaks_one_control(changes, control, says):
    found = judged("eks:index:NodeGroupV2", {k: v for k, v in {**V2, **changes}.items() if v is not None})
    assert set(found) - NO_CMK == {control}
    [message] = found[control]
    assert message.startswith("eks:index:NodeGroupV2 'c' (its launch template)") and says in message


def test_node_group_v2_root_volume_defaults_follow_the_operating_system():
    # AL2023 (the default OS): no root-volume input, no block device mapping (the AMI's volume).
    [message] = judged("eks:index:NodeGroupV2", without(V2, "nodeRootVolumeEncrypted"))["launch-template-encrypted-volumes"]
    assert "declares no EBS volumes" in message and "input nodeRootVolumeEncrypted" in message
    # A size alone declares the volume, unencrypted; AL2 always declares it, encrypted only when asked.
    sized = {**without(V2, "nodeRootVolumeEncrypted"), "nodeRootVolumeSize": 100.0}
    assert "is not encrypted" in judged("eks:index:NodeGroupV2", sized)["launch-template-encrypted-volumes"][0]
    al2 = {**without(V2, "nodeRootVolumeEncrypted"), "amiType": "AL2_x86_64_GPU"}
    assert "/dev/xvda is not encrypted" in judged("eks:index:NodeGroupV2", al2)["launch-template-encrypted-volumes"][0]
    assert set(judged("eks:index:NodeGroupV2", {**V2, "operatingSystem": "AL2"})) == NO_CMK


def test_unknown_node_group_inputs_are_not_judged():
    unknown = {key: UNKNOWN for key in ("nodeRootVolumeEncrypted", "nodeAssociatePublicIpAddress", "keyName",
                                        "instanceType")}
    assert set(judged("eks:index:NodeGroupV2", unknown)) == NO_CMK - {"launch-template-volumes-cmk"}
    assert set(judged("eks:index:NodeGroupV2", {**V2, "amiType": UNKNOWN})) == NO_CMK - {"launch-template-volumes-cmk"}
    assert not NO_CMK & set(judged("eks:index:Cluster", {"skipDefaultNodeGroup": UNKNOWN}))
    assert not NO_CMK & set(judged("eks:index:Cluster", {"nodeGroupOptions": UNKNOWN}))
    assert set(judged("eks:index:ManagedNodeGroup", {"enableIMDSv2": UNKNOWN, "diskSize": UNKNOWN,
                                                     "remoteAccess": UNKNOWN, "instanceTypes": UNKNOWN})) == set()


def test_the_self_managed_v1_node_group_is_a_launch_configuration_without_metadata_options():
    group = {"nodeRootVolumeEncrypted": True, "nodeAssociatePublicIpAddress": False}
    [message] = judged("eks:index:NodeGroup", group)["ec2-imdsv2-required"]
    assert message.startswith("eks:index:NodeGroup 'c' (its launch configuration): metadataOptions.httpTokens is not set")
    assert "eks.NodeGroup takes no metadata options; use an eks.ManagedNodeGroup" in message
    assert set(judged("eks:index:NodeGroup", group)) == {"ec2-imdsv2-required"}
    assert set(judged("eks:index:NodeGroup", {**group, "nodeRootVolumeEncrypted": False})) == {
        "ec2-imdsv2-required", "ec2-volumes-encrypted"}
    assert set(judged("eks:index:NodeGroup", without(group, "nodeAssociatePublicIpAddress"))) == {
        "ec2-imdsv2-required", "ec2-no-public-ip"}
    assert set(judged("eks:index:NodeGroup", {**group, "keyName": "ops"})) == {
        "ec2-imdsv2-required", "eks-node-group-component-no-ssh"}


def test_a_cluster_judges_its_default_node_group_unless_it_has_none():
    # cluster.ts: the cluster's own node inputs (or nodeGroupOptions) make a NodeGroupV2, which takes no
    # metadataOptions from the cluster: IMDSv1 and the AMI's hop limit.
    cluster = {"nodeRootVolumeEncrypted": True, "nodeAssociatePublicIpAddress": False}
    node_rules = {"launch-template-imdsv2", "launch-template-metadata-hop-limit"} | NO_CMK
    found = judged("eks:index:Cluster", cluster)
    assert node_rules <= set(found) and "ec2-no-public-ip" not in found
    assert found["launch-template-imdsv2"][0].startswith("eks:index:Cluster 'c' (its default node group's launch template)")
    assert "ec2-no-public-ip" in judged("eks:index:Cluster", {"nodeRootVolumeEncrypted": True})
    options = {"nodeGroupOptions": {"nodeRootVolumeEncrypted": True, "nodeAssociatePublicIpAddress": True}}
    assert "input nodeGroupOptions.nodeAssociatePublicIpAddress" in judged("eks:index:Cluster", options)[
        "ec2-no-public-ip"][0]
    ssh = judged("eks:index:Cluster", {**cluster, "nodePublicKey": "ssh-ed25519 AAAA"})["eks-node-group-component-no-ssh"]
    assert "(on the component: input nodePublicKey)" in ssh[0]
    for skip in ({"skipDefaultNodeGroup": True}, {"fargate": True}, {"autoMode": {"enabled": True}}):
        assert not node_rules & set(judged("eks:index:Cluster", {**cluster, **skip})), skip


def test_a_cluster_judges_the_egress_of_the_security_groups_it_makes():
    # cluster.ts and nodes/securitygroup.ts: "Allow internet access." (all protocols to 0.0.0.0/0) on the cluster
    # security group (unless clusterSecurityGroup) and the node security group, unless skipDefaultSecurityGroups.
    egress = judged("eks:index:Cluster", {})["security-group-no-unrestricted-egress"]
    assert [message.split(": Egress")[0] for message in egress] == [
        "eks:index:Cluster 'c' (its node security group's egress rule)",
        "eks:index:Cluster 'c' (its cluster security group's egress rule)"]
    assert len(judged("eks:index:Cluster", {"clusterSecurityGroup": "sg-1"})["security-group-no-unrestricted-egress"]) == 1
    for skip in ({"skipDefaultSecurityGroups": True}, {"autoMode": {"enabled": True}}, {"skipDefaultSecurityGroups": UNKNOWN}):
        assert "security-group-no-unrestricted-egress" not in judged("eks:index:Cluster", skip), skip


MNG = {"instanceTypes": ["g5.xlarge"], "nodeRoleArn": "arn:aws:iam::123456789012:role/nodes",
       "scalingConfig": {"desiredSize": 1.0, "minSize": 0.0, "maxSize": 2.0},
       "taints": [{"key": "nvidia.com/gpu", "value": "true", "effect": "NO_SCHEDULE"}]}


def test_a_managed_node_group_is_its_node_group_and_the_launch_template_its_inputs_require():
    assert judged("eks:index:ManagedNodeGroup", MNG) == {}
    assert judged("eks:index:ManagedNodeGroup", {**MNG, "launchTemplate": {"id": "lt-1", "version": "1"}}) == {}
    [[ssh]] = judged("eks:index:ManagedNodeGroup", {**MNG, "remoteAccess": {"ec2SshKey": "ops"}}).values()
    assert ssh == ("eks:index:ManagedNodeGroup 'c' (its node group) allows SSH (remoteAccess is set): remove it and "
                   "use SSM Session Manager (on the component: input remoteAccess)")
    assert set(judged("eks:index:ManagedNodeGroup", {**MNG, "instanceTypes": ["p5.48xlarge"]})) == {
        "gpu-instance-types-allowed"}
    # createMNGCustomLaunchTemplate: enableIMDSv2 makes a template with hop limit 2 and no encrypted volume.
    assert set(judged("eks:index:ManagedNodeGroup", {**MNG, "enableIMDSv2": True})) == {
        "launch-template-metadata-hop-limit", "launch-template-encrypted-volumes"}
    assert set(judged("eks:index:ManagedNodeGroup", {**MNG, "enableIMDSv2": False})) == {
        "launch-template-imdsv2", "launch-template-metadata-hop-limit", "launch-template-encrypted-volumes"}
    assert "is not encrypted" in judged("eks:index:ManagedNodeGroup", {**MNG, "amiId": "ami-1", "diskSize": 50.0})[
        "launch-template-encrypted-volumes"][0]


# --------------------------------------------------------------------------------------------------
# pulumi-awsx

CONTAINER = {"name": "app", "image": "123456789012.dkr.ecr.us-east-1.amazonaws.com/app:1", "user": "1000:1000",
             "readonlyRootFilesystem": True, "essential": True,
             "secrets": [{"name": "DB_PASSWORD", "valueFrom": "arn:aws:secretsmanager:us-east-1:123456789012:secret:db"}]}
NETWORK = {"subnets": ["subnet-1"], "securityGroups": ["sg-1"], "assignPublicIp": False}
LOGS = {"args": {"kmsKeyId": KEY, "retentionInDays": 365.0}}
SERVICE = {"cluster": "arn:aws:ecs:us-east-1:123456789012:cluster/c", "networkConfiguration": NETWORK,
           "taskDefinitionArgs": {"container": CONTAINER, "logGroup": LOGS}}


@pytest.mark.parametrize("kind", ["awsx:ecs:FargateService", "awsx:ecs:EC2Service"])
def test_a_compliant_awsx_service_passes(kind):
    assert judged(kind, SERVICE) == {}
    assert judged(kind, {**SERVICE, "taskDefinitionArgs": {"containers": {"app": CONTAINER}, "logGroup": LOGS}}) == {}


def test_the_log_group_awsx_makes_for_a_task_is_judged_unless_skipped_or_existing():
    # cloudwatch/logGroup.ts defaultLogGroup: a log group of logGroup.args, none with skip or existing.
    task = {"container": CONTAINER}
    found = judged("awsx:ecs:FargateTaskDefinition", task)
    assert set(found) == {"log-group-kms-encryption", "log-group-retention"}
    assert found["log-group-retention"] == [
        "awsx:ecs:FargateTaskDefinition 'c' (the log group awsx makes for it): retentionInDays is not set: logs would "
        "be kept forever. Set at least 365 days. (on the component: input logGroup.args)"]
    for given in ({"existing": {"name": "app"}}, UNKNOWN, {"args": UNKNOWN}):
        assert judged("awsx:ecs:FargateTaskDefinition", {**task, "logGroup": given}) == {}, given
    assert set(judged("awsx:ecs:FargateTaskDefinition", {**task, "logGroup": {"skip": True}})) == {
        "ecs-task-container-logging"}  # no log group made, so none to judge, and the container logs nowhere
    assert "input taskDefinitionArgs.logGroup.args" in judged("awsx:ecs:EC2Service", {
        **SERVICE, "taskDefinitionArgs": {"container": CONTAINER}})["log-group-kms-encryption"][0]


@pytest.mark.parametrize("container, control, says", [
    ({"privileged": True}, "ecs-task-no-privileged-containers", "container 'app' is privileged"),
    ({"user": None}, "ecs-task-non-root-user", "container 'app' sets no user"),
    ({"readonlyRootFilesystem": None}, "ecs-task-read-only-root-filesystem", "can write to its root filesystem"),
    ({"environment": [{"name": "API_TOKEN", "value": "ghp_" + "a" * 36}]}, "no-plaintext-secrets-in-environment",
     "container 'app' environment 'API_TOKEN'"),
])
def test_one_awsx_container_setting_breaks_one_control(container, control, says):
    changed = {k: v for k, v in {**CONTAINER, **container}.items() if v is not None}
    found = judged("awsx:ecs:FargateService", {**SERVICE, "taskDefinitionArgs": {"container": changed, "logGroup": LOGS}})
    assert set(found) == {control}
    [message] = found[control]
    assert message.startswith("awsx:ecs:FargateService 'c' (its task definition): ") and says in message
    assert message.endswith("(on the component: input taskDefinitionArgs.container or taskDefinitionArgs.containers)")


def test_awsx_containers_log_to_the_task_log_group_unless_it_is_skipped():
    # containers.ts computeContainerDefinition: awslogs to the task's log group when there is one.
    unlogged = judged("awsx:ecs:FargateTaskDefinition", {"container": CONTAINER, "logGroup": {"skip": True}})
    assert set(unlogged) == {"ecs-task-container-logging"}
    assert "container 'app' has no logConfiguration.logDriver" in unlogged["ecs-task-container-logging"][0]
    for log_group in (LOGS, {"existing": {"name": "app"}}, {"skip": UNKNOWN}):
        assert judged("awsx:ecs:FargateTaskDefinition", {"container": CONTAINER, "logGroup": log_group}) == {}
    firelens = {**CONTAINER, "logConfiguration": {"logDriver": "awsfirelens"}}
    assert judged("awsx:ecs:EC2TaskDefinition", {"container": firelens, "logGroup": {"skip": True}}) == {}


def test_an_awsx_service_network_and_its_defaults():
    public = judged("awsx:ecs:FargateService", {**SERVICE, "networkConfiguration": {**NETWORK, "assignPublicIp": True}})
    assert public == {"ecs-service-no-public-ip": [
        "awsx:ecs:FargateService 'c' (its service) gives its tasks public IP addresses "
        "(networkConfiguration.assignPublicIp) (on the component: input networkConfiguration.assignPublicIp)"]}
    # fargateService.ts getDefaultNetworkConfiguration: assignPublicIp false, and a security group open to all.
    default = judged("awsx:ecs:FargateService", without(SERVICE, "networkConfiguration"))
    assert set(default) == {"security-group-no-public-admin-ingress", "security-group-no-unrestricted-egress",
                            "security-group-public-ingress-web-only"}
    assert default["security-group-no-public-admin-ingress"][0].startswith(
        "awsx:ecs:FargateService 'c' (the security group awsx makes for it): Ingress from 0.0.0.0/0")
    assert "ecs-service-no-public-ip" in judged("awsx:ecs:FargateService",
                                                {**without(SERVICE, "networkConfiguration"), "assignPublicIp": True})
    # An EC2 service has no such default; a service naming an existing task definition judges none.
    assert judged("awsx:ecs:EC2Service", without(SERVICE, "networkConfiguration")) == {}
    assert judged("awsx:ecs:FargateService", {**without(SERVICE, "taskDefinitionArgs"), "taskDefinition": "arn:td"}) == {}


def test_awsx_task_definitions_and_their_task_settings():
    task = {"container": CONTAINER, "logGroup": LOGS}
    for kind in ("awsx:ecs:FargateTaskDefinition", "awsx:ecs:EC2TaskDefinition"):
        assert judged(kind, task) == {}, kind
    # Fargate is always awsvpc (fargateTaskDefinition.ts); an EC2 task takes networkMode.
    assert set(judged("awsx:ecs:EC2TaskDefinition", {**task, "networkMode": "host"})) == {"ecs-task-no-host-network"}
    assert set(judged("awsx:ecs:EC2TaskDefinition", {**task, "pidMode": "host"})) == {"ecs-task-no-host-pid-ipc"}
    role = {"roleArn": "arn:aws:iam::123456789012:role/app"}
    shared = judged("awsx:ecs:FargateTaskDefinition", {**task, "taskRole": role, "executionRole": role})
    assert set(shared) == {"ecs-task-separate-execution-role"}
    efs = [{"name": "data", "efsVolumeConfiguration": {"fileSystemId": "fs-1"}}]
    assert set(judged("awsx:ecs:FargateTaskDefinition", {**task, "volumes": efs})) == {"ecs-task-efs-transit-encryption"}
    # containers: a map; each container is named by its key (containers.ts).
    [message] = judged("awsx:ecs:FargateTaskDefinition", {"containers": {"worker": {**CONTAINER, "privileged": True}}},
                       )["ecs-task-no-privileged-containers"]
    assert "container 'worker' is privileged" in message


def test_unknown_awsx_inputs_are_not_judged():
    assert judged("awsx:ecs:FargateService", {**SERVICE, "taskDefinitionArgs": UNKNOWN}) == {}
    assert judged("awsx:ecs:FargateService", {**SERVICE, "taskDefinitionArgs": {"container": UNKNOWN, "logGroup": LOGS},
                                              "networkConfiguration": UNKNOWN}) == {}
    unknown_container = {k: UNKNOWN for k in ("privileged", "user", "readonlyRootFilesystem", "environment")}
    assert judged("awsx:ecs:FargateTaskDefinition", {"container": {"name": "app", **unknown_container},
                                                     "logGroup": LOGS}) == {}
    assert judged("awsx:lb:NetworkLoadBalancer", {**NLB, "listener": UNKNOWN, "internal": UNKNOWN,
                                                  "accessLogs": UNKNOWN}) == {}
    assert judged("awsx:ecr:Repository", {k: UNKNOWN for k in REPOSITORY}, protect=True) == {}
    assert judged("awsx:lb:ApplicationLoadBalancer", {**ALB, "defaultSecurityGroup": UNKNOWN}) == {}


NLB = {"internal": True, "accessLogs": {"bucket": "logs", "enabled": True}, "subnetIds": ["subnet-1"],
       "listener": {"port": 443.0, "protocol": "TLS", "certificateArn": "arn:aws:acm:us-east-1:1:certificate/c",
                    "sslPolicy": "ELBSecurityPolicy-TLS13-1-2-2021-06"}}


def test_awsx_network_load_balancer():
    assert judged("awsx:lb:NetworkLoadBalancer", NLB) == {}
    # networkLoadBalancer.ts: no listener given is TCP on port 80 (plain TCP, not HTTP: no https finding).
    assert judged("awsx:lb:NetworkLoadBalancer", without(NLB, "listener")) == {}
    [weak] = judged("awsx:lb:NetworkLoadBalancer", {**NLB, "listener": without(NLB["listener"], "sslPolicy")}).values()
    assert weak == ["awsx:lb:NetworkLoadBalancer 'c' (its listener #0) uses sslPolicy not set (defaults to "
                    "ELBSecurityPolicy-2016-08), which is not a current TLS 1.2+ policy; use e.g. "
                    "ELBSecurityPolicy-TLS13-1-2-2021-06 (on the component: input listener)"]
    assert set(judged("awsx:lb:NetworkLoadBalancer", without(NLB, "internal"))) == {"lb-internal-unless-declared-public"}
    assert set(judged("awsx:lb:NetworkLoadBalancer", without(NLB, "accessLogs"))) == {"lb-access-logs"}
    listeners = {**without(NLB, "listener"), "listeners": [NLB["listener"], {"port": 8443.0, "protocol": "TLS"}]}
    assert "(its listener #1)" in judged("awsx:lb:NetworkLoadBalancer", listeners)["lb-listener-tls-policy"][0]


ALB = {"internal": True, "accessLogs": {"bucket": "logs", "enabled": True}, "dropInvalidHeaderFields": True,
       "subnetIds": ["subnet-1"], "securityGroups": ["sg-1"],
       "listener": {"port": 443.0, "protocol": "HTTPS", "certificateArn": "arn:c",
                    "sslPolicy": "ELBSecurityPolicy-TLS13-1-2-2021-06"}}


def test_awsx_application_load_balancer_security_group():
    assert judged("awsx:lb:ApplicationLoadBalancer", ALB) == {}
    # applicationLoadBalancer.ts: without securityGroups it makes one open to all traffic from anywhere.
    assert set(judged("awsx:lb:ApplicationLoadBalancer", without(ALB, "securityGroups"))) == {
        "security-group-no-public-admin-ingress", "security-group-no-unrestricted-egress",
        "security-group-public-ingress-web-only"}
    for default in ({"skip": True}, {"securityGroupId": "sg-1"}):
        assert judged("awsx:lb:ApplicationLoadBalancer",
                      {**without(ALB, "securityGroups"), "defaultSecurityGroup": default}) == {}


REPOSITORY = {"imageTagMutability": "IMMUTABLE", "imageScanningConfiguration": {"scanOnPush": True},
              "encryptionConfigurations": [{"encryptionType": "KMS", "kmsKey": KEY}]}


@pytest.mark.parametrize("omitted, control", [
    # repository.ts passes the inputs to aws.ecr.Repository as given: ECR's defaults (MUTABLE, no scan, AES256).
    ("imageTagMutability", "ecr-image-tags-immutable"), ("imageScanningConfiguration", "ecr-scan-on-push"),
    ("encryptionConfigurations", "ecr-kms-encryption"),
])
def test_awsx_repository_defaults_are_ecrs(omitted, control):
    assert judged("awsx:ecr:Repository", {**REPOSITORY, "lifecyclePolicy": {"skip": True}}, protect=True) == {}
    [message] = judged("awsx:ecr:Repository", without(REPOSITORY, omitted), protect=True)[control]
    assert message.startswith("awsx:ecr:Repository 'c' (its repository)")


def test_an_awsx_repository_is_a_data_store_protected_through_its_component():
    # The component's protect option is its children's (the SDK's parent inheritance).
    assert set(judged("awsx:ecr:Repository", REPOSITORY)) == {"stateful-resource-protected"}
    assert set(judged("awsx:ecr:Repository", {**REPOSITORY, "forceDelete": True}, protect=True)) == {
        "data-store-deletion-protection"}


TRAIL = {"isMultiRegionTrail": True, "enableLogFileValidation": True, "kmsKeyId": KEY,
         "cloudWatchLogsGroup": {"enable": True, **LOGS}, "s3Bucket": {"existing": {"name": "trail-logs"}}}


@pytest.mark.parametrize("omitted, control", [
    # cloudtrail/trail.ts: the inputs as given, so pulumi-aws's defaults; CloudWatch Logs only when enabled.
    ("isMultiRegionTrail", "cloudtrail-multi-region"), ("enableLogFileValidation", "cloudtrail-log-file-validation"),
    ("kmsKeyId", "data-store-customer-managed-key"), ("cloudWatchLogsGroup", "cloudtrail-cloudwatch-logs"),
])
def test_awsx_trail_defaults_are_cloudtrails(omitted, control):
    assert judged("awsx:cloudtrail:Trail", TRAIL) == {}
    found = judged("awsx:cloudtrail:Trail", without(TRAIL, omitted))
    assert set(found) == {control} and found[control][0].startswith("awsx:cloudtrail:Trail 'c' (its trail)")
    assert judged("awsx:cloudtrail:Trail", {k: UNKNOWN for k in TRAIL}) == {}


# --------------------------------------------------------------------------------------------------
# The inputs read are the SDKs'

def _wire_names(args_class: type) -> set[str]:
    """The names an SDK's Args class sends: each property's ``pulumi.getter`` name, else its camelCase."""
    names = set()
    for name, value in vars(args_class).items():
        if isinstance(value, property):
            names.add(getattr(value.fget, "_pulumi_name", None)
                      or "".join(word.capitalize() if i else word for i, word in enumerate(name.split("_"))))
    return names


@pytest.mark.parametrize("component, module, args", [
    ("eks:index:NodeGroupV2", "pulumi_eks", "NodeGroupV2Args"), ("eks:index:NodeGroup", "pulumi_eks", "NodeGroupArgs"),
    ("eks:index:ManagedNodeGroup", "pulumi_eks", "ManagedNodeGroupArgs"), ("eks:index:Cluster", "pulumi_eks", "ClusterArgs"),
    ("awsx:ecs:FargateService", "pulumi_awsx.ecs", "FargateServiceArgs"),
    ("awsx:ecs:EC2Service", "pulumi_awsx.ecs", "EC2ServiceArgs"),
    ("awsx:ecs:FargateTaskDefinition", "pulumi_awsx.ecs", "FargateTaskDefinitionArgs"),
    ("awsx:ecs:EC2TaskDefinition", "pulumi_awsx.ecs", "EC2TaskDefinitionArgs"),
    ("awsx:lb:NetworkLoadBalancer", "pulumi_awsx.lb", "NetworkLoadBalancerArgs"),
    ("awsx:lb:ApplicationLoadBalancer", "pulumi_awsx.lb", "ApplicationLoadBalancerArgs"),
    ("awsx:ecr:Repository", "pulumi_awsx.ecr", "RepositoryArgs"),
    ("awsx:cloudtrail:Trail", "pulumi_awsx.cloudtrail", "TrailArgs"),
])
def test_every_component_input_read_is_one_its_sdk_takes(component, module, args):
    sdk = pytest.importorskip(module)
    taken = _wire_names(getattr(sdk, args))
    read: set[str] = set()

    class Recording(dict):
        def get(self, key, default=None):
            read.add(key)
            return super().get(key, default)

        def items(self):
            return []

    BUILDERS[component][1](resource_args(component, {}), Recording())
    examples = {"awsx:ecs:FargateService": SERVICE, "awsx:ecs:EC2Service": SERVICE,
                "awsx:lb:NetworkLoadBalancer": NLB, "awsx:lb:ApplicationLoadBalancer": ALB,
                "awsx:ecr:Repository": {**REPOSITORY, "lifecyclePolicy": {}}, "eks:index:ManagedNodeGroup": MNG,
                "awsx:cloudtrail:Trail": TRAIL,
                "eks:index:NodeGroupV2": V2}
    assert read | set(examples.get(component, {})) <= taken, (read | set(examples.get(component, {}))) - taken
