package events_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/masseflyt/masseflyt/app"
	"github.com/masseflyt/masseflyt/core/events"
	"github.com/masseflyt/masseflyt/core/store"
	"github.com/masseflyt/masseflyt/internal/apitest"
	"github.com/masseflyt/masseflyt/server"
)

func TestMain(m *testing.M) { apitest.Main(m) }

// recorder counts what a subscriber or listener received.
type recorder struct {
	mu   sync.Mutex
	envs []events.Envelope
}

func (r *recorder) add(env events.Envelope) {
	r.mu.Lock()
	r.envs = append(r.envs, env)
	r.mu.Unlock()
}

func (r *recorder) handler(ctx context.Context, env events.Envelope) error {
	r.add(env)
	return nil
}

func (r *recorder) list() []events.Envelope {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]events.Envelope(nil), r.envs...)
}

// emit writes events in one transaction of tenant slug; fail rolls it back.
func emit(t *testing.T, e *apitest.Env, slug string, fail bool, evs ...events.Event) error {
	t.Helper()
	return e.App.DB.Tx(e.Ctx(slug), func(tx *gorm.DB) error {
		for _, ev := range evs {
			if err := events.Emit(tx, ev); err != nil {
				t.Fatal(err)
			}
		}
		if fail {
			return errors.New("roll back")
		}
		return nil
	})
}

// TestOutboxDeliversCommittedEvents: an event exists only if its
// transaction commits; then each durable subscriber gets it once, in its
// tenant, and the listeners get it in commit order with its sequence.
func TestOutboxDeliversCommittedEvents(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		var sub, lis recorder
		var tenants []string
		var mu sync.Mutex
		e.App.Events.Subscribe("test.closed", func(ctx context.Context, env events.Envelope) error {
			tid, _ := store.TenantID(ctx)
			mu.Lock()
			tenants = append(tenants, tid)
			mu.Unlock()
			return sub.handler(ctx, env)
		}, "listing.closed")
		e.App.Events.Listen(lis.add)
		if err := emit(t, e, "baerum", true, events.ListingClosed{ListingID: "rolled-back"}); err == nil {
			t.Fatal("the transaction should have failed")
		}
		if err := emit(t, e, "baerum", false, events.ListingClosed{ListingID: "one"}, events.ListingClosed{ListingID: "two"}); err != nil {
			t.Fatal(err)
		}
		if err := emit(t, e, "rogaland", false, events.ListingClosed{ListingID: "three"}); err != nil {
			t.Fatal(err)
		}
		e.Settle()
		got := sub.list()
		if len(got) != 3 {
			t.Fatalf("subscriber got %d events, want 3: %+v", len(got), got)
		}
		for i, want := range []string{"one", "two", "three"} {
			if ev, ok := got[i].Event.(events.ListingClosed); !ok || ev.ListingID != want {
				t.Fatalf("event %d: %+v, want %s", i, got[i], want)
			}
		}
		mu.Lock()
		if tenants[0] != e.Tenant("baerum").ID || tenants[2] != e.Tenant("rogaland").ID {
			t.Errorf("subscribers run in the event's tenant: %v", tenants)
		}
		mu.Unlock()
		var seqs []int64
		for _, env := range lis.list() {
			if ev, ok := env.Event.(events.ListingClosed); ok {
				seqs = append(seqs, env.Seq)
				if ev.ListingID == "rolled-back" {
					t.Fatal("a rolled-back event was delivered")
				}
			}
		}
		if len(seqs) != 3 || !(seqs[0] < seqs[1] && seqs[1] < seqs[2]) {
			t.Fatalf("listeners: sequences %v, want 3 increasing", seqs)
		}
		if n := e.Count("", "outbox", "type = 'listing.closed' AND done_at IS NULL"); n != 0 {
			t.Fatalf("%d events left undelivered", n)
		}
	})
}

