package demo

import (
	"context"
	"encoding/json"

	"gorm.io/gorm"

	"github.com/masseflyt/masseflyt/core/access"
	"github.com/masseflyt/masseflyt/core/climate"
	"github.com/masseflyt/masseflyt/core/haul"
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
	var missing []haul.Load
	if err := s.DB.Read(tctx, func(tx *gorm.DB) error {
		return tx.Where("kind = ? AND status IN ? AND kg_co2e IS NULL", haul.KindDelivery, []string{haul.StatusReceived, haul.StatusPartly}).Find(&missing).Error
	}); err != nil {
		return err
	}
	for i := range missing {
		l := &missing[i]
		if err := s.DB.Tx(tctx, func(tx *gorm.DB) error {
			c, err := s.Haul.Climate(tctx, tx, l)
			if err != nil {
				return err
			}
			b, _ := json.Marshal(c.Baseline)
			return tx.Model(&haul.Load{}).Where("id = ? AND kg_co2e IS NULL", l.ID).Updates(map[string]any{"kg_co2e": c.KgCO2e, "road_km": c.RoadKm,
				"distance_method": c.Method, "factor_set": c.FactorSet, "baseline_kg_co2e": c.Baseline.KgCO2e, "baseline": string(b)}).Error
		}); err != nil {
			return err
		}
	}
	return cs.Rebuild(tctx)
}
