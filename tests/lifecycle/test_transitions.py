"""The transition function alone: a history row and what happened give the changes to record.

Answers are real ModelArk task bodies (the shapes and status words of docs FACTS §1.3/1.4) parsed
by the ModelArk adapter; the expected outcomes follow from the documented rules (states never move
backwards, terminal is final, unknown words are never progress), written out as tables here.
"""

from __future__ import annotations

import itertools
from pathlib import Path
from typing import Any

import pytest

from seedance_nb.lifecycle.history_db import History
from seedance_nb.lifecycle.transitions import NO_RESULT_POLLS, Event, decide, record
from seedance_nb.providers import adapter_for
from seedance_nb.status import Status, TaskSnapshot

NOW = 1_790_000_000.0
SENT = NOW - 120.0
VIDEO = "https://ark-content-generation.tos-cn-beijing.volces.com/out/v.mp4"

# FACTS §1.4: queued -> running -> one of the four terminal words.
ORDER = {"queued": 1, "running": 2, "succeeded": 3, "failed": 3, "expired": 3, "cancelled": 3}
TERMINAL = {"succeeded", "failed", "expired", "cancelled"}


def ark_answer(word: str, **fields: Any) -> TaskSnapshot:
    """A ModelArk GET body with the status ``word`` (FACTS §1.3), parsed by the adapter."""
    body: dict[str, Any] = {"id": "cgt-20260101-abc", "model": "doubao-seedance-2-0-260128",
                            "status": word, "created_at": int(SENT), "updated_at": int(NOW - 5)}  # fmt: skip
    if word == "succeeded":
        body["content"] = {"video_url": VIDEO}
        body["usage"] = {"completion_tokens": 108900, "total_tokens": 108900}
    if word == "failed":
        body["error"] = {"code": "OutputVideoSensitiveContentDetected", "message": "flagged"}
    body.update(fields)
    return adapter_for("ark").parse_task(body)


def row(status: str | None = None, **fields: Any) -> dict[str, Any]:
    base = {"uid": 1, "id": "cgt-20260101-abc", "provider": "ark", "model": "seedance-2.0",
            "status": status, "raw_status": status, "create_state": "acknowledged",
            "phase": "polling", "submitted_at": SENT - 1, "sent_at": SENT, "started_at": None,
            "estimated_tokens": 100000, "estimated_cost": 1.0, "currency": "USD",
            "base_url": "https://ark.ap-southeast.bytepluses.com/api/v3"}  # fmt: skip
    return {**base, **fields}


CURRENT = [None, "queued", "running", "succeeded", "failed", "expired", "cancelled"]


@pytest.mark.parametrize(("current", "word"), list(itertools.product(CURRENT, ORDER)))
def test_states_never_move_backwards_and_terminal_is_final(current: str | None, word: str) -> None:
    change = decide(row(current), ark_answer(word), NOW)
    if current in TERMINAL:
        assert change.empty and change.terminal  # final: nothing is written, polling stops
    elif current is not None and ORDER[word] < ORDER[current]:
        assert "status" not in change.changes and not change.terminal
    else:
        assert change.changes["status"] == word
        assert change.terminal is (word in TERMINAL)
        assert change.event == ("status" if word != current else None)


@pytest.mark.parametrize("current", [None, "queued", "running"])
def test_an_unknown_word_is_shown_but_never_progress(current: str | None) -> None:
    change = decide(row(current), ark_answer("paused_for_review"), NOW)
    assert not change.terminal
    assert change.changes["raw_status"] == "paused_for_review"
    if current is not None:  # an unknown word never replaces a known state
        assert "status" not in change.changes
        assert change.event == "unknown_status"
    else:
        assert change.changes["status"] == Status.UNKNOWN.value


def test_succeeded_without_a_result_url_is_counted_then_failed() -> None:
    answer = ark_answer("succeeded", content={})
    assert answer.no_result
    counted = 0
    for _ in range(NO_RESULT_POLLS - 1):
        change = decide(row("running"), answer, NOW, no_result_polls=counted)
        assert not change.terminal and "status" not in change.changes
        assert change.no_result_polls == counted + 1
        counted = change.no_result_polls
    change = decide(row("running"), answer, NOW, no_result_polls=counted)
    assert change.terminal
    assert change.changes["status"] == "failed"
    assert change.changes["error_code"] == "no_result"
    assert f"{NO_RESULT_POLLS} times" in change.changes["error_message"]
    assert '"status": "succeeded"' in change.changes["error_message"]  # the answer is quoted


def test_started_at_is_stamped_once_when_running_is_first_seen() -> None:
    first = decide(row("queued"), ark_answer("running"), NOW)
    assert first.changes["started_at"] == NOW
    again = decide(row("running", started_at=NOW - 60), ark_answer("running"), NOW)
    assert "started_at" not in again.changes


@pytest.mark.parametrize(
    ("server_finish", "expected"),
    [
        (NOW - 5, NOW - 5),  # plausible: the provider's own time
        (SENT - 3600, NOW),  # before the task was sent: not plausible, our time
        (NOW + 3600, NOW),  # far in the future: our time
    ],
)
def test_finished_at_is_the_providers_time_when_plausible(
    server_finish: float, expected: float
) -> None:
    change = decide(row("running", started_at=SENT), ark_answer("failed",
                    updated_at=int(server_finish)), NOW)  # fmt: skip
    assert change.changes["finished_at"] == pytest.approx(expected, abs=1)


