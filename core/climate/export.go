package climate

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/go-pdf/fpdf"
	"github.com/xuri/excelize/v2"

	"github.com/masseflyt/masseflyt/core/numfmt"
	"github.com/masseflyt/masseflyt/core/pdffont"
	"github.com/masseflyt/masseflyt/core/sheet"
	"github.com/masseflyt/masseflyt/locales"
)

// Formats are the formats an account is exported in.
var Formats = []string{"csv", "xlsx", "pdf"}

// header is the table's column titles in l's language.
func header(l *locales.Localizer) []string {
	return []string{l.T("ClimateMonth"), l.T("ClimateFraction"), l.T("ClimateLoads"), l.T("ClimateTonnes"), l.T("ClimateReused"), l.T("ClimateTonneKm"),
		l.T("ClimateEmitted"), l.T("ClimateBaseline"), l.T("ClimateSaving"), l.T("ClimateZeroShare")}
}

func values(r Row) []float64 {
	return []float64{float64(r.Loads), r.Tonnes, r.TonnesReused, r.TonneKm, r.KgCO2e, r.BaselineKgCO2e, r.SavingKgCO2e, 100 * r.ZeroShare}
}

// FractionLabel names a fraction in l's language.
func FractionLabel(l *locales.Localizer, code string) string {
	if code == "" {
		return "–"
	}
	if l.Has("Fraction_" + code) {
		return l.T("Fraction_" + code)
	}
	return code
}

func title(l *locales.Localizer, a *Account, region string) string {
	name := a.Name
	if a.Scope == ScopeRegion {
		name = region
	}
	return l.T("ClimateTitle") + ": " + l.T("ClimateScope_"+a.Scope) + " " + name
}

func setsLine(l *locales.Localizer, a *Account) string {
	s := l.T("ClimateFactorSets") + ": " + strings.Join(a.FactorSets, ", ")
	if a.Variant != Recorded {
		s += " (" + l.T("ClimateRecomputedWith", "Set", a.Variant) + ")"
	}
	return s
}

func num(lang string, f float64) string {
	s := strconv.FormatFloat(f, 'f', -1, 64)
	if lang != "en" {
		s = strings.Replace(s, ".", ",", 1)
	}
	return s
}

// WriteCSV writes an account's month × fraction table and its totals
// (UTF-8 with BOM; semicolons and decimal commas in Norwegian).
func WriteCSV(w io.Writer, l *locales.Localizer, a *Account, region string) error {
	bw := bufio.NewWriter(w)
	if _, err := bw.WriteString("\ufeff"); err != nil {
		return err
	}
	cw := csv.NewWriter(bw)
	cw.UseCRLF = true
	if l.Lang != "en" {
		cw.Comma = ';'
	}
	rows := [][]string{{sheet.Text(title(l, a, region))}, {l.T("ClimatePeriod"), a.From, a.To}, {sheet.Text(setsLine(l, a))}, header(l)}
	for _, r := range a.Rows {
		row := []string{r.Month, sheet.Text(FractionLabel(l, r.Fraction))}
		for _, v := range values(r) {
			row = append(row, num(l.Lang, v))
		}
		rows = append(rows, row)
	}
	tot := []string{l.T("ClimateTotal"), ""}
	for _, v := range values(Row{Figures: a.Totals, ZeroShare: a.ZeroShare}) {
		tot = append(tot, num(l.Lang, v))
	}
	rows = append(rows, tot)
	if err := cw.WriteAll(rows); err != nil {
		return err
	}
	return bw.Flush()
}

