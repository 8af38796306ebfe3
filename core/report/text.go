package report

import (
	"strconv"
	"strings"
	"time"

	"github.com/masseflyt/masseflyt/core/numfmt"
	"github.com/masseflyt/masseflyt/locales"
)

// localizer is lang's localizer (Bokmål for an unknown language); the
// report's labels are in locales/report.{nb,nn,en}.toml.
func localizer(lang string) *locales.Localizer {
	return locales.New(locales.Shared(), lang)
}

// plain writes f with n decimals and lang's decimal mark, without
// thousands separators (spreadsheets read it as a number).
func plain(lang string, f float64, n int) string {
	s := strconv.FormatFloat(f, 'f', n, 64)
	if lang != "en" {
		s = strings.Replace(s, ".", numfmt.Point(lang), 1)
	}
	return s
}

func plainPtr(lang string, f *float64, n int) string {
	if f == nil {
		return ""
	}
	return plain(lang, *f, n)
}

// stamp is a time in Oslo as a spreadsheet reads it.
func stamp(t *time.Time) string {
	if t == nil {
		return ""
	}
	return numfmt.Local(*t).Format("2006-01-02 15:04:05")
}

// wall is t's Oslo wall clock as a UTC time (Excel has no zones).
func wall(t *time.Time) any {
	if t == nil {
		return nil
	}
	l := numfmt.Local(*t)
	return time.Date(l.Year(), l.Month(), l.Day(), l.Hour(), l.Minute(), l.Second(), 0, time.UTC)
}

// label is id's text, or fallback when the catalogue has none.
func label(l *locales.Localizer, id, fallback string) string {
	if fallback == "" {
		return ""
	}
	if l.Has(id) {
		return l.T(id)
	}
	return fallback
}
