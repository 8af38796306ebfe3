package invoice

import (
	"bufio"
	"encoding/csv"
	"io"
	"strconv"
	"strings"

	"github.com/masseflyt/masseflyt/core/numfmt"
	"github.com/masseflyt/masseflyt/core/sheet"
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
		{sheet.Text(l.T("InvoiceTitle")), sheet.Text(b.Number)},
		{sheet.Text(l.T("InvoiceAgreementNumber")), sheet.Text(b.AgreementNumber)},
		{sheet.Text(l.T("InvoiceIssueDate")), numfmt.ISODate(b.IssueDate)},
		{sheet.Text(l.T("InvoiceSeller")), sheet.Text(b.Seller.Name), sheet.Text(l.T("InvoiceOrgNumber")), b.Seller.OrgNumber},
		{sheet.Text(l.T("InvoiceBuyer")), sheet.Text(b.Buyer.Name), sheet.Text(l.T("InvoiceOrgNumber")), b.Buyer.OrgNumber},
		{sheet.Text(l.T("InvoicePeriod")), numfmt.ISODate(b.PeriodFrom), numfmt.ISODate(b.PeriodTo)},
		{sheet.Text(l.T("InvoiceDescription")), sheet.Text(b.Description)},
	}
	if b.BuyerReference != "" {
		rows = append(rows, []string{sheet.Text(l.T("InvoiceBuyerReference")), sheet.Text(b.BuyerReference)})
	}
	rows = append(rows,
		[]string{sheet.Text(l.T("InvoiceStatus")), sheet.Text(status)},
		[]string{sheet.Text(l.T("InvoiceCurrency")), sheet.Text(b.Currency)},
		nil,
		[]string{sheet.Text(l.T("InvoiceLineNo")), sheet.Text(l.T("InvoiceFraction")), sheet.Text(l.T("InvoiceLineDescription")), sheet.Text(l.T("InvoiceTonnes")), sheet.Text(l.T("InvoiceCubicMetres")),
			sheet.Text(l.T("InvoiceUnit")), sheet.Text(l.T("InvoiceQuantity")), sheet.Text(l.T("InvoiceUnitPrice")), sheet.Text(l.T("InvoiceAmount")), sheet.Text(l.T("InvoiceLinePlanned"))},
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
		rows = append(rows, []string{sheet.Text(id), sheet.Text(fractionName(ln)), sheet.Text(ln.Description),
			plainNumber(lang, ln.Tonnes, 1), plainNumber(lang, ln.CubicMetres, 1), sheet.Text(unitLabel(l, ln.Unit)),
			quantityText(lang, ln.priced()), plainNOK(lang, ln.UnitPriceOre), plainNOK(lang, ln.AmountOre()), sheet.Text(planned)})
	}
	pad := make([]string, 8) // totals in the amount column
	rows = append(rows, nil,
		append(append([]string{sheet.Text(l.T("InvoiceTotalExVAT"))}, pad...), plainNOK(lang, t.LinesOre)),
		append(append([]string{sheet.Text(vatLabel(l, b))}, pad...), plainNOK(lang, t.VATOre)),
		append(append([]string{sheet.Text(l.T("InvoiceTotalInclVAT"))}, pad...), plainNOK(lang, t.TotalOre)),
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
