package plugin

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
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

// sessionsAtDefinition is every active session at $1 with all its groups,
// as the statement of the sessions at an instant read them before its state,
// agent and team became joins: the definition the statements are held to.
const sessionsAtDefinition = `
	SELECT v.contact_id, c.platform, ib.name, ib.id, ag.name, ag.id, tm.name, tm.id,
		CASE WHEN v.closed_at < $1 THEN 'resolved' WHEN oa.id IS NOT NULL THEN 'assigned' ELSE 'unassigned' END
	FROM conversations v
	JOIN contacts c ON c.workspace_id = v.workspace_id AND c.id = v.contact_id
	JOIN inboxes ib ON ib.workspace_id = v.workspace_id AND ib.id = v.inbox_id
	LEFT JOIN LATERAL (SELECT a.id, a.agent_id, a.team_id FROM assignments a
		WHERE a.workspace_id = v.workspace_id AND a.conversation_id = v.id
			AND a.created_at < $1 AND (a.ended_at IS NULL OR a.ended_at >= $1)
		ORDER BY a.created_at DESC, a.id DESC LIMIT 1) oa ON true
	LEFT JOIN agents ag ON ag.workspace_id = v.workspace_id AND ag.id = oa.agent_id
	LEFT JOIN teams tm ON tm.workspace_id = v.workspace_id AND tm.id = oa.team_id
	WHERE v.workspace_id = (SELECT id FROM workspaces WHERE slug = 'demo')
		AND v.started_at < $1 AND (v.closed_at IS NULL OR v.closed_at >= $1 - interval '24 hours')`

// Active sessions and customers at random instants (half of them the
// very instant a conversation starts or closes or an assignment is created
// or ends), grouped and filtered (keeping and excluding) at random, equal
// what their definition counts on generated data.
func TestSessionsAtEqualTheirDefinition(t *testing.T) {
	ctx := context.Background()
	pool := generatedPool(t, 5, 300)
	instants := eventInstants(t, pool)
	rng := rand.New(rand.NewPCG(5, 9))
	dataStart := time.Date(2021, 12, 20, 0, 0, 0, 0, time.UTC)
	values := map[string][]string{"state": catalog.FixedValues["state"]}
	for dim, q := range map[string]string{
		"platform": "SELECT DISTINCT platform FROM contacts", "inbox": "SELECT name FROM inboxes",
		"agent": "SELECT name FROM agents", "team": "SELECT name FROM teams",
	} {
		values[dim] = columnOf[string](t, pool, q)
	}
	grouped := map[string]int{}
	for i := 0; i < 300; i++ {
		at := dataStart.Add(time.Duration(rng.Int64N(int64(110 * 24 * time.Hour)))).Truncate(time.Millisecond)
		if rng.IntN(2) == 0 {
			of := instants[rng.IntN(len(instants))]
			at = of[rng.IntN(len(of))]
		}
		metric, _ := catalog.Lookup([]string{"active_sessions", "active_customers"}[rng.IntN(2)])
		q := models.Query{QueryType: models.KindSnapshot, Metric: metric.ID, TimeRange: backend.TimeRange{From: at.Add(-time.Hour), To: at}}
		if rng.IntN(3) > 0 {
			q.GroupBy = metric.Dimensions[rng.IntN(len(metric.Dimensions))]
		}
		if rng.IntN(2) == 0 {
			dim := metric.Dimensions[rng.IntN(len(metric.Dimensions))]
			vs := values[dim]
			q.Filters = []models.Filter{{Dimension: dim, Values: []string{vs[rng.IntN(len(vs))], vs[rng.IntN(len(vs))]}, Exclude: rng.IntN(2) == 0}}
		}
		plan, err := catalog.Resolve(q)
		require.NoError(t, err)
		st, err := sqlbuild.Snapshot(plan, sqlbuild.WorkspaceSlug("demo"))
		require.NoError(t, err)
		got, err := collect[store.Totaled](ctx, pool, st)
		require.NoError(t, err, st.SQL)
		name := fmt.Sprintf("%s by %q %v at %s", metric.ID, q.GroupBy, q.Filters, at.Format(time.RFC3339Nano))
		require.Equal(t, countSessions(t, pool, at, plan), totaledText(got), name+"\n"+st.SQL)
		grouped[q.GroupBy]++
	}
	for _, dim := range []string{"", "state", "platform", "inbox", "agent", "team"} {
		require.Greater(t, grouped[dim], 5, "queries by %q", dim)
	}
}

