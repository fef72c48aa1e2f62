"""The local cloud's WSGI app: stage URLs go to the API Gateway data plane, AWS API calls go to
moto (through IAM's check and the control-plane rules of each service), ``/_localcloud/*``
answers about the process itself.

No request is answered with an HTML page: a failure inside the local cloud (or inside moto) is
logged with its traceback and answered as a 500 in the service's own error shape."""

from __future__ import annotations

import json
import os
import re
import sys
import time
import traceback
from collections.abc import Iterable
from typing import Any
from urllib.parse import parse_qsl

from . import clock, cognito_oauth, door, ids, service_model, timing
from .authz.enforcer import Enforcer, LogPermission
from .aws_call import AwsCall, Reply, identify, internal_error, read_body
from .caches import DATA_PLANE, ROLE_POLICIES, Generations
from .control import cognito, iam
from .control.apigateway import ApiGatewayService
from .control.awslambda import LambdaService
from .execute_api.backends import DataPlaneBackends
from .execute_api.deployments import DeploymentStore
from .execute_api.errors import InternalError
from .execute_api.model import ApiRequest
from .execute_api.pipeline import handle as handle_stage_request
from .execute_api.response import error_response
from .lambda_runtime.runtime import LambdaRuntime
from .moto import apigateway as moto_apigateway
from .moto import cognito as moto_cognito
from .moto import iam as moto_iam
from .moto.server import wsgi_app

