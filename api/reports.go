package api

import (
	"bufio"

	"github.com/gofiber/fiber/v2"

	"github.com/masseflyt/masseflyt/app"
	"github.com/masseflyt/masseflyt/core/access"
	"github.com/masseflyt/masseflyt/core/page"
	"github.com/masseflyt/masseflyt/core/report"
	"github.com/masseflyt/masseflyt/httpx"
	"github.com/masseflyt/masseflyt/request"
	"github.com/masseflyt/masseflyt/route"
)

// reportsAPI serves the supervision reports (issue 14, K12): per project
// and per organization, for a period, the summary in the shape of a final
// report, the loads (paged) and the package (ZIP, streamed).
type reportsAPI struct {
	a *app.App
}

// reportPeriod documents the reports' period.
type reportPeriod struct {
	From string `query:"from" doc:"First day of the period (YYYY-MM-DD, Oslo time); with to, or neither for this year so far"`
	To   string `query:"to" doc:"Last day of the period, inclusive (YYYY-MM-DD); at most five years after from"`
}

func (h *reportsAPI) svc() *report.Service { return report.New(h.a.DB, h.a.Ledger) }

func reportRoutes(a *app.App) []route.Route {
	h := &reportsAPI{a: a}
	var out []route.Route
	for _, k := range []struct{ kind, path, tag, who string }{
		{report.KindProject, "/reports/projects/:id", "Project", "a project (a site of kind project): the members of its organization and of the parties of its agreements"},
		{report.KindOrganization, "/reports/organizations/:id", "Organization", "an organization: its members"},
	} {
		out = append(out,
			route.Route{Method: "GET", Path: k.path, Perm: access.ReportsRead, Handler: h.summary(k.kind),
				Doc: &route.Doc{ID: "get" + k.tag + "Report", Summary: "The supervision report of " + k.who + ", supervisors and tenant admins: agreements, loads in numbers, quantities per fraction and condition class, where the masses went with the receivers' permits, deviations and interim storage, for a period", Tag: "Reports",
					Query: reportPeriod{}, Out: report.Summary{}, Errors: []int{422}}},
			route.Route{Method: "GET", Path: k.path + "/loads", Perm: access.ReportsRead, Handler: h.loads(k.kind),
				Doc: &route.Doc{ID: "list" + k.tag + "ReportLoads", Summary: "Every load of the report's period (departed in it), oldest first, with both timestamps, vehicle, weights, receipt result, flags and kg CO2e (cursor pagination)", Tag: "Reports",
					Query: reportPeriod{}, Page: report.Bounds, Out: page.Page[report.LoadRow]{}, Errors: []int{422}}},
			route.Route{Method: "GET", Path: k.path + "/package", Perm: access.ReportsRead, Handler: h.pkg(k.kind),
				Doc: &route.Doc{ID: "download" + k.tag + "Package", Summary: "The supervision package (ZIP, streamed): sammendrag.pdf, avtaler.csv/.xlsx, lass.csv/.xlsx, steder.geojson, bevis/ (each agreement's ledger chain, inclusion proofs and signed daily roots) and manifest.json (SHA-256 of every file, the ledger's public keys, signed). Check it offline with `masseflyt verify --package FILE`", Tag: "Reports",
					Query: reportPeriod{}, Files: []string{"application/zip"}, Errors: []int{422}}},
		)
	}
	return out
}

func reportQuery(c *fiber.Ctx, kind string) report.Query {
	return report.Query{Kind: kind, ID: c.Params("id"), From: c.Query("from"), To: c.Query("to")}
}

func (h *reportsAPI) summary(kind string) fiber.Handler {
	return func(c *fiber.Ctx) error {
		sm, err := h.svc().Summary(request.Ctx(c), reportQuery(c, kind))
		if err != nil {
			return err
		}
		return c.JSON(sm)
	}
}

func (h *reportsAPI) loads(kind string) fiber.Handler {
	return func(c *fiber.Ctx) error {
		pr, err := httpx.PageRequest(c, report.Bounds)
		if err != nil {
			return err
		}
		p, err := h.svc().Loads(request.Ctx(c), reportQuery(c, kind), pr)
		if err != nil {
			return err
		}
		return c.JSON(p)
	}
}

func (h *reportsAPI) pkg(kind string) fiber.Handler {
	return func(c *fiber.Ctx) error {
		return SendPackage(c, h.a, kind)
	}
}

// SendPackage resolves the package's scope (answering 4xx as usual) and
// then streams the ZIP to the response; the UI uses it too. An error after
// the first byte is logged (the download breaks off and fails to verify).
func SendPackage(c *fiber.Ctx, a *app.App, kind string) error {
	s := report.New(a.DB, a.Ledger)
	ctx := request.Ctx(c)
	sc, err := s.Resolve(ctx, reportQuery(c, kind))
	if err != nil {
		return err
	}
	lang := httpx.Loc(c).Lang
	c.Set(fiber.HeaderContentType, "application/zip")
	c.Set(fiber.HeaderContentDisposition, `attachment; filename="`+report.FileName(sc)+`"`)
	c.Context().SetBodyStreamWriter(func(w *bufio.Writer) {
		if err := s.Write(ctx, sc, lang, w); err != nil {
			a.Log.Error("supervision package", "err", err, "kind", sc.Kind, "id", sc.ID)
		}
	})
	return nil
}
