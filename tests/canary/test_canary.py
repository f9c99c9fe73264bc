"""Secret canary: a planted key runs through every flow — success, 401, 403, 429, 5xx, timeout,
malformed JSON, failed download — under DEBUG logging and verbose tracebacks. Logs, exception
texts and their causes (with every frame's locals), the history database with its ``-wal``
file, task snapshots and a saved notebook (outputs, metadata, widget state) hold it 0 times."""

from __future__ import annotations

import asyncio
import dataclasses
import json
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import httpx
import nbformat
import pytest
from faults.wire import BASES, PROVIDERS, Sleeps, small_request

from seedance_nb.client import AsyncSeedance, Timeouts
from seedance_nb.config import Secret
from seedance_nb.errors import SeedanceError
from seedance_nb.lifecycle import DownloadPolicy, PollPolicy, TaskManager
from seedance_nb.retry import RetryPolicy
from seedance_nb.simulator import ManualClock, Simulator, SimulatorConfig
from seedance_nb.status import Status

from .conftest import Leaks

# (name, scenario route, scenario kind, options): each is tried on a get, a create and a list.
FAILURES = [
    ("401", "unauthorized", {}),
    ("403", "forbidden", {}),
    ("429", "rate_limit", {"retry_after": 2, "count": 10}),
    ("500", "server_error", {"count": 10}),
    ("502 html", "bad_gateway", {"count": 10}),
    ("html 200", "html_error", {}),
    ("malformed json", "truncated_json", {}),
    ("timeout", "lost_response", {"mode": "timeout", "delay": 5.0}),
    ("reset", "lost_response", {"mode": "reset"}),
]


def client_for(provider: str, sim: Simulator, key: str) -> AsyncSeedance:
    return AsyncSeedance(
        provider,
        base_url=BASES[provider],
        api_key=key,
        transport=httpx.ASGITransport(app=sim.app),
        retry=RetryPolicy(max_attempts=2, sleep=Sleeps()),
        timeouts=Timeouts(connect=1.0, read=0.3, overall=0.3),
    )


async def attempt(leaks: Leaks, where: str, action: Callable[[], Awaitable[Any]]) -> Any:
    try:
        result = await action()
    except Exception as exc:  # every failure is scanned, whatever its type
        leaks.error(where, exc)
        return None
    leaks.text(where, result)
    return result


@pytest.mark.parametrize("provider", PROVIDERS)
async def test_client_flows_never_show_the_key(provider, canary, leaks, debug_log, tmp_path):
    clock = ManualClock()
    sim = Simulator(SimulatorConfig(queue_seconds=1, run_seconds=2, clock=clock, api_key=canary))
    client = client_for(provider, sim, canary)
    leaks.text("client repr", repr(client))
    leaks.text("settings", repr(client.settings) + client.settings.describe())
    fields = {f.name: getattr(client.settings, f.name) for f in dataclasses.fields(client.settings)}
    leaks.text("settings fields", repr(fields))

    # Success: create, poll to the end, download the result.
    created = await client.create(small_request(provider))
    clock.advance(10)
    snapshot = await client.get(created.task_id)
    assert snapshot.status is Status.SUCCEEDED, snapshot
    leaks.text("snapshot", repr(snapshot) + json.dumps(snapshot.raw))
    saved = await client.download(snapshot.assets[0].url, tmp_path / "result")
    leaks.text("download", repr(saved))
    assert saved.path.stat().st_size > 1000

    # Every failure, on each kind of call.
    for name, kind, options in FAILURES:
        for route, action in (
            ("get", lambda: client.get(created.task_id)),
            ("create", lambda: client.create(small_request(provider))),
            ("list", lambda: client.list(task_ids=[created.task_id])),
        ):
            sim.scenarios.clear()
            sim.push_scenario(route=route, kind=kind, provider=provider, **options)
            await attempt(leaks, f"{provider} {route} {name}", action)
    sim.scenarios.clear()
    # A failed download: the file host answers 500, then a URL that has expired (403).
    sim.push_scenario(route="media", kind="server_error", count=5)
    await attempt(leaks, "download 500",
                  lambda: client.download(snapshot.assets[0].url, tmp_path / "again"))  # fmt: skip
    clock.advance(30 * 86400)
    await attempt(leaks, "download expired",
                  lambda: client.download(snapshot.assets[0].url, tmp_path / "late"))  # fmt: skip
    # The wrong key is refused, and that refusal does not show the right one either.
    wrong = client_for(provider, sim, canary[:-1] + "x")
    await attempt(leaks, "wrong key", lambda: wrong.get(created.task_id))
    await client.aclose()
    await wrong.aclose()

    leaks.text("log", "\n".join(debug_log))
    assert leaks.scanned > 30
    assert leaks.hits() == []


