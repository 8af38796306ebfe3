package billing

import (
	"context"
	"regexp"
	"strings"

	"gorm.io/gorm"

	"github.com/masseflyt/masseflyt/core/directory"
	"github.com/masseflyt/masseflyt/core/fail"
	"github.com/masseflyt/masseflyt/core/store"
)

// The platform's billing of regions (global tables; the platform admin's
// routes): plans for regions and each region's subscription, billed on the
// platform's own provider account.

// RegionPlans lists the platform's plans for regions.
func (s *Service) RegionPlans(ctx context.Context) ([]RegionPlan, error) {
	var out []RegionPlan
	err := s.DB.Read(ctx, func(tx *gorm.DB) error { return tx.Order("name").Find(&out).Error })
	return out, err
}

// SaveRegionPlan creates a platform plan for regions.
func (s *Service) SaveRegionPlan(ctx context.Context, in PlanForm) (*RegionPlan, error) {
	if err := in.validate(); err != nil {
		return nil, err
	}
	now := s.now()
	p := RegionPlan{ID: store.NewID(), Name: in.Name, LicenceOre: in.LicenceOre, Interval: in.Interval, UnitOre: in.UnitOre, Currency: Currency, Version: 1, CreatedAt: now, UpdatedAt: now}
	err := s.DB.Tx(ctx, func(tx *gorm.DB) error { return tx.Create(&p).Error })
	if store.IsUniqueViolation(err) {
		var v fail.Validation
		v.Add("name", "taken", "ErrBillingPlanName")
		return nil, v.Err()
	}
	if err != nil {
		return nil, err
	}
	if s.Provider != nil {
		if ids, err := s.Provider.SyncPlan(ctx, Account{}, PlanSpec{Key: p.ID, Name: p.Name, LicenceOre: p.LicenceOre, Interval: p.Interval, UnitOre: p.UnitOre, UnitMilli: 1}); err == nil {
			p.ProductID, p.LicencePriceID = ids.ProductID, ids.LicencePriceID
			_ = s.DB.Tx(ctx, func(tx *gorm.DB) error {
				return tx.Model(&RegionPlan{}).Where("id = ?", p.ID).Updates(map[string]any{"product_id": ids.ProductID, "licence_price_id": ids.LicencePriceID}).Error
			})
		} else {
			s.log().Error("billing: region plan not synced", "plan", p.ID, "err", err)
		}
	}
	return &p, nil
}

// RegionInput is what the platform admin sets for a region.
type RegionInput struct {
	PlanID         string  `json:"plan_id" doc:"The platform plan for the region"`
	PublicBody     bool    `json:"public_body,omitempty" doc:"The region is a public body: its invoices are also given as EHF"`
	OrgNumber      string  `json:"org_number,omitempty" doc:"The region's organization number (nine digits; required for a public body)"`
	BuyerReference string  `json:"buyer_reference,omitempty" doc:"The buyer's reference on EHF invoices (required for a public body)"`
	BillingEmail   string  `json:"billing_email,omitempty"`
	FeePercent     float64 `json:"fee_percent,omitempty" doc:"The platform's fee on the region's own invoices to its members, percent (0–100)"`
	Version        int     `json:"version" doc:"The region subscription's version as read (0 when it has none)"`
}

var nineDigits = regexp.MustCompile(`^[0-9]{9}$`)

