"""The ``seedance`` command: exit codes, documented bodies checked as is, and real round trips."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import av
import httpx
import pytest
from PIL import Image
from processes import die_with_parent
from seed_bodies import SEED_000, SEED_001, SEED_002, SEED_003, SEED_004

from seedance_nb.cli.main import main

BIN = Path(sys.executable).parent / "seedance"


@pytest.fixture(autouse=True)
def isolated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """No real keys, history in a tmp folder."""
    for name in ("ARK_API_KEY", "MAXAPI_KEY", "SEEDANCE_PROVIDER", "SEEDANCE_BASE_URL"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("SEEDANCE_HOME", str(tmp_path / ".seedance"))
    monkeypatch.chdir(tmp_path)


def run(*argv: str) -> tuple[int, str, str]:
    """The CLI in a subprocess, as a user runs it."""
    done = subprocess.run(
        [str(BIN), *argv],
        capture_output=True,
        text=True,
        timeout=180,
        stdin=subprocess.DEVNULL,
        env={**os.environ, "SEEDANCE_SIM_QUEUE_SECONDS": "0.2", "SEEDANCE_SIM_RUN_SECONDS": "0.5"},
    )
    return done.returncode, done.stdout, done.stderr


def test_models_lists_wire_ids(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["models", "--provider", "ark", "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    ids = {row["model"]: row["wire_id"] for row in rows}
    assert ids["seedance-2.0"] == "dreamina-seedance-2-0-260128"
    assert ids["seedream-4.5"] == "seedream-4-5-251128"
    assert main(["models", "--provider", "maxapi-openai", "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert [row["wire_id"] for row in rows] == ["model/seedance-2.0-fast-beta"]


def test_refusal_exits_2_and_names_the_fix(capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["validate", "-m", "seedance-2.0-fast", "--resolution", "1080p", "--prompt", "x"])
    err = capsys.readouterr().err
    assert code == 2
    assert "resolution" in err and "Fix:" in err and "nothing was sent" in err


def test_unknown_option_field_is_refused(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["validate", "-m", "seedance-2.0", "--prompt", "x", "-O", "resolutoin=720p"]) == 2
    assert "resolutoin" in capsys.readouterr().err


@pytest.mark.parametrize(
    "body",
    [*SEED_000, SEED_001, SEED_002, SEED_003, SEED_004],
    ids=lambda body: str(body.get("model")),
)
def test_documented_bodies_validate_as_is(
    body: dict, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "body.json"
    path.write_text(json.dumps(body))
    assert main(["validate", "--body", str(path), "--json"]) == 0, capsys.readouterr().err
    assert json.loads(capsys.readouterr().out)["ok"] is True


def test_estimate_uses_the_documented_formula(capsys: pytest.CaptureFixture[str]) -> None:
    argv = ["estimate", "-m", "seedance-2.0", "--resolution", "720p", "--ratio", "16:9"]
    assert main([*argv, "--duration", "5", "--prompt", "x", "--json"]) == 0
    estimate = json.loads(capsys.readouterr().out)
    assert estimate["tokens"] == 1280 * 720 * (24 * 5 + 1) // 1024 == 108900


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    port = free_port()
    proc = subprocess.Popen(
        [
            str(BIN),
            "simulator",
            "--port",
            str(port),
            "--queue-seconds",
            "0.3",
            "--run-seconds",
            "0.7",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        stdin=subprocess.DEVNULL,
        preexec_fn=die_with_parent,
    )
    origin = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            httpx.get(origin + "/sim/control/tasks", timeout=1)
            break
        except httpx.TransportError:
            time.sleep(0.1)
    try:
        yield origin
    finally:
        proc.terminate()
        proc.wait(timeout=10)
        if proc.stderr:
            proc.stderr.close()


def probe(path: Path) -> dict[str, object]:
    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        return {
            "size": (stream.codec_context.width, stream.codec_context.height),
            "fps": float(stream.average_rate),
            # The video stream's own length: the container adds the AAC encoder's padding.
            "seconds": round(float(stream.duration * stream.time_base), 2),
            "audio": len(container.streams.audio) > 0,
        }


@pytest.mark.parametrize(
    ("provider", "path", "model", "extra", "expected"),
    [
        ("ark", "/api/v3", "seedance-2.0", ["--ratio", "16:9"], ((864, 496), True)),
        ("maxapi", "", "seedance-2.0", ["--ratio", "9:16"], ((496, 864), True)),
        ("maxapi-openai", "", "seedance-2.0-fast", ["--ratio", "1:1"], ((640, 640), True)),
        (
            "ark",
            "/api/v3",
            "seedance-1.5-pro",
            ["--ratio", "4:3", "--no-audio"],
            ((752, 560), False),
        ),
    ],
)
def test_submit_wait_writes_the_asked_video(
    server: str,
    tmp_path: Path,
    provider: str,
    path: str,
    model: str,
    extra: list[str],
    expected: tuple[tuple[int, int], bool],
) -> None:
    out = tmp_path / "clips"
    code, stdout, stderr = run(
        "submit", "--provider", provider, "--base-url", server + path, "-m", model,
        "--prompt", "a paper boat on a pond", "--resolution", "480p", "--duration", "4",
        *extra, "--wait", "--out", str(out), "--json",
    )  # fmt: skip
    assert code == 0, stderr
    report = json.loads(stdout)
    assert report["status"] == "succeeded" and report["task_id"]
    videos = [Path(f) for f in report["files"] if f.endswith(".mp4")]
    assert len(videos) == 1 and videos[0].parent == out
    size, audio = expected
    info = probe(videos[0])
    # 24·d+1 frames, as the documented token count implies: the asked length within one frame.
    assert abs(float(info.pop("seconds")) - 4) <= 1 / 24 + 0.001  # type: ignore[arg-type]
    assert info == {"size": size, "fps": 24.0, "audio": audio}


def test_submit_seedream_image(server: str, tmp_path: Path) -> None:
    code, stdout, stderr = run(
        "submit", "--base-url", server + "/api/v3", "-m", "seedream-4.0", "--prompt", "a lighthouse",
        "--size", "1024x1024", "--wait", "--out", str(tmp_path), "--json",
    )  # fmt: skip
    assert code == 0, stderr
    files = [Path(f) for f in json.loads(stdout)["files"]]
    with Image.open(files[0]) as image:
        assert (image.format, image.size) == ("PNG", (1024, 1024))


def test_status_list_cancel_against_a_server(server: str) -> None:
    base = ["--base-url", server + "/api/v3", "--json"]
    code, stdout, stderr = run("submit", *base, "-m", "seedance-2.0", "--prompt", "slow [sim:slow]")
    assert code == 0, stderr
    task_id = json.loads(stdout)["task_id"]
    code, stdout, _ = run("status", task_id, *base)
    assert code == 0 and json.loads(stdout)["status"] == "queued"
    code, stdout, _ = run("list", "--task-id", task_id, *base)
    assert code == 0 and [t["id"] for t in json.loads(stdout)] == [task_id]
    code, _, stderr = run("cancel", task_id, *base)
    assert code == 0, stderr
    code, stdout, _ = run("status", task_id, *base)
    assert json.loads(stdout)["status"] == "cancelled"
    code, _, stderr = run("cancel", task_id, *base)
    assert code == 1 and "ark" in stderr and "HTTP 4" in stderr


def test_api_error_exits_1(server: str) -> None:
    code, _, stderr = run("status", "cgt-20260101000000-nope0", "--base-url", server + "/api/v3")
    assert code == 1 and "HTTP 404" in stderr and "provider=ark" in stderr


def test_no_key_says_simulator() -> None:
    code, stdout, stderr = run("submit", "-m", "seedance-2.0", "--prompt", "x", "--json")
    assert code == 0, stderr
    assert "simulator" in stderr and json.loads(stdout)["task_id"]