// countSessions counts the sessions of sessionsAtDefinition at at for plan
// as totaledText prints them: all of them for active_sessions, the distinct
// contacts of the unresolved ones for active_customers, by group name and id
// ("" and no id for a session without one). A filter keeps the sessions
// whose name is among its values; excluding, the others (those without a
// name among them).
func countSessions(t *testing.T, pool *pgxpool.Pool, at time.Time, plan catalog.Plan) []string {
	t.Helper()
	rows, err := pool.Query(context.Background(), sessionsAtDefinition, at)
	require.NoError(t, err)
	defer rows.Close()
	// A group is its name and id ("" and -1 without one).
	type group struct {
		name string
		id   int64
	}
	contacts := map[group]map[int64]bool{}
	sessions := map[group]int{}
	for rows.Next() {
		var contact int64
		var platform, state string
		var inbox, agent, team *string
		var inboxID, agentID, teamID *int64
		require.NoError(t, rows.Scan(&contact, &platform, &inbox, &inboxID, &agent, &agentID, &team, &teamID, &state))
		names := map[string]*string{"platform": &platform, "state": &state, "inbox": inbox, "agent": agent, "team": team}
		ids := map[string]*int64{"inbox": inboxID, "agent": agentID, "team": teamID}
		if plan.Metric.ID == "active_customers" && state == "resolved" {
			continue
		}
		kept := true
		for _, f := range plan.Filters {
			in := names[f.Dimension] != nil && slices.Contains(f.Values, *names[f.Dimension])
			kept = kept && in != f.Exclude
		}
		if !kept {
			continue
		}
		g := group{id: -1}
		if plan.GroupBy != "" {
			if n := names[plan.GroupBy]; n != nil {
				g.name = *n
			}
			if id := ids[plan.GroupBy]; id != nil {
				g.id = *id
			}
		}
		if contacts[g] == nil {
			contacts[g] = map[int64]bool{}
		}
		sessions[g]++
		contacts[g][contact] = true
	}
	require.NoError(t, rows.Err())
	out := []string{}
	for g, n := range sessions {
		if plan.Metric.ID == "active_customers" {
			n = len(contacts[g])
		}
		id := "null"
		if g.id >= 0 {
			id = fmt.Sprint(g.id)
		}
		out = append(out, fmt.Sprintf("%q %s %s", g.name, id, fmt.Sprint(float64(n))))
	}
	slices.Sort(out)
	return out
}

// eventInstants are the instants conversations start and close (and 24
// hours after), and assignments are created and end: where a state changes.
func eventInstants(t *testing.T, pool *pgxpool.Pool) [][]time.Time {
	t.Helper()
	var out [][]time.Time
	for _, q := range []string{
		"SELECT started_at FROM conversations",
		"SELECT closed_at FROM conversations WHERE closed_at IS NOT NULL",
		"SELECT closed_at + interval '24 hours' FROM conversations WHERE closed_at IS NOT NULL",
		"SELECT created_at FROM assignments",
		"SELECT ended_at FROM assignments WHERE ended_at IS NOT NULL",
	} {
		out = append(out, columnOf[time.Time](t, pool, q))
	}
	return out
}

// columnOf reads the one column of a statement's rows.
func columnOf[T any](t *testing.T, pool *pgxpool.Pool, query string) []T {
	t.Helper()
	rows, err := pool.Query(context.Background(), query)
	require.NoError(t, err)
	defer rows.Close()
	var out []T
	for rows.Next() {
		var v T
		require.NoError(t, rows.Scan(&v))
		out = append(out, v)
	}
	require.NoError(t, rows.Err())
	require.NotEmpty(t, out, query)
	return out
}

// generatedPool is a store loaded with the generator's data.
func generatedPool(t *testing.T, seed uint64, contacts int) *pgxpool.Pool {
	t.Helper()
	pool, err := pgxpool.New(context.Background(), storetest.URL(t))
	require.NoError(t, err)
	t.Cleanup(pool.Close)
	_, err = generator.Load(context.Background(), pool, generator.Config{Seed: seed, Days: 90, Contacts: contacts})
	require.NoError(t, err)
	return pool
}

