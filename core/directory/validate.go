package directory

import (
	"math"
	"net/mail"
	"net/url"
	"regexp"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/masseflyt/masseflyt/core/fail"
	"github.com/masseflyt/masseflyt/core/geo"
)

// Field limits.
const (
	maxName = 200
	maxText = 4000
	maxLine = 300
)

var (
	phoneRe    = regexp.MustCompile(`^\+?[0-9 ()-]{5,20}$`)
	postcodeRe = regexp.MustCompile(`^[0-9]{4}$`)
	kommuneRe  = regexp.MustCompile(`^[0-9]{4}$`)
)

func text(v *fail.Validation, field string, p *string, max int, required bool) {
	if p == nil {
		return
	}
	*p = strings.TrimSpace(*p)
	switch {
	case required && *p == "":
		v.Add(field, "required", "ErrFieldRequired")
	case utf8.RuneCountInString(*p) > max:
		v.Add(field, "too_long", "ErrFieldTooLong", "Max", max)
	case !utf8.ValidString(*p) || strings.ContainsRune(*p, 0):
		v.Add(field, "invalid", "ErrFieldInvalid")
	}
}

func enum(v *fail.Validation, field, val string, allowed []string, required bool) {
	if val == "" && !required {
		return
	}
	if !contains(allowed, val) {
		v.Add(field, "enum", "ErrFieldEnum", "Allowed", joinAllowed(allowed))
	}
}

func enumList(v *fail.Validation, field string, vals []string, allowed []string) List {
	seen := map[string]bool{}
	out := List{}
	for _, x := range vals {
		x = strings.TrimSpace(x)
		if x == "" || seen[x] {
			continue
		}
		if !contains(allowed, x) {
			v.Add(field, "enum", "ErrFieldEnum", "Allowed", joinAllowed(allowed))
			return out
		}
		seen[x] = true
		out = append(out, x)
	}
	return out
}

func email(v *fail.Validation, field string, p *string) {
	text(v, field, p, 254, false)
	if p == nil || *p == "" {
		return
	}
	a, err := mail.ParseAddress(*p)
	if err != nil || a.Address != *p || !strings.Contains(*p, ".") {
		v.Add(field, "invalid", "ErrFieldInvalid")
	}
}

func phone(v *fail.Validation, field string, p *string) {
	text(v, field, p, 30, false)
	if p != nil && *p != "" && !phoneRe.MatchString(*p) {
		v.Add(field, "invalid", "ErrFieldInvalid")
	}
}

func website(v *fail.Validation, field string, p *string) {
	text(v, field, p, maxLine, false)
	if p == nil || *p == "" {
		return
	}
	if !strings.Contains(*p, "://") {
		*p = "https://" + *p
	}
	u, err := url.Parse(*p)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || !strings.Contains(u.Host, ".") {
		v.Add(field, "invalid", "ErrFieldInvalid")
	}
}

func pattern(v *fail.Validation, field string, p *string, re *regexp.Regexp) {
	if p == nil {
		return
	}
	*p = strings.TrimSpace(*p)
	if *p != "" && !re.MatchString(*p) {
		v.Add(field, "invalid", "ErrFieldInvalid")
	}
}

func nonNegative(v *fail.Validation, field string, x float64, max float64) {
	switch {
	case math.IsNaN(x) || math.IsInf(x, 0):
		v.Add(field, "invalid", "ErrFieldInvalid")
	case x < 0:
		v.Add(field, "negative", "ErrFieldNegative")
	case x > max:
		v.Add(field, "range", "ErrFieldRange", "Min", 0, "Max", max)
	}
}

// parseDate accepts YYYY-MM-DD, YYYY-MM (first of month) or YYYY (1 January).
func parseDate(v *fail.Validation, field string, s *string) (*time.Time, bool) {
	if s == nil {
		return nil, false
	}
	str := strings.TrimSpace(*s)
	if str == "" {
		return nil, true
	}
	for _, layout := range []string{"2006-01-02", "2006-01", "2006"} {
		if t, err := time.Parse(layout, str); err == nil {
			if t.Year() < 1950 || t.Year() > 2100 {
				break
			}
			return &t, true
		}
	}
	v.Add(field, "date", "ErrFieldInvalid")
	return nil, false
}

func checkPoint(v *fail.Validation, lat, lon float64) {
	if !geo.InNorway(geo.Point{Lat: lat, Lon: lon}) {
		v.Add("lat", "outside_norway", "ErrOutsideNorway")
	}
}
