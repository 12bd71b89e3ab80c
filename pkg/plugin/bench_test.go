package plugin

import (
	"context"
	"os"
	"strconv"
	"testing"

	"github.com/grafana/grafana-plugin-sdk-go/backend"
	"github.com/stretchr/testify/require"
)

// BenchmarkUsageQueries times each usage query over generated data: 90 days
// from 2022-01-01, CHATBOT_BENCH_CONTACTS contacts (default 5000, about 85,000
// messages; 57000 gives about a million). Run with
// go test ./pkg/plugin -run '^$' -bench Usage -benchtime 20x
func BenchmarkUsageQueries(b *testing.B) {
	contacts := 5000
	if value := os.Getenv("CHATBOT_BENCH_CONTACTS"); value != "" {
		parsed, err := strconv.Atoi(value)
		require.NoError(b, err)
		contacts = parsed
	}
	ds := generatedDatasource(b, contacts)

	queries := map[string]string{
		"active_users_by_platform_day":      `{"metric":"active_users","groupBy":"platform","interval":"day","timezone":"America/Sao_Paulo"}`,
		"new_users_by_platform_month":       `{"metric":"new_users","groupBy":"platform","interval":"month"}`,
		"total_users_by_platform_day":       `{"metric":"total_users","groupBy":"platform","interval":"day"}`,
		"messages_sent_by_sender_hour":      `{"metric":"messages_sent","groupBy":"sender","interval":"hour"}`,
		"messages_received_by_platform_day": `{"metric":"messages_received","groupBy":"platform","interval":"day"}`,
	}
	for name, queryJSON := range queries {
		b.Run(name, func(b *testing.B) {
			request := &backend.QueryDataRequest{Queries: []backend.DataQuery{
				dataQuery("A", queryJSON, "2022-01-01T00:00:00Z", "2022-04-01T00:00:00Z"),
			}}
			for b.Loop() {
				resp, err := ds.QueryData(context.Background(), request)
				if err != nil || resp.Responses["A"].Error != nil {
					b.Fatalf("query failed: %v %v", err, resp.Responses["A"].Error)
				}
			}
		})
	}
}
