package plugin

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/grafana/grafana-plugin-sdk-go/backend"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/chatbot-metrics/chatbot-metrics/pkg/store"
)

// refusedRoleTTL is how long a refusal of the settings' user is kept: a
// store owner who takes the write privileges away sees the data source
// work within a minute, without saving its settings again.
const refusedRoleTTL = time.Minute

// roleCheck remembers, per instance, whether the settings' user may be used
// when the settings require a read-only role. An accepted user stays
// accepted for the instance's life: one check, not one per query.
type roleCheck struct {
	mu       sync.Mutex
	accepted bool
	refusal  string
	checked  time.Time
}

// checkReadOnlyRole is nil when the settings do not require a read-only
// role or the user can only read the store. Otherwise it is the problem to
// answer with: a 400 naming the privilege that lets the user write, or the
// store's own error when it could not be asked (a check that cannot run
// refuses, rather than let a query run unchecked).
func (ds *Datasource) checkReadOnlyRole(ctx context.Context) *store.Problem {
	if ds.settingsErr != nil || ds.pool == nil || !ds.settings.RequireReadOnlyRole {
		return nil
	}
	c := &ds.role
	c.mu.Lock()
	defer c.mu.Unlock()
	switch {
	case c.accepted:
		return nil
	case c.refusal != "" && time.Since(c.checked) < refusedRoleTTL:
		return refusedRole(c.refusal)
	}
	// Asked where reads go: a streaming replica's roles and grants are the
	// primary's own, copied by replication (docs/security.md).
	var privilege string
	served, err := ds.reads.Read(ctx, func(pool *pgxpool.Pool) (err error) {
		privilege, err = store.WritePrivilege(ctx, pool)
		return err
	})
	if err != nil {
		problem := store.Classify(err, served.Settings)
		return &problem
	}
	if privilege == "" {
		c.accepted = true
		return nil
	}
	c.refusal = fmt.Sprintf("user %q can change the conversation store: it %s. The data source settings require a read-only role: "+
		"log in as a role with SELECT only, which pkg/store/roles/readonly.sql or `%s` creates (see docs/security.md), "+
		"or turn off \"Require a read-only role\"", ds.settings.User, privilege, store.GrantReadOnlyCommand)
	c.checked = time.Now()
	return refusedRole(c.refusal)
}

func refusedRole(message string) *store.Problem {
	return &store.Problem{Status: backend.StatusBadRequest, Source: backend.ErrorSourceDownstream, Message: message}
}
