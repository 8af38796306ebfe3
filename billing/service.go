package billing

import (
	"context"
	"errors"
	"log/slog"
	"net/mail"
	"slices"
	"strings"
	"sync/atomic"
	"time"

	"gorm.io/gorm"

	"github.com/masseflyt/masseflyt/core/access"
	"github.com/masseflyt/masseflyt/core/auth"
	"github.com/masseflyt/masseflyt/core/events"
	"github.com/masseflyt/masseflyt/core/fail"
	"github.com/masseflyt/masseflyt/core/page"
	"github.com/masseflyt/masseflyt/core/store"
)

// Service is the billing domain. Its methods take the actor in ctx; the
// routes declare the permissions, the row rules are here.
type Service struct {
	DB       *store.DB
	Provider Provider
	Log      *slog.Logger
	// WebhookSecret is the provider's webhook signing secret
	// (MASSEFLYT_STRIPE_WEBHOOK_SECRET); empty refuses every webhook.
	WebhookSecret string
	// StaleAfter is the age of an unsent usage row that raises an alert
	// (30 days: the provider refuses meter events older than 35).
	StaleAfter time.Duration
	// Mailer, when set, sends the notice of each stored (offline) invoice;
	// PublicURL is the platform's address for its links; Seller is the
	// platform as the seller on its invoices to regions.
	Mailer    events.Mailer
	PublicURL string
	Seller    Platform

	lastAlert    atomic.Int64 // Unix time of the last stuck-usage alert
	loadsMetered bool         // the meter receives load.received
}

func (s *Service) now() time.Time { return s.DB.Now() }

func (s *Service) log() *slog.Logger {
	if s.Log == nil {
		return slog.Default()
	}
	return s.Log
}

// PlanForm is a plan as an admin writes it.
type PlanForm struct {
	Name        string `json:"name" doc:"The plan's name, unique in the region"`
	Description string `json:"description,omitempty"`
	LicenceOre  int64  `json:"licence_ore" doc:"Licence per interval in øre excluding VAT (0 or more)"`
	Interval    string `json:"interval,omitempty" doc:"month (default) or year"`
	UnitOre     int64  `json:"unit_ore" doc:"Price per transaction unit (per signed agreement, or per tonne) in øre excluding VAT"`
	Currency    string `json:"currency,omitempty" doc:"NOK (the only currency)"`
	// Version is the version read, for an update (optimistic locking).
	Version int `json:"version,omitempty"`
}

func (in *PlanForm) validate() error {
	var v fail.Validation
	in.Name = strings.TrimSpace(in.Name)
	switch {
	case in.Name == "":
		v.Add("name", "required", "ErrFieldRequired")
	case len([]rune(in.Name)) > 80:
		v.Add("name", "too_long", "ErrFieldTooLong", "Max", 80)
	}
	if len([]rune(in.Description)) > 500 {
		v.Add("description", "too_long", "ErrFieldTooLong", "Max", 500)
	}
	const maxOre = 100_000_000_00 // 100 million kroner
	if in.LicenceOre < 0 || in.LicenceOre > maxOre {
		v.Add("licence_ore", "out_of_range", "ErrBillingPrice")
	}
	if in.UnitOre < 0 || in.UnitOre > maxOre {
		v.Add("unit_ore", "out_of_range", "ErrBillingPrice")
	}
	if in.Interval == "" {
		in.Interval = "month"
	}
	if !slices.Contains(Intervals, in.Interval) {
		v.Add("interval", "one_of", "ErrBillingInterval")
	}
	in.Currency = strings.ToUpper(strings.TrimSpace(in.Currency))
	if in.Currency == "" {
		in.Currency = Currency
	}
	if in.Currency != Currency {
		v.Add("currency", "currency", "ErrBillingCurrency")
	}
	return v.Err()
}

// Plans lists the region's plans, by name.
func (s *Service) Plans(ctx context.Context) ([]MemberPlan, error) {
	var out []MemberPlan
	err := s.DB.Read(ctx, func(tx *gorm.DB) error { return tx.Order("name").Find(&out).Error })
	return out, err
}

