"""The per-task callback secret: hashed, compared safely, cut out of text; the public URL."""

from __future__ import annotations

import pytest

from seedance_nb.callbacks import tokens
from seedance_nb.errors import BadRequestError, ConfigError


def test_only_the_hash_matches_and_nothing_stored_matches_nothing():
    secret = tokens.new_secret()
    stored = tokens.digest(secret)
    assert secret not in stored and stored.startswith("sha256:")
    assert tokens.matches(stored, secret)
    assert not tokens.matches(stored, secret[:-1] + ("A" if secret[-1] != "A" else "B"))
    assert not tokens.matches(None, secret) and not tokens.matches("", "")
    assert tokens.new_secret() != secret and len(secret) >= 40


def test_secrets_are_cut_out_of_text():
    url = tokens.task_url("https://hooks.example.com/", 12, "s3cr3t-value_x")
    assert url == "https://hooks.example.com/seedance/callback/12/s3cr3t-value_x"
    assert tokens.redact(f"POST {url} failed") == (
        "POST https://hooks.example.com/seedance/callback/12/… failed"
    )


def test_the_public_url_comes_from_configure_else_the_environment(monkeypatch):
    monkeypatch.setenv(tokens.ENV_VAR, "https://env.example.com/")
    assert tokens.public_url() == "https://env.example.com"
    try:
        tokens.set_public_url("https://configured.example.com")
        assert tokens.public_url() == "https://configured.example.com"
    finally:
        tokens.set_public_url(None)
    monkeypatch.delenv(tokens.ENV_VAR)
    assert tokens.public_url() is None


@pytest.mark.parametrize("bad", ["hooks.example.com", "ftp://hooks.example.com", "https://"])
def test_a_public_url_that_is_not_http_is_refused_with_the_fix(bad: str, monkeypatch):
    monkeypatch.delenv(tokens.ENV_VAR, raising=False)
    with pytest.raises(ConfigError, match="Fix: give the public address"):
        tokens.set_public_url(bad)
    assert tokens.public_url() is None  # nothing half-set


def test_a_provider_error_quoting_the_callback_url_does_not_carry_the_secret():
    url = tokens.task_url("https://hooks.example.com", 3, "the-secret-part")
    exc = BadRequestError(f"callBackUrl {url} is not reachable", provider="maxapi")
    assert "the-secret-part" not in str(exc) + exc.message
    assert "https://hooks.example.com/seedance/callback/3/…" in str(exc)


def test_configure_sets_the_callback_url_alone(monkeypatch):
    import seedance_nb as sd
    from seedance_nb.lifecycle import history_store

    monkeypatch.delenv(tokens.ENV_VAR, raising=False)
    before = history_store.chosen_location()
    try:
        sd.configure(callback_url="https://hooks.example.com/")
        assert tokens.public_url() == "https://hooks.example.com"
        assert history_store.chosen_location() == before  # the history is left as it was
        with pytest.raises(ConfigError):
            sd.configure(callback_url="hooks.example.com")
    finally:
        sd.configure(callback_url="")
    assert tokens.public_url() is None