def test_tokens_and_cost_on_success_tokens_only_on_failure() -> None:
    done = decide(row("running"), ark_answer("succeeded"), NOW)
    assert done.changes["tokens"] == 108900
    # Token pricing: the estimate scaled by the tokens actually used.
    assert done.changes["cost"] == pytest.approx(1.0 * 108900 / 100000)
    failed = decide(row("running"), ark_answer("failed", usage={"completion_tokens": 5}), NOW)
    assert failed.changes["tokens"] == 5 and "cost" not in failed.changes
    assert failed.changes["error_code"] == "OutputVideoSensitiveContentDetected"


def test_result_files_come_with_the_success_once() -> None:
    done = decide(row("running"), ark_answer("succeeded"), NOW)
    assert [(f["kind"], f["url"], f["state"]) for f in done.files] == [("video", VIDEO, "pending")]
    assert decide(row("running"), ark_answer("succeeded"), NOW, has_files=True).files == ()


def test_a_task_attached_by_id_takes_its_creation_time_and_model() -> None:
    attached = row(None, create_state="attached", model=None, submitted_at=NOW, sent_at=None)
    change = decide(attached, ark_answer("running"), NOW)
    assert change.changes["create_state"] == "acknowledged"
    assert change.changes["submitted_at"] == change.changes["sent_at"] == int(SENT)
    assert change.changes["model"] == "doubao-seedance-2-0-260128"


# name, event, the columns it must set, terminal
EVENT_TABLE = [
    ("created", Event("created", task_id="cgt-x", status=Status.QUEUED),
     {"id": "cgt-x", "create_state": "acknowledged", "status": "queued"}, False),
    ("ambiguous", Event("ambiguous", message="timed out"),
     {"create_state": "ambiguous", "status": "unknown", "error_code": "create_ambiguous"}, False),
    ("refused", Event("refused", code="InvalidParameter", message="bad ratio"),
     {"create_state": "refused", "status": "failed", "error_code": "InvalidParameter",
      "finished_at": NOW}, True),
    ("not_sent", Event("not_sent", code="rate_limited", message="429 six times"),
     {"create_state": "not_sent", "status": "failed", "error_code": "rate_limited"}, True),
    ("cancelled", Event("cancelled", message="cancelled before it was sent"),
     {"create_state": "not_sent", "status": "cancelled", "raw_status": "cancelled locally"}, True),
    ("gone", Event("gone", message="deleted"),
     {"create_state": "gone", "error_code": "not_found", "error_message": "deleted"}, True),
    ("duplicate", Event("duplicate", message="same id"),
     {"create_state": "duplicate", "status": "unknown", "error_code": "duplicate_id"}, False),
    ("retry", Event("retry", kind="rate_limited", detail={"retry_after": 3}),
     {"create_state": "pending"}, False),
    ("phase", Event("phase", phase="done"), {"phase": "done"}, True),
]  # fmt: skip


@pytest.mark.parametrize(("name", "event", "columns", "terminal"), EVENT_TABLE,
                         ids=[e[0] for e in EVENT_TABLE])  # fmt: skip
def test_named_events(name: str, event: Event, columns: dict[str, Any], terminal: bool) -> None:
    change = decide(row(None, create_state="sent"), event, NOW)
    assert {k: change.changes.get(k) for k in columns} == columns
    assert change.terminal is terminal
    if name != "retry":
        assert change.event == (name if name != "phase" else "done")
    else:
        assert change.event == "rate_limited" and change.detail == {"retry_after": 3}


def test_an_unknown_event_is_refused_by_name() -> None:
    with pytest.raises(ValueError, match="unknown lifecycle event 'teleported'"):
        decide(row("queued"), Event("teleported"), NOW)


def test_a_process_with_only_the_history_row_records_the_same_transition(tmp_path: Path) -> None:
    """What a callback receiver does: load the row, take one answer, write the changes."""
    history = History(tmp_path)
    try:
        fields = {k: v for k, v in row("queued").items() if k != "uid"}
        uid = history.insert({**fields, "tags": "[]", "updated_at": SENT}, at=SENT)
        stored = history.row(uid)
        assert stored is not None
        change = decide(stored, ark_answer("succeeded"), NOW, has_files=bool(history.assets(uid)))
        assert record(history, stored, change, NOW)
        after = history.row(uid)
        assert after is not None
        assert after["status"] == "succeeded" and after["tokens"] == 108900
        assert after["finished_at"] == NOW - 5 and after["updated_at"] == NOW
        assert [a["url"] for a in history.assets(uid)] == [VIDEO]
        assert [e["kind"] for e in history.events(uid)][-1] == "status"
        # The same answer again (a replayed callback) changes nothing.
        again = decide(after, ark_answer("succeeded"), NOW + 10, has_files=True)
        assert again.empty and not record(history, after, again, NOW + 10)
    finally:
        history.close()
