"""Airflow with the KubernetesExecutor for the feature pipelines: the platform's kustomize base and the
team's prod overlay (its namespace, Pod Security Restricted, a default-deny NetworkPolicy, an internal
load balancer, the Airflow image mirrored to ECR and pinned by digest), deployed with
kustomize.v2.Directory. The Fernet key and the database URL come from a Secret the External Secrets
operator syncs; the scheduler's Role is what the executor calls.
"""
import pulumi
import pulumi_kubernetes as k8s

airflow = k8s.kustomize.v2.Directory("airflow", directory="deploy/overlays/prod")
pulumi.export("resources", airflow.resources)
