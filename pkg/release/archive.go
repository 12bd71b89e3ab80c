// Package release writes what a release ships: the plugin archive in the
// layout Grafana's plugin catalog expects, the store tool's binaries and their
// checksums. The mage targets Package, StoreRelease and Validate call it; the
// plugin binary never links it.
package release

import (
	"archive/zip"
	"crypto/sha1" // #nosec G505 -- the catalog asks for a SHA-1 of the archive, not as a security control
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"hash"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"
)

// Platform is one operating system and architecture a binary is built for.
type Platform struct{ OS, Arch string }

// Platforms are the ones Grafana runs on and the backend is built for (mage
// backend): linux, darwin and windows on amd64 and arm64.
var Platforms = []Platform{
	{"linux", "amd64"}, {"linux", "arm64"},
	{"darwin", "amd64"}, {"darwin", "arm64"},
	{"windows", "amd64"}, {"windows", "arm64"},
}

// Executable is a binary's file name on the platform: base_os_arch, with .exe
// on windows, as the plugin SDK's build names the backend.
func (p Platform) Executable(base string) string {
	name := base + "_" + p.OS + "_" + p.Arch
	if p.OS == "windows" {
		name += ".exe"
	}
	return name
}

// PluginJSON is what packaging reads from the built plugin.json.
type PluginJSON struct {
	ID         string `json:"id"`
	Executable string `json:"executable"`
	Backend    bool   `json:"backend"`
	Info       struct {
		Version string `json:"version"`
		Updated string `json:"updated"`
		Logos   struct {
			Small string `json:"small"`
			Large string `json:"large"`
		} `json:"logos"`
		Screenshots []struct {
			Path string `json:"path"`
		} `json:"screenshots"`
	} `json:"info"`
	Includes []struct {
		Path string `json:"path"`
	} `json:"includes"`
}

// ReadPluginJSON reads dir/plugin.json.
func ReadPluginJSON(dir string) (PluginJSON, error) {
	var meta PluginJSON
	raw, err := os.ReadFile(filepath.Join(dir, "plugin.json")) //nolint:gosec // G304: the build's own plugin.json
	if err != nil {
		return meta, err
	}
	if err := json.Unmarshal(raw, &meta); err != nil {
		return meta, fmt.Errorf("%s: %w", filepath.Join(dir, "plugin.json"), err)
	}
	return meta, nil
}

// ArchiveName is the catalog's name for a plugin archive: <id>-<version>.zip,
// as grafana/plugin-actions' package-plugin names it.
func ArchiveName(id, version string) string { return id + "-" + version + ".zip" }

// CheckDist says what a built dist/ lacks for a release, all at once: the
// version and date filled in, module.js, the Go build manifest, the backend
// for every platform, README, CHANGELOG, LICENSE, logos, screenshots and the
// included dashboards.
func CheckDist(dist string) (PluginJSON, error) {
	meta, err := ReadPluginJSON(dist)
	if err != nil {
		return meta, err
	}
	var problems []string
	if meta.ID == "" {
		problems = append(problems, "plugin.json has no id")
	}
	for field, value := range map[string]string{"info.version": meta.Info.Version, "info.updated": meta.Info.Updated} {
		if value == "" || strings.Contains(value, "%") {
			problems = append(problems, fmt.Sprintf("plugin.json %s is %q: build the frontend (it fills in the version and date)", field, value))
		}
	}
	required := []string{"module.js", "README.md", "CHANGELOG.md", "LICENSE"}
	if meta.Backend {
		required = append(required, "go_plugin_build_manifest")
		for _, p := range Platforms {
			required = append(required, p.Executable(meta.Executable))
		}
	}
	for _, logo := range []string{meta.Info.Logos.Small, meta.Info.Logos.Large} {
		if logo != "" {
			required = append(required, logo)
		}
	}
	for _, s := range meta.Info.Screenshots {
		required = append(required, s.Path)
	}
	for _, include := range meta.Includes {
		if include.Path != "" {
			required = append(required, include.Path)
		}
	}
	for _, name := range required {
		if _, err := os.Stat(filepath.Join(dist, filepath.FromSlash(name))); err != nil {
			problems = append(problems, "missing "+name)
		}
	}
	if len(problems) > 0 {
		return meta, fmt.Errorf("%s is not ready to package:\n  %s", dist, strings.Join(problems, "\n  "))
	}
	return meta, nil
}

// PluginArchive checks dist and zips it into outDir as <id>-<version>.zip
// with one top-level folder named after the plugin id, the layout Grafana's
// catalog and `grafana cli --pluginUrl` install, and writes its checksums
// beside it. It returns the archive's path.
func PluginArchive(dist, outDir string) (string, error) {
	meta, err := CheckDist(dist)
	if err != nil {
		return "", err
	}
	if err := os.MkdirAll(outDir, 0o750); err != nil {
		return "", err
	}
	archive := filepath.Join(outDir, ArchiveName(meta.ID, meta.Info.Version))
	if err := zipDir(dist, meta.ID, archive); err != nil {
		return "", err
	}
	return archive, WriteChecksums(archive)
}

