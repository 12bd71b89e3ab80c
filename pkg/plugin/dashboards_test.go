package plugin

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/grafana/grafana-plugin-sdk-go/backend"
	"github.com/grafana/grafana-plugin-sdk-go/backend/gtime"
	"github.com/grafana/grafana-plugin-sdk-go/data"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/chatbot-metrics/chatbot-metrics/pkg/catalog"
	"github.com/chatbot-metrics/chatbot-metrics/pkg/generator"
	"github.com/chatbot-metrics/chatbot-metrics/pkg/models"
	"github.com/chatbot-metrics/chatbot-metrics/pkg/store/storetest"
)

// demoNow is "now" for the shipped dashboards' relative time ranges: the
// last day of the generated demo data (90 days from 2022-01-01). When the
// demo data ends at the present moment, this becomes time.Now().
var demoNow = at("2022-03-31T12:00:00Z")

type dashboardVariable struct {
	Name       string          `json:"name"`
	Type       string          `json:"type"`
	Query      json.RawMessage `json:"query"`
	Multi      bool            `json:"multi"`
	IncludeAll bool            `json:"includeAll"`
	AllValue   *string         `json:"allValue"`
	Current    struct {
		Value json.RawMessage `json:"value"`
	} `json:"current"`
	Options []struct {
		Value string `json:"value"`
	} `json:"options"`
}

type dashboardPanel struct {
	Type     string            `json:"type"`
	Title    string            `json:"title"`
	TimeFrom string            `json:"timeFrom"`
	Targets  []json.RawMessage `json:"targets"`
	Panels   []dashboardPanel  `json:"panels"`
}

type dashboardFile struct {
	UID  string `json:"uid"`
	Time struct {
		From string `json:"from"`
		To   string `json:"to"`
	} `json:"time"`
	Templating struct {
		List []dashboardVariable `json:"list"`
	} `json:"templating"`
	Panels []dashboardPanel `json:"panels"`
}

// The shipped dashboards draw on the demo data: every query of every panel
// decodes, resolves for every interval the dashboard offers, runs over the
// panel's time range (the dashboard's, or the panel's own relative one) with
// the variables replaced as Grafana replaces them, and answers a frame that
// its visualization can draw and that holds data.
func TestShippedDashboards(t *testing.T) {
	demo := generatedDatasource(t, 300)
	paths, err := filepath.Glob("../../dashboards/*.json")
	require.NoError(t, err)
	require.NotEmpty(t, paths)
	for _, path := range paths {
		t.Run(filepath.Base(path), func(t *testing.T) {
			raw, err := os.ReadFile(path)
			require.NoError(t, err)
			var dashboard dashboardFile
			require.NoError(t, json.Unmarshal(raw, &dashboard))
			from, to := evaluateRange(t, dashboard.Time.From, dashboard.Time.To, demoNow)
			values, intervals := variableValues(t, demo, dashboard, from, to)
			if platforms, ok := values["platform"]; ok {
				for _, platform := range platforms {
					assert.Contains(t, string(raw), `"(.+ · )?`+platform+`"`, "platform %s has its own color", platform)
				}
			}
			for _, panel := range flattenPanels(dashboard.Panels) {
				if panel.Type == "row" {
					continue
				}
				t.Run(panel.Title, func(t *testing.T) {
					panelFrom, panelTo := from, to
					if panel.TimeFrom != "" {
						panelFrom, panelTo = evaluateRange(t, "now-"+panel.TimeFrom, "now", demoNow)
					}
					require.NotEmpty(t, panel.Targets)
					for _, target := range panel.Targets {
						for _, interval := range intervals {
							sent := substitute(t, target, values, interval)
							q, err := models.ParseQuery(backend.DataQuery{JSON: sent,
								TimeRange: backend.TimeRange{From: panelFrom, To: panelTo}, MaxDataPoints: 500})
							require.NoError(t, err)
							_, err = catalog.Resolve(q)
							require.NoError(t, err, "interval %q", interval)
						}
						sent := substitute(t, target, values, values["interval"].first())
						frame := ask(t, demo, string(sent), panelFrom.Format(time.RFC3339Nano), panelTo.Format(time.RFC3339Nano))
						drawable(t, panel.Type, frame)
					}
				})
			}
		})
	}
}

