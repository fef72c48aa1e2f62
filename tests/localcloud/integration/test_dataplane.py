"""The API Gateway data plane against a real local cloud: every rule of docs/aws-behavior.md
from #gateway-errors to #lambda-proxy-integration.

Each API is built through boto3 (apibuilder.py) and called with ``requests`` on its stage URL.
Responses are compared byte for byte; Lambda handlers return values only they can compute (a hash
of the event they received), and the function's CloudWatch log (START lines) shows that refused
requests never reach it.
"""

from __future__ import annotations

import calendar
import hashlib
import json
import re
import time
import uuid
from datetime import datetime
from types import SimpleNamespace

import jwt
import pytest
import requests
from cryptography.hazmat.primitives.asymmetric import rsa

from localcloud.moto import cognito as moto_cognito
from tests.support import ACCOUNT, count_invocations, create_function, unique

from .apibuilder import ApiKeys, RestApi, UserPool, execute_api_arn, grant_invoke

pytestmark = pytest.mark.integration

STAGE = "test"
SCOPE = "aws.cognito.signin.user.admin"

MISSING_TOKEN = b'{"message":"Missing Authentication Token"}'
UNAUTHORIZED = b'{"message":"Unauthorized"}'
EXPIRED = b'{"message":"The incoming token has expired"}'
FORBIDDEN = b'{"message":"Forbidden"}'
INVALID_BODY = b'{"message":"Invalid request body"}'
INTERNAL = b'{"message": "Internal server error"}'
TIMED_OUT = b'{"message": "Endpoint request timed out"}'

AWS_DATE = re.compile(
    r"^(Mon|Tue|Wed|Thu|Fri|Sat|Sun) (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) "
    r"\d\d \d\d:\d\d:\d\d UTC \d{4}$"
)

# Echoes the event it got, with a hash of it that only the handler can compute.
ECHO = """
import hashlib, json

def handler(event, context):
    canon = json.dumps(event, sort_keys=True, separators=(",", ":"))
    return {
        "statusCode": 200,
        "headers": {"Content-Type": "application/json"},
        "body": json.dumps({"event": event, "sha256": hashlib.sha256(canon.encode()).hexdigest()}),
    }
"""

# Answers well or badly depending on ?mode=; "proof" is a hash of the request id it received.
BEHAVE = """
import hashlib, time

def handler(event, context):
    mode = (event.get("queryStringParameters") or {}).get("mode", "")
    proof = hashlib.sha256(("proof:" + event["requestContext"]["requestId"]).encode()).hexdigest()
    if mode == "raise":
        raise RuntimeError("boom " + proof)
    if mode == "unknown_key":
        return {"statusCode": 200, "body": proof, "extra": 1}
    if mode == "object_body":
        return {"statusCode": 200, "body": {"proof": proof}}
    if mode == "bad_status":
        return {"statusCode": "teapot", "body": proof}
    if mode == "bare_string":
        return proof
    if mode == "no_status":
        return {"body": proof}
    if mode == "string_status":
        return {"statusCode": "418", "headers": {"Content-Type": "text/plain"}, "body": proof}
    if mode == "headers":
        return {
            "statusCode": 201,
            "headers": {"Content-Type": "text/plain; charset=utf-8", "X-Proof": proof},
            "multiValueHeaders": {"X-Multi": ["a", "b"]},
            "body": proof,
        }
    if mode == "sleep":
        time.sleep(1)
    return {"statusCode": 200, "body": proof}
"""

CREDS_SCHEMA = {
    "$schema": "http://json-schema.org/draft-04/schema#",
    "type": "object",
    "required": ["username", "password"],
    "properties": {
        "username": {"type": "string", "minLength": 1},
        "password": {"type": "string"},
        # draft 4: exclusiveMaximum is a boolean modifier of maximum
        "age": {"type": "integer", "maximum": 130, "exclusiveMaximum": True},
    },
    "additionalProperties": False,
}


def q(name: str) -> str:
    return f"method.request.querystring.{name}"


def h(name: str) -> str:
    return f"method.request.header.{name}"


# ------------------------------------------------------------------ assertions


def assert_ids(resp: requests.Response) -> str:
    """Every response: x-amzn-RequestId (a UUID) and x-amz-apigw-id. Returns the request id."""
    request_id = resp.headers["x-amzn-RequestId"]
    assert str(uuid.UUID(request_id)) == request_id
    assert resp.headers["x-amz-apigw-id"]
    return request_id


