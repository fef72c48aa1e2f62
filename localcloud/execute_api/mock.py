"""Stage 5, integration, ``MOCK``: the request template's ``statusCode`` picks the integration
response, whose template is the body and whose static ``'value'`` parameters become headers
(docs/aws-behavior.md#lambda-proxy-integration)."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any

from .errors import IntegrationConfigurationError
from .model import HttpResponse


def mock_response(integration: Mapping[str, Any]) -> HttpResponse:
    """The MOCK integration: statusCode from the JSON request template, then its response."""
    templates = integration.get("requestTemplates") or {}
    template = templates.get("application/json") or next(iter(templates.values()), None)
    status = 200
    if template:
        try:
            status = int(json.loads(template).get("statusCode", 200))
        except (ValueError, AttributeError, TypeError):
            status = 200
    responses = integration.get("integrationResponses") or {}
    chosen = None
    for response in responses.values():
        pattern = response.get("selectionPattern")
        if pattern and re.fullmatch(pattern, str(status)):
            chosen = response
            break
        if not pattern and chosen is None:
            chosen = response
    if chosen is None:
        raise IntegrationConfigurationError(
            detail="No match for output mapping and no default output mapping specified"
        )
    body_templates = chosen.get("responseTemplates") or {}
    body = body_templates.get("application/json") or next(iter(body_templates.values()), "") or ""
    headers = [("Content-Type", "application/json")]
    for key, value in (chosen.get("responseParameters") or {}).items():
        prefix = "method.response.header."
        if key.startswith(prefix) and value.startswith("'") and value.endswith("'"):
            headers.append((key[len(prefix) :], value[1:-1]))
    return HttpResponse(
        status=int(chosen.get("statusCode", 200)), headers=headers, body=body.encode("utf-8")
    )
