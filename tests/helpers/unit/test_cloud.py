"""helpers.cloud: one-line errors for a wrong target, region or port, and no local cloud."""

from __future__ import annotations

import socket

import pytest

from helpers.cloud import Cloud, connect, local_endpoint, local_port
from helpers.errors import KitError
from helpers.outputs import Outputs


def free_port() -> int:
    """A port nothing listens on (bound, then released)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def one_line(err: pytest.ExceptionInfo) -> str:
    message = str(err.value)
    assert "\n" not in message
    return message


def test_unknown_target():
    with pytest.raises(KitError) as caught:
        connect("nope", "us-east-1")
    assert (
        one_line(caught) == "target must be 'local' or 'aws', not 'nope'; fix the parameters cell."
    )


@pytest.mark.parametrize("region", ["us-east", "US-EAST-1", "useast1", "", "us-east-1 ", None])
def test_bad_region(region):
    with pytest.raises(KitError) as caught:
        connect("aws", region)
    assert "is not an AWS region name such as 'us-east-1'" in one_line(caught)


@pytest.mark.parametrize("region", ["us-east-1", "eu-central-2", "us-gov-west-1", "ap-southeast-4"])
def test_real_region_names_pass(region, monkeypatch):
    monkeypatch.setenv("LOCALCLOUD_PORT", "abc")  # stop right after the region check
    with pytest.raises(KitError, match="LOCALCLOUD_PORT"):
        connect("local", region)


def test_no_local_cloud_says_make_up(monkeypatch):
    port = free_port()
    monkeypatch.setenv("LOCALCLOUD_PORT", str(port))
    with pytest.raises(KitError) as caught:
        connect("local", "us-east-1")
    message = one_line(caught)
    assert f"No local cloud answers at http://127.0.0.1:{port}" in message
    assert "`make up`" in message
    assert not Outputs.for_target("local").path.exists()  # nothing recorded


@pytest.mark.parametrize("raw", ["abc", "0", "65536", "-1", "45 66", ""])
def test_bad_localcloud_port(monkeypatch, raw):
    monkeypatch.setenv("LOCALCLOUD_PORT", raw)
    with pytest.raises(KitError) as caught:
        connect("local", "us-east-1")
    assert one_line(caught) == (
        f"LOCALCLOUD_PORT={raw!r} is not a port number; set it to one such as 4566."
    )


def test_default_port_is_4566(monkeypatch):
    monkeypatch.delenv("LOCALCLOUD_PORT", raising=False)
    assert local_port() == 4566
    assert local_endpoint() == "http://127.0.0.1:4566"
    assert local_endpoint(4567) == "http://127.0.0.1:4567"


def test_aws_with_a_missing_profile_is_a_kit_error(monkeypatch):
    monkeypatch.setenv("AWS_PROFILE", "no-such-profile-for-tests")
    with pytest.raises(KitError) as caught:
        connect("aws", "us-east-1")
    assert one_line(caught).startswith("boto3 could not load your AWS configuration: ")
    assert "no-such-profile-for-tests" in str(caught.value)


def test_aws_needs_no_network_to_connect_and_records_the_target():
    cloud = connect("aws", "eu-west-1")
    assert isinstance(cloud, Cloud)
    assert (cloud.target, cloud.region, cloud.endpoint_url) == ("aws", "eu-west-1", None)
    assert not cloud.is_local
    assert Outputs.for_target("aws").load() == {
        "target": "aws",
        "region": "eu-west-1",
        "endpoint_url": None,
    }
    assert cloud.client("lambda") is cloud.client("lambda")
    assert cloud.client("lambda").meta.region_name == "eu-west-1"
