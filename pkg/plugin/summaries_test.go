package plugin

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/grafana/grafana-plugin-sdk-go/backend"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/stretchr/testify/require"

	"github.com/chatbot-metrics/chatbot-metrics/pkg/catalog"
	"github.com/chatbot-metrics/chatbot-metrics/pkg/generator"
	"github.com/chatbot-metrics/chatbot-metrics/pkg/models"
	"github.com/chatbot-metrics/chatbot-metrics/pkg/sqlbuild"
	"github.com/chatbot-metrics/chatbot-metrics/pkg/store"
	"github.com/chatbot-metrics/chatbot-metrics/pkg/store/storetest"
)

// distinctContactMetrics are the metrics that count distinct contacts.
var distinctContactMetrics = []string{"active_users", "returning_users", "languages"}

// summaryMetrics are the metrics a summary can answer, and some that fall
// back (a ratio of a summary and a raw metric, a filter on a kept column).
var summaryMetrics = []string{
	"messages_received", "messages_sent", "total_messages", "ai_expense", "paid_messages", "billing_cost", "agent_messages",
	"active_users", "returning_users", "new_users", "total_users", "peak_messages_per_minute", "peak_minute", "expense_per_dialogue",
	"top_intents", "languages", "flow_triggers",
	"number_of_contacts", "idle_customers",
	"conversations", "start_flows", "messages_per_conversation", "transferred_conversations",
	"replies", "reply_share", "contacts_obtained", "contacts_obtained_share", "successes", "success_share",
	"expense_per_contact", "expense_per_success",
	"popular_phrases", "client_phrases",
	"credit_usage", "balance", "web_pages", "cc_messages", "cc_conversations", "handled_conversations", "closing_reasons", "missed_conversations", "service_level", "conversation_minutes",
	"wait_time_avg", "wait_time_median", "wait_time_p90", "wait_time_max",
	"conversation_time_avg", "conversation_time_median", "conversation_time_p90", "conversation_time_max",
	"operator_response_time_avg", "operator_response_time_median", "operator_response_time_p90", "operator_response_time_max",
}

// summaryZones cover every kind of offset: whole hours, half and quarter
// hours, negative half hours, and daylight saving time.
var summaryZones = []string{"UTC", "America/Sao_Paulo", "Asia/Kolkata", "Asia/Kathmandu", "Australia/Eucla", "America/St_Johns", "Europe/Berlin"}

