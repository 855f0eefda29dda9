"""Kueue quota for a team's batch jobs, via yaml.v2.ConfigGroup.
Seeded: job in the default namespace, hostNetwork, runs as root (runAsUser 0), image without tag,
secret literal in env, a Role granting create on pods/exec."""
import pulumi_kubernetes as k8s

MANIFESTS = """
apiVersion: kueue.x-k8s.io/v1beta1
kind: ClusterQueue
metadata:
  name: shared
spec:
  namespaceSelector: {}
  resourceGroups:
  - coveredResources: ["cpu", "memory", "nvidia.com/gpu"]
    flavors:
    - name: default-flavor
      resources:
      - {name: cpu, nominalQuota: 64}
      - {name: memory, nominalQuota: 256Gi}
      - {name: nvidia.com/gpu, nominalQuota: 8}
---
apiVersion: kueue.x-k8s.io/v1beta1
kind: LocalQueue
metadata:
  name: shared
spec:
  clusterQueue: shared
---
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata:
  name: job-debugger
rules:
- apiGroups: [""]
  resources: ["pods", "pods/exec"]
  verbs: ["get", "list", "create"]
---
apiVersion: batch/v1
kind: Job
metadata:
  name: finetune
  labels:
    kueue.x-k8s.io/queue-name: shared
spec:
  suspend: true
  template:
    spec:
      restartPolicy: Never
      hostNetwork: true
      securityContext:
        runAsUser: 0
      tolerations:
      - {key: nvidia.com/gpu, operator: Exists, effect: NoSchedule}
      containers:
      - name: trainer
        image: huggingface/transformers-pytorch-gpu
        env:
        - name: HF_TOKEN
          value: hf_aBcDeFgHiJkLmNoPqRsTuVwXyZ0123456789
        resources:
          requests: {cpu: "8", memory: 32Gi, nvidia.com/gpu: "1"}
          limits: {memory: 32Gi, nvidia.com/gpu: "1"}
"""

k8s.yaml.v2.ConfigGroup("shared-queue", yaml=MANIFESTS)
