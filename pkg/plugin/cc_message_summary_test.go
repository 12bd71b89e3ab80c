package plugin

import (
	"context"
	"testing"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/stretchr/testify/require"
)

// The contact-center message summaries (migration 20) stay exact when one
// transaction writes a conversation's messages while another writes its
// assignments: the second waits for the first on the conversation's row and
// counts against what it committed. In chatbot_fixture.sql, conversation 12
// (contact 2) has nothing in June 2023.
func TestContactCenterMessageSummaryUnderConcurrentWriters(t *testing.T) {
	url := fixtureURL(t, "chatbot_fixture")
	ds := newDatasourceAt(t, url, "acme")
	count := func() float64 {
		t.Helper()
		return summaryTotal(t, ds, `{"queryType":"totals","metric":"cc_messages"}`, "2023-06-01T00:00:00Z", "2023-06-02T00:00:00Z", "cc_message_")
	}
	const message = `INSERT INTO messages (workspace_id, conversation_id, contact_id, direction, sender, created_at) VALUES (1, 12, 2, 'outbound', 'bot', `

	// An assignment opens at 10:00, uncommitted, while another transaction
	// writes a message at 10:30: had the second not waited, it would have
	// found no open assignment, and the first no message to cover.
	writeWhileAnotherWaits(t, url,
		`INSERT INTO assignments (workspace_id, id, conversation_id, contact_id, created_at) VALUES (1, 900, 12, 2, '2023-06-01 10:00Z')`,
		message+`'2023-06-01 10:30Z')`)
	require.Equal(t, 1.0, count())

	// A message at 11:00, uncommitted, while another transaction ends the
	// assignment at 10:45: the 11:00 message is outside it.
	writeWhileAnotherWaits(t, url, message+`'2023-06-01 11:00Z')`,
		`UPDATE assignments SET ended_at = '2023-06-01 10:45Z', outcome = 'transferred' WHERE workspace_id = 1 AND conversation_id = 12 AND created_at = '2023-06-01 10:00Z'`)
	require.Equal(t, 1.0, count())

	// The assignment goes: no message of the day is a contact-center one.
	exec(t, url, `DELETE FROM assignments WHERE workspace_id = 1 AND conversation_id = 12 AND created_at = '2023-06-01 10:00Z'`)
	require.Equal(t, 0.0, count())

	pool, err := pgxpool.New(context.Background(), url)
	require.NoError(t, err)
	t.Cleanup(pool.Close)
	requireSummariesRecomputed(t, pool)
}
