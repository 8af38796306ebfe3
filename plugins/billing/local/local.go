// Package local registers the offline billing provider (billing.local),
// the default: no keys, no network; invoices are computed by the billing
// domain (billing.Service.Preview).
package local

import (
	"github.com/masseflyt/masseflyt/app"
	"github.com/masseflyt/masseflyt/billing"
)

func init() {
	app.RegisterModule(app.ModuleInfo{ID: "billing.local", New: func() app.Module { return new(billing.Local) }})
}
