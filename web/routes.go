package web

import (
	"github.com/gofiber/fiber/v2"

	"github.com/masseflyt/masseflyt/app"
	"github.com/masseflyt/masseflyt/core/access"
	"github.com/masseflyt/masseflyt/core/matching"
	"github.com/masseflyt/masseflyt/core/page"
	"github.com/masseflyt/masseflyt/httpx"
	"github.com/masseflyt/masseflyt/request"
	"github.com/masseflyt/masseflyt/route"
)

// Table is the UI: every page and form with its declared permission. The
// region's pages run under /t/{tenant} with tenant resolution,
// authentication and CSRF protection.
func (u *UI) Table() route.Table {
	a := u.A
	r := func(method, path string, p access.Permission, h fiber.Handler) route.Route {
		return route.Route{Method: method, Path: path, Perm: p, Handler: h}
	}
	auth := []fiber.Handler{a.Authenticate}
	// Pages to a logged-in user are private (L9); the UI is rate limited
	// per client address (H1); CSRF tokens are stateless (web/csrf.go): the
	// cookie is checked before the guard, the form field after it.
	private := httpx.PrivateCache(func(c *fiber.Ctx) bool { return !request.Principal(c).Anonymous() }, fiber.HeaderCookie)
	platform := []fiber.Handler{app.RateLimit(a.Config.UIRateLimit), a.Authenticate, private, u.CSRF()}
	upload := a.Config.MaxUpload + httpx.MultipartSlack
	return route.Table{Surface: "ui", Groups: []route.Group{
		{Check: []fiber.Handler{u.CSRFForm()}, Routes: []route.Route{
			{Method: "GET", Path: "/admin", Perm: access.PlatformAdmin, Handler: u.platformPage, Before: platform},
			{Method: "POST", Path: "/admin/tenants", Perm: access.PlatformAdmin, Handler: u.platformCreate, Before: platform},
			{Method: "GET", Path: "/admin/billing", Perm: access.PlatformAdmin, Handler: u.platformBilling, Before: platform}, // web/billing.go
			{Method: "POST", Path: "/admin/billing/plans", Perm: access.PlatformAdmin, Handler: u.platformBillingPlan, Before: platform},
			{Method: "POST", Path: "/admin/billing/regions/:id", Perm: access.PlatformAdmin, Handler: u.platformBillingRegion, Before: platform},
			{Method: "POST", Path: "/admin/billing/invoices/:id/paid", Perm: access.PlatformAdmin, Handler: u.platformBillingPaid, Before: platform},
		}},
		// The Kratos self-service pages (web/selfservice.go).
		u.selfServiceShared(),
		u.selfServiceTenant(),
		{Routes: []route.Route{
			r("GET", "/static/*", access.Anyone, serveStatic),
			r("GET", "/favicon.ico", access.Anyone, func(c *fiber.Ctx) error {
				return c.Redirect(asset("favicon.svg"), fiber.StatusMovedPermanently)
			}),
			{Method: "GET", Path: "/", Perm: access.Anyone, Handler: u.landing, Before: auth},
			r("GET", "/lang/:lang", access.Anyone, u.setLang),
		}},
		{Prefix: "/t/:tenant", Use: []fiber.Handler{app.RateLimit(a.Config.UIRateLimit), a.TenantMiddleware, a.Authenticate, private, u.CSRF()}, Check: []fiber.Handler{u.CSRFForm()}, Routes: append([]route.Route{
			// Front page, branding, directory.
			r("GET", "/", access.DirectoryRead, u.home),
			r("GET", "/theme.css", access.Anyone, u.theme),
			r("GET", "/organizations", access.DirectoryRead, u.orgList),
			r("GET", "/organizations/new", access.DirectoryCreate, u.orgNew),
			r("POST", "/organizations/new", access.DirectoryCreate, u.orgCreate),
			r("GET", "/organizations/:id", access.DirectoryRead, u.orgShow),
			r("GET", "/organizations/:id/edit", access.DirectoryUpdate, u.orgEdit),
			r("POST", "/organizations/:id/edit", access.DirectoryUpdate, u.orgUpdate),
			r("POST", "/organizations/:id/represent", access.MembershipsRequest, u.orgRepresent),
			r("GET", "/organizations/:id/sites/new", access.DirectoryUpdate, u.siteNew),
			r("POST", "/organizations/:id/sites/new", access.DirectoryUpdate, u.siteCreate),
			r("GET", "/organizations/:id/vehicles/new", access.VehiclesCreate, u.vehicleNew),
			r("POST", "/organizations/:id/vehicles/new", access.VehiclesCreate, u.vehicleCreate),
			// Editing and removing a vehicle declare what the API's DELETE
			// /vehicles/:id declares; the domain keeps them to the company's
			// editors. Before /vehicles/:id/:decision, which would take "delete".
			r("GET", "/vehicles/:id/edit", access.DirectoryUpdate, u.vehicleEdit),
			r("POST", "/vehicles/:id/edit", access.DirectoryUpdate, u.vehicleUpdate),
			r("POST", "/vehicles/:id/delete", access.DirectoryUpdate, u.vehicleDelete),
			r("POST", "/vehicles/:id/:decision", access.VehiclesApprove, u.vehicleDecide),
			r("GET", "/organizations/:id/contacts/new", access.ContactsWrite, u.contactNew),
			r("POST", "/organizations/:id/contacts/new", access.ContactsWrite, u.contactCreate),
			r("GET", "/sites", access.DirectoryRead, u.siteList),
			r("GET", "/sites/:id", access.DirectoryRead, u.siteShow),
			r("GET", "/sites/:id/edit", access.DirectoryUpdate, u.siteEdit),
			r("POST", "/sites/:id/edit", access.DirectoryUpdate, u.siteUpdate),
			r("GET", "/sites/:id/delete", access.DirectoryUpdate, u.siteDeleteConfirm),
			r("POST", "/sites/:id/delete", access.DirectoryUpdate, u.siteDelete),
			r("POST", "/sites/:id/permits", access.DirectoryUpdate, u.permitCreate),
			r("GET", "/map", access.DirectoryRead, u.mapPage),
			r("POST", "/memberships/:id/end", access.MembershipsApprove, u.membershipEnd),
			r("POST", "/memberships/:id/:decision", access.MembershipsApprove, u.membershipDecide),
			// The caller's page.
			r("GET", "/me", access.MeRead, u.mePage),
			r("POST", "/me/tokens", access.TokensManage, u.tokenCreate),
			r("POST", "/me/tokens/:id/revoke", access.TokensManage, u.tokenRevoke),
			// Dialogs about masses, the inbox, "Mitt" (web/dialogs.go, web/mine.go).
			r("POST", "/me/mail-preferences", access.NotificationsUpdate, u.mailPreferences),
			r("GET", "/mitt", access.MeRead, u.minePage),
			r("GET", "/inbox", access.NotificationsRead, u.inboxPage),
			r("POST", "/inbox/:id/read", access.NotificationsUpdate, u.inboxRead),
			r("GET", "/dialogs", access.DialogsRead, u.dialogList),
			r("GET", "/dialogs/new", access.DialogsWrite, u.dialogNew),
			r("POST", "/dialogs", access.DialogsWrite, u.dialogCreate),
			r("GET", "/dialogs/:id", access.DialogsRead, u.dialogShow),
			withLimit(r("POST", "/dialogs/:id/messages", access.DialogsWrite, u.dialogPost), upload),
			r("POST", "/dialogs/:id/disclosure", access.DialogsWrite, u.dialogDisclose),
			// Tracked loads, the driver and the gate app (web/loads.go).
			r("GET", "/loads", access.LoadsRead, u.loadList),
			r("GET", "/loads/:id", access.LoadsRead, u.loadShow),
			withLimit(r("POST", "/loads/:id/receipt", access.LoadsReceive, u.loadReceive), 2*a.Config.MaxUpload+httpx.MultipartSlack),
			r("GET", "/load-photos/:id", access.LoadsRead, u.loadPhoto),
			r("GET", "/driver", access.LoadsDrive, u.driver),
			withLimit(r("POST", "/driver/depart", access.LoadsDrive, u.driverDepart), 2*a.Config.MaxUpload+httpx.MultipartSlack),
			r("GET", "/gate", access.LoadsReceive, u.gate),
			r("POST", "/gate/release", access.LoadsReceive, u.gateRelease),
			r("POST", "/gate/codes", access.LoadsReceive, u.gateIssue),
			r("POST", "/loads/:id/sample", access.LoadsReceive, u.loadSample),
			r("GET", "/admin/receipt-templates", access.ReceiptTemplates, u.receiptTemplates), // web/receipt_templates.go
			r("POST", "/admin/receipt-templates", access.ReceiptTemplates, u.receiptTemplateSave),
			r("POST", "/admin/receipt-templates/:id/delete", access.ReceiptTemplates, u.receiptTemplateDelete),
			// Agreements and contract templates (web/agreements.go).
			r("GET", "/agreements", access.AgreementsRead, u.agreementList),
			r("GET", "/agreements/new", access.AgreementsWrite, u.agreementNew),
			r("POST", "/agreements/new", access.AgreementsWrite, u.agreementCreate),
			r("GET", "/agreements/:id", access.AgreementsRead, u.agreementShow),
			r("GET", "/agreements/:id/edit", access.AgreementsWrite, u.agreementEdit),
			r("POST", "/agreements/:id/edit", access.AgreementsWrite, u.agreementUpdate),
			r("POST", "/agreements/:id/propose", access.AgreementsWrite, u.agreementStep("propose")),
			r("POST", "/agreements/:id/accept", access.AgreementsWrite, u.agreementStep("accept")),
			r("POST", "/agreements/:id/sign", access.AgreementsSign, u.agreementStep("sign")),
			r("POST", "/agreements/:id/cancel", access.AgreementsWrite, u.agreementStep("cancel")),
			r("POST", "/agreements/:id/complete", access.AgreementsWrite, u.agreementStep("complete")),
			r("GET", "/agreements/:id/agreement.pdf", access.AgreementsRead, u.agreementPDF),
			r("GET", "/agreements/:id/invoice-basis", access.AgreementsRead, u.agreementBasis),
			// Transport booking and planned transports (web/transport.go).
			r("GET", "/transport", access.Anyone, u.transportOverview), // the public sees the anonymised aggregate
			r("GET", "/agreements/:id/transport", access.TransportRead, u.transportBooking),
			r("POST", "/agreements/:id/transport-requests", access.TransportWrite, u.transportRequestCreate),
			r("POST", "/agreements/:id/transport-orders", access.TransportWrite, u.transportOrderCreate),
			r("GET", "/transport/requests/:id", access.TransportRead, u.transportRequestShow),
			r("POST", "/transport/requests/:id/answer", access.TransportWrite, u.transportAnswer),
			r("POST", "/transport/requests/:id/withdraw", access.TransportWrite, u.transportWithdraw),
			r("GET", "/transport/orders/:id", access.TransportRead, u.transportOrderShow),
			r("POST", "/transport/orders/:id/cancel", access.TransportWrite, u.transportCancel),
			r("GET", "/transport/planned/new", access.TransportWrite, u.transportPlanNew),
			r("POST", "/transport/planned", access.TransportWrite, u.transportPlanCreate),
			r("POST", "/transport/planned/:id/withdraw", access.TransportWrite, u.transportPlanWithdraw),
			r("GET", "/admin/templates", access.TemplatesManage, u.templateList),
			r("GET", "/admin/templates/:id", access.TemplatesManage, u.templateEdit),
			r("POST", "/admin/templates/:id", access.TemplatesManage, u.templateSave),
			// Market.
			r("GET", "/listings", access.ListingsRead, u.listingList),
			r("GET", "/listings/new", access.ListingsCreate, u.listingNew),
			r("POST", "/listings/new", access.ListingsCreate, u.listingCreate),
			r("GET", "/listings/:id", access.ListingsRead, u.listingShow),
			r("GET", "/listings/:id/edit", access.ListingsUpdate, u.listingEdit),
			r("POST", "/listings/:id/edit", access.ListingsUpdate, u.listingUpdate),
			r("POST", "/listings/:id/status/:status", access.ListingsUpdate, u.listingStatus),
			r("POST", "/listings/:id/samples", access.ListingsUpdate, u.listingSample),
			withLimit(r("POST", "/listings/:id/documents", access.ListingsUpdate, u.listingUpload), upload),
			withLimit(r("POST", "/listings/:id/samples/import", access.ListingsUpdate, u.listingImport), a.Market.Limits().MaxFileBytes+httpx.MultipartSlack),
			r("POST", "/listings/:id/dismiss/:counterpart", access.MatchesDismiss, u.listingDismiss),
			r("GET", "/sites/:id/plan", access.DirectoryUpdate, u.planPage),
			r("POST", "/sites/:id/plan", access.ListingsCreate, u.planSave),
			// Public portal, live view, PWA files.
			r("GET", "/statistics", access.StatisticsRead, u.statsPage),
			r("GET", "/live", access.LiveView, u.livePage),
			r("GET", "/live/events", access.LiveView, u.liveEvents),
			r("GET", "/manifest.webmanifest", access.Anyone, u.manifest),
			r("GET", "/sw.js", access.Anyone, u.serviceWorker),
			r("GET", "/offline", access.Anyone, u.offline),
			r("GET", "/icons/:name", access.Anyone, u.icon),
			// Region administration.
			r("GET", "/admin", access.TenantAdmin, u.adminPage),
			r("POST", "/admin/settings", access.TenantAdmin, u.adminSettings),
			r("POST", "/admin/domains/verify", access.TenantAdmin, u.adminVerifyDomain),
			withLimit(r("POST", "/admin/logo", access.TenantAdmin, u.adminLogo), a.Config.MaxLogo+httpx.MultipartSlack),
			r("POST", "/admin/rules", access.TenantAdmin, u.adminRule),
			r("POST", "/admin/assignments", access.TenantAdmin, u.adminAssignment),
			r("POST", "/admin/embedding", access.TenantAdmin, u.adminEmbedding),
			r("GET", "/admin/usage", access.TenantAdmin, u.usagePage), // web/usage.go (K14)
			r("GET", "/admin/usage.csv", access.TenantAdmin, u.usageFile("csv")),
			r("GET", "/admin/usage.xlsx", access.TenantAdmin, u.usageFile("xlsx")),
		}, append(append(u.billingRoutes(r), u.climateRoutes()...), u.reportRoutes()...)...)}, // subscriptions and billing (web/billing.go), climate accounts (web/climate.go), supervision packages (web/reports.go)
	}}
}

// withLimit gives an upload route its body limit.
func withLimit(r route.Route, limit int64) route.Route {
	r.BodyLimit = limit
	return r
}

// Mount serves the UI.
func Mount(a *app.App) {
	u := &UI{A: a}
	a.Errors.HTML = u.errorPage
	a.Mount(u.Table())
}

// notifications is the first page of the caller's notifications for "Min side".
func (u *UI) notifications(c *fiber.Ctx) ([]matching.Notification, error) {
	p, err := u.A.Matching.Notifications(request.Ctx(c), page.Request{Limit: 100})
	return p.Items, err
}
