package web

import (
	"bytes"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/masseflyt/masseflyt/billing"
	"github.com/masseflyt/masseflyt/core/access"
	"github.com/masseflyt/masseflyt/core/fail"
	"github.com/masseflyt/masseflyt/core/numfmt"
	"github.com/masseflyt/masseflyt/core/page"
	"github.com/masseflyt/masseflyt/core/store"
	"github.com/masseflyt/masseflyt/httpx"
	"github.com/masseflyt/masseflyt/locales"
	"github.com/masseflyt/masseflyt/request"
	"github.com/masseflyt/masseflyt/route"
)

// Subscriptions and usage billing (D3, V10): the tenant admin's plans,
// assignments, settings and usage export; an organization's admin's plan,
// usage, invoices and billing contact (web/templates/billing*.html).

func (u *UI) billingRoutes(r func(method, path string, perm access.Permission, h fiber.Handler) route.Route) []route.Route {
	return []route.Route{
		r("GET", "/billing", access.BillingRead, u.billingPage),
		r("GET", "/billing/organizations/:id", access.BillingRead, u.billingOrgPage),
		r("POST", "/billing/organizations/:id/contact", access.BillingUpdate, u.billingContact),
		r("POST", "/billing/plans", access.BillingAdmin, u.billingPlanCreate),
		r("POST", "/billing/plans/:id/delete", access.BillingAdmin, u.billingPlanDelete),
		r("POST", "/billing/organizations/:id/plan", access.BillingAdmin, u.billingAssign),
		r("POST", "/billing/settings", access.BillingAdmin, u.billingSettings),
		r("GET", "/billing/usage.csv", access.BillingAdmin, u.billingExport),
		r("POST", "/billing/connect", access.BillingAdmin, u.billingConnect),
		r("GET", "/billing/invoices/:id/pdf", access.BillingRead, u.billingInvoicePDF),
		r("GET", "/billing/invoices/:id/ehf", access.BillingRead, u.billingInvoiceEHF),
		r("POST", "/billing/invoices/:id/paid", access.BillingAdmin, u.billingInvoicePaid),
		r("GET", "/billing/platform/invoices/:id/pdf", access.BillingAdmin, u.billingRegionInvoicePDF),
		r("GET", "/billing/platform/invoices/:id/ehf", access.BillingAdmin, u.billingRegionInvoiceEHF),
	}
}

// BillingData feeds the billing overview.
type BillingData struct {
	CanAdmin     bool
	Plans        []planView
	Roster       []billing.RosterRow
	PlanNames    map[string]string
	Settings     *billing.RegionSettings
	Stale        int64
	Metrics      []string
	Consequences []string
	MyOrgs       []orgChoice
	Month        string
	// Invoices are the region's invoices to its members; PlatformInvoices
	// the platform's to the region (its admins), EHF for a public body.
	Invoices         []invoiceView
	PlatformInvoices []regionInvoiceView
	// InvoicesNext and PlatformNext are the cursors of the lists' next
	// pages (query cursor and pcursor).
	InvoicesNext, PlatformNext string
	PublicBody                 bool
}

type regionInvoiceView struct {
	billing.RegionInvoice
	Total, Period, Due string
	Slug               string
}

type planView struct {
	billing.MemberPlan
	Licence, Unit string
}

// kr writes øre as kroner with two decimals ("1 234,50").
func kr(lang string, ore int64) string { return numfmt.Number(lang, float64(ore)/100, 2) }

