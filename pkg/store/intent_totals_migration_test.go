package store_test

import (
	"context"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/require"

	"github.com/chatbot-metrics/chatbot-metrics/pkg/store"
	"github.com/chatbot-metrics/chatbot-metrics/pkg/store/storetest"
)

// Migration 39 fills the intents' rows per intent only from the finer
// levels. A transaction that wrote messages before it, and commits while it
// runs, must be in those rows: the migration waits for it, and the writers
// after it wait for the new trigger function.
func TestIntentTotalsMigrationWaitsForMessageWriters(t *testing.T) {
	ctx := context.Background()
	url := storetest.EmptyURL(t)
	conn, err := pgx.Connect(ctx, url)
	require.NoError(t, err)
	t.Cleanup(func() { _ = conn.Close(ctx) })
	migrations, err := store.Migrations()
	require.NoError(t, err)
	last := migrations[len(migrations)-1]
	require.Equal(t, "intent_totals", last.Name)

	// The store as the migration before it left it, with a contact's
	// conversation.
	_, err = conn.Exec(ctx, `CREATE TABLE schema_migrations (version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())`)
	require.NoError(t, err)
	for _, m := range migrations[:len(migrations)-1] {
		require.NoError(t, pgx.BeginFunc(ctx, conn, func(tx pgx.Tx) error {
			if _, err := tx.Exec(ctx, m.SQL); err != nil {
				return err
			}
			_, err := tx.Exec(ctx, "INSERT INTO schema_migrations (version, name) VALUES ($1, $2)", m.Version, m.Name)
			return err
		}), m.Name)
	}
	_, err = conn.Exec(ctx, `
		INSERT INTO workspaces (id, slug, name) VALUES (1, 'acme', 'Acme');
		INSERT INTO inboxes (workspace_id, id, name, platform) VALUES (1, 1, 'WhatsApp', 'whatsapp');
		INSERT INTO contacts (workspace_id, id, platform, chat_id) VALUES (1, 1, 'whatsapp', 'c1');
		INSERT INTO conversations (workspace_id, id, contact_id, inbox_id, started_at) VALUES (1, 1, 1, 1, '2022-01-03 09:00Z');
		INSERT INTO messages (workspace_id, conversation_id, contact_id, direction, sender, created_at, intent)
		VALUES (1, 1, 1, 'inbound', 'contact', '2022-01-03 10:00Z', 'refund')`)
	require.NoError(t, err)

	// A writer's message, not yet committed when the migration starts.
	writer, err := pgx.Connect(ctx, url)
	require.NoError(t, err)
	t.Cleanup(func() { _ = writer.Close(ctx) })
	tx, err := writer.Begin(ctx)
	require.NoError(t, err)
	_, err = tx.Exec(ctx, `INSERT INTO messages (workspace_id, conversation_id, contact_id, direction, sender, created_at, intent)
		VALUES (1, 1, 1, 'inbound', 'contact', '2022-01-03 10:20Z', 'refund')`)
	require.NoError(t, err)

	migrator, err := pgx.Connect(ctx, url)
	require.NoError(t, err)
	t.Cleanup(func() { _ = migrator.Close(ctx) })
	done := make(chan error, 1)
	go func() {
		_, err := store.Migrate(ctx, migrator)
		done <- err
	}()
	// The writer commits once the migration waits for its lock on
	// messages (or has ended without waiting: then the rows below tell).
	var migrated error
	finished := false
	require.Eventually(t, func() bool {
		select {
		case migrated = <-done:
			finished = true
			return true
		default:
		}
		var waiting bool
		err := conn.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM pg_locks l JOIN pg_class c ON c.oid = l.relation
			WHERE c.relname = 'messages' AND NOT l.granted)`).Scan(&waiting)
		return err == nil && waiting
	}, 30*time.Second, 20*time.Millisecond, "the migration neither ended nor waited")
	require.NoError(t, tx.Commit(ctx))
	if !finished {
		migrated = <-done
	}
	require.NoError(t, migrated)

	// A message written after the migration reaches the new rows too.
	_, err = conn.Exec(ctx, `INSERT INTO messages (workspace_id, conversation_id, contact_id, direction, sender, created_at, intent)
		VALUES (1, 1, 1, 'inbound', 'contact', '2022-01-03 10:40Z', 'greeting')`)
	require.NoError(t, err)
	levels := map[string]string{"intent_total_slots": "slot", "intent_total_hours": "hour", "intent_total_days": "day"}
	want := map[string][][2]any{
		"intent_total_slots": {{"2022-01-03T10:00:00Z refund", int64(1)}, {"2022-01-03T10:15:00Z refund", int64(1)}, {"2022-01-03T10:30:00Z greeting", int64(1)}},
		"intent_total_hours": {{"2022-01-03T10:00:00Z greeting", int64(1)}, {"2022-01-03T10:00:00Z refund", int64(2)}},
		"intent_total_days":  {{"2022-01-03T00:00:00Z greeting", int64(1)}, {"2022-01-03T00:00:00Z refund", int64(2)}},
	}
	for table, unit := range levels {
		rows, err := conn.Query(ctx, `SELECT to_char(`+unit+` AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') || ' ' || intent, messages
			FROM `+table+` ORDER BY 1`)
		require.NoError(t, err)
		got, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) ([2]any, error) {
			var key string
			var messages int64
			err := row.Scan(&key, &messages)
			return [2]any{key, messages}, err
		})
		require.NoError(t, err)
		require.Equal(t, want[table], got, table)
	}
}
