"""GPU training cluster: EKS, GPU node groups, GPU add-ons, Kueue and KubeRay.

The component lives in ``components.training.cluster`` (``TrainingCluster``, ``TrainingClusterArgs``);
the other modules are plain logic (validation, Kubernetes object specs, IAM documents) importable
without Pulumi's provider SDKs. The GPU instance-type and EKS version tables are in ``catalog``
(``catalog.gpu``, ``catalog.eks``).
"""
