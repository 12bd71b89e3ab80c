package store

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"

	"github.com/grafana/grafana-plugin-sdk-go/backend"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/puddle/v2"

	"github.com/chatbot-metrics/chatbot-metrics/pkg/models"
)

// Problem is a store error explained for the user, with the status and error
// source Grafana should show for it.
type Problem struct {
	Status  backend.Status
	Source  backend.ErrorSource
	Message string
}

// PostgreSQL error codes the plugin explains.
const (
	codeQueryCanceled      = "57014"
	codeInvalidPassword    = "28P01"
	codeInvalidAuthSpec    = "28000"
	codeUnknownDatabase    = "3D000"
	codeUndefinedTable     = "42P01"
	codeUndefinedColumn    = "42703"
	codeInsufficientRights = "42501"
	codeTooManyConnections = "53300"
	codeCannotConnectNow   = "57P03"
)

// MigrateCommand is how a store is brought to the schema this plugin reads,
// with the store tool of the plugin's release (see StoreToolSource).
const MigrateCommand = "chatbot-store migrate -database-url postgres://USER:PASSWORD@HOST:PORT/DATABASE"

// StoreToolSource says where the store tool and the schema as plain SQL are:
// a Grafana administrator has the plugin's archive, not its source.
const StoreToolSource = "chatbot-store for Linux, macOS and Windows, and the schema as plain SQL, are attached to each release at " +
	"https://github.com/chatbot-metrics/chatbot-metrics/releases"

// errClosed is what a pool answers once closed: Grafana disposed of the
// data source instance because its settings were saved.
var errClosed = puddle.ErrClosedPool

// StatusUnavailable answers a query that can simply be run again.
const StatusUnavailable = backend.Status(http.StatusServiceUnavailable)

// SettingsChangedMessage answers a query whose instance was disposed of
// while it waited: Grafana builds a new instance when the settings are saved
// and closes the old one's pool a few seconds later.
const SettingsChangedMessage = "the data source settings changed while this query waited: run it again"

// Classify explains err, which came from talking to the store described by s.
func Classify(err error, s models.Settings) Problem {
	where := fmt.Sprintf("%s:%d", s.Host, s.Port)
	downstream := func(status backend.Status, format string, args ...any) Problem {
		return Problem{Status: status, Source: backend.ErrorSourceDownstream, Message: fmt.Sprintf(format, args...)}
	}
	if errors.Is(err, errClosed) {
		return downstream(StatusUnavailable, "%s", SettingsChangedMessage)
	}
	var deadline *DeadlineError
	if errors.As(err, &deadline) {
		within := fmt.Sprintf("%s (the statement timeout %s plus %s)", Bound(s), s.StatementTimeoutDuration, DeadlineMargin)
		if deadline.Waiting {
			return downstream(backend.StatusTimeout,
				"no connection to PostgreSQL at %s within %s: the server is not answering, or all %d connections are busy with other queries; "+
					"check that the server is up, or raise max connections in the data source settings", where, within, s.MaxConns)
		}
		return downstream(backend.StatusTimeout,
			"PostgreSQL at %s did not answer within %s: check that the server is up and not overloaded, "+
				"narrow the time range, or raise the statement timeout in the data source settings", where, within)
	}
	if problem, ok := tlsProblem(err, s); ok {
		return problem
	}
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		switch pgErr.Code {
		case codeQueryCanceled:
			return downstream(backend.StatusTimeout,
				"the store did not answer within the statement timeout (%s): narrow the time range or raise the statement timeout in the data source settings",
				s.StatementTimeoutDuration)
		case codeInvalidPassword, codeInvalidAuthSpec:
			return downstream(backend.StatusBadGateway,
				"PostgreSQL at %s refused the login for user %q (%s): check the user and password in the data source settings", where, s.User, pgErr.Message)
		case codeUnknownDatabase:
			return downstream(backend.StatusBadGateway,
				"database %q does not exist on %s: check the database name in the data source settings", s.Database, where)
		case codeUndefinedTable, codeUndefinedColumn:
			return downstream(backend.StatusBadGateway,
				"the conversation store in database %q has no or an older schema (%s): migrate it with `%s`", s.Database, pgErr.Message, MigrateCommand)
		case codeInsufficientRights:
			return downstream(backend.StatusBadGateway,
				"user %q may not read the conversation store (%s): grant it SELECT on the store's tables", s.User, pgErr.Message)
		case codeTooManyConnections, codeCannotConnectNow:
			return downstream(backend.StatusBadGateway, "PostgreSQL at %s cannot take the connection now (%s): try again, or lower max connections", where, pgErr.Message)
		}
		return downstream(backend.StatusBadGateway, "PostgreSQL error %s: %s", pgErr.Code, pgErr.Message)
	}
	if errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled) {
		return downstream(backend.StatusTimeout, "the query was cancelled or timed out before the store answered: try again or narrow the time range")
	}
	var connectErr *pgconn.ConnectError
	var netErr net.Error
	if errors.As(err, &connectErr) || errors.As(err, &netErr) {
		return downstream(backend.StatusBadGateway,
			"cannot reach PostgreSQL at %s (%v): check the host and port, the TLS mode, and that the server accepts connections from Grafana", where, err)
	}
	return Problem{Status: backend.StatusInternal, Source: backend.ErrorSourcePlugin, Message: "unexpected error reading the store: " + err.Error()}
}
