"""What every validation rule needs to know about the request it is checking."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from . import catalog
from .catalog import Capabilities, ModelSpec

if TYPE_CHECKING:
    from .requests import ImageRequest, VideoRequest


@dataclass
class Context:
    """One request on one dialect, with its model resolved.

    ``refused`` collects fields already refused because the dialect cannot carry them, so model
    rules do not report the same field twice.
    """

    request: VideoRequest | ImageRequest
    provider: str
    spec: ModelSpec
    caps: Capabilities
    volcengine: bool = False
    will_upload: bool = False
    refused: set[str] = field(default_factory=set)

    @property
    def model(self) -> str:
        return self.spec.short

    def is_set(self, name: str) -> bool:
        """True when the user set ``name`` and the dialect can carry it."""
        return getattr(self.request, name, None) is not None and name not in self.refused

    def models_with(self, test: Callable[[Capabilities], bool]) -> list[str]:
        """Short names of the other models on this dialect, of this kind, that pass ``test``.

        Models of the same family come first (the likeliest switch).
        """
        found = []
        for spec in catalog.models_for(self.provider):
            same_kind = spec.kind == self.spec.kind and spec is not self.spec
            if same_kind and test(catalog.capabilities(spec, self.provider)):
                found.append(spec)
        found.sort(key=lambda s: s.family != self.spec.family)
        return [s.short for s in found]

    def or_models(self, test: Callable[[Capabilities], bool]) -> str:
        """``", or model X"`` naming up to two models that pass ``test`` (empty when none do)."""
        names = self.models_with(test)[:2]
        return f", or model {' or '.join(names)}" if names else ""


def one_of(values: tuple[str, ...] | list[str]) -> str:
    """``"720p or 480p"`` / ``"16:9, 4:3 or 1:1"``."""
    items = [str(v) for v in values]
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " or " + items[-1]
