package generator_test

import (
	"context"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/chatbot-metrics/chatbot-metrics/pkg/generator"
	"github.com/chatbot-metrics/chatbot-metrics/pkg/store/storetest"
)

// until is an instant in the middle of a busy weekday afternoon in São Paulo
// (demo's zone), off any whole second, the way "now" looks.
var until = time.Date(2022, time.March, 16, 17, 37, 12, 345_000_000, time.UTC)

// live ends at until and spikes Sales, as the demo does, at a test's scale.
var live = generator.Config{Seed: 11, Until: until, Days: 21, Contacts: 600, Workspaces: 2, MissedSpike: "Sales"}

// timeColumns lists every timestamp column of the store's data tables.
func timeColumns(t *testing.T, pool *pgxpool.Pool) map[string][]string {
	t.Helper()
	rows, err := pool.Query(context.Background(), `SELECT table_name::text, column_name::text FROM information_schema.columns
		WHERE table_schema = 'public' AND data_type = 'timestamp with time zone'
		AND table_name <> 'schema_migrations' ORDER BY 1, 2`)
	require.NoError(t, err)
	defer rows.Close()
	columns := map[string][]string{}
	for rows.Next() {
		var table, column string
		require.NoError(t, rows.Scan(&table, &column))
		columns[table] = append(columns[table], column)
	}
	require.NoError(t, rows.Err())
	require.Contains(t, columns, "messages")
	return columns
}

func TestUntilEndsTheDataAtThatInstant(t *testing.T) {
	ctx := context.Background()
	pool := storetest.Pool(t)
	_, err := generator.Load(ctx, pool, live)
	require.NoError(t, err)
	// Start is the UTC midnight 21 days before until; history goes back 60 days more.
	lo := time.Date(2022, time.February, 23, 0, 0, 0, 0, time.UTC).AddDate(0, 0, -60)

	t.Run("nothing at or after the end, nothing before the history", func(t *testing.T) {
		for table, columns := range timeColumns(t, pool) {
			for _, column := range columns {
				var after, before int64
				require.NoError(t, pool.QueryRow(ctx, "SELECT count(*) FILTER (WHERE "+column+" >= $1), count(*) FILTER (WHERE "+column+" < $2) FROM "+table,
					until, lo).Scan(&after, &before))
				assert.Zero(t, after, "%s.%s at or after the end", table, column)
				assert.Zero(t, before, "%s.%s before the history", table, column)
			}
		}
	})

	t.Run("the last minutes are busy", func(t *testing.T) {
		var lastMessage time.Time
		require.NoError(t, pool.QueryRow(ctx, "SELECT max(created_at) FROM messages WHERE workspace_id = 1").Scan(&lastMessage))
		assert.Less(t, until.Sub(lastMessage), 5*time.Minute, "the data runs up to the end")
		var lastHour int64
		require.NoError(t, pool.QueryRow(ctx, "SELECT count(*) FROM messages WHERE workspace_id = 2 AND created_at >= $1", until.Add(-time.Hour)).Scan(&lastHour))
		assert.Positive(t, lastHour, "also without the spike's messages, in Europe/Madrid's evening")
	})

	t.Run("what is going on at the end stays open", func(t *testing.T) {
		var openConversations, loggedIn, waiting int64
		require.NoError(t, pool.QueryRow(ctx, `SELECT
			(SELECT count(*) FROM conversations WHERE closed_at IS NULL AND last_message_at > $1),
			(SELECT count(*) FROM agent_presence WHERE ended_at IS NULL),
			(SELECT count(*) FROM assignments WHERE accepted_at IS NULL AND ended_at IS NULL)`, until.Add(-time.Hour)).
			Scan(&openConversations, &loggedIn, &waiting))
		assert.Positive(t, openConversations, "conversations running at the end")
		assert.Positive(t, loggedIn, "agents still logged in")
		assert.GreaterOrEqual(t, waiting, int64(2*generator.SpikeWaiting), "customers still waiting")
	})

	t.Run("consistency", func(t *testing.T) {
		for _, c := range consistencyChecks {
			var n int64
			require.NoError(t, pool.QueryRow(ctx, c.sql, lo, until).Scan(&n), c.name)
			assert.Zero(t, n, c.name)
		}
	})

	t.Run("the spike, counted over the raw tables", func(t *testing.T) {
		// What the "missed conversations spike" rule computes per team:
		// missed assignments created in the last 15 minutes, against those of
		// the last 7 days over their 672 slots of 15 minutes.
		rows, err := pool.Query(ctx, `SELECT tm.name,
				count(*) FILTER (WHERE a.created_at >= $1::timestamptz - interval '15 minutes'),
				count(*) FILTER (WHERE a.created_at >= $1::timestamptz - interval '7 days') / 672.0,
				(SELECT count(*) FROM assignments w WHERE w.workspace_id = tm.workspace_id AND w.team_id = tm.id
					AND w.accepted_at IS NULL AND w.ended_at IS NULL),
				(SELECT coalesce(max(extract(epoch FROM $1::timestamptz - w.created_at)), 0) FROM assignments w
					WHERE w.workspace_id = tm.workspace_id AND w.team_id = tm.id AND w.accepted_at IS NULL AND w.ended_at IS NULL)
			FROM teams tm LEFT JOIN assignments a ON a.workspace_id = tm.workspace_id AND a.team_id = tm.id
				AND a.outcome = 'missed' AND a.created_at < $1
			WHERE tm.workspace_id = 1 GROUP BY tm.workspace_id, tm.id, tm.name ORDER BY tm.name`, until)
		require.NoError(t, err)
		defer rows.Close()
		seen := 0
		for rows.Next() {
			var team string
			var last15, waiting int64
			var average, longest float64
			require.NoError(t, rows.Scan(&team, &last15, &average, &waiting, &longest))
			t.Logf("%-7s missed in the last 15 min %2d, 7-day average per 15 min %.3f, waiting now %d, longest wait %.0f s", team, last15, average, waiting, longest)
			seen++
			if team == "Sales" {
				assert.GreaterOrEqual(t, last15, int64(generator.SpikeMissedLast15), team)
				assert.Greater(t, float64(last15), 3*average, team)
				assert.GreaterOrEqual(t, last15, int64(5), "the rule's floor")
				assert.GreaterOrEqual(t, waiting, int64(generator.SpikeWaiting), team)
				assert.Greater(t, longest, 300.0, "the longest wait passes the rule's 5 minutes")
				assert.Less(t, longest, 600.0, "nobody waits longer than the queue's timeout")
				// A Grafana started after the load evaluates later: ten minutes
				// on, the last 15 minutes still hold at least the floor.
				var later int64
				require.NoError(t, pool.QueryRow(ctx, `SELECT count(*) FROM assignments a JOIN teams tm ON tm.workspace_id = a.workspace_id AND tm.id = a.team_id
					WHERE a.workspace_id = 1 AND tm.name = 'Sales' AND a.outcome = 'missed' AND a.created_at >= $1::timestamptz + interval '10 minutes' - interval '15 minutes'`,
					until).Scan(&later))
				assert.GreaterOrEqual(t, later, int64(5), "still at the floor ten minutes after the end")
				continue
			}
			assert.Less(t, last15, int64(5), "%s stays under the floor", team)
			assert.LessOrEqual(t, waiting, int64(3), team)
			assert.LessOrEqual(t, longest, 300.0, team)
		}
		require.NoError(t, rows.Err())
		require.Equal(t, 3, seen, "Sales, Support, Tech")
	})
}

