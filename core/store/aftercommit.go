package store

import (
	"context"
	"sync"

	"gorm.io/gorm"
)

type afterCommitKey struct{}

// commitHooks collects what runs once a transaction has committed.
type commitHooks struct {
	mu  sync.Mutex
	fns []func()
}

// AfterCommit runs fn once the transaction of tx (one begun by DB.Tx) has
// committed; never if it rolls back. It reports false, and does nothing,
// when tx is not inside DB.Tx. The events outbox uses it to wake its
// dispatcher the moment a change and its events are durable.
func AfterCommit(tx *gorm.DB, fn func()) bool {
	h, _ := tx.Statement.Context.Value(afterCommitKey{}).(*commitHooks)
	if h == nil {
		return false
	}
	h.mu.Lock()
	h.fns = append(h.fns, fn)
	h.mu.Unlock()
	return true
}

func withCommitHooks(ctx context.Context) (context.Context, *commitHooks) {
	h := &commitHooks{}
	return context.WithValue(ctx, afterCommitKey{}, h), h
}

func (h *commitHooks) run() {
	h.mu.Lock()
	fns := h.fns
	h.fns = nil
	h.mu.Unlock()
	for _, fn := range fns {
		fn()
	}
}

func (h *commitHooks) add(fns ...func()) {
	h.mu.Lock()
	h.fns = append(h.fns, fns...)
	h.mu.Unlock()
}

// take removes and returns the registered functions.
func (h *commitHooks) take() []func() {
	h.mu.Lock()
	defer h.mu.Unlock()
	fns := h.fns
	h.fns = nil
	return fns
}
