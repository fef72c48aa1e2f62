"""IAM: one execution role per Lambda function, and the customer policies that let two of them
make one Cognito admin call each, on one user pool."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote

import boto3
from botocore.exceptions import ClientError

from helpers.display import Table
from helpers.errors import KitError
from helpers.retry import error_code, unless_missing

if TYPE_CHECKING:
    from helpers.cloud import Cloud


def service_trust_policy(service: str) -> dict:
    """A trust policy letting the AWS service ``service`` (``lambda.amazonaws.com``, …) assume the
    role, and nothing else."""
    return {
        "Version": "2012-10-17",
        "Statement": [
            {"Effect": "Allow", "Principal": {"Service": service}, "Action": "sts:AssumeRole"}
        ],
    }


LAMBDA_TRUST_POLICY = service_trust_policy("lambda.amazonaws.com")


def as_document(raw: str | dict) -> dict:
    """A policy document as a dict (IAM answers URL-encoded JSON in some SDKs)."""
    if isinstance(raw, dict):
        return raw
    text = unquote(raw) if raw.lstrip().startswith("%") else raw
    return json.loads(text)


def one_call_policy(sid: str, action: str, user_pool_arn: str) -> dict:
    """A policy document allowing one Cognito ``action`` on one pool and nothing else."""
    return {
        "Version": "2012-10-17",
        "Statement": [{"Sid": sid, "Effect": "Allow", "Action": action, "Resource": user_pool_arn}],
    }


def cognito_admin_policy(user_pool_arn: str) -> dict:
    """``simple-api-cognito-admin``, for ``simple-api-auth``'s role: sign users of this pool in
    (``AdminInitiateAuth``) and nothing else."""
    return one_call_policy("SignInUsersOfOnePool", "cognito-idp:AdminInitiateAuth", user_pool_arn)


def confirm_user_policy(user_pool_arn: str) -> dict:
    """``simple-api-confirm-user-policy``, for ``simple-api-confirm-user``'s role: set the
    password of users of this pool (``AdminSetUserPassword``) and nothing else."""
    return one_call_policy(
        "SetPasswordsOfOnePool", "cognito-idp:AdminSetUserPassword", user_pool_arn
    )


def ensure_role(iam: Any, name: str, trust_policy: dict, description: str = "") -> dict:
    """The role ``name`` with ``trust_policy``, created if missing, its trust put right if not."""
    found = find_role(iam, name)
    if found is None:
        return iam.create_role(
            RoleName=name,
            AssumeRolePolicyDocument=json.dumps(trust_policy),
            Description=description,
        )["Role"]
    if as_document(found["AssumeRolePolicyDocument"]) != trust_policy:
        iam.update_assume_role_policy(RoleName=name, PolicyDocument=json.dumps(trust_policy))
    return found


def find_role(iam: Any, name: str) -> dict | None:
    found = unless_missing(lambda: iam.get_role(RoleName=name), "NoSuchEntity")
    return found["Role"] if found else None


def require_role(iam: Any, name: str) -> dict:
    """The role ``name``; a :class:`KitError` saying to run ``02_iam_policy`` when it is missing."""
    role = find_role(iam, name)
    if role is None:
        raise KitError(f"The role {name} does not exist yet; run 02_iam_policy.ipynb first.")
    return role


def ensure_lambda_role(iam: Any, name: str, policy_arns: list[str], description: str = "") -> dict:
    """The execution role ``name`` that Lambda may assume, with ``policy_arns`` attached.

    Created if missing; its trust policy put right and missing policies attached if not. Other
    policies already attached stay attached (the check cell of ``02`` shows them)."""
    role = ensure_role(iam, name, LAMBDA_TRUST_POLICY, description)
    for arn in policy_arns:
        ensure_policy_attached(iam, name, arn)
    return role


def attached_policy_names(iam: Any, role_name: str) -> list[str]:
    """The names of the managed policies attached to the role, sorted."""
    return sorted(arn.rsplit("/", 1)[-1] for arn in attached_policy_arns(iam, role_name))


def attached_policy_arns(iam: Any, role_name: str) -> list[str]:
    return [
        policy["PolicyArn"]
        for page in iam.get_paginator("list_attached_role_policies").paginate(RoleName=role_name)
        for policy in page["AttachedPolicies"]
    ]


def ensure_policy_attached(iam: Any, role_name: str, policy_arn: str) -> None:
    """Attach ``policy_arn`` to the role unless it already is."""
    if policy_arn not in attached_policy_arns(iam, role_name):
        iam.attach_role_policy(RoleName=role_name, PolicyArn=policy_arn)


def find_policy(iam: Any, name: str) -> dict | None:
    """The customer managed policy ``name`` (policy names are unique in an account)."""
    for page in iam.get_paginator("list_policies").paginate(Scope="Local"):
        for policy in page["Policies"]:
            if policy["PolicyName"] == name:
                return policy
    return None


def policy_document(iam: Any, policy: dict) -> dict:
    """The document of the policy's default version."""
    version = iam.get_policy_version(PolicyArn=policy["Arn"], VersionId=policy["DefaultVersionId"])[
        "PolicyVersion"
    ]
    return as_document(version["Document"])


