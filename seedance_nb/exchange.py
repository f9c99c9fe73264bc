"""One HTTP exchange with deadlines and a size cap, and the two retry loops around it.

Reads are retried (see :mod:`seedance_nb.retry`). A create is sent once: if its answer is lost
after it may have reached the server, :class:`~seedance_nb.errors.AmbiguousCreateError` is raised
and nothing is resent. Only a create that provably never left (connection refused) or that the
server refused with 429 is tried again.
"""

from __future__ import annotations

import asyncio
import logging
import time
import uuid
from collections.abc import Mapping
from dataclasses import dataclass

import httpx

from .errors import (
    AmbiguousCreateError,
    ApiError,
    MalformedResponseError,
    RateLimitError,
    TransportError,
)
from .providers import Adapter, HttpCall
from .retry import RETRYABLE_STATUS, RetryPolicy

log = logging.getLogger("seedance_nb")

# Raised by the HTTP library before it writes anything (an illegal header, an unknown scheme).
NOT_SENT = (httpx.LocalProtocolError, httpx.UnsupportedProtocol)


@dataclass(frozen=True)
class Timeouts:
    """Seconds. ``overall`` bounds a whole request, so a server that drips bytes cannot hang us."""

    connect: float = 10.0
    read: float = 60.0
    overall: float = 120.0


@dataclass(frozen=True)
class Answer:
    status_code: int
    headers: Mapping[str, str]
    body: bytes


class _LostAnswer(Exception):
    """The request may have reached the server but no usable answer came back."""

    def __init__(self, detail: str, *, sent: bool) -> None:
        super().__init__(detail)
        self.sent = sent


class Exchange:
    """Performs :class:`HttpCall` s for one client; the only code that sends HTTP requests."""

    def __init__(
        self,
        http: httpx.AsyncClient,
        adapter: Adapter,
        *,
        timeouts: Timeouts,
        retry: RetryPolicy,
        max_response_bytes: int,
        secret: str,
        url_secret: str = "",
    ) -> None:
        self._http = http
        self.adapter = adapter
        self.provider = adapter.name
        self.timeouts = timeouts
        self.retry = retry
        self.max_response_bytes = max_response_bytes
        self._secret = secret
        self._url_secret = url_secret  # user:password of the base URL, if it has them

    async def create_once(self, call: HttpCall) -> Answer:
        ref = uuid.uuid4().hex
        attempt = 0
        while True:
            attempt += 1
            try:
                answer = await self._send(call, client_ref=ref)
            except MalformedResponseError as exc:  # an answer too large to read
                raise AmbiguousCreateError(
                    f"the create was sent but its answer is unusable ({exc.message}); the task "
                    "may exist upstream. It was not resent: run resume() to reconcile it",
                    provider=self.provider,
                    status_code=exc.status_code,
                    client_ref=ref,
                ) from None
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
                    f"the create got a server error ({error.message}); the task may exist "
                    "upstream. It was not resent: run resume() to reconcile it",
                    provider=self.provider,
                    status_code=answer.status_code,
                    request_id=error.request_id,
                    client_ref=ref,
                ) from None
            # 429 means the server refused the request: sending it again later is safe.
            if isinstance(error, RateLimitError) and self._may_retry(attempt, error):
                await self.retry.sleep(self.retry.backoff(attempt, error.retry_after))
                continue
            raise error

    async def read(self, call: HttpCall) -> Answer:
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
        if isinstance(error, RateLimitError) and self.retry.max_retry_after <= 0:
            return False  # the caller silences the whole endpoint (see lifecycle.endpoints)
        return error.retry_after is None or error.retry_after <= self.retry.max_retry_after

    def _error(self, answer: Answer) -> ApiError:
        error = self.adapter.parse_error(answer.status_code, answer.body, answer.headers)
        return error

    async def _send(self, call: HttpCall, *, client_ref: str | None = None) -> Answer:
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
        except NOT_SENT as exc:
            raise TransportError(
                f"{call.method} {call.path} could not be sent: {self._scrub(exc)}; nothing left "
                "this machine",
                provider=self.provider,
                repeatable=False,
            ) from None
        except (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout) as exc:
            raise _LostAnswer(self._scrub(exc), sent=False) from None
        except httpx.HTTPError as exc:
            raise _LostAnswer(self._scrub(exc), sent=True) from None
        except (OSError, RuntimeError) as exc:
            # In-process transports surface a dropped connection as the app's own exception.
            raise _LostAnswer(f"connection lost: {type(exc).__name__}", sent=True) from None
        log.debug(
            "%s %s -> %s (%.0f ms)",
            call.method,
            request.url.copy_with(query=None, userinfo=b""),
            answer.status_code,
            (time.monotonic() - started) * 1000,
        )
        return answer

    def _scrub(self, exc: BaseException) -> str:
        """An exception's text with the key cut out (libraries quote the headers they refuse)."""
        text = f"{type(exc).__name__}: {exc}"
        for secret in (self._secret, self._url_secret):
            if len(secret) >= 4:
                text = text.replace(secret, "***").replace(repr(secret)[1:-1], "***")
        password = self._url_secret.partition(":")[2]
        if len(password) >= 4:
            text = text.replace(password, "***")
        return text

    async def _exchange(self, request: httpx.Request) -> Answer:
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
        return _scrubbed(
            Answer(response.status_code, dict(response.headers), b"".join(chunks)), self._secret
        )


def _scrubbed(answer: Answer, secret: str) -> Answer:
    """A server (or a proxy) may echo what it was sent. The key is cut out of every answer as it
    arrives, so no error message, snippet or log line built from the answer can carry it."""
    if len(secret) < 4:
        return answer
    needle = secret.encode()
    if needle not in answer.body and not any(secret in v for v in answer.headers.values()):
        return answer
    headers = {k: v.replace(secret, "***") for k, v in answer.headers.items()}
    return Answer(answer.status_code, headers, answer.body.replace(needle, b"***"))
