package admin

import (
	"bytes"
	"encoding/xml"
	"errors"
	"image"
	"io"
	"strings"

	// Decoders for the bitmap logos (their headers are read first).
	_ "image/jpeg"
	_ "image/png"

	_ "golang.org/x/image/webp"
)

// MaxLogoPixels is the largest width and height of a bitmap logo (M13): a
// logo's header is read before any pixel is decoded.
const MaxLogoPixels = 4096

// ErrLogoPixels: a bitmap logo is wider or taller than MaxLogoPixels.
var ErrLogoPixels = errors.New("logo: too many pixels")

// LogoConfig reads a bitmap logo's header (its size, not its pixels) and
// refuses one larger than MaxLogoPixels in either direction.
func LogoConfig(data []byte) (image.Config, error) {
	cfg, _, err := image.DecodeConfig(bytes.NewReader(data))
	if err != nil {
		return cfg, err
	}
	if cfg.Width <= 0 || cfg.Height <= 0 || cfg.Width > MaxLogoPixels || cfg.Height > MaxLogoPixels {
		return cfg, ErrLogoPixels
	}
	return cfg, nil
}

// DecodeLogo decodes a bitmap logo after checking its header.
func DecodeLogo(data []byte) (image.Image, error) {
	if _, err := LogoConfig(data); err != nil {
		return nil, err
	}
	img, _, err := image.Decode(bytes.NewReader(data))
	return img, err
}

const (
	svgNS   = "http://www.w3.org/2000/svg"
	xlinkNS = "http://www.w3.org/1999/xlink"
)

// svgElements are the elements a logo may keep: shapes, text, groups,
// gradients and clipping. Anything else (script, foreignObject, style,
// image, animate, set, a, iframe, …) is dropped with everything inside it.
var svgElements = map[string]bool{
	"svg": true, "g": true, "path": true, "rect": true, "circle": true, "ellipse": true, "line": true,
	"polyline": true, "polygon": true, "text": true, "tspan": true, "defs": true, "title": true, "desc": true,
	"lineargradient": true, "radialgradient": true, "stop": true, "clippath": true, "use": true, "symbol": true,
}

// svgAttrs are the presentation and geometry attributes a logo may keep;
// no event handler (on*), no style, no external reference.
var svgAttrs = map[string]bool{
	"id": true, "class": true, "width": true, "height": true, "viewbox": true, "preserveaspectratio": true, "version": true,
	"x": true, "y": true, "x1": true, "y1": true, "x2": true, "y2": true, "cx": true, "cy": true, "r": true, "rx": true, "ry": true,
	"fx": true, "fy": true, "d": true, "points": true, "transform": true, "opacity": true,
	"fill": true, "fill-opacity": true, "fill-rule": true, "stroke": true, "stroke-width": true, "stroke-opacity": true,
	"stroke-linecap": true, "stroke-linejoin": true, "stroke-miterlimit": true, "stroke-dasharray": true, "stroke-dashoffset": true,
	"offset": true, "stop-color": true, "stop-opacity": true, "gradientunits": true, "gradienttransform": true, "spreadmethod": true,
	"clip-path": true, "clip-rule": true, "clippathunits": true, "font-family": true, "font-size": true, "font-weight": true,
	"font-style": true, "text-anchor": true, "dominant-baseline": true, "letter-spacing": true, "dx": true, "dy": true,
	"visibility": true, "display": true, "color": true,
}

