"""What the notebooks show: tables, HTTP exchanges, token claims. Secrets never appear whole.

Passwords are never printed; a token is shown as its decoded claims (a table), never as the
token; times inside tokens are shown relative to the token's issue time, which is what a reader
wants to know ("expires 60 min after issue") and what stays the same from run to run.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import jwt
import requests

from helpers.retry import answer_until

#: a whole JSON Web Token: three base64url parts, the first two JSON objects, and a signature
#: of 16 characters or more (a real one has 43 or more); what :func:`redact` hides, and what
#: ``tools.leaks`` reports in an output that should have been redacted
JWT_PATTERN = re.compile(r"eyJ[A-Za-z0-9_-]{5,}\.eyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{16,}")
SECRET_KEYS = re.compile(r"(token|password|secret)$", re.IGNORECASE)
HIDDEN = "‹hidden›"


class Table:
    """A small table that renders as Markdown in JupyterLab and as aligned text elsewhere."""

    def __init__(self, headers: Sequence[str], rows: Iterable[Sequence[Any]]) -> None:
        self.headers = list(headers)
        self.rows = [[str(cell) for cell in row] for row in rows]

    def _repr_markdown_(self) -> str:
        def line(cells: Sequence[str]) -> str:
            return "| " + " | ".join(c.replace("|", "\\|") for c in cells) + " |"

        return "\n".join(
            [line(self.headers), line(["---"] * len(self.headers))] + [line(r) for r in self.rows]
        )

    def __repr__(self) -> str:
        widths = [
            max(len(str(cell)) for cell in column)
            for column in zip(self.headers, *self.rows, strict=False)
        ]
        lines = [self.headers, ["-" * w for w in widths], *self.rows]
        return "\n".join(
            "  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=False)).rstrip()
            for row in lines
        )


def redact(value: Any) -> Any:
    """``value`` with tokens, passwords and secrets replaced by ``‹hidden›`` (deeply)."""
    if isinstance(value, Mapping):
        return {
            k: (HIDDEN if SECRET_KEYS.search(str(k)) and v else redact(v)) for k, v in value.items()
        }
    if isinstance(value, list):
        return [redact(v) for v in value]
    if isinstance(value, str):
        return JWT_PATTERN.sub(HIDDEN, value)
    return value


@dataclass
class Exchange:
    """One HTTP request and its answer, shown on one line (plus the body)."""

    method: str
    path: str
    sent: str
    status: int
    reason: str
    body: Any
    error_type: str | None
    response: requests.Response

    def __repr__(self) -> str:
        hidden = redact(self.body)
        body = self.response.text if hidden == self.body else json.dumps(hidden, ensure_ascii=False)
        extra = f"   x-amzn-ErrorType: {self.error_type}" if self.error_type else ""
        sent = f"  [{self.sent}]" if self.sent else ""
        return f"{self.method} {self.path}{sent}\n→ {self.status} {self.reason}  {body}{extra}"

    def json(self) -> Any:
        return self.response.json()


class ApiClient:
    """Postman in a few lines: requests to a stage's base URL, shown without secrets."""

    def __init__(self, base_url: str, timeout: float = 35.0) -> None:
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout
        self._http = requests.Session()

    def request(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, str] | None = None,
        headers: Mapping[str, str] | None = None,
        data: bytes | None = None,
        expect: int | None = None,
        wait_s: float = 60.0,
    ) -> requests.Response:
        """``method base_url + path``, answered; with ``expect``, asked again until it answers
        that (:func:`helpers.retry.answer_until`)."""
        return answer_until(
            lambda: self._http.request(
                method,
                self.base_url + path,
                params=params,
                headers=headers,
                data=data,
                timeout=self.timeout,
            ),
            expect,
            wait_s,
            what=f"{method} {path}",
        )

    def get(
        self,
        path: str,
        *,
        params: Mapping[str, str] | None = None,
        headers: Mapping[str, str] | None = None,
        expect: int | None = None,
        wait_s: float = 60.0,
    ) -> Exchange:
        """``GET base_url + path``. With ``expect``, ask again (every 2 s, up to ``wait_s``) until
        the status is ``expect``: on AWS a new deployment or API key takes seconds to reach
        every edge; on the local cloud the first answer is final."""
        response = self.request(
            "GET", path, params=params, headers=headers, expect=expect, wait_s=wait_s
        )
        return _exchange("GET", path, params or {}, headers or {}, response)