JWKS_URL = re.compile(
    r"^/(?P<pool>[a-z]{2}(?:-gov)?-[a-z]+-\d_[0-9A-Za-z]+)/\.well-known/jwks\.json$"
)
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
    ) -> None:
        self.endpoint_url = endpoint_url
        self.port = port
        self.seed = seed
        self.started = time.time()
        self.timing = timing.install(timing.Timing.from_env())  # LOCALCLOUD_AWS_TIMING
        self.moto = wsgi_app()
        moto_cognito.install(clock.now)  # Cognito's tokens: the movable clock, client lifetimes
        moto_cognito.install_ids(
            lambda length, mixed: ids.aws_id(length, ids.ALNUM if mixed else ids.LOWER_ALNUM)
        )
        moto_apigateway.install_ids(ids.aws_id)  # AWS-shaped IDs, reproducible with --seed
        service_model.warm_up()
        self.runtime = runtime
        self.deployments = DeploymentStore()
        self.generations = Generations()
        self.backends = DataPlaneBackends(
            self.deployments, runtime, self.generations.of(DATA_PLANE)
        )
        self.lambda_service = LambdaService(runtime)
        self.enforcer = Enforcer(self.generations.of(ROLE_POLICIES))
        runtime.may_write_logs = LogPermission(self.enforcer)
        self.hooks = {
            "lambda": self.lambda_service.handle,
            "cognito-idp": cognito.handle,
            "iam": iam.handle,
            "apigateway": ApiGatewayService(self.deployments).handle,
        }

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
        path = environ.get("PATH_INFO", "")
        if path == "/_localcloud/clock":
            return self._clock(environ).send(start_response)
        token_endpoint = cognito_oauth.TOKEN_URL.match(path)
        if token_endpoint:
            return cognito_oauth.token(token_endpoint["domain"], environ).send(start_response)
        if path.startswith("/_localcloud/"):
            return self._admin(path, start_response)
        stage = STAGE_URL.match(path)
        if stage:
            return self._stage_request(stage, environ).send(start_response)
        jwks = JWKS_URL.match(path)
        if jwks and environ.get("REQUEST_METHOD") == "GET":
            return self._jwks(jwks["pool"]).send(start_response)
        try:
            call = identify(environ)
        except Exception:
            return self._internal_error(None, traceback.format_exc()).send(start_response)
        try:
            reply = self._serve(call, environ)
        except Exception:
            reply = self._internal_error(call, traceback.format_exc())
        if reply.status < 400:
            self.generations.after(call)
        return reply.send(start_response)

    def _serve(self, call: AwsCall, environ: dict[str, Any]) -> Reply:
        """The door (a served operation, its signature, its parameters), IAM's check, then the
        service's rules, then moto."""
        reply = door.unknown(call)
        if reply is None:
            reply = door.signature(call, moto_iam.issued_credentials) or door.parameters(call)
        if reply is None:
            reply = self.enforcer.check(call)
        hook = self.hooks.get(call.service or "")
        if reply is None and hook:
            reply = hook(call, environ, self._forward)
        if reply is None:
            reply = self._forward(environ)
        if reply.status >= 500 and reply.is_html:  # moto failed: Flask's HTML error page
            reply = self._internal_error(call, f"moto answered {reply.status} with an HTML page")
        return reply

    def _internal_error(self, call: AwsCall | None, why: str) -> Reply:
        what = f"{call.service} {call.operation or call.method + ' ' + call.path}" if call else ""
        self._log("error", f"{what} -> 500, an error inside the local cloud:\n{why.rstrip()}")
        return internal_error(call.service if call else None)

    @staticmethod
    def _jwks(pool_id: str) -> Reply:
        """A pool's public signing keys, served unsigned as AWS serves them."""
        region = pool_id.split("_", 1)[0]
        keys = moto_cognito.user_pool_jwks(moto_iam.account_for_access_key(None), region, pool_id)
        if keys is None:
            missing = {"message": f"User pool {pool_id} does not exist."}
            return Reply(404, [("Content-Type", "application/json")], json.dumps(missing).encode())
        return Reply(200, [("Content-Type", "application/json")], json.dumps(keys).encode())

    def _forward(self, environ: dict[str, Any]) -> Reply:
        """Call moto and keep its answer, for services that check or amend it."""
        captured: dict[str, Any] = {}

        def start_response(status: str, headers: list, exc_info: Any = None) -> None:
            captured["status"], captured["headers"] = int(status.split()[0]), list(headers)

        body = b"".join(self.moto(environ, start_response))
        return Reply(captured["status"], captured["headers"], body)

    def _stage_request(self, match: re.Match, environ: dict[str, Any]) -> Reply:
        try:
            request = self._api_request(match, environ)
        except Exception:
            self._log("apigateway", f"unreadable request:\n{traceback.format_exc().rstrip()}")
            response = error_response(InternalError())
            return Reply(response.status, response.headers, response.body)
        response = handle_stage_request(
            request, self.backends, log=lambda message: self._log("apigateway", message)
        )
        return Reply(response.status, response.headers, response.body)

    def _api_request(self, match: re.Match, environ: dict[str, Any]) -> ApiRequest:
        headers = environ.get(RAW_HEADERS) or [
            (k[5:].replace("_", "-").title(), v)
            for k, v in environ.items()
            if k.startswith("HTTP_")
        ]
        return ApiRequest(
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

    @staticmethod
    def _clock(environ: dict[str, Any]) -> Reply:
        """``GET`` the clock's offset; ``POST {"advance_seconds": N}`` or ``{"reset": true}``."""
        if environ.get("REQUEST_METHOD") == "POST":
            try:
                doc = json.loads(read_body(environ) or b"{}")
                if not isinstance(doc, dict):
                    raise ValueError("the body must be a JSON object")
                if doc.get("reset") is True:
                    clock.reset()
                elif "advance_seconds" in doc:
                    clock.advance(doc["advance_seconds"])
                else:
                    raise ValueError('expected {"advance_seconds": N} or {"reset": true}')
            except ValueError as exc:
                body = json.dumps({"message": str(exc)}).encode()
                return Reply(400, [("Content-Type", "application/json")], body)
        elif environ.get("REQUEST_METHOD") != "GET":
            body = b'{"message": "use GET or POST"}'
            return Reply(405, [("Content-Type", "application/json")], body)
        doc = {"offset_seconds": clock.offset(), "now": clock.now()}
        return Reply(200, [("Content-Type", "application/json")], json.dumps(doc).encode())

    @staticmethod
    def _log(topic: str, message: str) -> None:
        print(f"localcloud {topic}: {message}", file=sys.stderr, flush=True)

    def _admin(self, path: str, start_response: Any) -> Iterable[bytes]:
        if path == "/_localcloud/health":
            doc: dict[str, Any] = {
                "service": "localcloud",
                "pid": os.getpid(),
                "port": self.port,
                "endpoint": self.endpoint_url,
                "uptime_s": round(time.time() - self.started, 3),
                "seed": self.seed,
                "aws_timing": self.timing.describe(),
            }
        elif path == "/_localcloud/stats":
            stats = self.runtime.stats
            doc = {
                "lambda": {
                    "invocations": stats.invocations,
                    "cold_starts": stats.cold_starts,
                    "by_function": dict(stats.by_function),
                    "warm_workers": self.runtime.worker_count(),
                },
                "aws_timing": self.timing.stats(),
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
