package store_test

import (
	"context"
	"errors"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/stretchr/testify/require"

	"github.com/chatbot-metrics/chatbot-metrics/pkg/store"
	"github.com/chatbot-metrics/chatbot-metrics/pkg/store/storetest"
)

// The migrations that fill a summary's new tables or columns from what the
// store holds, and change its trigger functions or add its triggers only
// then, hold the writers of the tables it summarises back while they run: a transaction that wrote before
// the migration, and commits while it runs, must be in the new rows (the
// migration waits for it), and a writer that starts while it runs must run
// the new trigger functions, not stop half-way through the old ones. Each
// case starts from the version before its migration, holds a writer open
// across store.Migrate, starts a second one while the migration waits,
// writes once more after it, and compares the new rows with the same rows
// computed from the raw ones (no row differs either way).
func TestSummaryMigrationsWaitForWriters(t *testing.T) {
	for _, c := range []struct {
		migration string
		// write is SQL that adds a row the new tables count, minute
		// minutes after 2022-01-03 10:00 UTC.
		write func(minute int) string
		// differ counts the rows of the new tables and of their
		// recomputation from the raw rows that are not in the other.
		differ string
	}{
		{
			migration: "summary_levels",
			write:     message,
			differ: symmetricDifference(
				`SELECT workspace_id, hour, sum(messages) FROM message_hours GROUP BY 1, 2`,
				`SELECT workspace_id, date_bin('1 hour', created_at, '2000-01-01Z'), count(*) FROM messages GROUP BY 1, 2`),
		},
		{
			migration: "conversation_summaries",
			write:     message,
			differ: symmetricDifference(
				`SELECT workspace_id, sum(messages) FROM conversation_slots GROUP BY 1`,
				`SELECT workspace_id, count(*) FROM messages GROUP BY 1`),
		},
		{
			migration: "campaign_funnel_summaries",
			write:     message,
			differ: symmetricDifference(
				`SELECT workspace_id, conversation_id, inbound FROM conversation_inbound`,
				`SELECT workspace_id, conversation_id, count(*) FROM messages WHERE direction = 'inbound' GROUP BY 1, 2`),
		},
		{
			migration: "language_contact_summaries",
			write:     message,
			differ: symmetricDifference(
				`SELECT workspace_id, slot, language, platform, contacts FROM language_contact_slots`,
				`SELECT m.workspace_id, date_bin('15 minutes', m.created_at, '2000-01-01Z'), m.language, c.platform, count(DISTINCT m.contact_id)
					FROM messages m JOIN contacts c ON c.workspace_id = m.workspace_id AND c.id = m.contact_id
					WHERE m.direction = 'inbound' AND m.language IS NOT NULL GROUP BY 1, 2, 3, 4`),
		},
		{
			migration: "inbox_summaries",
			write:     message,
			differ:    inboxSlotsDiffer,
		},
		{
			migration: "assignment_team_summaries",
			write: func(minute int) string {
				return `INSERT INTO assignments (workspace_id, conversation_id, contact_id, team_id, created_at)
					VALUES (1, 1, 1, 1, '2022-01-03 10:00Z'::timestamptz + interval '1 minute' * ` + strconv.Itoa(minute) + `)`
			},
			differ: symmetricDifference(
				`SELECT workspace_id, slot, team_id, sum(assignments) FROM assignment_team_slots GROUP BY 1, 2, 3`,
				`SELECT workspace_id, date_bin('15 minutes', created_at, '2000-01-01Z'), team_id, count(*) FROM assignments GROUP BY 1, 2, 3`),
		},
		{
			migration: "assignment_agent_summaries",
			write: func(minute int) string {
				return `INSERT INTO assignments (workspace_id, conversation_id, contact_id, agent_id, created_at)
					VALUES (1, 1, 1, 1, '2022-01-03 10:00Z'::timestamptz + interval '1 minute' * ` + strconv.Itoa(minute) + `)`
			},
			differ: symmetricDifference(
				`SELECT workspace_id, slot, agent_id, sum(assignments) FROM assignment_agent_slots GROUP BY 1, 2, 3`,
				`SELECT workspace_id, date_bin('15 minutes', created_at, '2000-01-01Z'), agent_id, count(*) FROM assignments GROUP BY 1, 2, 3`),
		},
		{
			migration: "conversation_message_facts",
			write:     message,
			differ: symmetricDifference(
				`SELECT workspace_id, conversation_id, messages, last_message_at FROM conversation_inbound`,
				`SELECT workspace_id, conversation_id, count(*), max(created_at) FROM messages GROUP BY 1, 2`),
		},
		{
			migration: "inbox_shifted_hours",
			write:     message,
			differ:    shiftedHoursDiffer,
		},
		{
			migration: "assignment_team_shifted_hours",
			write: func(minute int) string {
				return `INSERT INTO assignments (workspace_id, conversation_id, contact_id, team_id, created_at)
					VALUES (1, 1, 1, 1, '2022-01-03 10:00Z'::timestamptz + interval '1 minute' * ` + strconv.Itoa(minute) + `)`
			},
			differ: symmetricDifference(
				`SELECT workspace_id, shift, hour, team_id, sum(assignments) FROM assignment_team_shifted_hours GROUP BY 1, 2, 3, 4`,
				`SELECT a.workspace_id, p.shift, date_bin('1 hour', a.created_at, '2000-01-01Z'::timestamptz + p.shift * interval '1 minute'), a.team_id, count(*)
					FROM assignments a CROSS JOIN (VALUES (15::smallint), (30::smallint), (45::smallint)) AS p (shift) GROUP BY 1, 2, 3, 4`),
		},
		{
			// The messages per unit and task, and in their conversation's
			// start unit per task.
			migration: "task_summaries",
			write:     message,
			differ: symmetricDifference(
				`SELECT workspace_id, slot, task_id, messages, NULL::bigint FROM message_task_slots
					UNION ALL SELECT workspace_id, day, task_id, conversations, messages FROM conversation_task_days
					UNION ALL SELECT workspace_id, slot, task_id, conversations, messages FROM conversation_task_slots`,
				`SELECT m.workspace_id, date_bin('15 minutes', m.created_at, '2000-01-01Z'), v.task_id, count(*), NULL::bigint
						FROM messages m JOIN conversations v ON v.workspace_id = m.workspace_id AND v.id = m.conversation_id GROUP BY 1, 2, 3
					UNION ALL SELECT v.workspace_id, date_bin('1 day', v.started_at, '2000-01-01Z'), v.task_id, count(*),
						sum((SELECT count(*) FROM messages m WHERE m.workspace_id = v.workspace_id AND m.conversation_id = v.id))
						FROM conversations v GROUP BY 1, 2, 3
					UNION ALL SELECT v.workspace_id, date_bin('15 minutes', v.started_at, '2000-01-01Z'), v.task_id, count(*),
						sum((SELECT count(*) FROM messages m WHERE m.workspace_id = v.workspace_id AND m.conversation_id = v.id))
						FROM conversations v GROUP BY 1, 2, 3`),
		},
		{
			migration: "intent_totals",
			write:     message,
			differ: symmetricDifference(
				`SELECT workspace_id, day, intent, messages FROM intent_total_days
					UNION ALL SELECT workspace_id, hour, intent, messages FROM intent_total_hours
					UNION ALL SELECT workspace_id, slot, intent, messages FROM intent_total_slots`,
				`SELECT workspace_id, date_bin('1 day', created_at, '2000-01-01Z'), intent, count(*) FROM messages
						WHERE direction = 'inbound' AND intent IS NOT NULL GROUP BY 1, 2, 3
					UNION ALL SELECT workspace_id, date_bin('1 hour', created_at, '2000-01-01Z'), intent, count(*) FROM messages
						WHERE direction = 'inbound' AND intent IS NOT NULL GROUP BY 1, 2, 3
					UNION ALL SELECT workspace_id, date_bin('15 minutes', created_at, '2000-01-01Z'), intent, count(*) FROM messages
						WHERE direction = 'inbound' AND intent IS NOT NULL GROUP BY 1, 2, 3`),
		},
	} {
		t.Run(c.migration, func(t *testing.T) {
			ctx := context.Background()
			url := storetest.EmptyURL(t)
			conn := connectTo(t, url)
			storeBefore(ctx, t, conn, c.migration, c.write(0))

			// A writer's row, not yet committed when the migration starts.
			writer := connectTo(t, url)
			tx, err := writer.Begin(ctx)
			require.NoError(t, err)
			_, err = tx.Exec(ctx, c.write(20))
			require.NoError(t, err)

			migrator := connectTo(t, url)
			done := make(chan error, 1)
			go func() {
				_, err := store.Migrate(ctx, migrator)
				done <- err
			}()
			// waiting is whether n sessions wait for a lock, or
			// the migration has ended (then the rows below tell whether it
			// should have waited).
			var migrated error
			finished := false
			waiting := func(n int) func() bool {
				return func() bool {
					if !finished {
						select {
						case migrated = <-done:
							finished = true
						default:
						}
					}
					var waits int
					err := conn.QueryRow(ctx, `SELECT count(*) FROM pg_locks WHERE NOT granted`).Scan(&waits)
					return finished || (err == nil && waits >= n)
				}
			}
			require.Eventually(t, waiting(1), 30*time.Second, 20*time.Millisecond, "the migration neither ended nor waited")
			// A second writer starts while the migration waits: it must
			// run the new trigger functions, not the old ones half-way.
			second := connectTo(t, url)
			wrote := make(chan error, 1)
			go func() {
				_, err := second.Exec(ctx, c.write(30))
				wrote <- err
			}()
			require.Eventually(t, waiting(2), 30*time.Second, 20*time.Millisecond, "the second writer neither wrote nor waited")
			require.NoError(t, tx.Commit(ctx))
			if !finished {
				migrated = <-done
			}
			require.NoError(t, migrated)
			require.NoError(t, <-wrote)

			// A row written after the migration reaches the new rows too.
			_, err = conn.Exec(ctx, c.write(40))
			require.NoError(t, err)
			var differing int
			require.NoError(t, conn.QueryRow(ctx, c.differ).Scan(&differing))
			require.Zero(t, differing, "rows of the new tables unlike their recomputation")
		})
	}
}

