package access

import "sort"

// Permission is what is done to which object: the unit a route declares,
// a role rule allows or denies, and Casbin decides.
type Permission struct{ Object, Action string }

func (p Permission) String() string { return p.Object + ":" + p.Action }

// Anyone marks a route that needs no permission by design (health checks,
// the login page, static files, the OpenAPI document). It is a declaration,
// not a default: a route with the zero Permission is refused at startup.
var Anyone = Permission{Object: "anyone", Action: "any"}

// The permissions. Role rules name them as object and action; the catalogue
// below is what a tenant admin may allow or deny.
var (
	DirectoryRead       = Permission{"directory", "read"}
	DirectoryCreate     = Permission{"directory", "create"}
	DirectoryUpdate     = Permission{"directory", "update"}
	DirectoryDelete     = Permission{"directory", "delete"}
	ContactsRead        = Permission{"contacts", "read"}
	ContactsWrite       = Permission{"contacts", "write"}
	VehiclesCreate      = Permission{"vehicles", "create"}
	VehiclesApprove     = Permission{"vehicles", "approve"}
	MembershipsRequest  = Permission{"memberships", "request"}
	MembershipsRead     = Permission{"memberships", "read"}
	MembershipsApprove  = Permission{"memberships", "approve"}
	TokensManage        = Permission{"tokens", "manage"}
	ListingsRead        = Permission{"listings", "read"}
	ListingsCreate      = Permission{"listings", "create"}
	ListingsUpdate      = Permission{"listings", "update"}
	DocumentsRead       = Permission{"documents", "read"}
	PlansRead           = Permission{"plans", "read"}
	MatchesRead         = Permission{"matches", "read"}
	MatchesDismiss      = Permission{"matches", "dismiss"}
	NotificationsRead   = Permission{"notifications", "read"}
	NotificationsUpdate = Permission{"notifications", "update"}
	MeRead              = Permission{"me", "read"}
	DialogsRead         = Permission{"dialogs", "read"}
	DialogsWrite        = Permission{"dialogs", "write"}
	AgreementsRead      = Permission{"agreements", "read"}
	AgreementsWrite     = Permission{"agreements", "write"}
	AgreementsSign      = Permission{"agreements", "sign"}
	TransportRead       = Permission{"transport", "read"}  // transport requests, orders, plans (K7, K8)
	TransportWrite      = Permission{"transport", "write"} // request, answer, order, own plans
	TemplatesManage     = Permission{"contract_templates", "manage"}
	BillingRead         = Permission{"billing", "read"}   // an organization's plan, usage, invoices
	BillingUpdate       = Permission{"billing", "update"} // its billing e-mail, reference, payment methods
	BillingAdmin        = Permission{"billing", "admin"}  // the region's plans, assignments, settings
	TenantRead          = Permission{"tenant", "read"}
	TenantAdmin         = Permission{"tenant", "admin"}
	StatisticsRead      = Permission{"statistics", "read"}
	LiveView            = Permission{"live", "view"}
	PlatformAdmin       = Permission{"platform", "admin"}

	// Tracked loads (K9, K10): reading one's organizations' loads, a
	// driver's departures, a site's gate (releases and receipts), and the
	// region's receipt check templates.
	LoadsRead        = Permission{"loads", "read"}
	LoadsDrive       = Permission{"loads", "drive"}
	LoadsReceive     = Permission{"loads", "receive"}
	ReceiptTemplates = Permission{"receipt_templates", "manage"}

	// Climate accounts (V8, V9, B3): reading an account (row rules in
	// core/climate) and recomputing one with a newer factor set.
	ClimateRead      = Permission{"climate", "read"}
	ClimateRecompute = Permission{"climate", "recompute"}

	// ReportsRead: the supervision package and report API (K12); the row
	// rule (parties of a project or an organization, supervisors and
	// tenant admins) is core/report's.
	ReportsRead = Permission{"reports", "read"}
)

var catalogue = []Permission{
	DirectoryRead, DirectoryCreate, DirectoryUpdate, DirectoryDelete,
	ContactsRead, ContactsWrite, VehiclesCreate, VehiclesApprove,
	MembershipsRequest, MembershipsRead, MembershipsApprove, TokensManage,
	ListingsRead, ListingsCreate, ListingsUpdate, DocumentsRead, PlansRead, MatchesRead, MatchesDismiss,
	NotificationsRead, NotificationsUpdate, MeRead, TenantRead, TenantAdmin,
	DialogsRead, DialogsWrite,
	AgreementsRead, AgreementsWrite, AgreementsSign, TemplatesManage,
	TransportRead, TransportWrite,
	LoadsRead, LoadsDrive, LoadsReceive, ReceiptTemplates,
	ReportsRead,
	ClimateRead, ClimateRecompute,
	BillingRead, BillingUpdate, BillingAdmin,
	StatisticsRead, LiveView, PlatformAdmin,
}

// Catalogue returns every permission by object, actions sorted.
func Catalogue() map[string][]string {
	out := map[string][]string{}
	for _, p := range catalogue {
		out[p.Object] = append(out[p.Object], p.Action)
	}
	for _, acts := range out {
		sort.Strings(acts)
	}
	return out
}

// Known reports whether p is in the catalogue.
func Known(p Permission) bool {
	for _, q := range catalogue {
		if q == p {
			return true
		}
	}
	return false
}
