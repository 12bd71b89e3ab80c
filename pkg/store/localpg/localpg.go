// Package localpg runs a throwaway PostgreSQL server from the machine's own
// PostgreSQL binaries (initdb and pg_ctl), in a directory of its own and on a
// free loopback port. The tests, the demo and the benchmarks use it so that
// nobody needs Docker or a shared database server.
package localpg

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"
)

// Superuser is the bootstrap user initdb creates; local servers trust loopback
// connections, so it needs no password.
const Superuser = "postgres"

// Server is one local PostgreSQL cluster.
type Server struct {
	// Dir holds the cluster: data/ (the cluster itself), server.log and port.
	Dir string
	// Port is the loopback TCP port the server listens on.
	Port int
	// BinDir is where initdb, pg_ctl and postgres were found.
	BinDir string
}

// FindBinDir locates the PostgreSQL server binaries: $PG_BIN, then
// `pg_config --bindir`, then the newest /usr/lib/postgresql/*/bin, then $PATH.
func FindBinDir() (string, error) {
	candidates := []string{}
	if dir := os.Getenv("PG_BIN"); dir != "" {
		candidates = append(candidates, dir)
	}
	if out, err := exec.Command("pg_config", "--bindir").Output(); err == nil {
		candidates = append(candidates, strings.TrimSpace(string(out)))
	}
	versioned, _ := filepath.Glob("/usr/lib/postgresql/*/bin")
	sort.Slice(versioned, func(i, j int) bool { return majorOf(versioned[i]) > majorOf(versioned[j]) })
	candidates = append(candidates, versioned...)
	if path, err := exec.LookPath("initdb"); err == nil {
		candidates = append(candidates, filepath.Dir(path))
	}
	for _, dir := range candidates {
		if isFile(filepath.Join(dir, "initdb")) && isFile(filepath.Join(dir, "pg_ctl")) {
			return dir, nil
		}
	}
	return "", errors.New("PostgreSQL server binaries (initdb, pg_ctl) not found: install them " +
		"(Debian: apt-get install -y postgresql) or set PG_BIN to their directory")
}

func majorOf(binDir string) int {
	major, _ := strconv.Atoi(filepath.Base(filepath.Dir(binDir)))
	return major
}

func isFile(path string) bool {
	info, err := os.Stat(path)
	return err == nil && !info.IsDir()
}

// Options change how StartWith sets up a server; the zero value is Start's.
type Options struct {
	// Settings are extra server settings by postgresql.conf name, such as
	// "ssl": "on". Relative file names are read from the data directory.
	Settings map[string]string
	// Files are written into the data directory before the server starts,
	// readable by the server's account only (PostgreSQL refuses a TLS key
	// that others can read): TLS certificates and keys, say.
	Files map[string][]byte
	// HBA, when not empty, replaces pg_hba.conf (which trusts every loopback
	// connection), for example to accept only TLS connections.
	HBA string
}

// Start starts the cluster in dir, creating it first when dir holds none. A
// cluster that is already running there is reused.
func Start(ctx context.Context, dir string) (*Server, error) {
	return StartWith(ctx, dir, Options{})
}

// StartWith is Start with options, which apply when the server is started
// (not to a cluster already running in dir).
func StartWith(ctx context.Context, dir string, opts Options) (*Server, error) {
	binDir, err := FindBinDir()
	if err != nil {
		return nil, err
	}
	dir, err = filepath.Abs(dir)
	if err != nil {
		return nil, err
	}
	s := &Server{Dir: dir, BinDir: binDir}
	if port, running := s.runningPort(); running {
		s.Port = port
		return s, nil
	}
	if err := s.initCluster(ctx); err != nil {
		return nil, err
	}
	if err := s.writeFiles(opts); err != nil {
		return nil, err
	}
	// A port taken between picking and binding is retried with another one.
	var lastErr error
	for range 3 {
		port, err := freePort()
		if err != nil {
			return nil, err
		}
		s.Port = port
		if lastErr = s.startOn(ctx, port, opts.Settings); lastErr == nil {
			return s, os.WriteFile(filepath.Join(dir, "port"), []byte(strconv.Itoa(port)), 0o644)
		}
	}
	return nil, lastErr
}

// Open returns the server whose cluster is in dir if it is running.
func Open(dir string) (*Server, error) {
	dir, err := filepath.Abs(dir)
	if err != nil {
		return nil, err
	}
	s := &Server{Dir: dir}
	port, running := s.runningPort()
	if !running {
		return nil, fmt.Errorf("no local PostgreSQL server is running in %s", dir)
	}
	s.Port = port
	return s, nil
}

