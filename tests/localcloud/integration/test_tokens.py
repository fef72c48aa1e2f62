"""Tokens in depth on the local cloud: the movable clock, token lifetimes, refresh, sign-out and
revocation, resource servers, and the hosted domain's token endpoint
(docs/aws-behavior.md#cognito-sign-in, #cognito-user-pool-authorizer and
#cognito-token-endpoint)."""

from __future__ import annotations

import base64
import json
import urllib.request

import jwt
import pytest
import requests
from botocore.exceptions import ClientError

from tests.support import REGION, unique

from .apibuilder import RestApi

pytestmark = pytest.mark.integration

PASSWORD = "Correct-Horse-9"
ADMIN_FLOWS = [
    "ALLOW_ADMIN_USER_PASSWORD_AUTH",
    "ALLOW_USER_PASSWORD_AUTH",
    "ALLOW_REFRESH_TOKEN_AUTH",
]
INVALID_VALIDITY = "Invalid range for token validity."
UNAUTHORIZED = b'{"message":"Unauthorized"}'
EXPIRED = b'{"message":"The incoming token has expired"}'


@pytest.fixture(scope="module")
def cognito(localcloud):
    return localcloud.client("cognito-idp")


@pytest.fixture
def clock(localcloud):
    """POST to the clock; the offset is cleared after the test."""

    def move(doc: dict) -> dict:
        resp = requests.post(f"{localcloud.endpoint}/_localcloud/clock", json=doc, timeout=10)
        assert resp.status_code == 200, resp.text
        return resp.json()

    yield move
    move({"reset": True})


@pytest.fixture(scope="module")
def pool_id(cognito) -> str:
    return cognito.create_user_pool(PoolName=unique("pool"))["UserPool"]["Id"]


def make_client(cognito, pool_id, **extra) -> dict:
    extra.setdefault("ExplicitAuthFlows", ADMIN_FLOWS)
    return cognito.create_user_pool_client(
        UserPoolId=pool_id, ClientName=unique("client"), **extra
    )["UserPoolClient"]


def make_user(cognito, pool_id) -> str:
    username = unique("user")
    cognito.admin_create_user(
        UserPoolId=pool_id,
        Username=username,
        TemporaryPassword="Temporary-Pass-1",
        MessageAction="SUPPRESS",
    )
    cognito.admin_set_user_password(
        UserPoolId=pool_id, Username=username, Password=PASSWORD, Permanent=True
    )
    return username


def sign_in(cognito, pool_id, client_id, username) -> dict:
    return cognito.admin_initiate_auth(
        UserPoolId=pool_id,
        ClientId=client_id,
        AuthFlow="ADMIN_USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": username, "PASSWORD": PASSWORD},
    )["AuthenticationResult"]


def refresh(cognito, client_id, token, pool_id=None) -> dict:
    params = {"AuthFlow": "REFRESH_TOKEN_AUTH", "AuthParameters": {"REFRESH_TOKEN": token}}
    if pool_id:
        return cognito.admin_initiate_auth(UserPoolId=pool_id, ClientId=client_id, **params)
    return cognito.initiate_auth(ClientId=client_id, **params)


def claims(token: str) -> dict:
    return jwt.decode(token, options={"verify_signature": False})


def error_of(exc_info) -> tuple[str, str]:
    err = exc_info.value.response["Error"]
    return err["Code"], err["Message"]


# ------------------------------------------------------------------ the clock


def test_clock_moves_forward_resets_and_shows_its_offset(localcloud, clock):
    assert clock({"advance_seconds": 90})["offset_seconds"] == 90
    assert clock({"advance_seconds": 10})["offset_seconds"] == 100
    with urllib.request.urlopen(f"{localcloud.endpoint}/_localcloud/clock") as resp:
        assert json.loads(resp.read())["offset_seconds"] == 100
    assert clock({"reset": True})["offset_seconds"] == 0


