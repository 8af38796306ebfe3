// Package clock is the one clock of the domain. Everything that reads the
// date or time of day for a business decision (expiry, windows, "published
// 3 days ago", statistics per day) reads it from a Clock, never from
// time.Now. In development MASSEFLYT_NOW moves the clock, so a region can be
// shown "as of 2028"; production refuses it.
//
// Real elapsed time (request durations, cache lifetimes, network deadlines)
// is not domain time: it is read with Real, which is greppable.
package clock

import (
	"fmt"
	"strings"
	"sync"
	"time"
)

// Clock tells the time.
type Clock interface {
	Now() time.Time
}

// EnvVar names the environment variable that moves the clock.
const EnvVar = "MASSEFLYT_NOW"

type system struct{}

func (system) Now() time.Time { return time.Now().UTC() }

// System is the real clock, in UTC.
func System() Clock { return system{} }

// Real returns the real wall-clock time, for elapsed time, deadlines and
// cache lifetimes. It is never a business date: use a Clock for that.
func Real() time.Time { return time.Now() }

type offset struct{ d time.Duration }

func (o offset) Now() time.Time { return time.Now().UTC().Add(o.d) }

// At returns a clock that reads at now and runs on at real speed.
func At(at time.Time) Clock {
	return offset{d: at.Sub(time.Now())}
}

// Manual is a clock that moves only when told: for tests of expiry and
// windows. The zero value reads the zero time; use NewManual.
type Manual struct {
	mu sync.Mutex
	t  time.Time
}

// NewManual returns a manual clock reading t.
func NewManual(t time.Time) *Manual { return &Manual{t: t.UTC()} }

// Now reads the clock.
func (m *Manual) Now() time.Time {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.t
}

// Set moves the clock to t.
func (m *Manual) Set(t time.Time) {
	m.mu.Lock()
	m.t = t.UTC()
	m.mu.Unlock()
}

// Advance moves the clock on by d.
func (m *Manual) Advance(d time.Duration) {
	m.mu.Lock()
	m.t = m.t.Add(d)
	m.mu.Unlock()
}

// Parse reads a MASSEFLYT_NOW value: a date (2028-01-15, taken at 12:00
// UTC so that every Norwegian local reading is the same day) or an RFC 3339
// time.
func Parse(s string) (time.Time, error) {
	s = strings.TrimSpace(s)
	if t, err := time.Parse("2006-01-02", s); err == nil {
		return t.Add(12 * time.Hour), nil
	}
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t.UTC(), nil
	}
	return time.Time{}, fmt.Errorf("%s=%q is neither a date (2028-01-15) nor an RFC 3339 time (2028-01-15T08:00:00Z)", EnvVar, s)
}

// FromSetting returns the clock for a MASSEFLYT_NOW value: the system clock
// when it is empty, else a clock that starts at that moment and runs on.
// Production refuses a moved clock.
func FromSetting(value string, production bool) (Clock, error) {
	if strings.TrimSpace(value) == "" {
		return System(), nil
	}
	if production {
		return nil, fmt.Errorf("%s is for development and tests; production runs on the real clock", EnvVar)
	}
	t, err := Parse(value)
	if err != nil {
		return nil, err
	}
	return At(t), nil
}

// Today is the clock's date at midnight UTC.
func Today(c Clock) time.Time { return c.Now().UTC().Truncate(24 * time.Hour) }