def assert_gateway_error(resp: requests.Response, status: int, body: bytes, error_type: str):
    assert (resp.status_code, resp.content) == (status, body)
    assert resp.headers["Content-Type"] == "application/json"
    assert resp.headers["Content-Length"] == str(len(body))
    assert resp.headers["x-amzn-ErrorType"] == error_type
    assert_ids(resp)


def assert_missing_token(resp):
    assert_gateway_error(resp, 403, MISSING_TOKEN, "MissingAuthenticationTokenException")


def assert_unauthorized(resp):
    assert_gateway_error(resp, 401, UNAUTHORIZED, "UnauthorizedException")


def assert_forbidden(resp):
    assert_gateway_error(resp, 403, FORBIDDEN, "ForbiddenException")


def assert_missing_params(resp, names: str):
    body = b'{"message":"Missing required request parameters: [' + names.encode() + b']"}'
    assert_gateway_error(resp, 400, body, "BadRequestException")


def assert_internal(resp, status: int):
    assert_gateway_error(resp, status, INTERNAL, "InternalServerErrorException")


def echoed(resp: requests.Response) -> dict:
    """The event the echo Lambda received, after checking that the handler really answered."""
    assert resp.status_code == 200, resp.content
    assert resp.headers["Content-Type"] == "application/json"
    assert "x-amzn-ErrorType" not in resp.headers
    doc = resp.json()
    canon = json.dumps(doc["event"], sort_keys=True, separators=(",", ":"))
    assert doc["sha256"] == hashlib.sha256(canon.encode()).hexdigest()
    assert doc["event"]["requestContext"]["requestId"] == assert_ids(resp)
    return doc["event"]


def proof(resp: requests.Response) -> str:
    """What the BEHAVE handler computes from the request id it received."""
    return hashlib.sha256(("proof:" + resp.headers["x-amzn-RequestId"]).encode()).hexdigest()


class Calls:
    """Invocations of a function, counted from its CloudWatch log group."""

    def __init__(self, cloud, function_name: str) -> None:
        self.cloud, self.name = cloud, function_name
        self.start = count_invocations(cloud, function_name)

    @property
    def new(self) -> int:
        return count_invocations(self.cloud, self.name) - self.start


# ------------------------------------------------------------------ tokens


def claims_of(token: str) -> dict:
    return jwt.decode(token, options={"verify_signature": False})


def signing_key():
    return jwt.PyJWK.from_dict(moto_cognito.user_pool_signing_jwk()).key


def forge(claims: dict, key=None) -> str:
    return jwt.encode(
        claims, key or signing_key(), algorithm="RS256", headers={"kid": "dummy", "alg": "RS256"}
    )


# ------------------------------------------------------------------ fixtures


@pytest.fixture(scope="module")
def pool(localcloud) -> UserPool:
    return UserPool.create(localcloud, n_clients=2)


@pytest.fixture(scope="module")
def tokens(pool) -> dict:
    return pool.tokens()


@pytest.fixture(scope="module")
def echo(localcloud, lambda_role) -> dict:
    return create_function(localcloud, lambda_role, ECHO, name=unique("echo"))


@pytest.fixture(scope="module")
def behave(localcloud, lambda_role) -> dict:
    return create_function(localcloud, lambda_role, BEHAVE, name=unique("behave"))


@pytest.fixture(scope="module")
def guarded(localcloud, lambda_role) -> dict:
    """A function API Gateway has no permission to invoke (until a test grants it)."""
    return create_function(localcloud, lambda_role, ECHO, name=unique("guarded"))


