package invoice

import (
	"strconv"
	"strings"

	"github.com/masseflyt/masseflyt/core/numfmt"
	"github.com/masseflyt/masseflyt/locales"
)

// localizer is lang's localizer (Bokmål for an unknown language). The
// labels are in locales/invoice.{nb,nn,en}.toml.
func localizer(lang string) *locales.Localizer {
	return locales.New(locales.Shared(), lang)
}

// nok writes øre as kroner with two decimals in lang's notation, with
// thousands separators: "12 500,00" (nb, nn), "12,500.00" (en).
func nok(lang string, ore int64) string {
	neg := ore < 0
	if neg {
		ore = -ore
	}
	s := numfmt.Number(lang, float64(ore/100), 0) + numfmt.Point(lang) + twoDigits(ore%100)
	if neg {
		s = "-" + s
	}
	return s
}

// plainNOK writes øre as kroner with two decimals and lang's decimal mark,
// without thousands separators, for spreadsheets: "12500,00".
func plainNOK(lang string, ore int64) string {
	neg := ore < 0
	if neg {
		ore = -ore
	}
	s := strconv.FormatInt(ore/100, 10) + numfmt.Point(lang) + twoDigits(ore%100)
	if neg {
		s = "-" + s
	}
	return s
}

// decimalNOK writes øre as an XML decimal with two decimals: "12500.00".
func decimalNOK(ore int64) string { return plainNOK("en", ore) }

func twoDigits(n int64) string {
	if n < 10 {
		return "0" + strconv.FormatInt(n, 10)
	}
	return strconv.FormatInt(n, 10)
}

// plainNumber writes f with n decimals and lang's decimal mark, without
// thousands separators: "20000,0".
func plainNumber(lang string, f float64, n int) string {
	s := strconv.FormatFloat(f, 'f', n, 64)
	if lang != "en" {
		s = strings.Replace(s, ".", numfmt.Point(lang), 1)
	}
	return s
}

// quantityDecimals is how many decimals a quantity is written with: up to
// three, trailing zeros dropped.
const quantityDecimals = 3

// unitLabel is a price unit as people read it ("t", "m³").
func unitLabel(l *locales.Localizer, unit string) string {
	return l.T("InvoiceUnit_" + unit)
}

// fractionName is a line's fraction as people read it.
func fractionName(ln Line) string {
	if strings.TrimSpace(ln.FractionName) != "" {
		return ln.FractionName
	}
	return ln.Fraction
}

// vatLabel names the VAT row of the totals: "Mva. 25 %", or why there is
// none.
func vatLabel(l *locales.Localizer, b Basis) string {
	switch b.Category() {
	case "S":
		return l.T("InvoiceVAT", "Percent", numfmt.Auto(l.Lang, b.VATPercent, 2))
	case "Z":
		return l.T("InvoiceVATZero")
	case "E":
		return l.T("InvoiceVATExempt")
	default:
		return l.T("InvoiceVATNone")
	}
}

// period writes the period as "01.12.2026–31.12.2026".
func period(b Basis) string {
	return numfmt.Date(b.PeriodFrom) + "–" + numfmt.Date(b.PeriodTo)
}

// orgNumber groups an organization number for reading: "974 760 673".
func orgNumber(s string) string {
	if len(s) != 9 {
		return s
	}
	return s[:3] + " " + s[3:6] + " " + s[6:]
}
