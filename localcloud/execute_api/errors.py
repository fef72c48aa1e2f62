"""Gateway errors: the responses API Gateway makes itself, modelled once.

Every stage raises one of these; :func:`localcloud.execute_api.response.error_response` is the only
place that turns them into bytes. ``detail`` is for the local cloud's log, never for the client
(AWS does not tell the caller why an integration failed either).
"""

from __future__ import annotations

from typing import ClassVar


class GatewayError(Exception):
    """A response API Gateway produces without reaching the integration (or after it failed)."""

    status: ClassVar[int] = 500
    error_type: ClassVar[str] = "InternalServerErrorException"
    response_type: ClassVar[str] = "DEFAULT_5XX"
    default_message: ClassVar[str] = "Internal server error"
    #: Gateway templates render ``{"message":...}`` without a space; integration failures
    #: come from the endpoint path and keep ``{"message": ...}`` with one
    #: (docs/aws-behavior.md#gateway-errors).
    spaced: ClassVar[bool] = False
    #: answered by API Gateway's front door before the request is given an id: no
    #: ``x-amzn-RequestId``/``x-amz-apigw-id``, no ``x-amzn-ErrorType``, its own body
    front_door: ClassVar[bool] = False
    content_type: ClassVar[str] = "application/json"

    def __init__(self, message: str | None = None, *, detail: str = "") -> None:
        self.message = message if message is not None else self.default_message
        self.detail = detail
        super().__init__(self.message)


class MissingAuthenticationToken(GatewayError):
    status = 403
    error_type = "MissingAuthenticationTokenException"
    response_type = "MISSING_AUTHENTICATION_TOKEN"
    default_message = "Missing Authentication Token"


class Unauthorized(GatewayError):
    status = 401
    error_type = "UnauthorizedException"
    response_type = "UNAUTHORIZED"
    default_message = "Unauthorized"


class ExpiredToken(Unauthorized):
    """A Cognito token past its ``exp``: still UNAUTHORIZED, with its own message."""

    default_message = "The incoming token has expired"


class InvalidApiKey(GatewayError):
    status = 403
    error_type = "ForbiddenException"
    response_type = "INVALID_API_KEY"
    default_message = "Forbidden"


class BadRequestParameters(GatewayError):
    status = 400
    error_type = "BadRequestException"
    response_type = "BAD_REQUEST_PARAMETERS"

    def __init__(self, missing: list[str], *, detail: str = "") -> None:
        super().__init__(
            f"Missing required request parameters: [{', '.join(missing)}]", detail=detail
        )
        self.missing = missing


class BadRequestBody(GatewayError):
    status = 400
    error_type = "BadRequestException"
    response_type = "BAD_REQUEST_BODY"
    default_message = "Invalid request body"


class IntegrationFailure(GatewayError):
    """The Lambda raised, timed out on its own, or answered a malformed proxy response: 502."""

    status = 502
    response_type = "DEFAULT_5XX"
    spaced = True


class IntegrationConfigurationError(GatewayError):
    """API Gateway could not call the integration (no invoke permission, bad URI, ...): 500."""

    status = 500
    response_type = "DEFAULT_5XX"
    spaced = True


class IntegrationTimeout(GatewayError):
    status = 504
    response_type = "INTEGRATION_TIMEOUT"
    default_message = "Endpoint request timed out"
    spaced = True


class InternalError(GatewayError):
    """Something failed inside the local cloud itself, not in the API's configuration: answered
    as AWS answers its own failures (docs/aws-behavior.md#internal-errors)."""

    status = 500
    response_type = "DEFAULT_5XX"
    spaced = True


class RequestTooLarge(GatewayError):
    """The request's body is over API Gateway's 10 MB payload quota: refused by its front door,
    as plain text, before the request has an id (docs/aws-behavior.md#gateway-errors)."""

    status = 413
    error_type = ""
    response_type = "REQUEST_TOO_LARGE"
    front_door = True
    content_type = "text; charset=utf-8"

    def __init__(self, limit: int, *, detail: str = "") -> None:
        super().__init__(f"HTTP content length exceeded {limit} bytes.", detail=detail)


class LambdaRequestTooLong(GatewayError):
    """The proxy event is over Lambda's 6 MB request payload quota: Lambda refused the call and
    API Gateway answers its 413 (docs/aws-behavior.md#lambda-proxy-integration)."""

    status = 413
    error_type = "BadRequestException"
    response_type = "REQUEST_TOO_LARGE"
    default_message = "Request Too Long"
    spaced = True
