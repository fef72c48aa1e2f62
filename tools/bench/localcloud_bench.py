"""``make bench``: how fast the local cloud is, measured at the client.

Starts its own local clouds on free ports (never the one ``make up`` runs) and prints:
start-up time; ``lambda.invoke`` of a no-op handler warm and cold, beside
``lambda.get_function`` as the floor; the token endpoint and ``AdminInitiateAuth``; then the data
plane beside MiniStack (:mod:`tools.bench.side_by_side`: authorized ``GET /hello`` p50/p95,
``GET /auth`` p50, requests/s with 1, 4 and 8 clients, and the ratios).
Client and server share this machine's cores, so every number includes the client's own cost.
"""

from __future__ import annotations

import base64
import functools
import http.client
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

import boto3

from tests.support import LAMBDA_TRUST, free_port, zip_code
from tools.bench import side_by_side
from tools.bench.side_by_side import percentile

REGION = "us-east-1"
NOOP = "def handler(event, context):\n    return None\n"


def start(tmp: Path, port: int | None = None) -> tuple[subprocess.Popen, str, float]:
    port = port or free_port()
    env = dict(os.environ, LOCALCLOUD_HOME=str(tmp))
    began = time.perf_counter()
    proc = subprocess.Popen(
        [sys.executable, "-m", "localcloud", "serve", "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env=env,
    )
    url = f"http://127.0.0.1:{port}"
    while True:
        try:
            with urllib.request.urlopen(f"{url}/_localcloud/health", timeout=0.2):
                return proc, url, time.perf_counter() - began
        except OSError:
            if time.perf_counter() - began > 30:
                proc.kill()
                raise SystemExit("bench: the local cloud did not start within 30 s") from None
            time.sleep(0.005)


def stop(proc: subprocess.Popen) -> None:
    proc.terminate()
    proc.wait(timeout=10)


def clients(endpoint: str) -> dict:
    kw = {
        "endpoint_url": endpoint,
        "region_name": REGION,
        "aws_access_key_id": "bench",
        "aws_secret_access_key": "bench",
    }
    return {s: boto3.client(s, **kw) for s in ("iam", "lambda", "apigateway", "cognito-idp")}


def build_machine_client(c: dict) -> tuple[str, str, str]:
    """A pool with a domain, a resource server and a client-credentials client; returns (path of
    its token endpoint on the server, Basic authorization header, pool id)."""
    idp = c["cognito-idp"]
    pool = idp.create_user_pool(PoolName="bench-m2m")["UserPool"]["Id"]
    idp.create_user_pool_domain(UserPoolId=pool, Domain="bench-m2m")
    idp.create_resource_server(
        UserPoolId=pool,
        Identifier="bench",
        Name="bench",
        Scopes=[{"ScopeName": "read", "ScopeDescription": "read"}],
    )
    client = idp.create_user_pool_client(
        UserPoolId=pool,
        ClientName="bench-machine",
        GenerateSecret=True,
        AllowedOAuthFlowsUserPoolClient=True,
        AllowedOAuthFlows=["client_credentials"],
        AllowedOAuthScopes=["bench/read"],
    )["UserPoolClient"]
    secret = base64.b64encode(f"{client['ClientId']}:{client['ClientSecret']}".encode()).decode()
    return "/_cognito/bench-m2m/oauth2/token", f"Basic {secret}", pool


def post_token(port: int, path: str, authorization: str) -> float:
    """One client-credentials request to the token endpoint, on a new connection."""
    began = time.perf_counter()
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    conn.request(
        "POST",
        path,
        body="grant_type=client_credentials&scope=bench%2Fread",
        headers={
            "Authorization": authorization,
            "Content-Type": "application/x-www-form-urlencoded",
        },
    )
    resp = conn.getresponse()
    body = resp.read()
    conn.close()
    if resp.status != 200 or b"access_token" not in body:
        raise SystemExit(f"bench: the token endpoint answered {resp.status} {body[:200]!r}")
    return time.perf_counter() - began


def timed(call, n: int) -> list[float]:
    samples = []
    for _ in range(n):
        began = time.perf_counter()
        call()
        samples.append(time.perf_counter() - began)
    return samples


def main() -> int:
    results: list[tuple[str, str, str, bool | None]] = []
    with tempfile.TemporaryDirectory() as tmp:
        startups, first_calls = [], []
        for _ in range(3):
            port = free_port()
            sts = boto3.client(
                "sts",
                endpoint_url=f"http://127.0.0.1:{port}",
                region_name=REGION,
                aws_access_key_id="bench",
                aws_secret_access_key="bench",
            )
            began = time.perf_counter()
            proc, _url, seconds = start(Path(tmp), port)
            startups.append(seconds)
            sts.get_caller_identity()
            first_calls.append(time.perf_counter() - began)
            stop(proc)
        startup = statistics.median(startups)
        results.append(("start-up (median of 3)", f"{startup:.2f} s", "<= 1 s", startup <= 1.0))
        results.append(
            ("start-up to first AWS answer", f"{statistics.median(first_calls):.2f} s", "", None)
        )

        proc, endpoint, _ = start(Path(tmp))
        try:
            port = int(endpoint.rsplit(":", 1)[1])
            c = clients(endpoint)
            lam = c["lambda"]
            role = c["iam"].create_role(
                RoleName="bench-role", AssumeRolePolicyDocument=json.dumps(LAMBDA_TRUST)
            )["Role"]["Arn"]
            lam.create_function(
                FunctionName="bench-noop",
                Runtime="python3.12",
                Role=role,
                Handler="handler.handler",
                Code={"ZipFile": zip_code(NOOP)},
            )
            timed(lambda: lam.get_function(FunctionName="bench-noop"), 20)
            floor = timed(lambda: lam.get_function(FunctionName="bench-noop"), 300)
            timed(lambda: lam.invoke(FunctionName="bench-noop", Payload=b"{}"), 20)
            warm = timed(lambda: lam.invoke(FunctionName="bench-noop", Payload=b"{}"), 300)
            cold = []
            for i in range(10):
                lam.update_function_configuration(
                    FunctionName="bench-noop", Environment={"Variables": {"N": str(i)}}
                )
                cold += timed(lambda: lam.invoke(FunctionName="bench-noop", Payload=b"{}"), 1)
            floor50, warm50 = percentile(floor, 0.5) * 1000, percentile(warm, 0.5) * 1000
            cold50 = percentile(cold, 0.5)
            results.append(("lambda.get_function p50 (floor)", f"{floor50:.2f} ms", "", None))
            results.append(
                (
                    "lambda.invoke warm p50",
                    f"{warm50:.2f} ms",
                    f"<= 2 x floor = {2 * floor50:.2f} ms",
                    warm50 <= 2 * floor50,
                )
            )
            results.append(
                ("lambda.invoke warm p95", f"{percentile(warm, 0.95) * 1000:.2f} ms", "", None)
            )
            results.append(
                (
                    "lambda.invoke cold p50 (of 10)",
                    f"{cold50 * 1000:.0f} ms",
                    "<= 500 ms",
                    cold50 <= 0.5,
                )
            )
            token_path, authorization, _pool = build_machine_client(c)
            for _ in range(20):
                post_token(port, token_path, authorization)
            tokens = [post_token(port, token_path, authorization) for _ in range(300)]
            token50 = percentile(tokens, 0.5) * 1000
            results.append(
                (
                    "token endpoint, client credentials p50",
                    f"{token50:.2f} ms",
                    "<= 5 ms",
                    token50 <= 5,
                )
            )
            pool, client_id, _token = side_by_side.bench_user(c["cognito-idp"])
            parameters = side_by_side.sign_in_parameters(pool["Id"], client_id)
            sign_in = functools.partial(c["cognito-idp"].admin_initiate_auth, **parameters)
            timed(sign_in, 20)
            signins = timed(sign_in, 300)
            results.append(
                ("AdminInitiateAuth p50", f"{percentile(signins, 0.5) * 1000:.2f} ms", "", None)
            )
        finally:
            stop(proc)

    width = max(len(r[0]) for r in results)
    print(f"localcloud bench on {os.cpu_count()} cores (client and server share them)")
    for name, value, target, ok in results:
        verdict = "" if ok is None else ("ok" if ok else "MISSED")
        print(f"  {name:<{width}}  {value:>12}  {target:<24} {verdict}")
    side_ok = side_by_side.run(_start_for_side_by_side, stop)
    return 0 if side_ok and all(ok is not False for *_, ok in results) else 1


def _start_for_side_by_side(home: Path) -> tuple[subprocess.Popen, str]:
    proc, url, _seconds = start(home)
    return proc, url


if __name__ == "__main__":
    sys.exit(main())
