// Command masseflyt runs the Masseflyt platform.
//
//	masseflyt serve [--demo]      start the server (migrates first)
//	masseflyt migrate             apply database migrations
//	masseflyt seed                load the demo tenants
//	masseflyt seed --synthetic N --tenant SLUG [--layout dense|national] [--seed S]
//	masseflyt tenant create|list  manage tenants
//	masseflyt token create --tenant SLUG --email EMAIL [--scopes read,write] [--days 90] [--name NAME]
//	masseflyt admin grant --email E --role platform-admin|tenant-admin [--tenant SLUG] [--revoke]
//	masseflyt verify --agreement ID [--tenant SLUG] [--json]
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"slices"
	"strings"
	"syscall"
	"time"
	"unicode/utf8"

	"gorm.io/gorm"

	"github.com/masseflyt/masseflyt/app"
	"github.com/masseflyt/masseflyt/core/access"
	"github.com/masseflyt/masseflyt/core/account"
	"github.com/masseflyt/masseflyt/core/auth"
	"github.com/masseflyt/masseflyt/core/fail"
	"github.com/masseflyt/masseflyt/core/invite"
	"github.com/masseflyt/masseflyt/httpx"
	"github.com/masseflyt/masseflyt/internal/demo"
	seedpkg "github.com/masseflyt/masseflyt/internal/seed"
	"github.com/masseflyt/masseflyt/locales"
	"github.com/masseflyt/masseflyt/server"
	"github.com/masseflyt/masseflyt/tenants"
)

func main() {
	if err := run(os.Args[1:], os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "masseflyt:", err)
		os.Exit(1)
	}
}

const usage = `usage: masseflyt <command> [flags]

commands:
  serve [--demo]                 start the server (runs migrations first; --demo seeds demo data)
  migrate                        apply database migrations
  seed                           load the demo tenants (idempotent)
  seed --synthetic N --tenant SLUG [--layout dense|national] [--seed S]
                                 lay out N synthetic listings in a region (scale figures)
  tenant list                    list tenants
  tenant create --slug S --name N [--color #rrggbb] [--locale nb|nn|en] [--domain host] [--admin-email E]
  token create --tenant SLUG --email EMAIL [--scopes read,write] [--days 90] [--name NAME]
  admin grant --email E --role platform-admin|tenant-admin [--tenant SLUG] [--revoke]
                                 make (or invite) the first admins; --revoke takes the role away
  verify --agreement ID [--tenant SLUG] [--json]
                                 verify an agreement's load ledger offline; names the entry that breaks it
  climate rebuild [--tenant SLUG]
                                 give received loads missing one their climate account, and rebuild
                                 the region's climate accounts from its loads (default: every region)

configuration: MASSEFLYT_ADDR, MASSEFLYT_DATA_DIR, MASSEFLYT_DATABASE_URL, MASSEFLYT_ENV,
MASSEFLYT_BASE_DOMAIN and more (see README); flags --addr, --data-dir, --database-url,
--env, --base-domain override them.`

