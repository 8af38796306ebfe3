package numfmt

import (
	"testing"
	"time"
)

func TestNumberPerLanguage(t *testing.T) {
	cases := []struct {
		lang string
		f    float64
		n    int
		want string
	}{
		{"nb", 17.5, 1, "17,5"},
		{"nn", 17.5, 1, "17,5"},
		{"en", 17.5, 1, "17.5"},
		{"nb", 85000, 0, "85\u00a0000"},
		{"nn", 85000, 0, "85\u00a0000"},
		{"en", 85000, 0, "85,000"},
		{"nb", 1234567.25, 2, "1\u00a0234\u00a0567,25"},
		{"en", -1234.5, 1, "−1,234.5"},
		{"nb", -0.01, 0, "0"},
		{"nb", 999, 0, "999"},
	}
	for _, c := range cases {
		if got := Number(c.lang, c.f, c.n); got != c.want {
			t.Errorf("Number(%s, %v, %d) = %q, want %q", c.lang, c.f, c.n, got, c.want)
		}
	}
	if got := Auto("nb", 17.5, 2); got != "17,5" {
		t.Errorf("Auto 17.5 = %q", got)
	}
	if got := Auto("en", 18, 2); got != "18" {
		t.Errorf("Auto 18 = %q", got)
	}
	if got := Auto("nb", 85000, 1); got != "85\u00a0000" {
		t.Errorf("Auto 85000 = %q", got)
	}
}

func TestTimesInOslo(t *testing.T) {
	winter := time.Date(2026, 1, 15, 23, 30, 0, 0, time.UTC)
	if got := DateTime(winter); got != "16.01.2026 00:30" {
		t.Errorf("winter 23:30 UTC = %q, want 16.01.2026 00:30", got)
	}
	if got := Date(winter); got != "16.01.2026" {
		t.Errorf("winter date = %q", got)
	}
	summer := time.Date(2026, 7, 15, 22, 30, 0, 0, time.UTC)
	if got := DateTime(summer); got != "16.07.2026 00:30" {
		t.Errorf("summer 22:30 UTC = %q, want 16.07.2026 00:30 (CEST)", got)
	}
	if got := Month(time.Date(2026, 12, 31, 23, 30, 0, 0, time.UTC)); got != "01.2027" {
		t.Errorf("month across new year = %q", got)
	}
}
