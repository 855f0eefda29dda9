"""The online ranking model server: the platform's kustomize base (a generated ConfigMap), a hardening
Component (Pod Security Restricted contexts, resources) and the team's prod overlay (its namespace and a
default-deny NetworkPolicy, a name prefix, three replicas, a merged config, the feature-store token from
a Secret by strategic-merge patch, the image mirrored to ECR and pinned by digest), deployed with
kustomize.v2.Directory.
"""
import pulumi
import pulumi_kubernetes as k8s

ranker = k8s.kustomize.v2.Directory("ranker", directory="deploy/overlays/prod")
pulumi.export("resources", ranker.resources)
