package apitest

import (
	"context"
	"time"
)

// SettleTimeout bounds Settle.
const SettleTimeout = 15 * time.Second

// Settle waits until the env's outbox is drained: every event committed so
// far has reached its subscribers (match discovery, notifications, mail)
// and the app's listeners (caches, live view). A request returns before
// that work is done; call Settle before asserting its results. It fails
// the test after SettleTimeout.
func (e *Env) Settle() {
	e.T.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), SettleTimeout)
	defer cancel()
	if err := e.App.Events.Settle(ctx); err != nil {
		e.T.Fatalf("settle: %v", err)
	}
}