def _exchange(
    method: str,
    path: str,
    params: Mapping[str, str],
    headers: Mapping[str, str],
    response: requests.Response,
) -> Exchange:
    query = "&".join(f"{k}={HIDDEN if SECRET_KEYS.search(k) else v}" for k, v in params.items())
    shown_path = f"{path}?{query}" if query else path
    sent = ", ".join(f"{name}: {HIDDEN}" for name in headers)
    try:
        body: Any = response.json()
    except ValueError:
        body = response.text
    return Exchange(
        method=method,
        path=shown_path,
        sent=sent,
        status=response.status_code,
        reason=response.reason or "",
        body=body,
        error_type=response.headers.get("x-amzn-ErrorType"),
        response=response,
    )


#: what each claim of a Cognito token means
CLAIM_MEANINGS = {
    "sub": "who the token is about: the user's permanent id (a machine token: the app client id)",
    "cognito:username": "the username",
    "username": "the username",
    "aud": "the app client the token was issued to",
    "client_id": "the app client the token was issued to",
    "iss": "the issuer: the user pool's URL",
    "token_use": "id (who the user is) or access (what they may do)",
    "scope": "what an access token allows",
    "auth_time": "when the user signed in",
    "iat": "when the token was issued",
    "exp": "when the token expires",
    "jti": "this token's own id",
    "origin_jti": "the id of the sign-in that produced it",
    "event_id": "the sign-in event",
    "email": "the user's email",
    "email_verified": "whether the email was verified",
}
_TIME_CLAIMS = ("auth_time", "iat", "exp")
_UNIQUE_CLAIMS = ("jti", "origin_jti", "event_id")


def token_claims(token: str) -> dict[str, Any]:
    """The token's payload, decoded without checking the signature (API Gateway checks it)."""
    return jwt.decode(token, options={"verify_signature": False})


def _shown_claim(name: str, value: Any, issued: int | None) -> str:
    if name in _TIME_CLAIMS and isinstance(value, int) and issued is not None:
        minutes = (value - issued) / 60
        if name == "iat":
            return "issue time"
        if minutes == 0:
            return "at issue time"
        return f"{minutes:g} min after issue" if minutes > 0 else f"{-minutes:g} min before issue"
    if name in _UNIQUE_CLAIMS:
        return "(a fresh UUID each time)"
    return value if isinstance(value, str) else json.dumps(value)


def claims_table(token: str) -> Table:
    """The token's claims as a table: claim, value, what it means. The token is not shown."""
    claims = token_claims(token)
    issued = claims.get("iat")
    return Table(
        ["claim", "value", "meaning"],
        [
            (name, _shown_claim(name, value, issued), CLAIM_MEANINGS.get(name, ""))
            for name, value in claims.items()
        ],
    )


class Json:
    """A JSON document shown indented (secrets hidden)."""

    def __init__(self, doc: Any) -> None:
        self.doc = doc

    def __repr__(self) -> str:
        return json.dumps(redact(self.doc), indent=2, default=str)


class Code:
    """Source code shown with syntax colouring in JupyterLab, as plain text elsewhere."""

    def __init__(self, text: str, language: str = "python", title: str = "") -> None:
        self.text, self.language, self.title = text.rstrip() + "\n", language, title

    def _repr_markdown_(self) -> str:
        heading = f"`{self.title}`\n\n" if self.title else ""
        return f"{heading}```{self.language}\n{self.text}```"

    def __repr__(self) -> str:
        return (f"# {self.title}\n" if self.title else "") + self.text
