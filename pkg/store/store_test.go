package store

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/chatbot-metrics/chatbot-metrics/pkg/models"
)

func settings(mode string) models.Settings {
	return models.Settings{Host: "db.example", Port: 6432, Database: "chat", User: "grafana", Password: "p@ss:w/rd",
		TLSMode: mode, MaxConns: 7, StatementTimeoutDuration: 45 * time.Second, ConnMaxLifetime: 600}
}

func selfSignedCA(t *testing.T) string {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	require.NoError(t, err)
	template := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "test CA"},
		NotBefore: time.Now(), NotAfter: time.Now().Add(time.Hour), IsCA: true, BasicConstraintsValid: true}
	der, err := x509.CreateCertificate(rand.Reader, template, template, &key.PublicKey, key)
	require.NoError(t, err)
	return string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}))
}

func TestPoolConfigSessionsAreReadOnlyAndBounded(t *testing.T) {
	config, err := PoolConfig(settings(models.TLSDisable))
	require.NoError(t, err)
	require.Equal(t, "db.example", config.ConnConfig.Host)
	require.EqualValues(t, 6432, config.ConnConfig.Port)
	require.Equal(t, "p@ss:w/rd", config.ConnConfig.Password, "special characters survive the URL")
	require.EqualValues(t, 7, config.MaxConns)
	require.Equal(t, 10*time.Minute, config.MaxConnLifetime)
	require.Equal(t, 10*time.Minute, config.MaxConnIdleTime, "idle connections are kept for their lifetime too")
	require.Equal(t, "on", config.ConnConfig.RuntimeParams["default_transaction_read_only"])
	require.Equal(t, "45000", config.ConnConfig.RuntimeParams["statement_timeout"])
	require.Equal(t, "force_custom_plan", config.ConnConfig.RuntimeParams["plan_cache_mode"])
	require.Equal(t, "off", config.ConnConfig.RuntimeParams["jit"])
	require.Equal(t, ParallelSetupCost, config.ConnConfig.RuntimeParams["parallel_setup_cost"])
	require.NotNil(t, config.AfterConnect, "each session prices index probes (see TestSessionsPriceProbesUnlessTheServerChose)")
	require.Equal(t, ApplicationName, config.ConnConfig.RuntimeParams["application_name"])
	require.Nil(t, config.ConnConfig.TLSConfig)
}

func TestPoolConfigTLSModes(t *testing.T) {
	require := require.New(t)

	required, err := PoolConfig(settings(models.TLSRequire))
	require.NoError(err)
	require.NotNil(required.ConnConfig.TLSConfig)
	require.True(required.ConnConfig.TLSConfig.InsecureSkipVerify, "require encrypts without verifying")
	require.Empty(required.ConnConfig.Fallbacks, "no silent fallback to plain text")

	full := settings(models.TLSVerifyFull)
	full.TLSCACert = selfSignedCA(t)
	verified, err := PoolConfig(full)
	require.NoError(err)
	require.False(verified.ConnConfig.TLSConfig.InsecureSkipVerify)
	require.Equal("db.example", verified.ConnConfig.TLSConfig.ServerName)
	require.NotNil(verified.ConnConfig.TLSConfig.RootCAs)

	ca := settings(models.TLSVerifyCA)
	ca.TLSCACert = full.TLSCACert
	chainOnly, err := PoolConfig(ca)
	require.NoError(err)
	require.NotNil(chainOnly.ConnConfig.TLSConfig.VerifyPeerCertificate, "verify-ca checks the chain itself")

	broken := settings(models.TLSVerifyFull)
	broken.TLSCACert = "not a certificate"
	_, err = PoolConfig(broken)
	require.EqualError(err, "the TLS CA certificate is not valid PEM: paste the whole -----BEGIN CERTIFICATE----- block")
}
