"""Lambda's API where moto cannot serve it: Invoke runs the function on the local runtime within
Lambda's payload quotas, a role is accepted only when its trust policy lets
``lambda.amazonaws.com`` assume it, and a deployment package must be a zip Lambda can unpack
(docs/aws-behavior.md#lambda). In AWS timing mode a new role is not assumable at once, and a
function is ``Pending`` after its creation and ``InProgress`` after an update, refusing what AWS
refuses meanwhile (docs/aws-behavior.md#aws-timing-mode)."""

from __future__ import annotations

import base64
import binascii
import io
import json
import re
import sys
import threading
import zipfile
import zlib
from collections.abc import Callable
from typing import Any
from urllib.parse import unquote

from .. import arns, timing
from ..authz.matching import resource_policy_allows, statements
from ..aws_call import AwsCall, Reply, rest_json_error
from ..lambda_runtime.runtime import LambdaRuntime, UnsupportedRuntime
from ..lambda_runtime.spec import (
    INVOKE_REQUEST_LIMIT,
    FunctionSpec,
    oversized_response,
)
from ..moto import awslambda as moto_lambda
from ..moto import iam as moto_iam

_INVOKE = re.compile(r"^/2015-03-31/functions/(?P<name>[^/]+)/invocations/?$")
_CONFIG = re.compile(r"^/2015-03-31/functions/(?P<name>[^/]+)/configuration/?$")
_FUNCTION = re.compile(r"^/2015-03-31/functions/(?P<name>[^/]+)/?$")
_POLICY = re.compile(r"^/2015-03-31/functions/(?P<name>[^/]+)/policy/?$")
_CODE = re.compile(r"^/2015-03-31/functions/(?P<name>[^/]+)/code/?$")
_VERSIONS = re.compile(r"^/2015-03-31/functions/(?P<name>[^/]+)/versions/?$")
CANNOT_ASSUME = timing.CANNOT_ASSUME
NOT_A_ZIP = "Could not unzip uploaded file. Please check your file, then try to upload again."
#: the largest unzipped deployment package Lambda takes (250 MB)
UNZIPPED_LIMIT = 262_144_000
TOO_BIG_UNZIPPED = f"Unzipped size must be smaller than {UNZIPPED_LIMIT} bytes"


