"""Cognito user pools: the pool, its app client and the tutorial's user, each found by name."""

from __future__ import annotations

import secrets
import string
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from helpers.errors import KitError
from helpers.retry import unless_missing

#: the console's default, written out so the learner sees it (AWS's default policy)
PASSWORD_POLICY = {
    "MinimumLength": 8,
    "RequireUppercase": True,
    "RequireLowercase": True,
    "RequireNumbers": True,
    "RequireSymbols": True,
    "TemporaryPasswordValidityDays": 7,
}
#: sign-in flows of the app client: the Lambda's admin sign-in, and refresh
CLIENT_AUTH_FLOWS = ["ALLOW_ADMIN_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]
_NOT_FOUND, _NO_USER = "ResourceNotFoundException", "UserNotFoundException"
#: symbols Cognito accepts that need no quoting in a URL or a shell's double quotes
_SYMBOLS = "-_.!#%+=:,"
_PASSWORD_GROUPS = (string.ascii_uppercase, string.ascii_lowercase, string.digits, _SYMBOLS)
#: what generated passwords are made of (the leak checks look for runs of these)
PASSWORD_ALPHABET = "".join(_PASSWORD_GROUPS)
PASSWORD_LENGTH = 20


def find_user_pool(idp: Any, name: str) -> dict | None:
    """The pool named ``name`` (``describe-user-pool``), or None. Names are not unique in
    Cognito, so a second pool with the name is an error the learner must resolve."""
    found = [
        pool
        for page in idp.get_paginator("list_user_pools").paginate(MaxResults=60)
        for pool in page["UserPools"]
        if pool["Name"] == name
    ]
    if len(found) > 1:
        ids = ", ".join(pool["Id"] for pool in found)
        raise KitError(f"{len(found)} user pools are named {name!r} ({ids}); delete all but one.")
    return idp.describe_user_pool(UserPoolId=found[0]["Id"])["UserPool"] if found else None


def ensure_user_pool(idp: Any, name: str) -> dict:
    """The user pool ``name``, created if missing: usernames (not emails) sign in, only an
    administrator creates users, AWS's default password policy."""
    pool = find_user_pool(idp, name)
    if pool is None:
        created = idp.create_user_pool(
            PoolName=name,
            Policies={"PasswordPolicy": PASSWORD_POLICY},
            AdminCreateUserConfig={"AllowAdminCreateUserOnly": True},
            DeletionProtection="INACTIVE",
        )
        pool = idp.describe_user_pool(UserPoolId=created["UserPool"]["Id"])["UserPool"]
    return pool


def user_pool_exists(idp: Any, pool_id: str) -> bool:
    found = unless_missing(lambda: idp.describe_user_pool(UserPoolId=pool_id), _NOT_FOUND)
    return found is not None


def find_app_client(idp: Any, pool_id: str, name: str) -> dict | None:
    for page in idp.get_paginator("list_user_pool_clients").paginate(
        UserPoolId=pool_id, MaxResults=60
    ):
        for client in page["UserPoolClients"]:
            if client["ClientName"] == name:
                return idp.describe_user_pool_client(
                    UserPoolId=pool_id, ClientId=client["ClientId"]
                )["UserPoolClient"]
    return None


def ensure_app_client(idp: Any, pool_id: str, name: str) -> dict:
    """The app client ``name``: no secret, admin user-password sign-in and refresh, and unknown
    users answered like wrong passwords (``PreventUserExistenceErrors``). Created if missing;
    its flows are put right if they differ (an update resets unnamed settings, so all are named).
    """
    settings = {
        "ExplicitAuthFlows": CLIENT_AUTH_FLOWS,
        "PreventUserExistenceErrors": "ENABLED",
    }
    client = find_app_client(idp, pool_id, name)
    if client is None:
        return idp.create_user_pool_client(
            UserPoolId=pool_id, ClientName=name, GenerateSecret=False, **settings
        )["UserPoolClient"]
    if client.get("ClientSecret"):
        raise KitError(
            f"App client {name!r} has a client secret, which the tutorial's Lambda does not send; "
            "delete the client (or run 99_teardown) and run this notebook again."
        )
    if sorted(client.get("ExplicitAuthFlows", [])) != sorted(CLIENT_AUTH_FLOWS) or (
        client.get("PreventUserExistenceErrors") != "ENABLED"
    ):
        client = idp.update_user_pool_client(
            UserPoolId=pool_id, ClientId=client["ClientId"], ClientName=name, **settings
        )["UserPoolClient"]
    return client


def app_client_exists(idp: Any, pool_id: str, client_id: str) -> bool:
    found = unless_missing(
        lambda: idp.describe_user_pool_client(UserPoolId=pool_id, ClientId=client_id),
        _NOT_FOUND,
        "NotAuthorizedException",
    )
    return found is not None


def generate_password(length: int = PASSWORD_LENGTH) -> str:
    """A random password that meets the default policy (upper, lower, digit, symbol)."""
    chars = [secrets.choice(group) for group in _PASSWORD_GROUPS]
    chars += [secrets.choice(PASSWORD_ALPHABET) for _ in range(length - len(chars))]
    secrets.SystemRandom().shuffle(chars)
    return "".join(chars)


def user_status(idp: Any, pool_id: str, username: str) -> str | None:
    """The user's status (``FORCE_CHANGE_PASSWORD``, ``CONFIRMED``…), or None if absent."""
    user = unless_missing(
        lambda: idp.admin_get_user(UserPoolId=pool_id, Username=username), _NO_USER
    )
    return user["UserStatus"] if user else None


def ensure_new_user(idp: Any, pool_id: str, username: str, temporary_password: str) -> str:
    """``username`` with ``temporary_password``, in ``FORCE_CHANGE_PASSWORD``; its status.

    Created if missing (``MessageAction=SUPPRESS``: no invitation email). A user left from an
    earlier run gets the new temporary password, which puts them back in
    ``FORCE_CHANGE_PASSWORD``, so the notebook tells the same story on every run.
    """
    if user_status(idp, pool_id, username) is None:
        idp.admin_create_user(
            UserPoolId=pool_id,
            Username=username,
            TemporaryPassword=temporary_password,
            MessageAction="SUPPRESS",
        )
    else:
        idp.admin_set_user_password(
            UserPoolId=pool_id, Username=username, Password=temporary_password, Permanent=False
        )
    return user_status(idp, pool_id, username) or "absent"


def sign_in(idp: Any, pool_id: str, client_id: str, username: str, password: str) -> dict:
    """``admin-initiate-auth`` with ``ADMIN_USER_PASSWORD_AUTH``: tokens, or a challenge."""
    return idp.admin_initiate_auth(
        UserPoolId=pool_id,
        ClientId=client_id,
        AuthFlow="ADMIN_USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": username, "PASSWORD": password},
    )


