"""Triton Inference Server for the ranking models, from manifests adapted from NVIDIA's examples and
declared with yaml.ConfigGroup (v1): the YAML strings inline, a transformation that moves every object
into the team's namespace.

Seeded: the model repository cached on the node (hostPath); the server adds SYS_ADMIN (to mount S3 with
FUSE) and runs in the host network; the image is :latest; pods mount the default service account's token;
the Service is an internet-facing NLB with no loadBalancerSourceRanges; the metrics Ingress (nginx) has no
TLS; no NetworkPolicy in the namespace.
"""
import pulumi
import pulumi_kubernetes as k8s

NAMESPACE = "ranking"

ns = k8s.core.v1.Namespace("ranking", metadata={"name": NAMESPACE})

SERVER = """
apiVersion: apps/v1
kind: StatefulSet
metadata:
  name: triton
  labels: {app: triton}
spec:
  serviceName: triton
  replicas: 2
  selector:
    matchLabels: {app: triton}
  template:
    metadata:
      labels: {app: triton}
    spec:
      hostNetwork: true
      tolerations:
      - {key: nvidia.com/gpu, operator: Exists, effect: NoSchedule}
      containers:
      - name: tritonserver
        image: nvcr.io/nvidia/tritonserver:latest
        args: ["tritonserver", "--model-repository=/models", "--strict-model-config=false"]
        ports:
        - {name: http, containerPort: 8000}
        - {name: grpc, containerPort: 8001}
        - {name: metrics, containerPort: 8002}
        securityContext:
          capabilities:
            add: ["SYS_ADMIN"]
        resources:
          requests: {cpu: "4", memory: 16Gi, nvidia.com/gpu: "1"}
          limits: {memory: 16Gi, nvidia.com/gpu: "1"}
        volumeMounts:
        - {name: model-cache, mountPath: /models}
      volumes:
      - name: model-cache
        hostPath:
          path: /var/lib/triton/models
          type: DirectoryOrCreate
"""

NETWORK = """
apiVersion: v1
kind: Service
metadata:
  name: triton
  annotations:
    service.beta.kubernetes.io/aws-load-balancer-type: external
    service.beta.kubernetes.io/aws-load-balancer-nlb-target-type: ip
    service.beta.kubernetes.io/aws-load-balancer-scheme: internet-facing
spec:
  type: LoadBalancer
  selector: {app: triton}
  ports:
  - {name: http, port: 8000, targetPort: 8000}
  - {name: grpc, port: 8001, targetPort: 8001}
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: triton-metrics
spec:
  ingressClassName: nginx
  rules:
  - host: triton-metrics.ml.example.com
    http:
      paths:
      - path: /metrics
        pathType: Prefix
        backend:
          service:
            name: triton
            port: {number: 8002}
"""


def into_namespace(obj, opts):
    obj.setdefault("metadata", {})["namespace"] = NAMESPACE


serving = k8s.yaml.ConfigGroup("triton", yaml=[SERVER, NETWORK], transformations=[into_namespace],
                               opts=pulumi.ResourceOptions(depends_on=[ns]))
pulumi.export("service", serving.get_resource("v1/Service", "triton", NAMESPACE).metadata["name"])
