package seed

import (
	"testing"
	"time"
)

func TestLayout(t *testing.T) {
	authored := time.Date(2026, 11, 26, 0, 0, 0, 0, time.UTC)
	for _, c := range []struct {
		now      time.Time
		in, want string
	}{
		{authored, "2027-10-31", "2027-10-31"},
		{authored.AddDate(0, 0, 4), "2027-10-31", "2027-10-31"}, // same month: unchanged
		{time.Date(2031, 6, 1, 12, 0, 0, 0, time.UTC), "2025-01-01", "2029-08-01"},
		{time.Date(2031, 6, 1, 12, 0, 0, 0, time.UTC), "2027-10-31", "2032-05-31"},
		{time.Date(2027, 12, 1, 0, 0, 0, 0, time.UTC), "2028-12-31", "2030-01-31"},
		{time.Date(2027, 12, 1, 0, 0, 0, 0, time.UTC), "2027-10-30", "2028-11-30"},
		{time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC), "2027-01-31", "2027-02-28"}, // last day stays last
		{time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC), "2027-01-30", "2027-02-28"}, // clamped
		{time.Date(2025, 1, 15, 0, 0, 0, 0, time.UTC), "2027-10-31", "2025-12-31"}, // earlier clocks too
	} {
		if got := LayoutFor(authored, c.now).At(Day(c.in)).Format("2006-01-02"); got != c.want {
			t.Errorf("now %s: %s → %s, want %s", c.now.Format("2006-01-02"), c.in, got, c.want)
		}
	}
	if LayoutFor(authored, authored).Ptr(nil) != nil {
		t.Error("nil date must stay nil")
	}
}
