// Package widgets serves the embeddable map and listing widgets (D4): the
// committed esbuild output in dist/ (embedded, so go build needs no Node),
// the loader, and the widgets' data, configuration and iframe pages. Widget
// traffic carries no cookies and no personal data; the data endpoints answer
// only pages on the tenant's allowlist of embedding origins.
package widgets

import (
	"embed"
	"encoding/json"
	"fmt"
	"io/fs"
	"sync"

	"github.com/masseflyt/masseflyt/httpx"
)

//go:embed dist
var distFS embed.FS

// Asset is one built file, kept with its gzip form and ETag.
type Asset struct {
	Name string
	*httpx.Doc
}

// Build is the embedded build: the loader and the hashed bundles by widget.
type Build struct {
	Loader  *Asset
	Bundles map[string]*Asset // widget name → bundle
	byFile  map[string]*Asset
}

var (
	loadOnce  sync.Once
	loaded    *Build
	loadedErr error
)

// Load reads the embedded build (once per process: it never changes).
func Load() (*Build, error) {
	loadOnce.Do(func() { loaded, loadedErr = LoadFS(distFS) })
	return loaded, loadedErr
}

// LoadFS reads a build from fsys (the dist directory at its root "dist").
func LoadFS(fsys fs.FS) (*Build, error) {
	raw, err := fs.ReadFile(fsys, "dist/manifest.json")
	if err != nil {
		return nil, fmt.Errorf("widgets: %w (run npm run build in widgets/)", err)
	}
	var m struct {
		Bundles map[string]string `json:"bundles"`
		Loader  string            `json:"loader"`
	}
	if err := json.Unmarshal(raw, &m); err != nil {
		return nil, fmt.Errorf("widgets: manifest: %w", err)
	}
	b := &Build{Bundles: map[string]*Asset{}, byFile: map[string]*Asset{}}
	read := func(name string) (*Asset, error) {
		body, err := fs.ReadFile(fsys, "dist/"+name)
		if err != nil {
			return nil, fmt.Errorf("widgets: %w", err)
		}
		return &Asset{Name: name, Doc: httpx.NewDoc(body, "text/javascript; charset=utf-8")}, nil
	}
	if b.Loader, err = read(m.Loader); err != nil {
		return nil, err
	}
	for widget, file := range m.Bundles {
		a, err := read(file)
		if err != nil {
			return nil, err
		}
		b.Bundles[widget] = a
		b.byFile[file] = a
	}
	return b, nil
}

// File returns a hashed bundle by file name.
func (b *Build) File(name string) (*Asset, bool) {
	a, ok := b.byFile[name]
	return a, ok
}
