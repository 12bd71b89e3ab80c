//go:build windows

package demo

import (
	"os/exec"
	"syscall"
)

// ownGroup starts cmd in a new process group, out of reach of the console's Ctrl-C.
func ownGroup(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{CreationFlags: syscall.CREATE_NEW_PROCESS_GROUP}
}

// stopGroup ends Grafana; Windows has no signal for a process group, so this
// is the same as killGroup. Grafana ends its plugin processes when it exits.
func stopGroup(cmd *exec.Cmd) { killGroup(cmd) }

// killGroup kills Grafana.
func killGroup(cmd *exec.Cmd) {
	if cmd.Process != nil {
		_ = cmd.Process.Kill()
	}
}
