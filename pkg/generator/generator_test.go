package generator_test

import (
	"context"
	"fmt"
	"os"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/chatbot-metrics/chatbot-metrics/pkg/generator"
	"github.com/chatbot-metrics/chatbot-metrics/pkg/store/storetest"
)

func TestMain(m *testing.M) { storetest.Main(m) }

// The tests use periods in 2022 like the product's worked examples.
var start = time.Date(2022, time.January, 1, 0, 0, 0, 0, time.UTC)

// small is quick to load twice.
var small = generator.Config{Seed: 7, Start: start, Days: 21, Contacts: 250, Workspaces: 2, Agents: 6}

var tables = []string{
	"workspaces", "teams", "agents", "inboxes", "contacts", "tasks", "flows", "markers",
	"conversations", "messages", "assignments", "agent_presence", "flow_triggers",
	"conversation_markers", "page_visits", "template_sends", "credit_ledger", "ai_assist_uses",
}

func TestSameSeedAndConfigGiveIdenticalData(t *testing.T) {
	ctx := context.Background()
	super := storetest.Pool(t)
	restricted := restrictedPool(t) // the same data must come out with the foreign-key checks on
	other := storetest.Pool(t)

	_, err := generator.Load(ctx, super, small)
	require.NoError(t, err)
	// Watching the load changes nothing in the data.
	var last generator.Progress
	phases := map[string]bool{}
	summarised := map[string]bool{}
	analyzedBefore := map[string]bool{}
	stats, err := generator.LoadWithProgress(ctx, restricted, small, func(p generator.Progress) {
		last = p
		phases[p.Phase] = true
		switch p.Phase {
		case generator.PhaseSummarising:
			summarised[p.Table] = true
		case generator.PhaseAnalyzing:
			analyzedBefore[p.Table] = true
		}
	})
	require.NoError(t, err)
	assert.Equal(t, map[string]bool{generator.PhaseSimulating: true, generator.PhaseSorting: true,
		generator.PhaseLoading: true, generator.PhaseSummarising: true, generator.PhaseAnalyzing: true, generator.PhaseVacuuming: true}, phases)
	assert.Equal(t, generator.PhaseVacuuming, last.Phase, "the load ends with its VACUUM (ANALYZE)")
	for _, table := range []string{"contacts", "conversations", "messages", "assignments", "flow_triggers"} {
		assert.True(t, summarised[table], "the wait for %s's summaries is reported", table)
	}
	for _, table := range []string{"conversations", "messages", "assignments"} {
		assert.True(t, analyzedBefore[table], "the statistics' refresh before %s is reported", table)
	}
	assert.Equal(t, 2, last.Workspace, "the last report is about the last workspace")
	assert.LessOrEqual(t, last.Rows, stats.Total(), "reports count the rows copied")
	differentSeed := small
	differentSeed.Seed++
	_, err = generator.Load(ctx, other, differentSeed)
	require.NoError(t, err)

	a, b, c := fingerprint(t, super), fingerprint(t, restricted), fingerprint(t, other)
	require.Equal(t, a, b, "same seed and config, byte for byte")
	assert.NotEqual(t, a["messages"], c["messages"], "another seed gives other messages")
	assert.Equal(t, a["teams"], c["teams"], "but the fixed vocabularies stay")
}

// fingerprint is every table's row count and, for the larger ones, the md5
// of all their rows in key order.
func fingerprint(t *testing.T, pool *pgxpool.Pool) map[string]string {
	t.Helper()
	out := map[string]string{}
	for _, table := range tables {
		order := "workspace_id, id"
		switch table {
		case "workspaces":
			order = "id"
		case "conversation_markers":
			order = "workspace_id, conversation_id, marker_id"
		}
		var count int64
		var sum string
		// created_at of workspaces is fixed by the generator too, so whole rows compare.
		q := fmt.Sprintf("SELECT count(*), coalesce(md5(string_agg(t::text, E'\\n' ORDER BY %s)), '') FROM %s t", order, table)
		require.NoError(t, pool.QueryRow(context.Background(), q).Scan(&count, &sum))
		require.Positive(t, count, table)
		out[table] = fmt.Sprintf("%d rows, md5 %s", count, sum)
	}
	return out
}

var roleNo atomic.Int64

