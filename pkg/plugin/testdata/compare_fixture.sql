-- A store for comparing periods, counted by hand in compare_test.go. Every
-- message is an inbound message of a contact; each contact's messages of a
-- month are one conversation, started by its first message. Workspace
-- "other" has a message in every period compared and must never be counted.
--
--  #   created_at (UTC)   contact  platform  conversation
--  1   2022-01-05 10:00   1        whatsapp  101
--  2   2022-01-10 09:00   4        telegram  102
--  3   2022-01-30 10:00   1        whatsapp  101
--  4   2022-02-01 08:00   1        whatsapp  103
--  5   2022-02-01 09:00   1        whatsapp  103
--  6   2022-02-14 12:00   4        telegram  104
--  7   2022-02-28 20:00   3        webchat   105
--  8   2022-03-01 08:00   1        whatsapp  106
--  9   2022-03-09 12:00   2        whatsapp  107
-- 10   2022-03-10 07:00   2        whatsapp  107
-- 11   2022-03-10 12:00   2        whatsapp  107
-- 12   2022-03-20 22:30   3        webchat   108   (Sunday 20 March 23:30 in Berlin, +1)
-- 13   2022-03-21 12:00   3        webchat   108
-- 14   2022-03-21 22:30   3        webchat   108   (Monday 21 March 23:30 in Berlin)
-- 15   2022-03-21 22:45   3        webchat   108
-- 16   2022-03-28 10:00   1        whatsapp  109   (Monday 28 March 12:00 in Berlin, +2)
-- 17   2022-03-31 10:00   3        webchat   110
--
-- Messages received: January 3, February 4, March 10. Conversations started:
-- January 2 (101, 102), February 3 (103 to 105), March 5 (106 to 110).

INSERT INTO workspaces (id, slug, name) VALUES (1, 'acme', 'Acme'), (2, 'other', 'Other');
INSERT INTO inboxes (workspace_id, id, name, platform) VALUES
  (1, 1, 'WhatsApp', 'whatsapp'), (1, 2, 'Web chat', 'webchat'), (1, 3, 'Telegram', 'telegram'),
  (2, 1, 'WhatsApp', 'whatsapp');
INSERT INTO contacts (workspace_id, id, platform, chat_id) VALUES
  (1, 1, 'whatsapp', 'a1'), (1, 2, 'whatsapp', 'a2'), (1, 3, 'webchat', 'w3'), (1, 4, 'telegram', 't4'),
  (2, 1, 'whatsapp', 'o1');
INSERT INTO conversations (workspace_id, id, contact_id, inbox_id, started_at) VALUES
  (1, 101, 1, 1, '2022-01-05 10:00Z'), (1, 102, 4, 3, '2022-01-10 09:00Z'),
  (1, 103, 1, 1, '2022-02-01 08:00Z'), (1, 104, 4, 3, '2022-02-14 12:00Z'), (1, 105, 3, 2, '2022-02-28 20:00Z'),
  (1, 106, 1, 1, '2022-03-01 08:00Z'), (1, 107, 2, 1, '2022-03-09 12:00Z'), (1, 108, 3, 2, '2022-03-20 22:30Z'),
  (1, 109, 1, 1, '2022-03-28 10:00Z'), (1, 110, 3, 2, '2022-03-31 10:00Z'),
  (2, 201, 1, 1, '2022-01-05 10:00Z');
INSERT INTO messages (workspace_id, conversation_id, contact_id, direction, sender, created_at) VALUES
  (1, 101, 1, 'inbound', 'contact', '2022-01-05 10:00Z'),
  (1, 102, 4, 'inbound', 'contact', '2022-01-10 09:00Z'),
  (1, 101, 1, 'inbound', 'contact', '2022-01-30 10:00Z'),
  (1, 103, 1, 'inbound', 'contact', '2022-02-01 08:00Z'),
  (1, 103, 1, 'inbound', 'contact', '2022-02-01 09:00Z'),
  (1, 104, 4, 'inbound', 'contact', '2022-02-14 12:00Z'),
  (1, 105, 3, 'inbound', 'contact', '2022-02-28 20:00Z'),
  (1, 106, 1, 'inbound', 'contact', '2022-03-01 08:00Z'),
  (1, 107, 2, 'inbound', 'contact', '2022-03-09 12:00Z'),
  (1, 107, 2, 'inbound', 'contact', '2022-03-10 07:00Z'),
  (1, 107, 2, 'inbound', 'contact', '2022-03-10 12:00Z'),
  (1, 108, 3, 'inbound', 'contact', '2022-03-20 22:30Z'),
  (1, 108, 3, 'inbound', 'contact', '2022-03-21 12:00Z'),
  (1, 108, 3, 'inbound', 'contact', '2022-03-21 22:30Z'),
  (1, 108, 3, 'inbound', 'contact', '2022-03-21 22:45Z'),
  (1, 109, 1, 'inbound', 'contact', '2022-03-28 10:00Z'),
  (1, 110, 3, 'inbound', 'contact', '2022-03-31 10:00Z'),
  (2, 201, 1, 'inbound', 'contact', '2022-01-30 10:00Z'),
  (2, 201, 1, 'inbound', 'contact', '2022-02-14 12:00Z'),
  (2, 201, 1, 'inbound', 'contact', '2022-03-21 12:00Z');
