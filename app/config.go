// Package app is the kernel: configuration, database, plugins, services,
// the Fiber server and its lifecycle.
package app

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net/netip"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/masseflyt/masseflyt/core/clock"
	"github.com/masseflyt/masseflyt/core/market"
)

// Config is the deployment's configuration, from environment variables
// (MASSEFLYT_*) overridden by command-line flags.
type Config struct {
	Addr               string // MASSEFLYT_ADDR, default :8080
	DataDir            string // MASSEFLYT_DATA_DIR, default ./data (SQLite file and uploads)
	DatabaseURL        string // MASSEFLYT_DATABASE_URL: Postgres when set, as the non-owner app role
	MigrateDatabaseURL string // MASSEFLYT_MIGRATE_DATABASE_URL: owner connection for migrations (default DatabaseURL)
	DBAppRole          string // MASSEFLYT_DB_APP_ROLE: role granted DML by migrations
	Env                string // MASSEFLYT_ENV: development or production
	BaseDomain         string // MASSEFLYT_BASE_DOMAIN: tenants answer on {slug}.{base domain}
	PublicURL          string // MASSEFLYT_PUBLIC_URL: how users reach the platform (links in mails, redirects)
	Secret             string // MASSEFLYT_SECRET: signs cookies; random per start in development
	Identity           string // MASSEFLYT_IDENTITY: identity.dev or identity.kratos
	Bizreg             string // MASSEFLYT_BIZREG: bizreg.fake (offline) or bizreg.brreg
	Geocoder           string // MASSEFLYT_GEOCODER: geocoder.fake (offline) or geocoder.kartverket
	Mail               string // MASSEFLYT_MAIL: mail.log (writes to the log, sends nothing) or mail.smtp (MASSEFLYT_SMTP_*)
	Storage            string // MASSEFLYT_STORAGE: storage.localfs (files under the data dir)
	Routing            string // MASSEFLYT_ROUTING: routing.haversine (offline) or routing.osrm
	// Settings override the environment for plugin settings (tests); each
	// plugin reads and validates its own (Setting).
	Settings   map[string]string
	TrustProxy bool // MASSEFLYT_TRUST_PROXY: honour X-Forwarded-Proto/For from a trusted proxy
	// TrustedProxies are the proxies (MASSEFLYT_TRUSTED_PROXIES: IPs or
	// CIDRs, comma-separated) whose X-Forwarded-For and X-Forwarded-Proto
	// are believed; setting it implies TrustProxy. With TrustProxy and no
	// list, loopback and private networks are trusted.
	TrustedProxies []netip.Prefix
	APIRateLimit   int // MASSEFLYT_API_RATE_LIMIT: API requests per minute per client (0 = off)
	// UIRateLimit is MASSEFLYT_UI_RATE_LIMIT: UI requests (/t/…) per
	// minute per client address; unset, twice the API's (0 = off).
	UIRateLimit    int
	LoginRateLimit int // MASSEFLYT_LOGIN_RATE_LIMIT: login attempts per minute per client
	MaxLiveClients int // MASSEFLYT_MAX_LIVE_CLIENTS: open live-view streams per instance (default 10 000)
	// MaxLivePerClient and MaxLivePerTenant bound live-view streams per
	// client address (MASSEFLYT_MAX_LIVE_PER_CLIENT, default 10: a further
	// stream replaces the address's oldest) and per region
	// (MASSEFLYT_MAX_LIVE_PER_TENANT, default 2 000: beyond it 503); 0 = no cap.
	MaxLivePerClient int
	MaxLivePerTenant int
	// MaxLocationChanges is how often a day a listing's point may be moved
	// (and the listing re-matched): MASSEFLYT_MAX_LOCATION_CHANGES, default
	// 3; 0 means no limit (issue 10, M2).
	MaxLocationChanges int
	// Fair bounds what one client holds at once (app/fair.go; issue 10):
	// MASSEFLYT_MAX_CONNS_PER_ADDR, MASSEFLYT_MAX_INFLIGHT_PER_CLIENT,
	// MASSEFLYT_MAX_INFLIGHT_PER_ADDR, MASSEFLYT_MAX_INFLIGHT_ANONYMOUS,
	// MASSEFLYT_MAX_IMPORTS_PER_CLIENT, MASSEFLYT_MAX_RUNNING; 0 turns one off.
	Fair FairLimits
	// Request body limits in bytes (a number with an optional KB, MB
	// suffix): MASSEFLYT_MAX_BODY for every route (default 1 MB),
	// MASSEFLYT_MAX_UPLOAD for document and lab-file uploads (20 MB),
	// MASSEFLYT_MAX_LOGO for a region's logo (256 KB).
	MaxBody      int64
	MaxUpload    int64
	MaxLogo      int64
	PolicyReload time.Duration
	Demo         bool // serve --demo: seed demo data on start
	LogLevel     string
	// Now is MASSEFLYT_NOW: a date or RFC 3339 time that moves the clock in
	// development ("the region as of 2028"); refused in production.
	Now string
	// Clock is the one clock of the domain; Finish derives it from Now when
	// it is nil (tests inject their own).
	Clock clock.Clock
	// NoBackground stops the instance's own timers: the digest ticker, the
	// blob sweep and the billing drain. The test harness sets it, so that
	// no job wakes on the machine's clock in the middle of a test that
	// checks the state did not change; tests run those jobs themselves.
	NoBackground bool

	invalid []error // values in the environment that could not be read

	// Lab imports (H2; docs/operations.md, Limits): the file
	// (MASSEFLYT_LAB_MAX_FILE, default 4 MB), what an XLSX unpacks to
	// (MASSEFLYT_LAB_MAX_UNPACKED, 32 MB), cells per row
	// (MASSEFLYT_LAB_MAX_COLUMNS, 256), rows (MASSEFLYT_LAB_MAX_ROWS,
	// 20 000), samples per import (MASSEFLYT_LAB_MAX_SAMPLES, 500) and per
	// listing (MASSEFLYT_LAB_MAX_SAMPLES_PER_LISTING, 2 000).
	LabImport market.ImportLimits
}

