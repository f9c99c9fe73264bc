"""The polling-lease and account-queue calls of the History contract, on both backends."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest

from seedance_nb.lifecycle import open_history
from seedance_nb.lifecycle.history_store import HistoryStore

NOW = time.time()
ARK = ("ark", "https://ark.example/api/v3")


def _row(**changes: Any) -> dict[str, Any]:
    row: dict[str, Any] = {
        "provider": ARK[0], "base_url": ARK[1], "simulated": False, "kind": "video",
        "model": "seedance-2.0", "mode": "text", "prompt": "a fox", "params": "{}",
        "tags": [], "phase": "polling", "create_state": "acknowledged", "status": "queued",
        "submitted_at": NOW, "updated_at": NOW, "session": "s1", "owner": "host:1:a",
    }  # fmt: skip
    row.update(changes)
    return row


@pytest.fixture
def store(history_url: str) -> Iterator[HistoryStore]:
    history = open_history(history_url)
    yield history
    history.close()


def _lease(store: HistoryStore, uid: int) -> tuple[Any, Any]:
    row = store.row(uid)
    assert row is not None
    return row["lease_owner"], row["lease_until"]


def test_a_lease_is_taken_only_from_the_state_it_was_seen_in(store: HistoryStore):
    uid = store.insert(_row(lease_owner=None, lease_until=None), at=NOW)
    seen = _lease(store, uid)
    if store.shared:
        assert seen[0] == "host:1:a"  # a team's new row is leased to the member inserting it
    assert store.take_lease(uid, "b", expected=seen, ttl=30, now=NOW) is True
    assert _lease(store, uid) == ("b", NOW + 30)
    assert store.row(uid)["owner"] == "b"  # type: ignore[index]
    # Another member that saw the row before b took it cannot take it.
    assert store.take_lease(uid, "c", expected=seen, ttl=30, now=NOW) is False
    assert _lease(store, uid) == ("b", NOW + 30)
    done = store.insert(_row(phase="done", status="succeeded"), at=NOW)
    assert store.take_lease(done, "c", expected=_lease(store, done), ttl=30) is False


def test_a_sweep_takes_free_and_lapsed_leases_never_live_ones(store: HistoryStore):
    free = store.insert(_row(), at=NOW)
    store.release_leases("host:1:a")
    lapsed = store.insert(_row(lease_owner="dead", lease_until=NOW - 1), at=NOW)
    live = store.insert(_row(lease_owner="alive", lease_until=NOW + 30), at=NOW)
    store.insert(_row(phase="done", status="succeeded", lease_owner=None), at=NOW)
    mine = store.insert(_row(lease_owner="me", lease_until=NOW - 1), at=NOW)
    taken = store.take_leases("me", ttl=30, limit=10, now=NOW)
    assert [r["uid"] for r in taken] == [free, lapsed]
    assert taken[1]["lease_owner"] == "dead"  # as it was: whom it is taken from
    assert _lease(store, lapsed) == ("me", NOW + 30) and _lease(store, live)[0] == "alive"
    assert mine not in {r["uid"] for r in taken}  # its own lapsed lease is renewed, not swept
    assert [r["uid"] for r in store.take_leases("other", ttl=30, limit=10, now=NOW)] == [mine]
    assert store.take_leases("other", ttl=30, limit=1, now=NOW + 31)[0]["uid"] == free


def test_renewing_extends_every_lease_in_one_call_and_frees_finished_rows(store: HistoryStore):
    a = store.insert(_row(lease_owner="me", lease_until=NOW), at=NOW)
    b = store.insert(_row(lease_owner="me", lease_until=NOW), at=NOW)
    other = store.insert(_row(lease_owner="you", lease_until=NOW), at=NOW)
    store.update(b, {"phase": "done", "status": "succeeded"}, at=NOW)
    assert store.renew_leases("me", ttl=30, now=NOW + 5) == {a}
    assert _lease(store, a) == ("me", NOW + 35)
    assert _lease(store, b) == (None, None)  # settled: released
    assert _lease(store, other) == ("you", NOW)
    assert store.lease_holders(now=NOW + 1) == 1
    assert store.lease_holders(now=NOW - 1) == 2
    assert store.release_leases("me", [other]) == 0
    assert store.release_leases("me") == 1
    assert _lease(store, a) == (None, None) and store.renew_leases("me", ttl=30) == set()


def test_the_account_queue_counts_every_members_waiting_tasks(store: HistoryStore):
    store.insert(_row(owner="x"), at=NOW)  # queued upstream
    store.insert(_row(owner="y", create_state="sent", status=None), at=NOW)  # in flight
    store.insert(_row(status="running"), at=NOW)  # running: not queued
    store.insert(_row(base_url="https://other.example/api/v3"), at=NOW)  # another account
    store.insert(_row(phase="done", status="failed"), at=NOW)
    pending = [store.insert(_row(create_state="pending", status=None, phase="submitting"),
                            at=NOW) for _ in range(3)]  # fmt: skip
    assert store.reserve_queue_slot(pending[0], *ARK, 3, hold=60, now=NOW) is True
    assert store.row(pending[0])["sent_at"] == NOW  # type: ignore[index]  # holds its slot
    assert store.reserve_queue_slot(pending[0], *ARK, 3, hold=60, now=NOW) is True  # again
    assert store.reserve_queue_slot(pending[1], *ARK, 3, hold=60, now=NOW) is False  # full
    # A held slot whose create never went out is given back after ``hold``.
    assert store.reserve_queue_slot(pending[1], *ARK, 3, hold=60, now=NOW + 61) is True
    assert store.reserve_queue_slot(pending[2], *ARK, 4, hold=60, now=NOW + 61) is True


def test_creates_per_minute_of_a_model_are_counted_over_every_member(store: HistoryStore):
    for owner in ("x", "y"):  # two creates of this model sent 30 s ago, by two members
        store.insert(_row(owner=owner, sent_at=NOW - 30), at=NOW)
    store.insert(_row(model="seedream-4.0", sent_at=NOW - 1), at=NOW)  # another model
    store.insert(_row(sent_at=NOW - 90), at=NOW)  # over a minute ago
    pending = [store.insert(_row(create_state="pending", status=None, phase="submitting"),
                            at=NOW) for _ in range(2)]  # fmt: skip
    rate = ("seedance-2.0", 3)
    assert store.reserve_queue_slot(pending[0], *ARK, None, hold=60, per_minute=rate, now=NOW)
    assert not store.reserve_queue_slot(pending[1], *ARK, None, hold=60, per_minute=rate,
                                        now=NOW)  # fmt: skip
    assert store.reserve_queue_slot(pending[1], *ARK, None, hold=60, per_minute=rate,
                                    now=NOW + 31)  # fmt: skip


def test_members_sweeping_at_once_take_disjoint_rows(history_url: str):
    setup = open_history(history_url)
    uids = [setup.insert(_row(lease_owner="dead", lease_until=NOW - 1), at=NOW)
            for _ in range(60)]  # fmt: skip
    setup.close()
    taken: dict[str, list[int]] = {}
    start = threading.Barrier(3)

    def member(name: str) -> None:
        store = open_history(history_url)
        start.wait()
        got = []
        for _ in range(10):
            got += [r["uid"] for r in store.take_leases(name, ttl=30, limit=5)]
        taken[name] = got
        store.close()

    threads = [threading.Thread(target=member, args=(f"m{i}",)) for i in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    every = [uid for got in taken.values() for uid in got]
    assert sorted(every) == uids  # each row taken by exactly one member