@pytest.fixture(scope="module")
def api(localcloud, pool, echo, behave, guarded) -> SimpleNamespace:
    """The shared API, deployed to ``test`` (and ``other``), with its API keys."""
    api = RestApi.create(localcloud)
    apigw = localcloud.client("apigateway")
    any_client = api.cognito_authorizer([pool.arn])
    first_client = api.cognito_authorizer(
        [pool.arn], validation_expression=re.escape(pool.clients[0])
    )
    params_only = api.validator(params=True, body=False)
    params_and_body = api.validator(params=True, body=True)
    creds = api.model(unique("Creds").replace("-", ""), CREDS_SCHEMA)

    api.route("/hello", "GET", echo)
    api.route("/hello", "POST", echo)
    api.route("/items/{id}", "GET", echo)
    api.route("/secure", "GET", echo, authorizer_id=any_client)
    api.route("/scoped", "GET", echo, authorizer_id=any_client, scopes=[SCOPE, "other/scope"])
    api.route("/strict", "GET", echo, authorizer_id=first_client)
    api.route(
        "/auth",
        "GET",
        echo,
        params={q("username"): True, q("password"): True, q("note"): False},
        validator_id=params_only,
    )
    api.route(
        "/auth-header",
        "GET",
        echo,
        params={
            q("username"): True,
            q("password"): True,
            h("x-trace"): True,
            h("x-client"): True,
        },
        validator_id=params_only,
    )
    api.route(
        "/login",
        "POST",
        echo,
        params={q("mode"): True},
        validator_id=params_and_body,
        models={"application/json": creds},
    )
    api.route(
        "/secure-auth",
        "GET",
        echo,
        authorizer_id=any_client,
        params={q("username"): True},
        validator_id=params_only,
    )
    api.route("/keyed", "GET", echo, api_key=True)
    api.route(
        "/keyed-auth",
        "GET",
        echo,
        api_key=True,
        params={q("username"): True},
        validator_id=params_only,
    )
    api.route("/behave", "GET", behave)
    api.method("/slow", "GET")
    api.lambda_proxy("/slow", "GET", behave, timeout_ms=50)
    api.method("/get-integration", "GET")
    api.lambda_proxy("/get-integration", "GET", echo, integration_method="GET")
    api.method("/guarded", "GET")
    api.lambda_proxy("/guarded", "GET", guarded, grant=False)

    mock_id = api.method("/mock", "POST")
    apigw.put_integration(
        restApiId=api.api_id,
        resourceId=mock_id,
        httpMethod="POST",
        type="MOCK",
        requestTemplates={"application/json": '{"statusCode": 501}'},
    )
    for status, pattern, template in (
        ("200", None, '{"ok":true}'),
        ("501", "501", '{"error":"not implemented yet"}'),
    ):
        apigw.put_method_response(
            restApiId=api.api_id, resourceId=mock_id, httpMethod="POST", statusCode=status
        )
        kwargs = {"selectionPattern": pattern} if pattern else {}
        apigw.put_integration_response(
            restApiId=api.api_id,
            resourceId=mock_id,
            httpMethod="POST",
            statusCode=status,
            responseTemplates={"application/json": template},
            **kwargs,
        )

    deployment_id = api.deploy(STAGE)
    api.deploy("other")

    keys = ApiKeys(localcloud)
    good_id, good = keys.key()
    disabled_id, disabled = keys.key(enabled=False)
    _, loose = keys.key()  # in no usage plan
    elsewhere_id, elsewhere = keys.key()  # in a plan for the stage "other" only
    keys.plan(api.api_id, STAGE, [good_id, disabled_id])
    keys.plan(api.api_id, "other", [elsewhere_id])

    return SimpleNamespace(
        rest=api,
        id=api.api_id,
        deployment_id=deployment_id,
        strict_authorizer=first_client,
        keys=SimpleNamespace(
            good=good, good_id=good_id, disabled=disabled, loose=loose, elsewhere=elsewhere
        ),
        url=lambda path, stage=STAGE: api.url(stage, path),
    )


def get(url: str, **kwargs) -> requests.Response:
    return requests.get(url, timeout=30, **kwargs)


def post(url: str, **kwargs) -> requests.Response:
    return requests.post(url, timeout=30, **kwargs)


def bearer(token: str) -> dict:
    return {"Authorization": token}


# ------------------------------------------------------------------ 1. routing


def test_unmatched_route_or_method_is_missing_authentication_token(localcloud, api, echo):
    calls = Calls(localcloud, echo["FunctionName"])
    assert_missing_token(get(api.url("/nope")))
    assert_missing_token(get(api.url("/hello/extra")))
    assert_missing_token(get(api.url("/items")))  # /items has no method, only /items/{id}
    assert_missing_token(get(api.url("/")))  # the root has no method
    assert_missing_token(requests.delete(api.url("/hello"), timeout=30))
    assert_missing_token(requests.put(api.url("/secure"), timeout=30))
    assert calls.new == 0
    echoed(get(api.url("/hello")))
    assert calls.new == 1


# ------------------------------------------------------------------ 5. the proxy event


