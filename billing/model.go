// Package billing holds subscriptions and usage billing at two levels: the
// platform bills each region (tenant) for running it, and a region bills its
// member organizations (V10) a licence per plan plus transactions in the
// period. Plans, subscriptions, the usage ledger and invoices live here; a
// Provider (billing.local offline, billing.stripe with Stripe Connect) turns
// them into customers, prices, subscriptions and meter events.
//
// billing is an adapter-level package: it imports core, core never imports
// it. Prices are NOK in øre; VAT is 25 %.
package billing

import (
	"time"

	"github.com/masseflyt/masseflyt/core/store"
)

// Currency is the only currency billed.
const Currency = "NOK"

// VATPercent is the Norwegian standard rate applied to every line.
const VATPercent = 25

// Metrics a region chooses for its members' transactions.
const (
	MetricAgreements = "agreements"      // signed agreements (sealed by both parties)
	MetricTonnes     = "agreed_tonnes"   // agreed tonnes in sealed agreements
	MetricReceived   = "received_tonnes" // tonnes received at the receiving site (loads; later)
)

// Metrics lists the metric names.
var Metrics = []string{MetricAgreements, MetricTonnes, MetricReceived}

// Consequences of non-payment a region chooses. Registered data is never
// locked away, whichever is chosen.
const (
	ConsequenceNone       = "none"        // shown as "forfalt" only
	ConsequenceBanner     = "banner"      // a banner on every page for the organization
	ConsequenceNoListings = "no_listings" // no new listings until paid
)

// Consequences lists the consequence names.
var Consequences = []string{ConsequenceNone, ConsequenceBanner, ConsequenceNoListings}

// Intervals of a licence.
var Intervals = []string{"month", "year"}

// Subscription and invoice states.
const (
	StatusActive    = "active"
	StatusPastDue   = "past_due" // "forfalt"
	StatusCancelled = "cancelled"
	StatusFree      = "free"
	InvoiceOpen     = "open"
	InvoicePaid     = "paid"
	InvoicePastDue  = "past_due"
	InvoiceVoid     = "void"
)

// Plan is a region's plan for its members (a tenant table): a licence per
// interval plus a price per transaction unit (per agreement, or per tonne).
type MemberPlan struct {
	store.TenantRow
	ID          string `gorm:"primaryKey" json:"id"`
	Name        string `json:"name"`
	Description string `json:"description"`
	// LicenceOre is the licence per Interval in øre excluding VAT.
	LicenceOre int64  `json:"licence_ore"`
	Interval   string `gorm:"column:cycle" json:"interval"`
	// UnitOre is the price per transaction unit in øre excluding VAT: per
	// signed agreement, or per tonne.
	UnitOre   int64  `json:"unit_ore"`
	Currency  string `json:"currency"`
	Archived  bool   `json:"archived"`
	Version   int    `json:"version"`
	ProductID string `json:"-"` // the provider's product
	// LicencePriceID and UsagePriceID are the provider's licensed recurring
	// price and its metered price on the region's meter.
	LicencePriceID string    `json:"-"`
	UsagePriceID   string    `json:"-"`
	CreatedAt      time.Time `json:"created_at"`
	UpdatedAt      time.Time `json:"updated_at"`
}

func (MemberPlan) TableName() string { return "billing_plans" }

// Subscription says which plan an organization is on, or that it is free
// (a tenant table, one per organization).
type Subscription struct {
	store.TenantRow
	ID     string  `gorm:"primaryKey" json:"id"`
	OrgID  string  `gorm:"column:org_id" json:"org_id"`
	PlanID *string `json:"plan_id"`
	Free   bool    `json:"free"`
	Status string  `json:"status"`
	// BillingEmail and InvoiceReference are the organization's, set by its
	// admin.
	BillingEmail     string    `json:"billing_email"`
	InvoiceReference string    `json:"invoice_reference"`
	PeriodStart      time.Time `json:"period_start"`
	// PrevPlanID and ChangedAt record the last plan change (shown with the
	// subscription); invoices prorate across every change (PlanChange).
	PrevPlanID *string    `json:"prev_plan_id,omitempty"`
	ChangedAt  *time.Time `json:"changed_at,omitempty"`
	CustomerID string     `json:"-"` // the provider's customer
	ProviderID string     `gorm:"column:provider_id" json:"-"`
	// ProviderAt is the provider's time (Unix seconds) of the last state
	// applied from a webhook: an older event does not overwrite a newer one.
	ProviderAt int64     `json:"-"`
	Version    int       `json:"version"`
	CreatedAt  time.Time `json:"created_at"`
	UpdatedAt  time.Time `json:"updated_at"`

	OrgName string `gorm:"->" json:"org_name,omitempty"`
}

