package demo_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.yaml.in/yaml/v3"

	"github.com/chatbot-metrics/chatbot-metrics/pkg/demo"
)

// root is the repository's root, where plugin.json and the demo's files are.
const root = "../.."

// readYAML parses a file of the repository into out.
func readYAML(t *testing.T, path string, out any) {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join(root, path))
	require.NoError(t, err)
	require.NoError(t, yaml.Unmarshal(raw, out), path)
}

// pluginID is plugin.json's id, the data source type Grafana knows the plugin by.
func pluginID(t *testing.T) string {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join(root, "plugin.json"))
	require.NoError(t, err)
	var plugin struct{ ID string }
	require.NoError(t, json.Unmarshal(raw, &plugin))
	require.NotEmpty(t, plugin.ID)
	return plugin.ID
}

type composeService struct {
	Image       string
	Ports       []string
	Environment map[string]string
	Volumes     []string
	Command     string
	DependsOn   map[string]struct{ Condition string } `yaml:"depends_on"`
}

// TestDockerComposeMatchesTheLocalDemo keeps docker-compose.yml, which cannot
// run where there is no Docker engine, equal to the local path's settings.
func TestDockerComposeMatchesTheLocalDemo(t *testing.T) {
	var compose struct{ Services map[string]composeService }
	readYAML(t, "docker-compose.yml", &compose)
	require.Len(t, compose.Services, 3)
	store, seed, grafana := compose.Services["store"], compose.Services["seed"], compose.Services["grafana"]
	require.NotEmpty(t, store.Image)

	t.Run("seed", func(t *testing.T) {
		command := strings.Join(strings.Fields(seed.Command), " ")
		assert.Contains(t, command, "chatbot-store migrate &&")
		assert.Contains(t, command, "chatbot-store seed "+strings.Join(demo.SeedFlags, " ")+`"`,
			"the same data as `chatbot-store local start -seed` with demo.SeedFlags")
		assert.Equal(t, "service_healthy", seed.DependsOn["store"].Condition)
	})

	t.Run("grafana", func(t *testing.T) {
		assert.Equal(t, "grafana/grafana:12.4.0", grafana.Image)
		assert.Equal(t, []string{"${GRAFANA_PORT:-3000}:3000"}, grafana.Ports, "the host port follows GRAFANA_PORT")
		want := demo.GrafanaEnv(3000, "${GRAFANA_ADMIN_PASSWORD:-chatbot-demo}")
		// The container listens on Grafana's default 3000; the host port and
		// the URL follow GRAFANA_PORT.
		delete(want, "GF_SERVER_HTTP_PORT")
		want["GF_SERVER_ROOT_URL"] = "http://localhost:${GRAFANA_PORT:-3000}/"
		for key, value := range want {
			assert.Equal(t, value, grafana.Environment[key], key)
		}
		for key := range grafana.Environment {
			assert.NotContains(t, key, "ANONYMOUS_ORG_ROLE", "no anonymous Admin")
		}
		assert.Equal(t, "store", grafana.Environment["CHATBOT_STORE_HOST"])
		assert.Contains(t, grafana.Volumes, "./provisioning:/etc/grafana/provisioning", "data source, dashboards, alert rules, plugins")
		assert.Contains(t, grafana.Volumes, "./dist:/var/lib/grafana/plugins/"+pluginID(t))
		assert.Contains(t, grafana.Volumes, "./dashboards:"+grafana.Environment["CHATBOT_DASHBOARDS_DIR"])
		assert.Equal(t, "service_completed_successfully", grafana.DependsOn["seed"].Condition)
		home := grafana.Environment["GF_DASHBOARDS_DEFAULT_HOME_DASHBOARD_PATH"]
		require.True(t, strings.HasPrefix(home, grafana.Environment["CHATBOT_DASHBOARDS_DIR"]+"/"), home)
		assert.FileExists(t, filepath.Join(root, "dashboards", filepath.Base(home)))
	})
}

