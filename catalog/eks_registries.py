"""The Amazon EKS container-image registry of each region (add-on and EKS-published images such as
the EFA device plugin): ``<account>.dkr.ecr.<region>.<domain>/eks/<image>``.

Sources: the EKS user guide's "View Amazon container image registries for Amazon EKS add-ons"
(docs.aws.amazon.com/eks/latest/userguide/add-ons-images.html) and the same table in
awslabs/amazon-eks-ami (``templates/*/runtime/bin/...get-ecr-uri`` / ``files/get-ecr-uri.sh``).
Every region not listed uses 602401143452. Checked 2026-12-01 against the user guide's source,
awsdocs/amazon-eks-user-guide ``latest/ug/workloads/add-ons-images.adoc``: all the accounts below
match it; ap-east-2, ap-southeast-6/7 and mx-central-1 were missing and are added, and
ap-southeast-5 from the same page's docs.amazonaws.cn copy (zh_cn ``add-ons-images.md``). The page
prints ap-east-2's host as ``...ap-east-1.amazonaws.com``, read here as a typo for its own region.
Not covered: ``eusc-de-east-1`` (877088126301, domain ``amazonaws.eu``) and the isolated
``us-iso*`` regions. A node pulls from its own region's registry: pulling
from another region (the charts' us-west-2 default) crosses regions over the NAT gateway, fails in
opt-in regions whose registry lives in another account, and breaks when that region is down.
"""

from __future__ import annotations

DEFAULT_ACCOUNT = "602401143452"
#: Regions whose EKS registry is in an account of its own.
REGION_ACCOUNTS: dict[str, str] = {
    "af-south-1": "877085696533",
    "ap-east-1": "800184023465",
    "ap-east-2": "533267051163",
    "ap-south-2": "900889452093",
    "ap-southeast-3": "296578399912",
    "ap-southeast-4": "491585149902",
    "ap-southeast-5": "151610086707",
    "ap-southeast-6": "333609536671",
    "ap-southeast-7": "121268973566",
    "ca-west-1": "761377655185",
    "cn-north-1": "918309763551",
    "cn-northwest-1": "961992271922",
    "eu-central-2": "900612956339",
    "eu-south-1": "590381155156",
    "eu-south-2": "455263428931",
    "il-central-1": "066635153087",
    "me-central-1": "759879836304",
    "me-south-1": "558608220178",
    "mx-central-1": "730335286997",
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
