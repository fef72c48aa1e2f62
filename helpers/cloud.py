"""Where the series acts: the one place that decides the target.

``connect("local", region)`` talks to the local cloud on ``127.0.0.1:$LOCALCLOUD_PORT`` with fixed
dummy credentials, so nothing can reach a real account by mistake; ``connect("aws", region)`` uses
boto3's default credential chain (profile, environment, SSO). The notebooks never branch on the
target: they ask the :class:`Cloud` for clients and URLs.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

import boto3
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError, NoCredentialsError

from helpers.errors import KitError, install_friendly_errors
from helpers.outputs import Outputs

TARGETS = ("local", "aws")
REPO_ROOT = Path(__file__).resolve().parents[1]
#: the local cloud accepts any keys; fixed ones keep the learner's real keys out of it
LOCAL_CREDENTIALS = {"aws_access_key_id": "local", "aws_secret_access_key": "local"}
_REGION = re.compile(r"^[a-z]{2}(-gov)?-[a-z]+-\d$")


def local_port() -> int:
    """The local cloud's port: ``LOCALCLOUD_PORT``, else 4566 (as ``make up`` uses)."""
    raw = os.environ.get("LOCALCLOUD_PORT", "4566")
    if not raw.isdigit() or not 0 < int(raw) < 65536:
        raise KitError(f"LOCALCLOUD_PORT={raw!r} is not a port number; set it to one such as 4566.")
    return int(raw)


def local_endpoint(port: int | None = None) -> str:
    return f"http://127.0.0.1:{port or local_port()}"


def local_cloud_health(port: int | None = None) -> dict | None:
    """The local cloud's health document, or None when none answers on the port."""
    from localcloud.probe import health

    return health(port or local_port())


def ensure_local_cloud(port: int | None = None) -> dict:
    """Find the local cloud on its port, or start it (as ``make up`` does); its health document."""
    port = port or local_port()
    running = local_cloud_health(port)
    if running:
        return running
    env = dict(os.environ, LOCALCLOUD_PORT=str(port))
    env.setdefault("LOCALCLOUD_HOME", str(REPO_ROOT / ".localcloud"))
    done = subprocess.run(
        [sys.executable, "-m", "localcloud", "up", "--port", str(port)],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    running = local_cloud_health(port)
    if not running:
        reason = (done.stderr or done.stdout).strip().splitlines()[-1:] or ["no reason given"]
        raise KitError(f"The local cloud did not start: {reason[0]}")
    return running


@dataclass
class Cloud:
    """A target: its region, endpoint (None on AWS), boto3 session and the stack's outputs file."""

    target: str
    region: str
    endpoint_url: str | None
    session: boto3.Session
    _clients: dict[str, Any] = field(default_factory=dict, repr=False)

    def client(self, service: str) -> Any:
        """A boto3 client for ``service`` on this target (one per service, reused)."""
        if service not in self._clients:
            config = Config(
                retries={"mode": "standard", "max_attempts": 2 if self.is_local else 5},
                connect_timeout=2 if self.is_local else 10,
                read_timeout=70,
            )
            self._clients[service] = self.session.client(
                service, endpoint_url=self.endpoint_url, config=config
            )
        return self._clients[service]

    @property
    def is_local(self) -> bool:
        return self.target == "local"

    @cached_property
    def identity(self) -> dict[str, str]:
        """``sts get-caller-identity``: who the notebooks act as."""
        try:
            found = self.client("sts").get_caller_identity()
        except NoCredentialsError:
            raise KitError(
                "No AWS credentials found; run `aws configure` (or set AWS_PROFILE) and run "
                "this cell again."
            ) from None
        except ClientError as err:
            raise KitError(f"AWS refused these credentials: {err}") from None
        return {"Account": found["Account"], "Arn": found["Arn"]}

    @property
    def account(self) -> str:
        return self.identity["Account"]

    @cached_property
    def outputs(self) -> Outputs:
        """The stack's outputs file, ``.tutorial/<target>.json``."""
        return Outputs.for_target(self.target)

    def stage_url(self, api_id: str, stage: str) -> str:
        """The base URL of a deployed stage; append ``/hello`` or ``/auth``."""
        if self.is_local:
            return f"{self.endpoint_url}/restapis/{api_id}/{stage}/_user_request_"
        return f"https://{api_id}.execute-api.{self.region}.amazonaws.com/{stage}"

    def describe(self) -> str:
        """One line: where the notebooks act."""
        where = f"the local cloud at {self.endpoint_url}" if self.is_local else "AWS"
        return f"target {self.target}: {where}, account {self.account}, region {self.region}"


def connect(target: str, region: str, *, start: bool = False) -> Cloud:
    """The :class:`Cloud` for ``target`` (``"local"`` or ``"aws"``) in ``region``.

    ``local`` never falls back to AWS: with no local cloud running it raises a :class:`KitError`
    saying ``make up`` (or, with ``start=True``, starts one, as ``00_setup`` does).
    """
    if target not in TARGETS:
        raise KitError(f"target must be 'local' or 'aws', not {target!r}; fix the parameters cell.")
    if not isinstance(region, str) or not _REGION.match(region):
        raise KitError(f"region {region!r} is not an AWS region name such as 'us-east-1'.")
    if target == "local":
        port = local_port()
        if start:
            ensure_local_cloud(port)
        elif not local_cloud_health(port):
            raise KitError(
                f"No local cloud answers at {local_endpoint(port)}; start it with `make up` "
                "(or run 00_setup), then run this cell again."
            )
        endpoint = local_endpoint(port)
        session = boto3.Session(region_name=region, **LOCAL_CREDENTIALS)
    else:
        endpoint = None
        try:
            session = boto3.Session(region_name=region)
        except BotoCoreError as err:
            raise KitError(f"boto3 could not load your AWS configuration: {err}") from None
    install_friendly_errors(endpoint)
    cloud = Cloud(target=target, region=region, endpoint_url=endpoint, session=session)
    cloud.outputs.save(target=target, region=region, endpoint_url=endpoint)
    return cloud