func run(args []string, out io.Writer) error {
	if len(args) == 0 {
		fmt.Fprintln(out, usage)
		return errors.New("no command")
	}
	cmd, rest := args[0], args[1:]
	cfg := app.DefaultConfig()
	fs := flag.NewFlagSet(cmd, flag.ContinueOnError)
	cfg.Flags(fs)
	switch cmd {
	case "serve":
		demoFlag := fs.Bool("demo", false, "seed demo data on start")
		if err := fs.Parse(rest); err != nil {
			return err
		}
		cfg.Demo = *demoFlag
		return serve(cfg)
	case "migrate":
		if err := fs.Parse(rest); err != nil {
			return err
		}
		if err := cfg.Finish(); err != nil {
			return err
		}
		if err := app.Migrate(cfg); err != nil {
			return err
		}
		fmt.Fprintln(out, "migrations applied")
		return nil
	case "seed":
		var syn syntheticOptions
		fs.IntVar(&syn.N, "synthetic", 0, "lay out N synthetic listings in --tenant instead of the demo (seed_synthetic.go)")
		fs.StringVar(&syn.Tenant, "tenant", "", "the region of --synthetic")
		fs.StringVar(&syn.Layout, "layout", "dense", "--synthetic layout: dense (one busy region) or national")
		fs.Int64Var(&syn.Seed, "seed", 1, "--synthetic random seed")
		if err := fs.Parse(rest); err != nil {
			return err
		}
		if syn.N != 0 || syn.Tenant != "" {
			if err := syn.check(); err != nil {
				return err
			}
			return withApp(cfg, func(a *app.App) error { return seedSynthetic(a, syn, out) })
		}
		return withApp(cfg, func(a *app.App) error {
			if err := seed(a); err != nil {
				return err
			}
			// Let the dispatcher find the matches of what was published
			// before this process ends (a later start would, too).
			ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
			defer cancel()
			if err := a.Events.Settle(ctx); err != nil {
				return fmt.Errorf("demo matches: %w", err)
			}
			fmt.Fprintln(out, "demo data loaded")
			return nil
		})
	case "tenant":
		return tenantCmd(&cfg, fs, rest, out)
	case "token":
		return tokenCmd(&cfg, fs, rest, out)
	case "admin":
		return adminCmd(&cfg, fs, rest, out)
	case "verify":
		return verifyCmd(&cfg, fs, rest, out)
	case "climate":
		return climateCmd(&cfg, fs, rest, out)
	case "help", "-h", "--help":
		fmt.Fprintln(out, usage)
		return nil
	}
	fmt.Fprintln(out, usage)
	return fmt.Errorf("unknown command %q", cmd)
}

// seed loads the demo world through the domain (internal/seed); its
// publications are matched by the app's outbox dispatcher, in the background.
func seed(a *app.App) error {
	return demo.Seed(context.Background(), seedpkg.Of(a))
}

func withApp(cfg app.Config, fn func(a *app.App) error) error {
	cfg.PolicyReload = 0
	a, err := server.New(cfg, app.Options{})
	if err != nil {
		return err
	}
	defer a.Close()
	return fn(a)
}

func serve(cfg app.Config) error {
	if err := startProfiling(); err != nil {
		return err
	}
	a, err := server.New(cfg, app.Options{})
	if err != nil {
		return err
	}
	defer a.Close()
	if cfg.Demo {
		// Published through the domain: the dispatcher finds the matches
		// as the server starts, as it would for any publication.
		if err := seed(a); err != nil {
			return fmt.Errorf("demo seed: %w", err)
		}
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	return a.Serve(ctx)
}

// tenantCmd and tokenCmd take the configuration by pointer: fs writes the
// --data-dir and other overrides into it when it parses.
func tenantCmd(cfg *app.Config, fs *flag.FlagSet, args []string, out io.Writer) error {
	if len(args) == 0 {
		return errors.New("tenant: want create or list")
	}
	sub := args[0]
	if sub != "create" && sub != "list" {
		return fmt.Errorf("tenant: unknown subcommand %q (want create or list)", sub)
	}
	var spec tenantSpec
	fs.StringVar(&spec.Slug, "slug", "", "tenant slug (lowercase letters, digits, dashes)")
	fs.StringVar(&spec.Name, "name", "", "tenant name")
	fs.StringVar(&spec.Color, "color", "#1f5f3f", "primary colour")
	fs.StringVar(&spec.Accent, "accent", "#f2b134", "accent colour")
	fs.StringVar(&spec.Locale, "locale", locales.Default, "default language: "+strings.Join(locales.Supported, ", "))
	fs.StringVar(&spec.Domain, "domain", "", "custom domain")
	fs.StringVar(&spec.AdminEmail, "admin-email", "", "e-mail of the first tenant admin (invited unless a user has verified it)")
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("tenant %s: unexpected argument %q", sub, fs.Arg(0))
	}
	if sub == "list" {
		return withApp(*cfg, func(a *app.App) error {
			for _, t := range a.Tenants.All() {
				fmt.Fprintf(out, "%-16s %-36s %s %s\n", t.Slug, t.Name, t.ID, strings.Join(t.Domains, ","))
			}
			return nil
		})
	}
	// Everything the flags alone can tell is checked before the database is
	// even opened; the rest (slug and domain free, admin known) before
	// anything is written.
	spec.normalize()
	if err := spec.check(); err != nil {
		return err
	}
	return withApp(*cfg, func(a *app.App) error {
		t, err := createTenant(context.Background(), a, spec)
		if err != nil {
			return err
		}
		fmt.Fprintf(out, "created tenant %s (%s)\n", t.Slug, t.ID)
		return nil
	})
}

