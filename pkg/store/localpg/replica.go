package localpg

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strconv"
)

// ErrNoBaseBackup is StartReplica's error when pg_basebackup is not beside
// initdb and pg_ctl (some packagings ship it apart, with the client tools).
var ErrNoBaseBackup = errors.New("pg_basebackup not found beside initdb and pg_ctl: install the PostgreSQL client tools (Debian: apt-get install -y postgresql)")

// StartReplica makes a streaming replica of s in dir and starts it with
// opts on a free port of its own. pg_basebackup -R copies s's cluster,
// streaming the WAL it needs, and writes standby.signal and primary_conninfo,
// so that the replica starts in recovery and follows s.
//
// initdb's pg_hba.conf (which Start keeps unless Options.HBA replaces it)
// trusts replication connections from 127.0.0.1, and PostgreSQL's defaults
// (wal_level replica, max_wal_senders 10) allow them.
func (s *Server) StartReplica(ctx context.Context, dir string, opts Options) (*Server, error) {
	if !isFile(filepath.Join(s.BinDir, "pg_basebackup")) {
		return nil, ErrNoBaseBackup
	}
	dir, err := filepath.Abs(dir)
	if err != nil {
		return nil, err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	if err := prepareOwnership(dir); err != nil {
		return nil, err
	}
	replica := &Server{Dir: dir, BinDir: s.BinDir}
	if err := replica.run(ctx, "pg_basebackup", "-D", replica.dataDir(), "-R", "-X", "stream", "-c", "fast", "--no-sync",
		"-h", "127.0.0.1", "-p", strconv.Itoa(s.Port), "-U", Superuser); err != nil {
		return nil, err
	}
	return StartWith(ctx, dir, opts)
}

// Restart starts a server that was stopped again, on the port it had, with
// opts' settings (those it was started with are not remembered).
func (s *Server) Restart(ctx context.Context, opts Options) error {
	return s.startOn(ctx, s.Port, opts.Settings)
}
