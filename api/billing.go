package api

import (
	"bytes"
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/masseflyt/masseflyt/app"
	"github.com/masseflyt/masseflyt/billing"
	"github.com/masseflyt/masseflyt/core/access"
	"github.com/masseflyt/masseflyt/core/fail"
	"github.com/masseflyt/masseflyt/core/page"
	"github.com/masseflyt/masseflyt/httpx"
	"github.com/masseflyt/masseflyt/request"
	"github.com/masseflyt/masseflyt/route"
)

// billingAPI holds the REST handlers of subscriptions and usage billing
// (D3, V10, K14).
type billingAPI struct {
	a *app.App
	s *billing.Service
}

type billingPlans struct {
	Items []billing.MemberPlan `json:"items"`
}

type billingSubscriptions struct {
	Items []billing.Subscription `json:"items"`
}

type billingRegionPlans struct {
	Items []billing.RegionPlan `json:"items"`
}

// billingSettingsView is the region's settings with the stuck-usage alarm.
type billingSettingsView struct {
	billing.RegionSettings
	// StaleUsage counts usage unsent for 30 days: the provider refuses
	// meter events older than 35.
	StaleUsage int64 `json:"stale_usage"`
}

// invoicePageQuery pages the invoices of an organization's overview (a
// limit out of 1–200 or a foreign cursor is a 422 naming it).
type invoicePageQuery struct {
	Limit  int    `query:"limit" doc:"The invoices' page size, 1–200 (default 50)"`
	Cursor string `query:"cursor" doc:"invoices_next_cursor of the previous answer"`
}

type billingURL struct {
	URL string `json:"url"`
}

type monthQuery struct {
	Month string `query:"month" doc:"The month (YYYY-MM); this month when left out"`
}

type webhookResult struct {
	Outcome string `json:"outcome" doc:"applied, duplicate, stale, ignored or unknown"`
}

