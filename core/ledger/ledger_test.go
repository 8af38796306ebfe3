package ledger_test

import (
	"context"
	"crypto/ed25519"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/masseflyt/masseflyt/core/clock"
	"github.com/masseflyt/masseflyt/core/fail"
	"github.com/masseflyt/masseflyt/core/ledger"
	"github.com/masseflyt/masseflyt/core/store"
	"github.com/masseflyt/masseflyt/internal/storetest"
	"github.com/masseflyt/masseflyt/migrations"
)

func TestMain(m *testing.M) { storetest.Main(m) }

// env is a test database with the app's connection (db) and the owner's
// (owner: on Postgres the role that owns the tables, on SQLite a second
// connection to the same file), the way a tamperer with database access
// would reach the rows.
type env struct {
	db    *store.DB
	owner *store.DB
	l     *ledger.Ledger
	tid   string
	ctx   context.Context
	clk   *clock.Manual
	// Where the database is, for a child process: the SQLite data dir, or
	// the Postgres URLs.
	dir, appURL, ownerURL string
}

var ledgerTemplate = &storetest.PGTemplate{Prefix: "mf_ledger_", Build: func(ownerURL, appRole string) error {
	db, err := store.Open(store.Options{URL: ownerURL, Clock: storetest.DefaultClock()})
	if err != nil {
		return err
	}
	defer db.Close()
	return migrations.Run(db, migrations.Options{AppRole: appRole})
}}

func open(t testing.TB, backend string) *env {
	t.Helper()
	clk := clock.NewManual(time.Date(2026, 11, 20, 8, 0, 0, 0, time.UTC))
	var db, owner *store.DB
	var err error
	var dir, ownerURL, appURL string
	switch backend {
	case storetest.SQLite:
		dir = t.TempDir()
		if db, err = store.Open(store.Options{DataDir: dir, Clock: clk}); err != nil {
			t.Fatal(err)
		}
		if err := migrations.Run(db, migrations.Options{}); err != nil {
			t.Fatal(err)
		}
		if owner, err = store.Open(store.Options{DataDir: dir, Clock: clk}); err != nil {
			t.Fatal(err)
		}
	case storetest.Postgres:
		ownerURL, appURL = ledgerTemplate.Clone(t)
		if db, err = store.Open(store.Options{URL: appURL, KeyURL: ownerURL, Clock: clk}); err != nil {
			t.Fatal(err)
		}
		if owner, err = store.Open(store.Options{URL: ownerURL, Clock: clk}); err != nil {
			t.Fatal(err)
		}
	}
	t.Cleanup(func() { _ = db.Close(); _ = owner.Close() })
	keys, err := ledger.NewKeys(make([]byte, 32))
	if err != nil {
		t.Fatal(err)
	}
	l, err := ledger.New(context.Background(), db, keys)
	if err != nil {
		t.Fatal(err)
	}
	tid := storetest.Tenant(t, db, "baerum")
	return &env{db: db, owner: owner, l: l, tid: tid, ctx: store.WithTenant(context.Background(), tid), clk: clk,
		dir: dir, appURL: appURL, ownerURL: ownerURL}
}

func each(t *testing.T, fn func(t *testing.T, e *env)) {
	for _, b := range storetest.Backends(t) {
		t.Run(b, func(t *testing.T) { fn(t, open(t, b)) })
	}
}

func f(v float64) *float64 { return &v }

// appendN appends n events to chain, one transaction each.
func (e *env) appendN(t testing.TB, chain string, n int) []*ledger.Entry {
	t.Helper()
	var out []*ledger.Entry
	for i := 0; i < n; i++ {
		var got *ledger.Entry
		dev := e.clk.Now().Add(-time.Minute)
		err := e.db.Tx(e.ctx, func(tx *gorm.DB) error {
			var err error
			got, err = e.l.Append(tx, ledger.Event{Chain: chain, Kind: "load.departed", LoadID: store.NewID(), ActorID: store.NewID(),
				OrgID: store.NewID(), VehicleID: store.NewID(), Lat: f(59.9 + float64(i)/1000), Lon: f(10.75), DeviceAt: &dev,
				Data: map[string]any{"tonnes": 12.5 + float64(i), "photo_sha256": strings.Repeat("ab", 32), "note": "<æøå>"}})
			return err
		})
		if err != nil {
			t.Fatalf("append %d: %v", i, err)
		}
		out = append(out, got)
		e.clk.Advance(time.Second)
	}
	return out
}