// The demo's data source uid, which the alert rules name.
const datasourceUID = "chatbot-metrics-demo"

func TestProvisionedDataSourceAndDashboards(t *testing.T) {
	var datasources struct {
		APIVersion  int `yaml:"apiVersion"`
		Datasources []struct {
			Name, UID, Type string
			JSONData        map[string]any `yaml:"jsonData"`
		}
	}
	readYAML(t, "provisioning/datasources/chatbot-metrics.yml", &datasources)
	assert.Equal(t, 1, datasources.APIVersion)
	require.Len(t, datasources.Datasources, 1)
	assert.Equal(t, datasourceUID, datasources.Datasources[0].UID)
	assert.Equal(t, pluginID(t), datasources.Datasources[0].Type)

	var dashboards struct {
		APIVersion int `yaml:"apiVersion"`
		Providers  []struct {
			Name, Folder, Type string
			Options            struct{ Path string }
		}
	}
	readYAML(t, "provisioning/dashboards/chatbot-metrics.yml", &dashboards)
	assert.Equal(t, 1, dashboards.APIVersion)
	require.Len(t, dashboards.Providers, 1)
	assert.Equal(t, "Chatbot Metrics", dashboards.Providers[0].Folder)
	assert.Equal(t, "file", dashboards.Providers[0].Type)
	assert.Equal(t, "${CHATBOT_DASHBOARDS_DIR}", dashboards.Providers[0].Options.Path, "set to dashboards/ by both paths")
	assert.DirExists(t, filepath.Join(root, "dashboards"))
}

// Grafana logs an error for a provisioning folder that is missing, and reads
// every .yaml, .yml and .json file of the alerting folder (warning about the
// others) and the .yaml and .yml files of the plugins folder.
func TestProvisioningFolders(t *testing.T) {
	for _, folder := range []string{"datasources", "dashboards", "alerting", "plugins"} {
		assert.DirExists(t, filepath.Join(root, "provisioning", folder))
	}
	alerting, err := os.ReadDir(filepath.Join(root, "provisioning", "alerting"))
	require.NoError(t, err)
	require.Len(t, alerting, 1, "one file, easy to load")
	assert.Equal(t, "chatbot-metrics.yaml", alerting[0].Name())
	plugins, err := os.ReadDir(filepath.Join(root, "provisioning", "plugins"))
	require.NoError(t, err)
	for _, file := range plugins {
		assert.False(t, strings.HasSuffix(file.Name(), ".yaml") || strings.HasSuffix(file.Name(), ".yml"),
			"no app plugin to provision: %s", file.Name())
	}
}

// alertQuery is one item of a rule's data.
type alertQuery struct {
	RefID             string                   `yaml:"refId"`
	RelativeTimeRange struct{ From, To int64 } `yaml:"relativeTimeRange"`
	DatasourceUID     string                   `yaml:"datasourceUid"`
	Model             map[string]any           `yaml:"model"`
}

type alertRule struct {
	UID, Title, Condition, For string
	NoDataState                string `yaml:"noDataState"`
	ExecErrState               string `yaml:"execErrState"`
	Data                       []alertQuery
	Annotations, Labels        map[string]string
}

