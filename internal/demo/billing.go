package demo

import (
	"context"
	"time"

	"gorm.io/gorm"

	"github.com/masseflyt/masseflyt/billing"
	"github.com/masseflyt/masseflyt/core/access"
	"github.com/masseflyt/masseflyt/core/store"
	"github.com/masseflyt/masseflyt/internal/seed"
	"github.com/masseflyt/masseflyt/tenants"
)

// seedBilling gives Bærum two member plans, puts three organizations on
// them and one municipal company on free, with signed agreements as the
// transactions (D3, V10), through the billing domain with the offline
// provider: the demo shows billing without keys.
func seedBilling(ctx context.Context, s seed.Services, t *tenants.Tenant) error {
	base := access.With(ctx, &access.Actor{TenantID: t.ID, TenantSlug: t.Slug, Locale: "nb"})
	b := &billing.Service{DB: s.DB, Provider: &billing.Local{}}
	account := "1503.12.34562" // the region's account, on its members' invoices
	if _, err := b.SaveSettings(base, billing.SettingsInput{Metric: billing.MetricAgreements, Consequence: billing.ConsequenceBanner, AccountNumber: &account}); err != nil {
		return err
	}
	big, err := b.SavePlan(base, "", billing.PlanForm{Name: "Entreprenør", Description: "Entreprenører og byggherrer med flere prosjekter", LicenceOre: 99000, UnitOre: 15000})
	if err != nil {
		return err
	}
	small, err := b.SavePlan(base, "", billing.PlanForm{Name: "Liten virksomhet", Description: "Inntil ti ansatte", LicenceOre: 29000, UnitOre: 15000})
	if err != nil {
		return err
	}
	orgID := func(key string) string {
		for _, o := range Orgs {
			if o.Key == key && o.Tenant == "baerum" {
				var id string
				_ = s.DB.Read(base, func(tx *gorm.DB) error {
					return tx.Table("organizations").Where("org_number = ?", o.OrgNumber).Limit(1).Pluck("id", &id).Error
				})
				return id
			}
		}
		return ""
	}
	for key, in := range map[string]billing.AssignInput{
		"fornebu-anlegg":    {PlanID: big.ID},
		"sandvika-bygg":     {PlanID: big.ID},
		"lysaker-transport": {PlanID: small.ID},
		"oslo-bybygg":       {Free: true},
	} {
		if id := orgID(key); id != "" {
			if _, err := b.Assign(base, id, in); err != nil {
				return err
			}
		}
	}
	return seedInvoices(ctx, s, b, t.ID)
}

// seedInvoices puts Bærum on a platform plan, dates the subscriptions from
// the start of last month and closes that month, so the demo shows stored
// invoices (members' and the platform's) with PDF and EHF.
func seedInvoices(ctx context.Context, s seed.Services, b *billing.Service, tid string) error {
	sys := store.System(ctx, "demo: the platform bills Bærum")
	rp, err := b.SaveRegionPlan(sys, billing.PlanForm{Name: "Region", LicenceOre: 2500000})
	if err != nil {
		return err
	}
	if _, err := b.SetRegion(sys, tid, billing.RegionInput{PlanID: rp.ID, PublicBody: true, OrgNumber: "974556758", BuyerReference: "Ressursbank 2026", BillingEmail: "faktura@baerum.kommune.no"}); err != nil {
		return err
	}
	last := billing.PeriodStart(billing.PeriodStart(s.DB.Now()).Add(-time.Hour))
	if err := s.DB.Tx(sys, func(tx *gorm.DB) error {
		if err := tx.Model(&billing.Subscription{}).Where("tenant_id = ?", tid).Update("created_at", last).Error; err != nil {
			return err
		}
		if err := tx.Model(&billing.PlanChange{}).Where("tenant_id = ?", tid).Updates(map[string]any{"at": last, "created_at": last}).Error; err != nil {
			return err
		}
		return tx.Model(&billing.RegionSubscription{}).Where("region_id = ?", tid).Update("created_at", last).Error
	}); err != nil {
		return err
	}
	if _, err = b.Close(ctx); err != nil {
		return err
	}
	// The demo's organizations get no invoice notices by mail.
	return s.DB.Tx(sys, func(tx *gorm.DB) error {
		if err := tx.Model(&billing.Invoice{}).Where("tenant_id = ? AND mailed_at IS NULL", tid).Update("mailed_at", s.DB.Now()).Error; err != nil {
			return err
		}
		return tx.Model(&billing.RegionInvoice{}).Where("region_id = ? AND mailed_at IS NULL", tid).Update("mailed_at", s.DB.Now()).Error
	})
}
