package plugin

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/grafana/grafana-plugin-sdk-go/backend"
	"github.com/stretchr/testify/require"

	"github.com/chatbot-metrics/chatbot-metrics/pkg/catalog"
	"github.com/chatbot-metrics/chatbot-metrics/pkg/generator"
	"github.com/chatbot-metrics/chatbot-metrics/pkg/models"
	"github.com/chatbot-metrics/chatbot-metrics/pkg/sqlbuild"
	"github.com/chatbot-metrics/chatbot-metrics/pkg/store"
)

// The message and conversation sums per task only (migration 43) stay the
// finer rows regrouped by task through a campaign's conversations moving to
// another task with their messages (their old task's rows emptied and
// dropped), and through every truncate of their sources: without
// assignments no conversation was handed to a human, without messages the
// message sums are gone and every conversation has none, without
// conversations nothing is left. So do the message sums per direction,
// sender and billing (migration 44). (TestSummariesEqualTheRawRows checks
// them against the raw rows through inserts, updates and deletes.)
func TestTaskSummariesFollowMovesAndTruncates(t *testing.T) {
	ctx := context.Background()
	url, pool := generatedStore(t, generator.Config{Seed: 5, Days: 10, Contacts: 60})

	const sums = "sum(conversations), sum(messages), sum(replied), sum(obtained), sum(succeeded), sum(transferred)"
	const messageSums = "sum(messages), sum(ai_cost), sum(billing_cost)"
	tables := map[string]string{
		"conversation_task_slots": `SELECT workspace_id, slot, task_id, ` + sums + ` FROM conversation_slots GROUP BY 1, 2, 3`,
		"conversation_task_hours": `SELECT workspace_id, hour, task_id, ` + sums + ` FROM conversation_hours GROUP BY 1, 2, 3`,
		"conversation_task_days":  `SELECT workspace_id, day, task_id, ` + sums + ` FROM conversation_days GROUP BY 1, 2, 3`,
		"message_task_slots":      `SELECT workspace_id, slot, task_id, ` + messageSums + ` FROM message_slots GROUP BY 1, 2, 3`,
		"message_task_hours":      `SELECT workspace_id, hour, task_id, ` + messageSums + ` FROM message_hours GROUP BY 1, 2, 3`,
		"message_task_days":       `SELECT workspace_id, day, task_id, ` + messageSums + ` FROM message_days GROUP BY 1, 2, 3`,
		// And the sums per direction, sender and billing (migration 44),
		// which a task's move leaves as they were.
		"message_sender_slots": `SELECT workspace_id, slot, direction, sender, billable, ` + messageSums + ` FROM message_slots GROUP BY 1, 2, 3, 4, 5`,
		"message_sender_hours": `SELECT workspace_id, hour, direction, sender, billable, ` + messageSums + ` FROM message_hours GROUP BY 1, 2, 3, 4, 5`,
		"message_sender_days":  `SELECT workspace_id, day, direction, sender, billable, ` + messageSums + ` FROM message_days GROUP BY 1, 2, 3, 4, 5`,
	}
	// facts are the conversation task slots' rows, tasks and sums of two
	// columns, and the message task slots' rows and tasks, once each table
	// has been checked against the finer rows.
	facts := func(step string) (rows, tasks, transferred, messages, messageRows, messageTasks int64) {
		t.Helper()
		for table, finer := range tables {
			var differ int64
			require.NoError(t, pool.QueryRow(ctx, `SELECT count(*) FROM ((TABLE `+table+` EXCEPT ALL (`+finer+`))
				UNION ALL ((`+finer+`) EXCEPT ALL TABLE `+table+`)) d`).Scan(&differ))
			require.Zero(t, differ, "%s, %s", table, step)
		}
		require.NoError(t, pool.QueryRow(ctx, `SELECT count(*), count(DISTINCT task_id), coalesce(sum(transferred), 0),
			coalesce(sum(messages), 0) FROM conversation_task_slots`).Scan(&rows, &tasks, &transferred, &messages))
		require.NoError(t, pool.QueryRow(ctx, `SELECT count(*), count(DISTINCT task_id) FROM message_task_slots`).Scan(&messageRows, &messageTasks))
		return rows, tasks, transferred, messages, messageRows, messageTasks
	}

	rows, tasks, transferred, messages, messageRows, messageTasks := facts("loaded")
	require.Positive(t, rows)
	require.GreaterOrEqual(t, tasks, int64(2), "several campaigns")
	require.Positive(t, transferred)
	require.Positive(t, messages)
	require.Positive(t, messageRows)
	require.Equal(t, tasks, messageTasks, "every campaign's conversations have messages")

	// Every conversation of the smallest task moves to the largest: the
	// smallest's rows go, none is left at zero.
	exec(t, url, `WITH n AS (SELECT task_id, count(*) AS c FROM conversations WHERE task_id IS NOT NULL GROUP BY 1)
		UPDATE conversations SET task_id = (SELECT task_id FROM n ORDER BY c DESC, task_id LIMIT 1)
		WHERE task_id = (SELECT task_id FROM n ORDER BY c, task_id LIMIT 1)`)
	_, moved, _, _, _, messagesMoved := facts("after a task's conversations moved")
	require.Equal(t, tasks-1, moved)
	require.Equal(t, tasks-1, messagesMoved)

	exec(t, url, `TRUNCATE assignments`)
	after, _, transferred, _, messageRows, _ := facts("without assignments")
	require.Positive(t, after)
	require.Zero(t, transferred)
	require.Positive(t, messageRows)

	exec(t, url, `TRUNCATE messages, template_sends`)
	without, _, _, messages, messageRows, _ := facts("without messages")
	require.Equal(t, after, without, "the conversations stay, with no message")
	require.Zero(t, messages)
	require.Zero(t, messageRows)

	exec(t, url, `TRUNCATE conversations CASCADE`)
	rows, _, _, _, _, _ = facts("without conversations")
	require.Zero(t, rows)
}

