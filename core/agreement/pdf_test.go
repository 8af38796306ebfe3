package agreement_test

import (
	"bytes"
	"compress/zlib"
	"context"
	"io"
	"regexp"
	"testing"
	"unicode/utf16"

	"github.com/masseflyt/masseflyt/internal/apitest"
)

// pdfText is the text a PDF shows: the inflated content streams (fpdf
// compresses them) as they are, then one line per text operator with its
// string decoded from UTF-16BE (fpdf writes the code points with a Unicode font,
// Identity-H, whose ToUnicode map is the identity).
func pdfText(t *testing.T, pdf []byte) []byte {
	var out bytes.Buffer
	tj := regexp.MustCompile(`(?s)\(((?:\\.|[^\\)])*)\) ?Tj`)
	for _, m := range regexp.MustCompile(`(?s)stream\r?\n(.*?)endstream`).FindAllSubmatch(pdf, -1) {
		r, err := zlib.NewReader(bytes.NewReader(m[1]))
		if err != nil {
			continue
		}
		b, _ := io.ReadAll(r)
		out.Write(b) // as is too: the hash is in a core font (ASCII)
		out.WriteByte('\n')
		for _, s := range tj.FindAllSubmatch(b, -1) {
			var raw []byte
			for i := 0; i < len(s[1]); i++ {
				c := s[1][i]
				if c == '\\' && i+1 < len(s[1]) {
					i++
					c = map[byte]byte{'n': '\n', 'r': '\r', 't': '\t'}[s[1][i]]
					if c == 0 {
						c = s[1][i]
					}
				}
				raw = append(raw, c)
			}
			u := make([]uint16, 0, len(raw)/2)
			for i := 0; i+1 < len(raw); i += 2 {
				u = append(u, uint16(raw[i])<<8|uint16(raw[i+1]))
			}
			out.WriteString(string(utf16.Decode(u)))
			out.WriteByte('\n')
		}
	}
	return out.Bytes()
}

// TestSignedPDFHasNorwegianTextSignaturesAndHash: the sealed PDF writes æøå
// and § (in DejaVu Sans, core/pdffont), both signatories and the hash.
func TestSignedPDFHasNorwegianTextSignaturesAndHash(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		w := newWorld(t, e)
		ag := w.accepted(t, 1000)
		for _, ctx := range []context.Context{w.kari, w.ola} {
			var err error
			if ag, err = w.s.Sign(ctx, ag.ID, 1); err != nil {
				t.Fatal(err)
			}
		}
		var buf bytes.Buffer
		if err := w.s.PDF(w.kari, ag.ID, &buf); err != nil {
			t.Fatal(err)
		}
		text := pdfText(t, buf.Bytes())
		for _, want := range [][]byte{
			[]byte("kjøpsloven §§ 6–7"),
			[]byte("Kari Anlegg, Fornebu Anlegg AS"),
			[]byte("Ola Byggherre, Sandvika Bygg AS"),
			[]byte(ag.SealHash),
		} {
			if !bytes.Contains(text, want) {
				t.Errorf("the PDF lacks %q", want)
			}
		}
	})
}

// TestAgreementPDFKeepsSamiLetters (finding 8b): Sámi letters in the terms
// are written as themselves in an embedded Unicode font, not as "."; an
// emoji becomes a visible placeholder and nothing crashes.
func TestAgreementPDFKeepsSamiLetters(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		w := newWorld(t, e)
		in := w.input(100)
		in.DeliveryPoint = "Čáhcesuolu ŋ đ ŧ 😀 mottak"
		ag, err := w.s.Create(w.kari, in)
		if err != nil {
			t.Fatal(err)
		}
		var buf bytes.Buffer
		if err := w.s.PDF(w.kari, ag.ID, &buf); err != nil {
			t.Fatal(err)
		}
		// Lines wrap anywhere: compare with the lines joined.
		text := bytes.ReplaceAll(pdfText(t, buf.Bytes()), []byte("\n"), []byte(" "))
		for _, want := range []string{"Čáhcesuolu ŋ đ ŧ \uFFFD mottak"} {
			if !bytes.Contains(text, []byte(want)) {
				t.Errorf("the PDF lacks %q:\n%s", want, text)
			}
		}
		if bytes.Contains(text, []byte("Čáhcesuolu . . .")) || bytes.Contains(text, []byte(".áhcesuolu")) {
			t.Error("Sámi letters replaced by dots")
		}
		for _, want := range []string{"/FontFile2", "/ToUnicode", "/Identity-H"} {
			if !bytes.Contains(buf.Bytes(), []byte(want)) {
				t.Errorf("no %s: the font is not embedded with its Unicode map", want)
			}
		}
	})
}
