"""Stage 2, the Cognito user pool authorizer (docs/aws-behavior.md#cognito-user-pool-authorizer)."""

from __future__ import annotations

import json
import time

import jwt
import pytest

from localcloud.execute_api.authorizer import (
    authorize,
    claims_as_strings,
    expression_error,
    is_numeric_date,
    verify_token,
)
from localcloud.execute_api.errors import (
    ExpiredToken,
    IntegrationConfigurationError,
    Unauthorized,
)
from localcloud.execute_api.pipeline import handle

from .fakes import (
    OTHER_POOL_ID,
    FakeBackends,
    UserPool,
    cognito_authorizer,
    deployment,
    method,
    pool_arn,
    request,
    routed,
)

NOW = 1_718_722_804.0  # Tue Jun 18 15:00:04 UTC 2024
POOL = UserPool()
OTHER_POOL = UserPool(pool_id=OTHER_POOL_ID, key_name="other-pool", kid="kid-other")
SCOPES = ("pets/read", "pets/write")


def make_backends(authorizer: dict | None = None) -> FakeBackends:
    routes = {
        "/open": {"GET": method("GET")},
        "/pets": {
            "GET": method("GET", authorizationType="COGNITO_USER_POOLS", authorizerId="auth1")
        },
        "/scoped": {
            "GET": method(
                "GET",
                authorizationType="COGNITO_USER_POOLS",
                authorizerId="auth1",
                authorizationScopes=list(SCOPES),
            )
        },
    }
    dep = deployment(routes, authorizers=[authorizer or cognito_authorizer()])
    return FakeBackends().serve(dep).add_pool(POOL).add_pool(OTHER_POOL)


@pytest.fixture
def backends() -> FakeBackends:
    return make_backends()


def run(backends: FakeBackends, token: str | None, path: str = "/pets", header="Authorization"):
    headers = {} if token is None else {header: token}
    ctx = routed(backends, "GET", path, headers=headers)
    authorize(ctx, backends, now=NOW)
    return ctx


def assert_unauthorized(backends, token, path="/pets"):
    with pytest.raises(Unauthorized) as info:
        run(backends, token, path)
    assert type(info.value) is Unauthorized  # not ExpiredToken
    assert info.value.status == 401
    assert info.value.message == "Unauthorized"
    assert info.value.error_type == "UnauthorizedException"


# -- what passes -----------------------------------------------------------------------------


def test_valid_id_token_passes_and_sets_string_claims(backends):
    ctx = run(backends, POOL.id_token(now=NOW))
    assert ctx.authorizer is not None and list(ctx.authorizer) == ["claims"]
    claims = ctx.authorizer["claims"]
    assert claims["cognito:username"] == "alice"
    assert claims["token_use"] == "id"
    assert claims["email_verified"] == "true"
    assert claims["exp"] == "Tue Jun 18 16:00:04 UTC 2024"
    assert claims["iat"] == "Tue Jun 18 15:00:04 UTC 2024"
    assert claims["auth_time"] == "1718722804"
    assert all(isinstance(v, str) for v in claims.values())


@pytest.mark.parametrize("prefix", ["Bearer ", "bearer ", "BEARER  "])
def test_bearer_prefix_is_accepted(backends, prefix):
    ctx = run(backends, prefix + POOL.id_token(now=NOW))
    assert ctx.authorizer["claims"]["cognito:username"] == "alice"


def test_header_name_is_case_insensitive(backends):
    ctx = run(backends, POOL.id_token(now=NOW), header="authorization")
    assert ctx.authorizer is not None


def test_any_pool_among_provider_arns_is_accepted():
    backends = make_backends(cognito_authorizer(pools=[pool_arn(), OTHER_POOL.arn]))
    ctx = run(backends, OTHER_POOL.id_token(now=NOW))
    assert ctx.authorizer["claims"]["iss"] == OTHER_POOL.issuer


def test_identity_source_names_the_header():
    auth = cognito_authorizer(identitySource="method.request.header.X-Token")
    backends = make_backends(auth)
    ctx = routed(backends, "GET", "/pets", headers={"X-Token": POOL.id_token(now=NOW)})
    authorize(ctx, backends, now=NOW)
    assert ctx.authorizer is not None
    ctx = routed(backends, "GET", "/pets", headers={"Authorization": POOL.id_token(now=NOW)})
    with pytest.raises(Unauthorized):
        authorize(ctx, backends, now=NOW)


