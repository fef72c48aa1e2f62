"""The cloud as the data plane sees it (:class:`~.model.Backends`): stages and their frozen
deployments, the pools' signing keys, API keys and usage plans, functions and their invoke
permissions, and the Lambda runtime. Reads go through the moto door and are cached until a
control-plane write makes them stale (:mod:`localcloud.caches`).
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Mapping
from typing import Any

from .. import arns
from ..lambda_runtime.runtime import LambdaRuntime, UnsupportedRuntime
from ..lambda_runtime.spec import FunctionSpec, oversized_response
from ..moto import apigateway as moto_apigateway
from ..moto import awslambda as moto_lambda
from ..moto import cognito as moto_cognito
from ..moto import logs as moto_logs
from .deployments import DeploymentStore
from .model import InvokeResult, StageTarget


class DataPlaneBackends:
    """The cloud as the API Gateway data plane sees it (implements ``model.Backends``).

    Reads are cached per generation of the data plane's view, which moves on only with the
    control-plane writes :mod:`localcloud.caches` names; a burst of stage requests touches
    moto's state once.
    """

    def __init__(
        self, deployments: DeploymentStore, runtime: LambdaRuntime, generation: Callable[[], int]
    ) -> None:
        self.deployments = deployments
        self.runtime = runtime
        self._generation = generation
        self._cache: dict[tuple, Any] = {}
        self._cache_generation = -1

    def _cached(self, key: tuple, compute: Callable[[], Any]) -> Any:
        generation = self._generation()
        if generation != self._cache_generation:
            self._cache = {}
            self._cache_generation = generation
        if key not in self._cache:
            self._cache[key] = compute()
        return self._cache[key]

    def stage_target(self, api_id: str, stage: str) -> StageTarget | None:
        return self._cached(("stage", api_id, stage), lambda: self._stage_target(api_id, stage))

    def _stage_target(self, api_id: str, stage: str) -> StageTarget | None:
        located = moto_apigateway.find_rest_api(api_id)
        if located is None:
            return None
        account, region = located
        found = moto_apigateway.stage_deployment(account, region, api_id, stage)
        if found is None:
            return None
        deployment_id, variables = found
        deployment = self.deployments.get(api_id, deployment_id)
        if deployment is None:  # deployed before this process knew it: freeze what is there now
            deployment = self.deployments.freeze(account, region, api_id, deployment_id)
        if deployment is None:
            return None
        settings = moto_apigateway.stage_settings(account, region, api_id, stage)
        return StageTarget(
            account=account,
            region=region,
            deployment=deployment,
            variables=variables,
            logging_level=settings.get("loggingLevel") or "OFF",
            data_trace=bool(settings.get("dataTraceEnabled")),
            access_log=settings.get("accessLogSettings"),
        )

    def user_pool_jwks(self, pool_arn: str) -> Mapping[str, Any] | None:
        pool = arns.parse(pool_arn)
        if pool is None:
            return None
        return self._cached(
            ("jwks", pool_arn),
            lambda: moto_cognito.user_pool_jwks(pool.account, pool.region, pool.resource_name),
        )

    def api_keys(self, account: str, region: str) -> tuple[list[dict], list[dict]]:
        return self._cached(
            ("keys", account, region),
            lambda: moto_apigateway.api_keys_and_usage_plans(account, region),
        )

    def _function(self, function_arn: str) -> FunctionSpec | None:
        ref = arns.function(function_arn)
        if ref is None:
            return None
        return self._cached(
            ("fn", function_arn),
            lambda: moto_lambda.get_function(
                ref.account, ref.region, ref.unqualified_arn, ref.qualifier
            ),
        )

    def function_policy(self, function_arn: str) -> tuple[bool, Mapping[str, Any] | None]:
        spec = self._function(function_arn)
        return (spec is not None, spec.policy if spec else None)

    def write_log(
        self, account: str, region: str, group: str, stream: str, messages: list[str]
    ) -> None:
        now = int(time.time() * 1000)
        moto_logs.put_log_events(account, region, group, stream, [(now, m) for m in messages])

    def invoke(self, function_arn: str, payload: bytes, wait_seconds: float) -> InvokeResult:
        spec = self._function(function_arn)
        if spec is None:
            return InvokeResult(b'{"errorMessage": "function not found"}', function_error=True)
        try:
            result = self.runtime.invoke(spec, payload, wait_seconds=wait_seconds)
        except UnsupportedRuntime as exc:
            return InvokeResult(
                json.dumps({"errorMessage": str(exc)}).encode(), function_error=True
            )
        if not result.caller_timed_out and (too_large := oversized_response(result.payload)):
            # Lambda drops an answer over its response quota (docs/aws-behavior.md#lambda)
            return InvokeResult(too_large, function_error=True)
        return InvokeResult(
            result.payload,
            function_error=bool(result.function_error),
            caller_timed_out=result.caller_timed_out,
        )
