// Command masseflyt runs the Masseflyt platform.
//
//	masseflyt serve [--demo]      start the server (migrates first)
//	masseflyt migrate             apply database migrations
//	masseflyt seed                load the demo tenants
//	masseflyt tenant create|list  manage tenants
//	masseflyt token create --tenant SLUG --email EMAIL [--scopes read,write] [--days 90] [--name NAME]
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/masseflyt/masseflyt/core/app"
	"github.com/masseflyt/masseflyt/core/auth"
	"github.com/masseflyt/masseflyt/core/store"
	"github.com/masseflyt/masseflyt/internal/demo"
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
  tenant list                    list tenants
  tenant create --slug S --name N [--color #rrggbb] [--locale nb|nn|en] [--domain host] [--admin-email E]
  token create --tenant SLUG --email EMAIL [--scopes read,write] [--days 90] [--name NAME]

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
		if err := fs.Parse(rest); err != nil {
			return err
		}
		return withApp(cfg, func(a *app.App) error {
			if err := seed(a); err != nil {
				return err
			}
			fmt.Fprintln(out, "demo data loaded")
			return nil
		})
	case "tenant":
		return tenantCmd(cfg, fs, rest, out)
	case "token":
		return tokenCmd(cfg, fs, rest, out)
	case "help", "-h", "--help":
		fmt.Fprintln(out, usage)
		return nil
	}
	fmt.Fprintln(out, usage)
	return fmt.Errorf("unknown command %q", cmd)
}

func seed(a *app.App) error {
	return demo.Seed(context.Background(), a.DB, a.Tenants, a.Roles)
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
	a, err := server.New(cfg, app.Options{})
	if err != nil {
		return err
	}
	defer a.Close()
	if cfg.Demo {
		if err := seed(a); err != nil {
			return fmt.Errorf("demo seed: %w", err)
		}
		// The demo's listings were loaded in bulk: find their matches as
		// publishing would, so the statistics and live view have figures.
		if err := a.DiscoverAll(context.Background()); err != nil {
			return fmt.Errorf("demo matches: %w", err)
		}
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	return a.Serve(ctx)
}

func tenantCmd(cfg app.Config, fs *flag.FlagSet, args []string, out io.Writer) error {
	if len(args) == 0 {
		return errors.New("tenant: want create or list")
	}
	sub := args[0]
	slug := fs.String("slug", "", "tenant slug (lowercase letters, digits, dashes)")
	name := fs.String("name", "", "tenant name")
	color := fs.String("color", "#1f5f3f", "primary colour")
	accent := fs.String("accent", "#f2b134", "accent colour")
	locale := fs.String("locale", "nb", "default language: nb, nn or en")
	domain := fs.String("domain", "", "custom domain")
	adminEmail := fs.String("admin-email", "", "e-mail of an existing user to make tenant admin")
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	return withApp(cfg, func(a *app.App) error {
		switch sub {
		case "list":
			for _, t := range a.Tenants.All() {
				fmt.Fprintf(out, "%-16s %-36s %s %s\n", t.Slug, t.Name, t.ID, strings.Join(t.Domains, ","))
			}
			return nil
		case "create":
			if !tenants.ValidSlug(*slug) {
				return fmt.Errorf("invalid slug %q: use 1–40 lowercase letters, digits and dashes", *slug)
			}
			if strings.TrimSpace(*name) == "" {
				return errors.New("--name is required")
			}
			if !tenants.ValidColor(*color) || !tenants.ValidColor(*accent) {
				return errors.New("colours must be #rrggbb")
			}
			t := &tenants.Tenant{Slug: *slug, Name: *name, ShortName: *name, ColorPrimary: *color, ColorAccent: *accent, DefaultLocale: *locale, CenterLat: 59.91, CenterLon: 10.75, Zoom: 9}
			if *domain != "" {
				if !tenants.ValidDomain(*domain) {
					return fmt.Errorf("invalid domain %q", *domain)
				}
				t.Domains = []string{*domain}
			}
			if err := a.Tenants.Create(context.Background(), t); err != nil {
				return err
			}
			if *adminEmail != "" {
				u, err := a.Users.ByEmail(context.Background(), *adminEmail)
				if err != nil {
					return fmt.Errorf("admin %s: no such user (they must log in once first)", *adminEmail)
				}
				if err := a.Roles.Assign(u.ID, auth.RoleTenantAdmin, t.ID); err != nil {
					return err
				}
			}
			fmt.Fprintf(out, "created tenant %s (%s)\n", t.Slug, t.ID)
			return nil
		}
		return fmt.Errorf("tenant: unknown subcommand %q", sub)
	})
}

func tokenCmd(cfg app.Config, fs *flag.FlagSet, args []string, out io.Writer) error {
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
	if *days < 1 || *days > app.MaxTokenDays {
		return fmt.Errorf("--days must be 1–%d", app.MaxTokenDays)
	}
	var sc []string
	for _, s := range strings.Split(*scopes, ",") {
		s = strings.TrimSpace(s)
		if s != auth.ScopeRead && s != auth.ScopeWrite {
			return fmt.Errorf("unknown scope %q (read, write)", s)
		}
		sc = append(sc, s)
	}
	return withApp(cfg, func(a *app.App) error {
		t, ok := a.Tenants.BySlug(*slug)
		if !ok {
			return fmt.Errorf("unknown tenant %q", *slug)
		}
		u, err := a.Users.ByEmail(context.Background(), *email)
		if err != nil {
			return fmt.Errorf("unknown user %q", *email)
		}
		ctx := store.WithTenant(context.Background(), t.ID)
		tok, secret, err := a.Users.CreateToken(ctx, u.ID, *name, sc, time.Duration(*days)*24*time.Hour)
		if err != nil {
			return err
		}
		fmt.Fprintf(out, "%s\n", secret)
		fmt.Fprintf(os.Stderr, "token %s for %s in %s, scopes %s, expires %s (shown once; store it now)\n", tok.ID, u.Email, t.Slug, tok.Scopes, tok.ExpiresAt.Format(time.RFC3339))
		return nil
	})
}
