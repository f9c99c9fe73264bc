"""%%seedance and %seedance on a real IPython shell (errors propagate to the test)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from IPython.core.error import UsageError
from IPython.core.interactiveshell import InteractiveShell
from IPython.utils.capture import capture_output
from notebook_fakes import FakeManager, FakeTask
from PIL import Image

from seedance_nb.notebook import commands, display
from seedance_nb.notebook.magics import SeedanceMagics
from seedance_nb.status import Status

CANARY = "sk-canary-3f9a1c0d5e7b"


def cell(shell: Any, line: str, body: str) -> Any:
    return shell.run_cell_magic("seedance", line, body)


def test_load_ext_registers_the_magics() -> None:
    ip = InteractiveShell.instance()
    ip.extension_manager.load_extension("seedance_nb")
    assert "seedance" in ip.magics_manager.magics["cell"]
    assert "seedance" in ip.magics_manager.magics["line"]


def test_help_is_complete() -> None:
    doc = SeedanceMagics.seedance.__doc__ or ""
    for flag in ("--model", "--provider", "--resolution", "--ratio", "--duration", "--seed",
                 "--audio", "--no-audio", "--last-frame", "--image", "--video", "--audio-ref",
                 "--first-frame", "--last-frame-image", "--tag", "--out", "--dry-run", "--embed",
                 "{{name}}", "models", "history", "status", "cancel", "resume", "config",
                 "gallery"):  # fmt: skip
        assert flag in doc, flag


def test_cell_submits_at_once_and_stores_the_task(shell: Any, manager: FakeManager) -> None:
    shell.user_ns["animal"] = "fox"
    result = cell(shell, "-m seedance-2.0 --duration 5 --ratio 16:9 --seed 7 --tag a --tag b "
                  "--audio -o shot", "A {{animal}} in {snow}")  # fmt: skip
    [(request, provider)] = manager.submitted
    assert request.prompt == "A fox in {snow}"
    assert (request.duration, request.ratio, request.seed) == (5, "16:9", 7)
    assert request.generate_audio is True and request.tags == ["a", "b"]
    assert provider is None
    task = shell.user_ns["shot"]
    assert isinstance(task, FakeTask)
    assert result.task is task  # something that displays the task


@pytest.mark.parametrize(
    ("line", "body", "match"),
    [
        ("--duration five", "a wave", "invalid int value"),
        ("--bogus", "a wave", "unrecognized arguments"),
        ("-m seedance-9", "a wave", "unknown model 'seedance-9'"),
        ("--resolution 4k", "a wave", "resolution.*Fix:"),
        ("", "   ", "the prompt goes in the cell body"),
        ("", "a {{missing}}", "no variable 'missing'"),
        ("-i nowhere.png", "a wave", "neither a URL, a file, nor a notebook variable"),
        ("-m seedream-4.5 --duration 5", "a poster", "--duration cannot be used"),
        ("-m seedance-2.0 --size 2K", "a wave", "--size cannot be used"),
        ("-o 3x", "a wave", "-o needs a variable name"),
        ("-p nowhere", "a wave", "unknown provider"),
    ],
)
def test_mistakes_raise_usage_errors_and_send_nothing(
    shell: Any, manager: FakeManager, line: str, body: str, match: str
) -> None:
    with pytest.raises(UsageError, match=match):
        cell(shell, line, body)
    assert manager.submitted == []


def test_materials_from_variables_paths_and_urls(
    shell: Any, manager: FakeManager, media: dict[str, Path]
) -> None:
    shell.user_ns["pic"] = Image.new("RGB", (640, 640), "red")
    shell.user_ns["raw"] = media["png2"].read_bytes()
    line = f"-i pic -i raw -i {media['jpeg']} --video https://example.com/clip.mp4"
    cell(shell, line, "@1 and @2 and @3 dance like @4")
    [(request, _)] = manager.submitted
    kinds = [(m.kind, m.role) for m in request.materials]
    assert kinds == [("image", None), ("image", None), ("image", None),
                     ("video", "reference_video")]  # fmt: skip
    assert request.mode.value == "multimodal"


def test_a_finished_task_gives_its_last_frame(
    shell: Any, manager: FakeManager, media: dict[str, Path], tmp_path: Path
) -> None:
    cell(shell, "--last-frame -o shot1", "a fox runs")
    shot1 = shell.user_ns["shot1"]
    with pytest.raises(UsageError, match="has no saved image yet"):
        cell(shell, "--first-frame shot1", "the fox stops")
    last = Path(shutil.copy(media["png"], tmp_path / "last.png"))
    shot1.succeed(Path(shutil.copy(media["video_1s"], tmp_path / "v.mp4")), last)
    cell(shell, "--first-frame shot1", "the fox stops")
    request = manager.submitted[-1][0]
    assert request.materials[0].path == last and request.materials[0].role == "first_frame"


def test_image_model_builds_an_image_request(shell: Any, manager: FakeManager) -> None:
    cell(shell, "-m seedream-4.5 --size 2K -n 2", "a poster of a fox")
    request = manager.submitted[0][0]
    assert request.kind == "image" and (request.size, request.n) == ("2K", 2)


def test_dry_run_sends_nothing(shell: Any, manager: FakeManager) -> None:
    ok = cell(shell, "--dry-run --duration 5 --resolution 720p --ratio 16:9", "a wave")
    assert isinstance(ok, commands.DryRun) and ok.ok
    assert "108,900 tokens" in repr(ok)
    refused = cell(shell, "--dry-run --resolution 4k", "a wave")
    assert not refused.ok and "would be refused" in refused._repr_html_()
    assert manager.submitted == []


def test_running_the_cell_shows_a_live_card_with_a_static_fallback(
    shell: Any, manager: FakeManager, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ARK_API_KEY", CANARY)
    with capture_output() as captured:
        result = shell.run_cell("%%seedance --duration 5 -o t\na paper boat on a stream")
    result.raise_error()
    output, live = captured.outputs
    assert display.WIDGET_MIME not in output.data and "text/html" in output.data
    assert display.WIDGET_MIME in live.data
    assert output.metadata["seedance_nb"]["prompt"] == "a paper boat on a stream"
    assert output.transient["display_id"] and live.transient["display_id"]
    assert CANARY not in json.dumps([o.data | o.metadata for o in captured.outputs])


def test_line_commands(shell: Any, manager: FakeManager, monkeypatch: pytest.MonkeyPatch) -> None:
    models = shell.run_line_magic("seedance", "models")
    assert "seedance-2.0" in set(models["model"])
    with pytest.raises(UsageError, match="no task yet"):
        shell.run_line_magic("seedance", "status")
    cell(shell, "-o t", "a wave")
    task = shell.user_ns["t"]
    assert shell.run_line_magic("seedance", "status").task is task
    assert shell.run_line_magic("seedance", f"status {task.id}").task is task
    assert shell.run_line_magic("seedance", f"show {task.id}").task is task
    shell.run_line_magic("seedance", f"cancel {task.id}")
    assert task.status is Status.CANCELLED
    with pytest.raises(UsageError, match="cannot be cancelled"):
        shell.run_line_magic("seedance", f"cancel {task.id}")
    with pytest.raises(UsageError, match="no task 'cgt-nope'"):
        shell.run_line_magic("seedance", "status cgt-nope")
    with pytest.raises(UsageError, match="unknown command 'bogus'"):
        shell.run_line_magic("seedance", "bogus")
    with pytest.raises(UsageError, match="start the cell with %%seedance"):
        shell.run_line_magic("seedance", "-m seedance-2.0")
    monkeypatch.setenv("ARK_API_KEY", CANARY)
    shown = repr(shell.run_line_magic("seedance", "config"))
    assert "ark" in shown and CANARY not in shown


def test_history_and_gallery_commands_read_the_history(shell: Any) -> None:
    frame = shell.run_line_magic("seedance", "history --status succeeded --limit 5")
    assert {"uid", "id", "model", "prompt", "status", "files"} <= set(frame.columns)
    assert shell.run_line_magic("seedance", "gallery").items == []
    with pytest.raises(UsageError, match="unrecognized arguments"):
        shell.run_line_magic("seedance", "history --colour red")
