"""Lambda's API where moto cannot serve it: Invoke runs the function on the local runtime, and a
role is accepted only when its trust policy lets ``lambda.amazonaws.com`` assume it
(docs/aws-behavior.md#lambda)."""

from __future__ import annotations

import json
import re
import sys
import threading
from collections.abc import Callable
from typing import Any
from urllib.parse import unquote

from .. import arns
from ..authz.matching import resource_policy_allows, statements
from ..aws_call import AwsCall, Reply, rest_json_error
from ..lambda_runtime.runtime import LambdaRuntime, UnsupportedRuntime
from ..lambda_runtime.spec import FunctionSpec
from ..moto import awslambda as moto_lambda
from ..moto import iam as moto_iam

_INVOKE = re.compile(r"^/2015-03-31/functions/(?P<name>[^/]+)/invocations/?$")
_CONFIG = re.compile(r"^/2015-03-31/functions/(?P<name>[^/]+)/configuration/?$")
_FUNCTION = re.compile(r"^/2015-03-31/functions/(?P<name>[^/]+)/?$")
_POLICY = re.compile(r"^/2015-03-31/functions/(?P<name>[^/]+)/policy/?$")
CANNOT_ASSUME = "The role defined for the function cannot be assumed by Lambda."


def trusts_lambda(trust_policy: dict[str, Any] | None) -> bool:
    """Whether a role's trust policy lets the Lambda service assume it."""
    return resource_policy_allows(
        trust_policy, service_principal="lambda.amazonaws.com", action="sts:AssumeRole"
    )


class LambdaService:
    def __init__(self, runtime: LambdaRuntime) -> None:
        self.runtime = runtime

    def handle(
        self, call: AwsCall, environ: dict[str, Any], forward: Callable[[dict[str, Any]], Reply]
    ) -> Reply | None:
        match = _INVOKE.match(call.path)
        if match and call.method == "POST":
            return self.invoke(call, environ, unquote(match["name"]))
        adding = _POLICY.match(call.path) if call.method == "POST" else None
        if adding:
            return self._check_statement_id(call, unquote(adding["name"]))
        deleting = _FUNCTION.match(call.path) if call.method == "DELETE" else None
        if deleting:
            reply = forward(environ)
            if reply.status < 300:
                self.runtime.retire(unquote(deleting["name"]).rsplit(":", 1)[-1])
            return reply
        creating = call.path.rstrip("/") == "/2015-03-31/functions" and call.method == "POST"
        configuring = _CONFIG.match(call.path) and call.method == "PUT"
        if creating or configuring:
            role = call.params.get("Role")
            if role is not None and not trusts_lambda(
                moto_iam.role_trust_policy(call.account, role)
            ):
                return rest_json_error(400, "InvalidParameterValueException", CANNOT_ASSUME)
        return None

    @staticmethod
    def _check_statement_id(call: AwsCall, name: str) -> Reply | None:
        """AddPermission refuses a StatementId the function's policy already has."""
        sid = call.params.get("StatementId")
        spec = moto_lambda.get_function(
            call.account, call.region, name, call.query_param("Qualifier")
        )
        existing = statements(spec.policy or {}) if spec else []
        if sid and any(st.get("Sid") == sid for st in existing):
            return rest_json_error(
                409,
                "ResourceConflictException",
                f"The statement id ({sid}) provided already exists. Please provide a new "
                f"statement id, or remove the existing statement.",
            )
        return None

    def invoke(self, call: AwsCall, environ: dict[str, Any], name: str) -> Reply:
        account = call.account
        spec = moto_lambda.get_function(account, call.region, name, call.query_param("Qualifier"))
        if spec is None:
            arn = (
                name
                if name.startswith("arn:")
                else arns.build("lambda", call.region, account, f"function:{name}")
            )
            return rest_json_error(404, "ResourceNotFoundException", f"Function not found: {arn}")
        payload = call.body or b"{}"
        try:
            json.loads(payload)
        except ValueError as exc:
            return rest_json_error(
                400,
                "InvalidRequestContentException",
                f"Could not parse request body into json: {exc}",
            )
        kind = environ.get("HTTP_X_AMZ_INVOCATION_TYPE", "RequestResponse")
        if kind == "DryRun":
            return Reply(204, [], b"")
        if kind == "Event":
            threading.Thread(target=self._run_async, args=(spec, payload), daemon=True).start()
            return Reply(202, [], b"")
        try:
            result = self.runtime.invoke(
                spec, payload, client_context=environ.get("HTTP_X_AMZ_CLIENT_CONTEXT")
            )
        except UnsupportedRuntime as exc:
            return rest_json_error(502, "InvalidRuntimeException", str(exc))
        headers = [
            ("Content-Type", "application/json"),
            ("X-Amz-Executed-Version", spec.version),
            ("x-amzn-RequestId", result.request_id),
        ]
        if result.function_error:
            headers.append(("X-Amz-Function-Error", result.function_error))
        if environ.get("HTTP_X_AMZ_LOG_TYPE") == "Tail":
            headers.append(("X-Amz-Log-Result", result.log_tail_b64))
        return Reply(200, headers, result.payload)

    def _run_async(self, spec: FunctionSpec, payload: bytes) -> None:
        try:
            self.runtime.invoke(spec, payload)
        except Exception as exc:
            print(f"localcloud: async invoke of {spec.name} failed: {exc}", file=sys.stderr)