// storeBefore migrates the empty store at conn to the version before the
// migration named, and gives it a contact's conversation, a team and the row
// first writes; it returns that version.
func storeBefore(ctx context.Context, t *testing.T, conn *pgx.Conn, migration, first string) int {
	t.Helper()
	migrations, err := store.Migrations()
	require.NoError(t, err)
	at := slices.IndexFunc(migrations, func(m store.Migration) bool { return m.Name == migration })
	require.Positive(t, at, "migration %s", migration)
	previous := migrations[at-1].Version
	_, err = store.MigrateTo(ctx, conn, previous)
	require.NoError(t, err)
	_, err = conn.Exec(ctx, `
		INSERT INTO workspaces (id, slug, name) VALUES (1, 'acme', 'Acme');
		INSERT INTO teams (workspace_id, id, name) VALUES (1, 1, 'Support');
		INSERT INTO agents (workspace_id, id, name, team_id) VALUES (1, 1, 'Ana', 1);
		INSERT INTO inboxes (workspace_id, id, name, platform) VALUES (1, 1, 'WhatsApp', 'whatsapp');
		INSERT INTO contacts (workspace_id, id, platform, chat_id) VALUES (1, 1, 'whatsapp', 'c1');
		INSERT INTO conversations (workspace_id, id, contact_id, inbox_id, started_at) VALUES (1, 1, 1, 1, '2022-01-03 09:00Z');`+
		first)
	require.NoError(t, err)
	return previous
}

