package plugin

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/stretchr/testify/require"
)

// The active contact summaries (migration 18) stay exact when two
// transactions write inbound messages of the same contact at once: the
// second waits for the first on the contact's row and then computes its
// values from what the first committed. In chatbot_fixture.sql, contact 2
// (WhatsApp, conversation 12) last wrote on 2022-03-10, and nobody writes in
// June 2023.
func TestActiveContactSummaryUnderConcurrentWriters(t *testing.T) {
	url := fixtureURL(t, "chatbot_fixture")
	ds := newDatasourceAt(t, url, "acme")
	count := func(metric, from, to string) float64 {
		t.Helper()
		return summaryTotal(t, ds, `{"queryType":"totals","metric":"`+metric+`","filters":[{"dimension":"platform","values":["whatsapp"]}]}`, from, to, "active_contact_")
	}
	const june1, june2, june3 = "2023-06-01T00:00:00Z", "2023-06-02T00:00:00Z", "2023-06-03T00:00:00Z"
	const insert = `INSERT INTO messages (workspace_id, conversation_id, contact_id, direction, sender, created_at) VALUES (1, 12, 2, 'inbound', 'contact', `

	// June 2, uncommitted, while another transaction writes June 1. Had the
	// second not seen the first, June 2's value would still be 2022-03-10,
	// before June 1, and the two days together would count contact 2 twice.
	writeWhileAnotherWaits(t, url, insert+`'2023-06-02 12:00Z')`, insert+`'2023-06-01 12:00Z')`)
	require.Equal(t, 1.0, count("active_users", june1, june3))
	require.Equal(t, 1.0, count("active_users", june2, june3))
	require.Equal(t, 1.0, count("returning_users", june1, june3), "contact 2 wrote in 2022")

	// June 1 at noon goes, uncommitted, while another transaction writes
	// June 1 at 18:00. Had the second not seen the delete, it would have
	// found contact 2 active on June 1 already, and June 1 would count none.
	writeWhileAnotherWaits(t, url,
		`DELETE FROM messages WHERE workspace_id = 1 AND contact_id = 2 AND created_at = '2023-06-01 12:00Z'`, insert+`'2023-06-01 18:00Z')`)
	require.Equal(t, 1.0, count("active_users", june1, june2))
	require.Equal(t, 1.0, count("active_users", june1, june3))
	require.Equal(t, 0.0, count("active_users", "2023-06-01T18:00:00.000001Z", june2), "only 18:00 sharp on June 1")
	require.Equal(t, 1.0, count("returning_users", june2, june3))

	// Under REPEATABLE READ the second writer cannot see what the first
	// committed after its snapshot: it fails, to be retried, rather than
	// compute from stale messages.
	ctx := context.Background()
	connect := func() *pgx.Conn {
		conn, err := pgx.Connect(ctx, url)
		require.NoError(t, err)
		t.Cleanup(func() { _ = conn.Close(ctx) })
		return conn
	}
	a, b := connect(), connect()
	txA, err := a.Begin(ctx)
	require.NoError(t, err)
	_, err = txA.Exec(ctx, insert+`'2023-06-05 08:00Z')`)
	require.NoError(t, err)
	txB, err := b.BeginTx(ctx, pgx.TxOptions{IsoLevel: pgx.RepeatableRead})
	require.NoError(t, err)
	_, err = txB.Exec(ctx, `SELECT count(*) FROM messages`) // its snapshot
	require.NoError(t, err)
	done := make(chan error, 1)
	go func() {
		_, err := txB.Exec(ctx, insert+`'2023-06-04 08:00Z')`)
		done <- err
	}()
	requireWaitingOnLock(t, a, b)
	require.NoError(t, txA.Commit(ctx))
	var pgErr *pgconn.PgError
	require.True(t, errors.As(<-done, &pgErr))
	require.Equal(t, "40001", pgErr.Code, pgErr.Message)
	require.NoError(t, txB.Rollback(ctx))
	require.Equal(t, 1.0, count("active_users", june3, "2023-06-06T00:00:00Z"))

	pool := poolAt(t, url)
	requireSummariesRecomputed(t, pool)
}

