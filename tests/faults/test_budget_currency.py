"""Budget caps name their currency; spend in another currency is converted with a rate the user
set, or refused: never silently left out of the sum."""

from __future__ import annotations

import asyncio
from pathlib import Path

import httpx
import pytest

from seedance_nb.cost import estimate
from seedance_nb.errors import BudgetExceeded
from seedance_nb.lifecycle import Budget
from seedance_nb.requests import VideoRequest

from .conftest import MakeManager

BASE = "http://127.0.0.1:9/api/v3"


@pytest.fixture(autouse=True)
def cny_price(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The simulator answers at a BytePlus-style address, where Seedance 2.0 has no built-in
    price: a user's price file bills it in CNY (as a Volcengine account or a CNY proxy would),
    while 1.5 pro keeps BytePlus's built-in USD price. Two currencies in one history."""
    folder = tmp_path / "config"
    folder.mkdir(exist_ok=True)
    (folder / "prices.toml").write_text(
        '[[price]]\nregion = "byteplus"\nmodel = "seedance-2.0"\ncurrency = "CNY"\n'
        "per_million_tokens = 46.0\n"
    )
    monkeypatch.setenv("SEEDANCE_CONFIG_DIR", str(folder))


def in_cny() -> VideoRequest:  # priced in CNY (the user's price file above)
    return VideoRequest(model="seedance-2.0", prompt="a fox", resolution="480p", duration=4)


def in_usd() -> VideoRequest:  # priced in USD (BytePlus price)
    return VideoRequest(model="seedance-1.5-pro", prompt="a fox", resolution="480p", duration=5)


def test_the_estimates_really_are_in_two_currencies():
    assert estimate(in_cny(), "ark").currency == "CNY"
    assert estimate(in_usd(), "ark").currency == "USD"


async def test_spend_in_another_currency_is_not_ignored(make_manager: MakeManager, sim):
    """A USD task is already committed; the next request is priced in CNY. Today the USD spend
    simply vanishes from the sum; it must be converted or the request refused."""
    manager = make_manager(httpx.ASGITransport(app=sim.app))
    first = manager.submit(in_usd(), provider="ark")
    await asyncio.wait_for(first._wait_async(None), 20)
    manager.budget = Budget(session=10_000.0)  # generous, in the request's currency
    with pytest.raises(BudgetExceeded) as caught:
        manager.submit(in_cny(), provider="ark")
    text = str(caught.value)
    assert "USD" in text and "CNY" in text and "rates" in text and "nothing was sent" in text
    assert sim.tasks_created() == 1


def test_a_rate_converts_and_the_cap_names_its_currency(make_manager: MakeManager, sim):
    cny = estimate(in_cny(), "ark").amount
    assert cny is not None
    rate = 0.14
    cap = cny * rate * 1.5  # one converted task fits, two do not; unconverted, not even one
    manager = make_manager(httpx.ASGITransport(app=sim.app),
                           budget=Budget(session=cap, currency="USD", rates={"CNY": rate}))  # fmt: skip
    manager.submit(in_cny(), provider="ark")
    with pytest.raises(BudgetExceeded) as caught:
        manager.submit(in_cny(), provider="ark")
    text = str(caught.value)
    assert f"session cap {cap:g} USD" in text and "CNY" not in text.split("would")[0]


def test_no_rate_for_the_requests_currency_is_refused(make_manager: MakeManager, sim):
    manager = make_manager(httpx.ASGITransport(app=sim.app),
                           budget=Budget(session=1000.0, currency="USD"))  # fmt: skip
    with pytest.raises(BudgetExceeded, match=r"CNY.*USD|USD.*CNY"):
        manager.submit(in_cny(), provider="ark")
    assert sim.tasks_created() == 0


def test_rates_from_the_environment():
    budget = Budget.from_env({"SEEDANCE_BUDGET_SESSION": "5", "SEEDANCE_BUDGET_CURRENCY": "usd",
                              "SEEDANCE_BUDGET_RATES": "CNY=0.14, EUR=1.08"})  # fmt: skip
    assert budget.currency == "USD" and budget.rates == {"CNY": 0.14, "EUR": 1.08}
    assert budget.convert(100.0, "CNY", "USD") == pytest.approx(14.0)
