"""What each operation asks of IAM: the action and the resource AWS authorizes it against.

One table, for the operations whose resource the local cloud names as AWS does. Every other
operation is still checked (IAM denies by default): its action is ``<service>:<Operation>`` as
botocore's model names it (API Gateway: ``apigateway:<HTTP method>`` on the path's ARN) and its
resource ``*``, which may be stricter than AWS, never looser. Resource ARNs follow the Service
Authorization Reference: Cognito's admin and per-pool operations act on the pool
(``userpool/<UserPoolId>``), its list operations on ``*``; CloudWatch Logs writes on the log
group or stream; ``sts:GetCallerIdentity`` needs no permission at all.

The AWS behaviour it reproduces: docs/aws-behavior.md#iam.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from .. import arns

Params = Mapping[str, Any]


@dataclass(frozen=True)
class Requirement:
    action: str  # e.g. "cognito-idp:AdminInitiateAuth"
    resource: str


#: the operation needs no permission (always allowed, whatever the policies say)
NO_PERMISSION = "no permission needed"


def _user_pool(params: Params, region: str, account: str) -> str:
    return arns.user_pool(region, account, params.get("UserPoolId", ""))


def _everything(params: Params, region: str, account: str) -> str:
    return "*"


def _log_group(params: Params, region: str, account: str) -> str:
    return arns.log_group(region, account, params.get("logGroupName", ""))


def _log_stream(params: Params, region: str, account: str) -> str:
    group, stream = params.get("logGroupName", ""), params.get("logStreamName", "")
    return arns.log_stream(region, account, group, stream)


_POOL_OPERATIONS = [
    "AdminInitiateAuth",
    "AdminSetUserPassword",
    "AdminRespondToAuthChallenge",
    "AdminGetUser",
    "AdminCreateUser",
    "AdminDeleteUser",
    "AdminResetUserPassword",
    "AdminUpdateUserAttributes",
    "AdminConfirmSignUp",
    "AdminDisableUser",
    "AdminEnableUser",
    "AdminUserGlobalSignOut",
    "AdminAddUserToGroup",
    "AdminRemoveUserFromGroup",
    "AdminListGroupsForUser",
    "DescribeUserPool",
    "DescribeUserPoolClient",
    "ListUsers",
    "ListUserPoolClients",
    "ListGroups",
]

#: (signing service, operation) -> how to name the resource the call acts on, from the call's
#: (parameters, region, account); or NO_PERMISSION. The action is always ``<service>:<operation>``.
TABLE: dict[tuple[str, str], Callable[[Params, str, str], str] | str] = {
    **{("cognito-idp", op): _user_pool for op in _POOL_OPERATIONS},
    ("cognito-idp", "ListUserPools"): _everything,
    ("sts", "GetCallerIdentity"): NO_PERMISSION,
    ("logs", "CreateLogGroup"): _log_group,
    ("logs", "CreateLogStream"): _log_stream,
    ("logs", "PutLogEvents"): _log_stream,
}


#: operations whose IAM action is not named like the operation
ACTION_NAMES = {("lambda", "Invoke"): "InvokeFunction"}


def requirement(
    service: str,
    operation: str,
    params: Params,
    region: str,
    account: str,
    *,
    method: str = "",
    path: str = "",
) -> Requirement | str:
    """What IAM must allow for this call: a :class:`Requirement`, or :data:`NO_PERMISSION`.
    ``method`` and ``path`` name API Gateway's calls, which IAM knows by HTTP verb and path."""
    entry = TABLE.get((service, operation))
    if entry == NO_PERMISSION:
        return NO_PERMISSION
    if entry is not None:
        return Requirement(f"{service}:{operation}", entry(params, region, account))
    if service == "apigateway":
        return Requirement(f"apigateway:{method.upper()}", f"arn:aws:apigateway:{region}::{path}")
    return Requirement(f"{service}:{ACTION_NAMES.get((service, operation), operation)}", "*")
