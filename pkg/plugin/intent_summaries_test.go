package plugin

import (
	"context"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/require"
)

// The intents' counts come from the intent levels (migration 6; per intent
// only from those of migration 39), over a ragged range too, and follow
// messages that change, go or are emptied.
// Counted from testdata/chatbot_fixture.sql (acme's inbound messages, intent/language):
//
//	01-03 10:00 order_status/es, 10:01 order_status/es, 10:02 greeting/es
//	01-04 10:00 greeting/en, 10:01 (none)/en
//	01-05 10:00 order_status/pt, 10:01 refund/pt
//	01-06 10:00 order_status/es, 10:01 greeting/en
//	01-07 10:00 (none)/(none)
//	02-10 10:00 refund/es
//
// and one outbound "greeting" bot reply per conversation, never counted.
func TestTopIntentsFromTheIntentSummary(t *testing.T) {
	url := fixtureURL(t, "chatbot_fixture")
	ds := newDatasourceAt(t, url, "acme")
	const ragged, raggedEnd = "2022-01-03T10:00:30Z", "2022-01-06T10:00:30Z"
	ranking := func(groupBy, from, to string) ([][2]any, string) {
		frame := ask(t, ds, `{"queryType":"ranking","metric":"top_intents","groupBy":"`+groupBy+`"}`, from, to)
		return rows(t, frame), frame.Meta.ExecutedQueryString
	}

	// 01-03 10:00:30 to 01-06 10:00:30: order_status at 01-03 10:01, 01-05
	// and 01-06 10:00 (3); greeting at 01-03 10:02 and 01-04 (2); refund
	// at 01-05 (1). The 01-03 10:00 and 01-06 10:01 messages are outside.
	// The range's slots, hours and days, and the raw messages of its
	// partial slots, are read.
	got, sql := ranking("intent", ragged, raggedEnd)
	require.Equal(t, [][2]any{{"order_status", 3.0}, {"greeting", 2.0}, {"refund", 1.0}}, got)
	require.True(t, strings.HasPrefix(sql, "/* summary: intent_total_days, intent_total_hours, intent_total_slots */"), sql)

	// By language over January and February: es 3 + 1 + 1, en 2 (the
	// message without an intent is not counted), pt 2; ties by name.
	got, sql = ranking("language", jan2022, mar2022)
	require.Equal(t, [][2]any{{"es", 5.0}, {"en", 2.0}, {"pt", 2.0}}, got)
	require.True(t, strings.HasPrefix(sql, "/* summary: intent_days */"), sql)

	// The refund of 01-05 loses its language (it counts under no
	// language), the message of 01-04 without an intent gets one, the
	// greeting of 01-06 goes, and an inbound message arrives late, in a
	// slot of 01-04 that had none, without a language.
	exec(t, url, `
		UPDATE messages SET language = NULL WHERE workspace_id = 1 AND conversation_id = 13 AND intent = 'refund';
		UPDATE messages SET intent = 'refund' WHERE workspace_id = 1 AND conversation_id = 12 AND direction = 'inbound' AND intent IS NULL;
		DELETE FROM messages WHERE workspace_id = 1 AND conversation_id = 14 AND direction = 'inbound' AND intent = 'greeting';
		INSERT INTO messages (workspace_id, conversation_id, contact_id, direction, sender, created_at, intent)
		VALUES (1, 12, 2, 'inbound', 'contact', '2022-01-04 23:59Z', 'refund');`)
	// es 5; en: greeting of 01-04 and its refund (the greeting of 01-06
	// went); pt: order_status only; (none): the two refunds without a language
	// (sorted as the empty name, before en).
	got, _ = ranking("language", jan2022, mar2022)
	require.Equal(t, [][2]any{{"es", 5.0}, {"(none)", 2.0}, {"en", 2.0}, {"pt", 1.0}}, got)
	// order_status as before; greeting 01-03 and 01-04; refund 01-04 twice and 01-05.
	got, sql = ranking("intent", ragged, raggedEnd)
	require.Equal(t, [][2]any{{"order_status", 3.0}, {"refund", 3.0}, {"greeting", 2.0}}, got)
	require.True(t, strings.HasPrefix(sql, "/* summary: intent_total_days, intent_total_hours, intent_total_slots */"), sql)
	// The same from the levels per platform and language, which a filter
	// on the platform reads (acme has no Telegram contact).
	finer := ask(t, ds, `{"queryType":"ranking","metric":"top_intents","groupBy":"intent",
		"adhocFilters":[{"key":"platform","operator":"!=","value":"telegram"}]}`, ragged, raggedEnd)
	require.Equal(t, got, rows(t, finer))
	require.True(t, strings.HasPrefix(finer.Meta.ExecutedQueryString, "/* summary: intent_days, intent_hours, intent_slots */"),
		finer.Meta.ExecutedQueryString)
	// Excluding the language "en" keeps the rows without one (as != does).
	frame := ask(t, ds, `{"queryType":"totals","metric":"top_intents","groupBy":"intent",
		"adhocFilters":[{"key":"language","operator":"!=","value":"en"}]}`, jan2022, mar2022)
	// order_status 4 (es, es, pt, es), greeting 1 (es), refund 3 (none, none, es).
	require.Equal(t, [][2]any{{"greeting", 1.0}, {"order_status", 4.0}, {"refund", 3.0}}, rows(t, frame))
	require.True(t, strings.HasPrefix(frame.Meta.ExecutedQueryString, "/* summary: intent_days */"), frame.Meta.ExecutedQueryString)

	// Emptied: no summary row is left, and nothing is counted.
	exec(t, url, "TRUNCATE messages CASCADE")
	got, _ = ranking("intent", jan2022, mar2022)
	require.Empty(t, got)
	conn, err := pgx.Connect(context.Background(), url)
	require.NoError(t, err)
	defer func() { _ = conn.Close(context.Background()) }()
	var left int
	require.NoError(t, conn.QueryRow(context.Background(),
		`SELECT (SELECT count(*) FROM intent_slots) + (SELECT count(*) FROM intent_hours) + (SELECT count(*) FROM intent_days)
			+ (SELECT count(*) FROM intent_total_slots) + (SELECT count(*) FROM intent_total_hours) + (SELECT count(*) FROM intent_total_days)`).Scan(&left))
	require.Zero(t, left)
}

