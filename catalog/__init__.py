"""What AWS and Kubernetes offer, as data and pure functions: no Pulumi import, read by components,
configuration, policies and preflight alike."""
