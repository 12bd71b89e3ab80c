//go:build mage

// Build, test and demo targets. Run with `go run github.com/magefile/mage -v TARGET`
// (or `mage -v TARGET` with mage installed); `mage -l` lists them.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/grafana/grafana-plugin-sdk-go/build"
	"github.com/magefile/mage/mg"
	"github.com/magefile/mage/sh"

	"github.com/chatbot-metrics/chatbot-metrics/pkg/demo"
	"github.com/chatbot-metrics/chatbot-metrics/pkg/release"
)

// golangciLintVersion is the linter the checks run; installed on first use.
const golangciLintVersion = "v2.6.2"

func init() {
	// The one plugin.json is at the repository root; the SDK looks in src/ by default.
	if err := build.SetBeforeBuildCallback(func(cfg build.Config) (build.Config, error) {
		cfg.PluginJSONPath = "."
		return cfg, nil
	}); err != nil {
		panic(err)
	}
}

// Default builds the backend for every platform Grafana runs on.
var Default = Backend

// Backend builds the backend into dist/ for linux, darwin and windows, amd64 and arm64.
func Backend() {
	b := build.Build{}
	mg.Deps(b.Linux, b.LinuxARM64, b.Darwin, b.DarwinARM64, b.Windows, WindowsARM64)
}

// WindowsARM64 builds the backend for windows/arm64, which the SDK's BuildAll leaves out.
func WindowsARM64() error { return build.Build{}.Custom("windows", "arm64") }

// BackendHost builds the backend for this machine only (for the demo).
func BackendHost() error { return build.Build{}.Backend() }

// Frontend installs the npm packages when needed and bundles the frontend into dist/.
func Frontend() error {
	mg.Deps(NpmInstall)
	return sh.RunV("npm", "run", "build")
}

// NpmInstall runs `npm ci` when node_modules is missing or older than package-lock.json.
func NpmInstall() error {
	if fresh, _ := newer("node_modules/.package-lock.json", "package-lock.json"); fresh {
		return nil
	}
	return sh.RunV("npm", "ci", "--no-audit", "--no-fund")
}

// Lint runs go vet, golangci-lint, tsc --noEmit and eslint.
func Lint() error {
	mg.Deps(NpmInstall)
	// ./pkg/... rather than ./...: node_modules holds Go packages of its own.
	if err := sh.RunV("go", "vet", "./pkg/..."); err != nil {
		return err
	}
	if err := sh.RunV("go", "vet", "-tags", "mage", "./Magefile.go"); err != nil {
		return err
	}
	linter, err := golangciLint()
	if err != nil {
		return err
	}
	if err := sh.RunV(linter, "run", "./pkg/..."); err != nil {
		return err
	}
	if err := sh.RunV("npm", "run", "typecheck"); err != nil {
		return err
	}
	return sh.RunV("npm", "run", "lint")
}

// Test runs every Go test (on a throwaway PostgreSQL unless DATABASE_URL is
// set) and every frontend test.
func Test() error {
	mg.Deps(NpmInstall)
	if err := goTest(); err != nil {
		return err
	}
	return sh.RunV("npm", "run", "test:ci")
}

// goTestEvent is one line of `go test -json`.
type goTestEvent struct {
	Action  string
	Package string
	Test    string
	Output  string
}

