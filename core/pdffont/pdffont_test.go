package pdffont

import (
	"bytes"
	"strings"
	"testing"

	"github.com/go-pdf/fpdf"
	"github.com/masseflyt/masseflyt/internal/pdftext"
)

// TestPDFKeepsSamiLetters: Sámi letters are written as themselves with the
// font embedded and mapped back to Unicode; emoji become a visible
// placeholder, never "." and never a crash.
func TestPDFKeepsSamiLetters(t *testing.T) {
	for _, r := range "Čáhcesuolu ŋ đ ŧ æøå ÆØÅ – § ³ € „“" {
		if !Has(r) {
			t.Fatalf("the font lacks %q", r)
		}
	}
	if !Has(Placeholder) {
		t.Fatal("the font lacks the placeholder")
	}
	cases := map[string]string{
		"Čáhcesuolu ŋ đ ŧ":   "Čáhcesuolu ŋ đ ŧ",
		"ok 😀 👍🏽 ❤️ 👩‍👩‍👧 x": "ok \uFFFD \uFFFD ❤ \uFFFD x",
		"a\tb\x07c\nd":       "a bc\nd",
	}
	for in, want := range cases {
		if got := Text(in); got != want {
			t.Errorf("Text(%q) = %q, want %q", in, got, want)
		}
	}
	pdf := fpdf.New("P", "mm", "A4", "")
	Use(pdf)
	pdf.AddPage()
	for _, style := range []string{"", "B", "I"} {
		pdf.SetFont(Family, style, 10)
		pdf.MultiCell(0, 5, Text("Čáhcesuolu ŋ đ ŧ 😀"), "", "L", false)
	}
	var buf bytes.Buffer
	if err := pdf.Output(&buf); err != nil {
		t.Fatal(err)
	}
	var lines []string
	for _, st := range pdftext.Streams(buf.Bytes()) {
		lines = append(lines, pdftext.Strings(st)...)
	}
	got := strings.Join(lines, "\n")
	if !strings.Contains(got, "Čáhcesuolu ŋ đ ŧ \uFFFD") || strings.Contains(got, "Čáhcesuolu . . .") {
		t.Fatalf("text %q", got)
	}
	for _, want := range []string{"/FontFile2", "/ToUnicode", "/Identity-H", "/CIDToGIDMap"} {
		if !bytes.Contains(buf.Bytes(), []byte(want)) {
			t.Errorf("no %s in the PDF", want)
		}
	}
	// The codes are the code points: the ToUnicode map is the identity,
	// and the CIDToGIDMap gives each Sámi letter's code a glyph of the
	// embedded subset.
	all := append(bytes.Join(pdftext.Streams(buf.Bytes()), nil), buf.Bytes()...)
	if !bytes.Contains(all, []byte("<0000> <FFFF> <0000>")) {
		t.Error("the ToUnicode map is not the identity")
	}
	maps := 0
	for _, s := range pdftext.Streams(buf.Bytes()) {
		if len(s) != 2*0x10000 {
			continue
		}
		maps++
		for _, r := range "Čŋđŧá" {
			if s[2*r] == 0 && s[2*r+1] == 0 {
				t.Errorf("no glyph for %U", r)
			}
		}
	}
	if maps != 3 {
		t.Errorf("%d CIDToGIDMaps, want 3 (regular, bold, italic)", maps)
	}
}