func TestSpikeOnlyAddsToTheData(t *testing.T) {
	ctx := context.Background()
	plain := live
	plain.MissedSpike = ""
	with, without := storetest.Pool(t), storetest.Pool(t)
	_, err := generator.Load(ctx, with, live)
	require.NoError(t, err)
	_, err = generator.Load(ctx, without, plain)
	require.NoError(t, err)

	count := func(pool *pgxpool.Pool, q string) (n int64) {
		require.NoError(t, pool.QueryRow(ctx, q, until).Scan(&n), q)
		return n
	}
	const missedLast15 = `SELECT count(*) FROM assignments a JOIN teams tm ON tm.workspace_id = a.workspace_id AND tm.id = a.team_id
		WHERE tm.name = 'Sales' AND a.outcome = 'missed' AND a.created_at >= $1::timestamptz - interval '15 minutes'`
	spiked := int64(generator.SpikeMissedLast15 + generator.SpikeMissedEarlier + generator.SpikeWaiting)
	for _, q := range []string{
		"SELECT count(*) FROM assignments WHERE $1::timestamptz IS NOT NULL",
		"SELECT count(*) FROM contacts WHERE $1::timestamptz IS NOT NULL",
		"SELECT count(*) FROM conversations WHERE $1::timestamptz IS NOT NULL",
	} {
		assert.Equal(t, count(without, q)+2*spiked, count(with, q), "one new contact, conversation and assignment per spiked hand-off in each workspace: %s", q)
	}
	assert.Equal(t, count(without, missedLast15)+2*generator.SpikeMissedLast15, count(with, missedLast15))
	// Away from the spike the data is the same: the same messages before the last hour.
	const before = `SELECT md5(string_agg(created_at::text || sender || coalesce(body, ''), ',' ORDER BY created_at, body))
		FROM messages WHERE created_at < $1::timestamptz - interval '1 hour'`
	var a, b string
	require.NoError(t, with.QueryRow(ctx, before, until).Scan(&a))
	require.NoError(t, without.QueryRow(ctx, before, until).Scan(&b))
	assert.Equal(t, b, a)
}

func TestUntilAtMidnightIsTheSameAsStartAndDays(t *testing.T) {
	ctx := context.Background()
	a, b := storetest.Pool(t), storetest.Pool(t)
	byStart := generator.Config{Seed: 9, Start: start, Days: 10, Contacts: 200, Agents: 5}
	byUntil := byStart
	byUntil.Start, byUntil.Until = time.Time{}, start.AddDate(0, 0, 10)
	_, err := generator.Load(ctx, a, byStart)
	require.NoError(t, err)
	_, err = generator.Load(ctx, b, byUntil)
	require.NoError(t, err)
	require.Equal(t, fingerprint(t, a), fingerprint(t, b), "the default period's end is Until's special case")
}

func TestBadLiveConfig(t *testing.T) {
	ctx := context.Background()
	for name, cfg := range map[string]generator.Config{
		"start and until":  {Start: start, Until: until},
		"unknown team":     {MissedSpike: "Marketing"},
		"until, bad days":  {Until: until, Days: -3},
		"until too early":  {Until: time.Date(1960, 1, 1, 0, 0, 0, 0, time.UTC)},
		"until, many days": {Until: until, Days: generator.MaxDays + 1},
	} {
		t.Run(name, func(t *testing.T) {
			_, err := generator.Load(ctx, nil, cfg)
			require.Error(t, err)
			require.NotContains(t, err.Error(), "pool", "the config is checked first")
		})
	}
	_, err := generator.Load(ctx, nil, generator.Config{MissedSpike: "Marketing"})
	require.ErrorContains(t, err, "Sales, Support, Tech")
}
