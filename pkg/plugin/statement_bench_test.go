package plugin

import (
	"testing"
	"time"

	"github.com/chatbot-metrics/chatbot-metrics/pkg/dashboards/replay"
	"github.com/chatbot-metrics/chatbot-metrics/pkg/sqlbuild"
)

// BenchmarkStatement times building the statement of heavy queries over 90
// days of 3-hour buckets, the plugin's own work before PostgreSQL: at a zone
// on a half hour every bucket's edges fall inside hours, so each bucket is
// split into days, hours and slots for every summary the planner weighs. No
// database is needed. Run with
// go test ./pkg/plugin -run '^$' -bench Statement -benchmem
func BenchmarkStatement(b *testing.B) {
	end := time.Date(2022, 4, 1, 0, 0, 0, 0, time.UTC)
	for name, query := range map[string]string{
		"expense_per_dialogue_by_inbox_kolkata": `{"metric":"expense_per_dialogue","groupBy":"inbox","interval":"auto","timezone":"Asia/Kolkata"}`,
		"expense_per_dialogue_by_inbox_utc":     `{"metric":"expense_per_dialogue","groupBy":"inbox","interval":"auto","timezone":"UTC"}`,
		"returning_users_by_platform_kathmandu": `{"metric":"returning_users","groupBy":"platform","interval":"auto","timezone":"Asia/Kathmandu"}`,
	} {
		dq := replay.Query("A", []byte(query), end.Add(-90*24*time.Hour), end)
		b.Run(name, func(b *testing.B) {
			for b.Loop() {
				if _, _, err := Statement(dq, sqlbuild.WorkspaceSlug("demo")); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
