"""helpers.cognito: passwords that meet the policy, the app client's settings, unique pools."""

from __future__ import annotations

import string

import pytest

from helpers.cognito import (
    CLIENT_AUTH_FLOWS,
    ensure_app_client,
    find_user_pool,
    generate_password,
    throwaway_signed_in_user,
)
from helpers.errors import KitError

POOL = "us-east-1_AbCdEf123"
CLIENT = "4tq2ej1uhqdfbgk4pnvp8srkbl"
#: the special characters Cognito's password policy counts as symbols
COGNITO_SYMBOLS = set("^$*.[]{}()?\"!@#%&/\\,><':;|_~`=+-")
#: characters that would need quoting in a shell's double quotes or a URL's query string
AWKWARD = set("$`\"\\' &?/")


# -- generate_password ---------------------------------------------------------------------------


def test_passwords_meet_the_policy_and_never_repeat():
    samples = [generate_password() for _ in range(2000)]
    assert len(set(samples)) == len(samples)
    for password in samples:
        assert len(password) == 20
        assert any(c in string.ascii_uppercase for c in password), password
        assert any(c in string.ascii_lowercase for c in password), password
        assert any(c in string.digits for c in password), password
        assert any(c in COGNITO_SYMBOLS for c in password), password
        allowed = set(string.ascii_letters + string.digits) | COGNITO_SYMBOLS
        assert set(password) <= allowed, password
        assert not set(password) & AWKWARD, password


def test_required_characters_are_not_always_in_front():
    # the four guaranteed characters are shuffled in, not left as upper, lower, digit, symbol
    def in_front(password: str) -> bool:
        return (
            password[0] in string.ascii_uppercase
            and password[1] in string.ascii_lowercase
            and password[2] in string.digits
            and password[3] in COGNITO_SYMBOLS
        )

    samples = [generate_password() for _ in range(300)]
    assert sum(in_front(p) for p in samples) < 30
    assert any(p[0] in string.digits for p in samples)


@pytest.mark.parametrize("length", [8, 12, 64])
def test_password_length(length):
    password = generate_password(length)
    assert len(password) == length
    assert any(c in COGNITO_SYMBOLS for c in password)


# -- ensure_app_client ---------------------------------------------------------------------------


def list_clients(stubber, *names_and_ids: tuple[str, str]) -> None:
    stubber.add_response(
        "list_user_pool_clients",
        {
            "UserPoolClients": [
                {"ClientId": client_id, "UserPoolId": POOL, "ClientName": name}
                for name, client_id in names_and_ids
            ]
        },
        {"UserPoolId": POOL, "MaxResults": 60},
    )


def describe_client(stubber, **client) -> None:
    stubber.add_response(
        "describe_user_pool_client",
        {
            "UserPoolClient": {
                "UserPoolId": POOL,
                "ClientId": CLIENT,
                "ClientName": "simple-api-client",
                **client,
            }
        },
        {"UserPoolId": POOL, "ClientId": CLIENT},
    )


