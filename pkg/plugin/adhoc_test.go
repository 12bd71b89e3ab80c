package plugin

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/grafana/grafana-plugin-sdk-go/data"
	"github.com/grafana/grafana-plugin-sdk-go/experimental"
	"github.com/stretchr/testify/require"
)

// The end of March 2022, in chatbot_fixture.sql's ranges.
const apr2022 = "2022-04-01T00:00:00Z"

// noticeTexts are a frame's notices' texts, every one a warning.
func noticeTexts(t *testing.T, frame *data.Frame) []string {
	t.Helper()
	texts := []string{}
	if frame.Meta == nil {
		return texts
	}
	for _, n := range frame.Meta.Notices {
		require.Equal(t, data.NoticeSeverityWarning, n.Severity)
		texts = append(texts, n.Text)
	}
	return texts
}

// The dashboard's ad hoc filters apply to every query whose metric has the
// dimension: = and =| keep the values, != and !=| the other rows, rows
// without a value among them; they narrow the query's own filters (AND); a
// summary answers them as it answers the query's own filters.
func TestAdHocFiltersApply(t *testing.T) {
	ds := newDatasource(t, "chatbot_fixture")
	cases := []struct {
		name, query, from, to string
		want                  [][2]any
		// summary is set when a summary table must answer.
		summary bool
	}{
		// March's assignments: 7 Support, 8 Sales, 9 Support, 10 without a team,
		// each of another contact (7, 2, 1, 3): distinct contacts, which no
		// summary keeps, count them.
		{"raw, no ad hoc filter", `{"queryType":"totals","metric":"unique_users_served","groupBy":"team"}`, mar2022, apr2022,
			[][2]any{{"(none)", 1.0}, {"Sales", 1.0}, {"Support", 2.0}}, false},
		{"raw, include", `{"queryType":"totals","metric":"unique_users_served",
			"adhocFilters":[{"key":"team","operator":"=","value":"Sales"}]}`, mar2022, apr2022,
			[][2]any{{"", 1.0}}, false},
		// 7, 9 and 10: the assignment without a team is not Sales either.
		{"raw, exclude keeps rows without a value", `{"queryType":"totals","metric":"unique_users_served",
			"adhocFilters":[{"key":"team","operator":"!=","value":"Sales"}]}`, mar2022, apr2022,
			[][2]any{{"", 3.0}}, false},
		{"raw, multi-value include", `{"queryType":"totals","metric":"unique_users_served","groupBy":"team",
			"adhocFilters":[{"key":"team","operator":"=|","value":"Sales","values":["Sales","Support"]}]}`, mar2022, apr2022,
			[][2]any{{"Sales", 1.0}, {"Support", 2.0}}, false},
		// Only 10 is neither.
		{"raw, multi-value exclude", `{"queryType":"totals","metric":"unique_users_served","groupBy":"team",
			"adhocFilters":[{"key":"team","operator":"!=|","value":"Sales","values":["Sales","Support"]}]}`, mar2022, apr2022,
			[][2]any{{"(none)", 1.0}}, false},
		// The query keeps Sales and Support (7, 8, 9), the ad hoc filter drops Support: 8.
		{"raw, with the query's own filter on the same dimension", `{"queryType":"totals","metric":"unique_users_served",
			"filters":[{"dimension":"team","values":["Sales","Support"]}],
			"adhocFilters":[{"key":"team","operator":"!=","value":"Support"}]}`, mar2022, apr2022,
			[][2]any{{"", 1.0}}, false},
		// January's inbound messages: whatsapp 3 + 2 + 2 (11, 12, 13), webchat 2 + 1 (14, 15).
		{"summary, no ad hoc filter", `{"queryType":"totals","metric":"messages_received","groupBy":"platform"}`, jan2022, feb2022,
			[][2]any{{"webchat", 3.0}, {"whatsapp", 7.0}}, true},
		{"summary, exclude", `{"queryType":"totals","metric":"messages_received","groupBy":"platform",
			"adhocFilters":[{"key":"platform","operator":"!=","value":"whatsapp"}]}`, jan2022, feb2022,
			[][2]any{{"webchat", 3.0}}, true},
		{"summary, multi-value include", `{"queryType":"totals","metric":"messages_received",
			"adhocFilters":[{"key":"platform","operator":"=|","value":"webchat","values":["webchat","telegram"]}]}`, jan2022, feb2022,
			[][2]any{{"", 3.0}}, true},
		// The query keeps both inboxes, the ad hoc filter drops "Web chat" (14, 15): 7.
		{"summary, with the query's own filter on the same dimension", `{"queryType":"totals","metric":"messages_received",
			"filters":[{"dimension":"inbox","values":["WhatsApp","Web chat"]}],
			"adhocFilters":[{"key":"inbox","operator":"!=|","value":"Web chat","values":["Web chat"]}]}`, jan2022, feb2022,
			[][2]any{{"", 7.0}}, true},
		// Two ad hoc filters on two dimensions both apply: whatsapp, not the WhatsApp inbox: none.
		{"summary, two ad hoc filters", `{"queryType":"totals","metric":"messages_received",
			"adhocFilters":[{"key":"platform","operator":"=","value":"whatsapp"},{"key":"inbox","operator":"!=","value":"WhatsApp"}]}`, jan2022, feb2022,
			[][2]any{{"", 0.0}}, true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			frame := ask(t, ds, c.query, c.from, c.to)
			require.Equal(t, c.want, rows(t, frame))
			require.Empty(t, noticeTexts(t, frame), "every ad hoc filter applied")
			require.Equal(t, c.summary, strings.HasPrefix(frame.Meta.ExecutedQueryString, "/* summary: "), frame.Meta.ExecutedQueryString)
		})
	}
}

