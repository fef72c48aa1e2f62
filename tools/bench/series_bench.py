"""``make bench`` (second part): the notebook series and IAM enforcement, measured.

- The series ``00``-``06`` through papermill on a fresh local cloud, against the same number of
  empty notebooks through papermill (the floor: one kernel start per notebook). Goal: <= 2x.
- The cost of IAM enforcement on a call: ``cognito-idp AdminGetUser`` signed with an assumed
  role's temporary credentials (checked against the role's policies) beside the same call with
  plain credentials (not checked), p50 of 300 each.

Starts its own local cloud on a free port; never touches the one ``make up`` runs.
"""

from __future__ import annotations

import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

import boto3
import nbformat
import papermill

from tests.support import LAMBDA_TRUST, REGION, start_localcloud, stop_localcloud
from tools.series import TUTORIAL, run_series


def empty_notebooks(tmp: Path, count: int) -> float:
    """Seconds papermill needs for ``count`` notebooks holding only a parameters cell."""
    for index in range(count):
        notebook = nbformat.v4.new_notebook()
        notebook.metadata["kernelspec"] = {
            "name": "python3",
            "display_name": "Python 3",
            "language": "python",
        }
        notebook.cells = [
            nbformat.v4.new_code_cell('target = "local"', metadata={"tags": ["parameters"]})
        ]
        nbformat.write(notebook, tmp / f"empty{index}.ipynb")
    began = time.perf_counter()
    for index in range(count):
        papermill.execute_notebook(
            str(tmp / f"empty{index}.ipynb"),
            str(tmp / f"empty{index}.out.ipynb"),
            parameters={"target": "local"},
            kernel_name="python3",
            progress_bar=False,
            extra_arguments=["--log-level=CRITICAL"],
        )
    return time.perf_counter() - began


def p50_ms(call, n: int = 300) -> float:
    for _ in range(20):
        call()
    samples = []
    for _ in range(n):
        began = time.perf_counter()
        call()
        samples.append(time.perf_counter() - began)
    return statistics.median(samples) * 1000


def enforcement_cost(endpoint: str) -> tuple[float, float]:
    plain = {"aws_access_key_id": "bench", "aws_secret_access_key": "bench"}
    kwargs = {"endpoint_url": endpoint, "region_name": REGION}
    idp = boto3.client("cognito-idp", **kwargs, **plain)
    iam = boto3.client("iam", **kwargs, **plain)
    pool = idp.create_user_pool(PoolName="bench-pool")["UserPool"]
    idp.admin_create_user(UserPoolId=pool["Id"], Username="u", MessageAction="SUPPRESS")
    role = iam.create_role(RoleName="bench-iam", AssumeRolePolicyDocument=json.dumps(LAMBDA_TRUST))
    policy = {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": "cognito-idp:Admin*", "Resource": pool["Arn"]}],
    }
    iam.put_role_policy(RoleName="bench-iam", PolicyName="p", PolicyDocument=json.dumps(policy))
    creds = boto3.client("sts", **kwargs, **plain).assume_role(
        RoleArn=role["Role"]["Arn"], RoleSessionName="bench"
    )["Credentials"]
    as_role = boto3.client(
        "cognito-idp",
        **kwargs,
        aws_access_key_id=creds["AccessKeyId"],
        aws_secret_access_key=creds["SecretAccessKey"],
        aws_session_token=creds["SessionToken"],
    )
    unchecked = p50_ms(lambda: idp.admin_get_user(UserPoolId=pool["Id"], Username="u"))
    checked = p50_ms(lambda: as_role.admin_get_user(UserPoolId=pool["Id"], Username="u"))
    return unchecked, checked


def main() -> int:
    with tempfile.TemporaryDirectory() as name:
        tmp = Path(name)
        cloud = start_localcloud(tmp)
        os.environ.update(
            LOCALCLOUD_PORT=str(cloud.port),
            LOCALCLOUD_HOME=str(tmp),
            TUTORIAL_OUTPUTS_DIR=str(tmp / "outputs"),
        )
        try:
            began = time.perf_counter()
            results = run_series(TUTORIAL, "local", REGION, tmp / "runs")
            series = time.perf_counter() - began
            if any(r.status != "ok" for r in results):
                print("bench: the series failed; see the output above", file=sys.stderr)
                return 1
            floor = empty_notebooks(tmp, len(TUTORIAL))
            unchecked, checked = enforcement_cost(cloud.endpoint)
        finally:
            stop_localcloud(cloud)
    ratio = series / floor
    print(f"series bench on {os.cpu_count()} cores")
    print(f"  notebooks 00-08 through papermill   {series:6.1f} s")
    print(f"  {len(TUTORIAL)} empty notebooks (the floor)       {floor:6.1f} s")
    verdict = "ok" if ratio <= 2 else "MISSED"
    print(f"  ratio                               {ratio:6.2f}    <= 2          {verdict}")
    print(f"  AdminGetUser p50, plain credentials {unchecked:6.2f} ms (not checked)")
    print(f"  AdminGetUser p50, role credentials  {checked:6.2f} ms (checked by IAM)")
    return 0 if ratio <= 2 else 1


if __name__ == "__main__":
    sys.exit(main())
