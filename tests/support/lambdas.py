"""The Lambda handlers' test kit: golden events, the IDs the dummy environment names, and an
import of a handler module that swaps its boto3 client for a stubbed one.

The handler modules create their boto3 client at import time, which needs a region, so
:func:`import_handler` is called after ``tests/lambdas/conftest.py``'s ``aws_env`` fixture has set
a dummy AWS environment.
"""

from __future__ import annotations

import importlib
import json
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

EVENTS = Path(__file__).resolve().parents[1] / "lambdas" / "events"
USER_POOL_ID = "us-east-1_example"
CLIENT_ID = "1example23456789abcdefghij"


def load_event(name: str) -> dict[str, Any]:
    """A golden event from tests/lambdas/events (a fresh copy each time)."""
    return json.loads((EVENTS / f"{name}.json").read_text())


def import_handler(
    name: str, monkeypatch: pytest.MonkeyPatch, client: Any | None = None
) -> ModuleType:
    """Import ``lambdas.<name>.handler`` (call after aws_env) and give it the stubbed client."""
    module = importlib.import_module(f"lambdas.{name}.handler")
    if client is not None:
        monkeypatch.setattr(module, "cognito", client)
    return module


#: an AuthenticationResult as Cognito answers a sign-in (fake values, for stubbed clients)
TOKENS = {
    "AccessToken": "access.token.value",
    "ExpiresIn": 3600,
    "IdToken": "id.token.value",
    "RefreshToken": "refresh-token-value",
    "TokenType": "Bearer",
}
