package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"time"

	"github.com/grafana/grafana-plugin-sdk-go/backend"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/chatbot-metrics/chatbot-metrics/pkg/generator"
	"github.com/chatbot-metrics/chatbot-metrics/pkg/generator/progressline"
	"github.com/chatbot-metrics/chatbot-metrics/pkg/models"
	"github.com/chatbot-metrics/chatbot-metrics/pkg/plugin"
	"github.com/chatbot-metrics/chatbot-metrics/pkg/store"
	"github.com/chatbot-metrics/chatbot-metrics/pkg/store/localpg"
)

// benchDatabase is the database the command creates on its local server.
const benchDatabase = "chatbot_bench"

// workspace is the generated workspace the queries read.
const workspace = "demo"

// env is a loaded store and the plugin over it.
type env struct {
	cfg         generator.Config
	end         time.Time // the data's end: the heavy ranges end here
	url         string    // the store's database URL
	ds          *plugin.Datasource
	direct      *pgxpool.Pool // the plugin's session settings, for its statements
	plain       *pgxpool.Pool // a plain session, as Grafana's PostgreSQL data source opens one
	workspaceID int32
	loaded      *generator.Stats // nil when -reuse found the data
	server      *localpg.Server  // nil with -database-url
}

func (e *env) close() {
	if e.ds != nil {
		e.ds.Dispose()
	}
	if e.direct != nil {
		e.direct.Close()
	}
	if e.plain != nil {
		e.plain.Close()
	}
	if e.server != nil {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		_ = e.server.Stop(ctx)
	}
}

// prepare starts the local server when no URL is given, migrates the store,
// loads the scale's data unless -reuse finds it there, and opens the plugin.
func prepare(ctx context.Context, o options, stderr io.Writer) (*env, error) {
	e := &env{cfg: generator.Config{Seed: 1, Days: generator.DefaultDays, Contacts: o.contacts}}
	e.end = generator.DefaultStart.AddDate(0, 0, e.cfg.Days)
	url := o.databaseURL
	if url == "" {
		server, err := localpg.Start(ctx, o.dir)
		if err != nil {
			return nil, err
		}
		e.server = server
		if err := createDatabase(ctx, server.URL("postgres"), benchDatabase); err != nil {
			e.close()
			return nil, err
		}
		url = server.URL(benchDatabase)
	}
	e.url = url
	if err := e.load(ctx, url, o, stderr); err != nil {
		e.close()
		return nil, err
	}
	if err := e.open(ctx, url); err != nil {
		e.close()
		return nil, err
	}
	return e, nil
}

func createDatabase(ctx context.Context, adminURL, name string) error {
	conn, err := pgx.Connect(ctx, adminURL)
	if err != nil {
		return err
	}
	defer func() { _ = conn.Close(ctx) }()
	var exists bool
	if err := conn.QueryRow(ctx, "SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)", name).Scan(&exists); err != nil {
		return err
	}
	if !exists {
		_, err = conn.Exec(ctx, "CREATE DATABASE "+pgx.Identifier{name}.Sanitize())
	}
	return err
}

// load migrates the store and loads the scale's data. With -reuse, a store
// whose workspace already holds exactly the scale's contacts is kept; any
// other data is replaced on the command's own server, and refused in a
// database given by URL.
func (e *env) load(ctx context.Context, url string, o options, stderr io.Writer) error {
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		return err
	}
	defer func() { _ = conn.Close(ctx) }()
	if _, err := store.Migrate(ctx, conn); err != nil {
		return err
	}
	var workspaces, contacts int
	err = conn.QueryRow(ctx, `SELECT (SELECT count(*) FROM workspaces),
		(SELECT count(*) FROM contacts WHERE workspace_id = (SELECT id FROM workspaces WHERE slug = $1))`, workspace).Scan(&workspaces, &contacts)
	if err != nil {
		return err
	}
	if o.reuse && workspaces == 1 && contacts == o.contacts {
		_, _ = fmt.Fprintf(stderr, "reusing the store's %d contacts\n", contacts)
		return nil
	}
	if workspaces > 0 {
		if e.server == nil {
			return fmt.Errorf("the database holds other data (%d workspaces, %d contacts in %s): give an empty database, or -reuse with the same scale", workspaces, contacts, workspace)
		}
		if _, err := conn.Exec(ctx, "TRUNCATE workspaces RESTART IDENTITY CASCADE"); err != nil {
			return err
		}
	}
	pool, err := pgxpool.New(ctx, url)
	if err != nil {
		return err
	}
	defer pool.Close()
	_, _ = fmt.Fprintf(stderr, "loading %d contacts over %d days\n", e.cfg.Contacts, e.cfg.Days)
	var stats generator.Stats
	if o.progress {
		line := progressline.New(stderr, terminal(stderr))
		stats, err = generator.LoadWithProgress(ctx, pool, e.cfg, line.Report)
		line.Done()
	} else {
		stats, err = generator.Load(ctx, pool, e.cfg)
	}
	if err != nil {
		return err
	}
	e.loaded = &stats
	_, _ = fmt.Fprintf(stderr, "loaded %d rows (%d messages) in %s: %.0f rows/s\n",
		stats.Total(), stats.Rows["messages"], stats.Elapsed.Round(time.Millisecond), stats.RowsPerSecond())
	return nil
}

// open creates the plugin instance over url, as Grafana would with these
// settings, and the two pools the comparisons run on.
func (e *env) open(ctx context.Context, url string) error {
	config, err := pgx.ParseConfig(url)
	if err != nil {
		return err
	}
	jsonData, err := json.Marshal(map[string]any{
		"host": config.Host, "port": config.Port, "database": config.Database, "user": config.User,
		"tlsMode": "disable", "workspace": workspace, "maxConns": 10, "statementTimeout": "120s",
	})
	if err != nil {
		return err
	}
	instance := backend.DataSourceInstanceSettings{UID: "chatbot-bench", Name: "Chatbot bench", JSONData: jsonData,
		DecryptedSecureJSONData: map[string]string{"password": config.Password}}
	settings, err := models.LoadSettings(instance)
	if err != nil {
		return err
	}
	ds, err := plugin.NewDatasource(ctx, instance)
	if err != nil {
		return err
	}
	e.ds = ds.(*plugin.Datasource)
	if e.direct, err = store.Open(ctx, settings); err != nil {
		return err
	}
	if e.plain, err = pgxpool.New(ctx, url); err != nil {
		return err
	}
	return e.plain.QueryRow(ctx, "SELECT id FROM workspaces WHERE slug = $1", workspace).Scan(&e.workspaceID)
}
