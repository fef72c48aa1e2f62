"""The seed's Postman tests as files Postman imports and newman runs: a v2.1 collection of the
same scenarios notebook 07 checks, and an environment for one deployed stack. Notebook 08 writes
them again with two more requests: a service's token from the token endpoint (client
credentials), and ``GET /reports`` with it. Notebook 09 writes them a third time: the sign-in
goes through ``POST /auth`` with a JSON body (and a bad body's ``400`` is tested beside it).

The collection holds no secret and no address: ``{{api_url}}``, ``{{username}}`` and
``{{password}}`` (and 08's ``{{token_url}}``, ``{{machine_client_id}}``,
``{{machine_client_secret}}``, ``{{reports_scope}}``) come from the environment, where the
password and the client secret are ``secret`` variables. The environment file is written 0600
under ``runs/`` (git-ignored) and never shown.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from helpers.display import Table
from helpers.outputs import runs_dir, write_private_json

SCHEMA = "https://schema.getpostman.com/json/collection/v2.1.0/collection.json"
COLLECTION_NAME = "simple-api"
#: the authorizer's and the validator's answers, as the tests expect them
#: (docs/aws-behavior.md#gateway-errors)
UNAUTHORIZED = {"message": "Unauthorized"}
MISSING_PARAMETERS = {"message": "Missing required request parameters: [password, username]"}
#: what API Gateway answers a body that does not fit the method's model (09's POST /auth)
INVALID_BODY = {"message": "Invalid request body"}


@dataclass(frozen=True)
class Scenario:
    """One request of the collection: what it sends and what its test script asserts."""

    name: str
    path: str
    expect: int
    checks: tuple[str, ...]
    query: tuple[tuple[str, str], ...] = ()
    authorization: str = ""
    prerequest: tuple[str, ...] = ()
    method: str = "GET"
    #: the environment variable the URL starts with (08's token request: ``token_url``)
    base: str = "api_url"
    #: an ``application/x-www-form-urlencoded`` body
    form: tuple[tuple[str, str], ...] = ()
    #: a raw ``application/json`` body (variables in it are replaced by Postman)
    json_body: str = ""


def _status(code: int) -> str:
    return f'pm.test("status is {code}", () => pm.response.to.have.status({code}));'


def _body_is(doc: Mapping[str, Any], what: str) -> str:
    return (
        f'pm.test("body is {what}", () => pm.expect(pm.response.json()).to.eql({json.dumps(doc)}));'
    )


#: the tokens the sign-in stores for the requests after it (GET /auth in 07, POST /auth in 09)
_STORE_TOKENS = (
    "const tokens = pm.response.json().AuthenticationResult;",
    'pm.test("body holds Bearer tokens for 60 min", () => {',
    '    pm.expect(tokens.TokenType).to.eql("Bearer");',
    "    pm.expect(tokens.ExpiresIn).to.eql(3600);",
    '    pm.expect(tokens.IdToken.split(".")).to.have.lengthOf(3);',
    '    pm.expect(tokens.AccessToken.split(".")).to.have.lengthOf(3);',
    "});",
    'pm.environment.set("id_token", tokens.IdToken);',
    'pm.environment.set("access_token", tokens.AccessToken);',
)
USER_SCENARIOS: tuple[Scenario, ...] = (
    Scenario(
        "GET /hello without a token",
        "hello",
        401,
        (_body_is(UNAUTHORIZED, "Unauthorized"),),
    ),
    Scenario(
        "GET /auth without parameters",
        "auth",
        400,
        (_body_is(MISSING_PARAMETERS, "the validator's message"),),
    ),
    Scenario(
        "GET /auth with username and password",
        "auth",
        200,
        _STORE_TOKENS,
        query=(("username", "{{username}}"), ("password", "{{password_in_url}}")),
        # a password may hold # % + = : , which must be percent-encoded in a query string
        prerequest=(
            "pm.variables.set(",
            '    "password_in_url", encodeURIComponent(pm.environment.get("password"))',
            ");",
        ),
    ),
    Scenario(
        "GET /hello with the ID token",
        "hello",
        200,
        (
            "const body = pm.response.json();",
            'pm.test("body greets the user by the ID token\'s claims", () => {',
            '    pm.expect(body.message).to.eql(`Hello, ${pm.environment.get("username")}!`);',
            '    pm.expect(body.claims.token_use).to.eql("id");',
            "});",
        ),
        authorization="{{id_token}}",
    ),
    Scenario(
        "GET /hello with the access token",
        "hello",
        401,
        (_body_is(UNAUTHORIZED, "Unauthorized"),),
        authorization="{{access_token}}",
    ),
    Scenario(
        "GET /hello with a forged ID token",
        "hello",
        401,
        (_body_is(UNAUTHORIZED, "Unauthorized"),),
        authorization="{{forged_token}}",
        # the ID token with the end of its signature changed: no longer signed by the pool
        prerequest=(
            'const idToken = pm.environment.get("id_token");',
            'const tail = idToken.slice(-4) === "AAAA" ? "BBBB" : "AAAA";',
            'pm.variables.set("forged_token", idToken.slice(0, -4) + tail);',
        ),
    ),
)


#: 09_browser_and_logs: sign-in with the password in a JSON body, not in the URL; the body is
#: built with JSON.stringify, so a password with quotes or backslashes stays valid JSON
POST_AUTH_SCENARIOS: tuple[Scenario, ...] = (
    Scenario(
        "POST /auth without a password",
        "auth",
        400,
        (_body_is(INVALID_BODY, "API Gateway's invalid-body message"),),
        method="POST",
        json_body='{"username": "{{username}}"}',
    ),
    Scenario(
        "POST /auth with username and password",
        "auth",
        200,
        _STORE_TOKENS,
        method="POST",
        json_body="{{sign_in_body}}",
        prerequest=(
            "pm.variables.set(",
            '    "sign_in_body",',
            "    JSON.stringify({",
            '        username: pm.environment.get("username"),',
            '        password: pm.environment.get("password"),',
            "    })",
            ");",
        ),
    ),
)


#: 08_tokens: a service asks the token endpoint for a token (client credentials, the secret in
#: the body as Postman's own OAuth 2.0 helper sends it), then reads /reports with it
MACHINE_SCENARIOS: tuple[Scenario, ...] = (
    Scenario(
        "POST the token endpoint with client credentials",
        "",
        200,
        (
            "const answer = pm.response.json();",
            'pm.test("body holds a Bearer access token and nothing else", () => {',
            '    pm.expect(answer.token_type).to.eql("Bearer");',
            '    pm.expect(answer.access_token.split(".")).to.have.lengthOf(3);',
            '    pm.expect(answer).to.not.have.property("id_token");',
            '    pm.expect(answer).to.not.have.property("refresh_token");',
            "});",
            'pm.environment.set("machine_token", answer.access_token);',
        ),
        method="POST",
        base="token_url",
        form=(
            ("grant_type", "client_credentials"),
            ("client_id", "{{machine_client_id}}"),
            ("client_secret", "{{machine_client_secret}}"),
            ("scope", "{{reports_scope}}"),
        ),
    ),
    Scenario(
        "GET /reports with the machine token",
        "reports",
        200,
        (
            "const body = pm.response.json();",
            'pm.test("body lists the reports for the machine client and its scope", () => {',
            '    pm.expect(body.client_id).to.eql(pm.environment.get("machine_client_id"));',
            '    pm.expect(body.scopes).to.eql([pm.environment.get("reports_scope")]);',
            "    pm.expect(body.reports).to.not.be.empty;",
            "});",
        ),
        authorization="Bearer {{machine_token}}",
    ),
)


def user_scenarios(post_auth: bool = False) -> tuple[Scenario, ...]:
    """07's six; with ``post_auth`` (09) the sign-in is ``POST /auth``, after its bad body."""
    if not post_auth:
        return USER_SCENARIOS
    get_login = "GET /auth with username and password"
    at = [s.name for s in USER_SCENARIOS].index(get_login)
    return USER_SCENARIOS[:at] + POST_AUTH_SCENARIOS + USER_SCENARIOS[at + 1 :]


