"""seedance_nb — ByteDance Seedance (video) and Seedream (image) generation, native in Jupyter.

>>> import seedance_nb as sd
>>> task = sd.submit(sd.VideoRequest(model="seedance-2.0", prompt="a red fox in snow"))
>>> task                       # a live card in a notebook; a static result once saved
>>> sd.history()               # every request ever made here, as a pandas DataFrame

With no API key configured everything runs against the built-in simulator. Names are imported on
first use, so ``import seedance_nb`` stays cheap (pandas, widgets and media libraries load lazily).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

# public name -> module that defines it
_EXPORTS = {
    "Status": "status",
    "TaskSnapshot": "status",
    "Asset": "status",
    "VideoRequest": "requests",
    "ImageRequest": "requests",
    "Mode": "requests",
    "Material": "materials",
    "check": "validation",
    "validate": "validation",
    "Problem": "validation",
    "estimate": "cost",
    "Estimate": "cost",
    "PriceTable": "cost",
    "models": "catalog",
    "AsyncSeedance": "client",
    "Timeouts": "client",
    "Seedance": "sync",
    "RetryPolicy": "retry",
    "use_simulator": "local_simulator",
    "Task": "lifecycle",
    "TaskGroup": "lifecycle",
    "History": "lifecycle",
    "submit": "lifecycle",
    "submit_many": "lifecycle",
    "grid": "lifecycle",
    "rerun": "lifecycle",
    "adopt": "lifecycle",
    "resume": "lifecycle",
    "history": "lifecycle",
    "configure": "lifecycle",
    "download": "lifecycle",
    "get_manager": "lifecycle",
    "load_ipython_extension": "notebook",
    "unload_ipython_extension": "notebook",
    "Composer": "notebook",
    "Gallery": "notebook",
    "TaskCard": "notebook",
    "errors": "",
}

__all__ = [
    "Asset",
    "AsyncSeedance",
    "Composer",
    "Estimate",
    "Gallery",
    "History",
    "ImageRequest",
    "Material",
    "Mode",
    "PriceTable",
    "Problem",
    "RetryPolicy",
    "Seedance",
    "Status",
    "Task",
    "TaskCard",
    "TaskGroup",
    "TaskSnapshot",
    "Timeouts",
    "VideoRequest",
    "__version__",
    "adopt",
    "check",
    "configure",
    "download",
    "errors",
    "estimate",
    "get_manager",
    "grid",
    "history",
    "load_ipython_extension",
    "models",
    "rerun",
    "resume",
    "submit",
    "submit_many",
    "unload_ipython_extension",
    "use_simulator",
    "validate",
]


def __getattr__(name: str) -> Any:
    module_name = _EXPORTS.get(name)
    if module_name is None:
        raise AttributeError(f"module 'seedance_nb' has no attribute {name!r}")
    if module_name == "":
        value: Any = importlib.import_module(f"{__name__}.{name}")
    else:
        value = getattr(importlib.import_module(f"{__name__}.{module_name}"), name)
    globals()[name] = value  # later lookups skip this function
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_EXPORTS))


if TYPE_CHECKING:
    from . import errors
    from .catalog import models
    from .client import AsyncSeedance, Timeouts
    from .cost import Estimate, PriceTable, estimate
    from .lifecycle import (
        History,
        Task,
        TaskGroup,
        adopt,
        configure,
        download,
        get_manager,
        grid,
        history,
        rerun,
        resume,
        submit,
        submit_many,
    )
    from .local_simulator import use_simulator
    from .materials import Material
    from .notebook import (
        Composer,
        Gallery,
        TaskCard,
        load_ipython_extension,
        unload_ipython_extension,
    )
    from .requests import ImageRequest, Mode, VideoRequest
    from .retry import RetryPolicy
    from .status import Asset, Status, TaskSnapshot
    from .sync import Seedance
    from .validation import Problem, check, validate