// Plan returns one plan.
func (s *Service) Plan(ctx context.Context, id string) (*MemberPlan, error) {
	var p MemberPlan
	err := s.DB.Read(ctx, func(tx *gorm.DB) error { return tx.Where("id = ?", id).First(&p).Error })
	if err != nil {
		return nil, store.NotFoundOr(err)
	}
	return &p, nil
}

// SavePlan creates a plan (id "") or updates one at the version read, then
// has the provider make its product and prices.
func (s *Service) SavePlan(ctx context.Context, id string, in PlanForm) (*MemberPlan, error) {
	if err := in.validate(); err != nil {
		return nil, err
	}
	now := s.now()
	var p MemberPlan
	err := s.DB.Tx(ctx, func(tx *gorm.DB) error {
		if id == "" {
			p = MemberPlan{ID: store.NewID(), Name: in.Name, Description: in.Description, LicenceOre: in.LicenceOre, Interval: in.Interval,
				UnitOre: in.UnitOre, Currency: Currency, Version: 1, CreatedAt: now, UpdatedAt: now}
			return tx.Create(&p).Error
		}
		if err := tx.Where("id = ?", id).First(&p).Error; err != nil {
			return store.NotFoundOr(err)
		}
		res := tx.Model(&MemberPlan{}).Where("id = ? AND version = ?", id, in.Version).Updates(map[string]any{
			"name": in.Name, "description": in.Description, "licence_ore": in.LicenceOre, "cycle": in.Interval,
			"unit_ore": in.UnitOre, "version": p.Version + 1, "updated_at": now,
			// new prices are made for changed amounts
			"licence_price_id": "", "usage_price_id": ""})
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected == 0 {
			return fail.ConflictErr("ErrBillingStale")
		}
		return tx.Where("id = ?", id).First(&p).Error
	})
	if store.IsUniqueViolation(err) {
		var v fail.Validation
		v.Add("name", "taken", "ErrBillingPlanName")
		return nil, v.Err()
	}
	if err != nil {
		return nil, err
	}
	s.syncPlan(ctx, &p)
	return &p, nil
}

// syncPlan has the provider make the plan's product and prices (on the
// region's connected account) and stores their IDs; a provider failure is
// logged and retried on the next change.
func (s *Service) syncPlan(ctx context.Context, p *MemberPlan) {
	if s.Provider == nil {
		return
	}
	st, err := s.Settings(ctx)
	if err != nil {
		return
	}
	acct := st.account()
	if st.MeterID == "" {
		id, err := s.Provider.EnsureMeter(ctx, acct, MeterEventName)
		if err != nil {
			s.log().Error("billing: meter not made", "err", err)
			return
		}
		st.MeterID = id
		_ = s.DB.Tx(ctx, func(tx *gorm.DB) error {
			cur, err := s.settingsTx(tx)
			if err != nil {
				return err
			}
			return tx.Model(&RegionSettings{}).Where("id = ?", cur.ID).Update("meter_id", id).Error
		})
	}
	ids, err := s.Provider.SyncPlan(ctx, acct, PlanSpec{Key: p.ID, Name: p.Name, LicenceOre: p.LicenceOre, Interval: p.Interval, UnitOre: p.UnitOre,
		UnitMilli: st.unitMilli(), MeterID: st.MeterID, ProductID: p.ProductID})
	if err != nil {
		s.log().Error("billing: plan not synced with the provider", "plan", p.ID, "err", err)
		return
	}
	p.ProductID, p.LicencePriceID, p.UsagePriceID = ids.ProductID, ids.LicencePriceID, ids.UsagePriceID
	_ = s.DB.Tx(ctx, func(tx *gorm.DB) error {
		return tx.Model(&MemberPlan{}).Where("id = ?", p.ID).Updates(map[string]any{"product_id": ids.ProductID, "licence_price_id": ids.LicencePriceID, "usage_price_id": ids.UsagePriceID}).Error
	})
}