def scenarios(machine: bool = False, post_auth: bool = False) -> tuple[Scenario, ...]:
    """07's scenarios (with ``post_auth``, 09's sign-in), and with ``machine`` 08's two after."""
    return user_scenarios(post_auth) + (MACHINE_SCENARIOS if machine else ())


#: every request the full collection holds (07 writes six, 08 eight, 09 all of them)
SCENARIOS: tuple[Scenario, ...] = scenarios(machine=True, post_auth=True)


def _script(listen: str, lines: tuple[str, ...]) -> dict[str, Any]:
    return {"listen": listen, "script": {"type": "text/javascript", "exec": list(lines)}}


def _item(scenario: Scenario) -> dict[str, Any]:
    query = "&".join(f"{k}={v}" for k, v in scenario.query)
    base = "{{" + scenario.base + "}}"
    url: dict[str, Any] = {
        "raw": base
        + (f"/{scenario.path}" if scenario.path else "")
        + (f"?{query}" if query else ""),
        "host": [base],
    }
    if scenario.path:  # an empty path list would make Postman add a trailing slash
        url["path"] = [scenario.path]
    if scenario.query:
        url["query"] = [{"key": k, "value": v} for k, v in scenario.query]
    header = (
        [{"key": "Authorization", "value": scenario.authorization}]
        if scenario.authorization
        else []
    )
    request: dict[str, Any] = {"method": scenario.method, "header": header, "url": url}
    if scenario.json_body:
        header.append({"key": "Content-Type", "value": "application/json"})
        request["body"] = {"mode": "raw", "raw": scenario.json_body}
    if scenario.form:
        header.append({"key": "Content-Type", "value": "application/x-www-form-urlencoded"})
        request["body"] = {
            "mode": "urlencoded",
            "urlencoded": [{"key": k, "value": v, "type": "text"} for k, v in scenario.form],
        }
    events = [_script("test", (_status(scenario.expect), *scenario.checks))]
    if scenario.prerequest:
        events.insert(0, _script("prerequest", scenario.prerequest))
    return {"name": scenario.name, "event": events, "request": request}