func billingRoutes(a *app.App) []route.Route {
	h := &billingAPI{a: a, s: a.Billing}
	return []route.Route{
		{Method: "GET", Path: "/billing/plans", Perm: access.BillingAdmin, Handler: h.plans,
			Doc: &route.Doc{ID: "listBillingPlans", Summary: "The region's plans for its member organizations (tenant admins)", Tag: "Billing", Out: billingPlans{}}},
		{Method: "POST", Path: "/billing/plans", Perm: access.BillingAdmin, Handler: h.savePlan,
			Doc: &route.Doc{ID: "createBillingPlan", Summary: "Create a plan: a licence per month or year plus a price per transaction (per signed agreement or per tonne), NOK in øre excluding VAT", Tag: "Billing",
				In: billing.PlanForm{}, Out: billing.MemberPlan{}, Status: 201, Example: map[string]any{"name": "Entreprenør", "licence_ore": 99000, "unit_ore": 15000}}},
		{Method: "PUT", Path: "/billing/plans/:id", Perm: access.BillingAdmin, Handler: h.savePlan,
			Doc: &route.Doc{ID: "updateBillingPlan", Summary: "Change a plan at the version read (409 when someone changed it first)", Tag: "Billing", In: billing.PlanForm{}, Out: billing.MemberPlan{}, Errors: []int{409}}},
		{Method: "DELETE", Path: "/billing/plans/:id", Perm: access.BillingAdmin, Handler: h.deletePlan,
			Doc: &route.Doc{ID: "deleteBillingPlan", Summary: "Delete a plan no organization is on or had in the last twelve months, which may still be invoiced (409 when in use)", Tag: "Billing", Status: 204, Errors: []int{409}}},
		{Method: "GET", Path: "/billing/subscriptions", Perm: access.BillingAdmin, Handler: h.subscriptions,
			Doc: &route.Doc{ID: "listBillingSubscriptions", Summary: "Which organizations are on which plan, or free, and their payment state", Tag: "Billing", Out: billingSubscriptions{}}},
		{Method: "PUT", Path: "/billing/organizations/:id/plan", Perm: access.BillingAdmin, Handler: h.assign,
			Doc: &route.Doc{ID: "assignBillingPlan", Summary: "Put an organization on a plan, or make it free, at the version read; a change in the period is prorated", Tag: "Billing",
				In: billing.AssignInput{}, Out: billing.Subscription{}, Errors: []int{409}}},
		{Method: "GET", Path: "/billing/settings", Perm: access.BillingAdmin, Handler: h.settings,
			Doc: &route.Doc{ID: "getBillingSettings", Summary: "The region's billing settings: what counts as a transaction, the consequence of non-payment, Stripe Connect status, usage stuck unsent", Tag: "Billing", Out: billingSettingsView{}}},
		{Method: "PUT", Path: "/billing/settings", Perm: access.BillingAdmin, Handler: h.saveSettings,
			Doc: &route.Doc{ID: "updateBillingSettings", Summary: "Set what counts as a transaction and the consequence of non-payment (registered data is never locked)", Tag: "Billing",
				In: billing.SettingsInput{}, Out: billing.RegionSettings{}, Errors: []int{409}, Example: map[string]any{"metric": "agreed_tonnes", "consequence": "banner"}}},
		{Method: "POST", Path: "/billing/connect", Perm: access.BillingAdmin, Handler: h.connect,
			Doc: &route.Doc{ID: "connectBilling", Summary: "Make the region's Stripe Connect account (once) and get its onboarding link (empty offline)", Tag: "Billing", Out: billingURL{}, Errors: []int{503}}},
		{Method: "GET", Path: "/billing/usage.csv", Perm: access.BillingAdmin, Handler: h.export,
			Doc: &route.Doc{ID: "exportBillingUsage", Summary: "The region's usage in a month per organization (CSV; the same numbers the meter sends, K14)", Tag: "Billing", Query: monthQuery{}, Files: []string{"text/csv"}}},
		{Method: "GET", Path: "/billing/platform-invoice.xml", Perm: access.BillingAdmin, Handler: h.ehf,
			Doc: &route.Doc{ID: "platformInvoiceEHF", Summary: "The platform's invoice to the region for a month as EHF (PEPPOL BIS Billing 3.0 UBL), for a region that is a public body", Tag: "Billing", Query: monthQuery{}, Files: []string{"application/xml"}}},
		{Method: "GET", Path: "/billing/invoices", Perm: access.BillingAdmin, Handler: h.memberInvoices,
			Doc: &route.Doc{ID: "listBillingInvoices", Summary: "The region's invoices to its member organizations, newest first: stored when a month ends (offline provider) or as the provider reports them", Tag: "Billing", Page: billing.InvoiceBounds, Out: page.Page[billing.Invoice]{}}},
		{Method: "GET", Path: "/billing/invoices/:id/pdf", Perm: access.BillingRead, Handler: h.invoicePDF,
			Doc: &route.Doc{ID: "billingInvoicePDF", Summary: "An invoice to a member as PDF (its organization's admins; the region's admins and supervisors)", Tag: "Billing", Files: []string{"application/pdf"}}},
		{Method: "GET", Path: "/billing/invoices/:id/ehf", Perm: access.BillingRead, Handler: h.invoiceEHF,
			Doc: &route.Doc{ID: "billingInvoiceEHF", Summary: "An invoice to a member as EHF (PEPPOL BIS Billing 3.0 UBL), with the buyer's organization number and reference; 409 until the region's organization number is set", Tag: "Billing", Files: []string{"application/xml"}, Errors: []int{409}}},
		{Method: "POST", Path: "/billing/invoices/:id/paid", Perm: access.BillingAdmin, Handler: h.markPaid,
			Doc: &route.Doc{ID: "markBillingInvoicePaid", Summary: "Record that a stored invoice was paid (the offline provider takes no payments); the organization is no longer \"forfalt\" when nothing else is unpaid", Tag: "Billing", Out: billing.Invoice{}, Errors: []int{409}}},
		{Method: "GET", Path: "/billing/platform/invoices", Perm: access.BillingAdmin, Handler: h.regionInvoices,
			Doc: &route.Doc{ID: "listPlatformInvoices", Summary: "The platform's invoices to the region, newest first, with their payment state and the provider's page", Tag: "Billing", Page: billing.InvoiceBounds, Out: page.Page[billing.RegionInvoice]{}}},
		{Method: "GET", Path: "/billing/platform/invoices/:id/pdf", Perm: access.BillingAdmin, Handler: h.regionInvoicePDF,
			Doc: &route.Doc{ID: "platformInvoicePDF", Summary: "A platform invoice to the region as PDF", Tag: "Billing", Files: []string{"application/pdf"}}},
		{Method: "GET", Path: "/billing/platform/invoices/:id/ehf", Perm: access.BillingAdmin, Handler: h.regionInvoiceEHF,
			Doc: &route.Doc{ID: "platformInvoiceStoredEHF", Summary: "A platform invoice to the region as EHF, for a region that is a public body (its organization number and reference)", Tag: "Billing", Files: []string{"application/xml"}, Errors: []int{409}}},
		{Method: "GET", Path: "/billing/organizations/:id", Perm: access.BillingRead, Handler: h.org,
			Doc: &route.Doc{ID: "getOrganizationBilling", Summary: "An organization's plan, usage so far this period, the invoice it makes, a page of its invoices (limit, cursor: invoices_next_cursor) and payment state (its admins; the region's admins and supervisors)", Tag: "Billing", Query: invoicePageQuery{}, Out: billing.Overview{}}},
		{Method: "PUT", Path: "/billing/organizations/:id/contact", Perm: access.BillingUpdate, Handler: h.contact,
			Doc: &route.Doc{ID: "updateBillingContact", Summary: "Change the organization's billing e-mail and invoice reference (its admins)", Tag: "Billing", In: billing.BillingContact{}, Out: billing.Subscription{}, Errors: []int{409}}},
		{Method: "POST", Path: "/billing/organizations/:id/portal", Perm: access.BillingUpdate, Handler: h.portal,
			Doc: &route.Doc{ID: "billingPortal", Summary: "A customer portal session where the organization's admin manages payment methods (empty offline)", Tag: "Billing", Out: billingURL{}, Errors: []int{409, 503}}},
	}
}

