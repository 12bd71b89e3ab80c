package release

import (
	"encoding/json"
	"net/url"
	"os"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// repositoryRoot is where the one plugin.json is, seen from this package.
const repositoryRoot = "../.."

// testdata/plugin.schema.json is Grafana's plugin.json schema
// (docs/sources/developers/plugins/plugin.schema.json in grafana/grafana), as
// github.com/grafana/plugin-validator v0.39.3 ships it in config/: the copy
// the validator this repository pins was made with. Refresh it from there when
// the validator's version changes.
func TestPluginJSONMatchesGrafanasSchema(t *testing.T) {
	compiler := jsonschema.NewCompiler()
	schema, err := compiler.Compile("testdata/plugin.schema.json")
	require.NoError(t, err)

	raw, err := os.ReadFile(repositoryRoot + "/plugin.json")
	require.NoError(t, err)
	document, err := jsonschema.UnmarshalJSON(strings.NewReader(string(raw)))
	require.NoError(t, err)
	require.NoError(t, schema.Validate(document))
}

// The catalog shows info.links beside the README and searches the keywords.
func TestPluginJSONLinksTheProjectForTheCatalog(t *testing.T) {
	meta, err := ReadPluginJSON(repositoryRoot)
	require.NoError(t, err)
	assert.Equal(t, "%VERSION%", meta.Info.Version, "the bundler fills in package.json's version")
	assert.Equal(t, "%TODAY%", meta.Info.Updated, "the bundler fills in the build date")

	raw, err := os.ReadFile(repositoryRoot + "/plugin.json")
	require.NoError(t, err)
	var doc struct {
		Info struct {
			Keywords []string `json:"keywords"`
			Links    []struct {
				Name string `json:"name"`
				URL  string `json:"url"`
			} `json:"links"`
		} `json:"info"`
	}
	require.NoError(t, json.Unmarshal(raw, &doc))
	assert.GreaterOrEqual(t, len(doc.Info.Keywords), 5)

	const repository = "https://github.com/chatbot-metrics/chatbot-metrics"
	byName := map[string]string{}
	for _, link := range doc.Info.Links {
		parsed, err := url.Parse(link.URL)
		require.NoError(t, err)
		assert.Equal(t, "https", parsed.Scheme, link.URL)
		assert.True(t, strings.HasPrefix(link.URL, repository), "%s points into the repository", link.URL)
		byName[strings.ToLower(link.Name)] = link.URL
	}
	for _, want := range []string{"documentation", "source", "issue", "license"} {
		found := false
		for name := range byName {
			found = found || strings.Contains(name, want)
		}
		assert.True(t, found, "a link for %s", want)
	}
}
