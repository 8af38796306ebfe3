package apitest

import (
	"fmt"
	"time"

	"github.com/masseflyt/masseflyt/core/clock"
	"github.com/masseflyt/masseflyt/internal/storetest"
)

// Clock is the harness clock, shared by every app and database a test
// process builds (storetest.DefaultClock): the real clock, or MASSEFLYT_NOW
// when set (the suite must pass at any date). Tests take their dates from
// it, never from literal years.
func Clock() clock.Clock { return storetest.DefaultClock() }

// Now reads the harness clock.
func Now() time.Time { return Clock().Now() }

// Month is the month n months from the harness clock's, as the API writes
// it ("2027-03"); n may be negative.
func Month(n int) string {
	y, m, _ := Now().Date()
	return time.Date(y, m+time.Month(n), 1, 0, 0, 0, 0, time.UTC).Format("2006-01")
}

// Day is the date n days from the harness clock's, as "2006-01-02".
func Day(n int) string { return Now().AddDate(0, 0, n).Format("2006-01-02") }

// Year is the harness clock's year plus n, as a number.
func Year(n int) int { return Now().Year() + n }

// YearString is Year as text.
func YearString(n int) string { return fmt.Sprint(Year(n)) }
