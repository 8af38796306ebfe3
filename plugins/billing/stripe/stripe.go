// Package stripe is the Stripe billing provider (billing.stripe), on
// stripe-go v76 (Billing Meters): customers with the organization number
// and invoice e-mail in metadata, a product per plan with a licensed
// recurring price and a metered price on the region's meter,
// subscriptions, meter events identified by our usage row's ID, the
// customer portal, and Stripe Connect: a connected account per region,
// whose members are billed on behalf of it (the Stripe-Account header)
// with the platform's fee; the platform bills regions on its own account.
//
// Settings: MASSEFLYT_STRIPE_KEY (required), MASSEFLYT_STRIPE_URL (an API
// base such as stripe-mock's; default Stripe's own).
package stripe

import (
	"context"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	sg "github.com/stripe/stripe-go/v76"
	"github.com/stripe/stripe-go/v76/client"

	"github.com/masseflyt/masseflyt/app"
	"github.com/masseflyt/masseflyt/billing"
)

// ID is the plugin's ID.
const ID = "billing.stripe"

func init() {
	app.RegisterModule(app.ModuleInfo{ID: ID, New: func() app.Module { return new(Provider) }})
}

// Provider calls Stripe.
type Provider struct {
	Key        string
	URL        string       // API base; "" is Stripe's
	HTTPClient *http.Client // nil: a client with a 30 s timeout
	api        *client.API

	mu       sync.Mutex
	taxRates map[string]string // the 25 % VAT rate per account ("" the platform's)
}

// Provision reads the settings.
func (p *Provider) Provision(a *app.App) error {
	p.Key = a.Config.Setting("MASSEFLYT_STRIPE_KEY", "")
	p.URL = a.Config.Setting("MASSEFLYT_STRIPE_URL", "")
	return nil
}

// Validate refuses a missing key or a bad URL.
func (p *Provider) Validate() error {
	if !strings.HasPrefix(p.Key, "sk_") && !strings.HasPrefix(p.Key, "rk_") {
		return errors.New("MASSEFLYT_STRIPE_KEY must be a Stripe secret or restricted key (sk_… or rk_…)")
	}
	if p.URL != "" {
		if err := app.CheckURL("MASSEFLYT_STRIPE_URL", p.URL); err != nil {
			return err
		}
	}
	p.Init()
	return nil
}

// Init builds the client (Validate calls it; tests may call it directly).
func (p *Provider) Init() {
	hc := p.HTTPClient
	if hc == nil {
		hc = &http.Client{Timeout: 30 * time.Second}
	}
	cfg := &sg.BackendConfig{HTTPClient: hc, LeveledLogger: &sg.LeveledLogger{Level: sg.LevelError}, MaxNetworkRetries: sg.Int64(2)}
	if p.URL != "" {
		cfg.URL = sg.String(strings.TrimRight(p.URL, "/"))
	}
	p.api = &client.API{}
	p.api.Init(p.Key, &sg.Backends{API: sg.GetBackendWithConfig(sg.APIBackend, cfg),
		Connect: sg.GetBackendWithConfig(sg.ConnectBackend, cfg), Uploads: sg.GetBackendWithConfig(sg.UploadsBackend, cfg)})
}

// Name is the plugin ID.
func (*Provider) Name() string { return ID }

// on makes a call on behalf of a region's connected account ("" is the
// platform's own).
func on(params *sg.Params, ctx context.Context, acct billing.Account, idem string) {
	params.Context = ctx
	if acct.ID != "" {
		params.SetStripeAccount(acct.ID)
	}
	if idem != "" {
		params.SetIdempotencyKey(idem)
	}
}

// EnsureMeter makes the transactions meter: sum of the events' value, the
// customer in payload key stripe_customer_id.
func (p *Provider) EnsureMeter(ctx context.Context, acct billing.Account, eventName string) (string, error) {
	params := &sg.BillingMeterParams{
		DisplayName: sg.String("Masseflyt-transaksjoner"), EventName: sg.String(eventName),
		DefaultAggregation: &sg.BillingMeterDefaultAggregationParams{Formula: sg.String("sum")},
		CustomerMapping:    &sg.BillingMeterCustomerMappingParams{Type: sg.String("by_id"), EventPayloadKey: sg.String("stripe_customer_id")},
		ValueSettings:      &sg.BillingMeterValueSettingsParams{EventPayloadKey: sg.String("value")},
	}
	on(&params.Params, ctx, acct, "meter-"+acct.ID+"-"+eventName)
	m, err := p.api.BillingMeters.New(params)
	if err != nil {
		return "", err
	}
	return m.ID, nil
}

var intervals = map[string]string{"month": "month", "year": "year"}

