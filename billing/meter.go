package billing

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/masseflyt/masseflyt/core/clock"
	"github.com/masseflyt/masseflyt/core/events"
	"github.com/masseflyt/masseflyt/core/store"
)

// The billable events, by their type names in the outbox (core/events,
// written by core/agreement and, for received loads, core/haul; billing
// reads their JSON and imports neither).
const (
	EventAgreementSealed    = "agreement.sealed"
	EventAgreementAmended   = "agreement.amended"
	EventAgreementCancelled = "agreement.cancelled"
	// EventLoadReceived is a tracked load received at the receiving site
	// (core/haul): {"agreement_id","load_id","by_org_id" (the supplier),
	// "to_org_id" (the receiver),"tonnes" (accepted; 0 when rejected)}.
	EventLoadReceived = "load.received"
)

// MeterSubscriber is the outbox subscriber's name: keep it stable.
const MeterSubscriber = "billing.meter"

// AgreementEvent is what the meter reads of an agreement event: a small
// decoding struct, so the meter depends on the outbox's JSON, not on the
// agreement package.
type AgreementEvent struct {
	Type        string  `json:"-"` // the outbox type name
	AgreementID string  `json:"agreement_id"`
	ByOrgID     string  `json:"by_org_id"`
	ToOrgID     string  `json:"to_org_id"`
	Tonnes      float64 `json:"tonnes"`
	LoadID      string  `json:"load_id,omitempty"` // load.received only
}

// Subscribe registers the meter with the outbox dispatcher: sealed
// agreements, and received loads once the outbox knows their type (the
// tracked-loads feature adds it to core/events; billing decodes only its
// JSON and does not import it).
func (s *Service) Subscribe(d *events.Dispatcher) {
	if subscribe(d, s.meter, EventAgreementSealed, EventLoadReceived) {
		s.loadsMetered = true
		return
	}
	d.Subscribe(MeterSubscriber, s.meter, EventAgreementSealed)
}

// subscribe registers the meter for types, or reports false (registering
// nothing) when the outbox does not know one of them.
func subscribe(d *events.Dispatcher, fn events.Handler, types ...string) (ok bool) {
	defer func() {
		if recover() != nil {
			ok = false
		}
	}()
	d.Subscribe(MeterSubscriber, fn, types...)
	return true
}

// LoadsMetered reports whether the meter receives load.received events.
func (s *Service) LoadsMetered() bool { return s.loadsMetered }

// meter turns one billable event into usage rows, one per party
// organization with a paid subscription, in one transaction. The rows'
// IDs derive from the event's ID, so a redelivered event adds nothing.
//
//   - agreements: 1 for each party the first time the agreement is sealed
//     (an amendment seals again and counts nothing more; a cancellation
//     after sealing does not undo a signed agreement);
//   - agreed_tonnes: the sealed tonnes less what was counted for the
//     agreement before (an amendment that adds tonnes counts the addition;
//     one that lowers them counts nothing), in kilograms;
//   - received_tonnes: nothing from agreements (see recordLoad).
func (s *Service) meter(ctx context.Context, env events.Envelope) error {
	raw, err := json.Marshal(env.Event)
	if err != nil {
		return err
	}
	var e AgreementEvent
	if err := json.Unmarshal(raw, &e); err != nil {
		return fmt.Errorf("billing: decode %s: %w", env.Type(), err)
	}
	e.Type = env.Type()
	if err := s.Record(ctx, env.ID, env.At, e); err != nil {
		return err
	}
	// Report promptly: send the region's due rows now, inside the event's
	// delivery (ctx is scoped to its tenant). What fails stays in the
	// ledger for the background drain's retries.
	if _, err := (&Drainer{S: s, EventID: env.ID}).Drain(ctx); err != nil {
		s.log().Warn("billing: usage not sent yet; the drain retries", "err", err)
	}
	return nil
}

