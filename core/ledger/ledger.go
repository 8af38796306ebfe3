// Package ledger is the tamper-evident load ledger (issue 13, K9 point 3).
//
// Every step of a load under an agreement is an Event. Append stamps it
// with the server time, chains it to the previous entry of its agreement's
// chain (Hash = SHA-256(previous hash || canonical entry), see canonical.go),
// signs the hash with the platform's Ed25519 key (keys.go) and inserts it in
// the caller's tenant transaction, so a load's state and its event commit
// together. Entries are insert-only (grants and triggers, see the
// migration). Each day the hashes of a tenant's new entries become the
// leaves of an RFC 6962 Merkle tree whose signed root is published
// (roots.go). Verify recomputes a chain, its signatures and the inclusion
// of each entry in its day's root, and names the first entry that breaks it
// (verify.go).
package ledger

import (
	"context"
	"encoding/hex"
	"errors"
	"math"
	"strings"
	"sync/atomic"
	"time"
	"unicode/utf8"

	"gorm.io/gorm"

	"github.com/masseflyt/masseflyt/core/fail"
	"github.com/masseflyt/masseflyt/core/store"
)

// Event is what a caller appends: one step of a load under an agreement.
type Event struct {
	Chain     string // the agreement ID: one hash chain per agreement
	Kind      string // e.g. "load.departed", "load.released", "load.arrived", "load.received", "load.rejected", "load.flagged"
	LoadID    string
	ActorID   string // user ID
	OrgID     string // the actor's organization
	VehicleID string
	Lat, Lon  *float64       // device position when known
	DeviceAt  *time.Time     // the device's own time (offline sync); ServerAt is set by the ledger from its clock
	Data      map[string]any // the step's facts (tonnes, code hash, photo sha256, receipt result…), stored as canonical JSON
}

// Entry is a stored, chained, signed event.
type Entry struct {
	store.TenantRow
	ID        string     `json:"id"`
	Chain     string     `json:"chain"`
	Seq       int64      `json:"seq"`
	Kind      string     `json:"kind"`
	LoadID    string     `json:"load_id"`
	ActorID   string     `json:"actor_id"`
	OrgID     string     `json:"org_id"`
	VehicleID string     `json:"vehicle_id"`
	Lat       *float64   `json:"lat"`
	Lon       *float64   `json:"lon"`
	DeviceAt  *time.Time `json:"device_at"`
	ServerAt  time.Time  `gorm:"column:created_at" json:"server_at"` // the column is created_at
	Data      string     `json:"data"`                               // canonical JSON
	PrevHash  string     `json:"prev_hash"`
	Hash      string     `json:"hash"`
	KeyID     string     `json:"key_id"`
	Signature string     `json:"signature"`
}

// TableName is the entries' table.
func (Entry) TableName() string { return "ledger_entries" }

// Ledger appends, reads and verifies chains.
type Ledger struct {
	DB   *store.DB
	Keys *Keys

	registered atomic.Bool // the signing key's row is committed
}

// New returns a ledger signing with keys, after registering the key's
// public half (and retiring earlier keys) in ledger_keys.
func New(ctx context.Context, db *store.DB, keys *Keys) (*Ledger, error) {
	l := &Ledger{DB: db, Keys: keys}
	if err := keys.Register(ctx, db); err != nil {
		return nil, err
	}
	l.registered.Store(true)
	return l, nil
}

// ZeroHash is the previous hash of a chain's first entry.
var ZeroHash = strings.Repeat("0", 64)

// Limits on an event.
const (
	MaxIDLen   = 64
	MaxKindLen = 64
	MaxData    = 64 << 10 // canonical JSON bytes
)

// Append chains and signs ev inside the caller's tenant transaction tx
// (begun by store.DB.Tx with a tenant context), so the load's state and its
// event commit together. Appends to one chain serialize on the chain's
// head row (ledger_heads; SQLite's write lock does it too): a chain never
// forks.
func (l *Ledger) Append(tx *gorm.DB, ev Event) (*Entry, error) {
	ctx := tx.Statement.Context
	tid, ok := store.TenantID(ctx)
	if !ok {
		return nil, store.ErrNoTenant
	}
	if l.Keys == nil || l.Keys.priv == nil {
		return nil, errors.New("ledger: no signing key")
	}
	data, err := validate(&ev)
	if err != nil {
		return nil, err
	}
	if !l.registered.Load() {
		if err := l.Keys.ensure(tx, l.DB.Now()); err != nil {
			return nil, err
		}
		if !store.AfterCommit(tx, func() { l.registered.Store(true) }) {
			l.registered.Store(true)
		}
	}
	// Take (or create) the chain's head and lock it until the commit.
	var head struct {
		Seq  int64
		Hash string
	}
	now := l.DB.Now()
	if err := store.Raw(tx, `INSERT INTO ledger_heads (tenant_id, id, chain, seq, hash, updated_at) VALUES (@tenant, @id, @chain, 0, @zero, @now)
		ON CONFLICT (tenant_id, chain) DO UPDATE SET seq = ledger_heads.seq
		RETURNING seq, hash`, map[string]any{"id": store.NewID(), "chain": ev.Chain, "zero": ZeroHash, "now": now}).Scan(&head).Error; err != nil {
		return nil, err
	}
	e := &Entry{
		TenantRow: store.TenantRow{TenantID: tid},
		ID:        store.NewID(),
		Chain:     ev.Chain,
		Seq:       head.Seq + 1,
		Kind:      ev.Kind,
		LoadID:    ev.LoadID,
		ActorID:   ev.ActorID,
		OrgID:     ev.OrgID,
		VehicleID: ev.VehicleID,
		Lat:       ev.Lat,
		Lon:       ev.Lon,
		ServerAt:  now,
		Data:      data,
		PrevHash:  head.Hash,
		KeyID:     l.Keys.ID(),
	}
	if ev.DeviceAt != nil {
		d := ev.DeviceAt.UTC().Truncate(time.Microsecond)
		e.DeviceAt = &d
	}
	h, err := e.ComputeHash()
	if err != nil {
		return nil, err
	}
	e.Hash = hex.EncodeToString(h)
	e.Signature = l.Keys.Sign(h)
	if err := l.insert(tx, e); err != nil {
		return nil, err
	}
	return e, nil
}

