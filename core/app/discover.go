package app

import (
	"context"

	"github.com/valyala/fasthttp"
	"gorm.io/gorm"

	"github.com/masseflyt/masseflyt/core/auth"
	"github.com/masseflyt/masseflyt/core/httpx"
	"github.com/masseflyt/masseflyt/core/market"
	"github.com/masseflyt/masseflyt/core/request"
	"github.com/masseflyt/masseflyt/core/store"
	"github.com/masseflyt/masseflyt/locales"
)

// DiscoverAll runs match discovery for every open listing of every tenant,
// as publishing them would (matches, notifications, events). Matches
// already stored are not found again, so running it twice adds nothing.
// Used after loading data in bulk (the demo seed).
func (a *App) DiscoverAll(ctx context.Context) error {
	for _, t := range a.Tenants.All() {
		var ls []market.Listing
		tctx := store.WithTenant(ctx, t.ID)
		if err := a.DB.Read(tctx, func(tx *gorm.DB) error {
			return tx.Where("status IN ?", []string{"published", "partly_matched"}).Order("published_at, id").Find(&ls).Error
		}); err != nil {
			return err
		}
		c := a.Fiber.AcquireCtx(&fasthttp.RequestCtx{})
		request.SetTenant(c, t)
		request.SetRoles(c, a.Roles)
		request.SetPrincipal(c, &auth.Principal{Roles: []string{auth.RoleAnonymous, auth.RoleTenantAdmin}})
		httpx.SetLoc(c, locales.New(a.Bundle, t.DefaultLocale))
		c.SetUserContext(tctx)
		for i := range ls {
			if ls[i].Open() {
				a.Matching.Discover(c, &ls[i])
			}
		}
		a.Fiber.ReleaseCtx(c)
	}
	return nil
}
