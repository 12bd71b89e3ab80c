package plugin

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/grafana/grafana-plugin-sdk-go/backend"
	"github.com/grafana/grafana-plugin-sdk-go/data"
	"github.com/stretchr/testify/require"

	"github.com/chatbot-metrics/chatbot-metrics/pkg/catalog"
	"github.com/chatbot-metrics/chatbot-metrics/pkg/models"
)

// The months of compare_fixture.sql, in UTC.
const (
	compareJan = "2022-01-01T00:00:00Z"
	compareFeb = "2022-02-01T00:00:00Z"
	compareMar = "2022-03-01T00:00:00Z"
	compareApr = "2022-04-01T00:00:00Z"
)

// periodRow is one row of a compared totals frame: group, period and value
// (nil for null).
type periodRow struct {
	Group, Period string
	Value         *float64
}

// periodRows reads a totals, ranking or snapshot frame compared with both
// periods: its group (empty without a group-by), period and value fields.
func periodRows(t *testing.T, frame *data.Frame, groupBy string) []periodRow {
	t.Helper()
	require.Equal(t, data.FrameTypeNumericLong, frame.Meta.Type)
	period, _ := frame.FieldByName(catalog.PeriodLabel)
	require.NotNil(t, period, "no period field")
	value := frame.Fields[len(frame.Fields)-1]
	out := make([]periodRow, frame.Rows())
	for i := range out {
		out[i].Period = period.At(i).(string)
		out[i].Value = value.At(i).(*float64)
		if groupBy != "" {
			group, _ := frame.FieldByName(groupBy)
			out[i].Group = group.At(i).(string)
		}
	}
	return out
}

// displaySeries reads a wide frame as display name -> nullable values.
func displaySeries(t *testing.T, frame *data.Frame) map[string][]*float64 {
	t.Helper()
	require.Equal(t, data.FrameTypeTimeSeriesWide, frame.Meta.Type)
	out := map[string][]*float64{}
	for _, field := range frame.Fields[1:] {
		name := field.Config.DisplayNameFromDS
		require.NotContains(t, out, name)
		values := make([]*float64, field.Len())
		for i := range values {
			values[i] = field.At(i).(*float64)
		}
		out[name] = values
	}
	return out
}

// counts are whole values at the given bucket indexes, 0 elsewhere, over n
// buckets; nulls from index null on.
func counts(n, null int, at map[int]float64) []*float64 {
	out := make([]*float64, n)
	for i := range out {
		if i >= null {
			continue
		}
		v := at[i]
		out[i] = &v
	}
	return out
}

// March against February per platform, from the message summaries: both
// periods answered the same way, their rows side by side, and the change and
// difference an alert rule thresholds.
func TestCompareTotalsWithThePreviousMonthByPlatform(t *testing.T) {
	ds := newDatasource(t, "compare_fixture")
	both := ask(t, ds, `{"queryType":"totals","metric":"messages_received","groupBy":"platform","compare":"previous"}`, compareMar, compareApr)
	// February: whatsapp 4 and 5, telegram 6, webchat 7. March: whatsapp 8 to
	// 11 and 16, webchat 12 to 15 and 17, telegram none (a real 0).
	require.Equal(t, []periodRow{
		{"telegram", "previous", ptr(1)}, {"telegram", "current", ptr(0)},
		{"webchat", "previous", ptr(1)}, {"webchat", "current", ptr(5)},
		{"whatsapp", "previous", ptr(2)}, {"whatsapp", "current", ptr(5)},
	}, periodRows(t, both, "platform"))
	sql := both.Meta.ExecutedQueryString
	require.Equal(t, 2, strings.Count(sql, "/* summary: message_days */"), sql) // whole UTC days of both months
	require.Contains(t, sql, "/* previous period, previous month: 2022-02-01T00:00:00.000Z to 2022-03-01T00:00:00.000Z */")

	change := rows(t, ask(t, ds, `{"queryType":"totals","metric":"messages_received","groupBy":"platform","compare":"previous","compareMode":"change"}`, compareMar, compareApr))
	require.Equal(t, [][2]any{{"telegram", -1.0}, {"webchat", 4.0}, {"whatsapp", 1.5}}, change, "(0-1)/1, (5-1)/1, (5-2)/2")
	difference := rows(t, ask(t, ds, `{"queryType":"totals","metric":"messages_received","groupBy":"platform","compare":"1M","compareMode":"difference"}`, compareMar, compareApr))
	require.Equal(t, [][2]any{{"telegram", -1.0}, {"webchat", 4.0}, {"whatsapp", 3.0}}, difference)

	// A ranking keeps its own top groups, in its order, with their previous values.
	ranking := ask(t, ds, `{"queryType":"ranking","metric":"messages_received","groupBy":"platform","limit":1,"compare":"previous"}`, compareMar, compareApr)
	require.Equal(t, []periodRow{{"webchat", "previous", ptr(1)}, {"webchat", "current", ptr(5)}}, periodRows(t, ranking, "platform"),
		"webchat and whatsapp tie at 5 and webchat comes first by name")
}