func TestAlertRules(t *testing.T) {
	var file struct {
		APIVersion int `yaml:"apiVersion"`
		Groups     []struct {
			OrgID        int `yaml:"orgId"`
			Name, Folder string
			Interval     string
			Rules        []alertRule
		}
		ContactPoints []any `yaml:"contactPoints"`
		Policies      []any
	}
	readYAML(t, "provisioning/alerting/chatbot-metrics.yaml", &file)
	assert.Equal(t, 1, file.APIVersion)
	assert.Empty(t, file.ContactPoints, "the contact point is left to the user")
	assert.Empty(t, file.Policies, "a provisioned policy would replace the user's tree")
	require.Len(t, file.Groups, 1)
	group := file.Groups[0]
	assert.Equal(t, 1, group.OrgID)
	assert.Equal(t, "Chatbot Metrics", group.Folder)
	assert.NotEmpty(t, group.Name)
	assert.Equal(t, "1m", group.Interval)

	rules := map[string]alertRule{}
	for _, rule := range group.Rules {
		rules[rule.UID] = rule
		t.Run(rule.UID, func(t *testing.T) {
			assert.NotEmpty(t, rule.Title)
			assert.NotContains(t, rule.Title, "$", "Grafana expands environment variables in titles")
			assert.NotEmpty(t, rule.Annotations["summary"])
			assert.Contains(t, rule.Annotations["description"], "What to check first")
			assert.Contains(t, rule.Annotations["description"], "How to tune or silence")
			assert.Equal(t, "OK", rule.NoDataState)
			assert.Equal(t, "Error", rule.ExecErrState)
			assert.NotEmpty(t, rule.For)
			for key, value := range rule.Labels {
				assert.NotContains(t, value, "$", key)
			}
			refIDs := map[string]bool{}
			for _, q := range rule.Data {
				refIDs[q.RefID] = true
				assert.Equal(t, q.RefID, q.Model["refId"])
				if q.DatasourceUID == "__expr__" {
					assert.Contains(t, []any{"math", "threshold", "reduce"}, q.Model["type"])
					continue
				}
				assert.Equal(t, datasourceUID, q.DatasourceUID, q.RefID)
				assert.Equal(t, map[string]any{"type": pluginID(t), "uid": datasourceUID}, q.Model["datasource"])
				assert.Equal(t, 1, q.Model["version"])
				assert.Equal(t, "team", q.Model["groupBy"], "one alert instance per team")
				assert.Positive(t, q.RelativeTimeRange.From)
				assert.Zero(t, q.RelativeTimeRange.To, "up to now")
			}
			assert.True(t, refIDs[rule.Condition], "the condition %s is one of the rule's data", rule.Condition)
		})
	}
	require.Len(t, rules, 3)

	// The thresholds the README and the generator's spike are written for.
	spike := rules["chatbot-missed-spike"]
	require.Len(t, spike.Data, 3)
	assert.Equal(t, "missed_conversations", spike.Data[0].Model["metric"])
	assert.Equal(t, "totals", spike.Data[0].Model["queryType"])
	assert.Equal(t, int64(900), spike.Data[0].RelativeTimeRange.From)
	assert.Equal(t, "missed_conversations", spike.Data[1].Model["metric"])
	assert.Equal(t, int64(604800), spike.Data[1].RelativeTimeRange.From)
	assert.Equal(t, "($A > 3 * $B / 672) && ($A >= 5)", spike.Data[2].Model["expression"])
	assert.Equal(t, "5m", spike.For)

	waiting := rules["chatbot-customers-waiting"]
	require.Len(t, waiting.Data, 3)
	assert.Equal(t, "waiting_now", waiting.Data[0].Model["metric"])
	assert.Equal(t, "longest_wait_now", waiting.Data[1].Model["metric"])
	assert.Equal(t, "snapshot", waiting.Data[0].Model["queryType"])
	assert.Equal(t, "snapshot", waiting.Data[1].Model["queryType"])
	assert.Equal(t, "($A > 3) || ($B > 300)", waiting.Data[2].Model["expression"])

	level := rules["chatbot-service-level"]
	require.Len(t, level.Data, 3)
	assert.Equal(t, "service_level", level.Data[0].Model["metric"])
	assert.Equal(t, 60, level.Data[0].Model["targetSeconds"])
	assert.Equal(t, int64(3600), level.Data[0].RelativeTimeRange.From)
	assert.Equal(t, "cc_conversations", level.Data[1].Model["metric"])
	assert.Equal(t, int64(3600), level.Data[1].RelativeTimeRange.From)
	assert.Equal(t, "($A < 0.8) && ($B >= 5)", level.Data[2].Model["expression"])
}
