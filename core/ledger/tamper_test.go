package ledger_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/masseflyt/masseflyt/core/ledger"
	"github.com/masseflyt/masseflyt/core/page"
	"github.com/masseflyt/masseflyt/core/store"
)

// asOwner runs SQL as the database owner with the insert-only triggers
// off: what someone with the database's keys could do.
func (e *env) asOwner(t *testing.T, stmts ...string) {
	t.Helper()
	g := e.owner.Gorm.WithContext(store.System(context.Background(), "ledger test: tamper as the owner"))
	var pre, post []string
	if e.owner.Dialect == store.Postgres {
		pre = []string{`ALTER TABLE ledger_entries DISABLE TRIGGER ledger_entries_insert_only`}
		post = []string{`ALTER TABLE ledger_entries ENABLE TRIGGER ledger_entries_insert_only`}
	} else {
		pre = []string{`DROP TRIGGER IF EXISTS ledger_entries_no_update`, `DROP TRIGGER IF EXISTS ledger_entries_no_delete`}
	}
	for _, s := range append(append(pre, stmts...), post...) {
		var err error
		if !e.owner.Citus {
			err = g.Exec(s).Error
		} else { // Citus changes a distributed table's triggers only when told it may
			err = g.Transaction(func(tx *gorm.DB) error {
				if err := tx.Exec(`SET LOCAL citus.enable_unsafe_triggers = on`).Error; err != nil {
					return err
				}
				return tx.Exec(s).Error
			})
		}
		if err != nil {
			t.Fatalf("%s: %v", s, err)
		}
	}
}

// TestTamperingIsNamed: each way an owner can change the stored ledger
// makes Verify fail and name the entry and the reason.
func TestTamperingIsNamed(t *testing.T) {
	cases := []struct {
		name   string
		tamper func(es []*ledger.Entry) []string
		seq    int64 // the entry Verify must name (its stored seq)
		reason string
	}{
		{"edit an event's data", func(es []*ledger.Entry) []string {
			return []string{`UPDATE ledger_entries SET data = '{"tonnes":1}' WHERE id = '` + es[2].ID + `'`}
		}, 3, ledger.ReasonHashMismatch},
		{"edit the actor", func(es []*ledger.Entry) []string {
			return []string{`UPDATE ledger_entries SET actor_id = 'someone-else' WHERE id = '` + es[1].ID + `'`}
		}, 2, ledger.ReasonHashMismatch},
		{"move the position", func(es []*ledger.Entry) []string {
			return []string{`UPDATE ledger_entries SET lat = 60.5 WHERE id = '` + es[4].ID + `'`}
		}, 5, ledger.ReasonHashMismatch},
		{"reorder two", func(es []*ledger.Entry) []string {
			return []string{
				`UPDATE ledger_entries SET seq = -1 WHERE id = '` + es[1].ID + `'`,
				`UPDATE ledger_entries SET seq = 2 WHERE id = '` + es[3].ID + `'`,
				`UPDATE ledger_entries SET seq = 4 WHERE id = '` + es[1].ID + `'`,
			}
		}, 2, ledger.ReasonReordered},
		{"delete one", func(es []*ledger.Entry) []string {
			return []string{`DELETE FROM ledger_entries WHERE id = '` + es[2].ID + `'`}
		}, 4, ledger.ReasonMissingSeq},
		{"change a signature", func(es []*ledger.Entry) []string {
			return []string{`UPDATE ledger_entries SET signature = '` + es[0].Signature[:10] + strings.Repeat("A", len(es[0].Signature)-12) + `==' WHERE id = '` + es[3].ID + `'`}
		}, 4, ledger.ReasonBadSignature},
		{"edit and rehash", func(es []*ledger.Entry) []string {
			c := *es[2]
			c.Data = `{"tonnes":1}`
			h, _ := c.ComputeHash()
			return []string{`UPDATE ledger_entries SET data = '{"tonnes":1}', hash = '` + ledger.Hex(h) + `' WHERE id = '` + es[2].ID + `'`}
		}, 3, ledger.ReasonBadSignature},
	}
	each(t, func(t *testing.T, e *env) {
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				chain := store.NewID()
				es := e.appendN(t, chain, 6)
				if rep, err := e.l.Verify(e.ctx, chain); err != nil || !rep.OK {
					t.Fatalf("before: %+v %v", rep.Broken, err)
				}
				e.asOwner(t, c.tamper(es)...)
				rep, err := e.l.Verify(e.ctx, chain)
				if err != nil {
					t.Fatal(err)
				}
				if rep.OK || rep.Broken == nil {
					t.Fatal("tampering went unnoticed")
				}
				want := es[c.seq-1]
				if c.name == "reorder two" {
					want = es[3] // now stored at seq 2
				}
				if rep.Broken.ID != want.ID || rep.Broken.Reason != c.reason || rep.Broken.Kind != want.Kind {
					t.Fatalf("named %+v, want entry %s (seq %d) for %s", rep.Broken, want.ID, c.seq, c.reason)
				}
			})
		}
	})
}

