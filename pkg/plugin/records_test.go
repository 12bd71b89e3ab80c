package plugin

import (
	"encoding/json"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/grafana/grafana-plugin-sdk-go/data"
	"github.com/stretchr/testify/require"
)

// dialogIDs reads the id column of a dialogs table.
func dialogIDs(t *testing.T, frame *data.Frame) []int64 {
	t.Helper()
	field, _ := frame.FieldByName("id")
	require.NotNil(t, field)
	ids := make([]int64, field.Len())
	for i := range ids {
		ids[i] = *field.At(i).(*int64)
	}
	return ids
}

func TestDialogsRecords(t *testing.T) {
	ds := newDatasource(t, "chatbot_fixture")
	dialogs := func(filters string) *data.Frame {
		return ask(t, ds, `{"queryType":"records","metric":"dialogs","filters":[`+filters+`]}`, jan2022, feb2022)
	}

	all := dialogs("")
	require.Equal(t, data.VisTypeTable, string(all.Meta.PreferredVisualization))
	require.Equal(t, []int64{18, 17, 15, 14, 13, 12, 11}, dialogIDs(t, all), "January's conversations, newest first")
	names := make([]string, len(all.Fields))
	for i, f := range all.Fields {
		names[i] = f.Name
	}
	require.Equal(t, []string{"id", "channel", "chat_id", "close", "contact", "count_message", "date_close", "date_contact",
		"date_interest", "date_success", "external_id", "get_contact", "interest", "is_bot", "last_message_date", "metadata",
		"operator", "previous_response_id", "success", "task", "title", "user_replied", "wh_get_contact", "wh_interest",
		"wh_success", "created", "modified", "markers"}, names, "the columns of the dialogs export, id first, then the markers")

	// Conversation 13, row 4: whatsapp contact a3, closed, 2 inbound + 1 bot + 2 agent messages,
	// contact details and success, handed to operators, in Spring sale.
	row, _ := all.RowLen()
	require.Equal(t, 7, row)
	value := func(name string) any {
		field, _ := all.FieldByName(name)
		v, ok := field.ConcreteAt(4)
		if !ok {
			return nil
		}
		return v
	}
	require.Equal(t, "whatsapp", value("channel"))
	require.Equal(t, "a3", value("chat_id"))
	require.Equal(t, true, value("close"))
	require.Equal(t, int64(5), value("count_message"))
	require.True(t, at("2022-01-05T10:05:00Z").Equal(value("date_contact").(time.Time)))
	require.True(t, at("2022-01-05T10:11:00Z").Equal(value("last_message_date").(time.Time)), "Carla's reply")
	require.Equal(t, true, value("get_contact"))
	require.Equal(t, true, value("success"))
	require.Equal(t, true, value("operator"))
	require.Equal(t, true, value("user_replied"))
	require.Equal(t, int64(1), value("task"), "Spring sale's id, as the export has it")
	require.Nil(t, value("contact"), "no details text was stored")
	// Every row's messages (18, 17, 15, 14, 13, 12, 11): 17 and 18 one broadcast
	// each and nothing inbound; the others their inbound and agent messages and
	// one bot reply.
	require.Equal(t, []any{1.0, 1.0, 2.0, 4.0, 5.0, 3.0, 5.0}, columnValues(t, all, "count_message"))
	require.Equal(t, []any{false, false, true, true, true, true, true}, columnValues(t, all, "user_replied"))
	// Handed off: 14, 12 and 11 once each, 13 twice; 18, 17 and 15 never.
	require.Equal(t, []any{false, false, false, true, true, true, true}, columnValues(t, all, "operator"))
	require.Equal(t, []any{"2022-01-20T09:01:00Z", "2022-01-20T09:00:00Z"}, columnValues(t, all, "last_message_date")[:2])

	require.Equal(t, []int64{12}, dialogIDs(t, dialogs(`{"dimension":"status","values":["no_operator_response"]}`)))
	require.Equal(t, []int64{18, 15, 14}, dialogIDs(t, dialogs(`{"dimension":"status","values":["active"]}`)))
	require.Equal(t, []int64{18, 17}, dialogIDs(t, dialogs(`{"dimension":"replied","values":["false"]}`)))
	require.Equal(t, []int64{17, 13, 11}, dialogIDs(t, dialogs(`{"dimension":"contact_obtained","values":["true"]}`)))
	require.Equal(t, []int64{13}, dialogIDs(t, dialogs(`{"dimension":"success","values":["true"]}`)))
	require.Equal(t, []int64{14}, dialogIDs(t, dialogs(`{"dimension":"task","values":["Renewals"]}`)))
	require.Equal(t, []int64{15, 14}, dialogIDs(t, dialogs(
		`{"dimension":"platform","values":["webchat"]},{"dimension":"status","values":["active","closed"]}`)))

	limited := ask(t, ds, `{"queryType":"records","metric":"dialogs","limit":2}`, jan2022, feb2022)
	require.Equal(t, []int64{18, 17}, dialogIDs(t, limited))

	grouped := queryOnce(t, ds, `{"queryType":"records","metric":"dialogs","groupBy":"task"}`, jan2022, feb2022)
	require.EqualError(t, grouped.Error, "records are not grouped: remove the group by, or use totals")
}

