package invoice

import (
	"errors"
	"io"
	"math"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/BurntSushi/toml"

	"github.com/masseflyt/masseflyt/core/fail"
	"github.com/masseflyt/masseflyt/core/numfmt"
	"github.com/masseflyt/masseflyt/locales"
)

// Dates of the fixture: a basis for December 2026, made on 2 January 2027
// (Oslo dates, as the agreement domain gives them).
var (
	fixIssue = time.Date(2027, 1, 2, 0, 0, 0, 0, numfmt.Oslo)
	fixFrom  = time.Date(2026, 12, 1, 0, 0, 0, 0, numfmt.Oslo)
	fixTo    = time.Date(2026, 12, 31, 0, 0, 0, 0, numfmt.Oslo)
)

// fixture is a realistic basis: Fornebu Anlegg AS delivers 20 000 t
// sprengstein (priced per tonne) and 3 512,345 m³ leire (priced per m³,
// an amount that needs rounding) to Lia Pukkverk AS in December 2026.
func fixture() Basis {
	return Basis{
		Number:          "AVT-2026-0007/2026-12",
		AgreementID:     "0b6e8c1e-4f7e-4c55-9d1e-7f5d3a2b9c10",
		AgreementNumber: "AVT-2026-0007",
		IssueDate:       fixIssue,
		PeriodFrom:      fixFrom,
		PeriodTo:        fixTo,
		Currency:        "NOK",
		Seller: Party{Name: "Fornebu Anlegg AS", OrgNumber: "923456783", Address: "Snarøyveien 30", PostCode: "1360", City: "Fornebu", Country: "NO",
			Email: "faktura@fornebu-anlegg.example", Contact: "Kari Nordmann", VATRegistered: true},
		Buyer: Party{Name: "Lia Pukkverk AS", OrgNumber: "998877660", Address: "Liavegen 120", PostCode: "7083", City: "Leinstrand", Country: "NO",
			Email: "regnskap@lia-pukkverk.example", Contact: "Ola Sæther", VATRegistered: true},
		Description:    "Levering av sprengstein og leire fra Fornebu til Lia, desember 2026",
		BuyerReference: "Prosjekt 4711 – Åsmund Øye",
		VATPercent:     25,
		Lines: []Line{
			{ID: "1", Fraction: "sprengstein", FractionName: "Sprengstein", Description: "Sprengt fjell, 0–500 mm", Tonnes: 20000, CubicMetres: 11111.1, Unit: "t", Quantity: 20000, UnitPriceOre: 4500},
			{ID: "2", Fraction: "leire", FractionName: "Leire", Tonnes: 6322.2, CubicMetres: 3512.345, Unit: "m3", Quantity: 3512.345, UnitPriceOre: 12055},
		},
	}
}

// The fixture's sums: 20 000 t × 45,00 = 900 000,00; 3 512,345 m³ ×
// 120,55 = 423 413,18975 → 423 413,19; VAT 25 % of 1 323 413,19 =
// 330 853,2975 → 330 853,30.
const (
	fixLinesOre = 132341319
	fixVATOre   = 33085330
	fixTotalOre = 165426649
)

func planned() Basis {
	b := fixture()
	b.Planned = true
	for i := range b.Lines {
		b.Lines[i].Planned = true
	}
	return b
}

// zeroVAT is the fixture from a seller that is not registered for VAT.
func zeroVAT() Basis {
	b := fixture()
	b.VATPercent = 0
	b.Seller.VATRegistered = false
	return b
}

