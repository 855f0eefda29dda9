"""Model monitoring of inference endpoints: ``EndpointMonitor`` and its pure parts.

``args``, ``images`` and ``documents`` import no Pulumi provider code, so configuration validation
can use them cheaply; the component lives in ``monitor``
(``from components.monitoring.monitor import EndpointMonitor, EndpointMonitorArgs``).
"""
