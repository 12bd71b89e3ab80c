package plugin

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/require"
)

// The campaign funnel's summary (migration 16) stays exact when one
// transaction changes a conversation while another gives it its first reply:
// whichever reaches the conversation's inbound count first, the other waits
// for it and then counts against what it committed. From chatbot_fixture.sql,
// the Spring sale in January: 5 chats, 3 replied (11, 12, 13), contact
// details in 11 and 13 (17 has them but no reply), a success in 13.
func TestCampaignFunnelSummaryUnderConcurrentWriters(t *testing.T) {
	url := fixtureURL(t, "chatbot_fixture")
	ds := newDatasourceAt(t, url, "acme")
	funnel := func() [3]float64 {
		t.Helper()
		var out [3]float64
		for i, metric := range []string{"replies", "contacts_obtained", "successes"} {
			frame := ask(t, ds, `{"queryType":"totals","metric":"`+metric+`","filters":[{"dimension":"task","values":["Spring sale"]}]}`, jan2022, feb2022)
			require.True(t, strings.HasPrefix(frame.Meta.ExecutedQueryString, "/* summary: conversation_"), frame.Meta.ExecutedQueryString)
			out[i] = rows(t, frame)[0][1].(float64)
		}
		return out
	}
	require.Equal(t, [3]float64{3, 2, 1}, funnel())

	run := func(first, second string) { writeWhileAnotherWaits(t, url, first, second) }

	// 17 gets its first reply, uncommitted, while another transaction marks
	// it successful: it now counts as replied, obtained and successful.
	run(`INSERT INTO messages (workspace_id, conversation_id, contact_id, direction, sender, created_at)
		VALUES (1, 17, 2, 'inbound', 'contact', '2022-01-20 09:30Z')`,
		`UPDATE conversations SET success_at = '2022-01-20 09:40Z' WHERE workspace_id = 1 AND id = 17`)
	require.Equal(t, [3]float64{4, 3, 2}, funnel())

	// 18's contact details are obtained, uncommitted, while another
	// transaction gives it its first reply: replied and obtained.
	run(`UPDATE conversations SET contact_obtained_at = '2022-01-20 09:20Z' WHERE workspace_id = 1 AND id = 18`,
		`INSERT INTO messages (workspace_id, conversation_id, contact_id, direction, sender, created_at)
		VALUES (1, 18, 3, 'inbound', 'contact', '2022-01-20 09:10Z')`)
	require.Equal(t, [3]float64{5, 4, 2}, funnel())

	// Both replies go again, in one statement: back to the start, though
	// 17 and 18 keep their contact details and success.
	exec(t, url, `DELETE FROM messages WHERE workspace_id = 1 AND conversation_id IN (17, 18) AND direction = 'inbound'`)
	require.Equal(t, [3]float64{3, 2, 1}, funnel())
}

// writeWhileAnotherWaits runs first's statements in a transaction, then
// second's in another one on another connection, which must wait on a row
// lock the first holds; it then commits the first and waits for the second.
func writeWhileAnotherWaits(t *testing.T, url, first, second string) {
	t.Helper()
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
	_, err = txA.Exec(ctx, first)
	require.NoError(t, err)
	done := make(chan error, 1)
	go func() {
		_, err := b.Exec(ctx, second)
		done <- err
	}()
	requireWaitingOnLock(t, a, b)
	require.NoError(t, txA.Commit(ctx))
	require.NoError(t, <-done)
}

// requireWaitingOnLock waits until waiter's session waits on a lock, as seen
// from observer's.
func requireWaitingOnLock(t *testing.T, observer, waiter *pgx.Conn) {
	t.Helper()
	require.Eventually(t, func() bool {
		var waiting bool
		err := observer.QueryRow(context.Background(), `SELECT coalesce(wait_event_type = 'Lock', false) FROM pg_stat_activity WHERE pid = $1`,
			waiter.PgConn().PID()).Scan(&waiting)
		return err == nil && waiting
	}, 10*time.Second, 10*time.Millisecond)
}