// SyncPlan makes the plan's product (once) and its two prices: the licence
// (licensed, recurring per interval) and the transactions (metered, monthly,
// on the meter; priced per meter unit with decimals).
func (p *Provider) SyncPlan(ctx context.Context, acct billing.Account, spec billing.PlanSpec) (billing.PlanIDs, error) {
	ids := billing.PlanIDs{ProductID: spec.ProductID}
	if ids.ProductID == "" {
		pp := &sg.ProductParams{Name: sg.String(spec.Name)}
		pp.AddMetadata("masseflyt_plan", spec.Key)
		on(&pp.Params, ctx, acct, "product-"+spec.Key)
		prod, err := p.api.Products.New(pp)
		if err != nil {
			return ids, err
		}
		ids.ProductID = prod.ID
	}
	version := strconv.FormatInt(spec.LicenceOre, 10) + "-" + spec.Interval + "-" + strconv.FormatInt(spec.UnitOre, 10)
	lp := &sg.PriceParams{Currency: sg.String("nok"), Product: sg.String(ids.ProductID), UnitAmount: sg.Int64(spec.LicenceOre),
		Nickname: sg.String("Lisens"), Recurring: &sg.PriceRecurringParams{Interval: sg.String(intervals[spec.Interval]), UsageType: sg.String("licensed")}}
	lp.AddMetadata("masseflyt_plan", spec.Key)
	on(&lp.Params, ctx, acct, "price-licence-"+spec.Key+"-"+version)
	licence, err := p.api.Prices.New(lp)
	if err != nil {
		return ids, err
	}
	ids.LicencePriceID = licence.ID
	unitMilli := max(spec.UnitMilli, 1)
	up := &sg.PriceParams{Currency: sg.String("nok"), Product: sg.String(ids.ProductID), UnitAmountDecimal: sg.Float64(float64(spec.UnitOre) / float64(unitMilli)),
		Nickname: sg.String("Transaksjoner"), Recurring: &sg.PriceRecurringParams{Interval: sg.String("month"), UsageType: sg.String("metered"), Meter: sg.String(spec.MeterID)}}
	up.AddMetadata("masseflyt_plan", spec.Key)
	on(&up.Params, ctx, acct, "price-usage-"+spec.Key+"-"+version)
	usage, err := p.api.Prices.New(up)
	if err != nil {
		return ids, err
	}
	ids.UsagePriceID = usage.ID
	return ids, nil
}

// SyncCustomer makes or updates the customer: the organization number,
// invoice e-mail and reference in metadata.
func (p *Provider) SyncCustomer(ctx context.Context, acct billing.Account, c billing.Customer) (string, error) {
	params := &sg.CustomerParams{Name: sg.String(c.Name), PreferredLocales: []*string{sg.String("nb")}}
	if c.Email != "" {
		params.Email = sg.String(c.Email)
	}
	params.AddMetadata("org_number", c.OrgNumber)
	params.AddMetadata("invoice_email", c.Email)
	params.AddMetadata("invoice_reference", c.Reference)
	params.AddMetadata("masseflyt_id", c.Key)
	if c.ID != "" {
		on(&params.Params, ctx, acct, "")
		cu, err := p.api.Customers.Update(c.ID, params)
		if err != nil {
			return "", err
		}
		return cu.ID, nil
	}
	on(&params.Params, ctx, acct, "customer-"+c.Key)
	cu, err := p.api.Customers.New(params)
	if err != nil {
		return "", err
	}
	return cu.ID, nil
}

// taxRate is the account's Norwegian VAT rate, 25 % on top of the prices
// ("MVA", exclusive): found among its active rates by our metadata, or made
// once; kept per account.
func (p *Provider) taxRate(ctx context.Context, acct billing.Account) (string, error) {
	p.mu.Lock()
	id, ok := p.taxRates[acct.ID]
	p.mu.Unlock()
	if ok {
		return id, nil
	}
	lp := &sg.TaxRateListParams{Active: sg.Bool(true), Inclusive: sg.Bool(false)}
	lp.Context = ctx
	if acct.ID != "" {
		lp.SetStripeAccount(acct.ID)
	}
	it := p.api.TaxRates.List(lp)
	for it.Next() {
		if tr := it.TaxRate(); tr.Metadata["masseflyt"] == "mva" && tr.Percentage == billing.VATPercent && tr.Active && !tr.Inclusive {
			id = tr.ID
			break
		}
	}
	if err := it.Err(); err != nil {
		return "", err
	}
	if id == "" {
		params := &sg.TaxRateParams{DisplayName: sg.String("MVA"), Description: sg.String("Merverdiavgift 25 %"), Percentage: sg.Float64(billing.VATPercent),
			Inclusive: sg.Bool(false), Country: sg.String("NO"), Jurisdiction: sg.String("NO"), TaxType: sg.String("vat")}
		params.AddMetadata("masseflyt", "mva")
		on(&params.Params, ctx, acct, "taxrate-mva-25-"+acct.ID)
		tr, err := p.api.TaxRates.New(params)
		if err != nil {
			return "", err
		}
		id = tr.ID
	}
	p.mu.Lock()
	if p.taxRates == nil {
		p.taxRates = map[string]string{}
	}
	p.taxRates[acct.ID] = id
	p.mu.Unlock()
	return id, nil
}

