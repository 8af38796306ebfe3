package billing

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"time"

	"github.com/stripe/stripe-go/v76"
	"github.com/stripe/stripe-go/v76/webhook"
	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/masseflyt/masseflyt/core/fail"
	"github.com/masseflyt/masseflyt/core/store"
)

// WebhookTolerance is how old a signed webhook may be (Stripe's default).
const WebhookTolerance = 300 * time.Second

// Webhook outcomes.
const (
	WebhookApplied   = "applied"
	WebhookDuplicate = "duplicate" // a replay of an event handled before
	WebhookStale     = "stale"     // older than the state already applied
	WebhookIgnored   = "ignored"   // a type billing does not act on
	WebhookUnknown   = "unknown"   // the object is not ours
)

// ErrWebhookSignature refuses a webhook whose signature or timestamp does
// not check out.
var ErrWebhookSignature = fail.New(fail.BadRequest, "webhook_signature", "ErrBillingWebhookSignature")

// webhookObject is what billing reads of a subscription or invoice.
type webhookObject struct {
	ID           string `json:"id"`
	Object       string `json:"object"`
	Status       string `json:"status"`
	Customer     string `json:"customer"`
	Subscription string `json:"subscription"`
	Number       string `json:"number"`
	Subtotal     int64  `json:"subtotal"`
	Tax          int64  `json:"tax"`
	Total        int64  `json:"total"`
	PeriodStart  int64  `json:"period_start"`
	PeriodEnd    int64  `json:"period_end"`
	Created      int64  `json:"created"`
	HostedURL    string `json:"hosted_invoice_url"`
	DueDate      int64  `json:"due_date"`
}

// HandleWebhook checks a provider webhook's signature (300 s tolerance) and
// applies it once: the event's ID is recorded in the same transaction as
// the change, so a replay changes nothing; an event older than the state
// already applied to its object (out of order) is recorded and skipped.
func (s *Service) HandleWebhook(ctx context.Context, payload []byte, signature string) (string, error) {
	if s.WebhookSecret == "" {
		return "", ErrWebhookSignature
	}
	ev, err := webhook.ConstructEventWithOptions(payload, signature, s.WebhookSecret,
		webhook.ConstructEventOptions{Tolerance: WebhookTolerance, IgnoreAPIVersionMismatch: true})
	if err != nil {
		return "", &fail.Error{Kind: fail.BadRequest, Code: "webhook_signature", MsgID: "ErrBillingWebhookSignature", Err: err}
	}
	return s.applyEvent(ctx, ev)
}

func (s *Service) applyEvent(ctx context.Context, ev stripe.Event) (string, error) {
	sys := store.AllTenants(ctx, "billing: a provider webhook names its object, not its region")
	var obj webhookObject
	if ev.Data != nil && len(ev.Data.Raw) > 0 {
		if err := json.Unmarshal(ev.Data.Raw, &obj); err != nil {
			return "", &fail.Error{Kind: fail.BadRequest, Code: "webhook_payload", MsgID: "ErrBillingWebhookSignature", Err: err}
		}
	}
	outcome := ""
	err := s.DB.Tx(sys, func(tx *gorm.DB) error {
		res := tx.Clauses(clause.OnConflict{DoNothing: true}).Create(&webhookEvent{ID: ev.ID, Type: string(ev.Type), Account: ev.Account, ReceivedAt: s.now()})
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected == 0 {
			outcome = WebhookDuplicate
			return nil
		}
		var err error
		switch ev.Type {
		case "customer.subscription.created", "customer.subscription.updated", "customer.subscription.deleted",
			"customer.subscription.paused", "customer.subscription.resumed":
			outcome, err = s.applySubscription(tx, ev, obj)
		case "invoice.created", "invoice.finalized", "invoice.paid", "invoice.payment_succeeded", "invoice.payment_failed",
			"invoice.voided", "invoice.marked_uncollectible":
			outcome, err = s.applyInvoice(tx, ev, obj)
		case "account.updated":
			outcome, err = s.applyAccount(tx, ev)
		default:
			outcome = WebhookIgnored
		}
		if err != nil {
			return err
		}
		return tx.Model(&webhookEvent{}).Where("id = ?", ev.ID).Update("outcome", outcome).Error
	})
	return outcome, err
}

// subscriptionStatus maps the provider's status to ours.
func subscriptionStatus(st string) string {
	switch st {
	case "past_due", "unpaid", "incomplete":
		return StatusPastDue
	case "canceled", "incomplete_expired":
		return StatusCancelled
	default:
		return StatusActive
	}
}

