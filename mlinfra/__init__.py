"""mlinfra: machine-learning platform infrastructure on AWS, on Pulumi, with policy-as-code review."""

__version__ = "0.1.0"
