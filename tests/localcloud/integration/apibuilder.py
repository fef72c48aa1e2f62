"""Small helpers that build REST APIs and Cognito pools through boto3 (the public API only)."""

from __future__ import annotations

import json
from dataclasses import dataclass, field

from tests.support import ACCOUNT, REGION, unique

PASSWORD = "Passw0rd!Local"


def lambda_uri(function_arn: str) -> str:
    return (
        f"arn:aws:apigateway:{REGION}:lambda:path/2015-03-31/functions/{function_arn}/invocations"
    )


def execute_api_arn(api_id: str, method: str, path: str) -> str:
    """``arn:aws:execute-api:<region>:<account>:<api>/*/<METHOD>/<path>`` (any stage)."""
    return f"arn:aws:execute-api:{REGION}:{ACCOUNT}:{api_id}/*/{method}/{path.lstrip('/')}"


def grant_invoke(cloud, function_name: str, source_arn: str) -> None:
    """``lambda add-permission`` for API Gateway, scoped to one source ARN."""
    cloud.client("lambda").add_permission(
        FunctionName=function_name,
        StatementId=unique("apigw"),
        Action="lambda:InvokeFunction",
        Principal="apigateway.amazonaws.com",
        SourceArn=source_arn,
    )


@dataclass
class RestApi:
    """A REST API under construction: resources by path, methods, integrations, deployments."""

    cloud: object
    api_id: str
    resources: dict[str, str] = field(default_factory=dict)  # path -> resource id

    @classmethod
    def create(cls, cloud, name: str | None = None) -> RestApi:
        apigw = cloud.client("apigateway")
        api_id = apigw.create_rest_api(name=name or unique("api"))["id"]
        root = apigw.get_resources(restApiId=api_id)["items"][0]
        return cls(cloud=cloud, api_id=api_id, resources={"/": root["id"]})

    @property
    def apigw(self):
        return self.cloud.client("apigateway")

    def resource(self, path: str) -> str:
        """The id of the resource at ``path``, creating it and its parents when missing."""
        path = "/" + path.strip("/")
        if path in self.resources:
            return self.resources[path]
        parent_path, _, part = path.rpartition("/")
        parent = self.resource(parent_path or "/")
        rid = self.apigw.create_resource(restApiId=self.api_id, parentId=parent, pathPart=part)[
            "id"
        ]
        self.resources[path] = rid
        return rid

    def method(
        self,
        path: str,
        http_method: str = "GET",
        *,
        authorizer_id: str | None = None,
        scopes: list[str] | None = None,
        api_key: bool = False,
        params: dict[str, bool] | None = None,
        validator_id: str | None = None,
        models: dict[str, str] | None = None,
    ) -> str:
        kwargs: dict = {
            "restApiId": self.api_id,
            "resourceId": self.resource(path),
            "httpMethod": http_method,
            "authorizationType": "COGNITO_USER_POOLS" if authorizer_id else "NONE",
            "apiKeyRequired": api_key,
        }
        if authorizer_id:
            kwargs["authorizerId"] = authorizer_id
        if scopes:
            kwargs["authorizationScopes"] = scopes
        if params:
            kwargs["requestParameters"] = params
        if validator_id:
            kwargs["requestValidatorId"] = validator_id
        if models:
            kwargs["requestModels"] = models
        self.apigw.put_method(**kwargs)
        return kwargs["resourceId"]

    def lambda_proxy(
        self,
        path: str,
        http_method: str,
        function: dict,
        *,
        integration_method: str = "POST",
        timeout_ms: int | None = None,
        grant: bool = True,
    ) -> None:
        """An AWS_PROXY integration to a function (its configuration dict), and by default the
        invoke permission scoped to this method and path."""
        kwargs: dict = {
            "restApiId": self.api_id,
            "resourceId": self.resource(path),
            "httpMethod": http_method,
            "type": "AWS_PROXY",
            "integrationHttpMethod": integration_method,
            "uri": lambda_uri(function["FunctionArn"]),
        }
        if timeout_ms is not None:
            kwargs["timeoutInMillis"] = timeout_ms
        self.apigw.put_integration(**kwargs)
        if grant:
            grant_invoke(
                self.cloud,
                function["FunctionName"],
                execute_api_arn(self.api_id, http_method, path),
            )

    def route(self, path: str, http_method: str, function: dict, **method_kwargs) -> None:
        """A method plus its Lambda proxy integration and permission."""
        self.method(path, http_method, **method_kwargs)
        self.lambda_proxy(path, http_method, function)

    def cognito_authorizer(
        self, pool_arns: list[str], *, validation_expression: str | None = None
    ) -> str:
        kwargs: dict = {
            "restApiId": self.api_id,
            "name": unique("cognito"),
            "type": "COGNITO_USER_POOLS",
            "providerARNs": pool_arns,
            "identitySource": "method.request.header.Authorization",
        }
        if validation_expression:
            kwargs["identityValidationExpression"] = validation_expression
        return self.apigw.create_authorizer(**kwargs)["id"]

    def validator(self, *, params: bool, body: bool) -> str:
        return self.apigw.create_request_validator(
            restApiId=self.api_id,
            name=unique("validator"),
            validateRequestParameters=params,
            validateRequestBody=body,
        )["id"]

    def model(self, name: str, schema: dict) -> str:
        self.apigw.create_model(
            restApiId=self.api_id,
            name=name,
            contentType="application/json",
            schema=json.dumps(schema),
        )
        return name

    def deploy(self, stage: str) -> str:
        return self.apigw.create_deployment(restApiId=self.api_id, stageName=stage)["id"]

    def url(self, stage: str, path: str = "") -> str:
        return self.cloud.stage_url(self.api_id, stage, path)