// Setting returns a plugin's setting: from Settings, else the environment,
// else def. Plugins own their settings and validate them when loaded.
func (c *Config) Setting(name, def string) string {
	if v, ok := c.Settings[name]; ok {
		return v
	}
	if v, ok := os.LookupEnv(name); ok && v != "" {
		return v
	}
	return def
}

// Level is the log level LogLevel names (debug, info, warn, error).
func (c *Config) Level() (slog.Level, error) {
	var l slog.Level
	err := l.UnmarshalText([]byte(c.LogLevel))
	return l, err
}

// Production reports whether this is a production deployment.
func (c *Config) Production() bool { return c.Env == "production" }

// DefaultConfig reads the environment.
func DefaultConfig() Config {
	env := func(k, def string) string {
		if v, ok := os.LookupEnv(k); ok && v != "" {
			return v
		}
		return def
	}
	var invalid []error
	envInt := func(k string, def int) int {
		s := strings.TrimSpace(os.Getenv(k))
		if s == "" {
			return def
		}
		v, err := strconv.Atoi(s)
		if err != nil || v < 0 {
			invalid = append(invalid, fmt.Errorf("%s=%q must be a whole number ≥ 0", k, s))
			return def
		}
		return v
	}
	envBool := func(k string) bool {
		s := strings.TrimSpace(os.Getenv(k))
		if s == "" {
			return false
		}
		v, err := strconv.ParseBool(s)
		if err != nil {
			invalid = append(invalid, fmt.Errorf("%s=%q must be true or false", k, s))
		}
		return v
	}
	envSize := func(k string, def int64) int64 {
		s := strings.TrimSpace(os.Getenv(k))
		if s == "" {
			return def
		}
		v, err := ParseSize(s)
		if err != nil || v <= 0 {
			invalid = append(invalid, fmt.Errorf("%s=%q must be a size in bytes > 0 (a number, or with KB or MB)", k, s))
			return def
		}
		return v
	}
	uiLimit := -1 // twice the API's, decided in Finish
	if strings.TrimSpace(os.Getenv("MASSEFLYT_UI_RATE_LIMIT")) != "" {
		uiLimit = envInt("MASSEFLYT_UI_RATE_LIMIT", 0)
	}
	proxies, err := ParseProxies(os.Getenv("MASSEFLYT_TRUSTED_PROXIES"))
	if err != nil {
		invalid = append(invalid, err)
	}
	c := Config{
		Addr:               env("MASSEFLYT_ADDR", ":8080"),
		DataDir:            env("MASSEFLYT_DATA_DIR", "./data"),
		DatabaseURL:        env("MASSEFLYT_DATABASE_URL", ""),
		MigrateDatabaseURL: env("MASSEFLYT_MIGRATE_DATABASE_URL", ""),
		DBAppRole:          env("MASSEFLYT_DB_APP_ROLE", ""),
		Env:                env("MASSEFLYT_ENV", "development"),
		BaseDomain:         env("MASSEFLYT_BASE_DOMAIN", ""),
		PublicURL:          env("MASSEFLYT_PUBLIC_URL", ""),
		Secret:             env("MASSEFLYT_SECRET", ""),
		Identity:           env("MASSEFLYT_IDENTITY", ""),
		Bizreg:             env("MASSEFLYT_BIZREG", "bizreg.fake"),
		Geocoder:           env("MASSEFLYT_GEOCODER", "geocoder.fake"),
		Mail:               env("MASSEFLYT_MAIL", "mail.log"),
		Storage:            env("MASSEFLYT_STORAGE", "storage.localfs"),
		Routing:            env("MASSEFLYT_ROUTING", "routing.haversine"),
		TrustProxy:         envBool("MASSEFLYT_TRUST_PROXY"),
		APIRateLimit:       envInt("MASSEFLYT_API_RATE_LIMIT", 600),
		TrustedProxies:     proxies,
		UIRateLimit:        uiLimit,
		LoginRateLimit:     envInt("MASSEFLYT_LOGIN_RATE_LIMIT", 20),
		MaxLiveClients:     envInt("MASSEFLYT_MAX_LIVE_CLIENTS", 10000),
		MaxLivePerClient:   envInt("MASSEFLYT_MAX_LIVE_PER_CLIENT", 10),
		MaxLivePerTenant:   envInt("MASSEFLYT_MAX_LIVE_PER_TENANT", 2000),
		MaxLocationChanges: envInt("MASSEFLYT_MAX_LOCATION_CHANGES", 3),
		MaxBody:            envSize("MASSEFLYT_MAX_BODY", 1<<20),
		MaxUpload:          envSize("MASSEFLYT_MAX_UPLOAD", 20<<20),
		MaxLogo:            envSize("MASSEFLYT_MAX_LOGO", 256<<10),
		PolicyReload:       30 * time.Second,
		LogLevel:           env("MASSEFLYT_LOG_LEVEL", "info"),
		Now:                env(clock.EnvVar, ""),
		invalid:            invalid,
	}
	// Fair scheduling (issue 10; app/fair.go).
	c.Fair = FairLimits{
		ConnsPerAddr: envInt("MASSEFLYT_MAX_CONNS_PER_ADDR", DefaultFairLimits.ConnsPerAddr),
		PerClient:    envInt("MASSEFLYT_MAX_INFLIGHT_PER_CLIENT", DefaultFairLimits.PerClient),
		PerAddr:      envInt("MASSEFLYT_MAX_INFLIGHT_PER_ADDR", DefaultFairLimits.PerAddr),
		Anonymous:    envInt("MASSEFLYT_MAX_INFLIGHT_ANONYMOUS", DefaultFairLimits.Anonymous),
		Imports:      envInt("MASSEFLYT_MAX_IMPORTS_PER_CLIENT", DefaultFairLimits.Imports),
		Running:      envInt("MASSEFLYT_MAX_RUNNING", DefaultFairLimits.Running),
		QueueWait:    DefaultFairLimits.QueueWait,
	}
	// Lab imports (H2).
	c.LabImport = market.ImportLimits{
		MaxFileBytes:         envSize("MASSEFLYT_LAB_MAX_FILE", market.DefaultImportLimits.MaxFileBytes),
		MaxUnpackedBytes:     envSize("MASSEFLYT_LAB_MAX_UNPACKED", market.DefaultImportLimits.MaxUnpackedBytes),
		MaxColumns:           envInt("MASSEFLYT_LAB_MAX_COLUMNS", market.DefaultImportLimits.MaxColumns),
		MaxRows:              envInt("MASSEFLYT_LAB_MAX_ROWS", market.DefaultImportLimits.MaxRows),
		MaxSamplesPerImport:  envInt("MASSEFLYT_LAB_MAX_SAMPLES", market.DefaultImportLimits.MaxSamplesPerImport),
		MaxSamplesPerListing: envInt("MASSEFLYT_LAB_MAX_SAMPLES_PER_LISTING", market.DefaultImportLimits.MaxSamplesPerListing),
	}
	c.invalid = invalid
	return c
}