// Migration 34 takes the values of contacts without earlier inbound messages
// from the statement's own rows, and reads the other contacts' messages as
// before. Each statement here mixes both kinds. In chatbot_fixture.sql,
// contact 2 (WhatsApp) last wrote on 2022-03-10 and nobody writes in June
// 2023; contacts 9 and 10 (webchat) are new, and contact 10 has only an
// outbound message until an update turns it inbound.
func TestActiveContactValuesOfNewAndKnownContactsInOneStatement(t *testing.T) {
	url := fixtureURL(t, "chatbot_fixture")
	ds := newDatasourceAt(t, url, "acme")
	ctx := context.Background()
	pool := poolAt(t, url)
	exec := func(sql string) {
		t.Helper()
		_, err := pool.Exec(ctx, sql)
		require.NoError(t, err)
	}
	count := func(metric, from, to string) float64 {
		t.Helper()
		return summaryTotal(t, ds, `{"queryType":"totals","metric":"`+metric+`"}`, from, to, "")
	}
	languages := func(from, to string) map[string]float64 {
		t.Helper()
		frame := ask(t, ds, `{"queryType":"totals","metric":"languages","groupBy":"language"}`, from, to)
		require.True(t, strings.HasPrefix(frame.Meta.ExecutedQueryString, "/* summary: language_contact_"), frame.Meta.ExecutedQueryString)
		got := map[string]float64{}
		for _, r := range rows(t, frame) {
			got[r[0].(string)] = r[1].(float64)
		}
		return got
	}
	const june1, june2, june3 = "2023-06-01T00:00:00Z", "2023-06-02T00:00:00Z", "2023-06-03T00:00:00Z"

	exec(`INSERT INTO contacts (workspace_id, id, platform, chat_id) VALUES (1, 9, 'webchat', 'w9'), (1, 10, 'webchat', 'w10')`)
	exec(`INSERT INTO conversations (workspace_id, id, contact_id, inbox_id, started_at) VALUES
	        (1, 31, 9, 2, '2023-06-01 09:00Z'), (1, 32, 10, 2, '2023-06-01 09:00Z')`)
	exec(`INSERT INTO messages (workspace_id, conversation_id, contact_id, direction, sender, created_at, language) VALUES
	        (1, 32, 10, 'outbound', 'bot', '2023-06-01 12:00Z', NULL)`)
	// Contact 9's first three inbound messages and contact 2's first since
	// 2022, in one statement.
	exec(`INSERT INTO messages (workspace_id, conversation_id, contact_id, direction, sender, created_at, language) VALUES
	        (1, 31, 9, 'inbound', 'contact', '2023-06-01 10:00Z', 'fr'),
	        (1, 31, 9, 'inbound', 'contact', '2023-06-01 10:20Z', 'fr'),
	        (1, 31, 9, 'inbound', 'contact', '2023-06-02 10:00Z', 'de'),
	        (1, 12, 2, 'inbound', 'contact', '2023-06-01 11:00Z', 'en')`)
	requireSummariesRecomputed(t, pool)
	require.Equal(t, 2.0, count("active_users", june1, june2), "contacts 9 and 2")
	require.Equal(t, 1.0, count("active_users", june2, june3), "contact 9")
	require.Equal(t, 2.0, count("active_users", june1, june3))
	require.Equal(t, 1.0, count("new_users", june1, june3), "contact 9")
	require.Equal(t, 1.0, count("returning_users", june1, june3), "contact 2")
	require.Equal(t, 1.0, count("returning_users", june2, june3), "contact 9, back from June 1")
	require.Equal(t, map[string]float64{"fr": 1, "de": 1, "en": 1}, languages(june1, june3))

	// Contact 10's outbound message becomes its first inbound one, and
	// contact 2's moves to June 2, in one statement.
	exec(`UPDATE messages SET direction = 'inbound', sender = 'contact',
	        created_at = CASE WHEN contact_id = 2 THEN '2023-06-02 11:00Z' ELSE created_at END
	      WHERE workspace_id = 1 AND ((contact_id = 10 AND conversation_id = 32) OR (contact_id = 2 AND created_at = '2023-06-01 11:00Z'))`)
	requireSummariesRecomputed(t, pool)
	require.Equal(t, 2.0, count("active_users", june1, june2), "contacts 9 and 10")
	require.Equal(t, 2.0, count("active_users", june2, june3), "contacts 9 and 2")
	require.Equal(t, 3.0, count("active_users", june1, june3))
	require.Equal(t, 2.0, count("new_users", june1, june3), "contacts 9 and 10")
	require.Equal(t, 1.0, count("returning_users", june1, june3), "contact 2")

	// Contact 9's June 1 messages go: its first inbound message is now on June 2.
	exec(`DELETE FROM messages WHERE workspace_id = 1 AND contact_id = 9 AND created_at < '2023-06-02'`)
	requireSummariesRecomputed(t, pool)
	require.Equal(t, 1.0, count("active_users", june1, june2), "contact 10")
	require.Equal(t, 1.0, count("new_users", june1, june2), "contact 10")
	require.Equal(t, 2.0, count("new_users", june1, june3), "contacts 10 and 9")
	require.Equal(t, 1.0, count("returning_users", june2, june3), "contact 2, back from 2022; contact 9 is new")
	require.Equal(t, map[string]float64{"de": 1, "en": 1}, languages(june1, june3))
}

// A bucket counts each contact once even when the contact's message in one
// of its units is at the bucket's very start: the later unit's previous
// message is then the bucket's start itself, which is inside the bucket
// (only values before the start, up to a microsecond before it, are a
// contact's first unit there). In chatbot_fixture.sql, contact 2 (WhatsApp)
// last wrote on 2022-03-10 and nobody writes in June 2023.
func TestDistinctContactsWithAMessageAtTheBucketStart(t *testing.T) {
	url := fixtureURL(t, "chatbot_fixture")
	ds := newDatasourceAt(t, url, "acme")
	// 10:00 sharp in the slot of 10:00, 10:20 in the slot of 10:15.
	exec(t, url, `INSERT INTO messages (workspace_id, conversation_id, contact_id, direction, sender, created_at) VALUES
	        (1, 12, 2, 'inbound', 'contact', '2023-06-07 10:00Z'), (1, 12, 2, 'inbound', 'contact', '2023-06-07 10:20Z')`)
	requireSummariesRecomputed(t, poolAt(t, url))
	for _, metric := range []string{"active_users", "returning_users"} {
		require.Equal(t, 1.0, summaryTotal(t, ds, `{"queryType":"totals","metric":"`+metric+`"}`,
			"2023-06-07T10:00:00Z", "2023-06-07T10:30:00Z", "active_contact_slots"), metric)
	}
}
