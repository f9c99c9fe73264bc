"""The notebook face: ``%%seedance`` magics, widgets, and results that survive sharing.

>>> %load_ext seedance_nb          # registers %%seedance and %seedance
>>> seedance_nb.Composer()         # a form: prompt, model, options, materials, Submit
>>> seedance_nb.Gallery()          # past results with Re-run and Fork

Widgets and IPython load on first use, so importing this package stays cheap.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

_EXPORTS = {
    "TaskCard": "task_card",
    "Composer": "composer",
    "Gallery": "gallery",
    "SeedanceMagics": "magics",
    "show": "display",
    "refresh": "display",
    "mimebundle": "display",
}

__all__ = [
    "Composer",
    "Gallery",
    "SeedanceMagics",
    "TaskCard",
    "load_ipython_extension",
    "mimebundle",
    "refresh",
    "show",
    "unload_ipython_extension",
]


def load_ipython_extension(ip: Any) -> None:
    """Register the magics on ``ip`` (what ``%load_ext seedance_nb`` calls)."""
    from . import display
    from .magics import SeedanceMagics

    ip.register_magics(SeedanceMagics(ip))
    display.install(ip)


def unload_ipython_extension(ip: Any) -> None:
    from . import display

    display.uninstall(ip)


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{module}"), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_EXPORTS))


if TYPE_CHECKING:
    from .composer import Composer
    from .display import mimebundle, refresh, show
    from .gallery import Gallery
    from .magics import SeedanceMagics
    from .task_card import TaskCard
