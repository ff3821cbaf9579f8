-- The broker's state (see docs/storage.md). Times are nanoseconds since 1970-01-01 UTC.

-- One row per peer the broker knows, live or away (away_since set) within its grace.
CREATE TABLE peer (
    id            TEXT PRIMARY KEY,
    name          TEXT NOT NULL,
    wanted_name   TEXT NOT NULL,
    registered_at INTEGER NOT NULL,
    pid           INTEGER,
    cwd           TEXT,
    repo          TEXT,
    branch        TEXT,
    summary       TEXT,
    client_pid    INTEGER,
    delivery      TEXT,
    hooks_seen    INTEGER NOT NULL DEFAULT 0,
    -- SHA-256 of the peer's current secret; NULL once it left.
    secret_hash   TEXT UNIQUE,
    last_seen     INTEGER NOT NULL,
    away_since    INTEGER
);

-- The session keys that resume a peer: the one it registered with, those its hooks named.
CREATE TABLE session_key (
    session_key TEXT PRIMARY KEY,
    peer_id     TEXT NOT NULL
);

CREATE TABLE subscription (
    peer_id TEXT NOT NULL,
    topic   TEXT NOT NULL,
    PRIMARY KEY (peer_id, topic)
);

-- Unread messages, one row per inbox (a broadcast has one per recipient, with one id).
-- seq orders each inbox and is never reused (meta.last_seq keeps the high-water mark).
CREATE TABLE inbox (
    seq          INTEGER PRIMARY KEY,
    recipient_id TEXT NOT NULL,
    id           TEXT NOT NULL,
    kind         TEXT NOT NULL,
    from_name    TEXT NOT NULL,
    from_id      TEXT,
    to_name      TEXT,
    topic        TEXT,
    body         TEXT NOT NULL,
    reply_to     TEXT,
    task_id      TEXT,
    sent_at      INTEGER NOT NULL,
    -- held by the peer's own delivery into its session (the inbox socket)
    held         INTEGER NOT NULL DEFAULT 0
);
-- Two indexes only: every index is one more page written by each commit. An inbox is read
-- through inbox_by_message and sorted by seq (at most its limit of rows); expiry looks at
-- the oldest rows by seq, which follows the time of sending.
CREATE UNIQUE INDEX inbox_by_message ON inbox (recipient_id, id);
CREATE INDEX inbox_by_sender ON inbox (from_id);

-- Messages that left an inbox unread (expired, or their recipient forgotten) and whose
-- sender has not been told yet; removed when the notice is written.
CREATE TABLE expired (
    seq          INTEGER PRIMARY KEY,
    recipient_id TEXT NOT NULL,
    id           TEXT NOT NULL,
    kind         TEXT NOT NULL,
    from_name    TEXT NOT NULL,
    from_id      TEXT,
    to_name      TEXT,
    topic        TEXT,
    body         TEXT NOT NULL,
    reply_to     TEXT,
    task_id      TEXT,
    sent_at      INTEGER NOT NULL
);

-- Tasks are never deleted; rowid keeps them in the order they were delegated.
CREATE TABLE task (
    id             TEXT PRIMARY KEY,
    delegator_id   TEXT NOT NULL,
    delegator_name TEXT NOT NULL,
    assignee_id    TEXT NOT NULL,
    assignee_name  TEXT NOT NULL,
    description    TEXT NOT NULL,
    context        TEXT,
    status         TEXT NOT NULL,
    result         TEXT,
    created_at     INTEGER NOT NULL,
    finished_at    INTEGER
);

CREATE TABLE meta (
    key   TEXT PRIMARY KEY,
    value INTEGER NOT NULL
);
INSERT INTO meta (key, value) VALUES ('last_seq', 0);
