package web

import (
	"fmt"
	"regexp"
	"strings"
	"testing"

	qrcode "github.com/skip2/go-qrcode"
)

// TestQRSVG: the SVG draws exactly the QR code's dark modules (the path's
// runs give back the bitmap), at its size, labelled; the label is escaped;
// no text draws nothing.
func TestQRSVG(t *testing.T) {
	for _, text := range []string{"6PNMWC", "XASEHMH9", "https://masseflyt.no/t/baerum/gate?code=XASEHMH9"} {
		svg := string(qrSVG(text, `QR <"`+text+`">`))
		q, err := qrcode.New(text, qrcode.Medium)
		if err != nil {
			t.Fatal(err)
		}
		want := q.Bitmap()
		n := len(want)
		if !strings.Contains(svg, fmt.Sprintf(`viewBox="0 0 %d %d"`, n, n)) || !strings.Contains(svg, `aria-label="QR &lt;&#34;`+text) || !strings.Contains(svg, `role="img"`) {
			t.Fatalf("%s: header %.200s", text, svg)
		}
		got := make([][]bool, n)
		for i := range got {
			got[i] = make([]bool, n)
		}
		for _, m := range regexp.MustCompile(`M(\d+) (\d+)h(\d+)v1h-(\d+)z`).FindAllStringSubmatch(svg, -1) {
			var x, y, w int
			fmt.Sscan(m[1], &x)
			fmt.Sscan(m[2], &y)
			fmt.Sscan(m[3], &w)
			for i := 0; i < w; i++ {
				got[y][x+i] = true
			}
		}
		for y := range want {
			for x := range want[y] {
				if got[y][x] != want[y][x] {
					t.Fatalf("%s: module (%d,%d) is %v, want %v", text, x, y, got[y][x], want[y][x])
				}
			}
		}
	}
	if qrSVG("", "x") != "" {
		t.Error("an empty code drew a QR code")
	}
}