// A query the summaries cannot answer (conversations started, filtered by
// status, which no summary keeps: the three statuses keep them all) reads the
// raw rows for both periods. Without a group-by the frame is previous then
// current, what a stat panel's percent change reads (first to last value).
func TestCompareRawTotalsForAStatPanel(t *testing.T) {
	ds := newDatasource(t, "compare_fixture")
	frame := ask(t, ds, `{"queryType":"totals","metric":"conversations","compare":"previous",
		"filters":[{"dimension":"status","values":["active","closed","no_operator_response"]}]}`, compareMar, compareApr)
	// February started 103, 104 and 105; March 106 to 110.
	require.Equal(t, []periodRow{{"", "previous", ptr(3)}, {"", "current", ptr(5)}}, periodRows(t, frame, ""))
	require.Equal(t, 2, strings.Count(frame.Meta.ExecutedQueryString, "/* raw */"))
	value := frame.Fields[len(frame.Fields)-1]
	require.Equal(t, "Conversations", value.Config.DisplayNameFromDS)
	// Grafana's diffperc: (last - first) / first = (5 - 3) / 3, shown as +66.7%.
	first, last := *value.At(0).(*float64), *value.At(1).(*float64)
	require.InDelta(t, 2.0/3, (last-first)/first, 1e-12)
}

// February per day against January: the k-th day of January under the k-th
// of February, so 30 January (message 3) has no February day to lie on.
func TestCompareFebruaryWithJanuaryPerDay(t *testing.T) {
	ds := newDatasource(t, "compare_fixture")
	frame := ask(t, ds, `{"metric":"messages_received","interval":"day","compare":"previous"}`, compareFeb, compareMar)
	require.Equal(t, 28, frame.Rows())
	require.True(t, at(compareFeb).Equal(frame.Fields[0].At(0).(time.Time)))
	require.Equal(t, map[string][]*float64{
		// Messages 4 and 5 on 1 February, 6 on the 14th, 7 on the 28th.
		"Messages received": counts(28, 28, map[int]float64{0: 2, 13: 1, 27: 1}),
		// Message 1 on 5 January, 2 on the 10th.
		"Messages received · previous month": counts(28, 28, map[int]float64{4: 1, 9: 1}),
	}, displaySeries(t, frame))
	require.Equal(t, data.Labels{"period": "previous"}, frame.Fields[2].Labels)
	require.Equal(t, data.Labels{"period": "current"}, frame.Fields[1].Labels)
}

