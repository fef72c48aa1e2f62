"""What tests and ``make bench`` share (plain code, no fixtures): a local cloud of their own on a
free port and what they build on it (``cloud``), the Lambda handlers' test kit (``lambdas``), the
environment of the series' kernels (``series``), and a missing tool's verdict (``required``).
It imports localcloud's public entry points only; nothing outside tests/ and tools/bench imports it.
"""

from tests.support.cloud import (
    ACCOUNT,
    BASIC_EXECUTION_ROLE,
    LAMBDA_TRUST,
    REGION,
    LocalCloud,
    count_invocations,
    create_function,
    free_port,
    start_localcloud,
    stop_localcloud,
    unique,
    zip_code,
)

__all__ = [
    "ACCOUNT",
    "BASIC_EXECUTION_ROLE",
    "LAMBDA_TRUST",
    "REGION",
    "LocalCloud",
    "count_invocations",
    "create_function",
    "free_port",
    "start_localcloud",
    "stop_localcloud",
    "unique",
    "zip_code",
]
