// Package store owns the connection to the conversation store: the pgx pool
// built from the data source settings, running statements, and turning
// PostgreSQL's errors into messages a Grafana user can act on.
package store

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"net/url"
	"strconv"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/chatbot-metrics/chatbot-metrics/pkg/models"
)

// ApplicationName is how the plugin's sessions show in pg_stat_activity.
const ApplicationName = "grafana-chatbot-metrics"

// PoolConfig builds the pgx pool configuration for settings. Sessions are
// read-only and carry the statement timeout, so no query of the plugin can
// change the store or run unbounded, and plan every statement for its values.
func PoolConfig(s models.Settings) (*pgxpool.Config, error) {
	dsn := url.URL{
		Scheme: "postgres",
		User:   url.UserPassword(s.User, s.Password),
		Host:   net.JoinHostPort(s.Host, strconv.Itoa(int(s.Port))),
		Path:   "/" + s.Database,
	}
	query := url.Values{}
	query.Set("sslmode", s.TLSMode)
	query.Set("application_name", ApplicationName)
	query.Set("default_transaction_read_only", "on")
	query.Set("statement_timeout", strconv.FormatInt(s.StatementTimeoutDuration.Milliseconds(), 10))
	// pgx prepares and caches each statement; after five runs PostgreSQL may
	// switch to a generic plan that cannot see the time range or the bucket
	// array, and such a plan for returning users ran past a 20 s timeout where
	// the custom one takes 80 ms. Planning each run costs well under a
	// millisecond next to the analytic queries themselves. The setting also
	// reaches the statements inside functions; the one function whose
	// statements take whole arrays sets its own (migration 35).
	query.Set("plan_cache_mode", "force_custom_plan")
	// A panel's statement is often estimated above jit_above_cost (a page of
	// dialogs with a probe per row, a raw fallback's edges) while it runs in
	// tens of milliseconds; compiling it with LLVM then costs 50 to 200 ms
	// more than it saves. The summaries' triggers run without it too
	// (migration 13).
	query.Set("jit", "off")
	// Nor does a panel's statement that reads summaries gain from parallel
	// workers: launching them costs 40 to 120 ms on a 2-core machine (more
	// while the dashboard's other panels run), where such a statement takes a
	// few milliseconds alone (at scale M, active sessions by state took 104
	// ms with two workers and 9.8 ms without, the AI expense 64 ms and 13.5),
	// yet PostgreSQL prices a launch at 1,000, about a millisecond of work.
	// Priced at 50,000, workers are left to the statements that read many
	// raw rows (the heavy ones measured took the same time either way).
	query.Set("parallel_setup_cost", ParallelSetupCost)
	query.Set("connect_timeout", "10")
	dsn.RawQuery = query.Encode()

	config, err := pgxpool.ParseConfig(dsn.String())
	if err != nil {
		return nil, fmt.Errorf("building the connection settings: %w", err)
	}
	config.MaxConns = int32(s.MaxConns) // #nosec G115 -- validated to 1-100 by LoadSettings
	// Connections are kept for their whole lifetime, idle ones too (pgx
	// closes idle ones after 30 minutes by default), as Grafana's SQL data
	// sources keep theirs: a dashboard opened now and then finds them warm.
	// (Settings not read by LoadSettings may leave it 0: pgx's defaults.)
	if s.ConnMaxLifetime > 0 {
		config.MaxConnLifetime = time.Duration(s.ConnMaxLifetime) * time.Second
		config.MaxConnIdleTime = config.MaxConnLifetime
	}
	config.AfterConnect = priceProbesForMemory
	if s.TLSMode == models.TLSVerifyCA || s.TLSMode == models.TLSVerifyFull || s.TLSClientCert != "" {
		tlsConfig, err := tlsConfigFor(s)
		if err != nil {
			return nil, err
		}
		config.ConnConfig.TLSConfig = tlsConfig
		config.ConnConfig.Fallbacks = nil
	}
	return config, nil
}

// ParallelSetupCost is the parallel_setup_cost of the plugin's sessions.
const ParallelSetupCost = "50000"

// ProbePageCost is the random_page_cost of the plugin's sessions where the
// server leaves PostgreSQL's default.
const ProbePageCost = "1.1"

// priceProbesForMemory sets a new session's random_page_cost to
// ProbePageCost, unless the server, the database or the role sets one. The
// default (4) prices an index probe as a disk seek; a store's hot pages sit
// in memory or on SSD, where a probe costs about a sequential read: at 4 a
// text search over a month scans every conversation of the month (143 ms at
// scale M) rather than looking up the few thousand its messages name (40
// ms). An administrator who chose a value (for spinning disks, say) keeps it.
func priceProbesForMemory(ctx context.Context, conn *pgx.Conn) error {
	_, err := conn.Exec(ctx, "SELECT set_config('random_page_cost', $1, false) FROM pg_settings"+
		" WHERE name = 'random_page_cost' AND source = 'default'", ProbePageCost)
	if err != nil {
		return fmt.Errorf("setting the session's random_page_cost: %w", err)
	}
	return nil
}

