package demo

import (
	"context"

	"github.com/masseflyt/masseflyt/core/access"
	"github.com/masseflyt/masseflyt/core/climate"
	"github.com/masseflyt/masseflyt/internal/seed"
	"github.com/masseflyt/masseflyt/tenants"
)

// seedClimate ends the demo seed: each delivered load gets its own climate
// account if the outbox has not written it yet (core/haul's computation),
// and the region's climate accounts are rebuilt from its loads, so
// that the demo shows them whatever the outbox's timing. A load the
// outbox delivers later is counted once (core/climate marks counted loads).
func seedClimate(ctx context.Context, s seed.Services, t *tenants.Tenant) error {
	if s.Haul == nil {
		return nil
	}
	cs := &climate.Service{DB: s.DB}
	tctx := access.With(ctx, &access.Actor{TenantID: t.ID, TenantSlug: t.Slug, Locale: "nb"})
	if _, err := s.Haul.FillClimate(tctx); err != nil {
		return err
	}
	return cs.Rebuild(tctx)
}
