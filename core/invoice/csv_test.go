package invoice

import (
	"bytes"
	"encoding/csv"
	"strings"
	"testing"

	"github.com/masseflyt/masseflyt/core/sheet"
)

// readCSV parses a written CSV after checking its byte order mark.
func readCSV(t *testing.T, data []byte, comma rune) [][]string {
	t.Helper()
	if !bytes.HasPrefix(data, []byte("\xef\xbb\xbf")) {
		t.Fatalf("no UTF-8 byte order mark: % x", data[:min(len(data), 8)])
	}
	r := csv.NewReader(bytes.NewReader(data[3:]))
	r.Comma = comma
	r.FieldsPerRecord = -1
	rows, err := r.ReadAll()
	if err != nil {
		t.Fatalf("parse: %v", err)
	}
	return rows
}

// row finds the first row whose first cell is label.
func row(t *testing.T, rows [][]string, label string) []string {
	t.Helper()
	for _, r := range rows {
		if len(r) > 0 && r[0] == label {
			return r
		}
	}
	t.Fatalf("no row %q in %q", label, rows)
	return nil
}

func TestCSV(t *testing.T) {
	cases := []struct {
		lang         string
		b            Basis
		comma        rune
		seller       string
		lineHead     string
		line1, line2 []string // tonnes, m³, unit, quantity, unit price, amount, planned
		status       string
		total        string // excl. VAT, VAT, incl. VAT
		vatLabel     string
		vat, incl    string
	}{
		{lang: "nb", b: fixture(), comma: ';', seller: "Selger", lineHead: "Linje",
			line1:  []string{"20000,0", "11111,1", "t", "20000", "45,00", "900000,00", ""},
			line2:  []string{"6322,2", "3512,3", "m³", "3512,345", "120,55", "423413,19", ""},
			status: "Mengder fra mottatte lass", total: "1323413,19", vatLabel: "Mva. 25 %", vat: "330853,30", incl: "1654266,49"},
		{lang: "nn", b: planned(), comma: ';', seller: "Seljar", lineHead: "Linje",
			line1:  []string{"20000,0", "11111,1", "t", "20000", "45,00", "900000,00", "planlagt"},
			line2:  []string{"6322,2", "3512,3", "m³", "3512,345", "120,55", "423413,19", "planlagt"},
			status: "PLANLAGT – mengder frå avtalte vilkår, ikkje mottekne lass", total: "1323413,19", vatLabel: "Mva. 25 %", vat: "330853,30", incl: "1654266,49"},
		{lang: "en", b: zeroVAT(), comma: ',', seller: "Seller", lineHead: "Line",
			line1:  []string{"20000.0", "11111.1", "t", "20000", "45.00", "900000.00", ""},
			line2:  []string{"6322.2", "3512.3", "m³", "3512.345", "120.55", "423413.19", ""},
			status: "Quantities from received loads", total: "1323413.19", vatLabel: "VAT (seller not registered for VAT)", vat: "0.00", incl: "1323413.19"},
	}
	for _, c := range cases {
		t.Run(c.lang, func(t *testing.T) {
			var buf bytes.Buffer
			if err := WriteCSV(&buf, c.b, c.lang); err != nil {
				t.Fatal(err)
			}
			rows := readCSV(t, buf.Bytes(), c.comma)
			l := localizer(c.lang)
			if r := row(t, rows, l.T("InvoiceTitle")); r[1] != "AVT-2026-0007/2026-12" {
				t.Errorf("number row %q", r)
			}
			if r := row(t, rows, l.T("InvoiceAgreementNumber")); r[1] != "AVT-2026-0007" {
				t.Errorf("agreement row %q", r)
			}
			if r := row(t, rows, c.seller); r[1] != "Fornebu Anlegg AS" || r[3] != "923456783" {
				t.Errorf("seller row %q", r)
			}
			if r := row(t, rows, l.T("InvoiceBuyer")); r[1] != "Lia Pukkverk AS" || r[3] != "998877660" {
				t.Errorf("buyer row %q", r)
			}
			if r := row(t, rows, l.T("InvoicePeriod")); r[1] != "2026-12-01" || r[2] != "2026-12-31" {
				t.Errorf("period row %q", r)
			}
			if r := row(t, rows, l.T("InvoiceDescription")); r[1] != c.b.Description {
				t.Errorf("description row %q", r)
			}
			if r := row(t, rows, l.T("InvoiceBuyerReference")); r[1] != "Prosjekt 4711 – Åsmund Øye" {
				t.Errorf("buyer reference %q: Norwegian characters lost", r)
			}
			if r := row(t, rows, l.T("InvoiceStatus")); r[1] != c.status {
				t.Errorf("status %q, want %q", r[1], c.status)
			}
			head := row(t, rows, c.lineHead)
			if len(head) != 10 {
				t.Fatalf("line header %q", head)
			}
			for i, want := range [][]string{c.line1, c.line2} {
				r := row(t, rows, c.b.Lines[i].ID)
				if got := r[3:10]; strings.Join(got, "|") != strings.Join(want, "|") {
					t.Errorf("line %d: %q, want %q", i+1, got, want)
				}
				if r[1] != c.b.Lines[i].FractionName {
					t.Errorf("line %d fraction %q", i+1, r[1])
				}
			}
			for _, tot := range []struct{ label, want string }{{l.T("InvoiceTotalExVAT"), c.total}, {c.vatLabel, c.vat}, {l.T("InvoiceTotalInclVAT"), c.incl}} {
				r := row(t, rows, tot.label)
				if len(r) != 10 || r[9] != tot.want {
					t.Errorf("%s: %q, want %s in the amount column", tot.label, r, tot.want)
				}
			}
		})
	}
}

