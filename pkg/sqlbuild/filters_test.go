package sqlbuild

import (
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/chatbot-metrics/chatbot-metrics/pkg/catalog"
	"github.com/chatbot-metrics/chatbot-metrics/pkg/models"
)

// A filter's values travel as one text[] parameter: the statement's
// placeholders and text do not depend on how many values there are, so a
// huge "All" variable cannot pass PostgreSQL's 65535-parameter limit.
func TestFilterValuesAreOneArrayParameter(t *testing.T) {
	placeholder := regexp.MustCompile(`\$\d+`)
	values := func(n int) []string {
		out := make([]string, n)
		for i := range out {
			out[i] = fmt.Sprintf("value-%d", i)
		}
		return out
	}
	builders := map[models.QueryKind]func(catalog.Plan, Workspace) (Statement, error){
		models.KindTimeSeries: TimeSeries, models.KindTotals: Totals, models.KindRecords: Records,
	}
	for _, m := range catalog.Metrics {
		for _, dimension := range m.Dimensions {
			for _, kind := range m.Kinds {
				build, ok := builders[kind]
				if !ok {
					continue
				}
				name := m.ID + "/" + dimension + "/" + string(kind)
				statements := make([]Statement, 0, 3)
				for _, n := range []int{1, 2, models.MaxFilterValues} {
					p := plan(t, m.ID, "", models.Filter{Dimension: dimension, Values: values(n)})
					p.Kind = kind
					p.From, p.To = p.Boundaries[0], p.Boundaries[len(p.Boundaries)-1]
					p.Limit = 10
					if m.ID == catalog.MetricTranscript {
						p.ConversationID = 1
					}
					s, err := build(p, WorkspaceSlug("acme"))
					require.NoError(t, err, name)
					statements = append(statements, s)
				}
				for i, s := range statements[1:] {
					previous := statements[i]
					// A summary split by the dimension answers one value of it
					// (the languages'); two or more read the raw rows.
					if i == 0 && strings.SplitN(s.SQL, " */", 2)[0] != strings.SplitN(previous.SQL, " */", 2)[0] {
						require.Equal(t, "languages/language", m.ID+"/"+dimension, "only a split summary routes by the number of values")
						continue
					}
					require.Equal(t, previous.SQL, s.SQL, name)
					require.Len(t, s.Args, len(previous.Args), name)
					require.Len(t, placeholder.FindAllString(s.SQL, -1), len(placeholder.FindAllString(previous.SQL, -1)), name)
				}
				// The values (or, for a text search, their patterns) are one argument
				// (one per side of a ratio).
				arrays := 0
				for _, arg := range statements[2].Args {
					if list, ok := arg.([]string); ok && len(list) == models.MaxFilterValues {
						arrays++
					}
				}
				require.Positive(t, arrays, name)
			}
		}
	}
}

// An excluding filter is the keeping one negated with IS NOT TRUE, so that
// rows without a value for the dimension (a null) are kept; its values are
// still one parameter.
func TestExcludingFilterKeepsRowsWithoutAValue(t *testing.T) {
	for _, dimension := range []string{"team", "marker"} {
		metric := map[string]string{"team": "cc_conversations", "marker": "dialogs"}[dimension]
		keep := plan(t, metric, "", models.Filter{Dimension: dimension, Values: []string{"a", "b"}})
		exclude := plan(t, metric, "", models.Filter{Dimension: dimension, Values: []string{"a", "b"}, Exclude: true})
		build := Totals
		if metric == "dialogs" {
			keep.Kind, exclude.Kind, keep.Limit, exclude.Limit = models.KindRecords, models.KindRecords, 10, 10
			build = Records
		}
		kept, err := build(keep, WorkspaceSlug("acme"))
		require.NoError(t, err)
		excluded, err := build(exclude, WorkspaceSlug("acme"))
		require.NoError(t, err)
		require.Len(t, excluded.Args, len(kept.Args), dimension)
		require.NotContains(t, kept.SQL, "IS NOT TRUE", dimension)
		require.Regexp(t, `\(\(.+\) IS NOT TRUE\)|\(EXISTS .+\) IS NOT TRUE`, excluded.SQL, dimension)
	}
}
