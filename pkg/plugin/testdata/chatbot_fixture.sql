-- A tiny store for the chatbot metrics and the totals and ranking kinds,
-- counted by hand in chatbot_test.go. Workspace "other" repeats the same
-- intents and flows at the same times and must never be counted for acme.
--
-- acme conversations (flow that started them; inbound messages as intent/language):
--   11 contact 1 whatsapp  2022-01-03  welcome        order_status/es, order_status/es, greeting/es
--   12 contact 2 whatsapp  2022-01-04  welcome        greeting/en, (none)/en
--   13 contact 3 whatsapp  2022-01-05  order status   order_status/pt, refund/pt
--   14 contact 7 webchat   2022-01-06  order status   order_status/es, greeting/en
--   15 contact 8 webchat   2022-01-07  (none)         (none)/(none)
--   16 contact 1 whatsapp  2022-02-10  human handoff  refund/es
-- Every conversation also has one bot reply tagged "greeting", which is outbound
-- and so never counts as an intent.

INSERT INTO workspaces (id, slug, name) VALUES (1, 'acme', 'Acme'), (2, 'other', 'Other');
INSERT INTO inboxes (workspace_id, id, name, platform) VALUES
  (1, 1, 'WhatsApp', 'whatsapp'), (1, 2, 'Web chat', 'webchat'), (2, 1, 'WhatsApp', 'whatsapp');
INSERT INTO contacts (workspace_id, id, platform, chat_id) VALUES
  (1, 1, 'whatsapp', 'a1'), (1, 2, 'whatsapp', 'a2'), (1, 3, 'whatsapp', 'a3'),
  (1, 7, 'webchat', 'w7'), (1, 8, 'webchat', 'w8'), (2, 1, 'whatsapp', 'o1');
INSERT INTO flows (workspace_id, id, name) VALUES
  (1, 1, 'welcome'), (1, 2, 'order status'), (1, 3, 'human handoff'), (2, 1, 'welcome');

INSERT INTO conversations (workspace_id, id, contact_id, inbox_id, start_flow_id, started_at) VALUES
  (1, 11, 1, 1, 1, '2022-01-03 10:00Z'),
  (1, 12, 2, 1, 1, '2022-01-04 10:00Z'),
  (1, 13, 3, 1, 2, '2022-01-05 10:00Z'),
  (1, 14, 7, 2, 2, '2022-01-06 10:00Z'),
  (1, 15, 8, 2, NULL, '2022-01-07 10:00Z'),
  (1, 16, 1, 1, 3, '2022-02-10 10:00Z'),
  (2, 11, 1, 1, 1, '2022-01-03 10:00Z');

INSERT INTO messages (workspace_id, conversation_id, contact_id, direction, sender, created_at, intent, language) VALUES
  (1, 11, 1, 'inbound', 'contact', '2022-01-03 10:00Z', 'order_status', 'es'),
  (1, 11, 1, 'inbound', 'contact', '2022-01-03 10:01Z', 'order_status', 'es'),
  (1, 11, 1, 'inbound', 'contact', '2022-01-03 10:02Z', 'greeting', 'es'),
  (1, 12, 2, 'inbound', 'contact', '2022-01-04 10:00Z', 'greeting', 'en'),
  (1, 12, 2, 'inbound', 'contact', '2022-01-04 10:01Z', NULL, 'en'),
  (1, 13, 3, 'inbound', 'contact', '2022-01-05 10:00Z', 'order_status', 'pt'),
  (1, 13, 3, 'inbound', 'contact', '2022-01-05 10:01Z', 'refund', 'pt'),
  (1, 14, 7, 'inbound', 'contact', '2022-01-06 10:00Z', 'order_status', 'es'),
  (1, 14, 7, 'inbound', 'contact', '2022-01-06 10:01Z', 'greeting', 'en'),
  (1, 15, 8, 'inbound', 'contact', '2022-01-07 10:00Z', NULL, NULL),
  (1, 16, 1, 'inbound', 'contact', '2022-02-10 10:00Z', 'refund', 'es'),
  (2, 11, 1, 'inbound', 'contact', '2022-01-03 10:00Z', 'order_status', 'es');
INSERT INTO messages (workspace_id, conversation_id, contact_id, direction, sender, created_at, intent)
SELECT workspace_id, id, contact_id, 'outbound', 'bot', started_at + interval '30 seconds', 'greeting' FROM conversations;

