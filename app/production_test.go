package app_test

import (
	"strings"
	"testing"

	"github.com/masseflyt/masseflyt/app"
	"github.com/masseflyt/masseflyt/internal/apitest"
	"github.com/masseflyt/masseflyt/server"
)

// TestDevIdentityRefusesProduction: the demo login cannot run in production.
func TestDevIdentityRefusesProduction(t *testing.T) {
	cfg := apitest.Config()
	cfg.DataDir = t.TempDir()
	cfg.Env = "production"
	cfg.Identity = "identity.dev"
	_, err := server.New(cfg, app.Options{})
	if err == nil || !strings.Contains(err.Error(), "refuses") {
		t.Fatalf("identity.dev in production: %v", err)
	}
}

// TestProductionSecretLength: production refuses a MASSEFLYT_SECRET shorter
// than 32 characters, and starts with one of 32 or more. Everything else in
// the configuration is valid for production, so the secret alone decides.
func TestProductionSecretLength(t *testing.T) {
	prod := func() app.Config {
		cfg := apitest.Config()
		cfg.DataDir = t.TempDir()
		cfg.Env = "production"
		cfg.Identity = "identity.kratos"
		cfg.Settings = map[string]string{"MASSEFLYT_KRATOS_URL": apitest.KratosFake(t).URL}
		cfg.Now = "" // production refuses MASSEFLYT_NOW; the harness clock is injected as cfg.Clock
		return cfg
	}
	for _, secret := range []string{"short", strings.Repeat("s", 31)} {
		cfg := prod()
		cfg.Secret = secret
		a, err := server.New(cfg, app.Options{})
		if err == nil {
			_ = a.Close()
			t.Fatalf("production accepted a %d-character secret", len(secret))
		}
		if !strings.Contains(err.Error(), "MASSEFLYT_SECRET") || !strings.Contains(err.Error(), "32") {
			t.Fatalf("production with a %d-character secret: err = %v, want the 32-character minimum of MASSEFLYT_SECRET", len(secret), err)
		}
	}
	for _, secret := range []string{strings.Repeat("s", 32), strings.Repeat("s", 64)} {
		cfg := prod()
		cfg.Secret = secret
		a, err := server.New(cfg, app.Options{})
		if err != nil {
			t.Fatalf("production refused a %d-character secret: %v", len(secret), err)
		}
		_ = a.Close()
	}
	// No secret at all is refused too (development makes up a random one).
	cfg := prod()
	cfg.Secret = ""
	if _, err := server.New(cfg, app.Options{}); err == nil || !strings.Contains(err.Error(), "MASSEFLYT_SECRET is required") {
		t.Fatalf("production without a secret: err = %v, want MASSEFLYT_SECRET is required", err)
	}
}