@pytest.mark.parametrize("doc", [{"advance_seconds": -1}, {"advance_seconds": "5"}, {}, []])
def test_clock_refuses_what_it_cannot_do(localcloud, doc):
    resp = requests.post(f"{localcloud.endpoint}/_localcloud/clock", json=doc, timeout=10)
    assert resp.status_code == 400
    assert "message" in resp.json()


def test_issued_tokens_use_the_moved_clock(cognito, pool_id, clock):
    client = make_client(cognito, pool_id)
    user = make_user(cognito, pool_id)
    before = claims(sign_in(cognito, pool_id, client["ClientId"], user)["IdToken"])["iat"]
    clock({"advance_seconds": 7200})
    after = claims(sign_in(cognito, pool_id, client["ClientId"], user)["IdToken"])["iat"]
    assert after - before >= 7200


# ------------------------------------------------------------------ token lifetimes


def test_default_lifetimes_are_an_hour(cognito, pool_id):
    client = make_client(cognito, pool_id)
    result = sign_in(cognito, pool_id, client["ClientId"], make_user(cognito, pool_id))
    assert result["ExpiresIn"] == 3600
    for name in ("IdToken", "AccessToken"):
        token = claims(result[name])
        assert token["exp"] - token["iat"] == 3600


def test_lifetimes_follow_validity_and_units(cognito, pool_id):
    client = make_client(
        cognito,
        pool_id,
        IdTokenValidity=10,
        AccessTokenValidity=300,
        RefreshTokenValidity=2,
        TokenValidityUnits={
            "IdToken": "minutes",
            "AccessToken": "seconds",
            "RefreshToken": "hours",
        },
    )
    result = sign_in(cognito, pool_id, client["ClientId"], make_user(cognito, pool_id))
    assert result["ExpiresIn"] == 300
    access, id_token = claims(result["AccessToken"]), claims(result["IdToken"])
    assert access["exp"] - access["iat"] == 300
    assert id_token["exp"] - id_token["iat"] == 600


def test_validity_without_units_is_in_hours(cognito, pool_id):
    client = make_client(cognito, pool_id, AccessTokenValidity=2, IdTokenValidity=3)
    result = sign_in(cognito, pool_id, client["ClientId"], make_user(cognito, pool_id))
    assert result["ExpiresIn"] == 7200
    id_token = claims(result["IdToken"])
    assert id_token["exp"] - id_token["iat"] == 3 * 3600


@pytest.mark.parametrize(
    "settings",
    [
        {"AccessTokenValidity": 299, "TokenValidityUnits": {"AccessToken": "seconds"}},
        {"AccessTokenValidity": 25},  # hours
        {"IdTokenValidity": 4, "TokenValidityUnits": {"IdToken": "minutes"}},
        {"IdTokenValidity": 2, "TokenValidityUnits": {"IdToken": "days"}},
        {"RefreshTokenValidity": 59, "TokenValidityUnits": {"RefreshToken": "minutes"}},
        {"RefreshTokenValidity": 3651},  # days
    ],
)
def test_lifetimes_out_of_range_are_refused(cognito, pool_id, settings):
    with pytest.raises(ClientError) as exc:
        make_client(cognito, pool_id, **settings)
    assert error_of(exc) == ("InvalidParameterException", INVALID_VALIDITY)
    client = make_client(cognito, pool_id)
    with pytest.raises(ClientError) as exc:
        cognito.update_user_pool_client(UserPoolId=pool_id, ClientId=client["ClientId"], **settings)
    assert error_of(exc) == ("InvalidParameterException", INVALID_VALIDITY)


@pytest.mark.parametrize(
    "settings",
    [
        {"AccessTokenValidity": 300, "TokenValidityUnits": {"AccessToken": "seconds"}},
        {"IdTokenValidity": 1, "TokenValidityUnits": {"IdToken": "days"}},
        {"RefreshTokenValidity": 60, "TokenValidityUnits": {"RefreshToken": "minutes"}},
        {"RefreshTokenValidity": 3650},
    ],
)
def test_lifetimes_at_the_edges_are_accepted(cognito, pool_id, settings):
    assert make_client(cognito, pool_id, **settings)["ClientId"]