-- Flow triggers: welcome three times in January, order status once, human handoff in February.
INSERT INTO flow_triggers (workspace_id, flow_id, conversation_id, triggered_at) VALUES
  (1, 1, 11, '2022-01-03 10:00Z'), (1, 1, 12, '2022-01-04 10:00Z'), (1, 1, 12, '2022-01-04 10:05Z'),
  (1, 2, 13, '2022-01-05 10:00Z'), (1, 3, 16, '2022-02-10 10:00Z'),
  (2, 1, 11, '2022-01-03 10:00Z');

-- Contact center. Teams Sales (1) and Support (2); agents Ana (support), Bruno
-- (tech), Carla (admin). Assignments (wait = first reply - created; talk = ended - accepted):
--   1 conv 11 contact 1  01-03 10:05:00  Ana/Support   accepted +30 s, reply at 10:06:00 (wait 60 s), ended 10:15:00 (talk 570 s) handled, resolved
--   2 conv 12 contact 2  01-04 10:05:00  -/Support     never accepted, ended 10:20:00: missed, timeout
--   3 conv 13 contact 3  01-05 10:05:00  Bruno/Support accepted 10:06:00, reply 10:08:00 (wait 180 s), ended 10:10:00 (talk 240 s) transferred
--   4 conv 13 contact 3  01-05 10:10:00  Carla/Sales   from 3, accepted 10:10:30, reply 10:11:00 (wait 60 s), ended 10:30:30 (talk 1200 s) handled, resolved
--   5 conv 14 contact 7  01-06 10:05:00  Ana/Support   accepted 10:05:10, reply 10:05:40 (wait 40 s), still open
--   6 conv 16 contact 1  02-10 10:05:00  Ana/Support   accepted 10:05:20, reply 10:06:20 (wait 80 s), ended 10:16:20 (talk 660 s) handled, resolved
INSERT INTO teams (workspace_id, id, name) VALUES (1, 1, 'Sales'), (1, 2, 'Support'), (2, 1, 'Support');
INSERT INTO agents (workspace_id, id, name, role, team_id) VALUES
  (1, 1, 'Ana', 'support', 2), (1, 2, 'Bruno', 'tech', 2), (1, 3, 'Carla', 'admin', 1), (2, 1, 'Ana', 'support', 1);
INSERT INTO assignments (workspace_id, id, conversation_id, contact_id, transferred_from, agent_id, team_id, role,
                         created_at, accepted_at, first_reply_at, ended_at, outcome, closing_reason) VALUES
  (1, 1, 11, 1, NULL, 1, 2, 'support', '2022-01-03 10:05:00Z', '2022-01-03 10:05:30Z', '2022-01-03 10:06:00Z', '2022-01-03 10:15:00Z', 'handled', 'resolved'),
  (1, 2, 12, 2, NULL, NULL, 2, NULL, '2022-01-04 10:05:00Z', NULL, NULL, '2022-01-04 10:20:00Z', 'missed', 'timeout'),
  (1, 3, 13, 3, NULL, 2, 2, 'tech', '2022-01-05 10:05:00Z', '2022-01-05 10:06:00Z', '2022-01-05 10:08:00Z', '2022-01-05 10:10:00Z', 'transferred', 'transferred'),
  (1, 4, 13, 3, 3, 3, 1, 'admin', '2022-01-05 10:10:00Z', '2022-01-05 10:10:30Z', '2022-01-05 10:11:00Z', '2022-01-05 10:30:30Z', 'handled', 'resolved'),
  (1, 5, 14, 7, NULL, 1, 2, 'support', '2022-01-06 10:05:00Z', '2022-01-06 10:05:10Z', '2022-01-06 10:05:40Z', NULL, NULL, NULL),
  (1, 6, 16, 1, NULL, 1, 2, 'support', '2022-02-10 10:05:00Z', '2022-02-10 10:05:20Z', '2022-02-10 10:06:20Z', '2022-02-10 10:16:20Z', 'handled', 'resolved'),
  (2, 1, 11, 1, NULL, 1, 1, 'support', '2022-01-03 10:05:00Z', '2022-01-03 10:05:30Z', '2022-01-03 10:06:00Z', '2022-01-03 10:15:00Z', 'handled', 'resolved');

