package billing

import (
	"encoding/json"
	"errors"
	"testing"
	"time"

	"github.com/stripe/stripe-go/v76/webhook"

	"github.com/masseflyt/masseflyt/core/fail"
	"github.com/masseflyt/masseflyt/core/page"
	"github.com/masseflyt/masseflyt/core/store"
	"github.com/masseflyt/masseflyt/internal/storetest"
)

const secret = "whsec_test_masseflyt"

// event is a provider event as Stripe sends it, signed at ts.
func event(t *testing.T, id, typ string, created int64, obj map[string]any, ts time.Time) ([]byte, string) {
	t.Helper()
	b, err := json.Marshal(map[string]any{"id": id, "object": "event", "type": typ, "created": created, "api_version": "2023-10-16",
		"data": map[string]any{"object": obj}})
	if err != nil {
		t.Fatal(err)
	}
	sp := webhook.GenerateTestSignedPayload(&webhook.UnsignedPayload{Payload: b, Secret: secret, Timestamp: ts})
	return b, sp.Header
}

func TestWebhooks(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		w := setup(t, db)
		w.s.WebhookSecret = secret
		p, _ := w.s.SavePlan(w.admin, "", PlanForm{Name: "Standard", LicenceOre: 99000})
		sub, err := w.s.Assign(w.admin, w.orgA, AssignInput{PlanID: p.ID})
		if err != nil {
			t.Fatal(err)
		}
		ctx := storetest.Ctx("")
		now := time.Now()
		inv := func(status string) map[string]any {
			return map[string]any{"id": "in_1", "object": "invoice", "status": status, "customer": sub.CustomerID, "subscription": sub.ProviderID,
				"number": "MF-0001", "subtotal": 99000, "tax": 24750, "total": 123750, "period_start": now.Unix(), "period_end": now.Unix()}
		}
		apply := func(id, typ string, created int64, obj map[string]any) string {
			t.Helper()
			body, sig := event(t, id, typ, created, obj, now)
			out, err := w.s.HandleWebhook(ctx, body, sig)
			if err != nil {
				t.Fatalf("%s: %v", id, err)
			}
			return out
		}

		// A bad signature and a stale timestamp are refused and change nothing.
		body, sig := event(t, "evt_bad", "invoice.payment_failed", 100, inv("open"), now)
		if _, err := w.s.HandleWebhook(ctx, body, sig+"0"); !IsWebhookSignature(err) {
			t.Fatalf("bad signature: %v", err)
		}
		if e, _ := fail.As(func() error { _, err := w.s.HandleWebhook(ctx, body, sig+"0"); return err }()); e == nil || e.Kind != fail.BadRequest {
			t.Fatalf("bad signature kind: %v", e)
		}
		body, sig = event(t, "evt_old", "invoice.payment_failed", 100, inv("open"), now.Add(-301*time.Second))
		if _, err := w.s.HandleWebhook(ctx, body, sig); !IsWebhookSignature(err) {
			t.Fatalf("stale timestamp: %v", err)
		}
		if n := count(t, db, storetest.Ctx(w.tid), &Invoice{}); n != 0 {
			t.Fatalf("refused webhooks wrote %d invoices", n)
		}

		// A failed payment: the invoice and the subscription are "forfalt".
		if out := apply("evt_1", "invoice.payment_failed", 200, inv("open")); out != WebhookApplied {
			t.Fatalf("failed payment: %s", out)
		}
		if due, cons := w.s.PastDue(w.admin, w.orgA); !due || cons != ConsequenceNone {
			t.Fatalf("past due %v %s", due, cons)
		}
		// A replay changes nothing, even after a newer state.
		if out := apply("evt_2", "invoice.paid", 300, inv("paid")); out != WebhookApplied {
			t.Fatalf("paid: %s", out)
		}
		if out := apply("evt_1", "invoice.payment_failed", 200, inv("open")); out != WebhookDuplicate {
			t.Fatalf("replay: %s", out)
		}
		// Out of order: an older event arriving late does not undo the payment.
		if out := apply("evt_0", "invoice.payment_failed", 150, inv("open")); out != WebhookStale {
			t.Fatalf("out of order: %s", out)
		}
		if due, _ := w.s.PastDue(w.admin, w.orgA); due {
			t.Fatal("an old failure made a paid subscription past due")
		}
		invs, _ := items(w.s.Invoices(w.admin, w.orgA, page.Request{}))
		if len(invs) != 1 || invs[0].Status != InvoicePaid || invs[0].TotalOre != 123750 {
			t.Fatalf("invoices %+v", invs)
		}
		// Subscription states, in and out of order.
		subObj := func(st string) map[string]any {
			return map[string]any{"id": sub.ProviderID, "object": "subscription", "status": st}
		}
		if out := apply("evt_3", "customer.subscription.updated", 400, subObj("past_due")); out != WebhookApplied {
			t.Fatalf("subscription: %s", out)
		}
		if out := apply("evt_4", "customer.subscription.updated", 350, subObj("active")); out != WebhookStale {
			t.Fatalf("older subscription event: %s", out)
		}
		if due, _ := w.s.PastDue(w.admin, w.orgA); !due {
			t.Fatal("the newer past_due state was overwritten")
		}
		// An unknown type is recorded and ignored; an unknown object too.
		if out := apply("evt_5", "charge.dispute.created", 500, map[string]any{"id": "dp_1"}); out != WebhookIgnored {
			t.Fatalf("unknown type: %s", out)
		}
		if out := apply("evt_6", "customer.subscription.updated", 500, map[string]any{"id": "sub_other", "status": "active"}); out != WebhookUnknown {
			t.Fatalf("unknown object: %s", out)
		}
		// No secret configured: every webhook is refused.
		w.s.WebhookSecret = ""
		body, sig = event(t, "evt_7", "invoice.paid", 600, inv("paid"), now)
		if _, err := w.s.HandleWebhook(ctx, body, sig); !errors.Is(err, ErrWebhookSignature) {
			t.Fatalf("no secret: %v", err)
		}
	})
}