// TestCSVInjection: text that a spreadsheet would run as a formula is
// defused with an apostrophe; the writer's own numbers are not touched.
func TestCSVInjection(t *testing.T) {
	b := fixture()
	b.Description = "=HYPERLINK(\"http://evil.example\";\"klikk\")"
	b.Seller.Name = "+47 Graving AS"
	b.Buyer.Name = "@SUM(A1:A9) AS"
	b.BuyerReference = "-2+3"
	b.Lines[0].FractionName = "\t=1+1"
	b.Lines[0].Description = "Rent; \"sitat\"\nny linje"
	var buf bytes.Buffer
	if err := WriteCSV(&buf, b, "nb"); err != nil {
		t.Fatal(err)
	}
	rows := readCSV(t, buf.Bytes(), ';')
	for _, want := range []struct{ label, cell string }{
		{"Beskrivelse", "'" + b.Description},
		{"Selger", "'+47 Graving AS"},
		{"Kjøper", "'@SUM(A1:A9) AS"},
		{"Deres ref.", "'-2+3"},
	} {
		if r := row(t, rows, want.label); r[1] != want.cell {
			t.Errorf("%s: %q, want %q", want.label, r[1], want.cell)
		}
	}
	r := row(t, rows, "1")
	if r[1] != "'\t=1+1" || r[2] != b.Lines[0].Description {
		t.Errorf("line cells %q", r[:3])
	}
	for _, r := range rows {
		for _, c := range r {
			if c != "" && strings.ContainsAny(c[:1], "=+-@\t\r") {
				t.Errorf("cell %q starts a formula", c)
			}
		}
	}
	if got := sheet.Text("-12,5"); got != "'-12,5" {
		t.Errorf("sheet.Text(-12,5) = %q: text that looks like a number is still text", got)
	}
}

func TestCSVUnknownLanguageIsBokmal(t *testing.T) {
	var buf bytes.Buffer
	if err := WriteCSV(&buf, fixture(), "sv"); err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(buf.Bytes(), []byte("Fakturagrunnlag;")) {
		t.Errorf("not Bokmål with ';': %q", buf.String()[:60])
	}
}
