package events

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"regexp"
	"sync"
	"sync/atomic"
	"time"

	"gorm.io/gorm"

	"github.com/masseflyt/masseflyt/core/store"
)

// Handler receives one event. ctx is scoped to the event's tenant (system
// work for platform events) and bounded by Dispatcher.Timeout. A handler
// may run more than once for one event: it must be idempotent.
type Handler func(ctx context.Context, env Envelope) error

// Dispatcher delivers the outbox for one app instance. Two loops run after
// Start, each woken after a commit that emitted events (in this process),
// by a Postgres NOTIFY (from other instances) or by the Poll interval:
//
//   - the tail gives committed events a sequence number in commit order
//     (one instance at a time), then hands every event past its cursor to
//     this instance's listeners;
//   - the sender claims due numbered events for a lease, in order, calls
//     the durable subscribers that do not have them yet, and records each
//     delivery, or schedules a retry with backoff.
type Dispatcher struct {
	// Tunables, set before Start.
	Poll        time.Duration // safety net when no wake-up comes (2 s)
	Lease       time.Duration // how long a claimed event belongs to this instance (5 min)
	Timeout     time.Duration // one subscriber call at most (1 min, less than Lease)
	Batch       int           // events claimed at once (16)
	MaxAttempts int           // failed rounds before an event is given up (20, about 2 h)
	Retention   time.Duration // delivered events are kept this long (24 h)

	db  *store.DB
	log *slog.Logger

	mu        sync.RWMutex
	subs      []*subscriber
	listeners []func(Envelope)

	tailWake, sendWake chan struct{}
	cursor             atomic.Int64 // the last sequence number handed to the listeners
	cancel             context.CancelFunc
	loops              sync.WaitGroup
	closeOnce          sync.Once
	lastCleanup        time.Time
}

type subscriber struct {
	name  string
	types map[string]bool
	fn    Handler
}

// NewDispatcher returns the dispatcher of db; there is one per database
// handle (Emit finds it through db). Register subscribers and listeners,
// then Start.
func NewDispatcher(db *store.DB, log *slog.Logger) (*Dispatcher, error) {
	if log == nil {
		log = slog.Default()
	}
	d := &Dispatcher{Poll: 2 * time.Second, Lease: 5 * time.Minute, Timeout: time.Minute, Batch: 16, MaxAttempts: 20, Retention: 24 * time.Hour,
		db: db, log: log, tailWake: make(chan struct{}, 1), sendWake: make(chan struct{}, 1)}
	if err := db.Gorm.Use(&waker{d: d}); err != nil {
		return nil, fmt.Errorf("events: one dispatcher per database: %w", err)
	}
	return d, nil
}

var subscriberName = regexp.MustCompile(`^[a-z][a-z0-9.-]*$`)

// Subscribe registers a durable subscriber for events of the given types.
// Its name is recorded with every delivery: keep it stable. Register before
// Start: an event delivered before a subscriber exists is not delivered to
// it later.
func (d *Dispatcher) Subscribe(name string, fn Handler, types ...string) {
	if !subscriberName.MatchString(name) {
		panic("events: bad subscriber name " + name)
	}
	s := &subscriber{name: name, fn: fn, types: map[string]bool{}}
	for _, t := range types {
		if _, ok := catalogue[t]; !ok {
			panic("events: unknown event type " + t)
		}
		s.types[t] = true
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	for _, o := range d.subs {
		if o.name == name {
			panic("events: subscriber registered twice: " + name)
		}
	}
	d.subs = append(d.subs, s)
}

// Handle registers a durable subscriber for one event type, typed.
func Handle[T Event](d *Dispatcher, name string, fn func(ctx context.Context, env Envelope, e T) error) {
	var zero T
	d.Subscribe(name, func(ctx context.Context, env Envelope) error {
		e, ok := env.Event.(T)
		if !ok {
			return fmt.Errorf("events: %s got %T", name, env.Event)
		}
		return fn(ctx, env, e)
	}, zero.EventType())
}

// Listen registers fn for every event committed from now on, on this
// instance, in commit order, once each (while the instance runs). fn must
// be quick: caches, reloads, the live view.
func (d *Dispatcher) Listen(fn func(Envelope)) {
	d.mu.Lock()
	d.listeners = append(d.listeners, fn)
	d.mu.Unlock()
}

// Wake makes both loops look at the outbox now.
func (d *Dispatcher) Wake() {
	signal(d.tailWake)
	signal(d.sendWake)
}

// committed is told by Emit that a transaction of this instance committed
// events. The tail numbers them and then wakes the sender, so the two do
// not contend for the database's write lock at the same moment.
func (d *Dispatcher) committed() { signal(d.tailWake) }

func signal(ch chan struct{}) {
	select {
	case ch <- struct{}{}:
	default:
	}
}

func (d *Dispatcher) sys(ctx context.Context) context.Context {
	return store.System(ctx, "outbox dispatcher: every tenant's events")
}

// Start begins delivery. Subscribers get everything not yet delivered,
// including what a crashed instance left. Listeners get the events
// committed after Start: this instance's caches start fresh, so it first
// numbers what was committed before (a crashed instance may have left
// events unnumbered) and starts its cursor after them; the other
// instances' listeners still get those.
func (d *Dispatcher) Start() error {
	var last int64
	if _, err := d.sequence(context.Background()); err != nil {
		return fmt.Errorf("events: number the outbox: %w", err)
	}
	if err := d.db.Read(d.sys(context.Background()), func(tx *gorm.DB) error {
		return tx.Model(&row{}).Select("COALESCE(MAX(seq), 0)").Scan(&last).Error
	}); err != nil {
		return fmt.Errorf("events: read the outbox: %w", err)
	}
	d.cursor.Store(last)
	ctx, cancel := context.WithCancel(context.Background())
	d.cancel = cancel
	d.loops.Add(2)
	go d.loop(ctx, d.tailWake, d.tail)
	go d.loop(ctx, d.sendWake, d.send)
	return nil
}

// Close stops both loops; an event being delivered is released for the
// next round (of any instance).
func (d *Dispatcher) Close() {
	d.closeOnce.Do(func() {
		if d.cancel != nil {
			d.cancel()
			d.loops.Wait()
		}
	})
}

// loop runs step until ctx ends: at once while it reports more work, else
// after a wake-up or the returned wait (at most Poll; never a busy loop).
func (d *Dispatcher) loop(ctx context.Context, wake <-chan struct{}, step func(context.Context) (bool, time.Duration)) {
	defer d.loops.Done()
	timer := time.NewTimer(0)
	defer timer.Stop()
	for {
		more, wait := step(ctx)
		if ctx.Err() != nil {
			return
		}
		if more {
			continue
		}
		if wait <= 0 || wait > d.Poll {
			wait = d.Poll
		}
		timer.Reset(max(wait, 20*time.Millisecond))
		select {
		case <-ctx.Done():
			return
		case <-wake:
		case <-timer.C:
		}
	}
}

func (d *Dispatcher) warn(ctx context.Context, msg string, err error) {
	if ctx.Err() == nil && !errors.Is(err, context.Canceled) {
		d.log.Warn(msg, "err", err)
	}
}
