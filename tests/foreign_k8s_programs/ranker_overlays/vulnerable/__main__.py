"""The online ranking model server: the platform's kustomize base and the team's prod overlay, deployed
with kustomize.v2.Directory.

Seeded, each by a kustomize feature the base does not show: the overlay sets no namespace (everything
lands in default); a strategic-merge patch puts the feature-store token in the container's env as a
literal; a JSON 6902 patch turns on hostNetwork and a privileged container; the images transformer
retags the image latest; no hardening component, so the pod runs with no security context and no
resources; no NetworkPolicy.
"""
import pulumi
import pulumi_kubernetes as k8s

ranker = k8s.kustomize.v2.Directory("ranker", directory="deploy/overlays/prod")
pulumi.export("resources", ranker.resources)
