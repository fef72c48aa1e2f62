"""Which cached views of the cloud a control-plane write makes stale, decided from one table.

The data plane caches what a stage serves (its deployment, the functions' configurations and
invoke permissions, the API keys, the pools' signing keys), and the IAM enforcer caches each
role's policies. Each view has a generation number; a write that can change what a view holds
moves its number on, and the view starts over at its next read. Reads change nothing, so a burst
of sign-ins or stage requests keeps every cache warm.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable

from .aws_call import AwsCall

DATA_PLANE = "data plane"
ROLE_POLICIES = "role policies"

#: REST services: any call that is not a GET (or HEAD) writes, but a Lambda invocation
_REST_READS = ("GET", "HEAD")
#: the query and JSON services' operations that only read, by name prefix
_READ_PREFIXES = ("Get", "List", "Describe", "Simulate")

#: service -> (the views its writes make stale, the operations that write: "all but reads", or
#: a set of the operations that matter to those views)
STALE_AFTER: dict[str, tuple[tuple[str, ...], str | frozenset[str]]] = {
    "apigateway": ((DATA_PLANE,), "all but reads"),
    "lambda": ((DATA_PLANE,), "all but reads"),
    # the data plane reads a pool only for its signing keys: only a pool's coming and going counts
    "cognito-idp": ((DATA_PLANE,), frozenset({"CreateUserPool", "DeleteUserPool"})),
    "iam": ((ROLE_POLICIES,), "all but reads"),
}


def _writes(call: AwsCall, writes: str | frozenset[str]) -> bool:
    if isinstance(writes, frozenset):
        return call.operation in writes
    if call.protocol == "rest-json":
        return call.method not in _REST_READS and not call.path.rstrip("/").endswith("/invocations")
    return not (call.operation or "").startswith(_READ_PREFIXES)


def stale_views(call: AwsCall) -> tuple[str, ...]:
    """The cached views this call may have made stale (none for a read)."""
    views, writes = STALE_AFTER.get(call.service or "", ((), frozenset()))
    return views if views and _writes(call, writes) else ()


class Generations:
    """One generation counter per cached view."""

    def __init__(self) -> None:
        self._counter = itertools.count(1)
        self._current = {DATA_PLANE: 0, ROLE_POLICIES: 0}

    def of(self, view: str) -> Callable[[], int]:
        """A reader of the view's current generation, for the cache that holds it."""
        return lambda: self._current[view]

    def after(self, call: AwsCall) -> None:
        """Move on the views a served call may have changed."""
        for view in stale_views(call):
            self._current[view] = next(self._counter)
