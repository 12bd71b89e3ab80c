package catalog

import (
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/grafana/grafana-plugin-sdk-go/backend"
	"github.com/stretchr/testify/require"

	"github.com/chatbot-metrics/chatbot-metrics/pkg/models"
	"github.com/chatbot-metrics/chatbot-metrics/pkg/timebucket"
)

// resolveJSON parses and resolves queryJSON as Grafana's alerting sends it:
// max data points 43200 at a 1s interval.
func resolveJSON(t *testing.T, queryJSON string, from, to time.Time) (Plan, error) {
	t.Helper()
	q, err := models.ParseQuery(backend.DataQuery{
		RefID: "A", JSON: []byte(queryJSON), Interval: time.Second, MaxDataPoints: 43200,
		TimeRange: backend.TimeRange{From: from, To: to},
	})
	require.NoError(t, err)
	return Resolve(q)
}

// Alert rules over 14 days or more used to fail with "more than 20000 buckets".
// Over more than two hours auto takes the summaries' 15-minute slots or
// coarser buckets, however many points the rule asks for.
func TestAlertRulesOverLongRangesResolve(t *testing.T) {
	end := time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC)
	cases := []struct {
		span time.Duration
		want timebucket.Interval
	}{
		{time.Hour, timebucket.Interval{Unit: timebucket.Minute, Count: 1}},
		{2 * time.Hour, timebucket.Interval{Unit: timebucket.Minute, Count: 1}},
		{2*time.Hour + time.Minute, timebucket.Interval{Unit: timebucket.Minute, Count: 15}},
		{7 * 24 * time.Hour, timebucket.Interval{Unit: timebucket.Minute, Count: 15}},
		{14 * 24 * time.Hour, timebucket.Interval{Unit: timebucket.Minute, Count: 15}},
		{90 * 24 * time.Hour, timebucket.Interval{Unit: timebucket.Minute, Count: 15}},
		{365 * 24 * time.Hour, timebucket.Interval{Unit: timebucket.Minute, Count: 30}},
		{3652 * 24 * time.Hour, timebucket.Interval{Unit: timebucket.Hour, Count: 6}},
	}
	for _, c := range cases {
		plan, err := resolveJSON(t, `{"metric":"total_messages","interval":"auto","timezone":"Europe/Madrid"}`, end.Add(-c.span), end)
		require.NoError(t, err, c.span)
		require.Equal(t, c.want, plan.Interval, c.span)
		require.LessOrEqual(t, len(plan.Boundaries)-1, timebucket.MaxBuckets)
	}
	_, err := resolveJSON(t, `{"metric":"total_messages","interval":"minute"}`, end.Add(-365*24*time.Hour), end)
	require.EqualError(t, err, "interval 1m over this time range makes more than 20000 buckets: choose hour or a coarser interval, or auto")
}

func TestFilterValuesAreCapped(t *testing.T) {
	from, to := time.Date(2022, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(2022, 2, 1, 0, 0, 0, 0, time.UTC)
	values := func(n int) string {
		parts := make([]string, n)
		for i := range parts {
			parts[i] = `"v` + strings.Repeat("x", i%3) + itoa(i) + `"`
		}
		return `{"metric":"total_messages","filters":[{"dimension":"platform","values":[` + strings.Join(parts, ",") + `]}]}`
	}
	plan, err := resolveJSON(t, values(models.MaxFilterValues), from, to)
	require.NoError(t, err)
	require.Len(t, plan.Filters[0].Values, models.MaxFilterValues)
	_, err = resolveJSON(t, values(models.MaxFilterValues+1), from, to)
	require.EqualError(t, err, `the platform filter has 10001 values, more than 10000: choose fewer values, or remove the filter to keep every value (an "All" variable needs no filter)`)
}

func itoa(i int) string { return strconv.Itoa(i) }

func TestNULAndInvalidUTF8AreRefusedByField(t *testing.T) {
	from, to := time.Date(2022, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(2022, 2, 1, 0, 0, 0, 0, time.UTC)
	cases := map[string]string{
		`{"metric":"total\u0000messages"}`:                                                        `metric "total\x00messages" contains a NUL byte (\u0000): remove it`,
		`{"metric":"total_messages","groupBy":"plat\u0000form"}`:                                  `groupBy "plat\x00form" contains a NUL byte (\u0000): remove it`,
		`{"metric":"total_messages","timezone":"Europe/Madrid\u0000"}`:                            `timezone "Europe/Madrid\x00" contains a NUL byte (\u0000): remove it`,
		`{"metric":"total_messages","filters":[{"dimension":"platform","values":["web\u0000"]}]}`: `the "platform" filter's value "web\x00" contains a NUL byte (\u0000): remove it`,
		`{"metric":"total_messages","filters":[{"dimension":"plat\u0000","values":["web"]}]}`:     `filter 1's dimension "plat\x00" contains a NUL byte (\u0000): remove it`,
	}
	for queryJSON, want := range cases {
		_, err := resolveJSON(t, queryJSON, from, to)
		require.EqualError(t, err, want, queryJSON)
		var qe *QueryError
		require.ErrorAs(t, err, &qe)
	}
	// JSON decoding turns invalid UTF-8 into U+FFFD; a query built otherwise is still refused.
	_, err := Resolve(models.Query{Metric: "total_messages", QueryType: models.KindTotals, Timezone: "Europe/\xff",
		TimeRange: backend.TimeRange{From: from, To: to}})
	require.EqualError(t, err, `timezone "Europe/\xff" is not valid UTF-8: re-type it`)
}

func TestTimeRangesOutsideTheAcceptedRangeAreRefused(t *testing.T) {
	for _, r := range [][2]time.Time{
		{time.UnixMilli(0), time.UnixMilli(1<<63 - 1)},
		{time.Date(2022, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(12022, 1, 1, 0, 0, 0, 0, time.UTC)},
		{time.Date(1900, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(2022, 1, 1, 0, 0, 0, 0, time.UTC)},
	} {
		_, err := resolveJSON(t, `{"metric":"total_messages","queryType":"totals"}`, r[0], r[1])
		require.ErrorContains(t, err, "is outside the accepted range: use times from 1970-01-01T00:00:00Z to 10000-01-01T00:00:00Z (years 1970 to 9999)")
	}
	_, err := resolveJSON(t, `{"metric":"total_messages"}`, time.Date(2022, 2, 1, 0, 0, 0, 0, time.UTC), time.Date(2022, 1, 1, 0, 0, 0, 0, time.UTC))
	require.EqualError(t, err, "the time range is empty (from 2022-02-01T00:00:00Z to 2022-01-01T00:00:00Z): choose a later end")
}

func TestLongInputIsEchoedBounded(t *testing.T) {
	_, err := resolveJSON(t, `{"metric":"`+strings.Repeat("m", 10<<20)+`"}`, time.Unix(0, 0), time.Unix(3600, 0))
	require.Less(t, len(err.Error()), 300)
	require.Contains(t, err.Error(), "…\" (10485760 bytes) is unknown")
}
