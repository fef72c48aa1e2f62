"""API Gateway's logs of a stage: execution logs (what API Gateway did with each request) and
access logs (one line per request), and reading back the lines one request left.

Both need the account's CloudWatch Logs role first (``apigateway update-account``, once per
account and region): a role API Gateway may assume, with the managed policy
``AmazonAPIGatewayPushToCloudWatchLogs``. Execution logs go to the log group
``API-Gateway-Execution-Logs_{api id}/{stage}``, which API Gateway creates; access logs to a
group you name (docs/aws-behavior.md#execution-and-access-logs).
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Callable, Iterable
from typing import Any

from helpers import names
from helpers.cloud import Cloud
from helpers.display import HIDDEN, Table, redact
from helpers.errors import KitError
from helpers.iam import ensure_policy_attached, ensure_role, find_role, service_trust_policy
from helpers.retry import ROLE_BUDGET_S, error_code, unless_missing, with_retry

#: the trust policy of the role API Gateway writes logs with
APIGATEWAY_TRUST_POLICY = service_trust_policy("apigateway.amazonaws.com")
#: the access log line, as JSON: one object per request (``-`` where a value is missing)
ACCESS_LOG_FORMAT = json.dumps(
    {
        "requestId": "$context.requestId",
        "ip": "$context.identity.sourceIp",
        "requestTime": "$context.requestTime",
        "httpMethod": "$context.httpMethod",
        "resourcePath": "$context.resourcePath",
        "status": "$context.status",
        "protocol": "$context.protocol",
        "responseLength": "$context.responseLength",
        "errorMessage": "$context.error.message",
        "errorType": "$context.error.responseType",
        "sub": "$context.authorizer.claims.sub",
    },
    separators=(",", ":"),
)
#: the execution log line that ends a request's lines
COMPLETED = re.compile(r"^Method completed with status: \d{3}$")
_MASKED_AUTHORIZATION = re.compile(r"\*{6,}[A-Za-z0-9_=-]{0,6}")
#: a JSON member whose name says it holds a secret (``"RefreshToken": "..."``), in a logged body
_SECRET_MEMBER = re.compile(r'("[A-Za-z_]*(?:[Tt]oken|[Pp]assword|[Ss]ecret)"\s*:\s*)"[^"]*"')


def execution_log_group(api_id: str, stage: str) -> str:
    """Where API Gateway writes a stage's execution logs."""
    return f"API-Gateway-Execution-Logs_{api_id}/{stage}"


def _role_not_trusted_yet(err: Any) -> bool:
    """``UpdateAccount`` refuses a role made seconds ago until IAM has propagated it."""
    return error_code(err) == "BadRequestException" and "role ARN" in str(err)


def ensure_cloudwatch_role(cloud: Cloud) -> str:
    """The account's CloudWatch Logs role for API Gateway (in this region), set if missing: the
    role ``simple-api-apigateway-logs-Role`` (created if missing) with
    ``AmazonAPIGatewayPushToCloudWatchLogs``. An account that already has a role keeps it
    (docs/aws-behavior.md#the-accounts-cloudwatch-logs-role-for-api-gateway). Returns the role's
    ARN."""
    apigw, iam = cloud.client("apigateway"), cloud.client("iam")
    current = apigw.get_account().get("cloudwatchRoleArn")
    if current:
        return current
    role = ensure_role(
        iam,
        names.APIGATEWAY_LOGS_ROLE,
        APIGATEWAY_TRUST_POLICY,
        "API Gateway writes execution and access logs with this role",
    )
    ensure_policy_attached(iam, names.APIGATEWAY_LOGS_ROLE, names.APIGATEWAY_LOGS_POLICY_ARN)
    with_retry(
        lambda: apigw.update_account(
            patchOperations=[{"op": "replace", "path": "/cloudwatchRoleArn", "value": role["Arn"]}]
        ),
        retry_if=_role_not_trusted_yet,
        budget_s=ROLE_BUDGET_S,
        client=apigw,
        waiting_for=f"API Gateway to accept the new role {names.APIGATEWAY_LOGS_ROLE}",
        advice="check that its trust policy allows apigateway.amazonaws.com to assume it",
    )
    return role["Arn"]


