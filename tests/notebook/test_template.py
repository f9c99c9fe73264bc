"""Prompt interpolation: {{name}} only; single braces, JSON and $ stay literal."""

from __future__ import annotations

import pytest

from seedance_nb.notebook.template import TemplateError, fill, names


class Shot:
    subject = "a fox"


def test_fills_names_attributes_and_format_specs() -> None:
    ns = {"animal": "fox", "shot": Shot(), "n": 3, "price": 1.5}
    text = "A {{animal}} as {{ shot.subject }}, take {{n:02d}} at {{price:.2f}}"
    assert fill(text, ns) == "A fox as a fox, take 03 at 1.50"


def test_single_braces_json_and_dollars_are_literal() -> None:
    text = 'style {"camera": "dolly"} costs $5 and ${x} {y}'
    assert fill(text, {}) == text


def test_escaped_double_braces_stay() -> None:
    assert fill(r"literal \{{name}} here", {"name": "x"}) == "literal {{name}} here"


def test_unknown_name_names_the_fix() -> None:
    with pytest.raises(TemplateError, match=r"no variable 'subject'.*define it"):
        fill("a {{subject}} in snow", {})


def test_missing_attribute() -> None:
    with pytest.raises(TemplateError, match="has no attribute 'colour'"):
        fill("{{shot.colour}}", {"shot": Shot()})


def test_expressions_are_refused_not_evaluated() -> None:
    with pytest.raises(TemplateError, match="not a variable placeholder"):
        fill("{{ __import__('os').getcwd() }}", {})
    with pytest.raises(TemplateError, match="not a variable placeholder"):
        fill("an unclosed {{ brace", {})


def test_bad_format_spec() -> None:
    with pytest.raises(TemplateError, match="cannot format n"):
        fill("{{n:q}}", {"n": 3})


def test_names_lists_each_variable_once() -> None:
    assert names("{{a}} {{b.c}} {{a}} \\{{d}}") == ["a", "b"]
