"""Cognito sign-in on the local cloud, as AWS answers it (docs/aws-behavior.md#cognito-sign-in)."""

from __future__ import annotations

import jwt
import pytest
from botocore.exceptions import ClientError

from tests.support import unique

PASSWORD = "Correct-Horse-9"
TEMPORARY = "Temporary-Pass-1"
FLOW_NOT_ENABLED = "Auth flow not enabled for this client"
WRONG_PASSWORD = "Incorrect username or password."


@pytest.fixture(scope="module")
def cognito(localcloud):
    return localcloud.client("cognito-idp")


@pytest.fixture(scope="module")
def pool_id(cognito) -> str:
    return cognito.create_user_pool(PoolName=unique("pool"))["UserPool"]["Id"]


def make_client(cognito, pool_id: str, flows: list[str] | None = None, **extra) -> str:
    kwargs = dict(extra)
    if flows is not None:
        kwargs["ExplicitAuthFlows"] = flows
    return cognito.create_user_pool_client(
        UserPoolId=pool_id, ClientName=unique("client"), **kwargs
    )["UserPoolClient"]["ClientId"]


def make_user(cognito, pool_id: str, *, confirmed: bool = True) -> str:
    username = unique("user")
    cognito.admin_create_user(
        UserPoolId=pool_id,
        Username=username,
        TemporaryPassword=TEMPORARY,
        MessageAction="SUPPRESS",
    )
    if confirmed:
        cognito.admin_set_user_password(
            UserPoolId=pool_id, Username=username, Password=PASSWORD, Permanent=True
        )
    return username


def admin_auth(cognito, pool_id, client_id, username, password, flow="ADMIN_USER_PASSWORD_AUTH"):
    return cognito.admin_initiate_auth(
        UserPoolId=pool_id,
        ClientId=client_id,
        AuthFlow=flow,
        AuthParameters={"USERNAME": username, "PASSWORD": password},
    )


def user_auth(cognito, client_id, username, password, flow="USER_PASSWORD_AUTH"):
    return cognito.initiate_auth(
        ClientId=client_id,
        AuthFlow=flow,
        AuthParameters={"USERNAME": username, "PASSWORD": password},
    )


def error_of(exc_info) -> tuple[str, str]:
    err = exc_info.value.response["Error"]
    return err["Code"], err["Message"]


@pytest.fixture(scope="module")
def admin_client(cognito, pool_id) -> str:
    return make_client(cognito, pool_id, ["ALLOW_ADMIN_USER_PASSWORD_AUTH"])


@pytest.fixture(scope="module")
def user(cognito, pool_id) -> str:
    return make_user(cognito, pool_id)


# ------------------------------------------------------------------ ExplicitAuthFlows


def test_admin_flow_refused_without_explicit_flows(cognito, pool_id, user):
    client_id = make_client(cognito, pool_id)  # a new client: refresh, SRP and custom only
    with pytest.raises(ClientError) as exc_info:
        admin_auth(cognito, pool_id, client_id, user, PASSWORD)
    assert error_of(exc_info) == ("InvalidParameterException", FLOW_NOT_ENABLED)


