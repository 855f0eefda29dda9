"""Training cluster specs as plain data: IAM documents, kubeconfig, Kueue objects, Helm values."""

from components.training import iam, kube
from components.training.args import GpuNodeGroupArgs, TeamArgs


def test_pod_identity_trust_is_scoped_to_cluster_namespaces_and_service_account():
    arn = "arn:aws:eks:us-east-1:123456789012:cluster/c"
    statement = iam.pod_identity_trust(arn, ["nlp", "vision"], "training-job")["Statement"][0]
    assert statement["Principal"] == {"Service": "pods.eks.amazonaws.com"}
    assert statement["Action"] == ["sts:AssumeRole", "sts:TagSession"]
    assert statement["Condition"] == {"StringEquals": {
        "aws:RequestTag/eks-cluster-arn": arn,
        "aws:RequestTag/kubernetes-namespace": ["nlp", "vision"],
        "aws:RequestTag/kubernetes-service-account": "training-job"}}


def test_training_job_policy_uses_keys_only_through_s3():
    document = iam.training_job_policy(dataset_bucket_arn="arn:aws:s3:::d", dataset_key_arn="kd",
                                       artifact_bucket_arn="arn:aws:s3:::a", artifact_key_arn="ka", region="eu-west-1")
    actions = {action for s in document["Statement"] for action in ([s["Action"]] if isinstance(s["Action"], str) else s["Action"])}
    assert not any(a.endswith("*") for a in actions) and "s3:DeleteObject" not in actions
    for statement in document["Statement"]:
        if statement["Sid"].endswith(("Datasets", "Artifacts")) and "kms" in str(statement["Action"]):
            assert statement["Condition"] == {"StringEquals": {"kms:ViaService": "s3.eu-west-1.amazonaws.com"}}
    assert {s["Resource"] for s in document["Statement"]} == {"arn:aws:s3:::d", "arn:aws:s3:::d/*", "arn:aws:s3:::a/*",
                                                              "kd", "ka"}


def test_autoscaler_may_only_scale_groups_of_its_cluster():
    document = iam.cluster_autoscaler_policy(cluster_name="c", nodegroup_arn_pattern="arn:ng/c/*/*")
    scale = next(s for s in document["Statement"] if s["Sid"] == "ScaleOwnGroups")
    assert scale["Condition"] == {"StringEquals": {"aws:ResourceTag/k8s.io/cluster-autoscaler/c": "owned"}}
    assert next(s for s in document["Statement"] if s["Sid"] == "ReadNodeGroups")["Resource"] == "arn:ng/c/*/*"


def test_kubeconfig_authenticates_with_aws_eks_get_token():
    config = kube.kubeconfig(cluster_name="c", endpoint="https://x", certificate_authority="Q0E=", region="eu-west-1")
    assert config["current-context"] == "c"
    assert config["clusters"][0]["cluster"] == {"server": "https://x", "certificate-authority-data": "Q0E="}
    assert config["users"][0]["user"]["exec"]["args"] == [
        "eks", "get-token", "--cluster-name", "c", "--region", "eu-west-1", "--output", "json"]


def test_gpu_labels_mark_efa_groups():
    plain = kube.gpu_node_labels(GpuNodeGroupArgs("g", ["g6.xlarge"], max_size=1))
    assert plain == {"nvidia.com/gpu": "true", "mlinfra.io/node-group": "g", "mlinfra.io/ami-family": "al2023",
                     "k8s.amazonaws.com/accelerator": "nvidia-l4"}
    efa = kube.gpu_node_labels(GpuNodeGroupArgs("p", ["p5.48xlarge"], max_size=1, efa=True, availability_zones=["a"]))
    assert efa["vpc.amazonaws.com/efa.present"] == "true"


def test_device_plugin_skips_bottlerocket_and_tolerates_the_taint():
    values = kube.device_plugin_values()
    terms = values["affinity"]["nodeAffinity"]["requiredDuringSchedulingIgnoredDuringExecution"]["nodeSelectorTerms"]
    assert {"key": "mlinfra.io/ami-family", "operator": "In", "values": ["al2023"]} in terms[0]["matchExpressions"]
    assert values["tolerations"] == [kube.GPU_TOLERATION]
    assert kube.dcgm_exporter_values()["serviceMonitor"] == {"enabled": False}


def test_cluster_queue_admits_only_its_namespace_without_borrowing():
    spec = kube.cluster_queue_spec(TeamArgs("nlp", gpus=16, cpus=64, memory_gib=512), efa=False)
    assert spec["namespaceSelector"] == {"matchLabels": {"kubernetes.io/metadata.name": "nlp"}}
    assert "cohort" not in spec
    group = spec["resourceGroups"][0]
    assert group["coveredResources"] == ["cpu", "memory", "nvidia.com/gpu"]
    assert group["flavors"] == [
        {"name": "cpu", "resources": [
            {"name": "cpu", "nominalQuota": "64"}, {"name": "memory", "nominalQuota": "512Gi"},
            {"name": "nvidia.com/gpu", "nominalQuota": "0"}]},
        {"name": "gpu", "resources": [
            {"name": "cpu", "nominalQuota": "64"}, {"name": "memory", "nominalQuota": "512Gi"},
            {"name": "nvidia.com/gpu", "nominalQuota": "16"}]}]
    # The CPU flavor puts CPU-only pods on the system group, without the GPU toleration.
    assert kube.cpu_flavor_spec() == {"nodeLabels": {"mlinfra.io/node-group": "system"}}


def test_eks_images_come_from_each_regions_own_registry():
    from catalog.eks_registries import eks_image_repository

    assert eks_image_repository("eu-west-1", "x") == "602401143452.dkr.ecr.eu-west-1.amazonaws.com/eks/x"
    assert eks_image_repository("af-south-1", "x") == "877085696533.dkr.ecr.af-south-1.amazonaws.com/eks/x"
    assert eks_image_repository("cn-north-1", "x") == "918309763551.dkr.ecr.cn-north-1.amazonaws.com.cn/eks/x"
    # Newer opt-in regions, from the EKS user guide's add-ons-images table (checked 2026-12-01).
    assert eks_image_repository("ap-southeast-7", "x") == "121268973566.dkr.ecr.ap-southeast-7.amazonaws.com/eks/x"
    assert eks_image_repository("mx-central-1", "x") == "730335286997.dkr.ecr.mx-central-1.amazonaws.com/eks/x"
    assert kube.efa_plugin_values(region="me-south-1")["image"]["repository"].startswith(
        "558608220178.dkr.ecr.me-south-1.amazonaws.com/")
    assert "vpc.amazonaws.com/efa" in kube.cluster_queue_spec(TeamArgs("nlp", 1), efa=True)["resourceGroups"][0][
        "coveredResources"]


def test_team_namespace_enforces_baseline_pod_security_and_gpu_quota():
    team = TeamArgs("nlp", gpus=16)
    assert kube.team_namespace_labels(team)["pod-security.kubernetes.io/enforce"] == "baseline"
    assert kube.gpu_quota(team) == {"requests.nvidia.com/gpu": "16"}
    assert kube.queue_names([team]) == {"nlp": "nlp/training"}