// billingPlatformRoutes are the platform admin's: plans for regions, and
// each region's plan.
func billingPlatformRoutes(a *app.App) []route.Route {
	h := &billingAPI{a: a, s: a.Billing}
	return []route.Route{
		{Method: "GET", Path: "/billing/plans", Perm: access.PlatformAdmin, Handler: h.regionPlans,
			Doc: &route.Doc{ID: "listRegionPlans", Summary: "The platform's plans for regions", Tag: "Billing", Out: billingRegionPlans{}}},
		{Method: "POST", Path: "/billing/plans", Perm: access.PlatformAdmin, Handler: h.saveRegionPlan,
			Doc: &route.Doc{ID: "createRegionPlan", Summary: "Create a platform plan for regions (licence per month or year)", Tag: "Billing", In: billing.PlanForm{}, Out: billing.RegionPlan{}, Status: 201,
				Example: map[string]any{"name": "Region", "licence_ore": 2500000, "interval": "month"}}},
		{Method: "GET", Path: "/billing/invoices", Perm: access.PlatformAdmin, Handler: h.allRegionInvoices,
			Doc: &route.Doc{ID: "listAllPlatformInvoices", Summary: "The platform's invoices to every region, newest first", Tag: "Billing", Page: billing.InvoiceBounds, Out: page.Page[billing.RegionInvoice]{}}},
		{Method: "POST", Path: "/billing/invoices/:id/paid", Perm: access.PlatformAdmin, Handler: h.markRegionPaid,
			Doc: &route.Doc{ID: "markPlatformInvoicePaid", Summary: "Record that a region paid a stored platform invoice (offline provider)", Tag: "Billing", Out: billing.RegionInvoice{}, Errors: []int{409}}},
		{Method: "PUT", Path: "/billing/regions/:id", Perm: access.PlatformAdmin, Handler: h.setRegion,
			Doc: &route.Doc{ID: "setRegionPlan", Summary: "Put a region on a platform plan; a public body gets EHF invoices with its organization number and reference; the platform's fee on the region's own invoices", Tag: "Billing",
				In: billing.RegionInput{}, Out: billing.RegionSubscription{}, Errors: []int{409}}},
	}
}

