package plugin

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/grafana/grafana-plugin-sdk-go/backend"
	"github.com/jackc/pgx/v5"

	"github.com/chatbot-metrics/chatbot-metrics/pkg/store"
)

// CheckHealth tells the user exactly what stands between the data source and
// its data: settings, reachability, login, schema version, workspace.
func (ds *Datasource) CheckHealth(ctx context.Context, _ *backend.CheckHealthRequest) (*backend.CheckHealthResult, error) {
	failed := func(message string) (*backend.CheckHealthResult, error) {
		return &backend.CheckHealthResult{Status: backend.HealthStatusError, Message: message}, nil
	}
	if ds.settingsErr != nil {
		return failed(ds.settingsErr.Error())
	}
	conn, err := ds.pool.Acquire(ctx)
	if err != nil {
		return failed(store.Classify(err, ds.settings).Message)
	}
	defer conn.Release()

	version, err := store.CurrentVersion(ctx, conn)
	if err != nil {
		return failed(store.Classify(err, ds.settings).Message)
	}
	switch {
	case version == 0:
		return failed(fmt.Sprintf("database %q has no conversation store schema: create it with `%s`", ds.settings.Database, store.MigrateCommand))
	case version < store.SchemaVersion:
		return failed(fmt.Sprintf("the conversation store's schema is version %d but this plugin reads version %d: migrate it with `%s`",
			version, store.SchemaVersion, store.MigrateCommand))
	case version > store.SchemaVersion:
		return failed(fmt.Sprintf("the conversation store's schema is version %d, newer than this plugin reads (%d): upgrade the plugin",
			version, store.SchemaVersion))
	}

	var workspaceID int
	err = conn.QueryRow(ctx, "SELECT id FROM workspaces WHERE slug = $1", ds.settings.Workspace).Scan(&workspaceID)
	if errors.Is(err, pgx.ErrNoRows) {
		known, listErr := workspaceSlugs(ctx, conn)
		if listErr != nil {
			return failed(store.Classify(listErr, ds.settings).Message)
		}
		return failed(fmt.Sprintf("workspace %q is not in the store (it has: %s): correct the workspace in the data source settings",
			ds.settings.Workspace, known))
	}
	if err != nil {
		return failed(store.Classify(err, ds.settings).Message)
	}
	return &backend.CheckHealthResult{
		Status: backend.HealthStatusOk,
		Message: fmt.Sprintf("Connected to the conversation store (schema version %d), workspace %q",
			version, ds.settings.Workspace),
	}, nil
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
