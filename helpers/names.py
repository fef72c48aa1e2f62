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
}
BASIC_EXECUTION_POLICY_ARN = "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole"