func (u *UI) billingData(c *fiber.Ctx) (*BillingData, error) {
	ctx := request.Ctx(c)
	s := u.A.Billing
	d := &BillingData{CanAdmin: request.Can(c, access.BillingAdmin.Object, access.BillingAdmin.Action) && request.Authorize(c, access.BillingAdmin.Object, access.BillingAdmin.Action) == nil,
		Metrics: billing.Metrics, Consequences: billing.Consequences, PlanNames: map[string]string{}, Month: billing.PeriodStart(u.A.DB.Now()).Format("2006-01")}
	loc := httpx.Loc(c)
	lang := loc.Lang
	var err error
	if d.Settings, err = s.Settings(ctx); err != nil {
		return nil, err
	}
	if d.CanAdmin || request.Principal(c).Has("supervisor") {
		plans, err := s.Plans(ctx)
		if err != nil {
			return nil, err
		}
		for _, p := range plans {
			d.Plans = append(d.Plans, planView{MemberPlan: p, Licence: kr(lang, p.LicenceOre), Unit: kr(lang, p.UnitOre)})
			d.PlanNames[p.ID] = p.Name
		}
		if d.Roster, err = s.Roster(ctx); err != nil {
			return nil, err
		}
		if d.Stale, err = s.Stale(ctx); err != nil {
			return nil, err
		}
		invs, err := s.MemberInvoices(ctx, page.Request{Limit: billing.InvoiceBounds.Default, Cursor: c.Query("cursor")})
		if err != nil {
			return nil, err
		}
		for _, inv := range invs.Items {
			d.Invoices = append(d.Invoices, newInvoiceView(loc, inv))
		}
		d.InvoicesNext = invs.NextCursor
	}
	if d.CanAdmin {
		t := request.Tenant(c)
		rinv, err := s.RegionInvoices(ctx, t.ID, page.Request{Limit: billing.InvoiceBounds.Default, Cursor: c.Query("pcursor")})
		if err != nil {
			return nil, err
		}
		for _, inv := range rinv.Items {
			d.PlatformInvoices = append(d.PlatformInvoices, newRegionInvoiceView(loc, inv, t.Slug))
		}
		d.PlatformNext = rinv.NextCursor
		if rs, err := s.Region(ctx, t.ID); err == nil {
			d.PublicBody = rs.PublicBody
		}
	}
	for orgID, role := range request.Principal(c).Orgs {
		if role == "admin" {
			d.MyOrgs = append(d.MyOrgs, orgChoice{ID: orgID, Name: orgName(d.Roster, orgID)})
		}
	}
	return d, nil
}

func orgName(rows []billing.RosterRow, id string) string {
	for _, r := range rows {
		if r.OrgID == id {
			return r.OrgName
		}
	}
	return ""
}

func (u *UI) billingPage(c *fiber.Ctx) error {
	d, err := u.billingData(c)
	if err != nil {
		return err
	}
	// An organization's admin of one organization goes to its page.
	if !d.CanAdmin && len(d.Roster) == 0 && len(d.MyOrgs) == 1 {
		return c.Redirect(dialogBase(c)+"/billing/organizations/"+d.MyOrgs[0].ID, fiber.StatusSeeOther)
	}
	return u.render(c, "billing", u.page(c, httpx.Loc(c).T("BillingTitle"), d))
}

// BillingOrgData feeds an organization's billing page.
type BillingOrgData struct {
	*billing.Overview
	OrgName  string
	CanEdit  bool
	Lines    []lineView
	Net, VAT string
	Total    string
	Licence  string
	Unit     string
	Usage    []usageView
	Invoices []invoiceView
	Period   string
}

type lineView struct{ Text, Quantity, Unit, Price, Amount string }

type usageView struct{ Metric, Quantity string }

type invoiceView struct {
	billing.Invoice
	Total, Period, Due string
}

// monthName names the month starting at start in the page's language (the
// invoice lines themselves stay Norwegian: billing.MonthName).
func monthName(loc *locales.Localizer, start time.Time) string {
	t := numfmt.Local(start)
	return loc.T(fmt.Sprintf("BillingMonth%d", int(t.Month()))) + " " + strconv.Itoa(t.Year())
}

