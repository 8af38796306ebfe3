package transport

import (
	"sort"
	"strings"
	"time"

	"gorm.io/gorm"

	"github.com/masseflyt/masseflyt/core/access"
	"github.com/masseflyt/masseflyt/core/agreement"
	"github.com/masseflyt/masseflyt/core/auth"
	"github.com/masseflyt/masseflyt/core/fail"
	"github.com/masseflyt/masseflyt/core/page"
	"github.com/masseflyt/masseflyt/core/store"
)

// Service is transport booking and planned transports. Its methods take a
// context carrying the actor (core/access) and return fail errors.
type Service struct {
	DB *store.DB
}

// Page sizes.
var (
	RequestBounds = page.Bounds{Default: 50, Max: 200}
	OrderBounds   = page.Bounds{Default: 50, Max: 200}
)

// The row rules, once.
//
//   - A request is seen by the members of its requesting organization and
//     of the transport company asked, and by supervisors and tenant
//     admins. The company's members answer it.
//   - An order is seen by the members of its transport company, its
//     supplier and its receiver, and by supervisors and tenant admins;
//     its sides (those three) cancel it.
//   - A plan is the registering organization's: its members withdraw it.
//     Any member of the region sees plans and orders in the overview of
//     planned transports with their parties; the public sees aggregates.
//   - Nobody else finds a request or an order (not found).

// orgsOf are the organizations the actor represents (approved).
func orgsOf(a *access.Actor) map[string]bool {
	out := map[string]bool{}
	if a.Principal == nil {
		return out
	}
	for o := range a.Principal.Orgs {
		out[o] = true
	}
	return out
}

// observer: supervisors and tenant admins read everything and change
// nothing.
func observer(a *access.Actor) bool {
	return a.IsAdmin() || a.Principal.Has(auth.RoleSupervisor)
}

// sealed is an agreement with its sealed terms.
type sealed struct {
	ag    agreement.Agreement
	terms agreement.Terms
}

// agreementTx reads an agreement and its sealed terms (nil terms when it
// was never sealed).
func agreementTx(tx *gorm.DB, id string) (*sealed, error) {
	if !store.ValidID(id) {
		return nil, fail.NotFoundErr()
	}
	var s sealed
	if err := tx.Where("id = ?", id).Take(&s.ag).Error; err != nil {
		return nil, store.NotFoundOr(err)
	}
	if s.ag.SealedVersion > 0 {
		var v agreement.Version
		if err := tx.Where("agreement_id = ? AND version = ?", id, s.ag.SealedVersion).Take(&v).Error; err != nil {
			return nil, err
		}
		s.terms = agreement.Terms(v.Terms)
	}
	return &s, nil
}

// party is the party organization the actor acts for in the agreement
// (prefer when it represents both and prefer is one of them), or "".
func party(a *access.Actor, ag *agreement.Agreement, prefer string) string {
	orgs := orgsOf(a)
	sup, rec := orgs[ag.SupplierOrgID], orgs[ag.ReceiverOrgID]
	switch {
	case sup && rec && prefer == ag.ReceiverOrgID:
		return ag.ReceiverOrgID
	case sup:
		return ag.SupplierOrgID
	case rec:
		return ag.ReceiverOrgID
	}
	return ""
}

// bookable refuses an agreement transport cannot be booked on: not sealed,
// cancelled or completed. The caller has already shown it may see it.
func bookable(s *sealed) error {
	switch {
	case s.ag.Status == agreement.StatusCancelled:
		return fail.ConflictErr("ErrTransportAgreementCancelled")
	case s.ag.Status == agreement.StatusCompleted:
		return fail.ConflictErr("ErrTransportAgreementCompleted")
	case s.ag.SealedVersion == 0:
		return fail.ConflictErr("ErrTransportAgreementNotSealed")
	case s.terms.Supplier.SiteID == "" || s.terms.Receiver.SiteID == "":
		return fail.ConflictErr("ErrTransportNoSites")
	}
	return nil
}

// seeAgreement refuses an actor who may not see the agreement (not found)
// or who only reads it (forbidden); it returns the party acted for.
func seeAgreement(a *access.Actor, s *sealed, prefer string) (string, error) {
	if a.Anonymous() {
		return "", fail.UnauthorizedErr()
	}
	org := party(a, &s.ag, prefer)
	if org != "" {
		return org, nil
	}
	if observer(a) && s.ag.SealedVersion > 0 {
		return "", fail.New(fail.Forbidden, "not_party", "ErrTransportNotParty")
	}
	return "", fail.NotFoundErr()
}

// period is the sealed terms' period as dates (zero when open).
func period(t agreement.Terms) (from, to time.Time) {
	from, _ = time.Parse(time.DateOnly, t.PeriodFrom)
	to, _ = time.Parse(time.DateOnly, t.PeriodTo)
	return from, to
}

// parseDate reads YYYY-MM-DD (or an RFC 3339 time, its date) as midnight
// UTC.
func parseDate(s string) (time.Time, bool) {
	s = strings.TrimSpace(s)
	if t, err := time.Parse(time.DateOnly, s); err == nil {
		return t, true
	}
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC), true
	}
	return time.Time{}, false
}

// days are the weekdays (Monday to Friday) from from to to, inclusive:
// the days loads are planned on.
func days(from, to time.Time) []time.Time {
	var out []time.Time
	for d := from; !d.After(to); d = d.AddDate(0, 0, 1) {
		if wd := d.Weekday(); wd != time.Saturday && wd != time.Sunday {
			out = append(out, d)
		}
	}
	return out
}

// sorted returns the set's keys in order.
func sorted(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