-- Campaigns and costs.
--   tasks: Spring sale (conversations 11, 12, 13), Renewals (14); 15 and 16 have none
--   agent replies at the assignments' first reply times: Ana in 11 and 14, Bruno and Carla in 13,
--   Ana in 16 (February); those on whatsapp are billable at 0.05 each
--   every acme bot reply costs 0.002 of AI processing
--   template sends: marketing 0.025 twice and utility 0.004 in January, authentication 0.003 in February
--   AI assists: Ana ai_writer and doc_reply, Bruno ai_writer (not sent), Carla ai_writer (translated)
--   in January; Ana ai_writer in February
--   markers: vip on 11 and 13, complaint on 13 in January; complaint on 16 in February
--   page visits: contact 7 /pricing twice and /contact, contact 1 /pricing, all in January
INSERT INTO tasks (workspace_id, id, name) VALUES (1, 1, 'Spring sale'), (1, 2, 'Renewals');
UPDATE conversations SET task_id = 1 WHERE workspace_id = 1 AND id IN (11, 12, 13);
UPDATE conversations SET task_id = 2 WHERE workspace_id = 1 AND id = 14;

INSERT INTO messages (workspace_id, conversation_id, contact_id, direction, sender, agent_id, created_at, billable, billing_cost) VALUES
  (1, 11, 1, 'outbound', 'agent', 1, '2022-01-03 10:06:00Z', true, 0.05),
  (1, 13, 3, 'outbound', 'agent', 2, '2022-01-05 10:08:00Z', true, 0.05),
  (1, 13, 3, 'outbound', 'agent', 3, '2022-01-05 10:11:00Z', true, 0.05),
  (1, 14, 7, 'outbound', 'agent', 1, '2022-01-06 10:05:40Z', false, 0),
  (1, 16, 1, 'outbound', 'agent', 1, '2022-02-10 10:06:20Z', true, 0.05);
UPDATE messages SET ai_cost = 0.002 WHERE workspace_id = 1 AND sender = 'bot';
UPDATE messages SET ai_cost = 1 WHERE workspace_id = 2 AND sender = 'bot';

INSERT INTO template_sends (workspace_id, inbox_id, contact_id, template, category, sent_at, cost) VALUES
  (1, 1, 1, 'spring_offer', 'marketing', '2022-01-10 09:00Z', 0.025),
  (1, 1, 2, 'spring_offer', 'marketing', '2022-01-11 09:00Z', 0.025),
  (1, 2, 7, 'order_update', 'utility', '2022-01-12 09:00Z', 0.004),
  (1, 1, 3, 'login_code', 'authentication', '2022-02-01 09:00Z', 0.003),
  (2, 1, 1, 'spring_offer', 'marketing', '2022-01-10 09:00Z', 1);

INSERT INTO ai_assist_uses (workspace_id, agent_id, conversation_id, tool, used_at, suggested_text, sent_text) VALUES
  (1, 1, 11, 'ai_writer', '2022-01-03 10:05:50Z', 'Your order ships today.', 'Your order ships today!'),
  (1, 1, 14, 'doc_reply', '2022-01-06 10:05:30Z', 'See our pricing page.', 'See our pricing page.'),
  (1, 2, 13, 'ai_writer', '2022-01-05 10:07:50Z', 'Let me check.', NULL),
  (1, 1, 16, 'ai_writer', '2022-02-10 10:06:00Z', 'Refund started.', 'Refund started.');
-- Carla had the AI writer's text translated before sending it: a use, but no accuracy.
INSERT INTO ai_assist_uses (workspace_id, agent_id, conversation_id, tool, used_at, suggested_text, sent_text, translation_applied) VALUES
  (1, 3, 13, 'ai_writer', '2022-01-05 10:10:50Z', 'Un momento.', 'One moment.', true);

INSERT INTO markers (workspace_id, id, name) VALUES (1, 1, 'vip'), (1, 2, 'complaint'), (2, 1, 'vip');
INSERT INTO conversation_markers (workspace_id, conversation_id, marker_id, marked_at) VALUES
  (1, 11, 1, '2022-01-03 10:20Z'), (1, 13, 1, '2022-01-05 10:40Z'), (1, 13, 2, '2022-01-05 10:41Z'),
  (1, 16, 2, '2022-02-10 10:20Z'), (2, 11, 1, '2022-01-03 10:20Z');

INSERT INTO page_visits (workspace_id, contact_id, conversation_id, url, visited_at) VALUES
  (1, 7, 14, '/pricing', '2022-01-06 10:01Z'), (1, 7, 14, '/pricing', '2022-01-06 10:03Z'),
  (1, 7, 14, '/contact', '2022-01-06 10:04Z'), (1, 1, 11, '/pricing', '2022-01-03 10:01Z');

