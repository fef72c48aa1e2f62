"""tools.series.curl_lines: ready-to-paste commands that never print the password."""

from __future__ import annotations

import shlex
import shutil
import subprocess
import sys

import pytest

from helpers.outputs import Outputs
from tools.series import curl_lines

PASSWORD = "Xy7-kq_P.9!zRt#2%Lm="
API_URL = "http://127.0.0.1:4566/restapis/a1b2c3d4e5/dev/_user_request_"
BASH = shutil.which("bash") or "/bin/bash"  # the Makefile runs on bash too


@pytest.fixture
def outputs(tmp_path, monkeypatch) -> Outputs:
    # a folder with a space and a quote: the path must be quoted for the shell
    monkeypatch.setenv("TUTORIAL_OUTPUTS_DIR", str(tmp_path / "it's here"))
    outputs = Outputs.for_target("local")
    outputs.save(target="local", api_url=API_URL, username="misi", password=PASSWORD)
    return outputs


def test_nothing_deployed_gives_no_lines(tmp_path, monkeypatch):
    monkeypatch.setenv("TUTORIAL_OUTPUTS_DIR", str(tmp_path))
    assert curl_lines("local") == []
    Outputs.for_target("local").save(target="local")
    assert curl_lines("local") == []


def test_lines_hold_no_password_and_read_it_by_substitution(outputs):
    login, hello = curl_lines("local")
    for line in (login, hello):
        assert PASSWORD not in line
        assert "\n" not in line
    assert login.startswith(f"curl -s -X POST {API_URL}/auth -H 'Content-Type: application/json' ")
    assert '--data-binary "$(python3 -c ' in login
    assert '"password": d["password"]' in login
    assert hello.startswith(f'curl -s {API_URL}/hello -H "Authorization: $({login} | python3 -c ')
    assert '["AuthenticationResult"]["IdToken"]' in hello


def test_bash_accepts_the_lines(outputs):
    for line in curl_lines("local"):
        done = subprocess.run([BASH, "-n", "-c", line], capture_output=True, text=True)
        assert done.returncode == 0, done.stderr


FAKES = f"""
python3() {{ {shlex.quote(sys.executable)} "$@"; }}
curl() {{
  case "$*" in
    */auth*) printf '{{"AuthenticationResult": {{"IdToken": "token-for-%s"}}}}' \
               "$(printf '%s\\n' "$@" | sed -n 's/^{{.*"password": "\\(.*\\)"}}$/\\1/p')" ;;
    *) printf '<%s>\\n' "$@" ;;
  esac
}}
"""


def test_the_lines_run_with_a_fake_curl(outputs):
    """curl is a shell function: what it is given shows the password read from the file (never
    printed by the command itself) and the token read from the sign-in's answer."""
    login, hello = curl_lines("local")
    done = subprocess.run(
        [BASH, "-c", FAKES + hello], capture_output=True, text=True, timeout=20, check=False
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == [
        "<-s>",
        f"<{API_URL}/hello>",
        "<-H>",
        f"<Authorization: token-for-{PASSWORD}>",
    ]
    done = subprocess.run(
        [BASH, "-c", FAKES + "curl() { printf '<%s>\\n' \"$@\"; }\n" + login],
        capture_output=True,
        text=True,
        timeout=20,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == [
        "<-s>",
        "<-X>",
        "<POST>",
        f"<{API_URL}/auth>",
        "<-H>",
        "<Content-Type: application/json>",
        "<--data-binary>",
        f'<{{"username": "misi", "password": "{PASSWORD}"}}>',
    ]


def test_postman_lines_name_the_exported_files(tmp_path, monkeypatch):
    from helpers.postman import write_postman
    from tools.series import postman_lines

    monkeypatch.setenv("TUTORIAL_RUNS_DIR", str(tmp_path))
    assert postman_lines("local") == []  # 06 has not run
    write_postman({"api_url": "http://x", "username": "misi", "password": "pw"}, "local")
    lines = postman_lines("local")
    folder = tmp_path / "local" / "postman"
    assert f"{folder}/simple-api.postman_collection.json" in lines[1]
    assert f"-e {folder}/simple-api-local.postman_environment.json" in lines[1]
    assert all("pw" not in line for line in lines)
