"""Confirm a new user by giving them a permanent password (invoked directly, not through the API).

A user created with ``AdminCreateUser`` starts in ``FORCE_CHANGE_PASSWORD`` and cannot sign in
with ``/auth`` until their password is changed. This Lambda, invoked with
``{"username": ..., "password": ...}``, calls ``AdminSetUserPassword`` with ``Permanent=True`` on
the user pool named by ``USER_POOL_ID``, which moves the user to ``CONFIRMED``.
"""

from __future__ import annotations

import logging
import os
from typing import Any

import boto3

cognito = boto3.client("cognito-idp")
logger = logging.getLogger(__name__)


def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    """Set the user's permanent password; answer with the username, never the password."""
    username = event.get("username")
    password = event.get("password")
    if not username or not password:
        raise ValueError("event needs 'username' and 'password'")

    cognito.admin_set_user_password(
        UserPoolId=os.environ["USER_POOL_ID"],
        Username=username,
        Password=password,
        Permanent=True,
    )
    logger.info("Set a permanent password for %r", username)
    return {"username": username, "confirmed": True}