// billingRootRoutes is the provider's webhook: public, no session, a small
// body, the signature checked.
func billingRootRoutes(a *app.App) []route.Route {
	h := &billingAPI{a: a, s: a.Billing}
	return []route.Route{
		{Method: "POST", Path: "/billing/stripe/webhook", Perm: access.Anyone, Handler: h.webhook, BodyLimit: 256 << 10,
			Doc: &route.Doc{ID: "stripeWebhook", Summary: "Stripe's webhook: the Stripe-Signature header is checked (300 s tolerance); each event is applied once, in order of its time", Tag: "Billing",
				RawBody: "application/json", Out: webhookResult{}, Errors: []int{400}}},
	}
}

func (h *billingAPI) plans(c *fiber.Ctx) error {
	ps, err := h.s.Plans(request.Ctx(c))
	if err != nil {
		return err
	}
	return c.JSON(billingPlans{Items: nonNil(ps)})
}

func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

func (h *billingAPI) savePlan(c *fiber.Ctx) error {
	var in billing.PlanForm
	if err := httpx.DecodeJSON(c, &in); err != nil {
		return err
	}
	p, err := h.s.SavePlan(request.Ctx(c), c.Params("id"), in)
	if err != nil {
		return err
	}
	if c.Params("id") == "" {
		c.Status(fiber.StatusCreated)
	}
	return c.JSON(p)
}

func (h *billingAPI) deletePlan(c *fiber.Ctx) error {
	if err := h.s.DeletePlan(request.Ctx(c), c.Params("id")); err != nil {
		return err
	}
	return c.SendStatus(fiber.StatusNoContent)
}

func (h *billingAPI) subscriptions(c *fiber.Ctx) error {
	subs, err := h.s.Subscriptions(request.Ctx(c))
	if err != nil {
		return err
	}
	return c.JSON(billingSubscriptions{Items: nonNil(subs)})
}

func (h *billingAPI) assign(c *fiber.Ctx) error {
	var in billing.AssignInput
	if err := httpx.DecodeJSON(c, &in); err != nil {
		return err
	}
	sub, err := h.s.Assign(request.Ctx(c), c.Params("id"), in)
	if err != nil {
		return err
	}
	return c.JSON(sub)
}

func (h *billingAPI) settings(c *fiber.Ctx) error {
	ctx := request.Ctx(c)
	st, err := h.s.Settings(ctx)
	if err != nil {
		return err
	}
	n, err := h.s.Stale(ctx)
	if err != nil {
		return err
	}
	return c.JSON(billingSettingsView{RegionSettings: *st, StaleUsage: n})
}

func (h *billingAPI) saveSettings(c *fiber.Ctx) error {
	var in billing.SettingsInput
	if err := httpx.DecodeJSON(c, &in); err != nil {
		return err
	}
	st, err := h.s.SaveSettings(request.Ctx(c), in)
	if err != nil {
		return err
	}
	return c.JSON(st)
}

func (h *billingAPI) connect(c *fiber.Ctx) error {
	t := request.Tenant(c)
	u, err := h.s.Connect(request.Ctx(c), t.Name, strings.TrimRight(h.a.Config.PublicURL, "/")+"/t/"+t.Slug+"/billing")
	if err != nil {
		return err
	}
	return c.JSON(billingURL{URL: u})
}

