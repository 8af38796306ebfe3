package web

import (
	"github.com/gofiber/fiber/v2"

	"github.com/masseflyt/masseflyt/api"
	"github.com/masseflyt/masseflyt/core/directory"
	"github.com/masseflyt/masseflyt/core/market"
	"github.com/masseflyt/masseflyt/core/page"
	"github.com/masseflyt/masseflyt/core/stats"
	"github.com/masseflyt/masseflyt/httpx"
	"github.com/masseflyt/masseflyt/request"
)

// HomeData feeds the tenant front page.
type HomeData struct {
	Orgs, Projects, Facilities, Transporters int
	Upcoming                                 []directory.Site
	S                                        *stats.Stats // nil when statistics are not open to the caller
}

// homeCount is how many organizations and sites the front page counts.
const homeCount = 10000

func (u *UI) home(c *fiber.Ctx) error {
	ctx := request.Ctx(c)
	d := HomeData{}
	orgs, err := u.A.Directory.ListOrgs(ctx, directory.OrgFilter{Page: page.Request{Limit: homeCount}})
	if err != nil {
		return err
	}
	d.Orgs = len(orgs.Items)
	for _, o := range orgs.Items {
		if o.HasKind("transporter") {
			d.Transporters++
		}
	}
	sites, err := u.A.Directory.ListSites(ctx, directory.SiteFilter{Page: page.Request{Limit: homeCount}})
	if err != nil {
		return err
	}
	for _, s := range sites.Items {
		if s.Kind == "project" {
			d.Projects++
			if s.Phase != "completed" && len(d.Upcoming) < 6 {
				d.Upcoming = append(d.Upcoming, s)
			}
		} else {
			d.Facilities++
		}
	}
	if request.Authorize(c, "statistics", "read") == nil {
		if d.S, err = api.LocalizedStats(c, u.A.Stats); err != nil {
			return err
		}
	}
	return u.render(c, "home", u.page(c, request.Tenant(c).Name, d))
}

func (u *UI) mapPage(c *fiber.Ctx) error {
	return u.render(c, "map", u.page(c, httpx.Loc(c).T("NavMap"), map[string][]string{"Kinds": market.Kinds, "Fractions": fractionCodes()}))
}
