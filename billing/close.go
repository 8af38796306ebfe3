package billing

import (
	"context"
	"errors"
	"fmt"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/masseflyt/masseflyt/core/access"
	"github.com/masseflyt/masseflyt/core/auth"
	"github.com/masseflyt/masseflyt/core/fail"
	"github.com/masseflyt/masseflyt/core/page"
	"github.com/masseflyt/masseflyt/core/store"
)

// The offline provider's invoices (billing.local): when a month has ended,
// each organization on a paid plan gets a stored invoice for it (its
// lines in Norwegian, VAT 25 %, proration across a plan change, totals in
// NOK), and each region on a platform plan gets the platform's invoice.
// Each is made exactly once, across instances: the month is claimed per
// scope in billing_closings in the transaction that makes its invoices (a
// second instance's claim waits for the first and then finds it taken).
// An open invoice past its due date becomes "forfalt", which the region's
// consequence acts on; the region's admin marks an invoice paid.

// CloseInterval is how often an instance runs Close.
var CloseInterval = 15 * time.Minute

// PaymentDays is the payment term of the stored invoices.
const PaymentDays = 14

// closeMonths is how far back the close looks for a month not yet closed
// (an instance down over a month end still closes it).
const closeMonths = 12

// Offline reports whether the provider is the offline one, whose invoices
// billing makes and stores itself (the Stripe provider's come from
// webhooks).
func (s *Service) Offline() bool {
	_, ok := s.Provider.(*Local)
	return ok
}

// CloseResult counts what one close made.
type CloseResult struct {
	Invoices, RegionInvoices, PastDue, Mailed int
}

// Close is the periodic job (App.every): it stores the invoices of every
// ended month not yet invoiced, then marks open invoices past their due
// date "forfalt". It does nothing but the marking for a provider that
// invoices itself.
func (s *Service) Close(ctx context.Context) (CloseResult, error) {
	var r CloseResult
	sys := store.System(ctx, "billing: close the ended months of every region")
	now := s.now()
	if s.Offline() {
		months := endedMonths(now)
		// What is closed already (one read; the claim is the guard).
		var done []closing
		if err := s.DB.Read(sys, func(tx *gorm.DB) error {
			return tx.Where("period_start >= ?", months[0]).Find(&done).Error
		}); err != nil {
			return r, err
		}
		closed := map[string]bool{}
		for _, c := range done {
			closed[c.Scope+"|"+c.PeriodStart.UTC().Format(time.RFC3339)] = true
		}
		isClosed := func(scope string, start time.Time) bool { return closed[scope+"|"+start.UTC().Format(time.RFC3339)] }
		var regions []string
		if err := s.DB.Read(sys, func(tx *gorm.DB) error {
			return tx.Model(&Subscription{}).Distinct("tenant_id").Where("plan_id IS NOT NULL AND free = ? OR prev_plan_id IS NOT NULL", false).Pluck("tenant_id", &regions).Error
		}); err != nil {
			return r, err
		}
		var errs []error
		for _, tid := range regions {
			for _, start := range months {
				if isClosed(tid, start) {
					continue
				}
				n, err := s.closeMembers(store.WithTenant(ctx, tid), tid, start)
				r.Invoices += n
				if err != nil {
					errs = append(errs, fmt.Errorf("region %s, %s: %w", tid, MonthName(start), err))
					break
				}
			}
		}
		var subs []RegionSubscription
		if err := s.DB.Read(sys, func(tx *gorm.DB) error {
			return tx.Where("plan_id IS NOT NULL").Order("region_id").Find(&subs).Error
		}); err != nil {
			return r, err
		}
		for _, rs := range subs {
			for _, start := range months {
				if isClosed("region:"+rs.RegionID, start) {
					continue
				}
				made, err := s.closeRegion(sys, rs.RegionID, start)
				if made {
					r.RegionInvoices++
				}
				if err != nil {
					errs = append(errs, fmt.Errorf("platform invoice of %s, %s: %w", rs.RegionID, MonthName(start), err))
					break
				}
			}
		}
		if err := errors.Join(errs...); err != nil {
			return r, err
		}
		n, err := s.mailInvoices(sys, now)
		r.Mailed = n
		if err != nil {
			return r, err
		}
	}
	n, err := s.markPastDue(sys, now)
	r.PastDue = n
	return r, err
}