// The dialogs' markers and their marker and message text filters. Markers:
// vip on 11 and 13, complaint on 13 and 16. Texts (see the fixture): in
// January "Where is my order?" and "  where is my   order" (11), "Where is
// my order?!" (13), "WHERE IS MY ORDER" (14), "I want a refund" (13), "hi"
// (14), the bot's "How can I help?" in 11 to 15; in March "Is the 50%
// discount still on?" (19), "order_42 has not arrived" (20), "orderX42 is
// late" (21), "Saved it as C:\temp\invoice.pdf" (22).
func TestDialogsMarkersAndTextSearch(t *testing.T) {
	ds := newDatasource(t, "chatbot_fixture")
	dialogs := func(filters, from, to string) *data.Frame {
		return ask(t, ds, `{"queryType":"records","metric":"dialogs","filters":[`+filters+`]}`, from, to)
	}
	january := dialogs("", jan2022, feb2022)
	require.Equal(t, []int64{18, 17, 15, 14, 13, 12, 11}, dialogIDs(t, january))
	require.Equal(t, []any{nil, nil, nil, nil, "complaint, vip", nil, "vip"}, columnValues(t, january, "markers"),
		"sorted names; null without a marker")

	require.Equal(t, []int64{13, 11}, dialogIDs(t, dialogs(`{"dimension":"marker","values":["vip"]}`, jan2022, mar2022)))
	require.Equal(t, []int64{16, 13}, dialogIDs(t, dialogs(`{"dimension":"marker","values":["complaint"]}`, jan2022, mar2022)))
	require.Empty(t, dialogIDs(t, dialogs(`{"dimension":"marker","values":["complaint","vip"]},{"dimension":"platform","values":["webchat"]}`, jan2022, mar2022)))

	text := func(from, to string, values ...string) []int64 {
		quoted, _ := json.Marshal(values)
		return dialogIDs(t, dialogs(`{"dimension":"message_text","values":`+string(quoted)+`}`, from, to))
	}
	require.Equal(t, []int64{14, 13, 11}, text(jan2022, feb2022, "where is MY order"), "case does not matter")
	require.Equal(t, []int64{15, 14, 13, 12, 11}, text(jan2022, feb2022, "help"), "any message counts, the bot's too")
	require.Equal(t, []int64{14, 13}, text(jan2022, feb2022, "refund", "hi"), "several values: any of them")
	require.Empty(t, text(jan2022, feb2022, "discount"), "19 is in March")

	// Wildcards and the escape character match themselves: unescaped, "%"
	// would keep every March dialog (newest first: 22, 20, 21, 19), "order_4" also 21's "orderX42", and
	// "C:	emp" would look for "C:temp".
	const march, april = "2022-03-01T00:00:00Z", "2022-04-01T00:00:00Z"
	require.Equal(t, []int64{22, 20, 21, 19}, text(march, april, " "))
	require.Equal(t, []int64{19}, text(march, april, "%"))
	require.Equal(t, []int64{19}, text(march, april, "50% DISCOUNT"))
	require.Equal(t, []int64{20}, text(march, april, "order_4"))
	require.Equal(t, []int64{20, 21}, text(march, april, "order"))
	require.Equal(t, []int64{22}, text(march, april, `C:\temp\`))
	require.Empty(t, text(march, april, "_x"))

	// Over several months the search goes month window by month window,
	// newest first ([Mar, Apr), [Feb, Mar), [Jan, Feb)), each searched only
	// while the page is not full: the page is the same as one search of the
	// whole range, cut where the limit falls.
	search := func(limit int, values ...string) ([]int64, string) {
		quoted, _ := json.Marshal(values)
		frame := ask(t, ds, `{"queryType":"records","metric":"dialogs","limit":`+strconv.Itoa(limit)+
			`,"filters":[{"dimension":"message_text","values":`+string(quoted)+`}]}`, jan2022, april)
		return dialogIDs(t, frame), frame.Meta.ExecutedQueryString
	}
	ids, executed := search(1000, "order")
	require.Equal(t, []int64{20, 21, 14, 13, 11}, ids, "March's, then January's")
	require.Contains(t, executed, "dialogs_window_3 AS MATERIALIZED")
	ids, _ = search(2, "order")
	require.Equal(t, []int64{20, 21}, ids, "March fills the page")
	ids, _ = search(3, "order")
	require.Equal(t, []int64{20, 21, 14}, ids, "February has none, January the third")
	ids, _ = search(1000, "refund", "discount")
	require.Equal(t, []int64{19, 16, 13}, ids, "one in each window (16's \"I want a refund.\" on 2022-02-10)")
	ids, _ = search(2, "refund", "discount")
	require.Equal(t, []int64{19, 16}, ids)
	ids, _ = search(1000, "help")
	require.Equal(t, []int64{16, 15, 14, 13, 12, 11}, ids, "none in March; February's bot reply to 16, then January's")

	// A value that looks like SQL is a text like any other.
	require.Empty(t, text(march, april, `'; DROP TABLE messages; --`))
	require.Equal(t, []int64{22, 20, 21, 19}, dialogIDs(t, dialogs("", march, april)), "and the messages are still there")
}

// Conversation 13: contact a3 wrote at 10:00 and 10:01, the bot answered at
// 10:00:30, then Bruno at 10:08 and, after the transfer, Carla at 10:11.
func TestTranscript(t *testing.T) {
	ds := newDatasource(t, "chatbot_fixture")
	frame := ask(t, ds, `{"queryType":"records","metric":"transcript","conversationId":13}`, jan2022, feb2022)
	column := func(name string) []any {
		field, _ := frame.FieldByName(name)
		require.NotNil(t, field, name)
		values := make([]any, field.Len())
		for i := range values {
			values[i], _ = field.ConcreteAt(i)
		}
		return values
	}
	require.Equal(t, []any{"a3", "bot", "a3", "Bruno", "Carla"}, column("author"))
	times := column("time")
	for i, want := range []string{"2022-01-05T10:00:00Z", "2022-01-05T10:00:30Z", "2022-01-05T10:01:00Z", "2022-01-05T10:08:00Z", "2022-01-05T10:11:00Z"} {
		require.True(t, at(want).Equal(times[i].(time.Time)), "message %d", i)
	}
	require.Equal(t, []any{"Where is my order?!", "How can I help?", "I want a refund", "", ""}, column("text"))
	require.Equal(t, []any{int64(13), int64(13), int64(13), int64(13), int64(13)}, column("session_id"))
	require.Equal(t, "a3", column("client_id")[0])
	require.InDelta(t, 0.05, column("dialog_cost")[0].(float64), 1e-12)
	require.True(t, at("2022-01-05T10:00:00Z").Equal(column("chat_date")[0].(time.Time)))

	for query, message := range map[string]string{
		`{"queryType":"records","metric":"transcript"}`:                     "a transcript needs a conversationId: set the conversation's id (the dialogs table's id column)",
		`{"queryType":"records","metric":"transcript","conversationId":99}`: "conversation 99 is not in this workspace: check the conversationId (the dialogs table's id column)",
	} {
		resp := queryOnce(t, ds, query, jan2022, feb2022)
		require.EqualError(t, resp.Error, message)
		require.EqualValues(t, 400, resp.Status)
	}
}

// Phrases after normalising case, white space and trailing punctuation (see
// the fixture's message texts).
func TestPopularAndClientPhrases(t *testing.T) {
	ds := newDatasource(t, "chatbot_fixture")
	client := rows(t, ask(t, ds, `{"queryType":"ranking","metric":"client_phrases","groupBy":"phrase"}`, jan2022, feb2022))
	require.Equal(t, [][2]any{{"where is my order", 4.0}, {"hello", 2.0}, {"hi", 1.0}, {"i want a refund", 1.0}, {"thanks", 1.0}}, client)

	twoMonths := rows(t, ask(t, ds, `{"queryType":"ranking","metric":"client_phrases","groupBy":"phrase","limit":2,
		"filters":[{"dimension":"phrase","values":["i want a refund","hello"]}]}`, jan2022, mar2022))
	require.Equal(t, [][2]any{{"hello", 2.0}, {"i want a refund", 2.0}}, twoMonths)

	popular := rows(t, ask(t, ds, `{"queryType":"ranking","metric":"popular_phrases","groupBy":"phrase","limit":2}`, jan2022, feb2022))
	require.Equal(t, [][2]any{{"how can i help", 5.0}, {"where is my order", 4.0}}, popular)
	botOnly := rows(t, ask(t, ds, `{"queryType":"ranking","metric":"popular_phrases","groupBy":"phrase",
		"filters":[{"dimension":"sender","values":["bot"]}]}`, jan2022, mar2022))
	require.Equal(t, [][2]any{{"how can i help", 6.0}}, botOnly)
}

// The phrase metrics read the phrase summaries' whole UTC days and hours and
// the raw messages of the partial hours at a range's ends; minute buckets
// (a boundary inside an hour) read the raw messages.
func TestPhrasesFromTheirSummaries(t *testing.T) {
	ds := newDatasource(t, "chatbot_fixture")
	client := ask(t, ds, `{"queryType":"ranking","metric":"client_phrases","groupBy":"phrase"}`, jan2022, feb2022)
	// A ranking by phrase reads the phrases' totals of all time first
	// (migration 27), then the rows per phrase and direction (migration 29).
	require.True(t, strings.HasPrefix(client.Meta.ExecutedQueryString, "/* summary: phrase_totals, phrase_direction_days */ "), client.Meta.ExecutedQueryString)
	// Kept to both platforms, the rows per platform answer the same.
	bothPlatforms := ask(t, ds, `{"queryType":"ranking","metric":"client_phrases","groupBy":"phrase",
		"filters":[{"dimension":"platform","values":["whatsapp","webchat"]}]}`, jan2022, feb2022)
	require.True(t, strings.HasPrefix(bothPlatforms.Meta.ExecutedQueryString, "/* summary: phrase_totals, phrase_days */ "), bothPlatforms.Meta.ExecutedQueryString)
	require.Equal(t, rows(t, client), rows(t, bothPlatforms))
	require.NotEmpty(t, rows(t, client))

	// From 01-03 10:00:30 to 01-05 10:00:30: 01-04 is a whole day, 01-03
	// 11:00 to 24:00 and 01-05 00:00 to 10:00 whole hours, and the raw
	// messages of 01-03 10:01 ("  where is my   order") and 10:02
	// ("Hello!") are in, those of 01-03 10:00 and 01-05 10:01 out. With
	// 01-04's "hello" and "Thanks." and 01-05 10:00's "Where is my
	// order?!": where is my order 2, hello 2, thanks 1.
	edges := ask(t, ds, `{"queryType":"ranking","metric":"client_phrases","groupBy":"phrase"}`, "2022-01-03T10:00:30Z", "2022-01-05T10:00:30Z")
	require.True(t, strings.HasPrefix(edges.Meta.ExecutedQueryString, "/* summary: phrase_totals, phrase_direction_days, phrase_direction_hours */ "), edges.Meta.ExecutedQueryString)
	require.Equal(t, [][2]any{{"hello", 2.0}, {"where is my order", 2.0}, {"thanks", 1.0}}, rows(t, edges))

	// Minute buckets of 01-03 10:00 to 10:03: the client's "Where is my
	// order?" (10:00), "  where is my   order" (10:01) and "Hello!" (10:02),
	// and the bot's "How can I help?" (10:00:30).
	minutes := ask(t, ds, `{"metric":"popular_phrases","groupBy":"phrase","interval":"minute"}`, "2022-01-03T10:00:00Z", "2022-01-03T10:03:00Z")
	require.True(t, strings.HasPrefix(minutes.Meta.ExecutedQueryString, "/* raw */ "), minutes.Meta.ExecutedQueryString)
	values, _ := series(t, minutes)
	require.Equal(t, map[string][]float64{"where is my order": {1, 1, 0}, "hello": {0, 0, 1}, "how can i help": {1, 0, 0}}, values)
}

// Sources per platform. January: bot replies whatsapp 3 (11, 12, 13) and
// webchat 2 (14, 15); agent messages whatsapp 3 (Ana in 11, Bruno and Carla
// in 13) and webchat 1 (Ana in 14); transferred whatsapp 3 (11, 12, 13) and
// webchat 1 (14).
func TestSourcesTable(t *testing.T) {
	ds := newDatasource(t, "chatbot_fixture")
	table := func(query, from, to string) [][]any {
		frame := ask(t, ds, query, from, to)
		out := make([][]any, frame.Rows())
		for i := range out {
			for _, field := range frame.Fields {
				value, _ := field.ConcreteAt(i)
				out[i] = append(out[i], value)
			}
		}
		return out
	}
	require.Equal(t, [][]any{{"webchat", int64(2), int64(1), int64(1)}, {"whatsapp", int64(3), int64(3), int64(3)}},
		table(`{"queryType":"records","metric":"sources"}`, jan2022, feb2022))
	require.Equal(t, [][]any{{"whatsapp", int64(1), int64(1), int64(1)}},
		table(`{"queryType":"records","metric":"sources","filters":[{"dimension":"platform","values":["whatsapp"]}]}`, feb2022, mar2022))
	// Conversation 16 started at 2022-02-10 10:00; in its first ten seconds
	// only the contact wrote, so the platform has a transfer and no messages.
	require.Equal(t, [][]any{{"whatsapp", int64(0), int64(0), int64(1)}},
		table(`{"queryType":"records","metric":"sources"}`, "2022-02-10T10:00:00Z", "2022-02-10T10:00:10Z"))
}

// A dialog's id links to its transcript, and the link's query, once Grafana
// puts the row's id in, answers with that conversation's messages.
func TestDialogsLinkToTheirTranscript(t *testing.T) {
	ds := newDatasource(t, "chatbot_fixture")
	frame := ask(t, ds, `{"queryType":"records","metric":"dialogs"}`, jan2022, feb2022)
	idField, _ := frame.FieldByName("id")
	require.NotNil(t, idField)
	require.Len(t, idField.Config.Links, 1)
	link := idField.Config.Links[0]
	require.Equal(t, "Transcript", link.Title)
	require.Equal(t, "chatbot-test", link.Internal.DatasourceUID)

	query, err := json.Marshal(link.Internal.Query)
	require.NoError(t, err)
	require.Contains(t, string(query), `"conversationId":"${__value.raw}"`)
	clicked := strings.ReplaceAll(string(query), "${__value.raw}", "13")
	transcript := ask(t, ds, clicked, jan2022, feb2022)
	session, _ := transcript.FieldByName("session_id")
	require.Equal(t, 5, session.Len())
	first, _ := session.ConcreteAt(0)
	require.Equal(t, int64(13), first)
}

// An agent ranking links each agent to its activity over time; the link's
// query, with the agent's name put in, is a valid query of that agent alone.
func TestAgentRankingsLinkToTheAgent(t *testing.T) {
	ds := newDatasource(t, "chatbot_fixture")
	frame := ask(t, ds, `{"queryType":"ranking","metric":"conversation_minutes","groupBy":"agent"}`, jan2022, feb2022)
	idField, _ := frame.FieldByName("agent_id")
	require.Len(t, idField.Config.Links, 2)
	query, err := json.Marshal(idField.Config.Links[0].Internal.Query)
	require.NoError(t, err)
	clicked := strings.ReplaceAll(string(query), "${__data.fields.agent}", "Carla")
	handled, _ := series(t, ask(t, ds, strings.Replace(clicked, `"queryType":"timeseries"`, `"queryType":"timeseries","interval":"month"`, 1), jan2022, feb2022))
	require.Equal(t, map[string][]float64{"Handled conversations": {1}}, handled, "Carla accepted assignment 4")
}

// A dialog's messages are read between its start and its close, both
// included (docs/schema.md: every message falls in [started_at, closed_at]):
// with each closed conversation closed at its last message, the counts,
// last times and replies stay what they were.
func TestDialogsCountTheMessageAtTheClose(t *testing.T) {
	url := fixtureURL(t, "chatbot_fixture")
	ds := newDatasourceAt(t, url, "acme")
	dialogs := func() *data.Frame {
		return ask(t, ds, `{"queryType":"records","metric":"dialogs"}`, jan2022, feb2022)
	}
	before := dialogs()
	exec(t, url, `UPDATE conversations v SET closed_at = (SELECT max(m.created_at) FROM messages m
		WHERE m.workspace_id = v.workspace_id AND m.conversation_id = v.id)
		WHERE v.closed_at IS NOT NULL AND v.started_at < '2022-02-01'`)
	after := dialogs()
	require.Equal(t, dialogIDs(t, before), dialogIDs(t, after))
	closedAtLast, _ := after.FieldByName("date_close")
	last, _ := after.FieldByName("last_message_date")
	closed := 0
	for i := 0; i < after.Rows(); i++ {
		if _, ok := closedAtLast.ConcreteAt(i); ok {
			require.Equal(t, last.At(i), closedAtLast.At(i), "row %d closes at its last message", i)
			closed++
		}
	}
	require.Equal(t, 4, closed, "the January conversations closed in the fixture")
	for _, column := range []string{"count_message", "last_message_date", "user_replied"} {
		require.Equal(t, columnValues(t, before, column), columnValues(t, after, column), column)
	}
}

// TestDialogFactsUnderConcurrentWriters adds a message to a conversation
// while another transaction removes one of its messages, in both orders: the
// dialog's message count, last message and reply stay those of the messages
// committed (migration 38 locks the conversation's row before the remover
// reads its newest message again).
func TestDialogFactsUnderConcurrentWriters(t *testing.T) {
	url := fixtureURL(t, "chatbot_fixture")
	ds := newDatasourceAt(t, url, "acme")
	// facts are conversation 17's count_message, last_message_date and user_replied.
	facts := func() []any {
		t.Helper()
		frame := ask(t, ds, `{"queryType":"records","metric":"dialogs"}`, jan2022, feb2022)
		row := slices.Index(dialogIDs(t, frame), 17)
		require.GreaterOrEqual(t, row, 0)
		out := make([]any, 0, 3)
		for _, column := range []string{"count_message", "last_message_date", "user_replied"} {
			out = append(out, columnValues(t, frame, column)[row])
		}
		return out
	}
	// 17 holds one broadcast, at its start.
	require.Equal(t, []any{1.0, "2022-01-20T09:00:00Z", false}, facts())

	// A reply at 09:40, uncommitted, while another transaction deletes the
	// broadcast: the remover reads the newest message after the reply
	// committed.
	writeWhileAnotherWaits(t, url,
		`INSERT INTO messages (workspace_id, conversation_id, contact_id, direction, sender, created_at)
		VALUES (1, 17, 2, 'inbound', 'contact', '2022-01-20 09:40Z')`,
		`DELETE FROM messages WHERE workspace_id = 1 AND conversation_id = 17 AND created_at = '2022-01-20 09:00Z'`)
	require.Equal(t, []any{1.0, "2022-01-20T09:40:00Z", true}, facts())

	// The reply deleted, uncommitted, while another transaction adds a bot
	// message at 09:20: the last message is 09:20, not the deleted 09:40.
	writeWhileAnotherWaits(t, url,
		`DELETE FROM messages WHERE workspace_id = 1 AND conversation_id = 17 AND created_at = '2022-01-20 09:40Z'`,
		`INSERT INTO messages (workspace_id, conversation_id, contact_id, direction, sender, created_at)
		VALUES (1, 17, 2, 'outbound', 'bot', '2022-01-20 09:20Z')`)
	require.Equal(t, []any{1.0, "2022-01-20T09:20:00Z", false}, facts())

	// Moved earlier within the conversation, the only message is still the last.
	exec(t, url, `UPDATE messages SET created_at = '2022-01-20 09:10Z' WHERE workspace_id = 1 AND conversation_id = 17`)
	require.Equal(t, []any{1.0, "2022-01-20T09:10:00Z", false}, facts())
}
