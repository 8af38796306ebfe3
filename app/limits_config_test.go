package app

import (
	"net/netip"
	"strings"
	"testing"
)

// TestLimitSettingsAreReadAndCheckedM5: the limits of issue 10 (bodies,
// UI rate, trusted proxies, live streams) have defaults, are read from the
// environment, and an unreadable value stops the start.
func TestLimitSettingsAreReadAndCheckedM5(t *testing.T) {
	for _, c := range []struct{ name, value string }{
		{"MASSEFLYT_MAX_BODY", "a lot"},
		{"MASSEFLYT_MAX_UPLOAD", "-1"},
		{"MASSEFLYT_MAX_LOGO", "0"},
		{"MASSEFLYT_UI_RATE_LIMIT", "fast"},
		{"MASSEFLYT_TRUSTED_PROXIES", "10.0.0.0/8, the load balancer"},
		{"MASSEFLYT_MAX_LIVE_PER_CLIENT", "-2"},
		{"MASSEFLYT_MAX_LIVE_PER_TENANT", "many"},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Setenv(c.name, c.value)
			cfg := DefaultConfig()
			if err := cfg.Finish(); err == nil || !strings.Contains(err.Error(), c.name) {
				t.Errorf("%s=%q: err = %v, want it to name %s", c.name, c.value, err, c.name)
			}
		})
	}
	t.Run("defaults", func(t *testing.T) {
		cfg := DefaultConfig()
		if err := cfg.Finish(); err != nil {
			t.Fatal(err)
		}
		if cfg.MaxBody != 1<<20 || cfg.MaxUpload != 20<<20 || cfg.MaxLogo != 256<<10 {
			t.Errorf("body limits %d %d %d", cfg.MaxBody, cfg.MaxUpload, cfg.MaxLogo)
		}
		if cfg.UIRateLimit != 2*cfg.APIRateLimit || cfg.MaxLivePerClient != 10 || cfg.MaxLivePerTenant != 2000 {
			t.Errorf("ui rate %d, live %d/%d", cfg.UIRateLimit, cfg.MaxLivePerClient, cfg.MaxLivePerTenant)
		}
		if cfg.TrustProxy || len(cfg.TrustedProxies) != 0 {
			t.Errorf("proxies trusted by default: %v", cfg.TrustedProxies)
		}
	})
	t.Run("values", func(t *testing.T) {
		t.Setenv("MASSEFLYT_MAX_BODY", "512KB")
		t.Setenv("MASSEFLYT_MAX_UPLOAD", "10 MB")
		t.Setenv("MASSEFLYT_UI_RATE_LIMIT", "0")
		t.Setenv("MASSEFLYT_TRUSTED_PROXIES", "10.0.0.0/8, 192.0.2.7")
		cfg := DefaultConfig()
		if err := cfg.Finish(); err != nil {
			t.Fatal(err)
		}
		if cfg.MaxBody != 512<<10 || cfg.MaxUpload != 10<<20 || cfg.UIRateLimit != 0 {
			t.Errorf("%d %d %d", cfg.MaxBody, cfg.MaxUpload, cfg.UIRateLimit)
		}
		want := []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8"), netip.MustParsePrefix("192.0.2.7/32")}
		if !cfg.TrustProxy || len(cfg.TrustedProxies) != 2 || cfg.TrustedProxies[0] != want[0] || cfg.TrustedProxies[1] != want[1] {
			t.Errorf("trusted %v (trust %v)", cfg.TrustedProxies, cfg.TrustProxy)
		}
	})
	t.Run("trust proxy without a list trusts private networks", func(t *testing.T) {
		t.Setenv("MASSEFLYT_TRUST_PROXY", "true")
		cfg := DefaultConfig()
		if err := cfg.Finish(); err != nil {
			t.Fatal(err)
		}
		if len(cfg.TrustedProxies) == 0 || !cfg.TrustedProxies[0].Contains(netip.MustParseAddr("127.0.0.1")) {
			t.Errorf("trusted %v", cfg.TrustedProxies)
		}
	})
}
