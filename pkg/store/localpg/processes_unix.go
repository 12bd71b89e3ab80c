//go:build unix

package localpg

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// PostmasterPID is the server's main process id, from postmaster.pid.
func (s *Server) PostmasterPID() (int, error) {
	raw, err := os.ReadFile(filepath.Join(s.dataDir(), "postmaster.pid"))
	if err != nil {
		return 0, fmt.Errorf("reading the server's pid: %w", err)
	}
	first, _, _ := strings.Cut(string(raw), "\n")
	pid, err := strconv.Atoi(strings.TrimSpace(first))
	if err != nil {
		return 0, fmt.Errorf("postmaster.pid starts with %q, not a process id", first)
	}
	return pid, nil
}
