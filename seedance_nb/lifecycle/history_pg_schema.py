"""The history's tables for PostgreSQL, as SQLAlchemy Core tables: the same names, columns (in
the same order) and indexes as the SQLite schema in ``history_schema``. Times stay epoch seconds
(``double precision``) and JSON stays text, so both databases hand the same values to the
DataFrame. Imported only when a PostgreSQL history is opened (SQLAlchemy is the ``team`` extra).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import (
    BigInteger,
    Column,
    Connection,
    Double,
    Identity,
    Index,
    Integer,
    MetaData,
    PrimaryKeyConstraint,
    Table,
    Text,
    select,
    text,
)

from .history_schema import MIGRATIONS, SCHEMA_VERSION

metadata = MetaData()


def _texts(*names: str) -> list[Column[Any]]:
    return [Column(name, Text) for name in names]


def _times(*names: str) -> list[Column[Any]]:
    return [Column(name, Double) for name in names]


meta = Table("meta", metadata, Column("key", Text, primary_key=True), Column("value", Text))

tasks = Table(
    "tasks",
    metadata,
    Column("uid", BigInteger, Identity(), primary_key=True),
    Column("id", Text),
    Column("provider", Text, nullable=False),
    Column("base_url", Text, nullable=False),
    Column("simulated", Integer, nullable=False, server_default="0"),
    *_texts("kind", "model", "mode", "prompt", "params", "request", "parent_id"),
    Column("tags", Text, nullable=False, server_default="[]"),
    *_texts("status", "raw_status"),
    Column("phase", Text, nullable=False),
    Column("create_state", Text, nullable=False),
    Column("client_ref", Text),
    *_times("submitted_at", "sent_at", "started_at", "finished_at", "updated_at"),
    Column("estimated_tokens", BigInteger),
    Column("estimated_cost", Double),
    Column("currency", Text),
    Column("tokens", BigInteger),
    Column("cost", Double),
    *_texts("error_code", "error_message", "notebook", "session", "owner", "member"),
    Column("lease_owner", Text),
    Column("lease_until", Double),
    Column("callback_token", Text),
)
Index(
    "tasks_provider_id",
    tasks.c.provider,
    tasks.c.base_url,
    tasks.c.id,
    unique=True,
    postgresql_where=tasks.c.id.is_not(None),
)
Index("tasks_id", tasks.c.id)
Index("tasks_phase", tasks.c.phase)
Index("tasks_submitted", tasks.c.submitted_at)

assets = Table(
    "assets",
    metadata,
    Column("uid", BigInteger, nullable=False),
    Column("idx", Integer, nullable=False),
    Column("kind", Text, nullable=False),
    Column("url", Text, nullable=False),
    Column("expires_at", Double),
    Column("state", Text, nullable=False),
    *_texts("path", "sha256"),
    Column("size", BigInteger),
    *_texts("content_type", "error"),
    Column("attempts", Integer, nullable=False, server_default="0"),
    PrimaryKeyConstraint("uid", "idx"),
)

events = Table(
    "events",
    metadata,
    Column("seq", BigInteger, Identity(), primary_key=True),
    Column("uid", BigInteger, nullable=False),
    Column("at", Double, nullable=False),
    Column("kind", Text, nullable=False),
    Column("status", Text),
    Column("detail", Text),
)
Index("events_uid", events.c.uid)

# Serialises schema changes between members opening the same database at once.
MIGRATION_LOCK = 0x5EED_0001
# Serialises inserts (and the budget check made with them) across every member: the
# equivalent of SQLite's BEGIN IMMEDIATE for the rows a cap counts.
INSERT_LOCK = 0x5EED_0002


def migrate(conn: Connection) -> None:
    """Make the tables (a new database) or bring an older one up to ``SCHEMA_VERSION``; in the
    caller's transaction, under an advisory lock so two members starting at once do not race."""
    conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATION_LOCK})
    meta.create(conn, checkfirst=True)
    found = conn.execute(select(meta.c.value).where(meta.c.key == "schema_version")).scalar()
    if found is None:
        metadata.create_all(conn, checkfirst=True)
        conn.execute(meta.insert().values(key="schema_version", value=str(SCHEMA_VERSION)))
        return
    version = int(found)
    for step in range(version + 1, SCHEMA_VERSION + 1):
        for statement in MIGRATIONS[step]:
            conn.execute(text(statement))
    if version < SCHEMA_VERSION:
        conn.execute(
            meta.update().where(meta.c.key == "schema_version").values(value=str(SCHEMA_VERSION))
        )
