"""A real local cloud process on a free port for tests and ``make bench``, and what they build on
it: boto3 clients, Lambda functions from source text, unique names, invocation counts.

Tests never touch the local cloud that ``make up`` runs: each session starts its own.
"""

from __future__ import annotations

import io
import json
import os
import subprocess
import urllib.request
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import boto3

from localcloud import ephemeral
from localcloud.ephemeral import free_port  # noqa: F401  (the tests' and bench's free port)

REGION = "us-east-1"
ACCOUNT = "123456789012"
BASIC_EXECUTION_ROLE = "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole"
LAMBDA_TRUST = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Effect": "Allow",
            "Principal": {"Service": "lambda.amazonaws.com"},
            "Action": "sts:AssumeRole",
        }
    ],
}


@dataclass
class LocalCloud:
    """A local cloud process started for tests (or ``make bench``)."""

    endpoint: str
    port: int
    proc: subprocess.Popen
    log_path: Path
    _clients: dict = field(default_factory=dict)

    def client(self, service: str, **kwargs):
        if kwargs:
            return boto3.client(service, **self.client_kwargs(), **kwargs)
        if service not in self._clients:
            self._clients[service] = boto3.client(service, **self.client_kwargs())
        return self._clients[service]

    def client_kwargs(self) -> dict:
        return {
            "endpoint_url": self.endpoint,
            "region_name": REGION,
            "aws_access_key_id": "testing",
            "aws_secret_access_key": "testing",
        }

    def stage_url(self, api_id: str, stage: str, path: str = "") -> str:
        return f"{self.endpoint}/restapis/{api_id}/{stage}/_user_request_/{path.lstrip('/')}"

    def stats(self) -> dict:
        with urllib.request.urlopen(f"{self.endpoint}/_localcloud/stats") as resp:
            return json.loads(resp.read())

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")


def start_localcloud(tmp: Path, seed: int | None = None) -> LocalCloud:
    """A local cloud of the tests' own on a free port, logging into ``tmp``."""
    started, proc = ephemeral.start(tmp, seed=seed)
    return LocalCloud(
        endpoint=started.endpoint, port=started.port, proc=proc, log_path=started.log_path
    )


def stop_localcloud(cloud: LocalCloud) -> None:
    ephemeral.stop(cloud.proc)


def zip_code(source: str, filename: str = "handler.py") -> bytes:
    """A deployment package holding one module."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as archive:
        archive.writestr(filename, source)
    return buf.getvalue()


_counter = iter(range(1, 1_000_000))


def unique(prefix: str) -> str:
    """A resource name unique within the test session."""
    return f"{prefix}-{os.getpid()}-{next(_counter)}"


def create_function(
    cloud: LocalCloud,
    role: str,
    source: str,
    *,
    name: str | None = None,
    handler: str = "handler.handler",
    runtime: str = "python3.12",
    **extra,
) -> dict:
    """Create a Lambda function from source text; returns its configuration."""
    return cloud.client("lambda").create_function(
        FunctionName=name or unique("fn"),
        Runtime=runtime,
        Role=role,
        Handler=handler,
        Code={"ZipFile": zip_code(source)},
        **extra,
    )


def count_invocations(cloud: LocalCloud, function_name: str) -> int:
    """How many times a function ran, counted from its CloudWatch log group (START lines)."""
    logs = cloud.client("logs")
    group = f"/aws/lambda/{function_name}"
    try:
        events = logs.filter_log_events(logGroupName=group, filterPattern="START")["events"]
    except logs.exceptions.ResourceNotFoundException:
        return 0
    return sum(1 for e in events if e["message"].startswith("START RequestId:"))
