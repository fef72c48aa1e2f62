"""The tutorial's shared code: what the notebooks call; each imports what it needs from here.
Notebooks import only from helpers; helpers never import tools or tests (tools import helpers).

Every ``ensure_*`` function finds its resource by name and creates only what is missing, so any
notebook can run again and change nothing that is already right.
"""

from helpers.apigateway import (
    deploy,
    ensure_api_key,
    ensure_cognito_authorizer,
    ensure_lambda_proxy_integration,
    ensure_method,
    ensure_mock_placeholder,
    ensure_request_validator,
    ensure_resource,
    ensure_rest_api,
    ensure_usage_plan,
    execute_api_arn,
    find_integration,
    find_method,
    probe_without_invoke_permission,
)
from helpers.cloud import Cloud, connect
from helpers.cognito import (
    delete_user_if_present,
    ensure_app_client,
    ensure_new_user,
    ensure_user_pool,
    generate_password,
    sign_in,
    throwaway_signed_in_user,
    throwaway_user,
    user_status,
)
from helpers.display import ApiClient, Json, Table, claims_table, redact, token_claims
from helpers.errors import KitError
from helpers.functions import ensure_function, ensure_invoke_permission, invoke, show_code
from helpers.iam import (
    LAMBDA_TRUST_POLICY,
    another_pool_arn,
    attached_policy_arns,
    attached_policy_names,
    call_as_role,
    cognito_admin_policy,
    confirm_user_policy,
    ensure_lambda_role,
    ensure_policy,
    ensure_policy_attached,
    ensure_role,
    find_policy,
    policy_document,
    require_role,
    simulate_policy,
    simulate_role,
    simulate_roles,
)
from helpers.names import BASIC_EXECUTION_POLICY_ARN, ROLES
from helpers.permissions import required_permissions
from helpers.postman import postman_dir, scenarios_table, write_postman
from helpers.stack import load_stack
from helpers.teardown import teardown

__all__ = [
    "BASIC_EXECUTION_POLICY_ARN",
    "LAMBDA_TRUST_POLICY",
    "ROLES",
    "ApiClient",
    "Cloud",
    "Json",
    "KitError",
    "Table",
    "another_pool_arn",
    "attached_policy_arns",
    "attached_policy_names",
    "call_as_role",
    "claims_table",
    "cognito_admin_policy",
    "confirm_user_policy",
    "connect",
    "delete_user_if_present",
    "deploy",
    "ensure_api_key",
    "ensure_app_client",
    "ensure_cognito_authorizer",
    "ensure_function",
    "ensure_invoke_permission",
    "ensure_lambda_role",
    "ensure_lambda_proxy_integration",
    "ensure_method",
    "ensure_mock_placeholder",
    "ensure_new_user",
    "ensure_policy",
    "ensure_policy_attached",
    "ensure_request_validator",
    "ensure_resource",
    "ensure_rest_api",
    "ensure_role",
    "ensure_usage_plan",
    "ensure_user_pool",
    "execute_api_arn",
    "find_integration",
    "find_method",
    "find_policy",
    "generate_password",
    "invoke",
    "load_stack",
    "policy_document",
    "postman_dir",
    "probe_without_invoke_permission",
    "redact",
    "require_role",
    "required_permissions",
    "scenarios_table",
    "show_code",
    "sign_in",
    "simulate_policy",
    "simulate_role",
    "simulate_roles",
    "teardown",
    "throwaway_signed_in_user",
    "throwaway_user",
    "token_claims",
    "user_status",
    "write_postman",
]
