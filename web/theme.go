package web

import (
	"fmt"
	"math"
	"strconv"
	"strings"
)

// WCAG 2.1 levels: AA for normal text, and for user-interface components
// and graphical objects (1.4.3, 1.4.11).
const (
	ContrastText = 4.5
	ContrastUI   = 3.0
)

// RGB is an sRGB colour with 8-bit channels.
type RGB struct{ R, G, B uint8 }

// ParseHex reads "#rrggbb" or "#rgb" (the leading # is optional).
func ParseHex(s string) (RGB, bool) {
	s = strings.TrimPrefix(strings.TrimSpace(s), "#")
	if len(s) == 3 {
		s = string([]byte{s[0], s[0], s[1], s[1], s[2], s[2]})
	}
	if len(s) != 6 {
		return RGB{}, false
	}
	v, err := strconv.ParseUint(s, 16, 32)
	if err != nil {
		return RGB{}, false
	}
	return RGB{uint8(v >> 16), uint8(v >> 8), uint8(v)}, true
}

// Hex writes the colour as "#rrggbb".
func (c RGB) Hex() string { return fmt.Sprintf("#%02x%02x%02x", c.R, c.G, c.B) }

var (
	white = RGB{255, 255, 255}
	black = RGB{0, 0, 0}
)

func linear(v uint8) float64 {
	c := float64(v) / 255
	if c <= 0.04045 {
		return c / 12.92
	}
	return math.Pow((c+0.055)/1.055, 2.4)
}

// Luminance is the WCAG 2.1 relative luminance, 0 (black) to 1 (white).
func (c RGB) Luminance() float64 {
	return 0.2126*linear(c.R) + 0.7152*linear(c.G) + 0.0722*linear(c.B)
}

// Contrast is the WCAG 2.1 contrast ratio of two colours, 1 to 21.
func Contrast(a, b RGB) float64 {
	la, lb := a.Luminance(), b.Luminance()
	if la < lb {
		la, lb = lb, la
	}
	return (la + 0.05) / (lb + 0.05)
}

// Mix moves c towards t by the fraction f (0: c, 1: t).
func Mix(c, t RGB, f float64) RGB {
	m := func(a, b uint8) uint8 { return uint8(math.Round(float64(a) + (float64(b)-float64(a))*f)) }
	return RGB{m(c.R, t.R), m(c.G, t.G), m(c.B, t.B)}
}

// OnColor is the text colour for c: black or white, whichever contrasts
// more. One of them always reaches 4.5:1 (the worst case is about 4.58:1).
func OnColor(c RGB) RGB {
	if Contrast(c, black) >= Contrast(c, white) {
		return black
	}
	return white
}

// Reach returns c, or the shade of c nearest to it, mixed towards black or
// white, that has at least ratio against bg. The second result says whether
// c had to change. Mixing towards black (or white) ends at black (or white),
// so for bg white or black and ratio up to 21 it always succeeds.
func Reach(c, bg RGB, ratio float64) (RGB, bool) {
	if Contrast(c, bg) >= ratio {
		return c, false
	}
	toward := black
	if bg.Luminance() < 0.18 {
		toward = white
	}
	for i := 1; i <= 100; i++ {
		m := Mix(c, toward, float64(i)/100)
		if Contrast(m, bg) >= ratio {
			return m, true
		}
	}
	return toward, true
}

// Theme is the colour set a region's pages use, derived from its main
// (brand) and accent colours so that every text/background pair the CSS
// uses reaches WCAG 2.1 AA by construction.
type Theme struct {
	Brand   RGB // the main colour as chosen: the header's background
	OnBrand RGB // text on Brand (black or white)
	// Strong is Brand darkened until white text on it and it as text on
	// white reach 4.5:1: links, buttons, key figures.
	Strong      RGB
	StrongHover RGB
	Tinted      RGB // a light tint of Brand for backgrounds (text ≥ 4.5:1)
	Subtle      RGB // a light tint for borders of subtle elements
	Border      RGB // Brand at ≥ 3:1 against white: borders of fields, focus
	Accent      RGB // the accent colour as chosen: decorative stripes
	AccentUI    RGB // Accent at ≥ 3:1 against white, where it marks a state
	OnAccent    RGB // text on Accent

	// Adjusted says which chosen colours had to change for use on white:
	// "color_primary" and/or "color_accent".
	Adjusted []string
}