// tenantSpec is what `tenant create` was asked to make.
type tenantSpec struct {
	Slug, Name, Color, Accent, Locale, Domain, AdminEmail string
}

// maxTenantName matches the limit of the admin settings.
const maxTenantName = 120

// problems are the reasons a tenant was not created, all reported at once.
type problems []error

func (p problems) Error() string {
	msgs := make([]string, len(p))
	for i, e := range p {
		msgs[i] = e.Error()
	}
	return "tenant not created: " + strings.Join(msgs, "; ")
}

func (p problems) Unwrap() []error { return p }

func (p problems) err() error {
	if len(p) == 0 {
		return nil
	}
	return p
}

func (s *tenantSpec) normalize() {
	s.Slug = strings.ToLower(strings.TrimSpace(s.Slug))
	s.Name = strings.TrimSpace(s.Name)
	s.Color = strings.ToLower(strings.TrimSpace(s.Color))
	s.Accent = strings.ToLower(strings.TrimSpace(s.Accent))
	s.Locale = strings.TrimSpace(s.Locale)
	s.Domain = strings.ToLower(strings.TrimSuffix(strings.TrimSpace(s.Domain), "."))
	s.AdminEmail = strings.TrimSpace(s.AdminEmail)
}

// check validates what needs no database.
func (s *tenantSpec) check() error {
	var p problems
	if !tenants.ValidSlug(s.Slug) {
		p = append(p, fmt.Errorf("invalid --slug %q: use 1–40 lowercase letters, digits and dashes, not starting or ending with a dash, and not a reserved name", s.Slug))
	}
	switch {
	case s.Name == "":
		p = append(p, errors.New("--name is required"))
	case utf8.RuneCountInString(s.Name) > maxTenantName:
		p = append(p, fmt.Errorf("--name is longer than %d characters", maxTenantName))
	}
	if !tenants.ValidColor(s.Color) {
		p = append(p, fmt.Errorf("invalid --color %q: want #rrggbb", s.Color))
	}
	if !tenants.ValidColor(s.Accent) {
		p = append(p, fmt.Errorf("invalid --accent %q: want #rrggbb", s.Accent))
	}
	if !locales.IsSupported(s.Locale) {
		p = append(p, fmt.Errorf("invalid --locale %q: want one of %s", s.Locale, strings.Join(locales.Supported, ", ")))
	}
	if s.Domain != "" && !tenants.ValidDomain(s.Domain) {
		p = append(p, fmt.Errorf("invalid --domain %q: want a host name such as masser.example.no", s.Domain))
	}
	return p.err()
}

// available checks what needs the database: the slug and domain are free and
// the admin exists. It writes nothing and returns the admin (nil if none).
func (s *tenantSpec) available(ctx context.Context, a *app.App) (*auth.User, error) {
	var p problems
	for _, t := range a.Tenants.All() { // every tenant, inactive ones too
		if t.Slug == s.Slug {
			p = append(p, fmt.Errorf("slug %q is already in use: %w", s.Slug, tenants.ErrSlugTaken))
		}
		if s.Domain != "" && slices.Contains(t.Domains, s.Domain) {
			p = append(p, fmt.Errorf("domain %q already belongs to tenant %s: %w", s.Domain, t.Slug, tenants.ErrDomainTaken))
		}
	}
	if s.Domain != "" {
		// A subdomain of the base domain would shadow (or be) a tenant's address.
		if t, ok := a.Tenants.ByHost(s.Domain); ok && t.Slug != s.Slug && !slices.Contains(t.Domains, s.Domain) {
			p = append(p, fmt.Errorf("domain %q is the address of tenant %s: %w", s.Domain, t.Slug, tenants.ErrDomainTaken))
		}
	}
	// The admin is the user whose address is verified; else the address
	// is invited (admin.go).
	var admin *auth.User
	if s.AdminEmail != "" {
		if !invite.ValidEmail(auth.NormalizeEmail(s.AdminEmail)) {
			p = append(p, fmt.Errorf("invalid --admin-email %q: want one e-mail address", s.AdminEmail))
		} else if u, err := a.Users.ByVerifiedEmail(ctx, s.AdminEmail); err == nil {
			admin = u
		} else if !errors.Is(err, gorm.ErrRecordNotFound) {
			return nil, fmt.Errorf("look up --admin-email %s: %w", s.AdminEmail, err)
		}
	}
	return admin, p.err()
}

