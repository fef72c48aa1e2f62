"""The names the series gives what teardown deletes (and the Lambda roles' managed policy): the
notebooks spell the same names; what goes with a pool or an API (its app client, authorizer,
validator, stage, user) is deleted with it, so it is not named here."""

from __future__ import annotations

USER_POOL = "simple-api-AUTH"
#: outputs-file key of a function -> its execution role (one role per function: least privilege)
ROLES = {
    "hello": "simple-api-hello-Role",
    "auth": "simple-api-Role",  # the seed's name; its Lambda is the sign-in one
    "confirm_user": "simple-api-confirm-user-Role",
    "reports": "simple-api-reports-Role",
}
#: customer managed policies: AdminInitiateAuth (auth's role), AdminSetUserPassword (confirm's)
AUTH_POLICY = "simple-api-cognito-admin"
CONFIRM_USER_POLICY = "simple-api-confirm-user-policy"
POLICIES = {"auth": AUTH_POLICY, "confirm_user": CONFIRM_USER_POLICY}
REST_API = "simple-api"
API_KEY = "simple-api-key"
USAGE_PLAN = "simple-api-plan"
#: outputs-file key -> function name
FUNCTIONS = {
    "hello": "simple-api-hello",
    "auth": "simple-api-auth",
    "confirm_user": "simple-api-confirm-user",
    "reports": "simple-api-reports",
}
BASIC_EXECUTION_POLICY_ARN = "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole"
#: 08_tokens: the resource server (its identifier is the scopes' prefix), its one custom scope,
#: and the two app clients it adds to the pool (deleted with the pool, named for the teardown table)
RESOURCE_SERVER = "simple-api"
REPORTS_SCOPE = f"{RESOURCE_SERVER}/reports.read"
MACHINE_CLIENT = "simple-api-machine"
SHORT_LIVED_CLIENT = "simple-api-short-lived"

#: 09_browser_and_logs: the model of POST /auth's body, the validator that checks bodies (beside
#: 04's parameters-only one; both go with the API), and the role API Gateway writes logs with
SIGN_IN_MODEL = "SignInRequest"
BODY_VALIDATOR = "simple-api-body-validator"
APIGATEWAY_LOGS_ROLE = "simple-api-apigateway-logs-Role"
APIGATEWAY_LOGS_POLICY_ARN = (
    "arn:aws:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs"
)
#: the access log group (execution logs go to API-Gateway-Execution-Logs_{api id}/{stage})
ACCESS_LOG_GROUP = "simple-api-access-logs"


def domain_prefix(account: str) -> str:
    """The pool's domain prefix, ``simple-api-<account id>``: on AWS a prefix is global (one per
    region across all accounts), so the account makes it unique, and stable from run to run."""
    return f"{REST_API}-{account}"
