"""tools.leaks: whole tokens, access keys, secret keys, machine paths and passwords are found;
what the notebooks may show (redacted tokens, log groups, stage paths, ARNs) is not."""

from __future__ import annotations

import hashlib
import json

import jwt
import pytest

from helpers.cognito import PASSWORD_ALPHABET, PASSWORD_LENGTH, generate_password
from helpers.display import JWT_PATTERN as JWT
from tools.leaks import (
    ABSOLUTE_PATH,
    ACCESS_KEY_ID,
    SECRET_KEY,
    find_leaks,
    fingerprint,
)

KEY = "k" * 32  # PyJWT warns about shorter HMAC keys
HIDDEN = "‹hidden›"


def make_token() -> str:
    return jwt.encode(
        {"sub": "5f0c1e3a-1111-2222-3333-444455556666", "token_use": "id"},
        KEY,
        algorithm="HS256",
    )


def assert_not_shown(secret: str, found: list[str]) -> None:
    assert all(secret not in message for message in found), found


# --- whole tokens ---------------------------------------------------------------------------


def test_a_whole_jwt_is_found_and_not_repeated_whole():
    token = make_token()
    assert len(token.split(".")[2]) >= 16
    text = json.dumps({"IdToken": token, "TokenType": "Bearer"})
    found = find_leaks(text)
    assert len(found) == 1
    assert "JWT" in found[0]
    assert_not_shown(token, found)
    assert_not_shown(token.split(".")[2], found)


def test_a_jwt_in_an_authorization_header_is_found():
    token = make_token()
    assert JWT.search(f"Authorization: Bearer {token}")
    assert len(find_leaks(f"Authorization: Bearer {token}\n")) == 1


def test_a_redacted_token_is_not_found():
    assert find_leaks(json.dumps({"IdToken": HIDDEN, "AccessToken": HIDDEN})) == []


def test_a_token_without_its_signature_is_not_found():
    header, payload, _signature = make_token().split(".")
    assert find_leaks(f"{header}.{payload}.") == []
    assert find_leaks(f"{header}.{payload}") == []
    assert find_leaks(f"{header}.{payload}.{HIDDEN}") == []


def test_a_token_with_a_short_signature_is_not_found():
    header, payload, signature = make_token().split(".")
    assert find_leaks(f"{header}.{payload}.{signature[:15]}") == []
    assert find_leaks(f"{header}.{payload}.{signature[:16]}") != []


# --- access keys ----------------------------------------------------------------------------


@pytest.mark.parametrize("key_id", ["AKIAIOSFODNN7EXAMPLE", "ASIAY34FZKBOKMUTVV7A"])
def test_an_access_key_id_is_found(key_id):
    assert len(key_id) == 20
    found = find_leaks(json.dumps({"AccessKeyId": key_id}))
    assert len(found) == 1
    assert "access key ID" in found[0]
    assert_not_shown(key_id, found)


def test_an_access_key_id_alone_on_a_line_is_found():
    assert ACCESS_KEY_ID.findall("aws_access_key_id = AKIAIOSFODNN7EXAMPLE\n") == [
        "AKIAIOSFODNN7EXAMPLE"
    ]


@pytest.mark.parametrize(
    "text",
    [
        "XAKIAIOSFODNN7EXAMPLE",  # preceded by an uppercase letter
        "AKIAIOSFODNN7EXAMPLEX",  # followed by one: 21 characters
        "9AKIAIOSFODNN7EXAMPLE",
        "AKIAIOSFODNN7EXAMPLE0",
        "THISISAKIAIOSFODNN7EXAMPLEWORD",
        "AKIAIOSFODNN7EXAMPL",  # 19 characters
        "akiaiosfodnn7example",  # lowercase
    ],
)
def test_a_key_id_inside_a_longer_word_is_not_found(text):
    assert ACCESS_KEY_ID.search(text) is None
    assert find_leaks(text) == []


# --- secret access keys -----------------------------------------------------------------------

SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"


@pytest.mark.parametrize(
    "text",
    [
        f"aws_secret_access_key = {SECRET}",
        f"aws_secret_access_key={SECRET}",
        json.dumps({"SecretAccessKey": SECRET}),
        json.dumps({"secret_key": SECRET}),
        f"AWS_SECRET_ACCESS_KEY: '{SECRET}'",
    ],
)
def test_a_secret_access_key_is_found_by_name(text):
    assert SECRET_KEY.search(text)
    found = find_leaks(text)
    assert len(found) == 1
    assert "secret access key" in found[0]
    assert_not_shown(SECRET, found)