def collection(machine: bool = False, post_auth: bool = False) -> dict[str, Any]:
    """The Postman v2.1 collection: one request per scenario, in order, with its tests (with
    ``machine``, 08's token request and ``GET /reports`` too; with ``post_auth``, 09's sign-in
    through ``POST /auth``)."""
    return {
        "info": {
            "_postman_id": str(
                uuid.uuid5(uuid.NAMESPACE_URL, f"cognito-api-kit/{COLLECTION_NAME}")
            ),
            "name": COLLECTION_NAME,
            "description": (
                "The tests of the Cognito-protected simple-api, as notebook 07 runs them. "
                "Run the requests in order: the login stores the tokens the next ones use."
            ),
            "schema": SCHEMA,
        },
        "item": [_item(s) for s in scenarios(machine, post_auth)],
    }


def environment(
    stack: Mapping[str, Any], target: str, machine: Mapping[str, str] | None = None
) -> dict[str, Any]:
    """The environment for one deployed stack; the password (and the tokens, once a login has
    stored them) are ``secret`` variables, which Postman masks. ``machine`` (08: ``token_url``,
    ``client_id``, ``client_secret``, ``scope``) adds the machine client's variables, its
    secret a ``secret`` one."""
    values = [
        ("api_url", stack["api_url"], "default"),
        ("username", stack["username"], "default"),
        ("password", stack["password"], "secret"),
        ("id_token", "", "secret"),
        ("access_token", "", "secret"),
    ]
    if machine:
        values += [
            ("token_url", machine["token_url"], "default"),
            ("machine_client_id", machine["client_id"], "default"),
            ("machine_client_secret", machine["client_secret"], "secret"),
            ("reports_scope", machine["scope"], "default"),
            ("machine_token", "", "secret"),
        ]
    return {
        "id": str(uuid.uuid5(uuid.NAMESPACE_URL, f"cognito-api-kit/{target}")),
        "name": f"{COLLECTION_NAME} ({target})",
        "values": [
            {"key": key, "value": value, "type": kind, "enabled": True}
            for key, value, kind in values
        ],
        "_postman_variable_scope": "environment",
    }