// createTenant creates the tenant and its admin, all or nothing: every check
// runs before the first write, and if a later write fails the tenant is
// removed again.
func createTenant(ctx context.Context, a *app.App, s tenantSpec) (*tenants.Tenant, error) {
	if _, err := s.available(ctx, a); err != nil {
		return nil, err
	}
	t := &tenants.Tenant{Slug: s.Slug, Name: s.Name, ShortName: s.Name, ColorPrimary: s.Color, ColorAccent: s.Accent, DefaultLocale: s.Locale, CenterLat: 59.91, CenterLon: 10.75, Zoom: 9}
	if s.Domain != "" {
		t.Domains = []string{s.Domain}
	}
	// The tenant and its domains are one transaction; a failed admin grant
	// removes the tenant again.
	out, err := a.Tenants.CreateInviting(ctx, t, a.Invites, s.AdminEmail, "cli")
	if err == nil && s.AdminEmail != "" {
		logGrant(a, t.Slug, s.AdminEmail, auth.RoleTenantAdmin, out)
	}
	if err != nil {
		if s.AdminEmail != "" && errors.Is(err, tenants.ErrAdminGrant) {
			err = fmt.Errorf("make %s tenant admin: %w", s.AdminEmail, err)
		}
		if strings.Contains(err.Error(), "remove it by hand") {
			return nil, err
		}
		return nil, problems{err}
	}
	return t, nil
}

// explain writes a domain error in English, naming the fields.
func explain(a *app.App, err error) error {
	if _, ok := fail.As(err); !ok {
		return err
	}
	p := httpx.AsError(err).Localize(locales.New(a.Bundle, "en"))
	msg := p.Title
	for _, f := range p.Errors {
		msg += "; " + f.Message
	}
	return errors.New(msg)
}

func tokenCmd(cfg *app.Config, fs *flag.FlagSet, args []string, out io.Writer) error {
	if len(args) == 0 || args[0] != "create" {
		return errors.New("token: want create")
	}
	slug := fs.String("tenant", "", "tenant slug")
	email := fs.String("email", "", "user e-mail")
	scopes := fs.String("scopes", "read", "comma-separated scopes: read, write")
	days := fs.Int("days", 90, "days until expiry (1–366)")
	name := fs.String("name", "cli", "token name")
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	if *days < 1 || *days > account.MaxTokenDays {
		return fmt.Errorf("--days must be 1–%d", account.MaxTokenDays)
	}
	var sc []string
	for _, s := range strings.Split(*scopes, ",") {
		s = strings.TrimSpace(s)
		if s != auth.ScopeRead && s != auth.ScopeWrite {
			return fmt.Errorf("unknown scope %q (read, write)", s)
		}
		sc = append(sc, s)
	}
	return withApp(*cfg, func(a *app.App) error {
		t, ok := a.Tenants.BySlug(*slug)
		if !ok {
			return fmt.Errorf("unknown tenant %q", *slug)
		}
		u, err := a.Users.ByEmail(context.Background(), *email)
		if err != nil {
			return fmt.Errorf("unknown user %q", *email)
		}
		// The same command as Min side and POST …/tokens, as the user.
		ctx := access.With(context.Background(), &access.Actor{TenantID: t.ID, TenantSlug: t.Slug, Locale: "en", Rules: a.Roles,
			Principal: &auth.Principal{User: u, Roles: []string{auth.RoleAuthenticated}}})
		created, err := a.Account.Issue(ctx, account.TokenInput{Name: *name, Scopes: sc, ExpiresInDays: *days})
		if err != nil {
			return explain(a, err)
		}
		tok, secret := created.Token, created.Secret
		fmt.Fprintf(out, "%s\n", secret)
		fmt.Fprintf(os.Stderr, "token %s for %s in %s, scopes %s, expires %s (shown once; store it now)\n", tok.ID, u.Email, t.Slug, tok.Scopes, tok.ExpiresAt.Format(time.RFC3339))
		return nil
	})
}