// restrictedPool is a fresh database and a pool on it for a role that is not a
// superuser and holds only what a loader needs (SELECT and INSERT on the
// tables, and the sequences), so Load runs with every foreign-key check on.
func restrictedPool(t *testing.T) *pgxpool.Pool {
	t.Helper()
	ctx := context.Background()
	url := storetest.URL(t)
	admin, err := pgx.Connect(ctx, url)
	require.NoError(t, err)
	defer func() { _ = admin.Close(ctx) }()
	role := fmt.Sprintf("generator_loader_%d_%d", os.Getpid(), roleNo.Add(1))
	for _, q := range []string{
		"CREATE ROLE " + role + " LOGIN PASSWORD 'loader'",
		"GRANT SELECT, INSERT ON ALL TABLES IN SCHEMA public TO " + role,
		"GRANT SELECT, USAGE, UPDATE ON ALL SEQUENCES IN SCHEMA public TO " + role,
	} {
		_, err := admin.Exec(ctx, q)
		require.NoError(t, err, q)
	}
	config, err := pgxpool.ParseConfig(url)
	require.NoError(t, err)
	config.ConnConfig.User, config.ConnConfig.Password = role, "loader"
	pool, err := pgxpool.NewWithConfig(ctx, config)
	require.NoError(t, err)
	t.Cleanup(func() {
		pool.Close()
		admin, err := pgx.Connect(ctx, url)
		if err != nil {
			t.Errorf("dropping role %s: %v", role, err)
			return
		}
		defer func() { _ = admin.Close(ctx) }()
		for _, q := range []string{"DROP OWNED BY " + role, "DROP ROLE " + role} {
			if _, err := admin.Exec(ctx, q); err != nil {
				t.Errorf("%s: %v", q, err)
			}
		}
	})
	var super bool
	require.NoError(t, pool.QueryRow(ctx, "SELECT rolsuper FROM pg_roles WHERE rolname = current_user").Scan(&super))
	require.False(t, super)
	return pool
}

func TestLoadWithForeignKeyChecksOnSucceeds(t *testing.T) {
	ctx := context.Background()
	pool := restrictedPool(t)
	cfg := generator.Config{Seed: 3, Start: start, Days: 14, Contacts: 300}
	stats, err := generator.Load(ctx, pool, cfg)
	require.NoError(t, err)

	var replicaRole string
	require.NoError(t, pool.QueryRow(ctx, "SHOW session_replication_role").Scan(&replicaRole))
	require.Equal(t, "origin", replicaRole, "a non-superuser cannot skip the checks")
	for _, table := range tables {
		var n int64
		require.NoError(t, pool.QueryRow(ctx, "SELECT count(*) FROM "+table).Scan(&n))
		require.Equal(t, stats.Rows[table], n, table)
		require.Positive(t, n, table)
	}
	require.Equal(t, int64(300), stats.Rows["contacts"])
	require.Equal(t, int64(1), stats.Rows["workspaces"])

	// The sequences were moved past the generated ids: default ids do not collide.
	var maxID, newID int64
	require.NoError(t, pool.QueryRow(ctx, "SELECT max(id) FROM flows").Scan(&maxID))
	require.NoError(t, pool.QueryRow(ctx, "INSERT INTO flows (workspace_id, name) VALUES (1, 'Added later') RETURNING id").Scan(&newID))
	require.Greater(t, newID, maxID)
	require.NoError(t, pool.QueryRow(ctx, "SELECT max(id) FROM messages").Scan(&maxID))
	require.NoError(t, pool.QueryRow(ctx,
		`INSERT INTO messages (workspace_id, conversation_id, contact_id, direction, sender, created_at, body)
		 SELECT workspace_id, id, contact_id, 'outbound', 'bot', last_message_at, 'hello' FROM conversations ORDER BY id LIMIT 1
		 RETURNING id`).Scan(&newID))
	require.Greater(t, newID, maxID)
}

func TestLoadRefusesAnExistingWorkspace(t *testing.T) {
	ctx := context.Background()
	pool := storetest.Pool(t)
	_, err := pool.Exec(ctx, "INSERT INTO workspaces (slug, name) VALUES ('demo-2', 'Someone else')")
	require.NoError(t, err)

	_, err = generator.Load(ctx, pool, generator.Config{Contacts: 10, Days: 2, Workspaces: 3})
	require.ErrorIs(t, err, generator.ErrWorkspaceExists)
	require.ErrorContains(t, err, "demo-2")
	var workspaces, contacts int
	require.NoError(t, pool.QueryRow(ctx, "SELECT (SELECT count(*) FROM workspaces), (SELECT count(*) FROM contacts)").Scan(&workspaces, &contacts))
	require.Equal(t, 1, workspaces, "nothing was loaded")
	require.Zero(t, contacts)
}

func TestBadConfigIsAnErrorNotAPanic(t *testing.T) {
	ctx := context.Background()
	for name, cfg := range map[string]generator.Config{
		"negative days":      {Days: -1},
		"negative contacts":  {Contacts: -5},
		"negative agents":    {Agents: -1},
		"too many days":      {Days: generator.MaxDays + 1},
		"too many spaces":    {Workspaces: generator.MaxWorkspaces + 1},
		"start not midnight": {Start: time.Date(2022, 1, 1, 3, 0, 0, 0, time.UTC)},
		"start too early":    {Start: time.Date(1900, 1, 1, 0, 0, 0, 0, time.UTC)},
	} {
		t.Run(name, func(t *testing.T) {
			_, err := generator.Load(ctx, nil, cfg)
			require.Error(t, err)
			require.NotContains(t, err.Error(), "pool", "the config is checked first")
		})
	}
	_, err := generator.Load(ctx, nil, generator.Config{})
	require.ErrorContains(t, err, "pool")
}