def test_id_token_of_any_app_client_passes_without_identity_validation_expression(backends):
    ctx = run(backends, POOL.id_token(now=NOW, aud="some-other-app-client"))
    assert ctx.authorizer["claims"]["aud"] == "some-other-app-client"


def test_none_authorization_passes_through_without_a_token(backends):
    ctx = run(backends, None, path="/open")
    assert ctx.authorizer is None


def test_none_authorization_ignores_a_bad_token(backends):
    ctx = run(backends, "garbage", path="/open")
    assert ctx.authorizer is None


# -- what is refused -------------------------------------------------------------------------


@pytest.mark.parametrize("token", [None, "", "   ", "Bearer ", "Bearer    "])
def test_missing_or_empty_header_is_unauthorized(backends, token):
    assert_unauthorized(backends, token)


@pytest.mark.parametrize(
    "token",
    ["not-a-jwt", "a.b.c", "Bearer abc.def", "eyJhbGciOiJSUzI1NiJ9.e30", "Basic dXNlcjpwYXNz"],
)
def test_not_a_jwt_is_unauthorized(backends, token):
    assert_unauthorized(backends, token)


def test_token_signed_by_another_key_with_the_pool_kid_is_unauthorized(backends):
    forged = POOL.sign(POOL.id_claims(now=NOW), key=OTHER_POOL.key, kid=POOL.kid)
    assert_unauthorized(backends, forged)


def test_token_signed_by_a_key_not_in_the_jwks_is_unauthorized(backends):
    forged = POOL.sign(POOL.id_claims(now=NOW), key=OTHER_POOL.key, kid="kid-unknown")
    assert_unauthorized(backends, forged)


def test_tampered_claims_are_unauthorized(backends):
    header, payload, signature = POOL.id_token(now=NOW).split(".")
    other = POOL.id_token(now=NOW, **{"cognito:username": "mallory"}).split(".")[1]
    assert_unauthorized(backends, f"{header}.{other}.{signature}")
    assert_unauthorized(backends, f"{header}.{payload}.")


def test_hs256_token_is_unauthorized(backends):
    token = jwt.encode(
        POOL.id_claims(now=NOW), "s" * 32, algorithm="HS256", headers={"kid": "kid-1"}
    )
    assert_unauthorized(backends, token)


def test_pool_not_among_provider_arns_is_unauthorized(backends):
    # OTHER_POOL's JWKS is known to the backends, but the authorizer does not list it
    assert_unauthorized(backends, OTHER_POOL.id_token(now=NOW))


@pytest.mark.parametrize(
    "iss",
    [
        "https://cognito-idp.eu-west-1.amazonaws.com/us-east-1_TestPool1",  # other region
        "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_TestPool1/",
        "http://cognito-idp.us-east-1.amazonaws.com/us-east-1_TestPool1",
        "https://evil.example.com/us-east-1_TestPool1",
        None,  # no iss at all
    ],
)
def test_wrong_issuer_is_unauthorized(backends, iss):
    assert_unauthorized(backends, POOL.id_token(now=NOW, iss=iss))


def test_deleted_pool_is_unauthorized(backends):
    del backends.jwks[POOL.arn]
    assert_unauthorized(backends, POOL.id_token(now=NOW))


@pytest.mark.parametrize("missing", ["exp", "token_use"])
def test_token_without_required_claim_is_unauthorized(backends, missing):
    assert_unauthorized(backends, POOL.id_token(now=NOW, **{missing: None}))


@pytest.mark.parametrize("age", [3600, 3601, 86400])
def test_expired_token_has_its_own_message(backends, age):
    token = POOL.id_token(now=NOW - age)
    with pytest.raises(ExpiredToken) as info:
        run(backends, token)
    assert info.value.status == 401
    assert info.value.message == "The incoming token has expired"
    assert info.value.error_type == "UnauthorizedException"


def test_token_one_second_before_expiry_passes(backends):
    assert run(backends, POOL.id_token(now=NOW - 3599)).authorizer is not None


def test_expired_token_signed_by_another_key_is_plain_unauthorized(backends):
    forged = POOL.sign(POOL.id_claims(now=NOW - 7200), key=OTHER_POOL.key, kid=POOL.kid)
    assert_unauthorized(backends, forged)


