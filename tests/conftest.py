"""Pytest's fixtures and hooks for every test: a real local cloud for the session, a role Lambda
may assume on it, and ``make test``'s order. What they are built from is in ``tests.support``.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support import (
    BASIC_EXECUTION_ROLE,
    LAMBDA_TRUST,
    LocalCloud,
    start_localcloud,
    stop_localcloud,
)


@pytest.fixture(scope="session")
def localcloud(tmp_path_factory) -> Iterator[LocalCloud]:
    """One local cloud for the test session (tests create uniquely named resources)."""
    cloud = start_localcloud(tmp_path_factory.mktemp("localcloud"))
    yield cloud
    stop_localcloud(cloud)


@pytest.fixture(scope="session")
def lambda_role(localcloud) -> str:
    """ARN of a role that Lambda may assume, allowed to write its logs (nothing else)."""
    iam = localcloud.client("iam")
    arn = iam.create_role(
        RoleName="test-lambda-role", AssumeRolePolicyDocument=json.dumps(LAMBDA_TRUST)
    )["Role"]["Arn"]
    iam.attach_role_policy(RoleName="test-lambda-role", PolicyArn=BASIC_EXECUTION_ROLE)
    return arn


def phase_of(path: Path) -> int:
    """``make test``'s order: unit tests (0), integration tests on their own local clouds (1),
    then whatever runs the notebook series: papermill, newman, the browser (2)."""
    parts = path.parts
    if "notebooks" in parts and path.name in ("test_series.py", "test_series_aws_timing.py"):
        return 2
    if "web" in parts:
        return 2
    return 1 if "integration" in parts else 0


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    items.sort(key=lambda item: phase_of(Path(str(item.path))))  # stable: file order kept