// tlsConfigFor builds TLS from the PEM texts of the settings (Grafana keeps
// them encrypted in secureJsonData, so there are no files to point pgx at).
func tlsConfigFor(s models.Settings) (*tls.Config, error) {
	config := &tls.Config{ServerName: s.Host, MinVersion: tls.VersionTLS12}
	if s.TLSMode == models.TLSDisable {
		return nil, nil
	}
	if s.TLSMode == models.TLSRequire {
		config.InsecureSkipVerify = true // sslmode=require encrypts without verifying, as libpq does
	}
	if s.TLSCACert != "" {
		roots := x509.NewCertPool()
		if !roots.AppendCertsFromPEM([]byte(s.TLSCACert)) {
			return nil, errors.New("the TLS CA certificate is not valid PEM: paste the whole -----BEGIN CERTIFICATE----- block")
		}
		config.RootCAs = roots
		if s.TLSMode == models.TLSVerifyCA {
			// verify-ca checks the chain but not the host name, as libpq does.
			config.InsecureSkipVerify = true // the chain is verified by VerifyPeerCertificate
			config.VerifyPeerCertificate = verifyChain(roots)
		}
	}
	if s.TLSClientCert != "" {
		pair, err := tls.X509KeyPair([]byte(s.TLSClientCert), []byte(s.TLSClientKey))
		if err != nil {
			return nil, fmt.Errorf("the TLS client certificate and key do not load (%w): paste both in PEM form", err)
		}
		config.Certificates = []tls.Certificate{pair}
	}
	return config, nil
}

func verifyChain(roots *x509.CertPool) func([][]byte, [][]*x509.Certificate) error {
	return func(raw [][]byte, _ [][]*x509.Certificate) error {
		if len(raw) == 0 {
			return errors.New("the server sent no certificate")
		}
		certs := make([]*x509.Certificate, len(raw))
		for i, der := range raw {
			cert, err := x509.ParseCertificate(der)
			if err != nil {
				return err
			}
			certs[i] = cert
		}
		intermediates := x509.NewCertPool()
		for _, cert := range certs[1:] {
			intermediates.AddCert(cert)
		}
		_, err := certs[0].Verify(x509.VerifyOptions{Roots: roots, Intermediates: intermediates})
		return err
	}
}

// Open creates the pool. It does not connect: the first query or health check does.
func Open(ctx context.Context, s models.Settings) (*pgxpool.Pool, error) {
	config, err := PoolConfig(s)
	if err != nil {
		return nil, err
	}
	return pgxpool.NewWithConfig(ctx, config)
}

// Bucketed is one row of a time-series statement.
type Bucketed struct {
	Bucket int
	Series string
	Value  *float64
}

// Totaled is one row of a totals or ranking statement.
type Totaled struct {
	Series string
	// SeriesID is the group's id when the dimension has one (an agent's).
	SeriesID *int64
	Value    *float64
}

// BucketedReader returns a reader of one time-series statement's rows, for
// Each. It scans each row into its fields' types directly, where
// pgx.RowToStructByPos sets up the struct's scan targets by reflection for
// every row; and it allocates each series' name once (a name repeats in
// every bucket) and the values in blocks, where a row cost a string and a
// float64 of its own. For the 6,354 rows of a 90-day series by inbox in
// 3-hour buckets: 41 allocations instead of 24,522, and 1.1 ms of the
// process's CPU instead of 2.9 (BenchmarkReadSeriesRows, under pprof).
func BucketedReader() pgx.RowToFunc[Bucketed] {
	r := &bucketedReader{names: map[string]string{}}
	r.targets = []any{&r.bucket, &r.name, &r.value}
	return r.read
}

// bucketedReader scans every row into the same targets, its own fields: a
// row's targets allocated afresh would cost three allocations a row.
type bucketedReader struct {
	bucket  int
	name    pgtype.DriverBytes // the driver's memory, until the next row
	value   pgtype.Float8
	targets []any
	names   map[string]string
	values  []float64
}

// valuesBlock is how many values a bucketedReader allocates at once.
const valuesBlock = 512

func (r *bucketedReader) read(row pgx.CollectableRow) (Bucketed, error) {
	if err := row.Scan(r.targets...); err != nil {
		return Bucketed{}, err
	}
	series, seen := r.names[string(r.name)]
	if !seen {
		series = string(r.name)
		r.names[series] = series
	}
	b := Bucketed{Bucket: r.bucket, Series: series}
	if r.value.Valid {
		if len(r.values) == cap(r.values) {
			r.values = make([]float64, 0, valuesBlock)
		}
		r.values = append(r.values, r.value.Float64)
		b.Value = &r.values[len(r.values)-1]
	}
	return b, nil
}

// ReadTotaled reads a totals or ranking row into its fields' types directly,
// for Each (see BucketedReader).
func ReadTotaled(row pgx.CollectableRow) (Totaled, error) {
	var t Totaled
	err := row.Scan(&t.Series, &t.SeriesID, &t.Value)
	return t, err
}
