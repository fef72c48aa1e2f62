"""IAM: AWS managed policies (``arn:aws:iam::aws:policy/...``) exist, with their real documents,
as soon as a call names one."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qs

from .. import moto_adapter
from ..aws_call import AwsCall, Reply, read_body

_NAMES_A_POLICY = {
    "AttachRolePolicy",
    "AttachUserPolicy",
    "AttachGroupPolicy",
    "DetachRolePolicy",
    "DetachUserPolicy",
    "DetachGroupPolicy",
    "GetPolicy",
    "GetPolicyVersion",
    "ListPolicyVersions",
    "ListEntitiesForPolicy",
}


def handle(
    call: AwsCall, environ: dict[str, Any], forward: Callable[[dict[str, Any]], Reply]
) -> Reply | None:
    if call.method != "POST":
        return None
    params = parse_qs(read_body(environ).decode("utf-8", "replace"))
    action = (params.get("Action") or [""])[0]
    policy_arn = (params.get("PolicyArn") or [""])[0]
    if action in _NAMES_A_POLICY and policy_arn:
        moto_adapter.ensure_aws_managed_policy(call.account, policy_arn)
    return None
