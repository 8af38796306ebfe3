package billing

import (
	"bytes"
	"context"
	"database/sql/driver"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"time"

	"gorm.io/gorm"

	"github.com/masseflyt/masseflyt/core/fail"
	"github.com/masseflyt/masseflyt/core/invoice"
	"github.com/masseflyt/masseflyt/core/store"
)

var oslo = func() *time.Location {
	l, err := time.LoadLocation("Europe/Oslo")
	if err != nil {
		return time.FixedZone("CET", 3600)
	}
	return l
}()

// PeriodStart is the first instant of the (Oslo) calendar month of t.
func PeriodStart(t time.Time) time.Time {
	t = t.In(oslo)
	return time.Date(t.Year(), t.Month(), 1, 0, 0, 0, 0, oslo).UTC()
}

// calendarDays is the time from from to to in Oslo calendar days: by the
// wall clock, so a month with the change to or from summer time still has
// its 31 days, and proration matches the days its invoice line names.
func calendarDays(from, to time.Time) float64 {
	wall := func(t time.Time) time.Time {
		t = t.In(oslo)
		return time.Date(t.Year(), t.Month(), t.Day(), t.Hour(), t.Minute(), t.Second(), t.Nanosecond(), time.UTC)
	}
	return wall(to).Sub(wall(from)).Hours() / 24
}

// MonthsBack is the start of the month n months before t's (Oslo months;
// n = 0 is t's own). Stepping a period start with AddDate in UTC would
// land on the previous day's 23:00 and normalize into the wrong month.
func MonthsBack(t time.Time, n int) time.Time {
	t = t.In(oslo)
	return time.Date(t.Year(), t.Month()-time.Month(n), 1, 0, 0, 0, 0, oslo).UTC()
}

// PeriodEnd is the first instant of the next month.
func PeriodEnd(start time.Time) time.Time {
	t := start.In(oslo)
	return time.Date(t.Year(), t.Month()+1, 1, 0, 0, 0, 0, oslo).UTC()
}

var months = []string{"januar", "februar", "mars", "april", "mai", "juni", "juli", "august", "september", "oktober", "november", "desember"}

// MonthName is "november 2026".
func MonthName(start time.Time) string {
	t := start.In(oslo)
	return fmt.Sprintf("%s %d", months[t.Month()-1], t.Year())
}

// Line is one invoice line, its text in Norwegian.
type Line struct {
	Text     string  `json:"text"`
	Quantity float64 `json:"quantity"`
	Unit     string  `json:"unit"`
	UnitOre  int64   `json:"unit_ore"`
	// AmountOre excludes VAT.
	AmountOre int64 `json:"amount_ore"`
}

// Draft is an invoice as billing.local computes it: the period's licence
// (prorated across every plan change), the transactions, VAT 25 %.
type Draft struct {
	OrgID       string    `json:"org_id"`
	PeriodStart time.Time `json:"period_start"`
	PeriodEnd   time.Time `json:"period_end"`
	Lines       []Line    `json:"lines"`
	NetOre      int64     `json:"net_ore"`
	VATOre      int64     `json:"vat_ore"`
	TotalOre    int64     `json:"total_ore"`
	Free        bool      `json:"free"`
}

// Preview computes an organization's invoice for the period starting at
// start (the same numbers the provider bills: licence plus metered usage).
func (s *Service) Preview(ctx context.Context, orgID string, start time.Time) (*Draft, error) {
	sub, err := s.Subscription(ctx, orgID)
	if err != nil {
		return nil, err
	}
	var d *Draft
	err = s.DB.Read(ctx, func(tx *gorm.DB) error {
		var err error
		d, err = draftTx(tx, sub, start)
		return err
	})
	return d, err
}

