"""Airflow with the KubernetesExecutor for the feature pipelines: the platform's kustomize base and the
team's prod overlay, deployed with kustomize.v2.Directory.

Seeded: the overlay sets no namespace (everything lands in default); the scheduler's Role lists Secrets and
execs into task pods; the Fernet key and a database URL with its password are literal env values; the
scheduler runs as root and writes task logs to a hostPath; the overlay retags the Airflow image latest
(kustomize images); the webserver Service is a public load balancer (no scheme annotation); no
NetworkPolicy.
"""
import pulumi
import pulumi_kubernetes as k8s

airflow = k8s.kustomize.v2.Directory("airflow", directory="deploy/overlays/prod")
pulumi.export("resources", airflow.resources)