# ------------------------------------------------------------------ refresh


@pytest.mark.parametrize("admin", [True, False])
def test_refresh_returns_new_id_and_access_tokens_only(cognito, pool_id, admin):
    client = make_client(cognito, pool_id)
    first = sign_in(cognito, pool_id, client["ClientId"], make_user(cognito, pool_id))
    result = refresh(
        cognito, client["ClientId"], first["RefreshToken"], pool_id if admin else None
    )["AuthenticationResult"]
    assert set(result) == {"IdToken", "AccessToken", "ExpiresIn", "TokenType"}
    assert result["AccessToken"] != first["AccessToken"]
    assert claims(result["IdToken"])["token_use"] == "id"


@pytest.mark.parametrize("admin", [True, False])
def test_unknown_refresh_token_is_invalid(cognito, pool_id, admin):
    client = make_client(cognito, pool_id)
    with pytest.raises(ClientError) as exc:
        refresh(cognito, client["ClientId"], "not-a-refresh-token", pool_id if admin else None)
    assert error_of(exc) == ("NotAuthorizedException", "Invalid Refresh Token.")


def test_refresh_needs_the_flow(cognito, pool_id):
    client = make_client(cognito, pool_id, ExplicitAuthFlows=["ALLOW_ADMIN_USER_PASSWORD_AUTH"])
    first = sign_in(cognito, pool_id, client["ClientId"], make_user(cognito, pool_id))
    with pytest.raises(ClientError) as exc:
        refresh(cognito, client["ClientId"], first["RefreshToken"], pool_id)
    assert error_of(exc) == ("InvalidParameterException", "Auth flow not enabled for this client")


def test_refresh_token_expires_by_its_validity(cognito, pool_id, clock):
    client = make_client(
        cognito, pool_id, RefreshTokenValidity=60, TokenValidityUnits={"RefreshToken": "minutes"}
    )
    first = sign_in(cognito, pool_id, client["ClientId"], make_user(cognito, pool_id))
    clock({"advance_seconds": 3601})
    with pytest.raises(ClientError) as exc:
        refresh(cognito, client["ClientId"], first["RefreshToken"])
    assert error_of(exc) == ("NotAuthorizedException", "Refresh Token has expired")


# ------------------------------------------------------------------ sign-out and revocation


def _signed_in(cognito, pool_id):
    client = make_client(cognito, pool_id)
    user = make_user(cognito, pool_id)
    return client, user, sign_in(cognito, pool_id, client["ClientId"], user)


def _assert_revoked(cognito, client_id, tokens):
    for pool in (None,):
        with pytest.raises(ClientError) as exc:
            refresh(cognito, client_id, tokens["RefreshToken"], pool)
        assert error_of(exc) == ("NotAuthorizedException", "Refresh Token has been revoked")
    with pytest.raises(ClientError) as exc:
        cognito.get_user(AccessToken=tokens["AccessToken"])
    assert error_of(exc) == ("NotAuthorizedException", "Access Token has been revoked")


def test_admin_global_sign_out_revokes(cognito, pool_id):
    client, user, tokens = _signed_in(cognito, pool_id)
    assert cognito.get_user(AccessToken=tokens["AccessToken"])["Username"] == user
    cognito.admin_user_global_sign_out(UserPoolId=pool_id, Username=user)
    _assert_revoked(cognito, client["ClientId"], tokens)


def test_global_sign_out_revokes(cognito, pool_id):
    client, _, tokens = _signed_in(cognito, pool_id)
    cognito.global_sign_out(AccessToken=tokens["AccessToken"])
    _assert_revoked(cognito, client["ClientId"], tokens)


def test_revoke_token_revokes(cognito, pool_id):
    client, _, tokens = _signed_in(cognito, pool_id)
    assert cognito.revoke_token(Token=tokens["RefreshToken"], ClientId=client["ClientId"])
    _assert_revoked(cognito, client["ClientId"], tokens)


