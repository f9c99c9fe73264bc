"""Which process owns a history row: owner tokens (host:pid:nonce) and whether that process
still lives (only decidable on the same host)."""

from __future__ import annotations

import os
import socket

LIVE_OWNERS: set[str] = set()  # owner tokens of open managers in this process


def owner_token() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{os.urandom(4).hex()}"


def owner_alive(owner: str | None) -> bool:
    """Whether the process (services) that owns a row is still running."""
    if not owner:
        return False
    host, _, rest = owner.partition(":")
    pid_text, _, _token = rest.partition(":")
    if host != socket.gethostname():
        return True  # cannot tell from here; resume(force=True) takes it over
    try:
        pid = int(pid_text)
    except ValueError:
        return False
    if pid == os.getpid():
        return owner in LIVE_OWNERS
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def same_process(owner: str | None) -> bool:
    if not owner:
        return False
    host, _, rest = owner.partition(":")
    return host == socket.gethostname() and rest.partition(":")[0] == str(os.getpid())
