package dashboards

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/grafana/grafana-foundation-sdk/go/dashboard"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/chatbot-metrics/chatbot-metrics/pkg/catalog"
	"github.com/chatbot-metrics/chatbot-metrics/pkg/models"
	"github.com/chatbot-metrics/chatbot-metrics/pkg/sqlbuild"
)

const regenerate = "run `go run github.com/magefile/mage dashboards` and commit the result"

// The committed files are what the code writes.
func TestCommittedDashboardsAreCurrent(t *testing.T) {
	for _, spec := range All() {
		want, err := spec.JSON()
		require.NoError(t, err, spec.File)
		got, err := os.ReadFile(filepath.Join("..", "..", "dashboards", spec.File))
		require.NoError(t, err, "%s is missing: %s", spec.File, regenerate)
		assert.True(t, bytes.Equal(want, got), "dashboards/%s differs from pkg/dashboards: %s", spec.File, regenerate)
	}
	want, err := Reference()
	require.NoError(t, err)
	got, err := os.ReadFile(filepath.Join("..", "..", "docs", "dashboards.md"))
	require.NoError(t, err)
	assert.Equal(t, string(want), string(got), "docs/dashboards.md is stale: %s", regenerate)

	files, err := filepath.Glob(filepath.Join("..", "..", "dashboards", "*.json"))
	require.NoError(t, err)
	assert.Len(t, files, len(All()), "every file in dashboards/ comes from pkg/dashboards")
}

// Writing the same dashboards twice gives the same bytes.
func TestDashboardsAreStable(t *testing.T) {
	for _, spec := range All() {
		first, err := spec.JSON()
		require.NoError(t, err)
		second, err := spec.JSON()
		require.NoError(t, err)
		require.Equal(t, first, second, spec.File)
		require.True(t, bytes.HasSuffix(first, []byte("}\n")), "%s ends with a newline", spec.File)
	}
}

// The plugin binary never links the code that writes dashboards.
func TestPluginDoesNotImportDashboards(t *testing.T) {
	if testing.Short() {
		t.Skip("runs go list")
	}
	out, err := exec.Command("go", "list", "-deps", "../../pkg").Output()
	require.NoError(t, err)
	assert.NotContains(t, string(out), "grafana-foundation-sdk")
	assert.NotContains(t, string(out), "/pkg/dashboards")
}

// lintPanel is the part of a panel the lint reads.
type lintPanel struct {
	ID          *int                      `json:"id"`
	Type        string                    `json:"type"`
	Title       string                    `json:"title"`
	Description string                    `json:"description"`
	GridPos     *struct{ X, Y, W, H int } `json:"gridPos"`
	Targets     []Query                   `json:"targets"`
	FieldConfig *struct {
		Defaults struct {
			Thresholds *struct {
				Steps []struct {
					Value *float64 `json:"value"`
					Color string   `json:"color"`
				} `json:"steps"`
			} `json:"thresholds"`
		} `json:"defaults"`
	} `json:"fieldConfig"`
	Panels []json.RawMessage `json:"panels"`
}

type lintDashboard struct {
	UID           string `json:"uid"`
	SchemaVersion int    `json:"schemaVersion"`
	Templating    struct {
		List []struct {
			Name  string `json:"name"`
			Type  string `json:"type"`
			Query any    `json:"query"`
		} `json:"list"`
	} `json:"templating"`
	Panels      []json.RawMessage `json:"panels"`
	Annotations struct {
		List []struct {
			Name       string `json:"name"`
			Enable     bool   `json:"enable"`
			IconColor  string `json:"iconColor"`
			Datasource struct {
				Type string `json:"type"`
				UID  string `json:"uid"`
			} `json:"datasource"`
			Target Query `json:"target"`
		} `json:"list"`
	} `json:"annotations"`
}