func newInvoiceView(loc *locales.Localizer, inv billing.Invoice) invoiceView {
	v := invoiceView{Invoice: inv, Total: kr(loc.Lang, inv.TotalOre), Period: monthName(loc, inv.PeriodStart)}
	if inv.DueAt != nil {
		v.Due = numfmt.Date(*inv.DueAt)
	}
	return v
}

func newRegionInvoiceView(loc *locales.Localizer, inv billing.RegionInvoice, slug string) regionInvoiceView {
	v := regionInvoiceView{RegionInvoice: inv, Total: kr(loc.Lang, inv.TotalOre), Period: monthName(loc, inv.PeriodStart), Slug: slug}
	if inv.DueAt != nil {
		v.Due = numfmt.Date(*inv.DueAt)
	}
	return v
}

func (u *UI) billingOrgPage(c *fiber.Ctx) error { return u.renderBillingOrg(c, nil) }

func (u *UI) renderBillingOrg(c *fiber.Ctx, formErr error) error {
	ctx := request.Ctx(c)
	orgID := c.Params("id")
	o, err := u.A.Billing.Overview(ctx, orgID, page.Request{Limit: billing.InvoiceBounds.Default, Cursor: c.Query("cursor")})
	if err != nil {
		return err
	}
	loc := httpx.Loc(c)
	lang := loc.Lang
	d := &BillingOrgData{Overview: o, CanEdit: request.CanAdminOrg(c, orgID) && o.Subscription.ID != "", Period: monthName(loc, o.Preview.PeriodStart),
		Net: kr(lang, o.Preview.NetOre), VAT: kr(lang, o.Preview.VATOre), Total: kr(lang, o.Preview.TotalOre)}
	if org, err := u.A.Directory.GetOrg(ctx, orgID); err == nil {
		d.OrgName = org.Name
	}
	if o.Plan != nil {
		d.Licence, d.Unit = kr(lang, o.Plan.LicenceOre), kr(lang, o.Plan.UnitOre)
	}
	for _, l := range o.Preview.Lines {
		d.Lines = append(d.Lines, lineView{Text: l.Text, Quantity: numfmt.Auto(lang, l.Quantity, 3), Unit: l.Unit, Price: kr(lang, l.UnitOre), Amount: kr(lang, l.AmountOre)})
	}
	for _, x := range o.Usage {
		q := strconv.FormatInt(x.Quantity, 10)
		if x.Metric != billing.MetricAgreements {
			q = numfmt.Auto(lang, float64(x.Quantity)/1000, 3)
		}
		d.Usage = append(d.Usage, usageView{Metric: x.Metric, Quantity: q})
	}
	for _, inv := range o.Invoices {
		d.Invoices = append(d.Invoices, newInvoiceView(loc, inv))
	}
	p := u.page(c, httpx.Loc(c).T("BillingOrgTitle", "Org", d.OrgName), d)
	if formErr != nil {
		return u.formFailed(c, "billing_org", p, formErr)
	}
	p.Form["billing_email"], p.Form["invoice_reference"] = o.Subscription.BillingEmail, o.Subscription.InvoiceReference
	return u.render(c, "billing_org", p)
}

func formInt(c *fiber.Ctx, key string) int {
	n, _ := strconv.Atoi(strings.TrimSpace(c.FormValue(key)))
	return n
}

func (u *UI) billingContact(c *fiber.Ctx) error {
	_, err := u.A.Billing.UpdateContact(request.Ctx(c), c.Params("id"), billing.BillingContact{BillingEmail: c.FormValue("billing_email"),
		InvoiceReference: c.FormValue("invoice_reference"), Version: formInt(c, "version")})
	if err != nil {
		if fe, ok := fail.As(err); ok && (fe.Kind == fail.Invalid || fe.Kind == fail.Conflict) {
			return u.renderBillingOrg(c, err)
		}
		return err
	}
	return saved(c, "/billing/organizations/"+c.Params("id"))
}

