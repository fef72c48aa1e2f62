"""Find what must never be committed in a notebook: whole tokens, passwords, access keys and
absolute paths of the machine that ran it.

Passwords are matched by fingerprint (a salted SHA-256), so the check of the committed notebooks
can run on any checkout without the password itself being kept anywhere.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from collections.abc import Iterable, Mapping
from pathlib import Path
from urllib.parse import unquote

from helpers.cognito import PASSWORD_ALPHABET, PASSWORD_LENGTH
from helpers.display import JWT_PATTERN

#: an AWS access key ID (long-term AKIA or temporary ASIA)
ACCESS_KEY_ID = re.compile(r"(?<![A-Z0-9])(?:AKIA|ASIA)[A-Z0-9]{16}(?![A-Z0-9])")
#: a secret access key given by name, as in a credentials file or a boto3 response
SECRET_KEY = re.compile(
    r"(?i)(?:aws_secret_access_key|secretaccesskey|secret_key)[\"']?\s*[:=]\s*[\"']?"
    r"[A-Za-z0-9/+=]{30,}"
)
#: an absolute path under a folder that only exists on someone's machine
ABSOLUTE_PATH = re.compile(
    r"(?<![\w.~-])(?:"
    r"/(?:home|root|Users|tmp|private|var/folders|work|mnt|opt|srv|media)/[^\s\"'<>`)]+"
    r"|[A-Za-z]:\\\\[^\s\"'<>`]+"
    r"|file:///[^\s\"'<>`]+"
    r")"
)


def fingerprint(password: str, salt: str | None = None) -> dict[str, str]:
    """A salted SHA-256 of ``password``, to recognise it later without keeping it."""
    salt = salt or secrets.token_hex(16)
    return {"salt": salt, "sha256": hashlib.sha256((salt + password).encode()).hexdigest()}


def _password_windows(text: str) -> Iterable[str]:
    """Every run of ``PASSWORD_LENGTH`` characters that a generated password could be."""
    allowed = set(PASSWORD_ALPHABET)
    run_start = 0
    for index, char in enumerate(text + "\n"):
        if char in allowed:
            continue
        for start in range(run_start, index - PASSWORD_LENGTH + 1):
            yield text[start : start + PASSWORD_LENGTH]
        run_start = index + 1


def find_leaks(
    text: str,
    *,
    passwords: Iterable[str] = (),
    fingerprints: Iterable[Mapping[str, str]] = (),
    paths: Iterable[str | Path] = (),
    absolute_paths: bool = True,
) -> list[str]:
    """What in ``text`` must not be committed, one short description each (secrets shortened).

    ``passwords`` are looked for as they are, ``fingerprints`` (from :func:`fingerprint`) in every
    window of a generated password's length, both also in the percent-decoded text (a URL's
    query string); ``paths`` (this machine's folders) as substrings; ``absolute_paths=False``
    skips the check for paths (an executed copy names its own).
    """
    found = [f"a whole JWT ({m.group()[:12]}…)" for m in JWT_PATTERN.finditer(text)]
    found += [f"an access key ID ({m.group()[:6]}…)" for m in ACCESS_KEY_ID.finditer(text)]
    found += [f"a secret access key ({m.group()[:24]}…)" for m in SECRET_KEY.finditer(text)]
    if absolute_paths:
        found += [f"an absolute path ({m.group()[:40]})" for m in ABSOLUTE_PATH.finditer(text)]
    found += [f"this machine's path {p}" for p in map(str, paths) if p and p in text]
    # a password may also appear percent-encoded, as in a URL's query string
    decoded = unquote(text)
    found += [f"the password ({p[:2]}…)" for p in passwords if p and (p in text or p in decoded)]
    prints = list(fingerprints)
    if prints:
        windows = set(_password_windows(text)) | set(_password_windows(decoded))
        for window in sorted(windows):
            for fp in prints:
                if hashlib.sha256((fp["salt"] + window).encode()).hexdigest() == fp["sha256"]:
                    found.append(f"the recorded password ({window[:2]}…)")
    return found