func (h *billingAPI) export(c *fiber.Ctx) error {
	ctx := request.Ctx(c)
	start, err := billing.ParseMonth(c.Query("month"), h.a.DB.Now())
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	if err := h.s.ExportCSV(ctx, &buf, start, billing.PeriodEnd(start)); err != nil {
		return err
	}
	c.Set(fiber.HeaderContentType, "text/csv; charset=utf-8")
	c.Set(fiber.HeaderContentDisposition, `attachment; filename="forbruk-`+request.Tenant(c).Slug+"-"+start.Format("2006-01")+`.csv"`)
	return c.Send(buf.Bytes())
}

func (h *billingAPI) ehf(c *fiber.Ctx) error {
	start, err := billing.ParseMonth(c.Query("month"), h.a.DB.Now())
	if err != nil {
		return err
	}
	t := request.Tenant(c)
	ctx := request.Ctx(c)
	var buf bytes.Buffer
	// The month's stored invoice when it is closed (its number and lines),
	// else the month's licence as it stands.
	if inv, err := h.s.StoredRegionInvoice(ctx, t.ID, start); err != nil {
		return err
	} else if inv != nil {
		if rs, err := h.s.Region(ctx, t.ID); err != nil || !rs.PublicBody {
			return fail.NotFoundErr()
		}
		doc, err := h.s.RegionDocument(ctx, inv, t.Name)
		if err != nil {
			return err
		}
		if err := doc.WriteEHF(&buf); err != nil {
			return err
		}
	} else if err := h.s.RegionInvoiceEHF(ctx, &buf, t.ID, t.Name, start); err != nil {
		return err
	}
	c.Set(fiber.HeaderContentType, "application/xml")
	c.Set(fiber.HeaderContentDisposition, `attachment; filename="ehf-`+t.Slug+"-"+start.Format("2006-01")+`.xml"`)
	return c.Send(buf.Bytes())
}

func (h *billingAPI) org(c *fiber.Ctx) error {
	pr, err := httpx.PageRequest(c, billing.InvoiceBounds)
	if err != nil {
		return err
	}
	o, err := h.s.Overview(request.Ctx(c), c.Params("id"), pr)
	if err != nil {
		return err
	}
	return c.JSON(o)
}

func (h *billingAPI) contact(c *fiber.Ctx) error {
	var in billing.BillingContact
	if err := httpx.DecodeJSON(c, &in); err != nil {
		return err
	}
	sub, err := h.s.UpdateContact(request.Ctx(c), c.Params("id"), in)
	if err != nil {
		return err
	}
	return c.JSON(sub)
}

func (h *billingAPI) portal(c *fiber.Ctx) error {
	t := request.Tenant(c)
	u, err := h.s.Portal(request.Ctx(c), c.Params("id"), strings.TrimRight(h.a.Config.PublicURL, "/")+"/t/"+t.Slug+"/billing")
	if err != nil {
		return err
	}
	return c.JSON(billingURL{URL: u})
}

func (h *billingAPI) regionPlans(c *fiber.Ctx) error {
	ps, err := h.s.RegionPlans(request.Ctx(c))
	if err != nil {
		return err
	}
	return c.JSON(billingRegionPlans{Items: nonNil(ps)})
}

func (h *billingAPI) saveRegionPlan(c *fiber.Ctx) error {
	var in billing.PlanForm
	if err := httpx.DecodeJSON(c, &in); err != nil {
		return err
	}
	p, err := h.s.SaveRegionPlan(request.Ctx(c), in)
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(p)
}

func (h *billingAPI) setRegion(c *fiber.Ctx) error {
	var in billing.RegionInput
	if err := httpx.DecodeJSON(c, &in); err != nil {
		return err
	}
	sub, err := h.s.SetRegion(request.Ctx(c), c.Params("id"), in)
	if err != nil {
		return err
	}
	return c.JSON(sub)
}