-- The Spring sale funnel. Conversations 17 and 18 (contacts 2 and 3, 2022-01-20) got the
-- campaign's broadcast and no reply. Contact details were obtained in 11, 13 and 17 (17
-- without a reply, so it does not count); 13 is a success. Dialog costs: 11 0.0312,
-- 13 0.05, 17 0.01.
INSERT INTO conversations (workspace_id, id, contact_id, inbox_id, task_id, started_at) VALUES
  (1, 17, 2, 1, 1, '2022-01-20 09:00Z'), (1, 18, 3, 1, 1, '2022-01-20 09:01Z');
INSERT INTO messages (workspace_id, conversation_id, contact_id, direction, sender, created_at) VALUES
  (1, 17, 2, 'outbound', 'broadcast', '2022-01-20 09:00Z'), (1, 18, 3, 'outbound', 'broadcast', '2022-01-20 09:01Z');
UPDATE conversations SET contact_obtained_at = started_at + interval '5 minutes' WHERE workspace_id = 1 AND id IN (11, 13, 17);
UPDATE conversations SET success_at = started_at + interval '10 minutes' WHERE workspace_id = 1 AND id = 13;
UPDATE conversations SET cost = 0.0312 WHERE workspace_id = 1 AND id = 11;
UPDATE conversations SET cost = 0.05 WHERE workspace_id = 1 AND id = 13;
UPDATE conversations SET cost = 0.01 WHERE workspace_id = 1 AND id = 17;

-- Live state. Closed: 11 on 01-03 10:20, 12 on 01-07 09:00, 13 on 01-06 13:00,
-- 16 on 02-10 10:30, 17 on 01-21 09:00; 14, 15 and 18 stay open (14 with assignment 5
-- open). Workspace other's conversation 11 stays open too.
UPDATE conversations SET closed_at = '2022-01-03 10:20Z' WHERE workspace_id = 1 AND id = 11;
UPDATE conversations SET closed_at = '2022-01-07 09:00Z' WHERE workspace_id = 1 AND id = 12;
UPDATE conversations SET closed_at = '2022-01-06 13:00Z' WHERE workspace_id = 1 AND id = 13;
UPDATE conversations SET closed_at = '2022-02-10 10:30Z' WHERE workspace_id = 1 AND id = 16;
UPDATE conversations SET closed_at = '2022-01-21 09:00Z' WHERE workspace_id = 1 AND id = 17;

-- Presence: Ana 2022-01-03 08:00-12:00 and 22:00 to 02:00 the next day; Bruno from
-- 2022-01-05 09:00, still connected. Workspace other's Ana is connected all January.
INSERT INTO agent_presence (workspace_id, agent_id, started_at, ended_at) VALUES
  (1, 1, '2022-01-03 08:00Z', '2022-01-03 12:00Z'),
  (1, 1, '2022-01-03 22:00Z', '2022-01-04 02:00Z'),
  (1, 2, '2022-01-05 09:00Z', NULL),
  (2, 1, '2022-01-01 00:00Z', '2022-02-01 00:00Z');

-- Message texts, for the phrases. Inbound (client) phrases once normalised:
--   January: "where is my order" 4 (11 twice, 13, 14), "hello" 2 (11, 12), "thanks" 1 (12),
--            "i want a refund" 1 (13), "hi" 1 (14); conversation 15's empty text is not a phrase
--   February: "i want a refund" 1 (16)
-- Every bot reply says "How can I help?" (five in January, one in February);
-- agent messages and broadcasts have no text. Workspace other's client asks
-- "where is my order" too, and never counts for acme.
UPDATE messages SET body = CASE created_at
    WHEN '2022-01-03 10:00Z' THEN 'Where is my order?'
    WHEN '2022-01-03 10:01Z' THEN '  where is my   order'
    WHEN '2022-01-03 10:02Z' THEN 'Hello!'
    WHEN '2022-01-04 10:00Z' THEN 'hello'
    WHEN '2022-01-04 10:01Z' THEN 'Thanks.'
    WHEN '2022-01-05 10:00Z' THEN 'Where is my order?!'
    WHEN '2022-01-05 10:01Z' THEN 'I want a refund'
    WHEN '2022-01-06 10:00Z' THEN 'WHERE IS MY ORDER'
    WHEN '2022-01-06 10:01Z' THEN 'hi'
    WHEN '2022-02-10 10:00Z' THEN 'I want a refund.'
    ELSE '' END
WHERE direction = 'inbound';
UPDATE messages SET body = 'How can I help?' WHERE sender = 'bot';

