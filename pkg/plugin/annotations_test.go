package plugin

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/grafana/grafana-plugin-sdk-go/backend"
	"github.com/grafana/grafana-plugin-sdk-go/data"
	"github.com/grafana/grafana-plugin-sdk-go/experimental"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// annotation is one event of an annotation frame, read back by field name as
// Grafana's standard annotation support reads it.
type annotation struct {
	Time, TimeEnd string // RFC 3339, UTC
	Title, Tags   string
}

// annotations reads an annotation frame's events.
func annotations(t *testing.T, frame *data.Frame) []annotation {
	t.Helper()
	field := func(name string) *data.Field {
		f, _ := frame.FieldByName(name)
		require.NotNil(t, f, "no field %q", name)
		return f
	}
	times, ends, titles, tags := field("time"), field("timeEnd"), field("title"), field("tags")
	require.NotNil(t, field("text"))
	out := []annotation{}
	for i := 0; i < frame.Rows(); i++ {
		out = append(out, annotation{
			Time:    times.At(i).(time.Time).UTC().Format(time.RFC3339),
			TimeEnd: ends.At(i).(time.Time).UTC().Format(time.RFC3339),
			Title:   titles.At(i).(string),
			Tags:    tags.At(i).(string),
		})
	}
	return out
}

// Bursts of missed conversations on 2022-01-10, counted in annotations_fixture.sql.
func TestMissedBursts(t *testing.T) {
	ds := newDatasource(t, "annotations_fixture")
	const day, next = "2022-01-10T00:00:00Z", "2022-01-11T00:00:00Z"
	bursts := func(query, from, to string) []annotation {
		return annotations(t, ask(t, ds, `{"queryType":"annotations","event":"missed_bursts"`+query+`}`, from, to))
	}

	// Threshold 3: Sales' 10:00 (3) and 10:15 (4) windows make one burst of 7; its
	// 10:30 window has 2, so 11:00 (3) is a burst of its own; Support's 10:15 has 3
	// (the assignment still waiting at 10:19 is not missed, the handled ones at
	// 10:00 neither); the 1 missed without a team never reaches 3.
	require.Equal(t, []annotation{
		{"2022-01-10T10:00:00Z", "2022-01-10T10:30:00Z", "7 missed conversations · Sales", "missed,team:Sales"},
		{"2022-01-10T10:15:00Z", "2022-01-10T10:30:00Z", "3 missed conversations · Support", "missed,team:Support"},
		{"2022-01-10T11:00:00Z", "2022-01-10T11:15:00Z", "3 missed conversations · Sales", "missed,team:Sales"},
	}, bursts(`,"threshold":3`, day, next))

	// The default threshold is the alert rule's floor, 5: no window has 5.
	require.Empty(t, bursts(``, day, next))
	// At 4, only Sales' 10:15 window.
	require.Equal(t, []annotation{
		{"2022-01-10T10:15:00Z", "2022-01-10T10:30:00Z", "4 missed conversations · Sales", "missed,team:Sales"},
	}, bursts(`,"threshold":4`, day, next))
	// At 1, Sales' 10:00, 10:15 and 10:30 windows (3 + 4 + 2) are one burst, and
	// the missed one without a team is a burst of its own, under (none).
	require.Equal(t, []annotation{
		{"2022-01-10T10:00:00Z", "2022-01-10T10:15:00Z", "1 missed conversation · (none)", "missed,team:(none)"},
		{"2022-01-10T10:00:00Z", "2022-01-10T10:45:00Z", "9 missed conversations · Sales", "missed,team:Sales"},
		{"2022-01-10T10:15:00Z", "2022-01-10T10:30:00Z", "3 missed conversations · Support", "missed,team:Support"},
		{"2022-01-10T11:00:00Z", "2022-01-10T11:15:00Z", "3 missed conversations · Sales", "missed,team:Sales"},
	}, bursts(`,"threshold":1`, day, next))

	// A filter keeps one team's bursts.
	require.Equal(t, []annotation{
		{"2022-01-10T10:15:00Z", "2022-01-10T10:30:00Z", "3 missed conversations · Support", "missed,team:Support"},
	}, bursts(`,"threshold":3,"filters":[{"dimension":"team","values":["Support"]}]`, day, next))

	// Windows are whole: a range from 10:20 to 11:05 reads the windows 10:15 to
	// 11:15, so Sales' first burst starts at 10:15 with its 4.
	require.Equal(t, []annotation{
		{"2022-01-10T10:15:00Z", "2022-01-10T10:30:00Z", "4 missed conversations · Sales", "missed,team:Sales"},
		{"2022-01-10T10:15:00Z", "2022-01-10T10:30:00Z", "3 missed conversations · Support", "missed,team:Support"},
		{"2022-01-10T11:00:00Z", "2022-01-10T11:15:00Z", "3 missed conversations · Sales", "missed,team:Sales"},
	}, bursts(`,"threshold":3`, "2022-01-10T10:20:00Z", "2022-01-10T11:05:00Z"))

	// India's quarter hours are UTC's: the same bursts, told in local time.
	kolkata := ask(t, ds, `{"queryType":"annotations","event":"missed_bursts","threshold":3,"timezone":"Asia/Kolkata"}`, day, next)
	require.Len(t, annotations(t, kolkata), 3)
	text, _ := kolkata.FieldByName("text")
	require.Equal(t, "Team Sales: 7 missed conversations from 2022-01-10 15:30 to 2022-01-10 16:00 (Asia/Kolkata), "+
		"2 windows of 15 minutes with at least 3 each; the busiest had 4.", text.At(0))
}

