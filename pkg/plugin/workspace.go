package plugin

import (
	"context"
	"errors"
	"sync"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/chatbot-metrics/chatbot-metrics/pkg/sqlbuild"
)

// How long a workspace check's answer is kept. A workspace that exists is
// looked up again after a minute: its id fences every statement, and one
// deleted and created again under the same slug has a new id (or one
// deleted is missing). One that is missing is asked again after a minute, so
// a workspace created meanwhile is found without saving the settings. A
// check the store could not answer is retried after a few seconds;
// meanwhile queries run (with the id found before, if any) and report the
// store's own error.
const (
	foundWorkspaceTTL   = time.Minute
	missingWorkspaceTTL = time.Minute
	failedCheckRetry    = 5 * time.Second
)

// workspaceCheck remembers, per instance, whether the settings' workspace is
// in the store: without it an unknown workspace answers every query with
// zeros, as if the workspace were empty.
type workspaceCheck struct {
	mu      sync.Mutex
	found   bool
	id      int32     // the workspace's id, once found
	problem string    // the missing workspace's message
	checked time.Time // when the workspace was last looked up
	failed  bool      // the last check could not reach the store
}

// checkWorkspace answers the settings' workspace as the statements fence
// it: by its id once found (a bind parameter PostgreSQL plans as a
// constant), else by its slug, which each statement then looks up. Its
// error is nil when the workspace is in the store (or the store cannot say
// right now), and otherwise the health check's message: a user error, to be
// answered with status 400 and source downstream.
func (ds *Datasource) checkWorkspace(ctx context.Context) (sqlbuild.Workspace, error) {
	if ds.settingsErr != nil || ds.pool == nil {
		return sqlbuild.WorkspaceSlug(ds.settings.Workspace), nil // the settings' own error is answered first
	}
	c := &ds.workspace
	c.mu.Lock()
	defer c.mu.Unlock()
	// fence is the workspace as the check now knows it.
	fence := func() sqlbuild.Workspace {
		if c.found {
			return sqlbuild.Workspace{Slug: ds.settings.Workspace, ID: c.id}
		}
		return sqlbuild.WorkspaceSlug(ds.settings.Workspace)
	}
	switch {
	case c.found && time.Since(c.checked) < foundWorkspaceTTL:
		return fence(), nil
	case c.problem != "" && time.Since(c.checked) < missingWorkspaceTTL:
		return fence(), errors.New(c.problem)
	case c.failed && time.Since(c.checked) < failedCheckRetry:
		return fence(), nil
	}
	var problem string
	var id int32
	_, err := ds.reads.Read(ctx, func(pool *pgxpool.Pool) (err error) {
		id, problem, err = lookUpWorkspace(ctx, pool, ds.settings.Workspace)
		return err
	})
	c.checked, c.failed, c.problem = time.Now(), err != nil, problem
	switch {
	case err != nil:
		return fence(), nil // the id found before, if any, stays
	case problem != "":
		c.found, c.id = false, 0
		return fence(), errors.New(problem)
	}
	c.found, c.id = true, id
	return fence(), nil
}