// endedMonths are the starts of the months before now's, oldest first.
func endedMonths(now time.Time) []time.Time {
	cur := PeriodStart(now)
	out := make([]time.Time, 0, closeMonths)
	for i := closeMonths; i >= 1; i-- {
		t := cur.In(oslo)
		out = append(out, time.Date(t.Year(), t.Month()-time.Month(i), 1, 0, 0, 0, 0, oslo).UTC())
	}
	return out
}

// claim takes a month for scope in tx; false when it was closed before
// (or by another instance, whose claim this one waited for).
func claim(tx *gorm.DB, scope string, start, now time.Time) (bool, error) {
	res := tx.Clauses(clause.OnConflict{DoNothing: true}).Create(&closing{Scope: scope, PeriodStart: start, ClosedAt: now})
	return res.RowsAffected == 1, res.Error
}

// closeMembers stores the month's invoices of a region's organizations
// on paid plans, in one transaction with the month's claim.
func (s *Service) closeMembers(ctx context.Context, tid string, start time.Time) (int, error) {
	now := s.now()
	end := PeriodEnd(start)
	made := 0
	err := s.DB.Tx(ctx, func(tx *gorm.DB) error {
		made = 0
		var subs []Subscription
		// On a paid plan, or left one in the month or since (the days on it
		// are billed; draftTx takes the plan of the month).
		if err := tx.Where("created_at < ? AND (plan_id IS NOT NULL AND free = ? OR prev_plan_id IS NOT NULL AND changed_at >= ?)", end, false, start).
			Order("created_at, id").Find(&subs).Error; err != nil {
			return err
		}
		if len(subs) == 0 {
			return nil // nothing to close: the month stays open for a subscription back-dated into it
		}
		ok, err := claim(tx, tid, start, now)
		if err != nil || !ok {
			return err
		}
		var seq int64
		if err := tx.Model(&Invoice{}).Where("provider_id = ''").Count(&seq).Error; err != nil {
			return err
		}
		due := now.AddDate(0, 0, PaymentDays)
		for i := range subs {
			d, err := draftTx(tx, &subs[i], start)
			if err != nil {
				return err
			}
			if len(d.Lines) == 0 {
				continue
			}
			seq++
			inv := Invoice{ID: store.NewID(), OrgID: subs[i].OrgID, Number: fmt.Sprintf("%s-%05d", start.In(oslo).Format("2006"), seq),
				PeriodStart: start, PeriodEnd: end, NetOre: d.NetOre, VATOre: d.VATOre, TotalOre: d.TotalOre, Status: InvoiceOpen,
				Lines: d.Lines, DueAt: &due, CreatedAt: now, UpdatedAt: now}
			if err := tx.Create(&inv).Error; err != nil {
				return err
			}
			made++
		}
		return tx.Model(&closing{}).Where("scope = ? AND period_start = ?", tid, start).Update("invoices", made).Error
	})
	if err != nil {
		return 0, err
	}
	return made, nil
}

// regionDraft is the platform's invoice to a region for a month: the
// licence of its plan (a yearly one by the month), from the subscription's
// start when it began in the month.
func regionDraft(rs *RegionSubscription, plan *RegionPlan, start time.Time) *Draft {
	end := PeriodEnd(start)
	d := &Draft{OrgID: rs.RegionID, PeriodStart: start, PeriodEnd: end}
	full := plan.LicenceOre
	if plan.Interval == "year" {
		full = divRound(plan.LicenceOre, 12)
	}
	from := maxTime(start, rs.CreatedAt)
	if !from.Before(end) {
		return d
	}
	days := calendarDays(start, end)
	used := calendarDays(from, end)
	l := Line{Text: fmt.Sprintf("Plattformlisens «%s», %s", plan.Name, MonthName(start)), Quantity: 1, Unit: "mnd", UnitOre: full, AmountOre: full}
	if used < days-0.01 {
		l.Quantity = float64(int64(used/days*1000+0.5)) / 1000
		l.AmountOre = divRound(full*int64(used*1000+0.5), int64(days*1000+0.5))
		l.Text = fmt.Sprintf("Plattformlisens «%s», %s (forholdsmessig, %d av %d dager)", plan.Name, MonthName(start), int(used+0.5), int(days+0.5))
	}
	d.Lines = []Line{l}
	d.total()
	return d
}

