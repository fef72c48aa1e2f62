"""Matching as AWS policies match: ``*`` and ``?`` wildcards, and resource-policy statements."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from functools import lru_cache
from typing import Any


@lru_cache(maxsize=4096)
def _wildcard_regex(pattern: str, ignore_case: bool) -> re.Pattern[str]:
    body = "".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in pattern)
    return re.compile(f"^{body}$", re.IGNORECASE | re.DOTALL if ignore_case else re.DOTALL)


def wildcard_match(pattern: str, value: str, *, ignore_case: bool = False) -> bool:
    """True when ``value`` matches an IAM pattern (``*`` any run, ``?`` one character)."""
    return bool(_wildcard_regex(pattern, ignore_case).match(value))


def as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return list(value) if isinstance(value, (list, tuple)) else [value]


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
    resource: str,
    context: Mapping[str, str],
) -> bool:
    """Whether a resource policy grants ``action`` on ``resource`` to an AWS service principal.

    ``context`` holds condition keys in lower case (``aws:sourcearn``, ``aws:sourceaccount``).
    An explicit Deny that matches wins over any Allow.
    """
    allowed = False
    for st in as_list((policy or {}).get("Statement")):
        principal = st.get("Principal")
        services = as_list(principal.get("Service")) if isinstance(principal, Mapping) else []
        if principal != "*" and service_principal not in services:
            continue
        if not any(wildcard_match(a, action, ignore_case=True) for a in as_list(st.get("Action"))):
            continue
        resources: Iterable[str] = as_list(st.get("Resource")) or ["*"]
        if not any(wildcard_match(r, resource) for r in resources):
            continue
        if not _condition_holds(st.get("Condition") or {}, context):
            continue
        if st.get("Effect") == "Deny":
            return False
        allowed = allowed or st.get("Effect") == "Allow"
    return allowed
