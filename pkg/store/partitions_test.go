package store_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/stretchr/testify/require"

	"github.com/chatbot-metrics/chatbot-metrics/pkg/store"
)

// partitionFixture is one workspace with a contact and a conversation, and
// three messages in May 2031, a month no partition covers: ids 1 and 2
// inbound, 3 a bot reply, the 2nd named by a template send.
const partitionFixture = `
INSERT INTO workspaces (id, slug, name) VALUES (1, 'acme', 'Acme');
INSERT INTO inboxes (workspace_id, id, name, platform) VALUES (1, 1, 'WhatsApp', 'whatsapp');
INSERT INTO contacts (workspace_id, id, platform, chat_id) VALUES (1, 1, 'whatsapp', 'wa-1');
INSERT INTO conversations (workspace_id, id, contact_id, inbox_id, started_at) VALUES (1, 1, 1, 1, '2031-05-01 10:00Z');
INSERT INTO messages (workspace_id, id, conversation_id, contact_id, direction, sender, created_at, ai_cost) VALUES
  (1, 1, 1, 1, 'inbound', 'contact', '2031-05-01 10:00Z', 0),
  (1, 2, 1, 1, 'inbound', 'contact', '2031-05-01 10:20Z', 0),
  (1, 3, 1, 1, 'outbound', 'bot', '2031-05-31 23:59:59Z', 0.5);
SELECT setval(pg_get_serial_sequence('messages', 'id'), 3);
INSERT INTO template_sends (workspace_id, message_id, inbox_id, contact_id, template, category, sent_at)
  VALUES (1, 2, 1, 1, 'welcome', 'utility', '2031-05-01 10:20Z');`

// summaryText is every summary row, in a stable order, for comparing the
// summaries before and after a change that must not touch them.
const summaryText = `SELECT concat_ws(' | ',
  (SELECT string_agg(s::text, ', ' ORDER BY s::text) FROM message_slots s),
  (SELECT string_agg(s::text, ', ' ORDER BY s::text) FROM contact_slots s),
  (SELECT string_agg(s::text, ', ' ORDER BY s::text) FROM message_minutes s),
  (SELECT string_agg(s::text, ', ' ORDER BY s::text) FROM contact_first_inbound s))`

// partitionsOf maps each message id to the partition holding it.
func partitionsOf(t *testing.T, conn *pgx.Conn) map[int64]string {
	t.Helper()
	rows, err := conn.Query(context.Background(), "SELECT id, tableoid::regclass::text FROM messages ORDER BY id")
	require.NoError(t, err)
	out := map[int64]string{}
	var id int64
	var partition string
	_, err = pgx.ForEachRow(rows, []any{&id, &partition}, func() error {
		out[id] = partition
		return nil
	})
	require.NoError(t, err)
	return out
}

func summaries(t *testing.T, conn *pgx.Conn) string {
	t.Helper()
	var text string
	require.NoError(t, conn.QueryRow(context.Background(), summaryText).Scan(&text))
	return text
}

// Rows of a month without a partition wait in the default partition, and
// creating the month's partition moves them there without touching the
// summaries or the template send that names one of them.
func TestDefaultPartitionRowsMoveIntoTheirMonth(t *testing.T) {
	ctx := context.Background()
	conn := connect(t)
	_, err := conn.Exec(ctx, partitionFixture)
	require.NoError(t, err)
	require.Equal(t, map[int64]string{1: "messages_default", 2: "messages_default", 3: "messages_default"}, partitionsOf(t, conn))
	before := summaries(t, conn)
	// 10:00 and 10:20 fall in two 15-minute slots; the bot reply in a third.
	require.Contains(t, before, "(1,\"2031-05-01 10:00:00+00\",whatsapp,1,inbound,contact,f,1,0.000000,0.000000,)")
	waiting, err := store.DefaultPartitionRows(ctx, conn)
	require.NoError(t, err)
	require.EqualValues(t, 3, waiting)

	// April to June: April and June are empty, May takes the three rows
	// (23:59:59 on the 31st is still May in UTC).
	created, err := store.EnsureTimePartitions(ctx, conn, time.Date(2031, 4, 30, 12, 0, 0, 0, time.UTC), time.Date(2031, 6, 1, 0, 0, 0, 0, time.UTC))
	require.NoError(t, err)
	require.Equal(t, []string{"messages_2031_04", "messages_2031_05", "messages_2031_06"}, created)
	require.Equal(t, map[int64]string{1: "messages_2031_05", 2: "messages_2031_05", 3: "messages_2031_05"}, partitionsOf(t, conn))
	require.Equal(t, before, summaries(t, conn), "moving rows between partitions changes no summary")
	waiting, err = store.DefaultPartitionRows(ctx, conn)
	require.NoError(t, err)
	require.Zero(t, waiting)

	created, err = store.EnsureTimePartitions(ctx, conn, time.Date(2031, 5, 1, 0, 0, 0, 0, time.UTC), time.Date(2031, 6, 30, 0, 0, 0, 0, time.UTC))
	require.NoError(t, err)
	require.Empty(t, created, "a second run finds the months there")

	// New rows of the month go straight to its partition, through the
	// parent's triggers: the summaries count them.
	_, err = conn.Exec(ctx, `INSERT INTO messages (workspace_id, conversation_id, contact_id, direction, sender, created_at)
		VALUES (1, 1, 1, 'outbound', 'bot', '2031-05-02 00:00Z')`)
	require.NoError(t, err)
	var partition string
	var minutes int64
	require.NoError(t, conn.QueryRow(ctx, "SELECT tableoid::regclass::text FROM messages WHERE created_at = '2031-05-02 00:00Z'").Scan(&partition))
	require.Equal(t, "messages_2031_05", partition)
	require.NoError(t, conn.QueryRow(ctx, "SELECT sum(messages) FROM message_minutes WHERE workspace_id = 1").Scan(&minutes))
	require.EqualValues(t, 4, minutes)

	// The month boundaries are UTC whatever the session's time zone.
	_, err = conn.Exec(ctx, "SET TIME ZONE 'America/Sao_Paulo'")
	require.NoError(t, err)
	created, err = store.EnsureTimePartitions(ctx, conn, time.Date(2031, 7, 1, 0, 0, 0, 0, time.UTC), time.Date(2031, 7, 1, 0, 0, 0, 0, time.UTC))
	require.NoError(t, err)
	require.Equal(t, []string{"messages_2031_07"}, created)
	var bound string
	_, err = conn.Exec(ctx, "SET TIME ZONE 'UTC'")
	require.NoError(t, err)
	require.NoError(t, conn.QueryRow(ctx, "SELECT pg_get_expr(relpartbound, oid) FROM pg_class WHERE relname = 'messages_2031_07'").Scan(&bound))
	require.Equal(t, "FOR VALUES FROM ('2031-07-01 00:00:00+00') TO ('2031-08-01 00:00:00+00')", bound)
}

