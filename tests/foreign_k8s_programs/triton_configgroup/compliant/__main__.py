"""Triton Inference Server for the ranking models, from manifests adapted from NVIDIA's examples and
declared with yaml.ConfigGroup (v1): the YAML strings inline, a transformation that moves every object
into the team's namespace. Models are synced from S3 by an init container into an emptyDir (IRSA, no
FUSE), the NLB is internal, the metrics Ingress terminates TLS, Pod Security Restricted.
"""
import pulumi
import pulumi_kubernetes as k8s

NAMESPACE = "ranking"
REGISTRY = "123456789012.dkr.ecr.us-east-1.amazonaws.com"
TRITON = f"{REGISTRY}/tritonserver@sha256:" + "d" * 64
AWS_CLI = f"{REGISTRY}/aws-cli@sha256:" + "e" * 64

ns = k8s.core.v1.Namespace("ranking", metadata={
    "name": NAMESPACE, "labels": {"pod-security.kubernetes.io/enforce": "restricted"}})

SERVER = f"""
apiVersion: v1
kind: ServiceAccount
metadata:
  name: triton
  annotations:
    eks.amazonaws.com/role-arn: arn:aws:iam::123456789012:role/triton-model-reader
automountServiceAccountToken: false
---
apiVersion: apps/v1
kind: StatefulSet
metadata:
  name: triton
  labels: {{app: triton}}
spec:
  serviceName: triton
  replicas: 2
  selector:
    matchLabels: {{app: triton}}
  template:
    metadata:
      labels: {{app: triton}}
    spec:
      serviceAccountName: triton
      automountServiceAccountToken: false
      securityContext:
        runAsNonRoot: true
        runAsUser: 1000
        fsGroup: 1000
        seccompProfile: {{type: RuntimeDefault}}
      tolerations:
      - {{key: nvidia.com/gpu, operator: Exists, effect: NoSchedule}}
      initContainers:
      - name: sync-models
        image: {AWS_CLI}
        args: ["s3", "sync", "s3://ml-ranking-models/triton/", "/models"]
        securityContext: &hardened
          allowPrivilegeEscalation: false
          readOnlyRootFilesystem: true
          capabilities: {{drop: ["ALL"]}}
        resources:
          requests: {{cpu: 500m, memory: 1Gi}}
          limits: {{memory: 1Gi}}
        volumeMounts:
        - {{name: models, mountPath: /models}}
      containers:
      - name: tritonserver
        image: {TRITON}
        imagePullPolicy: Always
        args: ["tritonserver", "--model-repository=/models", "--strict-model-config=false"]
        ports:
        - {{name: http, containerPort: 8000}}
        - {{name: grpc, containerPort: 8001}}
        - {{name: metrics, containerPort: 8002}}
        securityContext: *hardened
        readinessProbe:
          httpGet: {{path: /v2/health/ready, port: 8000}}
        resources:
          requests: {{cpu: "4", memory: 16Gi, nvidia.com/gpu: "1"}}
          limits: {{memory: 16Gi, nvidia.com/gpu: "1"}}
        volumeMounts:
        - {{name: models, mountPath: /models}}
        - {{name: tmp, mountPath: /tmp}}
      volumes:
      - name: models
        emptyDir: {{sizeLimit: 50Gi}}
      - name: tmp
        emptyDir: {{sizeLimit: 1Gi}}
"""

NETWORK = """
apiVersion: v1
kind: Service
metadata:
  name: triton
  annotations:
    service.beta.kubernetes.io/aws-load-balancer-type: external
    service.beta.kubernetes.io/aws-load-balancer-nlb-target-type: ip
    service.beta.kubernetes.io/aws-load-balancer-scheme: internal
spec:
  type: LoadBalancer
  loadBalancerSourceRanges: ["10.0.0.0/16"]
  selector: {app: triton}
  ports:
  - {name: http, port: 8000, targetPort: 8000}
  - {name: grpc, port: 8001, targetPort: 8001}
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: triton
spec:
  podSelector:
    matchLabels: {app: triton}
  policyTypes: ["Ingress"]
  ingress:
  - from:
    - ipBlock: {cidr: 10.0.0.0/16}
    ports:
    - {port: 8000}
    - {port: 8001}
  - from:
    - namespaceSelector:
        matchLabels: {kubernetes.io/metadata.name: ingress-nginx}
    ports:
    - {port: 8002}
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: triton-metrics
spec:
  ingressClassName: nginx
  tls:
  - hosts: [triton-metrics.ml.example.com]
    secretName: triton-metrics-tls
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
