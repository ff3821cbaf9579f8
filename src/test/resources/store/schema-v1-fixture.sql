-- A database as schema version 1 left it: written by hand in V1's tables, as an older
-- mycelium would have written them. SqliteStoreFaultTests opens it with the current jar,
-- which must migrate it and read everything. Keep it as it is when a V2 comes.
INSERT INTO peer (id, name, wanted_name, registered_at, pid, cwd, repo, branch, summary, client_pid, delivery,
                  hooks_seen, secret_hash, last_seen, away_since)
VALUES ('bobbbbbb', 'bob', 'bob', 1764500000000000000, 4242, '/work/bob', 'github.com/acme/shop', 'main',
        'bob on main', 4000, 'inbox socket', 1,
        '9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08', 1764500000000000000, NULL),
       ('alicaaaa', 'alice', 'alice', 1764500000000000000, 4343, '/work/alice', NULL, NULL, NULL, NULL, NULL, 0,
        NULL, 1764500000000000000, 1764500001000000000);
INSERT INTO session_key (session_key, peer_id) VALUES ('key-bob', 'bobbbbbb'), ('key-alice', 'alicaaaa');
INSERT INTO subscription (peer_id, topic) VALUES ('bobbbbbb', 'deploys');
INSERT INTO inbox (seq, recipient_id, id, kind, from_name, from_id, to_name, topic, body, reply_to, task_id, sent_at,
                   held)
VALUES (7, 'bobbbbbb', 'mmmmmmmmm1', 'direct', 'alice', 'alicaaaa', 'bob', NULL, 'written by schema 1', NULL, NULL,
        1764500000500000000, 1),
       (9, 'bobbbbbb', 'mmmmmmmmm2', 'task', 'alice', 'alicaaaa', 'bob', NULL, 'write docs', NULL, 'tttttttt',
        1764500000600000000, 0);
INSERT INTO task (id, delegator_id, delegator_name, assignee_id, assignee_name, description, context, status, result,
                  created_at, finished_at)
VALUES ('tttttttt', 'alicaaaa', 'alice', 'bobbbbbb', 'bob', 'write docs', NULL, 'pending', NULL, 1764500000600000000,
        NULL);
UPDATE meta SET value = 9 WHERE key = 'last_seq';