def delete_user_if_present(idp: Any, pool_id: str, username: str) -> None:
    unless_missing(lambda: idp.admin_delete_user(UserPoolId=pool_id, Username=username), _NO_USER)


@contextmanager
def throwaway_user(idp: Any, pool_id: str, username: str) -> Iterator[str]:
    """A user created for one demonstration (in ``FORCE_CHANGE_PASSWORD``) and deleted after it,
    whatever happens; yields its temporary password."""
    password = generate_password()
    delete_user_if_present(idp, pool_id, username)
    idp.admin_create_user(
        UserPoolId=pool_id, Username=username, TemporaryPassword=password, MessageAction="SUPPRESS"
    )
    try:
        yield password
    finally:
        delete_user_if_present(idp, pool_id, username)


@contextmanager
def throwaway_signed_in_user(
    idp: Any, pool_id: str, client_id: str, username: str
) -> Iterator[dict]:
    """A confirmed user made for one demonstration, signed in; yields its tokens
    (``AuthenticationResult``). The user is deleted afterwards, whatever happens."""
    password = generate_password()
    delete_user_if_present(idp, pool_id, username)
    idp.admin_create_user(
        UserPoolId=pool_id, Username=username, TemporaryPassword=password, MessageAction="SUPPRESS"
    )
    try:
        idp.admin_set_user_password(
            UserPoolId=pool_id, Username=username, Password=password, Permanent=True
        )
        yield sign_in(idp, pool_id, client_id, username, password)["AuthenticationResult"]
    finally:
        delete_user_if_present(idp, pool_id, username)
