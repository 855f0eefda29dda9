"""A KServe InferenceService (a Hugging Face LLM on a GPU) and its own ServingRuntime, through a
provider whose namespace is 'models'."""
import pulumi
import pulumi_kubernetes as k8s

models = k8s.Provider("models", namespace="models")
opts = pulumi.ResourceOptions(provider=models)
k8s.core.v1.Namespace("models", metadata={"name": "models",
                                           "labels": {"pod-security.kubernetes.io/enforce": "restricted"}}, opts=opts)
k8s.networking.v1.NetworkPolicy("models-deny", spec={"podSelector": {}, "policyTypes": ["Ingress"]}, opts=opts)

RESTRICTED = {"allowPrivilegeEscalation": False, "readOnlyRootFilesystem": True, "runAsNonRoot": True,
              "runAsUser": 1000, "capabilities": {"drop": ["ALL"]}, "seccompProfile": {"type": "RuntimeDefault"}}

k8s.apiextensions.CustomResource(
    "vllm-runtime", api_version="serving.kserve.io/v1alpha1", kind="ServingRuntime",
    metadata={"name": "vllm-runtime"},
    spec={
        "supportedModelFormats": [{"name": "huggingface", "version": "1", "autoSelect": True}],
        "protocolVersions": ["v2"],
        "containers": [{
            "name": "kserve-container",
            "image": "kserve/huggingfaceserver:v0.13.0",
            "imagePullPolicy": "Always",
            "args": ["--model_name={{.Name}}"],
            "securityContext": RESTRICTED,
            "resources": {"requests": {"cpu": "2", "memory": "16Gi"}, "limits": {"memory": "16Gi"}},
        }],
    }, opts=opts)

k8s.apiextensions.CustomResource(
    "llama", api_version="serving.kserve.io/v1beta1", kind="InferenceService",
    metadata={"name": "llama", "annotations": {"serving.kserve.io/deploymentMode": "RawDeployment"}},
    spec={"predictor": {
        "serviceAccountName": "llama-reader",
        "automountServiceAccountToken": False,
        "tolerations": [{"key": "nvidia.com/gpu", "operator": "Exists", "effect": "NoSchedule"}],
        "model": {
            "modelFormat": {"name": "huggingface"},
            "runtime": "vllm-runtime",
            "storageUri": "s3://acme-models/llama-3-8b/",
            "securityContext": RESTRICTED,
            "resources": {"requests": {"cpu": "4", "memory": "32Gi", "nvidia.com/gpu": "1"},
                          "limits": {"memory": "32Gi", "nvidia.com/gpu": "1"}},
        },
    }}, opts=opts)