// The summaries answer exactly what the raw rows answer: for random metrics,
// kinds, ranges (on slot edges and not), intervals, zones, groups and
// filters (keeping or excluding values), over generated data, and again after rows arrive late into old
// slots, are changed and are deleted.
func TestSummariesEqualTheRawRows(t *testing.T) {
	ctx := context.Background()
	pool, err := pgxpool.New(ctx, storetest.URL(t))
	require.NoError(t, err)
	t.Cleanup(pool.Close)
	_, err = generator.Load(ctx, pool, generator.Config{Seed: 3, Days: 90, Contacts: 400})
	require.NoError(t, err)
	// Two inboxes, flows, tasks, agents and teams each share a name: a time
	// series groups by name, so a summary's groups by id must merge as the
	// raw rows' do, and totals keep the two apart by id.
	for _, table := range []string{"inboxes", "flows", "tasks", "agents", "teams"} {
		tag, err := pool.Exec(ctx, `UPDATE `+table+` t SET name = (SELECT f.name FROM `+table+` f WHERE f.workspace_id = t.workspace_id ORDER BY f.id LIMIT 1)
			WHERE t.id = (SELECT max(l.id) FROM `+table+` l WHERE l.workspace_id = t.workspace_id)
				AND t.id > (SELECT min(l.id) FROM `+table+` l WHERE l.workspace_id = t.workspace_id)`)
		require.NoError(t, err)
		require.Positive(t, tag.RowsAffected(), table)
	}
	values := summaryFilterValues(t, pool)
	rng := rand.New(rand.NewPCG(7, 11))

	used := map[string]int{}
	compareRandomQueries(t, pool, rng, values, summaryMetrics, 2400, used)
	// And more of the distinct contacts, whose summaries answer some
	// groupings and filters only.
	compareRandomQueries(t, pool, rng, values, distinctContactMetrics, 150, used)
	// And of the closing reasons, whose own summary answers them grouped or
	// filtered by closing reason (the assignment summaries the others).
	compareRandomQueries(t, pool, rng, values, []string{"closing_reasons"}, 300, used)
	// And of the returning users, whose buckets of a minute read the raw
	// active contacts with contact_first_inbound.
	compareRandomQueries(t, pool, rng, values, []string{"returning_users"}, 120, used)
	// And of the intents, whose levels per intent only answer the rankings
	// that keep no platform or language, the finer levels the others.
	compareRandomQueries(t, pool, rng, values, []string{"top_intents"}, 150, used)
	compareMissedBursts(t, pool, rng, values, 120, used)
	// And of the metrics the summaries per platform and inbox answer, whose
	// hours shifted 15, 30 or 45 minutes past the UTC hour answer buckets
	// of the zones off the whole hour.
	compareRandomQueries(t, pool, rng, values, []string{"ai_expense", "expense_per_dialogue", "conversations", "success_share"}, 300, used)
	// And of the message and conversation metrics by task alone or for
	// some tasks alone, which the sums per task answer (a campaign's panels).
	compareShapedRandomQueries(t, pool, rng, values, []string{"conversations", "replies", "success_share", "transferred_conversations",
		"messages_per_conversation", "ai_expense", "billing_cost", "total_messages", "expense_per_dialogue", "expense_per_success"}, 250, used, func(q *models.Query) {
		q.GroupBy, q.Filters = "", nil
		if rng.IntN(2) == 0 || q.QueryType == models.KindRanking {
			q.GroupBy = catalog.DimTask.ID
		}
		if rng.IntN(2) == 0 {
			tasks := values[catalog.DimTask.ID]
			q.Filters = []models.Filter{{Dimension: catalog.DimTask.ID, Values: []string{tasks[rng.IntN(len(tasks))]}, Exclude: rng.IntN(3) == 0}}
		}
	})
	t.Logf("random queries by what answered them: %v", used)
	// The bursts, counted per team and slot, from the per-team slots, and
	// from the finer slots where a filter asks for another dimension.
	require.Greater(t, used["bursts: assignment_team_slots"], 20, "%v", used)
	require.Greater(t, used["bursts: assignment_slots"], 5, "%v", used)
	require.Greater(t, used["bursts found"], 30, "a quarter of the ranges hold bursts to compare: %v", used)
	require.Greater(t, used["summary"], 200, "most random queries are answered from a summary")
	require.Greater(t, used["excluding"], 10, "some of them exclude values")
	require.Greater(t, used["snapshot"], 20, "the contacts at an instant are answered from a summary")
	// Every level of the summaries answered some of them.
	for _, table := range []string{"message_days", "message_hours", "message_slots", "contact_days", "contact_hours", "contact_slots",
		"message_minutes", "message_minute_peaks", "first_inbound_days", "first_inbound_hours", "first_inbound_slots", "contact_first_inbound",
		"intent_days", "intent_hours", "intent_slots", "intent_total_days", "intent_total_hours", "intent_total_slots", "flow_trigger_days", "flow_trigger_hours", "flow_trigger_slots",
		"conversation_days", "conversation_hours", "conversation_slots",
		"message_inbox_days", "message_inbox_hours", "message_inbox_slots", "message_inbox_shifted_hours",
		"conversation_inbox_days", "conversation_inbox_hours", "conversation_inbox_slots", "conversation_inbox_shifted_hours",
		"conversation_task_days", "conversation_task_hours", "conversation_task_slots",
		"message_task_days", "message_task_hours", "message_task_slots",
		"message_sender_days", "message_sender_hours", "message_sender_slots",
		"phrase_days", "phrase_hours", "phrase_totals", "phrase_direction_days", "phrase_direction_hours",
		"assignment_days", "assignment_hours", "assignment_slots",
		"assignment_team_days", "assignment_team_hours", "assignment_team_slots", "assignment_team_shifted_hours",
		"assignment_agent_days", "assignment_agent_hours", "assignment_agent_slots",
		"response_run_days", "response_run_hours", "response_run_slots",
		"agent_message_days", "agent_message_hours", "agent_message_slots",
		"active_contact_days", "active_contact_hours", "active_contact_slots",
		"language_contact_days", "language_contact_hours", "language_contact_slots",
		"cc_message_days", "cc_message_hours", "cc_message_slots",
		"closing_reason_days", "closing_reason_hours", "closing_reason_slots",
		"template_send_days", "template_send_hours", "template_send_slots", "credit_movement_days", "credit_movement_hours", "credit_movement_slots",
		"page_visit_days", "page_visit_hours", "page_visit_slots"} {
		require.Greater(t, used[table], 10, "%s (tables used: %v)", table, used)
	}
	// The runs one by one answer what the run slots cannot: buckets that
	// end inside a slot (of a minute, say).
	require.Positive(t, used["response_runs"], "response_runs (tables used: %v)", used)
	// And the raw active contacts with their first inbound message by its
	// key answer the returning users whose buckets end inside a slot.
	require.Greater(t, used["active_contacts: contact_first_inbound"], 5, "returning users (tables used: %v)", used)
	// Percentiles over more values than a group sorts whole find their
	// two middle values by binary search in the sorted arrays.
	compareLargePercentiles(t, pool)

	// Late rows into old slots (a new contact among them, whose first
	// message is old), a message moved in time and one turned billable,
	// and deleted messages.
	_, err = pool.Exec(ctx, `
		INSERT INTO contacts (workspace_id, platform, chat_id) SELECT w.id, 'telegram', 'late-arrival' FROM workspaces w WHERE w.slug = 'demo';
		INSERT INTO conversations (workspace_id, contact_id, inbox_id, started_at)
		SELECT c.workspace_id, c.id, (SELECT min(id) FROM inboxes i WHERE i.workspace_id = c.workspace_id), '2022-01-10 09:00Z'
		FROM contacts c WHERE c.chat_id = 'late-arrival';
		INSERT INTO messages (workspace_id, conversation_id, contact_id, direction, sender, created_at, ai_cost, billable, billing_cost)
		SELECT v.workspace_id, v.id, v.contact_id, 'inbound', 'contact', '2022-01-10 09:07:13.5Z'::timestamptz + g * interval '11 minutes', 0.0125, g % 2 = 0, 0.05
		FROM conversations v JOIN contacts c ON c.workspace_id = v.workspace_id AND c.id = v.contact_id, generate_series(0, 30) g
		WHERE c.chat_id = 'late-arrival';
		INSERT INTO messages (workspace_id, conversation_id, contact_id, direction, sender, created_at, ai_cost)
		SELECT m.workspace_id, m.conversation_id, m.contact_id, m.direction, m.sender, m.created_at - interval '3 days 7 minutes', 0.5
		FROM messages m WHERE m.agent_id IS NULL AND m.id % 97 = 0;
		UPDATE messages SET created_at = created_at - interval '2 days 1 hour 3 minutes' WHERE id % 89 = 0;
		UPDATE messages SET billable = true, billing_cost = 0.07 WHERE id % 83 = 0;
		UPDATE messages SET language = CASE WHEN id % 2 = 0 THEN 'xx' END WHERE direction = 'inbound' AND id % 43 = 0;
		DELETE FROM messages m WHERE m.id % 79 = 0 AND NOT EXISTS (SELECT 1 FROM template_sends ts WHERE ts.workspace_id = m.workspace_id AND ts.message_id = m.id);
		UPDATE messages SET body = body || ' (edited)' WHERE id % 61 = 0;
		UPDATE messages SET body = E' ?!\t' WHERE id % 59 = 0;
		UPDATE messages SET body = upper(body) || '!!' WHERE id % 53 = 0;
		INSERT INTO messages (workspace_id, conversation_id, contact_id, direction, sender, created_at, body)
		SELECT m.workspace_id, m.conversation_id, m.contact_id, m.direction, m.sender, m.created_at + interval '1 second',
			(SELECT string_agg(md5(m.id::text || g), ' ') FROM generate_series(1, 200) g)
		FROM messages m WHERE m.id % 101 = 0 AND m.agent_id IS NULL;`)
	require.NoError(t, err)
	// A whole UTC day and a whole UTC hour emptied (their day and hour rows
	// must go), messages moved by whole days and hours into other day and
	// hour rows, and moved to another conversation of their contact (whose
	// inbox may differ: the first inbound message's inbox follows). Then a
	// message inserted at the very instant of some contacts' first inbound
	// message with a lower id, in another conversation: of the two, the raw
	// rows take the lower id, and so must the first inbound row.
	_, err = pool.Exec(ctx, `
		DELETE FROM messages m WHERE m.created_at >= '2022-02-03Z' AND m.created_at < '2022-02-04Z'
			AND NOT EXISTS (SELECT 1 FROM template_sends ts WHERE ts.workspace_id = m.workspace_id AND ts.message_id = m.id);
		DELETE FROM messages m WHERE m.created_at >= '2022-02-10 14:00Z' AND m.created_at < '2022-02-10 15:00Z'
			AND NOT EXISTS (SELECT 1 FROM template_sends ts WHERE ts.workspace_id = m.workspace_id AND ts.message_id = m.id);
		UPDATE messages SET created_at = created_at + interval '5 days' WHERE id % 73 = 0;
		UPDATE messages SET created_at = created_at - interval '7 hours' WHERE id % 71 = 0;
		UPDATE messages m SET conversation_id = o.id
		FROM conversations o WHERE m.id % 67 = 0 AND o.workspace_id = m.workspace_id AND o.contact_id = m.contact_id AND o.id <> m.conversation_id;
		INSERT INTO conversations (workspace_id, contact_id, inbox_id, started_at)
		SELECT f.workspace_id, f.contact_id, (SELECT max(id) FROM inboxes i WHERE i.workspace_id = f.workspace_id), f.first_at
		FROM contact_first_inbound f WHERE f.contact_id % 7 = 0;
		INSERT INTO messages (id, workspace_id, conversation_id, contact_id, direction, sender, created_at)
		SELECT -v.id, v.workspace_id, v.id, v.contact_id, 'inbound', 'contact', v.started_at
		FROM conversations v JOIN contact_first_inbound f ON f.workspace_id = v.workspace_id AND f.contact_id = v.contact_id AND f.first_at = v.started_at
		WHERE f.contact_id % 7 = 0 AND v.id = (SELECT max(id) FROM conversations x WHERE x.workspace_id = v.workspace_id AND x.contact_id = v.contact_id);`)
	require.NoError(t, err)
	// Intents and languages found late, changed and lost, and late inbound
	// messages with an intent (some without a language) into old slots.
	_, err = pool.Exec(ctx, `
		UPDATE messages SET intent = 'late_topic' WHERE id % 61 = 0 AND direction = 'inbound';
		UPDATE messages SET intent = NULL WHERE id % 59 = 0;
		UPDATE messages SET language = NULL WHERE id % 53 = 0;
		UPDATE messages SET language = 'xx' WHERE id % 47 = 0 AND direction = 'inbound';
		INSERT INTO messages (workspace_id, conversation_id, contact_id, direction, sender, created_at, intent, language)
		SELECT m.workspace_id, m.conversation_id, m.contact_id, m.direction, m.sender, m.created_at - interval '9 days 13 minutes', m.intent,
			CASE WHEN m.id % 2 = 0 THEN m.language END
		FROM messages m WHERE m.intent IS NOT NULL AND m.id % 43 = 0;`)
	require.NoError(t, err)
	// Flow triggers late into old slots (some outside a conversation),
	// moved in time, to another flow and out of their conversation, and deleted.
	_, err = pool.Exec(ctx, `
		INSERT INTO flow_triggers (workspace_id, flow_id, conversation_id, triggered_at)
		SELECT ft.workspace_id, ft.flow_id, CASE WHEN ft.id % 2 = 0 THEN ft.conversation_id END, ft.triggered_at - interval '6 days 2 minutes'
		FROM flow_triggers ft WHERE ft.id % 37 = 0;
		UPDATE flow_triggers SET triggered_at = triggered_at - interval '1 day 20 minutes' WHERE id % 31 = 0;
		UPDATE flow_triggers ft SET flow_id = (SELECT min(id) FROM flows f WHERE f.workspace_id = ft.workspace_id) WHERE id % 29 = 0;
		UPDATE flow_triggers SET conversation_id = NULL WHERE id % 23 = 0;
		DELETE FROM flow_triggers WHERE id % 19 = 0;`)
	require.NoError(t, err)
	// Conversations that start earlier (into other days, hours and slots,
	// with their messages), lose their task, change start flow or contact
	// (and so platform), or only change title (which moves nothing). New
	// conversations, moved to another inbox before their messages arrive,
	// with messages; then some of those messages go (leaving conversations
	// without any), and the conversations left without messages go.
	_, err = pool.Exec(ctx, `
		UPDATE conversations SET started_at = started_at - interval '3 days 5 hours 7 minutes' WHERE id % 11 = 0;
		UPDATE conversations SET task_id = NULL WHERE id % 13 = 0;
		UPDATE conversations v SET start_flow_id = (SELECT min(id) FROM flows f WHERE f.workspace_id = v.workspace_id) WHERE v.id % 17 = 0;
		UPDATE conversations v SET contact_id = (SELECT max(id) FROM contacts c WHERE c.workspace_id = v.workspace_id) WHERE v.id % 29 = 0;
		UPDATE conversations SET title = 'renamed' WHERE id % 5 = 0;
		INSERT INTO conversations (workspace_id, contact_id, inbox_id, task_id, start_flow_id, started_at, title)
		SELECT workspace_id, contact_id, inbox_id, task_id, start_flow_id, started_at + interval '10 minutes 3 seconds', 'doomed'
		FROM conversations WHERE id % 23 = 0;
		UPDATE conversations v SET inbox_id = (SELECT max(id) FROM inboxes i WHERE i.workspace_id = v.workspace_id) WHERE title = 'doomed';
		INSERT INTO messages (workspace_id, conversation_id, contact_id, direction, sender, created_at)
		SELECT v.workspace_id, v.id, v.contact_id, 'inbound', 'contact', v.started_at + g * interval '1 hour'
		FROM conversations v, generate_series(0, 2) g WHERE v.title = 'doomed';
		DELETE FROM messages m USING conversations v
		WHERE v.workspace_id = m.workspace_id AND v.id = m.conversation_id AND v.title = 'doomed' AND v.id % 2 = 0;
		DELETE FROM conversations v WHERE v.title = 'doomed' AND v.id % 4 = 0;`)
	require.NoError(t, err)
	// The campaign funnel: contact details obtained late and lost, success
	// given and taken back, all the inbound messages of some conversations
	// deleted (they lose their reply) or turned outbound, and a first
	// inbound message into conversations that had none (they gain it).
	_, err = pool.Exec(ctx, `
		UPDATE conversations SET contact_obtained_at = started_at + interval '9 minutes' WHERE id % 7 = 0 AND contact_obtained_at IS NULL;
		UPDATE conversations SET contact_obtained_at = NULL WHERE id % 7 = 3;
		UPDATE conversations SET success_at = started_at + interval '1 hour' WHERE id % 9 = 0 AND success_at IS NULL;
		UPDATE conversations SET success_at = NULL, contact_obtained_at = NULL WHERE id % 9 = 4;
		DELETE FROM messages m WHERE m.direction = 'inbound' AND m.conversation_id % 31 = 0
			AND NOT EXISTS (SELECT 1 FROM template_sends ts WHERE ts.workspace_id = m.workspace_id AND ts.message_id = m.id);
		UPDATE messages SET direction = 'outbound', sender = 'bot' WHERE direction = 'inbound' AND conversation_id % 37 = 0;
		INSERT INTO messages (workspace_id, conversation_id, contact_id, direction, sender, created_at)
		SELECT v.workspace_id, v.id, v.contact_id, 'inbound', 'contact', v.started_at + interval '2 minutes'
		FROM conversations v WHERE v.id % 3 = 0 AND NOT EXISTS (SELECT 1 FROM messages m WHERE m.workspace_id = v.workspace_id
			AND m.conversation_id = v.id AND m.direction = 'inbound');`)
	require.NoError(t, err)
	// Assignments: late ones into old slots (copies of some, three days
	// earlier), open ones accepted, answered and ended after their
	// creation (they move to other state rows and their durations arrive),
	// some moved in time by hours and days, some given another agent, team
	// and role, some moved to their contact's first conversation (which
	// hands it off, and may leave theirs without a hand-off), a whole UTC
	// day of them deleted, and others deleted.
	_, err = pool.Exec(ctx, `
		INSERT INTO assignments (workspace_id, conversation_id, contact_id, agent_id, team_id, role, created_at, accepted_at, first_reply_at, ended_at, outcome, closing_reason)
		SELECT workspace_id, conversation_id, contact_id, agent_id, team_id, role, created_at - interval '3 days 7 minutes', accepted_at - interval '3 days 7 minutes',
			first_reply_at - interval '3 days 7 minutes', ended_at - interval '3 days 7 minutes', outcome, closing_reason
		FROM assignments WHERE id % 13 = 0;
		UPDATE assignments SET agent_id = (SELECT min(id) FROM agents g WHERE g.workspace_id = assignments.workspace_id),
			accepted_at = created_at + interval '41.5 seconds', first_reply_at = created_at + interval '59.999999 seconds'
		WHERE accepted_at IS NULL AND ended_at IS NULL AND id % 2 = 0;
		UPDATE assignments SET ended_at = coalesce(first_reply_at, accepted_at, created_at) + interval '17 minutes',
			outcome = CASE WHEN accepted_at IS NULL THEN 'missed' ELSE 'handled' END
		WHERE ended_at IS NULL AND id % 3 <> 0;
		UPDATE assignments SET created_at = created_at - interval '1 day 2 hours', accepted_at = accepted_at - interval '1 day 2 hours',
			first_reply_at = first_reply_at - interval '1 day 2 hours', ended_at = ended_at - interval '1 day 2 hours' WHERE id % 11 = 0;
		UPDATE assignments SET team_id = NULL, role = NULL WHERE id % 17 = 0;
		UPDATE assignments SET first_reply_at = first_reply_at + interval '3.5 seconds' WHERE team_id IS NULL AND first_reply_at IS NOT NULL AND id % 2 = 0;
		UPDATE assignments SET closing_reason = 'edited' WHERE id % 19 = 0;
		UPDATE assignments a SET conversation_id = (SELECT min(v.id) FROM conversations v WHERE v.workspace_id = a.workspace_id
			AND v.contact_id = a.contact_id) WHERE a.id % 29 = 0;
		INSERT INTO template_sends (workspace_id, inbox_id, contact_id, template, category, sent_at, cost)
		SELECT workspace_id, inbox_id, contact_id, template, 'other', sent_at - interval '9 days 13 minutes', cost + 0.011 FROM template_sends WHERE id % 7 = 0;
		UPDATE template_sends SET cost = cost * 2, category = 'utility' WHERE id % 11 = 0;
		UPDATE template_sends SET sent_at = sent_at + interval '1 day 5 hours 7 minutes' WHERE id % 13 = 0;
		DELETE FROM template_sends WHERE id % 17 = 0;
		INSERT INTO credit_ledger (workspace_id, occurred_at, kind, amount)
		SELECT workspace_id, occurred_at - interval '3 days 2 minutes', 'adjustment', -amount / 3 FROM credit_ledger WHERE id % 2 = 0;
		UPDATE credit_ledger SET amount = amount + 1.25 WHERE id % 3 = 0;
		DELETE FROM credit_ledger WHERE id % 5 = 0;
		INSERT INTO page_visits (workspace_id, contact_id, conversation_id, url, visited_at)
		SELECT workspace_id, contact_id, conversation_id, url || '?late', visited_at - interval '4 days 9 minutes' FROM page_visits WHERE id % 7 = 0;
		UPDATE page_visits SET url = '/moved' WHERE id % 11 = 0;
		UPDATE page_visits SET visited_at = visited_at + interval '2 days 3 hours 1 minute' WHERE id % 13 = 0;
		DELETE FROM page_visits WHERE id % 17 = 0;
		DELETE FROM assignments a WHERE ((a.created_at >= '2022-02-05Z' AND a.created_at < '2022-02-06Z') OR a.id % 23 = 0)
			AND NOT EXISTS (SELECT 1 FROM assignments t WHERE t.workspace_id = a.workspace_id AND t.transferred_from = a.id);`)
	require.NoError(t, err)
	// Agent replies arriving late (splitting a run in two), replies handed
	// to another agent, texts edited (which move no run), and replies
	// deleted (merging their run into the next one).
	_, err = pool.Exec(ctx, `
		INSERT INTO messages (workspace_id, conversation_id, contact_id, direction, sender, agent_id, created_at)
		SELECT m.workspace_id, m.conversation_id, m.contact_id, m.direction, m.sender, m.agent_id, m.created_at - interval '97 seconds'
		FROM messages m WHERE m.agent_id IS NOT NULL AND m.id % 61 = 0;
		UPDATE messages m SET agent_id = (SELECT min(a.id) FROM agents a WHERE a.workspace_id = m.workspace_id)
		WHERE m.agent_id IS NOT NULL AND m.id % 59 = 0;
		UPDATE messages SET body = body || '!' WHERE id % 53 = 0;
		DELETE FROM messages m WHERE m.agent_id IS NOT NULL AND m.id % 47 = 0
			AND NOT EXISTS (SELECT 1 FROM template_sends ts WHERE ts.workspace_id = m.workspace_id AND ts.message_id = m.id);`)
	require.NoError(t, err)
	// Agent messages: late ones into old slots, one moved to another agent,
	// one turned into a bot message and a bot message into an agent's, and an
	// agent moved to another team and one left without a team (a message's
	// team is its agent's team now, so no summary row changes for those).
	_, err = pool.Exec(ctx, `
		INSERT INTO messages (workspace_id, conversation_id, contact_id, direction, sender, agent_id, created_at)
		SELECT m.workspace_id, m.conversation_id, m.contact_id, m.direction, m.sender, m.agent_id, m.created_at - interval '6 days 2 hours 9 minutes'
		FROM messages m WHERE m.sender = 'agent' AND m.id % 13 = 0;
		UPDATE messages m SET agent_id = (SELECT max(a.id) FROM agents a WHERE a.workspace_id = m.workspace_id AND a.id <> m.agent_id)
		WHERE m.sender = 'agent' AND m.id % 11 = 0;
		UPDATE messages SET sender = 'bot', agent_id = NULL WHERE sender = 'agent' AND id % 17 = 0;
		UPDATE messages SET sender = 'agent', agent_id = (SELECT min(a.id) FROM agents a WHERE a.workspace_id = messages.workspace_id)
		WHERE sender = 'bot' AND id % 19 = 0;
		UPDATE agents a SET team_id = (SELECT max(tm.id) FROM teams tm WHERE tm.workspace_id = a.workspace_id AND tm.id IS DISTINCT FROM a.team_id)
		WHERE a.id = (SELECT min(id) FROM agents x WHERE x.workspace_id = a.workspace_id);
		UPDATE agents a SET team_id = NULL WHERE a.id = (SELECT max(id) FROM agents x WHERE x.workspace_id = a.workspace_id);`)
	require.NoError(t, err)
	requireSummariesRecomputed(t, pool)
	compareRandomQueries(t, pool, rng, values, summaryMetrics, 200, used)
	compareRandomQueries(t, pool, rng, values, distinctContactMetrics, 100, used)
	compareRandomQueries(t, pool, rng, values, []string{"closing_reasons"}, 100, used)
	compareRandomQueries(t, pool, rng, values, []string{"returning_users"}, 60, used)
	compareMissedBursts(t, pool, rng, values, 60, used)
}

