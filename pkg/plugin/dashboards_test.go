package plugin

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/grafana/grafana-plugin-sdk-go/backend"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/stretchr/testify/require"

	"github.com/chatbot-metrics/chatbot-metrics/pkg/catalog"
	"github.com/chatbot-metrics/chatbot-metrics/pkg/generator"
	"github.com/chatbot-metrics/chatbot-metrics/pkg/models"
	"github.com/chatbot-metrics/chatbot-metrics/pkg/store/storetest"
)

type dashboardFile struct {
	UID  string `json:"uid"`
	Time struct {
		From string `json:"from"`
		To   string `json:"to"`
	} `json:"time"`
	Templating struct {
		List []struct {
			Name    string `json:"name"`
			Type    string `json:"type"`
			Query   string `json:"query"`
			Options []struct {
				Value string `json:"value"`
			} `json:"options"`
		} `json:"list"`
	} `json:"templating"`
	Panels []struct {
		Title      string `json:"title"`
		Datasource struct {
			Type string `json:"type"`
			UID  string `json:"uid"`
		} `json:"datasource"`
		Targets []json.RawMessage `json:"targets"`
	} `json:"panels"`
}

// The shipped dashboards work on any Grafana: they pick the data source
// through a variable instead of a hard-coded UID, every query they send
// resolves against the catalog for every interval the dashboard offers, and
// over the demo data of their default time range every panel draws numbers.
func TestShippedDashboards(t *testing.T) {
	demo := generatedDatasource(t, 300)
	// What Grafana sends for the platform variable set to "All": every value the resource lists.
	status, platforms := dimensionValues(t, demo, "dimensions/platform/values")
	require.Equal(t, 200, status)
	require.Contains(t, platforms, "whatsapp")
	allPlatforms, err := json.Marshal(platforms)
	require.NoError(t, err)
	allPlatformsInList := strings.Trim(string(allPlatforms), "[]")
	paths, err := filepath.Glob("../../dashboards/*.json")
	require.NoError(t, err)
	require.NotEmpty(t, paths)
	for _, path := range paths {
		t.Run(filepath.Base(path), func(t *testing.T) {
			raw, err := os.ReadFile(path)
			require.NoError(t, err)
			var dashboard dashboardFile
			require.NoError(t, json.Unmarshal(raw, &dashboard))
			require.NotEmpty(t, dashboard.UID)

			intervals := []string{""}
			for _, variable := range dashboard.Templating.List {
				if variable.Type == "datasource" {
					require.Equal(t, ID, variable.Query, "the data source variable lists this plugin's data sources")
				}
				if variable.Name == "interval" {
					intervals = intervals[:0]
					for _, option := range variable.Options {
						intervals = append(intervals, option.Value)
					}
				}
			}
			for _, panel := range dashboard.Panels {
				require.Equal(t, "${datasource}", panel.Datasource.UID, panel.Title)
				require.NotEmpty(t, panel.Targets, panel.Title)
				for _, target := range panel.Targets {
					require.NotContains(t, string(target), `"uid":"chatbot-metrics-demo"`, panel.Title)
					for _, interval := range intervals {
						queryJSON := strings.ReplaceAll(string(target), "$interval", interval)
						q, err := models.ParseQuery(backend.DataQuery{JSON: []byte(queryJSON),
							TimeRange:     backend.TimeRange{From: at("2022-01-01T00:00:00Z"), To: at("2022-04-01T00:00:00Z")},
							MaxDataPoints: 500})
						require.NoError(t, err, panel.Title)
						_, err = catalog.Resolve(q)
						require.NoError(t, err, "%s with interval %q", panel.Title, interval)
					}
					sent := strings.ReplaceAll(string(target), "$interval", "week")
					sent = strings.ReplaceAll(sent, `"$platform"`, allPlatformsInList)
					require.NotRegexp(t, `"\$[a-z]`, sent, "every query variable is replaced")
					frame := ask(t, demo, sent, dashboard.Time.From, dashboard.Time.To)
					values, _ := series(t, frame)
					require.NotEmpty(t, values, panel.Title)
					for name, points := range values {
						require.Positive(t, sum(points), "%s: series %s is all zeros on the demo data", panel.Title, name)
					}
				}
			}
		})
	}
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

func sum(values []float64) float64 {
	total := 0.0
	for _, v := range values {
		total += v
	}
	return total
}
