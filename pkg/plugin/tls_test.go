package plugin

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"math/big"
	"net"
	"os"
	"testing"
	"time"

	"github.com/grafana/grafana-plugin-sdk-go/backend"
	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/require"

	"github.com/chatbot-metrics/chatbot-metrics/pkg/store"
	"github.com/chatbot-metrics/chatbot-metrics/pkg/store/localpg"
)

// testCA is a throwaway certificate authority.
type testCA struct {
	cert *x509.Certificate
	key  *ecdsa.PrivateKey
	pem  string
}

var serialNumber = big.NewInt(1)

func newTestCA(t *testing.T, name string) testCA {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	require.NoError(t, err)
	serialNumber.Add(serialNumber, big.NewInt(1))
	template := &x509.Certificate{SerialNumber: new(big.Int).Set(serialNumber), Subject: pkix.Name{CommonName: name},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign | x509.KeyUsageDigitalSignature}
	der, err := x509.CreateCertificate(rand.Reader, template, template, &key.PublicKey, key)
	require.NoError(t, err)
	cert, err := x509.ParseCertificate(der)
	require.NoError(t, err)
	return testCA{cert: cert, key: key, pem: string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}))}
}

// issue signs a certificate for commonName and hosts (DNS names or IP
// addresses), for a server or a client, and returns it and its key in PEM.
func (ca testCA) issue(t *testing.T, commonName string, usage x509.ExtKeyUsage, hosts ...string) (certPEM, keyPEM string) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	require.NoError(t, err)
	serialNumber.Add(serialNumber, big.NewInt(1))
	template := &x509.Certificate{SerialNumber: new(big.Int).Set(serialNumber), Subject: pkix.Name{CommonName: commonName},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{usage}}
	for _, host := range hosts {
		if ip := net.ParseIP(host); ip != nil {
			template.IPAddresses = append(template.IPAddresses, ip)
		} else {
			template.DNSNames = append(template.DNSNames, host)
		}
	}
	der, err := x509.CreateCertificate(rand.Reader, template, ca.cert, &key.PublicKey, ca.key)
	require.NoError(t, err)
	keyDER, err := x509.MarshalPKCS8PrivateKey(key)
	require.NoError(t, err)
	return string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})),
		string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: keyDER}))
}

// certUser may only log in with a client certificate whose common name is its name.
const certUser = "grafana_cert"

// tlsServer starts a PostgreSQL server of its own that accepts only TLS
// connections, with a certificate from ca for host name "localhost" only (not
// for 127.0.0.1), and requires certUser to show a client certificate from ca.
// It holds the usage fixture in database "chatbot".
func tlsServer(t *testing.T, ca testCA) int {
	t.Helper()
	ctx := context.Background()
	serverCert, serverKey := ca.issue(t, "localhost", x509.ExtKeyUsageServerAuth, "localhost")
	dir, err := os.MkdirTemp("", "chatbot-metrics-tls-")
	require.NoError(t, err)
	t.Cleanup(func() { _ = os.RemoveAll(dir) }) // also when the server did not start
	server, err := localpg.StartWith(ctx, dir, localpg.Options{
		Settings: map[string]string{"ssl": "on", "ssl_cert_file": "server.crt", "ssl_key_file": "server.key", "ssl_ca_file": "ca.crt"},
		Files:    map[string][]byte{"server.crt": []byte(serverCert), "server.key": []byte(serverKey), "ca.crt": []byte(ca.pem)},
		HBA: "hostssl all " + certUser + " 127.0.0.1/32 trust clientcert=verify-full\n" +
			"hostssl all all 127.0.0.1/32 trust\n",
	})
	require.NoError(t, err)
	t.Cleanup(func() { _ = server.Remove(context.Background()) })

	admin := func(database string) *pgx.Conn {
		conn, err := pgx.Connect(ctx, fmt.Sprintf("postgres://%s@127.0.0.1:%d/%s?sslmode=require", localpg.Superuser, server.Port, database))
		require.NoError(t, err)
		return conn
	}
	conn := admin("postgres")
	_, err = conn.Exec(ctx, "CREATE DATABASE chatbot")
	require.NoError(t, err)
	_, err = conn.Exec(ctx, "CREATE ROLE "+certUser+" LOGIN IN ROLE pg_read_all_data")
	require.NoError(t, err)
	require.NoError(t, conn.Close(ctx))

	conn = admin("chatbot")
	defer func() { _ = conn.Close(ctx) }()
	_, err = store.Migrate(ctx, conn)
	require.NoError(t, err)
	fixture, err := os.ReadFile("testdata/usage_fixture.sql")
	require.NoError(t, err)
	_, err = conn.Exec(ctx, string(fixture))
	require.NoError(t, err)
	return server.Port
}

