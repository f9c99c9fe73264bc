"""``Problem``: one broken rule of a request, with the fix. Re-exported by ``seedance_nb.validation``.

It lives in its own module so the catalog (which refuses unknown models) and the validation rules
can both build problems without importing each other.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Problem:
    """One reason a request would be refused, and what to do about it.

    >>> str(Problem("resolution", "seedance-2.0-fast does not offer 1080p", "use 720p or 480p"))
    'resolution: seedance-2.0-fast does not offer 1080p. Fix: use 720p or 480p'
    """

    field: str
    rule: str
    fix: str

    def __str__(self) -> str:
        return f"{self.field}: {self.rule}. Fix: {self.fix}"