// goTest runs every Go test, prints each package's result and the output of
// failed tests, and ends with a count of passed, failed and skipped tests.
// The package of the summaries' randomised equality tests runs for minutes on a
// busy machine: the default 10-minute limit per package is too tight.
func goTest() error {
	cmd := exec.Command("go", "test", "-json", "-count=1", "-timeout", "30m", "./pkg/...")
	cmd.Stderr = os.Stderr
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return err
	}
	if err := cmd.Start(); err != nil {
		return err
	}
	counts := map[string]int{}
	outputs := map[string][]string{}
	decoder := json.NewDecoder(stdout)
	for {
		var event goTestEvent
		if err := decoder.Decode(&event); err != nil {
			break
		}
		key := event.Package + " " + event.Test
		switch {
		case event.Action == "output" && event.Test == "":
			if strings.HasPrefix(event.Output, "ok") || strings.HasPrefix(event.Output, "FAIL") ||
				strings.HasPrefix(event.Output, "---") || strings.Contains(event.Output, "[no test files]") {
				fmt.Print(event.Output)
			}
		case event.Action == "output":
			outputs[key] = append(outputs[key], event.Output)
		case event.Test != "" && (event.Action == "pass" || event.Action == "fail" || event.Action == "skip"):
			counts[event.Action]++
			if event.Action == "fail" {
				fmt.Print(strings.Join(outputs[key], ""))
			}
			delete(outputs, key)
		}
	}
	waitErr := cmd.Wait()
	fmt.Printf("go: %d passed, %d failed, %d skipped\n", counts["pass"], counts["fail"], counts["skip"])
	return waitErr
}

// Dashboards regenerates the shipped dashboards (dashboards/*.json) and their
// reference (docs/dashboards.md) from the code in pkg/dashboards.
func Dashboards() error {
	return sh.RunV("go", "run", "./pkg/cmd/chatbot-dashboards", "-dir", "dashboards", "-docs", "docs/dashboards.md")
}

// Check is the whole gate: linters, all tests, and both builds.
func Check() {
	mg.SerialDeps(Lint, Test, Backend, Frontend)
}

// Demo builds the plugin, starts a store with generated data that ends now
// (and a spike of missed conversations for Sales), and runs Grafana with the
// provisioned data source, dashboards and alert rules: through docker compose
// when a Docker engine answers, else with the Grafana found through
// $GRAFANA_HOME or $PATH. GRAFANA_PORT (default 3000) sets Grafana's port and
// GRAFANA_ADMIN_PASSWORD the admin's password (default chatbot-demo).
func Demo(ctx context.Context) error {
	port, err := demo.Port(os.Getenv("GRAFANA_PORT"))
	if err != nil {
		return err
	}
	// Before building and seeding, so that a busy port costs no waiting.
	if err := demo.CheckPort(port); err != nil {
		return err
	}
	password := demo.AdminPassword(os.Getenv("GRAFANA_ADMIN_PASSWORD"))
	if dockerEngine() {
		mg.SerialDeps(BackendLinux, Frontend)
		printSignIn(port, password)
		// docker-compose.yml reads both variables.
		return sh.RunWithV(map[string]string{"GRAFANA_PORT": strconv.Itoa(port), "GRAFANA_ADMIN_PASSWORD": password},
			"docker", "compose", "up")
	}
	mg.SerialDeps(BackendHost, Frontend)
	args := append([]string{"run", "./pkg/cmd/chatbot-store", "local", "start", "-seed"}, demo.SeedFlags...)
	if err := sh.RunV("go", args...); err != nil {
		return err
	}
	storePort, err := localStorePort()
	if err != nil {
		return err
	}
	server, homepath, err := findGrafana()
	if err != nil {
		fmt.Println("\nThe store is running with demo data and the plugin is built in dist/.")
		fmt.Println("No Grafana found:", err)
		fmt.Println("Install Grafana (https://grafana.com/grafana/download) and run this again with GRAFANA_HOME set,")
		fmt.Println("or run it on a machine with Docker. Stop the store with: go run ./pkg/cmd/chatbot-store local stop")
		return nil
	}
	// Seeding took a while: the port may have been taken since.
	if err := demo.CheckPort(port); err != nil {
		return err
	}
	return runGrafana(ctx, server, homepath, storePort, port, password)
}

// printSignIn says where Grafana is and how to sign in.
func printSignIn(port int, password string) {
	fmt.Printf("Grafana on %s: sign in as %s with password %s (set GRAFANA_ADMIN_PASSWORD for another on a new .data/grafana)\n",
		demo.URL(port), demo.AdminUser, password)
}

