"""helpers.postman: the v2.1 collection of the six scenarios (and 08's two machine requests, and
09's sign-in through POST /auth), the
environment with a secret password (and client secret), and the files written 0600 under
``runs/`` with nothing secret shown."""

from __future__ import annotations

import json
import re
import shutil
import stat
import subprocess

import pytest

from helpers.postman import (
    MACHINE_SCENARIOS,
    POST_AUTH_SCENARIOS,
    SCENARIOS,
    SCHEMA,
    USER_SCENARIOS,
    collection,
    environment,
    scenarios,
    scenarios_table,
    write_postman,
)

NAMES = [
    "GET /hello without a token",
    "GET /auth without parameters",
    "GET /auth with username and password",
    "GET /hello with the ID token",
    "GET /hello with the access token",
    "GET /hello with a forged ID token",
]
CODES = [401, 400, 200, 200, 401, 401]
MACHINE_NAMES = [
    "POST the token endpoint with client credentials",
    "GET /reports with the machine token",
]
CLIENT_SECRET = "s3cr3t-of-the-machine-client-0123456789abcdef"
MACHINE = {
    "token_url": "http://127.0.0.1:4566/_cognito/simple-api-123456789012/oauth2/token",
    "client_id": "machine123",
    "client_secret": CLIENT_SECRET,
    "scope": "simple-api/reports.read",
}
PASSWORD = "Xy7-kq_P.9!zRt#2%Lm="
STACK = {
    "api_url": "http://127.0.0.1:4566/restapis/abc123/dev/_user_request_",
    "username": "misi",
    "password": PASSWORD,
}
COLLECTION_FILE = "simple-api.postman_collection.json"
ENVIRONMENT_FILE = "simple-api-local.postman_environment.json"


def items() -> dict[str, dict]:
    return {item["name"]: item for item in collection()["item"]}


def script(item: dict, listen: str) -> list[str]:
    events = [e for e in item["event"] if e["listen"] == listen]
    assert len(events) == 1, item["event"]
    assert events[0]["script"]["type"] == "text/javascript"
    return events[0]["script"]["exec"]


def header(item: dict) -> dict[str, str]:
    return {h["key"]: h["value"] for h in item["request"]["header"]}


# --- the collection -------------------------------------------------------------------------


def test_the_collection_is_v2_1_with_a_name():
    doc = collection()
    assert doc["info"]["schema"] == SCHEMA
    assert SCHEMA == "https://schema.getpostman.com/json/collection/v2.1.0/collection.json"
    assert doc["info"]["name"] == "simple-api"
    assert doc["info"]["_postman_id"]


def test_the_collection_holds_the_six_scenarios_in_order():
    assert [item["name"] for item in collection()["item"]] == NAMES
    assert [s.name for s in USER_SCENARIOS] == NAMES
    assert scenarios(machine=True, post_auth=True) == SCENARIOS


@pytest.mark.parametrize("name,code", list(zip(NAMES, CODES, strict=True)))
def test_every_request_tests_its_status_and_its_body(name, code):
    lines = script(items()[name], "test")
    status = [line for line in lines if "pm.response.to.have.status" in line]
    assert len(status) == 1
    assert status[0].startswith("pm.test(")
    assert f"have.status({code})" in status[0]
    assert f"status is {code}" in status[0]
    others = [line for line in lines if line.startswith("pm.test(") and line not in status]
    assert others, lines


@pytest.mark.parametrize("name", NAMES)
def test_every_request_is_a_get_on_the_api_url(name):
    request = items()[name]["request"]
    assert request["method"] == "GET"
    url = request["url"]
    assert url["host"] == ["{{api_url}}"]
    assert url["raw"].startswith("{{api_url}}/")
    assert url["raw"].split("?")[0] == "{{api_url}}/" + "/".join(url["path"])
    expected_path = name.split()[1].lstrip("/")
    assert url["path"] == [expected_path]


def test_the_unauthorized_answers_are_checked_exactly():
    for name in (NAMES[0], NAMES[4], NAMES[5]):
        body = "\n".join(script(items()[name], "test"))
        assert '{"message": "Unauthorized"}' in body


def test_the_validator_message_is_checked_exactly():
    body = "\n".join(script(items()[NAMES[1]], "test"))
    assert "Missing required request parameters: [password, username]" in body


def test_the_login_stores_both_tokens():
    lines = script(items()[NAMES[2]], "test")
    assert 'pm.environment.set("id_token", tokens.IdToken);' in lines
    assert 'pm.environment.set("access_token", tokens.AccessToken);' in lines


