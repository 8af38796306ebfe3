package invoice

import (
	"bytes"
	"strconv"
	"strings"
	"testing"

	"github.com/masseflyt/masseflyt/internal/pdftext"
)

// pdfCells extracts the text the PDF shows, one string per text operator,
// in page order (internal/pdftext): comparing with the expected text checks
// the encoding.
func pdfCells(t *testing.T, data []byte) []string {
	t.Helper()
	var cells []string
	for _, p := range pdfPages(t, data) {
		cells = append(cells, p...)
	}
	return cells
}

// pdfPages is pdfCells per content stream (fpdf writes one per page).
func pdfPages(t *testing.T, data []byte) [][]string {
	t.Helper()
	if !bytes.HasPrefix(data, []byte("%PDF-")) {
		t.Fatalf("not a PDF: %q", data[:min(len(data), 8)])
	}
	return pdftext.Pages(data)
}

func has(cells []string, want string) bool {
	for _, c := range cells {
		if c == want {
			return true
		}
	}
	return false
}

func TestPDF(t *testing.T) {
	const nbsp = "\u00a0"
	cases := []struct {
		lang  string
		b     Basis
		want  []string
		avoid []string
	}{
		{"nb", fixture(), []string{
			"Fakturagrunnlag", "AVT-2026-0007/2026-12", "Utsteder av dokumentet: Masseflyt · Dato 02.01.2027",
			"Selger", "Kjøper", "Fornebu Anlegg AS", "Lia Pukkverk AS",
			"Org.nr. 923 456 783 MVA · Foretaksregisteret", "Org.nr. 998 877 660 MVA", "Snarøyveien 30", "Kontakt: Ola Sæther",
			"Avtalenummer", "AVT-2026-0007", "Periode", "01.12.2026–31.12.2026", "Prosjekt 4711 – Åsmund Øye",
			"Beløp (NOK)", "Sprengstein", "20" + nbsp + "000,0", "11" + nbsp + "111,1", "45,00", "900" + nbsp + "000,00",
			"Leire", " m³", "3" + nbsp + "512,345", "120,55", "423" + nbsp + "413,19", "Sprengt fjell, 0–500 mm",
			"Sum eks. mva.", "1" + nbsp + "323" + nbsp + "413,19", "Mva. 25 %", "330" + nbsp + "853,30", "Sum inkl. mva. (NOK)", "1" + nbsp + "654" + nbsp + "266,49",
			"Side 1 av 1",
		}, []string{"PLANLAGT – mengder fra avtalte vilkår, ikke mottatte lass"}},
		{"nn", planned(), []string{
			"PLANLAGT – mengder frå avtalte vilkår, ikkje mottekne lass", "Seljar", "Kjøpar", "Sum med mva. (NOK)", "1" + nbsp + "654" + nbsp + "266,49", "Side 1 av 1",
		}, nil},
		{"en", zeroVAT(), []string{
			"Invoice basis", "Seller", "Buyer", "Org. no. 923 456 783 · Foretaksregisteret", "Org. no. 998 877 660", "20,000.0", "423,413.19",
			"VAT (seller not registered for VAT)", "0.00", "Total incl. VAT (NOK)", "1,323,413.19", "Page 1 of 1",
		}, []string{"Org. no. 923 456 783 MVA · Foretaksregisteret"}},
	}
	for _, c := range cases {
		t.Run(c.lang, func(t *testing.T) {
			var buf bytes.Buffer
			if err := WritePDF(&buf, c.b, c.lang); err != nil {
				t.Fatal(err)
			}
			cells := pdfCells(t, buf.Bytes())
			if len(cells) < 30 {
				t.Fatalf("only %d text cells: %q", len(cells), cells)
			}
			for _, w := range c.want {
				if !has(cells, w) {
					t.Errorf("no %q in %q", w, cells)
				}
			}
			for _, w := range c.avoid {
				if has(cells, w) {
					t.Errorf("%q shown", w)
				}
			}
			for _, cell := range cells {
				if strings.Contains(cell, "Ã") || strings.Contains(cell, "â€") {
					t.Errorf("mojibake: %q (text not translated to cp1252)", cell)
				}
			}
		})
	}
}

// TestPDFPages: a long basis breaks over pages, with the table header, the
// page numbers and the planned marker on each.
func TestPDFPages(t *testing.T) {
	b := planned()
	for i := 3; i <= 80; i++ {
		l := b.Lines[i%2]
		l.ID = strconv.Itoa(i)
		b.Lines = append(b.Lines, l)
	}
	var buf bytes.Buffer
	if err := WritePDF(&buf, b, "nb"); err != nil {
		t.Fatal(err)
	}
	cells := pdfCells(t, buf.Bytes())
	pp := pdfPages(t, buf.Bytes())
	pages := len(pp)
	if pages < 2 || pages != bytes.Count(buf.Bytes(), []byte("/Type /Page\n")) {
		t.Fatalf("%d content streams for 80 lines", pages)
	}
	for i, p := range pp {
		if has(p, "Sprengstein") && !has(p, "Beløp (NOK)") {
			t.Errorf("page %d has lines but no table header", i+1)
		}
		if w := "Side " + strconv.Itoa(i+1) + " av " + strconv.Itoa(pages); !has(p, w) {
			t.Errorf("page %d: no %q", i+1, w)
		}
		if !has(p, "Fakturagrunnlag AVT-2026-0007/2026-12 · PLANLAGT") {
			t.Errorf("page %d does not say the basis is planned", i+1)
		}
	}
	if !has(cells, "80") || !has(cells, "Sum inkl. mva. (NOK)") {
		t.Error("the last line or the totals are missing")
	}
}

// TestPDFKeepsSamiLetters: letters outside cp1252 (Sámi č, ŋ, đ, ŧ) are
// written as themselves in an embedded Unicode font, not as "."; an emoji
// becomes a visible placeholder.
func TestPDFKeepsSamiLetters(t *testing.T) {
	b := fixture()
	b.Seller.Name = "Čáhcesuolu ŋ đ ŧ AS"
	b.Description = "Stein 🚚 til Guovdageaidnu"
	var buf bytes.Buffer
	if err := WritePDF(&buf, b, "nb"); err != nil {
		t.Fatal(err)
	}
	cells := pdfCells(t, buf.Bytes())
	if !has(cells, "Čáhcesuolu ŋ đ ŧ AS") {
		t.Errorf("no Sámi seller name in %q", cells)
	}
	if !has(cells, "Stein \uFFFD til Guovdageaidnu") {
		t.Errorf("no placeholder for the emoji in %q", cells)
	}
	for _, want := range []string{"/FontFile2", "/ToUnicode", "/Identity-H"} {
		if !bytes.Contains(buf.Bytes(), []byte(want)) {
			t.Errorf("no %s: the font is not embedded with its Unicode map", want)
		}
	}
}
