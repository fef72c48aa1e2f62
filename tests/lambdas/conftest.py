"""Fixtures for the Lambda handlers' unit tests: no network, no cloud, Cognito is a Stubber.

The handler modules create their boto3 client at import time, which needs a region. Tests
therefore import them inside fixtures, after ``aws_env`` has set a dummy AWS environment, and
then swap the module's ``cognito`` client for a stubbed one (``tests.support.lambdas``).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.stub import Stubber

from tests.support.lambdas import CLIENT_ID, USER_POOL_ID


@pytest.fixture(autouse=True)
def aws_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """A dummy AWS environment that never reads the developer's own config or credentials."""
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "no-aws-config"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "no-aws-credentials"))
    for name in ("AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_ENDPOINT_URL", "AWS_REGION"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("USER_POOL_ID", USER_POOL_ID)
    monkeypatch.setenv("CLIENT_ID", CLIENT_ID)


@pytest.fixture
def cognito() -> Iterator[tuple[Any, Stubber]]:
    """A real cognito-idp client with an active Stubber: (client, stubber)."""
    client = boto3.client(
        "cognito-idp",
        region_name="us-east-1",
        aws_access_key_id="x",
        aws_secret_access_key="x",
    )
    with Stubber(client) as stubber:
        yield client, stubber