def ensure_policy(iam: Any, name: str, document: dict, description: str = "") -> dict:
    """The customer managed policy ``name`` whose default version is ``document``.

    Created if missing; if its document differs, a new default version is added (IAM keeps at
    most five, so the oldest non-default one goes first).
    """
    policy = find_policy(iam, name)
    if policy is None:
        return iam.create_policy(
            PolicyName=name, PolicyDocument=json.dumps(document), Description=description
        )["Policy"]
    if policy_document(iam, policy) == document:
        return policy
    versions = iam.list_policy_versions(PolicyArn=policy["Arn"])["Versions"]
    old = sorted((v for v in versions if not v["IsDefaultVersion"]), key=lambda v: v["CreateDate"])
    if len(versions) >= 5 and old:
        iam.delete_policy_version(PolicyArn=policy["Arn"], VersionId=old[0]["VersionId"])
    iam.create_policy_version(
        PolicyArn=policy["Arn"], PolicyDocument=json.dumps(document), SetAsDefault=True
    )
    return iam.get_policy(PolicyArn=policy["Arn"])["Policy"]


def delete_role(iam: Any, name: str) -> bool:
    """Detach every policy, delete inline ones, then the role; False when it was not there."""
    try:
        for arn in attached_policy_arns(iam, name):
            iam.detach_role_policy(RoleName=name, PolicyArn=arn)
        for page in iam.get_paginator("list_role_policies").paginate(RoleName=name):
            for inline in page["PolicyNames"]:
                iam.delete_role_policy(RoleName=name, PolicyName=inline)
        iam.delete_role(RoleName=name)
    except ClientError as err:
        if error_code(err) == "NoSuchEntity":
            return False
        raise
    return True


def delete_policy(iam: Any, name: str) -> bool:
    """Detach the policy everywhere, delete its old versions, then it; False when absent."""
    policy = find_policy(iam, name)
    if policy is None:
        return False
    arn = policy["Arn"]
    for page in iam.get_paginator("list_entities_for_policy").paginate(PolicyArn=arn):
        for role in page.get("PolicyRoles", []):
            iam.detach_role_policy(RoleName=role["RoleName"], PolicyArn=arn)
        for user in page.get("PolicyUsers", []):
            iam.detach_user_policy(UserName=user["UserName"], PolicyArn=arn)
        for group in page.get("PolicyGroups", []):
            iam.detach_group_policy(GroupName=group["GroupName"], PolicyArn=arn)
    for version in iam.list_policy_versions(PolicyArn=arn)["Versions"]:
        if not version["IsDefaultVersion"]:
            iam.delete_policy_version(PolicyArn=arn, VersionId=version["VersionId"])
    iam.delete_policy(PolicyArn=arn)
    return True


def _simulation(results: list[dict], labels: Mapping[str, str] | None = None) -> Table:
    labels = labels or {}
    return Table(
        ["action", "resource", "decision", "decided by"],
        [
            (
                r["EvalActionName"],
                labels.get(r["EvalResourceName"], r["EvalResourceName"]),
                r["EvalDecision"],
                ", ".join(s["SourcePolicyId"] for s in r.get("MatchedStatements", [])) or "—",
            )
            for r in results
        ],
    )