// The lint every shipped dashboard passes: it works on any Grafana with the
// plugin (no data source uid, the catalog's metrics, kinds and dimensions),
// every variable does something, and every panel explains itself.
func TestDashboardsLint(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("..", "..", "dashboards", "*.json"))
	require.NoError(t, err)
	require.NotEmpty(t, files)
	sdkSchema := int(dashboard.NewDashboard().SchemaVersion)
	uids := map[string]string{}
	for _, file := range files {
		t.Run(filepath.Base(file), func(t *testing.T) {
			raw, err := os.ReadFile(file)
			require.NoError(t, err)
			var d lintDashboard
			require.NoError(t, json.Unmarshal(raw, &d))
			require.NotEmpty(t, d.UID)
			require.NotContains(t, uids, d.UID, "uid %s is also %s's", d.UID, uids[d.UID])
			uids[d.UID] = file
			assert.Equal(t, sdkSchema, d.SchemaVersion)
			assert.GreaterOrEqual(t, d.SchemaVersion, 39)

			hasDatasource := false
			for _, v := range d.Templating.List {
				if v.Type == "datasource" {
					hasDatasource = v.Name == DatasourceVariable && v.Query == PluginID
				}
			}
			assert.True(t, hasDatasource, "a %q variable of type datasource lists this plugin's data sources", DatasourceVariable)
			for _, uid := range regexp.MustCompile(`"uid":\s*"([^"]*)"`).FindAllStringSubmatch(string(raw), -1) {
				if uid[1] != d.UID {
					assert.Equal(t, "${datasource}", uid[1], "no data source is named by uid")
				}
			}

			// Annotations query this plugin on the dashboard's data source for
			// an event of the catalog, shown when the dashboard opens.
			for _, a := range d.Annotations.List {
				assert.NotEmpty(t, a.Name)
				assert.True(t, a.Enable, a.Name)
				assert.NotEmpty(t, a.IconColor, a.Name)
				assert.Equal(t, PluginID, a.Datasource.Type, a.Name)
				assert.Equal(t, "${"+DatasourceVariable+"}", a.Datasource.UID, a.Name)
				assert.Equal(t, models.KindAnnotations, a.Target.QueryType, a.Name)
				assert.NoError(t, a.Target.Validate(), a.Name)
			}

			panels := flatten(t, d.Panels)
			ids := map[int]string{}
			var panelJSON []string
			for _, p := range panels {
				require.NotNil(t, p.panel.ID, p.panel.Title)
				require.NotContains(t, ids, *p.panel.ID, "panel id %d is also %q's", *p.panel.ID, ids[*p.panel.ID])
				ids[*p.panel.ID] = p.panel.Title
				require.NotNil(t, p.panel.GridPos, p.panel.Title)
				assert.Positive(t, p.panel.GridPos.W, p.panel.Title)
				assert.Positive(t, p.panel.GridPos.H, p.panel.Title)
				if p.panel.Type == "row" {
					continue
				}
				panelJSON = append(panelJSON, string(p.raw))
				assert.NotEmpty(t, p.panel.Description, "%q has a description", p.panel.Title)
				assert.NotEmpty(t, p.panel.Targets, p.panel.Title)
				lintThresholds(t, p.panel)
				for _, q := range p.panel.Targets {
					lintQuery(t, p.panel.Title, q)
				}
			}
			everyPanel := strings.Join(panelJSON, "\n")
			for _, v := range d.Templating.List {
				if v.Name == DatasourceVariable {
					continue
				}
				used := strings.Contains(everyPanel, "$"+v.Name+`"`) || strings.Contains(everyPanel, "${"+v.Name+"}") ||
					strings.Contains(everyPanel, "var-"+v.Name+"=")
				assert.True(t, used, "variable %s is used by a panel", v.Name)
			}
		})
	}
}

// No panel falls back to Grafana's default thresholds, red from 80.
func lintThresholds(t *testing.T, p lintPanel) {
	t.Helper()
	require.NotNil(t, p.FieldConfig, p.Title)
	thresholds := p.FieldConfig.Defaults.Thresholds
	require.NotNil(t, thresholds, "%q sets its thresholds, else Grafana turns it red at 80", p.Title)
	for _, step := range thresholds.Steps {
		assert.False(t, step.Value != nil && *step.Value == 80 && step.Color == "red", "%q keeps the default red at 80", p.Title)
	}
}

// lintQuery checks one target against the catalog.
func lintQuery(t *testing.T, title string, q Query) {
	t.Helper()
	metric, ok := catalog.Lookup(q.Metric)
	require.True(t, ok, "%q: metric %q is in the catalog", title, q.Metric)
	assert.Equal(t, models.QueryModelVersion, q.Version, title)
	assert.True(t, metric.Supports(q.QueryType), "%q: %s answers %s", title, q.Metric, q.QueryType)
	if q.GroupBy != "" {
		assert.True(t, metric.Allows(q.GroupBy), "%q: %s groups by %s", title, q.Metric, q.GroupBy)
	}
	for _, f := range q.Filters {
		assert.True(t, metric.Allows(f.Dimension), "%q: %s filters by %s", title, q.Metric, f.Dimension)
	}
}

