package report

import (
	"bytes"
	"io"
	"strconv"
	"strings"

	"github.com/go-pdf/fpdf"

	"github.com/masseflyt/masseflyt/core/fail"
	"github.com/masseflyt/masseflyt/core/numfmt"
	"github.com/masseflyt/masseflyt/core/pdffont"
	"github.com/masseflyt/masseflyt/locales"
)

// Page geometry (A4 portrait, millimetres).
const (
	pdfMargin = 15.0
	pdfWidth  = 210.0 - 2*pdfMargin
)

// pdfDoc is the summary being drawn.
type pdfDoc struct {
	p    *fpdf.Fpdf
	l    *locales.Localizer
	lang string
}

func (d *pdfDoc) t(id string, kv ...any) string { return pdffont.Text(d.l.T(id, kv...)) }

func (d *pdfDoc) heading(id string) {
	if d.p.GetY() > 250 {
		d.p.AddPage()
	}
	d.p.Ln(4)
	d.p.SetFont(pdffont.Family, "B", 12)
	d.p.SetTextColor(0, 70, 110)
	d.p.CellFormat(pdfWidth, 7, d.t(id), "B", 1, "L", false, 0, "")
	d.p.SetTextColor(0, 0, 0)
	d.p.Ln(1.5)
}

func (d *pdfDoc) note(s string) {
	d.p.SetFont(pdffont.Family, "", 8.5)
	d.p.SetTextColor(70, 70, 70)
	d.p.MultiCell(pdfWidth, 4.2, pdffont.Text(s), "", "L", false)
	d.p.SetTextColor(0, 0, 0)
}

// table draws a header and rows; right aligns the numeric columns. A row
// breaks to a new page (with the header again) when it does not fit.
func (d *pdfDoc) table(widths []float64, head []string, right map[int]bool, rows [][]string) {
	p := d.p
	drawHead := func() {
		p.SetFont(pdffont.Family, "B", 8)
		p.SetFillColor(230, 238, 244)
		for i, h := range head {
			al := "L"
			if right[i] {
				al = "R"
			}
			p.CellFormat(widths[i], 6, pdffont.Text(h), "", 0, al, true, 0, "")
		}
		p.Ln(-1)
		p.SetFont(pdffont.Family, "", 8)
	}
	drawHead()
	for k, r := range rows {
		// Height: the tallest wrapped cell.
		lines := 1
		for i, c := range r {
			if n := len(p.SplitText(pdffont.Text(c), widths[i]-1)); n > lines {
				lines = n
			}
		}
		h := 4.2 * float64(lines)
		if p.GetY()+h > 297-20 {
			p.AddPage()
			drawHead()
		}
		x, y := p.GetX(), p.GetY()
		if k%2 == 1 {
			p.SetFillColor(247, 249, 251)
			p.Rect(x, y, pdfWidth, h+0.8, "F")
		}
		for i, c := range r {
			al := "L"
			if right[i] {
				al = "R"
			}
			p.SetXY(x, y+0.4)
			p.MultiCell(widths[i], 4.2, pdffont.Text(c), "", al, false)
			x += widths[i]
		}
		p.SetXY(pdfMargin, y+h+0.8)
	}
	if len(rows) == 0 {
		p.SetFont(pdffont.Family, "I", 8.5)
		p.CellFormat(pdfWidth, 6, d.t("ReportPDFNone"), "", 1, "L", false, 0, "")
	}
}

func (d *pdfDoc) num(f float64, n int) string { return numfmt.Number(d.lang, f, n) }