// BackendLinux builds the backend for the Grafana container, on amd64 or arm64 hosts.
func BackendLinux() {
	b := build.Build{}
	mg.Deps(b.Linux, b.LinuxARM64)
}

// artifactsDir is where release files are written (ignored by git).
const artifactsDir = "artifacts"

// Package builds the frontend and the backend for every platform into dist/
// and writes the plugin archive as Grafana's catalog takes it:
// artifacts/<plugin id>-<version>.zip holding one folder named after the
// plugin id, with .sha1 and .sha256 checksums beside it.
// With GRAFANA_ACCESS_POLICY_TOKEN set it signs dist/ first (npm run sign),
// as grafana/plugin-actions' package-plugin does.
func Package() error {
	mg.SerialDeps(Frontend, Backend)
	if os.Getenv("GRAFANA_ACCESS_POLICY_TOKEN") != "" {
		if err := sh.RunV("npm", "run", "sign"); err != nil {
			return err
		}
	}
	archive, err := release.PluginArchive("dist", artifactsDir)
	if err != nil {
		return err
	}
	fmt.Println("wrote", archive, "and its .sha1 and .sha256")
	return nil
}

// StoreRelease writes the store tool for every platform
// (artifacts/chatbot-store-<version>-<os>-<arch>[.exe], each with a .sha256)
// and the schema as one plain SQL file
// (artifacts/chatbot-store-schema-<version>.sql, see docs/schema.md).
func StoreRelease(ctx context.Context) error {
	version, err := release.PackageVersion(".")
	if err != nil {
		return err
	}
	if _, err := release.StoreTools(ctx, ".", artifactsDir, version); err != nil {
		return err
	}
	schema := filepath.Join(artifactsDir, release.SchemaFileName(version))
	if err := sh.RunV("go", "run", release.StoreToolPackage, "schema", "-o", schema); err != nil {
		return err
	}
	return release.WriteChecksums(schema)
}

// Validate packages the plugin and runs Grafana's plugin validator
// (github.com/grafana/plugin-validator, pinned in tools/plugincheck/go.mod)
// on the archive in -strict mode, with the source code and the archive's
// SHA-1, once for every analyzer that works offline: any error or warning,
// or an analyzer that cannot run, fails. docs/release.md lists the analyzers.
func Validate(ctx context.Context) error {
	mg.Deps(Package)
	root, err := os.Getwd()
	if err != nil {
		return err
	}
	validator := filepath.Join(root, ".bin", "plugincheck2")
	// A module of its own: the validator's dependencies stay out of go.mod.
	if err := sh.RunV("go", "build", "-C", "tools/plugincheck", "-o", validator,
		release.ValidatorModule+"/pkg/cmd/plugincheck2"); err != nil {
		return err
	}
	meta, err := release.ReadPluginJSON("dist")
	if err != nil {
		return err
	}
	archive := filepath.Join(artifactsDir, release.ArchiveName(meta.ID, meta.Info.Version))
	sha1, err := os.ReadFile(archive + ".sha1")
	if err != nil {
		return err
	}
	return release.Validate(ctx, validator, archive, root, strings.TrimSpace(string(sha1)), os.Stdout)
}

// StoreStop stops the local store the demo started.
func StoreStop() error {
	return sh.RunV("go", "run", "./pkg/cmd/chatbot-store", "local", "stop")
}

func golangciLint() (string, error) {
	if path, err := exec.LookPath("golangci-lint"); err == nil {
		if out, _ := exec.Command(path, "version").Output(); strings.Contains(string(out), strings.TrimPrefix(golangciLintVersion, "v")) {
			return path, nil
		}
	}
	bin, err := filepath.Abs(filepath.Join(".bin", golangciLintVersion))
	if err != nil {
		return "", err
	}
	linter := filepath.Join(bin, "golangci-lint")
	if _, err := os.Stat(linter); err == nil {
		return linter, nil
	}
	fmt.Println("installing golangci-lint", golangciLintVersion)
	err = sh.RunWithV(map[string]string{"GOBIN": bin}, "go", "install",
		"github.com/golangci/golangci-lint/v2/cmd/golangci-lint@"+golangciLintVersion)
	return linter, err
}

