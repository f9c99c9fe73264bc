"""Every option a request sets, and the validator accepts, reaches the wire: removing it changes
the body the adapter builds. (An option the adapter silently drops would be validated, shown in
the history as asked, and never sent.)"""

from __future__ import annotations

from typing import Any

from hypothesis import HealthCheck, assume, given, settings

from seedance_nb.providers import adapter_for
from seedance_nb.validation import check

from .requests_strategy import Case, cases

# Fields that describe the request to us, not to the provider.
NOT_SENT = {"tags", "parent_id"}


def body(case: Case, request: Any) -> Any:
    return adapter_for(case.provider).build_create(request).json


@settings(
    max_examples=200,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
@given(cases())
def test_every_accepted_option_reaches_the_wire(case: Case):
    assume(not check(case.request, case.provider))
    full = body(case, case.request)
    dropped = []
    for name, value in case.request.fields_set().items():
        if name in NOT_SENT:
            continue
        empty: Any = [] if isinstance(value, list) else None
        try:
            without = case.request.with_changes(**{name: empty})
        except Exception:
            continue  # cannot be removed on its own (another field depends on it)
        if check(without, case.provider):
            continue
        if body(case, without) == full:
            dropped.append(f"{name}={value!r}")
    assert dropped == [], f"{case.provider} accepts but never sends: {', '.join(dropped)}"