// SetRegion puts a region on a platform plan, at the version read.
func (s *Service) SetRegion(ctx context.Context, regionID string, in RegionInput) (*RegionSubscription, error) {
	var v fail.Validation
	in.OrgNumber = directory.NormalizeOrgNumber(in.OrgNumber)
	if in.OrgNumber != "" && (!nineDigits.MatchString(in.OrgNumber) || !directory.ValidOrgNumber(in.OrgNumber)) || in.PublicBody && in.OrgNumber == "" {
		v.Add("org_number", "org_number", "ErrBillingOrgNumber")
	}
	if in.PublicBody && strings.TrimSpace(in.BuyerReference) == "" {
		v.Add("buyer_reference", "required", "ErrFieldRequired")
	}
	if in.FeePercent < 0 || in.FeePercent > 100 {
		v.Add("fee_percent", "out_of_range", "ErrBillingFee")
	}
	if in.PlanID == "" {
		v.Add("plan_id", "required", "ErrFieldRequired")
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	now := s.now()
	var sub RegionSubscription
	err := s.DB.Tx(ctx, func(tx *gorm.DB) error {
		var n int64
		if err := tx.Table("tenants").Where("id = ?", regionID).Count(&n).Error; err != nil {
			return err
		}
		if n == 0 {
			return fail.NotFoundErr()
		}
		if err := tx.Model(&RegionPlan{}).Where("id = ?", in.PlanID).Count(&n).Error; err != nil {
			return err
		}
		if n == 0 {
			var v fail.Validation
			v.Add("plan_id", "unknown", "ErrBillingPlanUnknown")
			return v.Err()
		}
		if err := tx.Where("region_id = ?", regionID).Limit(1).Find(&sub).Error; err != nil {
			return err
		}
		plan := in.PlanID
		if sub.ID == "" {
			if in.Version != 0 {
				return fail.ConflictErr("ErrBillingStale")
			}
			sub = RegionSubscription{ID: store.NewID(), RegionID: regionID, PlanID: &plan, Status: StatusActive, PublicBody: in.PublicBody, OrgNumber: in.OrgNumber,
				BuyerReference: strings.TrimSpace(in.BuyerReference), BillingEmail: strings.TrimSpace(in.BillingEmail), Version: 1, CreatedAt: now, UpdatedAt: now}
			if err := tx.Create(&sub).Error; err != nil {
				return err
			}
		} else {
			res := tx.Model(&RegionSubscription{}).Where("id = ? AND version = ?", sub.ID, in.Version).Updates(map[string]any{
				"plan_id": plan, "public_body": in.PublicBody, "org_number": in.OrgNumber, "buyer_reference": strings.TrimSpace(in.BuyerReference),
				"billing_email": strings.TrimSpace(in.BillingEmail), "version": sub.Version + 1, "updated_at": now})
			if res.Error != nil {
				return res.Error
			}
			if res.RowsAffected == 0 {
				return fail.ConflictErr("ErrBillingStale")
			}
			if err := tx.Where("id = ?", sub.ID).First(&sub).Error; err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	// The fee is the region's setting, read when billing its members (a
	// tenant row, written in the region's own scope).
	err = s.DB.Tx(store.WithTenant(ctx, regionID), func(tx *gorm.DB) error {
		st, err := s.settingsTx(tx)
		if err != nil {
			return err
		}
		return tx.Model(&RegionSettings{}).Where("id = ?", st.ID).Update("fee_percent", in.FeePercent).Error
	})
	if err != nil {
		return nil, err
	}
	s.syncRegion(ctx, &sub)
	return &sub, nil
}

// syncRegion makes the region's customer and subscription on the
// platform's own provider account (after the commit; a failure is logged
// and retried on the next change): its invoices come back by webhook.
func (s *Service) syncRegion(ctx context.Context, sub *RegionSubscription) {
	if s.Provider == nil || sub.PlanID == nil {
		return
	}
	var plan RegionPlan
	var name string
	if err := s.DB.Read(ctx, func(tx *gorm.DB) error {
		if err := tx.Where("id = ?", *sub.PlanID).First(&plan).Error; err != nil {
			return err
		}
		return tx.Table("tenants").Where("id = ?", sub.RegionID).Pluck("name", &name).Error
	}); err != nil {
		return
	}
	if plan.LicencePriceID == "" {
		ids, err := s.Provider.SyncPlan(ctx, Account{}, PlanSpec{Key: plan.ID, Name: plan.Name, LicenceOre: plan.LicenceOre, Interval: plan.Interval, UnitOre: plan.UnitOre, UnitMilli: 1, ProductID: plan.ProductID})
		if err != nil {
			s.log().Error("billing: region plan not synced", "plan", plan.ID, "err", err)
			return
		}
		plan.ProductID, plan.LicencePriceID = ids.ProductID, ids.LicencePriceID
		_ = s.DB.Tx(ctx, func(tx *gorm.DB) error {
			return tx.Model(&RegionPlan{}).Where("id = ?", plan.ID).Updates(map[string]any{"product_id": ids.ProductID, "licence_price_id": ids.LicencePriceID}).Error
		})
	}
	cust, err := s.Provider.SyncCustomer(ctx, Account{}, Customer{ID: sub.CustomerID, Key: sub.RegionID, Name: name, OrgNumber: sub.OrgNumber, Email: sub.BillingEmail, Reference: sub.BuyerReference})
	if err != nil {
		s.log().Error("billing: region customer not synced", "region", sub.RegionID, "err", err)
		return
	}
	upd := map[string]any{"customer_id": cust}
	pid, err := s.Provider.Subscribe(ctx, Account{}, SubscriptionSpec{ID: sub.ProviderID, Key: sub.ID, CustomerID: cust, LicencePriceID: plan.LicencePriceID})
	if err != nil {
		s.log().Error("billing: region subscription not synced", "region", sub.RegionID, "err", err)
	} else {
		upd["provider_id"] = pid
		sub.ProviderID = pid
	}
	sub.CustomerID = cust
	_ = s.DB.Tx(ctx, func(tx *gorm.DB) error {
		return tx.Model(&RegionSubscription{}).Where("id = ?", sub.ID).Updates(upd).Error
	})
}

// Region returns a region's subscription with the platform (zero when
// none).
func (s *Service) Region(ctx context.Context, regionID string) (*RegionSubscription, error) {
	var sub RegionSubscription
	err := s.DB.Read(ctx, func(tx *gorm.DB) error { return tx.Where("region_id = ?", regionID).Limit(1).Find(&sub).Error })
	return &sub, err
}
