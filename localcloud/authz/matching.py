"""Policy matching as AWS does it, for identity and resource policies alike: IAM's ``*`` and
``?`` wildcards, a policy's statements, and the resource-policy check (Lambda's invoke
permission, a role's trust policy). Pure: no moto, no I/O (docs/aws-behavior.md#iam).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from functools import lru_cache
from typing import Any


@lru_cache(maxsize=4096)
def _wildcard_regex(pattern: str, ignore_case: bool) -> re.Pattern[str]:
    body = "".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in pattern)
    return re.compile(body, re.IGNORECASE | re.DOTALL if ignore_case else re.DOTALL)


def wildcard_match(pattern: str, value: str, *, ignore_case: bool = False) -> bool:
    """True when ``value`` matches an IAM pattern as a whole (``*`` any run of characters,
    newlines included; ``?`` exactly one character; everything else literal)."""
    return _wildcard_regex(str(pattern), ignore_case).fullmatch(value) is not None


def as_list(value: Any) -> list[Any]:
    """A policy element that may be one value or a list of them, as a list."""
    if value is None:
        return []
    return list(value) if isinstance(value, (list, tuple)) else [value]


def statements(document: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    """A policy's statements (one statement may stand alone, not in a list)."""
    found = document.get("Statement", [])
    return [found] if isinstance(found, Mapping) else [s for s in found if isinstance(s, Mapping)]


def matches_any(patterns: Any, value: str, *, ignore_case: bool = False) -> bool:
    """Whether any pattern of a policy element matches ``value``."""
    return any(wildcard_match(p, value, ignore_case=ignore_case) for p in as_list(patterns))


def _condition_holds(conditions: Mapping[str, Any], context: Mapping[str, str]) -> bool:
    for operator, pairs in (conditions or {}).items():
        for key, expected in pairs.items():
            actual = context.get(key.lower())
            if actual is None:
                return False
            values = as_list(expected)
            op = operator.lower()
            if op in ("arnlike", "stringlike"):
                ok = any(wildcard_match(v, actual) for v in values)
            elif op in ("arnequals", "stringequals"):
                ok = actual in values
            elif op == "stringequalsignorecase":
                ok = actual.lower() in (v.lower() for v in values)
            else:  # an operator this evaluator does not know never grants access
                ok = False
            if not ok:
                return False
    return True


def resource_policy_allows(
    policy: Mapping[str, Any] | None,
    *,
    service_principal: str,
    action: str,
    resource: str = "*",
    context: Mapping[str, str] | None = None,
) -> bool:
    """Whether a resource policy grants ``action`` on ``resource`` to an AWS service principal.

    ``context`` holds condition keys in lower case (``aws:sourcearn``, ``aws:sourceaccount``); a
    condition on a key it lacks does not hold. A statement without ``Resource`` (a role's trust
    policy) covers the resource it is attached to. An explicit Deny that matches wins.
    """
    allowed = False
    for st in statements(policy or {}):
        principal = st.get("Principal")
        services = as_list(principal.get("Service")) if isinstance(principal, Mapping) else []
        if principal != "*" and service_principal not in services:
            continue
        if not matches_any(st.get("Action"), action, ignore_case=True):
            continue
        if not matches_any(st.get("Resource") or "*", resource):
            continue
        if not _condition_holds(st.get("Condition") or {}, context or {}):
            continue
        if st.get("Effect") == "Deny":
            return False
        allowed = allowed or st.get("Effect") == "Allow"
    return allowed