// Each day's busiest minute, counted in annotations_fixture.sql; workspace
// other's 10 messages at 12:00 never count.
func TestPeakMinutes(t *testing.T) {
	ds := newDatasource(t, "annotations_fixture")
	const from, to = "2022-01-09T00:00:00Z", "2022-01-11T00:00:00Z"
	peaks := func(query string) []annotation {
		return annotations(t, ask(t, ds, `{"queryType":"annotations","event":"peak_minutes"`+query+`}`, from, to))
	}
	require.Equal(t, []annotation{
		{"2022-01-09T18:29:00Z", "2022-01-09T18:29:00Z", "Peak: 4 messages/min", "peak"},
		{"2022-01-10T12:00:00Z", "2022-01-10T12:00:00Z", "Peak: 3 messages/min", "peak"},
	}, peaks(``), "UTC days")

	// Kolkata's days start at 18:30 UTC, so the range touches its 9th, 10th and
	// 11th, each read whole; on the 10th, 00:00 and 17:30 local both have 3
	// messages and the earlier wins.
	require.Equal(t, []annotation{
		{"2022-01-09T18:29:00Z", "2022-01-09T18:29:00Z", "Peak: 4 messages/min", "peak"},
		{"2022-01-09T18:30:00Z", "2022-01-09T18:30:00Z", "Peak: 3 messages/min", "peak"},
		{"2022-01-10T20:00:00Z", "2022-01-10T20:00:00Z", "Peak: 1 message/min", "peak"},
	}, peaks(`,"timezone":"Asia/Kolkata"`))
	require.Len(t, peaks(`,"timezone":"Asia/Kolkata","threshold":2`), 2, "the 11th's peak of 1 is under 2")

	// The same days as the peak_minute time series by day, which the Performance
	// dashboard shows.
	perDay, _ := series(t, ask(t, ds, `{"metric":"peak_minute","interval":"day","timezone":"Asia/Kolkata"}`, from, to))
	require.Equal(t, []float64{
		float64(at("2022-01-09T18:29:00Z").UnixMilli()), float64(at("2022-01-09T18:30:00Z").UnixMilli()), float64(at("2022-01-10T20:00:00Z").UnixMilli()),
	}, perDay["Peak time"])
}

