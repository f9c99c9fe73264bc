"""A batch refused part way says exactly which requests were sent and hands back their group;
"nothing was sent" only when nothing was."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest

from seedance_nb.cost import estimate
from seedance_nb.errors import BudgetExceeded
from seedance_nb.lifecycle import Budget, TaskManager
from seedance_nb.requests import VideoRequest

from .conftest import MakeManager

# Budgets count money: a BytePlus price for seedance-2.0 (none is built in).
pytestmark = pytest.mark.usefixtures("byteplus_price")


def req(i: int) -> VideoRequest:
    return VideoRequest(prompt=f"fox {i}", resolution="480p", duration=4)


@dataclass(frozen=True)
class SharedDay(Budget):
    """The real daily cap, on a history another kernel writes to: that kernel submits an
    expensive task just before our ``spend_before``-th check (a race made deterministic)."""

    other: Any = field(default=None, compare=False)
    spend_before: int = 3
    calls: list[int] = field(default_factory=list, compare=False)

    def guard(self, estimate: Any, *, session: str, now: float):
        self.calls.append(1)
        if len(self.calls) == self.spend_before:
            self.other.submit(VideoRequest(prompt="the other kernel's big one", resolution="1080p",
                                           duration=15), provider="ark")  # fmt: skip
        return super().guard(estimate, session=session, now=now)


async def test_batch_refused_midway_says_what_was_sent(make_manager: MakeManager, sim, tmp_path):
    home = tmp_path / "shared"
    other: TaskManager = make_manager(httpx.ASGITransport(app=sim.app), home=home)
    one = estimate(req(0), "ark").amount
    assert one is not None
    budget = SharedDay(daily=one * 4.5, other=other)  # the batch of 4 fits on its own
    manager = make_manager(httpx.ASGITransport(app=sim.app), home=home, budget=budget)
    with pytest.raises(BudgetExceeded) as caught:
        manager.submit_many([req(i) for i in range(4)], provider="ark")
    exc = caught.value
    group = exc.group
    assert [t.request.prompt for t in group] == ["fox 0"]  # the 1st check is the batch total
    text = str(exc)
    assert "request 2 of 4 was refused" in text and "request 1 was sent" in text
    assert f"#{group[0].uid}" in text and "requests 2-4 were not sent" in text
    assert "nothing was sent" not in text
    await asyncio.wait_for(group._wait_async(), 20)
    assert sim.tasks_created() == 2  # ours, and the other kernel's


async def test_batch_refused_before_anything_says_nothing_was_sent(make_manager: MakeManager, sim):
    one = estimate(req(0), "ark").amount
    manager = make_manager(httpx.ASGITransport(app=sim.app), budget=Budget(daily=one * 2.5))
    with pytest.raises(BudgetExceeded, match="nothing was sent") as caught:
        manager.submit_many([req(i) for i in range(4)], provider="ark")
    assert not hasattr(caught.value, "group")
    assert sim.tasks_created() == 0
