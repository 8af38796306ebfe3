// Package events carries typed domain events through a transactional outbox.
//
// A change and its events are written in one transaction: the domain calls
// Emit(tx, evt) inside store.DB.Tx, which stores the event as a row of the
// outbox table. Once the transaction commits, the Dispatcher of every app
// instance delivers it:
//
//   - to durable subscribers (Subscribe, Handle): match discovery, mail,
//     later billing meters. Each event reaches each subscriber at least once
//     across all instances; deliveries are recorded per subscriber, so after a
//     crash only what is missing is retried, with backoff. Subscribers are
//     idempotent.
//   - to listeners (Listen) on every instance, in commit order: cache
//     invalidation, tenant and role reloads, the live view.
//
// On Postgres a NOTIFY wakes the other instances' dispatchers, which then
// read the outbox; nothing travels in the notification itself.
package events

import (
	"encoding/json"
	"fmt"
	"time"
)

// Event is a typed domain event. Its type name is stored with it in the
// outbox and must never change; its JSON form is the stored payload.
type Event interface {
	EventType() string
}

// About is implemented by events about one object (a listing), so that
// Pending can tell whether the object still has events on their way.
type About interface {
	EventSubject() string
}

// Platform is the tenant column of events that belong to no tenant (role
// rules changed): the store stamps every outbox row with a tenant, and "*"
// is the platform's domain in the role rules too.
const Platform = "*"

// Envelope is an event as delivered: the typed event with its outbox
// metadata.
type Envelope struct {
	ID       string    // the outbox row
	Seq      int64     // commit order (set for listeners; 0 for subscribers)
	TenantID string    // the tenant whose transaction wrote it, or Platform
	At       time.Time // when it was written (the domain clock)
	Event    Event
}

// Type is the event's type name.
func (e Envelope) Type() string { return e.Event.EventType() }

type decoder func([]byte) (Event, error)

func decodeAs[T Event](b []byte) (Event, error) {
	var v T
	err := json.Unmarshal(b, &v)
	return v, err
}

func decode(typ string, payload []byte) (Event, error) {
	d, ok := catalogue[typ]
	if !ok {
		return nil, fmt.Errorf("events: unknown type %q", typ)
	}
	return d(payload)
}

func knownTypes() []string {
	out := make([]string, 0, len(catalogue))
	for t := range catalogue {
		out = append(out, t)
	}
	return out
}