// evaluateRange reads a dashboard's time range as Grafana does, relative to now.
func evaluateRange(t *testing.T, from, to string, now time.Time) (time.Time, time.Time) {
	t.Helper()
	r := gtime.TimeRange{From: from, To: to, Now: now}
	start, err := r.ParseFrom()
	require.NoError(t, err)
	end, err := r.ParseTo()
	require.NoError(t, err)
	return start, end
}

// variableValue is what Grafana sends for a variable: its values (several
// for a multi-value or All selection), or none, which drops the filter.
type variableValue []string

func (v variableValue) first() string {
	if len(v) == 0 {
		return ""
	}
	return v[0]
}

// variableValues sets each variable as Grafana would on the dashboard's
// first load: All is every value the resource lists, a query variable without
// All takes the first value listed, a custom All value of `""` is no value,
// and text boxes get a real value from the data. The second result lists
// the interval variable's options, for resolving.
func variableValues(t *testing.T, ds *Datasource, d dashboardFile, from, to time.Time) (map[string]variableValue, []string) {
	t.Helper()
	values := map[string]variableValue{}
	intervals := []string{""}
	var textBoxes []string
	for _, v := range d.Templating.List {
		switch v.Type {
		case "datasource":
			require.Equal(t, ID, strings.Trim(string(v.Query), `"`), "the data source variable lists this plugin's data sources")
		case "query":
			var query string
			require.NoError(t, json.Unmarshal(v.Query, &query))
			dimension, params, _ := strings.Cut(query, "?")
			path := "dimensions/" + dimension + "/values?from=" + itoa(int(from.UnixMilli())) + "&to=" + itoa(int(to.UnixMilli()))
			if params != "" {
				path += "&" + params
			}
			status, listed := dimensionValues(t, ds, path)
			require.Equal(t, 200, status, "variable %s: %v", v.Name, listed)
			require.NotEmpty(t, listed, "variable %s lists values", v.Name)
			if v.IncludeAll {
				values[v.Name] = listed
			} else {
				values[v.Name] = listed[:1]
			}
		case "custom":
			var current string
			require.NoError(t, json.Unmarshal(v.Current.Value, &current), "variable %s: one current value", v.Name)
			if current == "$__all" {
				require.NotNil(t, v.AllValue, "variable %s: All is a custom value", v.Name)
				require.Equal(t, `""`, *v.AllValue, "variable %s: All means no filter", v.Name)
				values[v.Name] = nil
			} else {
				values[v.Name] = variableValue{current}
			}
			if v.Name == "interval" {
				intervals = intervals[:0]
				for _, option := range v.Options {
					intervals = append(intervals, option.Value)
				}
			}
		case "textbox":
			textBoxes = append(textBoxes, v.Name)
		default:
			t.Fatalf("variable %s of type %s has no value here", v.Name, v.Type)
		}
	}
	for _, name := range textBoxes {
		switch name {
		case "conversation", "search":
			id, word := aDialog(t, ds, from, to)
			values["conversation"] = variableValue{id}
			values["search"] = variableValue{word}
		default:
			t.Fatalf("text box %s has no value here", name)
		}
	}
	return values, intervals
}

// aDialog is the id of the newest dialog in [from, to) with a word of four
// letters or more in its messages, and that word.
func aDialog(t *testing.T, ds *Datasource, from, to time.Time) (string, string) {
	t.Helper()
	dialogs := ask(t, ds, `{"refId":"A","version":1,"queryType":"records","metric":"dialogs","limit":50}`,
		from.Format(time.RFC3339Nano), to.Format(time.RFC3339Nano))
	ids, _ := dialogs.FieldByName("id")
	require.NotNil(t, ids)
	for i := 0; i < ids.Len(); i++ {
		id, ok := ids.ConcreteAt(i)
		require.True(t, ok)
		conversation := itoa(int(id.(int64)))
		transcript := ask(t, ds, `{"refId":"A","version":1,"queryType":"records","metric":"transcript","conversationId":"`+conversation+`"}`,
			from.Format(time.RFC3339Nano), to.Format(time.RFC3339Nano))
		texts, _ := transcript.FieldByName("text")
		require.NotNil(t, texts)
		for j := 0; j < texts.Len(); j++ {
			text, ok := texts.ConcreteAt(j)
			if !ok {
				continue
			}
			for _, word := range strings.Fields(text.(string)) {
				if len(word) >= 4 && strings.IndexFunc(word, func(r rune) bool { return r < 'A' || r > 'z' }) < 0 {
					return conversation, word
				}
			}
		}
	}
	t.Fatal("no dialog with a word in the range")
	return "", ""
}

