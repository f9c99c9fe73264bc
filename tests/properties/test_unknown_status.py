"""An unknown status string never maps to success, on any of the three adapters.

"Known" means a word the API documents, written out below by hand from the seeds and FACTS (not
read from the adapters, which are what is under test), after the normalisation the adapters
document (surrounding white space and letter case are ignored: the task API writes ``SUCCESS``,
ModelArk ``succeeded``). Anything else, however close, must come out as ``unknown``; and a success
is only a success when the answer carries a result.
"""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from seedance_nb.providers import adapter_for
from seedance_nb.status import Status

Q, R, S, F, C, E = (Status.QUEUED, Status.RUNNING, Status.SUCCEEDED, Status.FAILED,
                    Status.CANCELLED, Status.EXPIRED)  # fmt: skip
DOCUMENTED: dict[str, dict[str, Status]] = {
    # FACTS §1.4 (seed 004's task object): queued, running, cancelled, succeeded, failed,
    # expired (expired = past execution_expires_after).
    "ark": {"queued": Q, "running": R, "succeeded": S, "failed": F, "cancelled": C, "expired": E},
    # FACTS §7 (seeds 000 and 002): PENDING -> PROCESSING -> SUBMITTED -> SUCCESS | FAILURE |
    # TIMEOUT; any non-terminal -> CANCELLED. SUBMITTED is handed to the model: running.
    "maxapi": {"pending": Q, "processing": R, "submitted": R, "success": S, "failure": F,
               "timeout": E, "cancelled": C},
    # Seed 003 names succeeded, failed and canceled. The route imitates OpenAI's video API, whose
    # object says queued / in_progress / completed / failed (FACTS §4.1, §4.4); the spellings
    # ModelArk and the task API use for waiting, running, cancelled and expired are read too.
    "maxapi-openai": {"succeeded": S, "failed": F, "canceled": C, "queued": Q,
                      "in_progress": R, "completed": S, "pending": Q, "running": R,
                      "processing": R, "cancelled": C, "expired": E},
}  # fmt: skip
TABLES = DOCUMENTED
RESULT_URL = "https://cdn.example.com/out/video.mp4"


def answer(provider: str, status: Any) -> dict[str, Any]:
    """A task answer with ``status`` and a result, so only the status word decides."""
    if provider == "ark":
        return {"id": "t-1", "status": status, "content": {"video_url": RESULT_URL}}
    if provider == "maxapi":
        data = {
            "taskId": "t-1",
            "status": status,
            "result": {"type": "video", "urls": [RESULT_URL]},
        }
        return {"code": 0, "msg": "ok", "data": data}
    return {"task_id": "t-1", "status": status, "video_url": RESULT_URL}


def known(provider: str, word: str) -> Status | None:
    return TABLES[provider].get(word.strip().lower())


SUCCESS_WORDS = sorted({w for table in TABLES.values() for w, s in table.items()
                        if s is Status.SUCCEEDED})  # fmt: skip


def near_misses() -> st.SearchStrategy[str]:
    """Words one edit away from a success word, in any case: the likeliest false positives."""
    base = st.sampled_from([*SUCCESS_WORDS, "done", "complete", "finished", "ok", "ready"])

    def mutate(word: str, index: int, letter: str, how: int) -> str:
        i = index % (len(word) + 1)
        if how == 0:
            return word[:i] + letter + word[i:]
        if how == 1:
            return word[:i] + word[i + 1 :]
        return word[:i] + letter + word[i + 1 :]

    return st.builds(mutate, base, st.integers(0, 20), st.characters(), st.integers(0, 2))


ALL_WORDS = sorted({w for table in DOCUMENTED.values() for w in table})
statuses = st.one_of(
    st.text(max_size=20),
    st.sampled_from(ALL_WORDS),  # another dialect's word is no word here
    st.sampled_from(ALL_WORDS).map(str.upper),
    near_misses(),
    near_misses().map(str.upper),
    st.sampled_from(SUCCESS_WORDS).map(lambda w: w + "_pending"),
)


@settings(max_examples=200, deadline=None, derandomize=True, database=None)
@given(provider=st.sampled_from(sorted(TABLES)), word=statuses)
def test_unknown_words_never_succeed(provider: str, word: str):
    snapshot = adapter_for(provider).parse_task(answer(provider, word))
    expected = known(provider, word)
    if expected is None:
        assert snapshot.status is Status.UNKNOWN, (provider, word, snapshot.status)
    else:
        assert snapshot.status is expected


@settings(max_examples=100, deadline=None, derandomize=True, database=None)
@given(
    provider=st.sampled_from(sorted(TABLES)),
    value=st.one_of(
        st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False),
        st.lists(st.sampled_from(SUCCESS_WORDS), max_size=2),
        st.dictionaries(st.sampled_from(["status", "value"]), st.sampled_from(SUCCESS_WORDS)),
    ),
)  # fmt: skip
def test_non_string_statuses_never_succeed(provider: str, value: Any):
    snapshot = adapter_for(provider).parse_task(answer(provider, value))
    assert snapshot.status is Status.UNKNOWN


@settings(max_examples=50, deadline=None, derandomize=True, database=None)
@given(provider=st.sampled_from(sorted(TABLES)), word=st.sampled_from(SUCCESS_WORDS))
def test_success_without_a_result_is_not_success(provider: str, word: str):
    body = answer(provider, word)
    inner = body["data"] if provider == "maxapi" else body
    for key in ("content", "result", "video_url"):
        inner.pop(key, None)
    snapshot = adapter_for(provider).parse_task(body)
    assert snapshot.status is not Status.SUCCEEDED


@pytest.mark.parametrize(
    ("provider", "word"), [(p, w) for p, table in DOCUMENTED.items() for w in table]
)
def test_each_documented_word_means_what_the_documents_say(provider: str, word: str):
    expected = DOCUMENTED[provider][word]
    for written in (word, word.upper(), f" {word.capitalize()}\n"):
        snapshot = adapter_for(provider).parse_task(answer(provider, written))
        assert snapshot.status is expected, (provider, written, snapshot.status)


FOREIGN = [(p, w) for p in DOCUMENTED for w in ALL_WORDS if w not in DOCUMENTED[p]]


@pytest.mark.parametrize(("provider", "word"), FOREIGN)
def test_another_dialects_words_are_unknown(provider: str, word: str):
    """``success`` is the task API's word, not ModelArk's: a dialect reading another's success
    word as its own would take a stray answer for a finished task."""
    snapshot = adapter_for(provider).parse_task(answer(provider, word))
    assert snapshot.status is Status.UNKNOWN, (provider, word, snapshot.status)