def test_event_fields_of_a_request_with_path_and_query_parameters(api):
    resp = get(
        api.url("/items/abc-42") + "?x=1&x=2&empty=&z=3",
        headers={"X-Custom": "v1", "User-Agent": "dataplane-test/1.0"},
    )
    event = echoed(resp)
    assert event["resource"] == "/items/{id}"
    assert event["path"] == "/items/abc-42"
    assert event["httpMethod"] == "GET"
    assert event["pathParameters"] == {"id": "abc-42"}
    assert event["queryStringParameters"] == {"x": "2", "empty": "", "z": "3"}
    assert event["multiValueQueryStringParameters"] == {"x": ["1", "2"], "empty": [""], "z": ["3"]}
    assert event["headers"]["X-Custom"] == "v1"
    assert event["multiValueHeaders"]["X-Custom"] == ["v1"]
    assert event["stageVariables"] is None
    assert event["body"] is None
    assert event["isBase64Encoded"] is False

    rc = event["requestContext"]
    assert rc["accountId"] == ACCOUNT
    assert rc["apiId"] == api.id
    assert rc["deploymentId"] == api.deployment_id
    assert rc["httpMethod"] == "GET"
    assert rc["path"] == f"/{STAGE}/items/abc-42"
    assert rc["protocol"] == "HTTP/1.1"
    assert rc["requestId"] == resp.headers["x-amzn-RequestId"]
    assert rc["resourceId"] == api.rest.resources["/items/{id}"]
    assert rc["resourcePath"] == "/items/{id}"
    assert rc["stage"] == STAGE
    assert re.fullmatch(r"\d\d/[A-Z][a-z]{2}/\d{4}:\d\d:\d\d:\d\d \+0000", rc["requestTime"])
    assert isinstance(rc["requestTimeEpoch"], int)
    assert abs(rc["requestTimeEpoch"] / 1000 - time.time()) < 60
    assert rc["identity"]["sourceIp"] == "127.0.0.1"
    assert rc["identity"]["userAgent"] == "dataplane-test/1.0"
    for field in (
        "cognitoIdentityPoolId",
        "cognitoIdentityId",
        "cognitoAuthenticationType",
        "cognitoAuthenticationProvider",
    ):
        assert rc["identity"][field] is None
    assert "authorizer" not in rc  # no authorizer on the method


def test_event_without_query_string_has_null_maps(api):
    event = echoed(get(api.url("/hello")))
    assert event["queryStringParameters"] is None
    assert event["multiValueQueryStringParameters"] is None
    assert event["pathParameters"] is None
    assert event["resource"] == "/hello"
    assert event["path"] == "/hello"
    assert event["requestContext"]["path"] == f"/{STAGE}/hello"
    assert "authorizer" not in event["requestContext"]


def test_event_carries_the_request_body(api):
    payload = '{"a": [1, 2], "b": "\u00e9"}'
    event = echoed(post(api.url("/hello"), data=payload.encode(), headers={"X-K": "v"}))
    assert event["httpMethod"] == "POST"
    assert event["body"] == payload
    assert event["isBase64Encoded"] is False


def test_each_response_gets_its_own_request_id(api):
    first, second = get(api.url("/hello")), get(api.url("/nope"))
    assert assert_ids(first) != assert_ids(second)
    assert first.headers["x-amz-apigw-id"] != second.headers["x-amz-apigw-id"]


# ------------------------------------------------------------------ 3. Cognito authorizer


def test_authorizer_refusals_never_reach_the_lambda(localcloud, api, echo, pool, tokens):
    calls = Calls(localcloud, echo["FunctionName"])
    url = api.url("/secure")
    assert_unauthorized(get(url))  # no header
    assert_unauthorized(get(url, headers=bearer("")))  # empty header
    assert_unauthorized(get(url, headers=bearer("Bearer ")))
    assert_unauthorized(get(url, headers=bearer("not-a-jwt")))
    assert_unauthorized(get(url, headers=bearer("aaa.bbb.ccc")))
    # signed with another RSA key, same claims and issuer as the pool's
    other_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    assert_unauthorized(get(url, headers=bearer(forge(claims_of(tokens["IdToken"]), other_key))))
    # tampered payload: the pool's signature no longer matches
    head, _, sig = tokens["IdToken"].split(".")
    tampered = dict(claims_of(tokens["IdToken"]), **{"cognito:username": "mallory"})
    body = jwt.utils.base64url_encode(json.dumps(tampered).encode()).decode()
    assert_unauthorized(get(url, headers=bearer(f"{head}.{body}.{sig}")))
    # an access token on a method without scopes
    assert_unauthorized(get(url, headers=bearer(tokens["AccessToken"])))
    assert_unauthorized(get(url, headers=bearer("Bearer " + tokens["AccessToken"])))
    # a refresh token is not a JWT
    assert_unauthorized(get(url, headers=bearer(tokens["RefreshToken"])))
    assert calls.new == 0
    echoed(get(url, headers=bearer(tokens["IdToken"])))
    assert calls.new == 1