// compareMissedBursts compares n missed-conversation bursts answered as the
// data source answers them with the same from the raw assignments: random
// ranges (the plan reads their whole windows), thresholds of 1 and 2, and
// one filter in three (half of them excluding). used counts the tables that
// answered ("bursts: <table>") and the comparisons that found bursts.
func compareMissedBursts(t *testing.T, pool *pgxpool.Pool, rng *rand.Rand, values map[string][]string, n int, used map[string]int) {
	t.Helper()
	ctx := context.Background()
	dataStart := time.Date(2021, 12, 20, 0, 0, 0, 0, time.UTC)
	dims := []string{"team", "inbox", "platform", "role"}
	for i := 0; i < n; i++ {
		from := dataStart.Add(time.Duration(rng.Int64N(int64(110 * 24 * time.Hour))))
		span := []time.Duration{12 * time.Hour, 10 * 24 * time.Hour, 40 * 24 * time.Hour}[rng.IntN(3)]
		to := from.Add(time.Minute + time.Duration(rng.Int64N(int64(span))))
		q := models.Query{QueryType: models.KindAnnotations, Event: catalog.EventMissedBursts, Threshold: float64(1 + rng.IntN(2)),
			TimeRange: backend.TimeRange{From: from, To: to}}
		if rng.IntN(3) == 0 {
			dim := dims[rng.IntN(len(dims))]
			if vs := values[dim]; len(vs) > 0 {
				q.Filters = []models.Filter{{Dimension: dim, Values: []string{vs[rng.IntN(len(vs))]}, Exclude: rng.IntN(2) == 0}}
			}
		}
		plan, err := catalog.Resolve(q)
		require.NoError(t, err)
		name := fmt.Sprintf("bursts %d: threshold %v, %v, %s..%s", i, q.Threshold, q.Filters, from.Format(time.RFC3339Nano), to.Format(time.RFC3339Nano))
		summary, err := sqlbuild.Annotations(plan, demoWorkspace(t, pool))
		require.NoError(t, err, name)
		raw, err := sqlbuild.RawMissedBursts(plan, sqlbuild.WorkspaceSlug("demo"))
		require.NoError(t, err, name)
		require.True(t, strings.HasPrefix(raw.SQL, "/* raw */ "), raw.SQL)
		want, err := collect[burstRow](ctx, pool, raw)
		require.NoError(t, err, name)
		got, err := collect[burstRow](ctx, pool, summary)
		require.NoError(t, err, name+"\n"+summary.SQL)
		require.Equal(t, want, got, name+"\n"+summary.SQL)
		if comment, ok := strings.CutPrefix(summary.SQL, "/* summary: "); ok {
			comment, _, _ = strings.Cut(comment, " */")
			used["bursts: "+comment]++
		}
		if len(want) > 0 {
			used["bursts found"]++
		}
	}
}

