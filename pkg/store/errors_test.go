package store

import (
	"context"
	"crypto/x509"
	"errors"
	"fmt"
	"testing"

	"github.com/grafana/grafana-plugin-sdk-go/backend"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/puddle/v2"
	"github.com/stretchr/testify/require"
)

func TestClassify(t *testing.T) {
	s := settings("disable")
	cases := []struct {
		name    string
		err     error
		status  backend.Status
		source  backend.ErrorSource
		message string
	}{
		{"statement timeout", &pgconn.PgError{Code: "57014", Message: "canceling statement due to statement timeout"},
			backend.StatusTimeout, backend.ErrorSourceDownstream,
			"the store did not answer within the statement timeout (45s): narrow the time range or raise the statement timeout in the data source settings"},
		{"wrong password", fmt.Errorf("connect: %w", &pgconn.PgError{Code: "28P01", Message: `password authentication failed for user "grafana"`}),
			backend.StatusBadGateway, backend.ErrorSourceDownstream,
			`PostgreSQL at db.example:6432 refused the login for user "grafana" (password authentication failed for user "grafana"): check the user and password in the data source settings`},
		{"unknown database", &pgconn.PgError{Code: "3D000", Message: `database "chat" does not exist`},
			backend.StatusBadGateway, backend.ErrorSourceDownstream,
			`database "chat" does not exist on db.example:6432: check the database name in the data source settings`},
		{"schema missing", &pgconn.PgError{Code: "42P01", Message: `relation "messages" does not exist`},
			backend.StatusBadGateway, backend.ErrorSourceDownstream,
			`the conversation store in database "chat" has no or an older schema (relation "messages" does not exist): migrate it with ` + "`" + MigrateCommand + "`"},
		{"no privilege", &pgconn.PgError{Code: "42501", Message: "permission denied for table messages"},
			backend.StatusBadGateway, backend.ErrorSourceDownstream,
			`user "grafana" may not read the conversation store (permission denied for table messages): grant it SELECT on the store's tables`},
		{"other PostgreSQL error", &pgconn.PgError{Code: "XX000", Message: "internal error"},
			backend.StatusBadGateway, backend.ErrorSourceDownstream, "PostgreSQL error XX000: internal error"},
		{"expired server certificate", fmt.Errorf("tls: %w", x509.CertificateInvalidError{Reason: x509.Expired, Detail: "current time is after 2026-01-01T00:00:00Z"}),
			backend.StatusBadGateway, backend.ErrorSourceDownstream,
			"PostgreSQL at db.example:6432 presented a TLS certificate that is not valid (x509: certificate has expired or is not yet valid: current time is after 2026-01-01T00:00:00Z): " +
				"check the server's certificate (its dates, and Grafana's clock) and the CA certificate setting"},
		{"cancelled", context.Canceled, backend.StatusTimeout, backend.ErrorSourceDownstream,
			"the query was cancelled or timed out before the store answered: try again or narrow the time range"},
		{"closed pool: the instance was disposed", fmt.Errorf("acquire: %w", puddle.ErrClosedPool),
			StatusUnavailable, backend.ErrorSourceDownstream, SettingsChangedMessage},
		{"plugin deadline, waiting for a connection", &DeadlineError{Waiting: true, Err: context.DeadlineExceeded},
			backend.StatusTimeout, backend.ErrorSourceDownstream,
			"no connection to PostgreSQL at db.example:6432 within 47s (the statement timeout 45s plus 2s): the server is not answering, or all 7 connections are busy with other queries; " +
				"check that the server is up, or raise max connections in the data source settings"},
		{"plugin deadline, waiting for the store", &DeadlineError{Err: context.DeadlineExceeded},
			backend.StatusTimeout, backend.ErrorSourceDownstream,
			"PostgreSQL at db.example:6432 did not answer within 47s (the statement timeout 45s plus 2s): check that the server is up and not overloaded, " +
				"narrow the time range, or raise the statement timeout in the data source settings"},
		{"plugin bug", errors.New("scan: cannot assign"), backend.StatusInternal, backend.ErrorSourcePlugin,
			"unexpected error reading the store: scan: cannot assign"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			problem := Classify(c.err, s)
			require.Equal(t, c.status, problem.Status)
			require.Equal(t, c.source, problem.Source)
			require.Equal(t, c.message, problem.Message)
		})
	}
}
