"""What AWS and Kubernetes offer, as data and pure functions: no Pulumi import, no AWS call.

Components, configuration validation, preflight and the policy packs all judge by these tables,
so they agree on one source:

- ``catalog.gpu``: EC2 GPU instance types for training node groups (GPUs, memory, vCPUs, EFA).
- ``catalog.eks``: supported EKS Kubernetes versions and their managed add-on versions.
- ``catalog.inference_instances``: SageMaker hosting instance families and what they support.
- ``catalog.images``: framework serving images, from ``sagemaker-core``'s bundled JSON.
- ``catalog.classification``: the data-classification tag and the types that must carry it.
- ``catalog.data_stores``: the stateful AWS types and where each keeps its protection settings.

Nothing here imports another package of this repository or Pulumi (``tests/test_layout.py``).
"""
