"""Spending caps, checked against the estimate before anything is sent.

A cap per session (this kernel's task manager) and per calendar day (local time, all kernels
sharing the history), in money and/or in tokens. Money caps are in ``currency`` (by default the
currency of each request's price); spend in another currency is converted with a rate you set
(``rates={"CNY": 0.14}``: USD per yuan) or, without one, the request is refused: never ignored. The check and the
insert of the request row happen in one transaction that no other insert can interleave with
(SQLite: ``BEGIN IMMEDIATE``; PostgreSQL: a transaction-scoped advisory lock), so two kernels, or
every member of a team on a shared history, cannot both squeeze under the same cap. A refusal raises :class:`~seedance_nb.errors.BudgetExceeded` and
sends nothing.

Caps come from the argument, else ``SEEDANCE_BUDGET_SESSION``, ``SEEDANCE_BUDGET_DAILY``,
``SEEDANCE_BUDGET_SESSION_TOKENS``, ``SEEDANCE_BUDGET_DAILY_TOKENS``, ``SEEDANCE_BUDGET_CURRENCY``
and ``SEEDANCE_BUDGET_RATES`` (``CNY=0.14,EUR=1.08``), read when the manager is made.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from ..errors import BudgetExceeded, ConfigError
from .history_store import Guard, Query

# Tasks in these states were not billed (FACTS §6: failed and moderated generations are free),
# unless the provider reported usage for them.
_UNBILLED = ("failed", "cancelled", "expired")


@dataclass(frozen=True)
class Budget:
    """Caps; ``None`` means no cap. Money caps are in ``currency``; ``rates`` convert other
    currencies into it (units of ``currency`` per unit of the key).

    >>> TaskManager(budget=Budget(session=5.0, daily=20.0, currency="USD", rates={"CNY": 0.14}))
    """

    session: float | None = None
    daily: float | None = None
    session_tokens: int | None = None
    daily_tokens: int | None = None
    currency: str | None = None  # None: the currency of each request's price
    rates: Mapping[str, float] = field(default_factory=dict)

    def convert(self, amount: float, currency: str | None, into: str | None) -> float:
        """``amount`` in ``currency`` expressed in ``into`` (the caps' currency); raises
        :class:`BudgetExceeded` when no rate converts it (spend is never silently ignored)."""
        if currency is None or into is None or currency.upper() == into.upper():
            return amount
        if self.currency is not None and into.upper() == self.currency.upper():
            rate = {k.upper(): v for k, v in self.rates.items()}.get(currency.upper())
            if rate is not None:
                return amount * rate
        raise BudgetExceeded(
            f"money in {currency} cannot be checked against a cap in {into}: no rate converts "
            f"it; nothing was sent. Fix: Budget(..., currency={into!r}, rates={{{currency!r}: "
            f"<{into} per {currency}>}}) or SEEDANCE_BUDGET_RATES={currency}=<rate>"
        )

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Budget:
        env = os.environ if env is None else env

        def number(name: str) -> float | None:
            raw = env.get(name)
            if not raw:
                return None
            try:
                return float(raw)
            except ValueError:
                raise ConfigError(f"{name}={raw!r} is not a number. Fix: e.g. {name}=5") from None

        rates = {}
        for item in filter(None, (env.get("SEEDANCE_BUDGET_RATES") or "").split(",")):
            name, _, value = item.partition("=")
            try:
                rates[name.strip().upper()] = float(value)
            except ValueError:
                raise ConfigError(
                    f"SEEDANCE_BUDGET_RATES has {item!r}, not CUR=rate. Fix: e.g. CNY=0.14,EUR=1.08"
                ) from None
        session_tokens = number("SEEDANCE_BUDGET_SESSION_TOKENS")
        daily_tokens = number("SEEDANCE_BUDGET_DAILY_TOKENS")
        return cls(
            session=number("SEEDANCE_BUDGET_SESSION"),
            daily=number("SEEDANCE_BUDGET_DAILY"),
            session_tokens=int(session_tokens) if session_tokens is not None else None,
            daily_tokens=int(daily_tokens) if daily_tokens is not None else None,
            currency=(env.get("SEEDANCE_BUDGET_CURRENCY") or "").strip().upper() or None,
            rates=rates,
        )

    @property
    def active(self) -> bool:
        return any(v is not None for v in (self.session, self.daily, self.session_tokens,
                                            self.daily_tokens))  # fmt: skip

    def guard(self, estimate: Any, *, session: str, now: float) -> Guard | None:
        """A check to run inside the insert's transaction, or None when no cap is set."""
        if not self.active:
            return None
        amount = getattr(estimate, "amount", None)
        tokens = getattr(estimate, "tokens", None)
        priced_in = getattr(estimate, "currency", None)
        currency = self.currency or priced_in  # the caps' currency
        money_cap = self.session is not None or self.daily is not None
        if money_cap and amount is not None:
            amount = self.convert(amount, priced_in, currency)
        if (self.session is not None or self.daily is not None) and amount is None:
            raise BudgetExceeded(
                "a spending cap is set but this request has no price estimate, so the cap "
                "cannot be checked; nothing was sent. Fix: set a price table, or use a token "
                "cap (Budget(session_tokens=...)) instead"
            )
        if (self.session_tokens is not None or self.daily_tokens is not None) and tokens is None:
            raise BudgetExceeded(
                "a token cap is set but this request has no token estimate; nothing was sent"
            )
        day_start = datetime.fromtimestamp(now).replace(hour=0, minute=0, second=0, microsecond=0)

        def check(query: Query) -> None:
            for label, cap, cap_tokens, scope in (
                ("session", self.session, self.session_tokens, session),
                ("daily", self.daily, self.daily_tokens, None),
            ):
                if cap is None and cap_tokens is None:
                    continue
                since = 0.0 if scope is not None else day_start.timestamp()
                spent, spent_tokens = _spent(
                    query,
                    since=since,
                    session=scope,
                    convert=(lambda a, c: self.convert(a, c, currency))
                    if cap is not None
                    else None,
                )
                if cap is not None and amount is not None and spent + amount > cap + 1e-9:
                    unit = currency or "(no currency)"
                    raise BudgetExceeded(
                        f"{label} cap {cap:g} {unit} would be passed: {spent:.4g} {unit} already "
                        f"committed + {amount:.4g} {unit} estimated for this request; nothing "
                        "was sent"
                    )
                if (
                    cap_tokens is not None
                    and tokens is not None
                    and (spent_tokens + tokens > cap_tokens)
                ):
                    raise BudgetExceeded(
                        f"{label} token cap {cap_tokens} would be passed: {spent_tokens} already "
                        f"committed + {tokens} estimated for this request; nothing was sent"
                    )

        return check


def _spent(
    query: Query,
    *,
    since: float,
    session: str | None,
    convert: Callable[[float, str | None], float] | None,
) -> tuple[float, int]:
    """Money (through ``convert``, which raises for a currency it cannot convert) and tokens
    committed since ``since``: actual figures where known, estimates otherwise; tasks that ended
    unbilled are left out."""
    sql = (
        "SELECT currency, COALESCE(cost, estimated_cost), COALESCE(tokens, estimated_tokens) "
        "FROM tasks WHERE submitted_at >= :since "
        f"AND NOT (COALESCE(status, '') IN {_UNBILLED!r} AND cost IS NULL AND tokens IS NULL) "
        "AND create_state NOT IN ('refused', 'not_sent')"
    )
    params: dict[str, Any] = {"since": since}
    if session is not None:
        sql += " AND session = :session"
        params["session"] = session
    money = 0.0
    tokens = 0
    for row_currency, row_amount, row_tokens in query(sql, params):
        if row_amount is not None and convert is not None:
            money += convert(float(row_amount), row_currency)
        tokens += int(row_tokens or 0)
    return money, tokens


def cost_from_row(row: Mapping[str, Any], tokens: int) -> float | None:
    """Money a finished task cost, from its history row: the estimate scaled by the tokens
    actually used (token pricing), or the estimate itself (per-generation / per-image pricing)."""
    amount, expected = row.get("estimated_cost"), row.get("estimated_tokens")
    if amount is None:
        return None
    if not _billed_per_token(str(row.get("provider") or ""), row.get("model")):
        return float(amount)
    return float(amount) * tokens / expected if expected else None


def _billed_per_token(provider: str, model: str | None) -> bool:
    try:
        from .. import catalog
        from ..cost import default_prices

        spec = catalog.resolve(model or "", provider)
        price = default_prices().get(provider, spec.short)
    except Exception:
        return True
    return price is None or (price.per_generation is None and price.per_image is None)
