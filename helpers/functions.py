"""Lambda functions: package the code in ``lambdas/``, deploy it, let API Gateway invoke it."""

from __future__ import annotations

import base64
import hashlib
import io
import json
import zipfile
from pathlib import Path
from typing import Any

from helpers.display import Code
from helpers.errors import KitError
from helpers.retry import (
    ROLE_BUDGET_S,
    UPDATE_BUDGET_S,
    conflict_in_progress,
    role_not_ready,
    unless_missing,
    wait_for,
    with_retry,
)

LAMBDAS_DIR = Path(__file__).resolve().parents[1] / "lambdas"
RUNTIME = "python3.12"
HANDLER = "handler.handler"
#: a fixed timestamp makes the zip, and so CodeSha256, depend on the code alone
_ZIP_TIME = (2020, 1, 1, 0, 0, 0)
_NOT_FOUND = "ResourceNotFoundException"


def source_dir(function_name: str) -> Path:
    """``lambdas/<function name with - as _>/``."""
    return LAMBDAS_DIR / function_name.replace("-", "_")


def package(function_name: str) -> bytes:
    """The deployment zip of the ``.py`` files of ``lambdas/<function_name with _>/``, at the
    root (``function_name`` may also be the folder's own name, e.g. ``simple_api_auth_seed``)."""
    folder = source_dir(function_name)
    files = sorted(p for p in folder.glob("*.py") if p.name != "__init__.py")
    if not files:
        raise KitError(f"{folder} has no handler.py; the function's code must live there.")
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for path in files:
            info = zipfile.ZipInfo(path.name, date_time=_ZIP_TIME)
            info.external_attr = 0o644 << 16
            archive.writestr(info, path.read_bytes(), zipfile.ZIP_DEFLATED)
    return buffer.getvalue()


def code_sha256(zip_bytes: bytes) -> str:
    """What Lambda reports as ``CodeSha256``: base64 of the zip's SHA-256."""
    return base64.b64encode(hashlib.sha256(zip_bytes).digest()).decode()


def find_function(lam: Any, name: str) -> dict | None:
    found = unless_missing(lambda: lam.get_function(FunctionName=name), _NOT_FOUND)
    return found["Configuration"] if found else None


def ensure_function(
    lam: Any,
    name: str,
    role_arn: str,
    *,
    environment: dict[str, str] | None = None,
    timeout: int = 10,
    description: str = "",
    source: str | None = None,
) -> dict:
    """The function ``name`` running the code in ``lambdas/``, with this role and configuration.

    ``source`` names the folder of ``lambdas/`` to package (default: the function's own,
    ``lambdas/<name with _>/``), so one function can run another version of its code, as
    notebook 06 does with the seed's handler before the fixed one. Created if missing (retrying
    while IAM makes a new role usable), its code or configuration updated only where they differ;
    returns once Lambda reports it ready (``function_active_v2``, ``function_updated_v2``
    waiters).
    """
    code = package(source or name)
    wanted = {
        "Role": role_arn,
        "Runtime": RUNTIME,
        "Handler": HANDLER,
        "Timeout": timeout,
        "Description": description,
        "Environment": {"Variables": dict(environment or {})},
    }
    role_name = role_arn.rsplit("/", 1)[-1]
    role_wait = {
        "budget_s": ROLE_BUDGET_S,
        "client": lam,
        "waiting_for": f"Lambda to be able to assume role {role_name}",
        "advice": "check that its trust policy allows lambda.amazonaws.com to assume it",
    }
    update_wait = {
        "budget_s": UPDATE_BUDGET_S,
        "client": lam,
        "waiting_for": f"{name}'s previous update to finish",
    }
    current = find_function(lam, name)
    if current is None:
        with_retry(
            lambda: lam.create_function(
                FunctionName=name, Code={"ZipFile": code}, Publish=False, **wanted
            ),
            retry_if=role_not_ready,
            **role_wait,
        )
        wait_for(lam, "function_active_v2", f"{name} to be Active", FunctionName=name)
        return lam.get_function(FunctionName=name)["Configuration"]
    if current.get("CodeSha256") != code_sha256(code):
        with_retry(
            lambda: lam.update_function_code(FunctionName=name, ZipFile=code),
            retry_if=conflict_in_progress,
            **update_wait,
        )
        wait_for(lam, "function_updated_v2", f"{name}'s new code", FunctionName=name)
    have = {
        "Role": current.get("Role"),
        "Runtime": current.get("Runtime"),
        "Handler": current.get("Handler"),
        "Timeout": current.get("Timeout"),
        "Description": current.get("Description", ""),
        "Environment": {"Variables": current.get("Environment", {}).get("Variables", {})},
    }
    if have != wanted:
        with_retry(
            lambda: lam.update_function_configuration(FunctionName=name, **wanted),
            retry_if=lambda err: role_not_ready(err) or conflict_in_progress(err),
            **role_wait,
        )
        wait_for(lam, "function_updated_v2", f"{name}'s new configuration", FunctionName=name)
    return lam.get_function(FunctionName=name)["Configuration"]


def function_exists(lam: Any, name: str) -> bool:
    return find_function(lam, name) is not None


def permission_statements(lam: Any, name: str) -> list[dict]:
    """The statements of the function's resource-based policy (empty when it has none)."""
    policy = unless_missing(lambda: lam.get_policy(FunctionName=name), _NOT_FOUND)
    return json.loads(policy["Policy"]).get("Statement", []) if policy else []


def ensure_invoke_permission(lam: Any, name: str, statement_id: str, source_arn: str) -> dict:
    """Let API Gateway invoke ``name`` from ``source_arn`` only (``lambda add-permission``).

    A statement with this id but another source is replaced; returns the statement.
    """
    for statement in permission_statements(lam, name):
        if statement.get("Sid") != statement_id:
            continue
        condition = statement.get("Condition", {}).get("ArnLike", {})
        if condition.get("AWS:SourceArn") == source_arn:
            return statement
        lam.remove_permission(FunctionName=name, StatementId=statement_id)
    added = lam.add_permission(
        FunctionName=name,
        StatementId=statement_id,
        Action="lambda:InvokeFunction",
        Principal="apigateway.amazonaws.com",
        SourceArn=source_arn,
    )
    return json.loads(added["Statement"])


def invoke(lam: Any, name: str, payload: dict) -> Any:
    """Invoke ``name`` synchronously and return its decoded answer; a function error becomes a
    :class:`KitError` with the function's message."""
    answer = lam.invoke(FunctionName=name, Payload=json.dumps(payload).encode())
    body = json.loads(answer["Payload"].read() or b"null")
    if answer.get("FunctionError"):
        message = body.get("errorMessage", body) if isinstance(body, dict) else body
        kind = body.get("errorType", "Error") if isinstance(body, dict) else "Error"
        raise KitError(f"{name} failed: {kind}: {message}")
    return body


def delete_function(lam: Any, name: str) -> bool:
    """Delete the function; False when it was not there."""
    return unless_missing(lambda: lam.delete_function(FunctionName=name), _NOT_FOUND) is not None


def delete_log_group(logs: Any, name: str) -> bool:
    """Delete the log group; False when it was not there."""
    deleted = unless_missing(lambda: logs.delete_log_group(logGroupName=name), _NOT_FOUND)
    return deleted is not None


def show_code(function_name: str) -> Code:
    """The handler of ``function_name`` (or of the ``lambdas/`` folder so named) as it is
    deployed (``lambdas/<name with _>/handler.py``)."""
    path = source_dir(function_name) / "handler.py"
    return Code(path.read_text(), title=str(path.relative_to(LAMBDAS_DIR.parent)))