def kit_cloudwatch_role_in_use(cloud: Cloud) -> bool:
    """Whether the account's CloudWatch Logs role is the one this kit created."""
    role = find_role(cloud.client("iam"), names.APIGATEWAY_LOGS_ROLE)
    arn = cloud.client("apigateway").get_account().get("cloudwatchRoleArn")
    return bool(role and arn == role["Arn"])


def release_cloudwatch_role(cloud: Cloud) -> bool:
    """Clear the account's CloudWatch Logs role if it is the kit's (teardown); False otherwise
    (docs/aws-behavior.md#the-accounts-cloudwatch-logs-role-for-api-gateway)."""
    if not kit_cloudwatch_role_in_use(cloud):
        return False
    cloud.client("apigateway").update_account(
        patchOperations=[{"op": "replace", "path": "/cloudwatchRoleArn", "value": ""}]
    )
    return True


def set_execution_logging(
    apigw: Any, api_id: str, stage: str, level: str, data_trace: bool = False
) -> dict:
    """The stage's execution logs for every method (``*/*``): ``level`` ``OFF``, ``ERROR`` or
    ``INFO``, and data trace (the full requests and responses, passwords and tokens included:
    docs/aws-behavior.md#data-trace-writes-bodies-into-the-logs) on or off. Returns the settings.
    """
    if level not in ("OFF", "ERROR", "INFO"):
        raise KitError(f"level must be OFF, ERROR or INFO, not {level!r}.")
    stage_doc = apigw.update_stage(
        restApiId=api_id,
        stageName=stage,
        patchOperations=[
            {"op": "replace", "path": "/*/*/logging/loglevel", "value": level},
            {"op": "replace", "path": "/*/*/logging/dataTrace", "value": str(data_trace).lower()},
        ],
    )
    return stage_doc.get("methodSettings", {}).get("*/*", {})


def ensure_log_group(logs: Any, name: str) -> str:
    """The log group ``name``, created if missing; its ARN (without the ``:*`` suffix)."""
    found = _find_log_group(logs, name)
    if found is None:
        logs.create_log_group(logGroupName=name)
        found = _find_log_group(logs, name)
    assert found is not None
    return found["arn"].removesuffix(":*")


def _find_log_group(logs: Any, name: str) -> dict | None:
    groups = logs.describe_log_groups(logGroupNamePrefix=name).get("logGroups", [])
    return next((group for group in groups if group["logGroupName"] == name), None)


def set_access_logging(cloud: Cloud, api_id: str, stage: str, group: str) -> dict:
    """The stage's access logs, one JSON line per request (:data:`ACCESS_LOG_FORMAT`), into the
    log group ``group`` (created if missing). Returns the stage's ``accessLogSettings``."""
    arn = ensure_log_group(cloud.client("logs"), group)
    stage_doc = cloud.client("apigateway").update_stage(
        restApiId=api_id,
        stageName=stage,
        patchOperations=[
            {"op": "replace", "path": "/accessLogSettings/destinationArn", "value": arn},
            {"op": "replace", "path": "/accessLogSettings/format", "value": ACCESS_LOG_FORMAT},
        ],
    )
    return stage_doc.get("accessLogSettings", {})


def turn_logging_off(apigw: Any, api_id: str, stage: str) -> None:
    """Execution logs ``OFF``, data trace off, and no access logs (teardown)."""
    set_execution_logging(apigw, api_id, stage, "OFF", False)
    unless_missing(
        lambda: apigw.update_stage(
            restApiId=api_id,
            stageName=stage,
            patchOperations=[{"op": "remove", "path": "/accessLogSettings"}],
        ),
        "BadRequestException",  # nothing to remove
    )


def _messages(logs: Any, group: str, contains: str) -> list[str]:
    """Every message of ``group`` holding ``contains``, oldest first; [] when there is no group."""
    found: list[str] = []
    kwargs: dict[str, Any] = {"logGroupName": group}
    while True:
        page = unless_missing(lambda: logs.filter_log_events(**kwargs), "ResourceNotFoundException")
        if page is None:
            return found
        found += [e["message"] for e in page.get("events", []) if contains in e["message"]]
        if not page.get("nextToken"):
            return found
        kwargs["nextToken"] = page["nextToken"]


