"""Fixtures for the helpers' unit tests: real boto3 clients behind a ``Stubber``, no network.

Two kinds of waiting are made instant and recorded:

- ``helpers.retry.with_retry`` binds ``sleep=time.sleep`` when it is defined, so patching
  ``time.sleep`` does not reach it; ``retry_sleeps`` swaps the ``with_retry`` a helpers module
  imported for one whose ``sleep`` appends to a list.
- botocore's waiters call ``time.sleep`` at run time; ``no_sleep`` patches it globally.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator

import boto3
import pytest
from botocore.stub import Stubber

import helpers.retry
from tests.support import REGION
from tests.support.isolation import keep_learner_files_out


def make_client(service: str):
    return boto3.client(
        service, region_name=REGION, aws_access_key_id="x", aws_secret_access_key="x"
    )


@pytest.fixture(autouse=True)
def _no_real_aws(monkeypatch, tmp_path):
    """Keep the learner's outputs file and AWS configuration out of every test."""
    keep_learner_files_out(monkeypatch, tmp_path)


@pytest.fixture
def stubbed() -> Iterator[Callable[[str], tuple[object, Stubber]]]:
    """``stubbed("lambda")`` -> (client, active stubber); every stub must be consumed."""
    stubbers: list[Stubber] = []

    def make(service: str):
        client = make_client(service)
        stubber = Stubber(client)
        stubber.activate()
        stubbers.append(stubber)
        return client, stubber

    yield make
    for stubber in stubbers:
        stubber.deactivate()


@pytest.fixture
def no_sleep(monkeypatch) -> list[float]:
    """``time.sleep`` (as botocore's waiters call it) returns at once; the delays asked for."""
    delays: list[float] = []
    monkeypatch.setattr("time.sleep", delays.append)
    return delays


@pytest.fixture
def retry_sleeps(monkeypatch) -> Callable[[str], list[float]]:
    """``retry_sleeps("helpers.functions")``: that module's ``with_retry`` sleeps into a list."""

    def patch(module: str) -> list[float]:
        delays: list[float] = []
        fast = functools.partial(helpers.retry.with_retry, sleep=delays.append)
        monkeypatch.setattr(f"{module}.with_retry", fast)
        return delays

    return patch
