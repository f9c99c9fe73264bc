"""Prices: a table per region and model, with its source and date, that a user file can extend.

ModelArk is two regions with two currencies: BytePlus bills in USD, Volcengine in CNY. The region
follows the base URL (``volcengine=True`` for ``*.volces.com``), so a BytePlus user is never shown a
Volcengine yuan price. The other dialects are regions of their own (``maxapi``, ``maxapi-openai``).

A user's own prices go in ``prices.toml`` in the config folder (``seedance_nb.user_files``); they
win over the built-in ones::

    [[price]]
    region = "byteplus"          # byteplus, volcengine, maxapi or maxapi-openai
    model = "seedance-2.0"
    currency = "USD"
    per_million_tokens = 7.0     # or per_generation / per_image
    source = "my invoice"
    date = "2026-11-01"

>>> region("ark", volcengine=True), region("ark"), region("maxapi")
('volcengine', 'byteplus', 'maxapi')
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields, replace
from typing import Any

from . import errors, user_files

ARK_REGIONS = ("byteplus", "volcengine")
REGIONS = (*ARK_REGIONS, "maxapi", "maxapi-openai")
# The built-in prices are from secondary sources (FACTS §6), which carry no date of their own:
# they were gathered in 2026 for these model versions, and may be stale.
_FACTS_DATE = "gathered 2026, undated sources"


def region(provider: str, *, volcengine: bool = False) -> str:
    """Where a request is billed: the ModelArk region, or the dialect itself."""
    if provider == "ark":
        return "volcengine" if volcengine else "byteplus"
    return provider


@dataclass(frozen=True)
class Price:
    """How one model is billed in one region. Unset prices are unknown, not free."""

    currency: str = "USD"
    per_million_tokens: float | None = None
    per_million_tokens_video_input: float | None = None  # 2.0 family, when a video is referenced
    per_million_tokens_silent: float | None = None  # 1.5 pro with generate_audio=False
    per_generation: float | None = None
    per_image: float | None = None
    note: str = ""
    source: str = ""
    date: str = ""

    def basis(self) -> str:
        """Where the price comes from and when, in words: "FACTS §6 (…), 2026-05"."""
        return ", ".join(b for b in (self.source or self.note or "unknown source", self.date) if b)


class PriceTable:
    """Prices per ``(region, model short name)``; immutable, so tables can be shared.

    ``with_price("ark", ...)`` sets the price in both ModelArk regions.

    >>> table = PriceTable.default().with_price("maxapi", "seedance-2.0", per_generation=0.6)
    >>> table.get("maxapi", "seedance-2.0").per_generation
    0.6
    """

    def __init__(self, prices: Mapping[tuple[str, str], Price] | None = None) -> None:
        self._prices = dict(prices or {})

    @classmethod
    def default(cls) -> PriceTable:
        """The built-in prices (FACTS §6; secondary sources, possibly stale)."""

        def facts(source: str, currency: str, *args: Any, **kwargs: Any) -> Price:
            sourced = f"{source} via FACTS §6 (secondary, may be stale)"
            return replace(Price(currency, *args, **kwargs), source=sourced, date=_FACTS_DATE)

        return cls(
            {
                ("volcengine", "seedance-2.0"): facts("crazyrouter.com", "CNY", 46.0, 28.0),
                ("volcengine", "seedance-2.0-fast"): facts("crazyrouter.com", "CNY", 37.0, 22.0),
                ("volcengine", "seedance-1.0-pro"): facts("public Ark client code", "CNY", 15.0),
                ("byteplus", "seedance-1.5-pro"): facts(
                    "a BytePlus docs mirror", "USD", 2.4, per_million_tokens_silent=1.2
                ),
                ("byteplus", "seedance-1.0-pro"): facts("a BytePlus docs mirror", "USD", 2.5),
                ("maxapi-openai", "seedance-2.0-fast"): Price(
                    "USD", per_generation=0.45, source="seed 003 (route mix)", date="seed 003"
                ),
            }
        )

    def get(self, where: str, model: str) -> Price | None:
        """The price of ``model`` (short name) in a region, or ``None`` when unknown.

        ``where`` is a region, or ``"ark"``, which means BytePlus (ModelArk's default host).
        """
        if where == "ark":
            where = "byteplus"
        return self._prices.get((where, model))

    def with_price(self, where: str, model: str, **changes: Any) -> PriceTable:
        """A copy with the price of ``model`` in ``where`` set or changed (fields of :class:`Price`)."""
        table = dict(self._prices)
        for key in ARK_REGIONS if where == "ark" else (where,):
            current = table.get((key, model), Price(source="set by user"))
            table[(key, model)] = replace(current, **changes)
        return PriceTable(table)

    def entries(self) -> dict[tuple[str, str], Price]:
        """Every ``(region, model) -> Price`` of the table."""
        return dict(self._prices)

    def with_user_file(self) -> PriceTable:
        """This table with the prices of the user's ``prices.toml`` on top."""
        document = user_files.read(user_files.PRICES_FILE)
        table = dict(self._prices)
        for number, entry in enumerate(document.get("price", []), start=1):
            key, price = _entry(entry, number)
            table[key] = price
        return PriceTable(table)


_FIELDS = {f.name for f in fields(Price)}


def _entry(entry: Any, number: int) -> tuple[tuple[str, str], Price]:
    where = f"{user_files.shown(user_files.PRICES_FILE)}, price #{number}"
    if not isinstance(entry, dict):
        raise errors.ConfigError(f"{where} is not a table. Fix: write it as [[price]] with keys")
    entry = dict(entry)
    place, model = entry.pop("region", None), entry.pop("model", None)
    if place not in REGIONS or not isinstance(model, str):
        raise errors.ConfigError(
            f"{where} needs region (one of {', '.join(REGIONS)}) and model. "
            'Fix: add e.g. region = "byteplus" and model = "seedance-2.0"'
        )
    unknown = sorted(set(entry) - _FIELDS)
    if unknown:
        raise errors.ConfigError(
            f"{where} has unknown keys {', '.join(unknown)}. Fix: use {', '.join(sorted(_FIELDS))}"
        )
    entry.setdefault("source", f"your {user_files.PRICES_FILE}")
    entry["date"] = str(entry.get("date", ""))
    return (place, model), Price(**entry)
