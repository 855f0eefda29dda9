"""The Amazon EKS container-image registry of each region (add-on and EKS-published images such as
the EFA device plugin): ``<account>.dkr.ecr.<region>.<domain>/eks/<image>``.

Sources: the EKS user guide's "View Amazon container image registries for Amazon EKS add-ons"
(docs.aws.amazon.com/eks/latest/userguide/add-ons-images.html) and the same table in
awslabs/amazon-eks-ami (``templates/*/runtime/bin/...get-ecr-uri`` / ``files/get-ecr-uri.sh``).
Every region not listed uses 602401143452. A node pulls from its own region's registry: pulling
from another region (the charts' us-west-2 default) crosses regions over the NAT gateway, fails in
opt-in regions whose registry lives in another account, and breaks when that region is down.
"""

from __future__ import annotations

DEFAULT_ACCOUNT = "602401143452"
#: Regions whose EKS registry is in an account of its own.
REGION_ACCOUNTS: dict[str, str] = {
    "af-south-1": "877085696533",
    "ap-east-1": "800184023465",
    "ap-south-2": "900889452093",
    "ap-southeast-3": "296578399912",
    "ap-southeast-4": "491585149902",
    "ca-west-1": "761377655185",
    "cn-north-1": "918309763551",
    "cn-northwest-1": "961992271922",
    "eu-central-2": "900612956339",
    "eu-south-1": "590381155156",
    "eu-south-2": "455263428931",
    "il-central-1": "066635153087",
    "me-central-1": "759879836304",
    "me-south-1": "558608220178",
    "us-gov-east-1": "151742754352",
    "us-gov-west-1": "013241004608",
}


def eks_registry(region: str) -> str:
    """``<account>.dkr.ecr.<region>.amazonaws.com`` (``.com.cn`` in the China regions)."""
    domain = "amazonaws.com.cn" if region.startswith("cn-") else "amazonaws.com"
    return f"{REGION_ACCOUNTS.get(region, DEFAULT_ACCOUNT)}.dkr.ecr.{region}.{domain}"


def eks_image_repository(region: str, image: str) -> str:
    """An EKS-published image in ``region``'s registry, e.g. ``eks/aws-efa-k8s-device-plugin``."""
    return f"{eks_registry(region)}/eks/{image}"
