"""The control plane's checks of what it is given, pure: deployment packages Lambda cannot unpack
(docs/aws-behavior.md#lambda) and policy documents the simulator refuses
(docs/aws-behavior.md#iam)."""

from __future__ import annotations

import io
import json
import zipfile

import pytest

from localcloud.control.awslambda import (
    NOT_A_ZIP,
    TOO_BIG_UNZIPPED,
    UNZIPPED_LIMIT,
    _zip_bytes,
    zip_problem,
)
from localcloud.control.iam import is_policy_document, simulate


def a_zip(files: dict[str, bytes], compression: int = zipfile.ZIP_DEFLATED) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression) as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    return buf.getvalue()


GOOD = a_zip({"handler.py": b"def handler(event, context):\n    return 1\n"})


def test_a_good_zip_is_accepted():
    assert zip_problem(GOOD) is None
    assert zip_problem(a_zip({})) is None  # an empty archive is still a zip


@pytest.mark.parametrize(
    "data",
    [b"", b"not a zip at all", GOOD[: len(GOOD) // 2], b"PK\x03\x04" + b"\x00" * 40],
    ids=["empty", "text", "truncated", "bare-header"],
)
def test_what_is_not_a_zip_is_refused(data):
    assert zip_problem(data) == NOT_A_ZIP


def test_a_member_whose_bytes_were_damaged_is_refused():
    data = bytearray(a_zip({"handler.py": b"x" * 1000}, zipfile.ZIP_STORED))
    data[data.index(b"x" * 10) + 5] ^= 0xFF  # the CRC no longer matches
    assert zip_problem(bytes(data)) == NOT_A_ZIP


def test_a_package_too_big_once_unzipped_is_refused_before_unpacking():
    buf = io.BytesIO()
    with (
        zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as archive,
        archive.open("zeros.bin", "w", force_zip64=True) as member,
    ):
        chunk = b"\0" * (1 << 20)
        for _ in range(UNZIPPED_LIMIT // len(chunk)):
            member.write(chunk)
    assert len(buf.getvalue()) < 1 << 20  # a small upload...
    assert zip_problem(buf.getvalue()) == TOO_BIG_UNZIPPED  # ...that unzips to 250 MB
    assert TOO_BIG_UNZIPPED == "Unzipped size must be smaller than 262144000 bytes"


def test_zip_file_arrives_as_base64():
    import base64

    assert _zip_bytes(base64.b64encode(GOOD).decode()) == GOOD
    assert _zip_bytes("not base64 !!") is None
    assert _zip_bytes(GOOD) == GOOD


# -- policy documents ------------------------------------------------------------------------

POLICY = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Action": ["s3:GetObject"], "Resource": "*"}],
}


@pytest.mark.parametrize(
    "document",
    [
        POLICY,
        {"Statement": {"Effect": "Deny", "NotAction": "iam:*", "NotResource": ["arn:x"]}},
        {"Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*", "Condition": {}}]},
    ],
)
def test_policy_shapes_that_are_accepted(document):
    assert is_policy_document(document)


@pytest.mark.parametrize(
    "document",
    [
        [1],
        "x",
        5,
        None,
        {},
        {"Statement": 5},
        {"Statement": []},
        {"Statement": [5]},
        {"Statement": [{"Action": "*", "Resource": "*"}]},
        {"Statement": [{"Effect": 1, "Action": "*", "Resource": "*"}]},
        {"Statement": [{"Effect": "Allow", "Action": 5, "Resource": "*"}]},
        {"Statement": [{"Effect": "Allow", "Action": ["a", 5], "Resource": "*"}]},
        {"Statement": [{"Effect": "Allow", "Action": "*", "Resource": {"a": 1}}]},
        {"Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*", "Condition": 5}]},
        {"Statement": [{"Effect": "Allow", "Action": "*", "Condition": {"StringLike": 5}}]},
        {"Version": 2012, "Statement": POLICY["Statement"]},
    ],
)
def test_policy_shapes_that_are_refused(document):
    assert not is_policy_document(document)


@pytest.mark.parametrize("text", ["[1]", '"x"', '{"Statement": 5}', "{", "null"])
def test_the_simulator_answers_malformed_policy_document(text):
    params = {
        "PolicyInputList.member.1": [text],
        "ActionNames.member.1": ["s3:GetObject"],
    }
    reply = simulate("SimulateCustomPolicy", params, "123456789012")
    assert reply.status == 400
    assert b"<Code>MalformedPolicyDocument</Code>" in reply.body
    assert b"<Message>Syntax errors in policy.</Message>" in reply.body
    assert b"<Type>Sender</Type>" in reply.body


def test_the_simulator_still_evaluates_a_good_policy():
    params = {
        "PolicyInputList.member.1": [json.dumps(POLICY)],
        "ActionNames.member.1": ["s3:GetObject"],
    }
    reply = simulate("SimulateCustomPolicy", params, "123456789012")
    assert reply.status == 200
    assert b"<EvalDecision>allowed</EvalDecision>" in reply.body
