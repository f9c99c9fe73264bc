"""The one error tree of seedance_nb.

Every exception the package raises on purpose derives from :class:`SeedanceError`::

    SeedanceError
    ├── ValidationError          a request the API would refuse, caught locally (nothing sent)
    ├── ConfigError              missing/invalid settings (unknown provider, bad base URL, ...)
    ├── BudgetExceeded           the estimate would pass a configured spending cap (nothing sent)
    ├── UnsupportedOperation     the dialect cannot do this (e.g. cancel a running task)
    ├── TransportError           no usable HTTP answer (connect/read timeout, reset, deadline)
    │   └── AmbiguousCreateError a create whose answer was lost: it may or may not exist upstream
    ├── ApiError                 the provider answered with an error
    │   ├── BadRequestError      400 / 422 (incl. moderation at create)
    │   ├── AuthenticationError  401
    │   ├── PermissionDeniedError 403
    │   ├── NotFoundError        404
    │   ├── ConflictError        409
    │   ├── RateLimitError       429 (``retry_after`` seconds when the server said)
    │   ├── ServerError          5xx
    │   └── MalformedResponseError 2xx/any body that is not the documented shape
    ├── DownloadError            a result file could not be saved (size, type, expired URL)
    ├── HistoryError             the history database is corrupt, locked or not writable
    ├── TaskFailed               a task ended failed/expired/cancelled (raised by ``Task.result``)
    └── TaskNotFound             no task by that uid or id in this session or its history

Errors carry what they are about: ``provider``, ``status_code``, ``code`` (the provider's error
code), ``request_id`` and, where relevant, ``task_id``. Messages never contain API keys.
"""

from __future__ import annotations

from typing import Any


class SeedanceError(Exception):
    """Root of every error this package raises on purpose."""


class ValidationError(SeedanceError, ValueError):
    """A request refused locally, before any HTTP request. ``problems`` lists each rule broken."""

    def __init__(self, problems: list[Any]) -> None:
        self.problems = list(problems)
        lines = [str(p) for p in self.problems]
        head = "request refused locally, nothing was sent"
        super().__init__(head + ":\n" + "\n".join(f"  - {line}" for line in lines))


class ConfigError(SeedanceError):
    """Settings that cannot work; the message names the setting and how to fix it."""


class BudgetExceeded(SeedanceError):
    """The request's estimated cost would pass a spending cap; nothing was sent."""


class UnsupportedOperation(SeedanceError):
    """The chosen API dialect cannot do this."""


class TransportError(SeedanceError):
    """No usable HTTP answer arrived (timeouts, resets, overall deadline).

    ``status_code`` and ``request_id`` are set when an answer did arrive but could not be used.
    ``repeatable`` is False when the request itself cannot be sent (refused by the HTTP library
    before any byte left): sending it again would fail the same way.
    """

    def __init__(
        self,
        message: str,
        *,
        provider: str | None = None,
        status_code: int | None = None,
        request_id: str | None = None,
        repeatable: bool = True,
    ) -> None:
        self.repeatable = repeatable
        self.message = message
        self.provider = provider
        self.status_code = status_code
        self.request_id = request_id
        super().__init__(_with_context(message, provider, status_code, None, request_id, None))


class AmbiguousCreateError(TransportError):
    """A create was sent but its answer was lost; the task may exist upstream.

    Never resent automatically: reconcile through the provider's list endpoint (``resume``) or
    decide by hand.
    """

    def __init__(
        self,
        message: str,
        *,
        provider: str | None = None,
        status_code: int | None = None,
        request_id: str | None = None,
        client_ref: str | None = None,
    ) -> None:
        super().__init__(message, provider=provider, status_code=status_code, request_id=request_id)
        self.client_ref = client_ref


