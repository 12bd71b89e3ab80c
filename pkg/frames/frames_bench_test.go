package frames_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/chatbot-metrics/chatbot-metrics/pkg/dashboards/replay"
	"github.com/chatbot-metrics/chatbot-metrics/pkg/frames"
	"github.com/chatbot-metrics/chatbot-metrics/pkg/plugin"
	"github.com/chatbot-metrics/chatbot-metrics/pkg/sqlbuild"
	"github.com/chatbot-metrics/chatbot-metrics/pkg/store"
)

// BenchmarkTimeSeries frames 90 days of 3-hour buckets by 9 groups, every
// other bucket empty, as the rows come from the statement: a running total
// (every bucket computed), a sum (zeros filled in) and a quotient (empty
// buckets stay null). No database is needed. Run with
// go test ./pkg/frames -run '^$' -bench TimeSeries -benchmem
func BenchmarkTimeSeries(b *testing.B) {
	end := time.Date(2022, 4, 1, 0, 0, 0, 0, time.UTC)
	for name, query := range map[string]string{
		"total_users_by_platform":       `{"metric":"total_users","groupBy":"platform","interval":"auto"}`,
		"messages_received_by_inbox":    `{"metric":"messages_received","groupBy":"inbox","interval":"auto"}`,
		"expense_per_dialogue_by_inbox": `{"metric":"expense_per_dialogue","groupBy":"inbox","interval":"auto"}`,
	} {
		plan, statement, err := plugin.Statement(replay.Query("A", []byte(query), end.Add(-90*24*time.Hour), end), sqlbuild.WorkspaceSlug("demo"))
		if err != nil {
			b.Fatal(err)
		}
		buckets := len(plan.Boundaries) - 1
		var rows []store.Bucketed
		for bucket := 1; bucket <= buckets; bucket += 2 {
			for inbox := range 9 {
				value := float64(bucket * inbox)
				rows = append(rows, store.Bucketed{Bucket: bucket, Series: fmt.Sprintf("inbox %d", inbox), Value: &value})
			}
		}
		b.Run(name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if frame := frames.TimeSeries(plan, rows, statement.SQL); len(frame.Fields) != 10 {
					b.Fatal(len(frame.Fields))
				}
			}
		})
	}
}
