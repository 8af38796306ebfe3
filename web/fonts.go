package web

import "mime"

// Fonts are served as what they are: the system's MIME table (which
// mime.TypeByExtension falls back on) may not know woff2, and a font sent
// as application/octet-stream is a warning in every browser console.
func init() {
	_ = mime.AddExtensionType(".woff2", "font/woff2")
}
