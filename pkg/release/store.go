package release

import (
	"context"
	"crypto/sha256"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
)

// StoreToolPackage is the store tool's Go package, relative to the repository root.
const StoreToolPackage = "./pkg/cmd/chatbot-store"

// StoreToolName is the store tool's release file name on a platform:
// chatbot-store-<version>-<os>-<arch>, with .exe on windows.
func StoreToolName(version string, p Platform) string {
	name := fmt.Sprintf("chatbot-store-%s-%s-%s", version, p.OS, p.Arch)
	if p.OS == "windows" {
		name += ".exe"
	}
	return name
}

// SchemaFileName is the plain SQL schema's release file name.
func SchemaFileName(version string) string { return "chatbot-store-schema-" + version + ".sql" }

// StoreTools cross-compiles the store tool for every platform into outDir,
// static (no cgo) and stamped with the version, writes a .sha256 beside each
// binary and one chatbot-store-<version>.sha256 listing them all, and returns
// the binaries' paths.
func StoreTools(ctx context.Context, root, outDir, version string) ([]string, error) {
	if err := os.MkdirAll(outDir, 0o750); err != nil {
		return nil, err
	}
	var built, sums []string
	for _, p := range Platforms {
		target, err := filepath.Abs(filepath.Join(outDir, StoreToolName(version, p)))
		if err != nil {
			return built, err
		}
		cmd := exec.CommandContext(ctx, "go", "build", "-trimpath",
			"-ldflags", "-s -w -X main.version="+version, "-o", target, StoreToolPackage) // #nosec G204 -- fixed program, the release's own version
		cmd.Dir = root
		cmd.Env = append(os.Environ(), "GOOS="+p.OS, "GOARCH="+p.Arch, "CGO_ENABLED=0")
		if out, err := cmd.CombinedOutput(); err != nil {
			return built, fmt.Errorf("building %s: %w\n%s", filepath.Base(target), err, out)
		}
		fmt.Println("built", filepath.Join(outDir, filepath.Base(target)))
		sum, err := FileSums(target, sha256.New())
		if err != nil {
			return built, err
		}
		line := sum[0] + "  " + filepath.Base(target) + "\n"
		if err := os.WriteFile(target+".sha256", []byte(line), 0o600); err != nil {
			return built, err
		}
		built, sums = append(built, target), append(sums, line)
	}
	list := filepath.Join(outDir, "chatbot-store-"+version+".sha256")
	return built, os.WriteFile(list, []byte(strings.Join(sums, "")), 0o600)
}
