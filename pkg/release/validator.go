package release

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strings"
)

// ValidatorModule is the Go module of Grafana's plugin validator; its version
// is pinned in tools/plugincheck/go.mod.
const ValidatorModule = "github.com/grafana/plugin-validator"

// OfflineAnalyzers are the validator's analyzers (v0.39.3) that do their
// whole check without network access; mage validate runs each of them.
var OfflineAnalyzers = []string{
	"archive", "archivename", "backendbinary", "backenddebug", "binarypermissions",
	"buildtools", "changelog", "checksum", "discoverability", "go-manifest",
	"grafanadependency", "includesnested", "jargon", "jsMap", "legacybuilder",
	"license", "logos", "metadata", "modulejs", "nestedmetadata", "packagejson",
	"pluginname", "published-plugin", "readme", "restrictivedep", "sourcecode",
	"sponsorshiplink", "templatereadme", "trackingscripts", "typesuffix",
	"unsafesvg", "version",
}

// SkippedAnalyzer is an analyzer mage validate does not run, and why.
type SkippedAnalyzer struct{ Name, Why string }

// SkippedAnalyzers are the validator's other analyzers (v0.39.3): each needs
// the network, a token, or a program this repository's machines lack.
// docs/release.md explains where they run instead.
var SkippedAnalyzers = []SkippedAnalyzer{
	{"brokenlinks", "fetches every link in the README (network)"},
	{"legacyplatform", "downloads Grafana's Angular detection patterns from grafana.com (network)"},
	{"metadatavalid", "downloads the plugin.json schema from GitHub (network); TestPluginJSONMatchesGrafanasSchema checks the same schema offline"},
	{"metadatapaths", "depends on metadatavalid's schema download (network)"},
	{"screenshots", "depends on metadatavalid's schema download (network)"},
	{"org", "asks grafana.com whether the plugin id's organisation exists (network)"},
	{"sdkusage", "asks GitHub for the plugin SDK's latest release (network)"},
	{"circulardependencies", "asks grafana.com for the dependencies' versions (network)"},
	{"osv-scanner", "asks osv.dev for known vulnerabilities (network)"},
	{"safelinks", "needs a Google Web Risk API key (network)"},
	{"provenance", "needs GITHUB_TOKEN and a build attestation (network)"},
	{"manifest", "reports an unsigned plugin: signing needs a Grafana access policy token (network); release.yml signs when the token is set"},
	{"signature", "the same: the archive is signed only in release.yml with a token"},
	{"llmreview", "sends the source to a language model (network, API key)"},
	{"codediff", "sends the source to a language model (network, API key)"},
	{"go-sec", "runs the gosec program, not installed here; golangci-lint runs gosec on ./pkg/..."},
	{"code-rules", "runs semgrep, not installed here"},
	{"virusscan", "runs clamscan, whose signatures need the network"},
}

// Validate runs the validator once for each offline analyzer (the validator
// runs every analyzer's dependencies and stops at the first one that fails,
// so that a single run would silently skip the analyzers after the first
// download), in -strict mode with the source code and the archive's SHA-1,
// and fails on any error or warning, or any analyzer that could not run. It prints
// what ran and what was skipped, and why.
func Validate(ctx context.Context, validator, archive, sourceDir, sha1 string, out io.Writer) error {
	var failed []string
	for _, name := range OfflineAnalyzers {
		cmd := exec.CommandContext(ctx, validator, "-strict", "-analyzer", name, "-checksum", sha1, // #nosec G204 -- the validator this repository builds
			"-sourceCodeUri", "file://"+sourceDir, archive)
		// The validator unpacks the archive (about 190 MB) into a temporary
		// directory it never removes: give each run its own, removed after.
		tmp, err := os.MkdirTemp("", "chatbot-metrics-validate-")
		if err != nil {
			return err
		}
		cmd.Env = append(cmd.Environ(), "DEBUG=1", "TMPDIR="+tmp) // DEBUG=1: the only way it tells that an analyzer could not run
		var output bytes.Buffer
		cmd.Stdout, cmd.Stderr = &output, &output
		runErr := cmd.Run()
		if err := os.RemoveAll(tmp); err != nil {
			return fmt.Errorf("removing the validator's files: %w", err)
		}
		findings, aborted := readValidatorOutput(output.String())
		var exitErr *exec.ExitError
		switch {
		case runErr != nil && !errors.As(runErr, &exitErr):
			return fmt.Errorf("running the validator: %w", runErr)
		case aborted != "":
			failed = append(failed, name)
			_, _ = fmt.Fprintf(out, "FAIL  %-20s could not run: %s\n", name, aborted)
		case runErr != nil || strings.Contains(findings, "error:") || strings.Contains(findings, "warning:"):
			failed = append(failed, name)
			_, _ = fmt.Fprintf(out, "FAIL  %-20s\n%s\n", name, findings)
		case findings != "":
			// Recommendations (a sponsorship link, say) do not fail -strict.
			_, _ = fmt.Fprintf(out, "ok    %-20s with a recommendation:\n%s\n", name, findings)
		default:
			_, _ = fmt.Fprintf(out, "ok    %s\n", name)
		}
	}
	for _, skipped := range SkippedAnalyzers {
		_, _ = fmt.Fprintf(out, "skip  %-20s %s\n", skipped.Name, skipped.Why)
	}
	_, _ = fmt.Fprintf(out, "%d passed, %d failed, %d skipped\n", len(OfflineAnalyzers)-len(failed), len(failed), len(SkippedAnalyzers))
	if len(failed) > 0 {
		return fmt.Errorf("the plugin validator has findings: %s", strings.Join(failed, ", "))
	}
	return nil
}

// readValidatorOutput splits the validator's output into its findings (every
// line but its debug log) and, when an analyzer or one of its dependencies
// failed to run, the reason it logged.
func readValidatorOutput(output string) (findings, aborted string) {
	var kept []string
	for _, line := range strings.Split(output, "\n") {
		switch {
		case strings.HasPrefix(line, "[DEBUG] check failed: "):
			aborted = strings.TrimPrefix(line, "[DEBUG] check failed: ")
		case strings.HasPrefix(line, "[DEBUG]"), strings.TrimSpace(line) == "":
		default:
			kept = append(kept, "      "+line)
		}
	}
	return strings.Join(kept, "\n"), aborted
}