func TestStats(t *testing.T) {
	s := generator.Stats{Rows: map[string]int64{"messages": 900, "contacts": 100}, Elapsed: 2 * time.Second}
	require.Equal(t, int64(1000), s.Total())
	require.InDelta(t, 500.0, s.RowsPerSecond(), 1e-9)
	require.Zero(t, generator.Stats{}.RowsPerSecond())
	require.Equal(t, []string{"demo", "demo-2", "demo-3"}, generator.Config{Workspaces: 3}.Slugs())
}

// medium is the data set of the consistency and shape checks.
var medium = generator.Config{Seed: 42, Start: start, Days: 60, Contacts: 1500, Workspaces: 2}

func TestGeneratedData(t *testing.T) {
	ctx := context.Background()
	pool := storetest.Pool(t)
	stats, err := generator.Load(ctx, pool, medium)
	require.NoError(t, err)
	t.Logf("loaded %d rows in %s (%.0f rows/s): %v", stats.Total(), stats.Elapsed, stats.RowsPerSecond(), stats.Rows)
	require.Equal(t, int64(2), stats.Rows["workspaces"])
	require.Equal(t, int64(3000), stats.Rows["contacts"])

	lo := start.AddDate(0, 0, -60)
	hi := start.AddDate(0, 0, medium.Days)

	t.Run("consistency", func(t *testing.T) {
		for _, c := range consistencyChecks {
			var n int64
			require.NoError(t, pool.QueryRow(ctx, c.sql, lo, hi).Scan(&n), c.name)
			assert.Zero(t, n, c.name)
		}
	})

	// Scalar shape queries on the first workspace ("demo", in America/Sao_Paulo).
	value := func(t *testing.T, q string, args ...any) float64 {
		t.Helper()
		var v float64
		require.NoError(t, pool.QueryRow(ctx, q, args...).Scan(&v), q)
		return v
	}

	t.Run("workspaces", func(t *testing.T) {
		var slugs []string
		require.NoError(t, pool.QueryRow(ctx, "SELECT array_agg(slug ORDER BY id) FROM workspaces").Scan(&slugs))
		require.Equal(t, []string{"demo", "demo-2"}, slugs)
		// Ids start at 1 in every workspace: the key is (workspace_id, id).
		assert.Equal(t, 2.0, value(t, "SELECT count(*) FROM messages WHERE id = 1"))
		assert.Equal(t, 2.0, value(t, "SELECT count(DISTINCT workspace_id) FROM conversations"))
	})

	t.Run("platform mix", func(t *testing.T) {
		rows, err := pool.Query(ctx, "SELECT platform, count(*)::float8 / sum(count(*)) OVER () FROM contacts WHERE workspace_id = 1 GROUP BY 1 ORDER BY 2 DESC")
		require.NoError(t, err)
		type share struct {
			Platform string
			Share    float64
		}
		mix, err := pgx.CollectRows(rows, pgx.RowToStructByPos[share])
		require.NoError(t, err)
		require.Len(t, mix, 8, "whatsapp, webchat, telegram, messenger, instagram, line, viber, sms")
		assert.Equal(t, "whatsapp", mix[0].Platform)
		assert.InDelta(t, 0.55, mix[0].Share, 0.05)
		assert.Equal(t, "webchat", mix[1].Platform)
		assert.InDelta(t, 0.20, mix[1].Share, 0.04)
		assert.Equal(t, 2.0, value(t, "SELECT count(*) FROM inboxes WHERE workspace_id = 1 AND platform = 'whatsapp'"), "two WhatsApp numbers")
	})

	t.Run("weekly and daily cycles", func(t *testing.T) {
		ratio := value(t, `
			WITH days AS (
			  SELECT d::date AS day, extract(isodow FROM d) >= 6 AS weekend
			  FROM generate_series($1::timestamp, $2::timestamp - interval '1 day', interval '1 day') d),
			per_day AS (
			  SELECT days.weekend, count(c.id) AS n FROM days
			  LEFT JOIN conversations c ON c.workspace_id = 1
			    AND (c.started_at AT TIME ZONE 'America/Sao_Paulo')::date = days.day
			    AND NOT EXISTS (SELECT 1 FROM tasks t WHERE t.workspace_id = 1 AND t.id = c.task_id AND t.kind = 'outbound')
			  GROUP BY days.day, days.weekend)
			SELECT avg(n) FILTER (WHERE weekend) / avg(n) FILTER (WHERE NOT weekend) FROM per_day`,
			start, hi)
		assert.Less(t, ratio, 0.8, "weekends are quieter")
		assert.Greater(t, ratio, 0.4)
		night := value(t, `SELECT count(*) FROM messages WHERE workspace_id = 1 AND direction = 'inbound'
			AND extract(hour FROM created_at AT TIME ZONE 'America/Sao_Paulo') BETWEEN 2 AND 4`)
		morning := value(t, `SELECT count(*) FROM messages WHERE workspace_id = 1 AND direction = 'inbound'
			AND extract(hour FROM created_at AT TIME ZONE 'America/Sao_Paulo') BETWEEN 10 AND 12`)
		assert.Greater(t, morning, 8*night, "quiet nights, busy late mornings")
	})

	t.Run("users grow and some existed before the start", func(t *testing.T) {
		before := value(t, `SELECT count(*) FROM (SELECT contact_id FROM messages WHERE workspace_id = 1 AND direction = 'inbound'
			GROUP BY 1 HAVING min(created_at) < $1) x`, start)
		assert.Greater(t, before, 150.0)
		first := value(t, `SELECT count(*) FROM (SELECT contact_id FROM messages WHERE workspace_id = 1 AND direction = 'inbound'
			GROUP BY 1 HAVING min(created_at) >= $1 AND min(created_at) < $1::timestamptz + interval '20 days') x`, start)
		last := value(t, `SELECT count(*) FROM (SELECT contact_id FROM messages WHERE workspace_id = 1 AND direction = 'inbound'
			GROUP BY 1 HAVING min(created_at) >= $1::timestamptz - interval '20 days' AND min(created_at) < $1) x`, hi)
		assert.Greater(t, last, first, "more new users at the end of the period than at its start")
		assert.Positive(t, value(t, "SELECT count(*) FROM contacts c WHERE workspace_id = 1 AND NOT EXISTS (SELECT 1 FROM messages m WHERE m.workspace_id = 1 AND m.contact_id = c.id AND m.direction = 'inbound')"),
			"imported leads who never answered have no inbound message")
	})

	t.Run("intents are Zipf-like", func(t *testing.T) {
		var counts []int64
		require.NoError(t, pool.QueryRow(ctx, `SELECT array_agg(n ORDER BY n DESC) FROM (
			SELECT count(*) AS n FROM messages WHERE workspace_id = 1 AND intent IS NOT NULL GROUP BY intent) x`).Scan(&counts))
		require.GreaterOrEqual(t, len(counts), 20)
		assert.Greater(t, counts[0], 3*counts[9])
		withoutIntent := value(t, "SELECT avg((intent IS NULL)::int) FROM messages WHERE workspace_id = 1 AND direction = 'inbound'")
		assert.InDelta(t, 0.2, withoutIntent, 0.1)
		assert.Zero(t, value(t, "SELECT count(*) FROM messages WHERE direction = 'outbound' AND (intent IS NOT NULL OR language IS NOT NULL)"))
	})

	t.Run("languages", func(t *testing.T) {
		assert.Equal(t, 6.0, value(t, "SELECT count(DISTINCT language) FROM messages WHERE workspace_id = 1"))
		assert.Greater(t, value(t, `SELECT count(*) FROM (SELECT contact_id FROM messages WHERE workspace_id = 1 AND language IS NOT NULL
			GROUP BY 1 HAVING count(DISTINCT language) >= 2) x`), 10.0)
		var top string
		require.NoError(t, pool.QueryRow(ctx, "SELECT language FROM messages WHERE workspace_id = 1 AND language IS NOT NULL GROUP BY 1 ORDER BY count(*) DESC LIMIT 1").Scan(&top))
		assert.Equal(t, "es", top)
	})

	t.Run("hand-offs", func(t *testing.T) {
		share := value(t, "SELECT count(DISTINCT conversation_id)::float8 / (SELECT count(*) FROM conversations WHERE workspace_id = 1) FROM assignments WHERE workspace_id = 1")
		assert.GreaterOrEqual(t, share, 0.15)
		assert.LessOrEqual(t, share, 0.35)
		for _, outcome := range []string{"missed", "transferred", "handled"} {
			assert.Positive(t, value(t, "SELECT count(*) FROM assignments WHERE workspace_id = 1 AND outcome = $1", outcome), outcome)
		}
		assert.Positive(t, value(t, "SELECT count(*) FROM assignments WHERE ended_at IS NULL"), "assignments open at the end")
		assert.Positive(t, value(t, "SELECT count(*) FROM assignments WHERE workspace_id = 1 AND accepted_at IS NOT NULL AND first_reply_at IS NULL"), "no operator response")
		assert.Equal(t, 3.0, value(t, "SELECT count(DISTINCT role) FROM assignments WHERE workspace_id = 1"))
		assert.Equal(t, 3.0, value(t, "SELECT count(DISTINCT team_id) FROM assignments WHERE workspace_id = 1"))
		assert.GreaterOrEqual(t, value(t, "SELECT count(DISTINCT closing_reason) FROM assignments WHERE workspace_id = 1"), 6.0)
		// Agents reply within minutes, not instantly: the wait times have a spread.
		assert.Greater(t, value(t, "SELECT percentile_cont(0.9) WITHIN GROUP (ORDER BY extract(epoch FROM first_reply_at - created_at)) FROM assignments WHERE workspace_id = 1"),
			2*value(t, "SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM first_reply_at - created_at)) FROM assignments WHERE workspace_id = 1"))
	})

	t.Run("live state at the end", func(t *testing.T) {
		assert.Positive(t, value(t, "SELECT count(*) FROM conversations WHERE workspace_id = 1 AND closed_at IS NULL"))
		assert.Positive(t, value(t, "SELECT count(*) FROM conversations WHERE workspace_id = 1 AND closed_at >= $1::timestamptz - interval '24 hours'", hi), "resolved in the last 24 hours")
		assert.Positive(t, value(t, "SELECT count(*) FROM agent_presence WHERE workspace_id = 1 AND ended_at IS NULL"), "an agent still connected")
		assert.Positive(t, value(t, `SELECT count(*) FROM agent_presence WHERE workspace_id = 1 AND
			(started_at AT TIME ZONE 'America/Sao_Paulo')::date <> (ended_at AT TIME ZONE 'America/Sao_Paulo')::date`), "overnight shifts")
	})

	t.Run("campaigns and costs", func(t *testing.T) {
		funnel := value(t, `SELECT count(*) FROM tasks t WHERE workspace_id = 1 AND kind = 'outbound' AND EXISTS (
			SELECT 1 FROM conversations c WHERE c.workspace_id = 1 AND c.task_id = t.id AND c.success_at IS NOT NULL)`)
		assert.Positive(t, funnel, "some campaign has successes")
		replied := value(t, `SELECT avg((EXISTS (SELECT 1 FROM messages m WHERE m.workspace_id = 1 AND m.conversation_id = c.id AND m.direction = 'inbound'))::int)
			FROM conversations c JOIN tasks t ON t.workspace_id = c.workspace_id AND t.id = c.task_id WHERE c.workspace_id = 1 AND t.kind = 'outbound'`)
		assert.InDelta(t, 0.3, replied, 0.1)
		assert.Positive(t, value(t, "SELECT count(*) FROM conversations WHERE workspace_id = 1 AND contact_obtained_at IS NOT NULL AND wh_get_contact IS NOT NULL"))
		assert.Positive(t, value(t, "SELECT count(*) FROM conversations WHERE workspace_id = 1 AND previous_response_id IS NOT NULL AND metadata <> '{}'"))
		assert.Equal(t, 4.0, value(t, "SELECT count(DISTINCT category) FROM template_sends WHERE workspace_id = 1"))
		assert.Positive(t, value(t, "SELECT count(*) FROM template_sends WHERE workspace_id = 1 AND message_id IS NULL"), "login codes sent through the API")
		assert.Positive(t, value(t, "SELECT sum(ai_cost) FROM messages WHERE workspace_id = 1 AND sender = 'bot'"))
		var billed []string
		require.NoError(t, pool.QueryRow(ctx, `SELECT array_agg(DISTINCT c.platform ORDER BY c.platform) FROM messages m
			JOIN contacts c ON c.workspace_id = m.workspace_id AND c.id = m.contact_id WHERE m.workspace_id = 1 AND m.billable`).Scan(&billed))
		assert.Equal(t, []string{"sms", "viber", "whatsapp"}, billed)
		var kinds []string
		require.NoError(t, pool.QueryRow(ctx, "SELECT array_agg(DISTINCT kind ORDER BY kind) FROM credit_ledger WHERE workspace_id = 1").Scan(&kinds))
		assert.Equal(t, []string{"adjustment", "refund", "top_up"}, kinds)
		assert.Greater(t, value(t, "SELECT count(*) FROM credit_ledger WHERE workspace_id = 1 AND kind = 'top_up'"), 1.0, "an initial top-up and later ones")
	})

	t.Run("flows, markers, pages and AI assist", func(t *testing.T) {
		assert.Positive(t, value(t, `SELECT count(*) FROM (SELECT conversation_id FROM flow_triggers WHERE workspace_id = 1 AND conversation_id IS NOT NULL
			GROUP BY 1 HAVING count(*) >= 3) x`), "several triggers in one conversation")
		assert.GreaterOrEqual(t, value(t, "SELECT count(DISTINCT start_flow_id) FROM conversations WHERE workspace_id = 1"), 8.0)
		assert.Positive(t, value(t, "SELECT count(*) FROM conversations WHERE workspace_id = 1 AND start_flow_id IS NULL"))
		assert.GreaterOrEqual(t, value(t, "SELECT count(DISTINCT marker_id) FROM conversation_markers WHERE workspace_id = 1"), 9.0)
		webchat := value(t, `SELECT avg((c.platform = 'webchat')::int) FROM page_visits v
			JOIN contacts c ON c.workspace_id = v.workspace_id AND c.id = v.contact_id WHERE v.workspace_id = 1`)
		assert.Greater(t, webchat, 0.7, "mostly webchat contacts visit pages")
		assert.Equal(t, 2.0, value(t, "SELECT count(DISTINCT tool) FROM ai_assist_uses WHERE workspace_id = 1"))
		assert.Positive(t, value(t, "SELECT count(*) FROM ai_assist_uses WHERE workspace_id = 1 AND sent_text IS NULL"))
		assert.Positive(t, value(t, "SELECT count(*) FROM ai_assist_uses WHERE workspace_id = 1 AND translation_applied"))
		edited := value(t, "SELECT avg((sent_text <> suggested_text)::int) FROM ai_assist_uses WHERE workspace_id = 1 AND sent_text IS NOT NULL AND NOT translation_applied")
		assert.InDelta(t, 0.7, edited, 0.15, "most suggestions are edited a little")
		// The store computes the accuracy of each use as it is loaded: exactly the
		// sent, untranslated ones have one.
		assert.Equal(t, value(t, "SELECT count(*) FROM ai_assist_uses WHERE workspace_id = 1 AND sent_text IS NOT NULL AND NOT translation_applied"),
			value(t, "SELECT count(accuracy) FROM ai_assist_uses WHERE workspace_id = 1"))
		accuracy := value(t, "SELECT avg(accuracy) FROM ai_assist_uses WHERE workspace_id = 1")
		assert.InDelta(t, 0.9, accuracy, 0.05, "a few typos in sentences of some 35 characters")
		// The sent text is what the agent's message says.
		assert.Zero(t, value(t, `SELECT count(*) FROM ai_assist_uses u WHERE u.workspace_id = 1 AND u.sent_text IS NOT NULL AND u.conversation_id IS NOT NULL
			AND NOT EXISTS (SELECT 1 FROM messages m WHERE m.workspace_id = 1 AND m.conversation_id = u.conversation_id AND m.agent_id = u.agent_id AND m.body = u.sent_text)`))
	})

	t.Run("popular phrases repeat with typing variants", func(t *testing.T) {
		top := value(t, `SELECT max(n) FROM (SELECT count(*) AS n FROM messages WHERE workspace_id = 1 AND direction = 'inbound'
			GROUP BY lower(regexp_replace(trim(body), '[[:space:][:punct:]]+$', ''))) x`)
		raw := value(t, `SELECT max(n) FROM (SELECT count(*) AS n FROM messages WHERE workspace_id = 1 AND direction = 'inbound' GROUP BY body) x`)
		assert.Greater(t, top, 100.0)
		assert.Greater(t, top, 1.5*raw, "normalising case and punctuation merges variants")
	})
}

