"""GPU capacity through Karpenter: an EC2NodeClass (IMDSv2, one hop, encrypted root volume on our key)
and a NodePool of tainted g5/g6 nodes, as apiextensions.CustomResources."""
import pulumi
import pulumi_aws as aws
import pulumi_kubernetes as k8s

CLUSTER = "ml-prod"
TAGS = {"owner": "ml-platform", "cost-center": "42", "environment": "prod", "data-classification": "internal"}
key = aws.kms.Key("node-volumes", description="Karpenter node volumes", enable_key_rotation=True,
                  deletion_window_in_days=30, tags=TAGS, opts=pulumi.ResourceOptions(protect=True))

node_class = k8s.apiextensions.CustomResource(
    "gpu-class", api_version="karpenter.k8s.aws/v1", kind="EC2NodeClass",
    metadata={"name": "gpu"},
    spec={
        "role": f"KarpenterNodeRole-{CLUSTER}",
        "amiSelectorTerms": [{"alias": "al2023@v20240807"}],
        "subnetSelectorTerms": [{"tags": {"karpenter.sh/discovery": CLUSTER}}],
        "securityGroupSelectorTerms": [{"tags": {"karpenter.sh/discovery": CLUSTER}}],
        "associatePublicIPAddress": False,
        "metadataOptions": {"httpEndpoint": "enabled", "httpTokens": "required", "httpPutResponseHopLimit": 1},
        "blockDeviceMappings": [{"deviceName": "/dev/xvda", "ebs": {
            "volumeSize": "200Gi", "volumeType": "gp3", "encrypted": True, "kmsKeyID": key.arn,
            "deleteOnTermination": True}}],
        "tags": TAGS,
    })

k8s.apiextensions.CustomResource(
    "gpu-pool", api_version="karpenter.sh/v1", kind="NodePool",
    metadata={"name": "gpu"},
    spec={
        "template": {"spec": {
            "nodeClassRef": {"group": "karpenter.k8s.aws", "kind": "EC2NodeClass", "name": "gpu"},
            "taints": [{"key": "nvidia.com/gpu", "value": "true", "effect": "NoSchedule"}],
            "requirements": [
                {"key": "karpenter.k8s.aws/instance-family", "operator": "In", "values": ["g5", "g6"]},
                {"key": "karpenter.sh/capacity-type", "operator": "In", "values": ["on-demand"]}],
            "expireAfter": "720h",
        }},
        "limits": {"nvidia.com/gpu": 16},
        "disruption": {"consolidationPolicy": "WhenEmpty", "consolidateAfter": "10m"},
    },
    opts=pulumi.ResourceOptions(depends_on=[node_class]))