// draftTx computes a subscription's invoice for the period starting at
// start in tx: the licence (prorated across every plan change in the
// period, and from the subscription's start), the period's usage from the
// usage query (K14) at the price of the plan at the period's end (or the
// last paid one in it), VAT 25 %.
func draftTx(tx *gorm.DB, sub *Subscription, start time.Time) (*Draft, error) {
	start = PeriodStart(start)
	end := PeriodEnd(start)
	d := &Draft{OrgID: sub.OrgID, PeriodStart: start, PeriodEnd: end, Free: sub.Free}
	if sub.ID == "" {
		return d, nil
	}
	segs, err := planSegments(tx, sub, start, end)
	if err != nil {
		return nil, err
	}
	d.Free = segs[len(segs)-1].plan == nil
	var priced *MemberPlan // the transactions' price
	plans := map[string]*MemberPlan{}
	for _, g := range segs {
		if g.plan != nil {
			plans[*g.plan] = nil
		}
	}
	if len(plans) == 0 {
		return d, nil
	}
	var ps []MemberPlan
	if err := tx.Where("id IN ?", slices.Collect(maps.Keys(plans))).Find(&ps).Error; err != nil {
		return nil, err
	}
	for i := range ps {
		plans[ps[i].ID] = &ps[i]
	}
	for _, g := range segs {
		if g.plan != nil {
			if plans[*g.plan] == nil {
				return nil, store.NotFoundOr(gorm.ErrRecordNotFound)
			}
			if g.from.Before(g.to) {
				priced = plans[*g.plan]
			}
		}
	}
	if priced == nil {
		return d, nil
	}
	days := calendarDays(start, end)
	licence := func(p *MemberPlan, from, to time.Time) {
		if p == nil || !from.Before(to) {
			return
		}
		full := p.LicenceOre
		if p.Interval == "year" {
			full = divRound(p.LicenceOre, 12)
		}
		used := calendarDays(from, to)
		text := fmt.Sprintf("Lisens «%s», %s", p.Name, MonthName(start))
		amount := full
		q := 1.0
		if used < days-0.01 {
			q = float64(int64(used/days*1000+0.5)) / 1000
			amount = divRound(full*int64(used*1000+0.5), int64(days*1000+0.5))
			text = fmt.Sprintf("Lisens «%s», %s (forholdsmessig, %d av %d dager)", p.Name, MonthName(start), int(used+0.5), int(days+0.5))
		}
		d.Lines = append(d.Lines, Line{Text: text, Quantity: q, Unit: "mnd", UnitOre: full, AmountOre: amount})
	}
	for _, g := range segs {
		if g.plan != nil {
			licence(plans[*g.plan], g.from, g.to)
		}
	}
	usage, err := usageQuery(tx, start, end, sub.OrgID)
	if err != nil {
		return nil, err
	}
	for _, u := range usage {
		switch u.Metric {
		case MetricAgreements:
			d.Lines = append(d.Lines, Line{Text: fmt.Sprintf("Signerte avtaler, %s", MonthName(start)), Quantity: float64(u.Quantity), Unit: "stk", UnitOre: priced.UnitOre, AmountOre: u.Quantity * priced.UnitOre})
		default:
			what := "Avtalte tonn"
			if u.Metric == MetricReceived {
				what = "Mottatte tonn"
			}
			d.Lines = append(d.Lines, Line{Text: fmt.Sprintf("%s, %s", what, MonthName(start)), Quantity: float64(u.Quantity) / 1000, Unit: "tonn", UnitOre: priced.UnitOre, AmountOre: divRound(u.Quantity*priced.UnitOre, 1000)})
		}
	}
	d.total()
	return d, nil
}

// segment is a stretch of a period on one plan (nil: free or none).
type segment struct {
	plan     *string
	from, to time.Time
}

// planSegments splits the period into the stretches on each plan, from the
// subscription's plan changes (before the period's end: a change after it,
// in a month closed late, does not reach back). A subscription without
// them (written before they were kept) is read from its last change.
func planSegments(tx *gorm.DB, sub *Subscription, start, end time.Time) ([]segment, error) {
	hist, _, err := planChanges(tx, sub)
	if err != nil {
		return nil, err
	}
	var cur *string // before the subscription: none
	from := start
	var out []segment
	for _, h := range hist {
		if !h.At.After(start) {
			cur = h.PlanID
			continue
		}
		if h.At.Before(end) {
			out = append(out, segment{cur, from, h.At})
			cur, from = h.PlanID, h.At
		}
	}
	return append(out, segment{cur, from, end}), nil
}

// planChanges are a subscription's plan changes, oldest first; stored is
// false for a subscription from before they were kept, whose changes are
// then what its own fields tell (knownChanges).
func planChanges(tx *gorm.DB, sub *Subscription) (hist []PlanChange, stored bool, err error) {
	if err := tx.Where("subscription_id = ?", sub.ID).Order("at, id").Find(&hist).Error; err != nil {
		return nil, false, err
	}
	if len(hist) == 0 {
		return knownChanges(sub), false, nil
	}
	return hist, true, nil
}

// knownChanges are what a subscription from before the plan changes were
// kept tells of them: the plan it started with, and its last change.
func knownChanges(sub *Subscription) []PlanChange {
	first := sub.PlanID
	if sub.ChangedAt != nil {
		first = sub.PrevPlanID
	}
	out := []PlanChange{{SubscriptionID: sub.ID, PlanID: first, At: sub.CreatedAt}}
	if sub.ChangedAt != nil {
		out = append(out, PlanChange{SubscriptionID: sub.ID, PlanID: sub.PlanID, At: *sub.ChangedAt})
	}
	return out
}

// total sums the lines and adds VAT 25 %.
func (d *Draft) total() {
	d.NetOre = 0
	for _, l := range d.Lines {
		d.NetOre += l.AmountOre
	}
	d.VATOre = divRound(d.NetOre*VATPercent, 100)
	d.TotalOre = d.NetOre + d.VATOre
}

