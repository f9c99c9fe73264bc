"""An unknown status string never maps to success, on any of the three adapters.

"Known" means the adapter's own status table after the normalisation it documents (surrounding
white space and letter case are ignored: the task API writes ``SUCCESS``, ModelArk ``succeeded``).
Anything else, however close, must come out as ``unknown``; and a success is only a success when
the answer carries a result.
"""

from __future__ import annotations

from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from seedance_nb.providers import adapter_for
from seedance_nb.providers import ark as ark_module
from seedance_nb.providers import maxapi as maxapi_module
from seedance_nb.providers import maxapi_openai as openai_module
from seedance_nb.status import Status

TABLES = {
    "ark": ark_module.STATUSES,
    "maxapi": maxapi_module.STATUSES,
    "maxapi-openai": openai_module.STATUSES,
}
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


statuses = st.one_of(
    st.text(max_size=20),
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
