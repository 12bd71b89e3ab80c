//go:build !windows

package demo_test

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/chatbot-metrics/chatbot-metrics/pkg/demo"
)

// child starts a shell that leaves a background process behind, as Grafana
// leaves its plugin processes, and returns the shell and where the
// background process's pid will be written.
func child(t *testing.T, then string) (*exec.Cmd, string) {
	t.Helper()
	pidFile := filepath.Join(t.TempDir(), "pid")
	return exec.Command("sh", "-c", "sleep 300 & echo $! > "+pidFile+"; "+then), pidFile
}

// waitPID reads the pid the shell wrote.
func waitPID(t *testing.T, pidFile string) int {
	t.Helper()
	var pid int
	require.Eventually(t, func() bool {
		raw, err := os.ReadFile(pidFile)
		if err != nil || !strings.HasSuffix(string(raw), "\n") {
			return false
		}
		pid, err = strconv.Atoi(strings.TrimSpace(string(raw)))
		return err == nil
	}, 10*time.Second, 10*time.Millisecond)
	return pid
}

// gone tells whether pid has ended (a zombie awaiting its reaper counts as ended).
func gone(pid int) bool {
	if syscall.Kill(pid, 0) != nil {
		return true
	}
	stat, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	return err == nil && strings.Contains(string(stat), ") Z ")
}

func TestRunStopsTheWholeGroupOnCancel(t *testing.T) {
	cmd, pidFile := child(t, "wait")
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- demo.Run(ctx, cmd) }()
	pid := waitPID(t, pidFile)
	require.False(t, gone(pid))

	cancel() // Ctrl-C
	select {
	case err := <-done:
		require.NoError(t, err, "stopping on request is not an error")
	case <-time.After(15 * time.Second):
		t.Fatal("Run did not return after the cancel")
	}
	assert.Eventually(t, func() bool { return gone(pid) }, 5*time.Second, 20*time.Millisecond, "the background process went with the group")
}

func TestRunStopsWhatIsLeftWhenTheLeaderExits(t *testing.T) {
	cmd, pidFile := child(t, "exit 3")
	err := demo.Run(context.Background(), cmd)
	var exit *exec.ExitError
	require.ErrorAs(t, err, &exit, "the leader's failure is reported")
	assert.Equal(t, 3, exit.ExitCode())
	pid := waitPID(t, pidFile)
	assert.Eventually(t, func() bool { return gone(pid) }, 5*time.Second, 20*time.Millisecond, "no orphan left behind")
}
