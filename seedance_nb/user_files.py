"""Files a user keeps in their config folder: ``prices.toml`` and ``catalog.toml``.

The folder is ``SEEDANCE_CONFIG_DIR`` when set (tests point it at a temporary folder), else the
platform's config folder for ``seedance_nb`` (``platformdirs.user_config_dir``), e.g.
``~/.config/seedance_nb`` on Linux. Nothing is read at import; each call reads the file again, so
an edit takes effect without a restart.

>>> config_dir({"SEEDANCE_CONFIG_DIR": "/tmp/sd"}).as_posix()
'/tmp/sd'
"""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

if sys.version_info >= (3, 11):
    import tomllib
else:  # Python 3.10
    import tomli as tomllib  # type: ignore[import-not-found, unused-ignore]

from .errors import ConfigError

CONFIG_ENV = "SEEDANCE_CONFIG_DIR"
PRICES_FILE = "prices.toml"
CATALOG_FILE = "catalog.toml"


def config_dir(env: Mapping[str, str] | None = None) -> Path:
    """The folder of the user's ``prices.toml`` and ``catalog.toml`` (it may not exist yet)."""
    env = os.environ if env is None else env
    chosen = env.get(CONFIG_ENV)
    if chosen:
        return Path(chosen).expanduser()
    import platformdirs

    return Path(platformdirs.user_config_dir("seedance_nb", appauthor=False))


def path(name: str) -> Path:
    """Where the user file ``name`` lives."""
    return config_dir() / name


def shown(name: str) -> str:
    """Where the user file ``name`` lives, as messages say it: the home folder as ``~``, so a
    saved notebook's outputs never carry a user name or home directory.

    >>> shown("prices.toml").endswith("prices.toml")
    True
    """
    file = path(name)
    try:
        return "~/" + file.relative_to(Path.home()).as_posix()
    except (ValueError, RuntimeError):  # outside the home folder, or no home at all
        return str(file)


def read(name: str) -> dict[str, Any]:
    """The TOML document ``name`` of the config folder; ``{}`` when there is none.

    A file that is not valid TOML raises :class:`errors.ConfigError` naming it and the line.
    """
    file = path(name)
    try:
        text = file.read_text(encoding="utf-8")
    except FileNotFoundError:
        return {}
    except OSError as exc:
        raise ConfigError(f"cannot read {shown(name)}: {exc}. Fix: check its permissions") from None
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(
            f"{shown(name)} is not valid TOML: {exc}. Fix: correct that line"
        ) from None
