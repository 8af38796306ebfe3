package market

import (
	"strings"
	"testing"
	"time"

	"github.com/masseflyt/masseflyt/core/directory"
	"github.com/masseflyt/masseflyt/locales"
)

// TestPlanExportNumbersAndDates: the plan's rows write 17.5 and 85000 in
// the reader's notation, and months on the clock in Norway (a line starting
// at 23:30 UTC on 31 December starts in January there).
func TestPlanExportNumbersAndDates(t *testing.T) {
	b := locales.MustBundle()
	from := time.Date(2026, 12, 31, 23, 30, 0, 0, time.UTC)
	p := &Plan{Site: &directory.Site{Name: "Fornebu"}, Lines: []PlanLine{
		{Direction: "cut", Fraction: "sprengstein", QuantityValue: 17.5, QuantityUnit: "t", QuantityTonnes: 85000, PeriodFrom: from, PeriodTo: from.AddDate(0, 3, 0)},
	}}
	want := map[string][2]string{
		"nb": {"17,5\u00a0", "85\u00a0000"},
		"nn": {"17,5\u00a0", "85\u00a0000"},
		"en": {"17.5\u00a0", "85,000"},
	}
	for _, lang := range locales.Supported {
		row := planRows(locales.New(b, lang), p)[0]
		if !strings.HasPrefix(row[4], want[lang][0]) || row[5] != want[lang][1] {
			t.Errorf("%s: quantity %q, tonnes %q; want %q…, %q", lang, row[4], row[5], want[lang][0], want[lang][1])
		}
		if row[6] != "01.2027–04.2027" {
			t.Errorf("%s: period %q, want 01.2027–04.2027", lang, row[6])
		}
	}
	if got := signed("en", -85000); got != "-85,000" {
		t.Errorf("signed = %q", got)
	}
}