// Flags registers the flags that override the environment.
func (c *Config) Flags(fs *flag.FlagSet) {
	fs.StringVar(&c.Addr, "addr", c.Addr, "listen address (MASSEFLYT_ADDR)")
	fs.StringVar(&c.DataDir, "data-dir", c.DataDir, "data directory for SQLite and uploads (MASSEFLYT_DATA_DIR)")
	fs.StringVar(&c.DatabaseURL, "database-url", c.DatabaseURL, "Postgres URL; empty uses SQLite (MASSEFLYT_DATABASE_URL)")
	fs.StringVar(&c.Env, "env", c.Env, "development or production (MASSEFLYT_ENV)")
	fs.StringVar(&c.BaseDomain, "base-domain", c.BaseDomain, "base domain for tenant subdomains (MASSEFLYT_BASE_DOMAIN)")
}

// Finish fills in derived defaults and validates.
func (c *Config) Finish() error {
	if err := errors.Join(c.invalid...); err != nil {
		return err
	}
	if _, err := c.Level(); err != nil {
		return fmt.Errorf("MASSEFLYT_LOG_LEVEL must be debug, info, warn or error, not %q", c.LogLevel)
	}
	if c.Env != "development" && c.Env != "production" {
		return fmt.Errorf("MASSEFLYT_ENV must be development or production, not %q", c.Env)
	}
	if c.Identity == "" {
		if c.Production() {
			c.Identity = "identity.kratos"
		} else {
			c.Identity = "identity.dev"
		}
	}
	if c.Secret == "" {
		if c.Production() {
			return errors.New("MASSEFLYT_SECRET is required in production")
		}
		var b [32]byte
		_, _ = rand.Read(b[:])
		c.Secret = hex.EncodeToString(b[:])
	}
	if c.Production() && c.Demo {
		return errors.New("--demo seeds fictional companies and demo logins: it is refused in production")
	}
	if c.Production() && len(c.Secret) < 32 {
		return errors.New("MASSEFLYT_SECRET must be at least 32 characters")
	}
	if c.Clock == nil {
		ck, err := clock.FromSetting(c.Now, c.Production())
		if err != nil {
			return err
		}
		c.Clock = ck
	} else if c.Production() && c.Now != "" {
		return fmt.Errorf("%s is for development and tests; production runs on the real clock", clock.EnvVar)
	}
	if c.MigrateDatabaseURL == "" {
		c.MigrateDatabaseURL = c.DatabaseURL
	}
	if c.UIRateLimit < 0 {
		c.UIRateLimit = 2 * c.APIRateLimit
	}
	if len(c.TrustedProxies) > 0 {
		c.TrustProxy = true
	} else if c.TrustProxy {
		c.TrustedProxies = PrivateNetworks()
	}
	if c.MaxBody <= 0 {
		c.MaxBody = 1 << 20
	}
	if c.MaxUpload <= 0 {
		c.MaxUpload = 20 << 20
	}
	if c.MaxLogo <= 0 {
		c.MaxLogo = 256 << 10
	}
	c.BaseDomain = strings.ToLower(strings.Trim(c.BaseDomain, ". "))
	return nil
}