// SanitizeSVG parses an SVG logo and writes it again with only allowed
// elements and attributes (L3): no scripts, no event handlers, no style,
// no foreignObject, no external references or javascript:/data: URLs
// (href only to "#id" within the file, url() only to "#id"), no DTD,
// entities, comments or processing instructions. It fails when the file is
// not well-formed XML with an <svg> root.
func SanitizeSVG(data []byte) ([]byte, error) {
	d := xml.NewDecoder(bytes.NewReader(data))
	d.Strict = true
	d.Entity = nil
	var out bytes.Buffer
	out.WriteString(`<?xml version="1.0" encoding="UTF-8"?>` + "\n")
	depth, skip, tokens := 0, 0, 0 // skip > 0: inside a dropped element
	root := false
	for {
		tok, err := d.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, err
		}
		if tokens++; tokens > 100_000 {
			return nil, errors.New("svg: too many nodes")
		}
		switch t := tok.(type) {
		case xml.StartElement:
			depth++
			if depth > 64 {
				return nil, errors.New("svg: too deep")
			}
			name := strings.ToLower(t.Name.Local)
			if depth == 1 {
				if name != "svg" || (t.Name.Space != svgNS && t.Name.Space != "") {
					return nil, errors.New("svg: the root is not <svg>")
				}
				root = true
			}
			if skip > 0 || !svgElements[name] || (t.Name.Space != svgNS && t.Name.Space != "") {
				if svgActive[name] {
					return nil, ErrSVGActive
				}
				skip++
				continue
			}
			out.WriteString("<" + t.Name.Local)
			if depth == 1 {
				out.WriteString(` xmlns="` + svgNS + `" xmlns:xlink="` + xlinkNS + `"`)
			}
			for _, a := range t.Attr {
				if activeAttr(a) {
					return nil, ErrSVGActive
				}
				if k, v, ok := svgAttr(a); ok {
					out.WriteString(" " + k + `="`)
					_ = xml.EscapeText(&out, []byte(v))
					out.WriteString(`"`)
				}
			}
			out.WriteString(">")
		case xml.EndElement:
			depth--
			if skip > 0 {
				skip--
				continue
			}
			out.WriteString("</" + t.Name.Local + ">")
		case xml.CharData:
			if skip == 0 && depth > 0 {
				_ = xml.EscapeText(&out, t)
			}
		case xml.Directive:
			// <!DOCTYPE …> and <!ENTITY …>: never kept.
			if depth == 0 && bytes.Contains(bytes.ToUpper(t), []byte("ENTITY")) {
				return nil, errors.New("svg: entities are not allowed")
			}
		case xml.Comment, xml.ProcInst:
		}
	}
	if !root || depth != 0 {
		return nil, errors.New("svg: no <svg> root")
	}
	return out.Bytes(), nil
}

// ErrSVGActive: an SVG logo with active content (a script, an event
// handler, an embedded document, a link or reference out of the file) is
// refused, so the admin learns it; inert extras (editor metadata, unknown
// attributes) are dropped silently.
var ErrSVGActive = errors.New("svg: active content")

// svgActive are elements that run code, embed documents or reach out.
var svgActive = map[string]bool{
	"script": true, "foreignobject": true, "iframe": true, "object": true, "embed": true, "handler": true,
	"listener": true, "animate": true, "set": true, "animatemotion": true, "animatetransform": true,
	"image": true, "a": true, "style": true, "link": true, "feimage": true, "discard": true,
}

// activeAttr: an event handler, or a reference or URL leaving the file.
func activeAttr(a xml.Attr) bool {
	name := strings.ToLower(a.Name.Local)
	if strings.HasPrefix(name, "on") {
		return true
	}
	v := strings.ToLower(strings.Join(strings.Fields(a.Value), ""))
	if name == "href" || name == "src" || name == "style" {
		return !strings.HasPrefix(v, "#") && name != "style" || strings.Contains(v, "url(") && !strings.Contains(v, "url(#")
	}
	return strings.Contains(v, "javascript:") || strings.Contains(v, "vbscript:") || strings.Contains(v, "data:") ||
		(strings.Contains(v, "url(") && !safeSVGValue(v))
}

// svgAttr keeps an allowed attribute, with its name as written out.
func svgAttr(a xml.Attr) (string, string, bool) {
	name := strings.ToLower(a.Name.Local)
	v := strings.TrimSpace(a.Value)
	if a.Name.Space == "xmlns" || (a.Name.Space == "" && name == "xmlns") {
		return "", "", false // namespaces are declared once on the root
	}
	if name == "href" && (a.Name.Space == "" || a.Name.Space == xlinkNS || a.Name.Space == "xlink") {
		if strings.HasPrefix(v, "#") && !strings.ContainsAny(v, " ()<>\"'\\:") {
			return "xlink:href", v, true
		}
		return "", "", false
	}
	if a.Name.Space != "" || !svgAttrs[name] {
		return "", "", false
	}
	if !safeSVGValue(v) {
		return "", "", false
	}
	return a.Name.Local, v, true
}

// safeSVGValue refuses values that reach outside the file or run code.
func safeSVGValue(v string) bool {
	l := strings.ToLower(strings.Join(strings.Fields(v), ""))
	for _, bad := range []string{"javascript:", "vbscript:", "data:", "expression(", "@import", "<", "&#", "\\"} {
		if strings.Contains(l, bad) {
			return false
		}
	}
	// url(…) only to an element of this file: url(#id).
	for i := strings.Index(l, "url("); i >= 0; i = strings.Index(l, "url(") {
		rest := strings.TrimLeft(l[i+4:], `"'`)
		if !strings.HasPrefix(rest, "#") {
			return false
		}
		l = l[i+4:]
	}
	return true
}
