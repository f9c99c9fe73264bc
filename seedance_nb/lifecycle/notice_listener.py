"""The thread that listens for change notices on a PostgreSQL ledger (``LISTEN``).

One dedicated psycopg connection (not from the history's pool: a listening connection must stay
open and idle) in a daemon thread, so neither the kernel's event loop nor a script's private loop
ever waits on it. Each notice's payload goes to ``deliver`` on this thread; the receiver hands it
to its loop. A dropped connection (a restarted server, a terminated backend, a network outage) is
opened again with growing pauses; once listening again, ``caught_up`` is called, because notices
sent while nobody listened are lost and the receiver must look at the ledger itself (the same
after the first connect: a handle read just before ``LISTEN`` might have missed one).
"""

from __future__ import annotations

import contextlib
import logging
import threading
import time
from collections.abc import Callable
from typing import Any

from .history_pg_notices import parse

log = logging.getLogger("seedance_nb.lifecycle")


class NoticeListener:
    """``LISTEN channel`` on its own connection until :meth:`stop`.

    ``deliver(payload)`` gets each notice's parsed payload; ``caught_up()`` runs each time
    ``LISTEN`` is in place (first connect and every reconnect); ``tick()``, if given, every
    ``tick_every`` seconds while listening. All are called on the listener's thread and must
    return quickly.
    """

    def __init__(
        self,
        conninfo: str,
        channel: str,
        deliver: Callable[[dict[str, Any]], None],
        caught_up: Callable[[], None],
        *,
        first_pause: float = 0.1,
        max_pause: float = 5.0,
        wait: float = 0.2,
        ping_every: float = 20.0,
        tick: Callable[[], None] | None = None,
        tick_every: float = 5.0,
        name: str = "seedance-notices",
    ) -> None:
        self._conninfo = conninfo
        self.channel = channel
        self._deliver = deliver
        self._caught_up = caught_up
        self.first_pause, self.max_pause = first_pause, max_pause
        self._wait = wait  # how often the thread looks at the stop flag
        self._ping_every = ping_every  # a quiet connection is checked this often
        self._tick, self._tick_every = tick, tick_every  # called this often while listening
        self._stop = threading.Event()
        self.listening = threading.Event()  # set while LISTEN is active
        self.backend_pid: int | None = None  # the server process of the listening connection
        self.received = 0
        self.drops = 0  # connections lost (and opened again)
        self._thread = threading.Thread(target=self._run, name=name, daemon=True)

    @property
    def alive(self) -> bool:
        return self._thread.is_alive()

    def start(self) -> NoticeListener:
        self._thread.start()
        return self

    def stop(self) -> None:
        """Ask the thread to end (it does within ``wait`` seconds); does not block."""
        self._stop.set()

    def join(self, timeout: float | None = None) -> bool:
        """Wait for the thread to end; True if it has."""
        if self._thread.is_alive() and self._thread is not threading.current_thread():
            self._thread.join(timeout)
        return not self._thread.is_alive()

    # -- on the listener's thread ----------------------------------------------------------------
    def _run(self) -> None:
        pause, failing = self.first_pause, False
        while not self._stop.is_set():
            established = False

            def listening() -> None:
                nonlocal established, failing
                if failing:
                    log.warning("change notices: connected again; reading live tasks once")
                established, failing = True, False
                try:  # what happened before we listened (or while the connection was down)
                    self._caught_up()
                except Exception:
                    log.exception("change notices: catching up failed")

            try:
                self._listen(listening)
            except Exception as exc:  # psycopg.OperationalError mostly: the connection is gone
                if self._stop.is_set():
                    break
                if established:
                    self.drops += 1
                    pause = self.first_pause
                reason = str(exc).strip().splitlines()[0] if str(exc).strip() else repr(exc)
                # Said once per outage; the attempts after it are logged at debug level.
                level = logging.WARNING if established or not failing else logging.DEBUG
                failing = True
                log.log(level, "change notices: no connection to the history (%s); trying "
                        "again in %.1f s", reason, pause)  # fmt: skip
                self._stop.wait(pause)
                pause = min(pause * 2, self.max_pause)

    def _listen(self, listening: Callable[[], None]) -> None:
        import psycopg
        from psycopg import sql
        from psycopg.conninfo import make_conninfo

        # TCP keepalives: a network that drops silently shows up within about half a minute.
        # (libpq parameters in the connection string; ignored on a Unix socket)
        conninfo = make_conninfo(self._conninfo, keepalives=1, keepalives_idle=10,
                                 keepalives_interval=5, keepalives_count=3)  # fmt: skip
        conn = psycopg.connect(conninfo, autocommit=True, connect_timeout=5)
        try:
            conn.execute(sql.SQL("LISTEN {}").format(sql.Identifier(self.channel)))
            self.backend_pid = conn.info.backend_pid
            self.listening.set()
            listening()
            quiet, ticked = 0.0, time.monotonic()
            while not self._stop.is_set():
                heard = False
                for notice in conn.notifies(timeout=self._wait):
                    heard = True
                    self._receive(notice.payload)
                    if self._stop.is_set():
                        break
                quiet = 0.0 if heard else quiet + self._wait
                if quiet >= self._ping_every:  # a silent network drop shows up here
                    conn.execute("SELECT 1")
                    quiet = 0.0
                if self._tick is not None and time.monotonic() - ticked >= self._tick_every:
                    ticked = time.monotonic()
                    try:
                        self._tick()
                    except Exception:
                        log.exception("change notices: a periodic check failed")
        finally:
            self.listening.clear()
            with contextlib.suppress(Exception):
                conn.close()

    def _receive(self, text: str) -> None:
        data = parse(text)
        if data is None:
            log.warning("change notices: ignored a notice that is not ours: %.80r", text)
            return
        self.received += 1
        try:
            self._deliver(data)
        except Exception:
            log.exception("change notices: handing over a notice failed")
