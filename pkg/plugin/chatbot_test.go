package plugin

import (
	"testing"

	"github.com/grafana/grafana-plugin-sdk-go/data"
	"github.com/stretchr/testify/require"
)

const jan2022, feb2022, mar2022 = "2022-01-01T00:00:00Z", "2022-02-01T00:00:00Z", "2022-03-01T00:00:00Z"

// rows reads a totals or ranking frame as (group, value) pairs in frame order;
// an ungrouped frame has the group "", a grouping without groups no rows.
func rows(t *testing.T, frame *data.Frame) [][2]any {
	t.Helper()
	require.Equal(t, data.FrameTypeNumericLong, frame.Meta.Type)
	require.NotEmpty(t, frame.Meta.ExecutedQueryString)
	if len(frame.Fields) == 0 {
		return [][2]any{}
	}
	valueField := frame.Fields[len(frame.Fields)-1]
	out := make([][2]any, frame.Rows())
	for i := range out {
		group := ""
		if len(frame.Fields) >= 2 {
			group = frame.Fields[0].At(i).(string)
		}
		value, ok := valueField.ConcreteAt(i)
		require.True(t, ok)
		out[i] = [2]any{group, value}
	}
	return out
}

// januaryTotals is a totals query over January 2022, grouped when groupBy is set.
func januaryTotals(t *testing.T, ds *Datasource, metric, groupBy string) [][2]any {
	t.Helper()
	query := `{"queryType":"totals","metric":"` + metric + `"`
	if groupBy != "" {
		query += `,"groupBy":"` + groupBy + `"`
	}
	return rows(t, ask(t, ds, query+`}`, jan2022, feb2022))
}

func TestTopIntentsRanking(t *testing.T) {
	ds := newDatasource(t, "chatbot_fixture")
	// January: order_status 2+1+1, greeting 1+1+1, refund 1; outbound "greeting" replies and
	// messages without intent are not counted.
	january := rows(t, ask(t, ds, `{"queryType":"ranking","metric":"top_intents","groupBy":"intent"}`, jan2022, feb2022))
	require.Equal(t, [][2]any{{"order_status", 4.0}, {"greeting", 3.0}, {"refund", 1.0}}, january)

	top2 := rows(t, ask(t, ds, `{"queryType":"ranking","metric":"top_intents","groupBy":"intent","limit":2}`, jan2022, mar2022))
	require.Equal(t, [][2]any{{"order_status", 4.0}, {"greeting", 3.0}}, top2)

	onWebchat := rows(t, ask(t, ds, `{"queryType":"ranking","metric":"top_intents","groupBy":"intent",
		"filters":[{"dimension":"platform","values":["webchat"]}]}`, jan2022, mar2022))
	require.Equal(t, [][2]any{{"greeting", 1.0}, {"order_status", 1.0}}, onWebchat, "ties are ordered by name")

	perMonth, _ := series(t, ask(t, ds, `{"metric":"top_intents","groupBy":"intent","interval":"month"}`, jan2022, mar2022))
	require.Equal(t, map[string][]float64{"order_status": {4, 0}, "greeting": {3, 0}, "refund": {1, 1}}, perMonth)
}

// Distinct contacts per language: es is contacts 1 and 7, en contacts 2 and 7
// (7 wrote in both), pt contact 3; contact 8 wrote without a language.
func TestLanguages(t *testing.T) {
	ds := newDatasource(t, "chatbot_fixture")
	ranked := rows(t, ask(t, ds, `{"queryType":"ranking","metric":"languages","groupBy":"language"}`, jan2022, feb2022))
	require.Equal(t, [][2]any{{"en", 2.0}, {"es", 2.0}, {"pt", 1.0}}, ranked)

	// Over January and February contact 1 writes es again: still 2 distinct es contacts.
	totals := rows(t, ask(t, ds, `{"queryType":"totals","metric":"languages","groupBy":"language"}`, jan2022, mar2022))
	require.Equal(t, [][2]any{{"en", 2.0}, {"es", 2.0}, {"pt", 1.0}}, totals)
}