// ParseSize reads a size in bytes: a whole number with an optional unit
// (B, KB, MB, GB; binary multiples, 1 MB = 1 048 576 bytes).
func ParseSize(s string) (int64, error) {
	t := strings.ToUpper(strings.TrimSpace(s))
	mult := int64(1)
	for _, u := range []struct {
		suffix string
		mult   int64
	}{{"GB", 1 << 30}, {"MB", 1 << 20}, {"KB", 1 << 10}, {"B", 1}} {
		if strings.HasSuffix(t, u.suffix) {
			t, mult = strings.TrimSpace(strings.TrimSuffix(t, u.suffix)), u.mult
			break
		}
	}
	v, err := strconv.ParseInt(t, 10, 64)
	if err != nil || v < 0 || v > (1<<40)/mult {
		return 0, fmt.Errorf("not a size: %q", s)
	}
	return v * mult, nil
}

// ParseProxies reads MASSEFLYT_TRUSTED_PROXIES: IP addresses or CIDR
// prefixes separated by commas or spaces.
func ParseProxies(s string) ([]netip.Prefix, error) {
	var out []netip.Prefix
	for _, f := range strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ' ' || r == '\t' }) {
		if p, err := netip.ParsePrefix(f); err == nil {
			out = append(out, p.Masked())
			continue
		}
		a, err := netip.ParseAddr(f)
		if err != nil {
			return nil, fmt.Errorf("MASSEFLYT_TRUSTED_PROXIES: %q is neither an IP address nor a CIDR prefix", f)
		}
		a = a.Unmap()
		out = append(out, netip.PrefixFrom(a, a.BitLen()))
	}
	return out, nil
}

// PrivateNetworks are the proxies trusted when MASSEFLYT_TRUST_PROXY is on
// and no list is given: loopback and private address ranges.
func PrivateNetworks() []netip.Prefix {
	var out []netip.Prefix
	for _, s := range []string{"127.0.0.0/8", "::1/128", "10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "fc00::/7"} {
		out = append(out, netip.MustParsePrefix(s))
	}
	return out
}