def test_admin_flow_refused_when_client_lists_other_flows(cognito, pool_id, user):
    client_id = make_client(
        cognito, pool_id, ["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]
    )
    for flow in ("ADMIN_USER_PASSWORD_AUTH", "ADMIN_NO_SRP_AUTH"):
        with pytest.raises(ClientError) as exc_info:
            admin_auth(cognito, pool_id, client_id, user, PASSWORD, flow)
        assert error_of(exc_info) == ("InvalidParameterException", FLOW_NOT_ENABLED)
    # ... while the flow it lists works
    result = user_auth(cognito, client_id, user, PASSWORD)["AuthenticationResult"]
    assert result["IdToken"]


def test_user_password_flow_refused_when_not_listed(cognito, admin_client, user):
    with pytest.raises(ClientError) as exc_info:
        user_auth(cognito, admin_client, user, PASSWORD)
    assert error_of(exc_info) == ("InvalidParameterException", FLOW_NOT_ENABLED)


def test_user_password_flow_refused_without_explicit_flows(cognito, pool_id, user):
    client_id = make_client(cognito, pool_id)
    with pytest.raises(ClientError) as exc_info:
        user_auth(cognito, client_id, user, PASSWORD)
    assert error_of(exc_info) == ("InvalidParameterException", FLOW_NOT_ENABLED)


def test_flow_check_comes_before_the_password_check(cognito, pool_id, user):
    client_id = make_client(cognito, pool_id)
    with pytest.raises(ClientError) as exc_info:
        admin_auth(cognito, pool_id, client_id, user, "wrong-password")
    assert error_of(exc_info) == ("InvalidParameterException", FLOW_NOT_ENABLED)


@pytest.mark.parametrize("flow", ["ADMIN_USER_PASSWORD_AUTH", "ADMIN_NO_SRP_AUTH"])
def test_both_admin_flow_names_work(cognito, pool_id, admin_client, user, flow):
    result = admin_auth(cognito, pool_id, admin_client, user, PASSWORD, flow)
    assert result["AuthenticationResult"]["AccessToken"]


def test_legacy_client_setting_enables_the_admin_flow(cognito, pool_id, user):
    client_id = make_client(cognito, pool_id, ["ADMIN_NO_SRP_AUTH"])
    result = admin_auth(cognito, pool_id, client_id, user, PASSWORD)
    assert result["AuthenticationResult"]["IdToken"]


# ------------------------------------------------------------------ wrong password, unknown user


def test_wrong_password(cognito, pool_id, admin_client, user):
    with pytest.raises(ClientError) as exc_info:
        admin_auth(cognito, pool_id, admin_client, user, "Wrong-Password-1")
    assert error_of(exc_info) == ("NotAuthorizedException", WRONG_PASSWORD)


def test_wrong_password_user_password_flow(cognito, pool_id, user):
    client_id = make_client(cognito, pool_id, ["ALLOW_USER_PASSWORD_AUTH"])
    with pytest.raises(ClientError) as exc_info:
        user_auth(cognito, client_id, user, "Wrong-Password-1")
    assert error_of(exc_info) == ("NotAuthorizedException", WRONG_PASSWORD)


def test_unknown_user(cognito, pool_id, admin_client):
    with pytest.raises(ClientError) as exc_info:
        admin_auth(cognito, pool_id, admin_client, unique("ghost"), PASSWORD)
    assert error_of(exc_info) == ("UserNotFoundException", "User does not exist.")


def test_unknown_user_hidden_by_prevent_user_existence_errors(cognito, pool_id):
    client_id = make_client(
        cognito,
        pool_id,
        ["ALLOW_ADMIN_USER_PASSWORD_AUTH", "ALLOW_USER_PASSWORD_AUTH"],
        PreventUserExistenceErrors="ENABLED",
    )
    with pytest.raises(ClientError) as exc_info:
        admin_auth(cognito, pool_id, client_id, unique("ghost"), PASSWORD)
    assert error_of(exc_info) == ("NotAuthorizedException", WRONG_PASSWORD)
    with pytest.raises(ClientError) as exc_info:
        user_auth(cognito, client_id, unique("ghost"), PASSWORD)
    assert error_of(exc_info) == ("NotAuthorizedException", WRONG_PASSWORD)


def test_unknown_user_shown_when_prevent_user_existence_errors_is_legacy(cognito, pool_id):
    client_id = make_client(
        cognito,
        pool_id,
        ["ALLOW_ADMIN_USER_PASSWORD_AUTH"],
        PreventUserExistenceErrors="LEGACY",
    )
    with pytest.raises(ClientError) as exc_info:
        admin_auth(cognito, pool_id, client_id, unique("ghost"), PASSWORD)
    assert error_of(exc_info) == ("UserNotFoundException", "User does not exist.")


# ------------------------------------------------------------------ new users and tokens


def test_new_user_must_set_a_password_then_gets_tokens(cognito, pool_id, admin_client):
    username = make_user(cognito, pool_id, confirmed=False)
    user = cognito.admin_get_user(UserPoolId=pool_id, Username=username)
    assert user["UserStatus"] == "FORCE_CHANGE_PASSWORD"

    challenge = admin_auth(cognito, pool_id, admin_client, username, TEMPORARY)
    assert challenge["ChallengeName"] == "NEW_PASSWORD_REQUIRED"
    assert challenge["Session"]
    assert "AuthenticationResult" not in challenge

    cognito.admin_set_user_password(
        UserPoolId=pool_id, Username=username, Password=PASSWORD, Permanent=True
    )
    user = cognito.admin_get_user(UserPoolId=pool_id, Username=username)
    assert user["UserStatus"] == "CONFIRMED"

    result = admin_auth(cognito, pool_id, admin_client, username, PASSWORD)
    assert "ChallengeName" not in result
    tokens = result["AuthenticationResult"]
    assert tokens["ExpiresIn"] == 3600
    assert tokens["TokenType"] == "Bearer"
    assert tokens["RefreshToken"]

    id_claims = jwt.decode(tokens["IdToken"], options={"verify_signature": False})
    assert id_claims["aud"] == admin_client
    assert id_claims["token_use"] == "id"
    assert id_claims["cognito:username"] == username
    assert id_claims["iss"] == f"https://cognito-idp.us-east-1.amazonaws.com/{pool_id}"
    assert id_claims["exp"] - id_claims["iat"] == 3600

    access_claims = jwt.decode(tokens["AccessToken"], options={"verify_signature": False})
    assert access_claims["client_id"] == admin_client
    assert access_claims["username"] == username
    assert access_claims["token_use"] == "access"
    assert access_claims["scope"] == "aws.cognito.signin.user.admin"
    assert "aud" not in access_claims
    assert access_claims["sub"] == id_claims["sub"]


@pytest.mark.parametrize(
    ("operation", "password", "reason"),
    [
        ("admin_create_user", "short1!", "Password not long enough"),
        ("admin_create_user", "password1!", "Password must have uppercase characters"),
        ("admin_set_user_password", "Password12", "Password must have symbol characters"),
    ],
)
def test_password_policy_applies_to_temporary_and_permanent_passwords(
    cognito, pool_id, operation, password, reason
):
    username = unique("weak")
    if operation == "admin_set_user_password":
        cognito.admin_create_user(
            UserPoolId=pool_id,
            Username=username,
            TemporaryPassword="Temp-Pass-1!",
            MessageAction="SUPPRESS",
        )
        call = {"Password": password, "Permanent": True}
    else:
        call = {"TemporaryPassword": password, "MessageAction": "SUPPRESS"}
    with pytest.raises(ClientError) as exc:
        getattr(cognito, operation)(UserPoolId=pool_id, Username=username, **call)
    assert error_of(exc) == (
        "InvalidPasswordException",
        f"Password did not conform with policy: {reason}",
    )