func TestStartFlowsAndFlowTriggers(t *testing.T) {
	ds := newDatasource(t, "chatbot_fixture")
	startFlows := rows(t, ask(t, ds, `{"queryType":"totals","metric":"start_flows","groupBy":"flow"}`, jan2022, mar2022))
	require.Equal(t, [][2]any{{"human handoff", 1.0}, {"order status", 2.0}, {"welcome", 2.0}}, startFlows)

	popular := rows(t, ask(t, ds, `{"queryType":"ranking","metric":"flow_triggers","groupBy":"flow"}`, jan2022, feb2022))
	require.Equal(t, [][2]any{{"welcome", 3.0}, {"order status", 1.0}}, popular)

	triggered := rows(t, ask(t, ds, `{"queryType":"totals","metric":"flow_triggers"}`, jan2022, mar2022))
	require.Equal(t, [][2]any{{"", 5.0}}, triggered)
}

func TestConversationsTotals(t *testing.T) {
	ds := newDatasource(t, "chatbot_fixture")
	byPlatform := rows(t, ask(t, ds, `{"queryType":"totals","metric":"conversations","groupBy":"platform"}`, jan2022, feb2022))
	require.Equal(t, [][2]any{{"webchat", 2.0}, {"whatsapp", 5.0}}, byPlatform, "11, 12, 13, 17 and 18 on whatsapp")

	perMonth, _ := series(t, ask(t, ds, `{"metric":"conversations","interval":"month"}`, jan2022, mar2022))
	require.Equal(t, map[string][]float64{"Conversations": {7, 1}}, perMonth)

	// An empty range still answers one row of 0 without a group-by.
	none := rows(t, ask(t, ds, `{"queryType":"totals","metric":"conversations"}`, "2023-01-01T00:00:00Z", "2023-02-01T00:00:00Z"))
	require.Equal(t, [][2]any{{"", 0.0}}, none)
}

// Totals count distinct contacts over the whole range, not a sum of buckets:
// 67 whatsapp users in December and 416 in January, 10 of them in both, are
// 473 distinct, where the monthly series adds up to 67 + 416.
func TestUsageTotalsAreDistinctOverTheRange(t *testing.T) {
	ds := newDatasource(t, "usage_fixture")
	const dec = "2021-12-01T00:00:00Z"
	totals := rows(t, ask(t, ds, `{"queryType":"totals","metric":"active_users","groupBy":"platform"}`, dec, feb2022))
	require.Equal(t, [][2]any{{"webchat", 29.0}, {"whatsapp", 473.0}}, totals)

	all := rows(t, ask(t, ds, `{"queryType":"totals","metric":"active_users"}`, jan2022, feb2022))
	require.Equal(t, [][2]any{{"", 445.0}}, all)

	// Total users as of the range's end, counted from the beginning of the store.
	total := rows(t, ask(t, ds, `{"queryType":"ranking","metric":"total_users","groupBy":"platform","limit":1}`, jan2022, feb2022))
	require.Equal(t, [][2]any{{"whatsapp", 473.0}}, total)
}

func TestRankingNeedsAGroupByAndASaneLimit(t *testing.T) {
	ds := newDatasource(t, "chatbot_fixture")
	for query, message := range map[string]string{
		`{"queryType":"ranking","metric":"top_intents"}`:                                 "a ranking needs a group by: rank by one of intent, platform, language",
		`{"queryType":"ranking","metric":"top_intents","groupBy":"intent","limit":5000}`: "limit 5000 is out of range: rank 1 to 1000 rows",
		`{"queryType":"ranking","metric":"flow_triggers","groupBy":"intent"}`:            "metric flow_triggers cannot group by intent: use one of flow, inbox",
	} {
		resp := queryOnce(t, ds, query, jan2022, feb2022)
		require.EqualError(t, resp.Error, message)
		require.EqualValues(t, 400, resp.Status)
	}
}
