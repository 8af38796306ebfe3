package widgets

import (
	"bytes"
	"compress/gzip"
	"io/fs"
	"regexp"
	"testing"
)

// Size budgets (D4): each bundle gzipped, Leaflet and Lit included.
var budgets = map[string]int{
	"listings": 20 * 1024,
	"map":      70 * 1024,
}

func gzipped(b []byte) int {
	var out bytes.Buffer
	w, _ := gzip.NewWriterLevel(&out, gzip.DefaultCompression)
	_, _ = w.Write(b)
	_ = w.Close()
	return out.Len()
}

func TestBundleBudgets(t *testing.T) {
	b, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	// Every widget has a budget and a bundle, and every bundle is a widget's.
	if len(Widgets) != len(budgets) || len(b.Bundles) != len(Widgets) {
		t.Fatalf("widgets %v, budgets for %d, bundles %d: each widget needs exactly one budget and one bundle", Widgets, len(budgets), len(b.Bundles))
	}
	for _, w := range Widgets {
		if _, ok := budgets[w]; !ok {
			t.Fatalf("no size budget for the %s widget", w)
		}
		a, ok := b.Bundles[w]
		if !ok {
			t.Fatalf("no %s bundle in dist/manifest.json", w)
		}
		size := gzipped(a.Body)
		t.Logf("%s: %s, %d bytes, %d bytes gzipped (budget %d)", w, a.Name, len(a.Body), size, budgets[w])
		if size > budgets[w] {
			t.Errorf("%s widget is %d bytes gzipped, over its %d-byte budget", w, size, budgets[w])
		}
		if !regexp.MustCompile(`^` + w + `-[A-Z0-9]{8}\.js$`).MatchString(a.Name) {
			t.Errorf("%s bundle %q is not content-hashed", w, a.Name)
		}
	}
	if n := gzipped(b.Loader.Body); n > 2048 {
		t.Errorf("loader is %d bytes gzipped; it is fetched on every page view (max 2 KB)", n)
	}
	// No stale files: everything in dist is the manifest, the loader or a bundle.
	known := map[string]bool{"manifest.json": true, b.Loader.Name: true}
	for _, a := range b.Bundles {
		known[a.Name] = true
	}
	entries, err := fs.ReadDir(distFS, "dist")
	if err != nil {
		t.Fatalf("cannot list the embedded dist: %v", err)
	}
	listed := map[string]bool{}
	for _, e := range entries {
		listed[e.Name()] = true
		if !known[e.Name()] {
			t.Errorf("dist/%s is not part of the build (rebuild with npm run build)", e.Name())
		}
	}
	// The listing is the one the build was loaded from: it holds every file of
	// the build, so the check above looked at the real directory.
	for name := range known {
		if !listed[name] {
			t.Errorf("the listing of dist lacks %s, a file of the build: the stale-file check saw %d entries", name, len(entries))
		}
	}
}
