package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/masseflyt/masseflyt/app"
	"github.com/masseflyt/masseflyt/core/auth"
	"github.com/masseflyt/masseflyt/core/invite"
)

// adminCmd is `admin grant`: the first admins of a production platform.
// The role goes to the user whose address the identity provider verified,
// or waits in an invitation (14 days) mailed to the address; --revoke
// takes it away and withdraws the invitation. Every change is logged.
//
//	masseflyt admin grant --email E --role platform-admin
//	masseflyt admin grant --email E --role tenant-admin --tenant SLUG [--revoke]
func adminCmd(cfg *app.Config, fs *flag.FlagSet, args []string, out io.Writer) error {
	if len(args) == 0 || args[0] != "grant" {
		return errors.New("admin: want grant")
	}
	email := fs.String("email", "", "the person's e-mail address")
	role := fs.String("role", "", "platform-admin or tenant-admin")
	slug := fs.String("tenant", "", "tenant slug (with --role tenant-admin)")
	revoke := fs.Bool("revoke", false, "take the role away (and withdraw an invitation)")
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("admin grant: unexpected argument %q", fs.Arg(0))
	}
	addr := auth.NormalizeEmail(*email)
	var p problems
	if !invite.ValidEmail(addr) {
		p = append(p, fmt.Errorf("invalid --email %q: want one e-mail address", *email))
	}
	var r string
	switch *role {
	case "platform-admin":
		r = auth.RoleSuperadmin
		if *slug != "" {
			p = append(p, errors.New("--tenant is not used with --role platform-admin"))
		}
	case "tenant-admin":
		r = auth.RoleTenantAdmin
		if *slug == "" {
			p = append(p, errors.New("--role tenant-admin needs --tenant SLUG"))
		}
	default:
		p = append(p, fmt.Errorf("invalid --role %q: want platform-admin or tenant-admin", *role))
	}
	if err := p.err(); err != nil {
		return fmt.Errorf("admin grant: %s", strings.TrimPrefix(err.Error(), "tenant not created: "))
	}
	return withApp(*cfg, func(a *app.App) error {
		ctx := context.Background()
		domain, where := invite.Platform, "the platform"
		if r == auth.RoleTenantAdmin {
			t, ok := a.Tenants.BySlug(*slug)
			if !ok {
				return fmt.Errorf("admin grant: unknown tenant %q", *slug)
			}
			domain, where = t.ID, "tenant "+t.Slug
		}
		if *revoke {
			changed, err := a.Invites.Revoke(ctx, domain, addr, r, "cli")
			if err != nil {
				return err
			}
			if !changed {
				return fmt.Errorf("admin grant --revoke: %s holds no %s role in %s and has no open invitation", addr, *role, where)
			}
			a.Log.Info("cli: admin role revoked", "email", addr, "role", r, "where", where)
			fmt.Fprintf(out, "revoked %s from %s in %s\n", *role, addr, where)
			return nil
		}
		locale := "nb"
		if t, ok := a.Tenants.ByID(domain); ok {
			locale = t.DefaultLocale
		}
		o, err := a.Invites.Grant(ctx, domain, addr, r, "cli", locale)
		if err != nil {
			return explain(a, err)
		}
		logGrant(a, where, addr, r, o)
		// The invitation mail goes through the outbox: deliver it before
		// the command ends.
		sctx, cancel := context.WithTimeout(ctx, time.Minute)
		defer cancel()
		if err := a.Events.Settle(sctx); err != nil {
			fmt.Fprintf(os.Stderr, "masseflyt: the invitation mail is not sent yet (%v); the next start sends it\n", err)
		}
		if o.Invited() {
			fmt.Fprintf(out, "invited %s as %s in %s (until %s; accepted when they log in with the address verified)\n", addr, *role, where, o.Invitation.ExpiresAt.Format("2006-01-02"))
			return nil
		}
		fmt.Fprintf(out, "granted %s to %s in %s\n", *role, addr, where)
		return nil
	})
}

// logGrant records a grant made from the command line.
func logGrant(a *app.App, where, email, role string, o invite.Outcome) {
	if o.Invited() {
		a.Log.Info("cli: admin invited", "email", email, "role", role, "where", where, "invitation", o.Invitation.ID)
		return
	}
	a.Log.Info("cli: admin granted", "email", email, "role", role, "where", where, "user", o.UserID)
}
