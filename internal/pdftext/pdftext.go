// Package pdftext reads back, for tests, what the platform's PDFs show:
// fpdf deflates each page's content stream, and with a Unicode font
// (core/pdffont, Identity-H, whose ToUnicode map is the identity) writes
// each text operator's string as UTF-16BE code units.
package pdftext

import (
	"bytes"
	"compress/zlib"
	"io"
	"regexp"
	"unicode/utf16"
)

var (
	streamRe = regexp.MustCompile(`(?s)stream\r?\n(.*?)\r?\nendstream`)
	tjRe     = regexp.MustCompile(`(?s)\(((?:\\.|[^\\)])*)\) ?Tj`)
)

// Streams are the PDF's deflated streams, inflated, in file order (pages'
// content and embedded font data); streams that are not deflated are left
// out.
func Streams(pdf []byte) [][]byte {
	var out [][]byte
	for _, m := range streamRe.FindAllSubmatch(pdf, -1) {
		r, err := zlib.NewReader(bytes.NewReader(m[1]))
		if err != nil {
			continue
		}
		if b, err := io.ReadAll(r); err == nil {
			out = append(out, b)
		}
	}
	return out
}

// Strings are the strings of a content stream's text operators, decoded
// from UTF-16BE, in order.
func Strings(stream []byte) []string {
	var out []string
	for _, m := range tjRe.FindAllSubmatch(stream, -1) {
		b := unescape(m[1])
		u := make([]uint16, 0, len(b)/2)
		for i := 0; i+1 < len(b); i += 2 {
			u = append(u, uint16(b[i])<<8|uint16(b[i+1]))
		}
		out = append(out, string(utf16.Decode(u)))
	}
	return out
}

// Pages are the strings of each content stream that shows text (fpdf
// writes one per page).
func Pages(pdf []byte) [][]string {
	var pages [][]string
	for _, s := range Streams(pdf) {
		if cells := Strings(s); len(cells) > 0 {
			pages = append(pages, cells)
		}
	}
	return pages
}

// unescape undoes a PDF literal string's backslash escapes.
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
