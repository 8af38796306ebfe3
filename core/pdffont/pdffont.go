// Package pdffont gives PDFs a Unicode font: DejaVu Sans, regular and bold
// (version 2.37, from Debian's fonts-dejavu-core; licence in
// LICENSE-DejaVu.txt: Bitstream Vera's, DejaVu's changes public domain).
// fpdf's core fonts know only cp1252, so Sámi letters (č, ŋ, đ, ŧ, …) came
// out as "."; with this font every letter it has is written, embedded as a
// subset with a ToUnicode map, and what it lacks (emoji) is replaced by a
// visible placeholder, never dropped silently.
//
// A leaf package: it imports nothing of this module.
package pdffont

import (
	_ "embed"
	"strings"
	"sync"
	"unicode"

	"github.com/go-pdf/fpdf"
	"golang.org/x/image/font/sfnt"
)

// Family is the font family name to give SetFont after Use.
const Family = "dejavu"

// Placeholder stands for a character the font lacks.
const Placeholder = '\uFFFD'

var (
	//go:embed DejaVuSans.ttf
	regular []byte
	//go:embed DejaVuSans-Bold.ttf
	bold []byte
)

// Use registers the family on pdf: styles "" and "B", and "I" (the regular
// face; DejaVu Sans Oblique is not vendored).
func Use(pdf *fpdf.Fpdf) {
	pdf.AddUTF8FontFromBytes(Family, "", regular)
	pdf.AddUTF8FontFromBytes(Family, "B", bold)
	pdf.AddUTF8FontFromBytes(Family, "I", regular)
}

// covered is a bitmap of the Basic Multilingual Plane: the runes both faces
// have a glyph for. Built once.
var (
	coverOnce sync.Once
	covered   []uint64
)

func coverage() []uint64 {
	coverOnce.Do(func() {
		covered = make([]uint64, 0x10000/64)
		var fonts []*sfnt.Font
		for _, b := range [][]byte{regular, bold} {
			f, err := sfnt.Parse(b)
			if err != nil {
				panic("pdffont: " + err.Error()) // the embedded files are fixed
			}
			fonts = append(fonts, f)
		}
		var buf sfnt.Buffer
		for r := rune(0x20); r < 0x10000; r++ {
			ok := true
			for _, f := range fonts {
				if g, err := f.GlyphIndex(&buf, r); err != nil || g == 0 {
					ok = false
					break
				}
			}
			if ok {
				covered[r/64] |= 1 << (uint(r) % 64)
			}
		}
	})
	return covered
}

// Has reports whether the font writes r.
func Has(r rune) bool {
	if r < 0 || r >= 0x10000 {
		return false
	}
	return coverage()[r/64]&(1<<(uint(r)%64)) != 0
}

// Text is s as the font can write it: line breaks kept, tabs and other
// spaces as a space, other control characters dropped, and every character
// the font lacks (emoji, characters outside the Basic Multilingual Plane,
// which fpdf cannot encode) replaced by Placeholder. Emoji sequences
// (variation selectors, joiners) give one placeholder.
func Text(s string) string {
	clean := true
	for _, r := range s {
		if r != '\n' && (!Has(r) || r == '\u200d' || r == '\ufe0f' || r == '\ufe0e') {
			clean = false
			break
		}
	}
	if clean {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	placeholder, joined := false, false // the last character written was a placeholder; a joiner follows it
	for _, r := range s {
		switch {
		case r == '\u200d':
			// a zero-width joiner: what follows belongs to the placeholder
			joined = placeholder
		case r == '\ufe0f' || r == '\ufe0e' || (r >= 0x1f3fb && r <= 0x1f3ff):
			// a variation selector or skin tone modifies the character
			// before it: nothing of its own
		case r == '\n' || (Has(r) && !unicode.IsControl(r)):
			b.WriteRune(r)
			placeholder, joined = false, false
		case r == '\t' || unicode.IsSpace(r):
			b.WriteByte(' ')
			placeholder, joined = false, false
		case unicode.IsControl(r):
		default:
			if !joined {
				b.WriteRune(Placeholder)
			}
			placeholder, joined = true, false
		}
	}
	return b.String()
}
