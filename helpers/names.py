"""The names the series gives what teardown deletes (and the Lambda role's managed policy): the
notebooks spell the same names; what goes with a pool or an API (its app client, authorizer,
validator, stage, user) is deleted with it, so it is not named here."""

from __future__ import annotations

USER_POOL = "simple-api-AUTH"
ROLE = "simple-api-Role"
POLICY = "simple-api-cognito-admin"
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