func (s *Service) applySubscription(tx *gorm.DB, ev stripe.Event, obj webhookObject) (string, error) {
	status := subscriptionStatus(obj.Status)
	if ev.Type == "customer.subscription.deleted" {
		status = StatusCancelled
	}
	now := s.now()
	var sub Subscription
	if err := tx.Where("provider_id = ?", obj.ID).Limit(1).Find(&sub).Error; err != nil {
		return "", err
	}
	if sub.ID != "" {
		if ev.Created < sub.ProviderAt {
			return WebhookStale, nil
		}
		return WebhookApplied, tx.Model(&Subscription{}).Where("tenant_id = ? AND id = ?", sub.TenantID, sub.ID).
			Updates(map[string]any{"status": status, "provider_at": ev.Created, "updated_at": now}).Error
	}
	var rs RegionSubscription
	if err := tx.Where("provider_id = ?", obj.ID).Limit(1).Find(&rs).Error; err != nil {
		return "", err
	}
	if rs.ID == "" {
		return WebhookUnknown, nil
	}
	if ev.Created < rs.ProviderAt {
		return WebhookStale, nil
	}
	return WebhookApplied, tx.Model(&RegionSubscription{}).Where("id = ?", rs.ID).
		Updates(map[string]any{"status": status, "provider_at": ev.Created, "updated_at": now}).Error
}

// invoiceStatus maps an invoice event to our invoice state.
func invoiceStatus(t stripe.EventType, st string) string {
	switch t {
	case "invoice.paid", "invoice.payment_succeeded":
		return InvoicePaid
	case "invoice.payment_failed", "invoice.marked_uncollectible":
		return InvoicePastDue
	case "invoice.voided":
		return InvoiceVoid
	}
	switch st {
	case "paid":
		return InvoicePaid
	case "void":
		return InvoiceVoid
	case "uncollectible":
		return InvoicePastDue
	}
	return InvoiceOpen
}

func (s *Service) applyInvoice(tx *gorm.DB, ev stripe.Event, obj webhookObject) (string, error) {
	var sub Subscription
	q := tx.Where("provider_id = ? AND provider_id <> ''", obj.Subscription)
	if obj.Subscription == "" {
		q = tx.Where("customer_id = ? AND customer_id <> ''", obj.Customer)
	}
	if err := q.Limit(1).Find(&sub).Error; err != nil {
		return "", err
	}
	if sub.ID == "" {
		if ev.Account == "" { // the platform's own account bills regions
			return s.applyRegionInvoice(tx, ev, obj)
		}
		return WebhookUnknown, nil
	}
	status := invoiceStatus(ev.Type, obj.Status)
	now := s.now()
	var inv Invoice
	if err := tx.Where("tenant_id = ? AND provider_id = ?", sub.TenantID, obj.ID).Limit(1).Find(&inv).Error; err != nil {
		return "", err
	}
	if inv.ID != "" && ev.Created < inv.ProviderAt {
		return WebhookStale, nil
	}
	// A paid invoice stays paid whatever arrives after it late.
	if inv.Status == InvoicePaid && status != InvoiceVoid && status != InvoicePaid {
		return WebhookStale, nil
	}
	upd := Invoice{TenantRow: store.TenantRow{TenantID: sub.TenantID}, ID: inv.ID, OrgID: sub.OrgID, Number: obj.Number,
		PeriodStart: time.Unix(obj.PeriodStart, 0).UTC(), PeriodEnd: time.Unix(obj.PeriodEnd, 0).UTC(),
		NetOre: obj.Subtotal, VATOre: obj.Tax, TotalOre: obj.Total, Status: status, HostedURL: safeURL(obj.HostedURL), DueAt: unixPtr(obj.DueDate),
		ProviderID: obj.ID, ProviderAt: ev.Created, CreatedAt: inv.CreatedAt, UpdatedAt: now}
	if inv.ID == "" {
		upd.ID, upd.CreatedAt = store.NewID(), now
		if err := tx.Create(&upd).Error; err != nil {
			return "", err
		}
	} else if err := tx.Model(&Invoice{}).Where("tenant_id = ? AND id = ?", sub.TenantID, inv.ID).Updates(map[string]any{
		"number": obj.Number, "net_ore": obj.Subtotal, "vat_ore": obj.Tax, "total_ore": obj.Total, "status": status, "provider_at": ev.Created, "updated_at": now,
		"hosted_url": keep(safeURL(obj.HostedURL), inv.HostedURL)}).Error; err != nil {
		return "", err
	}
	// The subscription follows its latest invoice: a failed payment makes
	// it "forfalt", a payment makes it active again.
	if ev.Created >= sub.ProviderAt {
		next := ""
		switch status {
		case InvoicePastDue:
			next = StatusPastDue
		case InvoicePaid:
			if sub.Status == StatusPastDue {
				next = StatusActive
			}
		}
		if next != "" {
			if err := tx.Model(&Subscription{}).Where("tenant_id = ? AND id = ?", sub.TenantID, sub.ID).
				Updates(map[string]any{"status": next, "provider_at": ev.Created, "updated_at": now}).Error; err != nil {
				return "", err
			}
		}
	}
	return WebhookApplied, nil
}

