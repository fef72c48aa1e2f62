"""The data plane beside MiniStack: the same stack, built by the same code, measured by the same
client, one server at a time.

The stack: a user pool, its app client and user; three functions (the kit's own handlers from
``lambdas/``); a REST API with ``GET /hello`` behind a Cognito authorizer, ``GET /quiet`` (the
same) and ``GET /auth`` (the sign-in, open), deployed to ``dev``. The client opens a new
connection per request (``http.client``) and checks every answer.

MiniStack 1.5.33 waits up to 50 ms after a Python function returns for log lines it may still
write, and stops waiting 5 ms after the last one: a handler that logs nothing pays the whole
50 ms. The kit's handlers log nothing on success, so ``/hello`` and ``/auth`` run them behind a
two-line wrapper that prints one line first (as most handlers log something), on both servers;
``/quiet`` runs the kit's hello handler as it is, and its row shows that wait.
"""

from __future__ import annotations

import http.client
import io
import json
import tempfile
import threading
import time
import urllib.parse
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import boto3
from botocore.exceptions import BotoCoreError, ClientError

from tests.support import LAMBDA_TRUST, REGION, free_port
from tools.bench import peer

ROOT = Path(__file__).resolve().parents[2]
PASSWORD = "Bench-Pass-1!"  # a throwaway user on a throwaway server; never printed
#: the wrapper that makes a handler write one log line first (see the module's docstring)
LOGGED = """import handler


def main(event, context):
    print("bench")
    return handler.handler(event, context)
"""
SEQUENTIAL = 300
AUTH_SEQUENTIAL = 100
QUIET_SEQUENTIAL = 40
CLIENT_COUNTS = (1, 4, 8)
LOAD_SECONDS = 2.0
#: goals (issue 16): with 4 clients at least this many times MiniStack's requests per second
RPS_GOAL = 2.0
HELLO_P50_GOAL_MS = 2.0
AUTH_P50_GOAL_MS = 10.0


@dataclass
class Stack:
    hello: str  # paths on the server
    quiet: str
    auth: str
    token: str


@dataclass
class Figures:
    """What was measured on one server (milliseconds; requests per second by client count)."""

    hello_p50: float
    hello_p95: float
    auth_p50: float
    quiet_p50: float
    rps: dict[int, float]