func TestTotals(t *testing.T) {
	cases := []struct {
		name string
		b    Basis
		want Totals
	}{
		{"standard rate, rounded per line and once for VAT", fixture(), Totals{fixLinesOre, fixVATOre, fixTotalOre}},
		{"not subject to VAT", zeroVAT(), Totals{fixLinesOre, 0, fixLinesOre}},
		{"half an øre rounds up", Basis{VATPercent: 25, Lines: []Line{{Quantity: 0.5, UnitPriceOre: 1}}}, Totals{1, 0, 1}},
		{"VAT of 2 øre is 0,5 → 1", Basis{VATPercent: 25, Lines: []Line{{Quantity: 2, UnitPriceOre: 1}}}, Totals{2, 1, 3}},
		{"VAT from the sum, not per line", Basis{VATPercent: 25, Lines: []Line{{Quantity: 1, UnitPriceOre: 2}, {Quantity: 1, UnitPriceOre: 2}}}, Totals{4, 1, 5}},
		{"quantity priced with three decimals", Basis{VATPercent: 25, Lines: []Line{{Quantity: 1.0004, UnitPriceOre: 100000}}}, Totals{100000, 25000, 125000}},
		{"at the limits, exact", Basis{VATPercent: 25, Lines: []Line{{Quantity: maxQuantity, UnitPriceOre: maxUnitPriceOre}, {Quantity: maxQuantity, UnitPriceOre: maxUnitPriceOre}}},
			Totals{2e15, 5e14, 25e14}},
		{"VAT 15 % of 0,03 is 0,0045 → 0,00", Basis{VATPercent: 15, Lines: []Line{{Quantity: 1, UnitPriceOre: 3}}}, Totals{3, 0, 3}},
		{"VAT 15 % of 0,10 is 0,015 → 0,02", Basis{VATPercent: 15, Lines: []Line{{Quantity: 1, UnitPriceOre: 10}}}, Totals{10, 2, 12}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := c.b.Totals(); got != c.want {
				t.Errorf("Totals() = %+v, want %+v", got, c.want)
			}
		})
	}
}

func TestDefaults(t *testing.T) {
	b := fixture()
	if got := b.Due(); !got.Equal(fixIssue.AddDate(0, 0, 30)) {
		t.Errorf("Due() = %v, want 30 days after the issue date", got)
	}
	b.DueDate = fixIssue.AddDate(0, 0, 14)
	if got := b.Due(); !got.Equal(b.DueDate) {
		t.Errorf("Due() = %v, want DueDate", got)
	}
	if b.IssuerName() != "Masseflyt" {
		t.Errorf("IssuerName() = %q", b.IssuerName())
	}
	for _, c := range []struct {
		p    Party
		want bool
	}{
		{Party{Name: "Fornebu Anlegg AS"}, true},
		{Party{Name: "Statens vegvesen"}, false},
		{Party{Name: "Equinor ASA"}, true},
		{Party{Name: "Hansen Graving", LegalForm: "ENK"}, false},
		{Party{Name: "Svenska Berg AB", LegalForm: "NUF"}, true},
		{Party{Name: "Lia Pukkverk", LegalForm: "as"}, true},
	} {
		if got := c.p.Foretaksregisteret(); got != c.want {
			t.Errorf("%+v.Foretaksregisteret() = %v, want %v", c.p, got, c.want)
		}
	}
	for _, c := range []struct {
		b    Basis
		want string
	}{{fixture(), "S"}, {zeroVAT(), "O"}, {Basis{VATCategory: "Z"}, "Z"}} {
		if got := c.b.Category(); got != c.want {
			t.Errorf("Category() = %q, want %q", got, c.want)
		}
	}
}