// March per day against February: 31 days against 28, so the last three days
// of March have no previous value (null, not 0).
func TestCompareMarchWithFebruaryPerDayByPlatform(t *testing.T) {
	ds := newDatasource(t, "compare_fixture")
	frame := ask(t, ds, `{"metric":"messages_received","groupBy":"platform","interval":"day","compare":"previous"}`, compareMar, compareApr)
	require.Equal(t, 31, frame.Rows())
	require.Equal(t, map[string][]*float64{
		// March: 8 on the 1st, 9 on the 9th, 10 and 11 on the 10th, 16 on the 28th.
		"Messages received · whatsapp": counts(31, 31, map[int]float64{0: 1, 8: 1, 9: 2, 27: 1}),
		// 12 on the 20th, 13 to 15 on the 21st, 17 on the 31st.
		"Messages received · webchat": counts(31, 31, map[int]float64{19: 1, 20: 3, 30: 1}),
		// February: 4 and 5 on the 1st; 7 on the 28th; 6 on the 14th. Telegram
		// has no March series (no rows), only its previous one.
		"Messages received · whatsapp · previous month": counts(31, 28, map[int]float64{0: 2}),
		"Messages received · webchat · previous month":  counts(31, 28, map[int]float64{27: 1}),
		"Messages received · telegram · previous month": counts(31, 28, map[int]float64{13: 1}),
	}, displaySeries(t, frame))
	instances, noData, err := alertInstances(data.Frames{frame})
	require.NoError(t, err)
	require.False(t, noData)
	require.Len(t, instances, 5)
	require.Contains(t, instances, "period=previous, platform=telegram")

	// The change per day: null where February had 0 (no percentage says it) or no day.
	change := ask(t, ds, `{"metric":"messages_received","groupBy":"platform","interval":"day","compare":"previous","compareMode":"change"}`, compareMar, compareApr)
	got := displaySeries(t, change)
	require.Len(t, got, 3)
	whatsapp := got["Messages received · whatsapp · change vs previous month"]
	require.Equal(t, -0.5, *whatsapp[0], "1 March: (1 - 2) / 2")
	require.Nil(t, whatsapp[1], "2 March against 2 February: 0 before")
	require.Nil(t, whatsapp[30], "31 March has no February day")
	telegram := got["Messages received · telegram · change vs previous month"]
	require.Equal(t, -1.0, *telegram[13], "14 March against 14 February: (0 - 1) / 1")
	require.Equal(t, "percentunit", change.Fields[1].Config.Unit)
	require.Equal(t, data.Labels{"platform": "telegram"}, change.Fields[1].Labels, "the labels of the query without a comparison")
}

// 31 March less a month is 28 February, as moment (and so Grafana's time
// shift) clamps it; Go's AddDate would say 3 March.
func TestCompareMarch31WithAMonthEarlier(t *testing.T) {
	ds := newDatasource(t, "compare_fixture")
	frame := ask(t, ds, `{"queryType":"totals","metric":"messages_received","compare":"1M"}`, "2022-03-31T00:00:00Z", compareApr)
	// 28 February: message 7; 31 March: message 17.
	require.Equal(t, []periodRow{{"", "previous", ptr(1)}, {"", "current", ptr(1)}}, periodRows(t, frame, ""))
	require.Contains(t, frame.Meta.ExecutedQueryString, "1 month earlier: 2022-02-28T00:00:00.000Z to 2022-03-01T00:00:00.000Z")
}

