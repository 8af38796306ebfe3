package demo

import (
	"testing"
	"time"
)

// TestDemoAliveAtAnyDate: whenever the demo is seeded, every listing is
// open and the key listings are on the market.
func TestDemoAliveAtAnyDate(t *testing.T) {
	w := World()
	for _, now := range []time.Time{Authored, time.Date(2027, 12, 1, 12, 0, 0, 0, time.UTC), time.Date(2031, 6, 1, 12, 0, 0, 0, time.UTC), time.Date(2044, 2, 29, 12, 0, 0, 0, time.UTC)} {
		for _, p := range w.Dead(now, KeyListing, "Mellomlagring på Avtjerna", "Massehotell på Nyhavna", "Mellomlagring og utskiping i Risavika") {
			t.Errorf("seeded %s: %s", now.Format("2006-01-02"), p)
		}
	}
}
