"""Batches and lineage: many requests as one group, grids of variations, reruns with a parent.

>>> group = submit_many([req1, req2, req3])         # one handle; each goes through the limiter
>>> group = grid(prompts=["a fox", "a cat"], seeds=[1, 2, 3], resolution="720p")   # 6 tasks
>>> group = grid(prompts=["a fox"], vary={"ratio": ["16:9", "9:16"]})
>>> await group; group.frame()
>>> child = rerun(task, duration=10)                # parent_id records where it came from
"""

from __future__ import annotations

import asyncio
import itertools
import uuid
from collections import Counter
from collections.abc import Callable, Generator, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ..errors import BudgetExceeded, ConfigError, SeedanceError, UnsupportedOperation
from ..status import Status

if TYPE_CHECKING:
    import pandas as pd

    from .services import Submitter
    from .task import Task


class TaskGroup:
    """Tasks submitted together. Await it (or ``wait()``) for all of them to be done."""

    def __init__(self, manager: Submitter, tasks: Sequence[Task], tag: str) -> None:
        self._manager = manager
        self.tasks: list[Task] = list(tasks)
        self.tag = tag  # every task of the group carries it; history(tag=group.tag)

    def __repr__(self) -> str:
        counts = ", ".join(f"{n} {s}" for s, n in self.counts().items())
        return f"<TaskGroup {self.tag}: {len(self)} tasks ({counts})>"

    def __len__(self) -> int:
        return len(self.tasks)

    def __iter__(self) -> Iterator[Task]:
        return iter(self.tasks)

    def __getitem__(self, index: int) -> Task:
        return self.tasks[index]

    def counts(self) -> Counter[str]:
        """How many tasks are in each status (``submitting`` before the create answered)."""
        return Counter(t.status.value if t.status else t.phase for t in self.tasks)

    @property
    def done(self) -> bool:
        return all(t.done for t in self.tasks)

    @property
    def progress(self) -> float:
        return sum(t.progress for t in self.tasks) / len(self.tasks) if self.tasks else 1.0

    @property
    def succeeded(self) -> list[Task]:
        return [t for t in self.tasks if t.status is Status.SUCCEEDED]

    @property
    def failed(self) -> list[Task]:
        return [t for t in self.tasks if t.done and t.status is not Status.SUCCEEDED]

    @property
    def files(self) -> list[Any]:
        return [path for t in self.tasks for path in t.files]

    def observe(self, callback: Callable[[TaskGroup], Any]) -> Callable[[], None]:
        """``callback(group)`` whenever any of its tasks changes; returns an unsubscriber."""
        stops = [t.observe(lambda _t: callback(self)) for t in self.tasks]

        def unsubscribe() -> None:
            for stop in stops:
                stop()

        return unsubscribe

    def __await__(self) -> Generator[Any, None, TaskGroup]:
        return self._wait_async().__await__()

    async def _wait_async(self) -> TaskGroup:
        await asyncio.gather(*(t._wait_async(None) for t in self.tasks))
        return self

    def wait(self, timeout: float | None = None) -> TaskGroup:
        """Block until every task is done (in a cell prefer ``await group``)."""
        self._manager.host.run(self._wait_async(), timeout)
        return self

    def cancel(self) -> dict[int, str]:
        """Cancel every task that can be; returns ``{uid: reason}`` for those that cannot."""
        refused = {}
        for task in self.tasks:
            reason = task.cancel_reason
            if reason is None:
                try:
                    task.cancel()
                except UnsupportedOperation as exc:
                    refused[task.uid] = str(exc)
            elif not task.done:
                refused[task.uid] = reason
        return refused

    def to_dict(self) -> dict[str, Any]:
        return {"tag": self.tag, "tasks": [t.to_dict() for t in self.tasks]}

    # -- display: a static grid (the notebook face draws it; imported only when asked) ------
    def _ipython_display_(self) -> None:
        from ..notebook.grid import show_group

        show_group(self)

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> Any:
        from ..notebook.grid import group_bundle

        return group_bundle(self)

    def frame(self) -> pd.DataFrame:
        """The group's rows of the history (same columns as ``history()``)."""
        return self._manager.history.frame(tag=self.tag)


@dataclass(frozen=True)
class _Total:
    tokens: int | None
    amount: float | None
    currency: str | None


def _check_total(manager: Submitter, requests: Sequence[Any], provider: str) -> None:
    """Refuse the whole batch up front if its estimates together pass a cap."""
    budget = manager.budget
    if not budget.active or not requests:
        return
    from ..cost import estimate

    estimates = [estimate(r, provider) for r in requests]
    currencies = {e.currency for e in estimates if e.currency}
    tokens = [e.tokens for e in estimates]
    amounts = [e.amount for e in estimates]
    if budget.currency and (budget.session is not None or budget.daily is not None):
        # One currency for the caps: every estimate converted into it (or refused).
        amounts = [None if e.amount is None else
                   budget.convert(e.amount, e.currency, budget.currency) for e in estimates]  # fmt: skip
        currencies = {budget.currency}
    total = _Total(
        None if None in tokens else sum(t or 0 for t in tokens),
        None if None in amounts or len(currencies) > 1 else sum(a or 0.0 for a in amounts),
        currencies.pop() if len(currencies) == 1 else None,
    )
    guard = budget.guard(total, session=manager.session, now=manager.clock.time())
    if guard is not None:
        try:
            manager.history.check(guard)
        except BudgetExceeded as exc:
            raise BudgetExceeded(f"the batch of {len(requests)} requests: {exc}") from None