// inboxSlotsDiffer counts the rows of message_inbox_slots (migration 36)
// and of their recomputation from the messages that are not in the other.
var inboxSlotsDiffer = symmetricDifference(
	`SELECT workspace_id, slot, platform, inbox_id, messages FROM message_inbox_slots`,
	`SELECT m.workspace_id, date_bin('15 minutes', m.created_at, '2000-01-01Z'), c.platform, v.inbox_id, count(*)
		FROM messages m JOIN contacts c ON c.workspace_id = m.workspace_id AND c.id = m.contact_id
		JOIN conversations v ON v.workspace_id = m.workspace_id AND v.id = m.conversation_id GROUP BY 1, 2, 3, 4`)

// shiftedHoursDiffer counts the rows of message_inbox_shifted_hours and of
// their recomputation from the messages that are not in the other.
var shiftedHoursDiffer = symmetricDifference(
	`SELECT workspace_id, shift, hour, platform, inbox_id, messages FROM message_inbox_shifted_hours`,
	`SELECT m.workspace_id, p.shift, date_bin('1 hour', m.created_at, '2000-01-01Z'::timestamptz + p.shift * interval '1 minute'),
			c.platform, v.inbox_id, count(*)
		FROM messages m JOIN contacts c ON c.workspace_id = m.workspace_id AND c.id = m.contact_id
		JOIN conversations v ON v.workspace_id = m.workspace_id AND v.id = m.conversation_id
		CROSS JOIN (VALUES (15::smallint), (30::smallint), (45::smallint)) AS p (shift) GROUP BY 1, 2, 3, 4, 5`)

