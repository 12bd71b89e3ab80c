package catalog

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func TestSuggestNamesTheNearestMetricIDs(t *testing.T) {
	ids := MetricIDs()
	cases := []struct {
		input string
		want  []string
	}{
		{"intents", []string{"top_intents"}},                                       // a word of the id
		{"intent", []string{"top_intents"}},                                        // the word's start
		{"message_sent", []string{"messages_sent"}},                                // a typing mistake comes first
		{"Messages Sent", []string{"messages_sent"}},                               // case and spaces
		{"servce_level", []string{"service_level"}},                                // a letter missing
		{"wait_time", []string{"wait_time_avg", "wait_time_p90", "wait_time_max"}}, // nearest of those sharing both words
		{"happiness", nil},
		{"", nil},
		{"top_intents", nil}, // known: nothing to suggest
		{strings.Repeat("intents", 100), nil},
	}
	for _, c := range cases {
		require.Equal(t, c.want, Suggest(c.input, ids), "Suggest(%q)", c.input)
	}
}

func TestDidYouMean(t *testing.T) {
	require.Equal(t, "", DidYouMean(nil))
	require.Equal(t, "did you mean top_intents?", DidYouMean([]string{"top_intents"}))
	require.Equal(t, "did you mean a, b or c?", DidYouMean([]string{"a", "b", "c"}))
}

func TestUnknownMetricAndDimensionSuggestTheNearest(t *testing.T) {
	from := time.Date(2022, 1, 1, 0, 0, 0, 0, time.UTC)
	to := from.AddDate(0, 1, 0)
	_, err := resolveJSON(t, `{"metric":"intents","queryType":"totals"}`, from, to)
	require.EqualError(t, err, fmt.Sprintf(`metric "intents" is unknown: did you mean top_intents? Otherwise choose one of the %d metrics the query editor lists (resource catalog)`, len(Metrics)))

	_, err = resolveJSON(t, `{"metric":"new_users","queryType":"totals","groupBy":"platforms"}`, from, to)
	require.EqualError(t, err, `dimension "platforms" is unknown: did you mean platform? Metric new_users can group by platform, inbox`)

	_, err = resolveJSON(t, `{"metric":"happiness","queryType":"totals"}`, from, to)
	require.EqualError(t, err, fmt.Sprintf(`metric "happiness" is unknown: choose one of the %d metrics the query editor lists (resource catalog)`, len(Metrics)))
}
