-- Claims on files (ClaimStore): patterns one per line, relative to the repository's top
-- directory; times in nanoseconds since the epoch, as in the inbox. A repository has few
-- claims, so a claim step reads all of them.
CREATE TABLE claims (
    id          TEXT PRIMARY KEY,
    repo        TEXT NOT NULL,
    holder_id   TEXT NOT NULL,
    holder_name TEXT NOT NULL,
    patterns    TEXT NOT NULL,
    exclusive   INTEGER NOT NULL,
    reason      TEXT,
    claimed_at  INTEGER NOT NULL,
    expires_at  INTEGER
);

CREATE INDEX claims_by_repo ON claims (repo);

-- The sessions an edit was denied to: each is told once, when the claim ends.
CREATE TABLE claim_waiters (
    claim_id TEXT NOT NULL,
    peer_id  TEXT NOT NULL,
    PRIMARY KEY (claim_id, peer_id)
) WITHOUT ROWID;