// The flow triggers' counts come from the flow trigger levels (migration 6),
// with the raw triggers of the range's partial slots, and a trigger outside
// a conversation counts under no inbox. Counted from
// testdata/chatbot_fixture.sql (acme: every trigger's conversation is in the
// WhatsApp inbox) and the two triggers added here:
//
//	01-03 10:00 welcome, 01-04 10:00 welcome, 01-04 10:05 welcome,
//	01-04 10:07 order status (added, no conversation), 01-05 10:00 order status,
//	01-06 10:00 welcome (added, conversation 14 of Web chat), 02-10 10:00 human handoff
func TestFlowTriggersFromTheFlowTriggerSummary(t *testing.T) {
	url := fixtureURL(t, "chatbot_fixture")
	ds := newDatasourceAt(t, url, "acme")
	exec(t, url, `INSERT INTO flow_triggers (workspace_id, flow_id, conversation_id, triggered_at) VALUES
		(1, 2, NULL, '2022-01-04 10:07Z'), (1, 1, 14, '2022-01-06 10:00Z')`)
	// 01-04 10:03 to 01-06 10:00:30: the whole days of 01-05, the hours
	// and slots of 01-04 and 01-06 around them, and the raw triggers of
	// 10:03 to 10:15 on 01-04 and 10:00 to 10:00:30 on 01-06.
	const from, to = "2022-01-04T10:03:00Z", "2022-01-06T10:00:30Z"
	overRange := func(query string) ([][2]any, string) {
		frame := ask(t, ds, query, from, to)
		return rows(t, frame), frame.Meta.ExecutedQueryString
	}

	// 10:05 welcome and 01-05 order status on WhatsApp, 10:07 order status
	// outside a conversation, 01-06 welcome on Web chat.
	got, sql := overRange(`{"queryType":"totals","metric":"flow_triggers","groupBy":"inbox"}`)
	require.Equal(t, [][2]any{{"(none)", 1.0}, {"Web chat", 1.0}, {"WhatsApp", 2.0}}, got)
	require.True(t, strings.HasPrefix(sql, "/* summary: flow_trigger_days, flow_trigger_hours, flow_trigger_slots */"), sql)
	got, _ = overRange(`{"queryType":"ranking","metric":"flow_triggers","groupBy":"flow"}`)
	require.Equal(t, [][2]any{{"order status", 2.0}, {"welcome", 2.0}}, got, "ties by name")

	// The 01-05 trigger leaves its conversation and the 10:05 one goes.
	exec(t, url, `UPDATE flow_triggers SET conversation_id = NULL WHERE workspace_id = 1 AND triggered_at = '2022-01-05 10:00Z';
		DELETE FROM flow_triggers WHERE workspace_id = 1 AND triggered_at = '2022-01-04 10:05Z'`)
	got, _ = overRange(`{"queryType":"ranking","metric":"flow_triggers","groupBy":"inbox"}`)
	require.Equal(t, [][2]any{{"(none)", 2.0}, {"Web chat", 1.0}}, got)
	// Excluding Web chat keeps the triggers without an inbox: both order status.
	got, _ = overRange(`{"queryType":"totals","metric":"flow_triggers","groupBy":"flow",
		"adhocFilters":[{"key":"inbox","operator":"!=","value":"Web chat"}]}`)
	require.Equal(t, [][2]any{{"order status", 2.0}}, got)

	// Emptied: no summary row is left, and nothing is counted.
	exec(t, url, "TRUNCATE flow_triggers")
	got, _ = overRange(`{"queryType":"totals","metric":"flow_triggers"}`)
	require.Equal(t, [][2]any{{"", 0.0}}, got)
	conn, err := pgx.Connect(context.Background(), url)
	require.NoError(t, err)
	defer func() { _ = conn.Close(context.Background()) }()
	var left int
	require.NoError(t, conn.QueryRow(context.Background(),
		"SELECT (SELECT count(*) FROM flow_trigger_slots) + (SELECT count(*) FROM flow_trigger_hours) + (SELECT count(*) FROM flow_trigger_days)").Scan(&left))
	require.Zero(t, left)
}