func TestValidate(t *testing.T) {
	if err := fixture().Validate(); err != nil {
		t.Fatalf("the fixture is invalid: %v", err)
	}
	for _, b := range []Basis{planned(), zeroVAT()} {
		if err := b.Validate(); err != nil {
			t.Fatalf("valid basis refused: %v", err)
		}
	}
	cases := []struct {
		name  string
		edit  func(b *Basis)
		field string // JSON pointer
		code  string
	}{
		{"no number", func(b *Basis) { b.Number = " " }, "/number", "required"},
		{"no agreement number", func(b *Basis) { b.AgreementNumber = "" }, "/agreement_number", "required"},
		{"no issue date", func(b *Basis) { b.IssueDate = time.Time{} }, "/issue_date", "required"},
		{"due before issue", func(b *Basis) { b.DueDate = fixIssue.AddDate(0, 0, -1) }, "/due_date", "date_order"},
		{"seller without name", func(b *Basis) { b.Seller.Name = "" }, "/seller/name", "required"},
		{"seller org number short", func(b *Basis) { b.Seller.OrgNumber = "12345" }, "/seller/org_number", "format"},
		{"buyer org number checksum", func(b *Basis) { b.Buyer.OrgNumber = "998877661" }, "/buyer/org_number", "checksum"},
		{"buyer org number empty", func(b *Basis) { b.Buyer.OrgNumber = "" }, "/buyer/org_number", "format"},
		{"same party", func(b *Basis) { b.Buyer.OrgNumber = b.Seller.OrgNumber }, "/buyer/org_number", "same_party"},
		{"bad country", func(b *Basis) { b.Buyer.Country = "Norge" }, "/buyer/country", "invalid"},
		{"huge name", func(b *Basis) { b.Buyer.Name = strings.Repeat("Å", 301) }, "/buyer/name", "too_long"},
		{"period ends before it starts", func(b *Basis) { b.PeriodTo = fixFrom.AddDate(0, 0, -1) }, "/period/to", "date_order"},
		{"no period start", func(b *Basis) { b.PeriodFrom = time.Time{} }, "/period/from", "required"},
		{"no period end", func(b *Basis) { b.PeriodTo = time.Time{} }, "/period/to", "required"},
		{"currency EUR", func(b *Basis) { b.Currency = "EUR" }, "/currency", "enum"},
		{"no currency", func(b *Basis) { b.Currency = "" }, "/currency", "enum"},
		{"negative VAT", func(b *Basis) { b.VATPercent = -25 }, "/vat_percent", "range"},
		{"zero rated with a rate", func(b *Basis) { b.VATCategory = "Z" }, "/vat_percent", "vat_category"},
		{"standard rated without a rate", func(b *Basis) { b.VATPercent = 0; b.VATCategory = "S" }, "/vat_percent", "vat_category"},
		{"unknown VAT category", func(b *Basis) { b.VATCategory = "X" }, "/vat_category", "enum"},
		{"VAT rate with three decimals", func(b *Basis) { b.VATPercent = 25.125 }, "/vat_percent", "invalid"},
		{"price over 100 000 NOK", func(b *Basis) { b.Lines[0].UnitPriceOre = 10_000_001 }, "/lines/0/unit_price_ore", "range"},
		{"quantity over 100 million", func(b *Basis) { b.Lines[0].Quantity = 100_000_001 }, "/lines/0/quantity", "range"},
		{"no lines", func(b *Basis) { b.Lines = nil }, "/lines", "required"},
		{"too many lines", func(b *Basis) { b.Lines = make([]Line, MaxLines+1) }, "/lines", "too_many"},
		{"negative quantity", func(b *Basis) { b.Lines[1].Quantity = -1 }, "/lines/1/quantity", "negative"},
		{"negative tonnes", func(b *Basis) { b.Lines[0].Tonnes = -0.1 }, "/lines/0/tonnes", "negative"},
		{"huge m³", func(b *Basis) { b.Lines[0].CubicMetres = 1e12 }, "/lines/0/cubic_metres", "range"},
		{"NaN quantity", func(b *Basis) { b.Lines[0].Quantity = math.NaN() }, "/lines/0/quantity", "invalid"},
		{"negative price", func(b *Basis) { b.Lines[0].UnitPriceOre = -4500 }, "/lines/0/unit_price_ore", "negative"},
		{"wrong unit", func(b *Basis) { b.Lines[0].Unit = "kg" }, "/lines/0/unit", "enum"},
		{"no fraction", func(b *Basis) { b.Lines[0].Fraction, b.Lines[0].FractionName = "", "" }, "/lines/0/fraction", "required"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			b := fixture()
			c.edit(&b)
			err := b.Validate()
			fe, ok := fail.As(err)
			if !ok || fe.Kind != fail.Invalid {
				t.Fatalf("Validate() = %v, want a validation error", err)
			}
			for _, f := range fe.Fields {
				if f.Pointer == c.field && f.Code == c.code {
					return
				}
			}
			t.Errorf("fields %+v, want %s %s", fe.Fields, c.field, c.code)
		})
	}
}

// TestValidationLabelsAndMessages: every field and message a basis can be
// refused with reads in Bokmål, Nynorsk and English.
func TestValidationLabelsAndMessages(t *testing.T) {
	ids := messageIDs(t)
	bad := []func(b *Basis){
		func(b *Basis) {
			*b = Basis{VATPercent: -1, VATCategory: "Q", DueDate: fixIssue, Description: strings.Repeat("x", maxText+1), BuyerReference: "\x00",
				VATExemptionReason: strings.Repeat("y", maxText+1), Seller: Party{Country: "x", Address: "\x00", PostCode: "\x00", City: "\x00", Email: "\x00", Contact: "\x00"},
				Lines: []Line{{Quantity: -1, Tonnes: -1, CubicMetres: -1, UnitPriceOre: -1, FractionName: "\x00", Description: "\x00"}}}
		},
		func(b *Basis) {
			b.Buyer.OrgNumber = b.Seller.OrgNumber
			b.VATCategory = "Z"
			b.Lines = make([]Line, MaxLines+1)
		},
	}
	seen := 0
	for _, edit := range bad {
		b := fixture()
		edit(&b)
		fe, ok := fail.As(b.Validate())
		if !ok {
			t.Fatal("no validation error")
		}
		for _, f := range fe.Fields {
			seen++
			for _, lang := range locales.Supported {
				for _, id := range []string{f.Label, f.MsgID} {
					if ids[lang][id] == "" {
						t.Errorf("%s lacks %s (field %s)", lang, id, f.Pointer)
					}
				}
			}
		}
	}
	if seen < 25 {
		t.Errorf("only %d fields refused: the check checks little", seen)
	}
}

