"""Where requests go and with which key."""

from __future__ import annotations

import pickle

import pytest

from seedance_nb.config import Secret, resolve_settings
from seedance_nb.errors import ConfigError


def test_no_key_means_the_in_process_simulator() -> None:
    settings = resolve_settings("ark", env={})
    assert settings.simulated and "simulator" in settings.describe()


def test_key_from_the_dialects_variable() -> None:
    settings = resolve_settings("ark", env={"ARK_API_KEY": "sk-abc123456"})
    assert not settings.simulated and settings.api_key.get() == "sk-abc123456"
    assert settings.base_url == "https://ark.ap-southeast.bytepluses.com/api/v3"
    assert settings.key_source == "ARK_API_KEY"
    maxapi = resolve_settings("maxapi", env={"MAXAPI_KEY": "k-1234"})
    assert maxapi.base_url == "https://api.maxapi.io" and maxapi.api_key.get() == "k-1234"


def test_presets_and_proxies() -> None:
    volc = resolve_settings("ark", base_url="volcengine", env={"ARK_API_KEY": "k"})
    assert volc.volcengine and volc.base_url.endswith("volces.com/api/v3")
    proxy = resolve_settings("ark", base_url="https://proxy.example/byteplus/api/v3/", api_key="k")
    assert proxy.base_url == "https://proxy.example/byteplus/api/v3" and not proxy.volcengine


def test_loopback_simulator_needs_no_key() -> None:
    settings = resolve_settings("maxapi", base_url="http://127.0.0.1:8765", env={})
    assert not settings.simulated and settings.api_key.get()


def test_remote_url_without_key_names_the_variable() -> None:
    with pytest.raises(ConfigError, match="ARK_API_KEY"):
        resolve_settings("ark", base_url="https://ark.example/api/v3", env={})


@pytest.mark.parametrize("bad", ["ftp://x", "not a url"])
def test_bad_base_url(bad: str) -> None:
    with pytest.raises(ConfigError, match="not an http"):
        resolve_settings("ark", base_url=bad, api_key="k")


def test_unknown_provider_lists_choices() -> None:
    with pytest.raises(ConfigError, match="ark, maxapi, maxapi-openai"):
        resolve_settings("openai", env={})


def test_secret_never_shows() -> None:
    secret = Secret("sk-canary-xyz")
    assert (
        "canary" not in repr(secret) and "canary" not in f"{secret}" and "canary" not in str(secret)
    )
    with pytest.raises(TypeError):
        pickle.dumps(secret)