def test_expired_id_token_has_its_own_message(localcloud, api, echo, pool, tokens):
    calls = Calls(localcloud, echo["FunctionName"])
    now = int(time.time())
    claims = dict(claims_of(tokens["IdToken"]), iat=now - 7200, auth_time=now - 7200)
    assert claims["iss"] == pool.issuer
    expired = forge(dict(claims, exp=now - 60))
    resp = get(api.url("/secure"), headers=bearer(expired))
    assert_gateway_error(resp, 401, EXPIRED, "UnauthorizedException")
    resp = get(api.url("/secure"), headers=bearer("Bearer " + expired))
    assert_gateway_error(resp, 401, EXPIRED, "UnauthorizedException")
    assert calls.new == 0
    # the same forgery, unexpired, passes: only the expiry was wrong
    event = echoed(get(api.url("/secure"), headers=bearer(forge(dict(claims, exp=now + 600)))))
    assert event["requestContext"]["authorizer"]["claims"]["cognito:username"] == pool.username
    assert calls.new == 1


def test_bearer_prefix_is_accepted(api, tokens):
    echoed(get(api.url("/secure"), headers=bearer("Bearer " + tokens["IdToken"])))


def test_claims_reach_the_lambda_as_strings(api, pool, tokens):
    token = tokens["IdToken"]
    event = echoed(get(api.url("/secure"), headers=bearer(token)))
    authorizer = event["requestContext"]["authorizer"]
    assert list(authorizer) == ["claims"]
    claims = authorizer["claims"]
    original = claims_of(token)
    assert set(claims) == set(original)
    assert all(isinstance(v, str) for v in claims.values()), claims
    assert claims["cognito:username"] == pool.username
    assert claims["aud"] == pool.clients[0]
    assert claims["token_use"] == "id"
    assert claims["iss"] == pool.issuer
    assert claims["sub"] == original["sub"]
    for name in ("exp", "iat"):
        assert AWS_DATE.match(claims[name]), claims[name]
        parsed = datetime.strptime(claims[name], "%a %b %d %H:%M:%S UTC %Y")
        assert calendar.timegm(parsed.timetuple()) == original[name]
    identity = event["requestContext"]["identity"]
    assert identity["cognitoIdentityId"] is None
    assert identity["cognitoAuthenticationType"] is None


def test_claim_types_are_stringified(api, tokens):
    claims = dict(
        claims_of(tokens["IdToken"]),
        **{
            "cognito:groups": ["admins", "readers"],
            "email_verified": True,
            "custom:flag": False,
            "custom:level": 7,
        },
    )
    event = echoed(get(api.url("/secure"), headers=bearer(forge(claims))))
    got = event["requestContext"]["authorizer"]["claims"]
    assert got["cognito:groups"] == "admins,readers"
    assert got["email_verified"] == "true"
    assert got["custom:flag"] == "false"
    assert got["custom:level"] == "7"
    assert AWS_DATE.match(got["exp"]) and AWS_DATE.match(got["iat"])


def test_any_app_client_of_the_pool_passes_without_validation_expression(api, pool):
    second = pool.tokens(pool.clients[1])
    event = echoed(get(api.url("/secure"), headers=bearer(second["IdToken"])))
    assert event["requestContext"]["authorizer"]["claims"]["aud"] == pool.clients[1]


def test_identity_validation_expression_checks_the_audience(localcloud, api, echo, pool, tokens):
    stored = localcloud.client("apigateway").get_authorizer(
        restApiId=api.id, authorizerId=api.strict_authorizer
    )
    assert stored["identityValidationExpression"] == pool.clients[0]
    calls = Calls(localcloud, echo["FunctionName"])
    second = pool.tokens(pool.clients[1])
    assert_unauthorized(get(api.url("/strict"), headers=bearer(second["IdToken"])))
    assert calls.new == 0
    event = echoed(get(api.url("/strict"), headers=bearer(tokens["IdToken"])))
    assert event["requestContext"]["authorizer"]["claims"]["aud"] == pool.clients[0]
    assert calls.new == 1


def test_token_of_a_pool_not_in_provider_arns_is_refused(localcloud, api, echo):
    stranger = UserPool.create(localcloud)
    calls = Calls(localcloud, echo["FunctionName"])
    other = stranger.tokens()
    assert claims_of(other["IdToken"])["iss"] == stranger.issuer
    assert_unauthorized(get(api.url("/secure"), headers=bearer(other["IdToken"])))
    assert_unauthorized(get(api.url("/scoped"), headers=bearer(other["AccessToken"])))
    assert calls.new == 0


