package tests

import (
	"testing"

	"gorm.io/gorm"

	"github.com/masseflyt/masseflyt/billing"
	"github.com/masseflyt/masseflyt/core/store"
	"github.com/masseflyt/masseflyt/internal/apitest"
)

// Billing's share of the isolation suites: Bærum's plan, subscriptions,
// settings, a usage row and an invoice (from a signed webhook), and
// Rogaland's rows that would reference them through a tenant foreign key.
// A tenant admin never sees another region's billing.

func init() {
	isolationParts = append(isolationParts, isolationPart{ids: billingIDs, refs: billingRefs, createdOnly: []string{"billing_usage", "billing_plan_changes"}})
}

func billingIDs(t *testing.T, e *apitest.Env, ids map[string]string) {
	b := billingSetup(e)
	s := e.App.Billing
	ctx := e.Ctx("baerum")
	if _, err := s.SaveSettings(ctx, billing.SettingsInput{Metric: billing.MetricAgreements, Consequence: billing.ConsequenceBanner}); err != nil {
		t.Fatal(err)
	}
	if err := s.Record(ctx, "isolation-event", apitest.Now(), billing.AgreementEvent{AgreementID: "isolation-agreement", ByOrgID: b["borg"], ToOrgID: b["bmember"]}); err != nil {
		t.Fatal(err)
	}
	// An invoice as a webhook reports it.
	subID := e.FirstID("baerum", "billing_subscriptions", "org_id = ?", b["borg"])
	inv := &billing.Invoice{ID: store.NewID(), OrgID: b["borg"], Number: "MF-1", PeriodStart: apitest.Now(), PeriodEnd: apitest.Now(), Status: billing.InvoiceOpen, ProviderID: "in_" + subID, CreatedAt: apitest.Now(), UpdatedAt: apitest.Now()}
	if err := e.App.DB.Tx(ctx, func(tx *gorm.DB) error { return tx.Create(inv).Error }); err != nil {
		t.Fatal(err)
	}
	ids["plans"] = b["bplan"]
	ids["billing_plans"] = b["bplan"]
	ids["billing_subscriptions"] = subID
	ids["billing_settings"] = e.FirstID("baerum", "billing_settings", "")
	ids["billing_usage"] = e.FirstID("baerum", "billing_usage", "")
	ids["billing_invoices"] = inv.ID
	ids["billing_plan_changes"] = e.FirstID("baerum", "billing_plan_changes", "subscription_id = ?", subID)
	ids["invoices"] = inv.ID
	e.Settle()
}

func billingRefs(t *testing.T, e *apitest.Env, ids map[string]string, refs map[string]any) {
	now := apitest.Now().UTC()
	forus := e.OrgID("rogaland", "forus")
	plan := ids["billing_plans"]
	refs["billing_subscriptions→organizations"] = &billing.Subscription{ID: store.NewID(), OrgID: ids["organizations"], Status: billing.StatusFree, Free: true, PeriodStart: now, Version: 1, CreatedAt: now, UpdatedAt: now}
	refs["billing_subscriptions→billing_plans"] = &billing.Subscription{ID: store.NewID(), OrgID: forus, PlanID: &plan, Status: billing.StatusActive, PeriodStart: now, Version: 1, CreatedAt: now, UpdatedAt: now}
	refs["billing_usage→organizations"] = &billing.Usage{ID: store.NewID(), EventID: "x", OrgID: ids["organizations"], Metric: billing.MetricAgreements, Quantity: 1, OccurredAt: now, NextAt: now, CreatedAt: now}
	// Rogaland's own subscription, so that the plan is the only reference
	// out of the region.
	rogSub, err := e.App.Billing.Assign(e.Ctx("rogaland"), e.OrgID("rogaland", "jaeren-anlegg"), billing.AssignInput{Free: true})
	if err != nil {
		t.Fatal(err)
	}
	refs["billing_plan_changes→billing_subscriptions"] = &billing.PlanChange{ID: store.NewID(), SubscriptionID: ids["billing_subscriptions"], At: now, CreatedAt: now}
	refs["billing_plan_changes→billing_plans"] = &billing.PlanChange{ID: store.NewID(), SubscriptionID: rogSub.ID, PlanID: &plan, At: now, CreatedAt: now}
	refs["billing_invoices→organizations"] = &billing.Invoice{ID: store.NewID(), OrgID: ids["organizations"], PeriodStart: now, PeriodEnd: now, Status: billing.InvoiceOpen, CreatedAt: now, UpdatedAt: now}
}
