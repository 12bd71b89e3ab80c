package release

import (
	"archive/zip"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// fakeDist writes a dist/ with everything a backend plugin release needs.
func fakeDist(t *testing.T) string {
	t.Helper()
	dist := t.TempDir()
	write := func(name, body string, mode os.FileMode) {
		path := filepath.Join(dist, filepath.FromSlash(name))
		require.NoError(t, os.MkdirAll(filepath.Dir(path), 0o755))
		require.NoError(t, os.WriteFile(path, []byte(body), mode))
	}
	write("plugin.json", `{"id": "acme-test-datasource", "backend": true, "executable": "gpx_test",
		"info": {"version": "1.2.3", "updated": "2026-01-02", "logos": {"small": "img/logo.svg", "large": "img/logo.svg"}},
		"includes": [{"type": "dashboard", "path": "dashboards/a.json"}]}`, 0o644)
	for _, name := range []string{"module.js", "README.md", "CHANGELOG.md", "LICENSE", "go_plugin_build_manifest", "img/logo.svg", "dashboards/a.json"} {
		write(name, name, 0o644)
	}
	for _, p := range Platforms {
		write(p.Executable("gpx_test"), "binary", 0o755)
	}
	return dist
}

func TestPluginArchiveHasOneFolderNamedAfterThePlugin(t *testing.T) {
	dist, out := fakeDist(t), t.TempDir()
	archive, err := PluginArchive(dist, out)
	require.NoError(t, err)
	assert.Equal(t, filepath.Join(out, "acme-test-datasource-1.2.3.zip"), archive)

	reader, err := zip.OpenReader(archive)
	require.NoError(t, err)
	defer func() { _ = reader.Close() }()
	var names []string
	for _, f := range reader.File {
		names = append(names, f.Name)
		assert.True(t, strings.HasPrefix(f.Name, "acme-test-datasource/"), f.Name)
		if strings.HasPrefix(filepath.Base(f.Name), "gpx_") {
			assert.Equal(t, os.FileMode(0o755), f.Mode().Perm(), "%s stays executable", f.Name)
		}
	}
	assert.True(t, sort.StringsAreSorted(names[3:]), "files in name order after the folders")
	assert.Contains(t, names, "acme-test-datasource/gpx_test_windows_arm64.exe")
	assert.Contains(t, names, "acme-test-datasource/dashboards/a.json")

	sha1, err := os.ReadFile(archive + ".sha1")
	require.NoError(t, err)
	assert.Regexp(t, `^[0-9a-f]{40}\n$`, string(sha1), "the bare hash, as the catalog's form takes it")
	sha256, err := os.ReadFile(archive + ".sha256")
	require.NoError(t, err)
	assert.Regexp(t, `^[0-9a-f]{64}  acme-test-datasource-1\.2\.3\.zip\n$`, string(sha256), "sha256sum -c reads it")
}

func TestCheckDistNamesEverythingMissing(t *testing.T) {
	dist := fakeDist(t)
	require.NoError(t, os.Remove(filepath.Join(dist, "gpx_test_darwin_arm64")))
	require.NoError(t, os.Remove(filepath.Join(dist, "dashboards", "a.json")))
	raw, err := os.ReadFile(filepath.Join(dist, "plugin.json"))
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(filepath.Join(dist, "plugin.json"), []byte(strings.Replace(string(raw), "1.2.3", "%VERSION%", 1)), 0o644))

	_, err = CheckDist(dist)
	require.Error(t, err)
	for _, want := range []string{"missing gpx_test_darwin_arm64", "missing dashboards/a.json", `info.version is "%VERSION%"`} {
		assert.Contains(t, err.Error(), want)
	}
}