// TestRegionInvoiceWebhooks: the platform's invoices to a region, from
// invoice events on the platform's own account, are stored with their
// number, period, amount, hosted page and state, once, whatever order the
// events arrive in; the region's admin and the platform admin see them.
func TestRegionInvoiceWebhooks(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		w := setup(t, db)
		w.s.WebhookSecret = secret
		platform := storetest.Ctx("")
		rp, _ := w.s.SaveRegionPlan(platform, PlanForm{Name: "Region", LicenceOre: 2500000})
		rs, err := w.s.SetRegion(platform, w.tid, RegionInput{PlanID: rp.ID})
		if err != nil || rs.ProviderID == "" || rs.CustomerID == "" {
			t.Fatalf("not synced with the provider: %+v %v", rs, err)
		}
		now := time.Now()
		period := now.Add(-30 * 24 * time.Hour).Unix()
		inv := func(status string) map[string]any {
			return map[string]any{"id": "in_region_1", "object": "invoice", "status": status, "customer": rs.CustomerID, "subscription": rs.ProviderID,
				"number": "MF-STRIPE-0001", "subtotal": 2500000, "tax": 625000, "total": 3125000, "period_start": period, "period_end": now.Unix(),
				"hosted_invoice_url": "https://invoice.stripe.com/i/acct_platform/test_1", "due_date": now.Add(14 * 24 * time.Hour).Unix()}
		}
		apply := func(id, typ string, created int64, obj map[string]any) string {
			t.Helper()
			body, sig := event(t, id, typ, created, obj, now)
			out, err := w.s.HandleWebhook(storetest.Ctx(""), body, sig)
			if err != nil {
				t.Fatalf("%s: %v", id, err)
			}
			return out
		}
		// Out of order: paid arrives before created and finalized.
		if out := apply("evt_r3", "invoice.paid", 300, inv("paid")); out != WebhookApplied {
			t.Fatalf("paid: %s", out)
		}
		if out := apply("evt_r1", "invoice.created", 100, inv("draft")); out != WebhookStale {
			t.Fatalf("an older created: %s", out)
		}
		if out := apply("evt_r2", "invoice.payment_failed", 200, inv("open")); out != WebhookStale {
			t.Fatalf("an older failure: %s", out)
		}
		if out := apply("evt_r3", "invoice.paid", 300, inv("paid")); out != WebhookDuplicate {
			t.Fatalf("replay: %s", out)
		}
		list, _ := items(w.s.RegionInvoices(storetest.Ctx(w.tid), w.tid, page.Request{}))
		if len(list) != 1 {
			t.Fatalf("region invoices %+v", list)
		}
		got := list[0]
		if got.Number != "MF-STRIPE-0001" || got.TotalOre != 3125000 || got.Status != InvoicePaid || got.PaidAt == nil ||
			got.HostedURL != "https://invoice.stripe.com/i/acct_platform/test_1" || got.PeriodStart.Unix() != period || got.DueAt == nil {
			t.Fatalf("stored %+v", got)
		}
		// A second invoice fails: the region is past due; a newer payment clears it.
		second := inv("open")
		second["id"], second["number"], second["hosted_invoice_url"] = "in_region_2", "MF-STRIPE-0002", "javascript:alert(1)"
		if out := apply("evt_r4", "invoice.payment_failed", 400, second); out != WebhookApplied {
			t.Fatalf("second: %s", out)
		}
		r, _ := w.s.Region(platform, w.tid)
		if r.Status != StatusPastDue {
			t.Fatalf("region status %s", r.Status)
		}
		all, _ := items(w.s.RegionInvoices(platform, "", page.Request{}))
		if len(all) != 2 || all[0].HostedURL != "" && all[1].HostedURL != "" {
			t.Fatalf("an unsafe hosted address was kept: %+v", all)
		}
		if mine, _ := items(w.s.RegionInvoices(storetest.Ctx(w.rog), w.rog, page.Request{})); len(mine) != 0 {
			t.Fatalf("Rogaland sees %+v", mine)
		}
		// The same event on a connected account is not the platform's.
		body, _ := json.Marshal(map[string]any{"id": "evt_r5", "object": "event", "type": "invoice.paid", "created": 500, "account": "acct_region", "api_version": "2023-10-16",
			"data": map[string]any{"object": second}})
		sig := webhook.GenerateTestSignedPayload(&webhook.UnsignedPayload{Payload: body, Secret: secret, Timestamp: now})
		if out, err := w.s.HandleWebhook(storetest.Ctx(""), body, sig.Header); err != nil || out != WebhookUnknown {
			t.Fatalf("a connected account's invoice: %s %v", out, err)
		}
	})
}