// Record writes the usage of one agreement event (the meter's work, also
// called by tests and the figure's benchmark).
//
// A load.received event bills its accepted tonnes to each party on a paid
// plan when the region counts received tonnes (a rejected load, 0 tonnes,
// bills nothing); other events bill nothing under that metric.
func (s *Service) Record(ctx context.Context, eventID string, at time.Time, e AgreementEvent) error {
	if e.Type == EventLoadReceived {
		return s.recordLoad(ctx, eventID, at, e)
	}
	if e.AgreementID == "" || e.Type != "" && e.Type != EventAgreementSealed {
		return nil // only sealing bills; a cancellation does not undo it
	}
	return s.DB.Tx(ctx, func(tx *gorm.DB) error {
		var st RegionSettings
		if err := tx.Limit(1).Find(&st).Error; err != nil {
			return err
		}
		if st.ID == "" {
			st.Metric = MetricAgreements
		}
		if st.Metric == MetricReceived {
			return nil
		}
		now := s.now()
		for _, org := range []string{e.ByOrgID, e.ToOrgID} {
			if org == "" {
				continue
			}
			var n int64
			if err := tx.Model(&Subscription{}).Where("org_id = ? AND free = ? AND plan_id IS NOT NULL AND status <> ?", org, false, StatusCancelled).Count(&n).Error; err != nil {
				return err
			}
			if n == 0 {
				continue
			}
			var before int64
			if err := tx.Model(&Usage{}).Select("CAST(COALESCE(SUM(quantity), 0) AS BIGINT)").Where("agreement_id = ? AND org_id = ? AND metric = ? AND event_id <> ?", e.AgreementID, org, st.Metric, eventID).Scan(&before).Error; err != nil {
				return err
			}
			var q int64
			switch st.Metric {
			case MetricAgreements:
				if before == 0 {
					q = 1
				}
			case MetricTonnes:
				q = int64(math.Round(e.Tonnes*1000)) - before
			}
			if q <= 0 {
				continue
			}
			u := Usage{ID: eventID + ":" + org, EventID: eventID, OrgID: org, AgreementID: e.AgreementID, Metric: st.Metric, Quantity: q,
				OccurredAt: at, NextAt: clock.Real().UTC().Add(promptGrace), CreatedAt: now}
			if err := tx.Clauses(clause.OnConflict{DoNothing: true}).Create(&u).Error; err != nil {
				return err
			}
		}
		return nil
	})
}

// paying reports whether an organization is on a paid plan.
func paying(tx *gorm.DB, org string) (bool, error) {
	var n int64
	err := tx.Model(&Subscription{}).Where("org_id = ? AND free = ? AND plan_id IS NOT NULL AND status <> ?", org, false, StatusCancelled).Count(&n).Error
	return n > 0, err
}

func (s *Service) recordLoad(ctx context.Context, eventID string, at time.Time, e AgreementEvent) error {
	q := int64(math.Round(e.Tonnes * 1000))
	if q <= 0 || math.IsNaN(e.Tonnes) || e.Tonnes > 1e6 {
		return nil // a rejected load (or nonsense) bills nothing
	}
	return s.DB.Tx(ctx, func(tx *gorm.DB) error {
		var st RegionSettings
		if err := tx.Limit(1).Find(&st).Error; err != nil {
			return err
		}
		if st.Metric != MetricReceived {
			return nil
		}
		now := s.now()
		for _, org := range []string{e.ByOrgID, e.ToOrgID} {
			if org == "" {
				continue
			}
			ok, err := paying(tx, org)
			if err != nil {
				return err
			}
			if !ok {
				continue
			}
			u := Usage{ID: eventID + ":" + org, EventID: eventID, OrgID: org, AgreementID: e.AgreementID, Metric: MetricReceived, Quantity: q,
				OccurredAt: at, NextAt: clock.Real().UTC().Add(promptGrace), CreatedAt: now}
			if err := tx.Clauses(clause.OnConflict{DoNothing: true}).Create(&u).Error; err != nil {
				return err
			}
		}
		return nil
	})
}

// UsageLine is one organization's usage of one metric in a period.
type UsageLine struct {
	OrgID    string `json:"org_id"`
	OrgName  string `json:"org_name"`
	Metric   string `json:"metric"`
	Quantity int64  `json:"quantity" doc:"In meter units: agreements, or kilograms"`
	Events   int64  `json:"events"`
}

// Usage is THE usage query (K14): the tenant admin's export, the
// organization's "so far this period" and the invoice preview all read
// it, and the meter events sent are its rows. orgID "" is every
// organization.
func (s *Service) Usage(ctx context.Context, from, to time.Time, orgID string) ([]UsageLine, error) {
	var out []UsageLine
	err := s.DB.Read(ctx, func(tx *gorm.DB) error {
		var err error
		out, err = usageQuery(tx, from, to, orgID)
		return err
	})
	return out, err
}

