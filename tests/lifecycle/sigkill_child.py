"""Run as a script by test_sigkill.py: submit tasks to a served simulator, report every change
on stdout, and wait (until the test kills this process)."""

from __future__ import annotations

import sys

from seedance_nb.lifecycle import PollPolicy, TaskManager
from seedance_nb.requests import VideoRequest


def main() -> None:
    home, base_url, count = sys.argv[1], sys.argv[2], int(sys.argv[3])
    policy = PollPolicy(first=0.05, cap=0.2, jitter=0.0, requests_per_minute=None, min_gap=0.0)
    manager = TaskManager(home, poll=policy)

    def report(task) -> None:
        status = task.status.value if task.status else "-"
        print(f"EV {task.uid} {task.create_state} {task.phase} {status} {task.id}", flush=True)

    tasks = []
    for i in range(count):
        # Distinct seeds let a create lost in flight be told apart from its siblings upstream.
        request = VideoRequest(prompt=f"fox {i}", resolution="480p", duration=4, seed=100 + i)
        task = manager.submit(request, provider="ark", base_url=base_url)
        task.observe(report)
        tasks.append(task)
    print("SUBMITTED", flush=True)
    for task in tasks:
        task.wait(timeout=120)
    print("ALLDONE", flush=True)


if __name__ == "__main__":
    main()