def test_the_login_percent_encodes_the_password_before_sending_it():
    item = items()[NAMES[2]]
    assert [e["listen"] for e in item["event"]] == ["prerequest", "test"]
    prerequest = "\n".join(script(item, "prerequest"))
    assert "encodeURIComponent" in prerequest
    assert "password_in_url" in prerequest
    assert 'pm.environment.get("password")' in prerequest
    url = item["request"]["url"]
    assert url["query"] == [
        {"key": "username", "value": "{{username}}"},
        {"key": "password", "value": "{{password_in_url}}"},
    ]
    assert url["raw"] == "{{api_url}}/auth?username={{username}}&password={{password_in_url}}"
    assert header(item) == {}


def test_only_the_login_has_a_query_and_a_prerequest_besides_the_forgery():
    for name in (NAMES[0], NAMES[1], NAMES[3], NAMES[4]):
        item = items()[name]
        assert [e["listen"] for e in item["event"]] == ["test"]
        assert "query" not in item["request"]["url"]
        assert "?" not in item["request"]["url"]["raw"]


def test_the_hello_requests_send_the_stored_tokens():
    assert header(items()[NAMES[0]]) == {}
    assert header(items()[NAMES[3]]) == {"Authorization": "{{id_token}}"}
    assert header(items()[NAMES[4]]) == {"Authorization": "{{access_token}}"}
    assert header(items()[NAMES[5]]) == {"Authorization": "{{forged_token}}"}


def test_the_forgery_changes_the_end_of_the_stored_id_tokens_signature():
    item = items()[NAMES[5]]
    assert [e["listen"] for e in item["event"]] == ["prerequest", "test"]
    assert "query" not in item["request"]["url"]
    prerequest = "\n".join(script(item, "prerequest"))
    assert 'pm.environment.get("id_token")' in prerequest
    assert 'pm.variables.set("forged_token", idToken.slice(0, -4) + tail);' in prerequest


def test_the_id_token_request_checks_the_greeting_and_the_claims():
    body = "\n".join(script(items()[NAMES[3]], "test"))
    assert 'pm.environment.get("username")' in body
    assert 'token_use).to.eql("id")' in body


def test_the_collection_is_deterministic():
    assert collection() == collection()
    assert json.dumps(collection()) == json.dumps(collection())


def test_the_collection_holds_no_secret_and_no_address():
    text = json.dumps(collection())
    for value in STACK.values():
        assert value not in text
    assert "127.0.0.1" not in text
    assert "eyJ" not in text
    # every variable it uses comes from the environment or is set by the scripts
    used = set(re.findall(r"\{\{(\w+)\}\}", text))
    assert used == {
        "api_url",
        "username",
        "password_in_url",
        "id_token",
        "access_token",
        "forged_token",
    }


# --- the environment ------------------------------------------------------------------------


def test_the_environment_holds_the_stack_with_a_secret_password():
    doc = environment(STACK, "local")
    assert doc["name"] == "simple-api (local)"
    assert doc["_postman_variable_scope"] == "environment"
    values = {v["key"]: v for v in doc["values"]}
    assert list(values) == ["api_url", "username", "password", "id_token", "access_token"]
    assert values["api_url"]["value"] == STACK["api_url"]
    assert values["api_url"]["type"] == "default"
    assert values["username"]["value"] == "misi"
    assert values["username"]["type"] == "default"
    assert values["password"]["value"] == PASSWORD
    assert values["password"]["type"] == "secret"
    for token in ("id_token", "access_token"):
        assert values[token] == {"key": token, "value": "", "type": "secret", "enabled": True}
    assert all(v["enabled"] is True for v in doc["values"])


def test_the_environment_id_depends_on_the_target_only():
    local, aws = environment(STACK, "local"), environment(STACK, "aws")
    assert local["id"] == environment({**STACK, "password": "other"}, "local")["id"]
    assert local["id"] != aws["id"]
    assert aws["name"] == "simple-api (aws)"


# --- the files ------------------------------------------------------------------------------


@pytest.fixture
def runs(tmp_path, monkeypatch):
    monkeypatch.setenv("TUTORIAL_RUNS_DIR", str(tmp_path))
    return tmp_path


def test_write_postman_writes_both_files_0600(runs):
    write_postman(STACK, "local")
    folder = runs / "local" / "postman"
    assert sorted(p.name for p in folder.iterdir()) == sorted([COLLECTION_FILE, ENVIRONMENT_FILE])
    for name in (COLLECTION_FILE, ENVIRONMENT_FILE):
        assert stat.S_IMODE((folder / name).stat().st_mode) == 0o600
    assert json.loads((folder / COLLECTION_FILE).read_text()) == collection()
    assert json.loads((folder / ENVIRONMENT_FILE).read_text()) == environment(STACK, "local")


