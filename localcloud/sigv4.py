"""Signature Version 4, as AWS checks it at the door (docs/aws-behavior.md#requests-and-signatures).

A call that needs a signature must carry a well-formed ``Authorization: AWS4-HMAC-SHA256`` header
whose credential scope names the service the request is for and a region, and whose date is
within AWS's allowed skew. The signature itself is verified for credentials the local cloud
issued (assumed roles: it knows their secrets), with botocore's own signer; any other key is
taken as the learner's own, unverified, as before.
"""

from __future__ import annotations

import hmac
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials as BotoCredentials

ALGORITHM = "AWS4-HMAC-SHA256"
#: how far a request's date may be from the server's clock
SKEW = timedelta(minutes=5)
_REGION = re.compile(r"^[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-\d{1,2}$")
_DATE = "%Y%m%dT%H%M%SZ"


@dataclass(frozen=True)
class Refusal:
    """Why the door refuses a call: the error code (JSON protocol name) and AWS's message."""

    code: str
    message: str


@dataclass(frozen=True)
class Authorization:
    access_key: str
    date: str  # the scope's date, YYYYMMDD
    region: str
    service: str
    signed_headers: tuple[str, ...]
    signature: str


@dataclass(frozen=True)
class IssuedSecret:
    """What the local cloud knows of credentials it issued."""

    secret_access_key: str
    session_token: str
    expiration_epoch: float


def _incomplete(header: str, missing: list[str]) -> Refusal:
    return Refusal(
        "IncompleteSignatureException",
        " ".join(missing) + f" Authorization={header}",
    )


def parse(header: str, has_date: bool) -> Authorization | Refusal:
    """The parts of an ``Authorization`` header, or why it is incomplete."""
    algorithm, _, rest = header.strip().partition(" ")
    if algorithm != ALGORITHM:
        return Refusal(
            "IncompleteSignatureException",
            f"Unsupported AWS 'algorithm': '{algorithm}'",
        )
    fields: dict[str, str] = {}
    for part in rest.split(","):
        name, _, value = part.strip().partition("=")
        if name:
            fields[name] = value
    missing = [
        f"Authorization header requires '{name}' parameter."
        for name in ("Credential", "Signature", "SignedHeaders")
        if not fields.get(name)
    ]
    if not has_date:
        missing.append(
            "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header."
        )
    if missing:
        return _incomplete(header, missing)
    scope = fields["Credential"].split("/")
    if len(scope) != 5 or scope[4] != "aws4_request" or not all(scope):
        return Refusal(
            "IncompleteSignatureException",
            f"Credential must have exactly 5 slash-delimited elements, e.g. keyid/date/region/"
            f"service/term, got '{fields['Credential']}'",
        )
    return Authorization(
        access_key=scope[0],
        date=scope[1],
        region=scope[2],
        service=scope[3],
        signed_headers=tuple(fields["SignedHeaders"].split(";")),
        signature=fields["Signature"],
    )


def _request_time(amz_date: str | None) -> datetime | None:
    try:
        return datetime.strptime(amz_date or "", _DATE).replace(tzinfo=UTC)
    except ValueError:
        return None


def check_scope(
    auth: Authorization, service: str, amz_date: str | None, now: datetime
) -> Refusal | None:
    """The scope must name ``service`` and a region, and the date must be close to now."""
    if auth.service != service:
        return Refusal(
            "InvalidSignatureException",
            f"Credential should be scoped to correct service: '{service}'. ",
        )
    if not _REGION.match(auth.region):
        return Refusal(
            "InvalidSignatureException",
            f"Credential should be scoped to a valid region, not '{auth.region}'. ",
        )
    when = _request_time(amz_date)
    if when is None:
        return Refusal(
            "IncompleteSignatureException",
            f"Date must be in ISO-8601 'basic format'. Got '{amz_date}'. See "
            "http://en.wikipedia.org/wiki/ISO_8601",
        )
    if auth.date != when.strftime("%Y%m%d"):
        return Refusal(
            "InvalidSignatureException",
            f"Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date "
            f"from HTTP: '{auth.date}' != '{when.strftime('%Y%m%d')}', from '{amz_date}'.",
        )
    stamp = now.strftime(_DATE)
    if when < now - SKEW:
        return Refusal(
            "InvalidSignatureException",
            f"Signature expired: {amz_date} is now earlier than "
            f"{(now - SKEW).strftime(_DATE)} ({stamp} - 5 min.)",
        )
    if when > now + SKEW:
        return Refusal(
            "InvalidSignatureException",
            f"Signature not yet current: {amz_date} is still later than "
            f"{(now + SKEW).strftime(_DATE)} ({stamp} + 5 min.)",
        )
    return None


def expected_signature(
    auth: Authorization,
    secret: str,
    method: str,
    raw_uri: str,
    headers: Mapping[str, str],
    body: bytes,
    amz_date: str,
) -> str:
    """The signature botocore computes for the request as the client sent it (its raw path and
    query string, the headers it signed, its body)."""
    signed = {name: headers.get(name, "") for name in auth.signed_headers}
    request = AWSRequest(method=method, url=f"http://{signed.get('host', 'localhost')}{raw_uri}",
                         data=body, headers=signed)  # fmt: skip
    request.context["timestamp"] = amz_date
    signer = SigV4Auth(BotoCredentials(auth.access_key, secret), auth.service, auth.region)
    string_to_sign = signer.string_to_sign(request, signer.canonical_request(request))
    return signer.signature(string_to_sign, request)


def verify_issued(
    auth: Authorization,
    issued: IssuedSecret,
    method: str,
    raw_uri: str,
    headers: Mapping[str, str],
    body: bytes,
    amz_date: str,
    now: datetime,
) -> Refusal | None:
    """Check a call signed with credentials the local cloud issued."""
    if headers.get("x-amz-security-token") != issued.session_token:
        return Refusal(
            "UnrecognizedClientException", "The security token included in the request is invalid."
        )
    if issued.expiration_epoch <= now.timestamp():
        return Refusal(
            "ExpiredTokenException", "The security token included in the request is expired"
        )
    expected = expected_signature(auth, issued.secret_access_key, method, raw_uri, headers, body,
                                  amz_date)  # fmt: skip
    if not hmac.compare_digest(expected, auth.signature):
        return Refusal(
            "InvalidSignatureException",
            "The request signature we calculated does not match the signature you provided. "
            "Check your AWS Secret Access Key and signing method. Consult the service "
            "documentation for details.",
        )
    return None


def check(
    header: str | None,
    service: str,
    method: str,
    raw_uri: str,
    headers: Mapping[str, str],
    body: bytes,
    issued: Callable[[str], IssuedSecret | None],
    now: datetime | None = None,
) -> tuple[Authorization | None, Refusal | None]:
    """(the parsed authorization, None) for a call AWS would accept, else (…, the refusal).
    ``headers`` have lower-case names; ``issued`` looks up credentials the local cloud issued."""
    now = now or datetime.now(UTC)
    if not header:
        return None, Refusal(
            "MissingAuthenticationTokenException", "Request is missing Authentication Token"
        )
    amz_date = headers.get("x-amz-date")
    parsed = parse(header, has_date=bool(amz_date or headers.get("date")))
    if isinstance(parsed, Refusal):
        return None, parsed
    refusal = check_scope(parsed, service, amz_date, now)
    if refusal is None:
        secret = issued(parsed.access_key)
        if secret is not None:
            refusal = verify_issued(parsed, secret, method, raw_uri, headers, body, amz_date or "",
                                    now)  # fmt: skip
    return parsed, refusal
