// Package server assembles the standard Masseflyt: the kernel, the standard
// plugins and the three surfaces: the REST API, the widgets and the UI. cmd/masseflyt and the
// integration tests build the same thing through it.
package server

import (
	"github.com/masseflyt/masseflyt/api"
	"github.com/masseflyt/masseflyt/app"
	_ "github.com/masseflyt/masseflyt/plugins/standard" // the standard plugin set
	"github.com/masseflyt/masseflyt/web"
	"github.com/masseflyt/masseflyt/widgets"
)

// New builds the standard app.
func New(cfg app.Config, o app.Options) (*app.App, error) {
	o.Mount = append([]func(*app.App){api.Mount, widgets.Mount, web.Mount}, o.Mount...)
	return app.New(cfg, o)
}