// Seven days back from Monday 28 March in Berlin cross the change to summer
// time (Sunday 27 March, 02:00 -> 03:00): Monday 21 March 00:00 to Tuesday
// 22 March 00:00 local, 7 * 24 - 1 = 167 hours earlier. 168 hours would have
// counted message 12 (Sunday 23:30) and missed 14 and 15 (Monday 23:30 and 23:45).
func TestCompareSevenDaysAcrossDaylightSaving(t *testing.T) {
	ds := newDatasource(t, "compare_fixture")
	query := `{"queryType":"totals","metric":"messages_received","timezone":"Europe/Berlin","compare":"7d"}`
	frame := ask(t, ds, query, "2022-03-27T22:00:00Z", "2022-03-28T22:00:00Z")
	// Current: message 16. Previous: 13, 14 and 15.
	require.Equal(t, []periodRow{{"", "previous", ptr(3)}, {"", "current", ptr(1)}}, periodRows(t, frame, ""))
	require.Contains(t, frame.Meta.ExecutedQueryString, "7 days earlier: 2022-03-20T23:00:00.000Z to 2022-03-21T23:00:00.000Z")

	// Hourly, each local hour of 28 March on the same local hour of 21 March.
	series := ask(t, ds, `{"metric":"messages_received","interval":"hour","timezone":"Europe/Berlin","compare":"7d"}`, "2022-03-27T22:00:00Z", "2022-03-28T22:00:00Z")
	require.Equal(t, map[string][]*float64{
		"Messages received":                  counts(24, 24, map[int]float64{12: 1}),        // 16 at 12:00 local
		"Messages received · 7 days earlier": counts(24, 24, map[int]float64{13: 1, 23: 2}), // 13 at 13:00, 14 and 15 at 23:xx
	}, displaySeries(t, series))
}

// The previous 24 hours of a range that is not on the calendar are exactly
// the 24 hours before it.
func TestComparePrevious24Hours(t *testing.T) {
	ds := newDatasource(t, "compare_fixture")
	const from, to = "2022-03-10T06:00:00Z", "2022-03-11T06:00:00Z"
	frame := ask(t, ds, `{"queryType":"totals","metric":"messages_received","compare":"previous"}`, from, to)
	// Current: 10 (07:00) and 11 (12:00); previous, 9 March 06:00 to 10 March 06:00: 9.
	require.Equal(t, []periodRow{{"", "previous", ptr(1)}, {"", "current", ptr(2)}}, periodRows(t, frame, ""))
	series := ask(t, ds, `{"metric":"messages_received","interval":"hour","compare":"previous"}`, from, to)
	require.Equal(t, map[string][]*float64{
		"Messages received":                     counts(24, 24, map[int]float64{1: 1, 6: 1}),
		"Messages received · previous 24 hours": counts(24, 24, map[int]float64{6: 1}),
	}, displaySeries(t, series))
}

// A grouped comparison over two periods without rows is no data, as without one.
func TestCompareWithoutDataIsNoData(t *testing.T) {
	ds := newDatasource(t, "compare_fixture")
	for _, kind := range []models.QueryKind{models.KindTimeSeries, models.KindTotals, models.KindRanking} {
		frame := ask(t, ds, fmt.Sprintf(`{"queryType":%q,"metric":"messages_received","groupBy":"platform","interval":"day","compare":"previous"}`, kind),
			"2021-06-01T00:00:00Z", "2021-06-08T00:00:00Z")
		require.Empty(t, frame.Fields, kind)
		_, noData, err := alertInstances(data.Frames{frame})
		require.NoError(t, err, kind)
		require.True(t, noData, kind)
	}
}

