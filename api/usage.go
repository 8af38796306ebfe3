package api

import (
	"bytes"

	"github.com/gofiber/fiber/v2"

	"github.com/masseflyt/masseflyt/app"
	"github.com/masseflyt/masseflyt/core/access"
	"github.com/masseflyt/masseflyt/core/usage"
	"github.com/masseflyt/masseflyt/httpx"
	"github.com/masseflyt/masseflyt/request"
	"github.com/masseflyt/masseflyt/route"
)

// usageQuery is a usage report's period.
type usageQuery struct {
	From string `query:"from" doc:"First day of the period (YYYY-MM-DD, Europe/Oslo); the first of this month when left out"`
	To   string `query:"to" doc:"Last day of the period, included (YYYY-MM-DD); today when left out. At most 5 years after from"`
}

// usageRoutes are the region's usage for its tenant admin (K14): per
// organization and project and period, agreements, tonnes agreed and
// delivered and loads, the numbers the billing meter counts.
func usageRoutes(a *app.App) []route.Route {
	s := &usage.Service{DB: a.DB}
	report := func(c *fiber.Ctx) (*usage.Report, error) {
		from, to, err := usage.Period(c.Query("from"), c.Query("to"), a.DB.Now())
		if err != nil {
			return nil, err
		}
		return s.Report(request.Ctx(c), from, to)
	}
	file := func(ext, mime string, write func(*bytes.Buffer, *usage.Report, *fiber.Ctx) error) fiber.Handler {
		return func(c *fiber.Ctx) error {
			r, err := report(c)
			if err != nil {
				return err
			}
			var buf bytes.Buffer
			if err := write(&buf, r, c); err != nil {
				return err
			}
			c.Set(fiber.HeaderContentType, mime)
			c.Set(fiber.HeaderContentDisposition, `attachment; filename="`+usage.Filename(request.Tenant(c).Slug, r, ext)+`"`)
			return c.Send(buf.Bytes())
		}
	}
	return []route.Route{
		{Method: "GET", Path: "/usage", Perm: access.TenantAdmin, Handler: func(c *fiber.Ctx) error {
			r, err := report(c)
			if err != nil {
				return err
			}
			return c.JSON(r)
		}, Doc: &route.Doc{ID: "getUsage", Summary: "The region's usage per organization and project in a period (K14): agreements signed, tonnes agreed and delivered, loads received; the numbers the billing meter counts (tenant admins)", Tag: "Billing", Query: usageQuery{}, Out: usage.Report{}}},
		{Method: "GET", Path: "/usage.csv", Perm: access.TenantAdmin, Handler: file("csv", "text/csv; charset=utf-8", func(b *bytes.Buffer, r *usage.Report, c *fiber.Ctx) error {
			return usage.CSV(b, httpx.Loc(c), r)
		}), Doc: &route.Doc{ID: "exportUsageCSV", Summary: "The region's usage per organization and project in a period as CSV (UTF-8 with BOM; semicolons and decimal comma in Norwegian)", Tag: "Billing", Query: usageQuery{}, Files: []string{"text/csv"}}},
		{Method: "GET", Path: "/usage.xlsx", Perm: access.TenantAdmin, Handler: file("xlsx", usage.XLSXType, func(b *bytes.Buffer, r *usage.Report, c *fiber.Ctx) error {
			return usage.XLSX(b, httpx.Loc(c), r)
		}), Doc: &route.Doc{ID: "exportUsageXLSX", Summary: "The region's usage per organization and project in a period as an Excel workbook", Tag: "Billing", Query: usageQuery{}, Files: []string{usage.XLSXType}}},
	}
}
