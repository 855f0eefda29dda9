"""The mlinfra-compliance policy pack. Run by the Pulumi CLI: `pulumi preview --policy-pack policies/compliance`.

Its rules are the ``COMPLIANCE`` lists of the modules in ``policies.rules``, imported from this
repository's installed distribution. Every rule is advisory unless the pack configuration
(``policies/config/<env>/compliance.json``) makes it mandatory. Starting the pack serves the analyzer
protocol and blocks: never import this file.
"""

from pathlib import Path

from pulumi_policy import EnforcementLevel, PolicyPack

from policies.rules import collect
from policies.waivers import honor_waivers
from policies.rules._analyzer import share_decoded_inputs
from policies.rules._secrets import keep_secret_strings

keep_secret_strings()  # rules can tell a Pulumi secret from a literal (see policies/rules/_secrets.py)
share_decoded_inputs()  # each request's inputs decoded once, not once per policy (policies/rules/_analyzer.py)

PolicyPack(
    name="mlinfra-compliance",
    # Under `pulumi up` with MLINFRA_PACK_WAIVERS=on, waived violations are not reported (policies/waivers.py).
    policies=honor_waivers(collect("compliance"), "mlinfra-compliance", Path(__file__).resolve().parent.parent / "config"),
    enforcement_level=EnforcementLevel.ADVISORY,
    description="mlinfra compliance rules: required tags, allowed regions, logging, retention, flow logs and versioning.",
)
