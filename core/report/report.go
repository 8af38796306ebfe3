// Package report is the supervision package (issue 14, K12): per project
// (a site of kind project) or per organization, for a period of days in
// Oslo time, the agreements and tracked loads concerned, summed up in the
// shape of a final report for masses (sluttrapport), and one ZIP with a
// PDF summary, CSV and XLSX of agreements and loads, a GeoJSON of sites and
// transport lines, the load chains' proofs from core/ledger and a signed
// manifest of SHA-256 hashes that `masseflyt verify --package` checks
// offline (VerifyPackage).
//
// Who may read: the members of the project's organization or of a party
// (supplier or receiver) of an agreement concerned; for an organization
// its members; supervisors and tenant admins everything in the region.
package report

import (
	"strings"
	"time"

	"github.com/masseflyt/masseflyt/core/access"
	"github.com/masseflyt/masseflyt/core/auth"
	"github.com/masseflyt/masseflyt/core/fail"
	"github.com/masseflyt/masseflyt/core/ledger"
	"github.com/masseflyt/masseflyt/core/numfmt"
	"github.com/masseflyt/masseflyt/core/page"
	"github.com/masseflyt/masseflyt/core/store"
)

// Scope kinds.
const (
	KindProject      = "project"
	KindOrganization = "organization"
)

// MaxDays is the longest period a package covers (five years).
const MaxDays = 5*366 + 1

// Bounds are the load list's page sizes.
var Bounds = page.Bounds{Default: 100, Max: 1000}

// Where masses went, from the receiving site (the final report's columns).
const (
	DestReuse     = "reuse"
	DestRecycling = "recycling"
	DestStorage   = "storage"
	DestLandfill  = "landfill"
	DestOther     = "other"
)

// Destinations lists them in the report's order.
var Destinations = []string{DestReuse, DestRecycling, DestStorage, DestLandfill, DestOther}

// Service builds reports and packages.
type Service struct {
	DB *store.DB
	// Ledger gives the chains' proofs and signs the manifest.
	Ledger *ledger.Ledger
}

// New returns a report service.
func New(db *store.DB, l *ledger.Ledger) *Service { return &Service{DB: db, Ledger: l} }

// Query names a report: the scope (kind and ID) and the period, dates
// YYYY-MM-DD in Oslo time, both days included (neither: this year so far).
type Query struct {
	Kind string
	ID   string
	From string
	To   string
}

// Scope is a checked query: who it is about and the period as instants
// (From inclusive, Until exclusive).
type Scope struct {
	Kind     string    `json:"kind"`
	ID       string    `json:"id"`
	Name     string    `json:"name"`
	OrgID    string    `json:"organization_id"`
	OrgName  string    `json:"organization_name"`
	From     string    `json:"from"`
	To       string    `json:"to"`
	TenantID string    `json:"tenant_id"`
	Parties  []string  `json:"parties,omitempty"` // set: only the agreements (and loads) these organizations are a party to
	Start    time.Time `json:"-"`
	Until    time.Time `json:"-"`
}

// period checks the dates: both given, the end not before the start, at
// most MaxDays days.
func period(v *fail.Validation, from, to string) (time.Time, time.Time) {
	parse := func(field, s string) (time.Time, bool) {
		s = strings.TrimSpace(s)
		if s == "" {
			v.Add(field, "required", "ErrFieldRequired")
			return time.Time{}, false
		}
		t, err := time.ParseInLocation("2006-01-02", s, numfmt.Oslo)
		if err != nil || t.Year() < 2000 || t.Year() > 2200 {
			v.Add(field, "invalid", "ErrReportDate")
			return time.Time{}, false
		}
		return t, true
	}
	f, ok1 := parse("from", from)
	t, ok2 := parse("to", to)
	if !ok1 || !ok2 {
		return time.Time{}, time.Time{}
	}
	until := time.Date(t.Year(), t.Month(), t.Day()+1, 0, 0, 0, 0, numfmt.Oslo)
	switch {
	case t.Before(f):
		v.Add("to", "date_order", "ErrDateOrder")
	case until.Sub(f) > MaxDays*24*time.Hour:
		v.Add("to", "too_long", "ErrReportPeriodTooLong", "Years", 5)
	}
	return f.UTC(), until.UTC()
}

// observer: supervisors and tenant admins read everything in the region.
func observer(a *access.Actor) bool {
	return a.IsAdmin() || a.Principal.Has(auth.RoleSupervisor)
}

func member(a *access.Actor, orgs ...string) bool {
	for _, o := range orgs {
		if o != "" && a.Principal.Orgs[o] != "" {
			return true
		}
	}
	return false
}

func notParty() error {
	return fail.New(fail.Forbidden, "not_party", "ErrReportNotParty")
}
