package directory

import (
	"context"

	"gorm.io/gorm"

	"github.com/masseflyt/masseflyt/core/fail"
	"github.com/masseflyt/masseflyt/core/store"
)

// PermitInput is the body of permit create.
type PermitInput struct {
	Kind                 string   `json:"kind"`
	Authority            string   `json:"authority"`
	Reference            string   `json:"reference"`
	ValidFrom            *string  `json:"valid_from"`
	ValidTo              *string  `json:"valid_to"`
	Fractions            []string `json:"fractions"`
	MaxClass             int      `json:"max_class"`
	AnnualCapacityTonnes float64  `json:"annual_capacity_tonnes"`
}

// CreatePermit adds a mass-handling permit to a site the actor may edit.
func (s *Service) CreatePermit(ctx context.Context, siteID string, in *PermitInput) (*Permit, error) {
	if _, err := s.EditableSite(ctx, siteID); err != nil {
		return nil, err
	}
	v := &fail.Validation{}
	p := &Permit{ID: store.NewID(), SiteID: siteID, Kind: in.Kind, Authority: in.Authority, Reference: in.Reference, MaxClass: in.MaxClass, AnnualCapacityTonnes: in.AnnualCapacityTonnes}
	enum(v, "kind", p.Kind, PermitKinds, true)
	text(v, "authority", &p.Authority, maxName, true)
	text(v, "reference", &p.Reference, maxName, false)
	p.Fractions = enumList(v, "fractions", in.Fractions, Fractions)
	if p.MaxClass < 1 || p.MaxClass > 5 {
		v.Add("max_class", "range", "ErrFieldRange", "Min", 1, "Max", 5)
	}
	nonNegative(v, "annual_capacity_tonnes", p.AnnualCapacityTonnes, maxTonnes)
	p.ValidFrom, _ = parseDate(v, "valid_from", in.ValidFrom)
	p.ValidTo, _ = parseDate(v, "valid_to", in.ValidTo)
	if p.ValidFrom != nil && p.ValidTo != nil && p.ValidTo.Before(*p.ValidFrom) {
		v.Add("valid_to", "date_order", "ErrDateOrder")
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	if err := s.DB.Tx(ctx, func(tx *gorm.DB) error { return tx.Create(p).Error }); err != nil {
		return nil, err
	}
	return p, nil
}

// DeletePermit removes a permit of a site the actor may edit.
func (s *Service) DeletePermit(ctx context.Context, id string) error {
	if err := checkID(id); err != nil {
		return err
	}
	var p Permit
	if err := s.DB.Read(ctx, func(tx *gorm.DB) error { return tx.Where("id = ?", id).Take(&p).Error }); err != nil {
		return store.NotFoundOr(err)
	}
	if _, err := s.EditableSite(ctx, p.SiteID); err != nil {
		return err
	}
	return s.DB.Tx(ctx, func(tx *gorm.DB) error { return tx.Where("id = ?", id).Delete(&Permit{}).Error })
}
