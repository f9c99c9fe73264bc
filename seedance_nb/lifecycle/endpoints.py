"""Where requests go: resolved settings and one client per provider endpoint.

An endpoint is a provider dialect at a base URL. Settings (and the API key) are resolved when a
task first needs them, never at import. Tasks that ran on the in-process simulator stay on it, even
once a key is configured, so a rerun of a simulated task never spends money by surprise.
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Callable
from typing import TYPE_CHECKING

from ..config import SIMULATOR_HOST, Secret, Settings, resolve_settings
from ..retry import RetryPolicy

if TYPE_CHECKING:
    from ..client import AsyncSeedance
    from .clock import Clock
    from .task import Task

log = logging.getLogger("seedance_nb.lifecycle")

ClientFactory = Callable[[Settings], "AsyncSeedance"]


class Endpoints:
    """Settings per ``(provider, base_url)`` asked for, and a client per endpoint."""

    def __init__(self, clock: Clock, factory: ClientFactory | None = None) -> None:
        self.clock = clock
        self.factory = factory
        self._settings: dict[tuple[str | None, str | None], Settings] = {}
        self._clients: dict[tuple[str, str, bool], AsyncSeedance] = {}

    def resolve(self, provider: str | None, base_url: str | None) -> Settings:
        key = (provider, base_url)
        if key not in self._settings:
            if base_url is not None and base_url.startswith(SIMULATOR_HOST):
                self._settings[key] = simulator_settings(provider or "ark", base_url)
            else:
                settings = resolve_settings(provider, base_url=base_url)
                self._settings[key] = settings
                # Rows store the base URL without its user:password; their clients are made
                # from it and must still log in to the proxy.
                self._settings.setdefault((settings.provider, settings.base_url), settings)
        return self._settings[key]

    def client_for(self, task: Task) -> AsyncSeedance:
        key = (task.provider, task.base_url, task.simulated)
        client = self._clients.get(key)
        if client is None:
            if task.simulated or task.base_url.startswith(SIMULATOR_HOST):
                settings = simulator_settings(task.provider, task.base_url)
            else:
                settings = self.resolve(task.provider, task.base_url)
            client = self._clients[key] = _hand_back_rate_limits(self._make(settings))
        return client

    def _make(self, settings: Settings) -> AsyncSeedance:
        if self.factory is not None:
            return self.factory(settings)
        from ..client import AsyncSeedance

        return AsyncSeedance(settings=settings, retry=RetryPolicy(sleep=self.clock.sleep))

    def forget_clients(self) -> None:
        """Drop the clients (they belong to an event loop that has gone)."""
        self._clients.clear()

    async def aclose(self) -> None:
        for client in self._clients.values():
            try:
                await client.aclose()
            except Exception:
                log.debug("closing a client failed", exc_info=True)
        self._clients.clear()


def simulator_settings(provider: str, base_url: str) -> Settings:
    return Settings(provider, base_url, Secret("simulator"), simulated=True, key_source="simulator")


def _hand_back_rate_limits(client: AsyncSeedance) -> AsyncSeedance:
    """A 429 with a Retry-After is about the whole endpoint, not one request: the poller and the
    limiter silence the endpoint for that long, so the client must hand such answers back at
    once instead of waiting them out for one request while other requests go on."""
    client.retry = dataclasses.replace(client.retry, max_retry_after=0.0)
    return client
