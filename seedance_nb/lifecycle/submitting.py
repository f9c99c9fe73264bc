"""Submitting a request: validated and budget-checked at once, recorded, then run in the background.

Nothing is sent and no row is written when the request is refused (``ValidationError``,
``BudgetExceeded``, ``ConfigError``); otherwise the request row is in the history before this
returns, and the task's run starts on the manager's loop.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from . import stored
from .task import Task

if TYPE_CHECKING:
    from .services import Services

log = logging.getLogger("seedance_nb.lifecycle")


def submit(
    services: Services,
    request: Any,
    provider: str | None,
    base_url: str | None,
    tags: Iterable[str],
    parent_id: str | None,
) -> Task:
    """Validate, check the budget, record the request, start it in the background, return."""
    from ..cost import estimate as estimate_cost
    from ..validation import validate

    settings = services.endpoints.resolve(provider, base_url)
    validate(request, settings.provider, volcengine=settings.volcengine,
             will_upload=settings.simulated)  # fmt: skip
    try:
        estimate = estimate_cost(request, settings.provider, volcengine=settings.volcengine)
    except Exception:
        log.exception("estimating the cost failed")
        estimate = None
    now = services.clock.time()
    row = stored.submission_row(
        request,
        settings,
        estimate,
        tags=list(dict.fromkeys([*request.tags, *tags])),
        parent_id=parent_id,
        now=now,
        session=services.session,
        owner=services.owner,
    )
    guard = services.budget.guard(estimate, session=services.session, now=now)
    row["uid"] = services.history.insert(row, at=now, guard=guard)
    task = Task(services, row, request=request, estimate=estimate)
    services.handles[task.uid] = task
    services.start_task(task)
    return task