def _with_context(
    message: str,
    provider: str | None,
    status_code: int | None,
    code: str | None,
    request_id: str | None,
    task_id: str | None,
) -> str:
    bits = [f"provider={provider}"] if provider else []
    if status_code is not None:
        bits.append(f"HTTP {status_code}")
    if code:
        bits.append(f"code={code}")
    if request_id:
        bits.append(f"request_id={request_id}")
    if task_id:
        bits.append(f"task_id={task_id}")
    return f"{message} ({', '.join(bits)})" if bits else message


class ApiError(SeedanceError):
    """The provider answered with an error."""

    def __init__(
        self,
        message: str,
        *,
        provider: str,
        status_code: int | None = None,
        code: str | None = None,
        request_id: str | None = None,
        task_id: str | None = None,
        retry_after: float | None = None,
    ) -> None:
        from .callbacks.tokens import redact  # a provider may quote the callback URL it refuses

        self.message = redact(message)
        self.provider = provider
        self.status_code = status_code
        self.code = code
        self.request_id = request_id
        self.task_id = task_id
        self.retry_after = retry_after
        super().__init__(self._format())

    def _format(self) -> str:
        return _with_context(
            self.message, self.provider, self.status_code, self.code, self.request_id, self.task_id
        )


class BadRequestError(ApiError):
    """400/422: the provider refused the request (including moderation at create)."""


class AuthenticationError(ApiError):
    """401: the API key is missing or invalid."""


class PermissionDeniedError(ApiError):
    """403: the account may not do this (overdue, model not enabled, ...)."""


class NotFoundError(ApiError):
    """404: no such task, model or endpoint."""


class ConflictError(ApiError):
    """409."""


class RateLimitError(ApiError):
    """429: slow down; ``retry_after`` is the server's hint in seconds, when it gave one."""


class ServerError(ApiError):
    """5xx from the provider or a gateway in front of it."""


class MalformedResponseError(ApiError):
    """A body that is not the documented shape (HTML error page, truncated JSON, wrong types)."""


class HistoryError(SeedanceError):
    """The history database cannot be used (corrupt, locked, read-only, not a folder).

    Raised before anything is sent: without a durable row a paid task could be lost. ``path``
    names the file; the message says how to fix it.
    """

    def __init__(self, message: str, *, path: str | None = None) -> None:
        super().__init__(message)
        self.path = path


class TaskFailed(SeedanceError):
    """A task ended without success; ``task_id``, ``status``, ``code`` say how."""

    def __init__(self, message: str, *, task_id: str, status: str, code: str | None = None):
        super().__init__(message)
        self.task_id = task_id
        self.status = status
        self.code = code


class TaskNotFound(SeedanceError, KeyError):
    """No task with that uid (``12``, ``"#12"``) or provider task id in this session or history.

    Also a ``KeyError``, so ``except KeyError`` around a lookup keeps working.
    """

    def __init__(self, ref: object, where: str) -> None:
        super().__init__(ref)
        self.ref = ref
        self.where = where

    def __str__(self) -> str:  # KeyError would quote the whole message
        return (
            f"no task {self.ref!r} in this session or in {self.where} "
            "(`seedance history` or `sd.history()` lists the tasks there)"
        )


def error_for_status(status_code: int) -> type[ApiError]:
    """The ApiError subclass that stands for an HTTP status."""
    if status_code in (400, 422):
        return BadRequestError
    return {
        401: AuthenticationError,
        403: PermissionDeniedError,
        404: NotFoundError,
        409: ConflictError,
        429: RateLimitError,
    }.get(status_code, ServerError if status_code >= 500 else ApiError)


class DownloadError(SeedanceError):
    """A result file could not be saved: too big, wrong type or signature, or the URL expired.

    ``expired`` is True when the URL is past its expiry (HTTP 403/404/410 from the file host);
    ``oversized`` when the file is larger than the cap (trying again would not help).
    """

    def __init__(
        self,
        message: str,
        *,
        url_host: str | None = None,
        expired: bool = False,
        oversized: bool = False,
    ):
        super().__init__(message)
        self.url_host = url_host
        self.expired = expired
        self.oversized = oversized
