package billing

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"strconv"
	"sync"
	"time"
)

// MeterEventName is the event name of the transactions meter.
const MeterEventName = "masseflyt_transactions"

// Account is whose provider account a call is made on: "" is the
// platform's own account (platform-to-region billing); otherwise a
// region's connected account (the Stripe-Account header), with the
// platform's fee on its invoices.
type Account struct {
	ID         string
	FeePercent float64
}

// PlanSpec is a plan as the provider prices it.
type PlanSpec struct {
	Key        string // our plan ID (metadata)
	Name       string
	LicenceOre int64
	Interval   string
	UnitOre    int64 // per priced unit
	// UnitMilli is how many meter units make one priced unit (1 per
	// agreement; 1000 kg per tonne): the metered price per meter unit is
	// UnitOre / UnitMilli øre.
	UnitMilli int64
	MeterID   string
	ProductID string // the product made before, if any
}

// PlanIDs are the provider's IDs of a plan's product and prices.
type PlanIDs struct{ ProductID, LicencePriceID, UsagePriceID string }

// Customer is an organization (or a region) as the provider's customer.
type Customer struct {
	ID        string // the provider's ID, when made before
	Key       string // our organization (or region) ID
	Name      string
	OrgNumber string
	Email     string
	Reference string
}

// SubscriptionSpec is a subscription to a plan's prices.
type SubscriptionSpec struct {
	ID             string // the provider's ID, when made before
	Key            string // our subscription ID (metadata, idempotency)
	CustomerID     string
	LicencePriceID string
	UsagePriceID   string
}

// MeterEvent is one usage row sent to the provider.
type MeterEvent struct {
	Identifier string // the usage row's ID: the provider deduplicates by it
	CustomerID string
	Value      int64
	Timestamp  time.Time
}

// Provider is a billing provider: billing.local computes everything here;
// billing.stripe keeps customers, prices, subscriptions and meters at Stripe.
type Provider interface {
	// Name is the plugin ID.
	Name() string
	EnsureMeter(ctx context.Context, acct Account, eventName string) (string, error)
	SyncPlan(ctx context.Context, acct Account, p PlanSpec) (PlanIDs, error)
	SyncCustomer(ctx context.Context, acct Account, c Customer) (string, error)
	Subscribe(ctx context.Context, acct Account, s SubscriptionSpec) (string, error)
	// Cancel ends a subscription (the organization was made free or lost
	// its plan), prorated, invoicing what is due now.
	Cancel(ctx context.Context, acct Account, subscriptionID string) error
	// ReportUsage sends one meter event; sending one identifier twice
	// counts once.
	ReportUsage(ctx context.Context, acct Account, e MeterEvent) error
	PortalURL(ctx context.Context, acct Account, customerID, returnURL string) (string, error)
	// ConnectAccount makes a region's connected account.
	ConnectAccount(ctx context.Context, regionName string) (string, error)
	OnboardingLink(ctx context.Context, accountID, returnURL string) (string, error)
}

// Local is the offline provider (billing.local): no network, IDs derived
// from ours, usage counted in memory; invoices are computed by the billing
// domain itself (Preview), so the demo shows billing without keys.
type Local struct{ Fake }

// Name is the plugin ID.
func (*Local) Name() string { return "billing.local" }

// OnboardingLink: the offline provider has nothing to onboard.
func (*Local) OnboardingLink(context.Context, string, string) (string, error) { return "", nil }

// PortalURL: payment methods are not kept offline.
func (*Local) PortalURL(context.Context, Account, string, string) (string, error) { return "", nil }

// Fake records every call (the in-repo fake the totals are tested
// against). Meter events are deduplicated by identifier, as Stripe does.
type Fake struct {
	mu    sync.Mutex
	Calls []string
	// Meter is every distinct identifier's event; Sent counts every call
	// (duplicates included).
	Meter map[string]MeterEvent
	Sent  int
	// Fail, when set, fails ReportUsage for the identifiers it returns true
	// for.
	Fail func(identifier string) error
}

