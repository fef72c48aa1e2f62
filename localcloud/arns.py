"""Amazon Resource Names, parsed and built in one place.

``arn:<partition>:<service>:<region>:<account>:<resource>``; the resource part may itself hold
``/`` or ``:`` (``userpool/us-east-1_abc``, ``function:name:qualifier``,
``log-group:name:log-stream:x``). Nothing else in ``localcloud`` splits or formats an ARN by hand.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Arn:
    partition: str
    service: str
    region: str
    account: str
    resource: str

    def __str__(self) -> str:
        return f"arn:{self.partition}:{self.service}:{self.region}:{self.account}:{self.resource}"

    @property
    def resource_type(self) -> str:
        """``role`` of ``role/path/name``, ``function`` of ``function:name``."""
        for sep in "/:":
            if sep in self.resource:
                return self.resource.split(sep, 1)[0]
        return self.resource

    @property
    def resource_name(self) -> str:
        """The last ``/`` part of the resource: a role's or pool's name or id (paths dropped)."""
        return resource_name(self.resource)


def parse(arn: str) -> Arn | None:
    """The parts of an ARN, or None when ``arn`` is not one."""
    if not isinstance(arn, str):
        return None
    parts = arn.split(":", 5)
    if len(parts) < 6 or parts[0] != "arn":
        return None
    return Arn(*parts[1:])


def resource_name(arn: str) -> str:
    """The last ``/`` part of an ARN's resource (a role's name, a pool's id), even of a malformed
    ARN (then of the whole string)."""
    return arn.rsplit("/", 1)[-1]


def build(service: str, region: str, account: str, resource: str, partition: str = "aws") -> str:
    return str(Arn(partition, service, region, account, resource))


def user_pool(region: str, account: str, pool_id: str) -> str:
    """``arn:aws:cognito-idp:<region>:<account>:userpool/<pool id>``."""
    return build("cognito-idp", region, account, f"userpool/{pool_id}")


def role(account: str, name: str) -> str:
    return build("iam", "", account, f"role/{name}")


def assumed_role(account: str, role_name: str, session_name: str) -> str:
    """The principal of a call signed with an assumed role's temporary credentials."""
    return build("sts", "", account, f"assumed-role/{role_name}/{session_name}")


def log_group(region: str, account: str, group: str) -> str:
    return build("logs", region, account, f"log-group:{group}")


def log_stream(region: str, account: str, group: str, stream: str) -> str:
    return f"{log_group(region, account, group)}:log-stream:{stream}"


def execute_api(region: str, account: str, api_id: str, stage: str, method: str, path: str) -> str:
    """``arn:aws:execute-api:<region>:<account>:<api>/<stage>/<METHOD>/<resource path>``."""
    return build("execute-api", region, account, f"{api_id}/{stage}/{method.upper()}{path}")


@dataclass(frozen=True)
class FunctionRef:
    """A Lambda function named by ARN: where it lives, its unqualified ARN and its qualifier."""

    region: str
    account: str
    unqualified_arn: str
    qualifier: str | None


def function(arn: str) -> FunctionRef | None:
    """``arn:aws:lambda:<region>:<account>:function:<name>[:<qualifier>]``, or None."""
    parsed = parse(arn)
    if parsed is None or parsed.service != "lambda" or parsed.resource_type != "function":
        return None
    _, name, *qualifier = parsed.resource.split(":")
    unqualified = Arn(parsed.partition, "lambda", parsed.region, parsed.account, f"function:{name}")
    return FunctionRef(parsed.region, parsed.account, str(unqualified), (qualifier or [None])[0])