// Subscribe makes the subscription to the plan's prices, or moves an
// existing one to them with proration; on a connected account with the
// platform's fee; 25 % VAT on every invoice (the account's tax rate).
func (p *Provider) Subscribe(ctx context.Context, acct billing.Account, s billing.SubscriptionSpec) (string, error) {
	items := []*sg.SubscriptionItemsParams{{Price: sg.String(s.LicencePriceID)}}
	if s.UsagePriceID != "" {
		items = append(items, &sg.SubscriptionItemsParams{Price: sg.String(s.UsagePriceID)})
	}
	vat, err := p.taxRate(ctx, acct)
	if err != nil {
		return "", err
	}
	params := &sg.SubscriptionParams{Items: items, DefaultTaxRates: []*string{sg.String(vat)}}
	params.AddMetadata("masseflyt_subscription", s.Key)
	if acct.ID != "" && acct.FeePercent > 0 {
		params.ApplicationFeePercent = sg.Float64(acct.FeePercent)
	}
	if s.ID != "" {
		// Replace the items: the current ones are deleted, proration applies.
		cur, err := p.api.Subscriptions.Get(s.ID, &sg.SubscriptionParams{Params: sg.Params{Context: ctx, StripeAccount: stripeAccount(acct)}})
		if err != nil {
			return "", err
		}
		if cur.Items != nil {
			for _, it := range cur.Items.Data {
				params.Items = append(params.Items, &sg.SubscriptionItemsParams{ID: sg.String(it.ID), Deleted: sg.Bool(true)})
			}
		}
		params.ProrationBehavior = sg.String("create_prorations")
		on(&params.Params, ctx, acct, "")
		sub, err := p.api.Subscriptions.Update(s.ID, params)
		if err != nil {
			return "", err
		}
		return sub.ID, nil
	}
	params.Customer = sg.String(s.CustomerID)
	on(&params.Params, ctx, acct, "subscription-"+s.Key)
	sub, err := p.api.Subscriptions.New(params)
	if err != nil {
		return "", err
	}
	return sub.ID, nil
}

// Cancel ends a subscription now, prorated, invoicing what is due.
func (p *Provider) Cancel(ctx context.Context, acct billing.Account, id string) error {
	params := &sg.SubscriptionCancelParams{Prorate: sg.Bool(true), InvoiceNow: sg.Bool(true)}
	on(&params.Params, ctx, acct, "")
	_, err := p.api.Subscriptions.Cancel(id, params)
	return err
}

func stripeAccount(acct billing.Account) *string {
	if acct.ID == "" {
		return nil
	}
	return sg.String(acct.ID)
}

// ReportUsage sends one meter event; Stripe deduplicates by identifier.
func (p *Provider) ReportUsage(ctx context.Context, acct billing.Account, e billing.MeterEvent) error {
	params := &sg.BillingMeterEventParams{EventName: sg.String(billing.MeterEventName), Identifier: sg.String(e.Identifier),
		Payload:   map[string]string{"stripe_customer_id": e.CustomerID, "value": strconv.FormatInt(e.Value, 10)},
		Timestamp: sg.Int64(e.Timestamp.Unix())}
	on(&params.Params, ctx, acct, "")
	_, err := p.api.BillingMeterEvents.New(params)
	return err
}

// PortalURL opens a customer portal session (payment methods, invoices).
func (p *Provider) PortalURL(ctx context.Context, acct billing.Account, customerID, returnURL string) (string, error) {
	params := &sg.BillingPortalSessionParams{Customer: sg.String(customerID), ReturnURL: sg.String(returnURL), Locale: sg.String("nb")}
	on(&params.Params, ctx, acct, "")
	s, err := p.api.BillingPortalSessions.New(params)
	if err != nil {
		return "", err
	}
	return s.URL, nil
}

// ConnectAccount makes a region's connected (Express) account in Norway.
func (p *Provider) ConnectAccount(ctx context.Context, regionName string) (string, error) {
	params := &sg.AccountParams{Type: sg.String("express"), Country: sg.String("NO"),
		BusinessProfile: &sg.AccountBusinessProfileParams{Name: sg.String(regionName)},
		Capabilities: &sg.AccountCapabilitiesParams{CardPayments: &sg.AccountCapabilitiesCardPaymentsParams{Requested: sg.Bool(true)},
			Transfers: &sg.AccountCapabilitiesTransfersParams{Requested: sg.Bool(true)}}}
	params.Context = ctx
	a, err := p.api.Accounts.New(params)
	if err != nil {
		return "", err
	}
	return a.ID, nil
}

// OnboardingLink is the connected account's onboarding page.
func (p *Provider) OnboardingLink(ctx context.Context, accountID, returnURL string) (string, error) {
	params := &sg.AccountLinkParams{Account: sg.String(accountID), RefreshURL: sg.String(returnURL), ReturnURL: sg.String(returnURL), Type: sg.String("account_onboarding")}
	params.Context = ctx
	l, err := p.api.AccountLinks.New(params)
	if err != nil {
		return "", err
	}
	return l.URL, nil
}

var _ billing.Provider = (*Provider)(nil)