def test_authorization_scopes_want_an_access_token(localcloud, api, echo, pool, tokens):
    calls = Calls(localcloud, echo["FunctionName"])
    assert_unauthorized(get(api.url("/scoped"), headers=bearer(tokens["IdToken"])))
    unscoped = forge(dict(claims_of(tokens["AccessToken"]), scope="openid profile"))
    assert_unauthorized(get(api.url("/scoped"), headers=bearer(unscoped)))
    assert calls.new == 0
    event = echoed(get(api.url("/scoped"), headers=bearer(tokens["AccessToken"])))
    claims = event["requestContext"]["authorizer"]["claims"]
    assert claims["token_use"] == "access"
    assert claims["scope"] == SCOPE
    assert claims["username"] == pool.username
    assert claims["client_id"] == pool.clients[0]
    assert calls.new == 1


# ------------------------------------------------------------------ API keys


def test_api_key_refusals_are_forbidden(localcloud, api, echo):
    calls = Calls(localcloud, echo["FunctionName"])
    url = api.url("/keyed")
    assert_forbidden(get(url))  # missing
    assert_forbidden(get(url, headers={"x-api-key": ""}))
    assert_forbidden(get(url, headers={"x-api-key": "no-such-key-value-0123456789"}))
    assert_forbidden(get(url, headers={"x-api-key": api.keys.disabled}))
    assert_forbidden(get(url, headers={"x-api-key": api.keys.loose}))
    assert_forbidden(get(url, headers={"x-api-key": api.keys.elsewhere}))
    assert calls.new == 0
    echoed(get(url, headers={"x-api-key": api.keys.good}))
    echoed(get(url, headers={"X-API-Key": api.keys.good}))  # header names are case-insensitive
    # the key whose plan covers only stage "other" works there
    echoed(get(api.url("/keyed", stage="other"), headers={"x-api-key": api.keys.elsewhere}))
    assert_forbidden(get(api.url("/keyed", stage="other"), headers={"x-api-key": api.keys.good}))
    assert calls.new == 3


def test_disabling_a_key_takes_effect_without_deploying(localcloud, api):
    keys = ApiKeys(localcloud)
    key_id, value = keys.key()
    keys.plan(api.id, STAGE, [key_id])
    echoed(get(api.url("/keyed"), headers={"x-api-key": value}))
    localcloud.client("apigateway").update_api_key(
        apiKey=key_id, patchOperations=[{"op": "replace", "path": "/enabled", "value": "false"}]
    )
    assert_forbidden(get(api.url("/keyed"), headers={"x-api-key": value}))


# ------------------------------------------------------------------ 4. request validation


def test_required_query_strings(localcloud, api, echo):
    calls = Calls(localcloud, echo["FunctionName"])
    url = api.url("/auth")
    assert_missing_params(get(url), "password, username")
    assert_missing_params(get(url + "?note=x"), "password, username")  # optional one given
    assert_missing_params(get(url + "?username=bob"), "password")
    assert_missing_params(get(url + "?username=bob&password="), "password")  # blank
    assert_missing_params(get(url + "?username=&password="), "password, username")
    assert_missing_params(get(url + "?password"), "password, username")  # no "=" is blank too
    assert calls.new == 0
    event = echoed(get(url + "?username=bob&password=s3cret"))
    assert event["queryStringParameters"] == {"username": "bob", "password": "s3cret"}
    assert calls.new == 1


def test_required_headers_are_listed_first(localcloud, api, echo):
    calls = Calls(localcloud, echo["FunctionName"])
    url = api.url("/auth-header")
    assert_missing_params(get(url), "x-client, x-trace, password, username")
    assert_missing_params(
        get(url + "?username=bob", headers={"X-Trace": "t-1", "X-Client": ""}),
        "x-client, password",
    )
    assert_missing_params(
        get(url + "?username=bob&password=p", headers={"X-Trace": "t-1"}), "x-client"
    )
    assert calls.new == 0
    echoed(get(url + "?username=bob&password=p", headers={"x-trace": "t", "X-Client": "c"}))
    assert calls.new == 1


