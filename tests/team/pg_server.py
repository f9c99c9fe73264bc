"""A real, throwaway PostgreSQL server for tests and benchmarks (Debian's ``postgresql`` package).

    with PgServer.started() as server:
        url = server.new_database()          # postgresql://seedance@127.0.0.1:PORT/db_1

The server runs from a fresh data directory under the system temp folder, listens only on
127.0.0.1 on a free port (no Unix socket), trusts local connections, and skips fsync (its data is
thrown away). ``initdb`` refuses to run as root, so as root everything runs as Debian's
``postgres`` user (``runuser``). :meth:`stop` shuts it down and deletes the directory; it also
runs at interpreter exit should a caller never get there.
"""

from __future__ import annotations

import atexit
import contextlib
import glob
import itertools
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

USER = "seedance"
_CONF = """
listen_addresses = '127.0.0.1'
port = {port}
unix_socket_directories = ''
fsync = off
synchronous_commit = off
full_page_writes = off
max_connections = 200
"""


class PgUnavailable(RuntimeError):
    """No PostgreSQL server can be started here (not installed, or it would not start)."""


def _bindir() -> Path:
    found = os.environ.get("SEEDANCE_PG_BINDIR")
    if found:
        return Path(found)
    versions = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"),
                      key=lambda p: int(Path(p).parts[-3]))  # fmt: skip
    preferred = [p for p in versions if "/15/" in p] or versions
    if preferred:
        return Path(preferred[-1]).parent
    on_path = shutil.which("initdb")
    if on_path:
        return Path(on_path).parent
    raise PgUnavailable(
        "PostgreSQL is not installed (no /usr/lib/postgresql/*/bin/initdb). "
        "Fix: apt-get install -y postgresql"
    )


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class PgServer:
    """One PostgreSQL server; see the module docstring."""

    def __init__(self) -> None:
        self.bindir = _bindir()
        self.root = Path(tempfile.mkdtemp(prefix="seedance-pg-"))
        self.data = self.root / "data"
        self.log = self.root / "server.log"
        self.port = 0
        self.running = False
        self._names = itertools.count(1)
        self._as: list[str] = []
        if os.geteuid() == 0:
            try:
                account = pwd.getpwnam("postgres")
            except KeyError:
                self._cleanup()
                raise PgUnavailable(
                    "running as root and there is no 'postgres' user to run the server as "
                    "(initdb refuses root). Fix: apt-get install -y postgresql"
                ) from None
            os.chown(self.root, account.pw_uid, account.pw_gid)
            self._as = ["runuser", "-u", "postgres", "--"]

    @classmethod
    @contextlib.contextmanager
    def started(cls) -> Iterator[PgServer]:
        server = cls()
        try:
            server.start()
            yield server
        finally:
            server.stop()

    def _run(self, *args: str, timeout: float = 120) -> None:
        try:
            done = subprocess.run([*self._as, *args], capture_output=True, text=True,
                                  timeout=timeout, stdin=subprocess.DEVNULL)  # fmt: skip
        except (OSError, subprocess.TimeoutExpired) as exc:
            raise PgUnavailable(f"{Path(args[0]).name} could not run: {exc}") from None
        if done.returncode != 0:
            tail = (done.stderr or done.stdout).strip()[-1500:]
            log = self.log.read_text()[-1500:] if self.log.exists() else ""
            raise PgUnavailable(f"{Path(args[0]).name} failed: {tail}\n{log}".strip())

    def start(self) -> None:
        atexit.register(self.stop)
        try:
            self._run(str(self.bindir / "initdb"), "-D", str(self.data), "-U", USER,
                      "--auth=trust", "--encoding=UTF8", "--locale=C", "--no-sync")  # fmt: skip
            conf = self.data / "postgresql.conf"
            base = conf.read_text()
            for attempt in range(3):  # a free port can be taken between looking and binding
                self.port = _free_port()
                conf.write_text(base + _CONF.format(port=self.port))
                try:
                    self._run(str(self.bindir / "pg_ctl"), "-D", str(self.data), "-l",
                              str(self.log), "-w", "-t", "60", "start")  # fmt: skip
                    break
                except PgUnavailable:
                    if attempt == 2:
                        raise
            self.running = True
        except BaseException:
            self.stop()
            raise

    def url(self, database: str = "postgres") -> str:
        return f"postgresql://{USER}@127.0.0.1:{self.port}/{database}"

    def new_database(self) -> str:
        """A new empty database; its URL."""
        import psycopg

        name = f"db_{next(self._names)}"
        with psycopg.connect(self.url(), autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        return self.url(name)

    def drop_database(self, url: str) -> None:
        import psycopg

        name = url.rsplit("/", 1)[1]
        with psycopg.connect(self.url(), autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    def stop(self) -> None:
        if self.running:
            self.running = False
            with contextlib.suppress(Exception):
                self._run(str(self.bindir / "pg_ctl"), "-D", str(self.data), "-m", "immediate",
                          "-w", "stop", timeout=60)  # fmt: skip
        self._cleanup()

    def _cleanup(self) -> None:
        shutil.rmtree(self.root, ignore_errors=True)
        atexit.unregister(self.stop)