def percentile(samples: list[float], q: float) -> float:
    """The ``q`` quantile (0..1) of ``samples``, nearest rank."""
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def package(*modules: tuple[str, str]) -> bytes:
    """A deployment package of ``(file name, source)`` pairs."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as archive:
        for name, source in modules:
            archive.writestr(name, source)
    return buf.getvalue()


def bench_user(idp: Any) -> tuple[dict, str, str]:
    """The pool ``bench-pool``, an app client allowing ``ADMIN_USER_PASSWORD_AUTH`` and the
    confirmed user ``bench``: (pool, client id, the user's ID token)."""
    pool = idp.create_user_pool(PoolName="bench-pool")["UserPool"]
    client_id = idp.create_user_pool_client(
        UserPoolId=pool["Id"],
        ClientName="bench",
        ExplicitAuthFlows=["ALLOW_ADMIN_USER_PASSWORD_AUTH"],
    )["UserPoolClient"]["ClientId"]
    idp.admin_create_user(UserPoolId=pool["Id"], Username="bench", TemporaryPassword=PASSWORD)
    idp.admin_set_user_password(
        UserPoolId=pool["Id"], Username="bench", Password=PASSWORD, Permanent=True
    )
    token = idp.admin_initiate_auth(**sign_in_parameters(pool["Id"], client_id))[
        "AuthenticationResult"
    ]["IdToken"]
    return pool, client_id, token


def sign_in_parameters(pool_id: str, client_id: str) -> dict[str, Any]:
    """``AdminInitiateAuth``'s parameters for the bench user."""
    return {
        "UserPoolId": pool_id,
        "ClientId": client_id,
        "AuthFlow": "ADMIN_USER_PASSWORD_AUTH",
        "AuthParameters": {"USERNAME": "bench", "PASSWORD": PASSWORD},
    }


def build_stack(endpoint: str) -> Stack:
    """The stack of the module's docstring, through boto3 at ``endpoint``."""
    kw = {
        "endpoint_url": endpoint,
        "region_name": REGION,
        "aws_access_key_id": "bench",
        "aws_secret_access_key": "bench",
    }
    iam, lam, apig, idp = (
        boto3.client(s, **kw) for s in ("iam", "lambda", "apigateway", "cognito-idp")
    )
    pool, client_id, token = bench_user(idp)

    role = iam.create_role(
        RoleName="bench-side-role", AssumeRolePolicyDocument=json.dumps(LAMBDA_TRUST)
    )["Role"]["Arn"]
    sign_in = {
        "Effect": "Allow",
        "Action": "cognito-idp:AdminInitiateAuth",
        "Resource": pool["Arn"],
    }
    iam.put_role_policy(
        RoleName="bench-side-role",
        PolicyName="sign-in",
        PolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": [sign_in]}),
    )
    hello_source = (ROOT / "lambdas/simple_api_hello/handler.py").read_text()
    auth_source = (ROOT / "lambdas/simple_api_auth/handler.py").read_text()
    functions = {
        "hello": package(("handler.py", hello_source), ("logged.py", LOGGED)),
        "quiet": package(("handler.py", hello_source)),
        "auth": package(("handler.py", auth_source), ("logged.py", LOGGED)),
    }
    env = {"USER_POOL_ID": pool["Id"], "CLIENT_ID": client_id}
    arns = {}
    for name, code in functions.items():
        arns[name] = lam.create_function(
            FunctionName=f"bench-side-{name}",
            Runtime="python3.12",
            Role=role,
            Handler="handler.handler" if name == "quiet" else "logged.main",
            Code={"ZipFile": code},
            Environment={"Variables": env} if name == "auth" else {},
        )["FunctionArn"]
    account = arns["hello"].split(":")[4]

    api = apig.create_rest_api(name="bench-side")["id"]
    root = apig.get_resources(restApiId=api)["items"][0]["id"]
    authorizer = apig.create_authorizer(
        restApiId=api,
        name="cognito",
        type="COGNITO_USER_POOLS",
        providerARNs=[pool["Arn"]],
        identitySource="method.request.header.Authorization",
    )["id"]
    for name in functions:
        path = "quiet" if name == "quiet" else name
        resource = apig.create_resource(restApiId=api, parentId=root, pathPart=path)["id"]
        guarded = name != "auth"
        apig.put_method(
            restApiId=api,
            resourceId=resource,
            httpMethod="GET",
            authorizationType="COGNITO_USER_POOLS" if guarded else "NONE",
            **({"authorizerId": authorizer} if guarded else {}),
        )
        apig.put_integration(
            restApiId=api,
            resourceId=resource,
            httpMethod="GET",
            type="AWS_PROXY",
            integrationHttpMethod="POST",
            uri=f"arn:aws:apigateway:{REGION}:lambda:path/2015-03-31/functions/"
            f"{arns[name]}/invocations",
        )
        lam.add_permission(
            FunctionName=f"bench-side-{name}",
            StatementId="apigw",
            Action="lambda:InvokeFunction",
            Principal="apigateway.amazonaws.com",
            SourceArn=f"arn:aws:execute-api:{REGION}:{account}:{api}/*/GET/{path}",
        )
    apig.create_deployment(restApiId=api, stageName="dev")
    base = f"/restapis/{api}/dev/_user_request_"
    query = urllib.parse.urlencode({"username": "bench", "password": PASSWORD})
    return Stack(f"{base}/hello", f"{base}/quiet", f"{base}/auth?{query}", token)


def request(port: int, path: str, headers: dict[str, str], expect: bytes) -> float:
    """Seconds for one GET on a new connection; an answer that is not 200 with ``expect`` in its
    body stops the bench (the status and the path's name only: the query holds a password)."""
    began = time.perf_counter()
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        conn.request("GET", path, headers=headers)
        resp = conn.getresponse()
        body = resp.read()
    finally:
        conn.close()
    if resp.status != 200 or expect not in body:
        name = path.split("?", 1)[0].rsplit("/", 1)[-1]
        raise RuntimeError(f"GET /{name} answered {resp.status}")
    return time.perf_counter() - began


def requests_per_second(call: Callable[[], float], clients: int, seconds: float) -> float:
    """Answers per second with ``clients`` threads calling back to back for ``seconds``."""
    done = [0] * clients
    errors: list[BaseException] = []
    deadline = time.perf_counter() + seconds

    def load(index: int) -> None:
        try:
            while time.perf_counter() < deadline:
                call()
                done[index] += 1
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=load, args=(i,)) for i in range(clients)]
    began = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    if errors:
        raise errors[0]
    return sum(done) / (time.perf_counter() - began)


