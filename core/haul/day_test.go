package haul_test

import (
	"testing"
	"time"

	"github.com/masseflyt/masseflyt/core/haul"
)

// TestStartOfDay: the gate's "today" starts at midnight in Norway, winter
// (UTC+1) and summer (UTC+2), not at midnight UTC.
func TestStartOfDay(t *testing.T) {
	for _, c := range []struct{ at, want string }{
		{"2026-11-26T12:00:00Z", "2026-11-25T23:00:00Z"},
		{"2026-11-26T23:30:00Z", "2026-11-26T23:00:00Z"}, // already the 27th in Oslo
		{"2026-11-26T22:59:00Z", "2026-11-25T23:00:00Z"},
		{"2026-07-01T22:30:00Z", "2026-07-01T22:00:00Z"},
		{"2026-07-01T21:59:00Z", "2026-06-30T22:00:00Z"},
	} {
		at, _ := time.Parse(time.RFC3339, c.at)
		if got := haul.StartOfDay(at).Format(time.RFC3339); got != c.want {
			t.Errorf("StartOfDay(%s) = %s, want %s", c.at, got, c.want)
		}
	}
}