def _echo(status: int, shape: str) -> httpx.MockTransport:
    """A proxy or debug endpoint that reflects the request's Authorization header back."""

    def handle(request: httpx.Request) -> httpx.Response:
        header = request.headers.get("authorization", "")
        if shape == "json":
            body = json.dumps({"error": {"code": "Echo", "message": f"got {header}"}}).encode()
        elif shape == "html":
            body = f"<html><body><pre>Authorization: {header}</pre></body></html>".encode()
        else:  # truncated JSON that carries the header
            body = f'{{"id": "t-1", "debug": "{header}'.encode()
        return httpx.Response(status, content=body, headers={"x-request-id": "req-echo"})

    return httpx.MockTransport(handle)


ECHOES = [(401, "json"), (500, "html"), (502, "html"), (200, "html"), (200, "truncated")]


@pytest.mark.parametrize(("status", "shape"), ECHOES, ids=[f"{s}-{b}" for s, b in ECHOES])
@pytest.mark.parametrize("call", ["get", "create"])
async def test_answers_that_echo_the_key_are_redacted(status, shape, call, canary, leaks):
    """A proxy that reflects the request headers into its answer: the error's message, the
    traceback and every exception in its chain stay clean. (Frame locals are left out here:
    the raw answer a frame holds is exactly what the server sent.)"""
    client = AsyncSeedance(
        "ark",
        base_url=BASES["ark"],
        api_key=canary,
        transport=_echo(status, shape),
        retry=RetryPolicy(max_attempts=1),
    )
    action = client.get("t-1") if call == "get" else client.create(small_request("ark"))
    with pytest.raises(SeedanceError) as caught:
        await action
    leaks.error(f"{call} {status} {shape}", caught.value, frame_locals=False)
    await client.aclose()
    assert leaks.hits() == []


def _manager(home: Path, transport: httpx.AsyncBaseTransport, key: str) -> TaskManager:
    def factory(settings: Any) -> AsyncSeedance:
        return AsyncSeedance(
            settings=dataclasses.replace(settings, api_key=Secret(key)),
            transport=transport,
            retry=RetryPolicy(max_attempts=2, base_delay=0.001, max_delay=0.01),
            timeouts=Timeouts(connect=1.0, read=0.5, overall=0.5),
        )

    manager = TaskManager(
        home,
        client_factory=factory,
        poll=PollPolicy.immediate(),
        downloads=DownloadPolicy(attempts=2, retry_delay=0.01, max_retry_delay=0.02),
    )
    manager.reconcile_delays = (0.0, 0.05)
    return manager


def result_error(task: Any) -> BaseException | None:
    try:
        task.result()
    except Exception as exc:
        return exc
    return None


def notebook_with(tasks: list[Any], home: Path) -> str:
    """A saved notebook as Jupyter writes it: one output per task (static HTML, provenance
    metadata, the live card's view) and the widget state of every card."""
    from seedance_nb.notebook import display

    cells = []
    widget_state: dict[str, Any] = {}
    for task in tasks:
        data, metadata = display.mimebundle(task, base=home)
        output = nbformat.v4.new_output("display_data", data=data, metadata=metadata)
        cells.append(nbformat.v4.new_code_cell(f"task_{task.uid}", outputs=[output]))
        card = display.card_for(task)
        widget_state[card.model_id] = {
            "model_name": card._model_name,
            "model_module": card._model_module,
            "model_module_version": card._model_module_version,
            "state": {k: v for k, v in card.get_state().items() if isinstance(v, (str, int, float, bool, list, dict, type(None)))},
        }  # fmt: skip
    notebook = nbformat.v4.new_notebook(cells=cells)
    notebook.metadata["widgets"] = {
        "application/vnd.jupyter.widget-state+json": {"version_major": 2, "version_minor": 0,
                                                      "state": widget_state}
    }  # fmt: skip
    return nbformat.writes(notebook)


