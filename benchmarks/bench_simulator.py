"""Simulator throughput on 127.0.0.1: a served simulator (uvicorn, one worker) and an httpx
client in this process, a bounded number of requests at a fixed concurrency.

Client and server share the machine's cores, so this is the rate a test suite sees, not the
server's ceiling.
"""

from __future__ import annotations

import asyncio
import time

import httpx
from table import Figure
from wiring import durability_harness

CONCURRENCY = 16
TASKS = "/api/v3/contents/generations/tasks"
BODY = {"model": "dreamina-seedance-2-0-260128", "resolution": "480p", "duration": 4,
        "content": [{"type": "text", "text": "a red fox in snow"}]}  # fmt: skip


async def _rate(url: str, count: int, create: bool) -> tuple[float, int]:
    limits = httpx.Limits(max_connections=CONCURRENCY, max_keepalive_connections=CONCURRENCY)
    async with httpx.AsyncClient(base_url=url, limits=limits, timeout=30,
                                 headers={"Authorization": "Bearer sk-bench"}) as http:  # fmt: skip
        task_id = (await http.post(TASKS, json=BODY)).json()["id"]
        queue: asyncio.Queue[int] = asyncio.Queue()
        for i in range(count):
            queue.put_nowait(i)
        failures = 0

        async def worker() -> None:
            nonlocal failures
            while not queue.empty():
                queue.get_nowait()
                if create:
                    response = await http.post(TASKS, json=BODY)
                else:
                    response = await http.get(f"{TASKS}/{task_id}")
                failures += response.status_code != 200

        start = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(CONCURRENCY)))
        return count / (time.perf_counter() - start), failures


def run(quick: bool = False) -> list[Figure]:
    count = 400 if quick else 3000
    with durability_harness().served_simulator() as url:
        asyncio.run(_rate(url, 50, create=False))  # warm up connections and code paths
        gets, get_failures = asyncio.run(_rate(url, count, create=False))
        creates, create_failures = asyncio.run(_rate(url, count // 4, create=True))
    assert get_failures == create_failures == 0
    return [
        Figure(
            "simulator throughput, task GET (req/s)",
            f"{gets:.0f}",
            "",
            None,
            f"{count} requests, {CONCURRENCY} at a time, served simulator on 127.0.0.1 "
            f"(uvicorn, 1 worker); creates: {creates:.0f} req/s over {count // 4}",
        )
    ]