// usageQuery is the usage query in tx.
func usageQuery(tx *gorm.DB, from, to time.Time, orgID string) ([]UsageLine, error) {
	var out []UsageLine
	err := func() error {
		q := tx.Model(&Usage{}).Select("billing_usage.org_id, organizations.name AS org_name, billing_usage.metric, CAST(SUM(billing_usage.quantity) AS BIGINT) AS quantity, COUNT(*) AS events").
			Joins("JOIN organizations ON organizations.tenant_id = billing_usage.tenant_id AND organizations.id = billing_usage.org_id").
			Where("billing_usage.occurred_at >= ? AND billing_usage.occurred_at < ?", from, to)
		if orgID != "" {
			q = q.Where("billing_usage.org_id = ?", orgID)
		}
		return q.Group("billing_usage.org_id, organizations.name, billing_usage.metric").Order("organizations.name, billing_usage.metric").Scan(&out).Error
	}()
	return out, err
}

// Drainer sends the usage ledger to the provider: every unsent row, oldest
// first, each with its ID as the identifier; a failure is retried with
// backoff. A crash between sending and marking sends the row again, with
// the same identifier, which the provider counts once.
type Drainer struct {
	S       *Service
	Workers int // concurrent sends (4)
	Batch   int // rows read at once (200)
	Poll    time.Duration
	// EventID, when set, sends that event's rows now, due or not: the
	// meter's prompt report right after it wrote them.
	EventID string
}

// ClaimLease is how long a drainer's claim on a usage row holds: a crashed
// instance's rows are taken by another after it (and sent again with the
// same identifier, which the provider counts once).
const ClaimLease = 5 * time.Minute

// promptGrace is how long a new usage row is left to the meter's prompt
// report before the background drain takes it.
const promptGrace = 2 * time.Minute

// backoff is the wait after the n-th failure: 10 s doubling, at most 1 h.
func backoff(n int) time.Duration {
	d := 10 * time.Second << min(n, 9)
	return min(d, time.Hour)
}

// Drain sends one batch; it reports how many rows it sent.
func (d *Drainer) Drain(ctx context.Context) (int, error) {
	s := d.S
	sys := store.System(ctx, "billing: drain every region's usage ledger")
	batch := d.Batch
	if batch <= 0 {
		batch = 200
	}
	type item struct {
		Usage
		CustomerID     string
		ConnectAccount string
		FeePercent     float64
	}
	var rows []item
	now := clock.Real().UTC()
	if err := s.DB.Read(sys, func(tx *gorm.DB) error {
		q := tx.Model(&Usage{}).Select("billing_usage.*, billing_subscriptions.customer_id, COALESCE(billing_settings.connect_account, '') AS connect_account, COALESCE(billing_settings.fee_percent, 0) AS fee_percent").
			Joins("JOIN billing_subscriptions ON billing_subscriptions.tenant_id = billing_usage.tenant_id AND billing_subscriptions.org_id = billing_usage.org_id").
			Joins("LEFT JOIN billing_settings ON billing_settings.tenant_id = billing_usage.tenant_id").
			Where("billing_usage.sent_at IS NULL")
		q = q.Where("billing_usage.claimed_until IS NULL OR billing_usage.claimed_until < ?", now)
		if d.EventID != "" {
			q = q.Where("billing_usage.event_id = ?", d.EventID)
		} else {
			q = q.Where("billing_usage.next_at <= ?", now)
		}
		return q.Order("billing_usage.occurred_at, billing_usage.id").Limit(batch).Scan(&rows).Error
	}); err != nil {
		return 0, err
	}
	if len(rows) == 0 {
		return 0, nil
	}
	// Claim the rows with a lease: of two instances draining at once, one
	// takes each row (the UPDATE re-checks the lease under the row's lock
	// on Postgres; SQLite runs one writer at a time); the other skips it.
	token := store.NewID()
	until := now.Add(ClaimLease)
	candidates := map[string][]string{}
	for _, it := range rows {
		candidates[it.TenantID] = append(candidates[it.TenantID], it.ID)
	}
	mine := map[string]bool{}
	for tid, ids := range candidates {
		var got []string
		if err := s.DB.Tx(store.WithTenant(ctx, tid), func(tx *gorm.DB) error {
			if err := tx.Model(&Usage{}).Where("id IN ? AND sent_at IS NULL AND (claimed_until IS NULL OR claimed_until < ?)", ids, now).
				Updates(map[string]any{"claimed_by": token, "claimed_until": until}).Error; err != nil {
				return err
			}
			return tx.Model(&Usage{}).Where("id IN ? AND claimed_by = ?", ids, token).Pluck("id", &got).Error
		}); err != nil {
			return 0, err
		}
		for _, id := range got {
			mine[tid+"\x00"+id] = true
		}
	}
	claimed := rows[:0]
	for _, it := range rows {
		if mine[it.TenantID+"\x00"+it.ID] {
			claimed = append(claimed, it)
		}
	}
	rows = claimed
	if len(rows) == 0 {
		return 0, nil
	}
	workers := d.Workers
	if workers <= 0 {
		workers = 4
	}
	type result struct {
		u   Usage
		err error
	}
	jobs := make(chan item)
	results := make(chan result, len(rows))
	for range workers {
		go func() {
			for it := range jobs {
				err := error(nil)
				if it.CustomerID == "" {
					err = errors.New("the organization has no customer at the provider yet")
				} else {
					err = s.Provider.ReportUsage(ctx, Account{ID: it.ConnectAccount, FeePercent: it.FeePercent},
						MeterEvent{Identifier: it.ID, CustomerID: it.CustomerID, Value: it.Quantity, Timestamp: it.OccurredAt})
				}
				results <- result{it.Usage, err}
			}
		}()
	}
	go func() {
		for _, it := range rows {
			jobs <- it
		}
		close(jobs)
	}()
	sent := 0
	var sentIDs []Usage
	for range rows {
		r := <-results
		if r.err == nil {
			sentIDs = append(sentIDs, r.u)
			sent++
			continue
		}
		u := r.u
		_ = s.DB.Tx(store.WithTenant(ctx, u.TenantID), func(tx *gorm.DB) error {
			return tx.Model(&Usage{}).Where("id = ?", u.ID).Updates(map[string]any{"attempts": u.Attempts + 1, "next_at": now.Add(backoff(u.Attempts)), "last_error": trim(r.err.Error(), 500),
				"claimed_by": "", "claimed_until": nil}).Error
		})
	}
	// Mark what was sent, per tenant, in one transaction each.
	byTenant := map[string][]string{}
	for _, u := range sentIDs {
		byTenant[u.TenantID] = append(byTenant[u.TenantID], u.ID)
	}
	for tid, ids := range byTenant {
		if err := s.DB.Tx(store.WithTenant(ctx, tid), func(tx *gorm.DB) error {
			return tx.Model(&Usage{}).Where("id IN ?", ids).Updates(map[string]any{"sent_at": now, "last_error": "", "claimed_by": "", "claimed_until": nil}).Error
		}); err != nil {
			return sent, err
		}
	}
	s.alertStale(sys)
	return sent, nil
}

