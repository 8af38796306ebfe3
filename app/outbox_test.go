package app_test

import (
	"context"
	"strings"
	"sync"
	"testing"

	"gorm.io/gorm"

	"github.com/masseflyt/masseflyt/core/events"
	"github.com/masseflyt/masseflyt/internal/apitest"
)

// TestPublishReturnsBeforeDiscovery: publishing answers before match
// discovery has run (it runs from the outbox, after the commit), and until
// it has, the listing page says that matches are being found.
func TestPublishReturnsBeforeDiscovery(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		// Hold the dispatcher on an earlier event: discovery waits behind it.
		hold, held := make(chan struct{}), make(chan struct{})
		var once, release sync.Once
		free := func() { release.Do(func() { close(hold) }) }
		defer free()
		e.App.Events.Subscribe("test.hold", func(ctx context.Context, env events.Envelope) error {
			once.Do(func() { close(held) })
			<-hold
			return nil
		}, "listing.closed")
		if err := e.App.DB.Tx(e.Ctx("baerum"), func(tx *gorm.DB) error {
			return events.Emit(tx, events.ListingClosed{ListingID: "hold"})
		}); err != nil {
			t.Fatal(err)
		}
		<-held
		id := e.PublishNeedNoWait("Venter på treff", nil)
		if n := e.Count("baerum", "matches", "listing_id = ?", id); n != 0 {
			t.Fatalf("%d matches stored before discovery ran", n)
		}
		page := func() string {
			r := e.Do(apitest.Request{Path: "/t/baerum/listings/" + id, As: apitest.Member})
			if r.Status != 200 {
				t.Fatalf("listing page: %d", r.Status)
			}
			return string(r.Body)
		}
		if !strings.Contains(page(), "Vi leter etter treff") {
			t.Fatal("the listing page must say that matches are being found")
		}
		free()
		e.Settle()
		if n := e.Count("baerum", "matches", "listing_id = ?", id); n == 0 {
			t.Fatal("discovery found nothing after the hold")
		}
		if strings.Contains(page(), "Vi leter etter treff") {
			t.Fatal("the listing page still says matches are being found")
		}
	})
}
