package catalog

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/chatbot-metrics/chatbot-metrics/pkg/models"
)

// Ad hoc filters become the query's filters after its own ones, excluding for
// != and !=|; a query that already has the most filters notices the rest.
func TestApplyAdHocFilters(t *testing.T) {
	q := models.Query{Metric: "cc_conversations", Filters: []models.Filter{{Dimension: "team", Values: []string{"Sales"}}},
		AdHocFilters: []models.AdHocFilter{
			{Key: "team", Operator: "!=", Value: "Support"},
			{Key: "agent", Operator: "=|", Value: "Ana", Values: []string{"Ana", "", "Ana", "Bruno"}},
			{Key: "role", Operator: "!=|", Value: "admin"}, // no values: the value
		}}
	got, notices := ApplyAdHocFilters(q)
	require.Empty(t, notices)
	require.Equal(t, []models.Filter{
		{Dimension: "team", Values: []string{"Sales"}},
		{Dimension: "team", Values: []string{"Support"}, Exclude: true},
		{Dimension: "agent", Values: []string{"Ana", "Bruno"}},
		{Dimension: "role", Values: []string{"admin"}, Exclude: true},
	}, got.Filters)
	require.Len(t, q.Filters, 1, "the caller's filters are not changed")

	full := models.Query{Metric: "cc_conversations", AdHocFilters: []models.AdHocFilter{{Key: "team", Operator: "=", Value: "Sales"}}}
	for i := range models.MaxFilters {
		full.Filters = append(full.Filters, models.Filter{Dimension: "agent", Values: []string{fmt.Sprint(i)}})
	}
	got, notices = ApplyAdHocFilters(full)
	require.Len(t, got.Filters, models.MaxFilters)
	require.Equal(t, []string{"ad hoc filter team = Sales is not applied: the query already has 50 filters, the most it takes"}, notices)

	// An unknown metric is Resolve's to refuse.
	unknown := models.Query{Metric: "happiness", AdHocFilters: full.AdHocFilters}
	got, notices = ApplyAdHocFilters(unknown)
	require.Empty(t, notices)
	require.Empty(t, got.Filters)

	// Long or unprintable keys and values are quoted and cut.
	_, notices = ApplyAdHocFilters(models.Query{Metric: "top_intents", AdHocFilters: []models.AdHocFilter{
		{Key: "team\x00", Operator: "=", Value: "a\nb"},
		{Key: "team", Operator: "=|", Values: []string{"1", "2", "3", "4", "5", "6", "7"}},
	}})
	require.Equal(t, []string{
		`ad hoc filter "team\x00" = "a\nb" is not applied: dimension "team\x00" is unknown`,
		"ad hoc filter team =| 1, 2, 3, 4, 5 and 2 more is not applied: top_intents cannot be filtered by team (it can by: intent, platform, language)",
	}, notices)
}

// An annotation query takes the ad hoc filters its event's metric can apply:
// missed bursts narrow by team; peak minutes, which take no filters, notice it.
func TestApplyAdHocFiltersToAnnotations(t *testing.T) {
	sales := []models.AdHocFilter{{Key: "team", Operator: "=", Value: "Sales"}}
	got, notices := ApplyAdHocFilters(models.Query{QueryType: models.KindAnnotations, Event: EventMissedBursts, AdHocFilters: sales})
	require.Empty(t, notices)
	require.Equal(t, []models.Filter{{Dimension: "team", Values: []string{"Sales"}}}, got.Filters)

	got, notices = ApplyAdHocFilters(models.Query{QueryType: models.KindAnnotations, Event: EventPeakMinutes, AdHocFilters: sales})
	require.Empty(t, got.Filters)
	require.Len(t, notices, 1)
	require.Contains(t, notices[0], "ad hoc filter team = Sales is not applied: peak_messages_per_minute")
}