// applyRegionInvoice stores the platform's invoice to a region from an
// invoice event on the platform's own account: its number, period, amounts,
// hosted page and state, once per provider invoice, an older event never
// overwriting a newer one and a paid invoice staying paid.
func (s *Service) applyRegionInvoice(tx *gorm.DB, ev stripe.Event, obj webhookObject) (string, error) {
	var rs RegionSubscription
	q := tx.Where("provider_id = ? AND provider_id <> ''", obj.Subscription)
	if obj.Subscription == "" {
		q = tx.Where("customer_id = ? AND customer_id <> ''", obj.Customer)
	}
	if err := q.Limit(1).Find(&rs).Error; err != nil {
		return "", err
	}
	if rs.ID == "" || obj.ID == "" {
		return WebhookUnknown, nil
	}
	status := invoiceStatus(ev.Type, obj.Status)
	now := s.now()
	var inv RegionInvoice
	if err := tx.Where("provider_id = ?", obj.ID).Limit(1).Find(&inv).Error; err != nil {
		return "", err
	}
	if inv.ID != "" && ev.Created < inv.ProviderAt {
		return WebhookStale, nil
	}
	if inv.Status == InvoicePaid && status != InvoiceVoid && status != InvoicePaid {
		return WebhookStale, nil
	}
	var paid any
	if status == InvoicePaid {
		paid = now
	}
	if inv.ID == "" {
		inv = RegionInvoice{ID: store.NewID(), RegionID: rs.RegionID, Number: obj.Number, PeriodStart: time.Unix(obj.PeriodStart, 0).UTC(), PeriodEnd: time.Unix(obj.PeriodEnd, 0).UTC(),
			NetOre: obj.Subtotal, VATOre: obj.Tax, TotalOre: obj.Total, Status: status, DueAt: unixPtr(obj.DueDate), HostedURL: safeURL(obj.HostedURL),
			ProviderID: obj.ID, ProviderAt: ev.Created, CreatedAt: now, UpdatedAt: now}
		if status == InvoicePaid {
			inv.PaidAt = &now
		}
		if err := tx.Create(&inv).Error; err != nil {
			return "", err
		}
	} else {
		upd := map[string]any{"number": keep(obj.Number, inv.Number), "net_ore": obj.Subtotal, "vat_ore": obj.Tax, "total_ore": obj.Total, "status": status,
			"hosted_url": keep(safeURL(obj.HostedURL), inv.HostedURL), "provider_at": ev.Created, "updated_at": now}
		if obj.PeriodStart != 0 {
			upd["period_start"], upd["period_end"] = time.Unix(obj.PeriodStart, 0).UTC(), time.Unix(obj.PeriodEnd, 0).UTC()
		}
		if paid != nil && inv.PaidAt == nil {
			upd["paid_at"] = paid
		}
		if err := tx.Model(&RegionInvoice{}).Where("id = ?", inv.ID).Updates(upd).Error; err != nil {
			return "", err
		}
	}
	if ev.Created >= rs.ProviderAt {
		next := ""
		switch {
		case status == InvoicePastDue:
			next = StatusPastDue
		case status == InvoicePaid && rs.Status == StatusPastDue:
			next = StatusActive
		}
		if next != "" {
			if err := tx.Model(&RegionSubscription{}).Where("id = ?", rs.ID).Updates(map[string]any{"status": next, "provider_at": ev.Created, "updated_at": now}).Error; err != nil {
				return "", err
			}
		}
	}
	return WebhookApplied, nil
}

// safeURL keeps only an https address (the provider's hosted page).
func safeURL(u string) string {
	if len(u) > 2000 || !strings.HasPrefix(u, "https://") {
		return ""
	}
	return u
}

// keep is v, or old when v is empty (a partial event keeps what is known).
func keep(v, old string) string {
	if v == "" {
		return old
	}
	return v
}

func unixPtr(sec int64) *time.Time {
	if sec <= 0 {
		return nil
	}
	t := time.Unix(sec, 0).UTC()
	return &t
}

// applyAccount records a connected account's onboarding state.
func (s *Service) applyAccount(tx *gorm.DB, ev stripe.Event) (string, error) {
	var acct struct {
		ID             string `json:"id"`
		ChargesEnabled bool   `json:"charges_enabled"`
		DetailsDone    bool   `json:"details_submitted"`
	}
	if ev.Data == nil || json.Unmarshal(ev.Data.Raw, &acct) != nil || acct.ID == "" {
		return WebhookIgnored, nil
	}
	status := "pending"
	if acct.ChargesEnabled && acct.DetailsDone {
		status = "active"
	}
	res := tx.Model(&RegionSettings{}).Where("connect_account = ?", acct.ID).Update("connect_status", status)
	if res.Error != nil {
		return "", res.Error
	}
	if res.RowsAffected == 0 {
		return WebhookUnknown, nil
	}
	return WebhookApplied, nil
}

// IsWebhookSignature reports whether err refused a webhook's signature.
func IsWebhookSignature(err error) bool {
	e, ok := fail.As(err)
	return ok && e.Code == "webhook_signature" || errors.Is(err, ErrWebhookSignature)
}
