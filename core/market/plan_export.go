package market

import (
	"bytes"
	"context"
	"fmt"
	"strconv"
	"time"

	"github.com/go-pdf/fpdf"
	"github.com/xuri/excelize/v2"

	"github.com/masseflyt/masseflyt/core/access"
	"github.com/masseflyt/masseflyt/core/numfmt"
	"github.com/masseflyt/masseflyt/locales"
)

// planRows renders a plan's lines as text cells in the caller's language.
func planRows(l *locales.Localizer, p *Plan) [][]string {
	rows := make([][]string, 0, len(p.Lines))
	for i, ln := range p.Lines {
		fr, _ := FractionByCode(ln.Fraction)
		eal := ""
		if fr != nil {
			eal = fr.EAL
		}
		use := ""
		if ln.IntendedUse != "" {
			use = l.T("Use_" + ln.IntendedUse)
		}
		rows = append(rows, []string{strconv.Itoa(i + 1), l.T("PlanDir_" + ln.Direction), l.T("Fraction_" + ln.Fraction), eal,
			numfmt.Auto(l.Lang, ln.QuantityValue, 2) + "\u00a0" + l.T("Unit_"+ln.QuantityUnit), numfmt.Number(l.Lang, ln.QuantityTonnes, 0),
			numfmt.Month(ln.PeriodFrom) + "–" + numfmt.Month(ln.PeriodTo), use, ln.Note})
	}
	return rows
}

func planHeader(l *locales.Localizer) []string {
	return []string{"#", l.T("PlanDirection"), l.T("Fraction"), "EAL", l.T("Quantity"), l.T("Tonnes"), l.T("Period"), l.T("IntendedUse"), l.T("PlanNote")}
}