def test_revoke_token_leaves_other_sessions_alone(cognito, pool_id):
    client, user, tokens = _signed_in(cognito, pool_id)
    other = sign_in(cognito, pool_id, client["ClientId"], user)
    cognito.revoke_token(Token=tokens["RefreshToken"], ClientId=client["ClientId"])
    assert cognito.get_user(AccessToken=other["AccessToken"])["Username"] == user
    assert refresh(cognito, client["ClientId"], other["RefreshToken"])["AuthenticationResult"]


# ------------------------------------------------------------------ resource servers and scopes


def test_allowed_scopes_must_exist(cognito, pool_id):
    server = f"https://{unique('api')}.example.com"
    oauth = {"AllowedOAuthFlowsUserPoolClient": True, "AllowedOAuthFlows": ["client_credentials"]}
    with pytest.raises(ClientError) as exc:
        make_client(
            cognito, pool_id, GenerateSecret=True, AllowedOAuthScopes=[f"{server}/read"], **oauth
        )
    assert error_of(exc) == (
        "ScopeDoesNotExistException",
        f"Invalid scope requested: {server}/read",
    )
    cognito.create_resource_server(
        UserPoolId=pool_id,
        Identifier=server,
        Name="api",
        Scopes=[{"ScopeName": "read", "ScopeDescription": "read"}],
    )
    assert make_client(
        cognito,
        pool_id,
        GenerateSecret=True,
        AllowedOAuthScopes=[f"{server}/read", "openid"],
        **oauth,
    )["ClientId"]


# ------------------------------------------------------------------ the token endpoint


@pytest.fixture(scope="module")
def hosted(localcloud, cognito):
    """A pool with a domain, a resource server with two scopes, a machine client, a user client."""
    pool = cognito.create_user_pool(PoolName=unique("m2m"))["UserPool"]
    domain = unique("auth").lower()
    cognito.create_user_pool_domain(UserPoolId=pool["Id"], Domain=domain)
    server = "orders-api"
    cognito.create_resource_server(
        UserPoolId=pool["Id"],
        Identifier=server,
        Name="orders",
        Scopes=[
            {"ScopeName": "read", "ScopeDescription": "r"},
            {"ScopeName": "write", "ScopeDescription": "w"},
        ],
    )
    machine = make_client(
        cognito,
        pool["Id"],
        GenerateSecret=True,
        AllowedOAuthFlowsUserPoolClient=True,
        AllowedOAuthFlows=["client_credentials"],
        AllowedOAuthScopes=[f"{server}/read", f"{server}/write"],
        ExplicitAuthFlows=[],
        AccessTokenValidity=10,
        TokenValidityUnits={"AccessToken": "minutes"},
    )
    user_client = make_client(cognito, pool["Id"])
    return {
        "pool": pool,
        "url": f"{localcloud.endpoint}/_cognito/{domain}/oauth2/token",
        "machine": machine,
        "user_client": user_client,
        "server": server,
    }


def basic(client_id: str, secret: str) -> dict:
    raw = base64.b64encode(f"{client_id}:{secret}".encode()).decode()
    return {"Authorization": f"Basic {raw}"}


def post_token(hosted, data: dict, headers: dict | None = None) -> requests.Response:
    return requests.post(hosted["url"], data=data, headers=headers or {}, timeout=10)


def machine_token(hosted, **extra) -> requests.Response:
    m = hosted["machine"]
    return post_token(
        hosted,
        {"grant_type": "client_credentials", **extra},
        basic(m["ClientId"], m["ClientSecret"]),
    )


