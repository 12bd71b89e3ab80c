-- Events for the annotation queries, counted by hand in annotations_test.go.
-- Workspace "other" repeats a burst and a peak at the same times and must never
-- be counted for acme.
--
-- Missed conversations (assignments that ended without being accepted), by team
-- and 15-minute window on 2022-01-10 (UTC):
--
--   window  Sales                        Support                no team
--   10:00   3 (10:01, 10:05, 10:14:59)   0 (3 handled ones)     1 (10:02)
--   10:15   4 (10:15, 10:20, 10:25,      3 (10:16, 10:17,       0
--              10:29:59)                    10:18; one more at
--                                           10:19 still waiting,
--                                           not missed)
--   10:30   2 (10:31, 10:40)             0                      0
--   10:45   0                            0                      0
--   11:00   3 (11:00, 11:05, 11:10)      0                      0
--
-- With a threshold of 3: Sales 10:00-10:30 (7 missed, 2 windows, busiest 4) and
-- 11:00-11:15 (3; 10:30 has only 2, so it is a new burst), Support 10:15-10:30 (3).
INSERT INTO workspaces (id, slug, name) VALUES (1, 'acme', 'Acme'), (2, 'other', 'Other');
INSERT INTO teams (workspace_id, id, name) VALUES (1, 1, 'Sales'), (1, 2, 'Support'), (2, 1, 'Sales');
INSERT INTO agents (workspace_id, id, name, role, team_id) VALUES (1, 1, 'Ana', 'support', 2);
INSERT INTO inboxes (workspace_id, id, name, platform) VALUES (1, 1, 'WhatsApp', 'whatsapp'), (2, 1, 'WhatsApp', 'whatsapp');
INSERT INTO contacts (workspace_id, id, platform, chat_id) VALUES (1, 1, 'whatsapp', 'a1'), (2, 1, 'whatsapp', 'o1');
INSERT INTO conversations (workspace_id, id, contact_id, inbox_id, started_at) VALUES
  (1, 1, 1, 1, '2022-01-09 18:29Z'), (2, 1, 1, 1, '2022-01-09 18:29Z');

INSERT INTO assignments (workspace_id, conversation_id, contact_id, team_id, created_at, ended_at, outcome)
SELECT 1, 1, 1, team, created::timestamptz, created::timestamptz + interval '5 minutes', 'missed'
FROM (VALUES
  (1, '2022-01-10 10:01:00Z'), (1, '2022-01-10 10:05:00Z'), (1, '2022-01-10 10:14:59Z'),
  (1, '2022-01-10 10:15:00Z'), (1, '2022-01-10 10:20:00Z'), (1, '2022-01-10 10:25:00Z'), (1, '2022-01-10 10:29:59Z'),
  (1, '2022-01-10 10:31:00Z'), (1, '2022-01-10 10:40:00Z'),
  (1, '2022-01-10 11:00:00Z'), (1, '2022-01-10 11:05:00Z'), (1, '2022-01-10 11:10:00Z'),
  (2, '2022-01-10 10:16:00Z'), (2, '2022-01-10 10:17:00Z'), (2, '2022-01-10 10:18:00Z'),
  (NULL, '2022-01-10 10:02:00Z')
) AS m (team, created);
-- Support's handled hand-offs at 10:00 and the one still waiting at 10:19.
INSERT INTO assignments (workspace_id, conversation_id, contact_id, team_id, agent_id, created_at, accepted_at, ended_at, outcome)
SELECT 1, 1, 1, 2, 1, created::timestamptz, created::timestamptz + interval '1 minute', created::timestamptz + interval '5 minutes', 'handled'
FROM (VALUES ('2022-01-10 10:00:00Z'), ('2022-01-10 10:03:00Z'), ('2022-01-10 10:06:00Z')) AS h (created);
INSERT INTO assignments (workspace_id, conversation_id, contact_id, team_id, created_at)
VALUES (1, 1, 1, 2, '2022-01-10 10:19:00Z');
-- Workspace other: 5 missed for its Sales at 10:00.
INSERT INTO assignments (workspace_id, conversation_id, contact_id, team_id, created_at, ended_at, outcome)
SELECT 2, 1, 1, 1, '2022-01-10 10:00:00Z'::timestamptz + n * interval '1 minute', '2022-01-10 10:30:00Z', 'missed'
FROM generate_series(0, 4) AS n;

-- Messages per clock minute (all inbound, contact 1), with their day in UTC and in
-- Asia/Kolkata (+05:30, so its days start at 18:30 UTC the day before):
--
--   minute (UTC)       messages  UTC day  Kolkata day (local time)
--   2022-01-09 18:29   4         01-09    01-09 (23:59)
--   2022-01-09 18:30   3         01-09    01-10 (00:00)
--   2022-01-10 08:00   2         01-10    01-10 (13:30)
--   2022-01-10 12:00   3         01-10    01-10 (17:30)
--   2022-01-10 20:00   1         01-10    01-11 (01:30)
--
-- Peaks in UTC: 01-09 4 at 18:29; 01-10 3 at 12:00. In Kolkata: 01-09 4 at 18:29 UTC;
-- 01-10 3 at 18:30 UTC on the 9th (tied with 12:00, the earliest wins); 01-11 1 at 20:00.
-- Workspace other has 10 messages at 2022-01-10 12:00.
INSERT INTO messages (workspace_id, conversation_id, contact_id, direction, sender, created_at)
SELECT 1, 1, 1, 'inbound', 'contact', minute::timestamptz + k * interval '5 seconds'
FROM (VALUES ('2022-01-09 18:29Z', 4), ('2022-01-09 18:30Z', 3), ('2022-01-10 08:00Z', 2),
             ('2022-01-10 12:00Z', 3), ('2022-01-10 20:00Z', 1)) AS p (minute, n),
     generate_series(0, n - 1) AS k;
INSERT INTO messages (workspace_id, conversation_id, contact_id, direction, sender, created_at)
SELECT 2, 1, 1, 'inbound', 'contact', '2022-01-10 12:00Z'::timestamptz + k * interval '5 seconds'
FROM generate_series(0, 9) AS k;