// DeriveTheme computes a region's theme. Unreadable colours fall back to the
// platform's defaults.
func DeriveTheme(primary, accent string) Theme {
	b, ok := ParseHex(primary)
	if !ok {
		b, _ = ParseHex("#1f5f3f")
	}
	a, ok := ParseHex(accent)
	if !ok {
		a, _ = ParseHex("#f2b134")
	}
	t := Theme{Brand: b, OnBrand: OnColor(b), Accent: a, OnAccent: OnColor(a)}
	var changed bool
	t.Strong, changed = Reach(b, white, ContrastText)
	if changed {
		t.Adjusted = append(t.Adjusted, "color_primary")
	}
	// The hover shade is darker still, and keeps white text at 4.5:1.
	t.StrongHover, _ = Reach(Mix(t.Strong, black, 0.2), white, ContrastText)
	t.Border, _ = Reach(b, white, ContrastUI)
	t.Tinted = tint(b, 0.9)
	t.Subtle = tint(b, 0.7)
	t.AccentUI, changed = Reach(a, white, ContrastUI)
	if changed {
		t.Adjusted = append(t.Adjusted, "color_accent")
	}
	return t
}

// tint mixes c with white by f, then darkens it just enough that black text
// on it keeps 4.5:1 (it always does for tints this light).
func tint(c RGB, f float64) RGB {
	m := Mix(c, white, f)
	if Contrast(m, black) < ContrastText*1.5 {
		m = Mix(m, white, 0.5)
	}
	return m
}

// CSS is the region's stylesheet: the app's own custom properties and
// Designsystemet's accent and brand1 colour tokens.
func (t Theme) CSS() string {
	var b strings.Builder
	p := func(k string, c RGB) { fmt.Fprintf(&b, "%s:%s;", k, c.Hex()) }
	b.WriteString(":root,[data-color-scheme=light],[data-color-scheme=auto]{")
	p("--brand", t.Brand)
	p("--on-brand", t.OnBrand)
	p("--brand-strong", t.Strong)
	p("--brand-strong-hover", t.StrongHover)
	p("--brand-tint", t.Tinted)
	p("--brand-border", t.Border)
	p("--accent", t.Accent)
	p("--accent-ui", t.AccentUI)
	p("--on-accent", t.OnAccent)
	for _, s := range []struct {
		name         string
		base, border RGB
	}{{"accent", t.Strong, t.Border}, {"brand1", t.AccentUI, t.AccentUI}} {
		n := "--ds-color-" + s.name + "-"
		base := s.base
		if s.name == "brand1" {
			// brand1 carries the accent colour as chosen on its base (with
			// black or white text) and shades of it reaching AA elsewhere.
			base = t.Accent
		}
		on := OnColor(base)
		// Hover and active move away from the text colour, so the text on
		// them keeps its contrast.
		away := white
		if on == white {
			away = black
		}
		hover, active := Mix(base, away, 0.15), Mix(base, away, 0.28)
		if s.name == "accent" {
			// Strong reaches 4.5:1 against white by construction: white
			// text, and darker shades for hover and active.
			on, hover, active = white, t.StrongHover, Mix(t.StrongHover, black, 0.15)
		}
		text, _ := Reach(Mix(base, black, 0.55), white, ContrastText*1.5)
		subtleText, _ := Reach(base, white, ContrastText)
		p(n+"background-default", white)
		p(n+"background-tinted", tint(base, 0.94))
		p(n+"surface-default", white)
		p(n+"surface-tinted", tint(base, 0.88))
		p(n+"surface-hover", tint(base, 0.8))
		p(n+"surface-active", tint(base, 0.72))
		p(n+"border-subtle", tint(base, 0.55))
		p(n+"border-default", s.border)
		bs, _ := Reach(s.border, white, ContrastText)
		p(n+"border-strong", bs)
		p(n+"text-subtle", subtleText)
		p(n+"text-default", text)
		p(n+"base-default", base)
		p(n+"base-hover", hover)
		p(n+"base-active", active)
		p(n+"base-contrast-default", on)
		p(n+"base-contrast-subtle", Mix(on, base, 0.15))
	}
	b.WriteString("}\n")
	return b.String()
}

// ColorNote is what the admin page says under a colour field when the
// colour was adjusted: the shade used on white and the text colour on it
// (a message key for black or white); nil when nothing changed.
func (t Theme) ColorNote(field string) *ColorNote {
	for _, f := range t.Adjusted {
		if f != field {
			continue
		}
		n := &ColorNote{Used: t.Strong.Hex(), Text: "ColorWhite"}
		on := t.OnBrand
		if field == "color_accent" {
			n.Used, on = t.AccentUI.Hex(), t.OnAccent
		}
		if on == black {
			n.Text = "ColorBlack"
		}
		return n
	}
	return nil
}

// ColorNote describes an adjusted colour (Theme.ColorNote).
type ColorNote struct{ Used, Text string }