// closeRegion stores the platform's invoice to a region for a month.
func (s *Service) closeRegion(sys context.Context, regionID string, start time.Time) (bool, error) {
	now := s.now()
	made := false
	err := s.DB.Tx(sys, func(tx *gorm.DB) error {
		made = false
		var rs RegionSubscription
		if err := tx.Where("region_id = ?", regionID).First(&rs).Error; err != nil {
			return err
		}
		if rs.PlanID == nil || !rs.CreatedAt.Before(PeriodEnd(start)) {
			return nil
		}
		var plan RegionPlan
		if err := tx.Where("id = ?", *rs.PlanID).First(&plan).Error; err != nil {
			return err
		}
		ok, err := claim(tx, "region:"+regionID, start, now)
		if err != nil || !ok {
			return err
		}
		d := regionDraft(&rs, &plan, start)
		if len(d.Lines) == 0 {
			return nil
		}
		var seq int64
		if err := tx.Model(&RegionInvoice{}).Where("provider_id = ''").Count(&seq).Error; err != nil {
			return err
		}
		due := now.AddDate(0, 0, PaymentDays)
		inv := RegionInvoice{ID: store.NewID(), RegionID: regionID, Number: fmt.Sprintf("MF-%s-%05d", start.In(oslo).Format("2006"), seq+1),
			PeriodStart: start, PeriodEnd: PeriodEnd(start), Lines: d.Lines, NetOre: d.NetOre, VATOre: d.VATOre, TotalOre: d.TotalOre,
			Status: InvoiceOpen, DueAt: &due, CreatedAt: now, UpdatedAt: now}
		if err := tx.Create(&inv).Error; err != nil {
			return err
		}
		made = true
		return tx.Model(&closing{}).Where("scope = ? AND period_start = ?", "region:"+regionID, start).Update("invoices", 1).Error
	})
	return made, err
}

// markPastDue makes the stored invoices open past their due date
// "forfalt", and their organizations' subscriptions with them.
func (s *Service) markPastDue(sys context.Context, now time.Time) (int, error) {
	n := 0
	err := s.DB.Tx(sys, func(tx *gorm.DB) error {
		var due []Invoice
		if err := tx.Select("tenant_id, id, org_id").Where("status = ? AND provider_id = '' AND due_at < ?", InvoiceOpen, now).Find(&due).Error; err != nil {
			return err
		}
		for _, inv := range due {
			if err := tx.Model(&Invoice{}).Where("tenant_id = ? AND id = ? AND status = ?", inv.TenantID, inv.ID, InvoiceOpen).
				Updates(map[string]any{"status": InvoicePastDue, "updated_at": now}).Error; err != nil {
				return err
			}
			if err := tx.Model(&Subscription{}).Where("tenant_id = ? AND org_id = ? AND status = ?", inv.TenantID, inv.OrgID, StatusActive).
				Updates(map[string]any{"status": StatusPastDue, "updated_at": now}).Error; err != nil {
				return err
			}
			n++
		}
		res := tx.Model(&RegionInvoice{}).Where("status = ? AND provider_id = '' AND due_at < ?", InvoiceOpen, now).
			Updates(map[string]any{"status": InvoicePastDue, "updated_at": now})
		n += int(res.RowsAffected)
		return res.Error
	})
	return n, err
}

