"""``seedance callbacks serve`` as its own process: a served simulator calls it back over HTTP,
it GETs the task with the team's key and records it; the member's task finishes unpolled."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator

import httpx
import pytest
from durability.harness import free_port, served_simulator
from processes import die_with_parent

from seedance_nb.callbacks import tokens
from seedance_nb.status import Status

from .callback_parts import Counted, member, until, video

KEY = "sk-team-callbacks-test"


@pytest.fixture
def receiver_process(history_url: str) -> Iterator[tuple[str, subprocess.Popen[str]]]:
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SEEDANCE_", "ARK_"))}
    env.update(MAXAPI_KEY=KEY, SEEDANCE_MEMBER="receiver")
    argv = [sys.executable, "-m", "seedance_nb.cli.main", "callbacks", "serve", "--port",
            str(port), "--history", history_url, "--min-gap", "0"]  # fmt: skip
    proc = subprocess.Popen(argv, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, preexec_fn=die_with_parent)  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while True:
        try:
            httpx.get(url + "/healthz", timeout=0.5)
            break
        except httpx.HTTPError:
            if time.monotonic() > deadline or proc.poll() is not None:
                proc.kill()
                raise RuntimeError(f"the receiver did not start: {proc.communicate()[1]}") from None
            time.sleep(0.05)
    try:
        yield url, proc
    finally:
        if proc.poll() is None:
            proc.terminate()
            proc.wait(timeout=10)


async def test_the_served_receiver_records_a_callback_the_member_never_polls(
    history_url: str, receiver_process: tuple[str, subprocess.Popen[str]], monkeypatch
):
    base, proc = receiver_process
    monkeypatch.setenv(tokens.ENV_VAR, base)
    with served_simulator(queue=0.2, run=0.5, api_key=KEY) as sim_url:
        wire = Counted(httpx.AsyncHTTPTransport())
        ada = member(history_url, wire, api_key=KEY)
        try:
            task = ada.submit(video(), provider="maxapi", base_url=sim_url)
            await until(lambda: task.done, timeout=30)
            assert task.status is Status.SUCCEEDED and task.files[0].is_file()
            assert wire.gets(task.id or "") == 0  # news came by callback, not by a poll
            async with httpx.AsyncClient() as http:
                health = (await http.get(base + "/healthz")).json()
                assert health["counts"] == {"fetched": 1, "applied": 1}
                sent = (await http.get(sim_url + "/sim/control/callbacks")).json()["deliveries"]
                secret = sent[0]["url"].rsplit("/", 1)[1]
                wrong = f"{base}/seedance/callback/{task.uid}/{'x' * len(secret)}"
                assert (await http.post(wrong, json={"taskId": task.id})).status_code == 404
                assert (await http.get(base + "/")).status_code == 404
        finally:
            await ada.aclose()
    proc.terminate()
    out, err = proc.communicate(timeout=10)
    assert "listening on http://127.0.0.1:" in err and "refused" in err
    assert secret not in out + err and KEY not in out + err
