package api

import (
	"github.com/gofiber/fiber/v2"

	"github.com/masseflyt/masseflyt/app"
	"github.com/masseflyt/masseflyt/core/access"
	"github.com/masseflyt/masseflyt/core/climate"
	"github.com/masseflyt/masseflyt/httpx"
	"github.com/masseflyt/masseflyt/request"
	"github.com/masseflyt/masseflyt/route"
)

// climateAPI holds the REST handlers of the climate accounts (issue 14:
// V8, V9, B3).
type climateAPI struct{ s *climate.Service }

// climateQuery documents an account's period and variant.
type climateQuery struct {
	From string `query:"from" doc:"First month, YYYY-MM (Oslo); default: 11 months before to"`
	To   string `query:"to" doc:"Last month, YYYY-MM (Oslo); default: this month"`
	Set  string `query:"set" doc:"A factor set the account was recomputed with, or the one set all its recorded loads used; default: the recorded account (each load's own factor set)"`
}

// ClimatePaths are the account routes' path segments by scope kind.
var ClimatePaths = map[string]string{
	climate.ScopeAgreement: "agreements", climate.ScopeProject: "projects", climate.ScopeOrganization: "organizations",
	climate.ScopeMunicipality: "municipalities", climate.ScopeRegion: "region",
}

func climateRoutes(a *app.App) []route.Route {
	h := &climateAPI{s: a.Climate}
	who := map[string]string{
		climate.ScopeAgreement:    "an agreement (its parties' members; tenant admins and supervisors)",
		climate.ScopeProject:      "a project site, as sender or receiver (its organization's members; tenant admins and supervisors)",
		climate.ScopeOrganization: "an organization, as either party (its members; tenant admins and supervisors)",
		climate.ScopeMunicipality: "a municipality, by kommunenummer of the pickup site (tenant admins and supervisors)",
		climate.ScopeRegion:       "the whole region (tenant admins and supervisors)",
	}
	var out []route.Route
	for _, kind := range climate.Scopes {
		kind := kind
		path := "/climate/" + ClimatePaths[kind]
		if kind != climate.ScopeRegion {
			path += "/:id"
		}
		id := map[string]string{climate.ScopeAgreement: "Agreement", climate.ScopeProject: "Project", climate.ScopeOrganization: "Organization",
			climate.ScopeMunicipality: "Municipality", climate.ScopeRegion: "Region"}[kind]
		out = append(out,
			route.Route{Method: "GET", Path: path, Perm: access.ClimateRead, Handler: func(c *fiber.Ctx) error { return h.get(c, kind) },
				Doc: &route.Doc{ID: "getClimate" + id, Summary: "The climate account of " + who[kind] + " from actual loads: by month and fraction, split by municipality; tonnes, tonnes reused, tonne-km, kg CO2e emitted (well to wheel, empty return included; ISO 14083 / GLEC), the baseline, the saving and the share carried by zero-emission vehicles, and the factor sets used", Tag: "Climate",
					Query: climateQuery{}, Out: climate.Account{}}},
			route.Route{Method: "POST", Path: path + "/recompute", Perm: access.ClimateRecompute, Handler: func(c *fiber.Ctx) error { return h.recompute(c, kind) },
				Doc: &route.Doc{ID: "recomputeClimate" + id, Summary: "Recompute the climate account of " + who[kind] + " with a newer registered factor set (a tenant admin, or an admin of the organization). The recorded account is kept; the recomputed one is shown beside it (set=…), and new loads update both", Tag: "Climate",
					In: climate.RecomputeInput{}, Out: climate.Recompute{}, Example: map[string]any{"factor_set": "defra-2026"}}},
		)
	}
	return out
}

func (h *climateAPI) get(c *fiber.Ctx, kind string) error {
	acc, err := h.s.Get(request.Ctx(c), kind, c.Params("id"), climate.Period{From: c.Query("from"), To: c.Query("to")}, c.Query("set"))
	if err != nil {
		return err
	}
	return c.JSON(acc)
}

func (h *climateAPI) recompute(c *fiber.Ctx, kind string) error {
	var in climate.RecomputeInput
	if err := httpx.DecodeJSON(c, &in); err != nil {
		return err
	}
	r, err := h.s.Recompute(request.Ctx(c), kind, c.Params("id"), in)
	if err != nil {
		return err
	}
	return c.JSON(r)
}
