package catalog

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/grafana/grafana-plugin-sdk-go/backend"

	"github.com/chatbot-metrics/chatbot-metrics/pkg/models"
	"github.com/chatbot-metrics/chatbot-metrics/pkg/timebucket"
)

// maxErrorLength bounds every message about a query: input is echoed cut short.
const maxErrorLength = 1000

// FuzzParseAndResolve decodes query JSON with Grafana's request fields (time
// range in epoch milliseconds, interval, max data points) and resolves it:
// nothing panics, every refusal is a user error of the form "what: how to
// fix" with a bounded length, and every accepted time series has at most
// MaxBuckets buckets inside the accepted time range.
// The seeds (testdata/fuzz/FuzzParseAndResolve) run with every go test;
// go test -run x -fuzz FuzzParseAndResolve ./pkg/catalog explores.
func FuzzParseAndResolve(f *testing.F) {
	const jan, feb = int64(1640995200000), int64(1643673600000)
	f.Add(`{"metric":"total_messages","interval":"auto"}`, feb-14*86400000, feb, int64(1000), int64(43200))
	f.Add(`{"metric":"active_users","groupBy":"platform","queryType":"ranking","limit":5}`, jan, feb, int64(60000), int64(1000))
	f.Add(`{"metric":"transcript","queryType":"records","conversationId":"13"}`, jan, feb, int64(0), int64(0))
	f.Add(`{"metric":"service_level","queryType":"totals","targetSeconds":1e308}`, int64(0), int64(1<<62), int64(-1), int64(-1))
	f.Add(`{"metric":"messages_sent","filters":[{"dimension":"sender","values":["bot","x\u0000"]}],"timezone":"Local"}`, feb, jan, int64(1), int64(1))
	f.Add(`{"metric":"messages_received","interval":"day","compare":"previous","compareMode":"change"}`, jan, feb, int64(0), int64(0))
	f.Add(`{"metric":"active_users","queryType":"totals","compare":"1M","timezone":"Europe/Berlin"}`, jan+30*86400000, feb, int64(0), int64(0))
	f.Add(`{"metric":"messages_received","compare":"99999y"}`, jan, feb, int64(1000), int64(1000))
	f.Fuzz(func(t *testing.T, queryJSON string, fromMs, toMs, intervalMs, maxDataPoints int64) {
		q, err := models.ParseQuery(backend.DataQuery{
			RefID: "A", JSON: []byte(queryJSON), MaxDataPoints: maxDataPoints,
			Interval:  time.Duration(intervalMs) * time.Millisecond,
			TimeRange: backend.TimeRange{From: time.UnixMilli(fromMs), To: time.UnixMilli(toMs)},
		})
		if err != nil {
			userError(t, err)
			return
		}
		plan, err := Resolve(q)
		if err != nil {
			var qe *QueryError
			if !errors.As(err, &qe) {
				t.Fatalf("Resolve's refusal is not a QueryError: %T %v", err, err)
			}
			userError(t, err)
			return
		}
		if plan.From.Before(timebucket.Earliest) || plan.To.After(timebucket.Latest) || !plan.To.After(plan.From) {
			t.Fatalf("accepted a range outside the accepted one: %s to %s", plan.From, plan.To)
		}
		if plan.Kind == models.KindTimeSeries && (len(plan.Boundaries) < 2 || len(plan.Boundaries)-1 > timebucket.MaxBuckets) {
			t.Fatalf("%d boundaries", len(plan.Boundaries))
		}
		if c := plan.Compare; c != nil {
			previous := c.Previous
			if previous.From.Before(timebucket.Earliest) || previous.To.After(timebucket.Latest) || !previous.To.After(previous.From) {
				t.Fatalf("accepted a previous period outside the accepted range: %s to %s", previous.From, previous.To)
			}
			if plan.Kind == models.KindTimeSeries && (len(previous.Boundaries) < 2 || len(previous.Boundaries)-1 > timebucket.MaxBuckets) {
				t.Fatalf("%d previous boundaries", len(previous.Boundaries))
			}
		}
		for _, filter := range plan.Filters {
			if len(filter.Values) == 0 || len(filter.Values) > models.MaxFilterValues {
				t.Fatalf("filter %s kept %d values", filter.Dimension, len(filter.Values))
			}
		}
	})
}

func userError(t *testing.T, err error) {
	t.Helper()
	message := err.Error()
	if len(message) > maxErrorLength {
		t.Fatalf("a %d-byte message: %.200s", len(message), message)
	}
	if !strings.Contains(message, ": ") {
		t.Fatalf("the message does not say how to fix it: %s", message)
	}
}