// DeletePlan deletes a plan no organization is on, nor had in the last
// twelve months (which the month close may still invoice).
func (s *Service) DeletePlan(ctx context.Context, id string) error {
	return s.DB.Tx(ctx, func(tx *gorm.DB) error {
		var p MemberPlan
		if err := tx.Where("id = ?", id).First(&p).Error; err != nil {
			return store.NotFoundOr(err)
		}
		// In use: an organization is on it now, or had it in a month the
		// close may still invoice (the last twelve). Older changes to it
		// are on stored invoices only and go with it.
		since := endedMonths(s.now())[0]
		var now, recent, atSince []string
		if err := tx.Model(&Subscription{}).Where("(plan_id = ? OR (prev_plan_id = ? AND changed_at >= ?))", id, id, since).Pluck("id", &now).Error; err != nil {
			return err
		}
		if err := tx.Model(&PlanChange{}).Where("plan_id = ? AND at >= ?", id, since).Pluck("subscription_id", &recent).Error; err != nil {
			return err
		}
		if err := store.Raw(tx, `SELECT c.subscription_id FROM billing_plan_changes c WHERE c.tenant_id = @tenant AND c.plan_id = @id AND c.at < @since
			AND NOT EXISTS (SELECT 1 FROM billing_plan_changes d WHERE d.tenant_id = @tenant AND d.subscription_id = c.subscription_id AND d.at > c.at AND d.at < @since)`,
			map[string]any{"id": id, "since": since}).Scan(&atSince).Error; err != nil {
			return err
		}
		using := map[string]bool{}
		for _, ids := range [][]string{now, recent, atSince} {
			for _, x := range ids {
				using[x] = true
			}
		}
		n := len(using)
		if n > 0 {
			return fail.ConflictErr("ErrBillingPlanInUse", "Count", n)
		}
		if err := tx.Where("plan_id = ?", id).Delete(&PlanChange{}).Error; err != nil {
			return err
		}
		return tx.Where("id = ?", id).Delete(&MemberPlan{}).Error
	})
}

// Settings returns the region's billing settings (the defaults when none
// were saved).
func (s *Service) Settings(ctx context.Context) (*RegionSettings, error) {
	var st RegionSettings
	err := s.DB.Read(ctx, func(tx *gorm.DB) error { return tx.Limit(1).Find(&st).Error })
	if err != nil {
		return nil, err
	}
	if st.ID == "" {
		st = RegionSettings{Metric: MetricAgreements, Consequence: ConsequenceNone}
	}
	return &st, nil
}

// settingsTx returns the region's settings row in tx, made with the
// defaults when there is none yet (one per region: UNIQUE (tenant_id)).
func (s *Service) settingsTx(tx *gorm.DB) (*RegionSettings, error) {
	var st RegionSettings
	if err := tx.Limit(1).Find(&st).Error; err != nil {
		return nil, err
	}
	if st.ID != "" {
		return &st, nil
	}
	st = RegionSettings{ID: store.NewID(), Metric: MetricAgreements, Consequence: ConsequenceNone, Version: 1, UpdatedAt: s.now()}
	return &st, tx.Create(&st).Error
}

func (st *RegionSettings) account() Account {
	return Account{ID: st.ConnectAccount, FeePercent: st.FeePercent}
}

// unitMilli is how many meter units make one priced unit: 1 per agreement;
// 1000 kg per tonne.
func (st *RegionSettings) unitMilli() int64 {
	if st.Metric == MetricAgreements {
		return 1
	}
	return 1000
}

// SettingsInput is what a tenant admin sets.
type SettingsInput struct {
	Metric      string `json:"metric" doc:"What counts as a transaction: agreements, agreed_tonnes or received_tonnes"`
	Consequence string `json:"consequence" doc:"What an unpaid invoice does: none, banner or no_listings (registered data is never locked)"`
	// AccountNumber, when given, is the bank account (11 digits, Norwegian
	// check digit) the members pay the stored invoices to; "" clears it.
	AccountNumber *string `json:"account_number,omitempty" doc:"The bank account members pay invoices to (11 digits); left out: unchanged"`
	Version       int     `json:"version,omitempty"`
}