// PlanPDF renders the plan as a PDF fit to attach to a tender (B7).
func PlanPDF(l *locales.Localizer, p *Plan, org string, now time.Time) ([]byte, error) {
	pdf := fpdf.New("L", "mm", "A4", "")
	tr := pdf.UnicodeTranslatorFromDescriptor("") // UTF-8 → cp1252: æøå and dashes
	pdf.SetTitle(tr(l.T("PlanTitle")+" – "+p.Site.Name), false)
	pdf.SetAuthor("Masseflyt", false)
	pdf.SetMargins(12, 12, 12)
	pdf.AddPage()
	pdf.SetFont("Helvetica", "B", 16)
	pdf.CellFormat(0, 9, tr(l.T("PlanTitle")+": "+p.Site.Name), "", 1, "L", false, 0, "")
	pdf.SetFont("Helvetica", "", 10)
	info := org
	if p.Site.Address != "" || p.Site.City != "" {
		info += " · " + p.Site.Address + " " + p.Site.Postcode + " " + p.Site.City
	}
	pdf.CellFormat(0, 6, tr(info), "", 1, "L", false, 0, "")
	pdf.CellFormat(0, 6, tr(l.T("PlanGenerated", "Date", numfmt.Date(now))), "", 1, "L", false, 0, "")
	pdf.Ln(3)
	widths := []float64{8, 32, 26, 18, 34, 24, 32, 32, 67}
	pdf.SetFont("Helvetica", "B", 9)
	pdf.SetFillColor(230, 236, 232)
	for i, h := range planHeader(l) {
		pdf.CellFormat(widths[i], 7, tr(h), "1", 0, "L", true, 0, "")
	}
	pdf.Ln(-1)
	pdf.SetFont("Helvetica", "", 9)
	for _, row := range planRows(l, p) {
		for i, cell := range row {
			align := "L"
			if i == 5 {
				align = "R"
			}
			pdf.CellFormat(widths[i], 6, tr(truncate(cell, 48)), "1", 0, align, false, 0, "")
		}
		pdf.Ln(-1)
	}
	pdf.Ln(4)
	pdf.SetFont("Helvetica", "B", 11)
	pdf.CellFormat(0, 7, tr(l.T("PlanTotals")), "", 1, "L", false, 0, "")
	pdf.SetFont("Helvetica", "B", 9)
	tw := []float64{40, 35, 35, 45}
	for i, h := range []string{l.T("Fraction"), l.T("PlanCutTonnes"), l.T("PlanFillTonnes"), l.T("PlanBalance")} {
		pdf.CellFormat(tw[i], 7, tr(h), "1", 0, "L", true, 0, "")
	}
	pdf.Ln(-1)
	pdf.SetFont("Helvetica", "", 9)
	for _, t := range p.Totals {
		for i, cell := range []string{l.T("Fraction_" + t.Fraction), numfmt.Number(l.Lang, t.Cut, 0), numfmt.Number(l.Lang, t.Fill, 0), signed(l.Lang, t.Balance)} {
			align := "R"
			if i == 0 {
				align = "L"
			}
			pdf.CellFormat(tw[i], 6, tr(cell), "1", 0, align, false, 0, "")
		}
		pdf.Ln(-1)
	}
	pdf.Ln(4)
	pdf.SetFont("Helvetica", "", 8)
	pdf.MultiCell(0, 4.5, tr(l.T("PlanFootnote")), "", "L", false)
	var b bytes.Buffer
	if err := pdf.Output(&b); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

// signed writes a balance in lang's notation with an ASCII minus: the PDF's
// core fonts lack U+2212.
func signed(lang string, t float64) string {
	if t < 0 {
		return "-" + numfmt.Number(lang, -t, 0)
	}
	return numfmt.Number(lang, t, 0)
}

func truncate(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}

// PlanXLSX renders the plan as a workbook: the lines, and the totals.
func PlanXLSX(l *locales.Localizer, p *Plan, org string, now time.Time) ([]byte, error) {
	f := excelize.NewFile()
	defer f.Close()
	sheet := l.T("PlanSheet")
	if err := f.SetSheetName("Sheet1", sheet); err != nil {
		return nil, err
	}
	set := func(sh, cell string, v any) {
		_ = f.SetCellValue(sh, cell, v)
	}
	set(sheet, "A1", l.T("PlanTitle")+": "+p.Site.Name)
	set(sheet, "A2", org)
	set(sheet, "A3", l.T("PlanGenerated", "Date", numfmt.Date(now)))
	bold, _ := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}})
	_ = f.SetCellStyle(sheet, "A1", "A1", bold)
	header := []string{"#", l.T("PlanDirection"), l.T("Fraction"), "EAL", l.T("Quantity"), l.T("Unit"), l.T("Tonnes"), l.T("PeriodFrom"), l.T("PeriodTo"), l.T("IntendedUse"), l.T("PlanNote")}
	for i, h := range header {
		cell, _ := excelize.CoordinatesToCellName(i+1, 5)
		set(sheet, cell, h)
	}
	_ = f.SetCellStyle(sheet, "A5", "K5", bold)
	for r, ln := range p.Lines {
		fr, _ := FractionByCode(ln.Fraction)
		use := ""
		if ln.IntendedUse != "" {
			use = l.T("Use_" + ln.IntendedUse)
		}
		vals := []any{r + 1, l.T("PlanDir_" + ln.Direction), l.T("Fraction_" + ln.Fraction), fr.EAL, ln.QuantityValue, l.T("Unit_" + ln.QuantityUnit),
			ln.QuantityTonnes, numfmt.ISOMonth(ln.PeriodFrom), numfmt.ISOMonth(ln.PeriodTo), use, ln.Note}
		for i, v := range vals {
			cell, _ := excelize.CoordinatesToCellName(i+1, r+6)
			set(sheet, cell, v)
		}
	}
	tot := l.T("PlanTotals")
	if _, err := f.NewSheet(tot); err != nil {
		return nil, err
	}
	for i, h := range []string{l.T("Fraction"), l.T("PlanCutTonnes"), l.T("PlanFillTonnes"), l.T("PlanBalance")} {
		cell, _ := excelize.CoordinatesToCellName(i+1, 1)
		set(tot, cell, h)
	}
	_ = f.SetCellStyle(tot, "A1", "D1", bold)
	for r, t := range p.Totals {
		for i, v := range []any{l.T("Fraction_" + t.Fraction), t.Cut, t.Fill, t.Balance} {
			cell, _ := excelize.CoordinatesToCellName(i+1, r+2)
			set(tot, cell, v)
		}
	}
	_ = f.SetColWidth(sheet, "B", "K", 16)
	_ = f.SetColWidth(tot, "A", "D", 18)
	var b bytes.Buffer
	if err := f.Write(&b); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

// PlanFile is an exported plan.
type PlanFile struct {
	Data        []byte
	ContentType string
	Filename    string
}

// PlanFormats are the formats a plan is exported in.
var PlanFormats = []string{"pdf", "xlsx"}

// localizer is the actor's language, for what the market writes for them.
func localizer(ctx context.Context) *locales.Localizer {
	return locales.New(locales.Shared(), access.From(ctx).Locale)
}

// ExportPlan renders a project's plan as PDF or XLSX ("pdf", "xlsx") in the
// actor's language, for those who may read it (Plan).
func (s *Service) ExportPlan(ctx context.Context, siteID, format string) (*PlanFile, error) {
	p, err := s.Plan(ctx, siteID)
	if err != nil {
		return nil, err
	}
	org := ""
	if o, err := s.Directory.GetOrg(ctx, p.Site.OrganizationID); err == nil {
		org = o.Name + " (org.nr. " + o.OrgNumber + ")"
	}
	l := localizer(ctx)
	f := &PlanFile{ContentType: "application/pdf", Filename: fmt.Sprintf("massehandteringsplan-%s.%s", p.Site.ID[:8], format)}
	if format == "xlsx" {
		f.ContentType = xlsxType
		f.Data, err = PlanXLSX(l, p, org, s.now())
	} else {
		f.Data, err = PlanPDF(l, p, org, s.now())
	}
	if err != nil {
		return nil, err
	}
	return f, nil
}
