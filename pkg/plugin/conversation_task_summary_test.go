package plugin

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/grafana/grafana-plugin-sdk-go/backend"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/stretchr/testify/require"

	"github.com/chatbot-metrics/chatbot-metrics/pkg/catalog"
	"github.com/chatbot-metrics/chatbot-metrics/pkg/generator"
	"github.com/chatbot-metrics/chatbot-metrics/pkg/models"
	"github.com/chatbot-metrics/chatbot-metrics/pkg/sqlbuild"
	"github.com/chatbot-metrics/chatbot-metrics/pkg/store"
	"github.com/chatbot-metrics/chatbot-metrics/pkg/store/storetest"
)

// The conversation sums per task only (migration 43) stay the finer
// conversation rows regrouped by task through a campaign's conversations
// moving to another task (their old task's rows emptied and dropped), and
// through every truncate of their sources: without assignments no
// conversation was handed to a human, without messages every conversation
// has none, without conversations nothing is left.
// (TestSummariesEqualTheRawRows checks them against the raw rows through
// inserts, updates and deletes.)
func TestConversationTaskSummariesFollowMovesAndTruncates(t *testing.T) {
	ctx := context.Background()
	url := storetest.URL(t)
	pool, err := pgxpool.New(ctx, url)
	require.NoError(t, err)
	t.Cleanup(pool.Close)
	_, err = generator.Load(ctx, pool, generator.Config{Seed: 5, Days: 10, Contacts: 60})
	require.NoError(t, err)

	const sums = "sum(conversations), sum(messages), sum(replied), sum(obtained), sum(succeeded), sum(transferred)"
	tables := map[string]string{
		"conversation_task_slots": `SELECT workspace_id, slot, task_id, ` + sums + ` FROM conversation_slots GROUP BY 1, 2, 3`,
		"conversation_task_hours": `SELECT workspace_id, hour, task_id, ` + sums + ` FROM conversation_hours GROUP BY 1, 2, 3`,
		"conversation_task_days":  `SELECT workspace_id, day, task_id, ` + sums + ` FROM conversation_days GROUP BY 1, 2, 3`,
	}
	// facts are the task slots' rows, tasks and sums of two columns, once
	// each table has been checked against the finer rows.
	facts := func(step string) (rows, tasks, transferred, messages int64) {
		t.Helper()
		for table, finer := range tables {
			var differ int64
			require.NoError(t, pool.QueryRow(ctx, `SELECT count(*) FROM ((TABLE `+table+` EXCEPT ALL (`+finer+`))
				UNION ALL ((`+finer+`) EXCEPT ALL TABLE `+table+`)) d`).Scan(&differ))
			require.Zero(t, differ, "%s, %s", table, step)
		}
		require.NoError(t, pool.QueryRow(ctx, `SELECT count(*), count(DISTINCT task_id), coalesce(sum(transferred), 0),
			coalesce(sum(messages), 0) FROM conversation_task_slots`).Scan(&rows, &tasks, &transferred, &messages))
		return rows, tasks, transferred, messages
	}

	rows, tasks, transferred, messages := facts("loaded")
	require.Positive(t, rows)
	require.GreaterOrEqual(t, tasks, int64(2), "several campaigns")
	require.Positive(t, transferred)
	require.Positive(t, messages)

	// Every conversation of the smallest task moves to the largest: the
	// smallest's rows go, none is left at zero.
	exec(t, url, `WITH n AS (SELECT task_id, count(*) AS c FROM conversations WHERE task_id IS NOT NULL GROUP BY 1)
		UPDATE conversations SET task_id = (SELECT task_id FROM n ORDER BY c DESC, task_id LIMIT 1)
		WHERE task_id = (SELECT task_id FROM n ORDER BY c, task_id LIMIT 1)`)
	_, moved, _, _ := facts("after a task's conversations moved")
	require.Equal(t, tasks-1, moved)

	exec(t, url, `TRUNCATE assignments`)
	after, _, transferred, _ := facts("without assignments")
	require.Positive(t, after)
	require.Zero(t, transferred)

	exec(t, url, `TRUNCATE messages, template_sends`)
	without, _, _, messages := facts("without messages")
	require.Equal(t, after, without, "the conversations stay, with no message")
	require.Zero(t, messages)

	exec(t, url, `TRUNCATE conversations CASCADE`)
	rows, _, _, _ = facts("without conversations")
	require.Zero(t, rows)
}

// A range that starts inside a slot, after a conversation started there,
// reads the slot's other conversations raw, each under its own task (the
// sums per task cannot split the slot), and still counts what the raw rows
// count: here a conversation without a task whose inbox's id is also a
// task's.
func TestConversationTaskSummariesReadTheEdgesRaw(t *testing.T) {
	ctx := context.Background()
	pool, err := pgxpool.New(ctx, storetest.URL(t))
	require.NoError(t, err)
	t.Cleanup(pool.Close)
	_, err = generator.Load(ctx, pool, generator.Config{Seed: 3, Days: 90, Contacts: 400})
	require.NoError(t, err)

	// The first slot with a conversation and, after it, one without a task.
	var first, later time.Time
	require.NoError(t, pool.QueryRow(ctx, `SELECT a.started_at, b.started_at FROM conversations a JOIN conversations b
		ON b.workspace_id = a.workspace_id AND date_bin('15 minutes', b.started_at, '2000-01-01Z') = date_bin('15 minutes', a.started_at, '2000-01-01Z')
		AND b.started_at > a.started_at
		WHERE b.task_id IS NULL AND EXISTS (SELECT 1 FROM tasks k WHERE k.workspace_id = b.workspace_id AND k.id = b.inbox_id)
		ORDER BY a.started_at LIMIT 1`).Scan(&first, &later))
	from := first.Add(time.Millisecond)
	require.True(t, later.After(from))
	q := models.Query{QueryType: models.KindTotals, Metric: "conversations", GroupBy: catalog.DimTask.ID, Timezone: "UTC",
		TimeRange: backend.TimeRange{From: from, To: from.Add(7 * 24 * time.Hour)}}
	plan, err := catalog.Resolve(q)
	require.NoError(t, err)
	summary, err := sqlbuild.Totals(plan, "demo")
	require.NoError(t, err)
	require.True(t, strings.HasPrefix(summary.SQL, "/* summary: conversation_task_days, conversation_task_hours, conversation_task_slots */"), summary.SQL)
	raw, err := sqlbuild.RawTotals(plan, "demo")
	require.NoError(t, err)
	got, err := collect[store.Totaled](ctx, pool, summary)
	require.NoError(t, err)
	want, err := collect[store.Totaled](ctx, pool, raw)
	require.NoError(t, err)
	require.Equal(t, totaledText(want), totaledText(got))

	// And the count without a task is the conversations' own.
	var untasked float64
	require.NoError(t, pool.QueryRow(ctx, `SELECT count(*) FROM conversations WHERE task_id IS NULL AND started_at >= $1 AND started_at < $2`,
		from, from.Add(7*24*time.Hour)).Scan(&untasked))
	require.Positive(t, untasked)
	require.Contains(t, totaledText(got), fmt.Sprintf(`"" null %v`, untasked))
}