// NormalizeAccount reads a Norwegian bank account number ("1234 56 78903",
// "1234.56.78903") as its 11 digits, and reports whether its mod-11 check
// digit holds.
func NormalizeAccount(s string) (string, bool) {
	d := strings.Map(func(r rune) rune {
		if r == ' ' || r == '.' || r == '\u00a0' {
			return -1
		}
		return r
	}, strings.TrimSpace(s))
	if len(d) != 11 || strings.Trim(d, "0123456789") != "" {
		return d, false
	}
	weights := []int{5, 4, 3, 2, 7, 6, 5, 4, 3, 2}
	sum := 0
	for i, w := range weights {
		sum += int(d[i]-'0') * w
	}
	check := 11 - sum%11
	if check == 11 {
		check = 0
	}
	return d, check != 10 && check == int(d[10]-'0')
}

// SaveSettings stores the region's settings at the version read.
func (s *Service) SaveSettings(ctx context.Context, in SettingsInput) (*RegionSettings, error) {
	var v fail.Validation
	if !slices.Contains(Metrics, in.Metric) {
		v.Add("metric", "one_of", "ErrBillingMetric")
	}
	if !slices.Contains(Consequences, in.Consequence) {
		v.Add("consequence", "one_of", "ErrBillingConsequence")
	}
	if in.AccountNumber != nil && strings.TrimSpace(*in.AccountNumber) != "" {
		acct, ok := NormalizeAccount(*in.AccountNumber)
		if !ok {
			v.Add("account_number", "account", "ErrBillingAccountNumber")
		}
		in.AccountNumber = &acct
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	now := s.now()
	err := s.DB.Tx(ctx, func(tx *gorm.DB) error {
		var cur RegionSettings
		if err := tx.Limit(1).Find(&cur).Error; err != nil {
			return err
		}
		acct := cur.AccountNumber
		if in.AccountNumber != nil {
			acct = strings.TrimSpace(*in.AccountNumber)
		}
		if cur.ID == "" {
			return tx.Create(&RegionSettings{ID: store.NewID(), Metric: in.Metric, Consequence: in.Consequence, AccountNumber: acct, Version: 1, UpdatedAt: now}).Error
		}
		if in.Version != 0 && in.Version != cur.Version {
			return fail.ConflictErr("ErrBillingStale")
		}
		res := tx.Model(&RegionSettings{}).Where("id = ? AND version = ?", cur.ID, cur.Version).Updates(map[string]any{
			"metric": in.Metric, "consequence": in.Consequence, "account_number": acct, "version": cur.Version + 1, "updated_at": now})
		if res.Error == nil && res.RowsAffected == 0 {
			return fail.ConflictErr("ErrBillingStale")
		}
		return res.Error
	})
	if err != nil {
		return nil, err
	}
	return s.Settings(ctx)
}

// Connect makes the region's Stripe Connect account (once) and returns
// the onboarding link, or "" when the provider needs none.
func (s *Service) Connect(ctx context.Context, regionName, returnURL string) (string, error) {
	st, err := s.Settings(ctx)
	if err != nil {
		return "", err
	}
	acct := st.ConnectAccount
	if acct == "" {
		if acct, err = s.Provider.ConnectAccount(ctx, regionName); err != nil {
			return "", providerErr(err)
		}
		now := s.now()
		if err := s.DB.Tx(ctx, func(tx *gorm.DB) error {
			cur, err := s.settingsTx(tx)
			if err != nil {
				return err
			}
			return tx.Model(&RegionSettings{}).Where("id = ?", cur.ID).Updates(map[string]any{"connect_account": acct, "connect_status": "pending", "updated_at": now}).Error
		}); err != nil {
			return "", err
		}
	}
	link, err := s.Provider.OnboardingLink(ctx, acct, returnURL)
	if err != nil {
		return "", providerErr(err)
	}
	return link, nil
}

// AssignInput puts an organization on a plan, or makes it free.
type AssignInput struct {
	PlanID string `json:"plan_id,omitempty" doc:"The plan; empty with free=true"`
	Free   bool   `json:"free,omitempty" doc:"The organization pays nothing"`
	// Version is the subscription's version read (0 for a new one): two
	// admins changing one subscription at once get a conflict, not a lost
	// update.
	Version int `json:"version" doc:"The subscription's version as read (0 when it has none yet)"`
}

// Subscriptions lists the region's subscriptions with organization names.
func (s *Service) Subscriptions(ctx context.Context) ([]Subscription, error) {
	var out []Subscription
	err := s.DB.Read(ctx, func(tx *gorm.DB) error {
		return tx.Model(&Subscription{}).Select("billing_subscriptions.*, organizations.name AS org_name").
			Joins("JOIN organizations ON organizations.tenant_id = billing_subscriptions.tenant_id AND organizations.id = billing_subscriptions.org_id").
			Order("organizations.name").Find(&out).Error
	})
	return out, err
}

// Subscription returns an organization's subscription (its admins, and
// the region's admins and supervisors), or a zero one with Status "" when
// it has none.
func (s *Service) Subscription(ctx context.Context, orgID string) (*Subscription, error) {
	a := access.From(ctx)
	if !a.CanAdminOrg(orgID) && !a.Principal.Has(auth.RoleSupervisor) {
		return nil, access.NotOwnOrganization()
	}
	var sub Subscription
	err := s.DB.Read(ctx, func(tx *gorm.DB) error {
		var n int64
		if err := tx.Table("organizations").Where("id = ?", orgID).Count(&n).Error; err != nil {
			return err
		}
		if n == 0 {
			return fail.NotFoundErr()
		}
		return tx.Where("org_id = ?", orgID).Limit(1).Find(&sub).Error
	})
	if err != nil {
		return nil, err
	}
	if sub.ID == "" {
		sub.OrgID = orgID
	}
	return &sub, nil
}

// Assign puts an organization on a plan (or makes it free) at the version
// read. A change of plan in the period is prorated on the invoice.
func (s *Service) Assign(ctx context.Context, orgID string, in AssignInput) (*Subscription, error) {
	var v fail.Validation
	if in.Free == (in.PlanID != "") {
		v.Add("plan_id", "required", "ErrBillingPlanOrFree")
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	now := s.now()
	var sub Subscription
	err := s.DB.Tx(ctx, func(tx *gorm.DB) error {
		var n int64
		if err := tx.Table("organizations").Where("id = ?", orgID).Count(&n).Error; err != nil {
			return err
		}
		if n == 0 {
			return fail.NotFoundErr()
		}
		var plan *string
		if in.PlanID != "" {
			var p MemberPlan
			if err := tx.Where("id = ? AND archived = ?", in.PlanID, false).First(&p).Error; err != nil {
				if errors.Is(err, gorm.ErrRecordNotFound) {
					var v fail.Validation
					v.Add("plan_id", "unknown", "ErrBillingPlanUnknown")
					return v.Err()
				}
				return err
			}
			plan = &p.ID
		}
		status := StatusActive
		if in.Free {
			status = StatusFree
		}
		if err := tx.Where("org_id = ?", orgID).Limit(1).Find(&sub).Error; err != nil {
			return err
		}
		if sub.ID == "" {
			if in.Version != 0 {
				return fail.ConflictErr("ErrBillingStale")
			}
			sub = Subscription{ID: store.NewID(), OrgID: orgID, PlanID: plan, Free: in.Free, Status: status,
				PeriodStart: PeriodStart(now), Version: 1, CreatedAt: now, UpdatedAt: now}
			if err := tx.Create(&sub).Error; err != nil {
				return err
			}
			return tx.Create(&PlanChange{ID: store.NewID(), SubscriptionID: sub.ID, PlanID: plan, At: now, CreatedAt: now}).Error
		}
		if sub.Version != in.Version {
			return fail.ConflictErr("ErrBillingStale")
		}
		upd := map[string]any{"plan_id": plan, "free": in.Free, "version": sub.Version + 1, "updated_at": now}
		if sub.Status == StatusFree || sub.Status == StatusActive {
			upd["status"] = status
		}
		if !samePlan(sub.PlanID, plan) {
			upd["prev_plan_id"], upd["changed_at"] = sub.PlanID, now
		}
		res := tx.Model(&Subscription{}).Where("id = ? AND version = ?", sub.ID, sub.Version).Updates(upd)
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected == 0 {
			return fail.ConflictErr("ErrBillingStale")
		}
		if !samePlan(sub.PlanID, plan) {
			// A subscription from before the changes were kept first
			// gets what is known of it.
			known, stored, err := planChanges(tx, &sub)
			if err != nil {
				return err
			}
			if !stored {
				for _, c := range known {
					c.ID, c.CreatedAt = store.NewID(), now
					if err := tx.Create(&c).Error; err != nil {
						return err
					}
				}
			}
			if err := tx.Create(&PlanChange{ID: store.NewID(), SubscriptionID: sub.ID, PlanID: plan, At: now, CreatedAt: now}).Error; err != nil {
				return err
			}
		}
		return tx.Where("id = ?", sub.ID).First(&sub).Error
	})
	if err != nil {
		return nil, err
	}
	s.syncSubscription(ctx, &sub)
	return &sub, nil
}

func samePlan(a, b *string) bool {
	if a == nil || b == nil {
		return a == b
	}
	return *a == *b
}

// syncSubscription makes the organization's customer and subscription at
// the provider (after the commit; a failure is logged and retried on the
// next change, the local state stays).
func (s *Service) syncSubscription(ctx context.Context, sub *Subscription) {
	if s.Provider == nil {
		return
	}
	st, err := s.Settings(ctx)
	if err != nil {
		return
	}
	acct := st.account()
	var org struct{ Name, OrgNumber, Email string }
	if err := s.DB.Read(ctx, func(tx *gorm.DB) error {
		return tx.Table("organizations").Select("name, org_number, email").Where("id = ?", sub.OrgID).Scan(&org).Error
	}); err != nil {
		return
	}
	email := sub.BillingEmail
	if email == "" {
		email = org.Email
	}
	cust, err := s.Provider.SyncCustomer(ctx, acct, Customer{ID: sub.CustomerID, Key: sub.OrgID, Name: org.Name, OrgNumber: org.OrgNumber, Email: email, Reference: sub.InvoiceReference})
	if err != nil {
		s.log().Error("billing: customer not synced", "org", sub.OrgID, "err", err)
		return
	}
	upd := map[string]any{"customer_id": cust}
	if (sub.Free || sub.PlanID == nil) && sub.ProviderID != "" {
		if err := s.Provider.Cancel(ctx, acct, sub.ProviderID); err != nil {
			s.log().Error("billing: subscription not cancelled at the provider", "org", sub.OrgID, "err", err)
		} else {
			upd["provider_id"] = ""
		}
	}
	if sub.PlanID != nil && !sub.Free {
		p, err := s.Plan(ctx, *sub.PlanID)
		if err == nil && p.LicencePriceID == "" {
			s.syncPlan(ctx, p)
		}
		if err == nil {
			pid, err := s.Provider.Subscribe(ctx, acct, SubscriptionSpec{ID: sub.ProviderID, Key: sub.ID, CustomerID: cust, LicencePriceID: p.LicencePriceID, UsagePriceID: p.UsagePriceID})
			if err != nil {
				s.log().Error("billing: subscription not synced", "org", sub.OrgID, "err", err)
			} else {
				upd["provider_id"] = pid
			}
		}
	}
	_ = s.DB.Tx(ctx, func(tx *gorm.DB) error { return tx.Model(&Subscription{}).Where("id = ?", sub.ID).Updates(upd).Error })
	sub.CustomerID = cust
	if id, ok := upd["provider_id"].(string); ok {
		sub.ProviderID = id
	}
}

// BillingContact is what an organization's admin sets.
type BillingContact struct {
	BillingEmail     string `json:"billing_email" doc:"Where invoices are sent"`
	InvoiceReference string `json:"invoice_reference,omitempty" doc:"The reference printed on invoices (Deres ref.)"`
	Version          int    `json:"version" doc:"The subscription's version as read"`
}

// UpdateContact sets the billing e-mail and invoice reference of an
// organization's subscription (its admins and the region's admins).
func (s *Service) UpdateContact(ctx context.Context, orgID string, in BillingContact) (*Subscription, error) {
	if !access.From(ctx).CanAdminOrg(orgID) {
		return nil, access.NotOwnOrganization()
	}
	var v fail.Validation
	in.BillingEmail = strings.TrimSpace(in.BillingEmail)
	if a, err := mail.ParseAddress(in.BillingEmail); err != nil || a.Address != in.BillingEmail || len(in.BillingEmail) > 254 {
		v.Add("billing_email", "email", "ErrBillingEmail")
	}
	in.InvoiceReference = strings.TrimSpace(in.InvoiceReference)
	if len([]rune(in.InvoiceReference)) > 60 {
		v.Add("invoice_reference", "too_long", "ErrFieldTooLong", "Max", 60)
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	var sub Subscription
	err := s.DB.Tx(ctx, func(tx *gorm.DB) error {
		if err := tx.Where("org_id = ?", orgID).First(&sub).Error; err != nil {
			return store.NotFoundOr(err)
		}
		res := tx.Model(&Subscription{}).Where("id = ? AND version = ?", sub.ID, in.Version).Updates(map[string]any{
			"billing_email": in.BillingEmail, "invoice_reference": in.InvoiceReference, "version": sub.Version + 1, "updated_at": s.now()})
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected == 0 {
			return fail.ConflictErr("ErrBillingStale")
		}
		return tx.Where("id = ?", sub.ID).First(&sub).Error
	})
	if err != nil {
		return nil, err
	}
	s.syncSubscription(ctx, &sub)
	return &sub, nil
}

// Portal returns the provider's page where an organization's admin manages
// payment methods.
func (s *Service) Portal(ctx context.Context, orgID, returnURL string) (string, error) {
	sub, err := s.Subscription(ctx, orgID)
	if err != nil {
		return "", err
	}
	if sub.CustomerID == "" {
		return "", fail.ConflictErr("ErrBillingNoCustomer")
	}
	st, err := s.Settings(ctx)
	if err != nil {
		return "", err
	}
	u, err := s.Provider.PortalURL(ctx, st.account(), sub.CustomerID, returnURL)
	if err != nil {
		return "", providerErr(err)
	}
	return u, nil
}

// PastDue reports whether an organization's subscription is unpaid, and
// the region's consequence: the UI shows "forfalt" and applies it.
func (s *Service) PastDue(ctx context.Context, orgID string) (bool, string) {
	var sub Subscription
	if err := s.DB.Read(ctx, func(tx *gorm.DB) error {
		return tx.Select("status").Where("org_id = ?", orgID).Limit(1).Find(&sub).Error
	}); err != nil || sub.Status != StatusPastDue {
		return false, ""
	}
	st, err := s.Settings(ctx)
	if err != nil {
		return true, ConsequenceNone
	}
	return true, st.Consequence
}

// PastDueOf returns those of orgIDs whose subscriptions are unpaid, when
// the region's consequence is more than the mark (a banner, or no new
// listings): the pages show a banner for them. It reads the settings
// first, so a region without a consequence costs one query.
func (s *Service) PastDueOf(ctx context.Context, orgIDs []string) ([]string, error) {
	if len(orgIDs) == 0 {
		return nil, nil
	}
	st, err := s.Settings(ctx)
	if err != nil || st.Consequence == ConsequenceNone {
		return nil, err
	}
	var due []string
	err = s.DB.Read(ctx, func(tx *gorm.DB) error {
		return tx.Model(&Subscription{}).Where("org_id IN ? AND status = ?", orgIDs, StatusPastDue).Pluck("org_id", &due).Error
	})
	return due, err
}

// Invoices lists an organization's invoices, newest first, a page at a
// time.
func (s *Service) Invoices(ctx context.Context, orgID string, r page.Request) (page.Page[Invoice], error) {
	if _, err := s.Subscription(ctx, orgID); err != nil {
		return page.Page[Invoice]{}, err
	}
	limit := pageLimit(r)
	rows := []Invoice{}
	err := s.DB.Read(ctx, func(tx *gorm.DB) error {
		q, err := afterInvoice(tx.Model(&Invoice{}).Where("org_id = ?", orgID), "billing_invoices", "number", false, r.Cursor)
		if err != nil {
			return err
		}
		return q.Order("period_start DESC, number DESC, id DESC").Limit(limit + 1).Find(&rows).Error
	})
	if err != nil {
		return page.Page[Invoice]{}, err
	}
	return page.Cut(rows, limit, func(i Invoice) page.Key { return page.Key{stamp(i.PeriodStart), i.Number, i.ID} }), nil
}

// providerErr is the provider's failure as the user sees it (the cause is
// logged, never shown).
func providerErr(err error) error {
	return &fail.Error{Kind: fail.Unavailable, Code: "billing_provider", MsgID: "ErrBillingProvider", Err: err}
}

// Overview is what an organization's admin sees of its billing.
type Overview struct {
	Subscription Subscription `json:"subscription"`
	Plan         *MemberPlan  `json:"plan,omitempty"`
	// Usage is this period's usage so far; Preview the invoice it makes.
	Usage    []UsageLine `json:"usage"`
	Preview  Draft       `json:"preview"`
	Invoices []Invoice   `json:"invoices" doc:"A page of its invoices, newest first"`
	// InvoicesNext fetches the next page of invoices (cursor); absent on
	// the last page.
	InvoicesNext string `json:"invoices_next_cursor,omitempty"`
	PastDue      bool   `json:"past_due" doc:"An invoice is unpaid (\"forfalt\")"`
	Consequence  string `json:"consequence,omitempty" doc:"What the region does about it: none, banner or no_listings"`
	Metric       string `json:"metric" doc:"What the region counts as a transaction"`
}

// Overview gathers an organization's plan, usage so far this period, the
// invoice it makes, a page of its invoices (r) and payment state.
func (s *Service) Overview(ctx context.Context, orgID string, r page.Request) (*Overview, error) {
	sub, err := s.Subscription(ctx, orgID)
	if err != nil {
		return nil, err
	}
	o := &Overview{Subscription: *sub, Usage: []UsageLine{}, Invoices: []Invoice{}}
	if sub.PlanID != nil {
		if o.Plan, err = s.Plan(ctx, *sub.PlanID); err != nil {
			return nil, err
		}
	}
	start := PeriodStart(s.now())
	u, err := s.Usage(ctx, start, PeriodEnd(start), orgID)
	if err != nil {
		return nil, err
	}
	if u != nil {
		o.Usage = u
	}
	d, err := s.Preview(ctx, orgID, start)
	if err != nil {
		return nil, err
	}
	o.Preview = *d
	if o.Preview.Lines == nil {
		o.Preview.Lines = []Line{}
	}
	inv, err := s.Invoices(ctx, orgID, r)
	if err != nil {
		return nil, err
	}
	o.Invoices, o.InvoicesNext = inv.Items, inv.NextCursor
	o.PastDue, o.Consequence = s.PastDue(ctx, orgID)
	st, err := s.Settings(ctx)
	if err != nil {
		return nil, err
	}
	o.Metric = st.Metric
	return o, nil
}

// RosterRow is one organization of the region with its subscription.
type RosterRow struct {
	OrgID   string `json:"org_id"`
	OrgName string `json:"org_name"`
	Subscription
}

// Roster lists every organization of the region with its subscription (a
// zero one when it has none), by name: the tenant admin's assignment list.
func (s *Service) Roster(ctx context.Context) ([]RosterRow, error) {
	var orgs []struct{ ID, Name string }
	if err := s.DB.Read(ctx, func(tx *gorm.DB) error {
		return tx.Table("organizations").Select("id, name").Order("name").Scan(&orgs).Error
	}); err != nil {
		return nil, err
	}
	subs, err := s.Subscriptions(ctx)
	if err != nil {
		return nil, err
	}
	by := map[string]Subscription{}
	for _, x := range subs {
		by[x.OrgID] = x
	}
	out := make([]RosterRow, 0, len(orgs))
	for _, o := range orgs {
		out = append(out, RosterRow{OrgID: o.ID, OrgName: o.Name, Subscription: by[o.ID]})
	}
	return out, nil
}
