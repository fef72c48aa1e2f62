"""What each deployment froze: the REST API as it was when ``CreateDeployment`` was called.

The control plane freezes and forgets deployments here; the data plane reads them.
"""

from __future__ import annotations

import threading

from ..moto import apigateway as moto_apigateway
from .model import Deployment


class DeploymentStore:
    """Frozen copies of each REST API as it was at each ``CreateDeployment``
    (docs/aws-behavior.md#stages-serve-deployments)."""

    def __init__(self) -> None:
        self._frozen: dict[tuple[str, str], Deployment] = {}
        self._lock = threading.Lock()

    def freeze(
        self, account: str, region: str, api_id: str, deployment_id: str
    ) -> Deployment | None:
        snapshot = moto_apigateway.rest_api_snapshot(account, region, api_id)
        if snapshot is None:  # the API is gone
            return None
        deployment = Deployment.from_snapshot(api_id, deployment_id, snapshot)
        with self._lock:
            self._frozen[(api_id, deployment_id)] = deployment
        return deployment

    def forget(self, api_id: str, deployment_id: str) -> None:
        with self._lock:
            self._frozen.pop((api_id, deployment_id), None)

    def get(self, api_id: str, deployment_id: str) -> Deployment | None:
        return self._frozen.get((api_id, deployment_id))
