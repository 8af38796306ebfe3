package invoice

import (
	"io"
	"strconv"
	"strings"

	"github.com/go-pdf/fpdf"

	"github.com/masseflyt/masseflyt/core/numfmt"
	"github.com/masseflyt/masseflyt/core/pdffont"
)

// Page geometry of the PDF (A4 portrait, millimetres).
const (
	pdfMargin = 15.0
	pdfWidth  = 210.0 - 2*pdfMargin
	pdfBottom = 297.0 - 18
)

// pdfCols are the widths of the line table's columns: #, fraction, tonnes,
// m³, quantity, unit, unit price, amount (together pdfWidth).
var pdfCols = []float64{8, 42, 20, 20, 23, 13, 28, 26}

// WritePDF writes the basis as an A4 PDF in lang: the title
// "Fakturagrunnlag" and the number, the platform as issuer of the
// document, the seller and buyer with organization numbers, the agreement
// number, period, description and buyer reference, a red "PLANLAGT" banner
// when the quantities are planned (and "PLANLAGT" in every page's
// footer), a table of the lines, the totals, and page numbers. Text is in
// DejaVu Sans (core/pdffont), so æøå and Sámi letters render. The basis is
// validated first; nothing is written when it is invalid.
func WritePDF(w io.Writer, b Basis, lang string) error {
	b, err := prepare(b)
	if err != nil {
		return err
	}
	l := localizer(lang)
	lang = l.Lang
	pdf := fpdf.New("P", "mm", "A4", "")
	pdffont.Use(pdf)
	tr := pdffont.Text // every Latin letter (Sámi too); emoji as a visible placeholder
	pdf.SetCreationDate(b.IssueDate)
	pdf.SetModificationDate(b.IssueDate)
	pdf.SetTitle(l.T("InvoiceTitle")+" "+b.Number, true)
	pdf.SetAuthor(b.IssuerName(), true)
	pdf.SetCreator(b.IssuerName(), true)
	pdf.SetSubject(b.Seller.Name+" – "+b.Buyer.Name, true)
	pdf.SetMargins(pdfMargin, pdfMargin, pdfMargin)
	pdf.SetAutoPageBreak(true, 297-pdfBottom)
	pdf.AliasNbPages("{nb}")
	pdf.SetFooterFunc(func() {
		pdf.SetY(-12)
		pdf.SetFont(pdffont.Family, "", 8)
		pdf.SetTextColor(90, 90, 90)
		foot := l.T("InvoiceTitle") + " " + b.Number
		if b.Planned { // every page says so, not only the first
			foot += " · " + strings.ToUpper(l.T("InvoicePlannedMark"))
		}
		pdf.CellFormat(pdfWidth/2, 5, tr(foot), "", 0, "L", false, 0, "")
		pdf.CellFormat(pdfWidth/2, 5, tr(l.T("InvoicePage", "Page", pdf.PageNo(), "Pages", "{nb}")), "", 0, "R", false, 0, "")
		pdf.SetTextColor(0, 0, 0)
	})
	pdf.AddPage()

	// Title and issuer.
	pdf.SetFont(pdffont.Family, "B", 18)
	pdf.CellFormat(pdfWidth*0.55, 9, tr(l.T("InvoiceTitle")), "", 0, "L", false, 0, "")
	pdf.SetFont(pdffont.Family, "B", 11)
	pdf.CellFormat(pdfWidth*0.45, 9, tr(b.Number), "", 1, "R", false, 0, "")
	pdf.SetFont(pdffont.Family, "", 9)
	pdf.CellFormat(pdfWidth, 5, tr(l.T("InvoiceIssuer")+": "+b.IssuerName()+" · "+l.T("InvoiceIssueDate")+" "+numfmt.Date(b.IssueDate)), "", 1, "L", false, 0, "")
	pdf.Ln(3)

	if b.Planned {
		pdf.SetFillColor(155, 28, 28)
		pdf.SetTextColor(255, 255, 255)
		pdf.SetFont(pdffont.Family, "B", 11)
		pdf.CellFormat(pdfWidth, 9, tr(l.T("InvoicePlannedBanner")), "", 1, "C", true, 0, "")
		pdf.SetTextColor(0, 0, 0)
		pdf.Ln(3)
	}

	// Seller and buyer side by side.
	top := pdf.GetY()
	colW := pdfWidth/2 - 3
	yEnd := top
	for i, p := range []struct {
		head    string
		p       Party
		vat     bool
		foretak bool // «Foretaksregisteret» is the seller's duty
	}{{l.T("InvoiceSeller"), b.Seller, b.Category() != "O", b.Seller.Foretaksregisteret()}, {l.T("InvoiceBuyer"), b.Buyer, b.Buyer.VATRegistered && b.Category() != "O", false}} {
		x := pdfMargin + float64(i)*(colW+6)
		pdf.SetXY(x, top)
		pdf.SetFont(pdffont.Family, "B", 8)
		pdf.SetTextColor(90, 90, 90)
		pdf.CellFormat(colW, 5, tr(p.head), "B", 2, "L", false, 0, "")
		pdf.SetTextColor(0, 0, 0)
		pdf.SetFont(pdffont.Family, "B", 10)
		pdf.MultiCell(colW, 5, tr(p.p.Name), "", "L", false)
		pdf.SetX(x)
		pdf.SetFont(pdffont.Family, "", 9)
		org := l.T("InvoiceOrgNumber") + " " + orgNumber(p.p.OrgNumber)
		if p.vat {
			org += " MVA"
		}
		if p.foretak {
			org += " · " + l.T("InvoiceForetaksregisteret")
		}
		lines := []string{org}
		if p.p.Address != "" {
			lines = append(lines, p.p.Address)
		}
		if pc := joinNonEmpty(" ", p.p.PostCode, p.p.City); pc != "" {
			if c := p.p.CountryCode(); c != "NO" {
				pc += ", " + c
			}
			lines = append(lines, pc)
		}
		if p.p.Contact != "" {
			lines = append(lines, l.T("InvoiceContact")+": "+p.p.Contact)
		}
		if p.p.Email != "" {
			lines = append(lines, l.T("InvoiceEmail")+": "+p.p.Email)
		}
		for _, s := range lines {
			pdf.SetX(x)
			pdf.CellFormat(colW, 4.6, tr(s), "", 2, "L", false, 0, "")
		}
		if y := pdf.GetY(); y > yEnd {
			yEnd = y
		}
	}
	pdf.SetXY(pdfMargin, yEnd+4)

	// The agreement and the period.
	info := [][2]string{
		{l.T("InvoiceAgreementNumber"), b.AgreementNumber},
		{l.T("InvoicePeriod"), period(b)},
	}
	if b.BuyerReference != "" {
		info = append(info, [2]string{l.T("InvoiceBuyerReference"), b.BuyerReference})
	}
	if b.Description != "" {
		info = append(info, [2]string{l.T("InvoiceDescription"), b.Description})
	}
	for _, kv := range info {
		pdf.SetFont(pdffont.Family, "B", 9)
		pdf.CellFormat(38, 5, tr(kv[0]), "", 0, "L", false, 0, "")
		pdf.SetFont(pdffont.Family, "", 9)
		pdf.MultiCell(pdfWidth-38, 5, tr(kv[1]), "", "L", false)
	}
	pdf.Ln(4)

	// The lines.
	heads := []string{"#", l.T("InvoiceFraction"), l.T("InvoiceTonnes"), l.T("InvoiceCubicMetres"), l.T("InvoiceQuantity"), l.T("InvoiceUnit"), l.T("InvoiceUnitPrice"), l.T("InvoiceAmount")}
	tableHead := func() {
		pdf.SetFont(pdffont.Family, "B", 8)
		pdf.SetFillColor(230, 236, 232)
		for i, h := range heads {
			align := "R"
			if i <= 1 || i == 5 {
				align = "L"
			}
			if i == 5 {
				h = " " + h
			}
			pdf.CellFormat(pdfCols[i], 7, tr(h), "B", 0, align, true, 0, "")
		}
		pdf.Ln(-1)
		pdf.SetFont(pdffont.Family, "", 9)
	}
	tableHead()
	for i, ln := range b.Lines {
		need := 6.0
		if ln.Description != "" {
			need += 4.5
		}
		if pdf.GetY()+need > pdfBottom {
			pdf.AddPage()
			tableHead()
		}
		id := ln.ID
		if id == "" {
			id = strconv.Itoa(i + 1)
		}
		name := fractionName(ln)
		if ln.Planned && !b.Planned {
			name += " (" + l.T("InvoicePlannedMark") + ")"
		}
		cells := []string{id, truncate(name, 30), numfmt.Number(lang, ln.Tonnes, 1), numfmt.Number(lang, ln.CubicMetres, 1),
			numfmt.Auto(lang, ln.priced(), quantityDecimals), unitLabel(l, ln.Unit), nok(lang, ln.UnitPriceOre), nok(lang, ln.AmountOre())}
		border := "B"
		if ln.Description != "" {
			border = ""
		}
		for c, s := range cells {
			align := "R"
			if c <= 1 || c == 5 {
				align = "L"
			}
			if c == 5 {
				s = " " + s
			}
			pdf.CellFormat(pdfCols[c], 6, tr(s), border, 0, align, false, 0, "")
		}
		pdf.Ln(-1)
		if ln.Description != "" {
			pdf.SetFont(pdffont.Family, "I", 8)
			pdf.CellFormat(pdfCols[0], 4.5, "", "B", 0, "L", false, 0, "")
			pdf.CellFormat(pdfWidth-pdfCols[0], 4.5, tr(truncate(ln.Description, 120)), "B", 1, "L", false, 0, "")
			pdf.SetFont(pdffont.Family, "", 9)
		}
	}

	// Totals.
	t := b.Totals()
	if pdf.GetY()+24 > pdfBottom {
		pdf.AddPage()
	}
	pdf.Ln(3)
	labelW, valW := pdfWidth-pdfCols[7]-40, pdfCols[7]+40
	for i, r := range []struct {
		label string
		ore   int64
	}{{l.T("InvoiceTotalExVAT"), t.LinesOre}, {vatLabel(l, b), t.VATOre}, {l.T("InvoiceTotalInclVAT") + " (" + b.Currency + ")", t.TotalOre}} {
		style, border := "", ""
		if i == 2 {
			style, border = "B", "T"
		}
		pdf.SetFont(pdffont.Family, style, 10)
		pdf.CellFormat(labelW, 6, tr(r.label), "", 0, "R", false, 0, "")
		pdf.CellFormat(valW, 6, tr(nok(lang, r.ore)), border, 1, "R", false, 0, "")
	}
	pdf.Ln(6)
	pdf.SetFont(pdffont.Family, "", 8)
	pdf.SetTextColor(90, 90, 90)
	pdf.MultiCell(pdfWidth, 4, tr(l.T("InvoiceIssuedBy", "Issuer", b.IssuerName(), "Date", numfmt.Date(b.IssueDate))), "", "L", false)
	if err := pdf.Error(); err != nil {
		return err
	}
	return pdf.Output(w)
}

func joinNonEmpty(sep string, parts ...string) string {
	s := ""
	for _, p := range parts {
		if p == "" {
			continue
		}
		if s != "" {
			s += sep
		}
		s += p
	}
	return s
}

func truncate(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}
