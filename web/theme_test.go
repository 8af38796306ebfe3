package web

import (
	"math"
	"strings"
	"testing"
)

func TestUIThemeContrastMath(t *testing.T) {
	for _, c := range []struct {
		a, b string
		want float64
	}{
		{"#000000", "#ffffff", 21},
		{"#ffffff", "#ffffff", 1},
		{"#777777", "#ffffff", 4.48},
		{"#0a4d8c", "#ffffff", 8.56},
		{"#ffd500", "#ffffff", 1.42},
	} {
		a, _ := ParseHex(c.a)
		b, _ := ParseHex(c.b)
		if got := Contrast(a, b); math.Abs(got-c.want) > 0.01 {
			t.Errorf("Contrast(%s, %s) = %.3f, want %.2f", c.a, c.b, got, c.want)
		}
	}
	if _, ok := ParseHex("#12345"); ok {
		t.Error("ParseHex accepted 5 digits")
	}
	if c, ok := ParseHex("#abc"); !ok || c.Hex() != "#aabbcc" {
		t.Errorf("ParseHex(#abc) = %v %v", c, ok)
	}
}

// Every pair the stylesheet puts together reaches AA, for any colours a
// region may choose: a sweep of the colour cube, light yellow included.
func TestUIThemeContrastByConstruction(t *testing.T) {
	var cols []string
	for r := 0; r < 256; r += 17 {
		for g := 0; g < 256; g += 17 {
			for b := 0; b < 256; b += 51 {
				cols = append(cols, RGB{uint8(r), uint8(g), uint8(b)}.Hex())
			}
		}
	}
	cols = append(cols, "#ffff00", "#ffd500", "#f2b134", "#ffffff", "#000000", "#1f5f3f")
	for i, p := range cols {
		th := DeriveTheme(p, cols[len(cols)-1-i])
		check := func(what string, a, b RGB, min float64) {
			if got := Contrast(a, b); got < min {
				t.Fatalf("primary %s accent %s: %s %s on %s = %.2f < %.1f", p, cols[len(cols)-1-i], what, a.Hex(), b.Hex(), got, min)
			}
		}
		check("header text", th.OnBrand, th.Brand, ContrastText)
		check("link", th.Strong, white, ContrastText)
		check("button text", white, th.Strong, ContrastText)
		check("button hover text", white, th.StrongHover, ContrastText)
		check("field border", th.Border, white, ContrastUI)
		check("text on tint", black, th.Tinted, ContrastText)
		check("accent marker", th.AccentUI, white, ContrastUI)
		check("text on accent", th.OnAccent, th.Accent, ContrastText)
	}
}

func TestUIThemeLightYellowAdjusted(t *testing.T) {
	th := DeriveTheme("#ffd500", "#f2b134")
	if th.OnBrand != black {
		t.Errorf("text on yellow = %s, want black", th.OnBrand.Hex())
	}
	if len(th.Adjusted) == 0 || th.Adjusted[0] != "color_primary" {
		t.Errorf("Adjusted = %v, want color_primary", th.Adjusted)
	}
	css := th.CSS()
	for _, want := range []string{"--brand:#ffd500;", "--on-brand:#000000;", "--ds-color-accent-base-default:" + th.Strong.Hex(), "--ds-color-brand1-base-default:#f2b134"} {
		if !strings.Contains(css, want) {
			t.Errorf("theme CSS lacks %q:\n%s", want, css)
		}
	}
	if d := DeriveTheme("#1f5f3f", "#f2b134"); len(d.Adjusted) != 1 || d.Adjusted[0] != "color_accent" || d.Strong.Hex() != "#1f5f3f" {
		t.Errorf("default colours: Adjusted %v, Strong %s", d.Adjusted, d.Strong.Hex())
	}
}

// The Designsystemet tokens the buttons use keep their text readable in
// every state.
func TestUIThemeButtonTokens(t *testing.T) {
	for _, p := range []string{"#ffd500", "#ffffff", "#1f5f3f", "#000000", "#777777", "#00ff00"} {
		th := DeriveTheme(p, "#f2b134")
		css := th.CSS()
		for _, k := range []string{"base-default", "base-hover", "base-active"} {
			bg := token(t, css, "--ds-color-accent-"+k)
			on := token(t, css, "--ds-color-accent-base-contrast-default")
			if c := Contrast(bg, on); c < ContrastText {
				t.Errorf("primary %s: button text %s on %s (%s) = %.2f", p, on.Hex(), bg.Hex(), k, c)
			}
		}
		for _, k := range []string{"base-default", "base-hover", "base-active"} {
			bg := token(t, css, "--ds-color-brand1-"+k)
			on := token(t, css, "--ds-color-brand1-base-contrast-default")
			if c := Contrast(bg, on); c < ContrastText {
				t.Errorf("accent: text %s on %s (%s) = %.2f", on.Hex(), bg.Hex(), k, c)
			}
		}
		if c := Contrast(token(t, css, "--ds-color-accent-text-subtle"), white); c < ContrastText {
			t.Errorf("primary %s: link colour on white = %.2f", p, c)
		}
	}
}

func token(t *testing.T, css, name string) RGB {
	t.Helper()
	i := strings.Index(css, name+":")
	if i < 0 {
		t.Fatalf("no %s in %s", name, css)
	}
	c, ok := ParseHex(css[i+len(name)+1 : i+len(name)+8])
	if !ok {
		t.Fatalf("unreadable %s", name)
	}
	return c
}
