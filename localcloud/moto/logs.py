"""CloudWatch Logs in moto: log groups, and events written for the Lambda runtime."""

from __future__ import annotations

import threading

from moto.logs.models import logs_backends

_lock = threading.Lock()


def put_log_events(
    account: str, region: str, group: str, stream: str, events: list[tuple[int, str]]
) -> None:
    """Append (timestamp-ms, message) events, creating the group and stream when missing."""
    backend = logs_backends[account][region]
    with _lock:
        if group not in backend.groups:
            backend.create_log_group(group, tags={})
        if stream not in backend.groups[group].streams:
            backend.create_log_stream(group, stream)
        backend.put_log_events(
            group, stream, [{"timestamp": ts, "message": msg} for ts, msg in events]
        )


def log_group_exists(account: str, region: str, group: str) -> bool:
    return group in logs_backends[account][region].groups
