package app

import (
	"context"

	"gorm.io/gorm"

	"github.com/masseflyt/masseflyt/core/market"
	"github.com/masseflyt/masseflyt/core/store"
)

// DiscoverAll has match discovery run for every open listing of every
// tenant, as publishing them would: each is announced through the outbox
// (listing.published), and the dispatcher runs discovery, notifications
// and mail after the commit, in the background. Matches already stored are
// not found again, so running it twice adds nothing. Used after loading
// data in bulk (the demo seed).
func (a *App) DiscoverAll(ctx context.Context) error {
	for _, t := range a.Tenants.All() {
		tctx := store.WithTenant(ctx, t.ID)
		err := a.DB.Tx(tctx, func(tx *gorm.DB) error {
			var ls []market.Listing
			if err := tx.Model(&market.Listing{}).Select("listings.*, organizations.name AS organization_name").
				Joins("JOIN organizations ON organizations.tenant_id = listings.tenant_id AND organizations.id = listings.organization_id").
				Where("listings.status IN ?", market.OpenStatuses).Order("listings.published_at, listings.id").Find(&ls).Error; err != nil {
				return err
			}
			for i := range ls {
				if ls[i].Open() {
					if err := market.Rediscover(tx, &ls[i]); err != nil {
						return err
					}
				}
			}
			return nil
		})
		if err != nil {
			return err
		}
	}
	return nil
}
