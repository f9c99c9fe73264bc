"""Reading optional request fields: JSON null means "not given", wrong types are refused."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, TypeGuard


class Invalid(ValueError):
    """A refused request field. ``message`` is worded as ModelArk words it; ``why`` is bare."""

    def __init__(
        self,
        message: str,
        param: str = "",
        code: str = "InvalidParameter",
        status: int = 400,
        why: str | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.param = param
        self.code = code
        self.status = status
        self.why = why or message


def invalid(param: str, why: str) -> Invalid:
    message = f"The parameter `{param}` specified in the request is not valid: {why}."
    return Invalid(message, param=param, why=f"{param}: {why}")


def missing(param: str) -> Invalid:
    message = (
        f"The request failed because it is missing one or multiple required parameters: `{param}`."
    )
    return Invalid(message, param=param, code="MissingParameter", why=f"{param} is required")


def opt_bool(body: dict[str, Any], key: str, default: bool) -> bool:
    value = body.get(key)
    if value is None:
        return default
    if not isinstance(value, bool):
        raise invalid(key, "must be a boolean")
    return value


def is_int(value: Any) -> TypeGuard[int]:
    return isinstance(value, int) and not isinstance(value, bool)


def opt_int(
    body: dict[str, Any],
    key: str,
    default: Any = None,
    low: int | None = None,
    high: int | None = None,
) -> Any:
    value = body.get(key)
    if value is None:
        return default
    if not is_int(value):
        raise invalid(key, "must be an integer")
    if (low is not None and value < low) or (high is not None and value > high):
        raise invalid(key, f"must be within [{low}, {high}]")
    return value


def opt_str(body: dict[str, Any], key: str) -> str | None:
    value = body.get(key)
    if value is None:
        return None
    if not isinstance(value, str):
        raise invalid(key, "must be a string")
    return value


def opt_enum(body: dict[str, Any], key: str, allowed: Sequence[str]) -> str | None:
    value = opt_str(body, key)
    if value is not None and value not in allowed:
        raise invalid(key, f"must be one of {', '.join(allowed)}")
    return value