def simulate_policy(
    iam: Any,
    document: dict,
    actions: list[str],
    resources: list[str],
    labels: Mapping[str, str] | None = None,
) -> Table:
    """IAM's policy simulator on a document not attached anywhere yet
    (``iam simulate-custom-policy``): would it allow each action on each resource?

    ``labels`` names resources in the table (``{pool_arn: "this pool"}``) instead of whole ARNs.
    """
    results = iam.simulate_custom_policy(
        PolicyInputList=[json.dumps(document)], ActionNames=actions, ResourceArns=resources
    )["EvaluationResults"]
    return _simulation(results, labels)


def simulate_role(
    iam: Any,
    role_arn: str,
    actions: list[str],
    resources: list[str],
    labels: Mapping[str, str] | None = None,
) -> Table:
    """IAM's policy simulator on everything attached to a role
    (``iam simulate-principal-policy``); ``labels`` as for :func:`simulate_policy`."""
    results = iam.simulate_principal_policy(
        PolicySourceArn=role_arn, ActionNames=actions, ResourceArns=resources
    )["EvaluationResults"]
    return _simulation(results, labels)


def simulate_roles(
    iam: Any,
    role_arns: Mapping[str, str],
    actions: list[str],
    resources: list[str],
    labels: Mapping[str, str] | None = None,
) -> Table:
    """:func:`simulate_role` for each role (name -> ARN), as one table with a ``role`` column."""
    rows = []
    for name, arn in role_arns.items():
        rows += [[name, *row] for row in simulate_role(iam, arn, actions, resources, labels).rows]
    return Table(["role", "action", "resource", "decision", "decided by"], rows)


@dataclass
class RoleCall:
    """What one call made with a role's own credentials got: ``allowed``, ``refused`` (AWS's
    error code and exact message) or ``skipped`` (your identity may not assume the role)."""

    role: str
    call: str
    outcome: str
    code: str = ""
    message: str = ""

    def __repr__(self) -> str:
        lines = [f"as {self.role}: {self.call} -> {self.outcome}"]
        if self.code:
            lines.append(f"{self.code}: {self.message}")
        elif self.message:
            lines.append(self.message)
        return "\n".join(lines)


#: the session name the kit's live checks appear under in the role's ARN (and in CloudTrail)
CHECK_SESSION = "kit-permission-check"


def call_as_role(
    cloud: Cloud, role_arn: str, service: str, operation: str, **params: Any
) -> RoleCall:
    """Make one call with ``role_arn``'s own temporary credentials (``sts assume-role``) and say
    what AWS answered; nothing is changed when the call is refused.

    On the local cloud the notebooks' keys may assume any role. On AWS, ``sts:AssumeRole`` needs
    the role's trust policy to admit you; the series' roles trust only Lambda, so there the call
    is skipped (the outcome says so) and the policy simulator's answer stands alone.
    """
    role_name = role_arn.rsplit("/", 1)[-1]
    call = f"{service}:{_action_name(operation)}"
    sts = cloud.client("sts")
    try:
        creds = sts.assume_role(RoleArn=role_arn, RoleSessionName=CHECK_SESSION)["Credentials"]
    except ClientError as err:
        if error_code(err) != "AccessDenied":
            raise
        why = (
            f"skipped: you may not assume {role_name} (its trust policy admits only "
            "lambda.amazonaws.com), so only the policy simulator answers here"
        )
        return RoleCall(role_name, call, "skipped", message=why)
    session = boto3.Session(
        aws_access_key_id=creds["AccessKeyId"],
        aws_secret_access_key=creds["SecretAccessKey"],
        aws_session_token=creds["SessionToken"],
        region_name=cloud.region,
    )
    client = session.client(service, endpoint_url=cloud.endpoint_url)
    try:
        getattr(client, operation)(**params)
    except ClientError as err:
        error = err.response.get("Error", {})
        refused = error_code(err) in ("AccessDeniedException", "AccessDenied")
        # any other error came after IAM had allowed the call (an unknown user, say)
        outcome = "refused" if refused else "allowed"
        return RoleCall(role_name, call, outcome, error_code(err), error.get("Message", ""))
    return RoleCall(role_name, call, "allowed")


def _action_name(operation: str) -> str:
    """``admin_set_user_password`` -> ``AdminSetUserPassword``."""
    return "".join(part.capitalize() for part in operation.split("_"))


def another_pool_arn(user_pool_arn: str) -> str:
    """The ARN of some other pool in the same account and region (for a simulation)."""
    prefix, _, pool_id = user_pool_arn.rpartition("/")
    return f"{prefix}/{pool_id.split('_')[0]}_EXAMPLE"