// writePDF draws the summary in the shape of a final report for masses.
func writePDF(w io.Writer, sm *Summary, lang string) error {
	l := localizer(lang)
	d := &pdfDoc{p: fpdf.New("P", "mm", "A4", ""), l: l, lang: l.Lang}
	p := d.p
	pdffont.Use(p)
	sc := sm.Scope
	title := l.T("ReportPDFTitle")
	p.SetCreationDate(sm.GeneratedAt)
	p.SetModificationDate(sm.GeneratedAt)
	p.SetTitle(title+" – "+sc.Name, true)
	p.SetCreator("Masseflyt", true)
	p.SetMargins(pdfMargin, pdfMargin, pdfMargin)
	p.SetAutoPageBreak(true, 18)
	p.AliasNbPages("{nb}")
	period := numfmt.Date(sc.Start) + "–" + numfmt.Date(sc.Until.AddDate(0, 0, -1))
	p.SetFooterFunc(func() {
		p.SetY(-12)
		p.SetFont(pdffont.Family, "", 7.5)
		p.SetTextColor(90, 90, 90)
		p.CellFormat(pdfWidth*0.75, 5, pdffont.Text(title+" · "+sc.Name+" · "+period), "", 0, "L", false, 0, "")
		p.CellFormat(pdfWidth*0.25, 5, d.t("ReportPDFPage", "Page", p.PageNo(), "Pages", "{nb}"), "", 0, "R", false, 0, "")
		p.SetTextColor(0, 0, 0)
	})
	p.AddPage()

	// Title block.
	p.SetFont(pdffont.Family, "B", 18)
	p.MultiCell(pdfWidth, 9, pdffont.Text(title), "", "L", false)
	p.SetFont(pdffont.Family, "B", 13)
	p.MultiCell(pdfWidth, 7, pdffont.Text(sc.Name), "", "L", false)
	p.Ln(1)
	kv := [][2]string{
		{l.T("ReportPDFScope"), l.T("ReportScope_" + sc.Kind)},
		{l.T("ReportPDFOrganization"), sc.OrgName},
		{l.T("ReportPDFPeriod"), period},
		{l.T("ReportPDFGenerated"), numfmt.DateTime(sm.GeneratedAt)},
	}
	for _, r := range kv {
		p.SetFont(pdffont.Family, "B", 9)
		p.CellFormat(38, 5, pdffont.Text(r[0]), "", 0, "L", false, 0, "")
		p.SetFont(pdffont.Family, "", 9)
		p.MultiCell(pdfWidth-38, 5, pdffont.Text(r[1]), "", "L", false)
	}

	// Key figures.
	d.heading("ReportPDFKeyFigures")
	t := sm.Totals
	figs := [][2]string{
		{d.num(float64(len(sm.Agreements)), 0), l.T("ReportPDFFigAgreements")},
		{d.num(float64(t.Loads), 0), l.T("ReportPDFFigLoads")},
		{d.num(t.AcceptedTonnes, 1) + " t", l.T("ReportPDFFigTonnes")},
		{d.num(float64(t.Rejected), 0) + " / " + d.num(float64(t.Partly), 0), l.T("ReportPDFFigRejected")},
		{d.num(float64(t.Flagged), 0), l.T("ReportPDFFigFlagged")},
		{d.num(t.KgCO2e/1000, 2) + " t", l.T("ReportPDFFigCO2e")},
	}
	bw := pdfWidth / 3
	y0 := p.GetY()
	for i, f := range figs {
		x := pdfMargin + float64(i%3)*bw
		y := y0 + float64(i/3)*17
		p.SetFillColor(240, 245, 249)
		p.Rect(x+1, y, bw-2, 15, "F")
		p.SetXY(x+3, y+1.5)
		p.SetFont(pdffont.Family, "B", 13)
		p.CellFormat(bw-6, 6.5, pdffont.Text(f[0]), "", 2, "L", false, 0, "")
		p.SetX(x + 3)
		p.SetFont(pdffont.Family, "", 8)
		p.CellFormat(bw-6, 5, pdffont.Text(f[1]), "", 0, "L", false, 0, "")
	}
	p.SetXY(pdfMargin, y0+2*17+1)

	// 1. Quantities per fraction and condition class.
	d.heading("ReportPDFFractions")
	rows := [][]string{}
	for _, f := range sm.Fractions {
		rows = append(rows, []string{fractionName(l, f.Fraction), classText(f.ConditionClass), d.num(float64(f.Loads), 0), d.num(f.AcceptedTonnes, 1), d.num(float64(f.Rejected), 0)})
	}
	d.table([]float64{70, 28, 22, 32, 28}, []string{l.T("ReportColFraction"), l.T("ReportColClass"), l.T("ReportColLoads"), l.T("ReportColAcceptedTonnes"), l.T("ReportPDFRejectedLoads")},
		map[int]bool{1: true, 2: true, 3: true, 4: true}, rows)

	// 2. Where it went, with the receivers' permits.
	d.heading("ReportPDFDestinations")
	byDest := map[string]float64{}
	for _, x := range sm.Destinations {
		byDest[x.Destination] += x.Tonnes
	}
	var parts []string
	for _, k := range Destinations {
		if byDest[k] > 0 {
			share := 0.0
			if t.AcceptedTonnes > 0 {
				share = 100 * byDest[k] / t.AcceptedTonnes
			}
			parts = append(parts, l.T("ReportDest_"+k)+": "+d.num(byDest[k], 1)+" t ("+d.num(share, 0)+" %)")
		}
	}
	if len(parts) > 0 {
		p.SetFont(pdffont.Family, "B", 9)
		p.MultiCell(pdfWidth, 5, pdffont.Text(strings.Join(parts, " · ")), "", "L", false)
		p.Ln(1)
	}
	rows = [][]string{}
	for _, x := range sm.Destinations {
		var ps []string
		for _, pm := range x.Permits {
			s := label(l, "PermitKind_"+pm.Kind, pm.Kind) + ": " + pm.Authority
			if pm.Reference != "" {
				s += " " + pm.Reference
			}
			if pm.MaxClass > 0 {
				s += ", " + l.T("ReportPDFMaxClass", "Class", pm.MaxClass)
			}
			if pm.ValidTo != nil {
				s += ", " + l.T("ReportPDFValidTo", "Date", numfmt.Date(*pm.ValidTo))
			}
			ps = append(ps, s)
		}
		permits := strings.Join(ps, "\n")
		if permits == "" {
			permits = l.T("ReportPDFNoPermit")
		}
		name := x.SiteName
		if x.OrgName != "" {
			name += "\n" + x.OrgName
		}
		rows = append(rows, []string{l.T("ReportDest_" + x.Destination), name, d.num(float64(x.Loads), 0), d.num(x.Tonnes, 1), permits})
	}
	d.table([]float64{24, 50, 14, 26, 66}, []string{l.T("ReportPDFDestination"), l.T("ReportPDFReceiver"), l.T("ReportColLoads"), l.T("ReportColAcceptedTonnes"), l.T("ReportPDFPermits")},
		map[int]bool{2: true, 3: true}, rows)

	// 3. Interim storage.
	d.heading("ReportPDFStorage")
	rows = [][]string{}
	for _, st := range sm.Storage {
		dur := l.T("ReportPDFStoredDays", "Days", st.Days)
		if st.StillStored {
			dur = l.T("ReportPDFStillStored", "Days", st.Days)
		}
		last := ""
		if st.LastOut != nil {
			last = numfmt.Date(*st.LastOut)
		}
		rows = append(rows, []string{st.SiteName, d.num(st.InTonnes, 1) + " (" + strconv.Itoa(st.InLoads) + ")", d.num(st.OutTonnes, 1) + " (" + strconv.Itoa(st.OutLoads) + ")",
			numfmt.Date(st.FirstIn), last, dur})
	}
	d.table([]float64{50, 26, 26, 22, 22, 34}, []string{l.T("ReportPDFStorageSite"), l.T("ReportPDFIn"), l.T("ReportPDFOut"), l.T("ReportPDFFirstIn"), l.T("ReportPDFLastOut"), l.T("ReportPDFDuration")},
		map[int]bool{1: true, 2: true}, rows)
	if len(sm.Storage) > 0 {
		d.note(l.T("ReportPDFStorageNote"))
	}

	// 4. Deviations and rejected loads.
	d.heading("ReportPDFDeviations")
	rows = [][]string{}
	for _, x := range sm.Deviations {
		var fl []string
		for _, f := range x.Flags {
			fl = append(fl, label(l, "LoadFlag_"+f, f))
		}
		res := label(l, "LoadStatus_"+x.Status, x.Status)
		if x.Reason != "" {
			res += ": " + x.Reason
		}
		rows = append(rows, []string{x.Number, x.AgreementNumber, numfmt.Date(x.DepartedAt), res, d.num(x.AcceptedTonnes, 1) + " / " + d.num(x.WeightTonnes, 1), strings.Join(fl, "\n")})
	}
	d.table([]float64{31, 25, 19, 41, 24, 40}, []string{l.T("ReportColLoad"), l.T("ReportColAgreement"), l.T("ReportPDFDate"), l.T("ReportColResult"), l.T("ReportPDFAcceptedWeighed"), l.T("ReportColFlags")},
		map[int]bool{4: true}, rows)
	if sm.DeviationsTotal > len(sm.Deviations) {
		d.note(l.T("ReportPDFMoreDeviations", "Shown", len(sm.Deviations), "Total", sm.DeviationsTotal))
	}

	// 5. Agreements.
	d.heading("ReportPDFAgreements")
	rows = [][]string{}
	for _, a := range sm.Agreements {
		rows = append(rows, []string{a.Number, a.SupplierName + " →\n" + a.ReceiverName, fractionName(l, a.Fraction), d.num(a.Tonnes, 0), d.num(float64(a.Loads), 0), d.num(a.AcceptedTonnes, 1)})
	}
	d.table([]float64{26, 62, 28, 22, 14, 28}, []string{l.T("ReportColAgreement"), l.T("ReportPDFParties"), l.T("ReportColFraction"), l.T("ReportColAgreedTonnes"), l.T("ReportColLoads"), l.T("ReportColAcceptedTonnes")},
		map[int]bool{3: true, 4: true, 5: true}, rows)

	// 6. The proofs.
	d.heading("ReportPDFProofs")
	d.note(l.T("ReportPDFProofsText"))
	var buf bytes.Buffer
	if err := p.Output(&buf); err != nil {
		return fail.New(fail.Internal, "pdf", "ErrInternal")
	}
	_, err := w.Write(buf.Bytes())
	return err
}