def test_write_postman_shows_relative_paths_and_no_secret(runs):
    table = write_postman(STACK, "local")
    assert [row[0] for row in table.rows] == [
        f"runs/local/postman/{COLLECTION_FILE}",
        f"runs/local/postman/{ENVIRONMENT_FILE}",
    ]
    shown = repr(table) + table._repr_markdown_() + json.dumps(table.rows)
    assert PASSWORD not in shown
    assert str(runs) not in shown
    assert "runs/local/postman/" in repr(table)
    assert "6 requests" in repr(table)


def test_write_postman_twice_overwrites(runs):
    write_postman(STACK, "local")
    path = runs / "local" / "postman" / ENVIRONMENT_FILE
    path.chmod(0o644)
    write_postman({**STACK, "password": "Another-Pw.1234567890"}, "local")
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    doc = json.loads(path.read_text())
    assert {v["key"]: v["value"] for v in doc["values"]}["password"] == "Another-Pw.1234567890"
    assert PASSWORD not in path.read_text()
    assert len(list(path.parent.iterdir())) == 2


def test_write_postman_keeps_targets_apart(runs):
    write_postman(STACK, "local")
    write_postman(STACK, "aws")
    assert (runs / "aws" / "postman" / "simple-api-aws.postman_environment.json").exists()
    assert (runs / "local" / "postman" / ENVIRONMENT_FILE).exists()


# --- the table of scenarios -----------------------------------------------------------------


def test_scenarios_table_lists_the_requests_and_their_codes():
    table = scenarios_table()
    assert table.headers == ["request", "expects"]
    assert table.rows == [[name, str(code)] for name, code in zip(NAMES, CODES, strict=True)]
    assert [row[1] for row in table.rows] == ["401", "400", "200", "200", "401", "401"]


# --- the scripts are valid JavaScript -------------------------------------------------------


def test_every_script_is_valid_javascript(tmp_path):
    node = shutil.which("node")
    if node is None:
        pytest.skip("node is not installed")
    checked = 0
    every = {
        item["name"]: item
        for doc in (collection(machine=True), collection(machine=True, post_auth=True))
        for item in doc["item"]
    }
    for index, item in enumerate(every.values()):
        for event in item["event"]:
            source = "\n".join(event["script"]["exec"])
            path = tmp_path / f"{index}-{event['listen']}.js"
            path.write_text(f"(function(pm){{\n{source}\n}})\n")
            result = subprocess.run(
                [node, "--check", str(path)], capture_output=True, text=True, timeout=30
            )
            assert result.returncode == 0, (item["name"], event["listen"], result.stderr)
            checked += 1
    # a test script each, the two logins' and the forgery's prerequest
    assert checked == len(NAMES) + len(MACHINE_NAMES) + len(POST_AUTH_SCENARIOS) + 3


# --- 08's machine requests ------------------------------------------------------------------


def machine_items() -> dict[str, dict]:
    return {item["name"]: item for item in collection(machine=True)["item"]}


def test_the_machine_collection_adds_two_requests_after_the_six():
    assert [item["name"] for item in collection(machine=True)["item"]] == NAMES + MACHINE_NAMES
    assert collection(machine=True)["info"] == collection()["info"]
    assert [s.name for s in MACHINE_SCENARIOS] == MACHINE_NAMES


def test_the_token_request_posts_client_credentials_as_a_form_to_the_token_url():
    item = machine_items()[MACHINE_NAMES[0]]
    request = item["request"]
    assert request["method"] == "POST"
    # no "path": an empty one makes Postman send the URL with a trailing slash
    assert request["url"] == {"raw": "{{token_url}}", "host": ["{{token_url}}"]}
    assert header(item) == {"Content-Type": "application/x-www-form-urlencoded"}
    assert request["body"]["mode"] == "urlencoded"
    form = {f["key"]: f["value"] for f in request["body"]["urlencoded"]}
    assert form == {
        "grant_type": "client_credentials",
        "client_id": "{{machine_client_id}}",
        "client_secret": "{{machine_client_secret}}",
        "scope": "{{reports_scope}}",
    }
    lines = script(item, "test")
    assert "have.status(200)" in lines[0]
    assert 'pm.environment.set("machine_token", answer.access_token);' in lines


def test_reports_is_read_with_the_stored_machine_token():
    item = machine_items()[MACHINE_NAMES[1]]
    assert item["request"]["method"] == "GET"
    assert item["request"]["url"]["raw"] == "{{api_url}}/reports"
    assert item["request"]["url"]["path"] == ["reports"]
    assert header(item) == {"Authorization": "Bearer {{machine_token}}"}
    body = "\n".join(script(item, "test"))
    assert "have.status(200)" in body and 'pm.environment.get("reports_scope")' in body


def test_the_machine_collection_holds_no_secret():
    text = json.dumps(collection(machine=True))
    for value in (*STACK.values(), *MACHINE.values()):
        assert value not in text