def test_a_secret_key_without_its_name_or_redacted_is_not_found():
    assert find_leaks(json.dumps({"SecretAccessKey": HIDDEN})) == []
    assert find_leaks(json.dumps({"secret_key": "short"})) == []
    assert SECRET_KEY.search(json.dumps({"SomethingElse": SECRET})) is None


# --- absolute paths -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "path",
    [
        "/home/x/y",
        "/root/.aws/credentials",
        "/tmp/abc",
        "/Users/alice/cognito-api-kit",
        "/private/var/folders/xy/T/record-1",
        "/var/folders/xy/T/record-1",
        "/work/main/notebooks",
        "file:///home/x/y/notebook.ipynb",
        "file:///C:/Users/alice/kit",
    ],
)
def test_an_absolute_path_is_found(path):
    for text in (path, json.dumps({"path": path}), f"see {path} for details", f"'{path}'"):
        found = find_leaks(text)
        assert len(found) == 1, (text, found)
        assert found[0].startswith("an absolute path")


def test_a_windows_path_as_a_notebook_file_holds_it_is_found():
    source = json.dumps({"text": "C:\\Users\\alice\\kit"})
    assert "C:\\\\Users\\\\alice" in source  # two backslashes, as in the .ipynb file
    found = find_leaks(source)
    assert len(found) == 1
    assert found[0].startswith("an absolute path (C:\\\\Users")


@pytest.mark.parametrize(
    "text",
    [
        "file://trust-policy.json",  # the AWS CLI's relative file URL
        "aws iam create-role --assume-role-policy-document file://trust-policy.json",
        "/aws/lambda/simple-api-hello",
        "/restapis/abc/dev/_user_request_/hello",
        "arn:aws:iam::123456789012:role/simple-api-Role",
        "http://127.0.0.1:4566/restapis/x",
        "http://127.0.0.1:4566/restapis/abc/dev/_user_request_/hello",
        "https://example.com/home/page",  # a URL path, not a file
        "~/tmp/notes",  # relative to home, not this machine's
        "./tmp/out",
        "runs/local/postman/simple-api.postman_collection.json",
    ],
)
def test_what_the_notebooks_may_show_is_not_an_absolute_path(text):
    assert ABSOLUTE_PATH.search(text) is None
    assert find_leaks(text) == []
    assert find_leaks(json.dumps({"value": text})) == []


def test_absolute_paths_false_skips_the_paths():
    assert find_leaks("/home/x/y", absolute_paths=False) == []
    token = make_token()
    assert len(find_leaks(f"/tmp/abc {token}", absolute_paths=False)) == 1


def test_given_paths_are_found_as_substrings():
    folder = "/srv/checkouts/kit"
    text = json.dumps({"cwd": f"{folder}/notebooks"})
    found = find_leaks(text, paths=[folder], absolute_paths=False)
    assert found == [f"this machine's path {folder}"]
    assert find_leaks("nothing here", paths=[folder], absolute_paths=False) == []


def test_given_paths_accept_path_objects_and_ignore_empty_ones(tmp_path):
    text = f"wrote {tmp_path}/x.json"
    assert find_leaks(text, paths=[tmp_path], absolute_paths=False) == [
        f"this machine's path {tmp_path}"
    ]
    assert find_leaks(text, paths=[""], absolute_paths=False) == []


# --- passwords ------------------------------------------------------------------------------


def test_a_given_password_is_found_verbatim_and_not_shown():
    password = generate_password()
    found = find_leaks(f'{{"password": "{password}"}}', passwords=[password])
    assert len(found) == 1
    assert found[0].startswith("the password")
    assert_not_shown(password, found)


def test_an_empty_password_is_ignored():
    assert find_leaks("anything", passwords=[""]) == []


def test_a_different_password_is_not_found():
    assert find_leaks(generate_password(), passwords=[generate_password()]) == []


def test_a_fingerprinted_password_is_found_in_json():
    password = generate_password()
    assert len(password) == PASSWORD_LENGTH
    text = f'{{"username": "misi", "password": "{password}"}}'
    found = find_leaks(text, fingerprints=[fingerprint(password)])
    assert len(found) == 1
    assert found[0].startswith("the recorded password")
    assert_not_shown(password, found)


