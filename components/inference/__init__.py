"""SageMaker inference endpoints: ``InferenceEndpoint`` and its pure parts.

``instance_types``, ``images`` and ``args`` import no Pulumi provider code, so configuration
validation and the policy packs can use them cheaply; the component itself lives in ``endpoint``
(``from components.inference.endpoint import InferenceEndpoint, InferenceEndpointArgs``).
"""
