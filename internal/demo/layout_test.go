package demo

import (
	"testing"
	"time"
)

func TestLayout(t *testing.T) {
	d := func(s string) time.Time { return day(s) }
	for _, c := range []struct {
		now      time.Time
		in, want string
	}{
		{Authored, "2027-10-31", "2027-10-31"},
		{Authored.AddDate(0, 0, 4), "2027-10-31", "2027-10-31"}, // same month: unchanged
		{time.Date(2031, 6, 1, 12, 0, 0, 0, time.UTC), "2025-01-01", "2029-08-01"},
		{time.Date(2031, 6, 1, 12, 0, 0, 0, time.UTC), "2027-10-31", "2032-05-31"},
		{time.Date(2027, 12, 1, 0, 0, 0, 0, time.UTC), "2028-12-31", "2030-01-31"},
		{time.Date(2027, 12, 1, 0, 0, 0, 0, time.UTC), "2027-10-30", "2028-11-30"},
		{time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC), "2027-01-31", "2027-02-28"}, // last day stays last
		{time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC), "2027-01-30", "2027-02-28"}, // clamped
		{time.Date(2025, 1, 15, 0, 0, 0, 0, time.UTC), "2027-10-31", "2025-12-31"}, // earlier clocks too
	} {
		if got := layoutFor(c.now).at(d(c.in)).Format("2006-01-02"); got != c.want {
			t.Errorf("now %s: %s → %s, want %s", c.now.Format("2006-01-02"), c.in, got, c.want)
		}
	}
	if layoutFor(Authored).ptr(nil) != nil {
		t.Error("nil date must stay nil")
	}
}

// TestDemoAliveAtAnyDate: whenever the demo is seeded, the key listings are
// as open as on the day they were written.
func TestDemoAliveAtAnyDate(t *testing.T) {
	for _, now := range []time.Time{Authored, time.Date(2027, 12, 1, 12, 0, 0, 0, time.UTC), time.Date(2031, 6, 1, 12, 0, 0, 0, time.UTC), time.Date(2044, 2, 29, 12, 0, 0, 0, time.UTC)} {
		lay := layoutFor(now)
		open := 0
		for _, l := range listings {
			from, to := lay.at(l.AvailableFrom), lay.at(l.AvailableTo)
			if to.Before(from) {
				t.Errorf("%s: %q ends before it starts", now, l.Title)
			}
			if !to.Before(now.Truncate(24 * time.Hour)) {
				open++
			}
			if l.Title == "Sprengstein fra stasjonshallen" && (now.Before(from) || to.Before(now)) {
				t.Errorf("seeded %s: the key surplus runs %s–%s, not open", now.Format("2006-01-02"), from.Format("2006-01-02"), to.Format("2006-01-02"))
			}
		}
		if open != len(listings) {
			t.Errorf("seeded %s: %d of %d listings open", now.Format("2006-01-02"), open, len(listings))
		}
	}
}
