"""The examples in the docstrings of the request layer run and are right."""

from __future__ import annotations

import doctest
import importlib

import pytest

# How many examples each module holds today: a module whose examples were lost (or never
# collected) would otherwise pass with nothing run. More examples are welcome.
MODULES = {
    "seedance_nb.catalog": 8,
    "seedance_nb.cost": 2,
    "seedance_nb.materials": 3,
    "seedance_nb.modes": 4,
    "seedance_nb.notebook.composer_options": 1,
    "seedance_nb.prices": 3,
    "seedance_nb.problems": 3,
    "seedance_nb.requests": 5,
    "seedance_nb.validation": 3,
    "seedance_nb.user_files": 2,
    "seedance_nb.validation_media": 1,
}


@pytest.mark.parametrize("name", sorted(MODULES))
def test_docstring_examples(name: str) -> None:
    result = doctest.testmod(importlib.import_module(name), optionflags=doctest.ELLIPSIS)
    assert result.failed == 0
    assert result.attempted >= MODULES[name], f"{name}: only {result.attempted} examples ran"