def measure(endpoint: str) -> Figures:
    port = int(endpoint.rsplit(":", 1)[1])
    stack = build_stack(endpoint)
    authorized = {"Authorization": stack.token}

    def hello() -> float:
        return request(port, stack.hello, authorized, b"Hello, bench!")

    def auth() -> float:
        return request(port, stack.auth, {}, b"IdToken")

    def quiet() -> float:
        return request(port, stack.quiet, authorized, b"Hello, bench!")

    for call in (hello, auth, quiet):  # warm: each function's first worker, caches
        for _ in range(10):
            call()
    seq = [hello() for _ in range(SEQUENTIAL)]
    auths = [auth() for _ in range(AUTH_SEQUENTIAL)]
    quiets = [quiet() for _ in range(QUIET_SEQUENTIAL)]
    rps = {n: requests_per_second(hello, n, LOAD_SECONDS) for n in CLIENT_COUNTS}
    return Figures(
        hello_p50=percentile(seq, 0.5) * 1000,
        hello_p95=percentile(seq, 0.95) * 1000,
        auth_p50=percentile(auths, 0.5) * 1000,
        quiet_p50=percentile(quiets, 0.5) * 1000,
        rps=rps,
    )


def ratio(kit: float, other: float, higher_is_better: bool) -> float:
    """How many times better the kit is (above 1: better)."""
    if higher_is_better:
        return kit / other if other else float("inf")
    return other / kit if kit else float("inf")


def table(kit: Figures, other: Figures | None, why_not: str = "") -> tuple[list[str], bool]:
    """The side-by-side table's lines, and whether every goal was met."""
    rows: list[tuple[str, float, float | None, bool, str, bool | None]] = [
        # name, kit, MiniStack, higher is better, goal, met
        ("GET /hello p50 (ms)", kit.hello_p50, None, False, "<= 2 ms", kit.hello_p50 <= 2),
        ("GET /hello p95 (ms)", kit.hello_p95, None, False, "", None),
        ("GET /auth p50 (ms)", kit.auth_p50, None, False, "<= 10 ms", kit.auth_p50 <= 10),
        ("GET /quiet p50 (ms), silent handler", kit.quiet_p50, None, False, "", None),
    ]
    for n in CLIENT_COUNTS:
        rows.append(
            (f"GET /hello req/s, {n} client{'s' * (n > 1)}", kit.rps[n], None, True, "", None)
        )
    if other is not None:
        theirs = [other.hello_p50, other.hello_p95, other.auth_p50, other.quiet_p50]
        theirs += [other.rps[n] for n in CLIENT_COUNTS]
        rows = [(r[0], r[1], t, *r[3:]) for r, t in zip(rows, theirs, strict=True)]
        i = 4 + CLIENT_COUNTS.index(4)
        met = ratio(kit.rps[4], other.rps[4], True) >= RPS_GOAL
        rows[i] = (*rows[i][:4], f">= {RPS_GOAL:g} x MiniStack", met)
    peer_name = f"MiniStack {peer.MINISTACK_VERSION}"
    lines = [f"  {'':<38} {'local cloud':>12} {peer_name:>16} {'ratio':>7}  goal"]
    for name, mine, theirs, higher, goal, ok in rows:
        cell = f"{theirs:16.2f}" if theirs is not None else f"{'not run':>16}"
        times = f"{ratio(mine, theirs, higher):6.1f}x" if theirs is not None else f"{'':>7}"
        verdict = "" if ok is None else ("ok" if ok else "MISSED")
        lines.append(f"  {name:<38} {mine:12.2f} {cell} {times}  {goal:<20} {verdict}".rstrip())
    if other is None:
        lines.append(f"  MiniStack not run: {why_not}")
    else:
        lines += [
            "  ratio: how many times the local cloud is better. /hello and /auth run the kit's",
            "  handlers behind a one-line print; /quiet the kit's hello as it is (MiniStack",
            "  waits up to 50 ms for logs from a handler that writes none, 5 ms after its last).",
        ]
    return lines, all(r[5] is not False for r in rows)


def run(
    start_kit: Callable[[Path], tuple[object, str]], stop_kit: Callable[[object], None]
) -> bool:
    """Measure the kit (a server from ``start_kit``), then MiniStack; print the table. Returns
    whether every goal was met."""
    with tempfile.TemporaryDirectory() as tmp:
        handle, endpoint = start_kit(Path(tmp))
        try:
            kit = measure(endpoint)
        finally:
            stop_kit(handle)
        python, why_not = peer.install()
        other = None
        if python is not None:
            home = Path(tmp) / "ministack"
            home.mkdir()
            try:
                running = peer.start(python, home, free_port())
            except RuntimeError as exc:
                why_not = str(exc)
            else:
                try:
                    other = measure(running.endpoint)
                except (RuntimeError, OSError, BotoCoreError, ClientError) as exc:
                    why_not = f"its stack or its answers failed: {exc}"
                finally:
                    peer.stop(running)
    lines, ok = table(kit, other, why_not)
    print("data plane, side by side (same stack, same client, one server at a time)")
    print("\n".join(lines))
    return ok