// requireSummariesRecomputed checks each summary table row by row against
// the same summary computed afresh from the messages.
func requireSummariesRecomputed(t *testing.T, pool *pgxpool.Pool) {
	t.Helper()
	// The first inbound message: the earliest, then the lowest id.
	const firstInbound = `SELECT DISTINCT ON (m.workspace_id, m.contact_id) m.workspace_id, m.contact_id, c.platform, m.created_at, m.id, v.inbox_id
			FROM messages m JOIN contacts c ON c.workspace_id = m.workspace_id AND c.id = m.contact_id
			JOIN conversations v ON v.workspace_id = m.workspace_id AND v.id = m.conversation_id
			WHERE m.direction = 'inbound' ORDER BY m.workspace_id, m.contact_id, m.created_at, m.id`
	messageLevel := func(grain string) string {
		return `SELECT m.workspace_id, date_bin('` + grain + `', m.created_at, '2000-01-01Z') AS unit, c.platform, v.inbox_id, m.direction, m.sender, m.billable,
			count(*) AS messages, sum(m.ai_cost) AS ai_cost, sum(m.billing_cost) AS billing_cost, v.task_id FROM messages m JOIN contacts c ON c.workspace_id = m.workspace_id AND c.id = m.contact_id
			JOIN conversations v ON v.workspace_id = m.workspace_id AND v.id = m.conversation_id GROUP BY 1, 2, 3, 4, 5, 6, 7, 11`
	}
	// The same per platform and inbox only: those rows regrouped.
	messageInboxLevel := func(grain string) string {
		return `SELECT workspace_id, unit, platform, inbox_id, sum(messages), sum(ai_cost), sum(billing_cost)
			FROM (` + messageLevel(grain) + `) l GROUP BY 1, 2, 3, 4`
	}
	// The same per task only (migration 43).
	messageTaskLevel := func(grain string) string {
		return `SELECT workspace_id, unit, task_id, sum(messages), sum(ai_cost), sum(billing_cost)
			FROM (` + messageLevel(grain) + `) l GROUP BY 1, 2, 3`
	}
	// The same per direction, sender and billing only (migration 44).
	messageSenderLevel := func(grain string) string {
		return `SELECT workspace_id, unit, direction, sender, billable, sum(messages), sum(ai_cost), sum(billing_cost)
			FROM (` + messageLevel(grain) + `) l GROUP BY 1, 2, 3, 4, 5`
	}
	contactLevel := func(grain string) string {
		return `SELECT m.workspace_id, date_bin('` + grain + `', m.created_at, '2000-01-01Z'), m.contact_id, v.inbox_id, c.platform, count(*)
			FROM messages m JOIN contacts c ON c.workspace_id = m.workspace_id AND c.id = m.contact_id
			JOIN conversations v ON v.workspace_id = m.workspace_id AND v.id = m.conversation_id WHERE m.direction = 'inbound' GROUP BY 1, 2, 3, 4, 5`
	}
	// New contacts per unit, platform and inbox of their first inbound message.
	firstLevel := func(grain string) string {
		return `SELECT f.workspace_id, date_bin('` + grain + `', f.created_at, '2000-01-01Z'), f.platform, f.inbox_id, count(*)
			FROM (` + firstInbound + `) f GROUP BY 1, 2, 3, 4`
	}
	// Inbound messages with an intent per unit, intent, platform and language.
	intentLevel := func(grain string) string {
		return `SELECT m.workspace_id, date_bin('` + grain + `', m.created_at, '2000-01-01Z'), m.intent, c.platform, m.language, count(*)
			FROM messages m JOIN contacts c ON c.workspace_id = m.workspace_id AND c.id = m.contact_id
			WHERE m.direction = 'inbound' AND m.intent IS NOT NULL GROUP BY 1, 2, 3, 4, 5`
	}
	// The same per unit and intent only (migration 39).
	intentTotalLevel := func(grain string) string {
		return `SELECT m.workspace_id, date_bin('` + grain + `', m.created_at, '2000-01-01Z'), m.intent, count(*)
			FROM messages m WHERE m.direction = 'inbound' AND m.intent IS NOT NULL GROUP BY 1, 2, 3`
	}
	// Flow triggers per unit, flow and the inbox of their conversation (none outside one).
	flowLevel := func(grain string) string {
		return `SELECT ft.workspace_id, date_bin('` + grain + `', ft.triggered_at, '2000-01-01Z'), ft.flow_id, v.inbox_id, count(*)
			FROM flow_triggers ft LEFT JOIN conversations v ON v.workspace_id = ft.workspace_id AND v.id = ft.conversation_id GROUP BY 1, 2, 3, 4`
	}
	// Conversations per start unit and dimensions, with their messages.
	conversationLevel := func(grain string) string {
		return `SELECT v.workspace_id, date_bin('` + grain + `', v.started_at, '2000-01-01Z') AS unit, c.platform, v.inbox_id, v.task_id, v.start_flow_id,
			count(*) AS conversations, sum((SELECT count(*) FROM messages m WHERE m.workspace_id = v.workspace_id AND m.conversation_id = v.id)) AS messages,
			count(*) FILTER (WHERE r.replied) AS replied, count(*) FILTER (WHERE r.replied AND v.contact_obtained_at IS NOT NULL) AS obtained,
			count(*) FILTER (WHERE r.replied AND v.success_at IS NOT NULL) AS succeeded, count(*) FILTER (WHERE r.handed_off) AS transferred
			FROM conversations v JOIN contacts c ON c.workspace_id = v.workspace_id AND c.id = v.contact_id
			CROSS JOIN LATERAL (SELECT EXISTS (SELECT 1 FROM messages m WHERE m.workspace_id = v.workspace_id AND m.conversation_id = v.id
				AND m.direction = 'inbound') AS replied,
				EXISTS (SELECT 1 FROM assignments a WHERE a.workspace_id = v.workspace_id AND a.conversation_id = v.id) AS handed_off) r
			GROUP BY 1, 2, 3, 4, 5, 6`
	}
	// The same per platform and inbox only: those rows regrouped.
	conversationInboxLevel := func(grain string) string {
		return `SELECT workspace_id, unit, platform, inbox_id, sum(conversations), sum(messages), sum(replied), sum(obtained), sum(succeeded),
			sum(transferred) FROM (` + conversationLevel(grain) + `) l GROUP BY 1, 2, 3, 4`
	}
	// The same per task only (migration 43).
	conversationTaskLevel := func(grain string) string {
		return `SELECT workspace_id, unit, task_id, sum(conversations), sum(messages), sum(replied), sum(obtained), sum(succeeded),
			sum(transferred) FROM (` + conversationLevel(grain) + `) l GROUP BY 1, 2, 3`
	}
	// Messages per phrase (non-empty), keyed by its SHA-256.
	phraseLevel := func(grain string) string {
		return `SELECT m.workspace_id, date_bin('` + grain + `', m.created_at, '2000-01-01Z'), c.platform, m.direction, m.sender,
			sha256(convert_to(m.phrase, 'UTF8')), m.phrase, count(*)
			FROM (SELECT *, message_phrase(body) AS phrase FROM messages) m JOIN contacts c ON c.workspace_id = m.workspace_id AND c.id = m.contact_id
			WHERE m.phrase <> '' GROUP BY 1, 2, 3, 4, 5, 6, 7`
	}
	// The same per phrase and direction only.
	phraseDirectionLevel := func(grain string) string {
		return `SELECT m.workspace_id, date_bin('` + grain + `', m.created_at, '2000-01-01Z'), sha256(convert_to(m.phrase, 'UTF8')), m.direction,
			m.phrase, count(*)
			FROM (SELECT *, message_phrase(body) AS phrase FROM messages) m
			WHERE m.phrase <> '' GROUP BY 1, 2, 3, 4, 5`
	}
	// The assignments per unit, keys and state, with their durations' sums
	// and sorted microseconds: the keys are the contact-center dimensions,
	// or the team alone (migration 37).
	// units are the unit columns (the time, and the shift of the shifted
	// hours), and shifts the join that gives the shift, if any.
	assignmentLevelOf := func(units []string, shifts string, keys ...string) string {
		positions := make([]string, 0, len(units)+len(keys)+5)
		for n := 1; n <= len(units)+len(keys)+5; n++ {
			positions = append(positions, fmt.Sprint(n))
		}
		return `SELECT a.workspace_id, ` + strings.Join(units, ", ") + `, ` + strings.Join(keys, ", ") + `,
			a.accepted_at IS NOT NULL, a.first_reply_at IS NOT NULL, a.ended_at IS NOT NULL, a.outcome, count(*)::integer,
			coalesce(sum(extract(epoch FROM a.first_reply_at - a.created_at)), 0), coalesce(sum(extract(epoch FROM a.ended_at - a.accepted_at)), 0),
			coalesce(array_agg((extract(epoch FROM a.first_reply_at - a.created_at) * 1000000)::bigint ORDER BY a.first_reply_at - a.created_at)
				FILTER (WHERE a.first_reply_at IS NOT NULL), '{}'),
			coalesce(array_agg((extract(epoch FROM a.ended_at - a.accepted_at) * 1000000)::bigint ORDER BY a.ended_at - a.accepted_at)
				FILTER (WHERE a.ended_at IS NOT NULL AND a.accepted_at IS NOT NULL), '{}')
			FROM assignments a JOIN contacts c ON c.workspace_id = a.workspace_id AND c.id = a.contact_id
			JOIN conversations v ON v.workspace_id = a.workspace_id AND v.id = a.conversation_id` + shifts + ` GROUP BY ` + strings.Join(positions, ", ")
	}
	assignmentLevel := func(grain string, keys ...string) string {
		return assignmentLevelOf([]string{`date_bin('` + grain + `', a.created_at, '2000-01-01Z')`}, "", keys...)
	}
	// The same per hour starting 15, 30 and 45 minutes past a UTC hour.
	assignmentShiftedHours := func(keys ...string) string {
		return assignmentLevelOf([]string{"p.shift", shiftedHourOf("a.created_at")}, shiftsJoin, keys...)
	}
	assignmentKeys := []string{"c.platform", "v.inbox_id", "a.agent_id", "a.team_id", "a.role"}
	// Agent messages per agent, platform and inbox.
	agentLevel := func(grain string) string {
		return `SELECT m.workspace_id, date_bin('` + grain + `', m.created_at, '2000-01-01Z'), m.agent_id, c.platform, v.inbox_id, count(*)
			FROM messages m JOIN contacts c ON c.workspace_id = m.workspace_id AND c.id = m.contact_id
			JOIN conversations v ON v.workspace_id = m.workspace_id AND v.id = m.conversation_id WHERE m.sender = 'agent' GROUP BY 1, 2, 3, 4, 5`
	}
	// The answered runs per unit, agent and platform, with their response
	// times' sum and sorted microseconds.
	runLevel := func(grain string) string {
		const seconds = "extract(epoch FROM r.replied_at - r.run_started_at)"
		return `SELECT r.workspace_id, date_bin('` + grain + `', r.replied_at, '2000-01-01Z'), r.agent_id, c.platform, count(*)::integer,
			sum(` + seconds + `), array_agg((` + seconds + ` * 1000000)::bigint ORDER BY ` + seconds + `)
			FROM response_runs r JOIN contacts c ON c.workspace_id = r.workspace_id AND c.id = r.contact_id GROUP BY 1, 2, 3, 4`
	}
	// Per unit and platform, the contacts with an inbound message there, the
	// new ones among them, and for each its last inbound message before the
	// unit, in microseconds (the smallest bigint for none), smallest first.
	activeLevel := func(grain string) string {
		return `SELECT a.workspace_id, a.unit, c.platform, count(*)::integer,
			(count(*) FILTER (WHERE a.previous = '-9223372036854775808'::bigint))::integer, array_agg(a.previous ORDER BY a.previous)
			FROM (SELECT u.*, coalesce((extract(epoch FROM (SELECT max(p.created_at) FROM messages p WHERE p.workspace_id = u.workspace_id
					AND p.contact_id = u.contact_id AND p.direction = 'inbound' AND p.created_at < u.unit)) * 1000000)::bigint,
					'-9223372036854775808'::bigint) AS previous
				FROM (SELECT DISTINCT workspace_id, contact_id, date_bin('` + grain + `', created_at, '2000-01-01Z') AS unit
					FROM messages WHERE direction = 'inbound') u) a
			JOIN contacts c ON c.workspace_id = a.workspace_id AND c.id = a.contact_id GROUP BY 1, 2, 3`
	}
	// The same per language, of the contacts who wrote in it in the unit,
	// with their last inbound message in it before the unit.
	languageLevel := func(grain string) string {
		return `SELECT a.workspace_id, a.unit, a.language, c.platform, count(*)::integer, array_agg(a.previous ORDER BY a.previous)
			FROM (SELECT u.*, coalesce((extract(epoch FROM (SELECT max(p.created_at) FROM messages p WHERE p.workspace_id = u.workspace_id
					AND p.contact_id = u.contact_id AND p.direction = 'inbound' AND p.language = u.language AND p.created_at < u.unit)) * 1000000)::bigint,
					'-9223372036854775808'::bigint) AS previous
				FROM (SELECT DISTINCT workspace_id, contact_id, language, date_bin('` + grain + `', created_at, '2000-01-01Z') AS unit
					FROM messages WHERE direction = 'inbound' AND language IS NOT NULL) u) a
			JOIN contacts c ON c.workspace_id = a.workspace_id AND c.id = a.contact_id GROUP BY 1, 2, 3, 4`
	}
	// Messages an open assignment of their conversation covered, per unit,
	// platform, inbox and sender.
	ccLevel := func(grain string) string {
		return `SELECT m.workspace_id, date_bin('` + grain + `', m.created_at, '2000-01-01Z'), c.platform, v.inbox_id, m.sender, count(*)
			FROM messages m JOIN contacts c ON c.workspace_id = m.workspace_id AND c.id = m.contact_id
			JOIN conversations v ON v.workspace_id = m.workspace_id AND v.id = m.conversation_id
			WHERE EXISTS (SELECT 1 FROM assignments a WHERE a.workspace_id = m.workspace_id AND a.conversation_id = m.conversation_id
				AND a.created_at <= m.created_at AND (a.ended_at IS NULL OR a.ended_at > m.created_at))
			GROUP BY 1, 2, 3, 4, 5`
	}
	// Ended assignments per unit of their creation, closing reason and the
	// contact-center dimensions.
	closingLevel := func(grain string) string {
		return `SELECT a.workspace_id, date_bin('` + grain + `', a.created_at, '2000-01-01Z'), a.closing_reason, c.platform, v.inbox_id,
			a.agent_id, a.team_id, a.role, count(*)::integer
			FROM assignments a JOIN contacts c ON c.workspace_id = a.workspace_id AND c.id = a.contact_id
			JOIN conversations v ON v.workspace_id = a.workspace_id AND v.id = a.conversation_id
			WHERE a.ended_at IS NOT NULL GROUP BY 1, 2, 3, 4, 5, 6, 7, 8`
	}
	// Template sends per unit, category, platform and inbox, and every
	// credit movement's amount per unit (a send's is minus its cost).
	sendLevel := func(grain string) string {
		return `SELECT t.workspace_id, date_bin('` + grain + `', t.sent_at, '2000-01-01Z'), t.category, c.platform, t.inbox_id, count(*), sum(t.cost)
			FROM template_sends t JOIN contacts c ON c.workspace_id = t.workspace_id AND c.id = t.contact_id GROUP BY 1, 2, 3, 4, 5`
	}
	movementLevel := func(grain string) string {
		return `SELECT workspace_id, date_bin('` + grain + `', at, '2000-01-01Z'), count(*), sum(amount)
			FROM (SELECT workspace_id, occurred_at AS at, amount FROM credit_ledger UNION ALL SELECT workspace_id, sent_at, -cost FROM template_sends) r
			GROUP BY 1, 2`
	}
	// Page visits per unit, page and platform.
	visitLevel := func(grain string) string {
		return `SELECT v.workspace_id, date_bin('` + grain + `', v.visited_at, '2000-01-01Z'), v.url, c.platform, count(*)
			FROM page_visits v JOIN contacts c ON c.workspace_id = v.workspace_id AND c.id = v.contact_id GROUP BY 1, 2, 3, 4`
	}
	fresh := map[string]string{
		"page_visit_slots":       visitLevel("15 minutes"),
		"page_visit_hours":       visitLevel("1 hour"),
		"page_visit_days":        visitLevel("1 day"),
		"template_send_slots":    sendLevel("15 minutes"),
		"template_send_hours":    sendLevel("1 hour"),
		"template_send_days":     sendLevel("1 day"),
		"credit_movement_slots":  movementLevel("15 minutes"),
		"credit_movement_hours":  movementLevel("1 hour"),
		"credit_movement_days":   movementLevel("1 day"),
		"closing_reason_slots":   closingLevel("15 minutes"),
		"closing_reason_hours":   closingLevel("1 hour"),
		"closing_reason_days":    closingLevel("1 day"),
		"cc_message_slots":       ccLevel("15 minutes"),
		"cc_message_hours":       ccLevel("1 hour"),
		"cc_message_days":        ccLevel("1 day"),
		"language_contact_slots": languageLevel("15 minutes"),
		"language_contact_hours": languageLevel("1 hour"),
		"language_contact_days":  languageLevel("1 day"),
		"active_contact_slots":   activeLevel("15 minutes"),
		"active_contact_hours":   activeLevel("1 hour"),
		"active_contact_days":    activeLevel("1 day"),
		// Each contact's inbound messages; a row left at 0 is the same as none.
		"contact_inbound": `SELECT workspace_id, contact_id, count(*) FROM messages WHERE direction = 'inbound' GROUP BY 1, 2
			UNION ALL SELECT workspace_id, contact_id, 0 FROM contact_inbound WHERE inbound = 0`,
		"response_run_slots":            runLevel("15 minutes"),
		"response_run_hours":            runLevel("1 hour"),
		"response_run_days":             runLevel("1 day"),
		"flow_trigger_slots":            flowLevel("15 minutes"),
		"flow_trigger_hours":            flowLevel("1 hour"),
		"flow_trigger_days":             flowLevel("1 day"),
		"intent_slots":                  intentLevel("15 minutes"),
		"intent_hours":                  intentLevel("1 hour"),
		"intent_days":                   intentLevel("1 day"),
		"intent_total_slots":            intentTotalLevel("15 minutes"),
		"intent_total_hours":            intentTotalLevel("1 hour"),
		"intent_total_days":             intentTotalLevel("1 day"),
		"conversation_slots":            conversationLevel("15 minutes"),
		"conversation_hours":            conversationLevel("1 hour"),
		"conversation_days":             conversationLevel("1 day"),
		"assignment_slots":              assignmentLevel("15 minutes", assignmentKeys...),
		"assignment_hours":              assignmentLevel("1 hour", assignmentKeys...),
		"assignment_days":               assignmentLevel("1 day", assignmentKeys...),
		"assignment_team_slots":         assignmentLevel("15 minutes", "a.team_id"),
		"assignment_team_hours":         assignmentLevel("1 hour", "a.team_id"),
		"assignment_team_days":          assignmentLevel("1 day", "a.team_id"),
		"assignment_team_shifted_hours": assignmentShiftedHours("a.team_id"),
		"assignment_agent_slots":        assignmentLevel("15 minutes", "a.agent_id"),
		"assignment_agent_hours":        assignmentLevel("1 hour", "a.agent_id"),
		"assignment_agent_days":         assignmentLevel("1 day", "a.agent_id"),
		"agent_message_slots":           agentLevel("15 minutes"),
		"agent_message_hours":           agentLevel("1 hour"),
		"agent_message_days":            agentLevel("1 day"),
		"message_inbox_slots":           messageInboxLevel("15 minutes"),
		"message_inbox_hours":           messageInboxLevel("1 hour"),
		"message_inbox_days":            messageInboxLevel("1 day"),
		"conversation_inbox_slots":      conversationInboxLevel("15 minutes"),
		"conversation_inbox_hours":      conversationInboxLevel("1 hour"),
		"conversation_inbox_days":       conversationInboxLevel("1 day"),
		"message_task_slots":            messageTaskLevel("15 minutes"),
		"message_task_hours":            messageTaskLevel("1 hour"),
		"message_task_days":             messageTaskLevel("1 day"),
		"message_sender_slots":          messageSenderLevel("15 minutes"),
		"message_sender_hours":          messageSenderLevel("1 hour"),
		"message_sender_days":           messageSenderLevel("1 day"),
		"conversation_task_slots":       conversationTaskLevel("15 minutes"),
		"conversation_task_hours":       conversationTaskLevel("1 hour"),
		"conversation_task_days":        conversationTaskLevel("1 day"),
		"message_inbox_shifted_hours":   inboxShiftedHours(messageLevel("15 minutes"), "unit", "sum(l.messages), sum(l.ai_cost), sum(l.billing_cost)"),
		"conversation_inbox_shifted_hours": inboxShiftedHours(conversationLevel("15 minutes"), "unit",
			"sum(l.conversations), sum(l.messages), sum(l.replied), sum(l.obtained), sum(l.succeeded), sum(l.transferred)"),
		"message_slots":       messageLevel("15 minutes"),
		"message_hours":       messageLevel("1 hour"),
		"message_days":        messageLevel("1 day"),
		"contact_slots":       contactLevel("15 minutes"),
		"contact_hours":       contactLevel("1 hour"),
		"contact_days":        contactLevel("1 day"),
		"message_minutes":     `SELECT m.workspace_id, date_bin('1 minute', m.created_at, '2000-01-01Z'), count(*) FROM messages m GROUP BY 1, 2`,
		"first_inbound_slots": firstLevel("15 minutes"),
		"first_inbound_hours": firstLevel("1 hour"),
		"first_inbound_days":  firstLevel("1 day"),
		// The busiest minute of each hour, the earlier of two as busy.
		"message_minute_peaks": `SELECT DISTINCT ON (1, 2) m.workspace_id, date_bin('1 hour', m.minute, '2000-01-01Z'), m.minute, m.n
			FROM (SELECT workspace_id, date_bin('1 minute', created_at, '2000-01-01Z') AS minute, count(*) AS n FROM messages GROUP BY 1, 2) m
			ORDER BY 1, 2, m.n DESC, m.minute`,
		"contact_first_inbound": firstInbound,
		// Each conversation's inbound messages, assignments, messages and
		// newest message: a row for every conversation with a message or an
		// assignment, and rows left at 0 and null (their messages and
		// assignments gone) are the same as none.
		"conversation_inbound": `SELECT k.workspace_id, k.conversation_id,
				(SELECT count(*) FROM messages m WHERE m.workspace_id = k.workspace_id AND m.conversation_id = k.conversation_id
					AND m.direction = 'inbound'),
				(SELECT count(*) FROM assignments a WHERE a.workspace_id = k.workspace_id AND a.conversation_id = k.conversation_id),
				(SELECT count(*) FROM messages m WHERE m.workspace_id = k.workspace_id AND m.conversation_id = k.conversation_id),
				(SELECT max(m.created_at) FROM messages m WHERE m.workspace_id = k.workspace_id AND m.conversation_id = k.conversation_id)
			FROM (SELECT workspace_id, conversation_id FROM messages
				UNION SELECT workspace_id, conversation_id FROM assignments
				UNION SELECT workspace_id, conversation_id FROM conversation_inbound) k`,
		"phrase_hours":           phraseLevel("1 hour"),
		"phrase_days":            phraseLevel("1 day"),
		"phrase_direction_hours": phraseDirectionLevel("1 hour"),
		"phrase_direction_days":  phraseDirectionLevel("1 day"),
		// Every phrase's messages and inbound messages of all time.
		"phrase_totals": `SELECT m.workspace_id, sha256(convert_to(m.phrase, 'UTF8')), m.phrase, count(*), count(*) FILTER (WHERE m.direction = 'inbound')
			FROM (SELECT *, message_phrase(body) AS phrase FROM messages) m WHERE m.phrase <> '' GROUP BY 1, 2, 3`,
		// The answered runs, numbered as the raw rows number them.
		"response_runs": `SELECT g.workspace_id, g.conversation_id, g.contact_id, max(g.agent_id),
				min(g.created_at) FILTER (WHERE g.direction = 'inbound'), min(g.created_at) FILTER (WHERE g.direction = 'outbound')
			FROM (SELECT m.*, count(*) FILTER (WHERE m.direction = 'outbound')
				OVER (PARTITION BY m.workspace_id, m.conversation_id ORDER BY m.created_at, m.id) - (m.direction = 'outbound')::int AS run
				FROM messages m) g
			GROUP BY g.workspace_id, g.conversation_id, g.contact_id, g.run
			HAVING max(g.agent_id) IS NOT NULL AND count(*) FILTER (WHERE g.direction = 'inbound') > 0`,
	}
	for table, q := range fresh {
		var differ int
		require.NoError(t, pool.QueryRow(context.Background(), fmt.Sprintf(
			"SELECT count(*) FROM ((TABLE %[1]s EXCEPT ALL (%[2]s)) UNION ALL ((%[2]s) EXCEPT ALL TABLE %[1]s)) x", table, q)).Scan(&differ))
		require.Zero(t, differ, table)
	}
}