// Name is the plugin ID.
func (*Fake) Name() string { return "billing.fake" }

func localID(prefix string, parts ...string) string {
	h := sha256.New()
	for _, p := range parts {
		h.Write([]byte(p))
		h.Write([]byte{0})
	}
	return prefix + "_" + hex.EncodeToString(h.Sum(nil))[:20]
}

func (f *Fake) record(call string) {
	f.mu.Lock()
	f.Calls = append(f.Calls, call)
	f.mu.Unlock()
}

// EnsureMeter returns the meter's ID.
func (f *Fake) EnsureMeter(_ context.Context, acct Account, name string) (string, error) {
	f.record("meter " + acct.ID + " " + name)
	return localID("mtr", acct.ID, name), nil
}

// SyncPlan returns the plan's product and price IDs.
func (f *Fake) SyncPlan(_ context.Context, acct Account, p PlanSpec) (PlanIDs, error) {
	f.record("plan " + acct.ID + " " + p.Key)
	v := strconv.FormatInt(p.LicenceOre, 10) + p.Interval + strconv.FormatInt(p.UnitOre, 10)
	return PlanIDs{ProductID: localID("prod", acct.ID, p.Key), LicencePriceID: localID("price", acct.ID, p.Key, "licence", v), UsagePriceID: localID("price", acct.ID, p.Key, "usage", v)}, nil
}

// SyncCustomer returns the customer's ID.
func (f *Fake) SyncCustomer(_ context.Context, acct Account, c Customer) (string, error) {
	f.record("customer " + acct.ID + " " + c.Key)
	if c.ID != "" {
		return c.ID, nil
	}
	return localID("cus", acct.ID, c.Key), nil
}

// Subscribe returns the subscription's ID.
func (f *Fake) Subscribe(_ context.Context, acct Account, s SubscriptionSpec) (string, error) {
	f.record("subscription " + acct.ID + " " + s.Key)
	if s.ID != "" {
		return s.ID, nil
	}
	return localID("sub", acct.ID, s.Key), nil
}

// Cancel records the cancellation.
func (f *Fake) Cancel(_ context.Context, acct Account, id string) error {
	f.record("cancel " + acct.ID + " " + id)
	return nil
}

// ReportUsage records a meter event once per identifier.
func (f *Fake) ReportUsage(_ context.Context, acct Account, e MeterEvent) error {
	if f.Fail != nil {
		if err := f.Fail(e.Identifier); err != nil {
			return err
		}
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.Sent++
	if f.Meter == nil {
		f.Meter = map[string]MeterEvent{}
	}
	if _, dup := f.Meter[e.Identifier]; !dup {
		f.Meter[e.Identifier] = e
	}
	return nil
}

// Totals sums the distinct meter events per customer.
func (f *Fake) Totals() map[string]int64 {
	f.mu.Lock()
	defer f.mu.Unlock()
	out := map[string]int64{}
	for _, e := range f.Meter {
		out[e.CustomerID] += e.Value
	}
	return out
}

// PortalURL returns a fake portal address.
func (f *Fake) PortalURL(_ context.Context, acct Account, customerID, returnURL string) (string, error) {
	f.record("portal " + acct.ID + " " + customerID)
	return "https://billing.example/portal/" + customerID, nil
}

// ConnectAccount returns a connected account's ID.
func (f *Fake) ConnectAccount(_ context.Context, name string) (string, error) {
	f.record("account " + name)
	return localID("acct", name), nil
}

// OnboardingLink returns a fake onboarding address.
func (f *Fake) OnboardingLink(_ context.Context, id, returnURL string) (string, error) {
	f.record("onboarding " + id)
	return "https://billing.example/onboarding/" + id, nil
}

var (
	_ Provider = (*Local)(nil)
	_ Provider = (*Fake)(nil)
)

// Counts returns the distinct meter events and all ReportUsage calls.
func (f *Fake) Counts() (distinct, calls int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.Meter), f.Sent
}
