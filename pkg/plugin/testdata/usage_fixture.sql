-- A small conversation store whose usage numbers are counted by hand in
-- usage_test.go. Workspace "acme" reproduces the January 2022 worked example of
-- the metric contract; workspace "other" has activity at the same times that
-- must never be counted for acme.
--
-- acme contacts:
--   whatsapp    1..67   first wrote in December 2021; 1..10 write again in January, 1..5 in February
--   whatsapp   68..473  first wrote in January 2022 (473 at 2022-01-31 23:30 UTC: February in Tokyo)
--   whatsapp  474..478  only received a broadcast in January, never wrote: not users
--   whatsapp       479  wrote around the 2022-03-27 DST change in Madrid
--   webchat  1001..1049 first wrote in November 2021; 1001..1009 write again in January
--   webchat  1050..1069 first wrote in January 2022

INSERT INTO workspaces (id, slug, name) VALUES (1, 'acme', 'Acme'), (2, 'other', 'Other');
INSERT INTO inboxes (workspace_id, id, name, platform) VALUES
  (1, 1, 'Acme WhatsApp', 'whatsapp'), (1, 2, 'Acme web chat', 'webchat'), (2, 1, 'Other WhatsApp', 'whatsapp');
INSERT INTO agents (workspace_id, id, name, role) VALUES (1, 1, 'Ana', 'support');

INSERT INTO contacts (workspace_id, id, platform, chat_id)
SELECT 1, g, 'whatsapp', 'wa-' || g FROM generate_series(1, 479) g
UNION ALL
SELECT 1, g, 'webchat', 'wc-' || g FROM generate_series(1001, 1069) g
UNION ALL
SELECT 2, g, 'whatsapp', 'other-' || g FROM generate_series(1, 3) g;

-- Conversations: id = contact * 10 + n, one per visit.
CREATE TEMP TABLE visit (workspace_id int, contact_id bigint, n int, inbox_id bigint, started_at timestamptz,
                         inbound int, bot int, agent int, broadcast int);
INSERT INTO visit
SELECT 1, g, 1, 1, timestamptz '2021-12-10 00:00Z' + g * interval '1 minute', 1, 1, 0, 0 FROM generate_series(1, 67) g
UNION ALL
SELECT 1, g, 2, 1, timestamptz '2022-01-05 00:00Z' + g * interval '1 minute', 1, 1, 0, 0 FROM generate_series(1, 10) g
UNION ALL
SELECT 1, g, 3, 1, timestamptz '2022-02-14 00:00Z' + g * interval '1 minute', 1, 1, 0, 0 FROM generate_series(1, 5) g
UNION ALL
SELECT 1, g, 1, 1, timestamptz '2022-01-10 00:00Z' + g * interval '1 minute', 2, 2, CASE WHEN g <= 77 THEN 1 ELSE 0 END, 0
FROM generate_series(68, 472) g
UNION ALL
SELECT 1, 473, 1, 1, timestamptz '2022-01-31 23:30Z', 2, 2, 0, 0
UNION ALL
SELECT 1, g, 1, 1, timestamptz '2022-01-20 00:00Z' + g * interval '1 minute', 0, 0, 0, 1 FROM generate_series(474, 478) g
UNION ALL
SELECT 1, g, 1, 2, timestamptz '2021-11-10 00:00Z' + (g - 1000) * interval '1 minute', 1, 1, 0, 0 FROM generate_series(1001, 1049) g
UNION ALL
SELECT 1, g, 2, 2, timestamptz '2022-01-06 00:00Z' + (g - 1000) * interval '1 minute', 1, 1, 0, 0 FROM generate_series(1001, 1009) g
UNION ALL
SELECT 1, g, 1, 2, timestamptz '2022-01-12 00:00Z' + (g - 1050) * interval '10 minutes', 3, 1, 0, 0 FROM generate_series(1050, 1069) g
UNION ALL
SELECT 2, g, 1, 1, timestamptz '2022-01-15 00:00Z' + g * interval '1 minute', 1, 1, 0, 0 FROM generate_series(1, 3) g;

INSERT INTO conversations (workspace_id, id, contact_id, inbox_id, started_at)
SELECT workspace_id, contact_id * 10 + n, contact_id, inbox_id, started_at FROM visit;

-- Inbound messages k = 0.. at started_at + k * 15 minutes; bot replies 30 s
-- after each; agent replies at +2 h; broadcasts at started_at. Contact 473's
-- two inbound messages are at 23:30 and 23:45 UTC, still January in UTC.
INSERT INTO messages (workspace_id, conversation_id, contact_id, direction, sender, agent_id, created_at, body)
SELECT v.workspace_id, v.contact_id * 10 + v.n, v.contact_id, 'inbound', 'contact', NULL::bigint,
       v.started_at + k * interval '15 minutes', 'hello'
FROM visit v, generate_series(0, v.inbound - 1) k
UNION ALL
SELECT v.workspace_id, v.contact_id * 10 + v.n, v.contact_id, 'outbound', 'bot', NULL,
       v.started_at + k * interval '15 minutes' + interval '30 seconds', 'how can I help?'
FROM visit v, generate_series(0, v.bot - 1) k
UNION ALL
SELECT v.workspace_id, v.contact_id * 10 + v.n, v.contact_id, 'outbound', 'agent', 1,
       v.started_at + interval '2 hours', 'an agent here'
FROM visit v WHERE v.agent = 1
UNION ALL
SELECT v.workspace_id, v.contact_id * 10 + v.n, v.contact_id, 'outbound', 'broadcast', NULL, v.started_at, 'our offer'
FROM visit v WHERE v.broadcast = 1;

-- Contact 479 around Madrid's 23-hour day, 2022-03-27 (CET -> CEST at 01:00 UTC):
-- 23:30 UTC on the 26th and 21:30 UTC on the 27th are both the 27th in Madrid;
-- 22:30 UTC on the 27th is already the 28th there.
INSERT INTO conversations (workspace_id, id, contact_id, inbox_id, started_at) VALUES (1, 4791, 479, 1, '2022-03-26 23:30Z');
INSERT INTO messages (workspace_id, conversation_id, contact_id, direction, sender, created_at) VALUES
  (1, 4791, 479, 'inbound', 'contact', '2022-03-26 23:30Z'),
  (1, 4791, 479, 'inbound', 'contact', '2022-03-27 21:30Z'),
  (1, 4791, 479, 'inbound', 'contact', '2022-03-27 22:30Z');
