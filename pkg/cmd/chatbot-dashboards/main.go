// Command chatbot-dashboards writes the shipped dashboards (dashboards/*.json)
// and their reference (docs/dashboards.md) from the code in pkg/dashboards.
// Run it from the repository root, or through `mage dashboards`.
package main

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"

	"github.com/chatbot-metrics/chatbot-metrics/pkg/dashboards"
)

func main() {
	dir := flag.String("dir", "dashboards", "directory the dashboard files are written to")
	docs := flag.String("docs", "docs/dashboards.md", "file the dashboards' reference is written to")
	flag.Parse()
	if err := run(*dir, *docs); err != nil {
		fmt.Fprintln(os.Stderr, "chatbot-dashboards:", err)
		os.Exit(1)
	}
}

func run(dir, docs string) error {
	for _, spec := range dashboards.All() {
		out, err := spec.JSON()
		if err != nil {
			return fmt.Errorf("%s: %w", spec.File, err)
		}
		// An existing file keeps its permissions; git records none but the executable bit.
		if err := os.WriteFile(filepath.Join(dir, spec.File), out, 0o600); err != nil {
			return err
		}
	}
	if docs == "" {
		return nil
	}
	reference, err := dashboards.Reference()
	if err != nil {
		return err
	}
	return os.WriteFile(docs, reference, 0o600)
}
