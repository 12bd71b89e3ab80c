package plugin

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/grafana/grafana-plugin-sdk-go/backend"
	"github.com/jackc/pgx/v5"

	"github.com/chatbot-metrics/chatbot-metrics/pkg/store"
	"github.com/chatbot-metrics/chatbot-metrics/pkg/userinput"
)

// CheckHealth tells the user exactly what stands between the data source and
// its data: settings, reachability, login, schema version, workspace, and
// the read replica's state when the settings name one.
func (ds *Datasource) CheckHealth(ctx context.Context, _ *backend.CheckHealthRequest) (*backend.CheckHealthResult, error) {
	failed := func(message string) (*backend.CheckHealthResult, error) {
		return &backend.CheckHealthResult{Status: backend.HealthStatusError, Message: message}, nil
	}
	if ds.settingsErr != nil {
		return failed(ds.settingsErr.Error())
	}
	// A bound of its own: a frozen server must not hold "Save & test" for
	// Grafana's whole timeout.
	ctx, cancel := store.WithDeadline(ctx, time.Now().Add(store.Bound(ds.settings)))
	defer cancel()
	// Before holding a connection: the check takes one from the pool itself.
	if problem := ds.checkReadOnlyRole(ctx); problem != nil {
		return failed(problem.Message)
	}
	conn, err := store.Acquire(ctx, ds.pool)
	if err != nil {
		return failed(store.Classify(err, ds.settings).Message)
	}
	defer conn.Release()

	version, err := store.CurrentVersion(ctx, conn)
	if err != nil {
		return failed(store.Classify(store.Ran(ctx, err), ds.settings).Message)
	}
	switch {
	case version == 0:
		return failed(fmt.Sprintf("database %q has no conversation store schema: create it with `%s` (%s)",
			ds.settings.Database, store.MigrateCommand, store.StoreToolSource))
	case version < store.SchemaVersion:
		return failed(fmt.Sprintf("the conversation store's schema is version %d but this plugin reads version %d: migrate it with `%s` (%s)",
			version, store.SchemaVersion, store.MigrateCommand, store.StoreToolSource))
	case version > store.SchemaVersion:
		return failed(fmt.Sprintf("the conversation store's schema is version %d, newer than this plugin reads (%d): upgrade the plugin",
			version, store.SchemaVersion))
	}

	_, problem, err := lookUpWorkspace(ctx, conn, ds.settings.Workspace)
	if err != nil {
		return failed(store.Classify(store.Ran(ctx, err), ds.settings).Message)
	}
	if problem != "" {
		return failed(problem)
	}
	message := fmt.Sprintf("Connected to the conversation store (schema version %d), workspace %q", version, ds.settings.Workspace)
	if ds.settings.RequireReadOnlyRole {
		message += fmt.Sprintf(", as user %q, which can only read it", ds.settings.User)
	}
	replica, ok := ds.replicaHealth(ctx)
	if !ok {
		return failed(replica)
	}
	message += replica
	return &backend.CheckHealthResult{Status: backend.HealthStatusOk, Message: message}, nil
}

// lookUpWorkspace is the workspace's id in the store, or, for a workspace the
// store does not hold, the message that lists the ones it does (and id 0).
// The health check and every query (see checkWorkspace) share it.
func lookUpWorkspace(ctx context.Context, q store.Querier, workspace string) (id int32, problem string, err error) {
	err = q.QueryRow(ctx, "SELECT id FROM workspaces WHERE slug = $1", workspace).Scan(&id)
	if errors.Is(err, pgx.ErrNoRows) {
		known, listErr := workspaceSlugs(ctx, q)
		if listErr != nil {
			return 0, "", listErr
		}
		return 0, fmt.Sprintf("workspace %s is not in the store (it has: %s): correct the workspace in the data source settings",
			userinput.Quote(workspace), known), nil
	}
	return id, "", err
}

func workspaceSlugs(ctx context.Context, q store.Querier) (string, error) {
	var slugs []string
	if err := q.QueryRow(ctx, "SELECT coalesce(array_agg(slug ORDER BY slug), '{}') FROM workspaces").Scan(&slugs); err != nil {
		return "", err
	}
	if len(slugs) == 0 {
		return "no workspaces yet", nil
	}
	return strings.Join(slugs, ", "), nil
}
