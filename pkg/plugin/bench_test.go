package plugin

import (
	"context"
	"os"
	"strconv"
	"testing"

	"github.com/grafana/grafana-plugin-sdk-go/backend"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/stretchr/testify/require"

	"github.com/chatbot-metrics/chatbot-metrics/pkg/catalog"
	"github.com/chatbot-metrics/chatbot-metrics/pkg/generator"
	"github.com/chatbot-metrics/chatbot-metrics/pkg/models"
	"github.com/chatbot-metrics/chatbot-metrics/pkg/sqlbuild"
	"github.com/chatbot-metrics/chatbot-metrics/pkg/store"
	"github.com/chatbot-metrics/chatbot-metrics/pkg/store/storetest"
)

// BenchmarkUsageQueries times each usage query over generated data: 90 days
// from 2022-01-01, CHATBOT_BENCH_CONTACTS contacts (default 5000, about 85,000
// messages; 57000 gives about a million). Run with
// go test ./pkg/plugin -run '^$' -bench Usage -benchtime 20x
func BenchmarkUsageQueries(b *testing.B) {
	benchmarkQueries(b, map[string]string{
		"active_users_by_platform_day":      `{"metric":"active_users","groupBy":"platform","interval":"day","timezone":"America/Sao_Paulo"}`,
		"new_users_by_platform_month":       `{"metric":"new_users","groupBy":"platform","interval":"month"}`,
		"total_users_by_platform_day":       `{"metric":"total_users","groupBy":"platform","interval":"day"}`,
		"messages_sent_by_sender_hour":      `{"metric":"messages_sent","groupBy":"sender","interval":"hour"}`,
		"messages_received_by_platform_day": `{"metric":"messages_received","groupBy":"platform","interval":"day"}`,
	})
}

// BenchmarkDerivedQueries times the metrics whose SQL is more than one scan
// of one table, and the records tables, on the same data. Run with
// go test ./pkg/plugin -run '^$' -bench Derived -benchtime 20x
func BenchmarkDerivedQueries(b *testing.B) {
	benchmarkQueries(b, map[string]string{
		"returning_users_by_platform_day":    `{"metric":"returning_users","groupBy":"platform","interval":"day"}`,
		"operator_response_time_p90_ranking": `{"queryType":"ranking","metric":"operator_response_time_p90","groupBy":"agent"}`,
		"expense_per_dialogue_by_inbox_week": `{"metric":"expense_per_dialogue","groupBy":"inbox","interval":"week"}`,
		"balance_day":                        `{"metric":"balance","interval":"day"}`,
		"client_phrases_top_10":              `{"queryType":"ranking","metric":"client_phrases","groupBy":"phrase"}`,
		"service_level_by_team_day":          `{"metric":"service_level","groupBy":"team","interval":"day","targetSeconds":60}`,
		"sources_table":                      `{"queryType":"records","metric":"sources"}`,
		"dialogs_1000":                       `{"queryType":"records","metric":"dialogs"}`,
		"dialogs_text_search":                `{"queryType":"records","metric":"dialogs","filters":[{"dimension":"message_text","values":["refund"]}]}`,
		"new_users_by_inbox_month":           `{"metric":"new_users","groupBy":"inbox","interval":"month"}`,
		"waiting_now_by_team":                `{"queryType":"snapshot","metric":"waiting_now","groupBy":"team"}`,
		"longest_wait_now":                   `{"queryType":"snapshot","metric":"longest_wait_now"}`,
		"active_sessions_by_agent":           `{"queryType":"snapshot","metric":"active_sessions","groupBy":"agent"}`,
		"number_of_contacts_by_inbox":        `{"queryType":"snapshot","metric":"number_of_contacts","groupBy":"inbox"}`,
	})
}

