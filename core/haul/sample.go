package haul

import (
	"context"

	"gorm.io/gorm"

	"github.com/masseflyt/masseflyt/core/access"
	"github.com/masseflyt/masseflyt/core/fail"
	"github.com/masseflyt/masseflyt/core/market"
)

// RegisterSample registers the sample taken of a load straight into lab
// results (core/market): on the agreement's listing the receiver's
// organization keeps (its need or capacity), else on any listing of the
// agreement the actor may edit. The load keeps the sample's ID and the step
// goes to the ledger.
func (s *Service) RegisterSample(ctx context.Context, loadID string, in *market.SampleInput) (*market.Sample, error) {
	a := access.From(ctx)
	l, err := s.Get(ctx, loadID)
	if err != nil {
		return nil, err
	}
	if a.Principal.Orgs[l.ReceiverOrgID] == "" {
		return nil, notParty("ErrLoadNotReceiver")
	}
	if !l.Final() || l.Status == StatusRejected {
		return nil, conflict("ErrLoadSampleNotReceived")
	}
	if l.SampleID != "" {
		return nil, conflict("ErrLoadSampleTaken")
	}
	var listings []string
	if err := s.DB.Read(ctx, func(tx *gorm.DB) error {
		var ag struct{ ListingID, CounterpartListingID *string }
		if err := tx.Table("agreements").Select("listing_id, counterpart_listing_id").Where("id = ?", l.AgreementID).Take(&ag).Error; err != nil {
			return err
		}
		for _, id := range []*string{ag.CounterpartListingID, ag.ListingID} {
			if id != nil {
				listings = append(listings, *id)
			}
		}
		return nil
	}); err != nil {
		return nil, err
	}
	if s.Market == nil {
		return nil, fail.NotFoundErr()
	}
	for _, id := range listings {
		if _, err := s.Market.Editable(ctx, id); err != nil {
			continue
		}
		sm, err := s.Market.AddSample(ctx, id, in)
		if err != nil {
			return nil, err
		}
		err = s.DB.Tx(ctx, func(tx *gorm.DB) error {
			res := tx.Model(&Load{}).Where("id = ? AND sample_id = ''", l.ID).Update("sample_id", sm.ID)
			if res.Error != nil {
				return res.Error
			}
			if res.RowsAffected == 0 {
				return conflict("ErrLoadSampleTaken")
			}
			return s.step(tx, l, StepSampled, l.ReceiverOrgID, Where{}, map[string]any{"sample_id": sm.ID, "listing_id": id, "class": sm.Class})
		})
		if err != nil {
			return nil, err
		}
		return sm, nil
	}
	return nil, fail.New(fail.Conflict, "no_listing", "ErrLoadSampleNoListing")
}
