package plugin

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"os"
	"reflect"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/grafana/grafana-plugin-sdk-go/backend"
	"github.com/grafana/grafana-plugin-sdk-go/data"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/chatbot-metrics/chatbot-metrics/pkg/models"
)

// queryFixturesPath holds queries as dashboards store them. The frontend tests
// (src/queryFixtures.test.tsx) check the same file against ChatbotQuery, the
// migration and the query editor, so the two sides cannot drift apart.
const queryFixturesPath = "../../src/testing/queries.json"

type queryFixtures struct {
	Description string `json:"description"`
	TimeRange   struct {
		From string `json:"from"`
		To   string `json:"to"`
	} `json:"timeRange"`
	IntervalMs    int64          `json:"intervalMs"`
	MaxDataPoints int64          `json:"maxDataPoints"`
	Cases         []queryFixture `json:"cases"`
}

type queryFixture struct {
	Name    string          `json:"name"`
	Because string          `json:"because"`
	Query   json.RawMessage `json:"query"`
	Expect  struct {
		Status int    `json:"status"`
		Error  string `json:"error"`
		Rows   *int   `json:"rows"`
		// Values are a totals, ranking or snapshot frame's (group, value) rows, in order.
		Values [][]any `json:"values"`
		// Series are a time series frame's values by display name.
		Series map[string][]float64 `json:"series"`
		// Columns are some columns of a records frame.
		Columns map[string][]any `json:"columns"`
		// Notices are the frame's warnings (ad hoc filters not applied).
		Notices []string `json:"notices"`
	} `json:"expect"`
}

// storedQuery is a stored query as the backend reads it: the refId Grafana
// takes from the envelope, and every field of the query model.
type storedQuery struct {
	RefID string `json:"refId"`
	models.Query
}

// loadQueryFixtures reads the fixtures strictly, so that a misspelt
// expectation fails instead of asserting nothing.
func loadQueryFixtures(t *testing.T) queryFixtures {
	t.Helper()
	raw, err := os.ReadFile(queryFixturesPath)
	require.NoError(t, err)
	var fixtures queryFixtures
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	require.NoError(t, dec.Decode(&fixtures))
	require.NotEmpty(t, fixtures.Cases)
	names := map[string]bool{}
	for _, c := range fixtures.Cases {
		require.NotEmpty(t, c.Name)
		require.False(t, names[c.Name], "two cases are named %q", c.Name)
		names[c.Name] = true
	}
	return fixtures
}

func TestQueryFixtures(t *testing.T) {
	fixtures := loadQueryFixtures(t)
	ds := newDatasource(t, "chatbot_fixture")
	timeRange := backend.TimeRange{From: at(fixtures.TimeRange.From), To: at(fixtures.TimeRange.To)}

	for _, c := range fixtures.Cases {
		t.Run(c.Name, func(t *testing.T) {
			var stored storedQuery
			dec := json.NewDecoder(bytes.NewReader(c.Query))
			dec.DisallowUnknownFields()
			require.NoError(t, dec.Decode(&stored), "the query has a field the backend does not read")
			require.NotEmpty(t, stored.RefID)

			// What Grafana sends for the stored query: the JSON as it is, with the
			// query type, step and points of the request beside it.
			resp, err := ds.QueryData(context.Background(), &backend.QueryDataRequest{Queries: []backend.DataQuery{{
				RefID: stored.RefID, QueryType: string(stored.QueryType), JSON: c.Query, TimeRange: timeRange,
				Interval: time.Duration(fixtures.IntervalMs) * time.Millisecond, MaxDataPoints: fixtures.MaxDataPoints,
			}}})
			require.NoError(t, err)
			require.Len(t, resp.Responses, 1)
			r, ok := resp.Responses[stored.RefID]
			require.True(t, ok, "no response for refId %s", stored.RefID)

			want := c.Expect
			if want.Status != http.StatusOK {
				require.Error(t, r.Error)
				require.NotEmpty(t, want.Error, "a failing case names a part of its message")
				assert.Contains(t, r.Error.Error(), want.Error)
				assert.EqualValues(t, want.Status, r.Status)
				return
			}
			require.NoError(t, r.Error)
			// A success leaves the status unset; Grafana answers it with 200.
			require.Contains(t, []backend.Status{0, backend.StatusOK}, r.Status)
			require.Empty(t, want.Error)
			require.Len(t, r.Frames, 1)
			frame := r.Frames[0]
			if want.Rows != nil || want.Values != nil || want.Series != nil || want.Columns != nil {
				require.NotEmpty(t, c.Because, "say why the expected numbers are right")
			}
			if want.Rows != nil {
				assert.Equal(t, *want.Rows, frame.Rows(), "rows")
			}
			if want.Values != nil {
				assertLongValues(t, want.Values, rows(t, frame))
			}
			if want.Series != nil {
				got, _ := series(t, frame)
				require.Equal(t, sortedKeys(want.Series), sortedKeys(got), "series")
				for name, values := range want.Series {
					assert.InDeltaSlice(t, values, got[name], 1e-9, "%s: got %v", name, got[name])
				}
			}
			for name, values := range want.Columns {
				assert.Equal(t, values, columnValues(t, frame, name), name)
			}
			if want.Notices != nil {
				assert.Equal(t, want.Notices, noticeTexts(t, frame), "notices")
			}
		})
	}
}

// Every field of the query model is sent by at least one fixture, so the
// frontend tests see every field the backend reads (and the strict decoding
// above sees every field the frontend writes).
func TestQueryFixturesUseEveryQueryField(t *testing.T) {
	fixtures := loadQueryFixtures(t)
	used := map[string]bool{}
	for _, c := range fixtures.Cases {
		var fields map[string]json.RawMessage
		require.NoError(t, json.Unmarshal(c.Query, &fields), c.Name)
		for name := range fields {
			used[name] = true
		}
	}
	model := reflect.TypeOf(models.Query{})
	for i := 0; i < model.NumField(); i++ {
		name, _, _ := strings.Cut(model.Field(i).Tag.Get("json"), ",")
		if name == "" || name == "-" {
			continue
		}
		assert.True(t, used[name], "no fixture in %s sets %q", queryFixturesPath, name)
	}
}

// assertLongValues compares (group, value) rows; values within 1e-9, since
// ratios and averages come out of float8 arithmetic.
func assertLongValues(t *testing.T, want [][]any, got [][2]any) {
	t.Helper()
	require.Len(t, got, len(want), "got %v", got)
	for i, w := range want {
		require.Len(t, w, 2, "a value row is [group, value]")
		assert.Equal(t, w[0], got[i][0], "group of row %d", i)
		wantValue, ok := w[1].(float64)
		require.True(t, ok, "the value of row %d is a number", i)
		assert.InDelta(t, wantValue, got[i][1], 1e-9, "value of row %d (%v)", i, got[i][0])
	}
}

// columnValues reads a records column in JSON's terms: numbers as float64 and
// times as RFC 3339 UTC strings; nulls are nil.
func columnValues(t *testing.T, frame *data.Frame, name string) []any {
	t.Helper()
	field, _ := frame.FieldByName(name)
	require.NotNil(t, field, "no column %q", name)
	values := make([]any, field.Len())
	for i := range values {
		v, ok := field.ConcreteAt(i)
		if !ok {
			continue
		}
		switch v := v.(type) {
		case int64:
			values[i] = float64(v)
		case time.Time:
			values[i] = v.UTC().Format(time.RFC3339)
		default:
			values[i] = v
		}
	}
	return values
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
