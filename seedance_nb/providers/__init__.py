"""Provider adapters, one small file per API dialect (no I/O)."""

from __future__ import annotations

from .ark import ArkAdapter
from .base import Adapter, CreateResult, HttpCall
from .maxapi import MaxapiAdapter
from .maxapi_openai import MaxapiOpenaiAdapter

PROVIDERS = ("ark", "maxapi", "maxapi-openai")

__all__ = ["PROVIDERS", "Adapter", "CreateResult", "HttpCall", "adapter_for"]


def adapter_for(provider: str, *, volcengine: bool = False) -> Adapter:
    """The adapter for a dialect name (``ark``, ``maxapi``, ``maxapi-openai``)."""
    from ..errors import ConfigError

    if provider == "ark":
        return ArkAdapter(volcengine=volcengine)
    if provider == "maxapi":
        return MaxapiAdapter()
    if provider == "maxapi-openai":
        return MaxapiOpenaiAdapter()
    raise ConfigError(
        f"unknown provider {provider!r}. Fix: use one of {', '.join(PROVIDERS)} "
        "(set SEEDANCE_PROVIDER or pass provider=...)"
    )
