package web

import (
	"bytes"
	"html/template"
	"testing"
	"time"

	"github.com/masseflyt/masseflyt/locales"
)

// TestNumbersAndDatesInEachLanguage: each language's template set writes
// 17.5 and 85000 in its own notation, and times on the clock in Norway.
func TestNumbersAndDatesInEachLanguage(t *testing.T) {
	b := locales.MustBundle()
	at := time.Date(2026, 1, 15, 23, 30, 0, 0, time.UTC) // winter: 00:30 the next day in Oslo
	src := `{{num .A}} t|{{num .B}} tonn|{{num1 .L .A}}|{{nump .P}}|{{dec .A}}|{{date .T}}|{{datetime .T}}|{{month .M}}`
	want := map[string]string{
		"nb": "17,5 t|85\u00a0000 tonn|17,5|17,5|17,5|16.01.2026|16.01.2026 00:30|01.2027",
		"nn": "17,5 t|85\u00a0000 tonn|17,5|17,5|17,5|16.01.2026|16.01.2026 00:30|01.2027",
		"en": "17.5 t|85,000 tonn|17.5|17.5|17.5|16.01.2026|16.01.2026 00:30|01.2027",
	}
	for _, lang := range locales.Supported {
		tp := template.Must(template.New("x").Funcs(funcs).Funcs(langFuncs(lang)).Parse(src))
		var buf bytes.Buffer
		f := 17.5
		m := time.Date(2026, 12, 31, 23, 30, 0, 0, time.UTC)
		if err := tp.Execute(&buf, map[string]any{"A": 17.5, "B": 85000.0, "P": &f, "T": &at, "M": &m, "L": locales.New(b, lang)}); err != nil {
			t.Fatal(err)
		}
		if got := buf.String(); got != want[lang] {
			t.Errorf("%s:\n got %q\nwant %q", lang, got, want[lang])
		}
	}
}

// TestEveryLanguageHasItsTemplateSet: pages render with the language's
// number functions.
func TestEveryLanguageHasItsTemplateSet(t *testing.T) {
	pagesOnce.Do(loadPages)
	if pagesErr != nil {
		t.Fatal(pagesErr)
	}
	for _, lang := range locales.Supported {
		if len(pagesByLang[lang]) != len(pages) {
			t.Errorf("%s: %d pages, want %d", lang, len(pagesByLang[lang]), len(pages))
		}
	}
}