// message is an inbound message with an intent and a language, minute
// minutes after 2022-01-03 10:00 UTC.
func message(minute int) string {
	return `INSERT INTO messages (workspace_id, conversation_id, contact_id, direction, sender, created_at, intent, language)
		VALUES (1, 1, 1, 'inbound', 'contact', '2022-01-03 10:00Z'::timestamptz + interval '1 minute' * ` + strconv.Itoa(minute) + `, 'refund', 'en')`
}

// symmetricDifference counts the rows of a and b that are not in the other.
func symmetricDifference(a, b string) string {
	return `SELECT count(*) FROM (((` + a + `) EXCEPT ALL (` + b + `)) UNION ALL ((` + b + `) EXCEPT ALL (` + a + `))) d`
}

// A migration that takes several tables at once (8 and 16: messages and
// conversations; 36: those and assignments) can meet a writer that holds one
// of them and then asks for another in a deadlock. PostgreSQL breaks it by
// failing the side whose deadlock_timeout ends first (each case makes the
// other side's long): a failed migration rolls back whole (the store stays
// at the version before it, none of its tables are left) and runs again once
// the writers are done; a failed writer leaves the migration to finish.
// Either way the summaries then equal their recomputation from the raw rows.
func TestSummaryMigrationAfterADeadlockWithAWriter(t *testing.T) {
	for _, c := range []deadlockCase{
		{
			migration: "conversation_summaries", table: "conversation_slots",
			// A conversation, the second table migration 8 locks.
			hold: heldConversation,
			differ: symmetricDifference(
				`SELECT workspace_id, sum(conversations), sum(messages) FROM conversation_slots GROUP BY 1`,
				`SELECT workspace_id, (SELECT count(*) FROM conversations), count(*) FROM messages GROUP BY 1`),
		},
		{
			migration: "campaign_funnel_summaries", table: "conversation_inbound",
			// A conversation, the second table migration 16 locks.
			hold: heldConversation,
			differ: symmetricDifference(
				`SELECT workspace_id, conversation_id, inbound FROM conversation_inbound`,
				`SELECT workspace_id, conversation_id, count(*) FROM messages WHERE direction = 'inbound' GROUP BY 1, 2`),
		},
		{
			migration: "inbox_summaries", table: "message_inbox_slots",
			// An assignment, the third table migration 36 locks.
			hold: `INSERT INTO assignments (workspace_id, conversation_id, contact_id, team_id, created_at)
				VALUES (1, 1, 1, 1, '2022-01-03 10:05Z')`,
			differ: inboxSlotsDiffer,
		},
		{
			migration: "inbox_shifted_hours", table: "message_inbox_shifted_hours",
			// An assignment, the third table migration 41 locks.
			hold: `INSERT INTO assignments (workspace_id, conversation_id, contact_id, team_id, created_at)
				VALUES (1, 1, 1, 1, '2022-01-03 10:05Z')`,
			differ: shiftedHoursDiffer,
		},
	} {
		for _, migrationFails := range []bool{true, false} {
			t.Run(c.migration+", "+map[bool]string{true: "the migration fails", false: "the writer fails"}[migrationFails], func(t *testing.T) {
				summaryMigrationInADeadlock(t, c, migrationFails)
			})
		}
	}
}