// LineList is an invoice's lines, stored as JSON text.
type LineList []Line

// Value stores the lines as JSON.
func (l LineList) Value() (driver.Value, error) {
	if len(l) == 0 {
		return "", nil
	}
	b, err := json.Marshal([]Line(l))
	return string(b), err
}

// Scan reads the lines from JSON.
func (l *LineList) Scan(v any) error {
	var b []byte
	switch x := v.(type) {
	case nil:
	case string:
		b = []byte(x)
	case []byte:
		b = x
	default:
		return fmt.Errorf("billing: lines of type %T", v)
	}
	if len(b) == 0 {
		*l = LineList{}
		return nil
	}
	return json.Unmarshal(b, (*[]Line)(l))
}

func maxTime(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

// divRound is a/b rounded half away from zero (b > 0).
func divRound(a, b int64) int64 {
	if a < 0 {
		return -divRound(-a, b)
	}
	return (a + b/2) / b
}

// Platform is the platform as the seller on its invoices to regions.
type Platform struct {
	Name, OrgNumber, Address, PostCode, City, Email string
	// Account is the platform's bank account for the regions' payments.
	Account string
}

// RegionInvoiceEHF writes the platform's invoice to a region for the month
// starting at start as EHF (PEPPOL BIS Billing 3.0 UBL), for a region that
// is a public body: the buyer's organization number and reference from its
// subscription.
func (s *Service) RegionInvoiceEHF(ctx context.Context, w interface{ Write([]byte) (int, error) }, regionID, regionName string, start time.Time) error {
	seller := s.Seller
	sys := store.System(ctx, "billing: a region's platform invoice")
	var sub RegionSubscription
	var plan RegionPlan
	if err := s.DB.Read(sys, func(tx *gorm.DB) error {
		if err := tx.Where("region_id = ?", regionID).First(&sub).Error; err != nil {
			return store.NotFoundOr(err)
		}
		if sub.PlanID == nil {
			return store.NotFoundOr(gorm.ErrRecordNotFound)
		}
		return tx.Where("id = ?", *sub.PlanID).First(&plan).Error
	}); err != nil {
		return err
	}
	if !sub.PublicBody {
		return store.NotFoundOr(gorm.ErrRecordNotFound)
	}
	start = PeriodStart(start)
	end := PeriodEnd(start)
	price := plan.LicenceOre
	if plan.Interval == "year" {
		price = divRound(plan.LicenceOre, 12)
	}
	b := invoice.Basis{
		Number: fmt.Sprintf("MF-%s-%s", start.In(oslo).Format("2006-01"), shortID(regionID)), IssueDate: s.now(),
		PeriodFrom: start.In(oslo), PeriodTo: end.Add(-time.Hour).In(oslo), Currency: Currency,
		Seller:      invoice.Party{Name: seller.Name, OrgNumber: seller.OrgNumber, Address: seller.Address, PostCode: seller.PostCode, City: seller.City, Country: "NO", Email: seller.Email, VATRegistered: true},
		Buyer:       invoice.Party{Name: regionName, OrgNumber: sub.OrgNumber, Country: "NO", Email: sub.BillingEmail},
		Description: "Drift av Masseflyt-regionen " + regionName + ", " + MonthName(start), BuyerReference: sub.BuyerReference,
		VATPercent: VATPercent, Issuer: seller.Name,
		// The basis is made for masses (a fraction, tonnes); a licence is
		// one piece: written with unit "t", then given UN/ECE code C62.
		AgreementNumber: "ABO-" + shortID(regionID),
		Lines: []invoice.Line{{ID: "1", Description: fmt.Sprintf("Plattformlisens «%s», %s", plan.Name, MonthName(start)), Fraction: "lisens", FractionName: "Plattformlisens",
			Unit: "t", Quantity: 1, UnitPriceOre: price}},
	}
	var buf bytes.Buffer
	if err := invoice.WriteUBL(&buf, b); err != nil {
		return err
	}
	_, err := w.Write(bytes.ReplaceAll(buf.Bytes(), []byte(`unitCode="TNE"`), []byte(`unitCode="C62"`)))
	return err
}

func shortID(id string) string {
	if len(id) > 8 {
		return id[len(id)-8:]
	}
	return id
}

// ParseMonth reads a month "YYYY-MM" (empty: the month of now) as the
// period's start.
func ParseMonth(s string, now time.Time) (time.Time, error) {
	if s == "" {
		return PeriodStart(now), nil
	}
	t, err := time.ParseInLocation("2006-01", s, oslo)
	if err != nil || t.Year() < 2000 || t.Year() > 2100 {
		var v fail.Validation
		v.Add("month", "format", "ErrBillingMonth")
		return time.Time{}, v.Err()
	}
	return t.UTC(), nil
}