// TestRootsProveInclusion: a finished day gets one signed root; every
// entry's inclusion proof reaches it; deleting the last entry of a sealed
// day is caught by the root; the roots are not sealed twice.
func TestRootsProveInclusion(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		chain := store.NewID()
		es := e.appendN(t, chain, 5)
		e.appendN(t, store.NewID(), 4) // another chain on the same day: the same tree
		if rs, err := e.l.SealDays(e.ctx); err != nil || len(rs) != 0 {
			t.Fatalf("sealed an unfinished day: %v %v", rs, err)
		}
		e.clk.Advance(24 * time.Hour)
		later := e.appendN(t, chain, 2) // the next day's
		rs, err := e.l.SealDays(e.ctx)
		if err != nil || len(rs) != 1 || rs[0].Size != 9 || rs[0].Day != "2026-11-20" {
			t.Fatalf("sealed %+v, %v", rs, err)
		}
		if again, err := e.l.SealDays(e.ctx); err != nil || len(again) != 0 {
			t.Fatalf("sealed twice: %v %v", again, err)
		}
		rep, err := e.l.Verify(e.ctx, chain)
		if err != nil || !rep.OK {
			t.Fatalf("verify: %+v %v", rep.Broken, err)
		}
		for i, p := range rep.Entries {
			if i < 5 {
				if !p.Rooted || p.TreeSize != 9 {
					t.Fatalf("entry %d not proven: %+v", i, p)
				}
				if err := ledger.VerifyInclusion(p.Hash, p.LeafIndex, p.TreeSize, p.Inclusion, rs[0].Root); err != nil {
					t.Fatalf("entry %d: %v", i, err)
				}
			} else if p.Rooted {
				t.Fatalf("entry %d of an unsealed day claims a root", i)
			}
		}
		if rep.Entries[5].ID != later[0].ID {
			t.Fatal("order")
		}
		pg, err := e.l.Roots(e.ctx, page.Request{Limit: ledger.RootBounds.Default})
		if err != nil || len(pg.Items) != 1 || pg.Items[0].Root != rs[0].Root {
			t.Fatalf("roots %+v %v", pg, err)
		}
		// Deleting the sealed day's last entry of the chain, and the next
		// day's too, leaves a consistent chain, but the root names it.
		e.asOwner(t, `DELETE FROM ledger_entries WHERE id IN ('`+later[0].ID+`', '`+later[1].ID+`', '`+es[4].ID+`')`)
		rep, err = e.l.Verify(e.ctx, chain)
		if err != nil || rep.OK || rep.Broken.Reason != ledger.ReasonNotInRoot {
			t.Fatalf("deleting a sealed entry went unnoticed: %+v %v", rep.Broken, err)
		}
	})
}