// summaryFilterValues are the values of each dimension the summaries keep, for filters.
func summaryFilterValues(t *testing.T, pool *pgxpool.Pool) map[string][]string {
	t.Helper()
	values := map[string][]string{"sender": catalog.FixedValues["sender"], "role": catalog.FixedValues["role"]}
	for dim, q := range map[string]string{
		"platform": "SELECT DISTINCT platform FROM contacts ORDER BY 1",
		"inbox":    "SELECT DISTINCT name FROM inboxes ORDER BY 1",
		"intent":   "SELECT DISTINCT intent FROM messages WHERE intent IS NOT NULL ORDER BY 1",
		"language": "SELECT DISTINCT language FROM messages WHERE language IS NOT NULL ORDER BY 1",
		"flow":     "SELECT DISTINCT name FROM flows ORDER BY 1",
		"task":     "SELECT DISTINCT name FROM tasks ORDER BY 1",
		// The most frequent phrases.
		"phrase": "SELECT phrase FROM (SELECT message_phrase(body) AS phrase, count(*) FROM messages GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT 12) p ORDER BY 1",
		"agent":  "SELECT DISTINCT name FROM agents ORDER BY 1",
		"team":   "SELECT DISTINCT name FROM teams ORDER BY 1",
		"page":   "SELECT DISTINCT url FROM page_visits ORDER BY 1",
	} {
		rows, err := pool.Query(context.Background(), q)
		require.NoError(t, err)
		for rows.Next() {
			var v string
			require.NoError(t, rows.Scan(&v))
			values[dim] = append(values[dim], v)
		}
		require.NoError(t, rows.Err())
	}
	return values
}

