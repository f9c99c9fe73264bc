"""Error bodies of the three dialects, and the gateway pages a proxy in front of them might send."""

from __future__ import annotations

import time
import uuid
from typing import Any

from starlette.responses import HTMLResponse, JSONResponse, Response

ARK = "ark"
MAXAPI = "maxapi"
OPENAI = "maxapi-openai"
DIALECTS = (ARK, MAXAPI, OPENAI)

ARK_TYPES = {
    400: "BadRequest",
    401: "Unauthorized",
    403: "Forbidden",
    404: "NotFound",
    429: "TooManyRequests",
    500: "InternalServerError",
}


def new_request_id() -> str:
    """Shaped like ModelArk's: '021' + milliseconds + hex."""
    return f"021{int(time.time() * 1000)}{uuid.uuid4().hex[:24]}"


def ark_error(
    status: int, code: str, message: str, request_id: str, param: str = ""
) -> JSONResponse:
    body = {
        "error": {
            "code": code,
            "message": f"{message} Request id: {request_id}",
            "param": param,
            "type": ARK_TYPES.get(status, "BadRequest"),
        }
    }
    return JSONResponse(body, status_code=status, headers={"X-Request-Id": request_id})


def maxapi_error(code: int, msg: str, data: Any = None) -> JSONResponse:
    """The task API puts the same number in the HTTP status and in ``code``."""
    body: dict[str, Any] = {"code": code, "msg": msg}
    if data is not None:
        body["data"] = data
    return JSONResponse(body, status_code=code)


def openai_error(status: int, message: str, type_: str, code: str) -> JSONResponse:
    return JSONResponse(
        {"error": {"message": message, "type": type_, "code": code}}, status_code=status
    )


MODERATION_CATEGORIES = {
    "sexual": False,
    "violence": True,
    "hate": False,
    "self_harm": False,
    "harassment": False,
}

# kind -> (HTTP status, Ark code, Ark message, task-API message, OpenAI type, OpenAI code)
_KINDS: dict[str, tuple[int, str, str, str, str, str]] = {
    "moderation": (
        400,
        "InputTextSensitiveContentDetected",
        "The request failed because the input text may contain sensitive information.",
        "content rejected by moderation",
        "invalid_request_error",
        "content_policy_violation",
    ),
    "unauthorized": (
        401,
        "AuthenticationError",
        "The API key or AK/SK in the request is missing or invalid.",
        "unauthorized: missing or invalid API key",
        "authentication_error",
        "invalid_api_key",
    ),
    "forbidden": (
        403,
        "AccessDenied",
        "You do not have permission to access this resource.",
        "forbidden",
        "permission_error",
        "forbidden",
    ),
    "rate_limit": (
        429,
        "RateLimitExceeded.EndpointRPMExceeded",
        "The request has exceeded the RPM limit of the endpoint. Please retry later.",
        "rate limit exceeded",
        "rate_limit_error",
        "rate_limit_exceeded",
    ),
    "server_error": (
        500,
        "InternalServiceError",
        "The service encountered an unexpected internal error.",
        "internal server error",
        "server_error",
        "internal_error",
    ),
}


def dialect_error(dialect: str, kind: str, request_id: str) -> JSONResponse:
    """A canned error of one kind (moderation, unauthorized, ...) in a dialect's shape."""
    status, ark_code, ark_message, max_msg, oa_type, oa_code = _KINDS[kind]
    if dialect == ARK:
        return ark_error(status, ark_code, ark_message, request_id)
    if dialect == MAXAPI:
        data = (
            {"flagged": True, "categories": MODERATION_CATEGORIES} if kind == "moderation" else None
        )
        return maxapi_error(status, max_msg, data)
    message = max_msg if kind != "unauthorized" else "Invalid API key provided."
    return openai_error(status, message, oa_type, oa_code)


def gateway_page(status: int) -> HTMLResponse:
    titles = {
        502: "502 Bad Gateway",
        503: "503 Service Temporarily Unavailable",
        504: "504 Gateway Time-out",
    }
    title = titles.get(status, f"{status} Error")
    page = (
        f"<html>\r\n<head><title>{title}</title></head>\r\n<body>\r\n"
        f"<center><h1>{title}</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n"
    )
    return HTMLResponse(page, status_code=status)


def challenge_page(status: int = 200) -> HTMLResponse:
    """What a CDN's bot check or a captive portal returns instead of JSON."""
    page = (
        '<!DOCTYPE html><html lang="en"><head><title>Just a moment...</title></head>'
        "<body><h1>Checking your browser before accessing the API.</h1>"
        "<p>This process is automatic.</p></body></html>"
    )
    return HTMLResponse(page, status_code=status)


def media_expired(style: str, request_id: str) -> Response:
    if style == "tos":
        xml = (
            '<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>AccessDenied</Code>'
            "<Message>Request has expired</Message>"
            f"<RequestId>{request_id}</RequestId><HostId>sim</HostId></Error>"
        )
        return Response(xml, status_code=403, media_type="application/xml")
    return JSONResponse({"error": {"code": "expired", "message": "link expired"}}, status_code=403)


def media_missing(style: str, request_id: str) -> Response:
    if style == "tos":
        xml = (
            '<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>NoSuchKey</Code>'
            "<Message>The specified key does not exist.</Message>"
            f"<RequestId>{request_id}</RequestId><HostId>sim</HostId></Error>"
        )
        return Response(xml, status_code=404, media_type="application/xml")
    return JSONResponse(
        {"error": {"code": "not_found", "message": "no such file"}}, status_code=404
    )