def test_client_credentials_issues_a_machine_access_token(hosted, localcloud):
    resp = machine_token(hosted)
    assert resp.status_code == 200
    body = resp.json()
    assert set(body) == {"access_token", "expires_in", "token_type"}
    assert body["token_type"] == "Bearer" and body["expires_in"] == 600
    jwks = requests.get(
        f"{localcloud.endpoint}/{hosted['pool']['Id']}/.well-known/jwks.json", timeout=10
    ).json()
    key = jwt.PyJWK.from_json(json.dumps(jwks["keys"][0])).key
    token = jwt.decode(body["access_token"], key=key, algorithms=["RS256"])
    client_id = hosted["machine"]["ClientId"]
    assert token["sub"] == token["client_id"] == client_id
    assert token["token_use"] == "access"
    assert token["scope"] == f"{hosted['server']}/read {hosted['server']}/write"
    assert token["iss"] == f"https://cognito-idp.{REGION}.amazonaws.com/{hosted['pool']['Id']}"
    assert token["exp"] - token["iat"] == 600
    assert {"auth_time", "jti", "version"} <= set(token)
    assert "username" not in token


def test_client_credentials_in_the_body_and_a_narrower_scope(hosted):
    m = hosted["machine"]
    resp = post_token(
        hosted,
        {
            "grant_type": "client_credentials",
            "client_id": m["ClientId"],
            "client_secret": m["ClientSecret"],
            "scope": f"{hosted['server']}/read",
        },
    )
    assert resp.status_code == 200
    assert claims(resp.json()["access_token"])["scope"] == f"{hosted['server']}/read"


def _error(resp: requests.Response, code: str) -> None:
    assert (resp.status_code, resp.json()) == (400, {"error": code})


def test_token_endpoint_errors(hosted, cognito):
    m = hosted["machine"]
    _error(machine_token(hosted, scope="orders-api/delete"), "invalid_scope")
    _error(machine_token(hosted, scope="openid"), "invalid_scope")
    bad = post_token(hosted, {"grant_type": "client_credentials"}, basic(m["ClientId"], "wrong"))
    _error(bad, "invalid_client")
    _error(
        post_token(hosted, {"grant_type": "client_credentials", "client_id": m["ClientId"]}),
        "invalid_client",
    )
    _error(
        post_token(hosted, {"grant_type": "client_credentials"}, basic("nope", "x")),
        "invalid_client",
    )
    _error(machine_token(hosted, grant_type="password"), "unsupported_grant_type")
    _error(post_token(hosted, {}, basic(m["ClientId"], m["ClientSecret"])), "invalid_request")
    _error(machine_token(hosted, grant_type="authorization_code", code="x"), "invalid_grant")


def test_client_credentials_needs_the_oauth_settings(hosted, cognito):
    pool_id = hosted["pool"]["Id"]
    scopes = [f"{hosted['server']}/read"]
    no_flow = make_client(
        cognito,
        pool_id,
        GenerateSecret=True,
        ExplicitAuthFlows=[],
        AllowedOAuthFlowsUserPoolClient=True,
        AllowedOAuthFlows=["code"],
        AllowedOAuthScopes=scopes,
        CallbackURLs=["https://example.com/"],
    )
    resp = post_token(
        hosted,
        {"grant_type": "client_credentials"},
        basic(no_flow["ClientId"], no_flow["ClientSecret"]),
    )
    _error(resp, "unauthorized_client")
    off = make_client(cognito, pool_id, GenerateSecret=True, ExplicitAuthFlows=[])
    resp = post_token(
        hosted, {"grant_type": "client_credentials"}, basic(off["ClientId"], off["ClientSecret"])
    )
    _error(resp, "invalid_grant")


def test_refresh_token_grant(hosted, cognito):
    pool_id = hosted["pool"]["Id"]
    client_id = hosted["user_client"]["ClientId"]
    tokens = sign_in(cognito, pool_id, client_id, make_user(cognito, pool_id))
    resp = post_token(
        hosted,
        {
            "grant_type": "refresh_token",
            "client_id": client_id,
            "refresh_token": tokens["RefreshToken"],
        },
    )
    assert resp.status_code == 200
    body = resp.json()
    assert set(body) == {"id_token", "access_token", "expires_in", "token_type"}
    assert claims(body["id_token"])["aud"] == client_id
    _error(
        post_token(
            hosted, {"grant_type": "refresh_token", "client_id": client_id, "refresh_token": "nope"}
        ),
        "invalid_grant",
    )
    cognito.revoke_token(Token=tokens["RefreshToken"], ClientId=client_id)
    _error(
        post_token(
            hosted,
            {
                "grant_type": "refresh_token",
                "client_id": client_id,
                "refresh_token": tokens["RefreshToken"],
            },
        ),
        "invalid_grant",
    )