func trim(s string, n int) string {
	if len(s) > n {
		return s[:n]
	}
	return s
}

// Run drains until ctx ends.
func (d *Drainer) Run(ctx context.Context) {
	poll := d.Poll
	if poll <= 0 {
		poll = 5 * time.Second
	}
	for {
		n, err := d.Drain(ctx)
		if err != nil && ctx.Err() == nil {
			d.S.log().Warn("billing: usage drain failed", "err", err)
		}
		if n > 0 && err == nil {
			continue
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(poll):
		}
	}
}

// Stale counts the region's usage rows unsent for longer than StaleAfter:
// the provider refuses meter events older than 35 days, so admins are
// warned at 30.
func (s *Service) Stale(ctx context.Context) (int64, error) {
	var n int64
	err := s.DB.Read(ctx, func(tx *gorm.DB) error {
		return tx.Model(&Usage{}).Where("sent_at IS NULL AND occurred_at < ?", s.now().Add(-s.staleAfter())).Count(&n).Error
	})
	return n, err
}

func (s *Service) staleAfter() time.Duration {
	if s.StaleAfter > 0 {
		return s.StaleAfter
	}
	return 30 * 24 * time.Hour
}

// alertStale logs at error level when any region has usage near the
// provider's back-dating limit.
func (s *Service) alertStale(sys context.Context) {
	var n int64
	if err := s.DB.Read(sys, func(tx *gorm.DB) error {
		return tx.Model(&Usage{}).Where("sent_at IS NULL AND occurred_at < ?", s.now().Add(-s.staleAfter())).Count(&n).Error
	}); err == nil && n > 0 && s.alertDue() {
		s.log().Error("billing: usage unsent for 30 days; the provider refuses meter events older than 35 days", "rows", n)
	}
}

// alertDue limits the stuck-usage alert to once an hour per instance.
func (s *Service) alertDue() bool {
	now := clock.Real().Unix()
	last := s.lastAlert.Load()
	return now-last >= 3600 && s.lastAlert.CompareAndSwap(last, now)
}