// The contacts at the edges of an instant, from the summaries (see
// chatbot_fixture.sql): contacts 1, 2, 3 (WhatsApp) and 7 (web chat) first
// wrote by 2022-01-06 10:00, contact 8 (web chat) at 2022-01-07 10:00, in
// conversation 15 that starts then. Conversation 12 (contact 2) closes at
// 2022-01-07 09:00, 14 (contact 7) stays open. Contact 9 (web chat), added
// here, has a conversation open from 2022-01-06 11:00 in which only the bot
// writes until contact 9 does on 2022-01-08: not a contact before then, so
// not one the idle customers leave out.
func TestContactsAtTheEdgesOfAnInstant(t *testing.T) {
	url := fixtureURL(t, "chatbot_fixture")
	exec(t, url, `
		INSERT INTO contacts (workspace_id, id, platform, chat_id) VALUES (1, 9, 'webchat', 'w9');
		INSERT INTO conversations (workspace_id, id, contact_id, inbox_id, started_at) VALUES (1, 30, 9, 2, '2022-01-06 11:00Z');
		INSERT INTO messages (workspace_id, conversation_id, contact_id, direction, sender, created_at)
		VALUES (1, 30, 9, 'outbound', 'bot', '2022-01-06 11:00Z'), (1, 30, 9, 'inbound', 'contact', '2022-01-08 10:00Z');`)
	ds := newDatasourceAt(t, url, "acme")
	at := func(query, end string) [][2]any { return rows(t, ask(t, ds, query, "2022-01-01T00:00:00Z", end)) }
	const (
		contacts = `{"queryType":"snapshot","metric":"number_of_contacts"}`
		idle     = `{"queryType":"snapshot","metric":"idle_customers"}`
		byPlat   = `,"groupBy":"platform"}`
	)
	perPlatform := func(q string) string { return q[:len(q)-1] + byPlat }

	// 09:00, as 12 closes: it is still open then (closed at the instant itself).
	const nine = "2022-01-07T09:00:00Z"
	require.Equal(t, [][2]any{{"", 4.0}}, at(contacts, nine), "1, 2, 3 and 7")
	require.Equal(t, [][2]any{{"webchat", 1.0}, {"whatsapp", 3.0}}, at(perPlatform(contacts), nine))
	require.Equal(t, [][2]any{{"", 2.0}}, at(idle, nine), "1 and 3: 2 and 7 are open, 9 has not written yet")
	require.Equal(t, [][2]any{{"whatsapp", 2.0}}, at(perPlatform(idle), nine), "no web chat group: 7 is open")
	require.Equal(t, [][2]any{{"", 0.0}},
		at(`{"queryType":"snapshot","metric":"idle_customers","filters":[{"dimension":"platform","values":["webchat"]}]}`, nine))
	// A millisecond later 12 is closed: 2 is idle too.
	require.Equal(t, [][2]any{{"", 3.0}}, at(idle, "2022-01-07T09:00:00.001Z"))

	// 10:00, as 8 first writes: not yet a contact; a millisecond later one,
	// with 15 open.
	require.Equal(t, [][2]any{{"", 4.0}}, at(contacts, "2022-01-07T10:00:00Z"))
	const later = "2022-01-07T10:00:00.001Z"
	require.Equal(t, [][2]any{{"webchat", 2.0}, {"whatsapp", 3.0}}, at(perPlatform(contacts), later))
	require.Equal(t, [][2]any{{"", 3.0}}, at(idle, later), "1, 2 and 3")
	// Excluding WhatsApp (an ad hoc filter's !=): 7 and 8, both open.
	exclude := func(metric string) [][2]any {
		return at(`{"queryType":"snapshot","metric":"`+metric+`","adhocFilters":[{"key":"platform","operator":"!=","value":"whatsapp"}]}`, later)
	}
	require.Equal(t, [][2]any{{"", 2.0}}, exclude("number_of_contacts"))
	require.Equal(t, [][2]any{{"", 0.0}}, exclude("idle_customers"))
}
