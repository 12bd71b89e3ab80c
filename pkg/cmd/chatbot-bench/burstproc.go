package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strconv"
)

// burstProcessEnv, set to 1, makes the command run only the burst, in a
// process of its own that holds nothing but the data source over the store,
// as the plugin's own process under Grafana does: the benchmark's process
// also holds every earlier result, its hand-written statements' pools and the
// generator's memory, so its RSS says little of the plugin's.
const burstProcessEnv = "CHATBOT_BENCH_BURST_PROCESS"

// burstInOwnProcess runs the burst through a new process of this command
// over the same store and returns what that process measured.
func burstInOwnProcess(ctx context.Context, o options, e *env) (*BurstResult, error) {
	exe, err := os.Executable()
	if err != nil {
		return nil, fmt.Errorf("burst: finding this command's executable: %w", err)
	}
	args := []string{"-database-url", e.url, "-reuse", "-contacts", strconv.Itoa(o.contacts),
		"-concurrency", strconv.Itoa(o.concurrency), "-dashboards", o.dashboards, "-only", "burst", "-progress=false"}
	cmd := exec.CommandContext(ctx, exe, args...) //nolint:gosec // G204: this command's own executable, with its own options
	cmd.Env = append(os.Environ(), burstProcessEnv+"=1")
	cmd.Stderr = io.Discard
	out, err := cmd.Output()
	if err != nil {
		return nil, fmt.Errorf("burst: its process failed: %w", err)
	}
	var r BurstResult
	if err := json.Unmarshal(out, &r); err != nil {
		return nil, fmt.Errorf("burst: reading its process's result %q: %w", out, err)
	}
	return &r, nil
}

// runBurstProcess is the command in the burst's own process: it opens the
// data source over the store given by URL, sends the burst and prints the
// result as JSON.
func runBurstProcess(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	o, err := parseOptions(args, stderr)
	if err != nil {
		return err
	}
	if o.databaseURL == "" || !o.reuse {
		return fmt.Errorf("%s=1 needs -database-url and -reuse: it measures a loaded store", burstProcessEnv)
	}
	e, err := prepare(ctx, o, stderr)
	if err != nil {
		return err
	}
	defer e.close()
	_, requests, err := dashboardCases(ctx, o, e)
	if err != nil {
		return err
	}
	if len(requests) == 0 {
		return fmt.Errorf("no panel requests in %s", o.dashboards)
	}
	return json.NewEncoder(stdout).Encode(burst(ctx, o, e, requests))
}