// TestInsertOnly: the app's connection cannot change or delete entries
// or roots (trigger on both; grants on Postgres), and removing a tenant
// takes its ledger with it.
func TestInsertOnly(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		chain := store.NewID()
		es := e.appendN(t, chain, 2)
		e.clk.Advance(24 * time.Hour)
		if _, err := e.l.SealDays(e.ctx); err != nil {
			t.Fatal(err)
		}
		for _, s := range []string{
			`UPDATE ledger_entries SET data = '{}' WHERE tenant_id = @tenant`,
			`DELETE FROM ledger_entries WHERE tenant_id = @tenant`,
			`UPDATE ledger_roots SET root = 'x' WHERE tenant_id = @tenant`,
			`DELETE FROM ledger_roots WHERE tenant_id = @tenant`,
		} {
			err := e.db.Tx(e.ctx, func(tx *gorm.DB) error {
				var n []int
				return store.Raw(tx, s+` RETURNING 1`, nil).Scan(&n).Error
			})
			if err == nil {
				t.Fatalf("the app role may %s", s)
			}
		}
		if e.db.Dialect == store.Postgres {
			// Even with the trigger off, the app role lacks the grant.
			e.asOwner(t, `ALTER TABLE ledger_entries DISABLE TRIGGER ledger_entries_insert_only`)
			err := e.db.Tx(e.ctx, func(tx *gorm.DB) error {
				var n []int
				return store.Raw(tx, `DELETE FROM ledger_entries WHERE tenant_id = @tenant RETURNING 1`, nil).Scan(&n).Error
			})
			if err == nil || !strings.Contains(err.Error(), "permission denied") {
				t.Fatalf("the app role may delete without the trigger: %v", err)
			}
			e.asOwner(t, `ALTER TABLE ledger_entries ENABLE TRIGGER ledger_entries_insert_only`)
		}
		if rep, err := e.l.Verify(e.ctx, chain); err != nil || !rep.OK || rep.Size != len(es) {
			t.Fatalf("after refused changes: %+v %v", rep, err)
		}
		// Removing the tenant (the one exception) removes its ledger.
		sys := store.System(context.Background(), "ledger test: remove a tenant")
		if err := e.owner.Tx(sys, func(tx *gorm.DB) error {
			return tx.Exec(`DELETE FROM tenants WHERE id = ?`, e.tid).Error
		}); err != nil {
			t.Fatalf("removing the tenant: %v", err)
		}
		var n int64
		if err := e.owner.Gorm.WithContext(sys).Table("ledger_entries").Where("tenant_id = ?", e.tid).Count(&n).Error; err != nil || n != 0 {
			t.Fatalf("%d entries left, %v", n, err)
		}
	})
}

// TestLongChainReadInParts: a chain long enough to be read in parts
// verifies, and an entry changed in the later part, or one deleted at a
// cut, is named.
func TestLongChainReadInParts(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		chain := store.NewID()
		var es []*ledger.Entry
		for i := 0; i < 5000; i += 1000 {
			if err := e.db.Tx(e.ctx, func(tx *gorm.DB) error {
				for j := i; j < i+1000; j++ {
					en, err := e.l.Append(tx, benchEvent(chain, j))
					if err != nil {
						return err
					}
					es = append(es, en)
				}
				return nil
			}); err != nil {
				t.Fatal(err)
			}
		}
		rep, err := e.l.Verify(e.ctx, chain)
		if err != nil || !rep.OK || rep.Size != 5000 || rep.Entries[4999].Seq != 5000 || rep.Head != es[4999].Hash {
			t.Fatalf("verify: %v %+v", err, rep.Broken)
		}
		for i, p := range rep.Entries {
			if p.Seq != int64(i+1) {
				t.Fatalf("entry %d has seq %d: the parts were joined out of order", i, p.Seq)
			}
		}
		e.asOwner(t, `UPDATE ledger_entries SET kind = 'load.received' WHERE id = '`+es[4321].ID+`'`,
			`DELETE FROM ledger_entries WHERE id = '`+es[2500].ID+`'`)
		rep, err = e.l.Verify(e.ctx, chain)
		if err != nil || rep.OK || rep.Broken.ID != es[2501].ID || rep.Broken.Reason != ledger.ReasonMissingSeq {
			t.Fatalf("named %+v, %v; want seq 2502 after a deleted seq 2501", rep.Broken, err)
		}
		if p := rep.Entries[4320]; p.ID != es[4321].ID || p.Problem != ledger.ReasonHashMismatch {
			t.Fatalf("the changed entry: %+v", p)
		}
	})
}
