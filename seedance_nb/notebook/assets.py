"""Where the widgets' front-end files are.

The ES modules are written in ``js/`` at the top of the source tree (one per widget, same name).
A source checkout or an editable install loads them from there; ``seedance_nb/static`` is a
symlink to ``js/`` in the source tree, which a wheel build follows, so an installed wheel carries
copies there (package data): the fallback.
"""

from __future__ import annotations

from pathlib import Path

_PACKAGE = Path(__file__).resolve().parents[1]
_SOURCE_JS = _PACKAGE.parent / "js"
_INSTALLED = _PACKAGE / "static"


def folder() -> Path:
    """The folder the widgets load their modules and stylesheet from."""
    # The pyproject check keeps an unrelated top-level "js" folder in site-packages from matching.
    if (_SOURCE_JS / "task_card.js").is_file() and (_PACKAGE.parent / "pyproject.toml").is_file():
        return _SOURCE_JS
    return _INSTALLED


def path(name: str) -> Path:
    """The file ``name`` (``"task_card.js"``, ``"style.css"``) in :func:`folder`."""
    found = folder() / name
    if not found.is_file():
        raise FileNotFoundError(
            f"{name} is missing from {found.parent}; reinstall seedance_nb "
            "(a wheel must carry seedance_nb/static/*.js)"
        )
    return found