def test_body_model_is_json_schema_draft_4(localcloud, api, echo):
    calls = Calls(localcloud, echo["FunctionName"])
    url = api.url("/login") + "?mode=password"
    bad_request = "BadRequestException"
    for body in (
        {"username": "bob"},  # password missing
        {"username": "", "password": "p"},  # minLength
        {"username": 5, "password": "p"},  # type
        {"username": "bob", "password": "p", "role": "admin"},  # additionalProperties
        {"username": "bob", "password": "p", "age": 130},  # draft-4 exclusiveMaximum
        ["username", "password"],
    ):
        assert_gateway_error(post(url, json=body), 400, INVALID_BODY, bad_request)
    not_json = post(url, data=b"{username: bob", headers={"Content-Type": "application/json"})
    assert_gateway_error(not_json, 400, INVALID_BODY, bad_request)
    no_body = post(url, headers={"Content-Type": "application/json"})
    assert_gateway_error(no_body, 400, INVALID_BODY, bad_request)
    assert calls.new == 0
    sent = json.dumps({"username": "bob", "password": "p", "age": 129})
    event = echoed(post(url, data=sent, headers={"Content-Type": "application/json"}))
    assert event["body"] == sent
    assert calls.new == 1


def test_parameters_are_checked_before_the_body(api):
    resp = post(api.url("/login"), json={"username": 5})
    assert_missing_params(resp, "mode")


# ------------------------------------------------------------------ 1. order of checks


def test_authorizer_runs_before_validation(localcloud, api, echo, tokens):
    calls = Calls(localcloud, echo["FunctionName"])
    url = api.url("/secure-auth")
    assert_unauthorized(get(url))
    assert_unauthorized(get(url, headers=bearer(tokens["AccessToken"])))
    assert_missing_params(get(url, headers=bearer(tokens["IdToken"])), "username")
    assert calls.new == 0
    echoed(get(url + "?username=bob", headers=bearer(tokens["IdToken"])))
    assert calls.new == 1


def test_api_key_runs_before_validation(localcloud, api, echo):
    calls = Calls(localcloud, echo["FunctionName"])
    url = api.url("/keyed-auth")
    assert_forbidden(get(url))
    assert_forbidden(get(url, headers={"x-api-key": api.keys.disabled}))
    assert_missing_params(get(url, headers={"x-api-key": api.keys.good}), "username")
    assert calls.new == 0
    echoed(get(url + "?username=bob", headers={"x-api-key": api.keys.good}))
    assert calls.new == 1


def test_route_runs_before_everything(api, tokens):
    # an unknown method on a path whose methods need a token, a key and parameters
    assert_missing_token(post(api.url("/keyed-auth")))
    assert_missing_token(post(api.url("/secure-auth"), headers=bearer(tokens["IdToken"])))


# ------------------------------------------------------------------ 5. Lambda proxy responses


@pytest.mark.parametrize(
    "mode", ["raise", "unknown_key", "object_body", "bad_status", "bare_string"]
)
def test_lambda_failures_are_502(localcloud, api, behave, mode):
    calls = Calls(localcloud, behave["FunctionName"])
    resp = get(api.url("/behave") + f"?mode={mode}")
    assert_internal(resp, 502)
    assert len(resp.content) == 36
    assert calls.new == 1  # the function ran; API Gateway refused its answer


def test_missing_status_code_means_200_and_content_type_defaults_to_json(api):
    resp = get(api.url("/behave") + "?mode=no_status")
    assert resp.status_code == 200
    assert resp.content == proof(resp).encode()
    assert resp.headers["Content-Type"] == "application/json"
    assert "x-amzn-ErrorType" not in resp.headers
    assert_ids(resp)


def test_numeric_string_status_code(api):
    resp = get(api.url("/behave") + "?mode=string_status")
    assert resp.status_code == 418
    assert resp.content == proof(resp).encode()
    assert resp.headers["Content-Type"] == "text/plain"
    assert_ids(resp)


def test_headers_and_multi_value_headers_pass_through(api):
    resp = get(api.url("/behave") + "?mode=headers")
    assert resp.status_code == 201
    assert resp.content == proof(resp).encode()
    assert resp.headers["Content-Type"] == "text/plain; charset=utf-8"
    assert resp.headers["X-Proof"] == proof(resp)
    assert resp.raw.headers.getlist("X-Multi") == ["a", "b"]
    assert_ids(resp)


def test_integration_timeout_is_504(localcloud, api, behave):
    started = time.monotonic()
    resp = get(api.url("/slow") + "?mode=sleep")
    elapsed = time.monotonic() - started
    assert_gateway_error(resp, 504, TIMED_OUT, "InternalServerErrorException")
    assert elapsed < 0.9, f"API Gateway waited {elapsed:.2f} s, past its 50 ms timeout"
    # the function itself is fine: through a method with the default timeout it answers
    resp = get(api.url("/behave") + "?mode=sleep")
    assert (resp.status_code, resp.content) == (200, proof(resp).encode())


