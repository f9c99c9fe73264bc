"""Run as a script by the durability trials: submit tasks to a served simulator and report
every step on stdout, until the trial kills this process with SIGKILL.

    python child.py HOME BASE_URL COUNT [MEDIA_GAP]

Lines: ``SENT uid`` when a create is about to go out, ``ACK uid id`` once the provider's task id
is known, ``EV uid create_state phase status id`` on every change, ``BYTES path`` when a result
file starts arriving, ``ALLDONE`` at the end. With ``MEDIA_GAP`` > 0 result files arrive in
16 KiB pieces that far apart, so a kill can land in the middle of a download.
"""

from __future__ import annotations

import asyncio
import sys
from collections.abc import AsyncIterator
from typing import Any

import httpx

from seedance_nb.client import AsyncSeedance
from seedance_nb.lifecycle import PollPolicy, TaskManager
from seedance_nb.requests import VideoRequest


class SlowMedia(httpx.AsyncBaseTransport):
    """Real HTTP; result files are handed on in small pieces with a pause between them."""

    def __init__(self, gap: float) -> None:
        self.inner = httpx.AsyncHTTPTransport()
        self.gap = gap

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        response = await self.inner.handle_async_request(request)
        if self.gap <= 0 or not request.url.path.startswith("/sim/media/"):
            return response
        body = await response.aread()
        await response.aclose()
        path = request.url.path

        async def pieces() -> AsyncIterator[bytes]:
            print(f"BYTES {path}", flush=True)
            for start in range(0, len(body), 16 * 1024):
                yield body[start : start + 16 * 1024]
                await asyncio.sleep(self.gap)

        headers = [(k, v) for k, v in response.headers.items() if k.lower() != "content-length"]
        return httpx.Response(response.status_code, headers=headers, content=pieces())

    async def aclose(self) -> None:
        await self.inner.aclose()


def main() -> None:
    home, base_url, count = sys.argv[1], sys.argv[2], int(sys.argv[3])
    gap = float(sys.argv[4]) if len(sys.argv) > 4 else 0.0
    transport = SlowMedia(gap)

    def factory(settings: Any) -> AsyncSeedance:
        return AsyncSeedance(settings=settings, transport=transport)

    policy = PollPolicy(first=0.05, cap=0.2, jitter=0.0, requests_per_minute=None, min_gap=0.0)
    manager = TaskManager(home, poll=policy, client_factory=factory)
    acked: set[int] = set()

    def report(task: Any) -> None:
        status = task.status.value if task.status else "-"
        if task.create_state == "sent" and task.id is None:
            print(f"SENT {task.uid}", flush=True)
        if task.id is not None and task.uid not in acked:
            acked.add(task.uid)
            print(f"ACK {task.uid} {task.id}", flush=True)
        print(f"EV {task.uid} {task.create_state} {task.phase} {status} {task.id}", flush=True)

    tasks = []
    for i in range(count):
        request = VideoRequest(prompt=f"fox {i}", resolution="480p", duration=4, seed=100 + i)
        task = manager.submit(request, provider="ark", base_url=base_url)
        task.observe(report)
        tasks.append(task)
    print("SUBMITTED", flush=True)
    for task in tasks:
        task.wait(timeout=120)
    print("ALLDONE", flush=True)
    manager.close()


if __name__ == "__main__":
    main()
