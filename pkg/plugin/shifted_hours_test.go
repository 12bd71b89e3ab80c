package plugin

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/chatbot-metrics/chatbot-metrics/pkg/generator"
)

// shiftsJoin joins each row to the three shifts of the shifted hours, as
// p.shift (minutes past the UTC hour).
const shiftsJoin = ` CROSS JOIN (VALUES (15::smallint), (30::smallint), (45::smallint)) AS p (shift)`

// shiftedHourOf is the start of the hour shifted by p.shift that holds the
// time column.
func shiftedHourOf(column string) string {
	return `date_bin('1 hour', ` + column + `, '2000-01-01Z'::timestamptz + p.shift * interval '1 minute')`
}

// inboxShiftedHours is rows per unit (in column unit), platform and inbox,
// read as l, regrouped by shifted hour with sums: the rows of a shifted
// hours table of migration 41.
func inboxShiftedHours(rows, unit, sums string) string {
	return `SELECT l.workspace_id, p.shift, ` + shiftedHourOf("l."+unit) + `, l.platform, l.inbox_id, ` + sums +
		` FROM (` + rows + `) l` + shiftsJoin + ` GROUP BY 1, 2, 3, 4, 5`
}

// The hours shifted 15, 30 and 45 minutes past the UTC hour (migration 41)
// stay the inbox slots regrouped through every truncate of their sources:
// without assignments no conversation was handed to a human, without
// messages every conversation has none, without conversations nothing is
// left. (TestSummariesEqualTheRawRows checks them against the raw rows
// through inserts, updates and deletes.)
func TestShiftedHoursFollowTruncates(t *testing.T) {
	ctx := context.Background()
	url, pool := generatedStore(t, generator.Config{Seed: 5, Days: 10, Contacts: 60})

	tables := map[string]string{
		"message_inbox_shifted_hours": inboxShiftedHours("TABLE message_inbox_slots", "slot", "sum(l.messages), sum(l.ai_cost), sum(l.billing_cost)"),
		"conversation_inbox_shifted_hours": inboxShiftedHours("TABLE conversation_inbox_slots", "slot",
			"sum(l.conversations), sum(l.messages), sum(l.replied), sum(l.obtained), sum(l.succeeded), sum(l.transferred)"),
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