# ------------------------------------------------------------------ the API Gateway authorizer


@pytest.fixture(scope="module")
def api(localcloud, hosted):
    """GET /user (no scopes) and GET /orders (scope orders-api/read), MOCK integrations."""
    api = RestApi.create(localcloud)
    authorizer = api.cognito_authorizer([hosted["pool"]["Arn"]])
    for path, scopes in (("/user", None), ("/orders", [f"{hosted['server']}/read"])):
        rid = api.method(path, "GET", authorizer_id=authorizer, scopes=scopes)
        api.apigw.put_integration(
            restApiId=api.api_id,
            resourceId=rid,
            httpMethod="GET",
            type="MOCK",
            requestTemplates={"application/json": '{"statusCode": 200}'},
        )
        api.apigw.put_method_response(
            restApiId=api.api_id, resourceId=rid, httpMethod="GET", statusCode="200"
        )
        api.apigw.put_integration_response(
            restApiId=api.api_id,
            resourceId=rid,
            httpMethod="GET",
            statusCode="200",
            responseTemplates={"application/json": '{"ok":true}'},
        )
    api.deploy("test")
    return api


def call(api, path: str, token: str) -> requests.Response:
    return requests.get(api.url("test", path), headers={"Authorization": token}, timeout=10)


def test_machine_token_passes_a_scoped_method_and_an_id_token_does_not(api, hosted, cognito):
    access = machine_token(hosted).json()["access_token"]
    assert call(api, "/orders", access).status_code == 200
    pool_id = hosted["pool"]["Id"]
    tokens = sign_in(
        cognito, pool_id, hosted["user_client"]["ClientId"], make_user(cognito, pool_id)
    )
    resp = call(api, "/orders", tokens["IdToken"])
    assert (resp.status_code, resp.content) == (401, UNAUTHORIZED)
    assert call(api, "/user", access).status_code == 401  # no scopes: ID tokens only


def test_authorizer_still_accepts_a_signed_out_id_token_until_it_expires(
    api, hosted, cognito, clock
):
    pool_id = hosted["pool"]["Id"]
    user = make_user(cognito, pool_id)
    tokens = sign_in(cognito, pool_id, hosted["user_client"]["ClientId"], user)
    cognito.admin_user_global_sign_out(UserPoolId=pool_id, Username=user)
    assert call(api, "/user", tokens["IdToken"]).status_code == 200
    clock({"advance_seconds": 3601})
    resp = call(api, "/user", tokens["IdToken"])
    assert (resp.status_code, resp.content) == (401, EXPIRED)


def test_revoke_token_needs_revocation_enabled_and_the_secret(cognito, pool_id):
    off = make_client(cognito, pool_id, EnableTokenRevocation=False)
    tokens = sign_in(cognito, pool_id, off["ClientId"], make_user(cognito, pool_id))
    with pytest.raises(ClientError) as exc:
        cognito.revoke_token(Token=tokens["RefreshToken"], ClientId=off["ClientId"])
    assert error_of(exc)[0] == "UnsupportedOperationException"
    secret = make_client(cognito, pool_id, GenerateSecret=True)
    with pytest.raises(ClientError) as exc:
        cognito.revoke_token(
            Token=tokens["RefreshToken"], ClientId=secret["ClientId"], ClientSecret="x" * 24
        )
    assert error_of(exc)[0] == "NotAuthorizedException"
    with pytest.raises(ClientError) as exc:
        cognito.revoke_token(
            Token=tokens["RefreshToken"],
            ClientId=secret["ClientId"],
            ClientSecret=secret["ClientSecret"],
        )
    assert error_of(exc)[0] == "UnsupportedTokenTypeException"
