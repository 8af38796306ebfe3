package admin_test

import (
	"bytes"
	"encoding/binary"
	"encoding/xml"
	"hash/crc32"
	"image"
	"image/color"
	"image/png"
	"strings"
	"testing"

	"github.com/masseflyt/masseflyt/admin"
)

// pngOf encodes a small image.
func pngOf(t testing.TB, w, h int) []byte {
	t.Helper()
	img := image.NewNRGBA(image.Rect(0, 0, w, h))
	img.Set(0, 0, color.NRGBA{200, 0, 0, 255})
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// HugePNG is a valid small PNG whose header claims w×h pixels (what an
// 8000×8000 logo looks like to a decoder before the pixels).
func HugePNG(t testing.TB, w, h uint32) []byte {
	b := pngOf(t, 1, 1)
	// IHDR data starts at 16: width, height; its CRC covers type and data.
	binary.BigEndian.PutUint32(b[16:], w)
	binary.BigEndian.PutUint32(b[20:], h)
	binary.BigEndian.PutUint32(b[29:], crc32.ChecksumIEEE(b[12:29]))
	return b
}

// TestLogoPixelsM13: a bitmap logo's size is read from its header and one
// over 4096×4096 is refused before any pixel is decoded.
func TestLogoPixelsM13(t *testing.T) {
	if ct, ok := admin.SniffLogo(pngOf(t, 64, 32)); !ok || ct != "image/png" {
		t.Fatalf("a small PNG: %q %v", ct, ok)
	}
	if ct, ok := admin.SniffLogo(HugePNG(t, 4096, 4096)); !ok || ct != "image/png" {
		t.Fatalf("4096×4096: %q %v", ct, ok)
	}
	huge := HugePNG(t, 8000, 8000)
	if _, ok := admin.SniffLogo(huge); ok {
		t.Fatal("an 8000×8000 PNG was accepted")
	}
	if _, err := admin.LogoConfig(huge); err != admin.ErrLogoPixels {
		t.Fatalf("LogoConfig: %v", err)
	}
	if _, err := admin.DecodeLogo(huge); err != admin.ErrLogoPixels {
		t.Fatalf("DecodeLogo decoded an 8000×8000 logo: %v", err)
	}
	if _, err := admin.DecodeLogo(HugePNG(t, 1, 100000)); err != admin.ErrLogoPixels {
		t.Fatalf("1×100000: %v", err)
	}
}

// svgXSS are known SVG XSS payloads (OWASP, PortSwigger, HTML5 Security
// Cheatsheet): none of them may survive sanitising.
var svgXSS = []string{
	`<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>`,
	`<svg xmlns="http://www.w3.org/2000/svg"><SCRIPT>alert(1)</SCRIPT></svg>`,
	`<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>`,
	`<svg xmlns="http://www.w3.org/2000/svg" ONLOAD="alert(1)"><rect/></svg>`,
	`<svg xmlns="http://www.w3.org/2000/svg"><rect width="10" height="10" onclick="alert(1)" onmouseover="alert(1)"/></svg>`,
	`<svg xmlns="http://www.w3.org/2000/svg"><animate onbegin="alert(1)" attributeName="x" dur="1s"/></svg>`,
	`<svg xmlns="http://www.w3.org/2000/svg"><set attributeName="onmouseover" to="alert(1)"/></svg>`,
	`<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink"><a xlink:href="javascript:alert(1)"><rect width="10" height="10"/></a></svg>`,
	`<svg xmlns="http://www.w3.org/2000/svg"><a href="javascript:alert(1)"><text x="0" y="10">x</text></a></svg>`,
	`<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink"><use xlink:href="data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+#x"/></svg>`,
	`<svg xmlns="http://www.w3.org/2000/svg"><use href="https://evil.example/x.svg#a"/></svg>`,
	`<svg xmlns="http://www.w3.org/2000/svg"><image href="https://evil.example/track.png"/></svg>`,
	`<svg xmlns="http://www.w3.org/2000/svg"><foreignObject><iframe xmlns="http://www.w3.org/1999/xhtml" src="javascript:alert(1)"></iframe></foreignObject></svg>`,
	`<svg xmlns="http://www.w3.org/2000/svg"><foreignObject><body xmlns="http://www.w3.org/1999/xhtml"><img src="x" onerror="alert(1)"/></body></foreignObject></svg>`,
	`<svg xmlns="http://www.w3.org/2000/svg"><style>@import url(https://evil.example/x.css); rect{background:url(javascript:alert(1))}</style></svg>`,
	`<svg xmlns="http://www.w3.org/2000/svg"><rect style="fill:url(https://evil.example/x)" fill="url(javascript:alert(1))"/></svg>`,
	`<svg xmlns="http://www.w3.org/2000/svg"><rect fill="url(https://evil.example/#x)"/></svg>`,
	`<svg xmlns="http://www.w3.org/2000/svg"><handler xmlns:ev="http://www.w3.org/2001/xml-events" ev:event="load">alert(1)</handler></svg>`,
	`<svg xmlns="http://www.w3.org/2000/svg"><script xlink:href="https://evil.example/x.js" xmlns:xlink="http://www.w3.org/1999/xlink"/></svg>`,
	`<svg xmlns="http://www.w3.org/2000/svg"><g><g><script>alert(1)</script></g></g><!-- <script>alert(2)</script> --></svg>`,
	`<svg xmlns="http://www.w3.org/2000/svg"><x:script xmlns:x="http://www.w3.org/1999/xhtml">alert(1)</x:script></svg>`,
	`<svg xmlns="http://www.w3.org/2000/svg"><text x="0" y="10">&lt;script&gt;alert(1)&lt;/script&gt;</text></svg>`,
	`<svg xmlns="http://www.w3.org/2000/svg"><iframe src="javascript:alert(1)"/><embed src="x.swf"/><object data="x"/></svg>`,
	`<svg xmlns="http://www.w3.org/2000/svg"><rect fill="&#106;avascript:alert(1)"/></svg>`,
	`<svg xmlns="http://www.w3.org/2000/svg"><a><animate attributeName="href" values="javascript:alert(1)"/><text>x</text></a></svg>`,
	`<svg xmlns="http://www.w3.org/2000/svg"><discard onbegin="alert(1)"/></svg>`,
}

// TestSVGSanitizeL3: the SVG filter keeps an allowlist of elements and
// attributes; every known payload comes out harmless, and a clean logo
// keeps its drawing.
func TestSVGSanitizeL3(t *testing.T) {
	for _, p := range svgXSS {
		out, err := admin.SanitizeSVG([]byte(p))
		if err != nil {
			continue // refused outright is fine
		}
		l := strings.ToLower(string(out))
		for _, bad := range []string{"<script", "javascript:", "on", "<foreignobject", "<iframe", "<style", "<image", "<a ", "<a>", "<animate", "<set", "data:", "https:", "@import", "<handler", "<embed", "<object", "<discard"} {
			if bad == "on" {
				if strings.Contains(l, " on") && strings.Contains(l, "=\"alert") {
					t.Errorf("%s\n→ %s: an event handler survived", p, out)
				}
				continue
			}
			if strings.Contains(l, bad) && !strings.Contains(l, "&lt;script") {
				t.Errorf("%s\n→ %s: %q survived", p, out, bad)
			}
		}
	}
	for _, bad := range []string{
		`<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY x SYSTEM "file:///etc/passwd">]><svg xmlns="http://www.w3.org/2000/svg"><text>&x;</text></svg>`,
		`<html><script>alert(1)</script></html>`,
		`<svg xmlns="http://www.w3.org/2000/svg"><rect>`,
		`not xml`,
	} {
		if out, err := admin.SanitizeSVG([]byte(bad)); err == nil {
			t.Errorf("%s accepted as %s", bad, out)
		}
		if _, ok := admin.SniffLogo([]byte(bad)); ok {
			t.Errorf("SniffLogo accepted %s", bad)
		}
	}
	clean := `<?xml version="1.0" encoding="UTF-8"?>
<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" viewBox="0 0 100 40" width="100" height="40">
<defs><linearGradient id="g"><stop offset="0" stop-color="#1f5f3f"/></linearGradient></defs>
<title>Bærum kommune</title><rect width="100" height="40" fill="url(#g)"/><use xlink:href="#g"/>
<path d="M0 0L10 10" stroke="#fff" stroke-width="2"/><text x="5" y="30" font-family="sans-serif">Bærum</text></svg>`
	out, err := admin.SanitizeSVG([]byte(clean))
	if err != nil {
		t.Fatal(err)
	}
	for _, keep := range []string{`viewBox="0 0 100 40"`, `fill="url(#g)"`, `xlink:href="#g"`, `<path d="M0 0L10 10"`, "Bærum</text>", "<linearGradient", "<title>"} {
		if !strings.Contains(string(out), keep) {
			t.Errorf("lost %s: %s", keep, out)
		}
	}
	if ct, ok := admin.SniffLogo([]byte(clean)); !ok || ct != "image/svg+xml" {
		t.Fatal("a clean SVG was refused")
	}
	// Sanitising is idempotent: what is stored sanitises to itself.
	again, err := admin.SanitizeSVG(out)
	if err != nil || !bytes.Equal(again, out) {
		t.Fatalf("not idempotent:\n%s\n%s", out, again)
	}
}

// FuzzSniffLogo: sniffing and sanitising never panic; what SanitizeSVG
// returns sanitises to itself and carries no script, handler or external
// reference.
func FuzzSniffLogo(f *testing.F) {
	for _, p := range svgXSS {
		f.Add([]byte(p))
	}
	f.Add(pngOf(f, 4, 4))
	f.Add(HugePNG(f, 8000, 8000))
	f.Add([]byte(`<svg xmlns="http://www.w3.org/2000/svg"><rect fill="url(#a)"/></svg>`))
	f.Fuzz(func(t *testing.T, data []byte) {
		admin.SniffLogo(data)
		out, err := admin.SanitizeSVG(data)
		if err != nil {
			return
		}
		again, err := admin.SanitizeSVG(out)
		if err != nil || !bytes.Equal(again, out) {
			t.Fatalf("not idempotent: %q → %q → %q (%v)", data, out, again, err)
		}
		d := xml.NewDecoder(bytes.NewReader(out))
		for {
			tok, err := d.Token()
			if err != nil {
				break
			}
			el, ok := tok.(xml.StartElement)
			if !ok {
				continue
			}
			switch strings.ToLower(el.Name.Local) {
			case "script", "foreignobject", "style", "image", "a", "iframe", "animate", "set", "handler", "object", "embed":
				t.Fatalf("<%s> survived in %q", el.Name.Local, out)
			}
			for _, a := range el.Attr {
				v := strings.ToLower(strings.Join(strings.Fields(a.Value), ""))
				if strings.HasPrefix(strings.ToLower(a.Name.Local), "on") || a.Name.Local == "style" || strings.Contains(v, "javascript:") || strings.Contains(v, "data:") || (a.Name.Local == "href" && !strings.HasPrefix(v, "#")) {
					t.Fatalf("attribute %s=%q survived in %q", a.Name.Local, a.Value, out)
				}
			}
		}
	})
}