def test_now_defaults_to_the_clock(backends):
    ctx = routed(backends, "GET", "/pets", headers={"Authorization": POOL.id_token()})
    authorize(ctx, backends)
    assert ctx.authorizer is not None
    ctx = routed(backends, "GET", "/pets", headers={"Authorization": POOL.id_token(now=NOW)})
    with pytest.raises(ExpiredToken):
        authorize(ctx, backends)
    assert time.time() > NOW + 3600


# -- token_use and scopes ----------------------------------------------------------------------


def test_access_token_without_method_scopes_is_unauthorized(backends):
    assert_unauthorized(backends, POOL.access_token(now=NOW))


@pytest.mark.parametrize("token_use", ["refresh", "ID", ""])
def test_other_token_use_without_scopes_is_unauthorized(backends, token_use):
    assert_unauthorized(backends, POOL.id_token(now=NOW, token_use=token_use))


@pytest.mark.parametrize(
    "scope",
    ["pets/read", "pets/write", "openid pets/write", "pets/read pets/write email"],
)
def test_access_token_sharing_a_scope_passes(backends, scope):
    ctx = run(backends, POOL.access_token(now=NOW, scope=scope), path="/scoped")
    assert ctx.authorizer["claims"]["scope"] == scope
    assert ctx.authorizer["claims"]["token_use"] == "access"


@pytest.mark.parametrize(
    "scope", ["aws.cognito.signin.user.admin", "pets/readonly", "pets", "", None]
)
def test_access_token_without_a_shared_scope_is_unauthorized(backends, scope):
    assert_unauthorized(backends, POOL.access_token(now=NOW, scope=scope), path="/scoped")


def test_id_token_on_a_method_with_scopes_is_unauthorized(backends):
    assert_unauthorized(backends, POOL.id_token(now=NOW, scope="pets/read"), path="/scoped")


# -- identityValidationExpression -----------------------------------------------------------


@pytest.mark.parametrize(
    ("expression", "aud", "passes"),
    [
        ("client0123456789abcdefghij", "client0123456789abcdefghij", True),
        ("client[0-9a-z]+", "client0123456789abcdefghij", True),
        ("client0123", "client0123456789abcdefghij", False),  # the whole aud must match
        ("other-client", "client0123456789abcdefghij", False),
    ],
)
def test_identity_validation_expression_matches_aud(expression, aud, passes):
    backends = make_backends(cognito_authorizer(identityValidationExpression=expression))
    token = POOL.id_token(now=NOW, aud=aud)
    if passes:
        assert run(backends, token).authorizer["claims"]["aud"] == aud
    else:
        assert_unauthorized(backends, token)


# -- configuration errors --------------------------------------------------------------------


def test_method_pointing_at_an_undeployed_authorizer_is_a_500():
    routes = {
        "/pets": {"GET": method("GET", authorizationType="COGNITO_USER_POOLS", authorizerId="gone")}
    }
    backends = FakeBackends().serve(deployment(routes, authorizers=[cognito_authorizer()]))
    ctx = routed(backends, "GET", "/pets", headers={"Authorization": POOL.id_token(now=NOW)})
    with pytest.raises(IntegrationConfigurationError) as info:
        authorize(ctx, backends, now=NOW)
    assert info.value.status == 500


def test_verify_token_returns_raw_claims(backends):
    claims = verify_token(POOL.id_token(now=NOW), cognito_authorizer(), (), backends, now=NOW)
    assert claims["exp"] == int(NOW) + 3600
    assert claims["email_verified"] is True


# -- claims as strings -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "value", "expected"),
    [
        ("exp", 1718722804, "Tue Jun 18 15:00:04 UTC 2024"),
        ("iat", 1717225200, "Sat Jun 01 07:00:00 UTC 2024"),  # day of month zero-padded
        ("iat", 1718722804.0, "Tue Jun 18 15:00:04 UTC 2024"),
        ("auth_time", 1718722804, "1718722804"),
        ("custom:age", 42, "42"),
        ("custom:ratio", 1.5, "1.5"),
        ("email_verified", True, "true"),
        ("phone_number_verified", False, "false"),
        ("cognito:groups", ["admins", "readers"], "admins,readers"),
        ("cognito:groups", ["admins"], "admins"),
        ("cognito:username", "alice", "alice"),
        ("scope", "a b", "a b"),
    ],
)
def test_claims_as_strings(name, value, expected):
    assert claims_as_strings({name: value}) == {name: expected}