// A range that starts inside a slot, after a conversation started there (or
// a message was written), reads the slot's other conversations (messages)
// raw, each under its own task (the sums per task cannot split the slot),
// and still counts what the raw rows count: here one without a task whose
// inbox's id is also a task's.
func TestTaskSummariesReadTheEdgesRaw(t *testing.T) {
	ctx := context.Background()
	_, pool := generatedStore(t, generator.Config{Seed: 3, Days: 90, Contacts: 400})

	for _, c := range []struct {
		metric, summary string
		// rows is the rows the metric adds up, with their time (at), what
		// each adds (value) and their conversation (v).
		rows string
	}{
		{"conversations", "conversation_task_days, conversation_task_hours, conversation_task_slots",
			`SELECT v.started_at AS at, 1 AS value, v.* FROM conversations v`},
		{"ai_expense", "message_task_days, message_task_hours, message_task_slots",
			`SELECT m.created_at AS at, m.ai_cost AS value, v.* FROM messages m JOIN conversations v ON v.workspace_id = m.workspace_id AND v.id = m.conversation_id`},
	} {
		// The first slot with a row and, after it, one without a task.
		var first, later time.Time
		require.NoError(t, pool.QueryRow(ctx, `WITH r AS (`+c.rows+`) SELECT a.at, b.at FROM r a JOIN r b
			ON b.workspace_id = a.workspace_id AND date_bin('15 minutes', b.at, '2000-01-01Z') = date_bin('15 minutes', a.at, '2000-01-01Z')
			AND b.at > a.at
			WHERE b.task_id IS NULL AND b.value > 0 AND EXISTS (SELECT 1 FROM tasks k WHERE k.workspace_id = b.workspace_id AND k.id = b.inbox_id)
			ORDER BY a.at LIMIT 1`).Scan(&first, &later), c.metric)
		from, to := first.Add(time.Millisecond), first.Add(7*24*time.Hour)
		require.True(t, later.After(from))
		q := models.Query{QueryType: models.KindTotals, Metric: c.metric, GroupBy: catalog.DimTask.ID, Timezone: "UTC",
			TimeRange: backend.TimeRange{From: from, To: to}}
		plan, err := catalog.Resolve(q)
		require.NoError(t, err)
		summary, err := sqlbuild.Totals(plan, sqlbuild.WorkspaceSlug("demo"))
		require.NoError(t, err)
		require.True(t, strings.HasPrefix(summary.SQL, "/* summary: "+c.summary+" */"), summary.SQL)
		raw, err := sqlbuild.RawTotals(plan, sqlbuild.WorkspaceSlug("demo"))
		require.NoError(t, err)
		got, err := collect[store.Totaled](ctx, pool, summary)
		require.NoError(t, err)
		want, err := collect[store.Totaled](ctx, pool, raw)
		require.NoError(t, err)
		require.Equal(t, totaledText(want), totaledText(got), c.metric)

		// And the sum without a task is the rows' own.
		var untasked float64
		require.NoError(t, pool.QueryRow(ctx, `WITH r AS (`+c.rows+`) SELECT sum(value)::float8 FROM r WHERE task_id IS NULL AND at >= $1 AND at < $2`,
			from, to).Scan(&untasked))
		require.Positive(t, untasked)
		require.Contains(t, totaledText(got), fmt.Sprintf(`"" null %v`, untasked), c.metric)
	}
}
