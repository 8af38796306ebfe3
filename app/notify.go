package app

import (
	"context"
	"strings"
	"time"

	"github.com/masseflyt/masseflyt/core/notify"
)

// notifyRegion describes a tenant for notification mail: its name, its
// language and the address its links start with.
func (a *App) notifyRegion(tenantID string) (notify.Region, bool) {
	t, ok := a.Tenants.ByID(tenantID)
	if !ok {
		return notify.Region{}, false
	}
	r := notify.Region{Name: t.Name, Slug: t.Slug, Locale: t.DefaultLocale}
	if a.Config.PublicURL != "" {
		r.BaseURL = strings.TrimRight(a.Config.PublicURL, "/") + "/t/" + t.Slug
	}
	return r, true
}

// DigestInterval is how often an instance asks whether daily digests are
// due. Claiming is idempotent across instances (notify.DueDigests).
var DigestInterval = time.Minute

// startDigests runs the digest ticker until the app closes.
func (a *App) startDigests() {
	a.every(DigestInterval, func(ctx context.Context) {
		if _, err := a.Notify.DueDigests(ctx); err != nil && ctx.Err() == nil {
			a.Log.Warn("notify: claiming daily digests failed", "err", err)
		}
	})
}

// every runs fn each interval on a goroutine of its own until the app
// closes; closing cancels fn's context and waits for it.
func (a *App) every(interval time.Duration, fn func(ctx context.Context)) {
	if a.Config.NoBackground {
		return
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		t := time.NewTicker(interval)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-t.C:
				fn(ctx)
			}
		}
	}()
	a.cleanups = append(a.cleanups, func() error { cancel(); <-done; return nil })
}
