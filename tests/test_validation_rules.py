"""Every documented rule has a violating case (tests/rule_cases.py) and is refused, naming its field."""

from __future__ import annotations

from pathlib import Path

import pytest
from rule_cases import CASES, RuleCase, problems_of

from seedance_nb import errors
from seedance_nb.validation import validate


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_case_is_refused_naming_its_field(case: RuleCase, media: dict[str, Path]) -> None:
    problems = problems_of(case, media)
    assert case.field in [p.field for p in problems], [str(p) for p in problems]
    for problem in problems:
        assert problem.rule and problem.fix, problem
        assert str(problem).startswith(f"{problem.field}: ")
        assert ". Fix: " in str(problem)


def test_case_ids_are_unique() -> None:
    ids = [c.id for c in CASES]
    assert len(ids) == len(set(ids))


def test_validate_raises_with_every_problem(media: dict[str, Path]) -> None:
    from rule_cases import build

    case = next(c for c in CASES if c.id == "fast-no-1080p")
    request = build(case, media).with_changes(duration=99)
    with pytest.raises(errors.ValidationError) as info:
        validate(request, case.provider)
    fields = [p.field for p in info.value.problems]
    assert fields == ["resolution", "duration"]
    assert "nothing was sent" in str(info.value)