func (Subscription) TableName() string { return "billing_subscriptions" }

// PlanChange is one change of a subscription's plan (a tenant table): the
// plan from At on (nil: free or none). The first is the subscription's
// start; an invoice prorates its month's licence across every change.
type PlanChange struct {
	store.TenantRow
	ID             string    `gorm:"primaryKey" json:"id"`
	SubscriptionID string    `json:"subscription_id"`
	PlanID         *string   `json:"plan_id"`
	At             time.Time `json:"at"`
	CreatedAt      time.Time `json:"created_at"`
}

func (PlanChange) TableName() string { return "billing_plan_changes" }

// Settings are a region's billing settings (a tenant table, one row).
type RegionSettings struct {
	store.TenantRow
	ID          string `gorm:"primaryKey" json:"-"`
	Metric      string `json:"metric"`
	Consequence string `json:"consequence"`
	// ConnectAccount is the region's Stripe Connect account ("" until
	// onboarded); ConnectStatus its onboarding state.
	ConnectAccount string  `json:"connect_account"`
	ConnectStatus  string  `json:"connect_status"`
	FeePercent     float64 `json:"fee_percent"`
	// AccountNumber is the region's bank account (11 digits) its members
	// pay the stored invoices to.
	AccountNumber string    `json:"account_number"`
	MeterID       string    `json:"-"`
	Version       int       `json:"version"`
	UpdatedAt     time.Time `json:"updated_at"`
}

func (RegionSettings) TableName() string { return "billing_settings" }

// Usage is one billable quantity of one organization, from one domain event
// (a tenant table: the ledger). Its ID is the meter event's identifier: the
// outbox event's ID and the organization, so a replayed event writes
// nothing new and a resent meter event is deduplicated by the provider.
// SentAt is the sent marker.
type Usage struct {
	store.TenantRow
	ID          string `gorm:"primaryKey" json:"id"`
	EventID     string `json:"event_id"`
	OrgID       string `gorm:"column:org_id" json:"org_id"`
	AgreementID string `json:"agreement_id"`
	Metric      string `json:"metric"`
	// Quantity in meter units: 1 per agreement; kilograms for tonnes.
	Quantity   int64      `json:"quantity"`
	OccurredAt time.Time  `json:"occurred_at"`
	SentAt     *time.Time `json:"sent_at,omitempty"`
	Attempts   int        `json:"-"`
	NextAt     time.Time  `json:"-"`
	LastError  string     `json:"-"`
	// ClaimedBy and ClaimedUntil are a drainer's lease on the row: another
	// instance does not send it until the lease expires.
	ClaimedBy    string     `json:"-"`
	ClaimedUntil *time.Time `json:"-"`
	CreatedAt    time.Time  `json:"created_at"`
}

func (Usage) TableName() string { return "billing_usage" }

// Invoice is an invoice to a member organization (a tenant table): stored
// by the offline provider when a month closes (ProviderID "", with its
// lines), or as the provider reports it in webhooks.
type Invoice struct {
	store.TenantRow
	ID          string    `gorm:"primaryKey" json:"id"`
	OrgID       string    `gorm:"column:org_id" json:"org_id"`
	Number      string    `json:"number"`
	PeriodStart time.Time `json:"period_start"`
	PeriodEnd   time.Time `json:"period_end"`
	NetOre      int64     `json:"net_ore"`
	VATOre      int64     `json:"vat_ore"`
	TotalOre    int64     `json:"total_ore"`
	Status      string    `json:"status" doc:"open, paid, past_due (\"forfalt\") or void"`
	// Lines are the offline invoice's lines, in Norwegian (none for the
	// provider's invoices: its hosted page has them).
	Lines      LineList   `gorm:"type:text" json:"lines"`
	DueAt      *time.Time `json:"due_at,omitempty"`
	PaidAt     *time.Time `json:"paid_at,omitempty"`
	MailedAt   *time.Time `json:"-"` // the offline invoice's notice was sent
	HostedURL  string     `gorm:"column:hosted_url" json:"hosted_url,omitempty" doc:"The provider's page of the invoice, where it is paid"`
	ProviderID string     `gorm:"column:provider_id" json:"-"`
	ProviderAt int64      `json:"-"`
	CreatedAt  time.Time  `json:"created_at"`
	UpdatedAt  time.Time  `json:"updated_at"`

	OrgName string `gorm:"->" json:"org_name,omitempty"`
}