func TestAppendChainsAndVerifies(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		chain := store.NewID()
		got := e.appendN(t, chain, 5)
		other := e.appendN(t, store.NewID(), 2)
		for i, g := range got {
			if g.Seq != int64(i+1) {
				t.Fatalf("seq %d at %d", g.Seq, i)
			}
			if i == 0 && g.PrevHash != ledger.ZeroHash || i > 0 && g.PrevHash != got[i-1].Hash {
				t.Fatalf("entry %d is not linked", i)
			}
			sig, _ := base64.StdEncoding.DecodeString(g.Signature)
			h, _ := ledger.HexBytes(g.Hash)
			if !ed25519.Verify(e.l.Keys.Public(), h, sig) {
				t.Fatalf("entry %d: bad signature", i)
			}
		}
		if other[0].Seq != 1 {
			t.Fatal("chains must be separate")
		}
		es, err := e.l.Chain(e.ctx, chain)
		if err != nil || len(es) != 5 {
			t.Fatalf("chain: %d, %v", len(es), err)
		}
		if es[2].Data != `{"note":"<æøå>","photo_sha256":"`+strings.Repeat("ab", 32)+`","tonnes":14.5}` {
			t.Fatalf("data not canonical: %s", es[2].Data)
		}
		if es[0].DeviceAt == nil || !es[0].DeviceAt.Equal(got[0].ServerAt.Add(-time.Minute)) {
			t.Fatalf("device time %v", es[0].DeviceAt)
		}
		rep, err := e.l.Verify(e.ctx, chain)
		if err != nil || !rep.OK || rep.Size != 5 || rep.Head != got[4].Hash {
			t.Fatalf("verify: %+v %v", rep, err)
		}
		// Another tenant sees no entry of the chain and cannot append to it
		// as if it were its own: it gets its own chain.
		t2 := store.WithTenant(context.Background(), storetest.Tenant(t, e.db, "asker"))
		if es, err := e.l.Chain(t2, chain); err != nil || len(es) != 0 {
			t.Fatalf("another tenant reads %d entries, %v", len(es), err)
		}
	})
}

func TestAppendRefusesBadEvents(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		chain := store.NewID()
		e.appendN(t, chain, 1)
		cases := []struct {
			name  string
			ev    ledger.Event
			field string
		}{
			{"no chain", ledger.Event{Kind: "load.departed"}, "/ledger_chain"},
			{"no kind", ledger.Event{Chain: chain}, "/ledger_kind"},
			{"huge kind", ledger.Event{Chain: chain, Kind: strings.Repeat("k", 65)}, "/ledger_kind"},
			{"latitude", ledger.Event{Chain: chain, Kind: "k", Lat: f(91), Lon: f(10)}, "/ledger_lat"},
			{"half a position", ledger.Event{Chain: chain, Kind: "k", Lat: f(59)}, "/ledger_lon"},
			{"data", ledger.Event{Chain: chain, Kind: "k", Data: map[string]any{"x": make(chan int)}}, "/ledger_data"},
			{"huge data", ledger.Event{Chain: chain, Kind: "k", Data: map[string]any{"x": strings.Repeat("x", ledger.MaxData)}}, "/ledger_data"},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				err := e.db.Tx(e.ctx, func(tx *gorm.DB) error { _, err := e.l.Append(tx, c.ev); return err })
				fe, ok := fail.As(err)
				if !ok || fe.Kind != fail.Invalid || len(fe.Fields) == 0 || fe.Fields[0].Pointer != c.field {
					t.Fatalf("got %v, want a validation error on %s", err, c.field)
				}
			})
		}
		if err := e.db.Tx(context.Background(), func(tx *gorm.DB) error {
			_, err := e.l.Append(tx, ledger.Event{Chain: chain, Kind: "k"})
			return err
		}); !errors.Is(err, store.ErrNoTenant) {
			t.Fatalf("no tenant: %v", err)
		}
		es, _ := e.l.Chain(e.ctx, chain)
		if len(es) != 1 {
			t.Fatalf("a refused event was stored: %d entries", len(es))
		}
		// A rolled-back transaction leaves neither entry nor head behind.
		_ = e.db.Tx(e.ctx, func(tx *gorm.DB) error {
			if _, err := e.l.Append(tx, ledger.Event{Chain: chain, Kind: "load.arrived"}); err != nil {
				return err
			}
			return errors.New("the load's own write failed")
		})
		got := e.appendN(t, chain, 1)
		if got[0].Seq != 2 {
			t.Fatalf("after a rollback the next seq is %d, want 2", got[0].Seq)
		}
		if rep, err := e.l.Verify(e.ctx, chain); err != nil || !rep.OK {
			t.Fatalf("verify: %+v %v", rep.Broken, err)
		}
	})
}

// TestConcurrentAppendsNeverFork: many writers on one chain at once get
// every seq exactly once, and the chain verifies.
func TestConcurrentAppendsNeverFork(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		chain := store.NewID()
		const writers, each = 8, 10
		var wg sync.WaitGroup
		errs := make(chan error, writers*each)
		for w := 0; w < writers; w++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := 0; i < each; i++ {
					for try := 0; ; try++ {
						err := e.db.Tx(e.ctx, func(tx *gorm.DB) error {
							_, err := e.l.Append(tx, ledger.Event{Chain: chain, Kind: "load.departed"})
							return err
						})
						if store.IsBusy(err) && try < 20 {
							continue
						}
						if err != nil {
							errs <- err
						}
						break
					}
				}
			}()
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Fatal(err)
		}
		es, err := e.l.Chain(e.ctx, chain)
		if err != nil || len(es) != writers*each {
			t.Fatalf("%d entries, %v", len(es), err)
		}
		for i, x := range es {
			if x.Seq != int64(i+1) {
				t.Fatalf("seq %d at %d: the chain forked or skipped", x.Seq, i)
			}
		}
		if rep, err := e.l.Verify(e.ctx, chain); err != nil || !rep.OK {
			t.Fatalf("verify: %+v %v", rep.Broken, err)
		}
	})
}

var _ = fmt.Sprint