func (h *billingAPI) webhook(c *fiber.Ctx) error {
	out, err := h.s.HandleWebhook(c.UserContext(), c.Body(), c.Get("Stripe-Signature"))
	if err != nil {
		if billing.IsWebhookSignature(err) {
			h.a.Log.Warn("billing: webhook refused", "err", err)
		}
		return err
	}
	return c.JSON(webhookResult{Outcome: out})
}

func (h *billingAPI) memberInvoices(c *fiber.Ctx) error {
	pr, err := httpx.PageRequest(c, billing.InvoiceBounds)
	if err != nil {
		return err
	}
	p, err := h.s.MemberInvoices(request.Ctx(c), pr)
	if err != nil {
		return err
	}
	return c.JSON(p)
}

// sendInvoice writes a stored invoice as PDF or EHF.
func sendInvoice(c *fiber.Ctx, doc *billing.Document, format string) error {
	f, err := doc.Attachment(format)
	if err != nil {
		return err
	}
	return httpx.Download(c, f.Filename, f.ContentType, f.Data)
}

func (h *billingAPI) memberInvoiceDoc(c *fiber.Ctx, format string) error {
	ctx := request.Ctx(c)
	inv, err := h.s.Invoice(ctx, c.Params("id"))
	if err != nil {
		return err
	}
	doc, err := h.s.MemberDocument(ctx, inv, request.Tenant(c).Name)
	if err != nil {
		return err
	}
	return sendInvoice(c, doc, format)
}

func (h *billingAPI) invoicePDF(c *fiber.Ctx) error { return h.memberInvoiceDoc(c, "pdf") }
func (h *billingAPI) invoiceEHF(c *fiber.Ctx) error { return h.memberInvoiceDoc(c, "ehf") }

func (h *billingAPI) markPaid(c *fiber.Ctx) error {
	inv, err := h.s.MarkPaid(request.Ctx(c), c.Params("id"))
	if err != nil {
		return err
	}
	return c.JSON(inv)
}

func (h *billingAPI) regionInvoices(c *fiber.Ctx) error {
	pr, err := httpx.PageRequest(c, billing.InvoiceBounds)
	if err != nil {
		return err
	}
	p, err := h.s.RegionInvoices(request.Ctx(c), request.Tenant(c).ID, pr)
	if err != nil {
		return err
	}
	return c.JSON(p)
}

func (h *billingAPI) regionInvoiceDoc(c *fiber.Ctx, format string) error {
	ctx := request.Ctx(c)
	t := request.Tenant(c)
	inv, err := h.s.RegionInvoice(ctx, t.ID, c.Params("id"))
	if err != nil {
		return err
	}
	if format == "ehf" {
		if rs, err := h.s.Region(ctx, t.ID); err != nil || !rs.PublicBody {
			return fail.ConflictErr("ErrBillingNotPublicBody")
		}
	}
	doc, err := h.s.RegionDocument(ctx, inv, t.Name)
	if err != nil {
		return err
	}
	return sendInvoice(c, doc, format)
}

func (h *billingAPI) regionInvoicePDF(c *fiber.Ctx) error { return h.regionInvoiceDoc(c, "pdf") }
func (h *billingAPI) regionInvoiceEHF(c *fiber.Ctx) error { return h.regionInvoiceDoc(c, "ehf") }

func (h *billingAPI) allRegionInvoices(c *fiber.Ctx) error {
	pr, err := httpx.PageRequest(c, billing.InvoiceBounds)
	if err != nil {
		return err
	}
	p, err := h.s.RegionInvoices(request.Ctx(c), "", pr)
	if err != nil {
		return err
	}
	return c.JSON(p)
}

func (h *billingAPI) markRegionPaid(c *fiber.Ctx) error {
	inv, err := h.s.MarkRegionPaid(request.Ctx(c), c.Params("id"))
	if err != nil {
		return err
	}
	return c.JSON(inv)
}
