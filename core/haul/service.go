package haul

import (
	"context"
	"time"

	"gorm.io/gorm"

	"github.com/masseflyt/masseflyt/core/access"
	"github.com/masseflyt/masseflyt/core/agreement"
	"github.com/masseflyt/masseflyt/core/auth"
	"github.com/masseflyt/masseflyt/core/blob"
	"github.com/masseflyt/masseflyt/core/emissions"
	"github.com/masseflyt/masseflyt/core/fail"
	"github.com/masseflyt/masseflyt/core/geo"
	"github.com/masseflyt/masseflyt/core/ledger"
	"github.com/masseflyt/masseflyt/core/market"
	"github.com/masseflyt/masseflyt/core/store"
)

// Chain is where every step of a load is appended, in the step's
// transaction (core/ledger's Ledger).
type Chain interface {
	Append(tx *gorm.DB, ev ledger.Event) (*ledger.Entry, error)
}

// Service is tracked loads. Its methods take a context carrying the actor
// (core/access) and return fail errors.
type Service struct {
	DB *store.DB
	// Orders are the transport orders (core/transport).
	Orders Orders
	// Ledger chains and signs every step.
	Ledger Chain
	Blobs  blob.Store
	// Market registers samples into lab results; Agreements completes an
	// agreement delivered in full when its parties chose so.
	Market     *market.Service
	Agreements *agreement.Service
	// Router measures road distances for the climate account (a routing
	// plugin); nil: straight line × geo.DefaultDetour.
	Router geo.Router
	// Factors is the emission factor set (emissions.Default when empty).
	Factors *emissions.FactorSet
}

func (s *Service) now() time.Time { return s.DB.Now() }

func (s *Service) factors() emissions.FactorSet {
	if s.Factors != nil {
		return *s.Factors
	}
	return emissions.Default
}

// Limits of what a load may say.
const (
	// MaxTonnes is the most a truck load may weigh (a 60 t road train
	// carries ≈ 40 t; REFERENCE.md).
	MaxTonnes = 60.0
	// MaxM3 is the largest volume of a load.
	MaxM3 = 45.0
	// MaxText is the longest reason or note.
	MaxText = 2000
	// LateSync and StaleAfter flag events synced late: after 24 h, and
	// after 7 days (kept, never dropped).
	LateSync   = 24 * time.Hour
	StaleAfter = 7 * 24 * time.Hour
	// AheadSlack is how far a device clock may run ahead before the step
	// is flagged.
	AheadSlack = 10 * time.Minute
	// MaxSpeedKmh is the highest plausible average speed.
	MaxSpeedKmh = 100.0
	// FarKm is how far from its site a position may be before it is flagged.
	FarKm = 3.0
	// DefaultSampleEvery is the sampling rule when the agreement has none.
	DefaultSampleEvery = 50
	// CodeTTL is how long a code a sender issued stays valid.
	CodeTTL = 24 * time.Hour
)

// The row rules, once.
//
//   - The parties (members of the supplier and the receiver), the transport
//     company's members and the supervisors and tenant admins read a load;
//     nobody else finds it.
//   - The driver is a member of the order's transport company; the sender
//     (the supplier's members) releases; the receiver's members receive.

func observer(a *access.Actor) bool {
	return a.IsAdmin() || a.Principal.Has(auth.RoleSupervisor)
}

func canRead(a *access.Actor, l *Load) bool {
	p := a.Principal
	return observer(a) || p.Orgs[l.SupplierOrgID] != "" || p.Orgs[l.ReceiverOrgID] != "" || p.Orgs[l.TransporterOrgID] != ""
}

// seesCodes: the codes are the driver's and the parties' own, never a
// supervisor's (it only reads).
func seesCodes(a *access.Actor, l *Load) bool {
	p := a.Principal
	return p.Orgs[l.TransporterOrgID] != "" || p.Orgs[l.SupplierOrgID] != ""
}

func notParty(msg string) error { return fail.New(fail.Forbidden, "not_party", msg) }

func conflict(msg string, args ...any) error { return fail.ConflictErr(msg, args...) }

// ctxOf is the context of tx's transaction.
func ctxOf(tx *gorm.DB) context.Context { return tx.Statement.Context }
