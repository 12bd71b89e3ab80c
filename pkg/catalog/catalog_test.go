package catalog

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/chatbot-metrics/chatbot-metrics/pkg/models"
)

// Every entry is complete and consistent: a unique id, a definition, a unit,
// kinds the data source answers, known dimensions, and for ratios of two
// metrics, parts that exist and allow every dimension of the ratio.
func TestCatalogEntriesAreComplete(t *testing.T) {
	seen := map[string]bool{}
	for _, m := range Metrics {
		require.False(t, seen[m.ID], "duplicate id %s", m.ID)
		seen[m.ID] = true
		require.NotEmpty(t, m.Title, m.ID)
		require.NotEmpty(t, m.Description, m.ID)
		require.NotEmpty(t, m.Unit, m.ID)
		require.NotEmpty(t, m.Kinds, m.ID)
		for _, kind := range m.Kinds {
			require.Contains(t, models.Kinds, kind, m.ID)
		}
		for _, dimension := range m.Dimensions {
			_, ok := LookupDimension(dimension)
			require.True(t, ok, "%s: dimension %s", m.ID, dimension)
		}
		if m.Supports(models.KindRanking) {
			require.NotEmpty(t, m.Dimensions, "%s: a ranking needs something to rank by", m.ID)
		}
		switch {
		case m.Quotient != nil:
			require.Empty(t, m.Aggregate, m.ID)
			for _, part := range []string{m.Quotient.Dividend, m.Quotient.Divisor} {
				p, ok := Lookup(part)
				require.True(t, ok, "%s divides %s", m.ID, part)
				for _, dimension := range m.Dimensions {
					require.True(t, p.Allows(dimension), "%s: %s does not allow %s", m.ID, part, dimension)
				}
			}
		case m.Supports(models.KindRecords):
			require.Empty(t, m.Aggregate, "%s has its own SQL", m.ID)
		default:
			require.NotEmpty(t, m.Source, m.ID)
			require.NotEmpty(t, m.Aggregate, m.ID)
		}
	}
}

// The catalog's size per section, as the docs and the README state it.
func TestCatalogSections(t *testing.T) {
	perSection := map[Section]int{}
	for _, m := range Metrics {
		perSection[m.Section]++
	}
	require.Equal(t, map[Section]int{
		// Live: the four of the live view, waiting_now and longest_wait_now.
		SectionUsage: 11, SectionChatbot: 4, SectionLive: 6, SectionContactCenter: 24, SectionCampaignCost: 19, SectionRecords: 5,
	}, perSection)
	require.Len(t, Dimensions, 23)
}

// A filter-only dimension (the message text search) filters but never
// groups: Resolve refuses it as a group by with a message that says so, and
// a ranking's hint never offers it.
func TestFilterOnlyDimensions(t *testing.T) {
	require.True(t, DimMessageText.FilterOnly)
	dialogs, ok := Lookup("dialogs")
	require.True(t, ok)
	require.True(t, dialogs.Allows(DimMessageText.ID))
	require.NotContains(t, dialogs.GroupDimensions(), DimMessageText.ID)
	for _, m := range Metrics {
		if m.Supports(models.KindRanking) {
			require.NotEmpty(t, m.GroupDimensions(), "%s: a ranking needs something to rank by", m.ID)
		}
	}

	q := models.Query{Metric: "dialogs", QueryType: models.KindRecords, GroupBy: DimMessageText.ID}
	q.TimeRange.From = time.Date(2022, 1, 1, 0, 0, 0, 0, time.UTC)
	q.TimeRange.To = q.TimeRange.From.AddDate(0, 1, 0)
	_, err := Resolve(q)
	require.EqualError(t, err, "dimension message_text only filters, it cannot be a group by: remove the group by and filter by message_text instead")

	q.GroupBy = ""
	q.Filters = []models.Filter{{Dimension: DimMessageText.ID, Values: []string{"refund", "", "refund", "50%"}}}
	plan, err := Resolve(q)
	require.NoError(t, err)
	require.Equal(t, []models.Filter{{Dimension: DimMessageText.ID, Values: []string{"refund", "50%"}}}, plan.Filters)
}
