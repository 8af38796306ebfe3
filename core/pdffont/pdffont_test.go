package pdffont

import (
	"bytes"
	"compress/zlib"
	"io"
	"regexp"
	"strings"
	"testing"
	"unicode/utf16"

	"github.com/go-pdf/fpdf"
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
	got := Extract(t, buf.Bytes())
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
	all := streams(buf.Bytes())
	if !bytes.Contains(all, []byte("<0000> <FFFF> <0000>")) {
		t.Error("the ToUnicode map is not the identity")
	}
	maps := 0
	for _, s := range decoded(buf.Bytes()) {
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

func decoded(data []byte) [][]byte {
	var out [][]byte
	for _, m := range streamRe.FindAllSubmatch(data, -1) {
		if r, err := zlib.NewReader(bytes.NewReader(m[1])); err == nil {
			b, _ := io.ReadAll(r)
			out = append(out, b)
		}
	}
	return out
}

var streamRe = regexp.MustCompile(`(?s)stream\r?\n(.*?)\r?\nendstream`)

func streams(data []byte) []byte {
	var out bytes.Buffer
	for _, m := range streamRe.FindAllSubmatch(data, -1) {
		r, err := zlib.NewReader(bytes.NewReader(m[1]))
		if err != nil {
			out.Write(m[1])
			continue
		}
		b, _ := io.ReadAll(r)
		out.Write(b)
	}
	return out.Bytes()
}

var tjRe = regexp.MustCompile(`(?s)\(((?:\\.|[^\\)])*)\) ?Tj`)

// Extract is the text of a PDF written with this font: the strings of its
// text operators decoded from UTF-16BE (fpdf writes the code points of a
// UTF-8 font, Identity-H), one per line.
func Extract(t testing.TB, data []byte) string {
	t.Helper()
	var lines []string
	for _, m := range tjRe.FindAllSubmatch(streams(data), -1) {
		b := unescape(m[1])
		u := make([]uint16, 0, len(b)/2)
		for i := 0; i+1 < len(b); i += 2 {
			u = append(u, uint16(b[i])<<8|uint16(b[i+1]))
		}
		lines = append(lines, string(utf16.Decode(u)))
	}
	return strings.Join(lines, "\n")
}

func unescape(b []byte) []byte {
	var out []byte
	for i := 0; i < len(b); i++ {
		if b[i] == '\\' && i+1 < len(b) {
			i++
			switch b[i] {
			case 'n':
				out = append(out, '\n')
			case 'r':
				out = append(out, '\r')
			case 't':
				out = append(out, '\t')
			case 'b':
				out = append(out, '\b')
			case 'f':
				out = append(out, '\f')
			default:
				out = append(out, b[i])
			}
			continue
		}
		out = append(out, b[i])
	}
	return out
}