func newer(target, source string) (bool, error) {
	t, err := os.Stat(target)
	if err != nil {
		return false, err
	}
	s, err := os.Stat(source)
	if err != nil {
		return false, err
	}
	return !t.ModTime().Before(s.ModTime()), nil
}

func dockerEngine() bool {
	return exec.Command("docker", "info").Run() == nil
}

func localStorePort() (string, error) {
	raw, err := os.ReadFile(filepath.Join(".data", "postgres", "port"))
	return strings.TrimSpace(string(raw)), err
}

// findGrafana finds a Grafana server binary and its home path.
func findGrafana() (binary, homepath string, err error) {
	if home := os.Getenv("GRAFANA_HOME"); home != "" {
		for _, name := range []string{"bin/grafana", "bin/grafana-server"} {
			if _, err := os.Stat(filepath.Join(home, name)); err == nil {
				return filepath.Join(home, name), home, nil
			}
		}
		return "", "", fmt.Errorf("GRAFANA_HOME=%s has no bin/grafana", home)
	}
	for _, name := range []string{"grafana", "grafana-server"} {
		if path, err := exec.LookPath(name); err == nil {
			resolved, _ := filepath.EvalSymlinks(path)
			home := filepath.Dir(filepath.Dir(resolved))
			if _, err := os.Stat(filepath.Join(home, "conf", "defaults.ini")); err != nil {
				home = "/usr/share/grafana" // Debian and RPM packages keep the home here
			}
			return path, home, nil
		}
	}
	return "", "", errors.New("neither GRAFANA_HOME nor a grafana binary on PATH")
}

// runGrafana runs Grafana in the foreground with this repository's plugin,
// provisioning and demo settings, its state kept under .data/grafana, in a
// process group of its own that is stopped with the demo (Ctrl-C, or Grafana
// exiting), plugin processes included.
func runGrafana(ctx context.Context, binary, homepath, storePort string, port int, password string) error {
	root, err := os.Getwd()
	if err != nil {
		return err
	}
	pluginsDir := filepath.Join(root, ".data", "grafana", "plugins")
	if err := os.MkdirAll(pluginsDir, 0o755); err != nil {
		return err
	}
	link := filepath.Join(pluginsDir, "chatbotmetrics-chatbot-datasource")
	_ = os.Remove(link)
	if err := os.Symlink(filepath.Join(root, "dist"), link); err != nil {
		return err
	}
	env := demo.GrafanaEnv(port, password)
	for key, value := range map[string]string{
		"GF_PATHS_DATA":                             filepath.Join(root, ".data", "grafana"),
		"GF_PATHS_PLUGINS":                          pluginsDir,
		"GF_PATHS_PROVISIONING":                     filepath.Join(root, "provisioning"),
		"GF_DASHBOARDS_DEFAULT_HOME_DASHBOARD_PATH": filepath.Join(root, "dashboards", "usage.json"),
		"CHATBOT_STORE_HOST":                        "127.0.0.1",
		"CHATBOT_STORE_PORT":                        storePort,
		"CHATBOT_DASHBOARDS_DIR":                    filepath.Join(root, "dashboards"),
	} {
		env[key] = value
	}
	args := []string{"--homepath", homepath}
	if filepath.Base(binary) == "grafana" {
		args = append([]string{"server"}, args...)
	}
	cmd := exec.Command(binary, args...)
	cmd.Stdout, cmd.Stderr = os.Stdout, os.Stderr
	cmd.Env = os.Environ()
	for key, value := range env {
		cmd.Env = append(cmd.Env, key+"="+value)
	}
	printSignIn(port, password)
	fmt.Println("Ctrl-C stops Grafana; the store keeps running (go run github.com/magefile/mage storeStop stops it)")
	return demo.Run(ctx, cmd)
}