// compareRandomQueries runs n random queries of metrics both ways and requires equal
// answers; it counts in used how many were answered from a summary
// ("summary"), how many of those excluded values ("excluding") and how many
// read each summary table.
func compareRandomQueries(t *testing.T, pool *pgxpool.Pool, rng *rand.Rand, values map[string][]string, metrics []string, n int, used map[string]int) {
	t.Helper()
	compareShapedRandomQueries(t, pool, rng, values, metrics, n, used, nil)
}

// compareShapedRandomQueries is compareRandomQueries with each query's
// group and filters then set by shape, when not nil.
func compareShapedRandomQueries(t *testing.T, pool *pgxpool.Pool, rng *rand.Rand, values map[string][]string, metrics []string, n int,
	used map[string]int, shape func(q *models.Query)) {
	t.Helper()
	ctx := context.Background()
	// Minutes twice over: auto takes 15 minutes or more over ranges longer
	// than two hours, and buckets that end inside a slot need their share.
	intervals := []string{"hour", "day", "week", "month", "auto", "15m", "1m", "minute"}
	dataStart := time.Date(2021, 12, 20, 0, 0, 0, 0, time.UTC)
	for i := 0; i < n; i++ {
		metric, _ := catalog.Lookup(metrics[rng.IntN(len(metrics))])
		kind := metric.Kinds[rng.IntN(len(metric.Kinds))]
		q := models.Query{QueryType: kind, Metric: metric.ID, Timezone: summaryZones[rng.IntN(len(summaryZones))],
			Interval: intervals[rng.IntN(len(intervals))], MaxDataPoints: 500, GrafanaStep: time.Minute,
			// Service level targets of whole and fractional seconds.
			TargetSeconds: []float64{0, 30, 41.5, 60, 90.25, 600}[rng.IntN(6)]}
		dims := metric.GroupDimensions()
		if len(dims) > 0 && (kind == models.KindRanking || rng.IntN(2) == 0) {
			q.GroupBy = dims[rng.IntN(len(dims))]
		}
		if len(dims) > 0 && rng.IntN(3) == 0 {
			dim := dims[rng.IntN(len(dims))]
			if vs := values[dim]; len(vs) > 0 {
				// Half of them exclude, as an ad hoc filter's != and !=| do;
				// one or two values (the languages' summary answers one).
				kept := []string{vs[rng.IntN(len(vs))]}
				if rng.IntN(2) == 0 {
					kept = append(kept, vs[rng.IntN(len(vs))])
				}
				q.Filters = []models.Filter{{Dimension: dim, Values: kept, Exclude: rng.IntN(2) == 0}}
			}
		}
		if shape != nil {
			shape(&q)
		}
		// Ranges from minutes to 100 days (many of them over several
		// days, so that whole days, hours and slots all take part), on the
		// minute, on a slot edge, on the hour, on a UTC day, or anywhere to
		// the millisecond.
		from := dataStart.Add(time.Duration(rng.Int64N(int64(110 * 24 * time.Hour))))
		span := time.Duration(rng.Int64N(int64([]time.Duration{3 * time.Hour, 4 * 24 * time.Hour, 20 * 24 * time.Hour, 100 * 24 * time.Hour}[rng.IntN(4)])))
		to := from.Add(span + time.Minute)
		switch rng.IntN(5) {
		case 4:
			from, to = from.Truncate(24*time.Hour), to.Truncate(24*time.Hour)
		case 0:
			from, to = from.Truncate(time.Minute), to.Truncate(time.Minute)
		case 1:
			from, to = from.Truncate(catalog.SlotLength), to.Truncate(catalog.SlotLength)
		case 2:
			from, to = from.Truncate(time.Hour), to.Truncate(time.Hour)
		default:
			from, to = from.Truncate(time.Millisecond), to.Truncate(time.Millisecond)
		}
		if !to.After(from) {
			to = from.Add(time.Hour)
		}
		q.TimeRange = backend.TimeRange{From: from, To: to}
		plan, err := catalog.Resolve(q)
		if err != nil {
			i-- // too many buckets: draw again
			continue
		}
		name := fmt.Sprintf("%d %s %s by %q %v %s %s %s..%s", i, kind, metric.ID, q.GroupBy, q.Filters, q.Interval, q.Timezone,
			from.Format(time.RFC3339Nano), to.Format(time.RFC3339Nano))

		var summary, raw sqlbuild.Statement
		if kind == models.KindTimeSeries {
			summary, err = sqlbuild.TimeSeries(plan, demoWorkspace(t, pool))
			require.NoError(t, err, name)
			raw, err = sqlbuild.RawTimeSeries(plan, sqlbuild.WorkspaceSlug("demo"))
			require.NoError(t, err, name)
			want, err := collect[store.Bucketed](ctx, pool, raw)
			require.NoError(t, err, name)
			got, err := collect[store.Bucketed](ctx, pool, summary)
			require.NoError(t, err, name+"\n"+summary.SQL)
			require.Equal(t, bucketedText(want), bucketedText(got), name+"\n"+summary.SQL)
		} else {
			build, buildRaw := sqlbuild.Totals, sqlbuild.RawTotals
			if kind == models.KindSnapshot {
				build, buildRaw = sqlbuild.Snapshot, sqlbuild.RawSnapshot
			}
			summary, err = build(plan, demoWorkspace(t, pool))
			require.NoError(t, err, name)
			raw, err = buildRaw(plan, sqlbuild.WorkspaceSlug("demo"))
			require.NoError(t, err, name)
			want, err := collect[store.Totaled](ctx, pool, raw)
			require.NoError(t, err, name)
			got, err := collect[store.Totaled](ctx, pool, summary)
			require.NoError(t, err, name+"\n"+summary.SQL)
			require.Equal(t, totaledText(want), totaledText(got), name+"\n"+summary.SQL)
		}
		require.True(t, strings.HasPrefix(raw.SQL, "/* raw */ "), raw.SQL)
		if comment, ok := strings.CutPrefix(summary.SQL, "/* summary: "); ok {
			used["summary"]++
			if kind == models.KindSnapshot {
				used["snapshot"]++
			}
			if len(plan.Filters) > 0 && plan.Filters[0].Exclude {
				used["excluding"]++
			}
			comment, _, _ = strings.Cut(comment, " */")
			for _, table := range strings.Split(comment, ", ") {
				used[table]++
				used[string(metric.Source)+": "+table]++
			}
		}
	}
}

