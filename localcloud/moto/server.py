"""moto's WSGI app and request handler, its random source, and its backends warmed up."""

from __future__ import annotations

from typing import Any

from moto.server import DomainDispatcherApplication, MotoRequestHandler, create_backend_app

from . import iam

#: the services the local cloud serves; their backends are created before the server listens
SERVICES = ("sts", "iam", "lambda", "apigateway", "cognito-idp", "logs")

RequestHandler = MotoRequestHandler


class _Dispatcher(DomainDispatcherApplication):
    """moto's dispatcher, remembering which service answers each host: moto works it out on
    every call by listing its own package folder (~180 ``stat`` calls) and trying its URL
    patterns, about a tenth of a control-plane call. The answer for a host never changes."""

    #: hosts remembered (service names and the server's own ``host:port``: a handful)
    max_hosts = 256

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._backend_by_host: dict[str, Any] = {}

    def get_backend_for_host(self, host: str | None) -> Any:
        if host is not None and host in self._backend_by_host:
            return self._backend_by_host[host]
        backend = super().get_backend_for_host(host)
        remembered = len(self._backend_by_host) < self.max_hosts
        if host is not None and backend is not None and remembered:
            self._backend_by_host[host] = backend
        return backend


def wsgi_app() -> Any:
    """moto's WSGI application, dispatching each request to its service by host and signature."""
    return _Dispatcher(create_backend_app)


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