def test_integration_http_method_must_be_post(localcloud, api, echo):
    calls = Calls(localcloud, echo["FunctionName"])
    assert_internal(get(api.url("/get-integration")), 500)
    assert calls.new == 0


def test_invoke_permission_is_required(localcloud, api, guarded):
    name = guarded["FunctionName"]
    calls = Calls(localcloud, name)
    url = api.url("/guarded")
    assert_internal(get(url), 500)  # no resource policy at all
    grant_invoke(localcloud, name, execute_api_arn(api.id, "GET", "other"))
    assert_internal(get(url), 500)  # another path
    grant_invoke(localcloud, name, execute_api_arn(api.id, "POST", "guarded"))
    assert_internal(get(url), 500)  # another method
    grant_invoke(localcloud, name, execute_api_arn("otherapi42", "GET", "guarded"))
    assert_internal(get(url), 500)  # another API
    assert calls.new == 0
    grant_invoke(localcloud, name, execute_api_arn(api.id, "GET", "guarded"))
    event = echoed(get(url))  # a permission is live at once: no deployment needed
    assert event["resource"] == "/guarded"
    assert calls.new == 1


# ------------------------------------------------------------------ MOCK integration


def test_mock_integration_picks_its_response_by_status(api):
    resp = post(api.url("/mock"), json={"any": "thing"})
    assert resp.status_code == 501
    assert resp.content == b'{"error":"not implemented yet"}'
    assert resp.headers["Content-Type"] == "application/json"
    assert_ids(resp)


# ------------------------------------------------------------------ 2. stages serve deployments


def test_stage_serves_its_deployment_until_redeployed(localcloud, echo, pool, tokens):
    api = RestApi.create(localcloud)
    apigw = localcloud.client("apigateway")
    calls = Calls(localcloud, echo["FunctionName"])
    api.route("/hello", "GET", echo)
    first = api.deploy("prod")
    assert echoed(get(api.url("prod", "/hello")))["requestContext"]["deploymentId"] == first
    assert_missing_token(get(api.url("prod", "/new")))

    # change the API: /hello now needs a token, /new exists; nothing is deployed yet
    authorizer = api.cognito_authorizer([pool.arn])
    api.route("/hello", "GET", echo, authorizer_id=authorizer)
    api.route("/new", "GET", echo)
    assert echoed(get(api.url("prod", "/hello")))["requestContext"]["deploymentId"] == first
    assert_missing_token(get(api.url("prod", "/new")))
    assert calls.new == 2

    second = api.deploy("prod")
    assert second != first
    assert_unauthorized(get(api.url("prod", "/hello")))
    event = echoed(get(api.url("prod", "/hello"), headers=bearer(tokens["IdToken"])))
    assert event["requestContext"]["deploymentId"] == second
    assert event["requestContext"]["authorizer"]["claims"]["cognito:username"] == pool.username
    assert echoed(get(api.url("prod", "/new")))["resource"] == "/new"
    assert calls.new == 4

    # a second stage moved back to the first deployment serves the old API
    apigw.create_stage(restApiId=api.api_id, stageName="old", deploymentId=second)
    assert_unauthorized(get(api.url("old", "/hello")))
    apigw.update_stage(
        restApiId=api.api_id,
        stageName="old",
        patchOperations=[{"op": "replace", "path": "/deploymentId", "value": first}],
    )
    event = echoed(get(api.url("old", "/hello")))
    assert event["requestContext"]["deploymentId"] == first
    assert event["requestContext"]["stage"] == "old"
    assert "authorizer" not in event["requestContext"]
    assert_missing_token(get(api.url("old", "/new")))
    assert_unauthorized(get(api.url("prod", "/hello")))  # prod is unchanged
    assert calls.new == 5


def test_validator_changed_after_deploying_is_not_live(localcloud, echo):
    api = RestApi.create(localcloud)
    api.route("/auth", "GET", echo)
    api.deploy("prod")
    validator = api.validator(params=True, body=False)
    api.route("/auth", "GET", echo, params={q("username"): True}, validator_id=validator)
    echoed(get(api.url("prod", "/auth")))
    api.deploy("prod")
    assert_missing_params(get(api.url("prod", "/auth")), "username")
