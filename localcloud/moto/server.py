"""moto's WSGI app and request handler, its random source, and its backends warmed up."""

from __future__ import annotations

from typing import Any

from moto.server import DomainDispatcherApplication, MotoRequestHandler, create_backend_app

from . import iam

#: the services the local cloud serves; their backends are created before the server listens
SERVICES = ("sts", "iam", "lambda", "apigateway", "cognito-idp", "logs")

RequestHandler = MotoRequestHandler


def wsgi_app() -> Any:
    """moto's WSGI application, dispatching each request to its service by host and signature."""
    return DomainDispatcherApplication(create_backend_app)


def seed(value: int) -> None:
    """Seed moto's random source so that generated IDs repeat run to run."""
    from moto.moto_api._internal import mock_random

    mock_random.seed(value)


def warm_up() -> None:
    """Create the backends the first requests would otherwise wait for."""
    from moto.backends import get_backend

    for service in SERVICES:
        get_backend(service)
    iam.account_for_access_key("warm-up")  # creates the IAM backends of every partition