// compareLargePercentiles compares the medians and 90th percentiles of the
// wait, conversation and operator response times over all the data, in
// groups of more than 4,096 values, with the raw rows: per agent, where the
// assignments' short arrays are sorted whole and one agent's long arrays of
// response times are searched, and in total and per team, where the
// assignments' per-team arrays are long (sorted_us_percentile_cont, which
// must have run for both).
func compareLargePercentiles(t *testing.T, pool *pgxpool.Pool) {
	t.Helper()
	ctx := context.Background()
	// Copies of one handled assignment over three days, with other
	// durations, and answered runs (pairs of a contact's message and an
	// agent's reply) of one agent over a week: long arrays in their day rows,
	// more than the generator makes for 400 contacts. They go again at the
	// end, leaving the store as it was for what follows.
	var lastAssignment, lastMessage int64
	require.NoError(t, pool.QueryRow(ctx, "SELECT (SELECT max(id) FROM assignments), (SELECT max(id) FROM messages)").Scan(&lastAssignment, &lastMessage))
	_, err := pool.Exec(ctx, `
		INSERT INTO assignments (workspace_id, conversation_id, contact_id, agent_id, team_id, role, created_at, accepted_at, first_reply_at, ended_at, outcome)
		SELECT a.workspace_id, a.conversation_id, a.contact_id, a.agent_id, a.team_id, a.role, t.created,
			t.accepted, t.accepted + (x.h >> 6 & 2047) * interval '0.731 seconds',
			t.accepted + (x.h >> 6 & 2047) * interval '0.731 seconds' + (x.h >> 17 & 4095) * interval '1.1 seconds', 'handled'
		FROM (SELECT * FROM assignments WHERE outcome = 'handled' AND first_reply_at IS NOT NULL ORDER BY id LIMIT 1) a,
			generate_series(1, 6000) g,
			LATERAL (SELECT hashtext(a.id || '/' || g) AS h) x,
			LATERAL (SELECT a.created_at - g * interval '41 seconds' AS created,
				a.created_at - g * interval '41 seconds' + (x.h & 63) * interval '1.5 seconds' AS accepted) t;
		INSERT INTO messages (workspace_id, conversation_id, contact_id, direction, sender, agent_id, created_at, body)
		SELECT v.workspace_id, v.id, v.contact_id, d.direction, d.sender,
			CASE WHEN d.sender = 'agent' THEN (SELECT min(ag.id) FROM agents ag WHERE ag.workspace_id = v.workspace_id) END,
			v.started_at + g * interval '2 hours 13 minutes'
				+ CASE WHEN d.sender = 'agent' THEN (hashtext(v.id || '/' || g) & 4095) * interval '0.731 seconds' ELSE interval '0' END,
			'percentile probe'
		FROM (SELECT * FROM conversations ORDER BY id LIMIT 60) v, generate_series(1, 80) g,
			(VALUES ('inbound', 'contact'), ('outbound', 'agent')) d(direction, sender);`)
	require.NoError(t, err)
	// One session counts the function's calls.
	conn, err := pool.Acquire(ctx)
	require.NoError(t, err)
	defer conn.Release()
	_, err = conn.Exec(ctx, "SET track_functions = 'pl'")
	require.NoError(t, err)
	searches := func() int64 {
		_, err := conn.Exec(ctx, "SELECT pg_stat_force_next_flush()")
		require.NoError(t, err)
		var calls int64
		require.NoError(t, conn.QueryRow(ctx, "SELECT coalesce(sum(calls), 0) FROM pg_stat_user_functions WHERE funcname = 'sorted_us_percentile_cont'").Scan(&calls))
		return calls
	}
	// probed holds the copies and runs above, from a start inside a slot.
	probed := backend.TimeRange{From: time.Date(2021, 6, 1, 0, 7, 0, 0, time.UTC), To: time.Date(2022, 5, 1, 0, 0, 0, 0, time.UTC)}
	before := searches()
	for _, id := range []string{"wait_time_median", "wait_time_p90", "conversation_time_median", "conversation_time_p90",
		"operator_response_time_median", "operator_response_time_p90"} {
		groupBys := []string{"", catalog.DimAgent.ID}
		if !strings.HasPrefix(id, "operator_response_time") {
			groupBys = append(groupBys, catalog.DimTeam.ID)
		}
		for _, groupBy := range groupBys {
			for _, zone := range []string{"UTC", "Asia/Kathmandu"} {
				q := models.Query{QueryType: models.KindTotals, Metric: id, GroupBy: groupBy, Timezone: zone, TimeRange: probed}
				name := fmt.Sprintf("%s by %q in %s", id, groupBy, zone)
				plan, err := catalog.Resolve(q)
				require.NoError(t, err, name)
				summary, err := sqlbuild.Totals(plan, demoWorkspace(t, pool))
				require.NoError(t, err, name)
				// The response times over one bucket can be searched, and
				// the assignments' per-team arrays (in total or by team);
				// the finer ones, short, are always sorted whole.
				responseTime := strings.HasPrefix(id, "operator_response_time")
				searchable := responseTime || groupBy != catalog.DimAgent.ID
				require.Equal(t, searchable, strings.Contains(summary.SQL, "sorted_us_percentile_cont"), name)
				raw, err := sqlbuild.RawTotals(plan, sqlbuild.WorkspaceSlug("demo"))
				require.NoError(t, err, name)
				want, err := collect[store.Totaled](ctx, pool, raw)
				require.NoError(t, err, name)
				searched := searches()
				got, err := collectOn[store.Totaled](ctx, conn, summary)
				require.NoError(t, err, name)
				if searchable && !responseTime {
					require.Greater(t, searches(), searched, "%s: the per-team arrays were searched", name)
				}
				require.NotEmpty(t, want, name)
				require.Equal(t, totaledText(want), totaledText(got), "%s\n%s", name, summary.SQL)
			}
		}
	}
	require.GreaterOrEqual(t, searches()-before, int64(4+16), "the binary search ran for the long arrays of one agent and of the teams")
	// Per day or week over eleven months (334 or 49 buckets, those of the
	// data's 90 days with values), each bucket's group gathers its arrays:
	// the days of the copies above hold thousands of wait times, and the
	// weeks of the agent's runs hundreds of response times, which the
	// binary search finds (at UTC: Kathmandu's weeks start at 18:15 UTC and
	// read the agent's shorter hour and slot arrays at their edges, which
	// are sorted); the other buckets are sorted whole.
	for _, c := range []struct{ id, groupBy, interval string }{
		{"wait_time_p90", catalog.DimTeam.ID, "day"}, {"conversation_time_median", "", "day"}, {"operator_response_time_p90", catalog.DimAgent.ID, "week"},
	} {
		for _, zone := range []string{"UTC", "Asia/Kathmandu"} {
			q := models.Query{QueryType: models.KindTimeSeries, Metric: c.id, GroupBy: c.groupBy, Interval: c.interval, Timezone: zone, TimeRange: probed}
			name := fmt.Sprintf("%s by %q per %s in %s", c.id, c.groupBy, c.interval, zone)
			plan, err := catalog.Resolve(q)
			require.NoError(t, err, name)
			summary, err := sqlbuild.TimeSeries(plan, demoWorkspace(t, pool))
			require.NoError(t, err, name)
			require.Contains(t, summary.SQL, "sorted_us_percentile_cont", name)
			raw, err := sqlbuild.RawTimeSeries(plan, sqlbuild.WorkspaceSlug("demo"))
			require.NoError(t, err, name)
			want, err := collect[store.Bucketed](ctx, pool, raw)
			require.NoError(t, err, name)
			searched := searches()
			got, err := collectOn[store.Bucketed](ctx, conn, summary)
			require.NoError(t, err, name)
			if zone == "UTC" || c.interval == "day" {
				require.Greater(t, searches(), searched, "%s: the long arrays of some buckets were searched", name)
			}
			require.Greater(t, len(want), 12, "%s: buckets with values", name)
			require.Equal(t, bucketedText(want), bucketedText(got), "%s\n%s", name, summary.SQL)
		}
	}
	_, err = pool.Exec(ctx, "DELETE FROM assignments WHERE id > $1", lastAssignment)
	require.NoError(t, err)
	_, err = pool.Exec(ctx, "DELETE FROM messages WHERE body = 'percentile probe'")
	require.NoError(t, err)
	// And the ids go on from where they were.
	_, err = pool.Exec(ctx, `SELECT setval(pg_get_serial_sequence('assignments', 'id'), $1), setval(pg_get_serial_sequence('messages', 'id'), $2)`,
		lastAssignment, lastMessage)
	require.NoError(t, err)
}

