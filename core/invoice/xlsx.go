package invoice

import (
	"io"
	"strconv"

	"github.com/xuri/excelize/v2"

	"github.com/masseflyt/masseflyt/core/numfmt"
)

// Number formats of the workbook (Excel shows them with the reader's
// separators).
const (
	fmtNOK      = "#,##0.00"
	fmtTonnes   = "#,##0.0"
	fmtQuantity = "#,##0.0##"
)

// WriteXLSX writes the basis as an Excel workbook in lang: one sheet with
// the header rows (the "planlagt" marker in bold red when the quantities
// are planned), a table of lines with real numbers (tonnes and m³ with one
// decimal, NOK with two) and the totals as values. The basis is validated
// first; nothing is written when it is invalid.
func WriteXLSX(w io.Writer, b Basis, lang string) error {
	b, err := prepare(b)
	if err != nil {
		return err
	}
	l := localizer(lang)
	f := excelize.NewFile()
	defer f.Close()
	sheet := l.T("InvoiceSheet")
	if err := f.SetSheetName("Sheet1", sheet); err != nil {
		return err
	}
	set := func(col, row int, v any) {
		if err != nil {
			return
		}
		c, e := excelize.CoordinatesToCellName(col, row)
		if e == nil {
			e = f.SetCellValue(sheet, c, v)
		}
		err = e
	}
	style := func(s *excelize.Style) int {
		id, e := f.NewStyle(s)
		if err == nil {
			err = e
		}
		return id
	}
	styleRange := func(c1, r1, c2, r2, id int) {
		if err != nil {
			return
		}
		a, _ := excelize.CoordinatesToCellName(c1, r1)
		z, _ := excelize.CoordinatesToCellName(c2, r2)
		err = f.SetCellStyle(sheet, a, z, id)
	}
	nokFmt, tonFmt, qtyFmt := fmtNOK, fmtTonnes, fmtQuantity
	title := style(&excelize.Style{Font: &excelize.Font{Bold: true, Size: 14}})
	bold := style(&excelize.Style{Font: &excelize.Font{Bold: true}})
	banner := style(&excelize.Style{Font: &excelize.Font{Bold: true, Color: "9B1C1C"}, Fill: excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"FDE8E8"}}})
	header := style(&excelize.Style{Font: &excelize.Font{Bold: true}, Fill: excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"E6ECE8"}},
		Border: []excelize.Border{{Type: "bottom", Color: "000000", Style: 1}}, Alignment: &excelize.Alignment{WrapText: true, Vertical: "top"}})
	money := style(&excelize.Style{CustomNumFmt: &nokFmt})
	moneyBold := style(&excelize.Style{CustomNumFmt: &nokFmt, Font: &excelize.Font{Bold: true}})
	tonnes := style(&excelize.Style{CustomNumFmt: &tonFmt})
	qty := style(&excelize.Style{CustomNumFmt: &qtyFmt})

	row := 1
	set(1, row, l.T("InvoiceTitle"))
	set(2, row, b.Number)
	styleRange(1, row, 2, row, title)
	row++
	if b.Planned {
		set(1, row, l.T("InvoicePlannedBanner"))
		styleRange(1, row, 10, row, banner)
		_ = f.MergeCell(sheet, "A"+strconv.Itoa(row), "J"+strconv.Itoa(row))
	} else {
		set(1, row, l.T("InvoiceReceived"))
	}
	row += 2
	kv := [][]any{
		{l.T("InvoiceAgreementNumber"), b.AgreementNumber},
		{l.T("InvoiceIssueDate"), numfmt.Date(b.IssueDate)},
		{l.T("InvoiceSeller"), b.Seller.Name, l.T("InvoiceOrgNumber"), b.Seller.OrgNumber},
		{l.T("InvoiceBuyer"), b.Buyer.Name, l.T("InvoiceOrgNumber"), b.Buyer.OrgNumber},
		{l.T("InvoicePeriod"), period(b)},
		{l.T("InvoiceDescription"), b.Description},
	}
	if b.BuyerReference != "" {
		kv = append(kv, []any{l.T("InvoiceBuyerReference"), b.BuyerReference})
	}
	kv = append(kv, []any{l.T("InvoiceCurrency"), b.Currency})
	for _, r := range kv {
		for i, v := range r {
			set(i+1, row, v)
		}
		styleRange(1, row, 1, row, bold)
		row++
	}
	row++
	heads := []string{l.T("InvoiceLineNo"), l.T("InvoiceFraction"), l.T("InvoiceLineDescription"), l.T("InvoiceTonnes"), l.T("InvoiceCubicMetres"),
		l.T("InvoiceUnit"), l.T("InvoiceQuantity"), l.T("InvoiceUnitPrice"), l.T("InvoiceAmount"), l.T("InvoiceLinePlanned")}
	for i, h := range heads {
		set(i+1, row, h)
	}
	styleRange(1, row, len(heads), row, header)
	row++
	first := row
	for i, ln := range b.Lines {
		id := ln.ID
		if id == "" {
			id = strconv.Itoa(i + 1)
		}
		planned := ""
		if ln.Planned || b.Planned {
			planned = l.T("InvoicePlannedMark")
		}
		for c, v := range []any{id, fractionName(ln), ln.Description, ln.Tonnes, ln.CubicMetres, unitLabel(l, ln.Unit), ln.priced(),
			float64(ln.UnitPriceOre) / 100, float64(ln.AmountOre()) / 100, planned} {
			set(c+1, row, v)
		}
		row++
	}
	if row > first {
		styleRange(4, first, 5, row-1, tonnes)
		styleRange(7, first, 7, row-1, qty)
		styleRange(8, first, 9, row-1, money)
	}
	row++
	t := b.Totals()
	for i, r := range []struct {
		label string
		ore   int64
	}{{l.T("InvoiceTotalExVAT"), t.LinesOre}, {vatLabel(l, b), t.VATOre}, {l.T("InvoiceTotalInclVAT"), t.TotalOre}} {
		set(8, row, r.label)
		set(9, row, float64(r.ore)/100)
		styleRange(9, row, 9, row, money)
		if i == 2 {
			styleRange(8, row, 8, row, bold)
			styleRange(9, row, 9, row, moneyBold)
		}
		row++
	}
	row++
	set(1, row, l.T("InvoiceIssuedBy", "Issuer", b.IssuerName(), "Date", numfmt.Date(b.IssueDate)))
	if err != nil {
		return err
	}
	for _, cw := range []struct {
		col string
		w   float64
	}{{"A", 22}, {"B", 30}, {"C", 30}, {"D", 12}, {"E", 12}, {"F", 8}, {"G", 12}, {"H", 22}, {"I", 16}, {"J", 11}} {
		if err := f.SetColWidth(sheet, cw.col, cw.col, cw.w); err != nil {
			return err
		}
	}
	_, err = f.WriteTo(w)
	return err
}
