package plugin

import (
	"context"
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/grafana/dataplane/sdata/numeric"
	"github.com/grafana/dataplane/sdata/timeseries"
	"github.com/grafana/grafana-plugin-sdk-go/backend"
	"github.com/grafana/grafana-plugin-sdk-go/data"
	"github.com/stretchr/testify/require"

	"github.com/chatbot-metrics/chatbot-metrics/pkg/catalog"
	"github.com/chatbot-metrics/chatbot-metrics/pkg/models"
)

// alertInstances reads one query's frames the way Grafana's server-side
// expressions do for typed frames (pkg/expr/dataplane.go in grafana/grafana:
// the frame's Meta.Type picks github.com/grafana/dataplane/sdata's numeric or
// time-series reader), and then, as alerting's evaluation does
// (pkg/services/ngalert/eval), requires every value to be identified by its
// labels alone. It returns each instance's labels, as text, with its values,
// and whether the answer is NoData.
func alertInstances(frames data.Frames) (map[string][]*float64, bool, error) {
	if len(frames) == 0 {
		return nil, true, nil
	}
	instances := map[string][]*float64{}
	add := func(labels data.Labels, values []*float64) error {
		key := labels.String()
		if _, dup := instances[key]; dup {
			return fmt.Errorf("frame cannot uniquely be identified by its labels: has duplicate results with labels {%s}", key)
		}
		instances[key] = values
		return nil
	}
	switch kind := frames[0].Meta.Type.Kind(); kind {
	case data.KindNumeric:
		reader, err := numeric.CollectionReaderFromFrames(frames)
		if err != nil {
			return nil, false, err
		}
		collection, err := reader.GetCollection(false)
		if err != nil {
			return nil, false, err
		}
		if len(collection.Refs) == 0 {
			return nil, true, nil
		}
		for _, ref := range collection.Refs {
			value, _, err := ref.NullableFloat64Value()
			if err != nil {
				return nil, false, err
			}
			if err := add(ref.GetLabels(), []*float64{value}); err != nil {
				return nil, false, err
			}
		}
	case data.KindTimeSeries:
		reader, err := timeseries.CollectionReaderFromFrames(frames)
		if err != nil {
			return nil, false, err
		}
		collection, err := reader.GetCollection(false)
		if err != nil {
			return nil, false, err
		}
		if collection.NoData() {
			return nil, true, nil
		}
		for _, ref := range collection.Refs {
			values := make([]*float64, ref.ValueField.Len())
			for i := range values {
				if values[i], err = ref.ValueField.NullableFloatAt(i); err != nil {
					return nil, false, err
				}
			}
			if err := add(ref.GetLabels(), values); err != nil {
				return nil, false, err
			}
		}
	default:
		return nil, false, fmt.Errorf("frame type %q (kind %s) is not something alerting reads", frames[0].Meta.Type, kind)
	}
	return instances, false, nil
}

// alertingRequest is how Grafana's alerting sends a query: max data points
// 43200 and an interval of 1 s, over the rule's relative time range.
func alertingRequest(refID, queryJSON string, from, to time.Time) backend.DataQuery {
	return backend.DataQuery{
		RefID: refID, JSON: json.RawMessage(queryJSON),
		TimeRange: backend.TimeRange{From: from, To: to},
		Interval:  time.Second, MaxDataPoints: 43200,
	}
}

// Every metric, in every kind that answers numbers and with every group-by it
// allows (and none), answers frames that alerting accepts: one value per
// group, told apart by its labels, and the group's value among them. Over a
// range without data a grouped query is NoData, never an error.
func TestEveryMetricAnswersFramesAlertingAccepts(t *testing.T) {
	ds := generatedDatasource(t, 300)
	withData := [2]time.Time{at("2022-03-30T00:00:00Z"), at("2022-03-31T00:00:00Z")}
	empty := [2]time.Time{at("2020-01-01T00:00:00Z"), at("2020-01-02T00:00:00Z")}
	checked := 0
	for _, metric := range catalog.Metrics {
		for _, kind := range metric.Kinds {
			if kind == models.KindRecords {
				continue // tables, not numbers
			}
			groups := append([]string{""}, metric.Dimensions...)
			if kind == models.KindRanking {
				groups = metric.Dimensions
			}
			for _, groupBy := range groups {
				name := fmt.Sprintf("%s/%s/%s", metric.ID, kind, groupBy)
				query := fmt.Sprintf(`{"version":1,"queryType":%q,"metric":%q,"groupBy":%q,"interval":"auto"}`, kind, metric.ID, groupBy)
				for _, span := range [][2]time.Time{withData, empty} {
					resp, err := ds.QueryData(context.Background(), &backend.QueryDataRequest{
						Queries: []backend.DataQuery{alertingRequest("A", query, span[0], span[1])},
					})
					require.NoError(t, err, name)
					answer := resp.Responses["A"]
					require.NoError(t, answer.Error, name)
					instances, noData, err := alertInstances(answer.Frames)
					require.NoError(t, err, name)
					checked++
					if noData {
						// Only a grouping can be empty: one series or one total always answers.
						require.NotEmpty(t, groupBy, "%s over %s answers no data", name, span[0].Format(time.DateOnly))
						continue
					}
					if groupBy == "" {
						require.Len(t, instances, 1, name)
						require.Contains(t, instances, "", "%s: one instance without labels", name)
						continue
					}
					for labels := range instances {
						require.Contains(t, labels, groupBy+"=", "%s: the instance {%s} names its group", name, labels)
					}
					if kind != models.KindTimeSeries {
						// One value per group: as many instances as rows.
						require.Len(t, instances, answer.Frames[0].Rows(), name)
					}
				}
			}
		}
	}
	t.Logf("%d queries read as alerting reads them", checked)
}