// MarkPaid records that a region's stored invoice to a member was paid
// (the offline provider takes no payments): the organization's
// subscription is active again when it has no other unpaid invoice.
func (s *Service) MarkPaid(ctx context.Context, id string) (*Invoice, error) {
	now := s.now()
	var inv Invoice
	err := s.DB.Tx(ctx, func(tx *gorm.DB) error {
		if err := tx.Where("id = ?", id).First(&inv).Error; err != nil {
			return store.NotFoundOr(err)
		}
		if inv.ProviderID != "" {
			return fail.ConflictErr("ErrBillingProviderInvoice")
		}
		if inv.Status == InvoicePaid {
			return nil // a replay changes nothing
		}
		if inv.Status == InvoiceVoid {
			return fail.ConflictErr("ErrBillingInvoiceVoid")
		}
		if err := tx.Model(&Invoice{}).Where("id = ?", id).Updates(map[string]any{"status": InvoicePaid, "paid_at": now, "updated_at": now}).Error; err != nil {
			return err
		}
		var open int64
		if err := tx.Model(&Invoice{}).Where("org_id = ? AND status = ?", inv.OrgID, InvoicePastDue).Count(&open).Error; err != nil {
			return err
		}
		if open == 0 {
			if err := tx.Model(&Subscription{}).Where("org_id = ? AND status = ?", inv.OrgID, StatusPastDue).
				Updates(map[string]any{"status": StatusActive, "updated_at": now}).Error; err != nil {
				return err
			}
		}
		return tx.Where("id = ?", id).First(&inv).Error
	})
	if err != nil {
		return nil, err
	}
	return &inv, nil
}

// MarkRegionPaid records that a region paid the platform's stored invoice
// (the platform admin).
func (s *Service) MarkRegionPaid(ctx context.Context, id string) (*RegionInvoice, error) {
	now := s.now()
	var inv RegionInvoice
	err := s.DB.Tx(ctx, func(tx *gorm.DB) error {
		if err := tx.Where("id = ?", id).First(&inv).Error; err != nil {
			return store.NotFoundOr(err)
		}
		if inv.ProviderID != "" {
			return fail.ConflictErr("ErrBillingProviderInvoice")
		}
		if inv.Status == InvoicePaid {
			return nil
		}
		if inv.Status == InvoiceVoid {
			return fail.ConflictErr("ErrBillingInvoiceVoid")
		}
		if err := tx.Model(&RegionInvoice{}).Where("id = ?", id).Updates(map[string]any{"status": InvoicePaid, "paid_at": now, "updated_at": now}).Error; err != nil {
			return err
		}
		return tx.Where("id = ?", id).First(&inv).Error
	})
	if err != nil {
		return nil, err
	}
	return &inv, nil
}

// InvoiceBounds are the invoice lists' page sizes.
var InvoiceBounds = page.Bounds{Default: 50, Max: 200}

// MemberInvoices lists the region's invoices to its members, newest first
// (the region's admins and supervisors), a page at a time.
func (s *Service) MemberInvoices(ctx context.Context, r page.Request) (page.Page[Invoice], error) {
	limit := pageLimit(r)
	rows := []Invoice{}
	err := s.DB.Read(ctx, func(tx *gorm.DB) error {
		q := tx.Model(&Invoice{}).Select("billing_invoices.*, organizations.name AS org_name").
			Joins("JOIN organizations ON organizations.tenant_id = billing_invoices.tenant_id AND organizations.id = billing_invoices.org_id")
		q, err := afterInvoice(q, "billing_invoices", "number", false, r.Cursor)
		if err != nil {
			return err
		}
		return q.Order("billing_invoices.period_start DESC, billing_invoices.number DESC, billing_invoices.id DESC").Limit(limit + 1).Find(&rows).Error
	})
	if err != nil {
		return page.Page[Invoice]{}, err
	}
	return page.Cut(rows, limit, func(i Invoice) page.Key { return page.Key{stamp(i.PeriodStart), i.Number, i.ID} }), nil
}

func pageLimit(r page.Request) int {
	if r.Limit <= 0 {
		return InvoiceBounds.Default
	}
	return r.Limit
}

func stamp(t time.Time) string { return t.UTC().Format(time.RFC3339Nano) }

