package web_test

import (
	"bytes"
	"encoding/binary"
	"hash/crc32"
	"image"
	"image/png"
	"sync"
	"testing"
	"time"

	"github.com/masseflyt/masseflyt/internal/apitest"
	"github.com/masseflyt/masseflyt/tenants"
	"github.com/masseflyt/masseflyt/web"
)

// claimsPixels is a 1×1 PNG whose header claims w×h pixels.
func claimsPixels(t *testing.T, w, h uint32) []byte {
	var b bytes.Buffer
	if err := png.Encode(&b, image.NewNRGBA(image.Rect(0, 0, 1, 1))); err != nil {
		t.Fatal(err)
	}
	p := b.Bytes()
	binary.BigEndian.PutUint32(p[16:], w)
	binary.BigEndian.PutUint32(p[20:], h)
	binary.BigEndian.PutUint32(p[29:], crc32.ChecksumIEEE(p[12:29]))
	return p
}

// TestLogoIconsM13: a stored logo over 4096×4096 (one from before the
// limit) is never decoded: the icon falls back to the drawn heap at once;
// icons are drawn once per logo change, and many requests at once for a
// new logo are answered from one drawing.
func TestLogoIconsM13(t *testing.T) {
	start := time.Now()
	b, err := web.DrawIcon(&tenants.Tenant{ColorPrimary: "#1f5f3f", ColorAccent: "#ffcc00", Logo: claimsPixels(t, 8000, 8000), LogoType: "image/png"}, 512, false)
	if err != nil || time.Since(start) > 2*time.Second {
		t.Fatalf("an 8000×8000 logo: %v after %v", err, time.Since(start))
	}
	if _, err := png.Decode(bytes.NewReader(b)); err != nil {
		t.Fatal(err)
	}

	e := apitest.New(t, "sqlite")
	tn := e.Tenant("rogaland")
	if err := e.App.Tenants.SetLogo(e.Ctx("rogaland"), tn.ID, "image/png", claimsPixels(t, 8000, 8000)); err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	bodies := make([][]byte, 16)
	start = time.Now()
	for i := range bodies {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r := e.Do(apitest.Request{Path: "/t/rogaland/icons/icon-512.png"})
			if r.Status != 200 {
				t.Errorf("icon: %d", r.Status)
			}
			bodies[i] = r.Body
		}()
	}
	wg.Wait()
	if d := time.Since(start); d > 5*time.Second {
		t.Fatalf("16 icon requests took %v", d)
	}
	for _, b := range bodies[1:] {
		if !bytes.Equal(b, bodies[0]) {
			t.Fatal("icons differ between requests of one version")
		}
	}
	// A new logo is a new icon.
	var small bytes.Buffer
	_ = png.Encode(&small, image.NewGray(image.Rect(0, 0, 40, 40)))
	if err := e.App.Tenants.SetLogo(e.Ctx("rogaland"), tn.ID, "image/png", small.Bytes()); err != nil {
		t.Fatal(err)
	}
	if r := e.Do(apitest.Request{Path: "/t/rogaland/icons/icon-512.png"}); r.Status != 200 || bytes.Equal(r.Body, bodies[0]) {
		t.Fatalf("the icon did not change with the logo: %d", r.Status)
	}
}
