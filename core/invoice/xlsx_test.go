package invoice

import (
	"bytes"
	"strconv"
	"testing"

	"github.com/xuri/excelize/v2"
)

// sheetRow finds the first cell holding label and returns its
// row number.
func sheetRow(t *testing.T, f *excelize.File, sheet, label string) int {
	t.Helper()
	rows, err := f.GetRows(sheet)
	if err != nil {
		t.Fatal(err)
	}
	for i, r := range rows {
		for _, c := range r {
			if c == label {
				return i + 1
			}
		}
	}
	t.Fatalf("no cell %q in %q", label, rows)
	return 0
}

func cellName(col, row int) string {
	c, _ := excelize.CoordinatesToCellName(col, row)
	return c
}

// numeric reads a cell's stored value as a number and its number format.
func numeric(t *testing.T, f *excelize.File, sheet string, col, row int) (float64, string) {
	t.Helper()
	name := cellName(col, row)
	raw, err := f.GetCellValue(sheet, name, excelize.Options{RawCellValue: true})
	if err != nil {
		t.Fatal(err)
	}
	typ, _ := f.GetCellType(sheet, name)
	if typ != excelize.CellTypeNumber && typ != excelize.CellTypeUnset {
		t.Errorf("%s is %v, not a number", name, typ)
	}
	v, err := strconv.ParseFloat(raw, 64)
	if err != nil {
		t.Fatalf("%s = %q is not a number", name, raw)
	}
	id, _ := f.GetCellStyle(sheet, name)
	st, err := f.GetStyle(id)
	if err != nil {
		t.Fatal(err)
	}
	format := ""
	if st.CustomNumFmt != nil {
		format = *st.CustomNumFmt
	}
	return v, format
}

func bold(t *testing.T, f *excelize.File, sheet, cell string) bool {
	t.Helper()
	id, _ := f.GetCellStyle(sheet, cell)
	st, err := f.GetStyle(id)
	if err != nil {
		t.Fatal(err)
	}
	return st.Font != nil && st.Font.Bold
}

func TestXLSX(t *testing.T) {
	cases := []struct {
		lang   string
		b      Basis
		status string
		vat    float64
		incl   float64
	}{
		{"nb", fixture(), "Mengder fra mottatte lass", 330853.30, 1654266.49},
		{"nn", planned(), "PLANLAGT – mengder frå avtalte vilkår, ikkje mottekne lass", 330853.30, 1654266.49},
		{"en", zeroVAT(), "Quantities from received loads", 0, 1323413.19},
	}
	for _, c := range cases {
		t.Run(c.lang, func(t *testing.T) {
			var buf bytes.Buffer
			if err := WriteXLSX(&buf, c.b, c.lang); err != nil {
				t.Fatal(err)
			}
			f, err := excelize.OpenReader(&buf)
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			l := localizer(c.lang)
			sheets := f.GetSheetList()
			if len(sheets) != 1 || sheets[0] != l.T("InvoiceSheet") {
				t.Fatalf("sheets %q", sheets)
			}
			sh := sheets[0]
			if v, _ := f.GetCellValue(sh, "A2"); v != c.status {
				t.Errorf("A2 = %q, want the status %q", v, c.status)
			}
			if c.b.Planned && !bold(t, f, sh, "A2") {
				t.Error("the planned marker is not bold")
			}
			r := sheetRow(t, f, sh, l.T("InvoiceSeller"))
			if v, _ := f.GetCellValue(sh, cellName(2, r)); v != "Fornebu Anlegg AS" {
				t.Errorf("seller %q", v)
			}
			if v, _ := f.GetCellValue(sh, cellName(4, r)); v != "923456783" {
				t.Errorf("seller org number %q", v)
			}
			r = sheetRow(t, f, sh, l.T("InvoiceBuyer"))
			if v, _ := f.GetCellValue(sh, cellName(2, r)); v != "Lia Pukkverk AS" {
				t.Errorf("buyer %q", v)
			}
			r = sheetRow(t, f, sh, l.T("InvoicePeriod"))
			if v, _ := f.GetCellValue(sh, cellName(2, r)); v != "01.12.2026–31.12.2026" {
				t.Errorf("period %q", v)
			}
			r = sheetRow(t, f, sh, l.T("InvoiceBuyerReference"))
			if v, _ := f.GetCellValue(sh, cellName(2, r)); v != "Prosjekt 4711 – Åsmund Øye" {
				t.Errorf("buyer reference %q", v)
			}
			head := sheetRow(t, f, sh, l.T("InvoiceAmount"))
			for col := 1; col <= 10; col++ {
				if !bold(t, f, sh, cellName(col, head)) {
					t.Errorf("header %s not bold", cellName(col, head))
				}
			}
			want := []struct {
				tonnes, m3, qty, price, amount float64
			}{{20000, 11111.1, 20000, 45, 900000}, {6322.2, 3512.345, 3512.345, 120.55, 423413.19}}
			for i, w := range want {
				row := head + 1 + i
				if v, _ := f.GetCellValue(sh, cellName(2, row)); v != c.b.Lines[i].FractionName {
					t.Errorf("line %d fraction %q", i+1, v)
				}
				for _, n := range []struct {
					col    int
					want   float64
					format string
				}{{4, w.tonnes, fmtTonnes}, {5, w.m3, fmtTonnes}, {7, w.qty, fmtQuantity}, {8, w.price, fmtNOK}, {9, w.amount, fmtNOK}} {
					v, format := numeric(t, f, sh, n.col, row)
					if v != n.want || format != n.format {
						t.Errorf("%s = %v %q, want %v %q", cellName(n.col, row), v, format, n.want, n.format)
					}
				}
				planned, _ := f.GetCellValue(sh, cellName(10, row))
				if (planned != "") != c.b.Planned {
					t.Errorf("line %d planned marker %q", i+1, planned)
				}
			}
			for _, tot := range []struct {
				label string
				want  float64
			}{{l.T("InvoiceTotalExVAT"), 1323413.19}, {vatLabel(l, c.b), c.vat}, {l.T("InvoiceTotalInclVAT"), c.incl}} {
				r := sheetRow(t, f, sh, tot.label)
				if v, format := numeric(t, f, sh, 9, r); v != tot.want || format != fmtNOK {
					t.Errorf("%s = %v %q, want %v", tot.label, v, format, tot.want)
				}
			}
			if w, _ := f.GetColWidth(sh, "B"); w < 20 {
				t.Errorf("column B is %v wide", w)
			}
		})
	}
}