// Ad hoc filters on a marker (a conversation has several) and on the sources
// table exclude as the others do.
func TestAdHocFiltersExcludeInRecords(t *testing.T) {
	ds := newDatasource(t, "chatbot_fixture")
	// January's dialogs are 11..15, 17 and 18; vip marks 11 and 13.
	frame := ask(t, ds, `{"queryType":"records","metric":"dialogs","adhocFilters":[{"key":"marker","operator":"!=","value":"vip"}]}`, jan2022, feb2022)
	require.Equal(t, []any{18.0, 17.0, 15.0, 14.0, 12.0}, columnValues(t, frame, "id"))
	frame = ask(t, ds, `{"queryType":"records","metric":"dialogs","adhocFilters":[{"key":"marker","operator":"=","value":"vip"}]}`, jan2022, feb2022)
	require.Equal(t, []any{13.0, 11.0}, columnValues(t, frame, "id"))
	// The sources table has one row per platform; != whatsapp leaves webchat.
	frame = ask(t, ds, `{"queryType":"records","metric":"sources","adhocFilters":[{"key":"platform","operator":"!=","value":"whatsapp"}]}`, jan2022, feb2022)
	require.Equal(t, []any{"webchat"}, columnValues(t, frame, "platform"))
}

// A filter the query's metric cannot apply is left out with a warning notice
// saying which and why; the query still answers, and its neighbours too.
func TestAdHocFiltersNotAppliedAreNoticed(t *testing.T) {
	ds := newDatasource(t, "chatbot_fixture")
	response := queryOnce(t, ds, `{"queryType":"totals","metric":"top_intents","groupBy":"intent","adhocFilters":[
		{"key":"team","operator":"=","value":"Sales"},
		{"key":"platform","operator":"=~","value":"whats.*"},
		{"key":"language","operator":"<","value":"fr"},
		{"key":"mood","operator":"=","value":"happy"},
		{"key":"platforms","operator":"=","value":"webchat"},
		{"key":"language","operator":"=","value":""},
		{"key":"platform","operator":"=","value":"whatsapp"}]}`, jan2022, feb2022)
	require.NoError(t, response.Error)
	experimental.CheckGoldenJSONResponse(t, "testdata/golden", "adhoc_filters_not_applied", &response, *updateGolden)
	frame := response.Frames[0]
	// The last filter applies: whatsapp's intents in January are 11's order_status
	// twice and greeting, 12's greeting, 13's order_status and refund.
	require.Equal(t, [][2]any{{"greeting", 2.0}, {"order_status", 3.0}, {"refund", 1.0}}, rows(t, frame))
	require.Equal(t, []string{
		"ad hoc filter team = Sales is not applied: top_intents cannot be filtered by team (it can by: intent, platform, language)",
		"ad hoc filter platform =~ whats.* is not applied: operator =~ is not supported: use = or != (=| and !=| for several values); " +
			"this data source compares whole values, without regular expressions or order",
		"ad hoc filter language < fr is not applied: operator < is not supported: use = or != (=| and !=| for several values); " +
			"this data source compares whole values, without regular expressions or order",
		`ad hoc filter mood = happy is not applied: dimension "mood" is unknown`,
		`ad hoc filter platforms = webchat is not applied: dimension "platforms" is unknown (did you mean platform?)`,
		`ad hoc filter language = "" is not applied: it has no value`,
	}, noticeTexts(t, frame))

	// A transcript takes no filters at all.
	frame = ask(t, ds, `{"queryType":"records","metric":"transcript","conversationId":13,
		"adhocFilters":[{"key":"platform","operator":"=","value":"webchat"}]}`, jan2022, feb2022)
	require.Equal(t, 5, frame.Rows(), "13's messages: 2 inbound, the bot's reply and 2 agents' replies")
	require.Equal(t, []string{"ad hoc filter platform = webchat is not applied: transcript takes no filters"}, noticeTexts(t, frame))
}

