"""The async client: the only place in seedance_nb that performs HTTP.

>>> client = AsyncSeedance("ark")              # no key configured → in-process simulator
>>> created = await client.create(VideoRequest(model="seedance-2.0", prompt="a fox"))
>>> snapshot = await client.get(created.task_id)

Every request has connect/read deadlines and an overall deadline, and a cap on the response size.
Reads are retried (see :mod:`seedance_nb.retry`). A create is sent once: if its answer is lost
after it may have reached the server, :class:`~seedance_nb.errors.AmbiguousCreateError` is raised
and nothing is resent.
"""

from __future__ import annotations

import asyncio
import logging
import time
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import httpx

from . import __version__
from .config import Settings, resolve_settings
from .download import DownloadResult, save_stream
from .errors import (
    AmbiguousCreateError,
    ApiError,
    MalformedResponseError,
    RateLimitError,
    TransportError,
)
from .providers import CreateResult, HttpCall, adapter_for
from .providers.base import decode_json
from .retry import RETRYABLE_STATUS, RetryPolicy
from .status import Status, TaskSnapshot

if TYPE_CHECKING:
    from .requests import ImageRequest, VideoRequest

log = logging.getLogger("seedance_nb")


@dataclass(frozen=True)
class Timeouts:
    """Seconds. ``overall`` bounds a whole request, so a server that drips bytes cannot hang us."""

    connect: float = 10.0
    read: float = 60.0
    overall: float = 120.0


@dataclass(frozen=True)
class _Answer:
    status_code: int
    headers: Mapping[str, str]
    body: bytes