// tlsSettings are data source settings for the TLS server.
func tlsSettings(t *testing.T, host string, port int, user, mode string, secure map[string]string) backend.DataSourceInstanceSettings {
	t.Helper()
	jsonData, err := json.Marshal(map[string]any{"host": host, "port": port, "database": "chatbot", "user": user,
		"tlsMode": mode, "workspace": "acme", "statementTimeout": "20s"})
	require.NoError(t, err)
	return backend.DataSourceInstanceSettings{UID: "chatbot-tls", JSONData: jsonData, DecryptedSecureJSONData: secure}
}

// TestTLSModesAgainstAServerThatRequiresTLS runs every TLS mode through the
// plugin, health check and query, against a real server with a certificate
// from a throwaway CA.
func TestTLSModesAgainstAServerThatRequiresTLS(t *testing.T) {
	ca := newTestCA(t, "chatbot test CA")
	port := tlsServer(t, ca)
	wrongCA := newTestCA(t, "some other CA")
	const query = `{"metric":"active_users","interval":"month"}`
	const jan, feb = "2022-01-01T00:00:00Z", "2022-02-01T00:00:00Z"
	where := fmt.Sprintf(":%d", port)

	accepted := func(t *testing.T, settings backend.DataSourceInstanceSettings) {
		t.Helper()
		result := checkHealth(t, settings)
		require.Equal(t, backend.HealthStatusOk, result.Status, result.Message)
		instance, err := NewDatasource(context.Background(), settings)
		require.NoError(t, err)
		ds := instance.(*Datasource)
		defer ds.Dispose()
		all, _ := series(t, ask(t, ds, query, jan, feb))
		require.Equal(t, map[string][]float64{"Active users": {445}}, all)
	}
	refused := func(t *testing.T, settings backend.DataSourceInstanceSettings, message string) {
		t.Helper()
		result := checkHealth(t, settings)
		require.Equal(t, backend.HealthStatusError, result.Status)
		require.Equal(t, message, result.Message)
		instance, err := NewDatasource(context.Background(), settings)
		require.NoError(t, err)
		ds := instance.(*Datasource)
		defer ds.Dispose()
		response := queryOnce(t, ds, query, jan, feb)
		require.Error(t, response.Error)
		require.Equal(t, message, response.Error.Error())
		require.Equal(t, backend.StatusBadGateway, response.Status)
		require.Equal(t, backend.ErrorSourceDownstream, response.ErrorSource)
	}
	rightCA := map[string]string{"tlsCACert": ca.pem}

	t.Run("verify-full with the right CA and host name", func(t *testing.T) {
		accepted(t, tlsSettings(t, "localhost", port, localpg.Superuser, "verify-full", rightCA))
	})
	t.Run("verify-full with a CA that did not sign the server's certificate", func(t *testing.T) {
		refused(t, tlsSettings(t, "localhost", port, localpg.Superuser, "verify-full", map[string]string{"tlsCACert": wrongCA.pem}),
			"PostgreSQL at localhost"+where+` presented a TLS certificate signed by an unknown authority (issuer "CN=chatbot test CA"): `+
				"check the CA certificate setting: it must be the CA that signed the server's certificate")
	})
	t.Run("verify-ca with a CA that did not sign the server's certificate", func(t *testing.T) {
		refused(t, tlsSettings(t, "localhost", port, localpg.Superuser, "verify-ca", map[string]string{"tlsCACert": wrongCA.pem}),
			"PostgreSQL at localhost"+where+` presented a TLS certificate signed by an unknown authority (issuer "CN=chatbot test CA"): `+
				"check the CA certificate setting: it must be the CA that signed the server's certificate")
	})
	t.Run("verify-full with a host the certificate is not for", func(t *testing.T) {
		refused(t, tlsSettings(t, "127.0.0.1", port, localpg.Superuser, "verify-full", rightCA),
			"the TLS certificate of PostgreSQL at 127.0.0.1"+where+` is not for host "127.0.0.1" (it is for localhost): `+
				"check the host setting, or use TLS mode verify-ca, which checks the CA but not the host name")
	})
	t.Run("verify-ca accepts a host the certificate is not for", func(t *testing.T) {
		accepted(t, tlsSettings(t, "127.0.0.1", port, localpg.Superuser, "verify-ca", rightCA))
	})
	t.Run("require encrypts without verifying", func(t *testing.T) {
		accepted(t, tlsSettings(t, "127.0.0.1", port, localpg.Superuser, "require", nil))
	})
	t.Run("disable against a server that requires TLS", func(t *testing.T) {
		refused(t, tlsSettings(t, "127.0.0.1", port, localpg.Superuser, "disable", nil),
			"PostgreSQL at 127.0.0.1"+where+` refused a connection without TLS (no pg_hba.conf entry for host "127.0.0.1", user "postgres", database "chatbot", no encryption): `+
				"the server requires TLS from this address: set the TLS mode to verify-full (or verify-ca, or require)")
	})

	clientCert, clientKey := ca.issue(t, certUser, x509.ExtKeyUsageClientAuth)
	t.Run("a client certificate from the server's CA", func(t *testing.T) {
		accepted(t, tlsSettings(t, "localhost", port, certUser, "verify-full",
			map[string]string{"tlsCACert": ca.pem, "tlsClientCert": clientCert, "tlsClientKey": clientKey}))
	})
	t.Run("no client certificate where the server requires one", func(t *testing.T) {
		refused(t, tlsSettings(t, "localhost", port, certUser, "verify-full", rightCA),
			"PostgreSQL at localhost"+where+` refused the login for user "grafana_cert" (connection requires a valid client certificate): `+
				"the server requires a TLS client certificate: set the client certificate and key in the data source settings, signed by a CA the server trusts, with the user name as its common name")
	})
	t.Run("a client certificate for another user", func(t *testing.T) {
		otherCert, otherKey := ca.issue(t, "someone_else", x509.ExtKeyUsageClientAuth)
		refused(t, tlsSettings(t, "localhost", port, certUser, "verify-full",
			map[string]string{"tlsCACert": ca.pem, "tlsClientCert": otherCert, "tlsClientKey": otherKey}),
			"PostgreSQL at localhost"+where+` refused the login for user "grafana_cert" ("trust" authentication failed for user "grafana_cert"): `+
				"the server requires a TLS client certificate: set the client certificate and key in the data source settings, signed by a CA the server trusts, with the user name as its common name")
	})
	t.Run("a client certificate from a CA the server does not trust", func(t *testing.T) {
		strangerCert, strangerKey := wrongCA.issue(t, certUser, x509.ExtKeyUsageClientAuth)
		refused(t, tlsSettings(t, "localhost", port, certUser, "verify-full",
			map[string]string{"tlsCACert": ca.pem, "tlsClientCert": strangerCert, "tlsClientKey": strangerKey}),
			"PostgreSQL at localhost"+where+` refused the login for user "grafana_cert" (connection requires a valid client certificate): `+
				"the server requires a TLS client certificate: set the client certificate and key in the data source settings, signed by a CA the server trusts, with the user name as its common name")
	})
}

// TestTLSRequiredOfAServerWithoutTLS: the tests' shared server has ssl off.
func TestTLSRequiredOfAServerWithoutTLS(t *testing.T) {
	settings := instanceSettings(t, fixtureURL(t, "usage_fixture"), "acme")
	var jsonData map[string]any
	require.NoError(t, json.Unmarshal(settings.JSONData, &jsonData))
	jsonData["tlsMode"] = "require"
	raw, err := json.Marshal(jsonData)
	require.NoError(t, err)
	settings.JSONData = raw
	result := checkHealth(t, settings)
	require.Equal(t, backend.HealthStatusError, result.Status)
	require.Equal(t, fmt.Sprintf("PostgreSQL at %s:%v does not accept TLS connections (ssl is off on the server): "+
		"turn ssl on in the server's configuration, or set the TLS mode to disable on a network you trust", jsonData["host"], jsonData["port"]), result.Message)
}
