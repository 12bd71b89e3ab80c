//go:build !windows

package demo

import (
	"os/exec"
	"syscall"
)

// ownGroup makes cmd the leader of a new process group, whose id is its pid.
func ownGroup(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
}

// stopGroup asks every process of cmd's group to stop.
func stopGroup(cmd *exec.Cmd) { signalGroup(cmd, syscall.SIGTERM) }

// killGroup kills every process left in cmd's group.
func killGroup(cmd *exec.Cmd) { signalGroup(cmd, syscall.SIGKILL) }

func signalGroup(cmd *exec.Cmd, signal syscall.Signal) {
	if cmd.Process != nil {
		// A negative pid signals the group; ESRCH (nothing left) is fine.
		_ = syscall.Kill(-cmd.Process.Pid, signal)
	}
}