// benchmarkQueries runs each query through QueryData over 90 days of
// generated data: CHATBOT_BENCH_CONTACTS contacts (default 5000).
func benchmarkQueries(b *testing.B, queries map[string]string) {
	contacts := 5000
	if value := os.Getenv("CHATBOT_BENCH_CONTACTS"); value != "" {
		parsed, err := strconv.Atoi(value)
		require.NoError(b, err)
		contacts = parsed
	}
	ds := generatedDatasource(b, contacts)
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

// BenchmarkSummaries times each usage query from the summary tables and
// from the raw rows (the same plan, SQL and scan, no frames), on the data of
// the other benchmarks: a 90-day range on midnight for the time series, and
// one ending at an arbitrary instant for the totals (the partial slots at its
// edges are read raw). Run with
// go test ./pkg/plugin -run '^$' -bench Summaries -benchtime 20x
func BenchmarkSummaries(b *testing.B) {
	contacts := 5000
	if value := os.Getenv("CHATBOT_BENCH_CONTACTS"); value != "" {
		parsed, err := strconv.Atoi(value)
		require.NoError(b, err)
		contacts = parsed
	}
	ctx := context.Background()
	pool, err := pgxpool.New(ctx, storetest.URL(b))
	require.NoError(b, err)
	b.Cleanup(pool.Close)
	_, err = generator.Load(ctx, pool, generator.Config{Seed: 1, Days: 90, Contacts: contacts})
	require.NoError(b, err)

	aligned := backend.TimeRange{From: at("2022-01-01T00:00:00Z"), To: at("2022-04-01T00:00:00Z")}
	ragged := backend.TimeRange{From: at("2022-01-01T00:07:13Z"), To: at("2022-03-31T17:42:05.250Z")}
	queries := []struct {
		name string
		q    models.Query
	}{
		{"active_users_by_platform_day_sao_paulo", models.Query{QueryType: models.KindTimeSeries, Metric: "active_users", GroupBy: "platform", Interval: "day", Timezone: "America/Sao_Paulo", TimeRange: aligned}},
		{"active_users_totals_ragged", models.Query{QueryType: models.KindTotals, Metric: "active_users", TimeRange: ragged}},
		{"messages_received_by_platform_day", models.Query{QueryType: models.KindTimeSeries, Metric: "messages_received", GroupBy: "platform", Interval: "day", TimeRange: aligned}},
		{"messages_sent_by_sender_hour", models.Query{QueryType: models.KindTimeSeries, Metric: "messages_sent", GroupBy: "sender", Interval: "hour", TimeRange: aligned}},
		{"total_messages_by_inbox_week_kathmandu", models.Query{QueryType: models.KindTimeSeries, Metric: "total_messages", GroupBy: "inbox", Interval: "week", Timezone: "Asia/Kathmandu", TimeRange: aligned}},
		{"total_messages_totals_ragged", models.Query{QueryType: models.KindTotals, Metric: "total_messages", TimeRange: ragged}},
		{"new_users_by_platform_month", models.Query{QueryType: models.KindTimeSeries, Metric: "new_users", GroupBy: "platform", Interval: "month", TimeRange: aligned}},
		{"total_users_by_platform_day", models.Query{QueryType: models.KindTimeSeries, Metric: "total_users", GroupBy: "platform", Interval: "day", TimeRange: aligned}},
		{"returning_users_by_platform_day", models.Query{QueryType: models.KindTimeSeries, Metric: "returning_users", GroupBy: "platform", Interval: "day", TimeRange: aligned}},
		{"peak_messages_per_minute_day", models.Query{QueryType: models.KindTimeSeries, Metric: "peak_messages_per_minute", Interval: "day", TimeRange: aligned}},
		{"peak_minute_totals_ragged", models.Query{QueryType: models.KindTotals, Metric: "peak_minute", TimeRange: ragged}},
	}
	for _, query := range queries {
		plan, err := catalog.Resolve(query.q)
		require.NoError(b, err, query.name)
		for _, way := range []struct {
			name               string
			timeSeries, totals func(catalog.Plan, sqlbuild.Workspace) (sqlbuild.Statement, error)
		}{{"summary", sqlbuild.TimeSeries, sqlbuild.Totals}, {"raw", sqlbuild.RawTimeSeries, sqlbuild.RawTotals}} {
			build := way.totals
			if plan.Kind == models.KindTimeSeries {
				build = way.timeSeries
			}
			statement, err := build(plan, sqlbuild.WorkspaceSlug("demo"))
			require.NoError(b, err)
			b.Run(query.name+"/"+way.name, func(b *testing.B) {
				for b.Loop() {
					err := store.Each(ctx, pool, statement.SQL, statement.Args, store.Values, func([]any) bool { return true })
					if err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	}
}
