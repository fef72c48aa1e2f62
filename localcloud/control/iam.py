"""IAM: AWS managed policies (``arn:aws:iam::aws:policy/...``) exist, with their real documents,
as soon as a call names one; and the policy simulator (``SimulatePrincipalPolicy``,
``SimulateCustomPolicy``, which moto lacks), answered by the same evaluator that enforces IAM on
role-signed calls; a policy it is given that is not JSON, or not a policy's shape, is refused with
``MalformedPolicyDocument`` before anything is evaluated (docs/aws-behavior.md#iam)."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any
from xml.sax.saxutils import escape

from .. import ids, timing
from ..authz.enforcer import policy_sources
from ..authz.evaluator import Decision, PolicySource, evaluate_all
from ..aws_call import AwsCall, Reply, xml_error
from ..moto import iam as moto_iam

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
    action = call.operation or ""
    policy_arn = call.params.get("PolicyArn")
    if action in _NAMES_A_POLICY and policy_arn:
        moto_iam.ensure_aws_managed_policy(call.account, policy_arn)
    if action in ("SimulatePrincipalPolicy", "SimulateCustomPolicy"):
        return simulate(action, call.form, call.account)
    if timing.current().enabled and action in _PROPAGATES:
        return _propagating(call, environ, forward)
    return None


#: the writes IAM takes a while to make felt (docs/aws-behavior.md#aws-timing-mode)
_PROPAGATES = {"CreateRole", "UpdateAssumeRolePolicy", "AttachRolePolicy", "PutRolePolicy"}


def _propagating(
    call: AwsCall, environ: dict[str, Any], forward: Callable[[dict[str, Any]], Reply]
) -> Reply:
    """Serve a write whose effect propagates, then start its propagation delay."""
    reply = forward(environ)
    role = call.params.get("RoleName")
    if reply.status >= 300 or not isinstance(role, str):
        return reply
    rules = timing.current()
    if call.operation in ("CreateRole", "UpdateAssumeRolePolicy"):
        rules.role_changed(call.account, role)
    else:
        policy = call.params.get("PolicyName") or str(call.params.get("PolicyArn", ""))
        rules.policy_attached(call.account, role, policy.rsplit("/", 1)[-1])
    return reply


#: IAM's message for a policy document that is not JSON, or not a policy's shape
MALFORMED_POLICY = "Syntax errors in policy."
_STRING_OR_LIST = ("Action", "NotAction", "Resource", "NotResource", "Sid")


def is_policy_document(document: Any) -> bool:
    """Whether a parsed document has a policy's shape: an object whose ``Statement`` is one
    statement object or a non-empty list of them, each with a string ``Effect``, its
    ``Action``/``Resource`` elements strings or lists of strings, its ``Condition`` an object of
    objects."""
    if not isinstance(document, dict) or not isinstance(document.get("Version", ""), str):
        return False
    found = document.get("Statement")
    listed = found if isinstance(found, list) else [found]
    if not listed:
        return False
    for statement in listed:
        if not isinstance(statement, dict) or not isinstance(statement.get("Effect"), str):
            return False
        for key in _STRING_OR_LIST:
            value = statement.get(key, "")
            items = value if isinstance(value, list) and key != "Sid" else [value]
            if not all(isinstance(item, str) for item in items):
                return False
        condition = statement.get("Condition", {})
        if not isinstance(condition, dict) or not all(
            isinstance(pairs, dict) for pairs in condition.values()
        ):
            return False
    return True


def _members(params: dict[str, list[str]], name: str) -> list[str]:
    """A query-protocol list: ``Name.member.1``, ``Name.member.2``, …"""
    found = []
    index = 1
    while f"{name}.member.{index}" in params:
        found.append(params[f"{name}.member.{index}"][0])
        index += 1
    return found


def _xml_error(status: int, code: str, message: str) -> Reply:
    return xml_error("iam", status, code, message)


def _statements_xml(decision: Decision) -> str:
    return "".join(
        f"<member><SourcePolicyId>{escape(m.policy_id)}</SourcePolicyId>"
        f"<SourcePolicyType>{m.policy_type}</SourcePolicyType></member>"
        for m in decision.matched
    )


def simulate(action: str, params: dict[str, list[str]], account: str) -> Reply:
    """The policy simulator: one evaluation result per action and resource."""
    sources: list[PolicySource] = []
    if action == "SimulatePrincipalPolicy":
        principal = (params.get("PolicySourceArn") or [""])[0]
        found = policy_sources(account, principal)
        if found is None:
            return _xml_error(404, "NoSuchEntity", f"The principal {principal} cannot be found.")
        sources.extend(found)
    for index, text in enumerate(_members(params, "PolicyInputList"), 1):
        try:
            document = json.loads(text)
        except ValueError:
            document = None
        if not is_policy_document(document):
            return _xml_error(400, "MalformedPolicyDocument", MALFORMED_POLICY)
        sources.append(PolicySource(f"PolicyInputList.{index}", "none", document))
    actions = _members(params, "ActionNames")
    if not actions:
        return _xml_error(400, "ValidationError", "ActionNames must not be empty.")
    resources = _members(params, "ResourceArns") or ["*"]
    results = []
    for name, resource, decision in evaluate_all(sources, actions, resources):
        statements = _statements_xml(decision)
        specific = (
            ""
            if resource == "*"
            else "<ResourceSpecificResults><member>"
            f"<EvalResourceName>{escape(resource)}</EvalResourceName>"
            f"<EvalResourceDecision>{decision.decision}</EvalResourceDecision>"
            f"<MatchedStatements>{statements}</MatchedStatements>"
            "<MissingContextValues/></member></ResourceSpecificResults>"
        )
        results.append(
            f"<member><EvalActionName>{escape(name)}</EvalActionName>"
            f"<EvalResourceName>{escape(resource)}</EvalResourceName>"
            f"<EvalDecision>{decision.decision}</EvalDecision>"
            f"<MatchedStatements>{statements}</MatchedStatements>"
            f"<MissingContextValues/>{specific}</member>"
        )
    body = (
        f'<{action}Response xmlns="https://iam.amazonaws.com/doc/2010-05-08/">'
        f"<{action}Result><IsTruncated>false</IsTruncated>"
        f"<EvaluationResults>{''.join(results)}</EvaluationResults></{action}Result>"
        f"<ResponseMetadata><RequestId>{ids.uuid4()}</RequestId></ResponseMetadata>"
        f"</{action}Response>"
    )
    return Reply(200, [("Content-Type", "text/xml")], body.encode())
