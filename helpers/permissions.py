"""The IAM permissions a learner needs to run the series on their own AWS account."""

from __future__ import annotations

from helpers.display import Table

#: service -> the actions the notebooks call (99_teardown included)
REQUIRED_ACTIONS: dict[str, list[str]] = {
    "sts": ["GetCallerIdentity"],
    "cognito-idp": [
        "CreateUserPool", "DescribeUserPool", "ListUserPools", "DeleteUserPool",
        "CreateUserPoolClient", "DescribeUserPoolClient", "ListUserPoolClients",
        "UpdateUserPoolClient", "AdminCreateUser", "AdminGetUser", "AdminDeleteUser",
        "AdminSetUserPassword", "AdminInitiateAuth",
    ],
    "iam": [
        "CreateRole", "GetRole", "UpdateAssumeRolePolicy", "DeleteRole", "PassRole",
        "AttachRolePolicy", "DetachRolePolicy", "ListAttachedRolePolicies", "ListRolePolicies",
        "CreatePolicy", "GetPolicy", "GetPolicyVersion", "ListPolicies", "ListPolicyVersions",
        "CreatePolicyVersion", "DeletePolicyVersion", "DeletePolicy", "ListEntitiesForPolicy",
        "SimulateCustomPolicy", "SimulatePrincipalPolicy",
    ],
    "lambda": [
        "CreateFunction", "GetFunction", "UpdateFunctionCode", "UpdateFunctionConfiguration",
        "InvokeFunction", "AddPermission", "RemovePermission", "GetPolicy", "DeleteFunction",
    ],
    "apigateway": ["GET", "POST", "PUT", "PATCH", "DELETE"],
    "logs": ["DescribeLogGroups", "DeleteLogGroup"],
}  # fmt: skip


def required_permissions() -> Table:
    """What your AWS identity must be allowed, as a table (``iam:PassRole`` lets Lambda use the
    role the series creates; API Gateway's control plane is authorized by HTTP verb)."""
    return Table(
        ["service", "actions"],
        [(service, ", ".join(actions)) for service, actions in REQUIRED_ACTIONS.items()],
    )
