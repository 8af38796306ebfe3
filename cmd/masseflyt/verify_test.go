package main

import (
	"context"
	"strings"
	"testing"

	"gorm.io/gorm"

	"github.com/masseflyt/masseflyt/core/ledger"
	"github.com/masseflyt/masseflyt/core/store"
)

// TestVerifyCommand: `masseflyt verify --agreement ID` proves a chain
// offline, and after an entry is edited in the database it fails and
// names the entry.
func TestVerifyCommand(t *testing.T) {
	dir := setup(t)
	mustCLI(t, "migrate")
	mustCLI(t, "tenant", "create", "--slug", "baerum", "--name", "Bærum")
	chain := store.NewID()
	var ids []string
	db, err := store.Open(store.Options{DataDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	keys, err := ledger.LoadKeys(dir)
	if err != nil {
		t.Fatal(err)
	}
	l, err := ledger.New(context.Background(), db, keys)
	if err != nil {
		t.Fatal(err)
	}
	var tid string
	if err := db.Read(sys(), func(tx *gorm.DB) error {
		return tx.Table("tenants").Where("slug = 'baerum'").Select("id").Scan(&tid).Error
	}); err != nil {
		t.Fatal(err)
	}
	for _, kind := range []string{"load.departed", "load.arrived", "load.received"} {
		err := db.Tx(store.WithTenant(context.Background(), tid), func(tx *gorm.DB) error {
			e, err := l.Append(tx, ledger.Event{Chain: chain, Kind: kind, Data: map[string]any{"tonnes": 20}})
			if err == nil {
				ids = append(ids, e.ID)
			}
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	db.Close()
	got := mustCLI(t, "verify", "--agreement", chain)
	if !strings.Contains(got, "3 entries") || !strings.Contains(got, "OK:") {
		t.Fatalf("verify said %q", got)
	}
	if js := mustCLI(t, "verify", "--agreement", chain, "--tenant", "baerum", "--json"); !strings.Contains(js, `"ok": true`) || !strings.Contains(js, ids[2]) {
		t.Fatalf("verify --json said %q", js)
	}
	withDB(t, dir, func(tx *gorm.DB) error {
		if err := tx.Exec(`DROP TRIGGER ledger_entries_no_update`).Error; err != nil {
			return err
		}
		return tx.Exec(`UPDATE ledger_entries SET data = '{"tonnes":2}' WHERE id = ?`, ids[1]).Error
	})
	got, err = cli(t, "verify", "--agreement", chain)
	wantErr(t, err, "does not verify")
	if !strings.Contains(got, "BROKEN at seq 2 (entry "+ids[1]+", load.arrived): hash_mismatch") {
		t.Fatalf("verify said %q", got)
	}
	_, err = cli(t, "verify", "--agreement", "nope")
	wantErr(t, err, "--agreement")
	_, err = cli(t, "verify", "--agreement", store.NewID())
	wantErr(t, err, "no agreement or ledger entries")
}