func (Invoice) TableName() string { return "billing_invoices" }

// RegionInvoice is the platform's invoice to a region (a global table):
// stored by the offline close, or from the provider's webhooks on the
// platform's own account.
type RegionInvoice struct {
	ID          string     `gorm:"primaryKey" json:"id"`
	RegionID    string     `json:"region_id"`
	Number      string     `json:"number"`
	PeriodStart time.Time  `json:"period_start"`
	PeriodEnd   time.Time  `json:"period_end"`
	Lines       LineList   `gorm:"type:text" json:"lines"`
	NetOre      int64      `json:"net_ore"`
	VATOre      int64      `json:"vat_ore"`
	TotalOre    int64      `json:"total_ore"`
	Status      string     `json:"status" doc:"open, paid, past_due (\"forfalt\") or void"`
	DueAt       *time.Time `json:"due_at,omitempty"`
	PaidAt      *time.Time `json:"paid_at,omitempty"`
	MailedAt    *time.Time `json:"-"`
	HostedURL   string     `gorm:"column:hosted_url" json:"hosted_url,omitempty" doc:"The provider's page of the invoice, where it is paid"`
	ProviderID  string     `gorm:"column:provider_id" json:"-"`
	ProviderAt  int64      `json:"-"`
	CreatedAt   time.Time  `json:"created_at"`
	UpdatedAt   time.Time  `json:"updated_at"`

	RegionName string `gorm:"-" json:"region_name,omitempty"`
}

func (RegionInvoice) TableName() string { return "billing_region_invoices" }

// closing records that a month's invoices were made for a scope (a
// region's members, or one region's platform invoice): the row is claimed
// in the transaction that makes them, so they are made once across
// instances (a global table).
type closing struct {
	Scope       string    `gorm:"primaryKey"`
	PeriodStart time.Time `gorm:"primaryKey"`
	Invoices    int
	ClosedAt    time.Time
}

func (closing) TableName() string { return "billing_closings" }

// RegionPlan is a platform plan for regions (a global table).
type RegionPlan struct {
	ID             string    `gorm:"primaryKey" json:"id"`
	Name           string    `json:"name"`
	LicenceOre     int64     `json:"licence_ore"`
	Interval       string    `gorm:"column:cycle" json:"interval"`
	UnitOre        int64     `json:"unit_ore"`
	Currency       string    `json:"currency"`
	Version        int       `json:"version"`
	ProductID      string    `json:"-"`
	LicencePriceID string    `json:"-"`
	CreatedAt      time.Time `json:"created_at"`
	UpdatedAt      time.Time `json:"updated_at"`
}

func (RegionPlan) TableName() string { return "billing_region_plans" }

// RegionSubscription is a region's plan with the platform (a global table,
// one per region). A public body gets its invoices as EHF too.
type RegionSubscription struct {
	ID             string    `gorm:"primaryKey" json:"id"`
	RegionID       string    `json:"region_id"`
	PlanID         *string   `json:"plan_id"`
	Status         string    `json:"status"`
	PublicBody     bool      `json:"public_body"`
	OrgNumber      string    `json:"org_number"`
	BuyerReference string    `json:"buyer_reference"`
	BillingEmail   string    `json:"billing_email"`
	CustomerID     string    `json:"-"`
	ProviderID     string    `gorm:"column:provider_id" json:"-"`
	ProviderAt     int64     `json:"-"`
	Version        int       `json:"version"`
	CreatedAt      time.Time `json:"created_at"`
	UpdatedAt      time.Time `json:"updated_at"`
}

func (RegionSubscription) TableName() string { return "billing_region_subscriptions" }

// webhookEvent records a handled provider event (a global table): a replay
// finds it and changes nothing.
type webhookEvent struct {
	ID         string `gorm:"primaryKey"`
	Type       string
	Account    string
	Outcome    string
	ReceivedAt time.Time
}

func (webhookEvent) TableName() string { return "billing_webhook_events" }

// PlanRef is the plan's ID, or "" for none.
func (s Subscription) PlanRef() string {
	if s.PlanID == nil {
		return ""
	}
	return *s.PlanID
}

// PlanRef is the plan's ID, or "" for none.
func (s RegionSubscription) PlanRef() string {
	if s.PlanID == nil {
		return ""
	}
	return *s.PlanID
}