// The keys of the dashboard's ad hoc filters: the dimensions with values to
// pick, all of them or those the dashboard's metrics can filter by.
func TestTagKeysResource(t *testing.T) {
	ds := newDatasource(t, "chatbot_fixture")
	keys := func(path string) []tagKey {
		response := callResource(t, ds, http.MethodGet, path)
		require.Equal(t, http.StatusOK, response.Status, path)
		var body tagKeysResponse
		require.NoError(t, json.Unmarshal(response.Body, &body))
		return body.Keys
	}
	all := keys("tag-keys")
	require.Len(t, all, 22, "the catalog's 23 dimensions less message_text")
	require.Equal(t, tagKey{Text: "Platform", Value: "platform"}, all[0])
	require.NotContains(t, all, tagKey{Text: "Message text contains", Value: "message_text"})

	// The dialogs' dimensions less message_text, with top_intents' intent and
	// language, in the catalog's order; an unknown id is skipped.
	require.Equal(t, []tagKey{
		{"Platform", "platform"}, {"Intent", "intent"}, {"Language", "language"}, {"Task", "task"}, {"Marker", "marker"},
		{"Dialog status", "status"}, {"Replied", "replied"}, {"Interest", "interest"}, {"Contact obtained", "contact_obtained"},
		{"Success", "success"},
	}, keys("tag-keys?metric=dialogs&metric=top_intents&metric=$metric"))
	require.Equal(t, all, keys("tag-keys?metric=nothing"), "no known metric: every key")
	require.Empty(t, keys("tag-keys?metric=transcript"), "a transcript takes no filters")
}

