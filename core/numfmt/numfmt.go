// Package numfmt writes numbers, dates and times for people, in the UI's
// languages: "17,5 t" and "85 000 tonn" in Norwegian (Bokmål and Nynorsk),
// "17.5 t" and "85,000" in English, and times on the clock in Norway
// (Europe/Oslo), whatever the server's zone. Pages, exports and mail use it.
package numfmt

import (
	"math"
	"strconv"
	"strings"
	"time"
	_ "time/tzdata" // the binary carries the zone database: Europe/Oslo needs no system files
)

// Oslo is the zone every time shown to people is written in.
var Oslo = mustZone("Europe/Oslo")

func mustZone(name string) *time.Location {
	loc, err := time.LoadLocation(name)
	if err != nil {
		panic("numfmt: " + err.Error())
	}
	return loc
}

// Group is the thousands separator of a language: a no-break space in
// Norwegian (so "85 000" never breaks over two lines), a comma in English.
func Group(lang string) string {
	if lang == "en" {
		return ","
	}
	return "\u00a0"
}

// Point is the decimal mark of a language.
func Point(lang string) string {
	if lang == "en" {
		return "."
	}
	return ","
}

// Number writes f with n decimals in lang's notation: Number("nb", 85000, 0)
// is "85 000", Number("nb", 17.5, 1) is "17,5", Number("en", 85000, 0) is
// "85,000". A negative number gets a minus sign (−). NaN and infinities
// give "–".
func Number(lang string, f float64, n int) string {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return "–"
	}
	if n < 0 {
		n = 0
	}
	s := strconv.FormatFloat(math.Abs(f), 'f', n, 64)
	whole, frac, _ := strings.Cut(s, ".")
	var b strings.Builder
	if f < 0 && strings.Trim(s, "0.") != "" {
		b.WriteString("−")
	}
	sep := Group(lang)
	for i, r := range whole {
		if i > 0 && (len(whole)-i)%3 == 0 {
			b.WriteString(sep)
		}
		b.WriteRune(r)
	}
	if frac != "" {
		b.WriteString(Point(lang))
		b.WriteString(frac)
	}
	return b.String()
}

// Auto writes f with up to max decimals, dropping trailing zeros: 17.5 is
// "17,5", 18 is "18".
func Auto(lang string, f float64, max int) string {
	s := Number(lang, f, max)
	if max <= 0 {
		return s
	}
	p := Point(lang)
	if i := strings.LastIndex(s, p); i >= 0 {
		s = strings.TrimRight(s, "0")
		s = strings.TrimSuffix(s, p)
	}
	return s
}

// Local is t on the clock in Norway.
func Local(t time.Time) time.Time { return t.In(Oslo) }

// Date writes the day of t in Norway: "26.11.2026" ("26/11/2026" is not
// used; English pages keep the Norwegian form, which is unambiguous here).
func Date(t time.Time) string { return Local(t).Format("02.01.2006") }

// Month writes the month of t in Norway: "11.2026".
func Month(t time.Time) string { return Local(t).Format("01.2006") }

// DateTime writes t on the clock in Norway: "27.11.2026 00:30".
func DateTime(t time.Time) string { return Local(t).Format("02.01.2006 15:04") }

// ISODate writes the day of t in Norway as 2026-11-26, for form fields and
// spreadsheets.
func ISODate(t time.Time) string { return Local(t).Format("2006-01-02") }

// ISOMonth writes the month of t in Norway as 2026-11.
func ISOMonth(t time.Time) string { return Local(t).Format("2006-01") }