def zip_problem(data: bytes) -> str | None:
    """AWS's ``InvalidParameterValueException`` message for a deployment package it refuses
    (None when Lambda can unpack it): not a zip, a damaged, encrypted or unreadable member, or
    250 MB or more once unzipped (judged from the sizes the archive declares, before unpacking;
    reading a member stops at its declared size)."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            if sum(m.file_size for m in archive.infolist()) >= UNZIPPED_LIMIT:
                return TOO_BIG_UNZIPPED
            if archive.testzip() is not None:
                return NOT_A_ZIP
    except (
        zipfile.BadZipFile,
        zipfile.LargeZipFile,
        NotImplementedError,  # a compression method zipfile cannot read
        RuntimeError,  # an encrypted member
        EOFError,
        OSError,
        ValueError,
        zlib.error,
    ):
        return NOT_A_ZIP
    return None


def _zip_bytes(value: Any) -> bytes | None:
    """A ``ZipFile`` parameter as bytes: base64 text on the wire (None when it is not base64)."""
    if isinstance(value, bytes):
        return value
    try:
        return base64.b64decode(value or "", validate=True)
    except (binascii.Error, ValueError, TypeError):
        return None


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
            return self._refuse_pending_invoke(call, unquote(match["name"])) or self.invoke(
                call, environ, unquote(match["name"])
            )
        rules = timing.current()
        if rules.enabled:
            reply = self._timed(call, environ, forward, rules)
            if reply is not None:
                return reply
        adding = _POLICY.match(call.path) if call.method == "POST" else None
        if adding:
            return self._check_statement_id(call, unquote(adding["name"]))
        deleting = _FUNCTION.match(call.path) if call.method == "DELETE" else None
        if deleting:
            reply = forward(environ)
            if reply.status < 300:
                name = unquote(deleting["name"]).rsplit(":", 1)[-1]
                self.runtime.retire(name)
                timing.current().function_deleted(call.account, call.region, name)
            return reply
        return self._check_role_and_code(call)

    @classmethod
    def _check_role_and_code(cls, call: AwsCall) -> Reply | None:
        """CreateFunction and UpdateFunctionConfiguration need a role Lambda can assume (in AWS
        timing mode, not one made seconds ago); CreateFunction and UpdateFunctionCode a zip."""
        creating = call.path.rstrip("/") == "/2015-03-31/functions" and call.method == "POST"
        configuring = _CONFIG.match(call.path) and call.method == "PUT"
        if creating or configuring:
            role = call.params.get("Role")
            if role is not None and not (
                trusts_lambda(moto_iam.role_trust_policy(call.account, role))
                and timing.current().role_assumable(call.account, arns.resource_name(role))
            ):
                return rest_json_error(400, "InvalidParameterValueException", CANNOT_ASSUME)
        code = call.params.get("Code") if creating else None
        if creating and isinstance(code, dict) and code.get("ZipFile") is not None:
            return cls._check_zip(code["ZipFile"])
        updating = call.method == "PUT" and _CODE.match(call.path)
        if updating and call.params.get("ZipFile") is not None:
            return cls._check_zip(call.params["ZipFile"])
        return None

    @staticmethod
    def _refuse_pending_invoke(call: AwsCall, name: str) -> Reply | None:
        """Invoke of a function still ``Pending``: AWS's ``ResourceConflictException``."""
        rules = timing.current()
        spec = moto_lambda.get_function(call.account, call.region, name) if rules.enabled else None
        if spec is None or not rules.function_pending(call.account, call.region, spec.name):
            return None
        rules.refused("invoke_pending")
        return rest_json_error(409, "ResourceConflictException", timing.pending_message())

    def _timed(
        self,
        call: AwsCall,
        environ: dict[str, Any],
        forward: Callable[[dict[str, Any]], Reply],
        rules: timing.Timing,
    ) -> Reply | None:
        """AWS timing mode: function states on reads, refusals and transitions on writes; None
        for calls it leaves alone."""
        creating = call.path.rstrip("/") == "/2015-03-31/functions" and call.method == "POST"
        if creating:
            reply = self._check_role_and_code(call) or forward(environ)
            name = call.params.get("FunctionName")
            if reply.status < 300 and isinstance(name, str):
                rules.function_created(call.account, call.region, name.rsplit(":", 1)[-1])
                return _amended(reply, call.account, call.region, rules)
            return reply
        for pattern, method in ((_CODE, "PUT"), (_CONFIG, "PUT"), (_VERSIONS, "POST")):
            match = pattern.match(call.path) if call.method == method else None
            if match:
                return self._update(call, environ, forward, rules, unquote(match["name"]))
        reading = _FUNCTION.match(call.path) or _CONFIG.match(call.path)
        if reading and call.method == "GET":
            return _amended(forward(environ), call.account, call.region, rules)
        return None

    def _update(
        self,
        call: AwsCall,
        environ: dict[str, Any],
        forward: Callable[[dict[str, Any]], Reply],
        rules: timing.Timing,
        name: str,
    ) -> Reply:
        """UpdateFunctionCode, UpdateFunctionConfiguration, PublishVersion: refused while the
        function is Pending or an update is InProgress; a served update starts InProgress."""
        spec = moto_lambda.get_function(call.account, call.region, name)
        if spec is not None:
            if rules.function_pending(call.account, call.region, spec.name):
                rules.refused("update_pending")
                message = timing.pending_update_message(spec.arn)
                return rest_json_error(409, "ResourceConflictException", message)
            if rules.update_in_progress(call.account, call.region, spec.name):
                rules.refused("update_conflict")
                message = timing.update_in_progress_message(spec.arn)
                return rest_json_error(409, "ResourceConflictException", message)
        reply = self._check_role_and_code(call) or forward(environ)
        if spec is not None and reply.status < 300 and not _VERSIONS.match(call.path):
            rules.function_updated(call.account, call.region, spec.name)
            return _amended(reply, call.account, call.region, rules)
        return reply

    @staticmethod
    def _check_zip(value: Any) -> Reply | None:
        """CreateFunction and UpdateFunctionCode refuse a package Lambda cannot unpack."""
        data = _zip_bytes(value)
        problem = NOT_A_ZIP if data is None else zip_problem(data)
        if problem:
            return rest_json_error(400, "InvalidParameterValueException", problem)
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
        if len(call.body) > INVOKE_REQUEST_LIMIT:
            return rest_json_error(
                413,
                "RequestEntityTooLargeException",
                f"Request must be smaller than {INVOKE_REQUEST_LIMIT} bytes for the "
                "InvokeFunction operation",
            )
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
        payload, function_error = result.payload, result.function_error
        if too_large := oversized_response(payload):
            payload, function_error = too_large, "Unhandled"
        if function_error:
            headers.append(("X-Amz-Function-Error", function_error))
        if environ.get("HTTP_X_AMZ_LOG_TYPE") == "Tail":
            headers.append(("X-Amz-Log-Result", result.log_tail_b64))
        return Reply(200, headers, payload)

    def _run_async(self, spec: FunctionSpec, payload: bytes) -> None:
        try:
            self.runtime.invoke(spec, payload)
        except Exception as exc:
            print(f"localcloud: async invoke of {spec.name} failed: {exc}", file=sys.stderr)


def _amended(reply: Reply, account: str, region: str, rules: timing.Timing) -> Reply:
    """A function configuration (or GetFunction's answer) with its state in AWS timing mode:
    ``State`` ``Pending`` while it is created, ``LastUpdateStatus`` ``InProgress`` while it is
    updated (counted: each is a waiter's poll that had to wait)."""
    if reply.status >= 300:
        return reply
    try:
        doc = json.loads(reply.body)
    except ValueError:
        return reply
    config = doc.get("Configuration", doc) if isinstance(doc, dict) else None
    name = config.get("FunctionName") if isinstance(config, dict) else None
    if not isinstance(name, str):
        return reply
    if rules.function_pending(account, region, name):
        rules.refused("seen_pending")
        config.update(
            State="Pending",
            StateReason="The function is being created.",
            StateReasonCode="Creating",
            LastUpdateStatus="InProgress",
            LastUpdateStatusReason="The function is being created.",
            LastUpdateStatusReasonCode="Creating",
        )
    elif rules.update_in_progress(account, region, name):
        rules.refused("seen_in_progress")
        config.update(
            State="Active",
            LastUpdateStatus="InProgress",
            LastUpdateStatusReason="The function is being created.",
            LastUpdateStatusReasonCode="Creating",
        )
        config.pop("StateReason", None)
        config.pop("StateReasonCode", None)
    else:
        return reply
    return Reply(reply.status, reply.headers, json.dumps(doc).encode())
