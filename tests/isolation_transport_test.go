package tests

import (
	"testing"
	"time"

	"github.com/masseflyt/masseflyt/core/store"
	"github.com/masseflyt/masseflyt/core/transport"
	"github.com/masseflyt/masseflyt/internal/apitest"
)

// Transport booking and planned transports' share of the isolation
// suites: tenant A's (Bærum's) request, order with planned loads and plan,
// and tenant B's rows that reference A's through a tenant foreign key.

func init() {
	isolationParts = append(isolationParts, isolationPart{ids: transportIDs, refs: transportRefs, createdOnly: []string{"transport_planned_loads"}})
}

func transportIDs(t *testing.T, e *apitest.Env, ids map[string]string) {
	ag, request, order, plan := transportWorld(e)
	ids["tagreement"] = ag
	ids["requests"], ids["transport_requests"] = request, request
	ids["orders"], ids["transport_orders"] = order, order
	ids["planned"], ids["transport_plans"] = plan, plan
	ids["transport_planned_loads"] = e.FirstID("baerum", "transport_planned_loads", "order_id = ?", order)
}

func transportRefs(t *testing.T, e *apitest.Env, ids map[string]string, refs map[string]any) {
	now := apitest.Now().UTC()
	day := now.Truncate(24 * time.Hour)
	rogOrg := e.OrgID("rogaland", "forus")
	rogSite := e.FirstID("rogaland", "sites", "")
	spec := transport.Spec{DateFrom: day, DateTo: day, LoadsPerDay: 1}
	refs["transport_requests→agreements"] = &transport.Request{ID: store.NewID(), AgreementID: ids["tagreement"], RequesterOrgID: rogOrg, TransporterOrgID: rogOrg,
		PickupSiteID: rogSite, DeliverySiteID: rogSite, Status: transport.RequestPending, Spec: spec, CreatedAt: now, UpdatedAt: now}
	refs["transport_orders→transport_requests"] = &transport.Order{ID: store.NewID(), AgreementID: ids["tagreement"], RequestID: strptr(ids["transport_requests"]), TransporterOrgID: rogOrg,
		SupplierOrgID: rogOrg, ReceiverOrgID: rogOrg, PickupSiteID: rogSite, DeliverySiteID: rogSite, Status: transport.OrderActive, Spec: spec, CreatedAt: now, UpdatedAt: now}
	refs["transport_planned_loads→transport_orders"] = &transport.PlannedLoad{ID: store.NewID(), OrderID: ids["transport_orders"], Day: day, Loads: 1, CreatedAt: now}
	refs["transport_plans→organizations"] = &transport.Schedule{ID: store.NewID(), OrganizationID: ids["organizations"], FromLat: 58.9, FromLon: 5.7, ToLat: 58.9, ToLon: 5.7,
		Fraction: "pukk", DateFrom: day, DateTo: day, LoadsPerDay: 1, Status: transport.PlanActive, CreatedAt: now, UpdatedAt: now}
	refs["transport_plans→sites"] = &transport.Schedule{ID: store.NewID(), OrganizationID: rogOrg, FromSiteID: strptr(ids["sites"]), FromLat: 58.9, FromLon: 5.7, ToLat: 58.9, ToLon: 5.7,
		Fraction: "pukk", DateFrom: day, DateTo: day, LoadsPerDay: 1, Status: transport.PlanActive, CreatedAt: now, UpdatedAt: now}
}

func strptr(s string) *string { return &s }