// substitute is the query the frontend sends: variables in filters expanded
// to their values (a filter left without values dropped), the interval and
// the transcript's conversation replaced.
func substitute(t *testing.T, target json.RawMessage, values map[string]variableValue, interval string) []byte {
	t.Helper()
	var q map[string]any
	require.NoError(t, json.Unmarshal(target, &q))
	if filters, ok := q["filters"].([]any); ok {
		var kept []any
		for _, f := range filters {
			filter := f.(map[string]any)
			var expanded []any
			for _, v := range filter["values"].([]any) {
				text := v.(string)
				if name, isVariable := strings.CutPrefix(text, "$"); isVariable {
					value, known := values[name]
					require.True(t, known, "variable %s has a value", name)
					for _, each := range value {
						expanded = append(expanded, each)
					}
					continue
				}
				expanded = append(expanded, text)
			}
			if len(expanded) > 0 {
				filter["values"] = expanded
				kept = append(kept, filter)
			}
		}
		q["filters"] = kept
	}
	if q["interval"] == "$interval" {
		q["interval"] = interval
	}
	if q["conversationId"] == "$conversation" {
		q["conversationId"] = values["conversation"].first()
	}
	sent, err := json.Marshal(q)
	require.NoError(t, err)
	require.NotRegexp(t, `"\$[a-z]`, string(sent), "every variable is replaced")
	return sent
}

// drawable checks that frame is what the panel type draws, with data in it.
func drawable(t *testing.T, panelType string, frame *data.Frame) {
	t.Helper()
	switch panelType {
	case "timeseries":
		require.NotNil(t, frame.Meta)
		require.Equal(t, data.FrameTypeTimeSeriesWide, frame.Meta.Type)
		require.Positive(t, frame.Rows(), "a point per bucket")
		require.Equal(t, data.FieldTypeTime, frame.Fields[0].Type())
		require.Greater(t, len(frame.Fields), 1, "a series")
		total, numbers := 0.0, 0
		for _, field := range frame.Fields[1:] {
			if !field.Type().Numeric() {
				continue
			}
			numbers++
			for i := 0; i < field.Len(); i++ {
				if v, ok := field.ConcreteAt(i); ok {
					total += v.(float64)
				}
			}
		}
		require.Positive(t, numbers, "numeric series")
		assert.Positive(t, total, "the series hold data on the demo data")
	case "stat":
		require.Equal(t, 1, frame.Rows(), "one value")
		var numbers []*data.Field
		for _, field := range frame.Fields {
			if field.Type().Numeric() {
				numbers = append(numbers, field)
			}
		}
		require.Len(t, numbers, 1, "one number")
		_, ok := numbers[0].ConcreteAt(0)
		assert.True(t, ok, "the value is not null on the demo data")
	case "table", "bargauge":
		assert.Positive(t, frame.Rows(), "rows on the demo data")
	default:
		t.Fatalf("no check for panel type %s", panelType)
	}
}

func flattenPanels(panels []dashboardPanel) []dashboardPanel {
	var out []dashboardPanel
	for _, p := range panels {
		out = append(out, p)
		out = append(out, flattenPanels(p.Panels)...)
	}
	return out
}

// generatedDatasource is an instance over generated demo data (workspace
// "demo", 90 days from 2022-01-01), as the demo provisions it.
func generatedDatasource(tb testing.TB, contacts int) *Datasource {
	tb.Helper()
	url := storetest.URL(tb)
	pool, err := pgxpool.New(context.Background(), url)
	require.NoError(tb, err)
	stats, err := generator.Load(context.Background(), pool, generator.Config{Seed: 1, Days: 90, Contacts: contacts})
	pool.Close()
	require.NoError(tb, err)
	tb.Logf("generated %d messages", stats.Rows["messages"])
	instance, err := NewDatasource(context.Background(), instanceSettings(tb, url, "demo"))
	require.NoError(tb, err)
	ds := instance.(*Datasource)
	tb.Cleanup(ds.Dispose)
	return ds
}
