"""GPU capacity through Karpenter, tuned so pods can reach the node's metadata.
Seeded: IMDSv1 allowed, hop limit 2, an unencrypted root volume, GPU NodePool without the GPU taint."""
import pulumi_kubernetes as k8s

k8s.apiextensions.CustomResource(
    "gpu-class", api_version="karpenter.k8s.aws/v1", kind="EC2NodeClass",
    metadata={"name": "gpu"},
    spec={
        "role": "KarpenterNodeRole-ml-prod",
        "amiSelectorTerms": [{"alias": "al2023@latest"}],
        "subnetSelectorTerms": [{"tags": {"karpenter.sh/discovery": "ml-prod"}}],
        "securityGroupSelectorTerms": [{"tags": {"karpenter.sh/discovery": "ml-prod"}}],
        "metadataOptions": {"httpTokens": "optional", "httpPutResponseHopLimit": 2},
        "blockDeviceMappings": [{"deviceName": "/dev/xvda", "ebs": {"volumeSize": "200Gi", "encrypted": False}}],
    })
k8s.apiextensions.CustomResource(
    "gpu-pool", api_version="karpenter.sh/v1", kind="NodePool", metadata={"name": "gpu"},
    spec={"template": {"spec": {
        "nodeClassRef": {"group": "karpenter.k8s.aws", "kind": "EC2NodeClass", "name": "gpu"},
        "requirements": [{"key": "karpenter.k8s.aws/instance-family", "operator": "In", "values": ["g5"]}]}}})
