package app

import (
	"context"
	"time"

	"github.com/masseflyt/masseflyt/core/ledger"
)

// LedgerSealInterval is how often an instance seals finished days of the
// load ledger into signed Merkle roots. Sealing is idempotent: a day has
// one root (unique per tenant and day), so instances racing each other
// make it once.
var LedgerSealInterval = 5 * time.Minute

// provisionLedger loads the platform's ledger signing key
// (MASSEFLYT_LEDGER_KEY, or the key file in the data directory) and
// registers its public half; a key that differs from the last one
// registered retires it (rotation).
func (a *App) provisionLedger() error {
	keys, err := ledger.LoadKeys(a.Config.DataDir)
	if err != nil {
		return err
	}
	a.Ledger = &ledger.Ledger{DB: a.DB, Keys: keys}
	if err := keys.Register(context.Background(), a.DB); err != nil {
		a.Log.Warn("ledger: registering the signing key failed; it is registered on the first append", "key_id", keys.ID(), "err", err)
	}
	return nil
}

// startLedgerSeal runs the daily root sealing until the app closes.
func (a *App) startLedgerSeal() {
	a.every(LedgerSealInterval, func(ctx context.Context) {
		if _, err := a.Ledger.SealAll(ctx); err != nil && ctx.Err() == nil {
			a.Log.Warn("ledger: sealing daily roots failed", "err", err)
		}
	})
}