// URL is the connection string for database name on this server.
func (s *Server) URL(database string) string {
	return fmt.Sprintf("postgres://%s@127.0.0.1:%d/%s?sslmode=disable", Superuser, s.Port, database)
}

// Stop shuts the server down quickly; the cluster stays on disk.
func (s *Server) Stop(ctx context.Context) error {
	if s.BinDir == "" {
		binDir, err := FindBinDir()
		if err != nil {
			return err
		}
		s.BinDir = binDir
	}
	return s.run(ctx, "pg_ctl", "stop", "-D", s.dataDir(), "-m", "fast", "-w")
}

// Remove stops the server and deletes its directory.
func (s *Server) Remove(ctx context.Context) error {
	stopErr := s.Stop(ctx)
	if err := os.RemoveAll(s.Dir); err != nil {
		return err
	}
	return stopErr
}

func (s *Server) dataDir() string { return filepath.Join(s.Dir, "data") }

func (s *Server) runningPort() (int, bool) {
	raw, err := os.ReadFile(filepath.Join(s.Dir, "port"))
	if err != nil {
		return 0, false
	}
	port, err := strconv.Atoi(strings.TrimSpace(string(raw)))
	if err != nil {
		return 0, false
	}
	if _, err := os.Stat(filepath.Join(s.dataDir(), "postmaster.pid")); err != nil {
		return 0, false
	}
	conn, err := net.DialTimeout("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(port)), time.Second)
	if err != nil {
		return 0, false
	}
	_ = conn.Close()
	return port, true
}

func (s *Server) initCluster(ctx context.Context) error {
	if isFile(filepath.Join(s.dataDir(), "PG_VERSION")) {
		return nil
	}
	if err := os.MkdirAll(s.Dir, 0o755); err != nil {
		return err
	}
	if err := prepareOwnership(s.Dir); err != nil {
		return err
	}
	return s.run(ctx, "initdb", "-D", s.dataDir(), "-U", Superuser, "--auth=trust",
		"--encoding=UTF8", "--locale=C", "--no-sync")
}

func (s *Server) startOn(ctx context.Context, port int, settings map[string]string) error {
	// Durability settings are off: the cluster is disposable and speed matters.
	options := []string{
		"-p " + strconv.Itoa(port),
		"-c listen_addresses=127.0.0.1",
		"-c unix_socket_directories=''",
		"-c fsync=off",
		"-c synchronous_commit=off",
		"-c full_page_writes=off",
		"-c max_connections=200",
		"-c timezone=UTC",
	}
	names := make([]string, 0, len(settings))
	for name := range settings {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		// pg_ctl hands the options to a shell: quote each value.
		options = append(options, "-c "+name+"='"+strings.ReplaceAll(settings[name], "'", `'\''`)+"'")
	}
	return s.run(ctx, "pg_ctl", "start", "-D", s.dataDir(), "-w", "-t", "60",
		"-l", filepath.Join(s.Dir, "server.log"), "-o", strings.Join(options, " "))
}

// writeFiles puts opts' files and pg_hba.conf into the data directory, owned
// by the account the server runs as.
func (s *Server) writeFiles(opts Options) error {
	files := map[string][]byte{}
	for name, content := range opts.Files {
		files[name] = content
	}
	if opts.HBA != "" {
		files["pg_hba.conf"] = []byte(opts.HBA)
	}
	for name, content := range files {
		path := filepath.Join(s.dataDir(), filepath.Base(name))
		if err := os.WriteFile(path, content, 0o600); err != nil {
			return err
		}
		if err := giveToServer(path); err != nil {
			return err
		}
	}
	return nil
}

func (s *Server) run(ctx context.Context, program string, args ...string) error {
	cmd := exec.CommandContext(ctx, filepath.Join(s.BinDir, program), args...)
	cmd.Dir = s.Dir // the unprivileged account may not be able to read the caller's directory
	if err := dropPrivileges(cmd); err != nil {
		return err
	}
	out, err := cmd.CombinedOutput()
	if err != nil {
		logTail := ""
		if raw, readErr := os.ReadFile(filepath.Join(s.Dir, "server.log")); readErr == nil {
			logTail = lastLines(string(raw), 15)
		}
		return fmt.Errorf("%s %s: %w\n%s%s", program, strings.Join(args, " "), err, out, logTail)
	}
	return nil
}

func lastLines(text string, n int) string {
	lines := strings.Split(strings.TrimRight(text, "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}

func freePort() (int, error) {
	listener, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer func() { _ = listener.Close() }()
	return listener.Addr().(*net.TCPAddr).Port, nil
}