// afterInvoice keeps the rows after a cursor in the order period_start
// DESC, second DESC (a string, or a time when asTime), id DESC.
func afterInvoice(q *gorm.DB, table, second string, asTime bool, cursor string) (*gorm.DB, error) {
	if cursor == "" {
		return q, nil
	}
	k, err := page.Decode(cursor, 3)
	if err != nil {
		return nil, err
	}
	at, err := time.Parse(time.RFC3339Nano, k[0])
	if err != nil || !store.ValidID(k[2]) {
		return nil, page.BadCursor()
	}
	var b any = k[1]
	if asTime {
		t, err := time.Parse(time.RFC3339Nano, k[1])
		if err != nil {
			return nil, page.BadCursor()
		}
		b = t
	}
	p, c, id := table+".period_start", table+"."+second, table+".id"
	return q.Where("("+p+" < ? OR ("+p+" = ? AND ("+c+" < ? OR ("+c+" = ? AND "+id+" < ?))))", at, at, b, b, k[2]), nil
}

// Invoice returns one invoice to a member: its organization's admins, the
// region's admins and supervisors.
func (s *Service) Invoice(ctx context.Context, id string) (*Invoice, error) {
	var inv Invoice
	if err := s.DB.Read(ctx, func(tx *gorm.DB) error {
		return tx.Model(&Invoice{}).Select("billing_invoices.*, organizations.name AS org_name").
			Joins("JOIN organizations ON organizations.tenant_id = billing_invoices.tenant_id AND organizations.id = billing_invoices.org_id").
			Where("billing_invoices.id = ?", id).First(&inv).Error
	}); err != nil {
		return nil, store.NotFoundOr(err)
	}
	a := access.From(ctx)
	if !a.CanAdminOrg(inv.OrgID) && !a.Principal.Has(auth.RoleSupervisor) {
		return nil, access.NotOwnOrganization()
	}
	return &inv, nil
}

// RegionInvoices lists the platform's invoices to a region (regionID), or
// to every region (""), newest first, a page at a time.
func (s *Service) RegionInvoices(ctx context.Context, regionID string, r page.Request) (page.Page[RegionInvoice], error) {
	limit := pageLimit(r)
	rows := []RegionInvoice{}
	err := s.DB.Read(ctx, func(tx *gorm.DB) error {
		q, err := afterInvoice(tx.Model(&RegionInvoice{}), "billing_region_invoices", "created_at", true, r.Cursor)
		if err != nil {
			return err
		}
		if regionID != "" {
			q = q.Where("region_id = ?", regionID)
		}
		return q.Order("period_start DESC, created_at DESC, id DESC").Limit(limit + 1).Find(&rows).Error
	})
	if err != nil {
		return page.Page[RegionInvoice]{}, err
	}
	return page.Cut(rows, limit, func(i RegionInvoice) page.Key {
		return page.Key{stamp(i.PeriodStart), stamp(i.CreatedAt), i.ID}
	}), nil
}

// RegionInvoice returns one of a region's platform invoices (regionID ""
// for the platform admin: any region's).
func (s *Service) RegionInvoice(ctx context.Context, regionID, id string) (*RegionInvoice, error) {
	var inv RegionInvoice
	err := s.DB.Read(ctx, func(tx *gorm.DB) error {
		q := tx.Where("id = ?", id)
		if regionID != "" {
			q = q.Where("region_id = ?", regionID)
		}
		return q.First(&inv).Error
	})
	if err != nil {
		return nil, store.NotFoundOr(err)
	}
	return &inv, nil
}

// StoredRegionInvoice returns the platform's stored invoice to a region for
// the month starting at start, or nil when the month is not closed.
func (s *Service) StoredRegionInvoice(ctx context.Context, regionID string, start time.Time) (*RegionInvoice, error) {
	var inv RegionInvoice
	err := s.DB.Read(ctx, func(tx *gorm.DB) error {
		return tx.Where("region_id = ? AND period_start = ? AND provider_id = ''", regionID, PeriodStart(start)).Limit(1).Find(&inv).Error
	})
	if err != nil || inv.ID == "" {
		return nil, err
	}
	return &inv, nil
}
