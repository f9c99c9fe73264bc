"""The examples in the docstrings of the request layer run and are right."""

from __future__ import annotations

import doctest
import importlib

import pytest

MODULES = [
    "seedance_nb.catalog",
    "seedance_nb.cost",
    "seedance_nb.materials",
    "seedance_nb.modes",
    "seedance_nb.notebook.composer_options",
    "seedance_nb.prices",
    "seedance_nb.problems",
    "seedance_nb.requests",
    "seedance_nb.validation",
    "seedance_nb.user_files",
    "seedance_nb.validation_media",
]


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name: str) -> None:
    result = doctest.testmod(importlib.import_module(name), optionflags=doctest.ELLIPSIS)
    assert result.failed == 0
