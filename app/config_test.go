package app

import (
	"strings"
	"testing"
)

// TestConfigRefusesInvalidValues: a value that cannot be read stops the
// start with a message naming the variable, instead of being ignored.
func TestConfigRefusesInvalidValues(t *testing.T) {
	for _, c := range []struct{ name, value, want string }{
		{"MASSEFLYT_API_RATE_LIMIT", "lots", "MASSEFLYT_API_RATE_LIMIT"},
		{"MASSEFLYT_LOGIN_RATE_LIMIT", "-5", "MASSEFLYT_LOGIN_RATE_LIMIT"},
		{"MASSEFLYT_MAX_LIVE_CLIENTS", "1e4", "MASSEFLYT_MAX_LIVE_CLIENTS"},
		{"MASSEFLYT_MAX_LOCATION_CHANGES", "-1", "MASSEFLYT_MAX_LOCATION_CHANGES"},
		{"MASSEFLYT_TRUST_PROXY", "yes please", "MASSEFLYT_TRUST_PROXY"},
		{"MASSEFLYT_LOG_LEVEL", "loud", "MASSEFLYT_LOG_LEVEL"},
		{"MASSEFLYT_ENV", "staging", "MASSEFLYT_ENV"},
		{"MASSEFLYT_NOW", "next tuesday", "MASSEFLYT_NOW"},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Setenv(c.name, c.value)
			cfg := DefaultConfig()
			err := cfg.Finish()
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Errorf("%s=%q: err = %v, want it to name %s", c.name, c.value, err, c.want)
			}
		})
	}
	t.Run("valid", func(t *testing.T) {
		t.Setenv("MASSEFLYT_API_RATE_LIMIT", "0")
		t.Setenv("MASSEFLYT_TRUST_PROXY", "true")
		t.Setenv("MASSEFLYT_LOG_LEVEL", "error")
		cfg := DefaultConfig()
		if err := cfg.Finish(); err != nil || cfg.APIRateLimit != 0 || !cfg.TrustProxy || cfg.Clock == nil {
			t.Errorf("valid settings refused or misread: %v %+v", err, cfg)
		}
	})
}

func TestSetting(t *testing.T) {
	t.Setenv("MASSEFLYT_X_URL", "https://env.example")
	cfg := Config{Settings: map[string]string{"MASSEFLYT_Y_URL": "https://override.example"}}
	if got := cfg.Setting("MASSEFLYT_X_URL", "d"); got != "https://env.example" {
		t.Errorf("from the environment: %q", got)
	}
	if got := cfg.Setting("MASSEFLYT_Y_URL", "d"); got != "https://override.example" {
		t.Errorf("from Settings: %q", got)
	}
	if got := cfg.Setting("MASSEFLYT_Z_URL", "d"); got != "d" {
		t.Errorf("default: %q", got)
	}
	for _, bad := range []string{"", "ftp://x.no", "example.no/api", "https://"} {
		if err := CheckURL("MASSEFLYT_Z_URL", bad); err == nil || !strings.Contains(err.Error(), "MASSEFLYT_Z_URL") {
			t.Errorf("CheckURL(%q) = %v", bad, err)
		}
	}
	if err := CheckURL("MASSEFLYT_Z_URL", "http://127.0.0.1:5000"); err != nil {
		t.Error(err)
	}
}

// TestDemoRefusedInProduction: fictional companies and demo logins never
// reach a production region (issue 10).
func TestDemoRefusedInProduction(t *testing.T) {
	cfg := DefaultConfig()
	cfg.Env, cfg.Secret, cfg.Demo = "production", strings.Repeat("s", 32), true
	if err := cfg.Finish(); err == nil || !strings.Contains(err.Error(), "--demo") {
		t.Fatalf("production with --demo: %v", err)
	}
	cfg = DefaultConfig()
	cfg.Demo = true
	if err := cfg.Finish(); err != nil {
		t.Fatalf("development with --demo: %v", err)
	}
}