func TestWritersRefuseAnInvalidBasis(t *testing.T) {
	b := fixture()
	b.PeriodTo = fixFrom.AddDate(0, 0, -1)
	for name, write := range writers {
		var out strings.Builder
		err := write(&out, b, "nb")
		var fe *fail.Error
		if !errors.As(err, &fe) || fe.Kind != fail.Invalid {
			t.Errorf("%s: %v, want a validation error", name, err)
		}
		if out.Len() != 0 {
			t.Errorf("%s wrote %d bytes of an invalid basis", name, out.Len())
		}
	}
}

// writers are the four formats with one signature.
var writers = map[string]func(w io.Writer, b Basis, lang string) error{
	"csv":  func(w io.Writer, b Basis, lang string) error { return WriteCSV(w, b, lang) },
	"xlsx": func(w io.Writer, b Basis, lang string) error { return WriteXLSX(w, b, lang) },
	"pdf":  func(w io.Writer, b Basis, lang string) error { return WritePDF(w, b, lang) },
	"ubl":  func(w io.Writer, b Basis, _ string) error { return WriteUBL(w, b) },
}

// messageIDs reads every message file of each language from disk (a
// localizer falls back to Bokmål and would hide a missing translation).
func messageIDs(t *testing.T) map[string]map[string]string {
	t.Helper()
	out := map[string]map[string]string{}
	for _, lang := range locales.Supported {
		out[lang] = map[string]string{}
		names, err := filepath.Glob(filepath.Join("..", "..", "locales", "*."+lang+".toml"))
		if err != nil || len(names) == 0 {
			t.Fatalf("no message files for %s: %v", lang, err)
		}
		for _, n := range names {
			var m map[string]any
			if _, err := toml.DecodeFile(n, &m); err != nil {
				t.Fatalf("%s: %v", n, err)
			}
			for k, v := range m {
				if s, ok := v.(string); ok {
					out[lang][k] = s
				}
			}
		}
	}
	return out
}

// TestInvoiceMessagesComplete: the invoice message files define the same
// IDs in all three languages.
func TestInvoiceMessagesComplete(t *testing.T) {
	files := map[string]map[string]any{}
	for _, lang := range locales.Supported {
		var m map[string]any
		if _, err := toml.DecodeFile(filepath.Join("..", "..", "locales", "invoice."+lang+".toml"), &m); err != nil {
			t.Fatal(err)
		}
		files[lang] = m
	}
	for id := range files["nb"] {
		for _, lang := range locales.Supported[1:] {
			if s, _ := files[lang][id].(string); strings.TrimSpace(s) == "" {
				t.Errorf("invoice.%s.toml lacks %s", lang, id)
			}
		}
	}
	for _, lang := range locales.Supported[1:] {
		for id := range files[lang] {
			if _, ok := files["nb"][id]; !ok {
				t.Errorf("invoice.%s.toml has %s, which Bokmål lacks", lang, id)
			}
		}
	}
}

// TestSpacedOrgNumbers: organization numbers as people write them are
// accepted and written as nine digits.
func TestSpacedOrgNumbers(t *testing.T) {
	b := fixture()
	b.Seller.OrgNumber = "923 456 783"
	b.Buyer.OrgNumber = "998.877.660"
	if err := b.Validate(); err != nil {
		t.Fatal(err)
	}
	doc, problems := ehfProblems(writeUBL(t, b))
	for _, p := range problems {
		t.Error(p)
	}
	if got := doc.text("cac:AccountingSupplierParty/cac:Party/cbc:EndpointID"); got != "923456783" {
		t.Errorf("EndpointID %q", got)
	}
	b.Buyer.OrgNumber = "923 456 783"
	if err := b.Validate(); err == nil {
		t.Error("the same party written two ways is accepted")
	}
}