def test_app_client_with_other_flows_is_updated(stubbed):
    idp, stubber = stubbed("cognito-idp")
    list_clients(stubber, ("another", "otherclient"), ("simple-api-client", CLIENT))
    describe_client(
        stubber,
        ExplicitAuthFlows=["ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
        PreventUserExistenceErrors="ENABLED",
    )
    stubber.add_response(
        "update_user_pool_client",
        {"UserPoolClient": {"ClientId": CLIENT, "ExplicitAuthFlows": CLIENT_AUTH_FLOWS}},
        {
            "UserPoolId": POOL,
            "ClientId": CLIENT,
            "ClientName": "simple-api-client",
            "ExplicitAuthFlows": [
                "ALLOW_ADMIN_USER_PASSWORD_AUTH",
                "ALLOW_REFRESH_TOKEN_AUTH",
            ],
            "PreventUserExistenceErrors": "ENABLED",
        },
    )
    client = ensure_app_client(idp, POOL, "simple-api-client")
    stubber.assert_no_pending_responses()
    assert client["ExplicitAuthFlows"] == CLIENT_AUTH_FLOWS


def test_app_client_with_legacy_user_existence_errors_is_updated(stubbed):
    idp, stubber = stubbed("cognito-idp")
    list_clients(stubber, ("simple-api-client", CLIENT))
    describe_client(
        stubber, ExplicitAuthFlows=CLIENT_AUTH_FLOWS, PreventUserExistenceErrors="LEGACY"
    )
    stubber.add_response(
        "update_user_pool_client",
        {"UserPoolClient": {"ClientId": CLIENT}},
        {
            "UserPoolId": POOL,
            "ClientId": CLIENT,
            "ClientName": "simple-api-client",
            "ExplicitAuthFlows": CLIENT_AUTH_FLOWS,
            "PreventUserExistenceErrors": "ENABLED",
        },
    )
    ensure_app_client(idp, POOL, "simple-api-client")
    stubber.assert_no_pending_responses()


def test_app_client_already_right_in_another_order_is_left_alone(stubbed):
    idp, stubber = stubbed("cognito-idp")
    list_clients(stubber, ("simple-api-client", CLIENT))
    describe_client(
        stubber,
        ExplicitAuthFlows=list(reversed(CLIENT_AUTH_FLOWS)),
        PreventUserExistenceErrors="ENABLED",
    )
    assert ensure_app_client(idp, POOL, "simple-api-client")["ClientId"] == CLIENT
    stubber.assert_no_pending_responses()


def test_app_client_with_a_secret_is_a_kit_error(stubbed):
    idp, stubber = stubbed("cognito-idp")
    list_clients(stubber, ("simple-api-client", CLIENT))
    describe_client(
        stubber,
        ClientSecret="s3cr3t" * 8,
        ExplicitAuthFlows=CLIENT_AUTH_FLOWS,
        PreventUserExistenceErrors="ENABLED",
    )
    with pytest.raises(KitError, match="has a client secret") as caught:
        ensure_app_client(idp, POOL, "simple-api-client")
    stubber.assert_no_pending_responses()
    assert "s3cr3t" not in str(caught.value)
    assert "\n" not in str(caught.value)


def test_missing_app_client_is_created_without_a_secret(stubbed):
    idp, stubber = stubbed("cognito-idp")
    list_clients(stubber, ("another", "otherclient"))
    stubber.add_response(
        "create_user_pool_client",
        {"UserPoolClient": {"ClientId": CLIENT, "ClientName": "simple-api-client"}},
        {
            "UserPoolId": POOL,
            "ClientName": "simple-api-client",
            "GenerateSecret": False,
            "ExplicitAuthFlows": CLIENT_AUTH_FLOWS,
            "PreventUserExistenceErrors": "ENABLED",
        },
    )
    assert ensure_app_client(idp, POOL, "simple-api-client")["ClientId"] == CLIENT
    stubber.assert_no_pending_responses()


# -- find_user_pool ------------------------------------------------------------------------------


def test_two_pools_with_one_name_is_a_kit_error(stubbed):
    idp, stubber = stubbed("cognito-idp")
    stubber.add_response(
        "list_user_pools",
        {"UserPools": [{"Id": "us-east-1_One", "Name": "simple-api-AUTH"}], "NextToken": "t2"},
        {"MaxResults": 60},
    )
    stubber.add_response(
        "list_user_pools",
        {
            "UserPools": [
                {"Id": "us-east-1_Other", "Name": "something-else"},
                {"Id": "us-east-1_Two", "Name": "simple-api-AUTH"},
            ]
        },
        {"MaxResults": 60, "NextToken": "t2"},
    )
    with pytest.raises(KitError) as caught:
        find_user_pool(idp, "simple-api-AUTH")
    stubber.assert_no_pending_responses()
    message = str(caught.value)
    assert message.startswith("2 user pools are named 'simple-api-AUTH'")
    assert "us-east-1_One, us-east-1_Two" in message
    assert "us-east-1_Other" not in message


def test_one_pool_is_described(stubbed):
    idp, stubber = stubbed("cognito-idp")
    stubber.add_response(
        "list_user_pools",
        {"UserPools": [{"Id": POOL, "Name": "simple-api-AUTH"}]},
        {"MaxResults": 60},
    )
    stubber.add_response(
        "describe_user_pool",
        {"UserPool": {"Id": POOL, "Name": "simple-api-AUTH"}},
        {"UserPoolId": POOL},
    )
    assert find_user_pool(idp, "simple-api-AUTH") == {"Id": POOL, "Name": "simple-api-AUTH"}
    stubber.assert_no_pending_responses()


def test_no_pool_is_none(stubbed):
    idp, stubber = stubbed("cognito-idp")
    stubber.add_response("list_user_pools", {"UserPools": []}, {"MaxResults": 60})
    assert find_user_pool(idp, "simple-api-AUTH") is None
    stubber.assert_no_pending_responses()


# -- throwaway_signed_in_user --------------------------------------------------------------------


class Same:
    """Equal to whatever it is first compared with, then only to that (one password, reused)."""

    def __init__(self) -> None:
        self.value: str | None = None

    def __eq__(self, other: object) -> bool:
        if self.value is None and isinstance(other, str):
            self.value = other
        return other == self.value

    def __repr__(self) -> str:
        return f"Same({self.value!r})"


def throwaway_stubs(stubber, password: Same) -> None:
    user = {"UserPoolId": POOL, "Username": "visitor"}
    stubber.add_client_error(
        "admin_delete_user", "UserNotFoundException", "User does not exist.", 400, None, user
    )
    stubber.add_response(
        "admin_create_user",
        {"User": {"Username": "visitor", "UserStatus": "FORCE_CHANGE_PASSWORD"}},
        {**user, "TemporaryPassword": password, "MessageAction": "SUPPRESS"},
    )
    stubber.add_response(
        "admin_set_user_password", {}, {**user, "Password": password, "Permanent": True}
    )
    stubber.add_response(
        "admin_initiate_auth",
        {"AuthenticationResult": {"IdToken": "id.token.x", "AccessToken": "a", "ExpiresIn": 3600}},
        {
            "UserPoolId": POOL,
            "ClientId": CLIENT,
            "AuthFlow": "ADMIN_USER_PASSWORD_AUTH",
            "AuthParameters": {"USERNAME": "visitor", "PASSWORD": password},
        },
    )
    stubber.add_response("admin_delete_user", {}, user)


def test_throwaway_signed_in_user_yields_tokens_and_is_deleted(stubbed):
    idp, stubber = stubbed("cognito-idp")
    password = Same()
    throwaway_stubs(stubber, password)
    with throwaway_signed_in_user(idp, POOL, CLIENT, "visitor") as tokens:
        assert tokens["IdToken"] == "id.token.x"
    stubber.assert_no_pending_responses()
    assert password.value is not None and len(password.value) == 20


def test_throwaway_signed_in_user_is_deleted_when_the_demonstration_fails(stubbed):
    idp, stubber = stubbed("cognito-idp")
    throwaway_stubs(stubber, Same())
    with (
        pytest.raises(RuntimeError, match="demo failed"),
        throwaway_signed_in_user(idp, POOL, CLIENT, "visitor"),
    ):
        raise RuntimeError("demo failed")
    stubber.assert_no_pending_responses()