def test_claims_as_strings_keeps_every_claim():
    claims = POOL.id_claims(now=NOW, **{"cognito:groups": ["a", "b"]})
    out = claims_as_strings(claims)
    assert list(out) == list(claims)
    assert all(isinstance(v, str) for v in out.values())


# -- hostile tokens and expressions ----------------------------------------------------------


def sign_json(payload_json: str, key=None, kid: str = POOL.kid) -> str:
    """A token over a payload written by hand (``NaN``/``Infinity`` are not JSON PyJWT writes)."""
    return jwt.PyJWS().encode(
        payload_json.encode(), key or POOL.key, algorithm="RS256", headers={"kid": kid}
    )


def claims_json(**raw: str) -> str:
    """The pool's valid ID-token claims as JSON, with some values replaced by raw JSON text."""
    claims = POOL.id_claims(now=NOW)
    parts = [
        f"{json.dumps(name)}:{raw[name] if name in raw else json.dumps(value)}"
        for name, value in claims.items()
    ]
    parts += [f"{json.dumps(name)}:{text}" for name, text in raw.items() if name not in claims]
    return "{" + ",".join(parts) + "}"


@pytest.mark.parametrize(
    "exp",
    ['"nan"', '"abc"', f'"{int(NOW) + 3600}"', "[1]", '{"a":1}', "true", "null", "NaN",
     "Infinity", "-Infinity", "1e300"],
)  # fmt: skip
def test_exp_that_is_not_a_finite_number_is_unauthorized(backends, exp):
    assert_unauthorized(backends, sign_json(claims_json(exp=exp)))


@pytest.mark.parametrize(
    ("claim", "value"),
    [("iat", '"nan"'), ("iat", "NaN"), ("auth_time", '"x"'), ("nbf", "Infinity"),
     ("nbf", "[1]"), ("nbf", '"soon"')],
)  # fmt: skip
def test_other_time_claims_must_be_finite_numbers(backends, claim, value):
    assert_unauthorized(backends, sign_json(claims_json(**{claim: value})))


def test_a_hand_written_token_with_good_claims_passes(backends):
    """The hostile-token tests above change one claim only: this one changes none."""
    ctx = run(backends, sign_json(claims_json()))
    assert ctx.authorizer["claims"]["cognito:username"] == "alice"


def test_nan_exp_is_not_a_token_that_never_expires(backends):
    far_future = NOW + 10 * 365 * 86400
    with pytest.raises(Unauthorized):
        verify_token(
            sign_json(claims_json(exp="NaN")), cognito_authorizer(), (), backends, now=far_future
        )


@pytest.mark.parametrize("iss", ["[1]", '{"a":1}', "5", "null"])
def test_an_issuer_that_is_not_a_string_is_unauthorized(backends, iss):
    assert_unauthorized(backends, sign_json(claims_json(iss=iss)))


@pytest.mark.parametrize("expression", ["(", "[a-", "a{2,1}", "*"])
def test_a_stored_expression_that_is_not_a_regex_refuses_with_401(expression):
    backends = make_backends(cognito_authorizer(identityValidationExpression=expression))
    with pytest.raises(Unauthorized) as info:
        run(backends, POOL.id_token(now=NOW))
    assert type(info.value) is Unauthorized
    assert "is not a regular expression" in info.value.detail


def test_the_pipeline_logs_why_a_bad_expression_refused(backends):
    backends = make_backends(cognito_authorizer(identityValidationExpression="("))
    logged: list[str] = []
    response = handle(
        request("GET", "/pets", headers={"Authorization": POOL.id_token()}),
        backends,
        log=logged.append,
    )
    assert (response.status, response.body) == (401, b'{"message":"Unauthorized"}')
    assert "identityValidationExpression '(' is not a regular expression" in logged[0]


@pytest.mark.parametrize(
    ("expression", "problem"),
    [("client[0-9]+", None), ("", None), ("(", "Invalid identity validation expression specified"),
     (5, "Invalid identity validation expression specified")],
)  # fmt: skip
def test_expression_error(expression, problem):
    assert expression_error(expression) == problem


@pytest.mark.parametrize(
    ("value", "ok"),
    [(1718722804, True), (1718722804.5, True), (0, True), (True, False), ("1", False),
     (float("nan"), False), (float("inf"), False), (1e300, False), (None, False)],
)  # fmt: skip
def test_is_numeric_date(value, ok):
    assert is_numeric_date(value) is ok
