"""Stage 5, integration: call the backend the method is integrated with, by its type.

``AWS_PROXY`` (Lambda) in :mod:`.invoke`, after the invoke-permission check of :mod:`.permission`;
``MOCK`` in :mod:`.mock`. Any other type is not served locally (a 500).
"""

from __future__ import annotations

from .errors import IntegrationConfigurationError
from .invoke import invoke_lambda_proxy
from .mock import mock_response
from .model import Backends, Context, HttpResponse


def integrate(ctx: Context, backends: Backends) -> HttpResponse:
    method = ctx.method
    assert method is not None
    integration = method.integration
    if not integration:
        raise IntegrationConfigurationError(detail="method has no integration")
    kind = (integration.get("type") or "").upper()
    if kind == "AWS_PROXY":
        return invoke_lambda_proxy(ctx, integration, backends)
    if kind == "MOCK":
        return mock_response(integration)
    raise IntegrationConfigurationError(detail=f"integration type {kind} is not run locally")