// collectOn is collect on one session of the pool.
func collectOn[T any](ctx context.Context, conn *pgxpool.Conn, s sqlbuild.Statement) ([]T, error) {
	rows, err := conn.Query(ctx, s.SQL, s.Args...)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, pgx.RowToStructByPos[T])
}

// collect reads every row of a statement, as the plugin reads them.
func collect[T any](ctx context.Context, pool *pgxpool.Pool, s sqlbuild.Statement) ([]T, error) {
	rows := []T{}
	err := store.Each(ctx, pool, s.SQL, s.Args, pgx.RowToStructByPos[T], func(row T) bool {
		rows = append(rows, row)
		return true
	})
	return rows, err
}

// bucketedText and totaledText print rows exactly (%v of a float64 is its
// shortest exact form), nulls as null.
func bucketedText(rows []store.Bucketed) []string {
	out := make([]string, 0, len(rows))
	for _, r := range rows {
		out = append(out, fmt.Sprintf("%d %q %s", r.Bucket, r.Series, floatText(r.Value)))
	}
	return out
}

func totaledText(rows []store.Totaled) []string {
	out := make([]string, 0, len(rows))
	for _, r := range rows {
		id := "null"
		if r.SeriesID != nil {
			id = fmt.Sprint(*r.SeriesID)
		}
		out = append(out, fmt.Sprintf("%q %s %s", r.Series, id, floatText(r.Value)))
	}
	slices.Sort(out) // the order within equal sort keys is not part of the answer
	return out
}

func floatText(v *float64) string {
	if v == nil {
		return "null"
	}
	return fmt.Sprint(*v)
}

// Migration 5 fills the hourly and daily levels and the first inbound
// message's id and inbox from a store that already holds messages at
// version 3, and migration 6 the intent levels; the triggers then keep them.
func TestSummaryLevelsMigrationFillsFromExistingMessages(t *testing.T) {
	ctx := context.Background()
	url := storetest.EmptyURL(t)
	migrations, err := store.Migrations()
	require.NoError(t, err)
	conn, err := pgx.Connect(ctx, url)
	require.NoError(t, err)
	defer func() { _ = conn.Close(ctx) }()
	_, err = store.MigrateTo(ctx, conn, migrations[2].Version)
	require.NoError(t, err)
	fixture, err := os.ReadFile("testdata/usage_fixture.sql")
	require.NoError(t, err)
	exec(t, url, string(fixture))
	// Two inbound messages of one contact at the same first instant, in
	// conversations of two inboxes: the lower id's inbox is the first's.
	exec(t, url, `
		INSERT INTO conversations (workspace_id, contact_id, inbox_id, started_at)
		SELECT c.workspace_id, c.id, i.id, '2020-05-05 10:00Z' FROM contacts c JOIN inboxes i ON i.workspace_id = c.workspace_id
		WHERE c.workspace_id = 1 AND c.id = 1 ORDER BY i.id; -- two inboxes: Acme WhatsApp (1) and web chat (2)
		INSERT INTO messages (id, workspace_id, conversation_id, contact_id, direction, sender, created_at)
		SELECT 900000 - v.id, v.workspace_id, v.id, v.contact_id, 'inbound', 'contact', v.started_at
		FROM conversations v WHERE v.started_at = '2020-05-05 10:00Z';`)
	// Intents on some inbound messages, some without a language, for
	// the intent levels that migration 6 fills from them.
	exec(t, url, `UPDATE messages SET intent = CASE WHEN id % 3 = 0 THEN 'refund' ELSE 'greeting' END,
		language = CASE WHEN id % 2 = 0 THEN 'es' END WHERE direction = 'inbound' AND id % 5 < 3`)
	// Assignments in both conversations, one answered and ended, for the
	// assignment summaries that migration 10 fills from the rows there.
	exec(t, url, `
		INSERT INTO assignments (workspace_id, conversation_id, contact_id, agent_id, role, created_at, accepted_at, first_reply_at, ended_at, outcome)
		SELECT v.workspace_id, v.id, v.contact_id, g.id, 'support', v.started_at, v.started_at + interval '10 seconds',
			v.started_at + interval '25.5 seconds', v.started_at + interval '5 minutes', 'handled'
		FROM conversations v, LATERAL (SELECT min(id) AS id FROM agents a WHERE a.workspace_id = v.workspace_id) g
		WHERE v.started_at = '2020-05-05 10:00Z' AND g.id IS NOT NULL;
		INSERT INTO assignments (workspace_id, conversation_id, contact_id, created_at)
		SELECT v.workspace_id, v.id, v.contact_id, v.started_at + interval '1 minute' FROM conversations v WHERE v.started_at = '2020-05-05 10:00Z';`)

	applied, err := store.Migrate(ctx, conn)
	require.NoError(t, err)
	require.Len(t, applied, store.SchemaVersion-3)

	pool := poolAt(t, url)
	var days, hours, ties int
	require.NoError(t, pool.QueryRow(ctx, "SELECT (SELECT count(*) FROM message_days), (SELECT count(*) FROM contact_hours)").Scan(&days, &hours))
	require.Positive(t, days, "the fixture's messages fill the daily level")
	require.Positive(t, hours, "and the hourly contact level")
	var intentDays int
	require.NoError(t, pool.QueryRow(ctx, "SELECT count(*) FROM intent_days WHERE language IS NULL").Scan(&intentDays))
	require.Positive(t, intentDays, "the intents fill their daily level, messages without a language too")
	var assignmentDays int
	require.NoError(t, pool.QueryRow(ctx, "SELECT count(*) FROM assignment_days").Scan(&assignmentDays))
	require.Positive(t, assignmentDays, "the assignments fill the assignment summaries")
	var agentSlots int
	require.NoError(t, pool.QueryRow(ctx, "SELECT count(*) FROM agent_message_slots").Scan(&agentSlots))
	require.Positive(t, agentSlots, "and migration 12 the agent messages' slots (checked row by row below)")
	// The tie: the conversation with the highest id (web chat's) has the lowest message id.
	require.NoError(t, pool.QueryRow(ctx, `SELECT count(*) FROM contact_first_inbound f
		JOIN conversations v ON v.workspace_id = f.workspace_id AND v.contact_id = f.contact_id AND v.started_at = '2020-05-05 10:00Z'
		WHERE f.first_at = '2020-05-05 10:00Z' AND f.inbox_id = v.inbox_id
		AND v.id = (SELECT max(id) FROM conversations x WHERE x.workspace_id = 1 AND x.started_at = '2020-05-05 10:00Z')
		AND v.inbox_id = 2`).Scan(&ties))
	require.Equal(t, 1, ties)
	requireSummariesRecomputed(t, pool)

	// After the migration the triggers keep the new levels.
	_, err = pool.Exec(ctx, `DELETE FROM messages WHERE created_at < (SELECT min(created_at) + interval '1 day' FROM messages)
		AND id NOT IN (SELECT message_id FROM template_sends WHERE message_id IS NOT NULL)`)
	require.NoError(t, err)
	requireSummariesRecomputed(t, pool)
}

// demoWorkspace is the demo workspace fenced by its id, as the data source
// fences it once it has found the workspace: the summaries' statements are
// built so in these comparisons (and the raw ones by the slug's lookup).
func demoWorkspace(t *testing.T, pool *pgxpool.Pool) sqlbuild.Workspace {
	t.Helper()
	w := sqlbuild.WorkspaceSlug("demo")
	require.NoError(t, pool.QueryRow(context.Background(), `SELECT id FROM workspaces WHERE slug = $1`, w.Slug).Scan(&w.ID))
	return w
}
