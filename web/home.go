package web

import (
	"github.com/gofiber/fiber/v2"

	"github.com/masseflyt/masseflyt/api"
	"github.com/masseflyt/masseflyt/core/directory"
	"github.com/masseflyt/masseflyt/core/market"
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

func (u *UI) home(c *fiber.Ctx) error {
	sum, err := u.A.Directory.Summarize(request.Ctx(c), 6)
	if err != nil {
		return err
	}
	d := HomeData{Orgs: int(sum.Orgs), Transporters: int(sum.Transporters), Projects: int(sum.Projects), Facilities: int(sum.Facilities), Upcoming: sum.Upcoming}
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
