package clock

import (
	"strings"
	"testing"
	"time"
)

func TestParse(t *testing.T) {
	for _, c := range []struct {
		in   string
		want time.Time
		err  string
	}{
		{"2028-01-15", time.Date(2028, 1, 15, 12, 0, 0, 0, time.UTC), ""},
		{" 2031-06-01 ", time.Date(2031, 6, 1, 12, 0, 0, 0, time.UTC), ""},
		{"2028-01-15T08:30:00+01:00", time.Date(2028, 1, 15, 7, 30, 0, 0, time.UTC), ""},
		{"15.01.2028", time.Time{}, "neither a date"},
		{"2028-13-01", time.Time{}, "neither a date"},
	} {
		got, err := Parse(c.in)
		if c.err != "" {
			if err == nil || !strings.Contains(err.Error(), c.err) {
				t.Errorf("Parse(%q) error = %v, want %q", c.in, err, c.err)
			}
			continue
		}
		if err != nil || !got.Equal(c.want) {
			t.Errorf("Parse(%q) = %v, %v; want %v", c.in, got, err, c.want)
		}
	}
}

func TestFromSetting(t *testing.T) {
	c, err := FromSetting("", true)
	if err != nil || c == nil {
		t.Fatalf("empty setting in production: %v", err)
	}
	if d := time.Since(c.Now()); d < 0 || d > time.Minute {
		t.Errorf("system clock is %v off", d)
	}
	if _, err := FromSetting("2028-01-01", true); err == nil || !strings.Contains(err.Error(), EnvVar) {
		t.Errorf("production must refuse %s, got %v", EnvVar, err)
	}
	if _, err := FromSetting("tomorrow", false); err == nil {
		t.Error("a malformed setting must be refused")
	}
	c, err = FromSetting("2031-06-01", false)
	if err != nil {
		t.Fatal(err)
	}
	first := c.Now()
	if first.Year() != 2031 || first.Month() != 6 || first.Day() != 1 {
		t.Errorf("moved clock reads %v", first)
	}
	time.Sleep(5 * time.Millisecond)
	if !c.Now().After(first) {
		t.Error("a moved clock runs on")
	}
	if got := Today(c); !got.Equal(time.Date(2031, 6, 1, 0, 0, 0, 0, time.UTC)) {
		t.Errorf("Today = %v", got)
	}
}

func TestManual(t *testing.T) {
	m := NewManual(time.Date(2030, 2, 28, 23, 0, 0, 0, time.FixedZone("CET", 3600)))
	if got := m.Now(); got.Location() != time.UTC || got.Hour() != 22 {
		t.Errorf("manual clock reads %v, want UTC 22:00", got)
	}
	m.Advance(2 * time.Hour)
	if got := m.Now(); got.Day() != 1 || got.Month() != 3 {
		t.Errorf("after 2h: %v", got)
	}
	m.Set(time.Date(2040, 1, 1, 0, 0, 0, 0, time.UTC))
	if m.Now().Year() != 2040 {
		t.Errorf("Set: %v", m.Now())
	}
}