// The frame Grafana receives, fields and all.
func TestAnnotationsGolden(t *testing.T) {
	ds := newDatasource(t, "annotations_fixture")
	for name, query := range map[string]string{
		"annotations_missed_bursts": `{"queryType":"annotations","event":"missed_bursts","threshold":3,"timezone":"Asia/Kolkata"}`,
		"annotations_peak_minutes":  `{"queryType":"annotations","event":"peak_minutes","timezone":"Asia/Kolkata"}`,
	} {
		t.Run(name, func(t *testing.T) {
			r := queryOnce(t, ds, query, "2022-01-09T00:00:00Z", "2022-01-11T00:00:00Z")
			require.NoError(t, r.Error)
			experimental.CheckGoldenJSONResponse(t, "testdata/golden", name, &r, *updateGolden)
		})
	}
}

// Bad options are that query's own 400, saying what to change; a good
// annotation query beside them still answers.
func TestAnnotationErrors(t *testing.T) {
	ds := newDatasource(t, "annotations_fixture")
	cases := map[string]struct{ query, message string }{
		"no event":            {`{}`, "an annotation query needs an event: choose missed_bursts or peak_minutes"},
		"unknown event":       {`{"event":"flow_changes"}`, `event "flow_changes" is unknown: choose missed_bursts or peak_minutes`},
		"misspelt event":      {`{"event":"peak_minute"}`, "did you mean peak_minutes? Otherwise choose missed_bursts or peak_minutes"},
		"fraction":            {`{"event":"missed_bursts","threshold":2.5}`, "threshold 2.5 is not a whole number from 1 to 1000000: set the least missed conversations per 15-minute window that marks an event (default 5)"},
		"negative":            {`{"event":"peak_minutes","threshold":-1}`, "threshold -1 is not a whole number from 1 to 1000000: set the least messages in the peak minute"},
		"too large":           {`{"event":"peak_minutes","threshold":1e9}`, "threshold 1e+09 is not a whole number"},
		"threshold as text":   {`{"event":"peak_minutes","threshold":"5"}`, "the query's \"threshold\" is a JSON string but must be a number"},
		"dimension not there": {`{"event":"peak_minutes","filters":[{"dimension":"team","values":["Sales"]}]}`, "metric peak_messages_per_minute cannot filter by team"},
		"unknown dimension":   {`{"event":"missed_bursts","filters":[{"dimension":"teams","values":["Sales"]}]}`, `dimension "teams" is unknown`},
		"empty filter":        {`{"event":"missed_bursts","filters":[{"dimension":"team","values":[""]}]}`, "the team filter has no values"},
		"bad zone":            {`{"event":"peak_minutes","timezone":"Mars/Olympus"}`, `time zone "Mars/Olympus" is unknown`},
	}
	queries := []backend.DataQuery{dataQuery("ok", `{"queryType":"annotations","event":"missed_bursts","threshold":3}`, "2022-01-10T00:00:00Z", "2022-01-11T00:00:00Z")}
	for name, c := range cases {
		query := strings.Replace(c.query, "{", `{"queryType":"annotations",`, 1)
		query = strings.Replace(query, ",}", "}", 1)
		queries = append(queries, dataQuery(name, query, "2022-01-10T00:00:00Z", "2022-01-11T00:00:00Z"))
	}
	resp, err := ds.QueryData(context.Background(), &backend.QueryDataRequest{Queries: queries})
	require.NoError(t, err)
	require.NoError(t, resp.Responses["ok"].Error)
	require.Len(t, annotations(t, resp.Responses["ok"].Frames[0]), 3)
	for name, c := range cases {
		r := resp.Responses[name]
		require.Error(t, r.Error, name)
		assert.Contains(t, r.Error.Error(), c.message, name)
		assert.Equal(t, backend.Status(http.StatusBadRequest), r.Status, name)
		assert.Equal(t, backend.ErrorSourceDownstream, r.ErrorSource, name)
	}
}