class _LostAnswer(Exception):
    """The request may have reached the server but no usable answer came back."""

    def __init__(self, detail: str, *, sent: bool) -> None:
        super().__init__(detail)
        self.sent = sent


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
        self.retry = retry or RetryPolicy()
        self.max_response_bytes = max_response_bytes
        if transport is None and self.settings.simulated:
            from .local_simulator import simulator_transport

            transport = simulator_transport()
            log.info("seedance_nb: no API key configured; using the in-process simulator")
        self._transport = transport
        self._http = self._make_http(auth=True)
        self._files: httpx.AsyncClient | None = None

    def _make_http(self, *, auth: bool) -> httpx.AsyncClient:
        headers = {"User-Agent": f"seedance_nb/{__version__}"}
        if auth:
            headers["Authorization"] = "Bearer " + self.settings.api_key.get()
        return httpx.AsyncClient(
            base_url=self.settings.base_url if auth else "",
            headers=headers,
            transport=self._transport,
            timeout=httpx.Timeout(self.timeouts.read, connect=self.timeouts.connect),
            follow_redirects=not auth,
        )

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
        answer = await self._create_once(call)
        try:
            return self.adapter.parse_create(self._decode(answer), request)
        except MalformedResponseError as exc:
            if answer.status_code >= 300:
                raise
            # A 2xx we cannot read: the task was probably created, but we do not know its id.
            raise AmbiguousCreateError(
                f"the create was accepted but its answer is unreadable ({exc.message}); the "
                "task may exist upstream. It was not resent: run resume() to reconcile it",
                provider=self.provider,
            ) from None

    async def get(self, task_id: str) -> TaskSnapshot:
        """The task's current state in the common vocabulary."""
        answer = await self._read(self.adapter.build_get(task_id))
        return self.adapter.parse_task(self._decode(answer))

    async def list(
        self,
        *,
        task_ids: list[str] | None = None,
        status: Status | None = None,
        model: str | None = None,
        page_size: int = 100,
    ) -> list[TaskSnapshot] | None:
        """Tasks matching the filters, or ``None`` when the dialect has no list endpoint."""
        call = self.adapter.build_list(
            task_ids=task_ids, status=status, model=model, page_size=page_size
        )
        if call is None:
            return None
        answer = await self._read(call)
        return self.adapter.parse_list(self._decode(answer))

    async def cancel(self, task_id: str) -> None:
        """Cancel a queued task (or delete a finished one's record, where the API does that)."""
        from .errors import UnsupportedOperation

        call = self.adapter.build_cancel(task_id)
        if call is None:
            raise UnsupportedOperation(
                f"{self.provider} has no cancel endpoint; the task keeps running upstream"
            )
        # DELETE is idempotent in effect: a repeat finds the task already cancelled/gone.
        await self._read(call)

    async def download(
        self, url: str, dest: Path, *, max_bytes: int = 512 * 1024 * 1024
    ) -> DownloadResult:
        """Stream a result file to ``dest`` (temp file + rename), checking size and signature."""
        if self._files is None:
            # Result files live on other hosts: never send them the API key.
            self._files = self._make_http(auth=False)
        return await save_stream(self._files, url, dest, max_bytes=max_bytes)

    # -- plumbing ---------------------------------------------------------------------------
    def _decode(self, answer: _Answer) -> Any:
        return decode_json(answer.body, provider=self.provider, status_code=answer.status_code)

    async def _create_once(self, call: HttpCall) -> _Answer:
        ref = uuid.uuid4().hex
        attempt = 0
        while True:
            attempt += 1
            try:
                answer = await self._send(call, client_ref=ref)
            except _LostAnswer as lost:
                if lost.sent:
                    raise AmbiguousCreateError(
                        f"the create was sent but its answer was lost ({lost}); the task may "
                        "exist upstream. It was not resent: run resume() to reconcile it",
                        provider=self.provider,
                        client_ref=ref,
                    ) from None
                if attempt >= self.retry.max_attempts:
                    raise TransportError(
                        f"could not reach {self.provider}: {lost}", provider=self.provider
                    ) from None
                await self.retry.sleep(self.retry.backoff(attempt))
                continue
            if answer.status_code < 400:
                return answer
            error = self._error(answer)
            if answer.status_code >= 500:
                # A gateway or server error after the body went out: maybe created, maybe not.
                raise AmbiguousCreateError(
                    f"the create got {error}; the task may exist upstream. It was not resent: "
                    "run resume() to reconcile it",
                    provider=self.provider,
                    client_ref=ref,
                ) from None
            # 429 means the server refused the request: sending it again later is safe.
            if isinstance(error, RateLimitError) and self._may_retry(attempt, error):
                await self.retry.sleep(self.retry.backoff(attempt, error.retry_after))
                continue
            raise error

    async def _read(self, call: HttpCall) -> _Answer:
        attempt = 0
        while True:
            attempt += 1
            try:
                answer = await self._send(call)
            except _LostAnswer as lost:
                if attempt >= self.retry.max_attempts:
                    raise TransportError(
                        f"{call.method} {call.path} to {self.provider} failed: {lost}",
                        provider=self.provider,
                    ) from None
                await self.retry.sleep(self.retry.backoff(attempt))
                continue
            if answer.status_code < 400:
                return answer
            error = self._error(answer)
            if answer.status_code in RETRYABLE_STATUS and self._may_retry(attempt, error):
                await self.retry.sleep(self.retry.backoff(attempt, error.retry_after))
                continue
            raise error

    def _may_retry(self, attempt: int, error: ApiError) -> bool:
        if attempt >= self.retry.max_attempts:
            return False
        return error.retry_after is None or error.retry_after <= self.retry.max_retry_after

    def _error(self, answer: _Answer) -> ApiError:
        error = self.adapter.parse_error(answer.status_code, answer.body, answer.headers)
        return _redacted(error, self.settings.api_key.get())

    async def _send(self, call: HttpCall, *, client_ref: str | None = None) -> _Answer:
        headers = {"X-Client-Request-Id": client_ref or uuid.uuid4().hex}
        request = self._http.build_request(
            call.method, call.path, params=list(call.params), json=call.json, headers=headers
        )
        started = time.monotonic()
        try:
            answer = await asyncio.wait_for(self._exchange(request), self.timeouts.overall)
        except asyncio.TimeoutError:
            raise _LostAnswer(
                f"no complete answer within {self.timeouts.overall:g} s", sent=True
            ) from None
        except (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout) as exc:
            raise _LostAnswer(f"{type(exc).__name__}: {exc}", sent=False) from None
        except httpx.HTTPError as exc:
            raise _LostAnswer(f"{type(exc).__name__}: {exc}", sent=True) from None
        except (OSError, RuntimeError) as exc:
            # In-process transports surface a dropped connection as the app's own exception.
            raise _LostAnswer(f"connection lost: {type(exc).__name__}", sent=True) from None
        log.debug(
            "%s %s -> %s (%.0f ms)",
            call.method,
            request.url.copy_with(query=None),
            answer.status_code,
            (time.monotonic() - started) * 1000,
        )
        return answer

    async def _exchange(self, request: httpx.Request) -> _Answer:
        response = await self._http.send(request, stream=True)
        try:
            chunks: list[bytes] = []
            size = 0
            async for chunk in response.aiter_bytes():
                size += len(chunk)
                if size > self.max_response_bytes:
                    raise MalformedResponseError(
                        f"response larger than {self.max_response_bytes} bytes; refused",
                        provider=self.provider,
                        status_code=response.status_code,
                    )
                chunks.append(chunk)
        finally:
            await response.aclose()
        return _Answer(response.status_code, dict(response.headers), b"".join(chunks))


def _redacted(error: ApiError, key: str) -> ApiError:
    """Providers may echo what they were sent; make sure the key never rides along."""
    if key and len(key) >= 4 and key in str(error):
        error.message = error.message.replace(key, "***")
        error.args = (error._format(),)
    return error
