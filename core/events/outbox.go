package events

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"gorm.io/gorm"

	"github.com/masseflyt/masseflyt/core/clock"
	"github.com/masseflyt/masseflyt/core/store"
)

// row is one event in the outbox, a tenant table: its tenant is the one
// whose transaction wrote it (Platform for platform events), so row-level
// security applies on Postgres and the dispatcher reads it as system work.
//
// Times that steer delivery (next_at, claimed_until, done_at) are real
// time, shared by every instance: backoff and leases are elapsed time, not
// business dates. created_at and updated_at are the domain clock, like
// every other table's.
type row struct {
	store.TenantRow
	ID           string `gorm:"primaryKey"`
	Type         string
	Subject      string // the object the event is about (a listing), for Pending
	Payload      string // the event as JSON
	CreatedAt    time.Time
	UpdatedAt    time.Time
	Seq          *int64     // commit order, assigned after commit (see Dispatcher.sequence)
	Delivered    string     // ",name,name," – the subscribers that have it
	Attempts     int        // failed delivery rounds
	NextAt       time.Time  // not to be delivered before (backoff)
	Claim        *string    // the delivery round that holds it
	ClaimedUntil *time.Time // the hold's end: then another round may take it
	LastError    string
	DoneAt       *time.Time // every subscriber has it (or it was given up)
}

func (row) TableName() string { return "outbox" }

func realNow() time.Time { return clock.Real().UTC().Truncate(time.Microsecond) }

// Emit writes e to the outbox in tx, a transaction of store.DB.Tx: the
// event exists if and only if the change it describes commits, and it is
// delivered after the commit. The event belongs to the tenant of tx's
// context; system work emits for the tenant the event names (TenantChanged)
// or for the Platform.
func Emit(tx *gorm.DB, e Event) error {
	payload, err := json.Marshal(e)
	if err != nil {
		return fmt.Errorf("events: encode %s: %w", e.EventType(), err)
	}
	r := row{ID: store.NewID(), Type: e.EventType(), Payload: string(payload), NextAt: realNow()}
	if a, ok := e.(About); ok {
		r.Subject = a.EventSubject()
	}
	if _, ok := store.TenantID(tx.Statement.Context); !ok {
		r.TenantID = Platform
		if t, ok := e.(interface{ EventTenant() string }); ok && t.EventTenant() != "" {
			r.TenantID = t.EventTenant()
		}
	}
	if err := tx.Create(&r).Error; err != nil {
		return fmt.Errorf("events: emit %s: %w", r.Type, err)
	}
	if w, ok := tx.Config.Plugins[wakerName].(*waker); ok {
		store.AfterCommit(tx, w.d.committed)
	}
	return nil
}

// waker ties a database to its dispatcher, so Emit can wake it after the
// commit (a GORM plugin: tx.Config is shared by every session of the DB).
type waker struct{ d *Dispatcher }

const wakerName = "masseflyt:outbox-waker"

func (*waker) Name() string              { return wakerName }
func (*waker) Initialize(*gorm.DB) error { return nil }

func (r *row) envelope() (Envelope, error) {
	ev, err := decode(r.Type, []byte(r.Payload))
	if err != nil {
		return Envelope{}, err
	}
	env := Envelope{ID: r.ID, TenantID: r.TenantID, At: r.CreatedAt, Event: ev}
	if r.Seq != nil {
		env.Seq = *r.Seq
	}
	return env, nil
}

func (r *row) has(subscriber string) bool {
	return strings.Contains(r.Delivered, ","+subscriber+",")
}

func withDelivered(delivered, subscriber string) string {
	if delivered == "" {
		delivered = ","
	}
	return delivered + subscriber + ","
}
