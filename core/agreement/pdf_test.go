package agreement_test

import (
	"bytes"
	"context"
	"testing"

	"github.com/masseflyt/masseflyt/internal/apitest"
	"github.com/masseflyt/masseflyt/internal/pdftext"
)

// pdfText is the text a PDF shows: the inflated streams as they are (the
// hash is in a core font, plain ASCII), then one line per text operator
// decoded (internal/pdftext).
func pdfText(t *testing.T, pdf []byte) []byte {
	var out bytes.Buffer
	for _, st := range pdftext.Streams(pdf) {
		out.Write(st)
		out.WriteByte('\n')
		for _, line := range pdftext.Strings(st) {
			out.WriteString(line)
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