// kroner reads a price in kroner ("1 234,50") as øre; a bad value is
// reported on field.
func kroner(c *fiber.Ctx, key, field string, v *fail.Validation) int64 {
	s := strings.NewReplacer(" ", "", "\u00a0", "", ",", ".").Replace(strings.TrimSpace(c.FormValue(key)))
	if s == "" {
		return 0
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsNaN(f) || math.IsInf(f, 0) || math.Abs(f) > 1e9 {
		v.Add(field, "number", "ErrBillingPrice")
		return 0
	}
	return int64(math.Round(f * 100))
}

func (u *UI) billingFormFailed(c *fiber.Ctx, err error) error {
	if fe, ok := fail.As(err); !ok || (fe.Kind != fail.Invalid && fe.Kind != fail.Conflict) {
		return err
	}
	d, derr := u.billingData(c)
	if derr != nil {
		return derr
	}
	return u.formFailed(c, "billing", u.page(c, httpx.Loc(c).T("BillingTitle"), d), err)
}

func (u *UI) billingPlanCreate(c *fiber.Ctx) error {
	var v fail.Validation
	in := billing.PlanForm{Name: c.FormValue("name"), Description: c.FormValue("description"), Interval: c.FormValue("interval"), Currency: billing.Currency,
		LicenceOre: kroner(c, "licence_kr", "licence_ore", &v), UnitOre: kroner(c, "unit_kr", "unit_ore", &v)}
	if err := v.Err(); err != nil {
		return u.billingFormFailed(c, err)
	}
	if _, err := u.A.Billing.SavePlan(request.Ctx(c), "", in); err != nil {
		return u.billingFormFailed(c, err)
	}
	return saved(c, "/billing")
}

func (u *UI) billingPlanDelete(c *fiber.Ctx) error {
	if err := u.A.Billing.DeletePlan(request.Ctx(c), c.Params("id")); err != nil {
		return u.billingFormFailed(c, err)
	}
	return saved(c, "/billing")
}

func (u *UI) billingAssign(c *fiber.Ctx) error {
	in := billing.AssignInput{PlanID: c.FormValue("plan_id"), Free: c.FormValue("free") != "", Version: formInt(c, "version")}
	if in.Free {
		in.PlanID = ""
	}
	if _, err := u.A.Billing.Assign(request.Ctx(c), c.Params("id"), in); err != nil {
		return u.billingFormFailed(c, err)
	}
	return saved(c, "/billing")
}

func (u *UI) billingSettings(c *fiber.Ctx) error {
	acct := c.FormValue("account_number")
	in := billing.SettingsInput{Metric: c.FormValue("metric"), Consequence: c.FormValue("consequence"), AccountNumber: &acct, Version: formInt(c, "version")}
	if _, err := u.A.Billing.SaveSettings(request.Ctx(c), in); err != nil {
		return u.billingFormFailed(c, err)
	}
	return saved(c, "/billing")
}

func (u *UI) billingExport(c *fiber.Ctx) error {
	start, err := billing.ParseMonth(c.Query("month"), u.A.DB.Now())
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	if err := u.A.Billing.ExportCSV(request.Ctx(c), &buf, start, billing.PeriodEnd(start)); err != nil {
		return err
	}
	c.Set(fiber.HeaderContentType, "text/csv; charset=utf-8")
	c.Set(fiber.HeaderContentDisposition, `attachment; filename="forbruk-`+request.Tenant(c).Slug+"-"+start.Format("2006-01")+`.csv"`)
	return c.Send(buf.Bytes())
}

// billingConnect makes the region's Stripe Connect account and sends the
// admin to its onboarding (offline: back to the page).
func (u *UI) billingConnect(c *fiber.Ctx) error {
	t := request.Tenant(c)
	link, err := u.A.Billing.Connect(request.Ctx(c), t.Name, strings.TrimRight(u.A.Config.PublicURL, "/")+"/t/"+t.Slug+"/billing")
	if err != nil {
		return u.billingFormFailed(c, err)
	}
	if strings.HasPrefix(link, "https://") {
		return c.Redirect(link, fiber.StatusSeeOther)
	}
	return saved(c, "/billing")
}

// sendBillingDoc writes a stored invoice as PDF or EHF.
func sendBillingDoc(c *fiber.Ctx, doc *billing.Document, format string) error {
	f, err := doc.Attachment(format)
	if err != nil {
		return err
	}
	return httpx.Download(c, f.Filename, f.ContentType, f.Data)
}

func (u *UI) billingInvoiceDoc(c *fiber.Ctx, format string) error {
	ctx := request.Ctx(c)
	inv, err := u.A.Billing.Invoice(ctx, c.Params("id"))
	if err != nil {
		return err
	}
	doc, err := u.A.Billing.MemberDocument(ctx, inv, request.Tenant(c).Name)
	if err != nil {
		return err
	}
	return sendBillingDoc(c, doc, format)
}

func (u *UI) billingInvoicePDF(c *fiber.Ctx) error { return u.billingInvoiceDoc(c, "pdf") }
func (u *UI) billingInvoiceEHF(c *fiber.Ctx) error { return u.billingInvoiceDoc(c, "ehf") }

// billingInvoicePaid records a stored invoice as paid (the region's admin).
func (u *UI) billingInvoicePaid(c *fiber.Ctx) error {
	if _, err := u.A.Billing.MarkPaid(request.Ctx(c), c.Params("id")); err != nil {
		return u.billingFormFailed(c, err)
	}
	return saved(c, "/billing")
}

func (u *UI) billingRegionInvoiceDoc(c *fiber.Ctx, format string) error {
	ctx := request.Ctx(c)
	t := request.Tenant(c)
	inv, err := u.A.Billing.RegionInvoice(ctx, t.ID, c.Params("id"))
	if err != nil {
		return err
	}
	if format == "ehf" {
		if rs, err := u.A.Billing.Region(ctx, t.ID); err != nil || !rs.PublicBody {
			return fail.ConflictErr("ErrBillingNotPublicBody")
		}
	}
	doc, err := u.A.Billing.RegionDocument(ctx, inv, t.Name)
	if err != nil {
		return err
	}
	return sendBillingDoc(c, doc, format)
}

func (u *UI) billingRegionInvoicePDF(c *fiber.Ctx) error { return u.billingRegionInvoiceDoc(c, "pdf") }
func (u *UI) billingRegionInvoiceEHF(c *fiber.Ctx) error { return u.billingRegionInvoiceDoc(c, "ehf") }

// platformBillingPaid records that a region paid a stored platform invoice.
func (u *UI) platformBillingPaid(c *fiber.Ctx) error {
	if _, err := u.A.Billing.MarkRegionPaid(request.Ctx(c), c.Params("id")); err != nil {
		if fe, ok := fail.As(err); ok && fe.Kind == fail.Conflict {
			return u.renderPlatformBilling(c, err)
		}
		return err
	}
	return c.Redirect("/admin/billing?notice=Saved", fiber.StatusSeeOther)
}

// PlatformBillingData feeds the platform admin's billing page: the plans
// for regions, each region's plan with the platform, and the platform's
// invoices to regions.
type PlatformBillingData struct {
	Plans    []regionPlanView
	Regions  []regionRow
	Invoices []regionInvoiceView
	// Next is the cursor of the invoices' next page.
	Next string
}

type regionPlanView struct {
	billing.RegionPlan
	Licence string
}

type regionRow struct {
	ID, Slug, Name string
	Sub            billing.RegionSubscription
	Fee            string
}

func (u *UI) platformBillingData(c *fiber.Ctx) (*PlatformBillingData, error) {
	ctx := request.Ctx(c)
	loc := httpx.Loc(c)
	lang := loc.Lang
	d := &PlatformBillingData{}
	plans, err := u.A.Billing.RegionPlans(ctx)
	if err != nil {
		return nil, err
	}
	for _, p := range plans {
		d.Plans = append(d.Plans, regionPlanView{RegionPlan: p, Licence: kr(lang, p.LicenceOre)})
	}
	for _, t := range u.A.Tenants.All() {
		sub, err := u.A.Billing.Region(ctx, t.ID)
		if err != nil {
			return nil, err
		}
		row := regionRow{ID: t.ID, Slug: t.Slug, Name: t.Name, Sub: *sub}
		// The fee is kept with the region's own settings.
		if st, err := u.A.Billing.Settings(store.WithTenant(ctx, t.ID)); err == nil && st.FeePercent > 0 {
			row.Fee = strconv.FormatFloat(st.FeePercent, 'f', -1, 64)
		}
		d.Regions = append(d.Regions, row)
	}
	invs, err := u.A.Billing.RegionInvoices(ctx, "", page.Request{Limit: billing.InvoiceBounds.Default, Cursor: c.Query("cursor")})
	if err != nil {
		return nil, err
	}
	d.Next = invs.NextCursor
	for _, inv := range invs.Items {
		v := newRegionInvoiceView(loc, inv, "")
		for _, t := range u.A.Tenants.All() {
			if t.ID == inv.RegionID {
				v.Slug, v.RegionName = t.Slug, t.Name
			}
		}
		d.Invoices = append(d.Invoices, v)
	}
	return d, nil
}

func (u *UI) platformBilling(c *fiber.Ctx) error { return u.renderPlatformBilling(c, nil) }

func (u *UI) renderPlatformBilling(c *fiber.Ctx, formErr error) error {
	d, err := u.platformBillingData(c)
	if err != nil {
		return err
	}
	p := u.page(c, httpx.Loc(c).T("BillingPlatformTitle"), d)
	if formErr != nil {
		return u.formFailed(c, "billing_platform", p, formErr)
	}
	return u.render(c, "billing_platform", p)
}

func (u *UI) platformBillingPlan(c *fiber.Ctx) error {
	var v fail.Validation
	in := billing.PlanForm{Name: c.FormValue("name"), Interval: c.FormValue("interval"), LicenceOre: kroner(c, "licence_kr", "licence_ore", &v)}
	err := v.Err()
	if err == nil {
		_, err = u.A.Billing.SaveRegionPlan(request.Ctx(c), in)
	}
	if err != nil {
		if fe, ok := fail.As(err); ok && (fe.Kind == fail.Invalid || fe.Kind == fail.Conflict) {
			return u.renderPlatformBilling(c, err)
		}
		return err
	}
	return c.Redirect("/admin/billing?notice=Saved", fiber.StatusSeeOther)
}

func (u *UI) platformBillingRegion(c *fiber.Ctx) error {
	var v fail.Validation
	fee := 0.0
	if s := strings.TrimSpace(strings.ReplaceAll(c.FormValue("fee_percent"), ",", ".")); s != "" {
		f, err := strconv.ParseFloat(s, 64)
		if err != nil {
			v.Add("fee_percent", "number", "ErrBillingFee")
		}
		fee = f
	}
	in := billing.RegionInput{PlanID: c.FormValue("plan_id"), PublicBody: c.FormValue("public_body") != "", OrgNumber: c.FormValue("org_number"),
		BuyerReference: c.FormValue("buyer_reference"), BillingEmail: c.FormValue("billing_email"), FeePercent: fee, Version: formInt(c, "version")}
	err := v.Err()
	if err == nil {
		_, err = u.A.Billing.SetRegion(request.Ctx(c), c.Params("id"), in)
	}
	if err != nil {
		if fe, ok := fail.As(err); ok && (fe.Kind == fail.Invalid || fe.Kind == fail.Conflict) {
			return u.renderPlatformBilling(c, err)
		}
		return err
	}
	return c.Redirect("/admin/billing?notice=Saved", fiber.StatusSeeOther)
}
