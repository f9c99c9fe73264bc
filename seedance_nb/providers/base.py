"""What every dialect adapter shares: the shape of an HTTP call, of a create's answer, and parsing.

Adapters do no I/O. They turn a request into an :class:`HttpCall` and a response body into the
common vocabulary of :mod:`seedance_nb.status`; the client performs the calls.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import TYPE_CHECKING, Any, Protocol, Union
from urllib.parse import parse_qs, urlsplit

from ..errors import ApiError, MalformedResponseError, error_for_status
from ..status import Status, TaskSnapshot
from .headers import RETRY_AFTER_CAP, asked_retry_after, header, retry_after

if TYPE_CHECKING:
    from ..materials import Material
    from ..requests import ImageRequest, VideoRequest

# The requests module imports nothing from here, but keep adapters importable on their own.
AnyRequest = Union["VideoRequest", "ImageRequest"]


@dataclass(frozen=True)
class HttpCall:
    """One HTTP request, described but not performed."""

    method: str
    path: str
    params: tuple[tuple[str, str], ...] = ()
    json: dict[str, Any] | None = None
    idempotent: bool = True


@dataclass(frozen=True)
class CreateResult:
    """The answer to a create: a task id, and a finished snapshot when the API answered at once."""

    task_id: str
    snapshot: TaskSnapshot | None = None


class Adapter(Protocol):
    """One API dialect: field mapping and status mapping, nothing else."""

    name: str
    key_env: str
    default_base_url: str
    can_cancel: frozenset[Status]
    has_list: bool

    def build_create(self, request: AnyRequest, *, callback_url: str | None = None) -> HttpCall: ...
    def parse_create(self, body: Any, request: AnyRequest) -> CreateResult: ...
    def build_get(self, task_id: str) -> HttpCall: ...
    def parse_task(self, body: Any) -> TaskSnapshot: ...
    def build_list(
        self,
        *,
        task_ids: list[str] | None = None,
        status: Status | None = None,
        model: str | None = None,
        page_size: int = 100,
        page_num: int = 1,
    ) -> HttpCall | None: ...
    def parse_list(self, body: Any) -> list[TaskSnapshot]: ...
    def build_cancel(self, task_id: str) -> HttpCall | None: ...
    def parse_error(
        self, status_code: int, body: bytes, headers: Mapping[str, str]
    ) -> ApiError: ...


def _no_constants(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def decode_json(body: bytes, *, provider: str, status_code: int | None = None) -> Any:
    """Parse a JSON body strictly; anything else is a :class:`MalformedResponseError`.

    A UTF-8 byte-order mark is tolerated (it changes nothing about the data); NaN/Infinity,
    truncated documents and HTML pages are not.
    """
    text = body.decode("utf-8-sig", errors="replace").strip()
    if not text:
        raise MalformedResponseError(
            "empty response body", provider=provider, status_code=status_code
        )
    if text.startswith("<"):
        raise MalformedResponseError(
            f"expected JSON, got an HTML/XML page: {_snippet(text)}",
            provider=provider,
            status_code=status_code,
        )
    try:
        return json.loads(text, parse_constant=_no_constants)
    except ValueError as exc:
        raise MalformedResponseError(
            f"response is not valid JSON ({exc}): {_snippet(text)}",
            provider=provider,
            status_code=status_code,
        ) from None


def _snippet(text: str, limit: int = 120) -> str:
    flat = re.sub(r"\s+", " ", text)
    return flat if len(flat) <= limit else flat[:limit] + "…"


def require_dict(value: Any, what: str, *, provider: str) -> dict[str, Any]:
    """``value`` if it is a JSON object, else a MalformedResponseError naming ``what``."""
    if not isinstance(value, dict):
        raise MalformedResponseError(
            f"{what} should be a JSON object, got {type(value).__name__}", provider=provider
        )
    return value


def opt_str(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None


def opt_id(value: Any) -> str | None:
    """A task id as written: a non-empty string, or a whole number (some gateways send ids as
    JSON numbers; a paid task must not be orphaned over its id's type)."""
    if isinstance(value, str):
        return value.strip() or None
    if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
        return str(value)
    return None


def envelope_code(value: Any) -> int | None:
    """An envelope's ``code`` as a number whether written ``500`` or ``"500"``; None otherwise."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().lstrip("-").isdigit():
        return int(value.strip())
    return None


def opt_int(value: Any) -> int | None:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return int(value)


def parse_time(value: Any) -> datetime | None:
    """Unix seconds (Ark) or ISO-8601 strings (task API) → aware UTC datetime."""
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)) and math.isfinite(value):
        return datetime.fromtimestamp(value, tz=timezone.utc)
    if isinstance(value, str) and value:
        try:
            parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            return None
        return parsed if parsed.tzinfo else parsed.replace(tzinfo=timezone.utc)
    return None


def url_expiry(url: str, fallback: datetime | None, ttl: timedelta) -> datetime | None:
    """When a result URL stops working: from a TOS-style signature if present, else fallback+ttl."""
    query = parse_qs(urlsplit(url).query)
    expires = query.get("X-Tos-Expires") or query.get("X-Amz-Expires")
    signed = query.get("X-Tos-Date") or query.get("X-Amz-Date")
    if expires and signed:
        try:
            start = datetime.strptime(signed[0], "%Y%m%dT%H%M%SZ").replace(tzinfo=timezone.utc)
            return start + timedelta(seconds=int(expires[0]))
        except ValueError:
            pass
    return fallback + ttl if fallback else None


def map_status(raw: Any, table: Mapping[str, Status]) -> Status:
    """A provider's status word → :class:`Status`; anything unrecognised is UNKNOWN."""
    if not isinstance(raw, str):
        return Status.UNKNOWN
    return table.get(raw.strip().lower(), Status.UNKNOWN)


_REQUEST_ID_IN_TEXT = re.compile(r"request[ _-]?id[:=\s]+([A-Za-z0-9_-]{6,})", re.IGNORECASE)


def build_error(
    *,
    provider: str,
    status_code: int,
    message: str,
    code: str | None,
    headers: Mapping[str, str],
) -> ApiError:
    """Typed ApiError with the request id taken from headers or, failing that, the message."""
    request_id = header(headers, "x-request-id") or header(headers, "x-tt-logid")
    if not request_id:
        found = _REQUEST_ID_IN_TEXT.search(message)
        request_id = found.group(1) if found else None
    cls = error_for_status(status_code)
    asked = asked_retry_after(headers)
    if asked is not None and asked > RETRY_AFTER_CAP:
        message = (
            f"{message or f'HTTP {status_code}'} (Retry-After asked for {asked:.0f} s; "
            f"waiting {RETRY_AFTER_CAP:.0f} s, the cap, before asking again)"
        )
    return cls(
        message or f"HTTP {status_code}",
        provider=provider,
        status_code=status_code,
        code=code,
        request_id=request_id,
        retry_after=retry_after(headers),
    )


def error_from_body(
    *, provider: str, status_code: int, body: bytes, headers: Mapping[str, str]
) -> ApiError:
    """Best-effort error for bodies of the shape ``{"error": {"code", "message"}}`` or not JSON."""
    try:
        data = decode_json(body, provider=provider, status_code=status_code)
    except MalformedResponseError as exc:
        return build_error(
            provider=provider,
            status_code=status_code,
            message=exc.message,
            code=None,
            headers=headers,
        )
    err = data.get("error") if isinstance(data, dict) else None
    if isinstance(err, dict):
        message = opt_str(err.get("message")) or ""
        code = opt_str(err.get("code")) or opt_str(err.get("type"))
    elif isinstance(data, dict):
        message = opt_str(data.get("msg")) or opt_str(data.get("message")) or ""
        code = str(data["code"]) if data.get("code") not in (None, 0) else None
    else:
        message, code = "", None
    return build_error(
        provider=provider, status_code=status_code, message=message, code=code, headers=headers
    )


def material_url(material: Material) -> str:
    """What a dialect puts on the wire for a material: its URL, or a data URL for local content."""
    return material.url_or_none or material.to_data_url()


def drop_none(data: dict[str, Any]) -> dict[str, Any]:
    """Unset options are left out of bodies (the API's defaults apply)."""
    return {key: value for key, value in data.items() if value is not None}


def sub(data: dict[str, Any], key: str) -> dict[str, Any]:
    """``data[key]`` when it is a JSON object, else an empty dict (absent or null fields)."""
    value = data.get(key)
    return value if isinstance(value, dict) else {}


def items(data: dict[str, Any], key: str) -> list[Any]:
    """``data[key]`` when it is a JSON array, else an empty list."""
    value = data.get(key)
    return value if isinstance(value, list) else []