// Totals by team, as a per-team alert rule asks for them (contact-center
// conversations here): each team is one instance with one value, its id a label.
func TestTotalsByTeamAreOneInstancePerTeam(t *testing.T) {
	ds := newDatasource(t, "chatbot_fixture")
	resp, err := ds.QueryData(context.Background(), &backend.QueryDataRequest{Queries: []backend.DataQuery{
		alertingRequest("A", `{"version":1,"queryType":"totals","metric":"cc_conversations","groupBy":"team"}`,
			at("2022-01-01T00:00:00Z"), at("2022-03-01T00:00:00Z")),
	}})
	require.NoError(t, err)
	instances, noData, err := alertInstances(resp.Responses["A"].Frames)
	require.NoError(t, err)
	require.False(t, noData)
	// Assignment 4 went to Sales (team 1), the other five to Support (team 2).
	require.Equal(t, map[string][]*float64{
		"team=Sales, team_id=1":   {ptr(1.0)},
		"team=Support, team_id=2": {ptr(5.0)},
	}, instances)
}

// Two queries grouped by the same dimension in one panel keep distinct,
// readable names: the metric's title and the group.
func TestSeriesOfTwoQueriesKeepDistinctNames(t *testing.T) {
	ds := newDatasource(t, "chatbot_fixture")
	from, to := at("2022-01-01T00:00:00Z"), at("2022-03-01T00:00:00Z")
	resp, err := ds.QueryData(context.Background(), &backend.QueryDataRequest{Queries: []backend.DataQuery{
		alertingRequest("A", `{"version":1,"metric":"handled_conversations","groupBy":"team","interval":"month"}`, from, to),
		alertingRequest("B", `{"version":1,"metric":"cc_conversations","groupBy":"team","interval":"month"}`, from, to),
	}})
	require.NoError(t, err)
	var names []string
	for _, refID := range []string{"A", "B"} {
		require.NoError(t, resp.Responses[refID].Error)
		for _, field := range resp.Responses[refID].Frames[0].Fields[1:] {
			names = append(names, field.Config.DisplayNameFromDS)
		}
	}
	// Accepted: Ana's 1, 5, 6 and Bruno's 3 in Support, Carla's 4 in Sales.
	require.Equal(t, []string{
		"Handled conversations · Sales", "Handled conversations · Support",
		"Contact-center conversations · Sales", "Contact-center conversations · Support",
	}, names)
}

// A grouped query over a range without rows reads as no data in panels and
// alert rules: a frame without fields, still carrying the executed SQL.
func TestEmptyGroupingIsNoData(t *testing.T) {
	ds := newDatasource(t, "chatbot_fixture")
	for _, kind := range []models.QueryKind{models.KindTimeSeries, models.KindTotals, models.KindRanking} {
		frame := ask(t, ds, fmt.Sprintf(`{"version":1,"queryType":%q,"metric":"top_intents","groupBy":"intent","interval":"day"}`, kind),
			"2021-06-01T00:00:00Z", "2021-06-08T00:00:00Z")
		require.Empty(t, frame.Fields, kind)
		require.Contains(t, frame.Meta.ExecutedQueryString, "SELECT", kind)
		_, noData, err := alertInstances(data.Frames{frame})
		require.NoError(t, err, kind)
		require.True(t, noData, kind)
	}
}

func ptr(v float64) *float64 { return &v }