def test_a_fingerprinted_password_is_found_inside_a_query_string():
    password = generate_password()
    text = f"GET /auth?username=misi&password={password}&x=1"
    # "password=" is made of password characters too: the run is longer than the password
    run = f"password={password}"
    assert set(run) <= set(PASSWORD_ALPHABET)
    found = find_leaks(text, fingerprints=[fingerprint(password)], absolute_paths=False)
    assert len(found) == 1
    assert found[0].startswith("the recorded password")
    assert_not_shown(password, found)


@pytest.mark.parametrize("before,after", [("", ""), ("ab", ""), ("", "yz"), ("a-b.c", "x=y:z")])
def test_a_fingerprinted_password_is_found_anywhere_in_a_longer_run(before, after):
    password = generate_password()
    text = f"<{before}{password}{after}>"
    assert find_leaks(text, fingerprints=[fingerprint(password)]) != []


def test_a_fingerprinted_password_at_the_very_start_and_end_is_found():
    password = generate_password()
    assert find_leaks(password, fingerprints=[fingerprint(password)]) != []


def test_a_different_password_does_not_match_the_fingerprint():
    password, other = generate_password(), generate_password()
    assert password != other
    text = f'{{"password": "{other}"}} password={other}&x'
    assert find_leaks(text, fingerprints=[fingerprint(password)]) == []


def test_a_shortened_password_does_not_match_the_fingerprint():
    password = generate_password()
    text = f'"password": "{password[:-1]}"'
    assert find_leaks(text, fingerprints=[fingerprint(password)]) == []


def test_two_fingerprints_of_a_password_differ_but_both_match():
    password = generate_password()
    first, second = fingerprint(password), fingerprint(password)
    assert first["salt"] != second["salt"]
    assert first["sha256"] != second["sha256"]
    text = f'"password": "{password}"'
    assert len(find_leaks(text, fingerprints=[first])) == 1
    assert len(find_leaks(text, fingerprints=[second])) == 1


def test_a_fingerprint_keeps_no_password():
    password = generate_password()
    doc = fingerprint(password)
    assert set(doc) == {"salt", "sha256"}
    assert password not in json.dumps(doc)


def test_a_fixed_salt_gives_a_fixed_digest():
    password, salt = "Xy7-kq_P.9!zRt#2%Lm=", "00112233445566778899aabbccddeeff"
    digest = hashlib.sha256((salt + password).encode()).hexdigest()
    assert fingerprint(password, salt) == {"salt": salt, "sha256": digest}
    assert fingerprint(password, salt) == fingerprint(password, salt)
    assert fingerprint(password, "another salt")["sha256"] != digest
    assert find_leaks(f"password={password}", fingerprints=[fingerprint(password, salt)]) != []


def test_everything_found_at_once_and_nothing_shown_whole():
    password = generate_password()
    token = make_token()
    text = "\n".join(
        [
            f'"IdToken": "{token}"',
            '"AccessKeyId": "ASIAY34FZKBOKMUTVV7A"',
            f'"SecretAccessKey": "{SECRET}"',
            '"cwd": "/home/alice/kit"',
            f'"password": "{password}"',
        ]
    )
    found = find_leaks(text, passwords=[password], fingerprints=[fingerprint(password)])
    assert len(found) == 6, found
    for secret in (password, token, SECRET, "ASIAY34FZKBOKMUTVV7A"):
        assert_not_shown(secret, found)


def test_clean_text_has_no_leaks():
    text = json.dumps(
        {
            "api_url": "http://127.0.0.1:4566/restapis/abc123/dev/_user_request_",
            "IdToken": HIDDEN,
            "role": "arn:aws:iam::123456789012:role/simple-api-Role",
            "logGroup": "/aws/lambda/simple-api-hello",
        }
    )
    assert find_leaks(text, passwords=[generate_password()], fingerprints=[fingerprint("x")]) == []


def test_a_percent_encoded_password_is_found_too():
    from urllib.parse import quote

    password = "Ab1#%+=:,-_.!xyzQRS9"
    text = f"GET /auth?username=misi&password={quote(password, safe='')}"
    assert password not in text
    assert any("the password" in f for f in find_leaks(text, passwords=[password]))
    found = find_leaks(text, fingerprints=[fingerprint(password)])
    assert any("the recorded password" in f for f in found)