// XLSX writes an account as a workbook: the month × fraction table, and
// sheets by fraction and by municipality.
func XLSX(l *locales.Localizer, a *Account, region string) ([]byte, error) {
	f := excelize.NewFile()
	defer f.Close()
	sheet := l.T("ClimateSheetRows")
	if err := f.SetSheetName("Sheet1", sheet); err != nil {
		return nil, err
	}
	bold, _ := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}})
	put := func(sh string, row int, vals []any) {
		for i, v := range vals {
			c, _ := excelize.CoordinatesToCellName(i+1, row)
			_ = f.SetCellValue(sh, c, v)
		}
	}
	put(sheet, 1, []any{title(l, a, region)})
	put(sheet, 2, []any{l.T("ClimatePeriod"), a.From, a.To})
	put(sheet, 3, []any{setsLine(l, a)})
	h := header(l)
	hs := make([]any, len(h))
	for i, x := range h {
		hs[i] = x
	}
	put(sheet, 5, hs)
	_ = f.SetCellStyle(sheet, "A1", "A1", bold)
	_ = f.SetCellStyle(sheet, "A5", "J5", bold)
	line := func(first, second string, r Row) []any {
		out := []any{first, second}
		for _, v := range values(r) {
			out = append(out, v)
		}
		return out
	}
	n := 6
	for _, r := range a.Rows {
		put(sheet, n, line(r.Month, FractionLabel(l, r.Fraction), r))
		n++
	}
	put(sheet, n, line(l.T("ClimateTotal"), "", Row{Figures: a.Totals, ZeroShare: a.ZeroShare}))
	_ = f.SetColWidth(sheet, "A", "J", 16)
	for _, part := range []struct {
		name string
		rows []Row
		key  func(Row) string
	}{
		{l.T("ClimateByFraction"), a.Fractions, func(r Row) string { return FractionLabel(l, r.Fraction) }},
		{l.T("ClimateByMunicipality"), a.Municipalities, func(r Row) string { return r.Label }},
	} {
		if _, err := f.NewSheet(part.name); err != nil {
			return nil, err
		}
		put(part.name, 1, append([]any{part.name, ""}, hs[2:]...))
		_ = f.SetCellStyle(part.name, "A1", "J1", bold)
		for i, r := range part.rows {
			put(part.name, i+2, line(part.key(r), "", r))
		}
		_ = f.SetColWidth(part.name, "A", "J", 16)
	}
	var b bytes.Buffer
	if err := f.Write(&b); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

// PDF writes an account as a printable report: the totals, the month ×
// fraction table, and the method in a footnote.
func PDF(l *locales.Localizer, a *Account, region string, now time.Time) ([]byte, error) {
	pdf := fpdf.New("L", "mm", "A4", "")
	pdffont.Use(pdf)
	tr := pdffont.Text
	pdf.SetTitle(tr(title(l, a, region)), true)
	pdf.SetAuthor("Masseflyt", true)
	pdf.SetMargins(12, 12, 12)
	pdf.AddPage()
	pdf.SetFont(pdffont.Family, "B", 15)
	pdf.CellFormat(0, 9, tr(title(l, a, region)), "", 1, "L", false, 0, "")
	pdf.SetFont(pdffont.Family, "", 9)
	pdf.CellFormat(0, 5, tr(l.T("ClimatePeriod")+": "+a.From+" – "+a.To+" · "+setsLine(l, a)), "", 1, "L", false, 0, "")
	pdf.CellFormat(0, 5, tr(l.T("ClimateGenerated", "Date", numfmt.Date(now))), "", 1, "L", false, 0, "")
	pdf.Ln(2)
	widths := []float64{22, 45, 18, 26, 26, 28, 28, 28, 28, 24}
	pdf.SetFont(pdffont.Family, "B", 8)
	pdf.SetFillColor(230, 236, 232)
	for i, h := range header(l) {
		pdf.CellFormat(widths[i], 7, tr(h), "1", 0, "L", true, 0, "")
	}
	pdf.Ln(-1)
	pdf.SetFont(pdffont.Family, "", 8)
	line := func(first, second string, r Row) {
		cells := []string{first, second}
		for i, v := range values(r) {
			d := 1
			if i == 0 {
				d = 0
			}
			cells = append(cells, numfmt.Number(l.Lang, v, d))
		}
		for i, c := range cells {
			align := "R"
			if i < 2 {
				align = "L"
			}
			pdf.CellFormat(widths[i], 6, tr(c), "1", 0, align, false, 0, "")
		}
		pdf.Ln(-1)
	}
	for _, r := range a.Rows {
		line(r.Month, FractionLabel(l, r.Fraction), r)
	}
	pdf.SetFont(pdffont.Family, "B", 8)
	line(l.T("ClimateTotal"), "", Row{Figures: a.Totals, ZeroShare: a.ZeroShare})
	pdf.Ln(4)
	pdf.SetFont(pdffont.Family, "", 8)
	pdf.MultiCell(0, 4.5, tr(l.T("ClimateMethodShort")), "", "L", false)
	var b bytes.Buffer
	if err := pdf.Output(&b); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}
