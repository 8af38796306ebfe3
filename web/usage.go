package web

import (
	"bytes"

	"github.com/gofiber/fiber/v2"

	"github.com/masseflyt/masseflyt/core/fail"
	"github.com/masseflyt/masseflyt/core/usage"
	"github.com/masseflyt/masseflyt/httpx"
	"github.com/masseflyt/masseflyt/request"
)

// UsageData feeds the region's usage page (K14).
type UsageData struct {
	R        *usage.Report
	From, To string // the period's days as shown in the form
}

// usagePage is the tenant admin's usage per organization and project in a
// period, with CSV and XLSX downloads.
func (u *UI) usagePage(c *fiber.Ctx) error {
	l := httpx.Loc(c)
	p := u.page(c, l.T("UsageTitle"), nil)
	p.Form["from"], p.Form["to"] = c.Query("from"), c.Query("to")
	from, to, err := usage.Period(c.Query("from"), c.Query("to"), u.A.DB.Now())
	if err != nil {
		if fe, ok := fail.As(err); !ok || fe.Kind != fail.Invalid {
			return err
		}
		p.Data = UsageData{}
		if ferr := formErrors(p, err); ferr != nil {
			return ferr
		}
		c.Status(httpx.AsError(err).Status)
		return u.render(c, "usage", p)
	}
	r, err := (&usage.Service{DB: u.A.DB}).Report(request.Ctx(c), from, to)
	if err != nil {
		return err
	}
	d := UsageData{R: r, From: from.In(usage.Oslo).Format("2006-01-02"), To: to.AddDate(0, 0, -1).In(usage.Oslo).Format("2006-01-02")}
	if p.Form["from"] == "" {
		p.Form["from"] = d.From
	}
	if p.Form["to"] == "" {
		p.Form["to"] = d.To
	}
	p.Data = d
	return u.render(c, "usage", p)
}

// usageFile downloads the usage as CSV or XLSX.
func (u *UI) usageFile(ext string) fiber.Handler {
	return func(c *fiber.Ctx) error {
		from, to, err := usage.Period(c.Query("from"), c.Query("to"), u.A.DB.Now())
		if err != nil {
			return err
		}
		r, err := (&usage.Service{DB: u.A.DB}).Report(request.Ctx(c), from, to)
		if err != nil {
			return err
		}
		var buf bytes.Buffer
		mime := usage.XLSXType
		if ext == "csv" {
			mime = "text/csv; charset=utf-8"
			err = usage.CSV(&buf, httpx.Loc(c), r)
		} else {
			err = usage.XLSX(&buf, httpx.Loc(c), r)
		}
		if err != nil {
			return err
		}
		c.Set(fiber.HeaderContentType, mime)
		c.Set(fiber.HeaderContentDisposition, `attachment; filename="`+usage.Filename(request.Tenant(c).Slug, r, ext)+`"`)
		return c.Send(buf.Bytes())
	}
}