def submit_many(
    manager: Submitter,
    requests: Iterable[Any],
    *,
    provider: str | None = None,
    base_url: str | None = None,
    tags: Iterable[str] = (),
    parent_id: str | None = None,
    tag: str | None = None,
) -> TaskGroup:
    """Validate every request first (none is sent if one is refused), then submit them all.

    A refusal part way (another kernel spent meanwhile, the history failed) raises the same
    error saying which requests were sent, with their :class:`TaskGroup` as ``exc.group``.
    """
    from ..validation import validate

    items = list(requests)
    settings = manager.endpoints.resolve(provider, base_url)
    for request in items:
        validate(request, settings.provider, volcengine=settings.volcengine,
                 will_upload=settings.simulated)  # fmt: skip
    _check_total(manager, items, settings.provider)
    group_tag = tag or f"batch-{uuid.uuid4().hex[:8]}"
    tasks: list[Task] = []
    for index, request in enumerate(items):
        try:
            task = manager.submit(
                request, provider=provider, base_url=base_url, tags=[*tags, group_tag],
                parent_id=parent_id,
            )  # fmt: skip
        except SeedanceError as exc:
            if not tasks:
                raise  # nothing was sent: the error says so already
            raise partial_batch(
                exc, TaskGroup(manager, tasks, group_tag), index, len(items)
            ) from None
        tasks.append(task)
    return TaskGroup(manager, tasks, group_tag)


def partial_batch(exc: SeedanceError, group: TaskGroup, index: int, total: int) -> SeedanceError:
    """The refusal of request ``index`` (0-based) after earlier ones were sent: the same error,
    saying exactly what was sent, with the partial group attached (``exc.group``)."""
    reason = str(exc).replace("nothing was sent", "it was not sent")
    uids = ", ".join(f"#{t.uid}" for t in group)
    first = "request 1 was" if index == 1 else f"requests 1-{index} were"
    exc.args = (
        f"request {index + 1} of {total} was refused ({reason}). {first} sent already and "
        f"{'is' if index == 1 else 'are'} running: tasks {uids}, in exc.group (tag "
        f"{group.tag!r}); requests {index + 1}-{total} were not sent",
    )
    exc.group = group  # type: ignore[attr-defined]
    exc.sent = list(group.tasks)  # type: ignore[attr-defined]
    return exc


def grid(
    manager: Submitter,
    prompts: Iterable[str],
    seeds: Iterable[int | None] = (None,),
    *,
    base: Any = None,
    kind: str = "video",
    vary: Mapping[str, Sequence[Any]] | None = None,
    provider: str | None = None,
    base_url: str | None = None,
    tags: Iterable[str] = (),
    **options: Any,
) -> TaskGroup:
    """One task per prompt × seed × combination of ``vary``; ``options`` apply to all.

    ``base`` is a request to vary (else a ``VideoRequest``, or ``ImageRequest`` with
    ``kind="image"``, is built from ``options``).
    """
    from ..requests import ImageRequest, VideoRequest

    axes = dict(vary or {})
    names = list(axes)
    requests = []
    for prompt, seed, combo in itertools.product(
        list(prompts), list(seeds), itertools.product(*(axes[n] for n in names))
    ):
        fields = {**options, **dict(zip(names, combo, strict=True)), "prompt": prompt}
        if seed is not None:
            fields["seed"] = seed
        if base is not None:
            requests.append(base.with_changes(**fields))
        else:
            cls = ImageRequest if kind == "image" else VideoRequest
            requests.append(cls(**fields))
    return submit_many(
        manager,
        requests,
        provider=provider,
        base_url=base_url,
        tags=tags,
        tag=f"grid-{uuid.uuid4().hex[:8]}",
    )


def rerun(manager: Submitter, ref: Task | int | str, **changes: Any) -> Task:
    """Send a task's request again, with ``changes``; the new row's parent id is the old task.

    ``provider``, ``base_url`` and ``tags`` among ``changes`` go to the submit, not the request.
    """
    parent = manager.task(ref)
    request = parent.request
    if request is None:
        raise ConfigError(
            f"task #{parent.uid} has no request to send again (attached by id, or its request "
            "could not be rebuilt from the history)"
            + (f": {parent.request_problem}" if parent.request_problem else "")
        )
    provider = changes.pop("provider", parent.provider)
    default_url = parent.base_url if provider == parent.provider else None
    base_url = changes.pop("base_url", default_url)
    tags = changes.pop("tags", ())
    parent_id = parent.id or f"#{parent.uid}"
    child = request.with_changes(**changes, parent_id=parent_id)
    return manager.submit(child, provider=provider, base_url=base_url, tags=tags)