-- Credits added: a top-up of 10 on 2021-12-31, a refund of 0.5 on 2022-01-15 and
-- an adjustment of -1 on 2022-02-15. With the template sends above the balance is
-- 10 at the end of December, 10 + 0.5 - 0.054 = 10.446 at the end of January and
-- 10.446 - 0.003 - 1 = 9.443 at the end of February. Workspace other has 100.
INSERT INTO credit_ledger (workspace_id, occurred_at, kind, amount) VALUES
  (1, '2021-12-31 12:00Z', 'top_up', 10), (1, '2022-01-15 12:00Z', 'refund', 0.5),
  (1, '2022-02-15 12:00Z', 'adjustment', -1), (2, '2021-12-31 12:00Z', 'top_up', 100);

-- Interest was shown in conversations 11, 13 and 14.
UPDATE conversations SET interest_at = started_at + interval '3 minutes' WHERE workspace_id = 1 AND id IN (11, 13, 14);

-- Customers waiting now, on 2022-03-10 (after every range the January and February
-- tests read). A second web chat inbox, "Web chat support" (3), where contact 7, who
-- wrote on "Web chat" (14) in January, opens conversation 19: contact 7 then has
-- conversations in two inboxes. Conversations and their first inbound message:
--   19 contact 7 webchat   Web chat support  09:00  "Is the 50% discount still on?"
--   20 contact 2 whatsapp  WhatsApp          09:10  "order_42 has not arrived"
--   21 contact 1 whatsapp  WhatsApp          09:05  "orderX42 is late"        closed 09:45
--   22 contact 3 whatsapp  WhatsApp          09:25  "Saved it as C:\temp\invoice.pdf"
-- Assignments (none replied, so no wait time):
--    7 conv 19  -/Support     created 09:05:00, never accepted, still open
--    8 conv 20  Carla/Sales   created 09:20:00, accepted 09:50:00, still open
--    9 conv 21  -/Support     created 09:10:00, never accepted, ended 09:40:00: missed, timeout
--   10 conv 22  Ana/no team   created 09:30:00, accepted 10:00:00, still open
-- Workspace other's open conversation 11 waits too, from 09:00, and never counts for acme.
-- Flow triggers: welcome in conversation 19 at 09:01, and once outside any conversation
-- at 09:02.
INSERT INTO inboxes (workspace_id, id, name, platform) VALUES (1, 3, 'Web chat support', 'webchat');
INSERT INTO conversations (workspace_id, id, contact_id, inbox_id, started_at, closed_at) VALUES
  (1, 19, 7, 3, '2022-03-10 09:00Z', NULL),
  (1, 20, 2, 1, '2022-03-10 09:10Z', NULL),
  (1, 21, 1, 1, '2022-03-10 09:05Z', '2022-03-10 09:45Z'),
  (1, 22, 3, 1, '2022-03-10 09:25Z', NULL);
INSERT INTO messages (workspace_id, conversation_id, contact_id, direction, sender, created_at, body) VALUES
  (1, 19, 7, 'inbound', 'contact', '2022-03-10 09:00Z', 'Is the 50% discount still on?'),
  (1, 20, 2, 'inbound', 'contact', '2022-03-10 09:10Z', 'order_42 has not arrived'),
  (1, 21, 1, 'inbound', 'contact', '2022-03-10 09:05Z', 'orderX42 is late'),
  (1, 22, 3, 'inbound', 'contact', '2022-03-10 09:25Z', 'Saved it as C:\temp\invoice.pdf');
INSERT INTO assignments (workspace_id, id, conversation_id, contact_id, transferred_from, agent_id, team_id, role,
                         created_at, accepted_at, first_reply_at, ended_at, outcome, closing_reason) VALUES
  (1, 7, 19, 7, NULL, NULL, 2, NULL, '2022-03-10 09:05:00Z', NULL, NULL, NULL, NULL, NULL),
  (1, 8, 20, 2, NULL, 3, 1, 'admin', '2022-03-10 09:20:00Z', '2022-03-10 09:50:00Z', NULL, NULL, NULL, NULL),
  (1, 9, 21, 1, NULL, NULL, 2, NULL, '2022-03-10 09:10:00Z', NULL, NULL, '2022-03-10 09:40:00Z', 'missed', 'timeout'),
  (1, 10, 22, 3, NULL, 1, NULL, 'support', '2022-03-10 09:30:00Z', '2022-03-10 10:00:00Z', NULL, NULL, NULL, NULL),
  (2, 2, 11, 1, NULL, NULL, 1, NULL, '2022-03-10 09:00:00Z', NULL, NULL, NULL, NULL, NULL);
INSERT INTO flow_triggers (workspace_id, flow_id, conversation_id, triggered_at) VALUES
  (1, 1, 19, '2022-03-10 09:01Z'), (1, 1, NULL, '2022-03-10 09:02Z');
