"""A policy pack whose two rules do nothing, for ``benchmarks/review_throughput.py --noop``.

Reviewing with it measures what the analyzer protocol itself costs (the SDK's gRPC server in the
pack, the reviewer's client, one ``Analyze`` call per resource): the ceiling any pack's rules can
only lower.
"""

from pulumi_policy import PolicyPack, ResourceValidationPolicy, StackValidationPolicy

PolicyPack(
    name="noop",
    policies=[
        ResourceValidationPolicy(name="noop-resource", description="Does nothing.",
                                 validate=lambda args, report_violation: None),
        StackValidationPolicy(name="noop-stack", description="Does nothing.",
                              validate=lambda args, report_violation: None),
    ],
)