def wait_for_lines(
    read: Callable[[], list[str]],
    done: Callable[[list[str]], bool],
    *,
    what: str,
    timeout_s: float = 180.0,
    every_s: float = 5.0,
    sleep: Callable[[float], None] = time.sleep,
    clock: Callable[[], float] = time.monotonic,
    progress: Callable[[str], None] = print,
) -> list[str]:
    """``read()`` until ``done(lines)``: CloudWatch Logs shows new lines after seconds (execution
    logs sometimes after a minute or two); the local cloud at once. Says every ``every_s`` how
    long it has waited; a :class:`KitError` after ``timeout_s``."""
    start = clock()
    while True:
        lines = read()
        if done(lines):
            return lines
        waited = clock() - start
        if waited >= timeout_s:
            raise KitError(
                f"No complete log lines for {what} after {waited:.0f} s; CloudWatch Logs can be "
                "slow, so run this cell again in a minute."
            )
        progress(f"waiting for the log lines of {what}: {waited:.0f} s")
        sleep(every_s)


def execution_log_lines(cloud: Cloud, api_id: str, stage: str, request_id: str) -> list[str]:
    """The execution log lines of one request (without their ``(request id)`` prefix), once
    they end with ``Method completed with status``; waits for them."""
    prefix = f"({request_id}) "
    group = execution_log_group(api_id, stage)

    def read() -> list[str]:
        lines = _messages(cloud.client("logs"), group, prefix)
        return [line.removeprefix(prefix).rstrip("\n") for line in lines]

    return wait_for_lines(
        read,
        lambda lines: any(COMPLETED.match(line) for line in lines),
        what=f"request {request_id} in {group}",
    )


def access_log_entry(cloud: Cloud, group: str, request_id: str) -> dict:
    """The access log line of one request, as a dict; waits for it."""
    lines = wait_for_lines(
        lambda: _messages(cloud.client("logs"), group, f'"{request_id}"'),
        bool,
        what=f"request {request_id} in {group}",
    )
    return json.loads(lines[0])


def request_id(exchange: Any) -> str:
    """The request id API Gateway answered with (``x-amzn-RequestId``), also in its logs."""
    return exchange.response.headers["x-amzn-RequestId"]


def shown_lines(
    lines: Iterable[str], exchange: Any, secrets: Iterable[str] = (), keep: tuple[str, ...] = ()
) -> str:
    """Log lines fit to print (only those starting with one of ``keep``, if given): the request's
    ids as ``‹request id›``/``‹extended id›``, the masked ``Authorization`` as ``‹masked›``, tokens,
    JSON members named like a token, password or secret, and each of ``secrets`` as ``‹hidden›``."""
    headers = exchange.response.headers
    replacements = {
        headers["x-amzn-RequestId"]: "‹request id›",
        headers.get("x-amz-apigw-id", "") or "\0": "‹extended id›",
    }
    shown = []
    for line in lines:
        if keep and not line.startswith(keep):
            continue
        for secret in secrets:
            line = line.replace(secret, HIDDEN)
        for value, label in replacements.items():
            line = line.replace(value, label)
        line = _SECRET_MEMBER.sub(lambda m: f'{m[1]}"{HIDDEN}"', redact(line))
        shown.append(_MASKED_AUTHORIZATION.sub("‹masked›", line))
    return "\n".join(shown)


def lines_holding(lines: Iterable[str], secret: str) -> list[str]:
    """The lines in which ``secret`` appears (to show that it does, without showing it)."""
    return [line for line in lines if secret and secret in line]


def access_table(entries: dict[str, dict]) -> Table:
    """Access log entries (labelled) as a table of what stays the same from run to run."""
    keys = ("httpMethod", "resourcePath", "status", "errorType", "errorMessage")
    return Table(
        ["request", *keys], [(label, *(e.get(k, "") for k in keys)) for label, e in entries.items()]
    )