// insertSQL stores an entry; headSQL moves its chain's head to it.
const (
	insertSQL = `INSERT INTO ledger_entries (tenant_id, id, chain, seq, kind, load_id, actor_id, org_id, vehicle_id, lat, lon, device_at,
		created_at, data, prev_hash, hash, key_id, signature) VALUES (@tenant, @id, @chain, @seq, @kind, @load, @actor, @org, @vehicle,
		@lat, @lon, @device, @at, @data, @prev, @hash, @key, @sig)`
	headSQL = `UPDATE ledger_heads SET seq = @seq, hash = @hash, updated_at = @at WHERE tenant_id = @tenant AND chain = @chain`
)

// insert stores e and moves its chain's head: one statement on Postgres
// (a data-modifying WITH), two on SQLite and Citus. Hand-written so an append costs
// no reflection: it is the hot path of the load protocol.
func (l *Ledger) insert(tx *gorm.DB, e *Entry) error {
	args := map[string]any{"id": e.ID, "chain": e.Chain, "seq": e.Seq, "kind": e.Kind, "load": e.LoadID, "actor": e.ActorID, "org": e.OrgID,
		"vehicle": e.VehicleID, "lat": e.Lat, "lon": e.Lon, "device": e.DeviceAt, "at": e.ServerAt, "data": e.Data, "prev": e.PrevHash,
		"hash": e.Hash, "key": e.KeyID, "sig": e.Signature}
	var n []int
	if l.DB.Dialect == store.Postgres && !l.DB.Citus { // Citus runs no subquery in an INSERT
		return store.Raw(tx, `WITH head AS (`+headSQL+` RETURNING 1) `+insertSQL+` RETURNING (SELECT count(*) FROM head)`, args).Scan(&n).Error
	}
	if err := store.Raw(tx, insertSQL+` RETURNING 1`, args).Scan(&n).Error; err != nil {
		return err
	}
	return store.Raw(tx, headSQL+` RETURNING 1`, args).Scan(&n).Error
}

// validate checks an event and returns its data as canonical JSON. The
// fields are named ledger_*: the caller (core/haul) validates its own
// input first, so these name the event, not a form's field.
func validate(ev *Event) (string, error) {
	var v fail.Validation
	text := func(field, s string, required bool, max int) {
		switch {
		case required && strings.TrimSpace(s) == "":
			v.Add(field, "required", "ErrFieldRequired")
		case len(s) > max:
			v.Add(field, "too_long", "ErrFieldTooLong", "Max", max)
		case !utf8.ValidString(s) || strings.ContainsRune(s, 0):
			v.Add(field, "invalid", "ErrFieldInvalid")
		}
	}
	text("ledger_chain", ev.Chain, true, MaxIDLen)
	text("ledger_kind", ev.Kind, true, MaxKindLen)
	text("ledger_load_id", ev.LoadID, false, MaxIDLen)
	text("ledger_actor_id", ev.ActorID, false, MaxIDLen)
	text("ledger_org_id", ev.OrgID, false, MaxIDLen)
	text("ledger_vehicle_id", ev.VehicleID, false, MaxIDLen)
	coord := func(field string, p *float64, max float64) {
		if p != nil && (math.IsNaN(*p) || math.IsInf(*p, 0) || *p < -max || *p > max) {
			v.Add(field, "range", "ErrFieldInvalid")
		}
	}
	coord("ledger_lat", ev.Lat, 90)
	coord("ledger_lon", ev.Lon, 180)
	if (ev.Lat == nil) != (ev.Lon == nil) {
		v.Add("ledger_lon", "invalid", "ErrFieldInvalid")
	}
	data, err := CanonicalData(ev.Data)
	if err != nil {
		v.Add("ledger_data", "invalid", "ErrFieldInvalid")
	} else if len(data) > MaxData {
		v.Add("ledger_data", "too_long", "ErrFieldTooLong", "Max", MaxData)
	}
	if err := v.Err(); err != nil {
		return "", err
	}
	return data, nil
}

// Chain returns a chain's entries in order (for the parties' and
// supervisors' views; access is the caller's business).
func (l *Ledger) Chain(ctx context.Context, chain string) ([]Entry, error) {
	var out []Entry
	err := l.DB.Read(ctx, func(tx *gorm.DB) error {
		return tx.Where("chain = ?", chain).Order("seq, id").Find(&out).Error
	})
	for i := range out {
		out[i].normalize()
	}
	return out, err
}

// normalize puts read times in UTC (SQLite may hand them back in another zone).
func (e *Entry) normalize() {
	e.ServerAt = e.ServerAt.UTC()
	if e.DeviceAt != nil {
		d := e.DeviceAt.UTC()
		e.DeviceAt = &d
	}
}
