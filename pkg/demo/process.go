package demo

import (
	"context"
	"os/exec"
	"time"
)

// stopGrace is how long Grafana may take to shut down before it is killed;
// mage waits 5 seconds for a cancelled target.
const stopGrace = 4 * time.Second

// Run runs cmd in a process group of its own and waits for it. When ctx ends
// (Ctrl-C) it stops the whole group, and when cmd exits on its own it still
// stops what is left of the group, so that Grafana's plugin processes never
// outlive the demo. A group of its own also keeps the terminal's Ctrl-C from
// reaching Grafana directly, so that Grafana stops once, through here.
func Run(ctx context.Context, cmd *exec.Cmd) error {
	ownGroup(cmd)
	if err := cmd.Start(); err != nil {
		return err
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		killGroup(cmd)
		return err
	case <-ctx.Done():
		stopGroup(cmd)
		select {
		case <-done:
		case <-time.After(stopGrace):
			killGroup(cmd)
			<-done
		}
		killGroup(cmd)
		return nil // stopped as asked
	}
}
