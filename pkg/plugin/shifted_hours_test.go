package plugin

import (
	"context"
	"testing"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/stretchr/testify/require"

	"github.com/chatbot-metrics/chatbot-metrics/pkg/generator"
	"github.com/chatbot-metrics/chatbot-metrics/pkg/store/storetest"
)

// The hours shifted 15, 30 and 45 minutes past the UTC hour (migration 41)
// stay the inbox slots regrouped through every truncate of their sources:
// without assignments no conversation was handed to a human, without
// messages every conversation has none, without conversations nothing is
// left. (TestSummariesEqualTheRawRows checks them against the raw rows
// through inserts, updates and deletes.)
func TestShiftedHoursFollowTruncates(t *testing.T) {
	ctx := context.Background()
	url := storetest.URL(t)
	pool, err := pgxpool.New(ctx, url)
	require.NoError(t, err)
	t.Cleanup(pool.Close)
	_, err = generator.Load(ctx, pool, generator.Config{Seed: 5, Days: 10, Contacts: 60})
	require.NoError(t, err)

	regrouped := func(slots, sums string) string {
		return `SELECT s.workspace_id, p.shift, date_bin('1 hour', s.slot, '2000-01-01Z'::timestamptz + p.shift * interval '1 minute'),
			s.platform, s.inbox_id, ` + sums + ` FROM ` + slots + ` s
			CROSS JOIN (VALUES (15::smallint), (30::smallint), (45::smallint)) AS p (shift) GROUP BY 1, 2, 3, 4, 5`
	}
	tables := map[string]string{
		"message_inbox_shifted_hours": regrouped("message_inbox_slots", "sum(s.messages), sum(s.ai_cost), sum(s.billing_cost)"),
		"conversation_inbox_shifted_hours": regrouped("conversation_inbox_slots",
			"sum(s.conversations), sum(s.messages), sum(s.replied), sum(s.obtained), sum(s.succeeded), sum(s.transferred)"),
	}
	// facts are the rows of each shifted table and a sum of one of its
	// columns, once each table has been checked against its slots.
	facts := func(step string) (messageRows, conversationRows, transferred, conversationMessages int64) {
		t.Helper()
		for table, slots := range tables {
			var differ int64
			require.NoError(t, pool.QueryRow(ctx, `SELECT count(*) FROM ((TABLE `+table+` EXCEPT ALL (`+slots+`))
				UNION ALL ((`+slots+`) EXCEPT ALL TABLE `+table+`)) d`).Scan(&differ))
			require.Zero(t, differ, "%s, %s", table, step)
		}
		require.NoError(t, pool.QueryRow(ctx, `SELECT (SELECT count(*) FROM message_inbox_shifted_hours),
			(SELECT count(*) FROM conversation_inbox_shifted_hours),
			(SELECT coalesce(sum(transferred), 0) FROM conversation_inbox_shifted_hours),
			(SELECT coalesce(sum(messages), 0) FROM conversation_inbox_shifted_hours)`).
			Scan(&messageRows, &conversationRows, &transferred, &conversationMessages))
		return messageRows, conversationRows, transferred, conversationMessages
	}

	messageRows, conversationRows, transferred, conversationMessages := facts("loaded")
	require.Positive(t, messageRows)
	require.Positive(t, conversationRows)
	require.Positive(t, transferred)
	require.Positive(t, conversationMessages)

	exec(t, url, `TRUNCATE assignments`)
	after, conversationsAfter, transferred, _ := facts("without assignments")
	require.Equal(t, messageRows, after)
	require.Equal(t, conversationRows, conversationsAfter)
	require.Zero(t, transferred)

	exec(t, url, `TRUNCATE messages, template_sends`)
	messageRows, conversationsAfter, _, conversationMessages = facts("without messages")
	require.Zero(t, messageRows)
	require.Equal(t, conversationRows, conversationsAfter, "the conversations stay, with no message")
	require.Zero(t, conversationMessages)

	exec(t, url, `TRUNCATE conversations CASCADE`)
	_, conversationRows, _, _ = facts("without conversations")
	require.Zero(t, conversationRows)
}
