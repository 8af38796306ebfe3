package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"

	"gorm.io/gorm"

	"github.com/masseflyt/masseflyt/app"
	"github.com/masseflyt/masseflyt/core/haul"
	"github.com/masseflyt/masseflyt/core/store"
	"github.com/masseflyt/masseflyt/tenants"
)

// climateCmd is `masseflyt climate rebuild [--tenant SLUG]`: for one
// region or every region, it writes the climate account of each received
// load that has none (an event the outbox gave up on) and rebuilds the
// region's climate accounts from its loads, keeping the recomputes with
// other factor sets. Safe to run while the server runs: the rebuild takes
// the accounts' lock.
func climateCmd(cfg *app.Config, fs *flag.FlagSet, args []string, out io.Writer) error {
	if len(args) == 0 || args[0] != "rebuild" {
		return errors.New("climate: the subcommand is rebuild (masseflyt climate rebuild [--tenant SLUG])")
	}
	slug := fs.String("tenant", "", "the region's slug (default: every region)")
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	return withApp(*cfg, func(a *app.App) error {
		regions := a.Tenants.All()
		if *slug != "" {
			t, ok := a.Tenants.BySlug(*slug)
			if !ok {
				return fmt.Errorf("climate rebuild: no region %q", *slug)
			}
			regions = []*tenants.Tenant{t}
		}
		for _, t := range regions {
			ctx := store.WithTenant(store.System(context.Background(), "cli: climate rebuild"), t.ID)
			filled, err := a.Haul.FillClimate(ctx)
			if err != nil {
				return fmt.Errorf("climate rebuild %s: %w", t.Slug, err)
			}
			if err := a.Climate.Rebuild(ctx); err != nil {
				return fmt.Errorf("climate rebuild %s: %w", t.Slug, err)
			}
			var counted, rejected int64
			if err := a.DB.Read(ctx, func(tx *gorm.DB) error {
				if err := tx.Table("climate_loads").Count(&counted).Error; err != nil {
					return err
				}
				return store.Raw(tx, `SELECT COUNT(*) FROM climate_loads c JOIN loads l ON l.tenant_id = c.tenant_id AND l.id = c.id
					WHERE c.tenant_id = @tenant AND l.status = @rejected`, map[string]any{"rejected": haul.StatusRejected}).Scan(&rejected).Error
			}); err != nil {
				return err
			}
			fmt.Fprintf(out, "%s: %d delivered loads and the trips of %d rejected ones in the climate accounts (%d given their own account now)\n", t.Slug, counted-rejected, rejected, filled)
		}
		return nil
	})
}
