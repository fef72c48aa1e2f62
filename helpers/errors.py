"""One kind of error for the learner: :class:`KitError`, a single sentence saying what to do.

In a notebook, :func:`install_friendly_errors` shows a ``KitError`` (and a local cloud that stopped
answering) as that one sentence instead of a traceback; the cell still fails, so papermill stops.
"""

from __future__ import annotations

from typing import Any


class KitError(RuntimeError):
    """Something the learner can fix: a missing prerequisite, a wrong parameter, no local cloud."""


def install_friendly_errors(endpoint_url: str | None = None) -> None:
    """In IPython, show :class:`KitError` as one line; elsewhere do nothing."""
    try:
        from IPython import get_ipython
    except ImportError:  # plain Python: tracebacks are fine
        return
    shell = get_ipython()
    if shell is None:
        return
    from botocore.exceptions import EndpointConnectionError

    def _one_line(shell: Any, etype: type, value: BaseException, tb: Any, tb_offset=None):
        if isinstance(value, EndpointConnectionError) and endpoint_url:
            message = (
                f"The local cloud at {endpoint_url} stopped answering; start it with `make up` "
                "and run this notebook again."
            )
        else:
            message = str(value)
        stb = [f"\x1b[31m{etype.__name__}: {message}\x1b[0m"]
        shell._showtraceback(etype, value, stb)
        return stb

    handled: tuple[type, ...] = (KitError, EndpointConnectionError) if endpoint_url else (KitError,)
    shell.set_custom_exc(handled, _one_line)
