"""Where requests go and with which key: resolved when a client is made, never at import.

Resolution order for each setting: the argument, then the environment, then the default.

| setting   | argument   | environment                                      | default |
|-----------|------------|--------------------------------------------------|---------|
| provider  | provider=  | ``SEEDANCE_PROVIDER``                              | ``ark`` |
| base URL  | base_url=  | ``SEEDANCE_BASE_URL``; ``ark`` also takes a preset name (``byteplus``, ``volcengine``) | the dialect's public URL |
| API key   | api_key=   | ``ARK_API_KEY`` (ark), ``MAXAPI_KEY`` (maxapi, maxapi-openai); else keyring service ``seedance_nb`` | none |

With no key anywhere and no base URL, everything runs against the in-process simulator and says
so. Keys are checked when read: surrounding whitespace is trimmed, any other invisible character
is refused (without showing the key). A base URL's ``user:password`` (a proxy login) is kept out of
``Settings.base_url``, so out of history rows, reprs, logs and errors, and sent as a Basic login; a
task resumed in a new process gets it again from ``SEEDANCE_BASE_URL`` when that names the same
endpoint. A loopback base URL without a key (a simulator served with ``seedance simulator``) is sent a
placeholder key.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from urllib.parse import urlsplit, urlunsplit

from .errors import ConfigError
from .providers import PROVIDERS, adapter_for
from .providers.ark import BASE_URLS as ARK_PRESETS

log = logging.getLogger("seedance_nb")

SIMULATOR_HOST = "http://simulator.seedance.invalid"
# In-process simulator paths per dialect (the simulator serves all three on one origin).
SIMULATOR_PATHS = {"ark": "/api/v3", "maxapi": "", "maxapi-openai": ""}


def check_key(value: str, source: str = "the API key") -> str:
    """A key as read (argument, environment, keyring, a pasted file line): surrounding whitespace
    trimmed; any other control, space or non-ASCII character refused with a message that names
    its position but never shows the key (an HTTP library would otherwise quote the header)."""
    key = value.strip()
    for i, char in enumerate(key):
        if not "\x21" <= char <= "\x7e":
            raise ConfigError(
                f"{source} has an invisible or non-ASCII character (U+{ord(char):04X}) at "
                f"position {i + 1}; the key was not used and nothing was sent. Fix: set the key "
                "again, copied without line breaks, tabs or spaces"
            )
    return key


class Secret:
    """An API key that never shows itself in a repr, a log line or an f-string.

    Checked when made (:func:`check_key`): trimmed, and refused if it holds control characters.
    """

    __slots__ = ("_value",)

    def __init__(self, value: str, *, source: str = "the API key") -> None:
        self._value = check_key(value, source)

    def get(self) -> str:
        return self._value

    def __repr__(self) -> str:
        return "Secret('********')"

    __str__ = __repr__

    def __bool__(self) -> bool:
        return bool(self._value)

    def __reduce__(self) -> tuple[type, tuple[str]]:
        raise TypeError("an API key is not pickled")


@dataclass(frozen=True)
class Settings:
    """Resolved settings for one client. ``simulated`` is True for the in-process simulator."""

    provider: str
    base_url: str
    api_key: Secret = field(repr=False)
    simulated: bool = False
    volcengine: bool = False
    key_source: str = "none"
    # ``user:password`` of a base URL like https://user:pass@proxy/...: kept out of base_url
    # (so out of history rows, reprs, logs and errors) and put back only on the wire.
    url_credentials: Secret | None = field(default=None, repr=False)

    @property
    def http_base_url(self) -> str:
        """The base URL as sent, credentials included."""
        if self.url_credentials is None:
            return self.base_url
        parts = urlsplit(self.base_url)
        netloc = f"{self.url_credentials.get()}@{parts.netloc}"
        return urlunsplit(parts._replace(netloc=netloc))

    def describe(self) -> str:
        where = "the in-process simulator" if self.simulated else self.base_url
        return f"{self.provider} at {where} (key from {self.key_source})"


def _keyring_key(env_name: str) -> str | None:
    try:
        import keyring  # optional: only used when installed
    except ImportError:
        return None
    try:
        return keyring.get_password("seedance_nb", env_name)
    except Exception:  # a broken keyring backend must not break the package
        return None


def split_credentials(url: str) -> tuple[str, str | None]:
    """``(url without user:password, "user:password" or None)``."""
    parts = urlsplit(url)
    if "@" not in parts.netloc:
        return url, None
    userinfo, _, host = parts.netloc.rpartition("@")
    return urlunsplit(parts._replace(netloc=host)), userinfo or None


def redact_url(url: str) -> str:
    """A URL fit to show: credentials replaced with ``***``."""
    bare, userinfo = split_credentials(url)
    if userinfo is None:
        return url
    parts = urlsplit(bare)
    return urlunsplit(parts._replace(netloc="***@" + parts.netloc))


def _credentials_for(base_url: str, env: Mapping[str, str]) -> str | None:
    """A stored base URL has no credentials: take them from $SEEDANCE_BASE_URL if it names the
    same endpoint (a resumed task goes through the same proxy login)."""
    configured = env.get("SEEDANCE_BASE_URL")
    if not configured:
        return None
    bare, userinfo = split_credentials(configured)
    return userinfo if bare.rstrip("/") == base_url.rstrip("/") else None


def is_loopback(url: str) -> bool:
    host = urlsplit(url).hostname or ""
    return host in ("localhost", "::1") or host.startswith("127.")


def resolve_settings(
    provider: str | None = None,
    *,
    base_url: str | None = None,
    api_key: str | None = None,
    env: Mapping[str, str] | None = None,
) -> Settings:
    """Settings for a client; see the module docstring for the order of resolution."""
    env = os.environ if env is None else env
    provider = provider or env.get("SEEDANCE_PROVIDER") or "ark"
    if provider not in PROVIDERS:
        adapter_for(provider)  # raises the ConfigError that names the choices
    adapter = adapter_for(provider)
    base_url = base_url or env.get("SEEDANCE_BASE_URL") or None
    volcengine = False
    if provider == "ark" and base_url in ARK_PRESETS:
        volcengine = base_url == "volcengine"
        base_url = ARK_PRESETS[base_url]
    credentials = None
    if base_url is not None:
        parts = urlsplit(base_url)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise ConfigError(
                f"base URL {redact_url(base_url)!r} is not an http(s) URL. Fix: pass e.g. "
                f"{adapter.default_base_url!r}"
                + (" or a preset: byteplus, volcengine" if provider == "ark" else "")
            )
        volcengine = volcengine or "volces.com" in parts.netloc
        base_url, credentials = split_credentials(base_url)
        credentials = credentials or _credentials_for(base_url, env)
    key, source = api_key, "argument"
    if not key:
        key, source = env.get(adapter.key_env), adapter.key_env
    if not key:
        key, source = _keyring_key(adapter.key_env), "keyring"
    if key and key.strip():
        label = {"argument": "the api_key argument", "keyring": "the keyring's key"}.get(
            source, f"the environment variable {source}"
        )
        return Settings(
            provider,
            (base_url or adapter.default_base_url).rstrip("/"),
            Secret(key, source=label),
            volcengine=volcengine,
            key_source=source,
            url_credentials=_url_secret(credentials),
        )
    if base_url is None:
        return Settings(
            provider,
            SIMULATOR_HOST + SIMULATOR_PATHS[provider],
            Secret("simulator"),
            simulated=True,
            key_source="simulator (no key configured)",
        )
    if is_loopback(base_url):
        return Settings(
            provider,
            base_url.rstrip("/"),
            Secret("local"),
            key_source="placeholder (loopback)",
            url_credentials=_url_secret(credentials),
        )
    raise ConfigError(
        f"no API key for {provider} at {base_url}. Fix: set the environment variable "
        f"{adapter.key_env} (or pass api_key=...); leave base_url unset to use the built-in "
        "simulator"
    )


def _url_secret(credentials: str | None) -> Secret | None:
    return Secret(credentials, source="the base URL's user:password") if credentials else None