// A variable narrowed to the values for which a metric has data in the range:
// its totals (or snapshot) by the dimension, present and not zero.
func TestDimensionValuesWithDataForAMetric(t *testing.T) {
	url := fixtureURL(t, "chatbot_fixture")
	acme := newDatasourceAt(t, url, "acme")
	const (
		jan    = "from=1640995200000&to=1643673600000"
		feb    = "from=1643673600000&to=1646092800000"
		mar    = "from=1646092800000&to=1648771200000"
		janMar = "from=1640995200000&to=1648771200000"
		// 2022-03-10 from 09:00 to 09:12 and to 09:30.
		mar10at0912 = "from=1646902800000&to=1646903520000"
		mar10at0930 = "from=1646902800000&to=1646904600000"
	)
	cases := []struct {
		path   string
		status int
		values []string
	}{
		// Missed: assignment 2 (January) and 9 (March), both Support; none in February.
		{"dimensions/team/values?metric=missed_conversations&" + jan, 200, []string{"Support"}},
		{"dimensions/team/values?metric=missed_conversations&" + feb, 200, []string{}},
		// March's assignments: 8 Sales, 7 and 9 Support; 10 has no team and is no value.
		{"dimensions/team/values?metric=cc_conversations&" + mar, 200, []string{"Sales", "Support"}},
		// Inbound intents in February: only 16's refund (the bot's greeting is outbound).
		{"dimensions/intent/values?metric=top_intents&" + feb, 200, []string{"refund"}},
		// By latest activity, as the values resource orders intents (any message's):
		// the bot's greeting in 16 at 02-10 10:00:30, refund at 10:00, order_status on 01-06.
		{"dimensions/intent/values?metric=top_intents&order=recent&" + janMar, 200, []string{"greeting", "refund", "order_status"}},
		// A closed vocabulary keeps the catalog's order: January's outbound senders
		// are bot (5), agent (4) and broadcast (2); February's bot and agent (16).
		{"dimensions/sender/values?metric=messages_sent&" + jan, 200, []string{"bot", "agent", "broadcast"}},
		{"dimensions/sender/values?metric=messages_sent&order=recent&" + feb, 200, []string{"bot", "agent"}},
		// A snapshot, at the range's end: at 09:12 assignments 7 and 9 (Support) wait;
		// at 09:30 also 8 (Sales, accepted at 09:50).
		{"dimensions/team/values?metric=waiting_now&" + mar10at0912, 200, []string{"Support"}},
		{"dimensions/team/values?metric=waiting_now&" + mar10at0930, 200, []string{"Sales", "Support"}},
		// Errors.
		{"dimensions/team/values?metric=missed_conversations", 400, []string{
			`metric="missed_conversations" narrows the values to those with data in a time range: pass from and to as well (epoch milliseconds, as Grafana's time range)`}},
		{"dimensions/team/values?metric=a&metric=b&" + jan, 400, []string{"metric is given 2 times: pass it once"}},
		{"dimensions/team/values?metric=missed&" + jan, 400, []string{
			`metric "missed" is unknown: did you mean missed_conversations? Otherwise choose one of the 69 metrics the query editor lists (resource catalog)`}},
		{"dimensions/intent/values?metric=missed_conversations&" + jan, 400, []string{
			"metric missed_conversations cannot group by intent, so it cannot narrow the values of intent: " +
				"choose a metric that groups by intent, such as top_intents"}},
		// Near ids that can: they share the word messages.
		{"dimensions/sender/values?metric=messages_received&" + jan, 400, []string{
			"metric messages_received cannot group by sender, so it cannot narrow the values of sender: " +
				"did you mean messages_sent, cc_messages or total_messages? " +
				"Otherwise choose a metric that groups by sender, such as messages_sent, total_messages, cc_messages"}},
		{"dimensions/platform/values?metric=dialogs&" + jan, 400, []string{
			"metric dialogs lists records, it has no totals by platform to narrow by: choose a metric with totals or a snapshot"}},
		{"dimensions/message_text/values?metric=dialogs&" + jan, 400, []string{
			"metric dialogs cannot group by message_text, and no metric can: message_text has no values to narrow"}},
		{"dimensions/agent/values?metric=handled_conversations&order=recent&" + jan, 400, []string{
			"the values of agent have no activity to order by: use order=name"}},
		{"dimensions/mood/values?metric=top_intents&" + jan, 404, []string{
			`dimension "mood" is unknown: use one of the dimension ids the catalog resource lists`}},
	}
	for _, c := range cases {
		status, values := dimensionValues(t, acme, c.path)
		require.Equal(t, c.status, status, c.path)
		require.Equal(t, c.values, values, c.path)
	}
}