// A comparison a query cannot make is that query's 400, with how to fix it;
// its neighbour in the same request still answers.
func TestCompareErrors(t *testing.T) {
	ds := newDatasource(t, "compare_fixture")
	for query, message := range map[string]string{
		`{"metric":"messages_received","compare":"last week"}`:                            `compare "last week" is not an offset: use previous, or a whole number of minutes, hours, days, weeks, months or years such as 90m, 12h, 1d, 7d, 1w, 1M or 1y`,
		`{"metric":"messages_received","compare":"-7d"}`:                                  `compare "-7d" is not an offset`,
		`{"metric":"messages_received","compare":"30s"}`:                                  `compare "30s" is not an offset`,
		`{"queryType":"records","metric":"dialogs","compare":"previous"}`:                 "records are not compared with a previous period: remove compare, or use totals or a time series",
		`{"queryType":"records","metric":"transcript","conversationId":1,"compare":"7d"}`: "records are not compared with a previous period",
		`{"queryType":"annotations","event":"missed_bursts","compare":"7d"}`:              "annotations are not compared with a previous period: remove compare",
		`{"metric":"messages_received","compareMode":"change"}`:                           "compareMode change needs a comparison: set compare to previous or an offset such as 7d, or remove compareMode",
		`{"metric":"messages_received","compare":"previous","compareMode":"ratio"}`:       `compareMode "ratio" is unknown: use change, difference, or leave it empty for both periods`,
		`{"metric":"messages_received","compare":"1y"}`:                                   `compare "1y": the previous period (from 1969-01-05T00:00:00Z to 1969-02-05T00:00:00Z) is outside the accepted range`,
		`{"metric":"messages_received","compare":"7d\u0000"}`:                             "compare \"7d\\x00\" contains a NUL byte",
	} {
		from, to := compareMar, compareApr
		if strings.Contains(query, `"1y"`) {
			from, to = "1970-01-05T00:00:00Z", "1970-02-05T00:00:00Z"
		}
		resp, err := ds.QueryData(context.Background(), &backend.QueryDataRequest{Queries: []backend.DataQuery{
			dataQuery("A", query, from, to),
			dataQuery("B", `{"queryType":"totals","metric":"messages_received"}`, compareMar, compareApr),
		}})
		require.NoError(t, err)
		require.ErrorContains(t, resp.Responses["A"].Error, message, query)
		require.Equal(t, backend.StatusBadRequest, resp.Responses["A"].Status, query)
		require.Equal(t, backend.ErrorSourceDownstream, resp.Responses["A"].ErrorSource, query)
		require.NoError(t, resp.Responses["B"].Error, query)
	}
}

// Every metric, in every kind that answers numbers, ungrouped and grouped by
// its first dimension, compared with both periods and by change, answers
// frames alerting accepts: the periods told apart by their label, a change
// one value per group with the labels it has without a comparison.
func TestComparedAnswersAreFramesAlertingAccepts(t *testing.T) {
	ds := generatedDatasource(t, 300)
	from, to := at("2022-03-30T00:00:00Z"), at("2022-03-31T00:00:00Z")
	checked := 0
	for _, metric := range catalog.Metrics {
		for _, kind := range metric.Kinds {
			if kind == models.KindRecords {
				continue
			}
			groups := []string{""}
			if len(metric.GroupDimensions()) > 0 {
				groups = append(groups, metric.GroupDimensions()[0])
			}
			if kind == models.KindRanking {
				groups = groups[1:]
			}
			for _, groupBy := range groups {
				for _, mode := range []string{"", "change"} {
					name := fmt.Sprintf("%s/%s/%s/%s", metric.ID, kind, groupBy, mode)
					query := fmt.Sprintf(`{"version":1,"queryType":%q,"metric":%q,"groupBy":%q,"interval":"auto","compare":"previous","compareMode":%q}`,
						kind, metric.ID, groupBy, mode)
					resp, err := ds.QueryData(context.Background(), &backend.QueryDataRequest{
						Queries: []backend.DataQuery{alertingRequest("A", query, from, to)},
					})
					require.NoError(t, err, name)
					answer := resp.Responses["A"]
					require.NoError(t, answer.Error, name)
					instances, noData, err := alertInstances(answer.Frames)
					require.NoError(t, err, name)
					checked++
					if noData {
						require.NotEmpty(t, groupBy, "%s answers no data", name)
						continue
					}
					for labels := range instances {
						if groupBy != "" {
							require.Contains(t, labels, groupBy+"=", "%s: {%s} names its group", name, labels)
						}
						if mode == "" {
							require.Contains(t, labels, "period=", "%s: {%s} names its period", name, labels)
						} else {
							require.NotContains(t, labels, "period=", name)
						}
					}
					if groupBy == "" && mode == "" {
						require.Len(t, instances, 2, name)
					}
					if groupBy == "" && mode != "" {
						require.Len(t, instances, 1, name)
					}
				}
			}
		}
	}
	t.Logf("%d compared queries read as alerting reads them", checked)
}
