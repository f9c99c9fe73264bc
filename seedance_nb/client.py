"""The async client: one object per provider dialect, with the operations users call.

>>> client = AsyncSeedance("ark")              # no key configured → in-process simulator
>>> created = await client.create(VideoRequest(model="seedance-2.0", prompt="a fox"))
>>> snapshot = await client.get(created.task_id)

Every request has connect/read deadlines and an overall deadline, and a cap on the response size;
reads are retried and a create is sent once (see :mod:`seedance_nb.exchange`, the only code that
sends HTTP requests).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar
from urllib.parse import unquote

import httpx

from . import __version__
from .config import Settings, is_loopback, resolve_settings
from .download import DownloadResult, Pace, save_stream
from .errors import AmbiguousCreateError, ApiError, MalformedResponseError, ServerError
from .exchange import Answer, Exchange, Timeouts
from .providers import CreateResult, adapter_for
from .providers.base import decode_json
from .providers.headers import header, server_date
from .retry import RetryPolicy
from .status import Status, TaskSnapshot

if TYPE_CHECKING:
    from .requests import ImageRequest, VideoRequest

log = logging.getLogger("seedance_nb")

__all__ = ["AsyncSeedance", "Timeouts"]

T = TypeVar("T")


class AsyncSeedance:
    """Async client for one provider dialect. Use ``async with`` or call :meth:`aclose`."""

    def __init__(
        self,
        provider: str | None = None,
        *,
        base_url: str | None = None,
        api_key: str | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
        timeouts: Timeouts | None = None,
        retry: RetryPolicy | None = None,
        max_response_bytes: int = 8 * 1024 * 1024,
        settings: Settings | None = None,
    ) -> None:
        self.settings = settings or resolve_settings(provider, base_url=base_url, api_key=api_key)
        self.adapter = adapter_for(self.settings.provider, volcengine=self.settings.volcengine)
        self.timeouts = timeouts or Timeouts()
        self.max_response_bytes = max_response_bytes
        if transport is None and self.settings.simulated:
            from .local_simulator import simulator_transport

            transport = simulator_transport()
            log.info("seedance_nb: no API key configured; using the in-process simulator")
        self._transport = transport
        self._http = self._make_http(auth=True)
        self._exchange = Exchange(
            self._http,
            self.adapter,
            timeouts=self.timeouts,
            retry=retry or RetryPolicy(),
            max_response_bytes=max_response_bytes,
            secret=self.settings.api_key.get(),
            url_secret=(
                self.settings.url_credentials.get() if self.settings.url_credentials else ""
            ),
        )
        self._files: httpx.AsyncClient | None = None

    def _make_http(self, *, auth: bool) -> httpx.AsyncClient:
        headers = {"User-Agent": f"seedance_nb/{__version__}"}
        if auth:
            headers["Authorization"] = "Bearer " + self.settings.api_key.get()
        login = None
        if auth and self.settings.url_credentials is not None:
            # A base URL's user:password go out as the Basic login httpx would make of them,
            # never inside a URL (which httpx logs).
            user, _, password = self.settings.url_credentials.get().partition(":")
            login = httpx.BasicAuth(unquote(user), unquote(password))
        return httpx.AsyncClient(
            auth=login,
            base_url=self.settings.base_url if auth else "",
            headers=headers,
            transport=self._transport,
            timeout=httpx.Timeout(self.timeouts.read, connect=self.timeouts.connect),
            follow_redirects=not auth,
        )

    @property
    def retry(self) -> RetryPolicy:
        """How reads (and refused creates) are retried; assignable."""
        return self._exchange.retry

    @retry.setter
    def retry(self, policy: RetryPolicy) -> None:
        self._exchange.retry = policy

    @property
    def provider(self) -> str:
        return self.settings.provider

    @property
    def simulated(self) -> bool:
        """True when requests go to the in-process simulator (no key configured)."""
        return self.settings.simulated

    def __repr__(self) -> str:
        return f"AsyncSeedance({self.settings.describe()})"

    async def __aenter__(self) -> AsyncSeedance:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        await self._http.aclose()
        if self._files is not None:
            await self._files.aclose()

    # -- the operations ---------------------------------------------------------------------
    async def create(
        self,
        request: VideoRequest | ImageRequest,
        *,
        callback_url: str | None = None,
        validate: bool = True,
    ) -> CreateResult:
        """Validate locally (nothing is sent if that fails), then send the create exactly once."""
        if validate:
            from .validation import validate as check

            check(
                request,
                self.provider,
                volcengine=self.settings.volcengine,
                will_upload=self.simulated,  # the simulator takes uploads of local media
            )
        if self.simulated:
            from .local_simulator import upload_local_materials

            request = await upload_local_materials(self._http, request, self.provider)
        call = self.adapter.build_create(request, callback_url=callback_url)
        answer = await self._exchange.create_once(call)
        try:
            return self._parse(answer, lambda body: self.adapter.parse_create(body, request))
        except (MalformedResponseError, ServerError) as exc:
            if isinstance(exc, MalformedResponseError) and answer.status_code >= 300:
                raise
            # A 2xx we cannot read, or an envelope saying "server error" after the body went
            # out: the task may well exist, but we do not know its id.
            raise AmbiguousCreateError(
                f"the create was sent but its answer is unusable ({exc.message}); the task may "
                "exist upstream. It was not resent: run resume() to reconcile it",
                provider=self.provider,
                status_code=answer.status_code,
                request_id=exc.request_id,
            ) from None

    async def get(self, task_id: str) -> TaskSnapshot:
        """The task's current state in the common vocabulary."""
        answer = await self._exchange.read(self.adapter.build_get(task_id))
        return self._parse(answer, self.adapter.parse_task)

    async def list_dated(
        self,
        *,
        task_ids: list[str] | None = None,
        status: Status | None = None,
        model: str | None = None,
        page_size: int = 100,
        page_num: int = 1,
    ) -> tuple[list[TaskSnapshot] | None, float | None]:
        """:meth:`list`, with the server's ``Date`` header as Unix seconds (``None`` if it sent
        none): reconciling a lost create bounds the clock skew between us and the server by it."""
        call = self.adapter.build_list(
            task_ids=task_ids, status=status, model=model, page_size=page_size, page_num=page_num
        )
        if call is None:
            return None, None
        answer = await self._exchange.read(call)
        return self._parse(answer, self.adapter.parse_list), server_date(answer.headers)

    async def list(
        self,
        *,
        task_ids: list[str] | None = None,
        status: Status | None = None,
        model: str | None = None,
        page_size: int = 100,
        page_num: int = 1,
    ) -> list[TaskSnapshot] | None:
        """One page of tasks matching the filters, or ``None`` when the dialect has no list."""
        tasks, _ = await self.list_dated(
            task_ids=task_ids, status=status, model=model, page_size=page_size, page_num=page_num
        )
        return tasks

    async def cancel(self, task_id: str) -> None:
        """Cancel a queued task (or delete a finished one's record, where the API does that)."""
        from .errors import UnsupportedOperation

        call = self.adapter.build_cancel(task_id)
        if call is None:
            raise UnsupportedOperation(
                f"{self.provider} has no cancel endpoint; the task keeps running upstream"
            )
        # DELETE is idempotent in effect: a repeat finds the task already cancelled/gone.
        await self._exchange.read(call)

    async def download(
        self,
        url: str,
        dest: Path,
        *,
        max_bytes: int = 512 * 1024 * 1024,
        pace: Pace | None = None,
    ) -> DownloadResult:
        """Stream a result file to ``dest`` (temp file + rename), checking size and signature,
        within an overall deadline and a minimum rate (``pace``). Redirects to this machine or
        the local network are refused unless the API itself is here (the simulator)."""
        if self._files is None:
            # Result files live on other hosts: never send them the API key.
            self._files = self._make_http(auth=False)
        local = self.simulated or is_loopback(self.settings.base_url)
        return await save_stream(
            self._files, url, dest, max_bytes=max_bytes, pace=pace, allow_private=local
        )

    # -- plumbing ---------------------------------------------------------------------------
    def _parse(self, answer: Answer, parse: Callable[[Any], T]) -> T:
        """Decode and parse an answer; errors say which answer (status, request id) it was."""
        try:
            return parse(
                decode_json(answer.body, provider=self.provider, status_code=answer.status_code)
            )
        except ApiError as exc:
            exc.status_code = exc.status_code or answer.status_code
            exc.request_id = exc.request_id or header(answer.headers, "x-request-id")
            exc.args = (exc._format(),)
            raise