def postman_dir(target: str) -> Path:
    """``runs/<target>/postman/``."""
    return runs_dir() / target / "postman"


def postman_files(target: str) -> tuple[Path, Path]:
    """The collection's and the environment's paths in ``runs/<target>/postman/``."""
    folder = postman_dir(target)
    return (
        folder / f"{COLLECTION_NAME}.postman_collection.json",
        folder / f"{COLLECTION_NAME}-{target}.postman_environment.json",
    )


def write_postman(
    stack: Mapping[str, Any],
    target: str,
    machine: Mapping[str, str] | None = None,
    post_auth: bool = False,
) -> Table:
    """Write the collection and the environment to ``runs/<target>/postman/``; what was written
    (paths shown relative to the project, nothing secret). With ``machine`` (08), the collection
    gains the token request and ``GET /reports``, the environment the machine client; with
    ``post_auth`` (09), it signs in through ``POST /auth``."""
    collection_path, environment_path = postman_files(target)
    collection_path.parent.mkdir(parents=True, exist_ok=True)
    write_private_json(collection_path, collection(bool(machine), post_auth))
    write_private_json(environment_path, environment(stack, target, machine))
    shown = f"runs/{target}/postman"
    holds = "api_url, username, password (secret)"
    if machine:
        holds += ", token_url, machine_client_id, machine_client_secret (secret), reports_scope"
    count = len(scenarios(bool(machine), post_auth))
    return Table(
        ["file", "holds"],
        [
            (f"{shown}/{collection_path.name}", f"{count} requests with their tests"),
            (f"{shown}/{environment_path.name}", holds),
        ],
    )


def remove_postman(target: str) -> None:
    """Delete ``runs/<target>/postman/`` (teardown: its environment holds the password)."""
    folder = postman_dir(target)
    for path in folder.glob("*.postman_*.json"):
        path.unlink()
    if folder.is_dir() and not any(folder.iterdir()):
        folder.rmdir()


def scenarios_table(machine: bool = False, post_auth: bool = False) -> Table:
    """The collection's requests and what each expects, in order (with ``machine``, 08's; with
    ``post_auth``, 09's)."""
    return Table(
        ["request", "expects"],
        [(s.name, str(s.expect)) for s in scenarios(machine, post_auth)],
    )


def write_postman_for_stack(cloud: Any, post_auth: bool = True) -> Table:
    """:func:`write_postman` for the stack the outputs file names, with 08's machine client when
    there is one (its secret read from Cognito, never shown) and, by default, 09's sign-in
    through ``POST /auth``."""
    from helpers.names import REPORTS_SCOPE
    from helpers.stack import load_stack

    stack = load_stack(cloud, "user_pool_id", "api_url", "username", "password")
    machine = None
    if stack.get("machine_client_id") and stack.get("token_url"):
        client = cloud.client("cognito-idp").describe_user_pool_client(
            UserPoolId=stack["user_pool_id"], ClientId=stack["machine_client_id"]
        )["UserPoolClient"]
        machine = {
            "token_url": stack["token_url"],
            "client_id": client["ClientId"],
            "client_secret": client["ClientSecret"],
            "scope": REPORTS_SCOPE,
        }
    return write_postman(stack, cloud.target, machine, post_auth)
