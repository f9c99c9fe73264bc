"""Progress in the terminal: a live line on a TTY, plain lines when piped; a readable history."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from test_cli import isolated, run, server  # noqa: F401  (fixtures shared with the CLI tests)

from seedance_nb.cli import progress


def test_submit_wait_prints_plain_progress_lines_when_piped(server: str) -> None:  # noqa: F811
    code, _, stderr = run(
        "submit", "--base-url", server + "/api/v3", "-m", "seedance-2.0-fast",
        "--prompt", "a paper boat", "--resolution", "480p", "--duration", "4", "--wait",
    )  # fmt: skip
    assert code == 0, stderr
    lines = [line for line in stderr.splitlines() if line.startswith("cgt-")]
    words = [line.split("  ")[1] for line in lines]
    assert words[0] == "queued" and words[-1] == "succeeded", stderr
    assert "about 0:" in lines[0] and " left" in lines[0]  # the estimate
    assert len(lines) == len(set(words))  # one line per change, not per tick
    assert "\x1b[" not in stderr  # no terminal control codes in a pipe
    assert " 0:0" in lines[-1] and lines[-1].endswith(" kB saved")  # elapsed, bytes


def test_history_prints_a_readable_table(server: str) -> None:  # noqa: F811
    code, _, stderr = run(
        "submit", "--base-url", server + "/api/v3", "-m", "seedance-2.0-fast",
        "--prompt", "a lighthouse   at dusk\nwith waves " + "and rocks " * 10, "--wait",
    )  # fmt: skip
    assert code == 0, stderr
    code, stdout, stderr = run("history")
    assert code == 0, stderr
    header, rule, row = stdout.splitlines()[:3]
    assert header.split() == ["uid", "task", "id", "status", "model", "submitted", "cost", "prompt"]
    assert set(rule.replace(" ", "")) == {"-"}
    assert "succeeded" in row and "seedance-2.0-fast" in row
    assert "a lighthouse at dusk with waves and rocks" in row and row.endswith("…")


def test_the_live_view_draws_the_task_until_it_is_done(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import seedance_nb as sd

    monkeypatch.setenv("SEEDANCE_SIM_QUEUE_SECONDS", "0.2")
    monkeypatch.setenv("SEEDANCE_SIM_RUN_SECONDS", "0.4")
    task = sd.submit(sd.VideoRequest(model="seedance-2.0-fast", prompt="a kite", duration=4))
    screen = io.StringIO()
    progress.watch([task], timeout=60, stream=screen, live=True)
    assert task.done
    shown = screen.getvalue()
    assert "succeeded" in shown and (task.id or "") in shown
    assert progress.line(task).split("  ")[:2] == [task.id, "succeeded"]


def test_sizes_and_clocks_read_well() -> None:
    assert progress.clock(65) == "1:05" and progress.clock(3723) == "1:02:03"
    assert progress.size(999) == "999 B" and progress.size(12_300_000) == "12.3 MB"