// TestOutboxRetriesOnlyTheFailingSubscriber: a subscriber that fails is
// retried with backoff until it succeeds; one that already has the event
// does not get it again.
func TestOutboxRetriesOnlyTheFailingSubscriber(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		var ok recorder
		var mu sync.Mutex
		var calls []time.Time
		e.App.Events.Subscribe("test.ok", ok.handler, "listing.closed")
		e.App.Events.Subscribe("test.flaky", func(ctx context.Context, env events.Envelope) error {
			mu.Lock()
			defer mu.Unlock()
			calls = append(calls, time.Now())
			if len(calls) < 3 {
				return errors.New("not yet")
			}
			return nil
		}, "listing.closed")
		if err := emit(t, e, "baerum", false, events.ListingClosed{ListingID: "flaky"}); err != nil {
			t.Fatal(err)
		}
		e.Settle()
		mu.Lock()
		defer mu.Unlock()
		if len(calls) != 3 || len(ok.list()) != 1 {
			t.Fatalf("flaky called %d times (want 3), ok %d (want 1)", len(calls), len(ok.list()))
		}
		if gap := calls[2].Sub(calls[1]); gap < 1500*time.Millisecond {
			t.Errorf("the second retry came %v after the first: no backoff", gap)
		}
		var r struct {
			Attempts  int
			Delivered string
			LastError string
		}
		if err := e.App.DB.Read(e.Ctx("baerum"), func(tx *gorm.DB) error {
			return tx.Table("outbox").Select("attempts, delivered, last_error").Where("subject = 'flaky'").Scan(&r).Error
		}); err != nil {
			t.Fatal(err)
		}
		if r.Attempts != 2 || r.Delivered != ",test.ok,test.flaky," || r.LastError != "" {
			t.Fatalf("outbox row: %+v", r)
		}
	})
}

// TestOutboxPending: while a subscriber has not finished with an event
// about an object, Pending says so.
func TestOutboxPending(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		release := make(chan struct{})
		e.App.Events.Subscribe("test.slow", func(ctx context.Context, env events.Envelope) error {
			<-release
			return nil
		}, "listing.closed")
		if err := emit(t, e, "baerum", false, events.ListingClosed{ListingID: "slow"}); err != nil {
			t.Fatal(err)
		}
		ctx := e.Ctx("baerum")
		if p, err := e.App.Events.Pending(ctx, "slow", "test.slow"); err != nil || !p {
			t.Fatalf("pending while the subscriber works: %v %v", p, err)
		}
		if p, _ := e.App.Events.Pending(e.Ctx("rogaland"), "slow", "test.slow"); p {
			t.Fatal("another tenant sees the event")
		}
		close(release)
		e.Settle()
		if p, err := e.App.Events.Pending(ctx, "slow", "test.slow"); err != nil || p {
			t.Fatalf("pending after delivery: %v %v", p, err)
		}
	})
}

// TestOutboxAcrossInstances: two instances on one Postgres database, which
// poll only once an hour: an event committed on one reaches the other's
// listeners through NOTIFY alone, and each durable subscriber gets every
// event exactly once between them.
func TestOutboxAcrossInstances(t *testing.T) {
	apitest.RequirePostgres(t, "two instances share one outbox")
	e := apitest.New(t, "postgres")
	_ = e.App.Close() // the two instances below are the only ones
	var subA, subB, lisA, lisB recorder
	start := func(sub, lis *recorder) *apitest.Env {
		a, err := server.New(e.Cfg, app.Options{Logger: e.App.Log, SkipMigrate: true, Mount: []func(*app.App){func(a *app.App) {
			a.Events.Poll = time.Hour
			a.Events.Subscribe("test.once", sub.handler, "listing.closed")
			a.Events.Listen(lis.add)
		}}})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = a.Close() })
		return &apitest.Env{T: t, App: a, Backend: "postgres", Cfg: e.Cfg}
	}
	a, b := start(&subA, &lisA), start(&subB, &lisB)
	const n = 30
	for i := 0; i < n; i++ {
		src := a
		if i%3 == 0 {
			src = b
		}
		if err := emit(t, src, "baerum", false, events.ListingClosed{ListingID: string(rune('A' + i))}); err != nil {
			t.Fatal(err)
		}
	}
	a.Settle()
	b.Settle()
	seen := map[string]int{}
	for _, env := range append(subA.list(), subB.list()...) {
		seen[env.Event.(events.ListingClosed).ListingID]++
	}
	if len(seen) != n {
		t.Fatalf("subscribers got %d distinct events, want %d", len(seen), n)
	}
	for id, k := range seen {
		if k != 1 {
			t.Errorf("event %s delivered %d times", id, k)
		}
	}
	order := func(r *recorder) (ids string) {
		for _, env := range r.list() {
			if ev, ok := env.Event.(events.ListingClosed); ok {
				ids += ev.ListingID
			}
		}
		return ids
	}
	if oa, ob := order(&lisA), order(&lisB); len(oa) != n || oa != ob {
		t.Fatalf("listeners must see every event once, in one order:\nA %q\nB %q", oa, ob)
	}
}