// heldConversation makes a writer hold conversations, the table migrations 8
// and 16 lock after messages.
const heldConversation = `INSERT INTO conversations (workspace_id, id, contact_id, inbox_id, started_at)
	VALUES (1, 2, 1, 1, '2022-01-03 10:05Z')`

// deadlockCase is a migration that locks several tables, a new table of it,
// SQL that makes a writer hold one of the tables it locks after the first
// (messages), and the count of the rows of its summaries that differ from
// their recomputation.
type deadlockCase struct {
	migration, table, hold, differ string
}

func summaryMigrationInADeadlock(t *testing.T, c deadlockCase, migrationFails bool) {
	// A minute at most, so that a change that leaves a side waiting fails
	// the test instead of hanging it.
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	url := storetest.EmptyURL(t)
	conn := connectTo(t, url)
	previous := storeBefore(ctx, t, conn, c.migration, message(0))

	// The side PostgreSQL fails is the one that looks for the deadlock
	// first: the other waits ten seconds before it would.
	writer, migrator := connectTo(t, url), connectTo(t, url)
	patient := writer
	if !migrationFails {
		patient = migrator
	}
	_, err := patient.Exec(ctx, "SET deadlock_timeout = '10s'")
	require.NoError(t, err)

	// The writer holds a table the migration locks after messages.
	tx, err := writer.Begin(ctx)
	require.NoError(t, err)
	_, err = tx.Exec(ctx, c.hold)
	require.NoError(t, err)

	done := make(chan error, 1)
	go func() {
		_, err := store.Migrate(ctx, migrator)
		done <- err
	}()
	require.Eventually(t, func() bool {
		var waits int
		err := conn.QueryRow(ctx, `SELECT count(*) FROM pg_locks WHERE NOT granted`).Scan(&waits)
		return err == nil && waits >= 1
	}, 30*time.Second, 20*time.Millisecond, "the migration did not wait for the writer")

	// Then the writer asks for messages, which the migration holds.
	_, written := tx.Exec(ctx, message(20))
	deadlocked := func(err error) bool {
		var pgErr *pgconn.PgError
		return errors.As(err, &pgErr) && pgErr.Code == "40P01"
	}
	if migrationFails {
		migrated := <-done
		require.True(t, deadlocked(migrated), "the migration fails on the deadlock: %v", migrated)
		require.NoError(t, written, "the writer goes on")
		// Rolled back whole: the version before it, none of its tables.
		version, err := store.CurrentVersion(ctx, conn)
		require.NoError(t, err)
		require.Equal(t, previous, version)
		var table *string
		require.NoError(t, conn.QueryRow(ctx, `SELECT to_regclass($1)::text`, c.table).Scan(&table))
		require.Nil(t, table, "a failed migration leaves none of its tables")
		require.NoError(t, tx.Commit(ctx))
		_, err = store.Migrate(ctx, migrator)
		require.NoError(t, err, "the migration runs again")
	} else {
		require.True(t, deadlocked(written), "the writer fails on the deadlock: %v", written)
		require.NoError(t, tx.Rollback(ctx))
		require.NoError(t, <-done, "the migration goes on")
	}
	version, err := store.CurrentVersion(ctx, conn)
	require.NoError(t, err)
	require.Equal(t, store.SchemaVersion, version)

	_, err = conn.Exec(ctx, message(40))
	require.NoError(t, err)
	var differing int
	require.NoError(t, conn.QueryRow(ctx, c.differ).Scan(&differing))
	require.Zero(t, differing, "rows of %s's summaries unlike their recomputation", c.migration)
}