func TestEnsureTimePartitionsRefusesABackwardRange(t *testing.T) {
	conn := connect(t)
	_, err := store.EnsureTimePartitions(context.Background(), conn, time.Date(2031, 5, 1, 0, 0, 0, 0, time.UTC), time.Date(2031, 4, 1, 0, 0, 0, 0, time.UTC))
	require.ErrorContains(t, err, "ensure_time_partitions needs from_time <= to_time")
}

// template_sends.message_id still names a message of the send's workspace,
// as the foreign key of migration 1 did, kept by triggers since messages is
// partitioned.
func TestTemplateSendsStillNeedTheirMessage(t *testing.T) {
	ctx := context.Background()
	conn := connect(t)
	_, err := conn.Exec(ctx, partitionFixture)
	require.NoError(t, err)
	requireForeignKeyViolation := func(sql string) {
		t.Helper()
		_, err := conn.Exec(ctx, sql)
		var pgErr *pgconn.PgError
		require.True(t, errors.As(err, &pgErr), "%s: %v", sql, err)
		require.Equal(t, "23503", pgErr.Code, sql)
		require.Equal(t, "template_sends_message_fkey", pgErr.ConstraintName, sql)
	}

	// A message that does not exist, or exists in another workspace only.
	requireForeignKeyViolation(`INSERT INTO template_sends (workspace_id, message_id, inbox_id, contact_id, template, category, sent_at)
		VALUES (1, 99, 1, 1, 'welcome', 'utility', '2031-05-01 11:00Z')`)
	_, err = conn.Exec(ctx, `INSERT INTO workspaces (id, slug, name) VALUES (2, 'other', 'Other');
		INSERT INTO inboxes (workspace_id, id, name, platform) VALUES (2, 1, 'WhatsApp', 'whatsapp');
		INSERT INTO contacts (workspace_id, id, platform, chat_id) VALUES (2, 1, 'whatsapp', 'wa-1');
		INSERT INTO conversations (workspace_id, id, contact_id, inbox_id, started_at) VALUES (2, 1, 1, 1, '2031-05-01 10:00Z');
		INSERT INTO messages (workspace_id, id, conversation_id, contact_id, direction, sender, created_at) VALUES (2, 50, 1, 1, 'inbound', 'contact', '2031-05-01 10:00Z')`)
	require.NoError(t, err)
	requireForeignKeyViolation(`INSERT INTO template_sends (workspace_id, message_id, inbox_id, contact_id, template, category, sent_at)
		VALUES (1, 50, 1, 1, 'welcome', 'utility', '2031-05-01 11:00Z')`)
	requireForeignKeyViolation("UPDATE template_sends SET message_id = 99 WHERE id = 1")
	// The message a send names cannot go, nor change its id.
	requireForeignKeyViolation("DELETE FROM messages WHERE workspace_id = 1 AND id = 2")
	requireForeignKeyViolation("UPDATE messages SET id = 20 WHERE workspace_id = 1 AND id = 2")
	requireForeignKeyViolation("TRUNCATE messages")

	// What the foreign key allowed still goes: no message, a message of the
	// workspace, moving the named message to another month, deleting others,
	// and emptying both tables together.
	_, err = conn.Exec(ctx, `INSERT INTO template_sends (workspace_id, message_id, inbox_id, contact_id, template, category, sent_at)
		VALUES (1, NULL, 1, 1, 'welcome', 'utility', '2031-05-01 11:00Z'), (1, 1, 1, 1, 'welcome', 'utility', '2031-05-01 11:00Z')`)
	require.NoError(t, err)
	_, err = conn.Exec(ctx, "UPDATE messages SET created_at = created_at + interval '1 month' WHERE workspace_id = 1 AND id = 2")
	require.NoError(t, err)
	_, err = conn.Exec(ctx, "DELETE FROM messages WHERE workspace_id = 1 AND id = 3")
	require.NoError(t, err)
	_, err = conn.Exec(ctx, "TRUNCATE messages, template_sends")
	require.NoError(t, err)
}