// zipDir writes every file under dir into a new zip at target, below the
// folder prefix, in name order, keeping each file's mode (the backend
// binaries stay executable).
func zipDir(dir, prefix, target string) (err error) {
	var files []string
	err = filepath.WalkDir(dir, func(path string, d fs.DirEntry, walkErr error) error {
		if walkErr != nil {
			return walkErr
		}
		if d.Type().IsRegular() {
			files = append(files, path)
		} else if !d.IsDir() {
			return fmt.Errorf("%s is neither a file nor a folder: an archive holds files only", path)
		}
		return nil
	})
	if err != nil {
		return err
	}
	sort.Strings(files)

	out, err := os.Create(target) // #nosec G304 -- the path is the release's own artifacts folder
	if err != nil {
		return err
	}
	defer func() {
		if closeErr := out.Close(); err == nil {
			err = closeErr
		}
	}()
	writer := zip.NewWriter(out)
	// Folder entries first, as `zip -r` writes them: some unzip tools need them.
	dirs := map[string]bool{}
	for _, path := range files {
		rel, err := filepath.Rel(dir, path)
		if err != nil {
			return err
		}
		for parent := filepath.Dir(rel); parent != "."; parent = filepath.Dir(parent) {
			dirs[filepath.ToSlash(parent)] = true
		}
	}
	dirNames := []string{""}
	for name := range dirs {
		dirNames = append(dirNames, name)
	}
	sort.Strings(dirNames)
	for _, name := range dirNames {
		header := &zip.FileHeader{Name: strings.TrimSuffix(prefix+"/"+name, "/") + "/", Modified: time.Now()}
		header.SetMode(fs.ModeDir | 0o755)
		if _, err := writer.CreateHeader(header); err != nil {
			return err
		}
	}
	for _, path := range files {
		if err := addFile(writer, dir, prefix, path); err != nil {
			return err
		}
	}
	return writer.Close()
}

func addFile(writer *zip.Writer, dir, prefix, path string) error {
	info, err := os.Stat(path)
	if err != nil {
		return err
	}
	rel, err := filepath.Rel(dir, path)
	if err != nil {
		return err
	}
	header, err := zip.FileInfoHeader(info)
	if err != nil {
		return err
	}
	header.Name = prefix + "/" + filepath.ToSlash(rel)
	header.Method = zip.Deflate
	entry, err := writer.CreateHeader(header)
	if err != nil {
		return err
	}
	in, err := os.Open(path) // #nosec G304 -- files of the build output being archived
	if err != nil {
		return err
	}
	defer func() { _ = in.Close() }()
	_, err = io.Copy(entry, in)
	return err
}

// WriteChecksums writes <file>.sha1 with the bare SHA-1 (what the catalog's
// submission form and grafana/plugin-actions' package-plugin use) and
// <file>.sha256 in sha256sum's format, so that `sha256sum -c` verifies it.
func WriteChecksums(file string) error {
	sums, err := FileSums(file, sha1.New(), sha256.New()) //nolint:gosec // G401: the catalog asks for SHA-1, not as a security control
	if err != nil {
		return err
	}
	if err := os.WriteFile(file+".sha1", []byte(sums[0]+"\n"), 0o600); err != nil {
		return err
	}
	return os.WriteFile(file+".sha256", []byte(sums[1]+"  "+filepath.Base(file)+"\n"), 0o600)
}

// FileSums returns the file's hex digest under each hash, in order.
func FileSums(file string, hashes ...hash.Hash) ([]string, error) {
	in, err := os.Open(file) // #nosec G304 -- a release artifact the caller names
	if err != nil {
		return nil, err
	}
	defer func() { _ = in.Close() }()
	writers := make([]io.Writer, len(hashes))
	for i, h := range hashes {
		writers[i] = h
	}
	if _, err := io.Copy(io.MultiWriter(writers...), in); err != nil {
		return nil, err
	}
	sums := make([]string, len(hashes))
	for i, h := range hashes {
		sums[i] = hex.EncodeToString(h.Sum(nil))
	}
	return sums, nil
}

// PackageVersion reads the version in dir/package.json, the one the bundler
// writes into plugin.json and the release tag must match.
func PackageVersion(dir string) (string, error) {
	raw, err := os.ReadFile(filepath.Join(dir, "package.json")) // #nosec G304 -- the repository's own package.json
	if err != nil {
		return "", err
	}
	var pkg struct {
		Version string `json:"version"`
	}
	if err := json.Unmarshal(raw, &pkg); err != nil {
		return "", err
	}
	if pkg.Version == "" {
		return "", errors.New("package.json has no version")
	}
	return pkg.Version, nil
}
