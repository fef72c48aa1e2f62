"""IAM identity-policy evaluation, as AWS documents it for a single account.

- An explicit ``Deny`` wins; else any ``Allow``; else the request is implicitly denied.
- ``Action``/``NotAction`` and ``Resource``/``NotResource``, each a string or a list; ``*`` matches
  any run of characters and ``?`` exactly one. Actions compare case-insensitively, resource ARNs
  case-sensitively.
- ``Condition`` blocks are not evaluated. To stay at least as strict as AWS, an ``Allow`` with a
  condition never applies and a ``Deny`` with a condition always does.

Pure: no moto, no I/O.

The AWS behaviour it reproduces: docs/aws-behavior.md#iam.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from .matching import matches_any, statements

ALLOWED, IMPLICIT_DENY, EXPLICIT_DENY = "allowed", "implicitDeny", "explicitDeny"


@dataclass(frozen=True)
class PolicySource:
    """One policy taking part in a decision: its id (name, or ``PolicyInputList.N``), its type
    (``aws-managed``, ``user-managed``, ``role``, ``none``) and its document."""

    policy_id: str
    policy_type: str
    document: Mapping[str, Any]


@dataclass(frozen=True)
class MatchedStatement:
    policy_id: str
    policy_type: str
    index: int  # position of the statement in its policy
    effect: str


@dataclass(frozen=True)
class Decision:
    decision: str
    matched: tuple[MatchedStatement, ...] = ()

    @property
    def allowed(self) -> bool:
        return self.decision == ALLOWED


def _covers(statement: Mapping[str, Any], key: str, not_key: str, value: str, ignore_case: bool):
    if key in statement:
        return matches_any(statement[key], value, ignore_case=ignore_case)
    if not_key in statement:
        return not matches_any(statement[not_key], value, ignore_case=ignore_case)
    return False  # neither element: the statement names nothing


def statement_applies(statement: Mapping[str, Any], action: str, resource: str) -> bool:
    """Whether the statement covers the action and the resource (conditions: see module doc)."""
    if not _covers(statement, "Action", "NotAction", action, ignore_case=True):
        return False
    if not _covers(statement, "Resource", "NotResource", resource, ignore_case=False):
        return False
    if statement.get("Condition"):
        return statement.get("Effect") == "Deny"
    return True


def evaluate(sources: Iterable[PolicySource], action: str, resource: str) -> Decision:
    """The decision for one action on one resource under the given identity policies."""
    allows: list[MatchedStatement] = []
    denies: list[MatchedStatement] = []
    for source in sources:
        for index, statement in enumerate(statements(source.document)):
            effect = statement.get("Effect")
            if effect not in ("Allow", "Deny") or not statement_applies(
                statement, action, resource
            ):
                continue
            match = MatchedStatement(source.policy_id, source.policy_type, index, effect)
            (denies if effect == "Deny" else allows).append(match)
    if denies:
        return Decision(EXPLICIT_DENY, tuple(denies))
    if allows:
        return Decision(ALLOWED, tuple(allows))
    return Decision(IMPLICIT_DENY)


def denial_message(principal_arn: str, action: str, resource: str, decision: Decision) -> str:
    """AWS's ``AccessDeniedException`` message for a denied call."""
    head = f"User: {principal_arn} is not authorized to perform: {action} on resource: {resource}"
    if decision.decision == EXPLICIT_DENY:
        return f"{head} with an explicit deny in an identity-based policy"
    return f"{head} because no identity-based policy allows the {action} action"


def evaluate_all(
    sources: Sequence[PolicySource], actions: Sequence[str], resources: Sequence[str]
) -> list[tuple[str, str, Decision]]:
    """(action, resource, decision) for every pair, as the policy simulator answers."""
    return [(a, r, evaluate(sources, a, r)) for a in actions for r in resources]
