"""The history database's tables. Columns are only ever added, never renamed or retyped.

``tasks``: one row per request (``uid``) with the provider task id (``id``) once known;
``assets``: one row per result file of a task; ``events``: an append-only log of state changes.

The same tables live in SQLite (this text) and in PostgreSQL (``history_pg_schema``, the same
columns in the same order). ``meta.schema_version`` says which of :data:`MIGRATIONS` a database
has had: a new database is made at :data:`SCHEMA_VERSION`, an older one is brought up to it step
by step, in one transaction, when it is opened. The steps are plain SQL both databases accept.
"""

from __future__ import annotations

SCHEMA_VERSION = 3

# version -> the statements that bring a database from the version before up to it.
MIGRATIONS: dict[int, tuple[str, ...]] = {
    # Who submitted a row (a member name, never a key): several people share one ledger.
    2: ("ALTER TABLE tasks ADD COLUMN member TEXT",),
    # Team ledgers: which member polls a live task, until when (a lease that lapses when its
    # holder dies), and the secret in the task's callback URL (never shown in the history frame).
    3: (
        "ALTER TABLE tasks ADD COLUMN lease_owner TEXT",
        "ALTER TABLE tasks ADD COLUMN lease_until REAL",
        "ALTER TABLE tasks ADD COLUMN callback_token TEXT",
    ),
}

TASK_COLUMNS = (
    "uid", "id", "provider", "base_url", "simulated", "kind", "model", "mode", "prompt",
    "params", "request", "parent_id", "tags", "status", "raw_status", "phase", "create_state",
    "client_ref", "submitted_at", "sent_at", "started_at", "finished_at", "updated_at",
    "estimated_tokens", "estimated_cost", "currency", "tokens", "cost", "error_code",
    "error_message", "notebook", "session", "owner", "member", "lease_owner", "lease_until",
    "callback_token",
)  # fmt: skip
ASSET_COLUMNS = (
    "uid", "idx", "kind", "url", "expires_at", "state", "path", "sha256", "size",
    "content_type", "error", "attempts",
)  # fmt: skip

SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT);
CREATE TABLE IF NOT EXISTS tasks (
    uid INTEGER PRIMARY KEY AUTOINCREMENT,
    id TEXT, provider TEXT NOT NULL, base_url TEXT NOT NULL, simulated INTEGER NOT NULL DEFAULT 0,
    kind TEXT, model TEXT, mode TEXT, prompt TEXT, params TEXT, request TEXT, parent_id TEXT,
    tags TEXT NOT NULL DEFAULT '[]',
    status TEXT, raw_status TEXT, phase TEXT NOT NULL, create_state TEXT NOT NULL,
    client_ref TEXT,
    submitted_at REAL, sent_at REAL, started_at REAL, finished_at REAL, updated_at REAL,
    estimated_tokens INTEGER, estimated_cost REAL, currency TEXT, tokens INTEGER, cost REAL,
    error_code TEXT, error_message TEXT, notebook TEXT, session TEXT, owner TEXT, member TEXT,
    lease_owner TEXT, lease_until REAL, callback_token TEXT
);
CREATE UNIQUE INDEX IF NOT EXISTS tasks_provider_id ON tasks (provider, base_url, id)
    WHERE id IS NOT NULL;
CREATE INDEX IF NOT EXISTS tasks_id ON tasks (id);
CREATE INDEX IF NOT EXISTS tasks_phase ON tasks (phase);
CREATE INDEX IF NOT EXISTS tasks_submitted ON tasks (submitted_at);
CREATE TABLE IF NOT EXISTS assets (
    uid INTEGER NOT NULL, idx INTEGER NOT NULL, kind TEXT NOT NULL, url TEXT NOT NULL,
    expires_at REAL, state TEXT NOT NULL, path TEXT, sha256 TEXT, size INTEGER,
    content_type TEXT, error TEXT, attempts INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (uid, idx)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS events (
    seq INTEGER PRIMARY KEY AUTOINCREMENT, uid INTEGER NOT NULL, at REAL NOT NULL,
    kind TEXT NOT NULL, status TEXT, detail TEXT
);
CREATE INDEX IF NOT EXISTS events_uid ON events (uid);
"""
