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
