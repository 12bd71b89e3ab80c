package plugin

import (
	"context"
	"encoding/json"
	"path/filepath"
	"testing"
	"time"

	"github.com/grafana/grafana-plugin-sdk-go/backend"
	"github.com/grafana/grafana-plugin-sdk-go/data"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/chatbot-metrics/chatbot-metrics/pkg/catalog"
	"github.com/chatbot-metrics/chatbot-metrics/pkg/dashboards/replay"
	"github.com/chatbot-metrics/chatbot-metrics/pkg/generator"
	"github.com/chatbot-metrics/chatbot-metrics/pkg/models"
	"github.com/chatbot-metrics/chatbot-metrics/pkg/store/storetest"
)

// demoNow is "now" for the shipped dashboards' relative time ranges: the
// last second of the generated demo data (90 days from 2022-01-01), so that
// the ranges hold its end, where the Sales queue fails (see
// TestShippedDashboards), and "this month" is still March. When the demo
// data ends at the present moment, this becomes time.Now().
var demoNow = at("2022-03-31T23:59:59Z")

// The shipped dashboards draw on the demo data: every query of every panel
// decodes, resolves for every interval the dashboard offers, runs over the
// panel's time range (the dashboard's, or the panel's own relative one) with
// the variables replaced as Grafana replaces them, and answers a frame that
// its visualization can draw and that holds data.
func TestShippedDashboards(t *testing.T) {
	// The demo as docker-compose.yml loads it (-spike-team Sales): the Sales
	// queue fails at the end, a burst the performance report's annotation
	// marks; the spike draws from its own random stream, so the rest of the
	// data is the same without it.
	demo := generatedDatasourceFrom(t, generator.Config{Seed: 1, Days: 90, Contacts: 300, MissedSpike: "Sales"})
	ctx := context.Background()
	paths, err := filepath.Glob("../../dashboards/*.json")
	require.NoError(t, err)
	require.NotEmpty(t, paths)
	for _, path := range paths {
		t.Run(filepath.Base(path), func(t *testing.T) {
			dashboard, raw, err := replay.Read(path)
			require.NoError(t, err)
			from, to, err := replay.EvaluateRange(dashboard.Time.From, dashboard.Time.To, demoNow)
			require.NoError(t, err)
			values, intervals, err := replay.Values(ctx, demo, ID, dashboard, from, to)
			require.NoError(t, err)
			if platforms, ok := values["platform"]; ok {
				for _, platform := range platforms {
					assert.Contains(t, string(raw), `"(.+ · )?`+platform+`"`, "platform %s has its own color", platform)
				}
			}
			for _, panel := range replay.Flatten(dashboard.Panels) {
				if panel.Type == "row" {
					continue
				}
				t.Run(panel.Title, func(t *testing.T) {
					panelFrom, panelTo, err := replay.PanelRange(panel, from, to, demoNow)
					require.NoError(t, err)
					require.NotEmpty(t, panel.Targets)
					for _, target := range panel.Targets {
						for _, interval := range intervals {
							sent, err := replay.Substitute(target, values, interval)
							require.NoError(t, err)
							q, err := models.ParseQuery(backend.DataQuery{JSON: sent,
								TimeRange: backend.TimeRange{From: panelFrom, To: panelTo}, MaxDataPoints: 500})
							require.NoError(t, err)
							_, err = catalog.Resolve(q)
							require.NoError(t, err, "interval %q", interval)
						}
						sent, err := replay.Substitute(target, values, values["interval"].First())
						require.NoError(t, err)
						frame := ask(t, demo, string(sent), panelFrom.Format(time.RFC3339Nano), panelTo.Format(time.RFC3339Nano))
						var fields map[string]any
						require.NoError(t, json.Unmarshal(sent, &fields))
						if _, compared := fields["compare"]; compared && panel.Type == "stat" {
							// The stat shows the current row, the number for exactly the range.
							delete(fields, "compare")
							plain, err := json.Marshal(fields)
							require.NoError(t, err)
							alone := ask(t, demo, string(plain), panelFrom.Format(time.RFC3339Nano), panelTo.Format(time.RFC3339Nano))
							comparedStat(t, frame, alone)
							continue
						}
						drawable(t, panel.Type, frame)
					}
				})
			}
			for _, annotation := range dashboard.Annotations.List {
				t.Run("annotation "+annotation.Name, func(t *testing.T) {
					require.Equal(t, ID, annotation.Datasource.Type)
					require.True(t, annotation.Enable, "shown when the dashboard opens")
					sent, err := replay.Substitute(annotation.Target, values, values["interval"].First())
					require.NoError(t, err)
					frame := ask(t, demo, string(sent), from.Format(time.RFC3339Nano), to.Format(time.RFC3339Nano))
					events := annotations(t, frame)
					require.NotEmpty(t, events, "the demo data has events to mark")
					for _, e := range events {
						assert.NotEmpty(t, e.Title)
						assert.LessOrEqual(t, e.Time, e.TimeEnd)
					}
				})
			}
		})
	}
}

// comparedStat checks a stat compared with the previous period: a previous
// row, then the current one, whose value is the same query's without the
// comparison; Grafana's stat shows the last row and its change from the first.
func comparedStat(t *testing.T, frame, alone *data.Frame) {
	t.Helper()
	require.Equal(t, 2, frame.Rows(), "the previous and the current period")
	period, _ := frame.FieldByName("period")
	require.NotNil(t, period, "a period field")
	require.Equal(t, []any{"previous", "current"}, []any{period.At(0), period.At(1)})
	numbers := numericFields(frame)
	require.Len(t, numbers, 1, "one number")
	current, ok := numbers[0].ConcreteAt(1)
	require.True(t, ok, "the current value is not null on the demo data")
	drawable(t, "stat", alone)
	want, _ := numericFields(alone)[0].ConcreteAt(0)
	assert.Equal(t, want, current, "the current row is the total over the range")
}

// numericFields are the frame's number fields, the ones a stat shows by default.
func numericFields(frame *data.Frame) []*data.Field {
	var numbers []*data.Field
	for _, field := range frame.Fields {
		if field.Type().Numeric() {
			numbers = append(numbers, field)
		}
	}
	return numbers
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
		numbers := numericFields(frame)
		require.Len(t, numbers, 1, "one number")
		_, ok := numbers[0].ConcreteAt(0)
		assert.True(t, ok, "the value is not null on the demo data")
	case "table", "bargauge":
		assert.Positive(t, frame.Rows(), "rows on the demo data")
	default:
		t.Fatalf("no check for panel type %s", panelType)
	}
}

// generatedDatasource is an instance over generated demo data (workspace
// "demo", 90 days from 2022-01-01), as the demo provisions it.
func generatedDatasource(tb testing.TB, contacts int) *Datasource {
	tb.Helper()
	return generatedDatasourceFrom(tb, generator.Config{Seed: 1, Days: 90, Contacts: contacts})
}

// generatedDatasourceFrom is an instance over the demo data cfg generates.
func generatedDatasourceFrom(tb testing.TB, cfg generator.Config) *Datasource {
	tb.Helper()
	url := storetest.URL(tb)
	pool, err := pgxpool.New(context.Background(), url)
	require.NoError(tb, err)
	stats, err := generator.Load(context.Background(), pool, cfg)
	pool.Close()
	require.NoError(tb, err)
	tb.Logf("generated %d messages", stats.Rows["messages"])
	instance, err := NewDatasource(context.Background(), instanceSettings(tb, url, "demo"))
	require.NoError(tb, err)
	ds := instance.(*Datasource)
	tb.Cleanup(ds.Dispose)
	return ds
}
