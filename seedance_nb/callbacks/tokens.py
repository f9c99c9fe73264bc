"""The per-task callback secret: minted once per create, only its hash is stored.

A task's callback URL is ``<public_url>/seedance/callback/<uid>/<secret>``. The secret (32 random
bytes) is sent to the provider in the create and nowhere else: the ledger keeps
``sha256:<hex>`` of it (``tasks.callback_token``), and the receiver compares hashes in constant
time. The public URL comes from ``configure(callback_url=...)``, else ``$SEEDANCE_CALLBACK_URL``.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import re
import secrets

from ..errors import ConfigError

ENV_VAR = "SEEDANCE_CALLBACK_URL"
PATH_PREFIX = "/seedance/callback/"
# Dialects whose documents define a create field for a callback URL (ModelArk ``callback_url``,
# the task API ``callBackUrl``). The OpenAI-style route's seed is silent: it is polled as before.
CALLBACK_DIALECTS = frozenset({"ark", "maxapi"})
_PREFIX = "sha256:"
_DUMMY = _PREFIX + "0" * 64
_SECRET_IN_URL = re.compile(r"(/seedance/callback/\d+/)[^/\s?#\"']+")

_configured: str | None = None


def check_public_url(url: str) -> str:
    """``url`` without a trailing slash; refused (ConfigError) unless it is an http(s) URL."""
    url = url.strip().rstrip("/")
    if not re.match(r"^https?://[^/\s]+", url):
        raise ConfigError(
            f"the callback URL {url!r} is not an http(s) URL. Fix: give the public address of "
            "your reverse proxy in front of `seedance callbacks serve`, e.g. "
            "https://seedance.example.com"
        )
    return url


def set_public_url(url: str | None) -> None:
    """Use ``url`` as this process's public callback URL (None or "" goes back to the env)."""
    global _configured
    _configured = check_public_url(url) if url else None


def public_url() -> str | None:
    """The configured public callback URL, else ``$SEEDANCE_CALLBACK_URL``, else None."""
    if _configured:
        return _configured
    env = os.environ.get(ENV_VAR, "").strip()
    return check_public_url(env) if env else None


def new_secret() -> str:
    """A fresh unguessable secret for one task's callback URL."""
    return secrets.token_urlsafe(32)


def digest(secret: str) -> str:
    """What the ledger keeps of a secret."""
    return _PREFIX + hashlib.sha256(secret.encode("utf-8")).hexdigest()


def matches(stored: str | None, secret: str) -> bool:
    """True when ``secret`` hashes to ``stored``; constant time, also when nothing is stored."""
    ok = hmac.compare_digest((stored or _DUMMY).encode(), digest(secret).encode())
    return ok and bool(stored)


def task_url(base: str, uid: int, secret: str) -> str:
    """The callback URL of task row ``uid``."""
    return f"{base.rstrip('/')}{PATH_PREFIX}{uid}/{secret}"


def redact(text: str) -> str:
    """``text`` with the secret of any callback URL in it cut out."""
    return _SECRET_IN_URL.sub(r"\1…", text)
