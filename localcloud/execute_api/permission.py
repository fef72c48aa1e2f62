"""Stage 5, integration, before the call: may API Gateway invoke the function? Its resource policy
must let ``apigateway.amazonaws.com`` call ``lambda:InvokeFunction`` for this method's source ARN
and account, else a 500 (docs/aws-behavior.md#lambda-proxy-integration)."""

from __future__ import annotations

from .. import arns
from ..authz.matching import resource_policy_allows
from .errors import IntegrationConfigurationError
from .model import Backends, Context


def source_arn(ctx: Context) -> str:
    """``arn:aws:execute-api:<region>:<account>:<api>/<stage>/<METHOD>/<resource path>``."""
    target, req, resource = ctx.target, ctx.request, ctx.resource
    assert target is not None and resource is not None
    return arns.execute_api(
        target.region, target.account, req.api_id, req.stage, req.method, resource.path
    )


def check_invoke_permission(ctx: Context, function_arn: str, backends: Backends) -> None:
    """Raise :class:`IntegrationConfigurationError` unless API Gateway may invoke the function."""
    assert ctx.target is not None
    exists, policy = backends.function_policy(function_arn)
    if not exists:
        raise IntegrationConfigurationError(detail=f"Invalid Lambda function {function_arn}")
    arn = source_arn(ctx)
    ref = arns.function(function_arn)
    if not resource_policy_allows(
        policy,
        service_principal="apigateway.amazonaws.com",
        action="lambda:InvokeFunction",
        resource=ref.unqualified_arn if ref else function_arn,
        context={"aws:sourcearn": arn, "aws:sourceaccount": ctx.target.account},
    ):
        raise IntegrationConfigurationError(
            detail=f"Execution failed due to configuration error: Invalid permissions on Lambda "
            f"function (no lambda:InvokeFunction for apigateway.amazonaws.com from {arn})"
        )