type flatPanel struct {
	panel lintPanel
	raw   json.RawMessage
}

// flatten lists the panels, with those of collapsed rows.
func flatten(t *testing.T, raws []json.RawMessage) []flatPanel {
	t.Helper()
	var out []flatPanel
	for _, raw := range raws {
		var p lintPanel
		require.NoError(t, json.Unmarshal(raw, &p))
		out = append(out, flatPanel{p, raw})
		out = append(out, flatten(t, p.Panels)...)
	}
	return out
}

// plugin.json includes every shipped dashboard, under its name, in order.
func TestPluginJSONIncludesTheDashboards(t *testing.T) {
	raw, err := os.ReadFile(filepath.Join("..", "..", "plugin.json"))
	require.NoError(t, err)
	var plugin struct {
		Includes []struct{ Type, Name, Path string } `json:"includes"`
	}
	require.NoError(t, json.Unmarshal(raw, &plugin))
	var want, got []string
	for _, spec := range All() {
		want = append(want, "dashboard "+spec.Name+" dashboards/"+spec.File)
	}
	for _, include := range plugin.Includes {
		got = append(got, include.Type+" "+include.Name+" "+include.Path)
	}
	assert.Equal(t, want, got)
}

// The campaign's dialogs table downloads as the dialogs report: Grafana's CSV
// holds the data after the panel's transformations, so the store's dialogs
// columns less the ones the panel leaves out are the report's, id first and
// in its order.
func TestCampaignDialogsDownloadAsTheReport(t *testing.T) {
	raw, err := os.ReadFile(filepath.Join("..", "..", "dashboards", "campaign.json"))
	require.NoError(t, err)
	var d struct {
		Panels []struct {
			Title           string `json:"title"`
			Transformations []struct {
				ID      string `json:"id"`
				Options struct {
					ExcludeByName map[string]bool `json:"excludeByName"`
				} `json:"options"`
			} `json:"transformations"`
		} `json:"panels"`
	}
	require.NoError(t, json.Unmarshal(raw, &d))
	var columns []string
	for _, panel := range d.Panels {
		if panel.Title != "Dialogs" {
			continue
		}
		excluded := map[string]bool{}
		for _, transformation := range panel.Transformations {
			require.Equal(t, "organize", transformation.ID)
			for name, out := range transformation.Options.ExcludeByName {
				excluded[name] = out
			}
		}
		for _, column := range sqlbuild.DialogColumns {
			if !excluded[column.Name] {
				columns = append(columns, column.Name)
			}
		}
	}
	// The columns of the campaign report (000): its "unique id", "Creation Date"
	// and "Modified Date" are id, created and modified.
	require.Equal(t, []string{"id", "channel", "chat_id", "close", "contact", "count_message", "date_close", "date_contact",
		"date_interest", "date_success", "external_id", "get_contact", "interest", "is_bot", "last_message_date", "metadata",
		"operator", "previous_response_id", "success", "task", "title", "user_replied", "wh_get_contact", "wh_interest",
		"wh_success", "created", "modified"}, columns)
}

// A dimension variable that narrows every panel sends no filter for All (the
// custom value `""`, which the frontend drops), so that All is the whole
// store; one that narrows only the panels asking for it (an agent, a
// marker) keeps All as every listed value: "any of them".
func TestAllOfAnEverywhereVariableIsNoFilter(t *testing.T) {
	var everywhere, onlyAsked []string
	for _, spec := range All() {
		b := spec.build()
		d, _, err := b.finish()
		require.NoError(t, err, spec.File)
		variables := map[string]dashboard.VariableModel{}
		for _, v := range d.Templating.List {
			variables[v.Name] = v
		}
		for _, f := range b.filters {
			v, ok := variables[f.name]
			require.True(t, ok, "%s: variable %s", spec.File, f.name)
			if v.IncludeAll == nil || !*v.IncludeAll {
				continue
			}
			if f.everywhere {
				require.NotNil(t, v.AllValue, "%s: %s", spec.File, f.name)
				assert.Equal(t, customAllValue, *v.AllValue, "%s: %s", spec.File, f.name)
				everywhere = append(everywhere, f.name)
			} else {
				assert.Nil(t, v.AllValue, "%s: %s keeps All as every value", spec.File, f.name)
				onlyAsked = append(onlyAsked, f.name)
			}
		}
	}
	assert.ElementsMatch(t, []string{"platform", "inbox", "status"}, everywhere)
	assert.ElementsMatch(t, []string{"agent", "marker"}, onlyAsked)
}
