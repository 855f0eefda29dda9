"""GPU training cluster: EKS, GPU node groups, GPU add-ons, Kueue and KubeRay.

The component lives in ``components.training.cluster`` (``TrainingCluster``, ``TrainingClusterArgs``);
the other modules are plain logic (instance-type and version tables, validation, Kubernetes object
specs, IAM documents) importable without Pulumi's provider SDKs, e.g. by the policy packs.
"""
