package web

import (
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/masseflyt/masseflyt/api"
	"github.com/masseflyt/masseflyt/core/access"
	"github.com/masseflyt/masseflyt/core/directory"
	"github.com/masseflyt/masseflyt/core/fail"
	"github.com/masseflyt/masseflyt/core/numfmt"
	"github.com/masseflyt/masseflyt/core/page"
	"github.com/masseflyt/masseflyt/core/report"
	"github.com/masseflyt/masseflyt/httpx"
	"github.com/masseflyt/masseflyt/request"
	"github.com/masseflyt/masseflyt/route"
)

// The supervision package's pages (issue 14, K12): the download form on a
// project's and an organization's page (templates/_report_form.html), the
// download itself (the ZIP streamed as the API streams it), and the
// reports page, where supervisors pick a period and a project.

// ReportsData feeds the reports page.
type ReportsData struct {
	Projects   []directory.Site
	NextCursor string
	From, To   string
	// Scope is the download a bad period came from (its form is shown again).
	Scope *report.Scope
}

func (u *UI) reportRoutes() []route.Route {
	r := func(method, path string, h fiber.Handler) route.Route {
		return route.Route{Method: method, Path: path, Perm: access.ReportsRead, Handler: h}
	}
	return []route.Route{
		r("GET", "/reports", u.reportsPage),
		r("GET", "/sites/:id/report-package", u.reportPackage(report.KindProject)),
		r("GET", "/organizations/:id/report-package", u.reportPackage(report.KindOrganization)),
	}
}

// defaultPeriod is the form's period: this year to today (Oslo).
func (u *UI) defaultPeriod() (string, string) {
	now := numfmt.Local(u.A.DB.Now())
	return time.Date(now.Year(), 1, 1, 0, 0, 0, 0, numfmt.Oslo).Format("2006-01-02"), now.Format("2006-01-02")
}

func (u *UI) reportsPage(c *fiber.Ctx) error {
	from, to := c.Query("from"), c.Query("to")
	if from == "" && to == "" {
		from, to = u.defaultPeriod()
	}
	return u.renderReports(c, &ReportsData{From: from, To: to}, nil)
}

func (u *UI) renderReports(c *fiber.Ctx, d *ReportsData, err error) error {
	ctx := request.Ctx(c)
	f := directory.SiteFilter{Kind: "project", Page: page.Request{Limit: siteListRows, Cursor: c.Query("cursor")}}
	a := request.Actor(c)
	if !a.IsAdmin() && !a.Principal.Has("supervisor") && len(a.Principal.Orgs) == 1 {
		for id := range a.Principal.Orgs { // a member: its own organization's projects
			f.OrganizationID = id
		}
	}
	sites, lerr := u.A.Directory.ListSites(ctx, f)
	if lerr != nil {
		return lerr
	}
	d.Projects, d.NextCursor = sites.Items, sites.NextCursor
	p := u.page(c, httpx.Loc(c).T("ReportsTitle"), d)
	p.Form["from"], p.Form["to"] = d.From, d.To
	if err != nil {
		if ferr := formErrors(p, err); ferr != nil {
			return ferr
		}
		c.Status(fiber.StatusUnprocessableEntity)
	}
	return u.render(c, "reports", p)
}

// reportPackage streams the package; a bad period shows the form again
// with the field's message (422), other errors the error page.
func (u *UI) reportPackage(kind string) fiber.Handler {
	return func(c *fiber.Ctx) error {
		if c.Query("from") == "" && c.Query("to") == "" {
			from, to := u.defaultPeriod()
			c.Request().URI().QueryArgs().Set("from", from)
			c.Request().URI().QueryArgs().Set("to", to)
		}
		err := api.SendPackage(c, u.A, kind)
		if fe, ok := fail.As(err); ok && fe.Kind == fail.Invalid {
			return u.renderReports(c, &ReportsData{From: c.Query("from"), To: c.Query("to"), Scope: &report.Scope{Kind: kind, ID: c.Params("id")}}, err)
		}
		return err
	}
}