// consistencyChecks count violations; every one must be 0. $1 and $2 are the
// bounds every time must fall in: [Start - 60 days, Start + Days).
var consistencyChecks = []struct{ name, sql string }{
	{"messages outside their conversation", `SELECT count(*) FROM messages m JOIN conversations c ON c.workspace_id = m.workspace_id AND c.id = m.conversation_id
		WHERE m.created_at < c.started_at OR m.created_at > coalesce(c.closed_at, 'infinity') OR m.contact_id <> c.contact_id OR $1::timestamptz > $2`},
	{"conversation started_at is not its first message", `SELECT count(*) FROM conversations c WHERE $1::timestamptz < $2 AND started_at IS DISTINCT FROM
		(SELECT min(created_at) FROM messages m WHERE m.workspace_id = c.workspace_id AND m.conversation_id = c.id)`},
	{"last_message_at is not the last message", `SELECT count(*) FROM conversations c WHERE $1::timestamptz < $2 AND last_message_at IS DISTINCT FROM
		(SELECT max(created_at) FROM messages m WHERE m.workspace_id = c.workspace_id AND m.conversation_id = c.id)`},
	{"closed before last message or modified before it", `SELECT count(*) FROM conversations WHERE $1::timestamptz < $2 AND
		(closed_at < last_message_at OR modified_at < coalesce(closed_at, last_message_at) OR created_at <> started_at)`},
	{"agent messages outside an open assignment of that agent", `SELECT count(*) FROM messages m WHERE $1::timestamptz < $2 AND sender = 'agent' AND NOT EXISTS (
		SELECT 1 FROM assignments a WHERE a.workspace_id = m.workspace_id AND a.conversation_id = m.conversation_id AND a.agent_id = m.agent_id
		AND a.accepted_at <= m.created_at AND m.created_at <= coalesce(a.ended_at, 'infinity'))`},
	{"first_reply_at is not the first agent message after acceptance", `SELECT count(*) FROM assignments a WHERE $1::timestamptz < $2 AND accepted_at IS NOT NULL
		AND first_reply_at IS DISTINCT FROM (SELECT min(created_at) FROM messages m WHERE m.workspace_id = a.workspace_id AND m.conversation_id = a.conversation_id
		AND m.sender = 'agent' AND m.agent_id = a.agent_id AND m.created_at >= a.accepted_at AND m.created_at <= coalesce(a.ended_at, 'infinity'))`},
	{"first_reply_at without acceptance", `SELECT count(*) FROM assignments WHERE $1::timestamptz < $2 AND accepted_at IS NULL AND first_reply_at IS NOT NULL`},
	{"accepted by an agent who was not connected", `SELECT count(*) FROM assignments a WHERE $1::timestamptz < $2 AND accepted_at IS NOT NULL AND NOT EXISTS (
		SELECT 1 FROM agent_presence p WHERE p.workspace_id = a.workspace_id AND p.agent_id = a.agent_id
		AND p.started_at <= a.accepted_at AND a.accepted_at <= coalesce(p.ended_at, 'infinity'))`},
	{"outcome does not match acceptance", `SELECT count(*) FROM assignments WHERE $1::timestamptz < $2 AND
		((outcome = 'missed') <> (accepted_at IS NULL AND ended_at IS NOT NULL) OR (accepted_at IS NOT NULL AND agent_id IS NULL) OR role IS NULL OR team_id IS NULL)`},
	{"assignment outside its conversation", `SELECT count(*) FROM assignments a JOIN conversations c ON c.workspace_id = a.workspace_id AND c.id = a.conversation_id
		WHERE $1::timestamptz < $2 AND (a.created_at < c.started_at OR a.contact_id <> c.contact_id
		OR (c.closed_at IS NOT NULL AND (a.ended_at IS NULL OR a.ended_at > c.closed_at)))`},
	{"broken transfer chains", `SELECT count(*) FROM assignments p WHERE $1::timestamptz < $2 AND (
		(outcome = 'transferred') <> EXISTS (SELECT 1 FROM assignments a WHERE a.workspace_id = p.workspace_id AND a.transferred_from = p.id
		  AND a.conversation_id = p.conversation_id AND a.created_at >= p.ended_at AND a.team_id <> p.team_id))`},
	{"overlapping conversations of one contact", `SELECT count(*) FROM conversations a JOIN conversations b ON a.workspace_id = b.workspace_id
		AND a.contact_id = b.contact_id AND a.id <> b.id AND b.started_at >= a.started_at AND b.started_at < coalesce(a.closed_at, 'infinity')
		WHERE $1::timestamptz < $2`},
	{"overlapping presence of one agent", `SELECT count(*) FROM agent_presence a JOIN agent_presence b ON a.workspace_id = b.workspace_id
		AND a.agent_id = b.agent_id AND a.id < b.id AND b.started_at < coalesce(a.ended_at, 'infinity') AND a.started_at < coalesce(b.ended_at, 'infinity')
		WHERE $1::timestamptz < $2`},
	{"contact created after its first inbound message", `SELECT count(*) FROM contacts c WHERE $1::timestamptz < $2 AND created_at > (
		SELECT min(created_at) FROM messages m WHERE m.workspace_id = c.workspace_id AND m.contact_id = c.id AND m.direction = 'inbound')`},
	{"times outside [Start - 60 days, Start + Days)", `SELECT
		  (SELECT count(*) FROM messages WHERE created_at < $1 OR created_at >= $2)
		+ (SELECT count(*) FROM contacts WHERE created_at < $1 OR created_at >= $2)
		+ (SELECT count(*) FROM conversations WHERE started_at < $1 OR closed_at >= $2 OR modified_at >= $2
		     OR interest_at >= $2 OR contact_obtained_at >= $2 OR success_at >= $2)
		+ (SELECT count(*) FROM assignments WHERE created_at < $1 OR created_at >= $2 OR accepted_at >= $2 OR first_reply_at >= $2 OR ended_at >= $2)
		+ (SELECT count(*) FROM agent_presence WHERE started_at < $1 OR ended_at >= $2)
		+ (SELECT count(*) FROM flow_triggers WHERE triggered_at < $1 OR triggered_at >= $2)
		+ (SELECT count(*) FROM conversation_markers WHERE marked_at < $1 OR marked_at >= $2)
		+ (SELECT count(*) FROM page_visits WHERE visited_at < $1 OR visited_at >= $2)
		+ (SELECT count(*) FROM template_sends WHERE sent_at < $1 OR sent_at >= $2)
		+ (SELECT count(*) FROM credit_ledger WHERE occurred_at < $1 OR occurred_at >= $2)
		+ (SELECT count(*) FROM ai_assist_uses WHERE used_at < $1 OR used_at >= $2)
		+ (SELECT count(*) FROM tasks WHERE created_at < $1 OR created_at >= $2)
		+ (SELECT count(*) FROM inboxes WHERE created_at < $1 OR created_at >= $2)
		+ (SELECT count(*) FROM workspaces WHERE created_at < $1 OR created_at >= $2)`},
	{"markers, triggers and visits outside their conversation", `SELECT
		  (SELECT count(*) FROM conversation_markers k JOIN conversations c ON c.workspace_id = k.workspace_id AND c.id = k.conversation_id
		     WHERE k.marked_at < c.started_at OR k.marked_at > coalesce(c.closed_at, $2))
		+ (SELECT count(*) FROM flow_triggers f JOIN conversations c ON c.workspace_id = f.workspace_id AND c.id = f.conversation_id
		     WHERE f.triggered_at < c.started_at OR f.triggered_at > coalesce(c.closed_at, $2))
		+ (SELECT count(*) FROM page_visits v JOIN conversations c ON c.workspace_id = v.workspace_id AND c.id = v.conversation_id
		     WHERE v.visited_at < c.started_at OR v.visited_at > c.last_message_at OR v.contact_id <> c.contact_id)
		+ (SELECT count(*) FROM conversations WHERE interest_at < started_at OR contact_obtained_at < started_at OR success_at < started_at
		     OR greatest(interest_at, contact_obtained_at, success_at) > coalesce(closed_at, $2)
		     OR (contact_obtained_at IS NULL) <> (contact_details IS NULL) OR $1 > $2)`},
	{"AI assist uses outside the agent's assignment", `SELECT count(*) FROM ai_assist_uses u WHERE $1::timestamptz < $2 AND conversation_id IS NOT NULL AND NOT EXISTS (
		SELECT 1 FROM assignments a WHERE a.workspace_id = u.workspace_id AND a.conversation_id = u.conversation_id AND a.agent_id = u.agent_id
		AND a.accepted_at <= u.used_at AND u.used_at <= coalesce(a.ended_at, 'infinity'))`},
	{"template sends that do not match their broadcast", `SELECT count(*) FROM template_sends s JOIN messages m ON m.workspace_id = s.workspace_id AND m.id = s.message_id
		WHERE $1::timestamptz < $2 AND (m.sender <> 'broadcast' OR m.created_at <> s.sent_at OR m.contact_id <> s.contact_id OR m.billing_cost <> s.cost)`},
	{"billing flags and costs", `SELECT count(*) FROM messages WHERE $1::timestamptz < $2 AND
		(billable <> (billing_cost > 0) OR (direction = 'inbound' AND (billable OR ai_cost > 0)) OR (sender = 'agent') <> (agent_id IS NOT NULL))`},
	{"conversation cost is not its messages' cost", `SELECT count(*) FROM conversations c WHERE $1::timestamptz < $2 AND cost <>
		(SELECT sum(ai_cost + billing_cost) FROM messages m WHERE m.workspace_id = c.workspace_id AND m.conversation_id = c.id)`},
	{"negative credit balance", `SELECT count(*) FROM (
		SELECT sum(delta) OVER (PARTITION BY workspace_id ORDER BY at RANGE UNBOUNDED PRECEDING) AS balance FROM (
		  SELECT workspace_id, occurred_at AS at, amount AS delta FROM credit_ledger
		  UNION ALL SELECT workspace_id, sent_at, -cost FROM template_sends) e) b
		WHERE balance < 0 AND $1::timestamptz < $2`},
	{"more than one open presence per agent", `SELECT count(*) FROM (SELECT 1 FROM agent_presence WHERE ended_at IS NULL AND $1::timestamptz < $2
		GROUP BY workspace_id, agent_id HAVING count(*) > 1) x`},
	{"identity sequences behind the ids", `SELECT count(*) FROM (VALUES
		  (pg_sequence_last_value(pg_get_serial_sequence('messages', 'id')::regclass), (SELECT max(id) FROM messages)),
		  (pg_sequence_last_value(pg_get_serial_sequence('conversations', 'id')::regclass), (SELECT max(id) FROM conversations)),
		  (pg_sequence_last_value(pg_get_serial_sequence('assignments', 'id')::regclass), (SELECT max(id) FROM assignments)),
		  (pg_sequence_last_value(pg_get_serial_sequence('contacts', 'id')::regclass), (SELECT max(id) FROM contacts)),
		  (pg_sequence_last_value(pg_get_serial_sequence('workspaces', 'id')::regclass), (SELECT max(id) FROM workspaces))) s(last, max_id)
		WHERE last < max_id AND $1::timestamptz < $2`},
}