async def test_lifecycle_history_and_notebook_never_hold_the_key(
    canary, leaks, debug_log, tmp_path
):
    sim = Simulator(
        SimulatorConfig(queue_seconds=0.05, run_seconds=0.1, jitter=0.0, api_key=canary)
    )
    home = tmp_path / "home"
    manager = _manager(home, httpx.ASGITransport(app=sim.app), canary)
    # One task per flow; scenarios are consumed in submission order by each route.
    flows = ["success", "401", "403", "429", "5xx", "timeout", "malformed", "failed download"]
    sim.push_scenario(route="create", kind="unauthorized", count=1)
    tasks: dict[str, Any] = {}
    tasks["401"] = manager.submit(small_request("ark", "refused 401"), provider="ark")
    await asyncio.wait_for(tasks["401"]._wait_async(None), 20)
    for name, kind, options in (
        ("403", "forbidden", {}),
        ("429", "rate_limit", {"count": 5, "retry_after": 0.01}),
        ("5xx", "server_error", {}),
        ("timeout", "lost_response", {"mode": "timeout", "delay": 3.0}),
        ("malformed", "truncated_json", {}),
    ):
        sim.push_scenario(route="create", kind=kind, **options)
        tasks[name] = manager.submit(small_request("ark", f"flow {name}"), provider="ark")
        await asyncio.wait_for(tasks[name]._wait_async(None), 20)
    tasks["success"] = manager.submit(small_request("ark", "flow success"), provider="ark")
    await asyncio.wait_for(tasks["success"]._wait_async(None), 20)
    sim.push_scenario(route="media", kind="server_error", count=10)
    tasks["failed download"] = manager.submit(small_request("ark", "flow dl"), provider="ark")
    await asyncio.wait_for(tasks["failed download"]._wait_async(None), 20)
    # Polls that fail in every way, on a task that then finishes.
    sim.push_scenario(route="list", kind="truncated_json", count=2)
    sim.push_scenario(route="list", kind="unauthorized", count=2)
    sim.push_scenario(route="get", kind="html_error", count=2)
    tasks["bad polls"] = manager.submit(small_request("ark", "flow polls"), provider="ark")
    await asyncio.wait_for(tasks["bad polls"]._wait_async(None), 20)

    assert tasks["success"].status is Status.SUCCEEDED and tasks["success"].files
    assert tasks["failed download"].status is Status.SUCCEEDED
    assert not tasks["failed download"].files
    assert tasks["401"].status is Status.FAILED
    assert set(flows) <= set(tasks)

    for name, task in tasks.items():
        leaks.text(f"task {name}", repr(task) + json.dumps(task.to_dict(), default=str))
        if task.error is not None:
            leaks.error(f"task {name} error", task.error)
        raised = result_error(task)  # caught in a frame whose locals hold no key
        if raised is not None:
            leaks.error(f"task {name} result()", raised)
    leaks.text("manager", repr(manager))
    leaks.text("history frame", manager.history.frame().to_json(date_format="iso"))
    db = manager.history.db_path
    leaks.database("history (open)", db)  # the -wal file exists while the manager is open
    text = notebook_with(list(tasks.values()), home)
    leaks.text("saved notebook", text)
    (tmp_path / "saved.ipynb").write_text(text)
    await manager.aclose()
    leaks.database("history (closed)", db)
    for path in sorted(home.rglob("*")):
        if path.is_file():
            leaks.file(str(path.relative_to(home)), path)
    leaks.text("log", "\n".join(debug_log))
    assert any(where.endswith("-wal") for where, _ in leaks.blobs)
    assert leaks.hits() == []
