package usage

import (
	"encoding/csv"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/masseflyt/masseflyt/core/sheet"
	"github.com/masseflyt/masseflyt/locales"
)

// header is the export's column titles in l's language.
func header(l *locales.Localizer) []string {
	return []string{l.T("UsageOrgID"), l.T("UsageOrg"), l.T("UsageProjectID"), l.T("UsageProject"), l.T("UsageAgreements"),
		l.T("UsageAgreedTonnes"), l.T("UsageDeliveredTonnes"), l.T("UsageLoads"), l.T("UsageFrom"), l.T("UsageTo")}
}

// lastDay is the period's last day (its end is exclusive), in Oslo.
func lastDay(r *Report) string { return r.To.Add(-time.Second).In(Oslo).Format("2006-01-02") }

// CSV writes the report as CSV: UTF-8 with a BOM, semicolons and a decimal
// comma for nb and nn (what Norwegian Excel opens), commas and points for
// English; one line per organization and project, then the total.
func CSV(w io.Writer, l *locales.Localizer, r *Report) error {
	comma, dec := ';', ","
	if l.Lang == "en" {
		comma, dec = ',', "."
	}
	if _, err := io.WriteString(w, "\uFEFF"); err != nil {
		return err
	}
	cw := csv.NewWriter(w)
	cw.Comma = comma
	num := func(f float64) string { return strings.Replace(strconv.FormatFloat(f, 'f', 3, 64), ".", dec, 1) }
	from, to := r.From.In(Oslo).Format("2006-01-02"), lastDay(r)
	_ = cw.Write(header(l))
	for _, x := range r.Lines {
		_ = cw.Write([]string{x.OrgID, sheet.Text(x.OrgName), x.ProjectID, sheet.Text(projectName(l, x)), strconv.Itoa(x.Agreements), num(x.AgreedTonnes), num(x.DeliveredTonnes), strconv.Itoa(x.Loads), from, to})
	}
	t := r.Total
	_ = cw.Write([]string{"", l.T("UsageTotal"), "", "", strconv.Itoa(t.Agreements), num(t.AgreedTonnes), num(t.DeliveredTonnes), strconv.Itoa(t.Loads), from, to})
	cw.Flush()
	return cw.Error()
}

func projectName(l *locales.Localizer, x Row) string {
	if x.ProjectID == "" {
		return l.T("UsageNoProject")
	}
	return x.ProjectName
}

// XLSX writes the report as an Excel workbook with numbers as numbers.
func XLSX(w io.Writer, l *locales.Localizer, r *Report) error {
	f := excelize.NewFile()
	defer f.Close()
	sheet := l.T("UsageSheet")
	if err := f.SetSheetName("Sheet1", sheet); err != nil {
		return err
	}
	bold, _ := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}})
	tonnes, _ := f.NewStyle(&excelize.Style{CustomNumFmt: ptr("#,##0.000")})
	set := func(row int, cells []any) error {
		cell, _ := excelize.CoordinatesToCellName(1, row)
		return f.SetSheetRow(sheet, cell, &cells)
	}
	h := header(l)
	hs := make([]any, len(h))
	for i, x := range h {
		hs[i] = x
	}
	if err := set(1, hs); err != nil {
		return err
	}
	_ = f.SetRowStyle(sheet, 1, 1, bold)
	from, to := r.From.In(Oslo).Format("2006-01-02"), lastDay(r)
	row := 2
	for _, x := range r.Lines {
		if err := set(row, []any{x.OrgID, x.OrgName, x.ProjectID, projectName(l, x), x.Agreements, x.AgreedTonnes, x.DeliveredTonnes, x.Loads, from, to}); err != nil {
			return err
		}
		row++
	}
	t := r.Total
	if err := set(row, []any{"", l.T("UsageTotal"), "", "", t.Agreements, t.AgreedTonnes, t.DeliveredTonnes, t.Loads, from, to}); err != nil {
		return err
	}
	_ = f.SetRowStyle(sheet, row, row, bold)
	_ = f.SetCellStyle(sheet, "F2", "G"+strconv.Itoa(row), tonnes)
	_ = f.SetColWidth(sheet, "A", "A", 28)
	_ = f.SetColWidth(sheet, "B", "B", 32)
	_ = f.SetColWidth(sheet, "C", "C", 28)
	_ = f.SetColWidth(sheet, "D", "D", 40)
	_ = f.SetColWidth(sheet, "E", "J", 16)
	_ = f.SetPanes(sheet, &excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"})
	_, err := f.WriteTo(w)
	return err
}

func ptr[T any](x T) *T { return &x }

// XLSXType is the media type of the workbook.
const XLSXType = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

// Filename names an export: forbruk-<region>-<from>--<to>.<ext>.
func Filename(slug string, r *Report, ext string) string {
	return "forbruk-" + slug + "-" + r.From.In(Oslo).Format("2006-01-02") + "--" + lastDay(r) + "." + ext
}
