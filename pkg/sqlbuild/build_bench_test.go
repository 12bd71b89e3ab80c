package sqlbuild

import (
	"testing"

	"github.com/chatbot-metrics/chatbot-metrics/pkg/catalog"
	"github.com/chatbot-metrics/chatbot-metrics/pkg/models"
)

// The time to build a statement is the plugin's own, on top of
// PostgreSQL's, for every query: go test ./pkg/sqlbuild -run X -bench Build.

// BenchmarkBuildCampaignTotalChats builds the campaign's total chats: one
// task's conversations over a month ending a millisecond before midnight,
// from the days, hours and slots of the sums per task and the raw edge.
func BenchmarkBuildCampaignTotalChats(b *testing.B) {
	m, ok := catalog.Lookup("conversations")
	if !ok {
		b.Fatal("no metric conversations")
	}
	plan := catalog.Plan{Metric: m, Kind: models.KindTotals,
		Filters: []models.Filter{{Dimension: catalog.DimTask.ID, Values: []string{"Inbound sales"}}},
		From:    utc("2022-03-01T00:00:00Z"), To: utc("2022-03-31T23:59:59.999Z")}
	for b.Loop() {
		if _, err := Totals(plan, Workspace{Slug: "demo", ID: 1}); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkBuildConversationsPerAgent builds the performance report's
// ranking of agents by handled conversations, filtered by agent.
func BenchmarkBuildConversationsPerAgent(b *testing.B) {
	m, ok := catalog.Lookup("handled_conversations")
	if !ok {
		b.Fatal("no metric handled_conversations")
	}
	plan := catalog.Plan{Metric: m, Kind: models.KindRanking, Limit: 20, GroupBy: catalog.DimAgent.ID,
		Filters: []models.Filter{{Dimension: catalog.DimAgent.ID, Values: []string{"Ana Pereira", "Emily Carter"}}},
		From:    utc("2022-03-01T12:00:00Z"), To: utc("2022-03-31T12:00:00Z")}
	for b.Loop() {
		if _, err := Totals(plan, Workspace{Slug: "demo", ID: 1}); err != nil {
			b.Fatal(err)
		}
	}
}