@dataclass
class ApiKeys:
    """API keys with known values, and usage plans that attach them to API stages."""

    cloud: object

    def key(self, *, enabled: bool = True) -> tuple[str, str]:
        """(key id, value) of a new API key."""
        value = unique("key").replace("-", "") + "x" * 20
        doc = self.cloud.client("apigateway").create_api_key(
            name=unique("key"), enabled=enabled, value=value
        )
        return doc["id"], value

    def plan(self, api_id: str, stage: str, key_ids: list[str]) -> str:
        apigw = self.cloud.client("apigateway")
        plan_id = apigw.create_usage_plan(
            name=unique("plan"), apiStages=[{"apiId": api_id, "stage": stage}]
        )["id"]
        for key_id in key_ids:
            apigw.create_usage_plan_key(usagePlanId=plan_id, keyId=key_id, keyType="API_KEY")
        return plan_id


@dataclass
class UserPool:
    """A Cognito user pool with app clients and a confirmed user."""

    cloud: object
    pool_id: str
    arn: str
    username: str
    clients: list[str] = field(default_factory=list)

    @classmethod
    def create(cls, cloud, n_clients: int = 1) -> UserPool:
        idp = cloud.client("cognito-idp")
        pool = idp.create_user_pool(PoolName=unique("pool"))["UserPool"]
        username = unique("user")
        idp.admin_create_user(
            UserPoolId=pool["Id"],
            Username=username,
            TemporaryPassword="Temp0rary!Pass",
            MessageAction="SUPPRESS",
        )
        idp.admin_set_user_password(
            UserPoolId=pool["Id"], Username=username, Password=PASSWORD, Permanent=True
        )
        made = cls(cloud=cloud, pool_id=pool["Id"], arn=pool["Arn"], username=username)
        for _ in range(n_clients):
            made.add_client()
        return made

    def add_client(self) -> str:
        client_id = self.cloud.client("cognito-idp").create_user_pool_client(
            UserPoolId=self.pool_id,
            ClientName=unique("client"),
            ExplicitAuthFlows=["ALLOW_ADMIN_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
        )["UserPoolClient"]["ClientId"]
        self.clients.append(client_id)
        return client_id

    def tokens(self, client_id: str | None = None) -> dict:
        """AuthenticationResult of ADMIN_USER_PASSWORD_AUTH (IdToken, AccessToken, ...)."""
        return self.cloud.client("cognito-idp").admin_initiate_auth(
            UserPoolId=self.pool_id,
            ClientId=client_id or self.clients[0],
            AuthFlow="ADMIN_USER_PASSWORD_AUTH",
            AuthParameters={"USERNAME": self.username, "PASSWORD": PASSWORD},
        )["AuthenticationResult"]

    @property
    def issuer(self) -> str:
        return f"https://cognito-idp.{REGION}.amazonaws.com/{self.pool_id}"
