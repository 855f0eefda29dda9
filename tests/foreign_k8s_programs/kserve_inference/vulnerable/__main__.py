"""A KServe InferenceService, as a quick demo that went to prod.
Seeded: default namespace, a privileged model container, hostNetwork on the predictor, an API key
as a literal env value, a GPU model without the taint toleration."""
import pulumi_kubernetes as k8s

k8s.apiextensions.CustomResource(
    "llama", api_version="serving.kserve.io/v1beta1", kind="InferenceService",
    metadata={"name": "llama"},
    spec={"predictor": {
        "hostNetwork": True,
        "model": {
            "modelFormat": {"name": "huggingface"},
            "storageUri": "hf://meta-llama/Meta-Llama-3-8B-Instruct",
            "env": [{"name": "HF_TOKEN", "value": "hf_aBcDeFgHiJkLmNoPqRsTuVwXyZ0123456789"}],
            "securityContext": {"privileged": True},
            "resources": {"limits": {"nvidia.com/gpu": "1", "memory": "32Gi"}, "requests": {"cpu": "4", "memory": "32Gi"}},
        },
    }})
