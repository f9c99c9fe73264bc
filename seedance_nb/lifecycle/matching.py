"""Deciding whether an upstream task is the one a lost create made.

The account may be shared: a colleague's task of the same model can sit in the same list. A task
is adopted automatically only when all of these hold:

- it was **created after the send**. The provider stamps ``created_at`` with its own clock, so our
  send time is moved onto the server's clock with the ``Date`` header of the list answer: with
  ``before``/``after`` our clock around that request, the offset lies in
  ``[Date - after, Date + 1 - before]`` (``Date`` is whole seconds). The earliest creation time
  we accept is ``floor(sent + Date - after)``, which no create sent at ``sent`` can precede; the
  latest is the answer's time on the same bound plus :data:`LATE_SLACK` (a gateway may pass a
  create on shortly after giving up on it). An answer without a ``Date`` header adopts nothing.
- **every field the provider echoes** for the task equals what we sent (model, resolution, ratio,
  duration, frames, seed where set, audio, service tier, draft, priority, expiry, safety id, last
  frame), reading an unset field as the API's documented default where it has one;
- it is the **only** such task not already in the history.

Otherwise nothing is adopted: the matches (or, if none, the look-alikes made around the send) are
listed as candidates for the user.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ..status import Status, TaskSnapshot

if TYPE_CHECKING:
    from ..client import AsyncSeedance

LATE_SLACK = 30.0  # seconds after the answer a create may still be made upstream
NEAR = 300.0  # look-alikes this close to the send are listed (never adopted)
# Echoed fields and the value ModelArk assumes when the create leaves them out (FACTS §1.2/1.3);
# None: no default we can rely on, so an unset field is not compared.
ECHOED: dict[str, Any] = {
    "model": None,
    "resolution": None,
    "ratio": None,
    "duration": None,
    "frames": None,
    "seed": None,
    "generate_audio": None,
    "service_tier": "default",
    "draft": False,
    "priority": None,
    "execution_expires_after": 172800,
    "safety_identifier": None,
}
# Values that ask the provider to choose: the echo then holds its choice, which proves nothing.
CHOSEN_UPSTREAM = {"ratio": ("adaptive",), "duration": (-1,), "seed": (-1,)}


@dataclass
class Found:
    """What one look at the list found."""

    matches: list[TaskSnapshot] = field(default_factory=list)  # made after the send, all match
    near: list[TaskSnapshot] = field(default_factory=list)  # match, but made around the send
    why_not: str | None = None  # why nothing can be adopted whatever the list says

    @property
    def adoptable(self) -> TaskSnapshot | None:
        return self.matches[0] if len(self.matches) == 1 and not self.why_not else None


def sent_body(client: AsyncSeedance, request: Any) -> dict[str, Any] | None:
    """The create's JSON body as it went out (rebuilt from the request), or None."""
    if request is None:
        return None
    try:
        return dict(client.adapter.build_create(request).json or {})
    except Exception:
        return None


def echo_matches(body: dict[str, Any] | None, snap: TaskSnapshot) -> bool:
    """True when every field the task echoes agrees with the body we sent."""
    if body is None:
        return False  # the request cannot be rebuilt: nothing to compare, adopt nothing
    raw = snap.raw or {}
    for name, default in ECHOED.items():
        echoed = raw.get(name)
        sent = body.get(name, default)
        if echoed is None or sent is None or sent in CHOSEN_UPSTREAM.get(name, ()):
            continue
        if name == "duration" and body.get("frames"):
            continue  # frames decide the length; the echoed duration is derived from them
        if not _same(sent, echoed):
            return False
    draft = _draft_id(body)
    if (draft or raw.get("draft_task_id")) and draft != raw.get("draft_task_id"):
        return False
    if snap.status is Status.SUCCEEDED:
        last_frame = bool(body.get("return_last_frame"))
        if last_frame != any(a.kind == "last_frame" for a in snap.assets):
            return False
    return True


def _same(sent: Any, echoed: Any) -> bool:
    if isinstance(sent, bool) or isinstance(echoed, bool):
        return isinstance(sent, bool) and isinstance(echoed, bool) and sent == echoed
    if isinstance(sent, (int, float)) and isinstance(echoed, (int, float)):
        return float(sent) == float(echoed)
    return str(sent).strip().lower() == str(echoed).strip().lower()


def _draft_id(body: dict[str, Any]) -> str | None:
    for item in body.get("content") or ():
        if isinstance(item, dict) and item.get("type") == "draft_task":
            return (item.get("draft_task") or {}).get("id")
    return None


def sort_by_time(
    fits: list[TaskSnapshot],
    *,
    sent: float,
    answered: float,
    date: float | None,
    before: float,
    after: float,
) -> Found:
    """Split matching tasks into those made after the send and look-alikes made around it."""
    if date is None:
        near = [s for s in fits if abs((_created(s) or math.inf) - sent) <= NEAR]
        return Found(
            near=near,
            why_not="the list answer had no Date header, so the server's clock cannot be "
            "compared with ours",
        )
    low = math.floor(sent + (date - after))
    high = answered + (date + 1.0 - before) + LATE_SLACK
    found = Found()
    for snap in fits:
        created = _created(snap)
        if created is None:
            continue  # cannot be shown to come after the send
        if low <= created <= high:
            found.matches.append(snap)
        elif low - NEAR <= created <= high + NEAR:
            found.near.append(snap)
    return found


def _created(snap: TaskSnapshot) -> float | None:
    return snap.created_at.timestamp() if snap.created_at else None
