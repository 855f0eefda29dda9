"""Which AWS resource types take tags: from ``catalog.taggable``'s tables (generated from pulumi-aws and
pulumi-aws-native)."""

from __future__ import annotations

from typing import Any

from catalog.taggable import takes_tags
from policies.rules._props import has_key, is_aws


def is_taggable(resource_type: str, props: Any = None) -> bool:
    """True for AWS resources that accept tags: they declare ``tags``/``tagsAll`` or their pulumi-aws
    (pulumi-aws-native) class takes ``tags`` (``catalog/data/pulumi_aws_taggable.json``,
    ``pulumi_aws_native_taggable.json``)."""
    if not is_aws(resource_type):
        return False
    if has_key(props, "tags") or has_key(props, "tagsAll"):
        return True
    return takes_tags(resource_type)
