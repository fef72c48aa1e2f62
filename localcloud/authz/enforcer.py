"""Calls signed with an assumed role's temporary credentials (what the Lambda runtime gives each
handler) are checked against the role's policies before moto serves them. Calls with any other
credentials (the learner's own, in the notebooks) pass unchecked (docs/aws-behavior.md#iam)."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable

from .. import arns, timing
from ..aws_call import AwsCall, Reply, json_error, rest_json_error, xml_error
from ..lambda_runtime.spec import FunctionSpec
from ..moto import iam as moto_iam
from ..moto import logs as moto_logs
from .evaluator import Decision, PolicySource, denial_message, evaluate
from .identity import RoleSession
from .operations import NO_PERMISSION, Requirement, requirement


def policy_sources(account: str, principal_arn: str) -> list[PolicySource] | None:
    """The identity policies of a role or user, parsed; None when it does not exist."""
    found = moto_iam.principal_policies(account, principal_arn)
    if found is None:
        return None
    sources = []
    for name, kind, text in found:
        try:
            document = json.loads(text) if isinstance(text, str) else text
        except ValueError:
            continue  # IAM would not have stored it
        sources.append(PolicySource(name, kind, document))
    return sources


class Enforcer:
    """Decides role-signed calls; caches each role's policies until the next control-plane write."""

    def __init__(self, generation: Callable[[], int], log: Callable[[str], None] | None = None):
        self._generation = generation
        self.log = log or (lambda m: print(f"localcloud iam: {m}", file=sys.stderr, flush=True))
        self._policies: dict[tuple[str, str], tuple[int, list[PolicySource]]] = {}
        self._sessions: dict[str, RoleSession | None] = {}

    def role_policies(self, account: str, role_name: str) -> list[PolicySource]:
        key, now = (account, role_name), self._generation()
        cached = self._policies.get(key)
        if cached is None or cached[0] != now:
            cached = (now, policy_sources(account, arns.role(account, role_name)) or [])
            self._policies[key] = cached
        return cached[1]

    def decide(self, session: RoleSession, need: Requirement) -> Decision:
        """The role's decision, from the policies in force: in AWS timing mode one attached
        seconds ago is not yet (docs/aws-behavior.md#aws-timing-mode)."""
        policies = self.role_policies(session.account, session.role_name)
        rules = timing.current()
        if rules.enabled:
            in_force = [
                p
                for p in policies
                if rules.policy_in_force(session.account, session.role_name, p.policy_id)
            ]
            if len(in_force) != len(policies):
                decision = evaluate(in_force, need.action, need.resource)
                if not decision.allowed:
                    rules.policy_not_yet_in_force()
                return decision
        return evaluate(policies, need.action, need.resource)

    def session(self, access_key: str | None) -> RoleSession | None:
        """The assumed-role session behind a key (looked up once per key), or None."""
        if not access_key:
            return None
        if access_key not in self._sessions:
            self._sessions[access_key] = moto_iam.role_session(access_key)
        return self._sessions[access_key]

    def check(self, call: AwsCall) -> Reply | None:
        """None to let the call through, or AWS's ``AccessDeniedException``. Every operation a
        role signs is checked; the learner's own keys and unsigned public operations are not."""
        session = self.session(call.access_key)
        if session is None or call.route is None or not call.route.needs_signature:
            return None
        need = requirement(
            call.route.service,
            call.route.operation,
            call.params,
            call.region,
            session.account,
            method=call.method,
            path=call.path,
        )
        if need == NO_PERMISSION:
            return None
        assert isinstance(need, Requirement)
        decision = self.decide(session, need)
        if decision.allowed:
            return None
        message = denial_message(session.principal_arn, need.action, need.resource, decision)
        self.log(message)
        if call.protocol == "json":
            return json_error(400, "AccessDeniedException", message)
        if call.protocol == "query":
            return xml_error(call.route.service, 403, "AccessDenied", message)
        return rest_json_error(403, "AccessDeniedException", message, service=call.route.service)


class LogPermission:
    """Whether a function's role may write its logs, asked as the Lambda service asks: create the
    group (only when missing), create the stream, put the events. A role without these loses its
    logs silently, as on AWS; the local cloud says so once per function in its own log."""

    def __init__(self, enforcer: Enforcer) -> None:
        self.enforcer = enforcer
        self._warned: set[str] = set()

    def __call__(self, spec: FunctionSpec, group: str, stream: str) -> bool:
        session = RoleSession(spec.account, arns.resource_name(spec.role), spec.name)
        params = {"logGroupName": group, "logStreamName": stream}
        operations = ["CreateLogStream", "PutLogEvents"]
        if not moto_logs.log_group_exists(spec.account, spec.region, group):
            operations.insert(0, "CreateLogGroup")
        for operation in operations:
            need = requirement("logs", operation, params, spec.region, spec.account)
            assert isinstance(need, Requirement)
            decision = self.enforcer.decide(session, need)
            if not decision.allowed:
                if spec.name not in self._warned:
                    self._warned.add(spec.name)
                    why = denial_message(
                        session.principal_arn, need.action, need.resource, decision
                    )
                    self.enforcer.log(f"{spec.name}'s logs are dropped: {why}")
                return False
        return True
