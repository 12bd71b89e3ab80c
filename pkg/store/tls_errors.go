package store

import (
	"crypto/x509"
	"errors"
	"fmt"
	"strings"

	"github.com/grafana/grafana-plugin-sdk-go/backend"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/chatbot-metrics/chatbot-metrics/pkg/models"
)

// pgconn's text when the server answers the TLS request with "no"; it has no
// error type of its own.
const serverRefusedTLS = "server refused TLS connection"

// tlsProblem explains an error of setting up TLS with the store, naming the
// setting to change; ok is false for any other error. Without it these show
// as "cannot reach PostgreSQL", which sends the user to the host and port.
func tlsProblem(err error, s models.Settings) (problem Problem, ok bool) {
	where := fmt.Sprintf("%s:%d", s.Host, s.Port)
	explain := func(format string, args ...any) (Problem, bool) {
		return Problem{Status: backend.StatusBadGateway, Source: backend.ErrorSourceDownstream, Message: fmt.Sprintf(format, args...)}, true
	}
	var unknownAuthority x509.UnknownAuthorityError
	var wrongHost x509.HostnameError
	var invalid x509.CertificateInvalidError
	var pgErr *pgconn.PgError
	switch {
	case errors.As(err, &unknownAuthority):
		issuer := "unknown issuer"
		if unknownAuthority.Cert != nil {
			issuer = fmt.Sprintf("issuer %q", unknownAuthority.Cert.Issuer.String())
		}
		return explain("PostgreSQL at %s presented a TLS certificate signed by an unknown authority (%s): "+
			"check the CA certificate setting: it must be the CA that signed the server's certificate", where, issuer)
	case errors.As(err, &wrongHost):
		return explain("the TLS certificate of PostgreSQL at %s is not for host %q (it is for %s): "+
			"check the host setting, or use TLS mode verify-ca, which checks the CA but not the host name", where, s.Host, certificateNames(wrongHost.Certificate))
	case errors.As(err, &invalid):
		return explain("PostgreSQL at %s presented a TLS certificate that is not valid (%v): "+
			"check the server's certificate (its dates, and Grafana's clock) and the CA certificate setting", where, invalid)
	case strings.Contains(err.Error(), serverRefusedTLS):
		return explain("PostgreSQL at %s does not accept TLS connections (ssl is off on the server): "+
			"turn ssl on in the server's configuration, or set the TLS mode to disable on a network you trust", where)
	case errors.As(err, &pgErr) && pgErr.Code == codeInvalidAuthSpec:
		switch {
		case s.TLSMode == models.TLSDisable && strings.Contains(pgErr.Message, "no pg_hba.conf entry"):
			return explain("PostgreSQL at %s refused a connection without TLS (%s): the server requires TLS from this address: "+
				"set the TLS mode to verify-full (or verify-ca, or require)", where, pgErr.Message)
		// "trust" fails only when pg_hba.conf's clientcert=verify-full finds
		// that the certificate's common name is not the user name.
		case strings.Contains(pgErr.Message, "certificate") || strings.Contains(pgErr.Message, `"trust" authentication failed`):
			return explain("PostgreSQL at %s refused the login for user %q (%s): the server requires a TLS client certificate: "+
				"set the client certificate and key in the data source settings, signed by a CA the server trusts, with the user name as its common name", where, s.User, pgErr.Message)
		}
	}
	return Problem{}, false
}

// certificateNames lists the host names and addresses a certificate is for.
func certificateNames(cert *x509.Certificate) string {
	if cert == nil {
		return "no name"
	}
	names := append([]string{}, cert.DNSNames...)
	for _, ip := range cert.IPAddresses {
		names = append(names, ip.String())
	}
	if len(names) == 0 && cert.Subject.CommonName != "" {
		names = append(names, cert.Subject.CommonName)
	}
	if len(names) == 0 {
		return "no name"
	}
	return strings.Join(names, ", ")
}
