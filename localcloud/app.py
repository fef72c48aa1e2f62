"""The local cloud's WSGI app: stage URLs go to the API Gateway data plane, AWS API calls go to
moto (through the service modules that add AWS's strictness), ``/_localcloud/*`` answers about
the process itself."""

from __future__ import annotations

import itertools
import json
import os
import re
import sys
import time
from collections.abc import Iterable
from typing import Any
from urllib.parse import parse_qsl

from moto.server import DomainDispatcherApplication, create_backend_app

from .apigateway.model import ApiRequest
from .apigateway.pipeline import handle as handle_stage_request
from .authz.enforcer import Enforcer, LogPermission
from .aws_call import Reply, identify, read_body
from .lambda_runtime.runtime import LambdaRuntime
from .services import cognito, iam
from .services.apigateway import ApiGatewayService, DataPlaneBackends, DeploymentStore
from .services.awslambda import LambdaService

STAGE_URL = re.compile(r"^/restapis/(?P<api>[^/]+)/(?P<stage>[^/]+)/_user_request_(?P<path>/.*)?$")
RAW_HEADERS = "localcloud.raw_headers"


class LocalCloudApp:
    def __init__(
        self,
        endpoint_url: str,
        runtime: LambdaRuntime,
        *,
        port: int,
        seed: int | None = None,
        verbose: bool = False,
    ) -> None:
        self.endpoint_url = endpoint_url
        self.port = port
        self.seed = seed
        self.verbose = verbose
        self.started = time.time()
        self.moto = DomainDispatcherApplication(create_backend_app)
        self.runtime = runtime
        self.deployments = DeploymentStore()
        self._writes = itertools.count(1)
        self._generation = 0
        self.backends = DataPlaneBackends(self.deployments, runtime, lambda: self._generation)
        self.lambda_service = LambdaService(runtime)
        self.enforcer = Enforcer(lambda: self._generation)
        runtime.may_write_logs = LogPermission(self.enforcer)
        self.hooks = {
            "lambda": self.lambda_service.handle,
            "cognito-idp": cognito.handle,
            "iam": iam.handle,
            "apigateway": ApiGatewayService(self.deployments).handle,
        }

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
        path = environ.get("PATH_INFO", "")
        if path.startswith("/_localcloud/"):
            return self._admin(path, start_response)
        stage = STAGE_URL.match(path)
        if stage:
            return self._stage_request(stage, environ).send(start_response)
        call = identify(environ)
        reply = self.enforcer.check(call, environ)
        hook = self.hooks.get(call.service or "")
        if reply is None and hook:
            reply = hook(call, environ, self._forward)
        result = reply.send(start_response) if reply else self.moto(environ, start_response)
        if call.method != "GET" and not path.endswith("/invocations"):
            self._generation = next(self._writes)  # a control-plane write: caches start over
        return result

    def _forward(self, environ: dict[str, Any]) -> Reply:
        """Call moto and keep its answer, for services that check or amend it."""
        captured: dict[str, Any] = {}

        def start_response(status: str, headers: list, exc_info: Any = None) -> None:
            captured["status"], captured["headers"] = int(status.split()[0]), list(headers)

        body = b"".join(self.moto(environ, start_response))
        return Reply(captured["status"], captured["headers"], body)

    def _stage_request(self, match: re.Match, environ: dict[str, Any]) -> Reply:
        headers = environ.get(RAW_HEADERS) or [
            (k[5:].replace("_", "-").title(), v)
            for k, v in environ.items()
            if k.startswith("HTTP_")
        ]
        request = ApiRequest(
            api_id=match["api"],
            stage=match["stage"],
            method=environ["REQUEST_METHOD"],
            path=match["path"] or "/",
            headers=list(headers),
            query=parse_qsl(environ.get("QUERY_STRING", ""), keep_blank_values=True),
            body=read_body(environ),
            source_ip=environ.get("REMOTE_ADDR", "127.0.0.1"),
            protocol=environ.get("SERVER_PROTOCOL", "HTTP/1.1"),
        )
        response = handle_stage_request(request, self.backends, log=self._log)
        return Reply(response.status, response.headers, response.body)

    def _log(self, message: str) -> None:
        print(f"localcloud apigateway: {message}", file=sys.stderr, flush=True)

    def _admin(self, path: str, start_response: Any) -> Iterable[bytes]:
        if path == "/_localcloud/health":
            doc: dict[str, Any] = {
                "service": "localcloud",
                "pid": os.getpid(),
                "port": self.port,
                "endpoint": self.endpoint_url,
                "uptime_s": round(time.time() - self.started, 3),
                "seed": self.seed,
            }
        elif path == "/_localcloud/stats":
            stats = self.runtime.stats
            doc = {
                "lambda": {
                    "invocations": stats.invocations,
                    "cold_starts": stats.cold_starts,
                    "by_function": dict(stats.by_function),
                    "warm_workers": self.runtime.worker_count(),
                }
            }
        else:
            return Reply(
                404,
                [("Content-Type", "application/json")],
                b'{"message": "no such localcloud endpoint"}',
            ).send(start_response)
        return Reply(200, [("Content-Type", "application/json")], json.dumps(doc).encode()).send(
            start_response
        )
