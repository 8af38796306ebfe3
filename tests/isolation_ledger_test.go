package tests

import (
	"testing"

	"gorm.io/gorm"

	"github.com/masseflyt/masseflyt/core/ledger"
	"github.com/masseflyt/masseflyt/core/store"
	"github.com/masseflyt/masseflyt/internal/apitest"
)

// The load ledger's share of the isolation suites: an entry (and so a
// chain head) on Bærum's agreement and a signed daily root. The ledger's
// tables have no tenant foreign key besides the tenant itself (the chain
// is the agreement's ID, not a reference: the record outlives what it
// records), so there is no cross-tenant reference to refuse.

func init() {
	isolationParts = append(isolationParts, isolationPart{
		ids: func(t *testing.T, e *apitest.Env, ids map[string]string) {
			chain := ids["agreements"]
			if chain == "" {
				chain = store.NewID()
			}
			var en *ledger.Entry
			ctx := e.Ctx("baerum")
			err := e.App.DB.Tx(ctx, func(tx *gorm.DB) error {
				var err error
				en, err = e.App.Ledger.Append(tx, ledger.Event{Chain: chain, Kind: "load.departed", LoadID: store.NewID(), Data: map[string]any{"tonnes": 21.5}})
				return err
			})
			if err != nil {
				t.Fatal(err)
			}
			ids["ledger_entries"] = en.ID
			ids["ledger_heads"] = e.FirstID("baerum", "ledger_heads", "chain = ?", chain)
			now := apitest.Now().UTC()
			root := &ledger.Root{ID: store.NewID(), Day: now.AddDate(0, 0, -400).Format(ledger.DayLayout), Size: 1, Root: en.Hash, KeyID: en.KeyID, Signature: en.Signature, CreatedAt: now}
			if err := e.App.DB.Tx(ctx, func(tx *gorm.DB) error { return tx.Create(root).Error }); err != nil {
				t.Fatal(err)
			}
			ids["ledger_roots"] = root.ID
		},
		createdOnly: []string{"ledger_entries", "ledger_roots"},
	})
}
