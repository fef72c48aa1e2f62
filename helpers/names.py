"""The names the series gives what it creates: the same in every notebook and in teardown."""

from __future__ import annotations

USER_POOL = "simple-api-AUTH"
APP_CLIENT = "simple-api-client"
USERNAME = "misi"
ROLE = "simple-api-Role"
POLICY = "simple-api-cognito-admin"
REST_API = "simple-api"
STAGE = "dev"
AUTHORIZER = "simple-api-cognito"
VALIDATOR = "simple-api-params"
API_KEY = "simple-api-key"
USAGE_PLAN = "simple-api-plan"
#: outputs-file key -> function name
FUNCTIONS = {
    "hello": "simple-api-hello",
    "auth": "simple-api-auth",
    "confirm_user": "simple-api-confirm-user",
}
BASIC_EXECUTION_POLICY_ARN = "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole"
