"""The Lambda proxy integration's contract (payload format 1.0): the event API Gateway sends and
the response it accepts back (docs/aws-behavior.md#lambda-proxy-integration)."""

from __future__ import annotations

import base64
import binascii
import json
import time
from typing import Any

from .errors import IntegrationFailure
from .model import Context, HttpResponse

_RESPONSE_KEYS = {"statusCode", "headers", "multiValueHeaders", "body", "isBase64Encoded"}


def build_event(ctx: Context) -> dict[str, Any]:
    """The proxy event for the request in ``ctx``: the fields AWS sends, null where AWS has null."""
    req, target = ctx.request, ctx.target
    assert target is not None and ctx.resource is not None and ctx.method is not None
    headers: dict[str, str] = {}
    multi_headers: dict[str, list[str]] = {}
    for k, v in req.headers:
        headers[k] = v
        multi_headers.setdefault(k, []).append(v)
    query: dict[str, str] = {}
    multi_query: dict[str, list[str]] = {}
    for k, v in req.query:
        query[k] = v
        multi_query.setdefault(k, []).append(v)
    body: str | None = None
    is_b64 = False
    if req.body:
        try:
            body = req.body.decode("utf-8")
        except UnicodeDecodeError:
            body, is_b64 = base64.b64encode(req.body).decode("ascii"), True
    host = req.header("host") or ""
    request_context: dict[str, Any] = {
        "resourceId": ctx.resource.id,
        "resourcePath": ctx.resource.path,
        "httpMethod": req.method,
        "extendedRequestId": ctx.apigw_id,
        "requestTime": time.strftime(
            "%d/%b/%Y:%H:%M:%S +0000", time.gmtime(ctx.request_time_epoch_ms / 1000)
        ),
        "path": f"/{req.stage}{req.path}",
        "accountId": target.account,
        "protocol": req.protocol,
        "stage": req.stage,
        "domainPrefix": host.split(".")[0].split(":")[0],
        "requestTimeEpoch": ctx.request_time_epoch_ms,
        "requestId": ctx.request_id,
        "identity": {
            "cognitoIdentityPoolId": None,
            "accountId": None,
            "cognitoIdentityId": None,
            "caller": None,
            "sourceIp": req.source_ip,
            "principalOrgId": None,
            "accessKey": None,
            "cognitoAuthenticationType": None,
            "cognitoAuthenticationProvider": None,
            "userArn": None,
            "userAgent": req.header("user-agent"),
            "user": None,
        },
        "domainName": host,
        "deploymentId": target.deployment.deployment_id,
        "apiId": req.api_id,
    }
    if ctx.api_key:
        request_context["identity"]["apiKey"] = ctx.api_key["value"]
        request_context["identity"]["apiKeyId"] = ctx.api_key["id"]
    if ctx.authorizer is not None:
        request_context["authorizer"] = ctx.authorizer
    return {
        "resource": ctx.resource.path,
        "path": req.path,
        "httpMethod": req.method,
        "headers": headers or None,
        "multiValueHeaders": multi_headers or None,
        "queryStringParameters": query or None,
        "multiValueQueryStringParameters": multi_query or None,
        "pathParameters": ctx.path_parameters or None,
        "stageVariables": dict(target.variables) or None,
        "requestContext": request_context,
        "body": body,
        "isBase64Encoded": is_b64,
    }


def parse_response(payload: bytes) -> HttpResponse:
    """The HTTP response a Lambda proxy answer stands for (:class:`IntegrationFailure` if bad)."""
    try:
        doc = json.loads(payload)
    except (ValueError, UnicodeDecodeError):
        raise IntegrationFailure(detail="Lambda answer is not JSON") from None
    if not isinstance(doc, dict):
        raise IntegrationFailure(detail="Lambda answer is not a JSON object")
    unknown = set(doc) - _RESPONSE_KEYS
    if unknown:
        raise IntegrationFailure(detail=f"malformed Lambda proxy response: keys {sorted(unknown)}")
    status = doc.get("statusCode", 200)
    if isinstance(status, bool) or not (
        isinstance(status, int) or (isinstance(status, str) and status.strip().isdigit())
    ):
        raise IntegrationFailure(detail=f"malformed Lambda proxy response: statusCode {status!r}")
    body = doc.get("body")
    if body is not None and not isinstance(body, str):
        raise IntegrationFailure(detail="malformed Lambda proxy response: body is not a string")
    headers: list[tuple[str, str]] = []
    single = doc.get("headers") or {}
    multi = doc.get("multiValueHeaders") or {}
    if not isinstance(single, dict) or not isinstance(multi, dict):
        raise IntegrationFailure(detail="malformed Lambda proxy response: headers")
    for name, values in multi.items():
        if not isinstance(values, list):
            raise IntegrationFailure(detail="malformed Lambda proxy response: multiValueHeaders")
        headers.extend((name, _header_value(v)) for v in values)
    for name, value in single.items():
        if isinstance(value, (dict, list)):
            raise IntegrationFailure(detail="malformed Lambda proxy response: headers")
        headers = [(k, v) for k, v in headers if k.lower() != name.lower()]
        headers.append((name, _header_value(value)))
    raw = (body or "").encode("utf-8")
    if doc.get("isBase64Encoded"):
        try:
            raw = base64.b64decode(body or "", validate=True)
        except (binascii.Error, ValueError):
            raise IntegrationFailure(detail="body is not valid base64") from None
    if not any(k.lower() == "content-type" for k, _ in headers):
        headers.append(("Content-Type", "application/json"))
    return HttpResponse(status=int(status), headers=headers, body=raw)


def _header_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)