def test_the_machine_environment_keeps_the_client_secret_secret():
    doc = environment(STACK, "local", MACHINE)
    values = {v["key"]: v for v in doc["values"]}
    assert list(values)[:5] == ["api_url", "username", "password", "id_token", "access_token"]
    assert values["token_url"]["value"] == MACHINE["token_url"]
    assert values["machine_client_id"]["value"] == "machine123"
    assert values["machine_client_secret"] == {
        "key": "machine_client_secret",
        "value": CLIENT_SECRET,
        "type": "secret",
        "enabled": True,
    }
    assert values["reports_scope"]["value"] == "simple-api/reports.read"
    assert values["machine_token"]["type"] == "secret" and values["machine_token"]["value"] == ""
    used = set(re.findall(r"\{\{(\w+)\}\}", json.dumps(collection(machine=True))))
    set_by_scripts = {"password_in_url", "id_token", "access_token", "forged_token"}
    assert used - set_by_scripts <= set(values)


def test_write_postman_with_the_machine_client_shows_eight_requests_and_no_secret(runs):
    table = write_postman(STACK, "local", MACHINE)
    folder = runs / "local" / "postman"
    assert json.loads((folder / COLLECTION_FILE).read_text()) == collection(machine=True)
    assert json.loads((folder / ENVIRONMENT_FILE).read_text()) == environment(
        STACK, "local", MACHINE
    )
    shown = repr(table) + table._repr_markdown_()
    assert "8 requests" in shown and "machine_client_secret (secret)" in shown
    assert CLIENT_SECRET not in shown and PASSWORD not in shown
    # 07 run again afterwards writes its six requests back
    write_postman(STACK, "local")
    assert json.loads((folder / COLLECTION_FILE).read_text()) == collection()


def test_scenarios_table_with_the_machine_requests():
    rows = scenarios_table(machine=True).rows
    assert rows[-2:] == [[MACHINE_NAMES[0], "200"], [MACHINE_NAMES[1], "200"]]
    assert rows[:-2] == scenarios_table().rows


# --- 09's sign-in through POST /auth ---------------------------------------------------------

POST_NAMES = ["POST /auth without a password", "POST /auth with username and password"]


def post_items() -> dict[str, dict]:
    return {item["name"]: item for item in collection(machine=True, post_auth=True)["item"]}


def test_the_post_auth_collection_signs_in_with_post_in_place_of_get():
    names = [item["name"] for item in collection(machine=True, post_auth=True)["item"]]
    assert names == NAMES[:2] + POST_NAMES + NAMES[3:] + MACHINE_NAMES
    assert [s.name for s in POST_AUTH_SCENARIOS] == POST_NAMES
    assert [s.name for s in SCENARIOS] == names
    # no request sends the password in a URL any more
    for item in post_items().values():
        assert "password" not in item["request"]["url"]["raw"]


def test_the_post_sign_in_sends_a_json_body_built_by_json_stringify():
    item = post_items()[POST_NAMES[1]]
    request = item["request"]
    assert request["method"] == "POST"
    assert request["url"]["raw"] == "{{api_url}}/auth" and request["url"]["path"] == ["auth"]
    assert header(item) == {"Content-Type": "application/json"}
    assert request["body"] == {"mode": "raw", "raw": "{{sign_in_body}}"}
    prerequest = "\n".join(script(item, "prerequest"))
    assert "JSON.stringify" in prerequest and 'pm.environment.get("password")' in prerequest
    lines = script(item, "test")
    assert "have.status(200)" in lines[0]
    assert 'pm.environment.set("id_token", tokens.IdToken);' in lines


def test_a_body_without_the_password_expects_api_gateways_400():
    item = post_items()[POST_NAMES[0]]
    assert item["request"]["body"] == {"mode": "raw", "raw": '{"username": "{{username}}"}'}
    body = "\n".join(script(item, "test"))
    assert "have.status(400)" in body
    assert '{"message": "Invalid request body"}' in body


def test_the_post_auth_collection_holds_no_secret():
    text = json.dumps(collection(machine=True, post_auth=True))
    for value in (*STACK.values(), *MACHINE.values()):
        assert value not in text


def test_write_postman_with_post_auth_shows_nine_requests(runs):
    table = write_postman(STACK, "local", MACHINE, post_auth=True)
    folder = runs / "local" / "postman"
    assert json.loads((folder / COLLECTION_FILE).read_text()) == collection(True, True)
    assert "9 requests" in repr(table) and PASSWORD not in repr(table)
    rows = scenarios_table(machine=True, post_auth=True).rows
    assert rows[2:4] == [[POST_NAMES[0], "400"], [POST_NAMES[1], "200"]]
