package invoice

import (
	"bufio"
	"encoding/csv"
	"io"
	"strconv"
	"strings"

	"github.com/masseflyt/masseflyt/core/numfmt"
)

// bom makes Excel read the file as UTF-8.
const bom = "\ufeff"

// WriteCSV writes the basis as CSV in lang ("nb", "nn", "en"): UTF-8 with a
// byte order mark; ";" between cells and a decimal comma in Norwegian, ","
// and a decimal point in English, so a spreadsheet in that language reads
// the numbers as numbers. Header rows (label, value) name the basis, the
// agreement, the parties, the period, the description and whether the
// quantities are planned; then one row per line and the totals. Numbers
// have no thousands separators. A text cell that a spreadsheet would take
// for a formula gets a leading apostrophe. The basis is validated first;
// nothing is written when it is invalid.
func WriteCSV(w io.Writer, b Basis, lang string) error {
	b, err := prepare(b)
	if err != nil {
		return err
	}
	l := localizer(lang)
	lang = l.Lang
	bw := bufio.NewWriter(w)
	if _, err := bw.WriteString(bom); err != nil {
		return err
	}
	cw := csv.NewWriter(bw)
	cw.UseCRLF = true
	if lang != "en" {
		cw.Comma = ';'
	}
	t := b.Totals()
	status := l.T("InvoiceReceived")
	if b.Planned {
		status = l.T("InvoicePlannedBanner")
	}
	rows := [][]string{
		{cell(l.T("InvoiceTitle")), cell(b.Number)},
		{cell(l.T("InvoiceAgreementNumber")), cell(b.AgreementNumber)},
		{cell(l.T("InvoiceIssueDate")), numfmt.ISODate(b.IssueDate)},
		{cell(l.T("InvoiceSeller")), cell(b.Seller.Name), cell(l.T("InvoiceOrgNumber")), b.Seller.OrgNumber},
		{cell(l.T("InvoiceBuyer")), cell(b.Buyer.Name), cell(l.T("InvoiceOrgNumber")), b.Buyer.OrgNumber},
		{cell(l.T("InvoicePeriod")), numfmt.ISODate(b.PeriodFrom), numfmt.ISODate(b.PeriodTo)},
		{cell(l.T("InvoiceDescription")), cell(b.Description)},
	}
	if b.BuyerReference != "" {
		rows = append(rows, []string{cell(l.T("InvoiceBuyerReference")), cell(b.BuyerReference)})
	}
	rows = append(rows,
		[]string{cell(l.T("InvoiceStatus")), cell(status)},
		[]string{cell(l.T("InvoiceCurrency")), cell(b.Currency)},
		nil,
		[]string{cell(l.T("InvoiceLineNo")), cell(l.T("InvoiceFraction")), cell(l.T("InvoiceLineDescription")), cell(l.T("InvoiceTonnes")), cell(l.T("InvoiceCubicMetres")),
			cell(l.T("InvoiceUnit")), cell(l.T("InvoiceQuantity")), cell(l.T("InvoiceUnitPrice")), cell(l.T("InvoiceAmount")), cell(l.T("InvoiceLinePlanned"))},
	)
	for i, ln := range b.Lines {
		planned := ""
		if ln.Planned || b.Planned {
			planned = l.T("InvoicePlannedMark")
		}
		id := ln.ID
		if id == "" {
			id = strconv.Itoa(i + 1)
		}
		rows = append(rows, []string{cell(id), cell(fractionName(ln)), cell(ln.Description),
			plainNumber(lang, ln.Tonnes, 1), plainNumber(lang, ln.CubicMetres, 1), cell(unitLabel(l, ln.Unit)),
			quantityText(lang, ln.priced()), plainNOK(lang, ln.UnitPriceOre), plainNOK(lang, ln.AmountOre()), cell(planned)})
	}
	pad := make([]string, 8) // totals in the amount column
	rows = append(rows, nil,
		append(append([]string{cell(l.T("InvoiceTotalExVAT"))}, pad...), plainNOK(lang, t.LinesOre)),
		append(append([]string{cell(vatLabel(l, b))}, pad...), plainNOK(lang, t.VATOre)),
		append(append([]string{cell(l.T("InvoiceTotalInclVAT"))}, pad...), plainNOK(lang, t.TotalOre)),
	)
	for _, r := range rows {
		if r == nil {
			r = []string{""}
		}
		if err := cw.Write(r); err != nil {
			return err
		}
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return err
	}
	return bw.Flush()
}

// cell guards a text cell against CSV injection: a cell that a spreadsheet
// would read as a formula (= + - @, or a tab or carriage return first) gets
// a leading apostrophe. Numbers the writer makes itself do not pass here.
func cell(s string) string {
	if s == "" {
		return s
	}
	switch s[0] {
	case '=', '+', '-', '@', '\t', '\r':
		return "'" + s
	}
	return s
}

// quantityText writes a quantity with up to three decimals, trailing zeros
// dropped, and lang's decimal mark, without thousands separators.
func quantityText(lang string, q float64) string {
	s := strconv.FormatFloat(q, 'f', quantityDecimals, 64)
	if strings.Contains(s, ".") {
		s = strings.TrimSuffix(strings.TrimRight(s, "0"), ".")
	}
	if lang != "en" {
		s = strings.Replace(s, ".", numfmt.Point(lang), 1)
	}
	return s
}
