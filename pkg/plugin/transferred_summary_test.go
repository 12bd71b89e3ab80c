package plugin

import (
	"context"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/stretchr/testify/require"
)

// The conversations handed to a human, from the conversation summaries
// (migration 24), stay exact when two transactions write one conversation's
// assignments, or one its assignments and another the conversation itself:
// the second waits for the first on the conversation's row of
// conversation_inbound and counts against what it committed. In
// chatbot_fixture.sql, January's handed-off conversations are 11, 12, 13 (two
// assignments) and 14; 15, 17 and 18 have none. February's is 16.
func TestTransferredConversationSummaryUnderConcurrentWriters(t *testing.T) {
	url := fixtureURL(t, "chatbot_fixture")
	ds := newDatasourceAt(t, url, "acme")
	transferred := func(from, to string) float64 {
		t.Helper()
		frame := ask(t, ds, `{"queryType":"totals","metric":"transferred_conversations"}`, from, to)
		require.True(t, strings.HasPrefix(frame.Meta.ExecutedQueryString, "/* summary: conversation_"), frame.Meta.ExecutedQueryString)
		return rows(t, frame)[0][1].(float64)
	}
	require.Equal(t, 4.0, transferred(jan2022, feb2022))
	require.Equal(t, 1.0, transferred(feb2022, mar2022))

	const assign = `INSERT INTO assignments (workspace_id, id, conversation_id, contact_id, created_at) VALUES (1, `

	// Two transactions hand conversation 15 off at once: each alone would
	// find no assignment before its own, and both would count it.
	writeWhileAnotherWaits(t, url, assign+`900, 15, 8, '2022-01-07 10:05Z')`, assign+`901, 15, 8, '2022-01-07 10:06Z')`)
	require.Equal(t, 5.0, transferred(jan2022, feb2022))

	// Conversation 18 moves to February, uncommitted, while another
	// transaction hands it off: the hand-off counts where 18 now starts.
	writeWhileAnotherWaits(t, url, `UPDATE conversations SET started_at = '2022-02-20 09:01Z' WHERE workspace_id = 1 AND id = 18`,
		assign+`902, 18, 3, '2022-02-20 09:05Z')`)
	require.Equal(t, 5.0, transferred(jan2022, feb2022))
	require.Equal(t, 2.0, transferred(feb2022, mar2022))

	// One of 15's two assignments goes: still handed off. Then the other.
	exec(t, url, `DELETE FROM assignments WHERE workspace_id = 1 AND conversation_id = 15 AND created_at = '2022-01-07 10:05Z'`)
	require.Equal(t, 5.0, transferred(jan2022, feb2022))
	exec(t, url, `DELETE FROM assignments WHERE workspace_id = 1 AND conversation_id = 15`)
	require.Equal(t, 4.0, transferred(jan2022, feb2022))

	pool, err := pgxpool.New(context.Background(), url)
	require.NoError(t, err)
	t.Cleanup(pool.Close)
	requireSummariesRecomputed(t, pool)
}
